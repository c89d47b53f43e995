"""Two more shapes a strategy is written in, read by rules (issue 22: the 18F handbook's kind).

* **Measured outcomes** — a plan or strategy page whose sections each name an outcome and say
  how it is measured ("### Partner satisfaction … How we measure partner satisfaction:"): a
  `pillar` per such section (its first sentence as the text, a perspective from its words),
  a `key_result` per benchmark bullet under it ("50% or more of respondents report …": target
  and unit from the bullet, direction up), and one per "the metric we use to gauge … is X"
  sentence (metric X, no target: "ask the owner").
* **Listed values** — bullets led by a bold name ("- **Open by default.** We are open …") in
  a section whose heading or introduction speaks of values, tenets or principles: a `value`
  per bullet, with the behavioural rules it states.

Quotes are verbatim from the chunk (checked by `reading.cite`); numbers only where the quote
writes them. Written after the 18F pages were read (session 15), so the 18F map figures are no
longer blind for these shapes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.knowledge.base import SearchHit
from assistant.strategy.model import MapElement
from assistant.strategy.reading import (
    RULE,
    cite,
    first_sentence,
    heading,
    perspective,
    sentences,
    slug,
)

__all__ = ["listed_values", "measured_outcomes"]

_BENCHMARK = re.compile(r"^\s*[-*]\s+((?:at least\s+)?(\d+(?:\.\d+)?)\s*%\s*(?:or more\s+)?of\s+"
                        r"[^\n]{10,300})$", re.IGNORECASE | re.MULTILINE)
_METRIC = re.compile(r"\bthe (?:metric|measure|indicator) we use to (?:gauge|track|measure)"
                     r"[^.]{0,120}? is ([a-z][a-z \-]{2,60})\.", re.IGNORECASE)
_BOLD_ITEM = re.compile(r"^\s*[-*]\s+\*\*([^*\n]{3,80}?)[.:]?\*\*[.:]?\s*(.+?)(?=^\s*[-*]\s|\Z)",
                        re.MULTILINE | re.DOTALL)
_VALUES_WORDS = re.compile(r"\b(values?|tenets?|principles?)\b", re.IGNORECASE)


def measured_outcomes(chunks: list[SearchHit], period: str) -> Iterator[MapElement]:
    sections: dict[str, list[SearchHit]] = {}
    for hit in chunks:
        sections.setdefault(heading(hit), []).append(hit)
    for name, hits in sections.items():
        said = f"how we measure {name.lower()}"
        if len(name) < 3 or not any(said in " ".join(h.text.lower().split()) for h in hits):
            continue
        first = next((first_sentence(h) for h in hits if first_sentence(h)), "")
        if not first:
            continue
        key = f"pillar:{slug(name)}"
        yield MapElement(key=key, kind="pillar", title=name, text=first, period=period,
                         perspective=perspective(f"{name} {' '.join(h.text for h in hits)}"),
                         citations=[cite(hits[0], first)])
        for hit in hits:
            yield from _benchmarks(hit, key, period)


def _benchmarks(hit: SearchHit, pillar: str, period: str) -> Iterator[MapElement]:
    for match in _BENCHMARK.finditer(hit.text):
        line = " ".join(match.group(1).split())
        yield MapElement(key=f"key_result:{pillar}:{slug(line)}", kind="key_result",
                         title=line[:300], text=line, metric=line[:120], unit="%",
                         direction="increase", target=float(match.group(2)), period=period,
                         serves=[pillar], citations=[cite(hit, line)])
    flat = " ".join(hit.text.split())
    for match in _METRIC.finditer(flat):
        metric = match.group(1).strip()
        yield MapElement(key=f"key_result:{pillar}:{slug(metric)}", kind="key_result",
                         title=metric[:1].upper() + metric[1:], text=match.group(0),
                         metric=metric, period=period, serves=[pillar],
                         citations=[cite(hit, match.group(0))])


def listed_values(chunks: list[SearchHit], period: str) -> Iterator[MapElement]:
    carry, last = "", ""  # a list that runs on into the next chunk keeps its introduction
    for hit in chunks:
        if heading(hit) != last:
            carry, last = "", heading(hit)
        for match in _BOLD_ITEM.finditer(hit.text):
            before = carry + hit.text[:match.start()]
            if not (_VALUES_WORDS.search(heading(hit)) or _VALUES_WORDS.search(before[-400:])):
                continue
            name = match.group(1).strip().rstrip(".:")
            body = " ".join(match.group(2).split())
            said = (sentences(body) or [body])[0]
            if len(said) < 3:
                continue
            rules = [s for s in sentences(body) if RULE.search(s)]
            yield MapElement(key=f"value:{slug(name)}", kind="value", title=name, text=said,
                             rules=rules, period=period, citations=[cite(hit, said)])
        carry = _list_tail(hit.text)


def _list_tail(text: str) -> str:
    """The introduction of a list still open at the end of a chunk ("… these tenets:" and the
    items since), else nothing."""
    lines = text.rstrip().splitlines()
    items = 0
    while items < len(lines) and re.match(r"^\s*([-*]\s|\s{2,}\S)", lines[-1 - items]):
        items += 1
    return "\n".join(lines[-1 - items:]) if items and items < len(lines) else ""
