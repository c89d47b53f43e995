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

import frontmatter
from pydantic import ValidationError

from assistant.core.errors import InputError
from assistant.core.periods import parse_period
from assistant.core.schemas import KeyResult, Objective, OKRSet

__all__ = ["CSV_COLUMNS", "kr_from_text", "read_okrs", "to_csv", "to_json", "to_markdown"]

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
            notes.append(f"[^{len(notes) + 1}]: {c.document} — {c.section}: “{c.quote}”")
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
    """Read an OKR set from .json, .csv or .md/.txt; raises InputError with the reason."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"Cannot read {path}: {exc}") from exc
    suffix = path.suffix.lower()
    try:
        if suffix == ".json":
            return OKRSet.model_validate(json.loads(text))
        if suffix == ".csv":
            return _from_csv(text)
        if suffix in {".md", ".markdown", ".txt"}:
            return _from_markdown(text)
    except (ValueError, ValidationError) as exc:
        raise InputError(f"{path.name} is not a valid OKR file: {str(exc).splitlines()[0]}"
                         ) from exc
    raise InputError(f"Unsupported OKR file type '{suffix}' (use .md, .json or .csv).")


def _with_period(okrs: OKRSet, period: str | None) -> OKRSet:
    if period:
        label, start, end = parse_period(period)
        okrs.period, okrs.period_start, okrs.period_end = label, start, end
    return okrs


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


_FROM_TO = re.compile(r"from\s+\$?([\d,.]+)\s*(%|\$)?\s*(?:\w+\s+){0,3}?to\s+\$?([\d,.]+)\s*(%)?",
                      re.IGNORECASE)
_TO = re.compile(r"\b(?:to|reach|at least|at most|below|above)\s+\$?([\d,.]+)\s*(%)?",
                 re.IGNORECASE)
_FIELD = re.compile(r"\b(owner|measured in|source|measurement)\s*:\s*([^;.|]+)", re.IGNORECASE)


_PCT_FROM = re.compile(r"\b([\d.]+)\s*%[^()]*\(\s*from\s+([\d.]+)\s*%\s*\)", re.IGNORECASE)
_DATE = re.compile(r"\bby\s+(\d{4}-\d\d-\d\d)\b")
_NOUN = re.compile(r"^\s*(?:raise|grow|increase|reduce|cut|lower|decrease|lift|bring)\s+(.{3,60}?)"
                   r"\s+from\b", re.IGNORECASE)


_VERB_DIRECTION = re.compile(r"^\s*(raise|grow|increase|lift|reduce|cut|lower|decrease)\b",
                             re.IGNORECASE)
_DOWN = {"reduce", "cut", "lower", "decrease"}


def kr_from_text(text: str) -> KeyResult:
    kr = KeyResult(statement=re.sub(r"\s+", " ", _FIELD.sub("", text)).strip(" ;.|-"))
    if match := _DATE.search(text):
        kr.deadline = date.fromisoformat(match.group(1))
    if match := _PCT_FROM.search(text):  # "Answer 85% of requests within 48 hours (from 71%)"
        kr.target, kr.baseline, kr.unit = _float(match.group(1)), _float(match.group(2)), "%"
        if kr.baseline is not None and kr.target is not None:
            kr.direction = "increase" if kr.target > kr.baseline else "decrease"
    elif match := _FROM_TO.search(text):
        kr.baseline, kr.target = _float(match.group(1)), _float(match.group(3))
        kr.unit = "%" if (match.group(2) == "%" or match.group(4)) else (
            "$" if "$" in match.group(0) else "")
        if kr.baseline is not None and kr.target is not None:
            kr.direction = "increase" if kr.target > kr.baseline else "decrease"
    elif match := _TO.search(text):
        kr.target = _float(match.group(1))
        kr.unit = "%" if match.group(2) else ("$" if "$" in match.group(0) else "")
    if kr.direction and (verb := _VERB_DIRECTION.match(kr.statement)):
        # the words decide, so "Raise X from 104 to 90" is caught by K5 instead of hidden
        kr.direction = "decrease" if verb.group(1).lower() in _DOWN else "increase"
    if kr.target is not None and not kr.unit and (noun := _NOUN.search(kr.statement)):
        kr.metric, kr.unit = noun.group(1), "count"  # "Raise partner cafés from 104 to 110"
    for key, value in _FIELD.findall(text):
        if key.lower() == "owner":
            kr.owner_role = value.strip()
        else:
            kr.measurement_source = value.strip()
    return kr


def _from_markdown(text: str) -> OKRSet:
    post = frontmatter.loads(text)
    meta = post.metadata if isinstance(post.metadata, dict) else {}
    okrs = OKRSet(department=str(meta.get("department", "")))
    period = meta.get("period")
    current: Objective | None = None
    for raw in post.content.splitlines():
        line = raw.strip()
        if heading := re.match(r"^#\s+(.*)$", line):
            found = re.search(r"(\d{4}-(?:Q[1-4]|H[12]))", heading.group(1), re.IGNORECASE)
            period = period or (found.group(1) if found else None)
        elif heading := re.match(r"^#{2,3}\s+(?:objective\s*\d*\s*[:.-]?\s*|O\d+\s*[:.-]\s*)?(.+)$",
                                 line, re.IGNORECASE):
            current = Objective(title=heading.group(1).strip())
            okrs.objectives.append(current)
        elif current is not None and (attr := re.match(
                r"^[-*]?\s*(perspective|ambition|parent|why now|initiatives?)\s*:\s*(.+)$", line,
                re.IGNORECASE)):
            _set_attr(current, attr.group(1).lower(), attr.group(2).strip())
        elif current is not None and (bullet := re.match(r"^[-*]\s+(?:\*\*)?(?:KR\s*\d*)?\s*[:.]?"
                                                         r"(?:\*\*)?\s*(.+)$", line,
                                                         re.IGNORECASE)):
            current.key_results.append(kr_from_text(bullet.group(1)))
    if not okrs.objectives:
        raise ValueError("no objectives found (use '## Objective: …' headings and '- KR: …' "
                         "bullets)")
    return _with_period(okrs, str(period) if period else None)


def _set_attr(o: Objective, key: str, value: str) -> None:
    if key == "perspective":
        o.perspective = _PERSPECTIVES.get(value.lower())  # type: ignore[assignment]
    elif key == "ambition" and value.lower() in {"committed", "aspirational"}:
        o.ambition = value.lower()  # type: ignore[assignment]
    elif key == "parent":
        o.parent = value
    elif key == "why now":
        o.why_now = value
    else:
        o.initiatives += [i.strip() for i in value.split(";") if i.strip()]
