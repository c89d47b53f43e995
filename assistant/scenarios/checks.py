"""Code checks on what the model drafts for a stress test.

**Triggers, indicators and actions** are linted like key results (rules T1–T4, W1, A1–A2; the
KR rules they mirror in brackets): a trigger must name a number and which way it is crossed
(K1), a date or a time window not already past (K6), something the key result measures (it is
about *this* KR), and no placeholder (K16); an indicator to watch must be something other than
the KR's own measure (a *leading* indicator, B3); an action must be one concrete step (K14: no
list of tasks; K11: no vague "monitor closely" without an object). A line that fails is kept
and shown with its finding, never silently dropped.

**War-game responses** are checked against the map's guard rails, reusing the alignment rules'
evidence: a response is flagged when it uses at least `SHARED_STEMS` of the ruled-out words of
a non-goal (all of them when fewer; the words after "not", "never", "no"; a list-shaped
non-goal — "What is not funded: a third café, a mobile coffee cart, …" — item by item) and is
close to it in meaning (`SAME_ACTION_AT`), the alignment check's rule, or when one of its
numbers exceeds a bound a non-goal, value or limit states (`core.quantities`), or — the
alignment check's word-free rules — it names a member of a kind a non-goal rules out or stops
what a value says the company always does. A flag asks a person to look; it is not a verdict.
"""

from __future__ import annotations

import re
from datetime import date

from assistant.alignment.check import SAME_ACTION_AT, SHARED_STEMS
from assistant.alignment.duties import duty_breaks
from assistant.alignment.kinds import kind_breaks
from assistant.core.quantities import limits_in, quantities_in
from assistant.core.text import content_stems, numbers_in, split_sentences
from assistant.knowledge.embeddings import Embedder, cosine
from assistant.scenarios.exposure import _NOISE as _MEASURE_NOISE
from assistant.strategy.model import MapElement

__all__ = ["lint_action", "lint_trigger", "lint_watch", "response_flags", "ruled_out"]

_WHEN = re.compile(
    r"\b(by|before|within|after|until|end of|each|every|per|weekly|monthly|daily|week|weeks|"
    r"month|months|day|days|quarter|q[1-4]|january|february|march|april|may|june|july|august|"
    r"september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\b",
    re.IGNORECASE)
_COMPARE = re.compile(
    r"[<>≤≥]|\b(pass(es)?|exceeds?|above|below|over|under|more than|less than|fewer than|"
    r"falls?|drops?|rises?|reach(es)?|hits?|goes|climbs?|stays?|at least|at most|"
    r"higher than|lower than)\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(20\d\d)\b")
_PLACEHOLDER = re.compile(r"\b(x{2,}|tbd|tbc|n/a)\b|\[[^\]]*\]|\?{2,}", re.IGNORECASE)
_VAGUE = re.compile(r"^\s*(monitor|watch|keep an eye|track|review|consider|look into|"
                    r"think about|be aware)\b(?!.*\d)", re.IGNORECASE)
_RULED_OUT = re.compile(r"\b(?:will not|won't|do not|don't|never|not|no)\b\s+(.+)", re.IGNORECASE)
_LIST_HEAD = re.compile(r"^[^:]{0,80}:\s*")
_NOISE = content_stems("will would company our their any every kind line new")


def lint_trigger(trigger: str, kr: MapElement) -> list[str]:
    out = []
    if not trigger.strip():
        return ["T1 no trigger drafted"]
    if not numbers_in(trigger) and "%" not in trigger:
        out.append("T1 no number to cross (a trigger is a threshold: 'if churn passes 8%')")
    elif not _COMPARE.search(trigger):
        out.append("T1 no threshold: say which way the number is crossed ('passes', 'falls "
                   "below')")
    if not _WHEN.search(trigger) and not _YEAR.search(trigger):
        out.append("T2 no date or time window ('by 15 February', 'for two weeks')")
    past = [y for y in _YEAR.findall(trigger) if int(y) < date.today().year]
    if past:
        out.append(f"T2 a date already past ({past[0]})")
    measures = content_stems(kr.metric or kr.title.split(". Owner")[0]) - _MEASURE_NOISE
    if measures and not content_stems(trigger) & measures:
        out.append("T3 does not name what the key result measures")
    if _PLACEHOLDER.search(trigger):
        out.append("T4 a placeholder instead of a number")
    return out


def lint_watch(watch: str, kr: MapElement) -> list[str]:
    """A leading indicator moves before the KR does: the KR's own measure is not one."""
    mine = content_stems(watch) - _MEASURE_NOISE
    measures = content_stems(f"{kr.metric} {kr.title.split('. Owner')[0]}") - _MEASURE_NOISE
    if not mine or (measures and mine <= measures):
        return ["W1 the key result itself, not a leading indicator"]
    return []


def lint_action(action: str) -> list[str]:
    out = []
    if len(split_sentences(action)) > 2 or re.search(r";|\band then\b|\b1\)", action):
        out.append("A1 a list of tasks, not one step")
    if _VAGUE.search(action) or len(content_stems(action)) < 3:
        out.append("A2 too vague to start tomorrow (name what to do and to what)")
    if _PLACEHOLDER.search(action):
        out.append("A2 a placeholder instead of a name or number")
    return out


def ruled_out(e: MapElement) -> list[str]:
    """The phrases a non-goal rules out: after its negation, or each item of its list."""
    text = e.text.strip() or e.title
    found = [m.group(1).strip(" .") for m in _RULED_OUT.finditer(text)]
    if not found or e.title.lower().startswith("what is not"):
        body = _LIST_HEAD.sub("", text)
        items = [p.strip(" .") for p in re.split(r",|;|\band\b", body) if p.strip(" .")]
        found = items if len(items) > 1 else found or [text]
    return [f for f in found if content_stems(f) - _NOISE]


def response_flags(response: str, elements: list[MapElement], embedder: Embedder,
                   rules: bool = True) -> list[str]:
    """Why a drafted response may break the company's own rules (empty: nothing found).
    `rules`: also the alignment check's kinds table and values' duties (`_rule_flags`)."""
    flags: list[str] = _rule_flags(response, elements) if rules else []
    mine = content_stems(response) - _NOISE
    guards = [e for e in elements if e.kind == "non_goal" and e.status != "rejected"]
    phrases = [(e, p) for e in guards for p in ruled_out(e)]
    if phrases:
        vectors = embedder.embed([response] + [p for _, p in phrases])
        for (e, phrase), vec in zip(phrases, vectors[1:], strict=True):
            words = content_stems(phrase) - _NOISE
            shared = mine & words
            similar = cosine(vectors[0], vec)
            if len(shared) >= min(SHARED_STEMS, len(words)) and similar >= SAME_ACTION_AT:
                flags.append(f"May break the non-goal “{e.title}”: it rules out “{phrase}” "
                             f"(shared: {', '.join(sorted(shared))}; similarity {similar:.2f}) "
                             f"— {_source(e)}.")
    flags += _bounds(response, elements)
    return list(dict.fromkeys(flags))


def _rule_flags(response: str, elements: list[MapElement]) -> list[str]:
    """The alignment check's rules that need no shared word (session 24): a member of a kind a
    non-goal rules out ("Hannaford and Shaw's" for supermarket chains, a Nespresso capsule, an
    espresso bar of our own; `alignment.kinds`) and a clause that stops what a value says the
    company always does (`alignment.duties`)."""
    out = []
    for e in elements:
        if e.status == "rejected":
            continue
        if e.kind == "non_goal":
            out += [f"May break the non-goal “{e.title}”: “{b.member}” is {b.kind}, which it "
                    f"rules out — {_source(e)}." for b in kind_breaks(response, e.title, e.text)]
        elif e.kind == "value":
            out += [f"May break the value “{e.title}”: “{d.clause.strip()[:80]}” stops "
                    f"“{d.sentence[:120]}” — {_source(e)}." for d in duty_breaks(response, e.text)]
    return out


def _bounds(response: str, elements: list[MapElement]) -> list[str]:
    out = []
    for e in elements:
        if e.kind not in ("non_goal", "value", "limit") or e.status == "rejected":
            continue
        for limit in limits_in(e.text or e.title):
            bound = limit.quantity
            for q, _ in quantities_in(response):
                if (q.unit == bound.unit and q.value > bound.value
                        and (q.words & bound.words) - {q.unit}):
                    out.append(f"Exceeds a stated limit: “{limit.sentence.strip()[:140]}” — "
                               f"{_source(e)}.")
    return out


def _source(e: MapElement) -> str:
    return e.citations[0].document if e.citations else "the strategy map"
