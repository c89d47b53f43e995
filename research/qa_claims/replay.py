"""Replay the claim and rarest-word checks (`knowledge/claims.py`) on recorded QA answers.

Spent blind sets only (`evals/reports/qa-blind*/report.json`: their answers are recorded; all
nine sets are spent as of session 24 — an unrun set must never be added here). The
corpora are indexed into a temporary data directory with the real embeddings; each recorded
answer that was given (model-written or quoted) is put through the new checks as `settle`
would, and the outcome per row printed:
`python -m research.qa_claims.replay`. No model: declined answers stay declined.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from pathlib import Path

import yaml

from assistant.core.config import Settings
from assistant.knowledge.answer_checks import (
    asks_number,
    best_sentences,
    extractive,
    is_yes_no,
    number_held,
    unmentioned,
)
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.claims import names_someone, non_answer, rarest_stems, unsupported_claims
from assistant.knowledge.times import asks_when, states_time, years_held
from evals.cases import CORPORA

REPORTS = ("evals/reports/qa-blind/report.json", "evals/reports/qa-blind2/report.json",
           "evals/reports/qa-blind3/report.json", "evals/reports/qa-blind4/report.json",
           "evals/reports/qa-blind5/report.json", "evals/reports/qa-blind6/report.json",
           "evals/reports/qa-blind7/report.json", "evals/reports/qa-blind8/report.json",
           "evals/reports/qa-blind9/report.json")


def _questions() -> dict[str, str]:
    out = {}
    for path in Path("evals/datasets").glob("*_qa_kinds*.yaml"):
        for row in yaml.safe_load(path.read_text()) or []:
            out[row["id"]] = row["input"]["question"]
    return out


def outcome(question: str, answer: str, kb: KnowledgeBase) -> tuple[str, str]:
    """What `settle` would now make of a recorded answer (the second ask is not simulated:
    where it would happen, the quote or the decline that follows a failed second ask)."""
    hits = kb.search(question, k=5)
    missing = unmentioned(question, kb)
    topic = frozenset() if is_yes_no(question) else rarest_stems(question, kb)

    def names(sentence: str) -> bool:
        return names_someone(question, sentence, kb)

    def fallback(why: str) -> tuple[str, str]:
        if missing:
            return "declined", f"{why}; never mentions {missing}"
        found = extractive(question, best_sentences(question, hits, kb), hits, must_hold=topic,
                           names=names)
        return ("quoted", f"{why}: {found[0][:90]}") if found else ("declined", why)

    if answer.startswith("Your documents say") and is_yes_no(question):
        return "kept", ""  # a yes/no quote: the gate is unchanged (or it came from polarity)
    if answer.startswith("Your documents say"):
        return ("kept", "") if extractive(question, best_sentences(question, hits, kb), hits,
                                          must_hold=topic, names=names) else (
            "declined", "quote gate")
    if why := non_answer(question, answer, kb):
        return fallback(why)
    if asks_number(question) and not number_held(question, answer, hits,
                                                 missing):
        return "declined", "no number for this"
    cited = [hits[int(n) - 1] for n in re.findall(r"\[S(\d+)", answer) if int(n) <= len(hits)]
    if asks_when(question) and not states_time(answer):
        return "declined", "no date or time for this"
    docs = {h.doc_id for h in cited}
    if cited and not years_held(question, " ".join(f"{h.section} {h.text}" for h in hits
                                                   if h.doc_id in docs)):
        return "declined", "nothing for the year it asks about"
    if borrowed := unsupported_claims(question, answer, hits, missing):
        return fallback(f"borrowed {borrowed}")
    return "kept", ""


def main() -> None:
    questions = _questions()
    tally: Counter[tuple[str, str, str]] = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), llm_provider="fake")
        for corpus in ("sample", "18f"):
            with KnowledgeBase(settings.with_workspace(f"eval-{corpus}")) as kb:
                kb.index([CORPORA[corpus]])
                for path in REPORTS:
                    for case in json.loads(Path(path).read_text())["cases"]:
                        if case["corpus"] != corpus or not case.get("answered"):
                            continue
                        q = questions[case["id"]]
                        new, why = outcome(q, case["answer"], kb)
                        was = "right" if (case["kind"] != "absent" and case.get("correct")) \
                            else "absent" if case["kind"] == "absent" else "wrong"
                        tally[(case["kind"], was, new)] += 1
                        if new != "kept" or case["kind"] == "absent":
                            print(f"{case['id']} [{case['kind']}, was {was}] -> {new}: {q} | {why}")
    for key, n in sorted(tally.items()):
        print(key, n)


if __name__ == "__main__":
    main()
