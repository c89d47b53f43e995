"""The text helpers every rule shares: sentences, stop words, stems, numbers.

One place for what used to be written out in seven modules:

* `split_sentences` — one splitter (sentence ends, optionally `;` and line breaks) that does not
  break after common abbreviations ("e.g.", "Dr.") or inside decimals ("6.8%"). The maintained
  splitters on PyPI either fetch models at run time (NLTK's punkt) or are unmaintained since
  2021-2022 (pysbd, syntok), and Keel's rules need the same cut in the same place every time.
* `STOP_WORDS`, `content_words`, `stem`, `content_stems` — English Snowball stems
  (`snowballstemmer`) of the words that carry meaning, for every word-overlap rule.
* `list_items` — the items of a comma- or semicolon-separated list ("a third café, a mobile
  coffee cart, and trade-show booths"), so a rule can compare one item at a time.
* `may_name` — whether a word can name a thing (lemminflect's lexicon of parts of speech, 770 KB,
  MIT): the unmentioned-word rule counts nouns and names, not the verbs that phrase a question.
* `numbers_in`, `NUMBER_WORDS`, `NUMBER_PATTERN` — numbers as written ('2,410', '6.8%', '$3.25',
  'four'), for the grounding checks and the limit rules.
"""

from __future__ import annotations

import re
from functools import lru_cache

import simplemma
import snowballstemmer
from lemminflect import getAllLemmas

__all__ = ["CITATION_MARKER", "FRACTION_WORDS", "NUMBER_PATTERN", "NUMBER_WORDS", "STOP_WORDS",
           "content_stems", "content_words", "forbids", "format_amount", "lemma_stem",
           "list_items", "may_name", "numbers_in", "split_sentences", "stem", "table_rows"]

STOP_WORDS = frozenset({
    "the", "a", "an", "and", "or", "of", "to", "in", "on", "for", "with", "by", "from", "at",
    "as", "is", "are", "be", "we", "our", "us", "it", "its", "this", "that", "their", "them",
    "they", "will", "would", "can", "not", "no", "per", "each", "every", "all", "any", "into",
    "than", "then", "so", "there", "these", "those", "about", "which", "where", "while", "other",
    "after", "before", "under", "until"})
_WORD = re.compile(r"[^\W_]+")  # letters and digits, accented ones too ("café")
_STEMMER = snowballstemmer.stemmer("english")

NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                "eleven", "twelve")  # NUMBER_WORDS.index(w) + 1 is the value
# Fractions and multiples written as words ("a tenth of", "half", "twice"): values, not topics.
FRACTION_WORDS = ("half", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
                  "tenth", "twentieth", "hundredth", "twice", "double", "triple", "halves",
                  "thirds", "fifths", "tenths")
# A number as written: '2,410', '6.8', '12' (currency and units are the caller's business).
NUMBER_PATTERN = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# a grounded answer's citation marker: "[S1]", "[S2, S3]" (the passages are labelled S1, S2 …)
CITATION_MARKER = re.compile(r"\[S\d+(?:\s*,\s*S\d+)*\]")
# "one" is left out of numbers_in: it is mostly a pronoun ("no one", "one of our")
_NUMBER_WORD = re.compile(rf"\b({'|'.join(NUMBER_WORDS[1:])})\b", re.IGNORECASE)
_NUM = re.compile(r"(?<![\w.])[-+]?\$?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?")
# a decimal written without its leading zero: "a location factor of .65" (not "v1.65", "2.65")
_BARE_DECIMAL = re.compile(r"(?<![\w.,])\.(\d+)(?![\d.])")

_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "approx.", "incl.", "no.", "dr.", "mr.", "mrs.",
                  "ms.", "st.", "inc.", "ltd.", "co.", "jan.", "feb.", "mar.", "apr.", "jun.",
                  "jul.", "aug.", "sep.", "sept.", "oct.", "nov.", "dec.", "u.s.")
_END = re.compile(r"(?<=[.!?])\s+")
_END_OR_SEMICOLON = re.compile(r"(?<=[.!?;])\s+")
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")


def split_sentences(text: str, *, lines: bool = False, semicolons: bool = False) -> list[str]:
    """The text's sentences, stripped, none empty.

    `lines=True`: a line break also ends a sentence and a leading list marker ("- ", "1. ") is
    dropped (Markdown bullets, table rows); otherwise white space is folded first, so a
    sentence wrapped over lines stays whole. `semicolons=True`: ";" ends a sentence too (rule
    sentences such as "no discount deeper than 15%; no free shipping").
    """
    pieces = text.splitlines() if lines else [" ".join(text.split())]
    ends = _END_OR_SEMICOLON if semicolons else _END
    out: list[str] = []
    for piece in pieces:
        piece = _BULLET.sub("", piece) if lines else piece
        carry = ""
        for part in ends.split(piece):
            part = f"{carry} {part}".strip() if carry else part.strip()
            carry = ""
            if part.lower().endswith(_ABBREVIATIONS):
                carry = part  # "e.g. the roastery" is one sentence
                continue
            if part:
                out.append(part)
        if carry:
            out.append(carry)
    return out


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The English Snowball stem of a lower-case word ("discounts" -> "discount")."""
    return str(_STEMMER.stemWord(word))


def lemma_stem(word: str) -> str:
    """The stem of a word's dictionary form, so irregular forms meet ("became" and "become",
    "made" and "make", "paid" and "pay"; simplemma's English lexicon)."""
    return stem(str(simplemma.lemmatize(word, lang="en")).lower())


def may_name(word: str) -> bool:
    """Can the lower-case word name a thing: a noun in lemminflect's English lexicon, or a word
    the lexicon does not know (a name: "TikTok", "Sidama")? Words that are only verbs, adverbs
    or adjectives ("describe", "soon", "put") phrase a question rather than name its topic; an
    "-ing" form may be a gerund naming an activity ("the parking policy") and an ordinal picks
    one of several ("CoE's third partner"), so both count."""
    if word.endswith("ing") or word in FRACTION_WORDS:
        return True
    forms = getAllLemmas(word)
    return not forms or "NOUN" in forms or "PROPN" in forms


def content_words(text: str, min_length: int = 3) -> list[str]:
    """The words that carry meaning, lower-cased, in order: no stop words, no short words."""
    return [w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS and len(w) >= min_length]


def content_stems(text: str) -> set[str]:
    """Stems of the words that carry meaning (no stop words, no 1-2 letter words)."""
    return {stem(w) for w in content_words(text)}


def numbers_in(text: str) -> set[float]:
    """Every number written in the text ('2,410', '6.8%', '$3.25', '.65' -> 2410, 6.8, 3.25,
    0.65), and the small ones written as words ('four in 2026' -> 4; not "one", which is
    mostly a pronoun: "no one", "one of our")."""
    found = set()
    for match in _NUM.finditer(text):
        found.add(float(match.group(1).replace(",", "") + (match.group(2) or "")))
    for match in _BARE_DECIMAL.finditer(text):
        found.add(float(f"0.{match.group(1)}"))
    for word in _NUMBER_WORD.findall(text):
        found.add(float(NUMBER_WORDS.index(word.lower()) + 1))
    return found


def format_amount(value: float | None, unit: str = "", unknown: str = "?",
                  other_units: bool = False) -> str:
    """2410 -> "2,410", with "$" before and "%" after; `unknown` for None; other units
    ("kg") appended only when `other_units`."""
    if value is None:
        return unknown
    text = f"{value:,.0f}" if value == int(value) else f"{value:,}"
    if unit == "$":
        return f"${text}"
    if unit == "%":
        return f"{text}%"
    return f"{text} {unit}".strip() if other_units else text


_PARENTHESES = re.compile(r"\s*\([^()]*\)")
_LIST_LEAD = re.compile(r"^(?:and|or)\s+", re.IGNORECASE)


# A sentence forbids when it says "no"/"not"/"never" outside a bound's own words ("No
# discount deeper than 15% off list"); "a credit line of up to $250,000" and "grocers of up to
# three stores are welcome" allow, up to a bound.
_BOUND_WORDS = re.compile(r"\b(?:no|not)\s+(?:more|higher|deeper|larger|greater|longer|later|"
                          r"fewer|less|lower)\s+than\b", re.IGNORECASE)
_FORBIDS = re.compile(r"\b(?:no|not|never|nor|cannot)\b|n't\b", re.IGNORECASE)


def forbids(sentence: str) -> bool:
    """True when a sentence rules something out rather than allowing it up to a bound."""
    return bool(_FORBIDS.search(_BOUND_WORDS.sub(" ", sentence)))


def list_items(text: str) -> list[str]:
    """The items of a list written in a sentence, split at commas and semicolons, with
    parentheses and a joining "and"/"or" dropped; `[text]` when it is no list (one item)."""
    body = _PARENTHESES.sub("", text)
    items = [_LIST_LEAD.sub("", p.strip(" .:")) for p in re.split(r",\s+|;\s*", body)]
    items = [i for i in items if content_words(i)]
    return items if len(items) > 1 else [text]


def table_rows(text: str) -> list[tuple[str, dict[str, str]]]:
    """Every data row of the Markdown tables in `text`: (the row's line, {header: cell}).
    A table is a run of lines starting with "|"; its first line is the header, the
    "|---|" line is skipped."""
    out: list[tuple[str, dict[str, str]]] = []
    header: list[str] = []
    for line in text.splitlines():
        if not line.strip().startswith("|"):
            header = []
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if set("".join(cells)) <= set("-: "):
            continue
        if not header:
            header = cells
            continue
        out.append((line.strip(), dict(zip(header, cells, strict=False))))
    return out
