"""Read documents (Markdown, text, PDF, DOCX) and cut them into heading-aware chunks.

Every failure for one file is a `DocumentError` with a one-line reason; callers keep going
with the rest of a batch. Parsers are well-kept libraries (pypdf, python-docx,
python-frontmatter, langchain-text-splitters); nothing here parses a format by hand.
"""

from __future__ import annotations

import hashlib
import re
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frontmatter
from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from assistant.core.errors import DocumentError
from assistant.core.safety import addressed
from assistant.knowledge.visible import visible_text

__all__ = [
    "KINDS",
    "SUPPORTED_SUFFIXES",
    "Chunk",
    "ParsedDocument",
    "chunk_document",
    "detect_kind",
    "parse_document",
]

KINDS = (
    "vision", "mission", "values", "strategy", "plan", "okrs", "non-goals", "department", "other"
)
SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".pdf", ".docx")
# File-name and folder hints, checked in this order (non-goals before goals, okrs before plan).
_KIND_HINTS: tuple[tuple[str, str], ...] = (
    (r"non[-_ ]?goals?|not[-_ ]doing|out[-_ ]of[-_ ]scope", "non-goals"),
    (r"okrs?\b|okrs?[-_]|objectives", "okrs"),
    (r"vision", "vision"),
    (r"mission", "mission"),
    (r"values|principles", "values"),
    (r"strateg", "strategy"),
    (r"plan|roadmap|budget", "plan"),
    (r"departments?|teams?", "department"),
)
_PERIOD_RE = re.compile(r"(20\d\d)[-_ ]?(q[1-4]|h[12])", re.IGNORECASE)
# Hostile-input bounds (zip bombs, parser bombs): refused with a reason, never parsed.
_MAX_DOCX_UNZIPPED = 200 * 1024 * 1024  # all parts of a DOCX, as declared by the zip (zipfile
_MAX_DOCX_XML = 32 * 1024 * 1024  # never reads past a declared size); any one XML part
_MAX_FRONT_MATTER = 16 * 1024  # characters of YAML front matter (alias bombs)
_MAX_PDF_PAGES = 2_000
_MAX_PDF_SECONDS = 60.0  # text extraction budget per PDF


@dataclass(frozen=True)
class ParsedDocument:
    """One document as Markdown text plus what Keel knows about it."""

    doc_id: str
    path: Path
    title: str
    kind: str
    text: str
    sha256: str
    department: str | None = None
    period: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Chunk:
    """A piece of a document, with its heading path and a stable id."""

    id: str
    doc_id: str
    section: str
    text: str
    index: int


def detect_kind(rel_path: str, declared: object = None) -> str:
    """Kind from front matter, else folder or file name, else `other`."""
    if isinstance(declared, str) and declared.strip().lower() in KINDS:
        return declared.strip().lower()
    parts = [p.lower() for p in Path(rel_path).with_suffix("").parts]
    for part in [parts[-1], *reversed(parts[:-1])]:
        for pattern, kind in _KIND_HINTS:
            if re.search(pattern, part):
                return kind
    return "other"


def parse_document(path: Path, doc_id: str, max_bytes: int) -> ParsedDocument:
    """Read one file; raise `DocumentError` with a one-line reason if it cannot be used."""
    label = doc_id
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(label, f"unsupported file type '{suffix or path.name}' "
                                   "(use .md, .txt, .pdf or .docx)")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DocumentError(label, f"cannot read file ({exc.strerror})") from exc
    if size == 0:
        raise DocumentError(label, "empty file")
    if size > max_bytes:
        raise DocumentError(label, f"too large: {size / 1e6:.1f} MB (limit "
                                   f"{max_bytes / 1e6:.0f} MB, see KEEL_MAX_DOCUMENT_MB)")
    raw = path.read_bytes()
    meta: dict[str, Any] = {}
    if suffix == ".pdf":
        body = _pdf_text(raw, label)
    elif suffix == ".docx":
        body = _docx_text(path, label)
    else:
        body, meta = _split_front_matter(_decode_text(raw, label), label)
        body = visible_text(body)
    if not body.strip():
        raise DocumentError(label, "no text found in the document")
    return _describe(path, doc_id, body, meta, hashlib.sha256(raw).hexdigest())


def _describe(path: Path, doc_id: str, body: str, meta: dict[str, Any], sha: str) -> ParsedDocument:
    kind = detect_kind(doc_id, meta.get("kind"))
    heading = re.search(r"^#\s+(.+)$", body, re.MULTILINE)
    declared = str(meta.get("title") or "")
    if declared and addressed(declared):  # a title that directs a machine reader is planted
        declared = ""
    title = declared or (heading.group(1).strip() if heading else path.stem)
    department = meta.get("department")
    if not department and kind == "department":
        department = path.stem.replace("-", " ").replace("_", " ").title()
    period = meta.get("period")
    if not period and (match := _PERIOD_RE.search(path.stem)):
        period = f"{match.group(1)}-{match.group(2).upper()}"
    return ParsedDocument(
        doc_id=doc_id, path=path, title=title[:200], kind=kind, text=body, sha256=sha,
        department=str(department) if department else None,
        period=str(period) if period else None, meta=meta,
    )


def _decode_text(raw: bytes, label: str) -> str:
    if b"\x00" in raw[:8192]:
        raise DocumentError(label, "looks like a binary file, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            label, f"not UTF-8 text (invalid byte at offset {exc.start}); save it as UTF-8"
        ) from exc


def _split_front_matter(text: str, label: str) -> tuple[str, dict[str, Any]]:
    """Body and front matter; only scalar values are kept (they become metadata)."""
    if text.startswith("---") and (end := text.find("\n---", 3)) > _MAX_FRONT_MATTER:
        raise DocumentError(label, f"front matter is {end:,} characters; the limit is "
                                   f"{_MAX_FRONT_MATTER:,}")
    try:
        post = frontmatter.loads(text)
    except Exception as exc:  # yaml raises several types
        raise DocumentError(
            label, f"front matter is not valid YAML ({type(exc).__name__})") from exc
    meta = post.metadata if isinstance(post.metadata, dict) else {}
    return post.content, {str(k): v for k, v in meta.items()
                          if isinstance(v, (str, int, float, bool)) or hasattr(v, "isoformat")}


def _pdf_text(raw: bytes, label: str) -> str:
    import io
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        if reader.is_encrypted:
            raise DocumentError(label, "the PDF is encrypted; export an unprotected copy")
        if len(reader.pages) > _MAX_PDF_PAGES:
            raise DocumentError(label, f"the PDF has {len(reader.pages):,} pages; the limit "
                                       f"is {_MAX_PDF_PAGES:,}")
        deadline = time.monotonic() + _MAX_PDF_SECONDS
        pages = []
        for page in reader.pages:
            pages.append(page.extract_text() or "")
            if time.monotonic() > deadline:
                raise DocumentError(label, f"reading the PDF took over {_MAX_PDF_SECONDS:.0f}"
                                           " s; refused (export a simpler PDF or the text)")
    except DocumentError:
        raise
    except RecursionError as exc:
        raise DocumentError(label, "the PDF is nested too deeply to read; refused") from exc
    except Exception as exc:  # pypdf raises many types for broken files
        reason = f"cannot read PDF ({type(exc).__name__}: {exc})"
        raise DocumentError(label, " ".join(reason.split())[:200]) from exc
    if not any(p.strip() for p in pages):
        raise DocumentError(label, "the PDF has no extractable text (scanned images?)")
    return "\n\n".join(f"## Page {n}\n\n{text.strip()}" for n, text in enumerate(pages, 1))


def _docx_text(path: Path, label: str) -> str:
    import docx

    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            if sum(i.file_size for i in parts) > _MAX_DOCX_UNZIPPED:
                raise DocumentError(label, "the DOCX unpacks to more than 200 MB; refused")
            if any(i.filename.endswith((".xml", ".rels")) and i.file_size > _MAX_DOCX_XML
                   for i in parts):
                raise DocumentError(label, "the DOCX holds a text part over 32 MB unpacked "
                                           "(a zip bomb?); refused")
        document = docx.Document(str(path))
    except DocumentError:
        raise
    except Exception as exc:
        raise DocumentError(label, f"cannot read DOCX ({type(exc).__name__})") from exc
    lines: list[str] = []
    for para in document.paragraphs:
        style = (para.style.name if para.style is not None else "") or ""
        level = re.match(r"Heading (\d)", style)
        if style == "Title":
            lines.append(f"# {para.text}")
        elif level:
            lines.append(f"{'#' * min(int(level.group(1)), 6)} {para.text}")
        elif para.text.strip():
            lines.append(para.text)
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text.strip() for cell in row.cells))
    return "\n\n".join(lines)


def chunk_document(doc: ParsedDocument, chunk_size: int, overlap: int) -> list[Chunk]:
    """Split along headings (h1-h3), then by size; ids hash document, section and text."""
    splitter = MarkdownHeaderTextSplitter(
        headers_to_split_on=[("#", "h1"), ("##", "h2"), ("###", "h3")], strip_headers=True
    )
    sizer = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=overlap)
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for part in splitter.split_text(doc.text):
        section = " > ".join(str(part.metadata[h]) for h in ("h1", "h2", "h3")
                             if part.metadata.get(h))
        for piece in sizer.split_text(part.page_content):
            text = piece.strip()
            if not text:
                continue
            key = f"{doc.doc_id}\x1f{section}\x1f{text}"
            seen[key] = seen.get(key, 0) + 1
            digest = hashlib.sha256(f"{key}\x1f{seen[key]}".encode()).hexdigest()[:16]
            chunks.append(Chunk(f"{doc.doc_id}#{digest}", doc.doc_id, section or doc.title,
                                text, len(chunks)))
    return chunks
