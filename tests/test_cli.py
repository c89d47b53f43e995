import json
from pathlib import Path

from typer.testing import CliRunner

from assistant.cli.main import app

from .conftest import SAMPLE

runner = CliRunner()


def _json(args: list[str]) -> object:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_index_docs_search_ask_forget_as_json(tmp_path: Path) -> None:
    report = _json(["-w", "cli", "index", str(SAMPLE), "--json"])
    assert len(report["added"]) == 13 and report["chunks_total"] > 50
    again = _json(["-w", "cli", "index", str(SAMPLE), "--json"])
    assert len(again["unchanged"]) == 13 and again["chunks_total"] == report["chunks_total"]
    docs = _json(["-w", "cli", "docs", "--json"])
    assert {d["kind"] for d in docs} >= {"vision", "values", "non-goals", "department"}
    hits = _json(["-w", "cli", "search", "roaster afterburner upgrade", "-k", "2", "--json"])
    assert len(hits) == 2 and hits[0]["doc_id"] == "knowledge/departments/operations.md"
    answer = _json(["-w", "cli", "ask", "What is the cost to roast a kilo?", "--json"])
    assert answer["covered"] and answer["citations"]
    gone = _json(["-w", "cli", "forget", "knowledge/vision.md", "--json"])
    assert gone["chunks_removed"] > 0
    status = _json(["-w", "cli", "status", "--json"])
    assert status["documents"] == 12 and status["llm_provider"] == "fake"


def test_human_output_shows_sources() -> None:
    runner.invoke(app, ["index", str(SAMPLE)])
    result = runner.invoke(app, ["ask", "Do we ship outside the United States?"])
    assert result.exit_code == 0
    assert "Sources" in result.stdout and "non-goals.md" in result.stdout


def test_errors_are_one_line_and_exit_non_zero(tmp_path: Path) -> None:
    result = runner.invoke(app, ["-w", "Bad Name", "docs"])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "workspace" in result.stderr
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["forget", "nothing.md"])
    assert result.exit_code == 1 and "No indexed document" in result.stderr


def test_failed_files_are_reported_and_the_rest_indexed(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "good.md").write_text("# Values\n\nBe kind.\n")
    (tmp_path / "docs" / "bad.md").write_bytes(b"\x00\x00binary")
    result = runner.invoke(app, ["index", str(tmp_path / "docs")])
    assert result.exit_code == 0
    assert "docs/bad.md: looks like a binary file" in result.stderr
    assert "1 added" in result.stdout and "1 failed" in result.stdout
    only_bad = runner.invoke(app, ["index", str(tmp_path / "docs" / "bad.md")])
    assert only_bad.exit_code == 1
