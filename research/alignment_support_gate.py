"""Would a second, embedding-based opinion on the model's "supports" help? Re-scored exactly.

    .venv/bin/python research/alignment_support_gate.py DEV_RUN/report.json [TEST_RUN/...]

The 1.5B model answers "supports" to nearly every goal it is shown (a clothing line sold on
Amazon "supports" Pillar 4: Careers in coffee; measurements "Alignment check (measured)"). A goal's
"supports" could count only when MiniLM also puts the two texts close. Two gates, each over a
few thresholds:

* `similarity`: the statement's best cosine to the proposal or its extracted aspects (the
  retrieval score the pipeline already has, `Element.similarity`);
* `evidence`: the cosine between the proposal words the model quoted as its evidence and the
  statement (embedded here with the default embeddings).

Rows recorded since 2026-11-28 carry each finding's similarity, evidence and statement
(`evals/task_alignment.py`); the score is recomputed from the stances with the shipped weights
(`recompute`: the formula of `alignment_report.score_findings` re-applied to the recorded
stances, because rows carry no citations to rebuild findings from; it is checked first to
reproduce every recorded verdict with no gate, so a drift from the shipped score shows).
Choose on the first report (dev); the others (test) are printed for the record, not for
choosing.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alignment_rescore import case_rows, label, metrics, recorded_caps, strained

from assistant.alignment.report import STRAIN_KINDS, STRAIN_MARGIN, WEIGHTS
from assistant.knowledge.embeddings import MiniLMEmbedder
from evals.cases import load_cases

Gate = Callable[[dict[str, Any], str], bool]
GOALS = ("goal", "initiative")


def recompute(row: dict[str, Any], gate: Gate) -> str:
    """The row's verdict from its stances, a goal's "supports" counting only where `gate`."""
    if row["predicted"] in ("insufficient_information", "error"):
        return str(row["predicted"])
    w, kinds, stances = WEIGHTS, row["kinds"], row["stances"]
    goals = [e for e, s in stances.items()
             if s == "supports" and kinds[e] in GOALS and gate(row, e)]
    value = w["base"] + (w["goal_supported"] if goals else 0) + (
        w["second_goal"] if len(goals) > 1 else 0)
    value += w["value_supported"] if any(
        s == "supports" and kinds[e] == "value" for e, s in stances.items()) else 0
    value += w["value_conflict"] * sum(s == "conflicts" and kinds[e] == "value"
                                       for e, s in stances.items())
    value += w["duplicate"] if row["duplicate"] else 0
    value = recorded_caps(row, max(0, min(100, value)))
    if strained(row, STRAIN_KINDS, STRAIN_MARGIN):
        value = min(value, w["strain_cap"])
    return label(value)


def supported(row: dict[str, Any]) -> list[str]:
    """The goals and initiatives the row's model answers say the proposal supports."""
    return [e for e, s in row["stances"].items() if s == "supports" and row["kinds"][e] in GOALS]


def collect_supported(out: Path, paths: list[Path],
                      measure: Callable[[dict[str, Any], str, str], Any],
                      describe: Callable[[Any], str]) -> None:
    """`measure(row, element, proposal)` for every goal or initiative a recorded row judged
    "supports" that `out` does not hold yet (JSON keyed "row id\\0element"), printed with
    `describe` and saved after each pair, so an interrupted collection resumes."""
    proposals = {c.id: str(c.input["proposal"]) for c in load_cases()
                 if c.task == "alignment_check"}
    found: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {}
    for row in case_rows(paths):
        for element in supported(row):
            key = f"{row['id']}\x00{element}"
            if key in found:
                continue
            found[key] = measure(row, element, proposals[row["id"]])
            print(f"{row['id']} {row['expected'][:7]} {describe(found[key])} {element[:50]}",
                  flush=True)
            out.write_text(json.dumps(found, indent=1, ensure_ascii=False))


def recorded(found_path: Path, paths: list[Path]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A probe's collected answers and the report rows, after checking that re-scoring with no
    gate reproduces every recorded verdict (printed, so a drift shows)."""
    rows = case_rows(paths)
    same = sum(recompute(r, lambda r, e: True) == r["predicted"] for r in rows)
    print(f"no gate reproduces {same}/{len(rows)} recorded verdicts")
    return json.loads(found_path.read_text()), rows


def probe_main(doc: str, found_help: str, collect: Callable[[Path, list[Path]], None],
               analyse: Callable[[Path, list[Path]], None]) -> None:
    """The command line every collect/analyse probe shares: STEP FOUND.json REPORT.json..."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("step", choices=["collect", "analyse"])
    parser.add_argument("found", type=Path, help=found_help)
    parser.add_argument("reports", nargs="+", type=Path, help="eval report.json files")
    args = parser.parse_args()
    (collect if args.step == "collect" else analyse)(args.found, args.reports)


def evidence_cosines(rows: list[dict[str, Any]]) -> dict[tuple[str, str], float]:
    """(row id, element) -> cosine(the model's quoted evidence, the statement)."""
    embedder = MiniLMEmbedder()  # the default embeddings, as in the pipeline
    pairs = [(r["id"], e, r["evidence"][e], r["statements"][e]) for r in rows
             for e, s in r["stances"].items()
             if s == "supports" and r["kinds"][e] in GOALS and e in r.get("evidence", {})]
    out = {}
    for rid, element, evidence, statement in pairs:
        a, b = embedder.embed([evidence, statement])
        out[(rid, element)] = sum(x * y for x, y in zip(a, b, strict=True))
    return out


def main(paths: list[Path]) -> None:
    reports = [[c for c in json.loads(p.read_text())["cases"] if c["task"] == "alignment_check"]
               for p in paths]
    rows = [r for report in reports for r in report]
    same = sum(recompute(r, lambda r, e: True) == r["predicted"] for r in rows)
    print(f"no gate reproduces {same}/{len(rows)} recorded verdicts")
    if any("similarity" not in r for r in rows):
        sys.exit("these rows predate the similarity record: run the eval again")
    cos = evidence_cosines(rows)
    gates: list[tuple[str, Gate]] = [("no gate", lambda r, e: True)]
    for t in (0.25, 0.3, 0.35, 0.4, 0.45, 0.5):
        gates.append((f"similarity >= {t:.2f}",
                      lambda r, e, t=t: r["similarity"][e] >= t))  # type: ignore[misc]
    for t in (0.2, 0.25, 0.3, 0.35, 0.4):
        gates.append((f"evidence cosine >= {t:.2f}",
                      lambda r, e, t=t: cos.get((r["id"], e), 0.0) >= t))  # type: ignore[misc]
    for name, gate in gates:
        cells = []
        for report in reports:
            for corpus in sorted({r["corpus"] for r in report}):
                mine = [r for r in report if r["corpus"] == corpus]
                cells.append(f"{mine[0]['split']} {corpus}: " + metrics(
                    [(r["expected"], recompute(r, gate)) for r in mine]))
        print(f"{name:<24} " + " | ".join(cells))
    print("\nsupported goals (row, expected, similarity, evidence cosine, element):")
    for r in rows:
        for e, s in r["stances"].items():
            if s == "supports" and r["kinds"][e] in GOALS:
                print(f"{r['id']} {r['expected'][:7]} {r['similarity'][e]:.2f} "
                      f"{cos.get((r['id'], e), float('nan')):.2f} {e[:70]}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main([Path(p) for p in sys.argv[1:]])
