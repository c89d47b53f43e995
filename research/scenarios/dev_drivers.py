"""Issue 29, drivers design: exposure on the dev scenarios only (never a blind set).

    python -m research.scenarios.dev_drivers [--verbose] [--consequences] [--spent]

--spent: the dev rows and the two spent blind sets (blind, blind2: each run once, so
development material now); never blind3 or a later unrun set.

--consequences: add the local model's consequences cached by dev_sweep.py
(reports/dev_effects.json), as the shipped stress test does.

Exposure from the scenario's own words (no model): the current `exposure.expose`, which adds
the drivers table (`assistant/data/drivers.yaml`) to shared words and similarity. Prints
precision and recall per corpus, and with --verbose each row's hits, misses and extras.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from assistant.core.config import Settings
from assistant.knowledge.base import KnowledgeBase
from assistant.scenarios.exposure import Phrase, expose
from evals.cases import CORPORA, load_cases
from evals.task_scenario import _score, confirmed_map


def main() -> None:
    verbose = "--verbose" in sys.argv
    settings = Settings(data_dir=Path(tempfile.mkdtemp()), llm_provider="fake")
    splits = {"dev", "blind", "blind2"} if "--spent" in sys.argv else {"dev"}
    rows = [c for c in load_cases(include_blind=True)
            if c.task == "scenario" and c.metadata.get("split") in splits]
    maps = {c.corpus: c.reference for c in load_cases() if c.task == "strategy_map"}
    for corpus in ("sample", "18f"):
        hit = shown = wanted = 0
        with KnowledgeBase(settings.with_workspace(f"dev-{corpus}")) as kb:
            kb.index([CORPORA[corpus]])
            strategy = confirmed_map(kb, maps[corpus] or [])
            for case in (c for c in rows if c.corpus == corpus):
                phrases = [Phrase(case.input["scenario"], "scenario")]
                if "--consequences" in sys.argv:
                    cached = json.loads((Path(__file__).parent / "reports" /
                                         "dev_effects.json").read_text())
                    phrases += [Phrase(c, "model")
                                for c in cached.get(case.id, {}).get("consequences", [])]
                exposed = expose(phrases, strategy, kb.embedder)
                dumped = [x.model_dump(mode="json") for x in exposed]
                h, s, w, missed, extra = _score(dumped, strategy, list(case.reference or []))
                hit, shown, wanted = hit + h, shown + s, wanted + w
                if verbose:
                    print(f"{case.id}: {h}/{w} hit, {s} shown\n  missed {missed}\n  extra {extra}")
                    for x in exposed:
                        print(f"    {x.kind}: {x.title[:50]} — {x.reason[:150]}")
        print(f"{corpus}: precision {hit}/{shown}, recall {hit}/{wanted}")


if __name__ == "__main__":
    main()


def sweep() -> None:
    """`python -c "from research.scenarios.dev_drivers import sweep; sweep()"`"""
    from assistant.scenarios import exposure as X

    for cap, bonus, alone in [(c, b, a) for c in (2, 3, 4) for b in (0.15, 0.3)
                              for a in (0.4, 0.5, 0.6, 0.7, 9)]:
        X.MAX_EXPOSED, X.DRIVER_BONUS, X.ALONE_AT = cap, bonus, alone
        print(f"cap {cap} bonus {bonus} alone {alone}", flush=True)
        main()
