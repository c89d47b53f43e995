"""PNG plots of a run: confusion matrices, per-department lint pass rates, latency histogram."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["write_plots"]


def write_plots(report: dict[str, Any], folder: Path) -> list[str]:
    """The pictures that apply to this run; returns their file names."""
    import matplotlib

    matplotlib.use("Agg")
    names: list[str] = []
    for group, m in report["metrics"].items():
        if group.endswith(".alignment_check") and m.get("confusion"):
            names.append(_confusion(group, m["confusion"], folder))
    drafts = [r for r in report["cases"] if r["task"] == "okr_draft"]
    if drafts:
        names.append(_lint_pass(drafts, folder))
    latencies = [r for r in report["cases"] if "latency_s" in r]
    if latencies:
        names.append(_latency(latencies, folder))
    return names


def _confusion(group: str, confusion: dict[str, dict[str, int]], folder: Path) -> str:
    import matplotlib.pyplot as plt

    rows = list(confusion)
    cols = [*rows, "other"]
    grid = [[confusion[r].get(c, 0) for c in cols] for r in rows]
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    ax.imshow(grid, cmap="Blues")
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            ax.text(j, i, str(value), ha="center", va="center", fontsize=10)
    ax.set_xticks(range(len(cols)), [c.replace("_", "\n") for c in cols], fontsize=8)
    ax.set_yticks(range(len(rows)), [r.replace("_", " ") for r in rows], fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("expected")
    ax.set_title(f"{group}: confusion matrix", fontsize=9)
    fig.tight_layout()
    name = f"confusion-{group.split('.')[0]}.png"
    fig.savefig(folder / name, dpi=110)
    plt.close(fig)
    return name


def _lint_pass(rows: list[dict[str, Any]], folder: Path) -> str:
    import matplotlib.pyplot as plt

    labels = [f"{r['corpus']}: {r.get('department', r['id'])}" for r in rows]
    first = [float(r.get("kr_pass_first", 0.0)) for r in rows]
    final = [float(r.get("kr_pass", 0.0)) for r in rows]
    fig, ax = plt.subplots(figsize=(7, 0.4 * len(rows) + 1.5))
    y = range(len(rows))
    ax.barh([i + 0.2 for i in y], first, height=0.4, label="first draft", color="#bdbdbd")
    ax.barh([i - 0.2 for i in y], final, height=0.4, label="after repair", color="#2b8cbe")
    ax.set_yticks(list(y), labels, fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of KRs passing every error-level rule")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(folder / "lint-pass-by-department.png", dpi=110)
    plt.close(fig)
    return "lint-pass-by-department.png"


def _latency(rows: list[dict[str, Any]], folder: Path) -> str:
    import matplotlib.pyplot as plt

    tasks = sorted({r["task"] for r in rows})
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist([[float(r["latency_s"]) for r in rows if r["task"] == t] for t in tasks],
            bins=15, label=tasks, stacked=True)
    ax.set_xlabel("seconds per case")
    ax.set_ylabel("cases")
    ax.legend(fontsize=8)
    ax.set_title("Latency by task", fontsize=9)
    fig.tight_layout()
    fig.savefig(folder / "latency.png", dpi=110)
    plt.close(fig)
    return "latency.png"
