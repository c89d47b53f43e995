"""What an answer claims, checked against the passages in code (issue 25, session 19).

The second blind QA set showed the 1.5B model answering questions the documents do not answer
by borrowing a neighbouring fact: "The name of our head roaster is Dana Okafor" (the Head of
Operations), "Tidewater was founded in 2026", "a Net Promoter Score of 75 in FY24"; and Keel's
own quoting fallback quoting a loosely related sentence ("We publish the price we paid" for the
price per kilo of one coffee). Two checks, no model:

* **Invented numbers.** A number the answer's first sentence states that no retrieved passage
  (nor the question) holds is borrowed from nowhere.
* **Claims.** For a question asking for a name (who, which, "what is the name") or a number
  (when, how many, how much, what share/price/score …), the values of that kind the answer's
  first sentence gives (capitalised words not in the question; numbers not in the question)
  must each stand in one passage sentence together with at least `CLAIM_SHARE` of the
  question's naming words (those the documents use). A value found only elsewhere is borrowed.
  Other questions and the answer's further sentences are not checked: checking every name of
  every sentence declined a dozen right answers on the spent blind rows (extra detail).
* **Non-answers.** A model-written answer that says the passages do not cover the question
  in its own words ("… is not directly covered in the given passages"), or whose first
  sentence only restates the question, is treated as the model declining (`qa.settle` then
  asks again or quotes, as for "not covered").
* **The question's rarest words.** A quoted answer to a question other than yes/no must hold
  one of the question's `RAREST`
  naming words in the workspace (fewest chunks use them) in the sentence or its section
  heading: those words are what the question is about ("Huila", "cancelled", "roaster"), and
  the common ones ("coffee", "subscribers") are held by many sentences that do not answer it.
"""

from __future__ import annotations

import itertools
import re

from assistant.core.text import (
    CITATION_MARKER,
    NUMBER_WORDS,
    content_stems,
    numbers_in,
    split_sentences,
    stem,
)
from assistant.knowledge.answer_checks import (
    PREFIX,
    held,
    is_yes_no,
    naming_stems,
    passage_sentences,
    values_in,
    where,
)
from assistant.knowledge.base import KnowledgeBase, SearchHit
from assistant.knowledge.vocabulary import common_stems, stem_frequency

__all__ = ["CLAIM_SHARE", "RAREST", "asks_for", "asks_for_someone", "claims_in",
           "invented_numbers", "names_someone", "non_answer", "rarest_stems",
           "unsupported_claims"]

CLAIM_SHARE = 0.5  # share of the question's naming words a claim's sentence must hold
_CAPITALISED = re.compile(r"\b[A-Z][\w'’-]*")
_MARKER = CITATION_MARKER
_NOT_NAMES = frozenset({"yes", "no", "the", "this", "these", "our", "we", "it", "i", "a", "an",
                        "according", "however", "therefore", "also", "in", "on", "for"})
_ASKS_NAME = re.compile(r"^\W*(?:who|whom|whose|which|what(?:'s| is| was| are)? (?:the )?names?)\b",
                        re.IGNORECASE)
_ASKS_NUMBER = re.compile(
    r"^\W*(?:when|how (?:many|much|long|often)|in (?:what|which) year|which year|what (?:year|"
    r"date|share|percentage|percent|proportion|number|price|rate|score|salary|budget|cost|"
    r"amount|total)|what \w+ (?:score|rate|price|share|margin)|"
    # "What does a box cost?", "What will the technician be paid?" (spent blind-qa9: a budget
    # figure given as a wage)
    r"what\b[^?]*\b(?:cost|costs|pay|pays|paid|earn|earns|charge|charges))\b", re.IGNORECASE)
RAREST = 1  # the question's rarest naming words a quote must hold one of
# "… is not directly covered in the given passages": the model declining in other words
_SAYS_ABSENT = re.compile(
    r"\b(?:not|no|never)\b[^.]{0,60}\b(?:cover\w*|mention\w*|stat\w*|specif\w*|say|says|"
    r"provid\w*|contain\w*|giv\w*|includ\w*|found|available)\b[^.]{0,40}\b(?:passages?|"
    r"documents?|context|sources?|texts?|information)\b|\b(?:passages?|documents?|context|"
    r"sources?|texts?)\b[^.]{0,40}\b(?:do|does|did)\s+not\s+(?:cover|mention|state|specify|"
    r"say|provide|contain|give|include)\b|\b(?:there\s+is|there's|contains?|provides?|gives?|"
    r"has|have)\s+no\s+(?:specific\s+|direct\s+)?(?:information|data|details?|mention)\b",
    re.IGNORECASE)
# "The FY24 results can be found in [S2]": where to look, not what it says (spent blind-qa9)
_POINTS_ELSEWHERE = re.compile(r"\b(?:can|could|may)\s+be\s+(?:found|seen|read)\s+in\s+(?:\[S\d|"
                               r"the\s+(?:passage|document|source|text)s?\b)", re.IGNORECASE)
_VALUE_STEMS = frozenset(stem(w) for w in NUMBER_WORDS) | {"one"}
# "Who is our Head of X?", "Who leads X?" ask who holds a role: the answer names someone. Other
# who-questions may be answered by a group ("Who takes part …?" — "12 partner cafés"; a spent
# blind-qa4 row was declined when every who-question was read this way) or ask who may ("Who
# can see …?" — "Everyone at Tidewater"): not read.
_ASKS_PERSON = re.compile(r"^\W*who(?:'s|\s+(?:is|was|are|were|leads?|led|heads?|runs?|owns?|"
                          r"manages?|chairs?))\b", re.IGNORECASE)
_ASKS_ORGANISATION = re.compile(
    r"^\W*which\s+(?:\w+\s+)?(?:firm|company|bank|agency|courier|vendor|supplier|carrier|"
    r"lender|insurer|accountants?|brand|organi[sz]ation)s?\b", re.IGNORECASE)
# Words that name someone by role ("The TTSC Chief of Staff", "a member of the 18F LT"); not
# "officer", whose stem is "office"s.
ROLES = frozenset(stem(w) for w in (
    "director", "lead", "leader", "manager", "head", "chief", "owner", "supervisor",
    "coordinator", "founder", "president", "chair", "member", "team", "staff", "agent",
    "trainer", "technician", "accountant", "bookkeeper", "administrator", "ceo", "cfo", "coo"))
_WORD = re.compile(r"[\w'’&.-]+")


def _first(answer: str) -> str:
    """The answer's first sentence or line, with the next one when it introduces it ("Our
    values are:"); "" for an empty answer."""
    sentences = split_sentences(_MARKER.sub("", answer), lines=True)
    if not sentences:
        return ""
    return " ".join(sentences[:2]) if sentences[0].rstrip().endswith(":") else sentences[0]


def asks_for(question: str) -> str:
    """"name" for who / which / whose / "what is the name", "number" for when / how many /
    how much / what year, share, price …; "" for other questions (they are not checked)."""
    if _ASKS_NAME.match(question):
        return "name"
    return "number" if _ASKS_NUMBER.match(question) else ""


def claims_in(question: str, answer: str) -> list[str]:
    """The values the answer's first sentence gives of the kind the question asks for (names
    written with a capital, or numbers) that the question does not state itself."""
    wanted = asks_for(question)
    first = _first(answer)
    if not wanted or not first:
        return []
    if wanted == "number":
        return [f"{n:g}" for n in sorted(values_in(first) - values_in(question))]
    asked = {w.lower() for w in re.findall(r"[\w'’-]+", question)}
    found: list[str] = []
    for m in list(_CAPITALISED.finditer(first))[1:]:  # the first word is capitalised anyway
        word = m.group(0).strip("'’-")
        if word.lower() not in asked and word.lower() not in _NOT_NAMES and word not in found:
            found.append(word)
    return found


_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”")  # passage text an answer quotes


def non_answer(question: str, answer: str, kb: KnowledgeBase | None = None) -> str:
    """Why a model-written answer answers nothing ("" when it may): it says the passages do
    not cover the question, or (a question other than yes/no) its first sentence only restates
    the question ("The bank provides our credit line [S1].") or, asked for someone, names no
    one (`names_someone`; with `kb`) outside the passage text it quotes ("The VP of Recruiting
    is GitLab's VP of Recruiting, who is cited as "VP of Recruiting KR: Achieve …"": the spent
    fourteenth set; replayed on the fourteen spent sets, the one who-answer this changes)."""
    first = _first(answer)
    if not first:
        return "it is empty"
    if _SAYS_ABSENT.search(first):
        return "it says the passages do not answer it"
    if _POINTS_ELSEWHERE.search(split_sentences(answer, lines=True)[0]):
        return "it says where to look, not what the documents say"
    if (not is_yes_no(question) and not content_stems(first) - content_stems(question)
            and not values_in(first) - values_in(question)):  # ("churn is 6.8%" answers)
        return "it only restates the question"
    if kb is not None and not names_someone(question, _QUOTED.sub(" ", first), kb):
        return "it names no one"
    return ""


def invented_numbers(question: str, answer: str, hits: list[SearchHit]) -> list[str]:
    """Numbers the answer's first sentence states that neither the question nor any retrieved
    passage holds ("open 7:00 AM to 5:00 PM" from passages with no opening hours)."""
    known = values_in(question).union(*(numbers_in(h.text) for h in hits))
    return [f"{n:g}" for n in sorted(values_in(_first(answer)) - known)]


def unsupported_claims(question: str, answer: str, hits: list[SearchHit],
                       missing: list[str]) -> list[str]:
    """The answer's claims (`claims_in`) that no passage sentence states with at least
    `CLAIM_SHARE` of the question's naming words (other than `missing`, never used) in the
    sentence or its section heading."""
    if invented := invented_numbers(question, answer, hits):
        return invented
    naming = naming_stems(question) - naming_stems(" ".join(missing))
    claims = claims_in(question, answer)
    if not claims or not naming:
        return []
    sentences = [s for h in hits for s in passage_sentences(h.text)
                 if held(naming, f"{s} {where(h)}") / len(naming) >= CLAIM_SHARE]
    return [c for c in claims if not any(_states(c, s) for s in sentences)]


def _states(claim: str, sentence: str) -> bool:
    if claim[0].isdigit():
        return float(claim) in numbers_in(sentence)
    return claim.lower() in {w.lower() for w in re.findall(r"[\w'’-]+", sentence)}


def rarest_stems(question: str, kb: KnowledgeBase) -> frozenset[str]:
    """The question's `RAREST` naming stems used by the fewest chunks (ties kept; a stem no
    chunk uses is left out: that is the unmentioned-word rule's business)."""
    counts = stem_frequency(kb)
    def used(s: str) -> int:
        return counts.get(s, 0) or sum(n for k, n in counts.items()
                                       if len(s) >= PREFIX and k[:PREFIX] == s[:PREFIX])
    naming = {s: used(s) for s in naming_stems(question)
              if not s[0].isdigit() and s not in _VALUE_STEMS}  # values are not the topic
    present = sorted((n, s) for s, n in naming.items() if n > 0)
    if not present:
        return frozenset()
    bar = present[min(RAREST, len(present)) - 1][0]  # ties at the bar are kept
    return frozenset(s for n, s in present if n <= bar)


def asks_for_someone(question: str) -> str:
    """"person" for who-questions that ask who holds a role ("Who is our Customer Experience
    Lead?", "Who leads …?"), "organisation" for "which firm / bank / courier …", "" otherwise."""
    if _ASKS_PERSON.match(question):
        return "person"
    return "organisation" if _ASKS_ORGANISATION.match(question) else ""


def names_someone(question: str, text: str, kb: KnowledgeBase,
                  everyday: frozenset[str] | None = None) -> bool:
    """Does `text` name someone the question does not already name? A person: a role word or
    two capitalised words in a row ("Sam Rivera", "Office of Personnel Management") or an
    acronym; an organisation: any capitalised word or acronym. Words the question holds, and
    the workspace's everyday words ("TTS" in a TTS handbook), name no one. True for questions
    that ask for no one. Describing instead of naming — "the external accountant is the one who
    closes the year", "the support contact for TTS employees" — names no one. `everyday`:
    the workspace's `common_stems`, when the caller already has them (one read per question,
    not per sentence)."""
    kind = asks_for_someone(question)
    if not kind:
        return True
    if everyday is None:
        everyday = common_stems(kb)
    asked = {stem(w.lower()) for w in _WORD.findall(question)} | everyday
    body = _MARKER.sub("", text)
    words = [w.strip("'’.-") for w in _WORD.findall(body)]
    if kind == "person" and any(stem(w.lower()) in ROLES - asked for w in words):
        return True
    fresh = [bool(w) and w[0].isupper() and stem(w.lower()) not in asked
             and w.lower() not in _NOT_NAMES
             for w in words]
    acronym = any(f and len(w) >= 2 and w.isupper() for f, w in zip(fresh, words, strict=True))
    if kind == "organisation":
        return any(fresh[1:]) or acronym  # (the first word is capitalised anyway)
    return acronym or any(a and b for a, b in itertools.pairwise(fresh))
