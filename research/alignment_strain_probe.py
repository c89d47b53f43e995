"""The first calibration of the alignment check's probability ("strain") rule, reproducibly.

Superseded: this probe skips the extraction step, so it sees fewer non-goals per proposal
than the pipeline does, and the rule it chose (values and non-goals, margin 0.15) failed end
to end. The shipped rule was chosen on an end-to-end dev run with
`research/alignment_rescore.py` (measurements "Alignment check (measured)"). Kept because its
per-feature ROC AUCs are still the record of which probability features carry signal.

    .venv/bin/python research/alignment_strain_probe.py collect OUT.json   # local model
    .venv/bin/python research/alignment_strain_probe.py analyse OUT.json

`collect` retrieves the statements for every labelled proposal of `evals/datasets/` (the
pipeline's `gather_elements`, without the extraction call) and asks the model the check's two
yes/no questions for each (`alignment._probabilities`, the same prompt file and wording),
recording P(yes). `analyse` prints, per corpus and split, the ROC AUC of several per-proposal
features (aligned ranked above misaligned, etc.), then scans the margin threshold on the dev
split only, combined with the verdicts of a full eval report, and prints test figures for the
thresholds that tie for best on dev. The run of 2026-11-27 is committed in
`research/reports/strain-probe/`.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from assistant.alignment.check import _probabilities
from assistant.alignment.elements import gather_elements
from assistant.core.config import Settings
from assistant.knowledge.base import KnowledgeBase
from assistant.llm.client import LLM
from evals.cases import CORPORA, load_cases

LABELS = ["aligned", "partially_aligned", "misaligned"]
REPORT = Path("evals/reports/full-local/report.json")  # verdicts before the strain check


def collect(out: Path) -> None:
    settings = Settings(llm_provider="local", data_dir=out.parent / "probe-data")
    llm = LLM(settings)
    rows: list[dict[str, Any]] = []
    cases = [c for c in load_cases() if c.task == "alignment_check"]
    try:
        for corpus in sorted({c.corpus for c in cases}):
            with KnowledgeBase(settings.with_workspace(f"probe-{corpus}")) as kb:
                kb.index([CORPORA[corpus]])
                for case in [c for c in cases if c.corpus == corpus]:
                    start, text = time.perf_counter(), case.input["proposal"]
                    elements = []
                    for e in gather_elements(kb, kb.embedder, text, []):
                        helps, against = _probabilities(text, e, llm)
                        elements.append({"kind": e.kind, "name": e.name, "sim": e.similarity,
                                         "helps": helps, "against": against})
                    rows.append({"id": case.id, "corpus": corpus, "label": case.reference,
                                 "split": case.metadata.get("split", "test"),
                                 "elements": elements})
                    out.write_text(json.dumps(rows, indent=1))
                    print(f"{case.id} {case.reference} {time.perf_counter() - start:.0f} s",
                          flush=True)
    finally:
        llm.close()


def _auc(pos: list[float], neg: list[float]) -> float:
    if not pos or not neg:
        return float("nan")
    return sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg))


def features(row: dict[str, Any]) -> dict[str, float]:
    els = [e for e in row["elements"] if e["helps"] is not None]
    goals = [e for e in els if e["kind"] in ("goal", "initiative")]
    guards = [e for e in els if e["kind"] in ("value", "non-goal")]
    return {
        "mean P(helps), goals": statistics.mean(e["helps"] for e in goals) if goals else 0.5,
        "max P(helps), goals": max((e["helps"] for e in goals), default=0.5),
        "mean helps - against, all": statistics.mean(e["helps"] - e["against"] for e in els)
        if els else 0.0,
        "min helps - against, values+non-goals": min(
            (e["helps"] - e["against"] for e in guards), default=0.0),
        "max P(against), values+non-goals": max((e["against"] for e in guards), default=0.5),
    }


def _metrics(pairs: list[tuple[str, str]]) -> str:
    f1s, recall = [], {}
    for label in LABELS:
        tp = sum(a == label and b == label for a, b in pairs)
        fp = sum(a != label and b == label for a, b in pairs)
        fn = sum(a == label and b != label for a, b in pairs)
        p, r = (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0)
        recall[label] = r
        f1s.append(2 * p * r / (p + r) if p + r else 0.0)
    accuracy = sum(a == b for a, b in pairs) / len(pairs)
    return (f"acc {accuracy:.2f} macro-F1 {sum(f1s) / 3:.2f} recall "
            + " / ".join(f"{recall[x]:.2f}" for x in LABELS))


def analyse(path: Path) -> None:
    rows = json.loads(path.read_text())
    for corpus in sorted({r["corpus"] for r in rows}):
        for split in ("dev", "test"):
            mine = [r for r in rows if r["corpus"] == corpus and r["split"] == split]
            if not mine:
                continue
            print(f"{corpus} {split} ({len(mine)}): ROC AUC aligned>misaligned, "
                  "aligned>partial, partial>misaligned")
            for name in features(mine[0]):
                by = {lab: [features(r)[name] for r in mine if r["label"] == lab]
                      for lab in LABELS}
                print(f"  {name:<40} {_auc(by['aligned'], by['misaligned']):.2f} "
                      f"{_auc(by['aligned'], by['partially_aligned']):.2f} "
                      f"{_auc(by['partially_aligned'], by['misaligned']):.2f}")
    before = {c["id"]: c["predicted"] for c in json.loads(REPORT.read_text())["cases"]
              if c["task"] == "alignment_check"}
    key = "min helps - against, values+non-goals"

    def verdict(row: dict[str, Any], margin: float) -> str:
        old = before[row["id"]]
        return "misaligned" if old != "misaligned" and features(row)[key] < -margin else old

    dev = [r for r in rows if r["split"] == "dev"]
    print("dev scan (margin: result on dev, sample test, 18F test):")
    for margin in (0.05, 0.08, 0.10, 0.12, 0.15, 0.20, 0.25):
        parts = [_metrics([(r["label"], verdict(r, margin)) for r in group])
                 for group in (dev, *[[r for r in rows if r["split"] == "test"
                                       and r["corpus"] == c] for c in ("sample", "18f")])]
        print(f"  {margin:.2f}: " + " | ".join(parts))


if __name__ == "__main__":
    {"collect": collect, "analyse": analyse}[sys.argv[1]](Path(sys.argv[2]))
