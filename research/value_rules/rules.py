"""A value's prohibition, read like a non-goal (issue 23, session 22) — probed and rejected.

Measured with `research.value_rules.probe` on the 87 sample rows of the dev split and the two
spent blind sets (local model, 174 readings): 3 conflicts, all right (capsules twice, single-use
steel cans), 0 wrong — but 1 of the 9 rows marked "value break" caught, and that row was already
misaligned through the pods non-goal. Two more model calls (about 8 s) per check for no
decision gained, so the check does not ask it; this module stays here as the probe's code.
The sample's three "not" clauses are the reason: a conditional ("if we cannot say where a
coffee came from, we do not sell it") gives the model only "do not sell it" to copy, and
"raise the price without an announcement" shares one word with "hide a price change".

Values state rules, and some rules are prohibitions: "we never hide a price change", "if we
cannot say where a coffee came from, we do not sell it", "we do not sell single-use plastic
pods or capsules". The second design decides a non-goal break in code from the model's two
copied phrases (`nongoal_rule.non_goal_stance`); a value's prohibition is the same kind of
statement, so it is read the same way: the prohibition clauses of the strategy map's values
closest to the proposal are asked the non-goal question, and the same rule decides. A
conflict on a confirmed value would make the proposal misaligned.

Only clauses that say "not" are read. A rule that says what the company *does* ("we only buy
coffee we can trace") would have the model copy the allowed action, and a proposal doing
that allowed action would share its words — the rule cannot tell the two apart, so such rules
stay questions for the manager (`evidence._questions`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from langchain_core.messages import HumanMessage, SystemMessage

from assistant.alignment.nongoal_rule import (
    NON_GOAL_QUESTION,
    NON_GOAL_REPLY,
    NonGoalActions,
    non_goal_stance,
)
from assistant.alignment.report import ElementFinding
from assistant.core.errors import GenerationError
from assistant.core.schemas import Citation
from assistant.core.text import content_stems, split_sentences
from assistant.knowledge.embeddings import Embedder
from assistant.llm.client import LLM
from assistant.llm.prompts import render
from assistant.strategy.model import MapElement

__all__ = ["ASKED", "Prohibition", "closest_prohibitions", "prohibitions", "read_prohibition"]

ASKED = 2  # prohibition clauses asked about per proposal (one model call each)
_NEGATION = re.compile(r"\b(?:not|never|no|cannot|nothing|none|nor)\b|n't\b", re.IGNORECASE)
# a sentence listing several rules ("we answer …, we replace …, and we never hide …") is cut
# before each "we"; a conditional ("If we cannot say …, we do not sell it") stays whole
_CLAUSE = re.compile(r";\s*|,\s+(?:and\s+)?(?=we\b)", re.IGNORECASE)
_CONDITIONAL = re.compile(r"\s*(?:if|when|unless)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Prohibition:
    """One clause of a value's rule that says what the company does not do."""

    value: MapElement
    text: str  # verbatim from the value's rule
    closeness: float = 0.0


def prohibitions(strategy: list[MapElement]) -> list[Prohibition]:
    """Every prohibition clause of the map's values (rejected elements left out)."""
    out: list[Prohibition] = []
    for value in strategy:
        if value.kind != "value" or value.status == "rejected":
            continue
        for sentence in dict.fromkeys([*split_sentences(value.text), *value.rules]):
            pieces = [sentence] if _CONDITIONAL.match(sentence) else _CLAUSE.split(sentence)
            for piece in pieces:
                piece = piece.strip().rstrip(".").strip()
                if _NEGATION.search(piece) and len(content_stems(piece)) >= 2 and piece not in {
                        p.text for p in out}:
                    out.append(Prohibition(value=value, text=piece))
    return out


def closest_prohibitions(text: str, strategy: list[MapElement], embedder: Embedder,
                         k: int = ASKED) -> list[Prohibition]:
    """The `k` prohibition clauses closest in meaning to the proposal, closest first."""
    found = prohibitions(strategy)
    if not found:
        return []
    vectors = embedder.embed([text[:1500], *(p.text for p in found)])
    scored = [Prohibition(value=p.value, text=p.text, closeness=round(sum(
        a * b for a, b in zip(vectors[0], v, strict=True)), 4))
        for p, v in zip(found, vectors[1:], strict=True)]
    return sorted(scored, key=lambda p: -p.closeness)[:k]


def read_prohibition(text: str, rule: Prohibition, llm: LLM, embedder: Embedder,
                     common: frozenset[str] = frozenset()) -> ElementFinding:
    """The model names the ruled-out action and the proposal's; code decides
    (`non_goal_stance`). The finding cites the value's passage, quoting the clause."""
    system, user = render("judge_element", proposal=text,
                          kind_label="Company value (a rule: the company does NOT do this)",
                          element=rule.value.title, statement=rule.text,
                          question=NON_GOAL_QUESTION, reply=NON_GOAL_REPLY)
    source = rule.value.citations[0]
    cite = Citation(chunk_id=source.chunk_id, document=source.document, section=source.section,
                    quote=rule.text)
    base = {"element": rule.value.title, "kind": "value", "statement": rule.text,
            "similarity": rule.closeness, "citations": [cite]}
    try:
        answer = llm.structured([SystemMessage(content=system), HumanMessage(content=user)],
                                NonGoalActions, max_tokens=160)
    except GenerationError as exc:
        return ElementFinding(**base, stance="neutral", error=str(exc),
                              reason="Not judged: the model's answer could not be read.")
    stance, reason, evidence = non_goal_stance(answer, rule.text, text, embedder, common)
    return ElementFinding(**base, stance=stance, reason=reason, proposal_evidence=evidence)
