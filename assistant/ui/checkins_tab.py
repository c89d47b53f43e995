"""The Check-ins tab (the period's key results with progress bars, confidence and last update,
and a quick form to record a check-in) and the Review tab (the review pack, its charts and
downloads).

Handlers are plain functions of (services, workspace, …) so tests call them without a browser;
`checkins_tab` wires them into Gradio. Every number comes from `review/` (code), none from the
model.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.core.errors import KeelError
from assistant.core.periods import parse_period
from assistant.review.charts import progress_figure, trend_figure
from assistant.review.checkins import CONFIDENCES, CheckIn, CheckInStore, KRStatus, statuses
from assistant.review.pack import build_pack, pack_html, pack_markdown
from assistant.review.progress import GRADE_FORMULA, PROGRESS_FORMULA
from assistant.review.tracked import find_kr
from assistant.ui.services import Services

__all__ = ["CHECKIN_HEADERS", "checkins_figure", "checkins_tab", "checkins_view",
           "current_quarter", "record_checkin", "review_tab", "review_view"]

CHECKIN_HEADERS = ["team", "key result", "baseline", "target", "latest", "measured",
                   "confidence", "progress", "grade", "note", "KR id"]
View = tuple[str, Any, list[list[Any]], Any]


def current_quarter(today: date) -> str:
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def checkins_view(services: Services, ws: str | None, period: str, department: str = "",
                  note: str = "", today: date | None = None) -> View:
    """(summary, progress chart, rows, KR choices) for the period (and department)."""
    settings = services.settings_for(ws)
    try:
        found = statuses(settings, period.strip() or None, department.strip() or None, today)
    except KeelError as exc:
        raise gr.Error(str(exc)) from None
    if not found:
        return (f"{note}\n\nNo tracked key results for {period or 'any period'}: build the "
                "strategy map (Strategy tab) or save an OKR set (Goals tab).", None, [],
                gr.update(choices=[]))
    counts = {c: sum(s.latest is not None and s.latest.confidence == c for s in found)
              for c in CONFIDENCES}
    stale = [s for s in found if s.stale]
    head = (f"{note}\n\n" if note else "") + (
        f"**{len(found)} key results** — {counts['on_track']} on track, {counts['at_risk']} at "
        f"risk, {counts['off_track']} off track; {len(stale)} stale (no check-in for "
        f"{settings.checkin_stale_days} days).\n\n*{PROGRESS_FORMULA}. {GRADE_FORMULA}.*")
    rows = [_row(s) for s in found]
    return head, checkins_figure(found), rows, gr.update(choices=[s.kr.id for s in found])


def _row(s: KRStatus) -> list[Any]:
    latest = s.latest
    return [s.kr.department or "company", s.kr.statement, s.kr.baseline, s.kr.target,
            latest.value if latest else None,
            (latest.at.isoformat() + (" ⚠ stale" if s.stale else "")) if latest else "never",
            latest.confidence if latest else "",
            f"{s.progress:.0%}" if s.progress is not None else "ask the owner",
            f"{s.grade:.1f} {s.grade_verdict}" if s.grade is not None else "",
            latest.note if latest else "", s.kr.id]


def checkins_figure(found: list[KRStatus]) -> Any:
    return progress_figure(found)


def record_checkin(services: Services, ws: str | None, period: str, department: str,
                   kr_id: str | None, value: float | None, confidence: str | None, note: str,
                   by: str) -> View:
    """Save one check-in (today) and show the refreshed view."""
    if not kr_id:
        raise gr.Error("Pick a key result.")
    if confidence not in CONFIDENCES:
        raise gr.Error("Pick a confidence: on_track, at_risk or off_track.")
    settings = services.settings_for(ws)
    try:
        kr = find_kr(settings, kr_id)
        CheckInStore(settings).add(CheckIn(kr_id=kr.id, value=value, confidence=confidence,
                                           note=note.strip()[:2000], author=by.strip()[:120],
                                           at=date.today()))
    except KeelError as exc:
        raise gr.Error(str(exc)) from None
    return checkins_view(services, ws, period, department,
                         f"Checked in “{kr.statement[:80]}”: {value} ({confidence}).")


def checkins_tab(services: Services, workspace: gr.Dropdown, g: Any) -> None:
    with gr.Tab("Check-ins"):
        gr.Markdown("Where each key result stands: the latest check-in, progress from baseline "
                    "to target and the owner's confidence. Record a check-in below.")
        with gr.Row():
            period = gr.Textbox(current_quarter(date.today()), label="Period (e.g. 2027-Q1)")
            department = gr.Textbox("", label="Department (empty: all; 'company')")
            show = gr.Button("Show")
        summary = gr.Markdown(elem_id="checkins-summary")
        chart = gr.Plot(label="Progress", elem_id="checkins-chart")
        table = gr.Dataframe(headers=CHECKIN_HEADERS, label="Key results", interactive=False,
                             wrap=True)
        with gr.Row():
            kr = gr.Dropdown([], label="Key result", allow_custom_value=False)
            value = gr.Number(label="Value now")
            confidence = gr.Radio(list(CONFIDENCES), label="Confidence")
        with gr.Row():
            note = gr.Textbox(label="Note (what moved it, what blocks it)", max_length=2000)
            by = gr.Textbox(label="Your name", max_length=120)
            save = gr.Button("Save check-in", variant="primary")
        view = [summary, chart, table, kr]
        show.click(g(lambda ws, p, d: checkins_view(services, ws, p, d)),
                   [workspace, period, department], view, api_name="checkins")
        save.click(g(lambda ws, p, d, k, v, c, n, b: record_checkin(services, ws, p, d, k, v, c,
                                                                  n, b)),
                   [workspace, period, department, kr, value, confidence, note, by], view,
                   api_name="checkin")


def review_view(services: Services, ws: str | None, period: str, department: str = "",
                today: date | None = None) -> tuple[str, Any, Any, list[str]]:
    """(pack as Markdown, progress chart, trend chart, [Markdown file, HTML file])."""
    settings = services.settings_for(ws)
    try:
        pack = build_pack(settings, period.strip(), department.strip() or None, today,
                          kb=services.kb_for(ws))
        folder = Path(tempfile.mkdtemp(prefix="keel-review-"))
        name = f"review-{pack.period}{'-' + pack.department if pack.department else ''}"
        name = "".join(c if c.isalnum() or c in "-_" else "-" for c in name)
        (folder / f"{name}.md").write_text(pack_markdown(pack), encoding="utf-8")
        (folder / f"{name}.html").write_text(pack_html(pack, settings), encoding="utf-8")
    except KeelError as exc:
        raise gr.Error(str(exc)) from None
    if not pack.krs:
        return pack_markdown(pack), None, None, []
    _, start, end = parse_period(pack.period)
    trend = trend_figure(CheckInStore(settings).history(), {s.kr.id for s in pack.krs}, start,
                         min(end, pack.today))
    return (pack_markdown(pack), progress_figure(pack.krs), trend,
            [str(folder / f"{name}.md"), str(folder / f"{name}.html")])


def review_tab(services: Services, workspace: gr.Dropdown, g: Any) -> None:
    with gr.Tab("Review"):
        gr.Markdown("The strategic review pack of a period: scorecard, what is at risk, what "
                    "is stale, dependencies, proposals checked, decisions needed. Every number "
                    "is computed from check-ins; none is written by the model.")
        with gr.Row():
            period = gr.Textbox(current_quarter(date.today()), label="Review period")
            department = gr.Textbox("", label="Department (empty: the whole company)")
            build = gr.Button("Build the review pack", variant="primary")
        with gr.Row():
            progress_chart = gr.Plot(label="Progress", elem_id="review-progress")
            trend_chart = gr.Plot(label="Confidence by week", elem_id="review-trend")
        files = gr.File(label="Download (Markdown, HTML with the charts)", file_count="multiple",
                        interactive=False)
        pack = gr.Markdown(elem_id="review-pack")
        build.click(g(lambda ws, p, d: review_view(services, ws, p, d)),
                    [workspace, period, department], [pack, progress_chart, trend_chart, files],
                    api_name="review")
