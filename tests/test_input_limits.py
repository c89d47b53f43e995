"""Hostile and oversized input: a clear error within bounded time and memory.

Each hostile file is parsed in a child process whose address space is capped (RLIMIT_AS), so
"bounded memory" is enforced, not hoped for: a parser that tried to inflate the bomb would
die with MemoryError instead of printing Keel's one-line reason.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from assistant.core.config import Settings
from assistant.core.errors import InputError
from assistant.knowledge.base import KnowledgeBase
from assistant.ui.chat import chat_turn
from assistant.ui.services import Services
from assistant.ui.webapp import serve

MEMORY_CAP = 2 * 1024**3  # bytes of address space for the child (imports take ~0.6 GB)
TIME_CAP = 60.0

_CHILD = textwrap.dedent("""
    import json, resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
    from pathlib import Path
    from assistant.knowledge.documents import parse_document
    from assistant.core.errors import DocumentError
    start = time.monotonic()
    try:
        parse_document(Path(sys.argv[1]), Path(sys.argv[1]).name, 20_000_000)
        outcome = "parsed"
    except DocumentError as exc:
        outcome = "refused: " + exc.reason
    # VmHWM: this process's own peak (ru_maxrss would include a big parent's, kept over exec)
    status = Path("/proc/self/status").read_text()
    peak = int(status.split("VmHWM:")[1].split()[0]) / 1024
    print(json.dumps({{"outcome": outcome, "seconds": time.monotonic() - start,
                      "peak_mb": peak}}))
""")


def _parse_bounded(path: Path) -> dict[str, object]:
    result = subprocess.run([sys.executable, "-c", _CHILD.format(cap=MEMORY_CAP), str(path)],
                            capture_output=True, text=True, timeout=TIME_CAP + 60)
    assert result.returncode == 0, result.stderr[-2000:]
    outcome: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return outcome


def _docx_bomb(path: Path, part_mb: int) -> None:
    """A DOCX whose document.xml inflates to `part_mb` MB of one repeated byte."""
    block = b" " * (1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(b'<?xml version="1.0"?><w:document>')
            for _ in range(part_mb):
                part.write(block)


def _nested_pdf(path: Path, depth: int) -> None:
    """A small PDF whose page resources hold arrays nested `depth` deep."""
    nested = b"[" * depth + b"]" * depth
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] /Contents 4 0 R "
               b"/Resources << /Nest " + nested + b" >> >>",
               b"<< /Length 0 >>\nstream\n\nendstream"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    path.write_bytes(bytes(out))


@pytest.mark.parametrize(("unpacked_mb", "reason"), [(100, "zip bomb"), (600, "200 MB")])
def test_docx_zip_bomb_is_refused_in_bounded_time_and_memory(tmp_path: Path, unpacked_mb: int,
                                                             reason: str) -> None:
    bomb = tmp_path / "bomb.docx"
    _docx_bomb(bomb, unpacked_mb)  # a file of about 1 KB per unpacked MB
    assert bomb.stat().st_size < 2_000_000
    result = _parse_bounded(bomb)
    assert str(result["outcome"]).startswith("refused: ") and reason in str(result["outcome"])
    assert float(result["seconds"]) < TIME_CAP  # type: ignore[arg-type]


def test_deeply_nested_pdf_is_refused_in_bounded_time_and_memory(tmp_path: Path) -> None:
    pdf = tmp_path / "nested.pdf"
    _nested_pdf(pdf, 100_000)
    result = _parse_bounded(pdf)
    assert str(result["outcome"]).startswith("refused: "), result
    assert float(result["seconds"]) < TIME_CAP  # type: ignore[arg-type]


def test_yaml_alias_bomb_in_front_matter_is_harmless(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    doc = tmp_path / "laughs.md"
    doc.write_text("---\n" + "\n".join(lines) + "\ndepartment: *a9\nkind: values\n---\n"
                   "# Values\n\nWe keep promises.\n")
    result = _parse_bounded(doc)
    assert result["outcome"] == "parsed"  # the bomb's values are dropped, the text kept
    assert float(result["peak_mb"]) < 1024  # type: ignore[arg-type]


def test_huge_front_matter_is_refused(tmp_path: Path) -> None:
    doc = tmp_path / "big-front.md"
    doc.write_text("---\n" + "\n".join(f"k{i}: v" for i in range(5000)) + "\n---\n# T\n\nx\n")
    result = _parse_bounded(doc)
    assert "front matter" in str(result["outcome"])


def test_document_with_too_many_chunks_is_refused_and_the_rest_indexed(
        settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "endless.txt").write_text("word " * 400_000)  # about 2,500 chunks of 800
    (folder / "values.md").write_text("# Values\n\nWe keep promises to customers.\n")
    small = settings.model_copy(update={"max_chunks_per_document": 500})
    with KnowledgeBase(small) as kb:
        report = kb.index([folder])
        assert "chunks; the limit is 500" in report.failed["docs/endless.txt"]
        assert report.added == ["docs/values.md"] and kb.count() == 1


def test_oversized_chat_message_and_proposal_are_refused(settings: Settings) -> None:
    import gradio as gr

    services = Services(settings)
    try:
        with pytest.raises(gr.Error, match="limit"):
            list(chat_turn(services, "x " * 20_000, []))
        from assistant.alignment.check import MAX_PROPOSAL_CHARS, check_proposal

        with pytest.raises(InputError, match="limit"):
            check_proposal("word " * MAX_PROPOSAL_CHARS, services.kb_for(None), services.llm)
    finally:
        services.close()


def test_upload_route_refuses_files_over_the_limit(settings: Settings) -> None:
    import socket

    services = Services(settings.model_copy(update={"ui_max_upload_mb": 1.0}))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    demo = serve(services, port=port, block=False)
    try:
        start = time.monotonic()
        response = httpx.post(f"http://127.0.0.1:{port}/gradio_api/upload",
                              files={"files": ("big.md", b"x" * 3_000_000, "text/markdown")},
                              timeout=30)
        assert response.status_code == 413, response.text[:300]
        assert time.monotonic() - start < 30
    finally:
        demo.close()
        services.close()
