"""Contextual calibration of the strain check, measured on recorded alignment runs.

    .venv/bin/python research/alignment_calibration.py collect OUT.json RUN/report.json ...
    .venv/bin/python research/alignment_calibration.py analyse OUT.json DEV/report.json TEST...

The strain check reads the model's margin P(yes to "goes against it?") - P(yes to "helps
achieve it?") for each value judged. Some statements draw a high margin whatever the proposal
("Hacking bureaucracy" sat at 0.16-0.24 for every 18F proposal, aligned ones included), so one
threshold for every statement flags aligned proposals. "Calibrate before use" (Zhao et al.,
2021) estimates such a bias by asking the same question with a content-free input and
subtracting it. `collect` (local model) asks the pipeline's own two questions
(`alignment._probabilities`, same prompt) for every value statement the runs judged, with
three content-free proposals ("N/A", "[MASK]", "No proposal."), and records each statement's
mean margin. `analyse` re-scores the rows (recorded terms, caps, limit and region checks as
in `alignment_rescore.py --limits`) with a value strained when its margin minus that baseline
is above t, for several t, and prints the uncalibrated shipped rule for comparison.

Run of 2026-11-28 (`research/reports/alignment-calibration/`, dev rows only): the content-free
margins are small (-0.10 to +0.13 over 20 statements, 13 of them negative), so calibration
mostly shifts every margin up; no threshold beat the shipped rule on the 30 dev rows (21
right shipped; 21 at best calibrated, at 0.16-0.17, trading four verdicts; 20 at 0.11-0.14;
sample dev macro-F1 0.70 either way at best). Not shipped; the test rows were not scored.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from alignment_rescore import (
    LABELS,
    before_strain,
    breaching,
    by_split_and_corpus,
    case_rows,
    label,
)
from alignment_support_gate import probe_main

from assistant.alignment.check import _probabilities
from assistant.alignment.report import STRAIN_MARGIN, WEIGHTS
from assistant.core.config import Settings
from assistant.llm.client import LLM

CONTENT_FREE = ["N/A", "[MASK]", "No proposal."]
THRESHOLDS = [round(0.08 + 0.01 * i, 2) for i in range(15)]


def _key(name: str, statement: str) -> str:
    return f"{name}\x00{statement}"


def collect(out: Path, paths: list[Path]) -> None:
    """Each value statement's margin with content-free proposals (mean of three)."""
    wanted = {_key(name, row["statements"][name]): (name, row["statements"][name])
              for row in case_rows(paths)
              for name, kind in row["kinds"].items() if kind == "value"}
    found = json.loads(out.read_text()) if out.exists() else {}
    llm = LLM(Settings().model_copy(update={"llm_provider": "local"}))
    try:
        for key, (name, statement) in wanted.items():
            if key in found:
                continue
            element = SimpleNamespace(kind="value", name=name, statement=statement)
            pairs = [_probabilities(text, element, llm)  # type: ignore[arg-type]
                     for text in CONTENT_FREE]
            helps = sum(h for h, _ in pairs if h is not None) / len(pairs)
            against = sum(a for _, a in pairs if a is not None) / len(pairs)
            found[key] = {"margin": round(against - helps, 4), "helps": round(helps, 4),
                          "against": round(against, 4)}
            print(f"{found[key]['margin']:+.4f} {name[:60]}", flush=True)
            out.write_text(json.dumps(found, indent=1, ensure_ascii=False))
    finally:
        llm.close()


def calibrated_verdict(row: dict[str, Any], base: dict[str, dict[str, float]], t: float | None,
                       beyond: dict[str, str]) -> str:
    """The row's verdict with values strained when margin - baseline > t (None: shipped rule,
    uncalibrated margin > STRAIN_MARGIN)."""
    if row["predicted"] == "insufficient_information":
        return str(row["predicted"])
    value = before_strain(row)
    if (limit := beyond.get(row["id"])) is not None:
        value = min(value, WEIGHTS["plan_cap" if limit == "partial" else "non_goal_cap"])
    for name, margin in row["margins"].items():
        if row["kinds"].get(name) != "value":
            continue
        shifted = margin if t is None else (
            margin - base[_key(name, row["statements"][name])]["margin"])
        if shifted > (STRAIN_MARGIN if t is None else t):
            value = min(value, WEIGHTS["strain_cap"])
    return label(value)


def analyse(found: Path, paths: list[Path]) -> None:
    base = json.loads(found.read_text())
    rows = case_rows(paths)
    beyond = breaching(rows)
    same = sum(calibrated_verdict(r, base, None, beyond) == r["predicted"] for r in rows)
    print(f"uncalibrated rule reproduces {same}/{len(rows)} recorded verdicts")
    for t in [None, *THRESHOLDS]:
        name = "shipped (> 0.15)" if t is None else f"calibrated > {t:.2f}"
        print(f"{name:<18} " + by_split_and_corpus(
            rows, lambda r, t=t: calibrated_verdict(r, base, t, beyond)))  # type: ignore[misc]
    print("labels:", "/".join(LABELS))


if __name__ == "__main__":
    probe_main(__doc__, "JSON of statement baselines", collect, analyse)
