"""The labelled sets of issue 25 (answerable, yes/no and absent questions) and the eval's judge
rule. The sets were written and pinned before the code they judge."""

import hashlib
from pathlib import Path

import pytest

from evals.cases import DATASETS, load_cases
from evals.task_qa import judge_answer, summarise_kinds

KINDS_SHA256 = {
    "sample_qa_kinds.yaml": "af15fe44034ba943bcd84224cc39ff435d3580f6e852b556d25d6ef4fdfdbe16",
    "18f_qa_kinds.yaml": "98e6a253e2a3bb59b0b17b0377a193d30990ea7e9babac32b06956d14d323add",
}


def test_the_qa_kinds_sets_are_pinned_and_their_blind_rows_out_of_every_default_run() -> None:
    for name, digest in KINDS_SHA256.items():
        assert hashlib.sha256((DATASETS / name).read_bytes()).hexdigest() == digest, name
    rows = [c for c in load_cases(include_blind=True) if "-qk-" in c.id]
    blind = [c for c in rows if c.metadata["split"] == "blind-qa"]
    assert len(blind) == 48 and len(rows) - len(blind) == 16
    for corpus in ("sample", "18f"):
        kinds = [c.reference["kind"] for c in blind if c.corpus == corpus]
        assert {k: kinds.count(k) for k in set(kinds)} == {
            "answerable": 8, "yes_no": 8, "absent": 8}
    assert all(c.reference["polarity"] in ("yes", "no") for c in rows
               if c.reference["kind"] == "yes_no")
    assert not [c for c in load_cases() if c.metadata.get("split") == "blind-qa"]


YES_NO = {"kind": "yes_no", "polarity": "no", "facts": [["three stores", "up to three"]]}
FACTS = {"kind": "answerable", "facts": [["250,000", "250k"], ["90,000"]]}


@pytest.mark.parametrize(("reference", "answer", "covered", "expected"), [
    (YES_NO, "No: grocers of up to three stores only. [S1]", True,
     {"declined": 0.0, "correct": 1.0, "inverted": 0.0}),
    (YES_NO, "Yes, local grocers are welcome. [S1]", True,
     {"declined": 0.0, "correct": 0.0, "inverted": 1.0}),
    (YES_NO, "Your documents say: grocers of up to three stores are welcome. [S1]", True,
     {"declined": 0.0, "correct": 1.0, "inverted": 0.0}),
    (YES_NO, "Not covered.", False, {"declined": 1.0, "correct": 0.0, "inverted": 0.0}),
    (FACTS, "The line is $250,000 and $90,000 is drawn [S2].", True,
     {"declined": 0.0, "correct": 1.0}),
    (FACTS, "The line is $250,000 [S2].", True, {"declined": 0.0, "correct": 0.0}),
    ({"kind": "absent"}, "The CEO is Dana Okafor [S1].", True,
     {"declined": 0.0, "correct": 0.0}),
    ({"kind": "absent"}, "The documents do not cover this.", False,
     {"declined": 1.0, "correct": 1.0}),
])
def test_the_judge_rule(reference, answer, covered, expected) -> None:
    assert judge_answer(reference, answer, covered) == expected


def test_summary_counts_false_and_true_not_covered_with_intervals() -> None:
    rows = [{"kind": "answerable", "declined": 1.0, "correct": 0.0},
            {"kind": "yes_no", "declined": 0.0, "correct": 1.0, "inverted": 0.0},
            {"kind": "absent", "declined": 1.0, "correct": 1.0},
            {"kind": "absent", "declined": 0.0, "correct": 0.0},
            {"kind": "answerable"}]  # no model answer (retrieval only): not judged
    summary = summarise_kinds(rows)
    assert summary["false_not_covered_n"] == [1, 2]
    assert summary["true_not_covered_n"] == [1, 2]
    assert summary["answer_correct"] == 0.5
    low, high = summary["true_not_covered_ci95"]
    assert 0 < low < 0.5 < high < 1


PINNED_BLIND_QA_SETS = [  # (hashes, id marker, split): each written before the design it judges
    ({"sample_qa_kinds2.yaml": "da3be3b49e2ab4b109d15bbfe9645348936e1db5c46ebe0f9df81f00e605ef92",
      "18f_qa_kinds2.yaml": "d1df7810439874824a759dc73de493c9495ecb8f2e3486818d956f51e15f3fc2"},
     "-qk2-", "blind-qa2"),
    ({"sample_qa_kinds3.yaml": "6f26657cb7777c35f83bfa9b92400988c7eec77b84695439db677ad4ad81c092",
      "18f_qa_kinds3.yaml": "968e0cbae055e32718a4f511db9b5d4125e479e82e70fee69994272fca2f67e6"},
     "-qk3-", "blind-qa3"),
    ({"sample_qa_kinds4.yaml": "dc6c908571782cb9ed61d4b6ade5ffbad2c2805552ce43de541baead57878d51",
      "18f_qa_kinds4.yaml": "c1811b5846b3ad443670dba4fbbf6f14e46c4faf23efe7793bd2476bbab8cf12"},
     "-qk4-", "blind-qa4"),
    ({"sample_qa_kinds5.yaml": "d76e0336683999f01a89f42468008a9f75981797151316dfe85d3d723ce3a403",
      "18f_qa_kinds5.yaml": "e02c023f78e0b47bb5a42ee3b1efa72a91bd7f3a554c408421a516020c779516"},
     "-qk5-", "blind-qa5"),
    ({"sample_qa_kinds6.yaml": "a7636283ad2d6cdcca7e16bc3010a722ab96077b07bb89de18cec553828db477",
      "18f_qa_kinds6.yaml": "5041ddceb2e359c7113187a0c65b35330620714a00fee9fadf2cc35868b93a5d"},
     "-qk6-", "blind-qa6"),
    ({"sample_qa_kinds7.yaml": "c804ce64875d4414e7436cfbfa65311dc79d33151600b128de8684a8e79e569e",
      "18f_qa_kinds7.yaml": "4efb167fd9718008a3e9191645464cbcec5ef93154064057e1e4019014bb8a13"},
     "-qk7-", "blind-qa7"),
    ({"sample_qa_kinds8.yaml": "4870ad3894d1343e65be61b49c958097f7d286c5d354b37c658a8f6e5ce32903",
      "18f_qa_kinds8.yaml": "5b2d6bc004f4f48f9b1975c8665733542069045dacc8fb0f9e2f0916dbde45f8"},
     "-qk8-", "blind-qa8"),
    ({"sample_qa_kinds9.yaml": "7742d07cb089d4ba319650e36c3e8049b8b29735791c789eb16c6ed78b889c7b",
      "18f_qa_kinds9.yaml": "b3bb4370737cfa84b454bf636d4f665ccb82965bb858b2c818aa66f31436dd3a"},
     "-qk9-", "blind-qa9"),
    ({"sample_qa_kinds10.yaml": "b5d74684b1ed684956c4734e09a05cfba192ad2a37ff63cccd8015ebff86e5e8",
      "18f_qa_kinds10.yaml": "4101c4f42f96e82a7b88fd484bbf8be9dd167162deff6f4f553b9f169d8cedf2"},
     "-qk10-", "blind-qa10"),
]


@pytest.mark.parametrize(("hashes", "marker", "split"), PINNED_BLIND_QA_SETS,
                         ids=lambda v: v if isinstance(v, str) and v.startswith("blind") else "")
def test_later_blind_qa_sets_are_pinned_and_out_of_every_default_run(
        hashes: dict[str, str], marker: str, split: str) -> None:
    """The second (written after the first was spent), third (session 18, after the second
    was), fourth (session 20, after the third was), fifth (session 22, after the fourth
    was), sixth, seventh and eighth (session 23), ninth and tenth (session 24), each after the
    one before was: run only with `--split <split>`, once, with the design they judge."""
    for name, digest in hashes.items():
        assert hashlib.sha256((DATASETS / name).read_bytes()).hexdigest() == digest, name
    rows = [c for c in load_cases(include_blind=True) if marker in c.id]
    assert {c.metadata["split"] for c in rows} == {split} and len(rows) == 48
    for corpus in ("sample", "18f"):
        kinds = [c.reference["kind"] for c in rows if c.corpus == corpus]
        assert {k: kinds.count(k) for k in set(kinds)} == {
            "answerable": 8, "yes_no": 8, "absent": 8}
        assert all(c.reference_chunks for c in rows
                   if c.corpus == corpus and c.reference["kind"] != "absent")
    assert not [c for c in load_cases() if c.metadata.get("split") == split]


REAL_OKR_SETS = [
    ("realokrs_qa_kinds11.yaml", "qk11", "blind-qa11",
     "ae6a0994c15e12fe7f4219f0ae2be75e28e59fc87fb5675c5fb57af0a3eefc16"),
    ("realokrs_qa_kinds12.yaml", "qk12", "blind-qa12",
     "705a6ec2f44bd75745b0137a10ebce556b1c23f8ce66210310168c7b10a43e1e"),
    ("realokrs_qa_kinds13.yaml", "qk13", "blind-qa13",
     "cebabccd816a9bbd6c70cef50ffcfe15e8321f2d1c7b8997691fa4ea1212af01"),
    ("realokrs_qa_kinds14.yaml", "qk14", "blind-qa14",
     "d506b745929001b4912664efddb1149d9d29fe1bf29c889acf57afa5a60711a1"),
    ("realokrs_qa_kinds15.yaml", "qk15", "blind-qa15",
     "49eb638b23e63e38e299ed88c75d1ca22af6f1ea7d41460ced4ea93b41de98f2"),
    ("realokrs_qa_kinds16.yaml", "qk16", "blind-qa16",
     "3d21d239e29b441227a1b5061b0c6fa01df72c0be1db1a60b0635e83d83ea0a5"),
]


@pytest.mark.parametrize(("name", "tag", "split", "digest"), REAL_OKR_SETS)
def test_the_blind_qa_sets_on_the_real_okr_pages_are_pinned(
        tmp_path: Path, name: str, tag: str, split: str, digest: str) -> None:
    """Session 30 (eleventh), 31 (twelfth to fourteenth), 32 (fifteenth, sixteenth): 24 each
    over the twelve real OKR pages (a third corpus, after ten sets had used most facts of the
    other two), each run only with its `--split`, once. Every reference chunk is one the eval's
    own indexing of those pages produces, so hit@5 counts."""
    from assistant.core.config import Settings
    from assistant.knowledge.base import KnowledgeBase
    from evals.cases import corpus_paths

    assert hashlib.sha256((DATASETS / name).read_bytes()).hexdigest() == digest
    rows = [c for c in load_cases(include_blind=True) if f"-{tag}-" in c.id]
    assert {c.metadata["split"] for c in rows} == {split} and len(rows) == 24
    assert {c.corpus for c in rows} == {"real-okrs"}
    kinds = [c.reference["kind"] for c in rows]
    assert {k: kinds.count(k) for k in set(kinds)} == {"answerable": 8, "yes_no": 8, "absent": 8}
    assert not [c for c in load_cases() if c.metadata.get("split") == split]
    pages = corpus_paths("real-okrs")
    assert len(pages) == 12 and not [p for p in pages if p.name.startswith(("README", "SOURCES"))]
    settings = Settings(data_dir=tmp_path, workspace="okrs", llm_provider="fake",
                        embeddings_provider="fake")
    with KnowledgeBase(settings) as kb:
        kb.index(pages)
        wanted = [cid for c in rows for cid in c.reference_chunks]
        found = kb.get_chunks(wanted)
    assert len(wanted) >= 16 and set(found) == set(wanted)
