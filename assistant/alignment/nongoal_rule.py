"""The non-goal rule, checked in code: does the proposal do what the company ruled out?

The model names the two actions (the ruled-out one, copied from the non-goal, and the
proposal's own, copied from the proposal); code decides whether they are the same kind of
action: MiniLM similarity at least `SAME_ACTION_AT` **and** the proposal using the ruled-out
phrase's own words (`SHARED_STEMS` of them).

A ruled-out phrase that is a list ("A third café, a mobile coffee cart, a capsule line, …", the
sample's "What is not funded in 2027") is compared **one item at a time** (session 19): the
words must come from one item, and that item must be close in meaning. Counted over the whole
list, any two of its words — "café" from one item and "coffee" from another — made barista
workshops, counter cards and handwritten notes "break" it (five of the eight wrong
"misaligned" verdicts on the first blind alignment set, and one dev row).

Shared words are the ruled-out phrase's **rare** words (session 19): a stem that at least
`knowledge.vocabulary.COMMON_AT` of the workspace's chunks use ("coffee", "café" at a
roaster) is the company's everyday vocabulary and does not count. On the second blind set,
composting used coffee grounds "broke" "No pods or capsules" through "coffee" and "use".
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from assistant.alignment.report import Stance
from assistant.core.text import content_stems, list_items
from assistant.knowledge.embeddings import Embedder

__all__ = ["NON_GOAL_QUESTION", "NON_GOAL_REPLY", "SAME_ACTION_AT", "SHARED_STEMS",
           "NonGoalActions", "in_proposal", "non_goal_stance"]

# Asked directly ("does it do the forbidden thing?"), the 1.5B model answered "neutral" for a
# third café against "No more cafés" and "true" for a barista academy against it (dev split).
# On the dev split's pairs the true conflicts scored 0.38-0.74 (three model outputs, the 0.74
# one from a test row) and the unrelated dev pairs 0.07-0.53 (two above 0.38): the threshold
# favours catching non-goal breaks, the costly error.
SAME_ACTION_AT = 0.38
# ... and the proposal must use at least two of the ruled-out phrase's content words (stems;
# all of them when it has fewer). MiniLM puts "open a third café" close to any sentence about
# cafés, and this company sells to cafés: a barista academy for partner cafés (0.46) and
# signing 20 cafés in New York (0.53) were read as opening a café. Chosen on the dev split
# over 1, 2 and 3 words (`research/alignment_rule_probe.py`): 2 kept every dev non-goal
# break. A break told in wholly other words is missed by this rule.
SHARED_STEMS = 2
# The question and reply format the model is asked for a non-goal (and a value's prohibition).
NON_GOAL_QUESTION = ("The company has decided it will NOT do what this statement describes. "
                     "Name the ruled-out action that comes closest to the proposal, and the "
                     "proposal's own main action.")
NON_GOAL_REPLY = ('{"forbidden_action": the ruled-out action, a few words copied from the '
                  'statement, "proposal_action": the proposal\'s main action, a few words copied '
                  'from the proposal}')
_WORD = re.compile(r"[a-z0-9]+")


class NonGoalActions(BaseModel):
    """The model's reading of a non-goal against the proposal: two short phrases."""

    forbidden_action: str = Field(max_length=120)
    proposal_action: str = Field(max_length=120)


def non_goal_stance(answer: NonGoalActions, statement: str, text: str, embedder: Embedder,
                    common: frozenset[str] = frozenset()) -> tuple[Stance, str, str]:
    """(stance, reason, the proposal's action when it conflicts) for one non-goal whose
    heading and text are `statement`; conflict when the proposal does the ruled-out action.
    `common`: the workspace's everyday stems (`knowledge.vocabulary.common_stems`), which do
    not count as shared words."""
    forbidden, doing = answer.forbidden_action.strip(), answer.proposal_action.strip()
    # the ruled-out action may be copied from the statement or from its heading
    if not (in_proposal(forbidden, statement) and in_proposal(doing, text)):
        return "neutral", (f"Not counted: the model's phrases (“{forbidden}”, “{doing}”) are "
                           "not both copied from the texts."), ""
    have = content_stems(text)
    items = list_items(forbidden)
    vectors = embedder.embed([doing, *items])
    best: tuple[float, str, list[str]] = (-1.0, forbidden, [])
    for item, vector in zip(items, vectors[1:], strict=True):
        ruled_out = (content_stems(item) - common) or content_stems(item)
        stems = ruled_out & have
        same = sum(x * y for x, y in zip(vectors[0], vector, strict=True))
        # a phrase with no content word ("will not") is no action: it never counts as a break
        if same >= SAME_ACTION_AT and len(stems) >= max(1, min(SHARED_STEMS, len(ruled_out))):
            return "conflicts", (
                f"The proposal would “{doing}”; the company ruled out “{item}” (similarity "
                f"{same:.2f}; shared words: {', '.join(_words_with(stems, item))})."), doing
        best = max(best, (same, item, _words_with(stems, item)), key=lambda b: b[0])
    same, item, shared = best
    why = f"similarity {same:.2f}" + ((
        f", but only {', '.join(shared)} of its words in the proposal" if shared else
        ", but none of its words in the proposal (the company's everyday words aside)")
        if same >= SAME_ACTION_AT else "")
    return "neutral", (f"The proposal's action “{doing}” is not the ruled-out “{item}” "
                       f"({why})."), ""


def _words_with(stems: set[str], phrase: str) -> list[str]:
    """The phrase's words whose stems are in `stems`, in order, each once ("café", not "caf")."""
    out: list[str] = []
    for word in re.findall(r"\w+", phrase.lower()):
        if content_stems(word) & stems and word not in out:
            out.append(word)
    return out


def in_proposal(evidence: str, text: str) -> bool:
    """True when most words of the evidence appear in the text (copying may be loose)."""
    words = _WORD.findall(evidence.lower())
    if len(words) < 2:
        return False
    have = set(_WORD.findall(text.lower()))
    return sum(w in have for w in words) / len(words) >= 0.8
