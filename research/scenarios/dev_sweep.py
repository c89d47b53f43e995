"""Issue 29 dev tuning: exposure thresholds on the dev scenarios only (never the blind set).

    python -m research.scenarios.dev_sweep [--model]   # --model: ask the local model once per
                                                        # row for its consequences (cached)

Scores (word share, similarity) of every phrase against every element once, then sweeps
WORDS_AT x SIMILAR_AT (the scenario's own words) x MODEL_WORDS_AT x MODEL_SIMILAR_AT (the
model's consequences) offline; prints the best settings by F1 over both corpora, and the
recall the "to check" questions add.
"""

from __future__ import annotations

import itertools
import json
import sys
import tempfile
from pathlib import Path

from assistant.core.config import Settings
from assistant.core.text import content_stems
from assistant.knowledge.base import KnowledgeBase
from assistant.llm.client import LLM
from assistant.scenarios import exposure as X
from assistant.scenarios.model import ScenarioReport
from assistant.scenarios.stress import _effects, company
from evals.cases import CORPORA, load_cases
from evals.task_scenario import SCORED, _fold, _haystack, confirmed_map

CACHE = Path(__file__).parent / "reports" / "dev_effects.json"


def _features(settings: Settings, cache: dict, llm: LLM | None) -> list[dict]:
    rows = [c for c in load_cases() if c.task == "scenario" and c.metadata.get("split") == "dev"]
    maps = {c.corpus: c.reference for c in load_cases() if c.task == "strategy_map"}
    out = []
    for corpus in ("sample", "18f"):
        with KnowledgeBase(settings.with_workspace(f"dev-{corpus}")) as kb:
            kb.index([CORPORA[corpus]])
            strategy = [e for e in confirmed_map(kb, maps[corpus]) if e.kind in SCORED]
            weights = X._weights(strategy)
            profiles = [X.profile(e) for e in strategy]
            vectors = kb.embedder.embed(profiles)
            for c in (c for c in rows if c.corpus == corpus):
                if llm is not None and c.id not in cache:
                    eff = _effects(c.input["scenario"], company(strategy), llm,
                                   ScenarioReport(scenario=c.input["scenario"]))
                    cache[c.id] = eff.model_dump()
                phrases = [c.input["scenario"], *cache.get(c.id, {}).get("consequences", [])]
                pvecs = kb.embedder.embed(phrases)
                refs = [(r["kind"], _fold(r["match"])) for r in c.reference]
                feats = []
                for e, prof, vec in zip(strategy, profiles, vectors, strict=True):
                    stems = content_stems(prof) - X._NOISE
                    pairs = [(X._words(content_stems(p), stems, weights)[0], X._cosine(pv, vec))
                             for p, pv in zip(phrases, pvecs, strict=True)]
                    labelled = any(k == e.kind and ph in _haystack(e) for k, ph in refs)
                    feats.append((pairs[0], pairs[1:], labelled))
                out.append({"corpus": corpus, "feats": feats, "labelled": len(refs)})
    return out


def main() -> None:
    cache = json.loads(CACHE.read_text()) if CACHE.exists() else {}
    settings = Settings(data_dir=Path(tempfile.mkdtemp()), llm_provider="local")
    llm = LLM(settings) if "--model" in sys.argv else None
    rows = _features(settings, cache, llm)
    if llm is not None:
        CACHE.parent.mkdir(exist_ok=True)
        CACHE.write_text(json.dumps(cache, indent=1))
        llm.close()
    results = []
    for w, s, mw, ms, top in itertools.product((0.3, 0.4, 0.5, 0.6),
                                               (0.35, 0.4, 0.45, 0.5, 0.55, 9),
                                               (0.4, 0.5, 0.7, 9), (0.5, 0.55, 0.6, 0.7, 9),
                                               (0, 1, 2)):
        hit = shown = wanted = checked = 0
        for row in rows:
            wanted += row["labelled"]
            undecided = []
            best = sorted((max([ss] + [b for _, b in model]) for (_, ss), model, _ in
                           row["feats"]), reverse=True)
            cut = best[top - 1] if top else 9.0
            for (sw, ss), model, labelled in row["feats"]:
                near = max([ss] + [b for _, b in model])
                decided = (sw >= w or ss >= s or any(a >= mw or b >= ms for a, b in model)
                           or (near >= cut and near >= X.CHECK_FLOOR))
                if decided:
                    shown += 1
                    hit += labelled
                else:
                    undecided.append((max([ss] + [b for _, b in model]), labelled))
            undecided.sort(reverse=True)
            checked += sum(lab for sim, lab in undecided[:X.TO_CHECK] if sim >= X.CHECK_FLOOR)
        p = hit / shown if shown else 0.0
        r = hit / wanted
        f = 2 * p * r / (p + r) if p + r else 0.0
        results.append((f, p, r, (hit + checked) / wanted, f"W{w} S{s} MW{mw} MS{ms} top{top}",
                        f"{hit}/{shown} {hit}/{wanted}"))
    for f, p, r, rc, name, raw in sorted(results, reverse=True)[:15]:
        print(f"F {f:.2f}  P {p:.2f}  R {r:.2f}  R+check {rc:.2f}  {name}  ({raw})")


if __name__ == "__main__":
    main()
