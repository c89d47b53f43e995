"""Index what a person reading the document sees, not what hides in it (issue 27).

Planted instructions hide where a reader never looks: an HTML comment, a link's hover title,
an image's alt text, an element styled invisible, zero-width characters inside words. Keel
reads none of those: they are removed before a Markdown or text document is chunked. DOCX
comments and headers and PDF metadata are never read in the first place
(`documents._docx_text`, `_pdf_text` take the body only). A document's title from front
matter that directs a machine reader (`core.planted`) is not used as its title.

Decisions: images are dropped whole (Keel reads no pictures; their alt text is not what a
reader of the page sees); footnotes and table cells are visible, so they stay; a zero-width
joiner or non-joiner stays only between two non-ASCII letters (Persian, Indic scripts, emoji).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["visible_text"]

_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_HIDDEN = re.compile(
    r"<(?P<tag>[a-zA-Z][\w-]*)\b[^>]*?(?:\bhidden\b|display\s*:\s*none|visibility\s*:\s*hidden|"
    r"font-size\s*:\s*0)[^>]*>.*?</(?P=tag)\s*>", re.DOTALL | re.IGNORECASE)
_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)|!\[[^\]\n]*\]\[[^\]\n]*\]")
_LINK_TITLE = re.compile(r"(\]\(\s*(?:<[^>\n]*>|[^\s)]+))\s+"
                         r"(?:\"[^\"\n]*\"|'[^'\n]*'|\([^)\n]*\))\s*\)")
_JOINERS = {"\u200c", "\u200d"}


def _without_invisible(text: str) -> str:
    out = []
    for i, ch in enumerate(text):
        joins = ch in _JOINERS and 0 < i < len(text) - 1 and not text[i - 1].isascii() \
            and not text[i + 1].isascii()
        if unicodedata.category(ch) != "Cf" or joins:
            out.append(ch)
    return "".join(out)


def visible_text(markdown: str) -> str:
    """The Markdown (or plain) text as a reader sees it: see the module docstring."""
    text = _COMMENT.sub("", markdown)
    text = _HIDDEN.sub("", text)
    text = _IMAGE.sub("", text)
    text = _LINK_TITLE.sub(r"\1)", text)
    return _without_invisible(text)
