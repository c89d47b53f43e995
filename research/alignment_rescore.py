"""Re-score recorded alignment checks under other probability ("strain") rules, exactly.

    .venv/bin/python research/alignment_rescore.py [--limits] DEV_RUN/report.json [TEST_RUN/...]

The score is deterministic code over the model's answers (`alignment_report.score_findings`),
and every eval row records what the strain rule reads: each value's and non-goal's margin
P(goes against) - P(helps), its kind, and the score's terms. So a rule can be changed and the
same model answers re-scored without asking the model again. This prints, for each rule, the
figures on the first report (the dev split: choose here) and then on the second (test).

`--limits` adds the stated-limit check (`assistant/limits.py`, code over the proposal and the
retrieved value, non-goal and plan passages, no model call) and the focus-region check
(`assistant/regions.py`) to rows recorded before they existed: each row's proposal is checked
against its corpus indexed with the default embeddings, and a breach caps the score as the
pipeline now does (15 for a value's or non-goal's limit; 60 for a plan's cap or a place outside
the stated focus). Exact, because both checks run after the model calls and change none of
them.

Why it exists: on 2026-11-27 the strain rule chosen from a probe (values and non-goals,
margin 0.15) was run end to end for the first time. With the extraction call, retrieval brings
more non-goals per proposal, and every non-goal's margin sat near 0.2 whether or not the
proposal touched it, so all 17 sample test proposals came out misaligned.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from assistant.alignment.elements import kind_of
from assistant.alignment.limits import find_breaches
from assistant.alignment.regions import find_outside
from assistant.alignment.report import GUARD_LIMIT_KINDS, STRAIN_KINDS, STRAIN_MARGIN, WEIGHTS
from assistant.core.config import Settings
from assistant.knowledge.base import KnowledgeBase
from evals.cases import CORPORA, load_cases
from evals.metrics import classification_scores

LABELS = ["aligned", "partially_aligned", "misaligned"]
_TERM = re.compile(r"^([+-]?\d+) ")


def before_strain(row: dict[str, Any]) -> int:
    """The score the row had before the strain cap (its terms, clamped, the other caps)."""
    value = sum(int(m.group(1)) for p in row["score_parts"] if (m := _TERM.match(p)))
    return recorded_caps(row, max(0, min(100, value)))


def recorded_caps(row: dict[str, Any], value: int) -> int:
    """`value` under the caps the row's score recorded, the strain cap aside: a non-goal or a
    guard rail's limit (15), a plan's cap or the focus region (60)."""
    for cap in ("non_goal_cap", "plan_cap"):
        if any(p.startswith(f"capped at {WEIGHTS[cap]}:") for p in row["score_parts"]):
            value = min(value, WEIGHTS[cap])
    return value


def strained(row: dict[str, Any], kinds: tuple[str, ...], margin: float | None) -> bool:
    """An element of these kinds has P(against) - P(helps) above the margin (None: no check)."""
    return margin is not None and any(m > margin and row["kinds"].get(name) in kinds
                                      for name, m in row["margins"].items())


def verdict(row: dict[str, Any], kinds: tuple[str, ...], margin: float | None,
            beyond: Mapping[str, str] | None = None) -> str:
    if row["predicted"] == "insufficient_information":
        return str(row["predicted"])
    value = before_strain(row)
    limit = (beyond or {}).get(row["id"])  # a number beyond a stated limit: the check's cap
    if limit is not None:
        value = min(value, WEIGHTS["plan_cap" if limit == "partial" else "non_goal_cap"])
    if strained(row, kinds, margin):
        value = min(value, WEIGHTS["strain_cap"])
    return label(value)


def label(value: int) -> str:
    """The verdict a score gives (`alignment_report.score_findings`' thresholds)."""
    return ("aligned" if value >= WEIGHTS["aligned_at"] else
            "partially_aligned" if value >= WEIGHTS["partial_at"] else "misaligned")


def metrics(pairs: list[tuple[str, str]]) -> str:
    """The eval harness's own scores (`evals.metrics.classification_scores`), on one line."""
    m = classification_scores(pairs, LABELS)
    recall = m["recall"]
    assert isinstance(recall, dict)
    return (f"acc {m['accuracy']:.2f} F1 {m['macro_f1']:.2f} rec "
            + "/".join(f"{recall[x]:.2f}" for x in LABELS))


def case_rows(paths: list[Path]) -> list[dict[str, Any]]:
    """The alignment rows of eval reports, in order."""
    return [c for p in paths for c in json.loads(p.read_text())["cases"]
            if c["task"] == "alignment_check"]


def by_split_and_corpus(rows: list[dict[str, Any]],
                        decide: Callable[[dict[str, Any]], str]) -> str:
    """`metrics` of the verdicts `decide` gives, per split and corpus (dev first: choose
    there), on one line."""
    cells = []
    for split, corpus in sorted({(r["split"], r["corpus"]) for r in rows}):
        mine = [r for r in rows if (r["split"], r["corpus"]) == (split, corpus)]
        cells.append(f"{split} {corpus} ({len(mine)}): "
                     + metrics([(r["expected"], decide(r)) for r in mine]))
    return " | ".join(cells)


def rules() -> list[tuple[str, tuple[str, ...], float | None]]:
    out: list[tuple[str, tuple[str, ...], float | None]] = [("no strain cap", (), None)]
    for kinds in (("value", "non-goal"), ("value",), ("non-goal",)):
        for margin in (0.15, 0.20, 0.25, 0.30):
            out.append((f"{'+'.join(kinds)} > {margin:.2f}", kinds, margin))
    return out


def breaching(rows: list[dict[str, Any]]) -> dict[str, str]:
    """Row id -> "guard" (beyond a value's or non-goal's limit) or "partial" (only beyond a
    plan's cap or outside the stated focus region) for the rows whose proposal exceeds a
    stated limit of its corpus (`find_breaches`, `find_outside`)."""
    cases = {c.id: c for c in load_cases()}
    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for corpus in sorted({r["corpus"] for r in rows}):
            settings = Settings(data_dir=Path(tmp), workspace=f"rescore-{corpus}",
                                llm_provider="fake")
            with KnowledgeBase(settings) as kb:
                kb.index([CORPORA[corpus]])
                for r in rows:
                    if r["corpus"] != corpus:
                        continue
                    text = str(cases[r["id"]].input["proposal"])
                    if found := find_breaches(text, kb):
                        guard = [b for b in found if b.kind in GUARD_LIMIT_KINDS]
                        out[r["id"]] = "guard" if guard else "partial"
                        first = (guard or found)[0]
                        print(f"limit: {r['id']} ({r['expected']}) {first.quantity.text} over "
                              f"the {kind_of(first.hit)} limit of {first.limit.quantity.text}")
                    elif away := find_outside(text, kb):
                        out[r["id"]] = "partial"
                        print(f"region: {r['id']} ({r['expected']}) {', '.join(away[0].places)} "
                              f"outside the focus on {', '.join(away[0].focus)}")
    return out


def main(paths: list[Path], limits: bool = False) -> None:
    reports = [[c for c in json.loads(p.read_text())["cases"] if c["task"] == "alignment_check"]
               for p in paths]
    rows = [r for report in reports for r in report]
    for name, kinds in (("shipped rule", STRAIN_KINDS), ("first rule", ("value", "non-goal"))):
        same = sum(verdict(r, kinds, STRAIN_MARGIN) == r["predicted"] for r in rows)
        print(f"{name} ({' and '.join(kinds)} > {STRAIN_MARGIN}) reproduces {same}/{len(rows)} "
              "recorded verdicts (the rule a run used reproduces all of them)")
    beyond = breaching(rows) if limits else {}
    for (name, kinds, margin) in rules():
        cells = []
        for rows in reports:
            for corpus in sorted({r["corpus"] for r in rows}):
                mine = [r for r in rows if r["corpus"] == corpus]
                cells.append(f"{corpus}: " + metrics(
                    [(r["expected"], verdict(r, kinds, margin, beyond)) for r in mine]))
        print(f"{name + (' + limits' if limits else ''):<24} " + " | ".join(cells))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limits", action="store_true",
                        help="add the stated-limit check to rows recorded before it existed")
    parser.add_argument("reports", nargs="+", type=Path,
                        help="eval report.json files: the dev run first, then test runs")
    args = parser.parse_args()
    missing = [p for p in args.reports if not p.is_file()]
    if missing:
        parser.error(f"no such report: {', '.join(map(str, missing))}")
    main(args.reports, limits=args.limits)
