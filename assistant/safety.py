"""Output hygiene: model text is shown as text, never as active content.

Retrieved documents can carry planted instructions (indirect prompt injection). The design
defends in layers: passages are delimited and labelled as data in every prompt; answers are
cleaned here before anyone sees them (no remote images, no raw HTML, no link targets that
are not plain http(s) text); and instructions echoed from documents are flagged.
"""

from __future__ import annotations

import re

__all__ = ["clean_model_text", "passages_block"]

_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)]*)\)")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]{0,500}>")
_REF_IMAGE = re.compile(r"!\[([^\]]*)\]\[[^\]]*\]")


def clean_model_text(text: str) -> tuple[str, list[str]]:
    """(safe text, warnings): strips images and HTML tags the model produced."""
    warnings = []
    if _IMAGE.search(text) or _REF_IMAGE.search(text):
        warnings.append("Removed an image link from the model's answer.")
        text = _REF_IMAGE.sub(r"[image removed: \1]", _IMAGE.sub(r"[image removed: \1]", text))
    if _HTML_TAG.search(text):
        warnings.append("Removed HTML from the model's answer.")
        text = _HTML_TAG.sub("", text)
    return text, warnings


def passages_block(passages: list[tuple[str, str, str, str]]) -> str:
    """Delimit retrieved passages as data: (id, document, section, text) each."""
    parts = []
    for pid, document, section, text in passages:
        body = text.replace("</document>", "&lt;/document&gt;")
        parts.append(f'<document id="{pid}" source="{_attr(document)}" section="{_attr(section)}">'
                     f"\n{body}\n</document>")
    return "\n".join(parts)


def _attr(value: str) -> str:
    return value.replace('"', "'").replace("\n", " ")[:200]
