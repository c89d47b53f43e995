"""The LLM-judged OKR rules (O4, K10, K12, K15): a second opinion, only when asked."""

from __future__ import annotations

from typing import Literal

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from assistant.core.schemas import OKRSet
from assistant.goals.lint import Finding, Severity
from assistant.llm.client import LLM
from assistant.llm.prompts import render

__all__ = ["JUDGED_RULES", "judge_okrs"]

JUDGED_RULES: dict[str, tuple[Severity, str, str]] = {  # rule -> (severity, source, fix)
    "O4": ("warning", "[GPB] low-value objectives",
           "Say which customer or business outcome changes if this is achieved."),
    "K10": ("warning", "[GPB] insufficient key results",
            "Add the key result that is missing for the objective to be met."),
    "K12": ("info", "[MWM] effect and counter-effect; [RF] health metrics",
            "Pair the quantity KR with a quality or health measure."),
    "K15": ("info", "Castro, actionable vs vanity metrics (practice)",
            "Measure the business result the metric is supposed to drive."),
}


class Verdict(BaseModel):
    rule: Literal["O4", "K10", "K12", "K15"]
    ok: bool
    reason: str = Field(max_length=240)


class JudgeReport(BaseModel):
    verdicts: list[Verdict] = Field(min_length=4, max_length=4)


def _describe(okrs: OKRSet, n: int) -> str:
    o = okrs.objectives[n]
    lines = [f"Objective: {o.title}", f"Why now: {o.why_now}"]
    lines += [f"KR{m}: {kr.statement} (metric: {kr.metric or '?'}, target: {kr.target})"
              for m, kr in enumerate(o.key_results, 1)]
    return "\n".join(lines)


def judge_okrs(okrs: OKRSet, llm: LLM) -> list[Finding]:
    """One model call per objective; a failed rule becomes a finding marked as judged."""
    findings = []
    for n, objective in enumerate(okrs.objectives):
        system, user = render("judge_okrs", objective=_describe(okrs, n))
        report = llm.structured([SystemMessage(content=system), HumanMessage(content=user)],
                                JudgeReport, max_tokens=500)
        for verdict in report.verdicts:
            if verdict.ok:
                continue
            severity, source, fix = JUDGED_RULES[verdict.rule]
            findings.append(Finding(
                rule=verdict.rule, severity=severity, where=f"objective {n + 1}",
                source=f"{source}; judged by {llm.model_name}", text=objective.title,
                message=verdict.reason, fix=fix))
    return findings
