"""Issue 29 probe: exposure through the company's own passages (no model).

    python -m research.scenarios.passages [--k 4] [--verbose]

Spent rows only (dev, blind, blind2, blind3 — each blind set run once already); never blind4.
The drivers table holds what a person knows about how a business works, and it grows one
scenario at a time. The documents often say it themselves: a passage about the courier names
the 72-hour shipping promise, a passage about green coffee names the cost per kilo. So: the
scenario's top-k passages (the knowledge base's search), and the map elements that cite one of
them or whose measure's rare stems appear in one; ranked by the best passage's rank.
Prints precision and recall per corpus for the shipped exposure, the passages alone, and the
shipped exposure topped up from the passages to a cap.

Result (session 31, 2026-12-02; 44 sample and 44 18F spent rows, words only, MiniLM search):
shipped sample 64/130 precision, 64/128 recall; 18F 43/70, 43/96. Passages alone (k 4,
need 0.6): 43/197, 43/128 and 32/72, 32/96. Topped up to 4: 78/209, 78/128 and 55/114, 55/96
— each element the passages add is right about one time in five (sample 14/79, 18F 12/44).
Other settings (k 1–6, need 0.6–1.0, cap 3–4) trade the same way. The company's passages name
many elements at once (an OKR page lists every KR), so a passage about the scenario's subject
says little about which of them it moves: rejected, not shipped.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from assistant.core.config import Settings
from assistant.core.text import content_stems
from assistant.knowledge.base import KnowledgeBase, SearchHit
from assistant.scenarios.exposure import _NOISE, EXPOSABLE, Phrase, expose, measured
from assistant.scenarios.model import Exposed
from assistant.strategy.model import MapElement
from evals.cases import CORPORA, load_cases
from evals.task_scenario import SCORED, _score, confirmed_map

SPENT = {"dev", "blind", "blind2", "blind3"}


def mentioned(e: MapElement, hit: SearchHit, need: float) -> bool:
    stems = content_stems(measured(e)) - _NOISE
    if not stems:
        return False
    if any(c.chunk_id == hit.chunk_id for c in e.citations) and e.kind != "pillar":
        return True
    have = content_stems(hit.text)
    return len(stems & have) / len(stems) >= need


def by_passages(hits: list[SearchHit], strategy: list[MapElement], need: float
                ) -> list[MapElement]:
    live = [e for e in strategy if e.kind in EXPOSABLE and e.kind != "objective"]
    ranked: list[tuple[int, MapElement]] = []
    for e in live:
        rank = next((i for i, h in enumerate(hits) if mentioned(e, h, need)), None)
        if rank is not None:
            ranked.append((rank, e))
    return [e for _, e in sorted(ranked, key=lambda t: t[0])]


def as_exposed(e: MapElement) -> dict[str, object]:
    return Exposed(key=e.key, kind=e.kind, title=e.title, department=e.department, score=0.1,
                   via="code", reason="passage", citation=None).model_dump(mode="json")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--k", type=int, default=4)
    ap.add_argument("--need", type=float, default=0.6)
    ap.add_argument("--cap", type=int, default=4)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    settings = Settings(data_dir=Path(tempfile.mkdtemp()), llm_provider="fake")
    rows = [c for c in load_cases(include_blind=True)
            if c.task == "scenario" and c.metadata.get("split") in SPENT]
    maps = {c.corpus: c.reference for c in load_cases() if c.task == "strategy_map"}
    for corpus in ("sample", "18f"):
        tally = {"shipped": [0, 0, 0], "passages": [0, 0, 0], "topped": [0, 0, 0]}
        with KnowledgeBase(settings.with_workspace(f"p-{corpus}")) as kb:
            kb.index([CORPORA[corpus]])
            strategy = confirmed_map(kb, maps[corpus] or [])
            for case in (c for c in rows if c.corpus == corpus):
                text = case.input["scenario"]
                shipped = [x.model_dump(mode="json")
                           for x in expose([Phrase(text, "scenario")], strategy, kb.embedder)]
                found = by_passages(kb.search(text, k=args.k), strategy, args.need)
                passages = [as_exposed(e) for e in found][:args.cap]
                have = {x["key"] for x in shipped}
                scored = [x for x in shipped if x["kind"] in SCORED]
                topped = shipped + [x for x in passages if x["key"] not in have][
                    :max(0, args.cap - len(scored))]
                ref = list(case.reference or [])
                for name, got in (("shipped", shipped), ("passages", passages),
                                  ("topped", topped)):
                    h, s, w, missed, extra = _score(got, strategy, ref)
                    t = tally[name]
                    t[0], t[1], t[2] = t[0] + h, t[1] + s, t[2] + w
                    if args.verbose and name != "shipped":
                        print(f"{case.id} {name}: {h}/{w}, {s} shown; missed {missed}; "
                              f"extra {extra}")
        for name, (h, s, w) in tally.items():
            print(f"{corpus} {name}: precision {h}/{s}, recall {h}/{w}")


if __name__ == "__main__":
    main()
