"""The alignment check's second design (issue 23): decisive only where the evidence decides.

The first design's verdict leans on the 1.5B model's reading, which says "supports" to nearly
everything. Here the model only reads the proposal and proposes; the verdict is decided by
evidence checked in code against the strategy map a person confirmed:

* **misaligned** — a rule checked in code fired on a confirmed element: a non-goal broken (in
  its words, or by a member of the kind it rules out: `kinds.py`), a number beyond a limit a
  non-goal or value states (the first design's rule findings, which were right 15 of 16
  times), a value's duty stopped ("stop cupping every batch": `duties.py`).
* **partially_aligned** — a rule fired that the rubric reads as "needs changing first": a plan's
  cap exceeded, a place outside the focus region, a planned initiative duplicated; a sum the
  proposal says it draws from a department's budget that exceeds it (`budgets.py`); or the
  proposal traces to a KR but the manager's budget answer exceeds the department's budget.
* **aligned** — the proposal **traces to a confirmed key result**: most of the KR's content
  words (its metric, or its statement without verbs and numbers) appear in what the proposal
  says it aims at (the model's extracted goals and the proposal's "Goal:" sentences), or every
  word of the proposal's own stated goal (three at least) lies within one KR (`_stated_within`),
  or the manager named the KR (`--serves`). The KR is named in the report.
* **needs_review** — otherwise. No score; the closest KRs, the evidence for and against
  (made in code from what was found), and the questions a manager answers (which KR, by how
  much; does it keep to the closest value; is it a planned initiative told in other words;
  which budget line). The answers (`--serves`, `--budget`, `--breaks`, `--repeats`) re-run the
  check, which can then decide.

A rule finding decides only when the element it cites is confirmed (or edited) in the map: an
unconfirmed map decides nothing, it asks to be confirmed. `TRACE_AT` and `MIN_TRACE_WORDS` were
chosen on the dev rows (session 14) and judged once on the blind set
(`evals/datasets/blind_alignment.yaml`, spent): below target (docs/measurements.md), so
`KEEL_ALIGNMENT_VERDICTS=score` (the first design) stays the default.
"""

from __future__ import annotations

import re

from assistant.alignment.budgets import over_budget, stated_draw
from assistant.alignment.report import AlignmentReport, ElementFinding, KRTrace, Review
from assistant.core.errors import InputError
from assistant.core.text import content_stems, forbids, split_sentences
from assistant.knowledge.embeddings import Embedder
from assistant.strategy.model import MapElement

__all__ = ["AIM", "MIN_TRACE_WORDS", "TRACE_AT", "KRTrace", "Review", "decide", "forbids",
           "trace_krs"]

TRACE_AT = 0.6  # share of the KR's content stems the proposal's aim must contain
MIN_TRACE_WORDS = 2  # and at least this many of them
_DECIDED = ("confirmed", "edited")
_KR_NOISE = content_stems("raise grow reduce increase decrease cut keep hold lift bring improve "
                          "from to by at least most below above share owner end month year "
                          "quarter each every new per")
AIM = re.compile(r"\b(goal|aim|objective|so that|in order to|purpose)\b", re.IGNORECASE)
WITHIN_WORDS = 3  # words a stated goal needs to trace by lying wholly within one KR
_AIM_NOISE = _KR_NOISE | content_stems("goal aim objective more fewer less lower higher better "
                                       "so that order purpose")


def kr_stems(e: MapElement) -> set[str]:
    """What a KR measures, as stems: its metric, else its title without verbs and numbers."""
    text = e.metric or re.sub(r"\d[\d,.]*%?|\$", " ", e.title.split(". Owner")[0])
    return content_stems(text) - _KR_NOISE


def _aim(report: AlignmentReport, text: str) -> str:
    """What the proposal aims at: its own goal sentences when it states one ("Goal: …"), else
    the goals the model extracted, else the whole text. The model's paraphrase borrows words
    from the proposal's actions — "sell cookware in the online shop. Goal: more revenue per
    website visit" became an aim at "online revenue" and traced to "Online share of revenue"
    (spent blind6; replayed on every recorded dev and blind run, the one trace this changes)."""
    stated = [s for s in split_sentences(text) if AIM.search(s)]
    goals = list(report.aspects.goals) if report.aspects else []
    return " ".join(stated) or " ".join(goals) or text


def trace_krs(aim: str, krs: list[MapElement]) -> list[KRTrace]:
    """Every KR with the share of its stems in `aim`, best first."""
    have = content_stems(aim)
    out = []
    for kr in krs:
        stems = kr_stems(kr)
        if not stems:
            continue
        found = sorted(stems & have)
        out.append(KRTrace(key=kr.key, title=kr.title, department=kr.department,
                           share=round(len(found) / len(stems), 3), words=found))
    return sorted(out, key=lambda t: (-t.share, -len(t.words), t.title))


def _quote(f: ElementFinding, size: int = 140) -> str:
    text = " ".join((f.citations[0].quote if f.citations else f.statement).split())
    return text if len(text) <= size else text[:size].rsplit(" ", 1)[0] + " …"


def _evidence(report: AlignmentReport) -> tuple[list[str], list[str]]:
    """(for, against), made in code from what the check found (session 22): the goals and
    plans closest to the proposal in meaning, with the passage; the rule findings and the
    non-goals the model read, with how close the proposal came. A stance the model gave
    ("supports") is shown as its reading, never as the decision."""
    near = sorted((f for f in report.findings if f.kind in ("goal", "initiative")
                   and f.stance != "conflicts"), key=lambda f: -f.similarity)
    support = [f"{f.element}: {f.reason}" for f in near if f.stance == "supports"][:2] + [
        f"closest {f.kind} “{f.element}” (closeness {f.similarity:.2f}): “{_quote(f)}”"
        for f in near if f.stance != "supports"][:2]
    rules = [f"{f.element}: {f.reason}" for f in report.findings
             if f.stance == "conflicts" or f.strained]
    read = sorted((f for f in report.findings if f.kind == "non-goal" and f.stance != "conflicts"
                   and not f.reason.startswith("Not asked")), key=lambda f: -f.similarity)
    return support[:4], (rules + [f"{f.element}: {f.reason}" for f in read])[:4]


def _cited_chunks(f: ElementFinding) -> set[str]:
    return {c.chunk_id for c in f.citations}


def _rule_findings(report: AlignmentReport) -> tuple[list[ElementFinding], list[ElementFinding]]:
    """(findings that make it misaligned, findings that make it partially aligned), as the
    first design's rules found them (model-read stances are not among them). A number beyond
    a limit a value states, or a non-goal states as a prohibition, makes it misaligned; beyond
    what a non-goal allows ("a credit line of up to $250,000"), it strains it (session 22, from
    the second blind set's credit-line row, which the rubric calls partially aligned)."""
    def hard_limit(f: ElementFinding) -> bool:
        return f.limit_breach and (f.kind == "value" or (f.kind == "non-goal"
                                                         and forbids(f.statement)))
    hard = [f for f in report.findings if f.stance == "conflicts" and (
        (f.kind == "non-goal" and not f.limit_breach) or hard_limit(f) or f.duty_break)]
    soft = [f for f in report.findings if (f.stance == "conflicts" and (
        f.outside_focus or (f.limit_breach and not hard_limit(f)))) or f.duplicate]
    return hard, soft


def _answered(live: list[MapElement], key: str | None, kinds: tuple[str, ...],
              option: str) -> MapElement | None:
    """The confirmed element of `kinds` a manager's answer names (its key or part of it)."""
    if not key:
        return None
    pool = [e for e in live if e.kind in kinds and e.status in _DECIDED]
    found = next((e for e in pool if e.key == key), None) or next(
        (e for e in pool if key in e.key), None)
    if found is None:
        known = ", ".join(e.key for e in pool[:4]) or "none confirmed"
        raise InputError(f"{option}: no confirmed element '{key}' (e.g. {known}).")
    return found


def _manager_says(live: list[MapElement], breaks: str | None,
                  repeats: str | None) -> Review | None:
    """A verdict from the manager's answer to a value or duplicate question, or None."""
    broken = _answered(live, breaks, ("value", "non_goal"), "--breaks")
    if broken is not None:
        return Review(verdict="misaligned", basis=f"The manager says it breaks the confirmed "
                      f"{broken.kind.replace('_', '-')} “{broken.title}” — "
                      f"“{broken.text.strip()[:160]}”")
    repeated = _answered(live, repeats, ("initiative", "objective"), "--repeats")
    if repeated is not None:
        return Review(verdict="partially_aligned", basis="Needs changing before money is spent: "
                      f"the manager says it repeats the planned “{repeated.title}”; extend "
                      "that plan instead.")
    return None


def decide(report: AlignmentReport, text: str, strategy: list[MapElement],
           serves: str | None = None, budget: float | None = None,
           department: str | None = None, breaks: str | None = None,
           repeats: str | None = None, embedder: Embedder | None = None) -> Review:
    """The second design's verdict for a first-design report (see the module docstring).
    `breaks` / `repeats`: the manager's answers (a confirmed value or non-goal it breaks, a
    planned initiative it repeats); `embedder` names the map's closest value and initiative
    in the questions (with their keys, to answer with)."""
    if report.verdict == "insufficient_information":
        return Review(verdict="insufficient_information", basis=report.basis)
    live = [e for e in strategy if e.status != "rejected"]
    confirmed = {c.chunk_id for e in live if e.status in _DECIDED for c in e.citations}
    krs = [e for e in live if e.kind == "key_result" and e.status in _DECIDED]
    hard, soft = _rule_findings(report)
    support, against = _evidence(report)
    unconfirmed = [f for f in hard + soft if not _cited_chunks(f) & confirmed]
    hard = [f for f in hard if _cited_chunks(f) & confirmed]
    soft = [f for f in soft if _cited_chunks(f) & confirmed]
    said = _manager_says(live, breaks, repeats)
    if said is not None and not hard:  # a rule on a confirmed element still decides first
        said.evidence_for, said.evidence_against = support, against
        return said
    if hard:
        return Review(verdict="misaligned", evidence_against=against, evidence_for=support,
                      basis=f"A confirmed element decides it: {_why(hard[0])}")
    trace, closest = _trace(report, text, krs, serves)
    over = over_budget(live, budget, department or (trace.department if trace else ""))
    drawn = _stated_over(text, live) if budget is None else ""
    if soft or (trace and over) or drawn:
        why = _why(soft[0]) if soft else over or drawn
        return Review(verdict="partially_aligned", trace=trace, closest=closest,
                      evidence_against=against, evidence_for=support,
                      basis=f"Needs changing before money is spent: {why}")
    if trace:
        who = "the manager named it" if trace.by_manager else (
            f"it aims at {', '.join(trace.words)}")
        return Review(verdict="aligned", trace=trace, closest=closest, evidence_for=support,
                      evidence_against=against,
                      basis=f"Traces to the confirmed key result “{trace.title}” ({who}); "
                            "nothing confirmed conflicts with it.")
    return Review(verdict="needs_review", closest=closest, evidence_for=support,
                  evidence_against=against,
                  questions=_questions(text, closest, unconfirmed, budget, report, krs,
                                       bool(live),
                                       _nearest_in_map(text, live, embedder)),
                  basis="The evidence does not decide: it traces to no confirmed key result "
                        "and breaks nothing confirmed. Answer the questions to decide it.")


def _trace(report: AlignmentReport, text: str, krs: list[MapElement], serves: str | None
           ) -> tuple[KRTrace | None, list[KRTrace]]:
    ranked = trace_krs(_aim(report, text), krs)
    if serves:
        chosen = next((k for k in krs if k.key == serves or serves in k.key), None)
        if chosen is None:
            known = ", ".join(k.key for k in krs[:5]) or "none confirmed"
            raise InputError(f"--serves: no confirmed key result '{serves}' (e.g. {known}).")
        share = next((t for t in ranked if t.key == chosen.key), None)
        return KRTrace(key=chosen.key, title=chosen.title, department=chosen.department,
                       share=share.share if share else 0.0,
                       words=share.words if share else [], by_manager=True), ranked[:3]
    best = ranked[0] if ranked else None
    if best and best.share >= TRACE_AT and len(best.words) >= MIN_TRACE_WORDS:
        return best, ranked[:3]
    return _stated_within(text, krs, ranked), ranked[:3]


def _stated_within(text: str, krs: list[MapElement], ranked: list[KRTrace]) -> KRTrace | None:
    """The KR holding every word of the proposal's own stated goal (at least
    `WITHIN_WORDS` of them, aim words aside), when no KR is traced the usual way: a KR written
    as a survey benchmark has many words ("50% or more of partner satisfaction survey
    respondents report being Likely or Very Likely to recommend 18F to others"), and "Goal:
    more partners likely to recommend 18F" holds five of its twelve. Read off the dev and spent
    rows (`python -m research.trace_subset.probe`): two aligned 18F rows traced, no other row
    of either corpus. Only the proposal's own "Goal:" sentences count, not the model's
    paraphrase."""
    own = content_stems(" ".join(s for s in split_sentences(text) if AIM.search(s))) - _AIM_NOISE
    if len(own) < WITHIN_WORDS:
        return None
    within = next((kr for kr in krs if own <= kr_stems(kr)), None)
    if within is None:
        return None
    share = next((t.share for t in ranked if t.key == within.key), 0.0)
    return KRTrace(key=within.key, title=within.title, department=within.department,
                   share=share, words=sorted(own))


def _stated_over(text: str, live: list[MapElement]) -> str:
    """A reason when the proposal names the budget it draws on and exceeds it (confirmed
    limits only, like every rule that decides)."""
    confirmed = [e for e in live if e.status in _DECIDED]
    draw = stated_draw(text, confirmed)
    if draw is None:
        return ""
    over = over_budget(confirmed, draw.amount, draw.department)
    return f"{over} (the proposal: “{draw.sentence}”)" if over else ""


def _why(f: ElementFinding) -> str:
    what = ("outside the focus region" if f.outside_focus else "beyond the stated limit"
            if f.limit_breach else "repeats a planned initiative" if f.duplicate
            else "stops what the value says" if f.duty_break else "breaks the non-goal")
    quote = f.citations[0].quote if f.citations else f.statement
    evidence = f" (“{f.proposal_evidence}”)" if f.proposal_evidence else ""
    return f"{what} “{f.element}”{evidence} — “{quote[:160]}”"


# A planned initiative at least this close in meaning to the proposal is asked about as a
# possible duplicate (the word rule, `elements.DUPLICATE_AT`, misses one told in other words;
# MiniLM closeness does not separate them either — aligned and duplicate dev rows both span
# 0.46–0.87 — so it is asked, not decided).
ASK_DUPLICATE_AT = 0.5


def _nearest_in_map(text: str, live: list[MapElement], embedder: Embedder | None
                    ) -> dict[str, tuple[MapElement, float]]:
    """The confirmed value and the confirmed initiative closest in meaning to the proposal
    (MiniLM), by kind — what the value and duplicate questions name, with keys to answer."""
    pool = [e for e in live if e.status in _DECIDED and e.kind in ("value", "initiative")]
    if embedder is None or not pool:
        return {}
    vectors = embedder.embed([text[:1500], *(f"{e.title}. {e.text}" for e in pool)])
    best: dict[str, tuple[MapElement, float]] = {}
    for e, v in zip(pool, vectors[1:], strict=True):
        sim = sum(a * b for a, b in zip(vectors[0], v, strict=True))
        if e.kind not in best or sim > best[e.kind][1]:
            best[e.kind] = (e, sim)
    return best


def _map_questions(near: dict[str, tuple[MapElement, float]]) -> tuple[str, str]:
    """(value question, duplicate question) naming map elements by key; "" when none."""
    value, plan = near.get("value"), near.get("initiative")
    asked_value = (f"Does it keep to the value “{value[0].title}” — “{value[0].text.strip()}”? "
                   f"If it breaks it, answer --breaks {value[0].key}.") if value else ""
    asked_plan = (f"Is it already planned as “{plan[0].title}”? If so, answer --repeats "
                  f"{plan[0].key}: it repeats that initiative (partially aligned)."
                  if plan and plan[1] >= ASK_DUPLICATE_AT else "")
    return asked_value, asked_plan


def _questions(text: str, closest: list[KRTrace], unconfirmed: list[ElementFinding],
               budget: float | None, report: AlignmentReport, krs: list[MapElement],
               mapped: bool = True, near: dict[str, tuple[MapElement, float]] | None = None
               ) -> list[str]:
    """The two or three questions that decide it: which KR; then what the rules could not
    read — an unconfirmed rule finding, else the closest value (value breaks told in other
    words are not decided in code); then a close planned initiative (a possible duplicate),
    else the budget line. With `near` (the map's closest value and initiative) the questions
    name them with the keys `--breaks` and `--repeats` take."""
    out = []
    if krs:
        names = "; ".join(f"{t.title} [{t.key}]" for t in closest if t.share > 0) or \
            "none shares its words"
        out.append(f"Which key result will this move, and by how much? Closest: {names}. "
                   "Answer with --serves KR-ID (or pick it in the UI).")
    elif not mapped:
        out.append("This workspace has no strategy map yet: build it (`keel map build`, or "
                   "the Strategy tab), confirm what it read, then check again.")
        unconfirmed = []  # nothing to confirm until the map exists
    else:
        out.append("The strategy map has no confirmed key results: confirm them in the "
                   "Strategy tab (or `keel map confirm --all`), then check again.")
    by_closeness = sorted(report.findings, key=lambda f: -f.similarity)
    value = next((f for f in by_closeness if f.kind == "value" and not f.limit_breach), None)
    plan = next((f for f in by_closeness if f.kind == "initiative" and not f.limit_breach
                 and f.similarity >= ASK_DUPLICATE_AT), None)
    asked_value, asked_plan = _map_questions(near or {})
    if unconfirmed:
        out.append(f"Confirm “{unconfirmed[0].element}” in the strategy map: a rule found "
                   f"that the proposal {_why(unconfirmed[0])}.")
    elif asked_value:
        out.append(asked_value)
    elif value:
        out.append(f"Does it keep to the value “{value.element}” — “{_quote(value)}”? If it "
                   "breaks it, it is misaligned.")
    if asked_plan:
        out.append(asked_plan)
    elif plan is not None and not near:
        out.append(f"Is it already planned as “{plan.element}” — “{_quote(plan)}”? If so, it "
                   "repeats that initiative (partially aligned): extend the plan instead.")
    elif budget is None and not any("$" in t or "budget" in t.lower() or "cost" in t.lower()
                                    for t in split_sentences(text)):
        out.append("Which budget line pays for it, and how much? Answer with --budget AMOUNT "
                   "--department NAME.")
    return out[:3]
