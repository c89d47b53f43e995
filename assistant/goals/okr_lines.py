"""The lines of an OKR document as a reader needs them: headings, list items with their depth,
table rows and text, with the inline Markdown, HTML and MDX taken off and what it carried kept
(owners from `<TeamMember name="…">`, markers such as "(committed)" or "[stretch]", progress
notes after "=>", trailing owners such as "(owner: Ana)", "— @ana" or "(Dana)").

Line-based on purpose: real OKR pages indent with tabs and spaces mixed, start bullets with a
bare "-" and indent continuation lines by eight spaces, which a CommonMark parser reads as code
blocks. The inline parts follow CommonMark's shapes (links, reference links, emphasis, code).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import frontmatter

__all__ = ["Clean", "Line", "clean_inline", "front_matter", "split_lines"]

Kind = Literal["heading", "item", "row", "text", "blank"]


@dataclass
class Line:
    no: int  # 1-based line number in the document
    kind: Kind
    text: str  # raw inline text (markers kept, so bold can be seen)
    indent: int = 0  # columns, tabs as four
    level: int = 0  # heading level; 7 for a bold-only line used as a heading
    ordered: bool = False
    cells: list[str] = field(default_factory=list)


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^(\s*)(?:(?P<num>\d+[.)])\s+|(?P<bullet>[-+•]\s*|\*\s+))(?=\S)(?P<text>.*)$")
_BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)(?P<text>[^*_]{1,80}?)(?:\*\*|__)\s*:?\s*$")
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_KRAMDOWN = re.compile(r"^\s*\{:[^}]*\}\s*$")


def front_matter(text: str) -> tuple[dict[str, object], str]:
    """(metadata, text with the front matter blanked so line numbers still match)."""
    if not text.startswith("---"):
        return {}, text
    end = re.search(r"\n(?:---|\.\.\.)\s*(?:\n|$)", text[3:])
    if not end:
        return {}, text
    head = text[:3 + end.end()]
    try:
        meta = frontmatter.loads(head + "\n").metadata
    except Exception:
        meta = {}
    return (meta if isinstance(meta, dict) else {}), "\n" * head.count("\n") + text[len(head):]


def split_lines(text: str) -> list[Line]:
    """Every line classified; HTML comments and kramdown markers become blank lines."""
    text = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    out: list[Line] = []
    for no, raw in enumerate(text.splitlines(), 1):
        line = raw.expandtabs(4).rstrip()
        if not line.strip() or _RULE.match(line) or _KRAMDOWN.match(line):
            out.append(Line(no, "blank", ""))
        elif match := _HEADING.match(line.strip()):
            out.append(Line(no, "heading", match.group(2), level=len(match.group(1))))
        elif line.lstrip().startswith("|"):
            if not _TABLE_SEP.match(line):
                cells = [c.strip() for c in line.strip().strip("|").split("|")]
                out.append(Line(no, "row", line.strip(), cells=cells))
        elif match := _BOLD_LINE.match(line):
            out.append(Line(no, "heading", match.group("text"), level=7,
                            indent=len(line) - len(line.lstrip())))
        elif match := _ITEM.match(line):
            out.append(Line(no, "item", match.group("text"), indent=len(match.group(1)),
                            ordered=bool(match.group("num"))))
        else:
            out.append(Line(no, "text", line.strip(), indent=len(line) - len(line.lstrip())))
    return out


# ---- inline text ----

_MEMBER = re.compile(r"<TeamMember\b[^>]*?\bname=[\"']([^\"']+)[\"'][^>]*/?>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
# Spans are bounded (a few hundred characters) so a hostile line cannot make them quadratic.
_LINK = re.compile(r"\[([^\]]{0,400})\]\((?:[^()\s]|\([^)]{0,200}\)){0,800}\)")
_REF_LINK = re.compile(r"\[([^\]]{1,400})\]\[[^\]]{0,80}\]")
_EMPHASIS = re.compile(r"(\*\*|__)(.{1,400}?)\1|(?<![\w*])\*(?!\s)(.{1,400}?)(?<!\s)\*(?!\w)|"
                       r"(?<![\w_])_(?!\s)(.{1,400}?)(?<!\s)_(?!\w)")
_CODE = re.compile(r"`([^`]*)`")
_MARKER = re.compile(r"[(\[]\s*(committed|aspirational|stretch|roof ?shot|moon ?shot)\s*[)\]]",
                     re.IGNORECASE)
_PROGRESS = re.compile(r"\s*(?:={1,2}>|-{1,2}>|→)\s*(?P<note>.*)$")
_OWNER_FIELD = re.compile(r"[(\[]\s*(?:owner|dri|lead)\s*:\s*([^)\]]+)[)\]]|"
                          r"\b(?:owner|dri)\s*:\s*([^;.|]+)", re.IGNORECASE)
_SOURCE_FIELD = re.compile(r"\b(?:source|measured in|measurement(?: source)?)\s*:\s*([^;.|]+)",
                           re.IGNORECASE)
_AT_OWNER = re.compile(r"\s*(?:[—–-]\s*)?((?:@[\w.-]+(?:\s*(?:,|and|/)\s*)?)+)\s*$")
_PAREN_OWNER = re.compile(r"\s*\(((?:[A-Z][\w.'’-]*)(?:\s+[A-Z][\w.'’-]*){0,2})\)\s*$")
_NOT_OWNER = {"TBD", "TBC", "WIP", "DONE", "NA", "N/A", "Stretch", "Committed", "Aspirational"}


@dataclass
class Clean:
    text: str
    owners: list[str] = field(default_factory=list)
    ambition: str | None = None  # "committed" | "aspirational"
    progress: str = ""
    source: str = ""  # "Source: help desk report"


def _strip_markup(text: str) -> str:
    text = _IMAGE.sub(" ", text)
    for _ in range(2):  # a link inside bold, bold inside a link
        text = _LINK.sub(r"\1", text)
        text = _REF_LINK.sub(r"\1", text)
        text = _EMPHASIS.sub(lambda m: next(g for g in m.groups()[1:] if g is not None), text)
    text = _CODE.sub(r"\1", _TAG.sub(" ", text)).replace("\\", " ")
    return re.sub(r"\s+", " ", text).strip()


def clean_inline(raw: str, owners_from_parens: bool = True) -> Clean:
    """Plain text and what the markup carried."""
    owners = [m.group(1).strip() for m in _MEMBER.finditer(raw)]
    text = _MEMBER.sub(" ", raw)
    progress = ""
    if match := _PROGRESS.search(text):
        progress, text = _strip_markup(match.group("note")), text[:match.start()]
    text = _strip_markup(text)
    ambition = None
    if match := _MARKER.search(text):
        word = match.group(1).lower()
        ambition = "committed" if word == "committed" else "aspirational"
        text = _MARKER.sub(" ", text)
    source = ""
    if match := _SOURCE_FIELD.search(text):
        source, text = match.group(1).strip(), text[:match.start()] + text[match.end():]
    if match := _OWNER_FIELD.search(text):
        owners.append((match.group(1) or match.group(2)).strip(" .;"))
        text = text[:match.start()] + text[match.end():]
    elif match := _AT_OWNER.search(text):
        owners += [o.strip(" ,/") for o in re.split(r",|\band\b|/", match.group(1)) if o.strip()]
        text = text[:match.start()]
    elif owners_from_parens and (match := _PAREN_OWNER.search(text)) \
            and match.group(1) not in _NOT_OWNER and not match.group(1).isupper():
        owners.append(match.group(1))
        text = text[:match.start()]
    return Clean(re.sub(r"\s+", " ", text).strip(" -–—:;."), owners, ambition, progress, source)
