"""What the model writes is checked before anyone sees it, whatever the wording (issue 27).

Three rules, applied to every model output at one place (`LLM`, see `llm.client`), so Q&A,
drafting, the alignment check, strategy-map extraction, scenarios and war games all go
through them:

1. **No image is ever rendered** from model text, and **no link is rendered** unless its host
   is allowed (`Settings.allowed_link_hosts`, default none) and the company's documents hold
   it. A Markdown link becomes its text; a bare address becomes "[link removed]".
2. **A code or address that occurs only inside retrieved text** (not in what the user typed)
   is dropped from the output — "[code removed]" — unless the user asked for one
   (`asks_for_identifier`: "what is our VAT number?", "the link to the handbook"). This is how
   exfiltration and canaries fail without knowing how the instruction was phrased.
3. Raw HTML is removed.

A *code* is a token with at least two letters and two digits that is not a period
("FY23-Q3", "2027-Q1"), a quantity ("48-hour", "30kg", "£400k") or a plain compound of words
and a number ("six-to-12-month"). An *address* is an http(s) URL, a "www." name or a
domain name ("example-42.net/x").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["CODE_REMOVED", "IMAGE_REMOVED", "LINK_REMOVED", "GuardContext",
           "asks_for_identifier", "codes_and_links", "guard_text", "removal_notes",
           "strip_active"]

CODE_REMOVED = "[code removed]"
IMAGE_REMOVED = "[image removed"
LINK_REMOVED = "[link removed]"

_IMAGE = re.compile(r"!\[([^\]\n]*)\]\(([^)\n]*)\)|!\[([^\]\n]*)\]\[[^\]\n]*\]")
_LINK = re.compile(r"(?<!!)\[([^\]\n]+)\]\(([^)\n]*)\)")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]{0,500}>")
_URL = re.compile(r"\bhttps?://[^\s)\]>\"'`]+|\bwww\.[^\s)\]>\"'`]+"
                  r"|\b(?:[a-z0-9-]{2,63}\.)+(?:com|net|org|io|co|uk|de|fr|es|info|biz|xyz|ru|"
                  r"cn|app|dev|site|online|link|ly|me|ai|gov|edu)\b(?:/[^\s)\]>\"'`]*)?",
                  re.IGNORECASE)
_TOKEN = re.compile(r"(?<![\w/.-])[\w]+(?:[-_.][\w]+)*(?![\w/-])")
_PERIOD = re.compile(r"^(?:fy)?\d{2,4}[-_]?(?:q[1-4]|h[12])$|^(?:q[1-4]|h[12])[-_]?(?:fy)?\d{2,4}$"
                     r"|^fy\d{2,4}(?:[-_]\d{2,4})?$", re.IGNORECASE)
_QUANTITY = re.compile(r"^[£$€]?\d[\d.,]*(?:[-_]?[a-z]+)$", re.IGNORECASE)

def _lexicon(words: str) -> frozenset[str]:
    return frozenset(words.split())


# the user asks for an identifier or an address: then documents' codes and links may be shown
_IDENTIFIER_WORDS = _lexicon("""
    code codes number numbers id ids identifier reference references link links url urls
    website site address addresses email mail phone contact iban vat sku account ticket
    channel channels handle username hashtag
    nummer kennung adresse numéro lien enlace número código
""")


@dataclass(frozen=True)
class GuardContext:
    """What an output is checked against: the codes and addresses of the retrieved text and
    of what the user typed (`codes_and_links`), whether the user asked for an identifier, and
    the hosts a link may point to."""

    documents: frozenset[str] = frozenset()
    typed: frozenset[str] = frozenset()
    asked: bool = False
    allowed_hosts: tuple[str, ...] = ()

    @classmethod
    def build(cls, documents: str, typed: str,
              allowed_hosts: tuple[str, ...] = ()) -> GuardContext:
        return cls(frozenset(codes_and_links(documents)), frozenset(codes_and_links(typed)),
                   asks_for_identifier(typed), tuple(h.lower() for h in allowed_hosts))


def _is_code(token: str) -> bool:
    letters = sum(ch.isalpha() for ch in token)
    digits = sum(ch.isdigit() for ch in token)
    # one digit is enough in a long joined token ("PWNED-ab0beddc": a random hex canary with a
    # single digit slipped through in session 18's CI run); "KR-3", "Pillar-1" stay words
    long_joined = digits == 1 and len(token) >= 12 and bool(re.search(r"[-_.]", token))
    if letters < 2 or (digits < 2 and not long_joined) or _PERIOD.match(token) \
            or _QUANTITY.match(token):
        return False
    parts = [p for p in re.split(r"[-_.]", token) if not p.isdigit()]
    prose = all(p.isalpha() and p.islower() for p in parts) and max(map(len, parts)) >= 4
    return not prose  # "six-to-12-month" is words and a number; "kt-8813-rw" is a code


def _key(token: str) -> str:
    return re.sub(r"[\W_]+", "", re.sub(r"^https?://", "", token.lower()).rstrip("/"))


def codes_and_links(text: str) -> set[str]:
    """The codes and addresses in a text, as comparison keys (lower case, letters and digits
    only, links without their scheme)."""
    found = {_key(u) for u in _URL.findall(text)}
    pieces = re.sub(r"[/?=&#:]", " ", text)  # a code inside a link's path counts too
    tokens = _TOKEN.findall(pieces)
    tokens += [t.rsplit(".", 1)[0] for t in tokens if "." in t]  # "CODE.png" holds CODE
    return found | {_key(t) for t in tokens if _is_code(t)}


def asks_for_identifier(text: str) -> bool:
    return any(w in _IDENTIFIER_WORDS for w in re.findall(r"[^\W\d_]+", text.lower()))


def _allowed(url: str, context: GuardContext) -> bool:
    host = (urlsplit(url if "://" in url else f"http://{url}").hostname or "").lower()
    return bool(host) and _key(url) in context.documents and any(
        host == h or host.endswith("." + h) for h in context.allowed_hosts)


def removal_notes(text: str) -> list[str]:
    """What the guard removed from a text it has passed, read from its markers (the guard
    runs inside `LLM`; the task that shows the text says so to the user)."""
    notes = []
    if IMAGE_REMOVED in text:
        notes.append("Removed an image from the model's output.")
    if CODE_REMOVED in text or LINK_REMOVED in text:
        notes.append("Removed codes or links the documents hold but you did not ask for "
                      "(a document may carry planted instructions).")
    return notes


def strip_active(text: str) -> tuple[str, list[str]]:
    """(text, warnings) without images and raw HTML: model text is shown as text."""
    warnings = []
    if _IMAGE.search(text):
        text = _IMAGE.sub(lambda m: f"{IMAGE_REMOVED}: {(m.group(1) or m.group(3) or '')[:60]}]",
                          text)
        warnings.append("Removed an image from the model's output.")
    if _HTML_TAG.search(text):
        text = _HTML_TAG.sub("", text)
        warnings.append("Removed HTML from the model's output.")
    return text, warnings


def guard_text(text: str, context: GuardContext) -> tuple[str, list[str]]:
    """(text as shown, warnings): the three rules of the module docstring."""
    text, warnings = strip_active(text)
    text = _LINK.sub(lambda m: m.group(0) if _allowed(m.group(2).strip().split(" ")[0]
                                                      .strip("<>"), context) else m.group(1),
                     text)
    removed = 0

    def address(match: re.Match[str]) -> str:
        nonlocal removed
        url, key = match.group(0), _key(match.group(0))
        if _allowed(url, context) or key in context.typed:
            return url
        if context.asked and key in context.documents:
            return f"`{url}`"  # shown, never rendered as a link
        removed += 1
        return LINK_REMOVED

    def code(match: re.Match[str]) -> str:
        nonlocal removed
        token, key = match.group(0), _key(match.group(0))
        if not _is_code(token) or key in context.typed or key not in context.documents \
                or context.asked:
            return token
        removed += 1
        return CODE_REMOVED

    text = _TOKEN.sub(code, _URL.sub(address, text))
    if removed:
        warnings.append(f"Removed {removed} code(s) or link(s) that came from the documents, "
                        "not from your request.")
    return text, warnings
