"""Grounded answers: retrieve, answer from the passages only, cite each sentence.

The model cites passages as `[S1]`; the markers are checked against what it was shown
(unknown ones are removed and reported) and each citation carries a verbatim quote chosen
from the cited chunk. A sentence the model left uncited gets a marker only when it restates
one passage nearly word for word (`grounding.attribute`), and the answer says so; small
models often drop markers, and an uncited restatement is no less grounded. When retrieval
finds nothing relevant the answer says the documents do not cover the question, without
asking the model to invent one.

The model proposes, code disposes (`answer_checks`, issue 25): "not covered" from the model is
not passed on when a passage sentence is close to the question — Keel asks once more with only
the best passages and, failing that, quotes the sentence ("Your documents say: …",
`quoted=True`). An answer to a question naming something the documents never mention, whose
cited sentences do not hold the rest of the question — or whose unmentioned word is the one
it asks about ("How long is the *warranty* on the new roaster?") — becomes "not covered".
A yes/no answer whose opening word the cited or closest sentence contradicts is replaced by
that sentence.
An answer that declines in other words or restates the question counts as a decline; one whose
numbers or names no passage ties to the question is replaced by a quote or "not covered"
(`claims`); so is one to a "when" question that states no time, and one whose cited passages
never name the year the question asks about ("… in 2027?" answered from the 2026 OKRs), and
one to a "how many" question whose numbers count something else (`counts`: "1TiB of data" for
"how many packages") or to a money question that states no money ("a budget of 0.4").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from assistant.core.errors import InputError, KnowledgeError
from assistant.core.output_guard import removal_notes
from assistant.core.safety import clean_model_text, passages_block, strip_echoes
from assistant.core.schemas import Citation, GroundedAnswer
from assistant.core.text import content_stems, numbers_in
from assistant.knowledge.answer_checks import (
    EXTRACT_AT,
    NEAR_AT,
    Sentence,
    asked_head,
    asks_number,
    best_sentences,
    extractive,
    held,
    is_yes_no,
    naming_stems,
    number_held,
    unmentioned,
    where,
)
from assistant.knowledge.base import KnowledgeBase, SearchHit
from assistant.knowledge.claims import (
    asks_for_someone,
    names_someone,
    non_answer,
    rarest_stems,
    unsupported_claims,
)
from assistant.knowledge.counts import counts_otherwise, money_otherwise
from assistant.knowledge.grounding import attribute, best_quote, quote_in_chunk
from assistant.knowledge.lexical import with_rare_words
from assistant.knowledge.pointers import fold_pointers
from assistant.knowledge.polarity import evidence_polarity, stated_polarity
from assistant.knowledge.targets import target_only
from assistant.knowledge.times import asks_when, states_time, years_held
from assistant.knowledge.vocabulary import common_stems
from assistant.llm.client import LLM
from assistant.llm.prompts import render

__all__ = ["MAX_QUESTION_CHARS", "answer_question", "best_quote", "quote_in_chunk", "settle",
           "stream_answer"]

MAX_QUESTION_CHARS = 4000
_MARKER = re.compile(r"\[((?:S\d+)(?:\s*,\s*S\d+)*)\]")
# Sentence and line breaks, except a break right before a citation marker ("... craft. [S1]").
_BREAK = re.compile(r"((?<=[.!?])[ \t]+(?!\[S\d)|\n+)")
_END = re.compile(r"[.!?:;]*\s*$")
# "document S3", "passage S2", "(S1)", "documents S1 and S5": markers the model spelled out
_SPELLED = re.compile(r"(?:\b(?:the )?(?:document|passage|source)s?\s+|\()"
                      r"(S\d+(?:\s*(?:,|and|&)\s*S\d+)*)\)?(?![\w\]])", re.IGNORECASE)
HELD_SHARE = 0.5  # share of the question's other naming words a cited sentence must hold
RETRY_PASSAGES = 2  # passages shown on the second ask


def _prepare(question: str, kb: KnowledgeBase, today: date | None
             ) -> tuple[list[SearchHit], list[BaseMessage]]:
    question = _validated(question, kb)
    hits = [h for h in with_rare_words(question, kb, kb.search(question))
            if h.score >= kb.settings.min_relevance or h.lexical]  # the floor is about meaning
    return hits, _messages(question, hits, today)


def _messages(question: str, hits: list[SearchHit], today: date | None) -> list[BaseMessage]:
    passages = passages_block([(f"S{i}", h.doc_id, h.section, h.text)
                               for i, h in enumerate(hits, 1)])
    system, user = render("answer", passages=passages, question=question,
                          today=(today or date.today()).isoformat())
    return [SystemMessage(content=system), HumanMessage(content=user)]


def _validated(question: str, kb: KnowledgeBase) -> str:
    question = question.strip()
    if not question:
        raise InputError("The question is empty.")
    if len(question) > MAX_QUESTION_CHARS:
        raise InputError(f"The question is {len(question)} characters; the limit is "
                         f"{MAX_QUESTION_CHARS}. Shorten it.")
    if kb.count() == 0:
        raise KnowledgeError(f"Workspace '{kb.workspace}' has no documents yet. Index some "
                             f"first: keel --workspace {kb.workspace} index PATH")
    return question


def _not_covered(question: str, kb: KnowledgeBase, hits: list[SearchHit],
                 missing: list[str] | None = None, reason: str = "") -> GroundedAnswer:
    never = (": they never mention " + ", ".join(f"‘{w}’" for w in missing)) if missing else \
        f": they state {reason}" if reason else ""
    return GroundedAnswer(
        question=question.strip(), covered=False, sources=[h.chunk_id for h in hits],
        answer=f"The documents in workspace '{kb.workspace}' do not cover this question{never}.",
    )


def answer_question(question: str, kb: KnowledgeBase, llm: LLM,
                    today: date | None = None) -> GroundedAnswer:
    """Answer from the workspace's documents, with citations."""
    hits, messages = _prepare(question, kb, today)
    if not hits:
        return _not_covered(question, kb, hits)
    return settle(question, llm.text(messages), hits, kb, llm, today)


def stream_answer(question: str, kb: KnowledgeBase, llm: LLM,
                  today: date | None = None) -> Iterator[str | GroundedAnswer]:
    """Yield text pieces as they arrive, then the checked `GroundedAnswer`."""
    hits, messages = _prepare(question, kb, today)
    if not hits:
        yield _not_covered(question, kb, hits)
        return
    raw: list[str] = []
    yield from llm.stream(messages, raw)
    yield settle(question, llm.guard(messages, "".join(raw))[0], hits, kb, llm, today)


def settle(question: str, raw: str, hits: list[SearchHit], kb: KnowledgeBase, llm: LLM,
           today: date | None = None) -> GroundedAnswer:
    """The checked answer: `finish_answer`, then the decisions code makes (module docstring)."""
    question = question.strip()
    answer = finish_answer(question, raw, hits, kb)
    missing = unmentioned(question, kb)
    if answer.covered and non_answer(question, answer.answer, kb):
        answer = _not_covered(question, kb, hits)  # the model declined in other words
    if not answer.covered:
        if missing:
            return _not_covered(question, kb, hits, missing)
        sentences = best_sentences(question, hits, kb)
        if extractive(question, sentences, hits, must_hold=_topic(question, kb),
                      names=_naming(question, kb)) is None:
            return _decided(question, sentences, hits, kb) or answer  # nothing close
        best = _best_hits(sentences, hits)
        retry = finish_answer(question, llm.text(_messages(question, best, today)), best, kb)
        if retry.covered and not non_answer(question, retry.answer, kb):
            return _polarity_checked(question, retry, best, kb)
        return _quoted(question, sentences, hits, kb,
                       "The model found no answer; Keel quotes the closest sentence instead.")
    if missing and (asked_head(question) in missing
                    or not _holds_rest(question, answer, missing)):
        return _not_covered(question, kb, hits, missing)  # what it asks about is not there
    if asks_number(question) and not number_held(
            question, _MARKER.sub("", answer.answer),
            [h for h in hits if h.chunk_id in {c.chunk_id for c in answer.citations}],
            missing):
        return _not_covered(question, kb, hits, reason="no number for this")
    if counts_otherwise(question, answer.answer):
        return _not_covered(question, kb, hits, reason="no count of what it asks about")
    if money_otherwise(question, answer.answer):
        return _not_covered(question, kb, hits, reason="no sum of money for this")
    if asks_when(question) and not states_time(answer.answer, question):
        return _not_covered(question, kb, hits, reason="no date or time for this")
    holders = [h for h in hits if h.chunk_id in {c.chunk_id for c in answer.citations}]
    if target := target_only(question, answer.answer, holders or hits):
        return _not_covered(question, kb, hits,
                            reason=f"a target, not a current figure: “{target[:200]}”")
    cited = {h.doc_id for h in holders}
    if cited and not years_held(question, _document_text(hits, cited)):
        return _not_covered(question, kb, hits, reason="nothing for the year it asks about")
    if borrowed := unsupported_claims(question, answer.answer, hits, missing):
        return _quoted(question, best_sentences(question, hits, kb), hits, kb,
                       f"The model's answer states ‘{borrowed[0]}’, which no passage ties to "
                       "this question; Keel quotes the closest sentence instead.",
                       reason=f"nothing that ties ‘{borrowed[0]}’ to this question")
    return _polarity_checked(question, answer, hits, kb)


def _document_text(hits: list[SearchHit], documents: set[str]) -> str:
    """The retrieved passages of the cited documents, with their headings: a year the
    question names may stand in another paragraph of the same page ("In October of 2013 … On
    December 17th eight of us …")."""
    return " ".join(f"{where(h)} {h.text}" for h in hits if h.doc_id in documents)


def _topic(question: str, kb: KnowledgeBase) -> frozenset[str]:
    """The words a quote must hold (`claims.rarest_stems`); none for a yes/no question, whose
    quote is judged by its polarity."""
    return frozenset() if is_yes_no(question) else rarest_stems(question, kb)


def _naming(question: str, kb: KnowledgeBase) -> Callable[[str], bool] | None:
    """A quote to a question asking for someone must name someone (`claims.names_someone`);
    None for other questions. The workspace's everyday words are read once, not per sentence."""
    if not asks_for_someone(question):
        return None
    everyday = common_stems(kb)
    return lambda sentence: names_someone(question, sentence, kb, everyday)


def _best_hits(sentences: list[Sentence], hits: list[SearchHit]) -> list[SearchHit]:
    order = list(dict.fromkeys(s.passage for s in sentences))[:RETRY_PASSAGES]
    return [hits[i] for i in order]


def _holds_rest(question: str, answer: GroundedAnswer, missing: list[str]) -> bool:
    """Does a cited sentence hold at least HELD_SHARE of the question's other naming words?"""
    rest = naming_stems(question) - naming_stems(" ".join(missing))
    if not rest:
        return False
    return any(len(rest & naming_stems(c.quote)) / len(rest) >= HELD_SHARE
               for c in answer.citations)


def _quoted(question: str, sentences: list[Sentence], hits: list[SearchHit], kb: KnowledgeBase,
            warning: str, gate: bool = True, reason: str = "") -> GroundedAnswer:
    found = extractive(question, sentences, hits, gate,
                       _topic(question, kb) if gate else frozenset(),
                       _naming(question, kb) if gate else None)
    if found is None:
        return _not_covered(question, kb, hits, reason=reason)
    answer = finish_answer(question, found[0], hits, kb, repoint=False)
    return answer.model_copy(update={"quoted": True, "warnings": [*answer.warnings, warning]})


def _about(question: str, kb: KnowledgeBase) -> Callable[[str, str], bool]:
    """Is a sentence (with its heading) about what a yes/no question asks — does it hold one
    of the question's rarest naming words (`claims.rarest_stems`)? Sharing only the page's
    subject is not enough: "Does the IPFS package managers team want badger to become the
    default datastore?" is not answered by "… a package manager won't put up with IPFS
    unless …" (spent blind-qa12 overturned a right "Yes" with it)."""
    rare = set(rarest_stems(question, kb))
    return lambda text, heading: not rare or held(rare, f"{text} {heading}") > 0


def _decided(question: str, sentences: list[Sentence], hits: list[SearchHit],
             kb: KnowledgeBase) -> GroundedAnswer | None:
    """A yes/no question the model declined, with no sentence close enough to quote as an
    answer: when the close ones among the three most similar (`NEAR_AT`) that code can read
    (`evidence_polarity`) all say the same, the first is quoted ("run five AMAs?" — "Run 3
    AMAs …": the spent blind-qa11 row was declined); else None."""
    if not is_yes_no(question):
        return None
    about = _about(question, kb)
    says = [(s, p) for s in sentences[:3] if s.similarity >= NEAR_AT
            and about(s.text, hits[s.passage].section)
            and (p := evidence_polarity(question, s.text, hits[s.passage].section))]
    if not says or len({p for _, p in says}) != 1:
        return None
    return _quoted(question, [says[0][0]], hits, kb, "The model found no answer; this sentence "
                   "of the documents decides it, so Keel quotes it.", gate=False)


def _polarity_checked(question: str, answer: GroundedAnswer, hits: list[SearchHit],
                      kb: KnowledgeBase) -> GroundedAnswer:
    """A yes/no answer whose opening word the evidence contradicts becomes the evidence."""
    stated = stated_polarity(answer.answer)
    if not is_yes_no(question) or stated is None:
        return answer
    ids = {h.chunk_id: i for i, h in enumerate(hits)}
    evidence = [Sentence(c.quote, ids[c.chunk_id], 1.0, 1.0) for c in answer.citations
                if c.chunk_id in ids]  # (similarity and share are not used below)
    evidence += [s for s in best_sentences(question, hits, kb)[:3] if s.similarity >= EXTRACT_AT]
    about = _about(question, kb)
    says = {s: p for s in evidence if about(s.text, hits[s.passage].section)
            and (p := evidence_polarity(question, s.text, hits[s.passage].section))}
    if len(set(says.values())) != 1 or stated in says.values():
        return answer
    deciding = next(iter(says))
    return _quoted(question, [deciding], hits, kb,
                   f"The model answered “{stated.capitalize()}”, which this sentence of the "
                   "documents contradicts; Keel quotes it instead.", gate=False)


def finish_answer(question: str, raw: str, hits: list[SearchHit],
                  kb: KnowledgeBase, repoint: bool = True) -> GroundedAnswer:
    """Validate citation markers, attach quotes, clean the text (`repoint=False`: leave each
    citation on the passage its marker names, for Keel's own quoted answers)."""
    text, warnings = clean_model_text(raw.strip())
    warnings += removal_notes(text)
    text, echoes = strip_echoes(text, [h.text for h in hits])
    warnings += echoes
    if text.upper().startswith("NOT COVERED") or not text:
        return _not_covered(question, kb, hits)
    text, _ = fold_pointers(text)  # "This can be found in [S2]." says nothing to a reader
    text, added = _cite_restatements(text, hits)
    if added:
        warnings.append(f"Keel cited {added} sentence(s) the model left uncited, each restating "
                        "one passage nearly word for word or naming its heading.")
    text = _SPELLED.sub(lambda m: "[" + ", ".join(re.findall(r"S\d+", m.group(1).upper()))
                        + "]", text)
    citations: dict[str, Citation] = {}
    bad: set[str] = set()
    moved = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal moved
        kept = []
        sentence = _claim(text, match)
        for marker in re.split(r"\s*,\s*", match.group(1)):
            index = int(marker[1:]) - 1
            if 0 <= index < len(hits):
                holder = _number_holder(sentence, index, hits) if repoint else index
                moved += holder != index
                index, marker = holder, f"S{holder + 1}"
                hit = hits[index]
                citations.setdefault(hit.chunk_id, Citation(
                    chunk_id=hit.chunk_id, document=hit.doc_id, section=hit.section,
                    quote=best_quote(sentence, hit.text)))
                kept.append(marker)
            else:
                bad.add(marker)
        return f"[{', '.join(kept)}]" if kept else ""

    answer = _MARKER.sub(replace, text).strip()
    if bad:
        warnings.append(f"Removed citations to passages that were not retrieved: {sorted(bad)}")
    if moved:
        warnings.append(f"Keel moved {moved} citation(s) to the passage that holds the "
                        "sentence's numbers.")
    if not citations:
        warnings.append("The model cited no passage; check the sources listed below.")
    return GroundedAnswer(question=question.strip(), answer=answer, covered=True,
                          citations=list(citations.values()),
                          sources=[h.chunk_id for h in hits], warnings=warnings)


def _claim(text: str, match: re.Match[str]) -> str:
    """The sentence a marker cites: the one it ends, or the one it sits in ("According to
    [S3], sales should sign 14 cafés.")."""
    before = _BREAK.split(text[max(0, match.start() - 400): match.start()].rstrip())[-1]
    after = text[match.end(): match.end() + 400]
    if after.strip() and not re.match(r"\s*(?:\[S\d|\n|$)", after) and not \
            re.search(r"[.!?]\s*$", before):
        after = re.split(r"(?<=[.!?])\s", after, maxsplit=1)[0]
        return f"{before} {after}"
    return before


def _number_holder(sentence: str, index: int, hits: list[SearchHit]) -> int:
    """The cited passage, or the other passage that holds every number of the sentence when
    the cited one lacks some (a small model often cites the wrong neighbour): the only one,
    or of several the one the sentence's words point to (`grounding.attribute`; a dev row's
    "41 kg per month" stands in three passages, once as the average volume per café)."""
    numbers = numbers_in(_MARKER.sub("", sentence))
    if not numbers or numbers <= numbers_in(hits[index].text):
        return index
    holders = [i for i, h in enumerate(hits) if numbers <= numbers_in(h.text)]
    if len(holders) == 1:
        return holders[0]
    best = attribute(_MARKER.sub("", sentence), [hits[i].text for i in holders])
    return holders[best] if best is not None else index


def _cite_restatements(text: str, hits: list[SearchHit]) -> tuple[str, int]:
    """(text with a marker after each uncited sentence that restates a passage — or a line
    that is exactly a passage's heading, a list of the values' names — how many)."""
    parts = _BREAK.split(text)
    passages = [h.text for h in hits]
    added = 0
    for i in range(0, len(parts), 2):  # even items are sentences, odd ones the breaks
        sentence = parts[i]
        if _MARKER.search(sentence):
            continue
        index = attribute(sentence, passages)
        if index is None and (index := _heading_of(sentence, hits)) is None:
            continue
        end = _END.search(sentence)
        cut = end.start() if end else len(sentence)
        parts[i] = f"{sentence[:cut]} [S{index + 1}]{sentence[cut:]}"
        added += 1
    return "".join(parts), added


def _heading_of(line: str, hits: list[SearchHit]) -> int | None:
    """The passage whose own heading the line names and nothing more ("2. Regulars first"):
    the model listed the sections it read (session 20's blind attack runs: a list of the
    values' names, uncited, left Keel with no cited answer)."""
    said = content_stems(_LIST_MARK.sub("", line))
    if not said:
        return None
    return next((i for i, h in enumerate(hits)
                 if content_stems(h.section.split(" > ")[-1]) == said), None)


_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s*|\*\*|__")
