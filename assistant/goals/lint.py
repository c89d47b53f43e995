"""A readable, rule-based OKR / SMART / Balanced Scorecard linter.

Rules and sources follow `okr-quality-rules.md` (Google's OKR playbook [GPB], re:Work [RW],
Doerr [MWM], Wodtke [RF], Doran [DOR], Kaplan & Norton [KN], Perdoo [PER], Tability [TAB],
Mooncamp [MOON], Grove [HOM]; "practice" marks common heuristics). Every finding names its
rule, severity, source, the offending text and a concrete fix. Thresholds live in
`LintConfig`. The LLM-judged rules (O4, K10, K12, K15) are in `goals.judge_okrs`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Literal

from pydantic import BaseModel

from assistant.core.schemas import KeyResult, Objective, OKRSet, SmartGoal
from assistant.core.text import content_stems, numbers_in
from assistant.goals.okr_numbers import placeholders_in, target_of

__all__ = ["RULES", "Finding", "LintConfig", "activity_verb", "lint_okrs", "lint_smart",
           "repeat_key"]

Severity = Literal["error", "warning", "info"]

RULES: dict[str, tuple[str, str]] = {  # id -> (what it checks, source)
    "O1": ("Objective is qualitative: no numeric target", "[TAB]; [MWM]"),
    "O2": ("Objective is one short, action-oriented sentence", "[TAB]; [MWM]"),
    "O3": ("Objective is not business-as-usual", "[RW]; [GPB]"),
    "O5": ("Objective belongs to a cycle with an end date", "[TAB]; [DOR] Time-related"),
    "O6": ("Objective serves exactly one parent", "[PER] single parent; [MOON]"),
    "O8": ("Number of objectives per team per cycle", "[MWM] 3-5 per quarter; [RF]"),
    "O9": ("Objective is marked committed or aspirational", "[GPB]"),
    "A4": ("No objective or key result repeats another line of the set",
           "practice (Asana duplicate-goal claims; puzzle/okr #320)"),
    "K1": ("Key result has a number: numeric target and unit", "[RW]; [MWM]"),
    "K2": ("Key result is an outcome, not an activity", "[GPB]; [RF]; [HOM]"),
    "K3": ("Binary or milestone key result is probably a task", "[PER]; [MOON]; [TAB]"),
    "K4": ("Key result has a baseline (cited, never invented)", "practice (Tability; okr-copilot)"),
    "K5": ("Direction and target are consistent with the baseline", "practice (typed metrics)"),
    "K6": ("Key result is time-bound", "[DOR]; [MWM]"),
    "K7": ("Key result names a measurement source", "[GPB] evidence of completion; [MWM]"),
    "K8": ("Key result has an owner", "[DOR] Assignable"),
    "K9": ("Number of key results per objective", "[MWM] three to five; [RF]"),
    "K11": ("No vague improvement words without a metric", "[DOR] Specific; [RW]"),
    "K13": ("Aspirational targets are not timid", "[RF] 50% confidence; [RW] 0.6-0.7; [GPB]"),
    "K14": ("Tasks are not key results", "[RW] not a to-do list; [TAB]; [PER]"),
    "K16": ("The number is filled in, not a placeholder ('XX', 'TBD')", "practice"),
    "K17": ("The statement and the target and baseline fields say the same numbers",
            "practice (a KR's numbers are its statement's)"),
    "S1": ("Specific: names an area and object of change", "[DOR]"),
    "S2": ("Measurable: metric and target value", "[DOR]"),
    "S3": ("Assignable: names an owner", "[DOR]"),
    "S4": ("Realistic / relevant: resources or a cited strategy passage", "[DOR]; variant"),
    "S5": ("Time-related: has a deadline", "[DOR]"),
    "B1": ("All four Balanced Scorecard perspectives are covered", "[KN]"),
    "B2": ("Every objective has a measure with a target and an initiative", "[KN]"),
    "B3": ("Measures mix leading and lagging indicators", "[KN]"),
    "B4": ("Learning & growth / internal objectives link up to customer or financial",
           "[KN] strategy maps"),
}

_NUMBER = re.compile(r"\d|%|\$|€|£")
_ACTION_VERB = re.compile(
    r"^(?:we will\s+)?(?:make|become|be|win|grow|build|create|delight|earn|turn|raise|cut|"
    r"reduce|increase|deliver|launch|lead|own|prove|establish|transform|double|halve|keep|"
    r"give|help|get|bring|put|show|land|scale|strengthen|improve|expand|protect|secure|"
    r"simplify|modernize|modernise|reinvent|unlock|empower|equip|set|run|ship|serve|rebuild|"
    r"fix|close|open|move|enable|develop|design|achieve|accelerate|boost|attract|retain|"
    r"launch|nail|master|revamp|restore|ensure|drive)\b", re.IGNORECASE)
_BAU = re.compile(r"\b(maintain|continue|keep|sustain|preserve|stay at)\b", re.IGNORECASE)
_ACTIVITY = re.compile(
    r"^\s*(consult|help|analy[sz]e|participate|launch|build|implement|create|write|hold|attend|"
    r"run|research|explore|support|work on|conduct|develop|complete|deliver|release|set up|"
    r"organi[sz]e)\b", re.IGNORECASE)
_MILESTONE = re.compile(r"\b(done|completed?|finished|go[- ]live|launched|in place|"
                        r"yes/no|signed off|delivered)\b|\b100% (complete|done)\b", re.IGNORECASE)
_VAGUE = re.compile(r"\b(improve|better|enhance|optimi[sz]e|strengthen|world[- ]class|"
                    r"significantly|more|increase engagement)\b", re.IGNORECASE)
_TASK_LIST = re.compile(r"(;|\band then\b|\b1\)|\bstep \d)", re.IGNORECASE)
_FINANCIAL = re.compile(r"revenue|margin|profit|cost|cash|sales|price|spend|budget|\$|€|£|"
                        r"ebitda|income|dso|days sales outstanding", re.IGNORECASE)


class Finding(BaseModel):
    """One rule violation (or coaching note), readable on its own."""

    rule: str
    severity: Severity
    source: str
    where: str
    text: str
    message: str
    fix: str


class LintConfig(BaseModel):
    """Thresholds for the practice rules; change them per company."""

    max_objective_words: int = 20
    max_objectives: int = 5
    max_key_results: int = 5
    radical_focus: bool = False
    timid_delta: float = 0.05
    require_initiatives: bool = True
    # The workspace has a confirmed strategy map, so "which pillar does it serve?" can be
    # answered and a missing parent is an error; without one it is a warning (O6).
    strategy_map: bool = False


def _f(rule: str, severity: Severity, where: str, text: str, message: str, fix: str) -> Finding:
    return Finding(rule=rule, severity=severity, source=RULES[rule][1], where=where,
                   text=text[:300], message=message, fix=fix)


def lint_okrs(okrs: OKRSet, config: LintConfig | None = None) -> list[Finding]:
    """All deterministic findings for a set, objectives first, then their KRs, then B1-B4."""
    config = config or LintConfig()
    findings: list[Finding] = []
    if len(okrs.objectives) > config.max_objectives:
        findings.append(_f("O8", "warning", "set", f"{len(okrs.objectives)} objectives",
                           f"More than {config.max_objectives} objectives dilutes focus.",
                           "Keep the 3-5 objectives that matter most this cycle."))
    elif config.radical_focus and len(okrs.objectives) > 1:
        findings.append(_f("O8", "info", "set", f"{len(okrs.objectives)} objectives",
                           "Radical Focus mode recommends a single objective.",
                           "Pick the one objective that matters most."))
    for n, objective in enumerate(okrs.objectives, 1):
        findings += _objective(objective, f"objective {n}", okrs, config)
        findings += _kr_count(objective, f"objective {n}", config)
        for m, kr in enumerate(objective.key_results, 1):
            findings += _key_result(kr, objective, f"objective {n}, KR {m}", okrs, config)
    findings += list(_repeats(okrs))
    findings += _scorecard(okrs, config)
    return findings


RepeatKey = tuple[frozenset[str], frozenset[float]]


def repeat_key(text: str) -> RepeatKey | None:
    """What makes two lines one commitment (A4): the same content-word stems and numbers,
    punctuation and order aside; None for a line too short to compare."""
    key = (frozenset(content_stems(text)), frozenset(numbers_in(text)))
    return key if len(key[0]) >= 2 else None


def _repeats(okrs: OKRSet) -> Iterator[Finding]:
    """A4 within one set: a line with the same content words and numbers as an earlier
    objective or KR (an objective restating a KR included) — one commitment written twice."""
    seen: dict[RepeatKey, str] = {}
    for n, o in enumerate(okrs.objectives, 1):
        lines = [(f"objective {n}", o.title)] + [
            (f"objective {n}, KR {m}", kr.statement) for m, kr in enumerate(o.key_results, 1)]
        for where, text in lines:
            key = repeat_key(text)
            if key is None:
                continue
            if key in seen:
                yield _f("A4", "error", where, text, f"Repeats {seen[key]}.",
                         "Replace it with a different objective or key result, or drop it.")
            else:
                seen[key] = where


def _objective(o: Objective, where: str, okrs: OKRSet, config: LintConfig) -> Iterator[Finding]:
    if _NUMBER.search(o.title):
        yield _f("O1", "warning", where, o.title, "The objective carries a number.",
                 "Move the number into a key result; keep the objective qualitative.")
    words = len(o.title.split())
    if words > config.max_objective_words or not _ACTION_VERB.search(o.title.strip()) \
            or o.title.count(". ") > 0:
        yield _f("O2", "warning", where, o.title,
                 f"Not one short action-oriented sentence ({words} words).",
                 "Rewrite as 'We will <verb> <concrete outcome>' in at most "
                 f"{config.max_objective_words} words.")
    if match := _BAU.search(o.title):
        yield _f("O3", "warning", where, o.title, f"'{match.group(1)}' reads as business as usual.",
                 "Name the change you want, e.g. 'win back…', 'make … the default'.")
    if okrs.period_end is None:
        yield _f("O5", "error", where, okrs.period or "(no period)",
                 "The objective has no cycle with an end date.",
                 "Set the period (e.g. 2027-Q1) so the objective is time-bound.")
    if not o.parent.strip():
        yield _f("O6", "error" if config.strategy_map else "warning", where, o.title,
                 "No parent pillar or company objective.",
                 "Name the one strategy pillar or company objective it serves, or mark it "
                 "'standalone'.")
    elif re.search(r"\band\b|,|;|/", o.parent) and "standalone" not in o.parent.lower() \
            and len(re.findall(r"pillar \d", o.parent, re.IGNORECASE)) > 1:
        yield _f("O6", "error", where, o.parent, "More than one parent.",
                 "Choose the single parent it serves most directly.")
    if o.ambition is None:  # a warning: few documents written outside Keel mark it
        yield _f("O9", "warning", where, o.title, "Not marked committed or aspirational.",
                 "Mark it committed (must hit 1.0) or aspirational (0.6-0.7 is success).")


def activity_verb(text: str) -> str | None:
    """The activity a line starts with ("Analyze", "Launch"), as K2 reads it; else None."""
    match = _ACTIVITY.search(text)
    return match.group(1) if match else None


def _kr_count(o: Objective, where: str, config: LintConfig) -> Iterator[Finding]:
    count = len(o.key_results)
    if count == 0:
        yield _f("K9", "error", where, o.title, "The objective has no key results.",
                 "Add 2-4 measurable key results.")
    elif count == 1:
        yield _f("K9", "warning", where, o.title, "Only one key result.",
                 "Add a second key result (and a health metric) so one number cannot be gamed.")
    elif count > config.max_key_results:
        yield _f("K9", "warning", where, o.title, f"{count} key results.",
                 f"Keep at most {config.max_key_results}; move the rest to initiatives.")
    elif config.radical_focus and count > 3:
        yield _f("K9", "info", where, o.title, f"{count} key results in Radical Focus mode.",
                 "Keep three.")


def _key_result(kr: KeyResult, o: Objective, where: str, okrs: OKRSet,
                config: LintConfig) -> list[Finding]:
    out: list[Finding] = []
    has_metric = kr.target is not None
    text = kr.statement
    for check in _KR_CHECKS:
        out += list(check(kr, o, where, okrs, config, has_metric, text))
    return out


def _k1_k2_k3(kr: KeyResult, o: Objective, where: str, okrs: OKRSet, config: LintConfig,
              has_metric: bool, text: str) -> Iterator[Finding]:
    if not has_metric or not (kr.unit.strip() or re.search(r"%|\$", text)):
        yield _f("K1", "error", where, text, "No numeric target with a unit.",
                 "State what is measured and the target number with its unit: '<verb> <what is "
                 "measured> to <number and unit>'.")
    if match := _ACTIVITY.search(text):
        yield _f("K2", "warning" if has_metric else "error", where, text,
                 f"Starts with the activity '{match.group(1)}'.",
                 "State the customer or business effect the activity should produce.")
    if holes := placeholders_in(text):
        yield _f("K16", "warning", where, text, f"Placeholder {', '.join(holes)} instead of a "
                 "number.", "Fill in the number before the cycle starts, or drop the KR.")
    if _MILESTONE.search(text) or (kr.unit.strip().lower() in {"yes/no", "done", "boolean"}):
        yield _f("K3", "warning", where, text, "Reads as a done/not-done milestone.",
                 "Turn it into an initiative under a KR that measures its effect.")


def _k4_k5(kr: KeyResult, o: Objective, where: str, okrs: OKRSet, config: LintConfig,
           has_metric: bool, text: str) -> Iterator[Finding]:
    if kr.baseline is None and not re.search(r"\bfrom\s+[\d$€£]", text, re.IGNORECASE):
        yield _f("K4", "warning", where, text, "No baseline.",
                 f"Ask {kr.owner_role or 'the owner'} for the current value of "
                 f"'{kr.metric or 'the metric'}' and cite where it comes from; never guess.")
    if kr.baseline is not None and kr.target is not None and kr.direction is not None:
        wrong = ((kr.direction == "increase" and kr.target <= kr.baseline)
                 or (kr.direction == "decrease" and kr.target >= kr.baseline))
        if wrong:
            yield _f("K5", "error", where, text,
                     f"Direction '{kr.direction}' but target {kr.target:g} vs baseline "
                     f"{kr.baseline:g}.", "Fix the target or the direction so they agree.")
    if (stated := target_of(text)) is None:
        return
    for field, written, kept in (("target", stated.value, kr.target),
                                 ("baseline", stated.baseline, kr.baseline)):
        if written is not None and kept is not None and not _same(written, kept, stated.unit):
            yield _f("K17", "error", where, text,
                     f"The statement writes {written:g}{stated.unit if stated.unit == '%' else ''}"
                     f" but the {field} field says {kept:g}.",
                     f"Change the statement or the {field} so they say the same number.")


def _same(written: float, kept: float, unit: str) -> bool:
    """Equal, allowing a share kept as a fraction ("75%" and 0.75)."""
    close = abs(written - kept) <= 1e-6 * max(1.0, abs(written))
    return close or (unit == "%" and abs(written / 100 - kept) <= 1e-9 * max(1.0, written))


def _k6_k7_k8(kr: KeyResult, o: Objective, where: str, okrs: OKRSet, config: LintConfig,
              has_metric: bool, text: str) -> Iterator[Finding]:
    if kr.deadline is None and okrs.period_end is None:
        yield _f("K6", "error", where, text, "No deadline and no cycle end to inherit.",
                 "Add a deadline or set the OKR period.")
    if not kr.measurement_source.strip():
        yield _f("K7", "warning", where, text, "No measurement source.",
                 "Name the system or report the number is read from (e.g. 'help desk report').")
    if not kr.owner_role.strip():
        yield _f("K8", "error", where, text, "No owner.", "Name the one role who updates it.")


def _k11_k13_k14(kr: KeyResult, o: Objective, where: str, okrs: OKRSet, config: LintConfig,
                 has_metric: bool, text: str) -> Iterator[Finding]:
    if (match := _VAGUE.search(text)) and not re.search(r"\d", text):
        yield _f("K11", "warning", where, text, f"'{match.group(1)}' without a number.",
                 "Replace the vague word with the metric and target.")
    if (o.ambition == "aspirational" and kr.baseline not in (None, 0) and kr.target is not None
            and kr.baseline is not None):
        change = abs(kr.target - kr.baseline) / abs(kr.baseline)
        if change < config.timid_delta:
            yield _f("K13", "warning", where, text,
                     f"Aspirational but only {change:.1%} from the baseline.",
                     "Set a target you are about 50% confident of reaching.")
    if _TASK_LIST.search(text) or (not has_metric and _ACTIVITY.search(text)):
        yield _f("K14", "warning", where, text, "Reads as a task or a to-do list.",
                 "Move the tasks to initiatives; keep the KR as the measurable result.")


_KR_CHECKS: list[Callable[..., Iterator[Finding]]] = [_k1_k2_k3, _k4_k5, _k6_k7_k8, _k11_k13_k14]


def _scorecard(okrs: OKRSet, config: LintConfig) -> Iterator[Finding]:
    if not okrs.objectives:
        return
    present = {o.perspective for o in okrs.objectives}
    missing = [p for p in ("Financial", "Customer", "Internal process", "Learning & growth")
               if p not in present]
    if missing:
        yield _f("B1", "warning", "set", ", ".join(missing), "Perspectives with no objective.",
                 "Add an objective for each missing perspective, or note why it is waived.")
    for n, o in enumerate(okrs.objectives, 1):
        if not any(kr.target is not None for kr in o.key_results) or (
                config.require_initiatives and not o.initiatives):
            yield _f("B2", "warning", f"objective {n}", o.title,
                     "Needs a measure with a target and at least one initiative.",
                     "Add a KR with a target and name the initiative that will move it.")
    krs = [kr for o in okrs.objectives for kr in o.key_results]
    financial = [bool(_FINANCIAL.search(f"{kr.metric} {kr.unit} {kr.statement}")) for kr in krs]
    if krs and (all(financial) or not any(financial)):
        kind = "financial (lagging)" if all(financial) else "non-financial (leading)"
        yield _f("B3", "warning", "set", f"{len(krs)} key results",
                 f"All measures are {kind}.",
                 "Pair lagging financial results with leading operational or customer measures.")
    upper = {o.title.lower() for o in okrs.objectives
             if o.perspective in ("Customer", "Financial")}
    for n, o in enumerate(okrs.objectives, 1):
        if o.perspective in ("Learning & growth", "Internal process") and not upper:
            yield _f("B4", "warning", f"objective {n}", o.title,
                     "No customer or financial objective for it to drive.",
                     "Add the customer or financial objective this one enables.")


def lint_smart(goal: SmartGoal) -> list[Finding]:
    """S1-S5 on a SMART goal."""
    out = []
    text = goal.goal
    if len(goal.specific.split()) < 3 or (_VAGUE.search(text) and not re.search(r"\d", text)):
        out.append(_f("S1", "warning", "goal", text, "Not specific about what changes.",
                      "Name the area and the object of change."))
    if not re.search(r"\d", goal.measurable):
        out.append(_f("S2", "error", "goal", goal.measurable or text, "No metric with a target.",
                      "State the metric and the target value."))
    if not goal.assignable.strip():
        out.append(_f("S3", "error", "goal", text, "No owner.", "Name the owner (a role)."))
    if not goal.realistic.strip() and not goal.citations:
        out.append(_f("S4", "warning", "goal", text, "Not linked to resources or strategy.",
                      "Cite the strategy passage it serves or the resources it uses."))
    if goal.deadline is None and not re.search(r"\d{4}", goal.time_related):
        out.append(_f("S5", "error", "goal", goal.time_related or text, "No deadline.",
                      "Add a date (and a checkpoint)."))
    return out
