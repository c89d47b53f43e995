import socket
from pathlib import Path

import httpx
import pytest

from assistant.config import Settings
from assistant.errors import ConfigError
from assistant.webapp import (
    Services,
    build_app,
    chat_turn,
    delete_document,
    launch,
    search_documents,
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
    history, box = steps[-1]
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


def test_app_serves_and_refuses_data_files(services: Services) -> None:
    demo = build_app(services)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    demo.queue().launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True,
                        blocked_paths=[str(services.settings.data_dir)], show_error=False)
    try:
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(base + "/", timeout=10).status_code == 200
        store = services.settings.workspace_dir / "chroma" / "chroma.sqlite3"
        for path in (str(store), "/etc/passwd", "../../etc/passwd", "%2e%2e/%2e%2e/etc/passwd",
                     "http://169.254.169.254/latest/meta-data"):
            response = httpx.get(f"{base}/gradio_api/file={path}", timeout=10)
            assert response.status_code in (403, 404), path
    finally:
        demo.close()


def test_chat_drafts_okrs_as_a_card_with_badges(services: Services) -> None:
    history, _ = list(chat_turn(services, "Draft Q2 2027 OKRs for sales", []))[-1]
    card = history[-1]["content"]
    assert "# Sales OKRs — 2027-Q2" in card and "KR1" in card
    assert "[^1]:" in card and "**Checks**" in card
