from pathlib import Path

import pytest

from assistant.core.errors import DocumentError
from assistant.knowledge.documents import chunk_document, detect_kind, parse_document

MB = 1_000_000


@pytest.mark.parametrize(("path", "declared", "kind"), [
    ("knowledge/vision.md", None, "vision"),
    ("knowledge/non-goals.md", None, "non-goals"),
    ("docs/what-we-are-not-doing.md", None, "non-goals"),
    ("knowledge/okrs-2026-q4.md", None, "okrs"),
    ("strategy/2026.md", None, "strategy"),
    ("knowledge/departments/marketing.md", None, "department"),
    ("plans/annual-plan-2027.docx", None, "plan"),
    ("our-values.pdf", None, "values"),
    ("random-notes.txt", None, "other"),
    ("random-notes.txt", "strategy", "strategy"),
    ("knowledge/vision.md", "not-a-kind", "vision"),
])
def test_detect_kind(path: str, declared: str | None, kind: str) -> None:
    assert detect_kind(path, declared) == kind


def _write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_front_matter_sets_kind_department_period(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.md", "---\nkind: okrs\ndepartment: Sales\nperiod: 2027-Q1\n---\n"
                                    "# Sales OKRs\n\nSign cafés.\n")
    doc = parse_document(path, "x.md", 20 * MB)
    assert (doc.kind, doc.department, doc.period, doc.title) == ("okrs", "Sales", "2027-Q1",
                                                                 "Sales OKRs")


def test_department_page_gets_its_department_from_the_file_name(tmp_path: Path) -> None:
    (tmp_path / "departments").mkdir()
    path = _write(tmp_path, "departments/customer-service.md", "# CS\n\nWe answer fast.\n")
    doc = parse_document(path, "departments/customer-service.md", 20 * MB)
    assert doc.kind == "department" and doc.department == "Customer Service"


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("empty.md", b"", "empty file"),
    ("binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
    ("latin1.txt", "Café crème à la carte".encode("latin-1"), "not UTF-8"),
    ("corrupt.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage\n%%EOF", "PDF"),
    ("corrupt.docx", b"PK\x03\x04 this is not really a zip", "DOCX"),
    ("blank.md", b"   \n\n  \n", "no text"),
    ("bad-front-matter.md", b"---\nkind: [unclosed\n---\n# T\n\ntext\n", "front matter"),
    ("image.png", b"\x89PNG", "unsupported file type"),
])
def test_bad_documents_get_a_one_line_reason(tmp_path: Path, name: str, data: bytes,
                                             reason: str) -> None:
    path = _write(tmp_path, name, data)
    with pytest.raises(DocumentError) as info:
        parse_document(path, name, 20 * MB)
    assert reason in info.value.reason
    assert "\n" not in str(info.value)


def test_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(50 * MB)  # sparse: 50 MB on paper, nothing read
    with pytest.raises(DocumentError, match=r"too large: 50\.0 MB"):
        parse_document(path, "huge.txt", 20 * MB)


def test_pdf_text_is_extracted_by_page(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    for text in ("We roast in small batches.", "Subscribers get ten percent off."):
        pdf.add_page()
        pdf.set_font("helvetica", size=12)
        pdf.cell(text=text)
    path = tmp_path / "plan.pdf"
    pdf.output(str(path))
    doc = parse_document(path, "plan.pdf", 20 * MB)
    chunks = chunk_document(doc, 1000, 100)
    assert [c.section for c in chunks] == ["Page 1", "Page 2"]
    assert "small batches" in chunks[0].text and doc.kind == "plan"


def test_docx_headings_become_sections(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Strategy", level=1)
    document.add_heading("Pillar 1", level=2)
    document.add_paragraph("Grow subscriptions to 6,000.")
    path = tmp_path / "strategy.docx"
    document.save(str(path))
    doc = parse_document(path, "strategy.docx", 20 * MB)
    chunks = chunk_document(doc, 1000, 100)
    assert chunks[0].section == "Strategy > Pillar 1"
    assert "6,000" in chunks[0].text


def test_chunk_ids_are_stable_and_sections_kept(tmp_path: Path) -> None:
    text = "# Plan\n\n## Growth\n\nGrow.\n\n## Costs\n\nCut costs.\n"
    path = _write(tmp_path, "plan.md", text)
    first = chunk_document(parse_document(path, "plan.md", MB), 1000, 100)
    again = chunk_document(parse_document(path, "plan.md", MB), 1000, 100)
    assert [c.id for c in first] == [c.id for c in again]
    assert [c.section for c in first] == ["Plan > Growth", "Plan > Costs"]
    path.write_text(text.replace("Cut costs.", "Cut costs by 5%."))
    edited = chunk_document(parse_document(path, "plan.md", MB), 1000, 100)
    assert edited[0].id == first[0].id and edited[1].id != first[1].id


def test_long_sections_are_split_by_size(tmp_path: Path) -> None:
    body = " ".join(f"Sentence number {i} about our roastery." for i in range(200))
    path = _write(tmp_path, "ops.md", f"# Ops\n\n{body}\n")
    chunks = chunk_document(parse_document(path, "ops.md", MB), 500, 50)
    assert len(chunks) > 5
    assert all(len(c.text) <= 500 for c in chunks)
    assert len({c.id for c in chunks}) == len(chunks)
