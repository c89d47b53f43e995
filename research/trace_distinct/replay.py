"""Would a KR's *distinctive* word trace a proposal? Replayed on recorded evidence-design runs.

The second design traces a proposal to a confirmed KR when its aim holds at least `TRACE_AT`
(0.6) of the KR's content stems and at least two of them. "Bring monthly churn below 5%"
holds one of "Reduce monthly subscriber churn"'s two stems (churn) and is not traced, nor
"more of our waste kept out of landfill" (waste, landfill of roastery, waste, divert,
landfill). The probe: a stem is *distinctive* when at most `max_krs` confirmed KRs of the
workspace use it and it is not one of the workspace's everyday words; a proposal is also
traced when its aim holds a distinctive stem of a KR and at least `at` of that KR's stems.

Uses what each run recorded (the three closest KRs with the stems found), so no model is
asked again; rows a rule decided keep their verdict. Dev and spent blind runs only.

    python -m research.trace_distinct.replay
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from assistant.alignment.evidence import kr_stems
from assistant.core.config import Settings
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.vocabulary import common_stems
from assistant.strategy.build import build_map
from evals.cases import CORPORA
from evals.metrics import wilson

RUNS = ["alignment-evidence-dev-s22", "alignment-blind", "alignment-blind2", "alignment-blind3",
        "alignment-blind4"]


def distinctive(corpus: str, max_krs: int) -> set[str]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp)).with_workspace(f"trace-{corpus}")
        with KnowledgeBase(settings) as kb:
            kb.index([CORPORA[corpus]])
            krs = [e for e in build_map(kb) if e.kind == "key_result"]
            common = common_stems(kb)
    uses = Counter(s for kr in krs for s in kr_stems(kr))
    return {s for s, n in uses.items() if n <= max_krs and s not in common}


def verdict(row: dict[str, Any], rare: set[str], at: float) -> str:
    review = row.get("review")
    if review is None or review["rule_decided"] or row["predicted"] != "needs_review":
        return str(row["predicted"])
    for kr in review["closest"]:
        if set(kr["words"]) & rare and kr["share"] >= at:
            return "aligned"
    return "needs_review"


def main() -> None:
    rows = []
    for run in RUNS:
        report = json.loads(Path("evals/reports", run, "report.json").read_text())
        rows += [dict(c, run=run) for c in report["cases"] if c.get("task") == "alignment_check"]
    for max_krs in (1, 2):
        rare = {c: distinctive(c, max_krs) for c in ("sample", "18f")}
        for at in (0.34, 0.5):
            new = [(r, verdict(r, rare[r["corpus"]], at)) for r in rows]
            changed = [(r, v) for r, v in new if v != r["predicted"]]
            by = Counter(r["expected"] for r, _ in changed)
            decided = [(r["expected"], v) for r, v in new if v in
                       ("aligned", "partially_aligned", "misaligned")]
            said = [e for e, v in decided if v == "aligned"]
            right = said.count("aligned")
            low, high = wilson(right, len(said))
            print(f"max_krs {max_krs} at {at}: newly aligned {len(changed)} by label {dict(by)}; "
                  f"coverage {len(decided)}/{len(rows)}; aligned precision {right}/{len(said)} "
                  f"({low:.2f}-{high:.2f}); misaligned approved "
                  f"{sum(e == 'misaligned' for e in said)}")
            for r, _ in changed:
                words = [k["words"] for k in r["review"]["closest"][:1]]
                print(f"    {r['run']:<28} {r['id']:<18} {r['expected']:<18} {words}")


if __name__ == "__main__":
    main()
