"""The alignment check's second design: decisive only on evidence, else needs_review.

`decide` is code over a first-design report and the strategy map, so these tests build both
by hand (no model); the CLI test runs the whole check with the fake model, which drives the
code path and judges nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.alignment.budgets import stated_draw
from assistant.alignment.evidence import decide, trace_krs
from assistant.alignment.report import AlignmentReport, ElementFinding, ProposalAspects
from assistant.cli.main import app
from assistant.core.config import Settings
from assistant.core.errors import InputError
from assistant.core.schemas import Citation
from assistant.db.engine import shared_database
from assistant.knowledge.base import KnowledgeBase
from assistant.strategy.build import build_map
from assistant.strategy.model import MapElement
from assistant.strategy.store import StrategyMap

from .conftest import SAMPLE

REFERRALS = ("Give every subscriber who refers a friend a free bag once the friend's second box "
             "ships. Goal: more new subscribers from referrals instead of paid advertising.")
HOCKEY = "Sponsor the Portland hockey team's jerseys for a season. Goal: brand awareness."


@pytest.fixture(scope="module")
def sample_map(tmp_path_factory: pytest.TempPathFactory) -> list[MapElement]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("evidence"), llm_provider="fake",
                        embeddings_provider="fake")
    with KnowledgeBase(settings) as kb:
        kb.index([SAMPLE])
        return build_map(kb)


def _confirmed(elements: list[MapElement]) -> list[MapElement]:
    return [e.model_copy(update={"status": "confirmed"}) for e in elements]


def _report(title: str, goals: list[str], findings: list[ElementFinding] | None = None
            ) -> AlignmentReport:
    aspects = ProposalAspects(title=title, goals=goals, actions=[], audience="", resources="",
                              timeline="", perspectives=[])
    return AlignmentReport(proposal_title=title, verdict="aligned", score=85,
                           confidence="low", aspects=aspects, findings=findings or [])


def _pods_finding(elements: list[MapElement]) -> ElementFinding:
    pods = next(e for e in elements if e.title == "No pods or capsules")
    cite = pods.citations[0]
    return ElementFinding(element=pods.title, kind="non-goal", statement=cite.quote,
                          stance="conflicts", reason="It sells capsules.",
                          proposal_evidence="aluminium capsules", citations=[Citation(
                              chunk_id=cite.chunk_id, document=cite.document,
                              section=cite.section, quote=cite.quote)])


def test_a_proposal_aiming_at_a_confirmed_krs_metric_is_aligned_and_names_it(
        sample_map: list[MapElement]) -> None:
    review = decide(_report("Referral rewards", ["more new subscribers from referrals"]),
                    REFERRALS, _confirmed(sample_map))
    assert review.verdict == "aligned" and review.trace is not None
    assert "referrals" in review.trace.title and "Traces to the confirmed key result" in \
        review.basis
    unconfirmed = decide(_report("Referral rewards", ["more new subscribers from referrals"]),
                         REFERRALS, sample_map)
    assert unconfirmed.verdict == "needs_review"  # an unconfirmed map decides nothing
    assert any("confirm" in q.lower() for q in unconfirmed.questions)


def test_a_proposal_serving_no_kr_needs_review_with_questions_not_a_verdict(
        sample_map: list[MapElement]) -> None:
    supports = ElementFinding(element="Pillar 1", kind="goal", statement="s", stance="supports",
                              reason="The model says it supports subscriptions.")
    review = decide(_report("Hockey", ["brand awareness"], [supports]), HOCKEY,
                    _confirmed(sample_map))
    assert review.verdict == "needs_review" and review.trace is None
    assert review.questions[0].startswith("Which key result will this move")
    assert "--serves" in review.questions[0]
    assert any("budget" in q for q in review.questions)  # the proposal names no cost
    assert review.evidence_for and "supports subscriptions" in review.evidence_for[0]
    assert "budget" in review.questions[-1]  # no planned initiative is close: the budget line


def test_a_needs_review_report_asks_about_the_closest_value_and_a_close_plan(
        sample_map: list[MapElement]) -> None:
    """What the rules cannot read (a value broken in other words, a duplicate told in other
    words) is asked, with the passage; the evidence is made in code, not the model's say."""
    value = ElementFinding(element="Traceable or not at all", kind="value",
                           statement="We only buy green coffee we can trace to a named farm.",
                           stance="neutral", reason="Not asked", similarity=0.55)
    plan = ElementFinding(element="Priority 1: Subscriber retention", kind="initiative",
                          statement="Launch the pause instead of cancel option.",
                          stance="neutral", reason="Not asked", similarity=0.62)
    far = ElementFinding(element="Pillar 4", kind="goal", statement="Careers in coffee.",
                         stance="neutral", reason="Not asked", similarity=0.31)
    review = decide(_report("Skip a box", ["fewer cancellations"], [value, plan, far]),
                    HOCKEY, _confirmed(sample_map))
    assert review.verdict == "needs_review" and len(review.questions) == 3
    assert "Traceable or not at all" in review.questions[1] and "misaligned" in \
        review.questions[1]
    assert "pause instead of cancel" in review.questions[2]
    assert review.evidence_for[0].startswith("closest initiative “Priority 1")
    assert not any("Not asked" in e for e in review.evidence_for + review.evidence_against)
    plan.similarity = 0.4  # not close enough to ask: the budget line instead
    again = decide(_report("Skip a box", ["fewer cancellations"], [value, plan, far]),
                   HOCKEY, _confirmed(sample_map))
    assert "budget" in again.questions[2]


def test_the_managers_answer_decides_it(sample_map: list[MapElement]) -> None:
    confirmed = _confirmed(sample_map)
    named = decide(_report("Hockey", ["brand awareness"]), HOCKEY, confirmed,
                   serves="farms-famous:kr1")
    assert named.verdict == "aligned" and named.trace is not None and named.trace.by_manager
    over = decide(_report("Hockey", ["brand awareness"]), HOCKEY, confirmed,
                  serves="farms-famous:kr1", budget=200_000, department="Marketing")
    assert over.verdict == "partially_aligned" and "$150,000" in over.basis
    with pytest.raises(InputError, match="no confirmed key result"):
        decide(_report("Hockey", []), HOCKEY, confirmed, serves="no-such-kr")


def test_the_managers_value_and_duplicate_answers_decide_it(sample_map: list[MapElement]
                                                            ) -> None:
    """--breaks a confirmed value or non-goal: misaligned, by the manager; --repeats a planned
    initiative: partially aligned; a rule that fired still decides first; a key that names
    nothing confirmed is an input error, not a silent verdict."""
    confirmed = _confirmed(sample_map)
    value = next(e for e in confirmed if e.title == "Traceable or not at all")
    broken = decide(_report("Broker blend", []), HOCKEY, confirmed, breaks=value.key)
    assert broken.verdict == "misaligned" and "Traceable or not at all" in broken.basis
    plan = next(e for e in confirmed if e.kind == "initiative" and "refillable" in e.title)
    repeated = decide(_report("Tins", []), HOCKEY, confirmed, repeats="refillable-tins")
    assert repeated.verdict == "partially_aligned" and plan.title in repeated.basis
    pods = decide(_report("Capsules", [], [_pods_finding(sample_map)]), HOCKEY, confirmed,
                  repeats=plan.key)
    assert pods.verdict == "misaligned" and "No pods or capsules" in pods.basis
    with pytest.raises(InputError, match="--breaks: no confirmed element"):
        decide(_report("Hockey", []), HOCKEY, confirmed, breaks="no-such-value")
    with pytest.raises(InputError, match="--repeats"):  # a value is no planned initiative
        decide(_report("Hockey", []), HOCKEY, confirmed, repeats=value.key)


def test_the_questions_name_the_maps_closest_value_and_plan_with_keys_real_minilm(
        sample_map: list[MapElement]) -> None:
    """Real MiniLM: a proposal close to a running initiative is asked whether it repeats it,
    with the key `--repeats` takes; the closest value is asked with the key `--breaks` takes."""
    from assistant.core.config import Settings as RealSettings
    from assistant.knowledge.embeddings import build_embedder

    text = ("Create a seasonal coffee with each of twelve partner cafés, with the café's name "
            "and ours together on the label.")
    review = decide(_report("Joint blends", ["labels both names"]), text, _confirmed(sample_map),
                    embedder=build_embedder(RealSettings()))
    assert review.verdict == "needs_review"
    plan = next(q for q in review.questions if q.startswith("Is it already planned"))
    assert "Co-branded seasonal blend" in plan and "--repeats initiative:" in plan
    assert any(q.startswith("Does it keep to the value") and "--breaks value:" in q
               for q in review.questions)


def test_a_rule_on_a_confirmed_non_goal_decides_misaligned(sample_map: list[MapElement]
                                                            ) -> None:
    finding = _pods_finding(sample_map)
    text = "Sell aluminium capsules. Goal: more new subscribers from referrals."
    decided = decide(_report("Capsules", ["more new subscribers from referrals"], [finding]),
                     text, _confirmed(sample_map))
    assert decided.verdict == "misaligned" and "No pods or capsules" in decided.basis
    unconfirmed = [e if e.title != "No pods or capsules" else e.model_copy(
        update={"status": "proposed"}) for e in _confirmed(sample_map)]
    asked = decide(_report("Capsules", [], [finding]), "Sell aluminium capsules.", unconfirmed)
    assert asked.verdict == "needs_review"
    assert any("Confirm “No pods or capsules”" in q for q in asked.questions)


def test_kr_tracing_ranks_by_the_share_of_the_krs_words(sample_map: list[MapElement]) -> None:
    krs = [e for e in sample_map if e.kind == "key_result"]
    ranked = trace_krs("reduce monthly subscriber churn", krs)
    assert "churn" in ranked[0].title and ranked[0].share >= 0.6
    assert trace_krs("a hockey sponsorship", krs)[0].share == 0.0


def test_the_manager_answer_loop_end_to_end_fake_model_proves_no_judgement(
        sample_settings: Settings, tmp_path: Path) -> None:
    with KnowledgeBase(sample_settings) as kb:
        smap = StrategyMap(shared_database(sample_settings), sample_settings.workspace)
        smap.save_build(build_map(kb))
    for e in smap.elements():
        smap.confirm(e.key)
    env = {"KEEL_DATA_DIR": str(sample_settings.data_dir), "KEEL_WORKSPACE": "sample",
           "KEEL_ALIGNMENT_VERDICTS": "evidence"}
    (tmp_path / "p.md").write_text(HOCKEY)
    runner = CliRunner()
    first = runner.invoke(app, ["check", str(tmp_path / "p.md"), "--json"], env=env)
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert report["verdict"] == "needs_review" and report["review"]["questions"]
    human = runner.invoke(app, ["check", str(tmp_path / "p.md")], env=env).stdout
    assert "Needs review — no score" in human and "Answer these to decide it" in human
    second = runner.invoke(app, ["check", str(tmp_path / "p.md"), "--json", "--serves",
                                 "farms-famous:kr1"], env=env)
    assert second.exit_code == 0, second.output
    decided = json.loads(second.stdout)
    assert decided["verdict"] == "aligned" and decided["confidence"] == "high"
    assert decided["review"]["trace"]["key"].endswith("make-our-farms-famous:kr1")
    third = runner.invoke(app, ["check", str(tmp_path / "p.md"), "--json", "--breaks",
                                "regulars-first"], env=env)
    assert third.exit_code == 0, third.output
    broken = json.loads(third.stdout)
    assert broken["verdict"] == "misaligned" and broken["confidence"] == "high"
    assert "The manager says it breaks the confirmed value “Regulars first”" in broken["basis"]


def test_the_evidence_design_asks_the_model_only_what_it_uses_fake_model(
        sample_settings: Settings) -> None:
    """Fake model (no judgement proved): in the second design the model reads the proposal and
    the non-goals only — goals, values and initiatives are never asked (a "needs review"
    report's evidence is made in code), nor the yes/no probabilities."""
    from assistant.alignment.check import check_proposal
    from assistant.llm.client import LLM

    settings = sample_settings.model_copy(update={"alignment_verdicts": "evidence"})
    ticks: list[str] = []
    with KnowledgeBase(settings) as kb:
        llm = LLM(settings)
        try:
            report = check_proposal(HOCKEY, kb, llm, lambda d, t, step: ticks.append(step),
                                    strategy=_confirmed(build_map(kb)))
        finally:
            llm.close()
    asked = [f for f in report.findings if f.kind not in ("non-goal",)
             and not f.reason.startswith("Not asked") and not f.limit_breach
             and not f.outside_focus]
    assert report.verdict == "needs_review" and not asked
    assert report.review is not None and report.review.evidence_for
    assert any(f.reason.startswith("Not asked") for f in report.findings)
    assert not any(step.startswith("Probability check") for step in ticks)
    assert all(f.p_helps is None for f in report.findings)


@pytest.mark.parametrize(("sentence", "forbidding"), [
    ("No discount deeper than 15% off list, no daily-deal sites.", True),
    ("We will not take more than 30 kg in a batch.", True),
    ("Growth is funded from profit and a bank credit line of up to $250,000.", False),
    ("Local independent grocers of up to three stores are welcome.", False),
    ("A credit line of no more than £1.2m.", False),
])
def test_a_limit_forbids_only_when_it_rules_something_out(sentence: str,
                                                         forbidding: bool) -> None:
    from assistant.alignment.evidence import forbids

    assert forbids(sentence) is forbidding


def _limit_finding(elements: list[MapElement], title: str, sentence: str) -> ElementFinding:
    cite = next(e for e in elements if e.title == title).citations[0]
    return ElementFinding(element=f"{title} (at most …)", kind="non-goal", statement=sentence,
                          stance="conflicts", reason="More than the stated limit.",
                          limit_breach=True, citations=[Citation(
                              chunk_id=cite.chunk_id, document=cite.document,
                              section=cite.section, quote=sentence)])


def test_beyond_what_a_non_goal_allows_is_partial_beyond_what_it_forbids_misaligned(
        sample_map: list[MapElement]) -> None:
    """A bigger credit line than "up to $250,000" strains the funding rule (the rubric's
    partially aligned); a deeper discount than "no discount deeper than 15%" breaks it."""
    confirmed = _confirmed(sample_map)
    credit = _limit_finding(sample_map, "No outside investors", "Growth is funded from profit "
                            "and a bank credit line of up to $250,000.")
    strained = decide(_report("Credit line", [], [credit]), HOCKEY, confirmed)
    assert strained.verdict == "partially_aligned" and "$250,000" in strained.basis
    discount = _limit_finding(sample_map, "No deep discounting", "No discount deeper than 15% "
                              "off list, no daily-deal sites, no \"buy one get one free\".")
    broken = decide(_report("Sale", [], [discount]), HOCKEY, confirmed)
    assert broken.verdict == "misaligned" and "15%" in broken.basis


@pytest.mark.parametrize(("sentence", "amount", "department"), [
    ("A film, $190,000 from marketing's discretionary budget in 2027.", 190_000, "Marketing"),
    ("Two agents at $75,000 a year from the customer service budget.", 75_000,
     "Customer service"),
    ("An agency at $14,000 a month for all of 2027, paid from Marketing's discretionary "
     "budget.", 168_000, "Marketing"),
])
def test_a_sum_the_proposal_draws_from_a_department_budget_is_read(
        sample_map: list[MapElement], sentence: str, amount: float, department: str) -> None:
    draw = stated_draw(f"Make something. {sentence} Goal: more.", sample_map)
    assert draw is not None and draw.amount == amount
    assert draw.department.lower() == department.lower() and draw.sentence == sentence


@pytest.mark.parametrize("sentence", [
    "An agency at $14,000 a month, paid from Marketing's discretionary budget.",  # how long?
    "A film for $190,000, paid by the credit line.",  # no department's budget
    "Marketing's budget pays for it.",  # no sum
])
def test_no_draw_is_read_without_a_sum_a_length_or_a_department(
        sample_map: list[MapElement], sentence: str) -> None:
    assert stated_draw(sentence, sample_map) is None


def test_a_stated_draw_beyond_the_departments_discretionary_budget_is_partial(
        sample_map: list[MapElement]) -> None:
    over = ("Commission a documentary about our farms, $190,000 from marketing's "
            "discretionary budget in 2027. Goal: make our farms famous.")
    review = decide(_report("Film", ["make our farms famous"]), over, _confirmed(sample_map))
    assert review.verdict == "partially_aligned" and "$150,000" in review.basis
    assert "the proposal: “Commission a documentary" in review.basis
    within = over.replace("$190,000", "$90,000")
    assert decide(_report("Film", ["make our farms famous"]), within,
                  _confirmed(sample_map)).verdict == "needs_review"
    unconfirmed = decide(_report("Film", ["make our farms famous"]), over, sample_map)
    assert unconfirmed.verdict == "needs_review"  # an unconfirmed limit decides nothing


def test_a_stated_goal_outranks_the_models_paraphrase_of_it(
        sample_map: list[MapElement]) -> None:
    """Spent blind6: the model's goals borrowed "online" from the proposal's action."""
    cookware = ("Add a section to the online shop selling cast-iron cookware. Goal: more "
                "revenue per website visit.")
    review = decide(_report("Cookware", ["increase online revenue"]), cookware,
                    _confirmed(sample_map))
    assert review.verdict == "needs_review" and review.trace is None
    unstated = cookware.split(" Goal:")[0]  # no goal of its own: the model's is read
    assert decide(_report("Cookware", ["increase online share of revenue"]), unstated,
                  _confirmed(sample_map)).verdict == "aligned"


def test_a_workspace_without_a_map_is_asked_to_build_one_first(
        sample_map: list[MapElement]) -> None:
    pods = ("Launch aluminium capsules for popular machines. Goal: revenue from pod owners.")
    review = decide(_report("Pods", ["revenue"], [_pods_finding(sample_map)]), pods, [])
    assert review.verdict == "needs_review"
    assert review.questions[0].startswith("This workspace has no strategy map yet")
    assert not any(q.startswith("Confirm") for q in review.questions)
    unconfirmed = decide(_report("Pods", ["revenue"], [_pods_finding(sample_map)]), pods,
                         sample_map)  # built, not confirmed: confirm what the rule found
    assert any(q.startswith("Confirm “No pods or capsules”") for q in unconfirmed.questions)


def test_a_stated_goal_lying_wholly_within_a_long_kr_traces_to_it(
        sample_map: list[MapElement]) -> None:
    """A survey benchmark KR has many words; a stated goal made only of its words traces to it
    (three words at least); a goal with a word the KR lacks, or too few words, does not."""
    cite = next(e for e in sample_map if e.kind == "key_result").citations[0]
    survey = MapElement(
        key="key_result:recommend", kind="key_result", status="confirmed", citations=[cite],
        title="50% or more of partner survey respondents report being likely to recommend us",
        metric="50% or more of partner satisfaction survey respondents report being Likely or "
               "Very Likely to recommend Tidewater to others")
    strategy = [*_confirmed(sample_map), survey]
    ask = "Halfway through each delivery, ask the café what would make them recommend us."
    review = decide(_report("Mid-way question", ["ask cafés"]),
                    f"{ask} Goal: more partners likely to recommend Tidewater.", strategy)
    assert review.verdict == "aligned" and review.trace is not None
    assert review.trace.key == "key_result:recommend"
    for goal in ("Goal: partners likely to recommend Tidewater on social media.",
                 "Goal: recommend Tidewater."):
        other = decide(_report("Mid-way question", ["ask cafés"]), f"{ask} {goal}", strategy)
        assert other.trace is None or other.trace.key != "key_result:recommend"
