"""The strategy map as a picture: pillars → objectives → key results → initiatives, coloured by
the pillar's Balanced Scorecard perspective; a red edge marks a KR without a baseline or an
element linked to nothing. Shown in the Strategy tab, written by `keel map export --format png`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.strategy.model import MapElement

__all__ = ["map_figure", "map_png"]

_COLOURS = {"Financial": "#4e79a7", "Customer": "#f28e2b", "Internal process": "#59a14f",
            "Learning & growth": "#b07aa1", None: "#9e9e9e"}


def map_figure(elements: list[MapElement]) -> Any:
    """Pillars → objectives → key results → initiatives, coloured by perspective; a red edge
    for a KR without a baseline or an element linked to nothing."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    levels = [[e for e in elements if e.kind == k] for k in
              ("pillar", "objective", "key_result", "initiative")]
    by_key = {e.key: e for e in elements}
    width = max(len(level) for level in levels) or 1
    fig, ax = plt.subplots(figsize=(max(8, width * 0.9), 5))
    places: dict[str, tuple[float, float]] = {}
    for depth, level in enumerate(levels):
        for n, e in enumerate(level):
            places[e.key] = ((n + 0.5) * width / max(len(level), 1), 3 - depth)
    for e in elements:
        for target in e.serves:
            if e.key in places and target in places:
                (x1, y1), (x2, y2) = places[e.key], places[target]
                ax.plot([x1, x2], [y1, y2], color="#cccccc", zorder=1)
    for e in elements:
        if e.key not in places:
            continue
        x, y = places[e.key]
        pillar = _pillar_of(e, by_key)
        loose = e.kind != "pillar" and not any(t in by_key for t in e.serves)
        flag = loose or (e.kind == "key_result" and e.baseline is None)
        ax.scatter([x], [y], s=260, color=_COLOURS.get(pillar.perspective if pillar else None),
                   edgecolors="#d62728" if flag else "white", linewidths=2.5, zorder=2)
        ax.annotate(e.title[:28], (x, y), textcoords="offset points", xytext=(0, -16),
                    ha="center", fontsize=6)
    ax.set_yticks([3, 2, 1, 0], ["pillars", "objectives", "key results", "initiatives"])
    ax.set_xticks([])
    ax.set_ylim(-0.6, 3.5)
    for name, colour in _COLOURS.items():
        ax.scatter([], [], color=colour, label=name or "no perspective")
    ax.legend(fontsize=7, loc="upper right", ncol=3)
    ax.set_title("Strategy map (red edge: no baseline, or linked to nothing)", fontsize=9)
    fig.tight_layout()
    return fig


def _pillar_of(e: MapElement, by_key: dict[str, MapElement]) -> MapElement | None:
    seen: set[str] = set()
    while e.kind != "pillar":
        parent = next((by_key[k] for k in e.serves if k in by_key and k not in seen), None)
        if parent is None:
            return None
        seen.add(parent.key)
        e = parent
    return e


def map_png(elements: list[MapElement], path: Path) -> Path:
    """The picture as a PNG file (150 dpi)."""
    import matplotlib.pyplot as plt

    fig = map_figure(elements)
    try:
        fig.savefig(path, dpi=150)
    finally:
        plt.close(fig)
    return path
