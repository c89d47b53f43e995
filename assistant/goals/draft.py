"""Draft grounded OKRs for a department and period, lint them, repair them, never hide failures.

Pipeline: retrieve company passages (strategy, values, non-goals: the same for every
department, so llama.cpp can reuse that prompt prefix) and department passages (its page,
the plan, past OKRs); draft into `DraftOKRs` with grammar-constrained JSON; check grounding
(sources exist, quotes are in them, baselines are written in them) and the linter's
error-level rules; feed the problems back for a bounded number of repair rounds; then apply
the only repairs code may make (a bad quote is replaced by the cited passage's own sentence,
an uncited baseline becomes "unknown, ask the owner") and report every one of them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Literal

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from assistant.core.errors import InputError
from assistant.core.periods import parse_period
from assistant.core.safety import passages_block
from assistant.core.schemas import Citation, Direction, KeyResult, Objective, OKRSet
from assistant.core.text import numbers_in
from assistant.goals.activities import activities_to_initiatives
from assistant.goals.draft_model import DraftKR, DraftOKRs, draft_schema
from assistant.goals.lint import Finding, LintConfig, lint_okrs
from assistant.goals.map_sources import map_sources, substantive
from assistant.goals.okr_numbers import direction_of, target_of, without_baseline
from assistant.goals.ownership import Block, blocks_of, owner_of
from assistant.goals.recite import recited
from assistant.goals.repair import refill, repair
from assistant.goals.repeats import (
    kept_where_copied,
    without_copied_objectives,
    without_repeated_krs,
)
from assistant.goals.titles import measured_titles
from assistant.knowledge.base import KnowledgeBase, SearchHit
from assistant.knowledge.grounding import (
    baseline_from_table,
    best_quote,
    number_in_text,
    quote_in_chunk,
)
from assistant.llm.client import LLM
from assistant.llm.prompts import render
from assistant.strategy.model import MapElement

__all__ = ["DraftOKRs", "DraftReport", "Session", "draft_okrs", "finish", "gather_passages",
           "start_session"]

_FROM = re.compile(r"\bfrom\s+([-+]?\$?\d[\d,]*(?:\.\d+)?)", re.IGNORECASE)


class DraftReport(BaseModel):
    """The result of one drafting run, with everything that was checked."""

    okrs: OKRSet
    findings: list[Finding]
    repair_rounds: int
    kr_pass_first: float = Field(description="Share of KRs passing all error-level checks, "
                                             "first draft.")
    kr_pass_final: float
    kr_pass_rounds: list[float] = Field(
        default_factory=list, description="KR pass after the first draft and each repair.")
    problems_left: list[str] = Field(description="What is still wrong with the returned set: "
                                     "error-level findings, another department's work, "
                                     "uncited items, objectives short.")
    krs_moved: int = Field(0, description="Activities without a number moved from the KRs to "
                                          "their objective's initiatives after repair.")
    seconds: float
    source: Literal["map", "passages"] = Field(
        "passages", description="What the prompt was built from.")

    def unresolved(self) -> list[str]:
        """`problems_left` that the findings do not already show (another department's work,
        uncited items, objectives short)."""
        shown = {f"{f.where}: {f.message} {f.fix}" for f in self.findings}
        return [p for p in self.problems_left if p not in shown]


def gather_passages(kb: KnowledgeBase, department: str) -> tuple[list[SearchHit], list[SearchHit]]:
    """(company passages, department passages).

    Company passages (strategy, values, non-goals, the annual plan, current OKRs) come from
    department-independent queries, so every draft in a workspace starts with the same
    prompt prefix and llama.cpp reuses it; only the department's own page follows.
    """
    company: dict[str, SearchHit] = {}
    for query, kinds, k in (
            ("strategy pillars, priorities and targets", ["strategy", "vision", "mission"], 4),
            ("our values", ["values"], 2), ("what we will not do", ["non-goals"], 3),
            ("annual plan priorities, budgets and what is not funded", ["plan"], 6),
            ("current objectives and key results", ["okrs"], 4)):
        for hit in kb.search(query, k=k, kinds=kinds):
            company.setdefault(hit.chunk_id, hit)
    own: dict[str, SearchHit] = {}
    for hit in kb.search(f"{department} current metrics", k=4, department=department):
        if hit.chunk_id not in company:
            own.setdefault(hit.chunk_id, hit)
    return list(company.values()), list(own.values())


def _departments(kb: KnowledgeBase) -> set[str]:
    return {d.department for d in kb.documents() if d.department}


def _department_name(known: set[str], department: str) -> str:
    for name in known:
        if name.lower() == department.strip().lower():
            return name
    if not department.strip():
        raise InputError("Name a department, e.g. --department Marketing.")
    return department.strip()


def draft_okrs(kb: KnowledgeBase, llm: LLM, department: str, period: str, count: int = 3,
               ambition: Literal["committed", "aspirational"] = "committed",
               today: date | None = None, lint_config: LintConfig | None = None,
               repair_rounds: int = 2, on_text: Callable[[str], None] | None = None,
               strategy: list[MapElement] | None = None) -> DraftReport:
    """Draft, check, repair and return an OKR set with its findings.

    `on_text` receives the model's JSON as it is written (first draft and repairs);
    `strategy` is the workspace's map (see `start_session`)."""
    started = time.monotonic()
    session = start_session(kb, department, period, count, ambition, today, strategy)
    draft = llm.structured(session.history, session.draft_schema, max_tokens=2400,
                           on_text=on_text)
    return finish(session, llm, draft, lint_config, repair_rounds, started, on_text)


@dataclass
class Session:
    """Everything one drafting conversation needs: prompt history, passages, the empty set."""

    history: list[BaseMessage]
    passages: dict[str, SearchHit]
    base: OKRSet
    count: int
    draft_schema: type[DraftOKRs]
    blocks: list[Block] = field(default_factory=list)  # passages by owning department
    source: Literal["map", "passages"] = "passages"
    ambition: str = "committed"


def start_session(kb: KnowledgeBase, department: str, period: str, count: int,
                  ambition: str, today: date | None = None,
                  strategy: list[MapElement] | None = None) -> Session:
    """Retrieve the sources and render the drafting prompt (the same for a refinement).

    With a substantive `strategy` (the workspace's map: a pillar and an objective or KR at
    least), the company part of the prompt is the map's company slice and the department part
    its own elements plus its own passages (`map_sources.py`); otherwise retrieved passages
    (`gather_passages`)."""
    if not 1 <= count <= 5:
        raise InputError("Ask for 1 to 5 objectives.")
    label, start, end = parse_period(period)
    known = _departments(kb)
    department = _department_name(known, department)
    company, own = gather_passages(kb, department)
    mapped = (map_sources(kb, strategy, department) if strategy and substantive(strategy)
              else ([], []))
    if mapped[0] or mapped[1]:
        shown = {h.chunk_id for h in own}
        company_items = [(s.hit, "\n".join(s.lines)) for s in mapped[0]]
        own_items = [(s.hit, "\n".join(s.lines)) for s in mapped[1]
                     if s.hit.chunk_id not in shown] + [(h, h.text) for h in own]
    else:
        company_items, own_items = [(h, h.text) for h in company], [(h, h.text) for h in own]
    items = company_items + own_items
    # The ownership check reads the passages a passage-based draft would see, whatever the
    # prompt shows: other departments' objectives are named by document where not shown.
    unseen = {f"{h.doc_id} ({h.section})": h for h in company + own
              if mapped[0] or mapped[1]}
    passages = {f"S{i}": h for i, (h, _) in enumerate(items, 1)}
    system, user = render(
        "draft_okrs", today=(today or date.today()).isoformat(), period=label,
        period_start=start.isoformat(), period_end=end.isoformat(), department=department,
        count=count, ambition=ambition,
        company_passages=passages_block([(f"S{i}", h.doc_id, h.section, text)
                                         for i, (h, text) in enumerate(company_items, 1)]),
        department_passages=passages_block([
            (f"S{i}", h.doc_id, h.section, text)
            for i, (h, text) in enumerate(own_items, len(company_items) + 1)]))
    base = OKRSet(workspace=kb.workspace, department=department, period=label,
                  period_start=start, period_end=end)
    return Session(history=[SystemMessage(content=system), HumanMessage(content=user)],
                   passages=passages, base=base, count=count,
                   draft_schema=draft_schema(count, ambition),
                   blocks=blocks_of({**passages, **unseen}, known),
                   source="map" if mapped[0] or mapped[1] else "passages", ambition=ambition)


def finish(session: Session, llm: LLM, draft: DraftOKRs, lint_config: LintConfig | None,
           repair_rounds: int, started: float, on_text: Callable[[str], None] | None = None
           ) -> DraftReport:
    """Check a draft, feed problems back for bounded repair rounds, convert and lint."""
    history, passages, base = session.history, session.passages, session.base
    draft, removed = without_copied_objectives(draft)
    own = session.base.department
    draft, removed, asked = refill(llm, history, draft, session.count, removed,
                                   [(s, h.department == own) for s, h in passages.items()],
                                   lambda k: draft_schema(k, session.ambition), on_text)
    draft, notes = recited(draft, passages)
    draft, titled = measured_titles(draft)
    notes = asked + notes + titled
    first_problems, first_pass = _check(draft, session, lint_config, len(removed))
    problems, rounds, kr_pass, passes = first_problems, 0, first_pass, [first_pass]
    while problems and rounds < repair_rounds and _progress(passes):
        rounds += 1
        repaired = repair(llm, history, draft, problems,
                          lambda k: draft_schema(k, session.ambition), 2400, on_text)
        draft, back = kept_where_copied(draft, repaired)
        notes += back
        draft, more = without_copied_objectives(draft)
        removed += more
        draft, recites = recited(draft, passages)
        draft, titled = measured_titles(draft)
        notes += recites + titled
        problems, kr_pass = _check(draft, session, lint_config, len(removed))
        passes.append(kr_pass)
    okrs = _convert(draft, passages, base, repair=True)
    okrs.notes[:0] = removed + notes
    without_repeated_krs(okrs)
    moved = activities_to_initiatives(okrs)
    okrs.created_at = datetime.now(UTC)
    findings = lint_okrs(okrs, lint_config)
    return DraftReport(okrs=okrs, findings=findings, repair_rounds=rounds, krs_moved=moved,
                       kr_pass_first=first_pass, kr_pass_final=kr_pass, kr_pass_rounds=passes,
                       problems_left=_left(okrs, findings, session),
                       seconds=round(time.monotonic() - started, 2), source=session.source)


def _left(okrs: OKRSet, findings: list[Finding], session: Session) -> list[str]:
    """What is still wrong with the set as returned, after code's own end-of-draft moves and
    removals (the last repair round's list can name a KR since moved or removed, by a position
    that has shifted): error-level findings, items repeating another department's work,
    items citing no passage, fewer objectives than asked."""
    left = [f"{f.where}: {f.message} {f.fix}" for f in findings if f.severity == "error"]
    for n, o in enumerate(okrs.objectives, 1):
        left += _ownership(f"Objective {n}", o.title, session)
        left += [] if o.citations else [f"objective {n}: cites no passage."]
        for m, kr in enumerate(o.key_results, 1):
            left += _ownership(f"Objective {n}, KR {m}", kr.statement, session)
            left += [] if kr.citations else [f"objective {n}, KR {m}: cites no passage."]
    if len(okrs.objectives) < session.count:
        left.append(f"{len(okrs.objectives)} of the {session.count} objectives asked for "
                    "returned (the set's notes say why).")
    return left


def _progress(passes: list[float]) -> bool:
    """Another repair round is worth its minute only if the last one moved the KR pass rate
    (a round that fixed nothing is usually repeated word for word by the next)."""
    return len(passes) < 2 or passes[-1] > passes[-2]


def _check(draft: DraftOKRs, session: Session, config: LintConfig | None, removed: int = 0
           ) -> tuple[list[str], float]:
    """(problems addressed to the model, share of KRs with no error-level problem). After
    `removed` copied objectives were taken out, fewer objectives than asked is no problem."""
    passages, base, count = session.passages, session.base, session.count
    problems: list[str] = []
    bad_krs: set[tuple[int, int]] = set()
    if len(draft.objectives) > count or (len(draft.objectives) < count and not removed):
        problems.append(f"Write exactly {count} objective(s), not {len(draft.objectives)}.")
    for n, o in enumerate(draft.objectives, 1):
        problems += _grounding("objective", n, o.source, passages, None)
        problems += _ownership(f"Objective {n}", o.title, session)
        for m, kr in enumerate(o.key_results, 1):
            issues = _grounding(f"objective {n}, KR", m, kr.source, passages,
                                _numbers(kr).baseline)
            issues += _ownership(f"Objective {n}, KR {m}", kr.statement, session)
            problems += issues
            if issues:
                bad_krs.add((n, m))
    for finding in lint_okrs(_convert(draft, passages, base, repair=False), config):
        if finding.severity == "error":
            problems.append(f"{finding.where}: {finding.message} {finding.fix}")
            if ", KR " in finding.where:
                o_part, k_part = finding.where.split(", KR ")
                bad_krs.add((int(o_part.split()[-1]), int(k_part)))
    total = sum(len(o.key_results) for o in draft.objectives)
    return problems, (total - len(bad_krs)) / total if total else 0.0


def _ownership(where: str, text: str, session: Session) -> list[str]:
    """A problem when the item repeats another department's current work (`ownership.py`)."""
    own = session.base.department
    block = owner_of(text, own, session.blocks)
    if block is None:
        return []
    mine = [s for s, h in session.passages.items() if h.department == own] or ["its page"]
    return [f"{where} (“{text[:80]}”) repeats work owned by {block.department} ({block.source}, "
            f"“{block.heading[:70]}”). {own}'s OKRs must be work {own} owns: replace it with "
            f"one drawn from {own}'s own passages ({', '.join(mine)})."]


def _grounding(what: str, n: int, source: str, passages: dict[str, SearchHit],
               baseline: float | None) -> list[str]:
    where = f"{what} {n}"
    hit = passages.get(source.strip().upper())
    if hit is None:
        return [f"{where}: source '{source}' is not one of the passages "
                f"S1-S{len(passages)}; cite the passage it comes from."]
    out = []
    if baseline is not None and not number_in_text(baseline, hit.text):
        out.append(f"{where}: its current value {baseline:g} (“from {baseline:g}”) is not "
                   f"written in {source}; state only the target (“to …”) unless the cited "
                   "passage states the current value.")
    return out


def _citation(source: str, claim: str, passages: dict[str, SearchHit]) -> list[Citation]:
    """The model names the passage; the quote is that passage's sentence closest to the
    claim, so it is verbatim by construction (and `validate_citations` re-checks it)."""
    hit = passages.get(source.strip().upper())
    if hit is None:
        return []
    quote = best_quote(claim, hit.text)
    if not quote_in_chunk(quote, hit.text):  # pragma: no cover - guarded by construction
        return []
    return [Citation(chunk_id=hit.chunk_id, document=hit.doc_id, section=hit.section,
                     quote=quote)]


def _convert(draft: DraftOKRs, passages: dict[str, SearchHit], base: OKRSet,
             repair: bool) -> OKRSet:
    okrs = base.model_copy(deep=True)
    for n, d in enumerate(draft.objectives, 1):
        where = f"objective {n}"
        cites = _citation(d.source, f"{d.title} {d.parent} {d.why_now}", passages)
        objective = Objective(
            title=d.title, why_now=d.why_now, perspective=d.perspective, ambition=d.ambition,
            parent=d.parent, citations=cites, initiatives=d.initiatives,
            support="supported" if cites else "no support found")
        for m, k in enumerate(d.key_results, 1):
            objective.key_results.append(_convert_kr(k, passages, repair, okrs, f"{where}, KR {m}"))
        okrs.objectives.append(objective)
    return okrs


@dataclass(frozen=True)
class _Numbers:
    """A KR's numbers as its statement states them (draft_model.py says why)."""

    target: float | None
    baseline: float | None
    direction: Direction | None
    unit: str


def _numbers(k: DraftKR) -> _Numbers:
    stated = target_of(k.statement)
    if stated is None:  # no number: the linter's K1 asks for one
        return _Numbers(None, None, None, k.unit)
    return _Numbers(stated.value, stated.baseline, direction_of(k.statement, stated),
                    stated.unit or k.unit)  # "%" and "$" from the words; a count's noun kept


def _convert_kr(k: DraftKR, passages: dict[str, SearchHit], repair: bool, okrs: OKRSet,
                where: str) -> KeyResult:
    cites = _citation(k.source, f"{k.statement} {k.metric}", passages)
    numbers, statement, note = _numbers(k), k.statement, ""
    baseline = numbers.baseline
    hit = passages.get(k.source.strip().upper())
    ungrounded = baseline is not None and (hit is None or not number_in_text(baseline, hit.text))
    if ungrounded and repair and baseline is not None:
        okrs.notes.append(f"{where}: “from {baseline:g}” was not in the cited text; removed.")
        baseline, statement = None, without_baseline(statement)
    if baseline is None and repair and hit is not None:
        baseline, note = _table_baseline(k, statement, numbers, hit, okrs, where)
    if baseline is None:
        note = (f"Unknown: the documents give no current value. Ask the {k.owner_role or 'owner'}"
                f" for the current {k.metric or 'value'}.")
    elif hit is not None and not note:
        note = f"From {hit.doc_id} ({hit.section})."
    return KeyResult(
        statement=statement, metric=k.metric, unit=numbers.unit, baseline=baseline,
        baseline_note=note, target=numbers.target, direction=numbers.direction,
        deadline=okrs.period_end, owner_role=k.owner_role,
        measurement_source=k.measurement_source, citations=cites)


def _table_baseline(k: DraftKR, statement: str, numbers: _Numbers, hit: SearchHit,
                    okrs: OKRSet, where: str) -> tuple[float | None, str]:
    """The current value from the cited passage's table row naming the KR's metric (the
    model tends to write null even when the row it cites holds the number), used only when
    the target is on the right side of it and the KR's own "from X", if any, says the same."""
    found = baseline_from_table(k.metric, hit.text)
    if found is None:
        return None, ""
    value, row = found
    stated = _FROM.search(statement)  # "from 9% to 15%": the statement names a baseline
    if stated and value not in numbers_in(stated.group(1)):
        return None, ""
    if numbers.target is None or (numbers.direction == "increase" and numbers.target <= value) \
            or (numbers.direction == "decrease" and numbers.target >= value):
        return None, ""
    okrs.notes.append(f"{where}: baseline {value:g} taken from the cited row “{row}”.")
    return value, f"From {hit.doc_id} ({hit.section}): “{row}”."
