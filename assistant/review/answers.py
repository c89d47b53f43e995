"""Chat answers from check-in data: "how are we doing on churn?", "what's at risk in Q1?".

Answered by code from the tracked KRs and their check-ins, with each number's date; the model
is not asked. Which KRs: for a risk question ("at risk", "off track", "behind", "worried"),
every KR off track, then at risk; otherwise the KRs sharing the most content-word stems with
the question (its statement, metric and objective), or, when none does, the period's summary.
Which period: the one the question names ("2027-Q1"; a bare "Q1" is the nearest such quarter
that has check-ins), else the current quarter, else every period with check-ins.
"""

from __future__ import annotations

import re
from datetime import date

from assistant.core.config import Settings
from assistant.core.periods import parse_period
from assistant.core.text import content_stems, format_amount
from assistant.review.checkins import KRStatus, statuses

__all__ = ["progress_answer"]

_RISK = re.compile(r"\b(at[- ]risk|off[- ]track|behind|worr\w*|risks?|slipping|red|trouble)\b",
                   re.IGNORECASE)
_QUARTER = re.compile(r"\b(?:(20\d\d)[-\s]?)?Q([1-4])(?:[-\s]?(20\d\d))?\b", re.IGNORECASE)
_NOISE = content_stems("how are we doing going tracking track progress status where stand "
                       "what is the on with our key result results krs okrs quarter")


def _periods(question: str, settings: Settings, today: date) -> list[str | None]:
    """Periods to try, best first (None: every period)."""
    match = _QUARTER.search(question)
    if match and (year := match.group(1) or match.group(3)):
        return [f"{year}-Q{match.group(2)}"]
    tries: list[str | None]
    if match:
        quarter = match.group(2)
        tries = [f"{today.year + d}-Q{quarter}" for d in (0, -1, 1)]
        with_data = [p for p in tries if any(s.latest for s in statuses(settings, p,
                                                                          today=today))]
        return [*with_data[:1]] or tries[:1]
    return [f"{today.year}-Q{(today.month - 1) // 3 + 1}", None]


def _line(s: KRStatus) -> str:
    kr, latest = s.kr, s.latest
    head = f"- **{kr.statement}** ({kr.department or 'company'}, {kr.period})"
    if latest is None:
        return f"{head} — no check-in yet."
    progress = (f"progress {s.progress:.0%}" if s.progress is not None
                else "progress unknown: no baseline, ask the owner")
    span = (f"baseline {format_amount(kr.baseline, kr.unit)} → target "
            f"{format_amount(kr.target, kr.unit)}")
    text = (f"{head} — {format_amount(latest.value, kr.unit)} on {latest.at.isoformat()} "
            f"({latest.confidence.replace('_', ' ')}); {span}: {progress}.")
    if s.stale:
        text += f" ⚠ No check-in for {s.days_since} days."
    return text + (f" Note: “{latest.note}”" if latest.note else "")


def progress_answer(settings: Settings, question: str, today: date | None = None) -> str:
    """Markdown answer to a progress question (see the module docstring)."""
    today = today or date.today()
    found: list[KRStatus] = []
    period: str | None = None
    for period in _periods(question, settings, today):
        found = statuses(settings, period, today=today)
        if any(s.latest for s in found):
            break
    where = f"in {parse_period(period)[0]}" if period else "in any period"
    footer = ("\n\n*Computed from the check-ins (Check-ins tab), with their dates; not written "
              "by the model.*")
    if not any(s.latest for s in found):
        return (f"There are no check-ins {where} yet. Record one in the **Check-ins** tab or "
                "with `keel checkin`." + footer)
    if _RISK.search(question):
        risky = ([s for s in found if s.latest and s.latest.confidence == "off_track"]
                 + [s for s in found if s.latest and s.latest.confidence == "at_risk"])
        if not risky:
            return f"Nothing is at risk or off track {where}: every checked-in KR is on track." \
                + footer
        return (f"**{len(risky)} key results {where} are off track or at risk:**\n\n"
                + "\n".join(_line(s) for s in risky) + footer)
    asked = content_stems(question) - _NOISE
    scored = [(len(asked & content_stems(f"{s.kr.statement} {s.kr.metric} {s.kr.objective}")),
               s) for s in found]
    best = max((n for n, _ in scored), default=0)
    if best:
        return "\n".join(_line(s) for n, s in scored if n == best) + footer
    counts = {c: sum(1 for s in found if s.latest and s.latest.confidence == c)
              for c in ("on_track", "at_risk", "off_track")}
    return (f"No key result {where} matches those words. Overall: {counts['on_track']} on "
            f"track, {counts['at_risk']} at risk, {counts['off_track']} off track, "
            f"{sum(1 for s in found if s.stale)} stale. Ask “what is at risk?” or name a KR's "
            "metric, e.g. “how are we doing on churn?”." + footer)
