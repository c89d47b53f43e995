"""Is this proposal on strategy? Extract, retrieve per aspect, judge per element, score.

Why this shape (measured; see measurements "Alignment check"): a 1.5B model asked for one verdict
over a pile of passages calls nearly everything misaligned, and asked for stances over many
statements at once it sees conflicts everywhere. So the model only ever answers one narrow
question about one statement, with the question phrased for the statement's kind (a non-goal
asks "does it do the forbidden thing?", a value "does it go against it?", a goal "does it move
it forward?"), writes the proposal's words it relies on and a reason before the label, and the
label only counts when that evidence is really in the proposal. Numbers are not judged by the
model at all: a proposal's "40% off" against a stated "no discount deeper than 15%" is compared
in code (`limits.py`) and becomes a cited conflict. Score and verdict are then computed in code
(`alignment_report.score_findings`). The proposal is placed first in every
judging prompt so llama.cpp reuses its processed tokens across the element calls.
"""

from __future__ import annotations

import re
import time
from typing import Literal

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from assistant.alignment.duties import duty_breaks
from assistant.alignment.elements import (
    DUPLICATE_AT,
    Element,
    gather_elements,
    kind_of,
    planned_overlap,
)
from assistant.alignment.evidence import decide
from assistant.alignment.kinds import kind_breaks
from assistant.alignment.limits import Breach, find_breaches
from assistant.alignment.nongoal_rule import (
    NON_GOAL_QUESTION,
    NON_GOAL_REPLY,
    SAME_ACTION_AT,
    SHARED_STEMS,
    NonGoalActions,
    in_proposal,
    non_goal_stance,
)
from assistant.alignment.recommend import recommendations
from assistant.alignment.regions import Outside, find_outside
from assistant.alignment.report import (
    STRAIN_KINDS,
    AlignmentReport,
    ElementFinding,
    ProposalAspects,
    Review,
    score_findings,
)
from assistant.alignment.told import TOLD_AT, action_sentences, told_again
from assistant.core.errors import GenerationError, InputError, KnowledgeError
from assistant.core.schemas import Citation
from assistant.core.text import split_sentences
from assistant.knowledge.base import KnowledgeBase, SearchHit
from assistant.knowledge.embeddings import Embedder
from assistant.knowledge.vocabulary import common_stems
from assistant.llm.client import LLM, Progress
from assistant.llm.prompts import render
from assistant.strategy.model import MapElement

__all__ = ["MAX_PROPOSAL_CHARS", "SAME_ACTION_AT", "SHARED_STEMS", "ElementJudgement",
           "NonGoalActions", "check_proposal", "extract_aspects"]

MAX_PROPOSAL_CHARS = 12_000
MIN_PROPOSAL_WORDS = 8
_WORD = re.compile(r"[a-z0-9]+")

QUESTIONS = {
    "non-goal": NON_GOAL_QUESTION,
    "value": ('This is one of the company\'s values. stance is "conflicts" if carrying out the '
              'proposal would go against this value, "supports" if the proposal clearly puts it '
              'into practice, otherwise "neutral".'),
    "goal": ('This is one of the company\'s strategic goals. stance is "supports" if carrying '
             'out the proposal would directly move this goal forward, "conflicts" if it would '
             'work against it, otherwise "neutral".'),
    "initiative": ('This is a project or objective the company already has planned. stance is '
                   '"supports" if the proposal would directly move it forward, "conflicts" if '
                   'it would work against it, otherwise "neutral".'),
}
REPLIES = {
    "non-goal": NON_GOAL_REPLY,
    "stance": ('{"evidence": at most 12 words copied exactly from the proposal that matter for '
               'the statement, or "", "reasoning": one short sentence (at most 20 words), '
               '"stance": "supports" | "neutral" | "conflicts"}'),
}
# The two questions of the probability ("strain") check, worded as measured on the dev split.
YES_NO = {
    "helps": ("Would carrying out this proposal directly help the company achieve what this "
              "statement describes? Answer yes or no."),
    "against": ("Would carrying out this proposal go against this statement, or do something "
                "it rules out? Answer yes or no."),
}
KIND_LABELS = {"non-goal": "Non-goal (the company will NOT do this)",
               "value": "Company value", "goal": "Strategic goal",
               "initiative": "Planned initiative or current objective"}


class ElementJudgement(BaseModel):
    """The model's answer about a value, goal or initiative (evidence and reason first)."""

    evidence: str = Field(max_length=160)
    reasoning: str = Field(max_length=200)
    stance: Literal["supports", "neutral", "conflicts"]


def check_proposal(text: str, kb: KnowledgeBase, llm: LLM,
                   progress: Progress | None = None, strategy: list[MapElement] | None = None,
                   serves: str | None = None, budget: float | None = None,
                   department: str | None = None, breaks: str | None = None,
                   repeats: str | None = None) -> AlignmentReport:
    """The full alignment report for one proposal against the workspace's strategy.

    `progress(done, total, step)` is told before each model call (total 0 while the proposal
    is read, before the statements to judge are known), then once more at the end. With
    `KEEL_ALIGNMENT_VERDICTS=evidence` (the default), or a manager's answer (`serves` a KR, a
    `budget` for a `department`, a value or non-goal it `breaks`, an initiative it `repeats`),
    the second design decides the verdict from the map (`evidence.py`)."""
    start = time.perf_counter()
    tell = progress or _silent
    text = _validate(text, kb)
    tell(0, 0, "Reading the proposal")
    aspects = extract_aspects(text, llm)
    queries = [*aspects.goals, *aspects.actions, aspects.audience]
    elements = gather_elements(kb, kb.embedder, text, queries)
    common = common_stems(kb)  # everyday words of this company do not make a non-goal break
    evidence = (kb.settings.alignment_verdicts == "evidence" or budget is not None
                or any((serves, breaks, repeats)))
    # The second design decides from rules and KR traces, so it asks the model only about
    # non-goals (whose rule needs the model's reading of the action). A "needs review"
    # report's evidence for and against is made in code from what was found (`evidence.py`):
    # asking the model about the closest goals (session 19: three more calls, 25 s of a 61 s
    # p50) added mostly its "supports", which it says to nearly everything.
    asked = [n for n, e in enumerate(elements) if not evidence or e.kind == "non-goal"]
    strain = [] if evidence else [n for n, e in enumerate(elements) if e.kind in STRAIN_KINDS]
    total = len(asked) + len(strain)
    findings = [_unasked(e, text) for e in elements]
    for n, at in enumerate(asked):
        tell(n, total, f"Judging it against “{elements[at].name}”")
        findings[at] = _judge(text, elements[at], llm, kb.embedder, common)
    _told_duplicates(findings, elements, text, kb.embedder)
    for n, at in enumerate(strain, len(asked)):  # after the stances, so the proposal
        tell(n, total, f"Probability check of “{elements[at].name}”")  # prefix stays cached
        findings[at].p_helps, findings[at].p_against = _probabilities(text, elements[at], llm)
    tell(total, total, "Checking stated limits and scoring")
    breaches, outside = find_breaches(text, kb), find_outside(text, kb)
    findings += [_breach_finding(b) for b in breaches] + [_outside_finding(o) for o in outside]
    statements = _statement_chunks(kb)
    findings += kind_findings(text, kb, findings, statements)
    findings += duty_findings(text, statements, common)
    chunks = {h.chunk_id: h for h in [*(e.hit for e in elements), *(b.hit for b in breaches),
                                       *(o.hit for o in outside)]}
    score = score_findings(findings, chunks)
    report = AlignmentReport(
        proposal_title=aspects.title, verdict=score.verdict, score=score.value,
        score_parts=score.parts, confidence=score.confidence, basis=score.basis,
        aspects=aspects,
        findings=findings,
        conflicts=[f for f in findings if f.stance == "conflicts"
                   and (f.kind in ("non-goal", "value") or f.limit_breach
                        or f.outside_focus)],
        strains=[f for f in findings if f.strained and f.stance != "conflicts"],
        overlaps=[f for f in findings if f.duplicate],
        likely_kr=_likely_kr(findings), perspectives=list(aspects.perspectives),
        model=llm.model_name,
    )
    report.recommendations = recommendations(report)
    if evidence:
        _apply_review(report, decide(report, text, strategy or [], serves, budget, department,
                                     breaks, repeats, kb.embedder))
    report.seconds = round(time.perf_counter() - start, 2)
    return report


def _apply_review(report: AlignmentReport, review: Review) -> None:
    """The second design's verdict replaces the score's; needs_review carries no score."""
    report.review, report.verdict, report.basis = review, review.verdict, review.basis
    report.confidence = ("high" if review.verdict in ("misaligned", "partially_aligned")
                         or (review.trace and review.trace.by_manager) else
                         "medium" if review.verdict == "aligned" else "low")
    if review.trace:
        report.likely_kr = review.trace.title
    if review.verdict == "needs_review":
        report.recommendations = review.questions


def _silent(done: int, total: int, step: str) -> None:
    """No progress display."""


def _validate(text: str, kb: KnowledgeBase) -> str:
    text = text.replace("\x00", "").strip()
    if not text:
        raise InputError("The proposal is empty.")
    if len(text) > MAX_PROPOSAL_CHARS:
        raise InputError(f"The proposal is {len(text):,} characters; the limit is "
                         f"{MAX_PROPOSAL_CHARS:,}. Paste the summary, goals and budget.")
    if kb.count() == 0:
        raise KnowledgeError(f"Workspace '{kb.workspace}' has no documents to check against. "
                             f"Index the strategy first: keel --workspace {kb.workspace} "
                             "index PATH")
    return text


def extract_aspects(text: str, llm: LLM) -> ProposalAspects:
    """Goals, actions, audience, resources, timeline; from the text alone if the model fails."""
    if len(_WORD.findall(text.lower())) < MIN_PROPOSAL_WORDS:
        return _plain_aspects(text)
    system, user = render("extract_proposal", proposal=text)
    try:
        return llm.structured([SystemMessage(content=system), HumanMessage(content=user)],
                              ProposalAspects, max_tokens=350)
    except GenerationError:
        return _plain_aspects(text)


def _plain_aspects(text: str) -> ProposalAspects:
    sentences = split_sentences(text, lines=True)
    return ProposalAspects(title=(sentences[0] if sentences else text)[:120],
                           goals=[], actions=[s[:200] for s in sentences[:4]],
                           audience="not stated", resources="not stated",
                           timeline="not stated", perspectives=[])


def _judge(text: str, element: Element, llm: LLM, embedder: Embedder,
           common: frozenset[str] = frozenset()) -> ElementFinding:
    non_goal = element.kind == "non-goal"
    system, user = render("judge_element", proposal=text, kind_label=KIND_LABELS[element.kind],
                          element=element.name, statement=element.statement,
                          question=QUESTIONS[element.kind],
                          reply=REPLIES["non-goal" if non_goal else "stance"])
    schema: type[BaseModel] = NonGoalActions if non_goal else ElementJudgement
    try:
        answer = llm.structured([SystemMessage(content=system), HumanMessage(content=user)],
                                schema, max_tokens=160)
    except GenerationError as exc:
        return ElementFinding(element=element.name, kind=element.kind, statement=element.statement,
                              stance="neutral", reason="Not judged: the model's answer could "
                              "not be read.", error=str(exc), similarity=element.similarity,
                              citations=[_cite(element.hit, element.statement)])
    if isinstance(answer, NonGoalActions):
        stance, reason, evidence = non_goal_stance(
            answer, f"{element.name} {element.statement}", text, embedder, common)
    else:
        assert isinstance(answer, ElementJudgement)
        grounded = in_proposal(answer.evidence, text)
        stance = answer.stance if grounded else "neutral"  # must rest on the proposal's words
        evidence = answer.evidence.strip() if grounded else ""
        reason = answer.reasoning.strip() + (
            "" if grounded or answer.stance == "neutral" else
            " (not counted: the evidence is not in the proposal)")
    return ElementFinding(
        element=element.name, kind=element.kind, statement=element.statement, stance=stance,
        reason=reason, proposal_evidence=evidence, duplicate=_duplicate(element, text),
        similarity=element.similarity, citations=[_cite(element.hit, element.statement)])


def _told_duplicates(findings: list[ElementFinding], elements: list[Element], text: str,
                     embedder: Embedder) -> None:
    """Planned initiatives the proposal repeats in other words (`told.py`), marked as
    duplicates citing the planned sentence."""
    for f, element in zip(findings, elements, strict=False):
        if element.kind != "initiative" or f.duplicate:
            continue
        closeness, sentence = told_again(element.statement, text, embedder)
        if closeness >= TOLD_AT:
            f.duplicate = True
            f.reason = (f"Told in other words, the proposal repeats this planned work "
                        f"(closeness {closeness:.2f}).")
            f.citations = [_cite(element.hit, sentence)]


def _unasked(element: Element, text: str) -> ElementFinding:
    """A finding the model was not asked about: neutral; the code-made parts (the duplicate
    check, the citation) still hold."""
    return ElementFinding(element=element.name, kind=element.kind, statement=element.statement,
                          stance="neutral", reason="Not asked: the evidence design decides "
                          "from the map.", duplicate=_duplicate(element, text),
                          similarity=element.similarity,
                          citations=[_cite(element.hit, element.statement)])


def _probabilities(text: str, element: Element, llm: LLM) -> tuple[float | None, float | None]:
    """(P(yes) to "would it help achieve this?", P(yes) to "would it go against this?").

    None for both when the endpoint cannot give probabilities (the check is then skipped
    and the report's score says nothing about strain)."""
    out = []
    for question in YES_NO.values():
        system, user = render("judge_yes_no", proposal=text, kind_label=KIND_LABELS[element.kind],
                              element=element.name, statement=element.statement,
                              question=question)
        try:
            p = llm.choice_probabilities([SystemMessage(content=system),
                                          HumanMessage(content=user)], ["yes", "no"])
        except GenerationError:  # an endpoint without logprobs: no strain check
            return None, None
        out.append(round(p["yes"], 4))
    return out[0], out[1]


def _breach_finding(breach: Breach) -> ElementFinding:
    """A number beyond a stated limit, found in code (`limits.py`): a cited conflict (with a
    plan's cap, kind "initiative", it caps the score lower than aligned, not at misaligned)."""
    section = breach.hit.section.split(" > ")[-1] or breach.hit.title
    bound = breach.limit.quantity.text
    return ElementFinding(
        element=f"{section} (at most {bound})", kind=breach.kind,
        statement=breach.limit.sentence, stance="conflicts",
        reason=f"The proposal's “{breach.quantity.text}” is more than the stated limit of "
               f"{bound}.",
        proposal_evidence=breach.quantity.text, limit_breach=True,
        citations=[_cite(breach.hit, breach.limit.sentence)])


def _outside_finding(out: Outside) -> ElementFinding:
    """A place beyond the focus region the strategy states (`regions.py`): a cited conflict."""
    section = out.hit.section.split(" > ")[-1] or out.hit.title
    return ElementFinding(
        element=f"{section} (focus: {', '.join(out.focus)})", kind=kind_of(out.hit),
        statement=out.sentence, stance="conflicts",
        reason=f"The proposal names {' and '.join(out.places)}, outside the stated focus on "
               f"{', '.join(out.focus)}.",
        proposal_evidence=", ".join(out.places), outside_focus=True,
        citations=[_cite(out.hit, out.sentence)])


def kind_findings(text: str, kb: KnowledgeBase, found: list[ElementFinding] | None = None,
                  statements: list[SearchHit] | None = None) -> list[ElementFinding]:
    """Non-goals the proposal breaks with a member of the kind they rule out (`kinds.py`:
    Target for "big-box stores"), checked in code against every non-goal statement of the
    workspace; one finding per non-goal, none for a non-goal already found broken."""
    broken = {c.chunk_id for f in found or [] if f.stance == "conflicts" and f.kind == "non-goal"
              for c in f.citations}
    out = []
    chunks = statements if statements is not None else _statement_chunks(kb)
    for hit in (h for h in chunks if kind_of(h) == "non-goal"):
        heading = hit.section.split(" > ")[-1] or hit.title
        breaks = [] if hit.chunk_id in broken else kind_breaks(text, heading, hit.text)
        if breaks:
            b = breaks[0]
            out.append(ElementFinding(
                element=heading, kind="non-goal", statement=hit.text, stance="conflicts",
                reason=f"The proposal's “{b.member}” is {b.kind}; the company ruled out "
                       f"“{b.item}” (Keel's table of kinds).",
                proposal_evidence=b.member, of_kind=True,
                citations=[_cite(hit, b.source if b.source in hit.text else hit.text)]))
    return out


def duty_findings(text: str, statements: list[SearchHit],
                  common: frozenset[str] = frozenset()) -> list[ElementFinding]:
    """Values whose duty a clause of the proposal stops (`duties.py`: "stop cupping every
    batch" against "we … cup every batch"), checked in code against every value statement;
    one finding per value."""
    out = []
    for hit in (h for h in statements if kind_of(h) == "value"):
        breaks = duty_breaks(text, hit.text, common)
        if breaks:
            b = breaks[0]
            out.append(ElementFinding(
                element=hit.section.split(" > ")[-1] or hit.title, kind="value",
                statement=hit.text, stance="conflicts",
                reason=f"The proposal would “{b.clause}”, which stops what the value says: "
                       f"“{b.sentence}” (shared words: {', '.join(b.words)}).",
                proposal_evidence=b.clause, duty_break=True, citations=[_cite(hit, b.sentence)]))
    return out


def _statement_chunks(kb: KnowledgeBase) -> list[SearchHit]:
    """Every chunk of the workspace that can state a non-goal or a value (current OKRs
    aside), for the rules that read them all (`kinds.py`, `duties.py`)."""
    return [hit for doc in kb.documents() if doc.kind != "okrs"
            for hit in kb.chunks_of(doc.doc_id)]


def _duplicate(element: Element, text: str) -> bool:
    """A planned initiative the proposal repeats: most word stems of one of its planned
    actions are in what the proposal does (`planned_overlap` over its action sentences, not
    its "Goal:" sentence, which may quote the target it serves: spent blind9). The model's own
    "same project?" flag was never set on the dev split, duplicates included, so code
    decides."""
    return element.kind == "initiative" and planned_overlap(
        element.statement, " ".join(action_sentences(text)))[0] >= DUPLICATE_AT


def _cite(hit: SearchHit, statement: str) -> Citation:
    quote = " ".join(statement.split())[:300]
    if len(" ".join(statement.split())) > 300:
        quote = quote.rsplit(" ", 1)[0]
    return Citation(chunk_id=hit.chunk_id, document=hit.doc_id, section=hit.section, quote=quote)


def _likely_kr(findings: list[ElementFinding]) -> str | None:
    """The supported current objective or planned initiative closest to the proposal."""
    moved = [f for f in findings if f.stance == "supports" and f.kind == "initiative"]
    if not moved:
        moved = [f for f in findings if f.stance == "supports" and f.kind == "goal"]
    if not moved:
        return None
    best = max(moved, key=lambda f: f.similarity)
    return f"{best.element}: {' '.join(best.statement.split())[:200]}"


# the names research probes import (`research/alignment_*.py`)
_in_proposal = in_proposal
