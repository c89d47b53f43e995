"""What a chat message asks for, by rules: draft OKRs, refine the last draft, check a proposal,
answer "how are we doing on churn?" from check-ins, stress-test a "what if …" scenario, or answer
a question from the documents.

Rules (keywords, the workspace's department names, whether a draft exists) place the clear
cases at once, so a plain question costs no extra model call and the first text shows within
seconds. A message the rules cannot place with confidence (it mentions goals, projects or plans
but matches no pattern) is marked `confident=False`; `assistant.ui.router` then asks the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from assistant.core.periods import next_quarter

__all__ = ["PERIOD", "Route", "Task", "route", "strip_request"]

_DRAFT = re.compile(r"\b(okrs?|objectives and key results|key results)\b", re.IGNORECASE)
_VERB = re.compile(r"\b(draft|write|create|propose|suggest|make|generate|set)\b", re.IGNORECASE)
PERIOD = re.compile(r"\b(20\d\d)[-\s]?(Q[1-4])\b|\b(Q[1-4])[-\s]?(20\d\d)\b", re.IGNORECASE)
_BARE_QUARTER = re.compile(r"\bQ([1-4])\b", re.IGNORECASE)


_ALIGN = re.compile(r"\b(align\w*|on[- ]strategy|proposal|initiative|pitch)\b", re.IGNORECASE)
_REFINE = re.compile(r"\b(make|change|add|remove|replace|shorten|raise|lower|reword|rewrite|"
                     r"fix|more|less|instead)\b.*\b(kr\s*\d|key result|objective|health "
                     r"metric|metric|target|draft|it)\b", re.IGNORECASE | re.DOTALL)
_VAGUE = re.compile(r"\b(goals?|okrs?|project|plan|idea|kpis?|targets?)\b", re.IGNORECASE)
_PROGRESS = re.compile(r"\b(how are we doing|how('s| is| are)\b.{0,60}\b(going|doing|tracking)|"
                       r"(are|is) we on track|on track|at[- ]risk|off[- ]track|where do we stand|"
                       r"progress on|check[- ]?ins?)\b", re.IGNORECASE)
_WHAT_IF = re.compile(r"^\s*(what if|what happens if|scenario:|stress[- ]test:?)\s*",
                      re.IGNORECASE)
Task = Literal["draft_okrs", "refine_draft", "check_alignment", "qa"]


@dataclass(frozen=True)
class Route:
    task: str  # draft_okrs | refine_draft | check_alignment | progress | scenario | qa
    department: str = ""
    period: str = ""
    text: str = ""  # the proposal (check_alignment) or the requested change (refine_draft)
    confident: bool = True
    by: str = "rules"


def route(message: str, departments: list[str], today: date, has_draft: bool = False) -> Route:
    """The rules' decision; `confident=False` when a model should have a look."""
    if has_draft and len(message) < 400 and _REFINE.search(message) and not _DRAFT_NEW.search(
            message):
        return Route("refine_draft", text=message.strip())
    if (what_if := _WHAT_IF.match(message)) and len(message) < 1500:
        scenario = message[what_if.end():].strip().rstrip("?").strip()
        return Route("scenario", text=scenario[:1].upper() + scenario[1:])
    if _ALIGN.search(message[:300]) and len(message.split()) >= 25:
        return Route("check_alignment", text=strip_request(message))
    if _PROGRESS.search(message) and len(message) < 400 and not _VERB.search(message):
        return Route("progress", text=message.strip())  # answered from check-ins, by code
    if not (_DRAFT.search(message) and _VERB.search(message)):
        return Route("qa", confident=not _VAGUE.search(message))
    return _draft_route(message, departments, today)


_DRAFT_NEW = re.compile(r"\b(draft|write|create|generate)\b.*\bokrs?\b.*\bfor\b",
                        re.IGNORECASE)


def strip_request(message: str) -> str:
    """The proposal without a leading request line such as 'Is this aligned?'."""
    first, _, rest = message.strip().partition("\n")
    if rest.strip() and len(first) < 120 and _ALIGN.search(first):
        return rest.strip()
    return message.strip()


def _draft_route(message: str, departments: list[str], today: date) -> Route:
    lower = message.lower()
    department = next((d for d in sorted(departments, key=len, reverse=True)
                       if d.lower() in lower), "")
    if not department:
        return Route("qa", confident=False)
    period = next_quarter(today)
    if match := PERIOD.search(message):
        year, quarter = (match.group(1), match.group(2)) if match.group(1) else (
            match.group(4), match.group(3))
        period = f"{year}-{quarter.upper()}"
    elif match := _BARE_QUARTER.search(message):
        quarter = int(match.group(1))
        current = (today.month - 1) // 3 + 1
        period = f"{today.year + (1 if quarter <= current else 0)}-Q{quarter}"
    return Route("draft_okrs", department, period)
