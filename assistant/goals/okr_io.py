"""OKR sets in and out: Markdown (citations as footnotes), JSON (the schema), CSV (a KR a row).

The readers also take OKRs a person wrote, so `keel lint` can check them: Markdown with
`## Objective` headings and `- KR:` bullets, or a CSV with the export's column names.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistant.core.errors import InputError
from assistant.core.safety import shown_quote
from assistant.core.schemas import KeyResult, Objective, OKRSet
from assistant.goals.okr_numbers import direction_of, target_of
from assistant.goals.okr_read import ReadDocument, ReadKR, ReadSet, read_document

__all__ = ["CSV_COLUMNS", "kr_from_text", "read_okr_sets", "read_okrs", "sets_from_read",
           "to_csv", "to_json", "to_markdown"]

CSV_COLUMNS = ["objective", "perspective", "ambition", "parent", "key_result", "metric", "unit",
               "baseline", "target", "direction", "deadline", "owner_role",
               "measurement_source", "sources"]
_PERSPECTIVES = {"financial": "Financial", "customer": "Customer",
                 "internal process": "Internal process", "learning & growth": "Learning & growth",
                 "learning and growth": "Learning & growth"}


def to_json(okrs: OKRSet) -> str:
    return okrs.model_dump_json(indent=2)


def _num(value: float | None, unit: str) -> str:
    if value is None:
        return "unknown"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{text}{unit}" if unit in {"%", ""} else f"{text} {unit}"


def to_markdown(okrs: OKRSet) -> str:
    """Readable Markdown; every citation is a footnote with its quote and source."""
    notes: list[str] = []

    def cite(citations: list[Any]) -> str:
        marks = []
        for c in citations:
            notes.append(f"[^{len(notes) + 1}]: {c.document} — {c.section}: "
                         f"“{shown_quote(c.quote)}”")
            marks.append(f"[^{len(notes)}]")
        return "".join(marks)

    span = f" ({okrs.period_start} to {okrs.period_end})" if okrs.period_end else ""
    lines = [f"# {okrs.department or 'Team'} OKRs — {okrs.period}{span}", ""]
    for n, o in enumerate(okrs.objectives, 1):
        lines += [f"## Objective {n}: {o.title}{cite(o.citations)}", "",
                  f"*{o.perspective or 'no perspective'} · {o.ambition or 'unmarked'} · serves: "
                  f"{o.parent or 'no parent'}*" + (" · **no support found**"
                                                   if o.support != "supported" else ""), ""]
        if o.why_now:
            lines += [f"Why now: {o.why_now}", ""]
        for m, kr in enumerate(o.key_results, 1):
            lines.append(
                f"- **KR{m}** {kr.statement}{cite(kr.citations)}  \n"
                f"  baseline {_num(kr.baseline, kr.unit)} → target {_num(kr.target, kr.unit)}"
                f" ({kr.direction or 'no direction'}) · due {kr.deadline or 'no date'} · owner "
                f"{kr.owner_role or 'none'} · measured in {kr.measurement_source or 'unknown'}"
                + (f"  \n  *{kr.baseline_note}*" if kr.baseline is None and kr.baseline_note
                   else ""))
        if o.initiatives:
            lines += ["", "Initiatives: " + "; ".join(o.initiatives)]
        lines.append("")
    if okrs.notes:
        lines += ["## Notes", "", *[f"- {note}" for note in okrs.notes], ""]
    return "\n".join(lines + notes) + "\n"


def to_csv(okrs: OKRSet) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for o in okrs.objectives:
        for kr in o.key_results or [KeyResult(statement="")]:
            writer.writerow({
                "objective": o.title, "perspective": o.perspective or "",
                "ambition": o.ambition or "", "parent": o.parent, "key_result": kr.statement,
                "metric": kr.metric, "unit": kr.unit,
                "baseline": "" if kr.baseline is None else kr.baseline,
                "target": "" if kr.target is None else kr.target,
                "direction": kr.direction or "", "deadline": kr.deadline or "",
                "owner_role": kr.owner_role, "measurement_source": kr.measurement_source,
                "sources": "; ".join(c.chunk_id for c in kr.citations)})
    return buffer.getvalue()


def read_okrs(path: Path) -> OKRSet:
    """Read one OKR set from .json, .csv or .md/.txt (a document with several department or
    period sets gives the first; `read_okr_sets` gives them all); InputError with the reason."""
    return read_okr_sets(path)[0]


def read_okr_sets(path: Path) -> list[OKRSet]:
    """Every OKR set in a .json, .csv or .md/.txt file; raises InputError with the reason."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"Cannot read {path}: {exc}") from exc
    suffix = path.suffix.lower()
    try:
        if suffix == ".json":
            return [OKRSet.model_validate(json.loads(text))]
        if suffix == ".csv":
            return [_from_csv(text)]
        if suffix in {".md", ".markdown", ".mdx", ".txt"}:
            return _from_markdown(text, path.name)
    except (ValueError, ValidationError) as exc:
        raise InputError(f"{path.name} is not a valid OKR file: {_reason(exc)}") from exc
    raise InputError(f"Unsupported OKR file type '{suffix}' (use .md, .json or .csv).")


def _reason(exc: Exception) -> str:
    """A person's reason, not a pydantic dump: 'objective 2, KR 1 (target): not a number'."""
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"{where}: {first['msg']} ({exc.error_count()} problem(s) in all)"
    return str(exc).splitlines()[0]


def _float(value: str) -> float | None:
    value = value.strip().replace(",", "").replace("$", "").replace("%", "")
    return float(value) if value else None


def _from_csv(text: str) -> OKRSet:
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or "objective" not in rows[0] or "key_result" not in rows[0]:
        raise ValueError("the CSV needs at least the columns 'objective' and 'key_result'")
    okrs = OKRSet()
    by_title: dict[str, Objective] = {}
    for row in rows:
        title = row["objective"].strip()
        if title not in by_title:
            by_title[title] = Objective(
                title=title, perspective=_PERSPECTIVES.get(row.get("perspective", "").lower()),
                ambition=row.get("ambition") or None, parent=row.get("parent", ""))
            okrs.objectives.append(by_title[title])
        if row["key_result"].strip():
            kr = kr_from_text(row["key_result"])
            for field in ("metric", "unit", "owner_role", "measurement_source"):
                if row.get(field):
                    setattr(kr, field, row[field])
            for field in ("baseline", "target"):
                if row.get(field, "").strip():
                    setattr(kr, field, _float(row[field]))
            kr.direction = row.get("direction") or kr.direction  # type: ignore[assignment]
            by_title[title].key_results.append(kr)
    return okrs


_FIELD = re.compile(r"\b(owner|measured in|source|measurement)\s*:\s*([^;.|]+)", re.IGNORECASE)
_DATE = re.compile(r"\bby\s+(\d{4}-\d\d-\d\d)\b")
_NOUN = re.compile(r"^\s*(?:raise|grow|increase|reduce|cut|lower|decrease|lift|bring)\s+(.{3,60}?)"
                   r"\s+from\b", re.IGNORECASE)


def kr_from_text(text: str) -> KeyResult:
    """A key result a person wrote: its numbers read as drafting and the linter read them
    (`okr_numbers.target_of`, `direction_of`), "owner:" and "source:" fields taken out."""
    kr = KeyResult(statement=re.sub(r"\s+", " ", _FIELD.sub("", text)).strip(" ;.|-"))
    if match := _DATE.search(text):
        kr.deadline = date.fromisoformat(match.group(1))
    if stated := target_of(kr.statement):
        kr.target, kr.baseline, kr.unit = stated.value, stated.baseline, stated.unit
        kr.direction = direction_of(kr.statement, stated)
        if not kr.unit and (noun := _NOUN.search(kr.statement)):
            kr.metric, kr.unit = noun.group(1), "count"  # "Raise partner cafés from 104 to 110"
    for key, value in _FIELD.findall(text):
        if key.lower() == "owner":
            kr.owner_role = value.strip()
        else:
            kr.measurement_source = value.strip()
    return kr


def sets_from_read(doc: ReadDocument) -> list[OKRSet]:
    """The sets a reading found (by the rules or the model), as the linter and store take."""
    sets = [_okr_set(s) for s in doc.sets if s.objectives]
    if doc.source == "model":
        for okrs in sets:
            okrs.notes.append("Read by the local model from free prose: confirm every line.")
    return sets


def _from_markdown(text: str, name: str = "document") -> list[OKRSet]:
    """Every set `okr_read` finds, as OKR sets the linter and the store take."""
    sets = sets_from_read(read_document(text, name))
    if not sets:
        raise ValueError("no objectives found (headings such as '## Objective: …', "
                         "'* **Objective:** …' lines, or a heading naming the OKRs above "
                         "'- KR: …' bullets; for goals written as prose, `keel lint "
                         "--model-read` lets the local model propose a reading)")
    return sets


def _okr_set(read: ReadSet) -> OKRSet:
    okrs = OKRSet(department=read.department)
    if read.period:
        okrs.period = read.period.label
        okrs.period_start, okrs.period_end = read.period.start, read.period.end
    for o in read.objectives:
        objective = Objective(title=_cut(o.title, 300), ambition=o.ambition,
                              parent=o.attrs.get("parent") or o.attrs.get("serves") or o.parent)
        for key, value in o.attrs.items():
            _set_attr(objective, key, value)
        objective.key_results = [_key_result(kr, o.owner) for kr in o.krs]
        okrs.objectives.append(objective)
    return okrs


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _key_result(read: ReadKR, objective_owner: str) -> KeyResult:
    kr = kr_from_text(_cut(read.statement, 400))
    if read.target is not None:
        kr.target, kr.unit = read.target, read.unit or kr.unit or "count"
    if read.baseline is not None:
        kr.baseline = read.baseline
        if kr.target is not None and kr.direction is None:
            kr.direction = "increase" if kr.target > kr.baseline else "decrease"
    kr.owner_role = read.owner or kr.owner_role or objective_owner
    kr.measurement_source = read.source or kr.measurement_source
    return kr


def _set_attr(o: Objective, key: str, value: str) -> None:
    if key == "perspective":
        o.perspective = _PERSPECTIVES.get(value.lower())  # type: ignore[assignment]
    elif key == "ambition" and value.lower() in {"committed", "aspirational"}:
        o.ambition = value.lower()  # type: ignore[assignment]
    elif key in ("parent", "serves"):
        o.parent = value
    elif key in ("why now", "why"):
        o.why_now = value
    elif key.startswith("initiative"):
        o.initiatives += [i.strip() for i in value.split(";") if i.strip()]
