import socket
import threading
from pathlib import Path

import gradio as gr
import httpx
import pytest

from assistant.core.config import Settings
from assistant.core.errors import ConfigError, InputError
from assistant.goals.store import GoalStore
from assistant.ui.tabs import (
    batch_tab,
    check_tab,
    draft_tab,
    export_tab,
    fix_tab,
    read_tab,
    relint_tab,
    save_tab,
)
from assistant.ui.webapp import (
    Services,
    chat_turn,
    delete_document,
    launch,
    search_documents,
    serve,
    status_markdown,
    upload_documents,
)


@pytest.fixture
def services(sample_settings: Settings):
    s = Services(sample_settings)
    yield s
    s.close()


def test_chat_turn_streams_then_shows_expandable_citations(services: Services) -> None:
    steps = list(chat_turn(services, "Do we ship outside the United States?", []))
    assert len(steps) >= 3
    history, box, _ = steps[-1]
    assert box == "" and history[0] == {"role": "user",
                                        "content": "Do we ship outside the United States?"}
    sources = [m for m in history if m.get("metadata", {}).get("title", "").startswith("Source")]
    assert sources and "non-goals.md" in sources[0]["metadata"]["title"]


def test_chat_state_is_per_call_not_global(services: Services) -> None:
    first = list(chat_turn(services, "What are our values?", []))[-1][0]
    second = list(chat_turn(services, "What will we not do?", []))[-1][0]
    assert "values" not in str(second[0]["content"]).lower()
    assert first[0]["content"] != second[0]["content"]


def test_upload_list_search_delete(services: Services, tmp_path: Path) -> None:
    good = tmp_path / "pricing-policy.md"
    good.write_text("# Pricing policy\n\nWe never discount more than 15 percent. Canary QX-17.\n")
    bad = tmp_path / "payload.exe"
    bad.write_bytes(b"MZ")
    summary, table = upload_documents(services, [str(good), str(bad)])
    assert "uploads/pricing-policy.md" in summary and "payload.exe: unsupported type" in summary
    assert any(row[0] == "uploads/pricing-policy.md" for row in table)
    hits = search_documents(services, "Canary QX-17 discount")
    assert hits[0][1] == "uploads/pricing-policy.md"
    message, table = delete_document(services, "uploads/pricing-policy.md")
    assert "Deleted" in message and not any(r[0] == "uploads/pricing-policy.md" for r in table)


def test_non_loopback_bind_needs_authentication(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="without authentication"):
        launch(settings, host="0.0.0.0")


def test_app_serves_and_refuses_data_files(services: Services, tmp_path: Path) -> None:
    """The production server options (`serve`): the data directory, a model file kept
    elsewhere, traversal in its encoded variants and remote URLs are all refused, and a URL
    given to the file route is never fetched (a loopback server counts the attempts)."""
    import http.server
    import threading

    model = tmp_path / "models" / "my-model.gguf"
    model.parent.mkdir()
    model.write_bytes(b"GGUF secret weights")
    services.settings = services.settings.model_copy(update={"local_model_path": model})
    fetched: list[str] = []

    class Bait(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fetched.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"INTERNAL-BAIT-BODY")

        def log_message(self, *args: object) -> None:
            pass

    bait = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Bait)
    threading.Thread(target=bait.serve_forever, daemon=True).start()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    demo = serve(services, port=port, block=False)
    try:
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(base + "/", timeout=10).status_code == 200
        store = services.settings.workspace_dir / "chroma" / "chroma.sqlite3"
        internal = f"http://127.0.0.1:{bait.server_address[1]}/bait"
        probes = [str(store), str(model), "/etc/passwd", "../../etc/passwd",
                  "%2e%2e/%2e%2e/etc/passwd", "%252e%252e%252fetc%252fpasswd",
                  "..%2f..%2f..%2fetc%2fpasswd", "....//....//etc/passwd",
                  str(services.settings.data_dir) + "/../data/workspaces", internal,
                  "http://169.254.169.254/latest/meta-data"]
        for path in probes:
            for route in ("/gradio_api/file=", "/file=", "/gradio_api/proxy="):
                response = httpx.get(f"{base}{route}{path}", timeout=10)
                refused = (400, 403, 404) if route.endswith("proxy=") else (403, 404)
                assert response.status_code in refused, (route, path, response.status_code)
                assert b"INTERNAL-BAIT-BODY" not in response.content
                assert b"GGUF" not in response.content
        assert fetched == []  # nothing was fetched on the server's behalf
    finally:
        demo.close()
        bait.shutdown()


def _reply(history: list[dict]) -> str:
    """The assistant's main answer (citation messages carry metadata)."""
    return str([m for m in history if m["role"] == "assistant" and "metadata" not in m][-1][
        "content"])


def test_chat_drafts_okrs_as_a_card_with_badges(services: Services) -> None:
    history, _, _ = list(chat_turn(services, "Draft Q2 2027 OKRs for sales", []))[-1]
    card = _reply(history)
    assert "# Sales OKRs — 2027-Q2" in card and "KR1" in card
    assert "- [1] " in card and "[^" not in card and "**Checks**" in card
    sources = [m for m in history if m.get("metadata", {}).get("title", "").startswith("Source")]
    assert sources and sources[0]["content"].startswith("“")


PODS = ("Is this proposal aligned?\nLaunch a line of single-use coffee pods and capsules "
        "compatible with popular machines, sold online, to grow revenue quickly with people "
        "who only brew with pod machines. Budget $90,000 for a co-packer in 2027.")


def test_chat_follow_up_refines_the_last_draft_of_this_session(services: Services) -> None:
    history, _, state = list(chat_turn(services, "Draft Q2 2027 OKRs for sales", []))[-1]
    assert state["draft"]["department"] == "Sales"
    seen = [_reply(h) for h, _, _ in chat_turn(services, "make KR2 more ambitious", history,
                                                  state)]
    assert seen[1].startswith("Revising the Sales draft")
    assert "# Sales OKRs — 2027-Q2" in seen[-1]
    # another session (no state) gets an answer, not a revision of someone else's draft
    other = list(chat_turn(services, "make KR2 more ambitious", [], {}))[-1][0]
    assert "Revising" not in other[1]["content"]


def _confirm_sample_map(services: Services) -> None:
    """What the owner does once: the rules' map of the sample, every element confirmed (the
    default alignment design decides only from confirmed elements)."""
    from assistant.db.engine import shared_database
    from assistant.strategy.build import build_map
    from assistant.strategy.store import StrategyMap

    smap = StrategyMap(shared_database(services.settings_for("sample")), "sample")
    smap.save_build(build_map(services.kb_for("sample")))
    for e in smap.elements():
        smap.confirm(e.key)


def test_chat_checks_a_pasted_proposal(services: Services) -> None:
    history, _, _ = list(chat_turn(services, PODS, []))[-1]
    assert "Needs review" in _reply(history) and "no strategy map yet" in _reply(history)
    _confirm_sample_map(services)
    history, _, _ = list(chat_turn(services, PODS, []))[-1]
    assert "Misaligned" in _reply(history) and "No pods" in _reply(history)
    assert any(m.get("metadata", {}).get("title", "").startswith("Source 1:") for m in history)


def test_chat_in_an_empty_or_invalid_workspace_says_why_in_the_conversation(
        services: Services) -> None:
    reply = _reply(list(chat_turn(services, "What are our values?", [], {}, "empty-ws"))[-1][0])
    assert reply.startswith("⛔ **I could not finish this.**") and "no documents" in reply
    assert "empty-ws" in services.workspaces()
    reply = _reply(list(chat_turn(services, "What are our values?", [], {}, "../etc"))[-1][0])
    assert "lower-case" in reply


def test_goals_tab_draft_edit_fix_save_export(services: Services) -> None:
    state, rows, findings, _, summary = draft_tab(services, "sample", "Marketing", "2027-Q1",
                                                  2, "committed")
    assert "Marketing — 2027-Q1" in summary and len(rows) >= 4 and rows[0][8]
    rows[0][5] = "999"
    rows[0][3] = "Grow active subscribers to 999"
    state, rows, findings, _, summary = relint_tab(state, rows)
    assert rows[0][5] == 999.0 and state["draft"]["objectives"][0]["key_results"][0][
        "statement"] == "Grow active subscribers to 999"
    if findings:
        fixed = fix_tab(services, "sample", state, rows, f"0: {findings[0][1]}")
        assert "Asked the model to fix" in fixed[4]
    message = save_tab(services, "sample", state, rows)
    assert "Saved as" in message
    assert GoalStore(services.settings_for("sample")).list()[0].department == "Marketing"
    paths = export_tab(state, rows)
    assert [Path(p).suffix for p in paths] == [".md", ".csv", ".json"]
    assert "999" in Path(paths[0]).read_text()
    rows[0][5] = "lots"
    with pytest.raises(gr.Error, match="not a number"):
        relint_tab(state, rows)
    # new words alone: the numbers follow them, so the table and the statement agree
    rows[0][5], rows[0][3] = 999.0, "Grow active subscribers from 2,410 to 2,700"
    state, rows, findings, *_ = relint_tab(state, rows)
    assert (rows[0][4], rows[0][5]) == (2410.0, 2700.0)
    assert not [f for f in findings if f[1] == "K17"]
    # a number edited alone is the person's: the disagreement is shown, not resolved
    rows[0][5] = 2600.0
    state, rows, findings, *_ = relint_tab(state, rows)
    assert rows[0][5] == 2600.0 and [f for f in findings if f[1] == "K17"]


def test_alignment_tab_single_and_batch(services: Services, tmp_path: Path) -> None:
    _confirm_sample_map(services)
    card, figure, *_ = check_tab(services, "sample", PODS, None)
    assert "Misaligned" in card and figure.axes
    csv = tmp_path / "p.csv"
    csv.write_text('title,proposal\nPods,"' + PODS.replace("\n", " ") + '"\n')
    picture, table, summary = batch_tab(services, "sample", str(csv))
    assert Path(picture).read_bytes()[:4] == b"\x89PNG" and "misaligned 1" in summary
    assert "Pods,misaligned" in Path(table).read_text()
    with pytest.raises(gr.Error, match="empty"):
        check_tab(services, "sample", "  ", None)


def test_alignment_tab_answers_decide_a_needs_review_check_fake_proves_no_judgement(
        services: Services) -> None:

    _confirm_sample_map(services)
    hockey = "Sponsor the Portland hockey team's jerseys for a season. Goal: brand awareness."
    card, _, choices, values, plans = check_tab(services, "sample", hockey, None, None, None,
                                                9000.0, "Marketing")
    assert "Needs review" in card and "Which key result will this move" in card
    kr = next(k for k in choices["choices"] if k.endswith("make-our-farms-famous:kr1"))
    card, *_ = check_tab(services, "sample", hockey, None, None, kr, 9000.0, "Marketing")
    assert "Aligned" in card and "named by the manager" in card
    value = next(k for k in values["choices"] if k.startswith("value:"))
    card, *_ = check_tab(services, "sample", hockey, None, None, None, None, None, value)
    assert "Misaligned" in card and "The manager says it breaks" in card
    plan = next(k for k in plans["choices"] if k.startswith("initiative:"))
    card, *_ = check_tab(services, "sample", hockey, None, None, None, None, None, None, plan)
    assert "Partially aligned" in card and "the manager says it repeats" in card


def test_alignment_tab_reports_progress_of_the_check(services: Services) -> None:
    seen: list[tuple[float | None, str]] = []
    check_tab(services, "sample", PODS, None,
              lambda fraction, desc: seen.append((fraction, desc)))  # type: ignore[arg-type]
    assert seen[0] == (None, "Reading the proposal") and seen[-1][0] == 1.0
    assert any(desc.startswith("Judging it against “No pods") for _, desc in seen)
    fractions = [f for f, _ in seen[1:]]
    assert fractions == sorted(fractions) and all(f is not None for f in fractions)


def test_chat_worker_yields_its_status_while_it_runs() -> None:
    """What the chat uses to show the step a minute-long check is at (and a draft's outline):
    the status is yielded while the worker runs, its result returned, its error raised."""
    from assistant.ui.chat import _in_worker

    status, release = {"line": ""}, threading.Event()

    def work() -> int:
        status["line"] = "Judging it against “No pods”… (3 of 9)"
        assert release.wait(10)
        return 42

    steps = _in_worker(work, lambda: status["line"])
    assert next(steps) == "Judging it against “No pods”… (3 of 9)"
    release.set()
    with pytest.raises(StopIteration) as done:
        next(steps)
    assert done.value.value == 42

    def fail() -> int:
        raise InputError("The proposal is empty.")

    with pytest.raises(InputError, match="empty"):
        list(_in_worker(fail, lambda: ""))


def test_draft_outline_streams_while_the_model_writes(services: Services) -> None:
    from assistant.ui.chat import partial_outline

    partial = '{"objectives": [{"title": "Make \\"subscribing\\" easy", "key_results": [{"st'
    assert partial_outline(partial) == '- **Make "subscribing" easy**'
    steps = [_reply(h) for h, _, _ in chat_turn(services, "Draft Q1 OKRs for finance", [])]
    assert any("Writing…" in s for s in steps)
    assert "# Finance OKRs" in steps[-1]


def test_status_says_ready_once_any_request_started_the_model(services: Services) -> None:
    assert "**state** not started" in status_markdown(services)
    list(chat_turn(services, "What are our values?", []))  # started by a chat, not warm-up
    assert "**state** ready" in status_markdown(services)


OKR_PAGE = """---
title: FY24-Q2 OKRs
---
This fiscal quarter will run from May 1, 2023 to July 31, 2023.

## Engineering
1. **OBJECTIVE:** Make deployments boring
    * KR: Cut failed deployments to **2%** of releases
## Marketing
1. **OBJECTIVE:** Be known for remote work
    * KR: Reach **200,000** readers of the remote guide
"""


def test_goals_tab_reads_an_uploaded_okr_document_next_to_its_findings(
        services: Services, tmp_path: Path) -> None:
    path = tmp_path / "fy24-q2.md"
    path.write_text(OKR_PAGE)
    state, rows, _findings, _, summary, read = read_tab(services, "sample", str(path))
    assert "#### Engineering · FY24-Q2 (2023-05-01 to 2023-07-31)" in read
    assert "Cut failed deployments to 2% of releases · *2%* · line 8" in read
    assert rows[0][3] == "Cut failed deployments to 2% of releases" and rows[0][5] == 2
    assert "holds 2 sets" in summary and "**K8 error** — 2 of 2 key results" in summary
    state, rows, *_ = relint_tab(state, rows)  # the read set edits like a draft
    assert state["draft"]["department"] == "Engineering"
    with pytest.raises(gr.Error, match=r"use a \.md"):
        read_tab(services, "sample", str(tmp_path / "x.exe"))
    with pytest.raises(gr.Error, match="Upload an OKR document"):
        read_tab(services, "sample", None)


def test_chat_what_if_runs_the_stress_test_on_the_map(services: Services) -> None:
    """Fake model (it judges nothing): "what if …" in the chat gives the scenario report."""
    from assistant.db.engine import shared_database
    from assistant.strategy.build import build_map
    from assistant.strategy.store import StrategyMap

    settings = services.settings
    StrategyMap(shared_database(settings), settings.workspace).save_build(build_map(services.kb))
    history, _, _ = list(chat_turn(services, "What if roastery waste diverted from landfill "
                                   "falls after the sorting line breaks?", []))[-1]
    reply = history[-1]["content"]
    assert reply.startswith("# Scenario: Roastery waste") and "## Exposed" in reply
