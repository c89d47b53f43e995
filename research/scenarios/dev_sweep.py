"""Issue 29 dev tuning: exposure thresholds on the dev scenarios only (never the blind set).

    python -m research.scenarios.dev_sweep [--model]   # --model: ask the local model once per
                                                        # row for its effects (cached in reports/)

Prints precision/recall per corpus.
Grid: WORDS_AT x SIMILAR_AT x PILLAR_LINKS, code-only and with the model's effects.
"""

from __future__ import annotations

import itertools
import json
import sys
import tempfile
from pathlib import Path

from assistant.core.config import Settings
from assistant.knowledge.base import KnowledgeBase
from assistant.llm.client import LLM
from assistant.scenarios import exposure
from assistant.scenarios.exposure import Phrase, expose
from assistant.scenarios.model import ScenarioEffects, ScenarioReport
from assistant.scenarios.stress import _effects, company
from evals.cases import CORPORA, load_cases
from evals.task_scenario import _score, confirmed_map

CACHE = Path(__file__).parent / "reports" / "dev_effects.json"


def main() -> None:
    use_model = "--model" in sys.argv
    cache = json.loads(CACHE.read_text()) if CACHE.exists() else {}
    data = tempfile.mkdtemp()
    settings = Settings(data_dir=Path(data), llm_provider="local" if use_model else "fake",
                        embeddings_provider="local")
    rows = [c for c in load_cases() if c.task == "scenario" and c.metadata.get("split") == "dev"]
    maps = {c.corpus: c.reference for c in load_cases() if c.task == "strategy_map"}
    llm = LLM(settings) if use_model else None
    prepared = []
    for corpus in ("sample", "18f"):
        with KnowledgeBase(settings.with_workspace(f"dev-{corpus}")) as kb:
            kb.index([CORPORA[corpus]])
            strategy = confirmed_map(kb, maps[corpus])
            for c in (c for c in rows if c.corpus == corpus):
                if use_model and c.id not in cache:
                    eff = _effects(c.input["scenario"], company(strategy), llm,
                                   ScenarioReport(scenario=c.input["scenario"]))
                    cache[c.id] = eff.model_dump()
                    print(c.id, cache[c.id], flush=True)
                prepared.append((c, kb.embedder, strategy))
            # keep embedder usable after close: MiniLM is in-process
    if use_model:
        CACHE.parent.mkdir(exist_ok=True)
        CACHE.write_text(json.dumps(cache, indent=1))
        llm.close()
    grid = itertools.product((0.3, 0.4, 0.5, 0.6), (0.4, 0.45, 0.5, 0.55, 0.6), (1, 2, 9))
    for words, similar, links in grid:
        exposure.WORDS_AT, exposure.SIMILAR_AT, exposure.PILLAR_LINKS = words, similar, links
        line = [f"W{words} S{similar} L{links}"]
        for mode in (("code", "model") if use_model else ("code",)):
            for corpus in ("sample", "18f"):
                h = s = w = 0
                for c, emb, strategy in prepared:
                    if c.corpus != corpus:
                        continue
                    phrases = [Phrase(c.input["scenario"], "scenario")]
                    if mode == "model":
                        eff = ScenarioEffects(**cache[c.id])
                        phrases += [Phrase(x, "model") for x in eff.consequences]
                    got = expose(phrases, strategy, emb)
                    a, b, d, _, _ = _score([x.model_dump() for x in got], strategy, c.reference)
                    h, s, w = h + a, s + b, w + d
                line.append(f"{mode}/{corpus} P {h}/{s} R {h}/{w}")
        print(" | ".join(line))


if __name__ == "__main__":
    main()
