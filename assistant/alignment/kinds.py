"""Non-goals broken by a member of the kind they rule out, found in code (issue 23).

The non-goal rule (`nongoal_rule.py`) needs the proposal to use the ruled-out phrase's own
words. A break told with a member of the kind instead — Target for "big-box stores", an
espresso bar for "a third café", "every third bag free" for "buy one get one free", a café
group in Mexico City for "we will not ship outside the United States", a venture fund for
"venture capital" — shares no word with it, and the 1.5B model, asked to name the ruled-out
action, often named another part of the proposal (the third blind set: 5 of 7 such breaks
missed). So a small table of kinds (`assistant/data/nongoal_kinds.yaml`: what a non-goal
says for the kind, what names a member) is read here, without the model:

* a **ruled-out item** is a heading that forbids ("No supermarket chains"), a list item of a
  sentence that forbids (`core.text.forbids`: "no", "not", "never"), or any item under a
  heading that rules out ("What is not funded in 2027"); an allowing sentence ("Local
  independent grocers of up to three stores are welcome") rules nothing out;
* the item **covers** a kind when it uses one of the kind's cover phrases;
* the proposal **names a member** in one sentence (with the kind's `near` action in that
  sentence, and not negated: "without outside investors" is no investor).

A break found this way is a cited conflict with the non-goal, like the word rule's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from assistant.alignment.elements import GUARD_HEADING
from assistant.core.places import FROM_ORIGIN, foreign_places
from assistant.core.text import forbids, list_items, split_sentences

__all__ = ["Kind", "KindBreak", "kind_breaks", "kinds", "ruled_out_items"]

# a member right after one of these is not done ("without outside investors")
_NEGATED = re.compile(r"\b(?:no|not|never|without|instead of|rather than|avoid|avoids|"
                      r"avoiding|unlike)\s+(?:\S+\s+){0,2}$", re.IGNORECASE)
_MARKET = re.compile(r"\b(?:ship|ships|shipped|shipping|export\w*|sell|sells|selling|sold|"
                     r"customers?|buyers?|caf[eé]s|shops|stores|retailers?|distributors?|"
                     r"importers?|subscribers?|orders?|wholesale|markets?|deliver\w*|clients?|"
                     r"accounts?)\b", re.IGNORECASE)


def _phrase(text: str, exact: bool) -> re.Pattern[str]:
    if text.startswith("re:"):
        return re.compile(text[3:], 0 if exact else re.IGNORECASE)
    body = r"[\s-]+".join(re.escape(w) for w in text.split())
    return re.compile(rf"(?<![\w-]){body}(?![\w-])", 0 if exact else re.IGNORECASE)


@dataclass(frozen=True)
class Kind:
    """One row of the kinds table."""

    name: str
    covers: tuple[re.Pattern[str], ...]
    members: tuple[re.Pattern[str], ...]
    near: re.Pattern[str] | None = None
    foreign: bool = False

    def covered_by(self, item: str) -> bool:
        return any(p.search(item) for p in self.covers)

    def member_in(self, sentence: str) -> str:
        """The member the sentence names (as written), or ""."""
        if self.near is not None and not self.near.search(sentence):
            return ""
        if self.foreign and not _MARKET.search(sentence):  # selling there, not buying there
            return ""
        for pattern in self.members:
            for m in pattern.finditer(sentence):
                before = sentence[:m.start()]
                if not (_NEGATED.search(before) or (self.foreign and FROM_ORIGIN.search(before))):
                    return m.group(0)
        return next(iter(foreign_places(sentence)), "") if self.foreign else ""


@cache
def kinds() -> tuple[Kind, ...]:
    """The kinds table shipped with Keel."""
    text = resources.files("assistant").joinpath("data", "nongoal_kinds.yaml").read_text(
        encoding="utf-8")
    out = []
    for row in yaml.safe_load(text):
        exact = bool(row.get("exact"))
        out.append(Kind(
            name=row["kind"], covers=tuple(_phrase(c, False) for c in row["covers"]),
            members=tuple(_phrase(m, exact) for m in row["members"]),
            near=re.compile(row["near"], re.IGNORECASE) if row.get("near") else None,
            foreign=row.get("places") == "foreign"))
    return tuple(out)


def ruled_out_items(heading: str, text: str) -> list[tuple[str, str]]:
    """What a non-goal statement rules out, as (item, the sentence it is in): the list items
    of its forbidding sentences (of every sentence under a heading that rules out), then its
    heading when that forbids."""
    under_guard = bool(GUARD_HEADING.search(heading))
    items = []
    for sentence in split_sentences(text, lines=True):
        if under_guard or forbids(sentence):
            items += [(i, sentence) for i in list_items(sentence.lstrip("-*+ "))]
    # the heading last: a sentence of the text is what a citation can quote
    return items + ([(heading, heading)] if heading and (forbids(heading) or under_guard)
                    else [])


@dataclass(frozen=True)
class KindBreak:
    """A proposal naming a member of a kind a non-goal item rules out."""

    item: str  # the ruled-out item, verbatim
    source: str  # the non-goal's sentence (or heading) the item is in, verbatim
    kind: str  # the kind's name, e.g. "a supermarket or big-box chain"
    member: str  # the proposal's words naming the member, as written
    sentence: str  # the proposal's sentence


def kind_breaks(proposal: str, heading: str, text: str) -> list[KindBreak]:
    """Every (item, kind) of the non-goal `heading`/`text` whose member the proposal names;
    one break per kind."""
    items = ruled_out_items(heading, text)
    sentences = split_sentences(proposal, lines=True)
    found: dict[str, KindBreak] = {}
    for kind in kinds():
        covered = next(((i, src) for i, src in items if kind.covered_by(i)), None)
        if covered is None:
            continue
        for sentence in sentences:
            if member := kind.member_in(sentence):
                found[kind.name] = KindBreak(covered[0], covered[1], kind.name, member, sentence)
                break
    return list(found.values())
