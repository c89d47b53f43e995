"""Charts of the review: KR progress bars and the confidence trend (matplotlib, headless).

Both take computed data only (`KRStatus`, check-in history); nothing here reads the model.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from assistant.review.checkins import CONFIDENCES, CheckIn, KRStatus

__all__ = ["COLOURS", "png", "progress_figure", "trend_figure"]

COLOURS = {"on_track": "#2ca02c", "at_risk": "#ff7f0e", "off_track": "#d62728", None: "#9e9e9e"}


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def progress_figure(found: list[KRStatus]) -> Any:
    """One bar per KR: progress 0…1 coloured by the latest confidence; hatched where progress
    is unknown (no baseline or no check-in)."""
    from matplotlib.patches import Patch

    fig, ax = _plt().subplots(figsize=(8, max(2.5, 0.42 * len(found) + 1)))
    labels = [f"{(s.kr.department or 'company')[:12]}: {s.kr.statement[:48]}" for s in found]
    for y, s in enumerate(found):
        if s.progress is None:
            ax.barh(y, 1.0, color="white", edgecolor="#bbbbbb", hatch="//")
            ax.text(0.02, y, "ask the owner", va="center", fontsize=7, color="#555555")
            continue
        ax.barh(y, 1.0, color="#eeeeee")
        ax.barh(y, s.progress, color=COLOURS[s.latest.confidence if s.latest else None])
        ax.text(min(s.progress, 0.9) + 0.01, y, f"{s.progress:.0%}", va="center", fontsize=7)
    ax.set_yticks(range(len(found)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("progress from baseline to target")
    ax.legend(handles=[Patch(color=COLOURS[name], label=name.replace("_", " "))
                       for name in CONFIDENCES], fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig


def trend_figure(history: list[CheckIn], kr_ids: set[str], start: date, end: date) -> Any:
    """Per week of the period: how many of the KRs stood on track, at risk or off track (each
    KR counted with its latest check-in up to that week's end; KRs without one yet are left
    out)."""
    weeks = []
    day = start + timedelta(days=6)
    while day < end + timedelta(days=7):
        weeks.append(min(day, end))
        day += timedelta(days=7)
    counts = {c: [] for c in CONFIDENCES}  # type: dict[str, list[int]]
    for week_end in weeks:
        latest: dict[str, str] = {}
        for c in history:  # oldest first: the last one seen is the latest
            if c.kr_id in kr_ids and c.at <= week_end:
                latest[c.kr_id] = c.confidence
        for name in CONFIDENCES:
            counts[name].append(sum(v == name for v in latest.values()))
    fig, ax = _plt().subplots(figsize=(8, 3))
    bottom = [0] * len(weeks)
    for name in CONFIDENCES:
        ax.bar(range(len(weeks)), counts[name], bottom=bottom, color=COLOURS[name],
               label=name.replace("_", " "))
        bottom = [b + n for b, n in zip(bottom, counts[name], strict=True)]
    ax.set_xticks(range(len(weeks)), [w.strftime("%d %b") for w in weeks], fontsize=7,
                  rotation=45)
    ax.set_ylabel("key results")
    ax.set_title("Confidence by week (latest check-in of each KR)", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return fig


def png(fig: Any) -> bytes:
    """The figure as PNG bytes (and closed)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    _plt().close(fig)
    return buffer.getvalue()
