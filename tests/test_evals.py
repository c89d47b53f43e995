import json

import pytest

from assistant.config import Settings
from assistant.fake_model import ScriptedChatModel
from assistant.llm import LLM
from evals.cases import load_cases
from evals.metrics import retrieval_scores
from evals.runner import BASELINE, compare, run_suite


def test_datasets_validate_and_are_big_enough() -> None:
    cases = load_cases()
    qa = [c for c in cases if c.task == "qa"]
    assert len([c for c in qa if c.corpus == "sample"]) >= 30
    assert len([c for c in qa if c.corpus == "18f"]) >= 15
    assert all(c.reference_chunks and c.metadata.get("license") for c in qa)


def test_reference_chunks_exist_in_the_indexed_corpora(settings: Settings) -> None:
    from assistant.knowledge import KnowledgeBase
    from evals.cases import CORPORA

    for corpus in ("sample", "18f"):
        with KnowledgeBase(settings.with_workspace(f"ref-{corpus}")) as kb:
            kb.index([CORPORA[corpus]])
            wanted = {cid for c in load_cases() if c.corpus == corpus
                      for cid in c.reference_chunks}
            assert set(kb.get_chunks(sorted(wanted))) == wanted


@pytest.mark.parametrize(("retrieved", "relevant", "expected"), [
    (["a", "b", "c"], ["b"], {"hit_at_k": 1.0, "mrr": 0.5, "context_precision": 1 / 3,
                              "context_recall": 1.0}),
    (["a", "b"], ["x", "y"], {"hit_at_k": 0.0, "mrr": 0.0, "context_precision": 0.0,
                              "context_recall": 0.0}),
    (["x", "a", "y"], ["x", "y"], {"hit_at_k": 1.0, "mrr": 1.0, "context_precision": 2 / 3,
                                   "context_recall": 1.0}),
])
def test_retrieval_scores(retrieved, relevant, expected) -> None:
    assert retrieval_scores(retrieved, relevant, k=3) == pytest.approx(expected)


def _baseline() -> dict:
    return json.loads(BASELINE.read_text())


def test_the_current_retriever_passes_the_gate(settings: Settings) -> None:
    report = run_suite(settings, only="qa")
    retrieval_only = {"metrics": {g: {k: v for k, v in m.items() if k in (
        "hit_at_k", "mrr", "context_recall", "context_precision")}
        for g, m in _baseline()["metrics"].items()}}
    assert compare(report, retrieval_only) == []


def test_a_broken_retriever_fails_the_gate(settings: Settings) -> None:
    report = run_suite(settings, k=0, only="qa")
    problems = compare(report, _baseline())
    assert any("hit_at_k" in p for p in problems)


def test_a_model_that_answers_garbage_fails_the_gate(settings: Settings) -> None:
    model = ScriptedChatModel(replies=["{not json, no citation [S42]"])
    report = run_suite(settings, only="qa", llm=LLM(settings, chat_model=model))
    problems = compare(report, _baseline())
    assert any("citation_validity" in p or "cites_reference" in p for p in problems)


def test_nan_counts_as_a_failure() -> None:
    baseline = {"metrics": {"sample.qa": {"hit_at_k": 0.9}}}
    report = {"metrics": {"sample.qa": {"hit_at_k": float("nan"), "errors": 0}}}
    assert compare(report, baseline)
