"""The alignment report and its deterministic score.

The model only judges one strategic element at a time (supports / neutral / conflicts, with
the proposal's own words as evidence). Everything else is computed here from those stances,
so the same stances always give the same score, verdict and recommendations, and a finding
whose citation does not check out against the stored chunk cannot count.

Score (0-100), documented in every report:

    score = 30
          + 45  if a strategic goal (pillar, priority, objective, KR, mission) is supported
          + 10  if two or more different goals are supported
          + 5   if a value is supported
          - 30  for each value the proposal conflicts with
          - 25  if it duplicates an initiative that is already planned
    clamped to 0..100; any conflict with a stated non-goal, or a number beyond a limit a value
    or non-goal states ("no discount deeper than 15%", `limits.py`), caps the score at 15; a
    number beyond a cap the plan sets ("paid social spend stays capped at $8,000 a month"), or
    a place outside the focus region the strategy states (`regions.py`), caps it at 60,
    partially aligned (the rubric's "strains a budget cap or the focus region": the idea may
    be right, its size or place is not what was decided); and a value the proposal *strains*
    caps it at 35.

Strain is the model's probability check (`LLM.choice_probabilities`, first answer token):
asked "would the proposal go against this value?" and "would it help achieve it?", a
strained value has P(yes, against) - P(yes, helps) > STRAIN_MARGIN. The reasoned stance of
the 1.5B model says "supports" to nearly everything; the margin catches more misaligned
proposals (measured end to end in docs/measurements.md, with what it costs in aligned recall).

Verdict: no validly cited finding at all -> insufficient_information; otherwise score >= 70
aligned, 40-69 partially_aligned, below 40 misaligned.

Confidence says what the verdict rests on, because that is what its worth was measured to
depend on (71 labelled proposals, embedded 1.5B model, measurements "Alignment check"): a verdict
set by a rule checked in code — a non-goal break, a number beyond a stated limit or a plan's
cap, a place outside the focus region, a duplicate of a planned initiative — was right 15 of
16 times (dev 9 of 9), one resting on the model's reading alone (its stances, or the strain
check) 28 of 55 (dev 13 of 26), whatever the score. So: "high" only for a rule-set verdict;
a model-read verdict is "medium" when far from a boundary with two or more decided findings,
else "low"; `Score.basis` says which, in words the report shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, Field

from assistant.core.schemas import Citation
from assistant.knowledge.base import SearchHit
from assistant.knowledge.grounding import quote_in_chunk

__all__ = [
    "FORMULA",
    "GUARD_LIMIT_KINDS",
    "STRAIN_KINDS",
    "STRAIN_MARGIN",
    "WEIGHTS",
    "AlignmentReport",
    "ElementFinding",
    "ElementKind",
    "KRTrace",
    "ProposalAspects",
    "Review",
    "Score",
    "Stance",
    "Verdict",
    "score_findings",
    "valid_citation",
]

Verdict = Literal["aligned", "partially_aligned", "misaligned", "needs_review",
                  "insufficient_information"]
Stance = Literal["supports", "neutral", "conflicts"]
ElementKind = Literal["goal", "value", "non-goal", "initiative"]
Perspective = Literal["Financial", "Customer", "Internal process", "Learning & growth"]

WEIGHTS: dict[str, int] = {
    "base": 30, "goal_supported": 45, "second_goal": 10, "value_supported": 5,
    "value_conflict": -30, "duplicate": -25, "non_goal_cap": 15, "plan_cap": 60,
    "aligned_at": 70, "partial_at": 40, "strain_cap": 35,
}
# Chosen on the sample company's dev split, end to end (`research/alignment_rescore.py`,
# 18 proposals): values only, margin 0.15. Non-goals are left to the named-action check: with
# the pipeline's retrieval every non-goal's margin sat near 0.2 whether or not the proposal
# touched it (asking whether a proposal "helps achieve" a prohibition is not a question the
# 1.5B model answers), and capping on them called all 17 sample test proposals misaligned.
STRAIN_MARGIN = 0.15
# A number beyond a limit stated by these kinds caps like a broken non-goal; beyond a limit in
# a plan (kind "initiative") it caps at WEIGHTS["plan_cap"].
GUARD_LIMIT_KINDS: tuple[str, ...] = ("non-goal", "value")
STRAIN_KINDS: tuple[str, ...] = ("value",)


def _formula(w: dict[str, int], margin: float) -> str:
    """The score's formula in words, written from the weights the score uses."""
    return (
        f"score = {w['base']} + {w['goal_supported']} if a strategic goal is supported "
        f"+ {w['second_goal']} if two or more are + {w['value_supported']} if a value is "
        f"supported - {-w['value_conflict']} per value conflict - {-w['duplicate']} if it "
        "duplicates a planned initiative; clamped to 0-100; a non-goal conflict or a number "
        f"beyond a limit a value or non-goal states caps it at {w['non_goal_cap']}, a number "
        "beyond a cap in the plan or a place outside the stated focus region at "
        f"{w['plan_cap']}; a value the proposal strains (the model's P(goes against) exceeds "
        f"P(helps) by more than {margin:.2f}) caps it at {w['strain_cap']}. Verdict: >= "
        f"{w['aligned_at']} aligned, {w['partial_at']}-{w['aligned_at'] - 1} partially "
        f"aligned, < {w['partial_at']} misaligned; no validly cited finding -> insufficient "
        "information.")


FORMULA = _formula(WEIGHTS, STRAIN_MARGIN)


class ProposalAspects(BaseModel):
    """What the model extracted from the proposal (used for retrieval and the report)."""

    title: str = Field(max_length=120)
    goals: list[str] = Field(max_length=3)
    actions: list[str] = Field(max_length=4)
    audience: str = Field(max_length=160)
    resources: str = Field(max_length=160)
    timeline: str = Field(max_length=120)
    perspectives: list[Perspective] = Field(max_length=4)


class ElementFinding(BaseModel):
    """One strategic element retrieved for the proposal and how the proposal relates to it."""

    element: str  # e.g. "Pillar 1: Subscriptions at the heart"
    kind: ElementKind
    statement: str  # the statement judged, verbatim from the chunk
    stance: Stance
    reason: str
    proposal_evidence: str = ""  # the proposal's own words the stance rests on
    duplicate: bool = False  # the proposal repeats this already-planned initiative
    limit_breach: bool = False  # a number in the proposal exceeds the limit the statement sets
    outside_focus: bool = False  # the proposal names a place outside the focus it states
    of_kind: bool = False  # the proposal names a member of the kind it rules out (kinds.py)
    duty_break: bool = False  # a clause of the proposal stops what the value says (duties.py)
    similarity: float = 0.0
    citations: list[Citation] = []
    error: str = ""  # the model's answer could not be read; the finding does not count
    # values (STRAIN_KINDS): the model's P(yes) to "helps achieve it?" and "goes against it?"
    p_helps: float | None = None
    p_against: float | None = None

    @property
    def strained(self) -> bool:
        """The probability check says the proposal works against this value."""
        return (self.kind in STRAIN_KINDS and self.p_helps is not None
                and self.p_against is not None
                and self.p_against - self.p_helps > STRAIN_MARGIN)


class Score(BaseModel):
    value: int
    verdict: Verdict
    confidence: Literal["low", "medium", "high"]
    parts: list[str]  # each term of the formula that applied, e.g. "+45 supports Pillar 1"
    basis: str = ""  # what the verdict rests on: a rule checked in code or the model's reading


class KRTrace(BaseModel):
    key: str
    title: str
    department: str = ""
    share: float  # of the KR's content stems found in the proposal's aim
    words: list[str]  # the stems found
    by_manager: bool = False


class Review(BaseModel):
    verdict: Verdict
    basis: str
    trace: KRTrace | None = None
    closest: list[KRTrace] = []
    questions: list[str] = []
    evidence_for: list[str] = []
    evidence_against: list[str] = []


class AlignmentReport(BaseModel):
    proposal_title: str
    verdict: Verdict
    score: int
    formula: str = FORMULA
    score_parts: list[str] = []
    confidence: Literal["low", "medium", "high"]
    basis: str = ""  # what the verdict (and so its confidence) rests on, in words
    aspects: ProposalAspects | None = None
    findings: list[ElementFinding] = []
    conflicts: list[ElementFinding] = []
    strains: list[ElementFinding] = []  # values strained (probability check)
    overlaps: list[ElementFinding] = []
    likely_kr: str | None = None
    perspectives: list[str] = []
    recommendations: list[str] = []
    seconds: float = 0.0
    model: str = ""
    review: Review | None = None  # the second design's decision (`evidence.py`), when asked


def valid_citation(finding: ElementFinding, chunks: Mapping[str, SearchHit]) -> bool:
    """True when the finding cites at least one stored chunk and every quote is in it."""
    if not finding.citations:
        return False
    return all(c.chunk_id in chunks and quote_in_chunk(c.quote, chunks[c.chunk_id].text)
               for c in finding.citations)


def score_findings(findings: list[ElementFinding], chunks: Mapping[str, SearchHit]) -> Score:
    """The deterministic score; findings with invalid citations are ignored."""
    valid = [f for f in findings if not f.error and valid_citation(f, chunks)]
    if not valid:
        return Score(value=0, verdict="insufficient_information", confidence="low",
                     parts=["no finding with a valid citation"],
                     basis="No statement could be cited, so nothing was judged.")
    w = WEIGHTS
    parts = [f"{w['base']} base"]
    value = w["base"]
    goals = sorted({f.element for f in valid
                    if f.stance == "supports" and f.kind in ("goal", "initiative")})
    if goals:
        value += w["goal_supported"]
        parts.append(f"+{w['goal_supported']} supports {goals[0]}")
    if len(goals) > 1:
        value += w["second_goal"]
        parts.append(f"+{w['second_goal']} also supports {', '.join(goals[1:3])}")
    if any(f.stance == "supports" and f.kind == "value" for f in valid):
        value += w["value_supported"]
        parts.append(f"+{w['value_supported']} supports a value")
    for f in valid:
        if f.stance == "conflicts" and f.kind == "value":
            value += w["value_conflict"]
            parts.append(f"{w['value_conflict']} conflicts with {f.element}")
    if any(f.duplicate for f in valid):
        value += w["duplicate"]
        parts.append(f"{w['duplicate']} duplicates a planned initiative")
    value = max(0, min(100, value))
    beyond = [f for f in valid if f.limit_breach and f.stance == "conflicts"
              and f.kind in GUARD_LIMIT_KINDS]
    over_plan = [f for f in valid if f.limit_breach and f.stance == "conflicts"
                 and f.kind not in GUARD_LIMIT_KINDS]
    breaks = [f.element for f in valid if f.stance == "conflicts" and f.kind == "non-goal"
              and not f.limit_breach]
    if breaks:
        value = min(value, w["non_goal_cap"])
        parts.append(f"capped at {w['non_goal_cap']}: breaks non-goal {breaks[0]}")
    elif beyond:
        value = min(value, w["non_goal_cap"])
        parts.append(f"capped at {w['non_goal_cap']}: “{beyond[0].proposal_evidence}” is beyond "
                     f"the limit in {beyond[0].element}")
    outside = [f for f in valid if f.outside_focus and f.stance == "conflicts"]
    if over_plan and value > w["plan_cap"]:
        value = w["plan_cap"]
        parts.append(f"capped at {w['plan_cap']}: “{over_plan[0].proposal_evidence}” is beyond "
                     f"the plan's cap in {over_plan[0].element}")
    elif outside and value > w["plan_cap"]:
        value = w["plan_cap"]
        parts.append(f"capped at {w['plan_cap']}: “{outside[0].proposal_evidence}” is outside "
                     f"the focus stated in {outside[0].element}")
    rule = _rule_basis(value, breaks, beyond, over_plan, outside, valid)
    strained = [f for f in valid if f.strained]
    if strained and value > w["strain_cap"]:
        f = max(strained, key=lambda f: (f.p_against or 0) - (f.p_helps or 0))
        value, rule = w["strain_cap"], ""
        parts.append(f"capped at {w['strain_cap']}: strains {f.element} (P against "
                     f"{f.p_against:.2f} vs helps {f.p_helps:.2f})")
    verdict: Verdict = ("aligned" if value >= w["aligned_at"] else
                        "partially_aligned" if value >= w["partial_at"] else "misaligned")
    rule = rule if verdict != "aligned" else ""
    basis = (f"Set by a rule checked in code ({rule}); see the cited quote." if rule else
             "The model's reading of each statement; read its reasons before acting on it.")
    return Score(value=value, verdict=verdict, parts=parts, basis=basis,
                 confidence="high" if rule else _confidence(value, valid))


def _rule_basis(value: int, breaks: list[str], beyond: list[ElementFinding],
                over_plan: list[ElementFinding], outside: list[ElementFinding],
                valid: list[ElementFinding]) -> str:
    """The rule checked in code that put the score where it is, or "" (the model's reading)."""
    w = WEIGHTS
    if value <= w["non_goal_cap"] and (breaks or beyond):
        return "a stated non-goal" if breaks else "a stated limit"
    if w["partial_at"] <= value < w["aligned_at"]:
        if (over_plan or outside) and value == w["plan_cap"]:
            return "a cap in the plan" if over_plan else "the stated focus region"
        if any(f.duplicate for f in valid):
            return "a duplicate of a planned initiative"
    return ""


def _confidence(value: int, valid: list[ElementFinding]) -> Literal["low", "medium"]:
    """A verdict of the model's reading: distance from the nearest verdict boundary, and how
    much evidence there is (never "high": measured about half right, module docstring)."""
    margin = min(abs(value - WEIGHTS["aligned_at"]), abs(value - WEIGHTS["partial_at"]))
    decided = [f for f in valid if f.stance != "neutral"]
    return "medium" if margin >= 15 and len(decided) >= 2 else "low"
