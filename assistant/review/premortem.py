"""Pre-mortem of a period's key results: "it is the end of the quarter and this KR was missed —
why?", answered from the data before it happens (issue 29, item 3).

Every risk is found by code and says where it comes from, so a person can check it:
- **behind the straight line**: progress clearly below the share of the period gone
  (`BEHIND_MARGIN`), the plainest early sign of a miss;
- **at risk / off track** at the latest check-in, with its note;
- **no baseline**: progress cannot be measured, so a miss shows only at the end;
- **stale**: no check-in for longer than `checkin_stale_days`, or none at all;
- **depends on another department**: the KR or its latest note names one;
- **a stated limit on the same thing**: a limit in the map sharing the KR's content words
  (a spending cap, a batch size), quoted;
- **its source changed**: the passage the KR cites no longer says what it quoted.
The model writes nothing here; a model-drafted narrative would be marked as such.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from assistant.core.config import Settings
from assistant.core.periods import parse_period
from assistant.core.text import content_stems
from assistant.db.engine import shared_database
from assistant.knowledge.base import KnowledgeBase
from assistant.review.checkins import KRStatus, statuses
from assistant.review.pack import changed_sources, dependencies
from assistant.strategy.store import StrategyMap

__all__ = ["BEHIND_MARGIN", "KRRisks", "premortem", "premortem_markdown"]

BEHIND_MARGIN = 0.2  # progress this far below the share of the period gone is "behind"
_GENERIC = content_stems("share number rate monthly month year quarter per each every total "
                         "budget operating discretionary")


class KRRisks(BaseModel):
    kr_id: str
    statement: str
    department: str
    risks: list[str]


def premortem(settings: Settings, period: str, department: str | None = None,
              today: date | None = None, kb: KnowledgeBase | None = None) -> list[KRRisks]:
    """The risks of each KR of the period, most risks first."""
    today = today or date.today()
    label, start, end = parse_period(period)
    found = statuses(settings, label, department, today)
    gone = min(1.0, max(0.0, (today - start).days / max(1, (end - start).days)))
    changed = set(changed_sources(settings, kb, {s.kr.id for s in found})) if kb else set()
    depends = {d.kr_id: d.names for d in dependencies(found)}
    limits = [e for e in StrategyMap(shared_database(settings), settings.workspace).elements()
              if e.kind == "limit"]
    out = []
    for s in found:
        risks = _risks(s, gone, settings.checkin_stale_days)
        if s.kr.id in depends:
            risks.append(f"Depends on {', '.join(depends[s.kr.id])}: the KR or its latest note "
                         "names them; agree who does what before it slips.")
        mine = content_stems(f"{s.kr.statement} {s.kr.metric}") - _GENERIC
        for e in limits:
            shared = mine & (content_stems(f"{e.title} {e.text}") - _GENERIC)
            if e.department in ("", s.kr.department) and len(shared) >= 2:
                risks.append(f"A stated limit on the same thing ({', '.join(sorted(shared))}): "
                             f"“{e.text.strip()[:160]}” — {e.citations[0].document}.")
        if s.kr.id in changed:
            risks.append("The passage it cites has changed: the KR may no longer say what the "
                         "strategy now says.")
        out.append(KRRisks(kr_id=s.kr.id, statement=s.kr.statement,
                           department=s.kr.department or "company", risks=risks))
    return sorted(out, key=lambda r: -len(r.risks))


def _risks(s: KRStatus, gone: float, stale_days: int) -> list[str]:
    out = []
    latest = s.latest
    if s.progress is not None and s.progress < gone - BEHIND_MARGIN:
        out.append(f"Behind the straight line: {s.progress:.0%} of the way with {gone:.0%} of "
                   "the period gone.")
    if latest and latest.confidence in ("at_risk", "off_track"):
        note = f": “{latest.note}”" if latest.note else ""
        out.append(f"{latest.confidence.replace('_', ' ').capitalize()} at the last check-in "
                   f"({latest.at.isoformat()}){note}")
    if s.kr.baseline is None and s.kr.direction not in ("at_least", "at_most"):
        out.append("No baseline: progress cannot be measured, so a miss would show only at "
                   f"the end. Ask {s.kr.owner or 'the owner'} for the starting value.")
    if latest is None:
        out.append("Never checked in.")
    elif s.stale:
        out.append(f"Stale: no check-in for {s.days_since} days (more than {stale_days}).")
    return out


def premortem_markdown(items: list[KRRisks], period: str) -> str:
    lines = [f"# Pre-mortem {period}", "",
             "*It is the end of the period and a key result was missed — why? Each risk below "
             "is found in the data (check-ins, the strategy map, the documents), not written "
             "by a model.*", ""]
    for item in items:
        lines.append(f"## {item.department}: {item.statement}")
        lines += [f"- {r}" for r in item.risks] or ["- No risk found in the data."]
        lines.append("")
    if not items:
        lines.append(f"No tracked key results for {period}.")
    return "\n".join(lines)
