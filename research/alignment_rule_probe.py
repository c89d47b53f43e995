"""Two more ways to read non-goals and values, measured on recorded alignment runs.

    .venv/bin/python research/alignment_rule_probe.py collect OUT.json DEV/report.json TEST/...
    .venv/bin/python research/alignment_rule_probe.py analyse OUT.json DEV/report.json TEST/...

`collect` (local model) takes, for every row of the eval reports, the values and non-goals that
run judged (the row's `kinds`), finds each statement in its corpus indexed with the default
embeddings, and asks:
- for each value with rule sentences ("If we cannot say where a coffee came from, we do not
  sell it"), the non-goal question on those sentences (name the ruled-out action and the
  proposal's main action; `_non_goal` decides) — a *value-rule* check;
- for each non-goal, the pipeline's own question again (`_judge`), then the same question as
  yes/no ("is the proposal's main action a case of the ruled-out one?", P(yes)) — the issue's
  "ask the same question in more than one form".
`analyse` re-scores the rows under each variant (the recorded terms, the stated-limit check and
the shipped strain rule as in `alignment_rescore.py`, the non-goal cap from the re-asked
answers), and adds the lexical variant: a non-goal break counts only when the proposal holds
at least N content-word stems of the ruled-out phrase. Exact as long as the model answers the
re-asked questions as it did (the re-asked non-goals reproduced every recorded verdict).

Run of 2026-11-27 (`research/reports/alignment-rules-probe/`): the value-rule check lowered the dev
split (macro-F1 0.65 -> 0.61, an aligned proposal giving burlap sacks to gardens read as
breaking "no single-use plastic pods"), so it is not shipped; the yes/no form's P(yes) sat at
0.43-0.56 for every pair, breaks or not (no signal); two shared stems raised dev 0.65 -> 0.74
with every dev non-goal break kept, and is shipped (`alignment.SHARED_STEMS`).

Reproducing: the committed probe.json was collected *before* that rule shipped. `collect` calls
the pipeline's `_non_goal`, which now applies it, so a new collection records non-goal
conflicts already filtered at two words (the 1-word variant can then no longer be measured, and
value-rule breaks get the same filter). `_enough_shared` re-implements the rule over the
recorded phrases so other word counts can be scanned.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from alignment_rescore import _TERM, breaching, label, metrics, verdict
from langchain_core.messages import HumanMessage, SystemMessage

from assistant.alignment.check import (
    KIND_LABELS,
    REPLIES,
    SAME_ACTION_AT,
    NonGoalActions,
    _judge,
)
from assistant.alignment.elements import Element, kind_of, split_statements
from assistant.alignment.nongoal_rule import non_goal_stance
from assistant.alignment.report import STRAIN_KINDS, STRAIN_MARGIN, WEIGHTS
from assistant.core.config import Settings
from assistant.core.errors import GenerationError
from assistant.core.text import content_stems
from assistant.knowledge.base import KnowledgeBase
from assistant.llm.client import LLM
from assistant.llm.prompts import render
from evals.cases import CORPORA, load_cases

PROPOSALS = {c.id: str(c.input["proposal"]) for c in load_cases()
             if c.task == "alignment_check"}


# The value-rule question (not shipped: it lowered the dev figures, see the module docstring).
_RULE_CUE = re.compile(r"\b(?:not|never|no|only|cannot|without|turn down)\b|n't\b",
                       re.IGNORECASE)
RULE_QUESTION = ("These sentences of a company value rule some actions out: things the company "
                 "will not do or will not accept. Name the ruled-out action that comes closest "
                 "to the proposal, and the proposal's own main action.")


def rule_sentences(statement: str) -> str:
    """The sentences of a value that rule something out ("we do not sell it"), joined."""
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(statement.split()))
    return " ".join(s for s in sentences if _RULE_CUE.search(s))


def rule_actions(text: str, element: Element, llm: LLM) -> NonGoalActions | None:
    """The model's two phrases for a value's rule sentences; None without rules or answer."""
    rules = rule_sentences(element.statement)
    if not rules:
        return None
    system, user = render("judge_element", proposal=text, kind_label="Company value, its rules",
                          element=element.name, statement=rules, question=RULE_QUESTION,
                          reply=REPLIES["non-goal"])
    try:
        return llm.structured([SystemMessage(content=system), HumanMessage(content=user)],
                              NonGoalActions, max_tokens=160)
    except GenerationError:
        return None


def statement_elements(kb: KnowledgeBase) -> dict[tuple[str, str], Element]:
    """Every value and non-goal statement of the workspace by (kind, the pipeline's name)."""
    hits = kb.get_chunks(kb.chunk_ids()).values()
    out: dict[tuple[str, str], Element] = {}
    for hit in hits:
        if (kind := kind_of(hit)) in ("value", "non-goal"):
            for name, statement in split_statements(hit):
                out.setdefault((kind, name), Element(name=name, kind=kind, statement=statement,
                                                     hit=hit, similarity=0.0))
    return out


def _rows(paths: list[Path]) -> list[dict[str, Any]]:
    return [r for p in paths for r in json.loads(p.read_text())["cases"]
            if r["task"] == "alignment_check"]


def collect(out: Path, paths: list[Path], provider: str = "local") -> None:
    rows, found = _rows(paths), []
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(llm_provider=provider, data_dir=Path(tmp))
        llm = LLM(settings)
        try:
            for corpus in sorted({r["corpus"] for r in rows}):
                with KnowledgeBase(settings.with_workspace(f"rules-{corpus}")) as kb:
                    kb.index([CORPORA[corpus]])
                    values = statement_elements(kb)
                    for r in [r for r in rows if r["corpus"] == corpus]:
                        found.append(_probe_row(r, PROPOSALS[r["id"]], values, llm, kb))
                        out.write_text(json.dumps(found, indent=1))
                        print(json.dumps(found[-1]), flush=True)
        finally:
            llm.close()


def _probe_row(row: dict[str, Any], text: str, known: dict[tuple[str, str], Element],
               llm: LLM, kb: KnowledgeBase) -> dict[str, Any]:
    judged = []
    for name in [n for n, kind in row["kinds"].items() if kind == "value"]:
        element = known.get(("value", name))
        if element is None or not rule_sentences(element.statement):
            judged.append({"value": name, "found": element is not None, "rules": False,
                           "break": False})
            continue
        answer = rule_actions(text, element, llm)
        if answer is None:
            judged.append({"value": name, "rules": True, "break": False, "reason": "no answer"})
            continue
        stance, reason, _ = non_goal_stance(answer, f"{element.name} {element.statement}", text,
                                         kb.embedder)
        judged.append({"value": name, "rules": True, "break": stance == "conflicts",
                       "reason": reason})
    return {"id": row["id"], "expected": row["expected"], "values": judged,
            "non_goals": [_non_goal_pair(text, known[("non-goal", n)], llm, kb)
                          for n, kind in row["kinds"].items()
                          if kind == "non-goal" and ("non-goal", n) in known]}


_QUOTED = re.compile(r"“([^”]*)”")
CONFIRM = ("Is the proposal's main action, “{doing}”, a case of what the company ruled out, "
           "“{forbidden}”? Answer yes or no.")


def _non_goal_pair(text: str, element: Element, llm: LLM, kb: KnowledgeBase) -> dict[str, Any]:
    """The pipeline's non-goal finding, and the same question asked as yes/no (P(yes))."""
    finding = _judge(text, element, llm, kb.embedder)
    out: dict[str, Any] = {"non_goal": element.name, "stance": finding.stance,
                           "reason": finding.reason}
    phrases = _QUOTED.findall(finding.reason)
    if len(phrases) == 2 and "similarity" in finding.reason:
        doing, forbidden = phrases
        system, user = render("judge_yes_no", proposal=text, kind_label=KIND_LABELS["non-goal"],
                              element=element.name, statement=element.statement,
                              question=CONFIRM.format(doing=doing, forbidden=forbidden))
        p = llm.choice_probabilities([SystemMessage(content=system),
                                      HumanMessage(content=user)], ["yes", "no"])
        out["p_same"] = round(p["yes"], 4)
    return out


def analyse(probe: Path, paths: list[Path]) -> None:
    found = {p["id"]: p for p in json.loads(probe.read_text())}
    beyond = breaching(_rows(paths))
    variants: list[tuple[str, bool, float | None, int]] = [
        ("as recorded (+ limits)", False, None, 0), ("re-asked non-goals", False, 0.0, 0),
        ("+ value rules", True, 0.0, 0),
        *[(f"non-goal P(same) >= {t:.2f}", False, t, 0) for t in (0.45, 0.5, 0.55)],
        *[(f"non-goal shares >= {n} stems with proposal", False, 0.0, n) for n in (1, 2, 3)]]
    for name, rules, confirm, stems in variants:
        cells = []
        for path in paths:
            rows = [r for r in _rows([path]) if r["id"] in found]
            for corpus in sorted({r["corpus"] for r in rows}):
                mine = [r for r in rows if r["corpus"] == corpus]
                cells.append(f"{path.parent.name} {corpus}: " + metrics(
                    [(r["expected"], rescored(r, found[r["id"]], beyond, rules, confirm,
                                              stems))
                     for r in mine]))
        print(f"{name:<42} " + " | ".join(cells))
    print(f"threshold: SAME_ACTION_AT = {SAME_ACTION_AT} (the non-goals'); cap "
          f"{WEIGHTS['non_goal_cap']}\n")
    for p in found.values():
        for v in p["values"]:
            if v.get("reason"):
                print(f"{p['id']} ({p['expected']}) value {v['value']}: {v['reason']}")
        for n in p["non_goals"]:
            if n["stance"] == "conflicts" or "p_same" in n:
                print(f"{p['id']} ({p['expected']}) non-goal {n['non_goal']}: {n['stance']} "
                      f"P(same) {n.get('p_same', '-')}: {n['reason']}")


def _enough_shared(pair: dict[str, Any], text: str, stems: int) -> bool:
    """At least `stems` content-word stems of the ruled-out phrase are in the proposal (all of
    them when the phrase has fewer)."""
    phrases = _QUOTED.findall(pair["reason"])
    if len(phrases) != 2:
        return stems == 0
    ruled_out = content_stems(phrases[1])
    return len(ruled_out & content_stems(text)) >= min(stems, len(ruled_out))


def rescored(row: dict[str, Any], probed: dict[str, Any], beyond: Mapping[str, str], rules: bool,
             confirm: float | None, stems: int = 0) -> str:
    """The row's verdict with its non-goal answers re-asked (a conflict counts only when the
    yes/no form agrees, P(same) >= confirm, and the ruled-out phrase shares at least `stems`
    content-word stems with the proposal) and, with `rules`, the value-rule cap."""
    if confirm is None:
        return str(verdict(row, STRAIN_KINDS, STRAIN_MARGIN, beyond))
    if row["predicted"] == "insufficient_information":
        return str(row["predicted"])
    value = max(0, min(100, sum(int(m.group(1)) for part in row["score_parts"]
                                if (m := _TERM.match(part)))))
    breaks = any(n["stance"] == "conflicts" and n.get("p_same", 0.0) >= confirm
                 and _enough_shared(n, PROPOSALS[row["id"]], stems) for n in probed["non_goals"])
    if breaks or beyond.get(row["id"]) == "guard" or (
            rules and any(v["break"] for v in probed["values"])):
        value = min(value, WEIGHTS["non_goal_cap"])
    elif beyond.get(row["id"]) == "partial":
        value = min(value, WEIGHTS["plan_cap"])
    if any(m > STRAIN_MARGIN and row["kinds"].get(k) in STRAIN_KINDS
           for k, m in row["margins"].items()):
        value = min(value, WEIGHTS["strain_cap"])
    return str(label(value))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["collect", "analyse"])
    parser.add_argument("probe", type=Path, help="the probe's JSON (written by collect)")
    parser.add_argument("reports", nargs="+", type=Path, help="eval report.json files")
    parser.add_argument("--provider", default="local", help="fake: a dry run of the script")
    args = parser.parse_args()
    missing = [p for p in args.reports if not p.is_file()]
    if missing:
        parser.error(f"no such report: {', '.join(map(str, missing))}")
    if args.action == "collect":
        collect(args.probe, args.reports, args.provider)
    else:
        analyse(args.probe, args.reports)
