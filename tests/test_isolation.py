"""Workspace isolation: canaries per workspace, hundreds of queries through the Python API,
the CLI and the UI's HTTP API; and, with accounts on, every UI route refuses another
account's workspace (called directly, not through the buttons)."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from gradio_client import Client, handle_file
from typer.testing import CliRunner

from assistant.cli.main import app as cli
from assistant.core.config import Settings, UiUser
from assistant.core.errors import AccessError
from assistant.ui.access import Access
from assistant.ui.services import Services
from assistant.ui.webapp import serve

WORKSPACES = ("acme", "bolt", "cove")
TOPICS = ("pricing", "hiring", "support", "security", "travel", "marketing", "roadmap",
          "training", "suppliers", "budget")
CANARY = re.compile(r"CANARY-[a-z]+-\d+")
Isolated = tuple[Services, dict[str, set[str]]]


def _write_workspace_docs(folder: Path, ws: str) -> None:
    """Ten policy pages; every paragraph carries the workspace's own canary."""
    folder.mkdir(parents=True)
    for n, topic in enumerate(TOPICS):
        text = "\n\n".join(
            f"## {topic.title()} rule {i}\n\nOur {topic} policy, point {i}: the team keeps "
            f"records for {topic} decisions and reviews them monthly. Marker CANARY-{ws}-{n}."
            for i in range(3))
        (folder / f"{topic}.md").write_text(f"# {topic.title()} policy\n\n{text}\n")


@pytest.fixture
def isolated(tmp_path: Path, settings: Settings) -> Iterator[Isolated]:
    services = Services(settings)
    ids: dict[str, set[str]] = {}
    for ws in WORKSPACES:
        _write_workspace_docs(tmp_path / "docs" / ws, ws)
        kb = services.kb_for(ws)
        kb.index([tmp_path / "docs" / ws])
        ids[ws] = set(kb.chunk_ids())
    yield services, ids
    services.close()


def _queries() -> list[str]:
    return [f"{verb} {topic}" for topic in TOPICS
            for verb in ("what is our policy on", "who reviews", "records for", "rules about",
                         "marker for", "monthly review of", "decisions on", "team and")]


def _foreign(ws: str, text: str) -> set[str]:
    return {c for c in CANARY.findall(text) if not c.startswith(f"CANARY-{ws}-")}


def test_python_api_never_returns_another_workspaces_chunks(isolated: Isolated) -> None:
    services, ids = isolated
    asked = leaked = 0
    for ws in WORKSPACES:
        kb = services.kb_for(ws)
        for query in _queries():
            for hit in kb.search(query, k=8):
                asked += 1
                leaked += (hit.chunk_id not in ids[ws]) + len(_foreign(ws, hit.text))
    assert asked >= 3 * 80 * 5 and leaked == 0


def test_cli_search_and_ask_stay_in_their_workspace(isolated: Isolated) -> None:
    services, _ = isolated
    runner = CliRunner()
    data = str(services.settings.data_dir)
    services.close()  # the CLI opens the embedded store itself
    outputs = 0
    for ws in WORKSPACES:
        for query in _queries()[:12]:
            for command in (["search", query, "--json"], ["ask", query]):
                result = runner.invoke(cli, ["--workspace", ws, "--data-dir", data, *command])
                assert result.exit_code == 0, result.output
                assert CANARY.search(result.output) or command[0] == "ask"
                assert not _foreign(ws, result.output), (ws, query, result.output)
                outputs += 1
    assert outputs == 3 * 12 * 2


def test_access_rules() -> None:
    settings = Settings(ui_users={"ana": UiUser(password="pw-ana", workspaces=["acme"]),
                                  "root": UiUser(password="pw-root")})
    access = Access(settings)
    assert access.enabled and access.login("ana", "pw-ana")
    assert not access.login("ana", "pw-root") and not access.login("nobody", "pw-ana")
    assert access.visible("ana", list(WORKSPACES)) == ["acme"]
    assert access.visible("root", list(WORKSPACES)) == list(WORKSPACES)
    assert access.visible(None, list(WORKSPACES)) == []
    with pytest.raises(AccessError, match="bolt"):
        access.check("ana", "bolt")
    assert not Access(Settings()).enabled and Access(Settings()).allowed(None, "bolt")


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(isolated: Isolated) -> Iterator[tuple[str, Services]]:
    services, _ = isolated
    services.settings = services.settings.model_copy(update={"ui_users": {
        "ana": UiUser(password="ana-secret", workspaces=["acme"]),
        "ben": UiUser(password="ben-secret", workspaces=["bolt", "cove"])}})
    port = _port()
    demo = serve(services, port=port, block=False)
    try:
        yield f"http://127.0.0.1:{port}/", services
    finally:
        demo.close()


def _denied(client: Client, api: str, *args: object) -> None:
    with pytest.raises(Exception, match="may not use the workspace"):
        client.predict(*args, api_name=api)


def test_every_ui_route_refuses_another_accounts_workspace(
        served: tuple[str, Services], tmp_path: Path) -> None:
    url, services = served
    assert httpx.get(url + "gradio_api/info", timeout=10).status_code in (401, 403)
    call = httpx.post(url + "gradio_api/call/search", json={"data": ["pricing", "bolt"]},
                      timeout=10)
    assert call.status_code in (401, 403)
    before = {ws: (services.kb_for(ws).count(), len(services.kb_for(ws).documents()))
              for ws in WORKSPACES}
    upload = tmp_path / "planted.md"
    upload.write_text("# Planted\n\nText ana must not be able to add to bolt.\n")
    proposal = tmp_path / "proposals.csv"
    proposal.write_text("id,proposal\np1,Open a travel office in every city\n")
    ana = Client(url, auth=("ana", "ana-secret"), verbose=False)
    _denied(ana, "/search", "pricing", "bolt")
    _denied(ana, "/upload", [handle_file(str(upload))], "bolt")
    _denied(ana, "/reindex", "bolt")
    _denied(ana, "/delete", "pricing.md", "bolt")
    _denied(ana, "/chat", "what is our pricing policy?", [], "bolt")
    _denied(ana, "/draft", "bolt", "marketing", "2027-Q1", 1, "committed")
    _denied(ana, "/fix", "bolt", {"headers": ["x"], "data": [["y"]]}, None)
    _denied(ana, "/save", "bolt", {"headers": ["x"], "data": [["y"]]})
    _denied(ana, "/check", "bolt", "Open a travel office in every city", None)
    _denied(ana, "/batch", "bolt", handle_file(str(proposal)))
    _denied(ana, "/switch", "bolt")
    _denied(ana, "/status", "bolt")
    after = {ws: (services.kb_for(ws).count(), len(services.kb_for(ws).documents()))
             for ws in WORKSPACES}
    assert after == before
    assert not (services.settings.with_workspace("bolt").workspace_dir / "uploads").exists()
    # …while ana's own workspace works, and ben sees only his.
    rows = ana.predict("pricing policy", "acme", api_name="/search")["data"]
    assert rows and CANARY.search(json.dumps(rows)) and not _foreign("acme", json.dumps(rows))
    ben = Client(url, auth=("ben", "ben-secret"), verbose=False)
    leaked = 0
    for ws in ("bolt", "cove"):
        for query in _queries()[:40]:
            for row in ben.predict(query, ws, api_name="/search")["data"]:
                leaked += len(_foreign(ws, " ".join(map(str, row))))
    assert leaked == 0
    _denied(ben, "/search", "pricing", "acme")
