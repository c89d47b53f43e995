"""Build a strategy map from the indexed documents, by rules, every element cited.

Rules read the shapes the documents already have (front-matter kinds, headings, OKR bullets,
Markdown tables); nothing here asks the model. Per document kind:

* mission, vision → a `statement` (the document's opening sentence);
* strategy → a `pillar` per "Pillar N: …" heading, its Balanced Scorecard perspective from the
  words of its passage (financial, customer, internal process, learning & growth);
* non-goals → a `non_goal` per heading under the page's title;
* values → a `value` per heading, with the behavioural rules it states ("we never …");
* okrs → an `objective` per "… objective: …" heading (department, period, the pillar it names)
  and a `key_result` per "KR" bullet (metric, baseline, target, owner read by the OKR reader);
* plan → an `initiative` per "Priority N: …" heading (serving the pillar it names), a budget
  `limit` per row of a "budget by department" table, and a `non_goal` for a "not funded" list;
* department pages → an `initiative` per bullet under an "initiatives" heading;
* strategy and plan pages written as measured outcomes ("### Partner satisfaction … How we
  measure partner satisfaction:") → a `pillar` per outcome and a `key_result` per benchmark
  bullet or "the metric we use … is …" sentence; values and mission pages → a `value` per
  bold-led bullet under an introduction that speaks of values, tenets or principles
  (`build_outcomes.py`);
* any strategy, plan, department, value or non-goal passage → a `key_result` per row of a table
  whose header names a baseline and a target ("How we will measure the strategy"), a `limit` per
  upper bound stated with a number ("capped at $8,000 a month", "up to three stores";
  `core.quantities`), and a region `limit` per focus sentence ("We focus on Maine, …").

Every element cites the chunk it came from with a quote found verbatim in it (checked here), and
every number an element carries is written in its quote, or it is dropped (left unknown).
What the rules cannot read (free prose) is not in the map yet: the model's extraction, with a
person's confirmation, is the next step (docs/architecture.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Literal

from assistant.core.places import focus_in
from assistant.core.quantities import limits_in
from assistant.core.text import split_sentences, table_rows
from assistant.goals.okr_io import kr_from_text
from assistant.knowledge.base import KnowledgeBase, SearchHit
from assistant.knowledge.grounding import number_in_text
from assistant.strategy.build_outcomes import listed_values, measured_outcomes
from assistant.strategy.model import MapElement
from assistant.strategy.reading import (
    RULE,
    cite,
    depth,
    first_sentence,
    heading,
    perspective,
    sentences,
    slug,
)

__all__ = ["build_map", "slug"]

Progress = Callable[[int, int, str], None]
Reader = Callable[[list[SearchHit], str], Iterator[MapElement]]
_PROSE_KINDS = ("strategy", "plan", "department", "values", "non-goals", "vision", "mission")
_PILLAR = re.compile(r"^Pillar\s+(\d+)\s*[:.-]\s*(.+)$", re.IGNORECASE)
_PILLAR_REF = re.compile(r"\(\s*Pillar\s+(\d+)\s*\)", re.IGNORECASE)
_OBJECTIVE = re.compile(r"^(?:(.+?)\s+)?objective\s*\d*\s*[:.-]\s*(.+)$", re.IGNORECASE)
_PRIORITY = re.compile(r"^Priority\s+\d+\s*[:.-]\s*(.+)$", re.IGNORECASE)
_KR_LINE = re.compile(r"^\s*[-*]\s+(?:\*\*)?KR\s*\d*(?:\*\*)?\s*[:.]\s*(.+)$", re.IGNORECASE)
_OWNER = re.compile(r"^owner\s*:", re.IGNORECASE)
_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|"
           "december")
# "Sell 400 gift subscriptions": the number right after the leading verb (not "by 15 December")
_LEADING_NUMBER = re.compile(r"^\s*[A-Za-z]+\s+\$?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(%)?"
                             rf"(?!\s*(?:{_MONTHS})\b)", re.IGNORECASE)




def build_map(kb: KnowledgeBase, progress: Progress | None = None,
              prose: Callable[[set[str]], list[MapElement]] | None = None) -> list[MapElement]:
    """The map the rules find in the workspace's documents (every element 'proposed'); with
    `prose` (`extract.extract_prose` bound to a model), also what the model proposes from the
    passages no rule read — the rules' reading wins where both name the same element."""
    readers: dict[str, Reader] = {
        "mission": _both(_statements, listed_values), "vision": _statements,
        "strategy": _both(_pillars, measured_outcomes), "non-goals": _non_goals,
        "values": _both(_values, listed_values), "okrs": _okrs,
        "plan": _both(_plan, measured_outcomes), "department": _department}
    documents = [d for d in kb.documents() if d.kind in readers]
    elements: dict[str, MapElement] = {}
    for n, doc in enumerate(documents):
        if progress:
            progress(n, len(documents), f"reading {doc.doc_id}")
        chunks = kb.chunks_of(doc.doc_id)
        found = list(readers[doc.kind](chunks, doc.period or ""))
        if doc.kind in _PROSE_KINDS:
            found += [e for hit in chunks for e in _prose(hit, doc.kind, doc.period or "")]
        for element in found:
            elements.setdefault(element.key, element)
    # one spelling per department: the documents' own ("Customer Service", not the table's
    # "Customer service")
    names = {d.department.lower(): d.department for d in kb.documents() if d.department}
    for key, element in elements.items():
        if element.department.lower() in names:
            elements[key] = element.model_copy(
                update={"department": names[element.department.lower()]})
    if prose is not None:
        covered = {c.chunk_id for e in elements.values() for c in e.citations}
        for element in prose(covered):
            elements.setdefault(element.key, element)
    if progress:
        progress(len(documents), len(documents), "map built")
    return list(elements.values())










def _both(first: Reader, second: Reader) -> Reader:
    def read(chunks: list[SearchHit], period: str) -> Iterator[MapElement]:
        yield from first(chunks, period)
        yield from second(chunks, period)

    return read


def _statements(chunks: list[SearchHit], period: str) -> Iterator[MapElement]:
    top = [h for h in chunks if depth(h) == 1 and first_sentence(h)]
    if top:
        hit = top[0]
        title = heading(hit)
        yield MapElement(key=f"statement:{slug(title)}", kind="statement", title=title,
                         text=first_sentence(hit), period=period,
                         citations=[cite(hit, first_sentence(hit))])




def _pillars(chunks: list[SearchHit], period: str) -> Iterator[MapElement]:
    for hit in chunks:
        if (match := _PILLAR.match(heading(hit))) and (first := first_sentence(hit)):
            yield MapElement(key=f"pillar:{match.group(1)}", kind="pillar",
                             title=f"Pillar {match.group(1)}: {match.group(2).strip()}",
                             text=first, period=period,
                             perspective=perspective(f"{match.group(2)} {hit.text}"),
                             citations=[cite(hit, first)])


def _non_goals(chunks: list[SearchHit], period: str) -> Iterator[MapElement]:
    for hit in chunks:
        if depth(hit) >= 2 and (first := first_sentence(hit)):
            title = heading(hit)
            yield MapElement(key=f"non_goal:{slug(title)}", kind="non_goal", title=title,
                             text=first, period=period, citations=[cite(hit, first)])


def _values(chunks: list[SearchHit], period: str) -> Iterator[MapElement]:
    for hit in chunks:  # a section opening with a table (who owns each value) states no value
        if depth(hit) >= 2 and (first := first_sentence(hit)) and not first.startswith("|"):
            title = heading(hit)
            rules = [s for s in sentences(hit.text) if RULE.search(s)]
            yield MapElement(key=f"value:{slug(title)}", kind="value", title=title, text=first,
                             rules=rules, citations=[cite(hit, first)])


def _okrs(chunks: list[SearchHit], period: str) -> Iterator[MapElement]:
    for hit in chunks:
        match = _OBJECTIVE.match(heading(hit))
        if not match:
            continue
        owner = (match.group(1) or "").strip()
        department = "" if owner.lower() in ("", "company") else owner
        title = _PILLAR_REF.sub("", match.group(2)).strip()
        pillar = _PILLAR_REF.search(match.group(2))
        key = f"objective:{period}:{slug(department or 'company')}:{slug(title)}"
        lines = _kr_lines(hit.text)
        yield MapElement(key=key, kind="objective", title=title, text=title,
                         department=department, period=period,
                         serves=[f"pillar:{pillar.group(1)}"] if pillar else [],
                         citations=[cite(hit, lines[0] if lines else first_sentence(hit))])
        for n, line in enumerate(lines, 1):
            yield _key_result(hit, line, f"{key}:kr{n}", key, department, period)


def _kr_lines(text: str) -> list[str]:
    """Each "- KR…:" bullet's text, with the lines it wraps onto (up to the next bullet)."""
    found: list[str] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if match := _KR_LINE.match(line):
            current = [match.group(1)]
            found.append("")
        elif current is not None and line.strip() and not re.match(r"^\s*([-*#|]|\d+\.)\s",
                                                                   line):
            current.append(line.strip())
        else:
            current = None
        if current is not None:
            found[-1] = " ".join(current)
    return found


# the map keeps which way a number should move; "at least 4.6" holds a floor (an increase's
# kind), "under 4 hours" a ceiling
_TWO_WAYS: dict[str, Literal["increase", "decrease"]] = {
    "increase": "increase", "at_least": "increase", "decrease": "decrease",
    "at_most": "decrease"}


def _key_result(hit: SearchHit, line: str, key: str, objective: str, department: str,
                period: str) -> MapElement:
    sentences = split_sentences(line)
    # the KR is its first sentence and its "Owner: …"; what follows is a status note
    statement = " ".join([sentences[0], *(s for s in sentences[1:2] if _OWNER.match(s))])
    kr = kr_from_text(statement)
    if (lead := _LEADING_NUMBER.match(statement)) and not kr.unit:
        if kr.target is None:
            kr.target = float(lead.group(1).replace(",", ""))
        kr.unit = "%" if lead.group(2) else "count"  # "Sell 400 gift subscriptions"
    quote = line.strip()
    # numbers only where the quote writes them; the rest stays unknown
    baseline = kr.baseline if kr.baseline is not None and number_in_text(kr.baseline, quote) \
        else None
    target = kr.target if kr.target is not None and number_in_text(kr.target, quote) else None
    return MapElement(key=key, kind="key_result", title=statement.rstrip(".")[:300], text=quote,
                      department=department, period=period, metric=kr.metric, unit=kr.unit,
                      direction=_TWO_WAYS.get(kr.direction or ""), baseline=baseline,
                      target=target,
                      deadline=kr.deadline.isoformat() if kr.deadline else "",
                      owner=kr.owner_role, serves=[objective], citations=[cite(hit, quote)])


def _plan(chunks: list[SearchHit], period: str) -> Iterator[MapElement]:
    for hit in chunks:
        name = heading(hit)
        if (match := _PRIORITY.match(name)) and (first := first_sentence(hit)):
            title = _PILLAR_REF.sub("", match.group(1)).strip()
            pillar = _PILLAR_REF.search(match.group(1))
            yield MapElement(key=f"initiative:{period}:{slug(title)}", kind="initiative",
                             title=title, text=first, period=period,
                             serves=[f"pillar:{pillar.group(1)}"] if pillar else [],
                             citations=[cite(hit, first)])
        elif "budget" in name.lower():
            yield from _budget_rows(hit, period)
        elif "not funded" in name.lower() and (first := first_sentence(hit)):
            yield MapElement(key=f"non_goal:{period}:{slug(name)}", kind="non_goal",
                             title=name, text=first, period=period,
                             citations=[cite(hit, first)])


def _department(chunks: list[SearchHit], period: str) -> Iterator[MapElement]:
    """Bullets under an "initiatives" heading of a department page."""
    for hit in chunks:
        if "initiative" not in heading(hit).lower():
            continue
        for line in hit.text.splitlines():
            if (bullet := re.match(r"^\s*[-*]\s+(.+)$", line)) is None:
                continue
            text = bullet.group(1).strip()
            title = (split_sentences(text) or [text])[0].rstrip(".")
            yield MapElement(key=f"initiative:{slug(hit.department or '')}:{slug(title)[:60]}",
                             kind="initiative", title=title[:300], text=text,
                             department=hit.department or "", period=period,
                             citations=[cite(hit, text)])


def _prose(hit: SearchHit, kind: str, period: str) -> Iterator[MapElement]:
    """Measures tables, numeric upper bounds and focus regions, wherever they are written."""
    yield from _measure_rows(hit, period)
    if kind in ("values", "non-goals", "plan", "department"):
        for limit in limits_in(hit.text):
            q = limit.quantity
            if not number_in_text(q.value, limit.sentence):
                continue  # "$250k" written as "$250,000" only: the number must be in the quote
            yield MapElement(key=f"limit:{slug(limit.sentence)[:70]}", kind="limit",
                             title=f"At most {q.text}: {heading(hit)}", text=limit.sentence,
                             amount=q.value, unit="$" if q.unit == "money" else q.unit,
                             scope=heading(hit), department=hit.department or "",
                             period=period, citations=[cite(hit, limit.sentence)])
    if kind in ("strategy", "plan", "vision", "mission"):
        for states, sentence in focus_in(hit.text):
            yield MapElement(key=f"limit:region:{slug(' '.join(sorted(states)))}", kind="limit",
                             title=f"Focus region: {', '.join(sorted(states))}",
                             text=sentence, scope="region", period=period,
                             citations=[cite(hit, sentence)])


def _cell_number(cell: str) -> tuple[float | None, str]:
    """'1,900' -> (1900, ''), '27%' -> (27, '%'), '$3.40' -> (3.4, '$'), 'at least 38%'."""
    found = re.search(r"(\$)?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(%|[MmKk]\b)?", cell)
    if not found:
        return None, ""
    unit = "%" if found.group(3) == "%" else "$" if found.group(1) else ""
    return float(found.group(2).replace(",", "")), unit


def _measure_rows(hit: SearchHit, period: str) -> Iterator[MapElement]:
    """A table whose header names a baseline and a target: one key result per row."""
    for quote, row in table_rows(hit.text):
        header, cells = [h.lower() for h in row], list(row.values())
        base = next((i for i, h in enumerate(header) if "baseline" in h), None)
        goal = next((i for i, h in enumerate(header) if "target" in h), None)
        if base is None or goal is None or len(cells) <= max(base, goal):
            continue
        baseline, unit = _cell_number(cells[base])
        target, target_unit = _cell_number(cells[goal])
        direction = None if baseline is None or target is None else (
            "increase" if target > baseline else "decrease")
        yield MapElement(key=f"key_result:{period}:{slug(cells[0])}", kind="key_result",
                         title=f"{cells[0]}: {cells[base]} → {cells[goal]}", text=quote,
                         metric=cells[0], unit=unit or target_unit, baseline=baseline,
                         target=target, direction=direction, period=period,
                         citations=[cite(hit, quote)])


def _budget_rows(hit: SearchHit, period: str) -> Iterator[MapElement]:
    """'| Marketing | $260,000 | $150,000 |' under a budget heading → a budget limit per row."""
    header: list[str] = []
    for line in hit.text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or set("".join(cells)) <= set("-: "):
            continue
        if not header:
            header = [c.lower() for c in cells]
            continue
        money = re.fullmatch(r"\$\s?([\d,]+(?:\.\d+)?)", cells[1])
        if not money:
            continue
        amount = float(money.group(1).replace(",", ""))
        department = re.sub(r"\s*\(.*\)$", "", cells[0]).strip()
        quote = line.strip()
        what = header[1] if len(header) > 1 else "budget"
        yield MapElement(key=f"limit:{period}:budget:{slug(department)}", kind="limit",
                         title=f"{department} {what}", text=quote, department=department,
                         period=period,
                         amount=amount, unit="$", scope=department,
                         citations=[cite(hit, quote)])
