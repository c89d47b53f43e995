"""Many proposals at once: a CSV in, a CSV of verdicts and an alignment matrix picture out."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from assistant.alignment.check import check_proposal
from assistant.alignment.report import AlignmentReport
from assistant.core.errors import InputError, KeelError
from assistant.knowledge.base import KnowledgeBase
from assistant.llm.client import LLM
from assistant.strategy.model import MapElement

__all__ = ["MAX_BATCH", "BatchRow", "matrix_png", "read_batch", "run_batch", "stance_figure",
           "write_batch_csv"]

MAX_BATCH = 200
_TEXT_COLUMNS = ("proposal", "text", "description", "summary")
_STANCE_VALUE = {"conflicts": 0, "neutral": 1, "supports": 2}


class BatchRow(BaseModel):
    id: str
    title: str
    text: str
    report: AlignmentReport | None = None
    error: str = ""


def read_batch(data: bytes, name: str = "proposals.csv") -> list[BatchRow]:
    """Rows of a CSV with a `proposal` (or text/description/summary) column; id and title
    columns are optional."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name} is not UTF-8 text.") from exc
    try:
        reader = csv.DictReader(io.StringIO(text))
        fields = [f.strip().lower() for f in reader.fieldnames or []]
        rows = [{(k or "").strip().lower(): (v or "") for k, v in r.items()} for r in reader]
    except csv.Error as exc:
        raise InputError(f"{name} is not a readable CSV: {exc}") from exc
    column = next((c for c in _TEXT_COLUMNS if c in fields), None)
    if column is None:
        raise InputError(f"{name} needs a column named one of {', '.join(_TEXT_COLUMNS)}; "
                         f"found {', '.join(fields) or 'no header'}.")
    if not rows:
        raise InputError(f"{name} has no proposals.")
    if len(rows) > MAX_BATCH:
        raise InputError(f"{name} has {len(rows)} proposals; the limit is {MAX_BATCH}.")
    return [BatchRow(id=r.get("id") or f"P{n}", title=(r.get("title") or r[column])[:80],
                     text=r[column]) for n, r in enumerate(rows, 1)]


def run_batch(rows: list[BatchRow], kb: KnowledgeBase, llm: LLM,
              progress: Callable[[int, int, str], None] | None = None,
              strategy: list[MapElement] | None = None) -> list[BatchRow]:
    """Check every row; a row that fails keeps its error and the batch goes on."""
    for n, row in enumerate(rows, 1):
        try:
            row.report = check_proposal(row.text, kb, llm, strategy=strategy)
        except KeelError as exc:
            row.error = str(exc)
        if progress:
            progress(n, len(rows), "checking proposals")
    return rows


def write_batch_csv(rows: list[BatchRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "title", "verdict", "score", "confidence", "basis",
                     "conflicts", "overlaps", "likely_kr", "first_recommendation", "error"])
    for row in rows:
        r = row.report
        writer.writerow([
            row.id, row.title, r.verdict if r else "error", r.score if r else "",
            r.confidence if r else "", r.basis if r else "",
            "; ".join(f.element for f in r.conflicts) if r else "",
            "; ".join(f.element for f in r.overlaps) if r else "",
            (r.likely_kr or "") if r else "", r.recommendations[0] if r and r.recommendations
            else "", row.error])
    return buffer.getvalue()


def matrix_png(rows: list[BatchRow], path: Path) -> Path:
    """Proposals (rows) x strategic elements (columns), coloured by stance."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    done = [r for r in rows if r.report]
    elements = sorted({f.element for r in done for f in r.report.findings})  # type: ignore[union-attr]
    if not done or not elements:
        raise InputError("No proposal was checked successfully; no matrix to draw.")
    grid = [[-1.0] * len(elements) for _ in done]
    for i, row in enumerate(done):
        for f in row.report.findings:  # type: ignore[union-attr]
            grid[i][elements.index(f.element)] = _STANCE_VALUE[f.stance]
    import numpy as np

    data = np.ma.masked_less(np.array(grid), 0)
    cmap = ListedColormap(["#d73027", "#e0e0e0", "#1a9850"]).with_extremes(bad="white")
    fig, ax = plt.subplots(figsize=(max(6, 0.45 * len(elements) + 3),
                                    max(3, 0.4 * len(done) + 2)))
    ax.imshow(data, cmap=cmap, vmin=0, vmax=2, aspect="auto")
    ax.set_xticks(range(len(elements)), [e[:40] for e in elements], rotation=60, ha="right",
                  fontsize=7)
    ax.set_yticks(range(len(done)), [f"{r.id} {r.title[:30]} ({r.report.verdict})"  # type: ignore[union-attr]
                                     for r in done], fontsize=7)
    ax.legend(handles=[Patch(color="#1a9850", label="supports"),
                       Patch(color="#e0e0e0", label="neutral"),
                       Patch(color="#d73027", label="conflicts"),
                       Patch(facecolor="white", edgecolor="grey", label="not judged")],
              loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=7)
    ax.set_title("Alignment matrix: proposals x strategic elements", fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def stance_figure(report: AlignmentReport) -> Any:
    """A bar per judged element: +1 supports, -1 conflicts, a sliver for neutral."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    findings = report.findings
    fig, ax = plt.subplots(figsize=(7, max(2.5, 0.35 * len(findings) + 1)))
    values = [{"supports": 1.0, "neutral": 0.08, "conflicts": -1.0}[f.stance] for f in findings]
    colours = [{"supports": "#1a9850", "neutral": "#9e9e9e", "conflicts": "#d73027"}[f.stance]
               for f in findings]
    labels = [f"{f.element[:45]} ({f.kind})" for f in findings]
    ax.barh(range(len(findings)), values, color=colours)
    ax.set_yticks(range(len(findings)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(-1.2, 1.2)
    ax.set_xticks([-1, 0, 1], ["conflicts", "neutral", "supports"], fontsize=8)
    ax.axvline(0, color="black", linewidth=0.6)
    ax.set_title(f"Stances by strategic element — {report.verdict.replace('_', ' ')}, "
                 f"score {report.score}", fontsize=9)
    fig.tight_layout()
    plt.close(fig)
    return fig
