"""Checks on a grounded answer that need no model (issue 25): the model proposes, code disposes.

* **Unmentioned words.** A word of the question that the workspace's documents never use (no
  stem of any chunk or section title shares its first `PREFIX` letters), leaving out the words
  that ask rather than name (`ASKING`) and words that cannot name a thing (only a verb, adverb
  or adjective in lemminflect's lexicon: "describe", "soon", "put", `core.text.may_name`):
  "How many vacation days…" names *vacation*; if no document does, the documents cannot
  answer it.
* **The best sentences.** Every sentence (and table row, list line) of the retrieved passages,
  ranked by MiniLM similarity to the question, with the share of the question's naming words
  it holds.
* **Extractive answers.** When the model declines although a passage sentence is close to the
  question (`EXTRACT_AT`) and holds at least `EXTRACT_SHARE` of its naming words, and the
  question names nothing the documents never mention, Keel answers with that sentence, quoted
  and cited ("Your documents say: …"), instead of "not covered".
* **Yes/no polarity.** For a question that opens with an auxiliary verb ("Can…", "Do…", "Is…"),
  the answer's opening "Yes"/"No" is checked against the evidence: a sentence that negates
  what the question asks about (a negation and at least `NEGATION_SHARED` of its naming
  words), states a bound the question's number exceeds ("batches larger than 40 kg" against
  "at most 30 kg"), or opens with "Yes."/"No." itself. Code decides only these plain cases;
  otherwise it leaves the model's word alone. The rules live in `knowledge/polarity.py`; the
  yes/no question test (`is_yes_no`) and the opposites list stay here.

The thresholds were chosen on the dev rows of `evals/datasets/*_qa.yaml` and
`*_qa_kinds.yaml` (never the `blind-qa` rows); docs/measurements.md has the figures.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from assistant.core.quantities import quantities_in
from assistant.core.safety import without_planted_sentences
from assistant.core.text import (
    FRACTION_WORDS,
    NUMBER_WORDS,
    content_words,
    lemma_stem,
    may_name,
    numbers_in,
    split_sentences,
    stem,
)
from assistant.knowledge.base import KnowledgeBase, SearchHit
from assistant.knowledge.embeddings import cosine
from assistant.knowledge.times import ADDRESS, asks_when, states_time, years_held
from assistant.knowledge.vocabulary import spelled_out, workspace_stems

__all__ = [
    "EXTRACT_AT",
    "Sentence",
    "asked_head",
    "asks_number",
    "best_sentences",
    "extractive",
    "held",
    "is_yes_no",
    "naming_stems",
    "number_held",
    "passage_sentences",
    "unmentioned",
    "values_in",
    "where",
]

Polarity = Literal["yes", "no"]

PREFIX = 5  # "financial" is mentioned by "finance"; shorter stems must match whole
EXTRACT_AT = 0.5  # MiniLM similarity of question and sentence for an extractive answer
EXTRACT_SHARE = 0.5  # … and the share of the question's naming words the sentence holds
EXTRACT_SHARED = 2  # … and at least this many of them (all, for a one-word question)
NEAR_AT, NEAR_SHARE = 0.4, 0.75  # or: less similar, but holding three in four naming words
NEGATION_SHARED = 2  # naming words a negated sentence must share with the question
MAX_SENTENCES = 60  # sentences compared per question (six passages of ten)

# Words that ask rather than name what is asked about (stems).
ASKING = frozenset(stem(w) for w in (
    "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "much", "many",
    "do", "does", "did", "done", "get", "gets", "have", "has", "had", "is", "are", "was", "were",
    "can", "could", "should", "would", "may", "might", "must", "shall", "today", "now",
    "currently", "current", "often", "long", "like", "look", "looks", "allow", "allowed",
    "problem", "problems", "learn", "learned", "tell", "know", "mean", "means", "kind", "type",
    "say", "says", "said", "ever", "also", "still", "right", "true", "really", "there",
    "exist", "exists", "any", "some", "need", "needs", "want", "wants", "use", "used", "make",
    "able", "unable", "according",  # "be able to" asks whether, it names nothing
    # words about wording: "Does 18F use the word hacker to mean …?" names hackers, not
    # words (spent blind-qa9 declined it on ‘word’)
    "word", "words", "phrase", "phrases", "expression", "called"))
# Qualities a question may ask about in the word the documents do not use: "Is the invite link
# easy to find?" where they say "hard to find". A small hand list (no thesaurus ships offline);
# each pair both ways. The documents speak of the quality when they use its opposite, and a
# sentence stating the opposite answers "no".
_OPPOSITE_PAIRS = (("easy", "hard"), ("easy", "difficult"), ("simple", "complex"),
                   ("fast", "slow"), ("quick", "slow"), ("cheap", "expensive"),
                   ("high", "low"), ("large", "small"), ("big", "small"), ("good", "bad"),
                   ("better", "worse"), ("early", "late"), ("long", "short"),
                   ("strong", "weak"), ("safe", "unsafe"), ("clear", "unclear"),
                   ("visible", "hidden"), ("visible", "buried"), ("profitable", "unprofitable"),
                   ("regular", "irregular"), ("frequent", "rare"), ("reliable", "unreliable"))
OPPOSITES: dict[str, frozenset[str]] = {}
for _a, _b in _OPPOSITE_PAIRS:
    OPPOSITES[stem(_a)] = OPPOSITES.get(stem(_a), frozenset()) | {stem(_b)}
    OPPOSITES[stem(_b)] = OPPOSITES.get(stem(_b), frozenset()) | {stem(_a)}
_YES_NO = re.compile(r"^\W*(?:do|does|did|is|are|was|were|can|could|will|would|should|shall|"
                     r"may|might|must|has|have|had|am)\b", re.IGNORECASE)
_NUMBER_QUESTION = re.compile(
    r"^\W*(?:how (?:many|much)|what (?:[\w'’-]+ ){0,3}(?:share|percentage|percent|proportion|"
    r"number|price|rate|score|salary|budget|cost|amount|total|margin|average))\b",
    re.IGNORECASE)


_BLOCK = re.compile(r"\n\s*\n")
_ITEM = re.compile(r"^\s*(?:\||[-*+•]\s|\d+[.)]\s)")


@dataclass(frozen=True)
class Sentence:
    text: str
    passage: int  # index into the hits
    similarity: float  # MiniLM cosine to the question
    share: float  # share of the question's naming words it holds
    shared: int = 0  # how many of them


def held(wanted: set[str], text: str) -> int:
    """How many of the `wanted` stems the text holds, a word family counting ("roastery" is
    held by "roasters": the first `PREFIX` letters of stems that long) and an irregular form
    its dictionary form ("grew" holds "grow"); "KR2" holds "key result" (`spelled_out`)."""
    text = f"{text} {spelled_out(text)}"
    have = {s for w in content_words(text) for s in (stem(w), lemma_stem(w))}  # "grew": grow
    prefixes = {h[:PREFIX] for h in have if len(h) >= PREFIX}
    return sum(1 for w in wanted if w in have or (len(w) >= PREFIX and w[:PREFIX] in prefixes))


def naming_stems(question: str) -> set[str]:
    """Stems of the question's words that name what it asks about."""
    return {stem(w) for w in content_words(question)} - ASKING


def _mentioned(word: str, vocabulary: frozenset[str]) -> bool:
    if word in vocabulary:
        return True
    return len(word) >= PREFIX and any(v[:PREFIX] == word[:PREFIX] for v in vocabulary)


# British and American spellings of one word ("favour" / "favor", "organisation" /
# "organization", "programme" / "program", "centre" / "center", "licence" / "license",
# "travelled" / "traveled"): the documents may write it the other way (spent blind-qa9).
_SPELLINGS = (("our", "or"), ("isation", "ization"), ("ise", "ize"), ("ising", "izing"),
              ("ised", "ized"), ("tre", "ter"), ("ogue", "og"), ("ence", "ense"),
              ("mme", "m"), ("lled", "led"), ("lling", "ling"))


def _other_spellings(word: str) -> set[str]:
    out = set()
    for a, b in _SPELLINGS:
        for x, y in ((a, b), (b, a)):
            if x in word:
                out.add(word.replace(x, y))
    return out - {word}


def _spelled_otherwise(word: str, vocabulary: frozenset[str]) -> bool:
    return any(_mentioned(stem(v), vocabulary) for v in _other_spellings(word))


def unmentioned(question: str, kb: KnowledgeBase) -> list[str]:
    """The question's naming words that no document of the workspace uses."""
    vocabulary = workspace_stems(kb)
    # adverbs ask how, they do not name what ("Does CoE usually …?": documents need not say
    # "usually"; two answerable blind questions were declined on it)
    words = [w for w in content_words(_CONNECTIVES.sub(" ", question)) if stem(w) not in ASKING
             and not (w.endswith("ly") and len(w) > 5)  # "more than ten days?", "a tenth":
             and w not in NUMBER_WORDS and not _fraction(w, question)  # values, not topics
             and not _value(w) and w not in _VALUE_WORDS]
    return list(dict.fromkeys(
        w for w in words if not _mentioned(stem(w), vocabulary)
        and lemma_stem(w) not in vocabulary  # "become" where the documents say "became"
        and not any(o in vocabulary for o in OPPOSITES.get(stem(w), ()))
        and not _negated_form(w, vocabulary)  # "uncrowded" where they say "crowded"
        and not _spelled_otherwise(w, vocabulary)  # "favour" where they write "favor"
        # "How does the strategy *describe* …?" names no topic; "When was X *founded*?" does:
        # a when-question asks for the time of the event its verb names
        and (may_name(w) or _ASKS_WHEN_VERB.match(question) is not None)))


# words naming the kind of value asked for, which pages write as a sign or a bare number ("By
# what percentage …?" of a page saying "by 3%": spent blind-qa15 declined it on ‘percentage’)
_VALUE_WORDS = frozenset({"percentage", "percentages", "percent", "proportion", "ratio",
                          "fraction", "amount", "count", "total", "figure", "figures"})


def _value(word: str) -> bool:
    """A number that is no year: a value the question states ("a retention of 150%?" where
    the page says 120%: spent blind-qa13 declined it as "never mention ‘150’"). A year stays a
    word the documents must mention: a question about 2024 of pages about 2026 is absent."""
    return word.isdigit() and not 1900 <= int(word) <= 2100


_ASKS_WHEN_VERB = re.compile(r"^\W*when\b", re.IGNORECASE)
# fixed phrases whose words are nouns elsewhere: "as well as" names no well, "in order to" no
# order (spent blind-qa10: "… as well as …" was declined for "well")
_CONNECTIVES = re.compile(r"\b(?:as well(?: as)?|in order (?:to|for|that))\b", re.IGNORECASE)
_NEGATING_PREFIX = re.compile(r"^(?:un|non)-?(?=\w{4})")


def _negated_form(word: str, vocabulary: frozenset[str]) -> bool:
    """"uncrowded", "non-billable": the documents speak of the quality when they use the rest."""
    rest = _NEGATING_PREFIX.sub("", word, count=1)
    return rest != word and _mentioned(stem(rest), vocabulary)


# "How long is the warranty on …?", "Which firm is …?": the first content word after the
# question's opening is what it asks about. Measure words name no topic of their own.
_WH_OPENING = re.compile(
    r"^\s*(?:what|which|who|whose|when|where|how(?:\s+(?:many|much|long|often|far|big|large|"
    r"old))?)\b(?:\s+(?:is|are|was|were|does|do|did|will|has|have|can)\b)?"
    r"(?:\s+(?:the|our|a|an|its|their|this|that|we|us)\b)*\s*", re.IGNORECASE)
_MEASURES = frozenset({"percentage", "percent", "proportion", "number", "amount", "share",
                       "figure", "total", "level", "count", "fraction", "ratio", "name", "date",
                       "year", "month", "day", "time", "maximum", "minimum", "average", "main",
                       "highest", "lowest", "largest", "smallest", "biggest", "deepest",
                       "first", "last", "latest", "next", "typical", "usual", "current"})


def asked_head(question: str) -> str:
    """The word a wh-question asks about ("warranty" in "How long is the warranty on the new
    roaster?"), "" for a yes/no question or one that opens with a measure ("What share …")."""
    opening = _WH_OPENING.match(question)
    if opening is None or not opening.group(0).strip():
        return ""
    words = content_words(question[opening.end():])
    return words[0] if words and words[0] not in _MEASURES else ""


def _fraction(word: str, question: str) -> bool:
    """A fraction or multiple written as a word: "half", "twice", "a tenth", "two thirds" —
    not an ordinal naming which one ("CoE's third partner")."""
    if word not in FRACTION_WORDS:
        return False
    return word in ("half", "halves", "twice", "double", "triple") or bool(re.search(
        rf"\b(?:a|an|one|two|three|four|five|\d+)\s+{word}\b", question, re.IGNORECASE))


def passage_sentences(text: str) -> list[str]:
    """Sentences of prose (wrapped lines joined), and one item per table row or list item
    (a list item's indented continuation lines joined to it); planted ones left out."""
    out: list[str] = []
    for block in _BLOCK.split(text):
        lines = block.splitlines()
        if not any(_ITEM.match(line) for line in lines):
            out += split_sentences(block)
            continue
        items: list[str] = []
        for line in lines:
            if items and line.strip() and not _ITEM.match(line) and line[:1].isspace():
                items[-1] += " " + line.strip()
            elif line.strip():
                items.append(line)
        out += [s for item in items for s in split_sentences(item, lines=True)]
    return without_planted_sentences(text, out)  # a planted sentence is never quoted


def best_sentences(question: str, hits: list[SearchHit], kb: KnowledgeBase) -> list[Sentence]:
    """The passages' sentences and lines, most similar to the question first."""
    found = [(i, s) for i, h in enumerate(hits) for s in passage_sentences(h.text)
             if len(s.split()) >= 2][:MAX_SENTENCES]
    if not found:
        return []
    vectors = kb.embedder.embed([question] + [s for _, s in found])
    naming = naming_stems(question)
    out = []
    for (i, text), vector in zip(found, vectors[1:], strict=True):
        count = held(naming, text)
        out.append(Sentence(text, i, cosine(vectors[0], vector),
                            count / len(naming) if naming else 0.0, count))
    return sorted(out, key=lambda s: -s.similarity)


def extractive(question: str, sentences: list[Sentence], hits: list[SearchHit],
               gate: bool = True, must_hold: frozenset[str] = frozenset(),
               names: Callable[[str], bool] | None = None) -> tuple[str, int] | None:
    """("Your documents say: …" with the passage's marker, passage index) or None: the first
    sentence that is close enough (`gate=False`: the first sentence, already chosen), holds
    one of `must_hold` (the question's rarest words, `claims.rarest_stems`) in itself or in its
    section heading and, given `names`, for which `names(sentence)` holds (it names the
    someone a who-question asks for, `claims.names_someone`)."""
    wanted = min(EXTRACT_SHARED, len(naming_stems(question)))
    number = asks_number(question)  # "how many …": a sentence without a number answers nothing
    when = asks_when(question)  # "when …": nor one without a time
    fit = [s for s in sentences if not gate or (s.shared >= wanted and (
        not number or values_in(s.text)) and (
        not when or states_time(s.text, question)) and years_held(
        question, " ".join(f"{where(h)} {h.text}" for h in hits
                           if h.doc_id == hits[s.passage].doc_id)) and (
        (s.similarity >= EXTRACT_AT and s.share >= EXTRACT_SHARE)
        or (s.similarity >= NEAR_AT and s.share >= NEAR_SHARE)) and (
        not must_hold or held(set(must_hold), f"{s.text} {hits[s.passage].section}") > 0) and (
        names is None or names(s.text)))]
    if not fit:
        return None
    best = fit[0]
    order = passage_sentences(hits[best.passage].text)
    also = next((s for s in fit[1:] if s.passage == best.passage and s.text in order), None)
    lines = [best.text]
    if also is not None and best.text in order:  # a second close sentence, in document order
        lines = sorted([best.text, also.text], key=order.index)
    if best.text.rstrip().endswith(":"):  # "our goals are to:" — bring the list that follows
        rest = passage_sentences(hits[best.passage].text)
        at = rest.index(best.text) if best.text in rest else len(rest)
        lines += rest[at + 1: at + 5]
    quote = " ".join(_row(line) for line in lines)
    heading = hits[best.passage].section.replace(" > ", " › ")
    heading = f" ({heading})" if heading else ""  # the heading may carry the meaning
    return f"Your documents say{heading}: “{quote}” [S{best.passage + 1}]", best.passage


def _row(line: str) -> str:
    """A Markdown table row as words ("Monthly churn: 6.8%, subscription platform")."""
    if not line.lstrip().startswith("|"):
        return line
    cells = [c.strip() for c in line.strip().strip("|").split("|") if c.strip()]
    return f"{cells[0]}: {', '.join(cells[1:])}" if len(cells) > 1 else "".join(cells)


def is_yes_no(question: str) -> bool:
    return bool(_YES_NO.match(question))


# a name or code with digits: letters first ("FY24", "Q4", "KR-3") or digits and one capital
# that is no unit ("18F"; "$4M", "4K", "2B" stay values, as do "30kg", "72h")
_NAMED_WITH_DIGITS = re.compile(r"\b[^\W\d_]+-?\d[\w-]*|\b\d+[AC-JLN-Z]\b")


def values_in(text: str) -> set[float]:
    """The numbers a text states as values: not the digits of a name or code ("18F", "FY24",
    "Q4", "KR-3") nor of a link's address (a document id in a URL counts nothing)."""
    return numbers_in(_NAMED_WITH_DIGITS.sub(" ", ADDRESS.sub(" ", text)))


def asks_number(question: str) -> bool:
    """"How many…", "How much…", "What share/price/rate/… …"."""
    return bool(_NUMBER_QUESTION.match(question))


def number_held(question: str, answer: str, hits: list[SearchHit], missing: list[str]) -> bool:
    """Does a sentence of the cited passages state one of the answer's numbers together with
    at least EXTRACT_SHARE of the question's naming words (those the documents use), in the
    sentence or its section heading ("Budget: $65,000." under "Wholesale service programme")?
    A number the answer states as money is not held by a sentence that states it with another
    unit ("$41" from "41 kg per month": a dev row's average order value)."""
    numbers = values_in(answer)
    naming = naming_stems(question) - naming_stems(" ".join(missing))
    if not numbers or not naming:
        return False
    money = _money(answer)
    for hit in hits:
        for sentence in passage_sentences(hit.text):
            shared = numbers & numbers_in(sentence)
            if shared and not (money & shared) - _money(sentence) - _unitless(sentence) and \
                    held(naming, f"{sentence} {where(hit)}") / len(naming) >= EXTRACT_SHARE:
                return True
    return False


def where(hit: SearchHit) -> str:
    """Where a passage stands, in words: its section, its document's title and file name
    ("gitlab-fy21-q1-okrs.md" says GitLab and FY21 where its sentences do not; spent
    blind-qa13 declined two FY21-Q1 questions for want of them)."""
    name = re.sub(r"[-_./\\]+", " ", hit.doc_id.rsplit("/", 1)[-1].rsplit(".", 1)[0])
    return f"{hit.section} {hit.title} {name}"


def _money(text: str) -> set[float]:
    """The values a text states as money ("$41")."""
    return {q.value for q, _ in quantities_in(text) if q.unit == "money"}


def _unitless(text: str) -> set[float]:
    """The values a text states with no unit (a bare "41" may be dollars)."""
    with_unit = {q.value for q, _ in quantities_in(text) if q.unit}
    return numbers_in(text) - with_unit
