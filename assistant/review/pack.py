"""The strategic review pack: one period's goals, where they stand, and what needs deciding.

Built from code only — tracked KRs, their check-ins, progress and grades (`checkins.py`,
`progress.py`), saved alignment checks and staleness — so every number in it is computed, none
written by a model. Sections: an agenda; a Balanced Scorecard view (KRs by perspective, then by
objective); KRs at risk and off track with their latest notes; stale KRs; cross-department
dependencies (a KR whose statement or latest note names another department); proposals checked
during the period with their verdicts; decisions needed (off-track committed KRs, KRs whose
cited passage changed, KRs without a baseline, and what saved scenarios and war games ask to
decide: `STRESS_LOOKBACK_DAYS`). Rendered as Markdown (`pack_markdown`) and as
one self-contained HTML page with the charts inlined (`pack_html`, a Jinja2 template in the
package data).
"""

from __future__ import annotations

import base64
from datetime import date, timedelta

from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel

from assistant.alignment.store import CheckStore
from assistant.core.config import PACKAGE_DATA, Settings
from assistant.core.periods import parse_period
from assistant.core.text import format_amount
from assistant.db.engine import shared_database
from assistant.goals.store import GoalStore, stale_citations
from assistant.knowledge.base import KnowledgeBase
from assistant.review.charts import png, progress_figure, trend_figure
from assistant.review.checkins import CheckInStore, KRStatus, statuses
from assistant.review.progress import GRADE_FORMULA, PROGRESS_FORMULA, mean_progress
from assistant.scenarios.render import decisions as stress_decisions
from assistant.scenarios.store import StressStore
from assistant.strategy.store import StrategyMap

__all__ = ["AGENDA", "ReviewPack", "build_pack", "changed_sources", "dependencies", "pack_html",
           "pack_markdown"]

AGENDA = ["Where we stand: the scorecard by perspective (10 min)",
          "At risk and off track: what blocks each, what would unblock it (20 min)",
          "Dependencies between departments (10 min)",
          "Proposals checked this period (5 min)",
          "Decisions needed, each with an owner and a date (15 min)"]
PERSPECTIVES = ["Financial", "Customer", "Internal process", "Learning & growth", ""]


class CheckedProposal(BaseModel):
    id: str
    title: str
    verdict: str
    saved: date


class Dependency(BaseModel):
    kr_id: str
    statement: str
    department: str
    names: list[str]  # the other departments it names


class ReviewPack(BaseModel):
    workspace: str
    period: str
    department: str = ""
    today: date
    krs: list[KRStatus]
    objectives: dict[str, float | None]  # objective title → mean KR progress
    at_risk: list[KRStatus]
    off_track: list[KRStatus]
    stale: list[KRStatus]
    dependencies: list[Dependency]
    checked: list[CheckedProposal]
    changed_sources: list[str]  # KR ids whose cited passage changed
    decisions: list[str]
    progress_formula: str = PROGRESS_FORMULA
    grade_formula: str = GRADE_FORMULA


def build_pack(settings: Settings, period: str, department: str | None = None,
               today: date | None = None, kb: KnowledgeBase | None = None) -> ReviewPack:
    """The pack for a period (and department); `kb` adds the changed-source check."""
    today = today or date.today()
    label, start, end = parse_period(period)
    found = statuses(settings, label, department, today)
    changed = changed_sources(settings, kb, {s.kr.id for s in found}) if kb else []
    by_objective: dict[str, list[float | None]] = {}
    for s in found:
        by_objective.setdefault(s.kr.objective or "(no objective)", []).append(s.progress)
    confidence = {s.kr.id: s.latest.confidence if s.latest else "" for s in found}
    checked = [CheckedProposal(id=i, title=r.proposal_title, verdict=r.verdict,
                               saved=when.date())
               for i, r, when in CheckStore(settings).dated() if start <= when.date() <= end]
    return ReviewPack(
        workspace=settings.workspace, period=label, department=department or "", today=today,
        krs=found, objectives={k: mean_progress(v)[0] for k, v in by_objective.items()},
        at_risk=[s for s in found if confidence[s.kr.id] == "at_risk"],
        off_track=[s for s in found if confidence[s.kr.id] == "off_track"],
        stale=[s for s in found if s.stale], dependencies=dependencies(found),
        checked=checked, changed_sources=changed,
        decisions=_decisions(found, set(changed)) + _stress_decisions(settings, start, end))


STRESS_LOOKBACK_DAYS = 90  # stress tests are run before a quarter: those saved this long
# before the period starts, and during it, feed its decisions


def _stress_decisions(settings: Settings, start: date, end: date) -> list[str]:
    """Decisions from the scenarios and war games saved for this period (`keel scenario`)."""
    since = start - timedelta(days=STRESS_LOOKBACK_DAYS)
    return [d for _, report, when in StressStore(settings).dated()
            if since <= when.date() <= end for d in stress_decisions(report)]


def changed_sources(settings: Settings, kb: KnowledgeBase, ids: set[str]) -> list[str]:
    smap = StrategyMap(shared_database(settings), settings.workspace)
    keys = {s.key for s in smap.stale(kb)}
    for s in stale_citations(GoalStore(settings).list(), kb):
        if ", KR " in s.where:
            o, k = s.where.removeprefix("Objective ").split(", KR ")
            keys.add(f"{s.okr_set}:{o}.{k}")
    return sorted(keys & ids)


def dependencies(found: list[KRStatus]) -> list[Dependency]:
    names = sorted({s.kr.department for s in found if s.kr.department})
    out = []
    for s in found:
        text = f"{s.kr.statement} {s.latest.note if s.latest else ''}".lower()
        others = [n for n in names if n != s.kr.department and n.lower() in text]
        if others:
            out.append(Dependency(kr_id=s.kr.id, statement=s.kr.statement,
                                  department=s.kr.department or "company", names=others))
    return out


def _decisions(found: list[KRStatus], changed: set[str]) -> list[str]:
    out = []
    for s in found:
        what = f"{s.kr.department or 'Company'}: “{s.kr.statement[:90]}”"
        if s.latest and s.latest.confidence == "off_track" and s.kr.ambition == "committed":
            out.append(f"{what} is a committed KR off track — change the plan, add resources, "
                       "or agree a new target.")
        if s.kr.id in changed:
            out.append(f"{what} cites a passage that changed — check the KR against the new "
                       "wording.")
        if s.kr.baseline is None and s.kr.direction not in ("at_least", "at_most"):
            out.append(f"{what} has no baseline — ask {s.kr.owner or 'the owner'} for the "
                       "starting value, or progress cannot be measured.")
    return out


def _kr_line(s: KRStatus) -> str:
    latest = s.latest
    unit = s.kr.unit
    where = (f"{format_amount(latest.value, unit)} on {latest.at.isoformat()} ({latest.confidence})"
             if latest else "no check-in yet")
    progress = f"{s.progress:.0%}" if s.progress is not None else "ask the owner"
    grade = f", grade {s.grade:.1f} {s.grade_verdict}" if s.grade is not None else ""
    span = f"{format_amount(s.kr.baseline, unit)} → {format_amount(s.kr.target, unit)}"
    return f"{s.kr.statement} — {span}; now {where}; progress {progress}{grade}"


def pack_markdown(pack: ReviewPack) -> str:
    """The pack as Markdown (charts are in the HTML version)."""
    scope = f" — {pack.department}" if pack.department else ""
    lines = [f"# Strategic review {pack.period}{scope}", "",
             f"Workspace {pack.workspace}; as of {pack.today.isoformat()}. Every number is "
             "computed from check-ins; none is written by a model.", "", "## Agenda", ""]
    lines += [f"{n}. {item}" for n, item in enumerate(AGENDA, 1)]
    lines += ["", "## Scorecard by perspective", ""]
    if not pack.krs:
        lines += [f"No tracked key results for {pack.period}: build the strategy map or save "
                  "an OKR set for this period, then check in.", ""]
    for perspective in PERSPECTIVES:
        mine = [s for s in pack.krs if s.kr.perspective == perspective]
        if not mine:
            continue
        lines += [f"### {perspective or 'No perspective named'}", ""]
        for objective in dict.fromkeys(s.kr.objective for s in mine):
            value = pack.objectives.get(objective or "(no objective)")
            lines.append(f"**{objective or '(no objective)'}** — objective progress "
                         f"{f'{value:.0%}' if value is not None else 'unknown'}")
            lines += [f"- {_kr_line(s)}" for s in mine if s.kr.objective == objective]
            lines.append("")
    for title, group in (("Off track", pack.off_track), ("At risk", pack.at_risk)):
        lines += [f"## {title} ({len(group)})", ""]
        lines += [f"- {_kr_line(s)}" + (f"\n  - note: {s.latest.note}" if s.latest and
                                         s.latest.note else "") for s in group] or ["- none"]
        lines.append("")
    lines += [f"## Stale ({len(pack.stale)})", ""] + ([f"- {s.kr.statement} — last check-in "
                      f"{s.latest.at.isoformat() if s.latest else 'never'}" for s in pack.stale]
                     or ["- none"]) + [""]
    lines += ["## Dependencies between departments", ""]
    lines += [f"- {d.department}: {d.statement} — names {', '.join(d.names)}"
              for d in pack.dependencies] or ["- none found"]
    lines += ["", f"## Proposals checked in {pack.period} ({len(pack.checked)})", ""]
    lines += [f"- {c.title}: {c.verdict.replace('_', ' ')} ({c.saved.isoformat()}, check {c.id})"
              for c in pack.checked] or ["- none saved"]
    lines += ["", "## Decisions needed", ""]
    lines += [f"- {d}" for d in pack.decisions] or ["- none"]
    lines += ["", f"*{pack.progress_formula}. {pack.grade_formula}.*", ""]
    return "\n".join(lines)


def pack_html(pack: ReviewPack, settings: Settings) -> str:
    """One self-contained HTML page: the Markdown sections as HTML, both charts inlined."""
    _, start, end = parse_period(pack.period)
    ids = {s.kr.id for s in pack.krs}
    charts = {}
    if pack.krs:
        charts["progress"] = base64.b64encode(png(progress_figure(pack.krs))).decode()
        history = CheckInStore(settings).history()
        charts["trend"] = base64.b64encode(png(trend_figure(history, ids, start,
                                                            min(end, pack.today)))).decode()
    env = Environment(loader=FileSystemLoader(str(PACKAGE_DATA / "templates")),
                      autoescape=select_autoescape(["html"]))
    return env.get_template("review.html").render(
        pack=pack, charts=charts, agenda=AGENDA, perspectives=PERSPECTIVES, line=_kr_line)
