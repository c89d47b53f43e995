"""Check-ins, progress and grades: numbers computed in code, stored in the database."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.core.config import Settings
from assistant.core.errors import InputError
from assistant.db.engine import shared_database
from assistant.knowledge.base import KnowledgeBase
from assistant.review.checkins import (
    CheckIn,
    CheckInStore,
    read_checkins_csv,
    seed_sample_checkins,
    statuses,
)
from assistant.review.progress import grade, mean_progress, progress
from assistant.strategy.build import build_map
from assistant.strategy.store import StrategyMap

from .conftest import SAMPLE

CHURN = "objective:2026-Q4:company:make-subscribing-the-obvious-way-to-buy-tidewater:kr2"
SUBSCRIBERS = "objective:2026-Q4:company:make-subscribing-the-obvious-way-to-buy-tidewater:kr1"
GIFTS = "objective:2026-Q4:company:make-subscribing-the-obvious-way-to-buy-tidewater:kr3"
EXITS = "objective:2026-Q4:people:show-everyone-a-path-to-grow:kr2"
TODAY = date(2026, 11, 29)


@pytest.mark.parametrize(("baseline", "target", "current", "direction", "expected"), [
    (2200, 2600, 2455, "increase", 0.6375),
    (7.4, 6.0, 6.8, "decrease", 0.4286),  # a KR that should fall: direction-aware
    (7.4, 6.0, 7.9, "decrease", 0.0),  # moved the wrong way: clamped
    (70, 75, 80, "increase", 1.0),  # past the target: clamped
    (None, 400, 120, None, None),  # no baseline: ask the owner, never a guess
    (50, 100, None, "increase", None),  # no check-in yet
    (None, 38, 39, "at_least", 1.0),  # a floor held
    (None, 38, 37, "at_least", 0.0),
    (None, 20, 25, "at_most", 0.0),
])
def test_progress_is_direction_aware_clamped_and_never_guessed(
        baseline: float | None, target: float, current: float | None, direction: str | None,
        expected: float | None) -> None:
    got = progress(baseline, target, current, direction)
    assert got == (pytest.approx(expected, abs=1e-4) if expected is not None else None)


def test_grades_follow_the_krs_ambition() -> None:
    assert grade(0.7, "aspirational").verdict == "met"
    assert grade(0.7, "committed").verdict == "missed"
    assert grade(1.0, "committed").verdict == "met"
    assert grade(0.6375, None).value == 0.6
    assert grade(None, "committed").verdict == "ask the owner"
    assert mean_progress([0.5, None, 1.0]) == (0.75, 1)


@pytest.fixture
def sample(tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path / "data", workspace="sample", llm_provider="fake",
                        embeddings_provider="fake")
    with KnowledgeBase(settings) as kb:
        kb.index([SAMPLE])
        StrategyMap(shared_database(settings), "sample").save_build(build_map(kb))
    return settings


def test_the_sample_quarter_gives_the_numbers_a_review_needs(sample: Settings) -> None:
    assert seed_sample_checkins(sample) == 24
    assert seed_sample_checkins(sample) == 0  # once
    found = {s.kr.id: s for s in statuses(sample, "2026-Q4", today=TODAY)}
    assert len(found) == 11
    subscribers, churn, gifts, exits = (found[k] for k in (SUBSCRIBERS, CHURN, GIFTS, EXITS))
    assert subscribers.latest is not None and subscribers.latest.value == 2455
    assert subscribers.progress == pytest.approx(0.6375)
    assert subscribers.grade == 0.6 and subscribers.grade_verdict == "projected"
    assert churn.progress == pytest.approx((6.9 - 7.4) / (6.0 - 7.4))
    assert churn.latest is not None and churn.latest.confidence == "off_track"
    assert gifts.progress is None and gifts.grade_verdict == "ask the owner"
    assert exits.stale and exits.days_since == 19 and not subscribers.stale
    late = {s.kr.id: s for s in statuses(sample, "2026-Q4", today=date(2027, 1, 5))}
    assert late[SUBSCRIBERS].grade_verdict == "missed"  # after the deadline: met or missed
    assert {s.kr.department for s in statuses(sample, "2026-Q4", "people", TODAY)} == {"People"}


def test_a_csv_with_bad_rows_names_each_and_saves_nothing(sample: Settings,
                                                         tmp_path: Path) -> None:
    store = CheckInStore(sample)
    mixed = ("kr_id,value,confidence,note,date\n"
             f"{CHURN},6.7,at risk,better,2026-11-28\n"
             f"{CHURN},six,on_track,,2026-11-28\n"
             f"{SUBSCRIBERS},2500,maybe,,2026-11-28\n"
             f"{SUBSCRIBERS},2500,green,,28/11/2026\n")
    with pytest.raises(InputError) as error:
        read_checkins_csv(mixed.encode())
    message = str(error.value)
    assert "3 of 4 row(s)" in message
    assert "line 3: value 'six'" in message and "line 4: confidence 'maybe'" in message
    assert "line 5: date '28/11/2026'" in message and "line 2" not in message
    assert store.count() == 0
    unknown = read_checkins_csv(f"kr_id,value,confidence\nno-such-kr,1,on_track\n{CHURN},6.6,"
                                "red\n".encode())
    with pytest.raises(InputError, match="row 1: no tracked key result 'no-such-kr'"):
        store.add_many(unknown)
    assert store.count() == 0  # the good second row was not saved either
    good = tmp_path / "good.csv"
    good.write_text(f"KR,Current value,Status,Notes,By,Date\n{CHURN},6.6%,Amber,pause live,"
                    "CX lead,2026-11-28\n", encoding="utf-8")
    env = {"KEEL_DATA_DIR": str(sample.data_dir), "KEEL_WORKSPACE": "sample",
           "KEEL_EMBEDDINGS_PROVIDER": "fake", "KEEL_LLM_PROVIDER": "fake"}
    result = CliRunner().invoke(app, ["checkin", "--import", str(good)], env=env)
    assert result.exit_code == 0, result.output
    latest = store.history(CHURN)[-1]
    assert (latest.value, latest.confidence, latest.author) == (6.6, "at_risk", "CX lead")


def test_cli_checkin_by_part_of_the_id_and_clear_errors(sample: Settings) -> None:
    env = {"KEEL_DATA_DIR": str(sample.data_dir), "KEEL_WORKSPACE": "sample",
           "KEEL_EMBEDDINGS_PROVIDER": "fake", "KEEL_LLM_PROVIDER": "fake"}
    runner = CliRunner()
    ok = runner.invoke(app, ["checkin", "farms-famous:kr1", "--value", "15", "--confidence",
                             "on_track", "--note", "done", "--date", "2026-11-28"], env=env)
    assert ok.exit_code == 0, ok.output
    listed = json.loads(runner.invoke(app, ["checkins", "-p", "2026-Q4", "-d", "Marketing",
                                            "--json"], env=env).stdout)
    row = next(k for k in listed["key_results"] if k["kr"]["id"].endswith("famous:kr1"))
    assert row["progress"] == 1.0 and row["latest"]["note"] == "done"
    assert "baseline" in listed["progress_formula"]
    for args, message in (
            (["checkin", "kr1", "--confidence", "on_track"], "matches"),
            (["checkin", "nothing-like-it", "--confidence", "on_track"], "No tracked key"),
            (["checkin", "farms-famous:kr1", "--confidence", "fine"], "--confidence is one"),
            (["checkin", "farms-famous:kr1", "--confidence", "on_track", "--date", "2099-01-01"],
             "in the future")):
        result = runner.invoke(app, args, env=env)
        assert result.exit_code != 0 and message in result.output, (args, result.output)


def test_check_ins_survive_a_restart_and_two_writers_at_once_are_both_kept(
        sample: Settings) -> None:
    store = CheckInStore(sample)
    errors: list[BaseException] = []

    def write(value: float) -> None:
        try:
            CheckInStore(sample).add(CheckIn(kr_id=CHURN, value=value, confidence="at_risk",
                                             at=TODAY), today=TODAY)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(v,)) for v in (6.5, 6.4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sorted(c.value or 0 for c in store.history(CHURN)) == [6.4, 6.5]
    fresh = subprocess.run(  # another process, reading the file the first one wrote
        [sys.executable, "-m", "assistant.cli.main", "checkins", "-p", "2026-Q4", "--json"],
        env={"KEEL_DATA_DIR": str(sample.data_dir), "KEEL_WORKSPACE": "sample",
             "KEEL_EMBEDDINGS_PROVIDER": "fake", "KEEL_LLM_PROVIDER": "fake",
             "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=120, check=True)
    rows = {k["kr"]["id"]: k for k in json.loads(fresh.stdout)["key_results"]}
    assert rows[CHURN]["checkins"] == 2


@pytest.mark.postgres
def test_check_ins_live_in_postgresql_by_url(postgres_server: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", workspace="pg-checkins",
                        embeddings_provider="fake", llm_provider="fake",
                        database_url=SecretStr(postgres_server))
    with KnowledgeBase(settings) as kb:
        kb.index([SAMPLE])
        StrategyMap(shared_database(settings), settings.workspace).save_build(build_map(kb))
    assert seed_sample_checkins(settings) == 24
    assert len(CheckInStore(settings).history(CHURN)) == 4
    assert CheckInStore(settings.with_workspace("pg-other")).count() == 0


def test_checkins_tab_shows_the_quarter_and_records_a_check_in(sample: Settings) -> None:
    import gradio as gr

    from assistant.ui.checkins_tab import CHECKIN_HEADERS, checkins_view, record_checkin
    from assistant.ui.services import Services

    seed_sample_checkins(sample)
    services = Services(sample)
    try:
        summary, chart, rows, _ = checkins_view(services, "sample", "2026-Q4", today=TODAY)
        assert "11 key results** — 5 on track, 4 at risk, 2 off track; 2 stale" in summary
        assert chart is not None and len(rows) == 11
        churn = next(dict(zip(CHECKIN_HEADERS, r, strict=True)) for r in rows if r[-1] == CHURN)
        assert (churn["latest"], churn["confidence"], churn["progress"]) == (6.9, "off_track",
                                                                            "36%")
        with pytest.raises(gr.Error, match="Pick a confidence"):
            record_checkin(services, "sample", "2026-Q4", "", CHURN, 6.5, None, "", "")
        summary, _, rows, _ = record_checkin(services, "sample", "2026-Q4", "", CHURN, 6.5,
                                             "at_risk", "pause option live", "Ana")
        assert "Checked in" in summary
        churn = next(dict(zip(CHECKIN_HEADERS, r, strict=True)) for r in rows if r[-1] == CHURN)
        assert churn["latest"] == 6.5 and churn["note"] == "pause option live"
    finally:
        services.close()


def test_the_review_pack_holds_the_quarters_numbers_and_decisions(sample: Settings,
                                                                 tmp_path: Path) -> None:
    from assistant.alignment.report import AlignmentReport
    from assistant.alignment.store import CheckStore
    from assistant.review.pack import build_pack, pack_html, pack_markdown

    seed_sample_checkins(sample)
    CheckStore(sample).save(AlignmentReport(proposal_title="Compostable pods",
                                            verdict="misaligned", score=5, confidence="high"))
    with KnowledgeBase(sample) as kb:
        pack = build_pack(sample, "2026-Q4", today=TODAY, kb=kb)
    assert [s.kr.id for s in pack.off_track] == [CHURN, EXITS]
    assert len(pack.at_risk) == 4 and len(pack.stale) == 2
    subscribing = "Make subscribing the obvious way to buy Tidewater"
    assert pack.objectives[subscribing] == pytest.approx((0.6375 + 0.5 / 1.4) / 2)
    assert pack.checked[0].title == "Compostable pods" and pack.checked[0].verdict == "misaligned"
    assert any("churn" in d and "committed KR off track" in d for d in pack.decisions)
    assert any("400 gift subscriptions" in d and "no baseline" in d for d in pack.decisions)
    assert not pack.changed_sources
    text = pack_markdown(pack)
    assert "now 6.9% on 2026-11-26 (off_track); progress 36%, grade 0.4 projected" in text
    assert "## Stale (2)" in text and "Compostable pods: misaligned" in text
    assert "SAMPLE DATA. Platform upgrade slipped" in text
    page = pack_html(pack, sample)
    assert page.count("data:image/png;base64,") == 2 and "<script" not in page
    assert "Reduce monthly subscriber churn" in page
    env = {"KEEL_DATA_DIR": str(sample.data_dir), "KEEL_WORKSPACE": "sample",
           "KEEL_EMBEDDINGS_PROVIDER": "fake", "KEEL_LLM_PROVIDER": "fake"}
    out = tmp_path / "review.html"
    result = CliRunner().invoke(app, ["review", "-p", "2026-Q4", "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("<!doctype html>")
    bad = CliRunner().invoke(app, ["review", "-p", "2026-Q4", "--out", "x.pdf"], env=env)
    assert bad.exit_code == 1 and ".md or .html" in bad.output


def test_a_kr_citing_a_changed_passage_is_a_decision_in_the_pack(tmp_path: Path) -> None:
    import shutil

    from assistant.review.pack import build_pack

    corpus = tmp_path / "knowledge"
    shutil.copytree(SAMPLE, corpus)
    settings = Settings(data_dir=tmp_path / "data", workspace="changed", llm_provider="fake",
                        embeddings_provider="fake")
    with KnowledgeBase(settings) as kb:
        kb.index([corpus])
        StrategyMap(shared_database(settings), "changed").save_build(build_map(kb))
        page = corpus / "okrs-2026-q4.md"
        page.write_text(page.read_text().replace("from 7.4% to 6.0%", "from 7.4% to 5.5%"))
        kb.index([corpus])
        pack = build_pack(settings, "2026-Q4", today=TODAY, kb=kb)
    assert CHURN in pack.changed_sources
    assert any("cites a passage that changed" in d and "churn" in d for d in pack.decisions)


@pytest.mark.parametrize(("message", "task"), [
    ("How are we doing on churn?", "progress"),
    ("what's at risk in Q4?", "progress"),
    ("Is the referral share on track?", "progress"),
    ("Draft Q1 OKRs for Marketing", "draft_okrs"),
    ("What will we not do?", "qa"),
])
def test_progress_questions_are_routed_to_the_check_ins(message: str, task: str) -> None:
    from assistant.core.intents import route

    assert route(message, ["Marketing", "Sales"], TODAY).task == task


def test_progress_questions_are_answered_from_check_ins_with_dates(sample: Settings) -> None:
    from assistant.review.answers import progress_answer

    assert "no check-ins in any period yet" in progress_answer(sample, "how is churn going?",
                                                             TODAY)
    seed_sample_checkins(sample)
    churn = progress_answer(sample, "How are we doing on churn?", TODAY)
    assert "Reduce monthly subscriber churn" in churn
    assert "6.9% on 2026-11-26 (off track); baseline 7.4% → target 6%: progress 36%" in churn
    assert "Platform upgrade slipped to January" in churn and "not written by the model" in churn
    assert "active subscribers" not in churn.lower().split("note")[0]
    risky = progress_answer(sample, "What's at risk in Q4?", TODAY)
    assert "6 key results in 2026-Q4 are off track or at risk" in risky
    assert risky.index("exit interviews") < risky.index("Grow active subscribers")  # off first
    assert "No check-in for 19 days" in risky
    none = progress_answer(sample, "how are we doing on unicorns?", TODAY)
    assert "matches those words" in none and "2 off track" in none


def test_the_chat_answers_a_progress_question_from_check_ins(sample: Settings) -> None:
    from assistant.ui.chat import chat_turn
    from assistant.ui.services import Services

    seed_sample_checkins(sample)
    services = Services(sample)
    try:
        *_, (history, _, _) = chat_turn(services, "How are we doing on churn?", [], {}, "sample")
    finally:
        services.close()
    reply = str(history[-1]["content"])
    assert "Reduce monthly subscriber churn" in reply and "(off track)" in reply


def test_check_ins_import_from_an_excel_workbook_with_percent_and_date_cells(
        sample: Settings, tmp_path: Path) -> None:
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["KR", "Value", "Status", "Notes", "Date"])
    sheet.append([CHURN, 0.066, "amber", "pause option live", datetime(2026, 11, 28)])
    sheet["B2"].number_format = "0.0%"
    sheet.append([])  # a blank row is skipped
    sheet.append([SUBSCRIBERS, 2480, "on track", "", datetime(2026, 11, 28)])
    path = tmp_path / "team.xlsx"
    book.save(path)
    rows = read_checkins_csv(path.read_bytes(), path.name)
    assert [(r.kr_id, r.value, r.confidence, r.at) for r in rows] == [
        (CHURN, pytest.approx(6.6), "at_risk", date(2026, 11, 28)),
        (SUBSCRIBERS, 2480, "on_track", date(2026, 11, 28))]
    CheckInStore(sample).add_many(rows, today=TODAY)
    with pytest.raises(InputError, match=r"not a readable \.xlsx"):
        read_checkins_csv(b"PK\x03\x04garbage", "broken.xlsx")


def test_the_premortem_finds_each_krs_risks_in_the_data(sample: Settings) -> None:
    from assistant.review.premortem import premortem, premortem_markdown

    seed_sample_checkins(sample)
    items = {i.kr_id: i for i in premortem(sample, "2026-Q4", today=TODAY)}
    exits = " ".join(items[EXITS].risks)
    assert "Behind the straight line: 20% of the way with 65% of the period gone" in exits
    assert "Off track at the last check-in (2026-11-10)" in exits and "Stale" in exits
    assert any("No baseline" in r for r in items[GIFTS].risks)
    referrals = next(i for k, i in items.items() if k.endswith("make-our-farms-famous:kr1"))
    assert referrals.risks == []  # on track, measured, fresh: nothing invented
    text = premortem_markdown(list(items.values()), "2026-Q4")
    assert "No risk found in the data." in text and "not written by a model" in text
    env = {"KEEL_DATA_DIR": str(sample.data_dir), "KEEL_WORKSPACE": "sample",
           "KEEL_EMBEDDINGS_PROVIDER": "fake", "KEEL_LLM_PROVIDER": "fake"}
    result = CliRunner().invoke(app, ["premortem", "-p", "2026-Q4", "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 11
