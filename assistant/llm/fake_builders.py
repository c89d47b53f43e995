"""What the fake model answers for each structured schema (deterministic, from the prompt).

The fake reads the passages it is shown and builds a plausible, grounded answer from them:
good enough to drive the whole pipeline in tests and demos, never presented as judgement.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from assistant.core.text import content_words, split_sentences
from assistant.llm.fake_text import BUILDERS, documents_in

_ROW = re.compile(r"^\|\s*([A-Za-z][^|]{3,60}?)\s*\|\s*\$?([\d,.]+)\s*(%|[a-z ]{0,12})[^|]*\|",
                  re.MULTILINE)
_PERSPECTIVES = ["Customer", "Financial", "Internal process", "Learning & growth"]


def _metric_rows(prompt: str) -> list[tuple[str, str, float, str]]:
    """(passage id, metric, value, unit) for every metrics-table row in the passages."""
    rows = []
    for pid, text in documents_in(prompt):
        for name, value, unit in _ROW.findall(text):
            if name.lower() in {"metric", "measure", "department"}:
                continue
            try:
                rows.append((pid, name.strip(), float(value.replace(",", "")), unit.strip()))
            except ValueError:
                continue
    return rows


def _okrs(prompt: str) -> dict[str, Any]:
    count = int(m.group(1)) if (m := re.search(r"Write exactly (\d+)", prompt)) else 1
    ambition = "aspirational" if "aspirational objective" in prompt else "committed"
    docs = documents_in(prompt)
    rows = _metric_rows(prompt) or [(docs[0][0] if docs else "S1", "customer satisfaction",
                                     90.0, "%")]
    objectives = []
    for n in range(count):
        krs: list[dict[str, Any]] = []
        for pid, metric, value, unit in (rows[(2 * n) % len(rows)], rows[(2 * n + 1) % len(rows)]):
            target = round(value * 1.1, 2)
            krs.append({"statement": f"Raise {metric.lower()} from {value:,g}{unit} to "
                                     f"{target:,g}{unit}",
                        "metric": metric.lower(), "unit": unit or "count",
                        "owner_role": "Team lead",
                        "measurement_source": "department report", "source": pid})
        objectives.append({
            "title": f"Make our {krs[0]['metric']} something customers notice",
            "why_now": "The department page names it as a current priority.",
            "perspective": _PERSPECTIVES[n % 4], "ambition": ambition,
            "parent": "Pillar 1", "source": docs[0][0] if docs else "S1",
            "initiatives": ["Review the process with the team"], "key_results": krs})
    return {"objectives": objectives}


def _smart(prompt: str) -> dict[str, Any]:
    rough = m.group(1) if (m := re.search(r"Rough goal: (.+)", prompt)) else "the goal"
    deadline = m.group(1) if (m := re.search(r"default deadline is (\d{4}-\d\d-\d\d)", prompt)) \
        else date.today().isoformat()
    docs = documents_in(prompt)
    return {"goal": f"{rough.strip()} by {deadline}", "specific": f"{rough.strip()}",
            "measurable": "From the current value to a 10% better value",
            "assignable": "Team lead", "realistic": "Within this year's budget",
            "time_related": f"By {deadline}", "deadline": deadline,
            "source": docs[0][0] if docs else "S1"}


def _judge(prompt: str) -> dict[str, Any]:
    """Flags K12 when no KR mentions quality or health; approves the rest (no judgement)."""
    body = prompt.split("<objective>")[-1].lower()
    paired = any(word in body for word in ("health", "quality", "satisfaction", "csat"))
    return {"verdicts": [
        {"rule": "O4", "ok": True, "reason": "fake judge"},
        {"rule": "K10", "ok": True, "reason": "fake judge"},
        {"rule": "K12", "ok": paired, "reason": "no quality or health measure" if not paired
         else "paired"},
        {"rule": "K15", "ok": True, "reason": "fake judge"}]}


_TOPIC_FREE = {"company", "proposal", "project"}  # in every prompt: never a shared subject


def _content_words(text: str) -> set[str]:
    return {w for w in content_words(text, min_length=5) if w.isalpha()} - _TOPIC_FREE


def _between(prompt: str, tag: str) -> str:
    m = re.search(rf"<{tag}>\n(.*?)\n\s*</{tag}>", prompt, re.DOTALL)
    return m.group(1) if m else ""


def _aspects(prompt: str) -> dict[str, Any]:
    """Sentences of the proposal as its goals and actions."""
    text = _between(prompt, "proposal")
    sentences = split_sentences(text, lines=True)
    goals = [s[:150] for s in sentences if re.search(r"grow|increase|reduce|improve|more|less",
                                                     s, re.IGNORECASE)][:3]
    return {"title": (sentences[0] if sentences else "Proposal")[:100], "goals": goals,
            "actions": [s[:150] for s in sentences[:4]], "audience": "customers",
            "resources": "not stated", "timeline": "not stated", "perspectives": ["Customer"]}


def _element(prompt: str) -> dict[str, Any]:
    """Word overlap decides: two shared content words relate the proposal to the statement,
    and a related value or goal is supported. Evidence is the proposal sentence sharing most."""
    proposal, statement = _between(prompt, "proposal"), _between(prompt, "statement")
    shared = _content_words(proposal) & _content_words(statement)
    if len(shared) < 2:
        return {"evidence": "", "reasoning": "No shared subject.", "stance": "neutral"}
    return {"evidence": _closest_sentence(proposal, shared)[:150],
            "reasoning": f"Both are about {', '.join(sorted(shared)[:3])}.",
            "stance": "supports"}


def _closest_sentence(text: str, words: set[str]) -> str:
    sentences = split_sentences(text, lines=True) or [text]
    return max(sentences, key=lambda s: len(_content_words(s) & words)).strip()


def _actions(prompt: str) -> dict[str, Any]:
    """The statement's first sentence after "will not" and the proposal's first sentence."""
    proposal, statement = _between(prompt, "proposal"), _between(prompt, "statement")
    first = (split_sentences(statement) or [""])[0]
    forbidden = re.split(r"\bwill not\b|\bwon't\b", first, maxsplit=1)[-1].strip(" .")
    shared = _content_words(proposal) & _content_words(statement)
    if len(shared) < 2:  # nothing in common: a phrase that is not in the proposal
        return {"forbidden_action": forbidden[:110], "proposal_action": "nothing related"}
    doing = _closest_sentence(proposal, shared)
    return {"forbidden_action": forbidden[:110], "proposal_action": doing.strip(" .")[:110]}


def _route(prompt: str) -> dict[str, Any]:
    """The rules' answer, with departments read from the prompt (a stand-in for a model)."""
    from assistant.core.intents import route

    message = _between(prompt, "message")
    depts = re.search(r"Departments: (.*?)\. A draft", prompt)
    today = re.search(r"Today is (\d{4})-(\d\d)-(\d\d)", prompt)
    when = date(*(int(g) for g in today.groups())) if today else date.today()
    r = route(message, [d.strip() for d in depts.group(1).split(",")] if depts else [], when,
              "draft is on screen: yes" in prompt)
    return {"task": r.task, "department": r.department, "period": r.period}


def _strategy(prompt: str) -> dict[str, Any]:
    """The passage's first sentence as a proposed value (a stand-in: it judges nothing)."""
    passage = re.search(r'<document title="[^"]*" section="[^"]*">\n(.*?)\n</document>', prompt,
                        re.DOTALL)
    sentences = split_sentences(passage.group(1)) if passage else []
    if not sentences:
        return {"elements": []}
    first = sentences[0][:300]
    return {"elements": [{"kind": "value", "title": " ".join(first.split()[:4]),
                          "quote": first, "target": None},
                         {"kind": "pillar", "title": "Invented", "quote": "Not in the passage.",
                          "target": None}]}


def _prose_okrs(prompt: str) -> dict[str, Any]:
    """A stand-in that judges nothing: sentences with "we will" become objectives, sentences
    with a digit their KRs, plus one objective the document does not contain (so the caller's
    check that drops what the text does not say is exercised)."""
    text = _between(prompt, "okr_document")
    objectives: list[dict[str, Any]] = []
    for sentence in split_sentences(text):
        if re.search(r"\bwe will\b", sentence, re.IGNORECASE):
            objectives.append({"title": sentence[:300], "owner": "", "key_results": []})
        elif re.search(r"\d", sentence) and objectives:
            objectives[-1]["key_results"].append(sentence[:300])
    objectives.append({"title": "Become the market leader in Antarctica", "owner": "",
                       "key_results": []})
    return {"objectives": objectives[:12]}


_LISTED = re.compile(r"^(\d+)\. (?:\[[a-z ]+\] )?(.+)$", re.MULTILINE)


def _scenario_effects(prompt: str) -> dict[str, Any]:
    """The scenario's sentences, each restated as a consequence (no reasoning at all)."""
    sentences = split_sentences(_between(prompt, "scenario")) or ["Something changes"]
    return {"consequences": [f"{s.strip(' .')[:120]}, so costs and sales change"
                             for s in sentences[:3]]}


def _scenario_plan(prompt: str) -> dict[str, Any]:
    """One plan per listed KR: its own words as the indicator and the trigger's subject."""
    krs = _LISTED.findall(prompt.split("Key results at risk:")[-1])
    return {"plans": [{"number": int(n), "watch": [f"weekly {text.split('(')[0].strip()[:60]}"],
                       "trigger": f"If {text.split('(')[0].strip()[:80]} is 10% behind plan "
                                  "by the end of next month",
                       "actions": ["Meet the owner this week to agree who changes the plan"]}
                      for n, text in krs[:8]]}


def _wargame(prompt: str) -> dict[str, Any]:
    """The competitor's move repeated, a price response and a service response."""
    move = _between(prompt, "competitor_move").strip()
    return {"moves": [{"move": f"They extend it: {move[:150]}",
                       "responses": ["Compete on price with a 25% discount for a year",
                                     "Offer every partner café free barista training"]}]}


BUILDERS.update({"ScenarioEffects": _scenario_effects, "PlanDraft": _scenario_plan,
                 "WarGameDraft": _wargame})
BUILDERS.update({"ProseOKRs": _prose_okrs, "DraftOKRs": _okrs, "DraftSmart": _smart,
                 "JudgeReport": _judge,
                 "ProposalAspects": _aspects, "ElementJudgement": _element,
                 "NonGoalActions": _actions,
                 "ModelRoute": _route, "ExtractedElements": _strategy})
