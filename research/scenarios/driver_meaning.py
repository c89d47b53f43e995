"""Issue 29 probe: a scenario names a driver by meaning, not only by its words.

    python -m research.scenarios.driver_meaning [--at 0.6,0.65,0.7] [--verbose]

Spent rows only (dev, blind, blind2 — each blind set run once already); never blind3. For
each scenario, every window of two to four words is embedded (MiniLM) and compared with every
`moved_by` phrase of the drivers table; a phrase at or above the bar counts as named, as if its
words were in the scenario (the words are appended to the scenario for `drivers_named`).
Prints precision and recall per corpus for each bar, and the words-only baseline.

Result (session 24, 2026-12-01, with the one-KR pillar rule; 38 sample and 36 18F rows):
words only sample 40/82, 40/93; 18F 34/55, 34/69. By meaning at 0.6: 45/103, 45/93 and
37/68, 37/69; at 0.65: 39/94 and 34/57; at 0.7: 41/86 and 35/57; at 0.75: 41/81 and 35/56.
A window close to a driver phrase is as often a wrong reading ("hours" ~ "overtime") as a right
one, and the cap of three exposures decides the rest: rejected, not shipped.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from assistant.core.config import Settings
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.embeddings import cosine
from assistant.scenarios.drivers import families
from assistant.scenarios.exposure import Phrase, expose
from evals.cases import CORPORA, load_cases
from evals.task_scenario import _score, confirmed_map


def windows(text: str) -> list[str]:
    words = text.replace("\n", " ").split()
    return list(dict.fromkeys(" ".join(words[i:i + n]) for n in (2, 3, 4)
                              for i in range(len(words) - n + 1)))


def main() -> None:
    bars = [float(b) for b in (sys.argv[sys.argv.index("--at") + 1].split(",")
                               if "--at" in sys.argv else ["0.6", "0.65", "0.7", "0.75"])]
    verbose = "--verbose" in sys.argv
    settings = Settings(data_dir=Path(tempfile.mkdtemp()), llm_provider="fake")
    rows = [c for c in load_cases(include_blind=True) if c.task == "scenario"
            and c.metadata.get("split") in {"dev", "blind", "blind2"}]
    maps = {c.corpus: c.reference for c in load_cases() if c.task == "strategy_map"}
    phrases = sorted({d.phrase for f in families() for d in f.moved_by})
    for corpus in ("sample", "18f"):
        with KnowledgeBase(settings.with_workspace(f"m-{corpus}")) as kb:
            kb.index([CORPORA[corpus]])
            strategy = confirmed_map(kb, maps[corpus] or [])
            pv = kb.embedder.embed(phrases)
            best: dict[str, dict[str, float]] = {}
            for case in (c for c in rows if c.corpus == corpus):
                wins = windows(case.input["scenario"])
                wv = kb.embedder.embed(wins)
                best[case.id] = {p: max(cosine(w, v) for w in wv)
                                 for p, v in zip(phrases, pv, strict=True)}
            for bar in [0.0, *bars]:
                hit = shown = wanted = 0
                for case in (c for c in rows if c.corpus == corpus):
                    extra = [p for p, s in best[case.id].items() if bar and s >= bar]
                    text = case.input["scenario"] + (" " + " ; ".join(extra) if extra else "")
                    exposed = expose([Phrase(text, "scenario")], strategy, kb.embedder)
                    dumped = [x.model_dump(mode="json") for x in exposed]
                    h, s, w, missed, _more = _score(dumped, strategy, list(case.reference or []))
                    hit, shown, wanted = hit + h, shown + s, wanted + w
                    if verbose and bar == bars[0]:
                        print(f"{case.id}: +{extra[:6]} {h}/{w} shown {s} missed {missed}")
                print(f"{corpus} bar {bar or 'words only'}: precision {hit}/{shown}, "
                      f"recall {hit}/{wanted}")


if __name__ == "__main__":
    main()
