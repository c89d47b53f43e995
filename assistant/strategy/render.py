"""The map as Markdown (a tree: pillars → objectives → key results → initiatives), JSON, CSV."""

from __future__ import annotations

import csv
import io
import json

from assistant.core.text import format_amount
from assistant.strategy.model import MapElement

__all__ = ["CSV_COLUMNS", "to_csv", "to_json", "to_markdown"]

CSV_COLUMNS = ["key", "kind", "status", "title", "department", "period", "perspective",
               "metric", "unit", "direction", "baseline", "target", "deadline", "owner",
               "amount", "scope", "serves", "document", "section", "quote"]
_HEADINGS = {"statement": "Mission and vision", "non_goal": "What we will not do",
             "value": "Values", "limit": "Limits"}


def _line(e: MapElement) -> str:
    cite = e.citations[0]
    mark = {"proposed": "", "confirmed": " ✔", "edited": " ✎", "rejected": " ✗"}[e.status]
    details = ""
    if e.kind == "key_result":
        unit = e.unit if e.unit in ("%", "$") else ""
        details = (f" — {format_amount(e.baseline)} → {format_amount(e.target)}{unit}"
                   + (f", owner {e.owner}" if e.owner else "")
                   + ("" if e.baseline is not None else " (no baseline: ask the owner)"))
    elif e.kind == "limit":
        details = f" — {e.unit}{format_amount(e.amount)} ({e.scope})"
    elif e.kind == "pillar" and e.perspective:
        details = f" — {e.perspective}"
    if e.drivers:  # a person's own list for scenarios (else the drivers table answers)
        details += f"; moved by: {', '.join(e.drivers)}"
    return f"{e.title}{details}{mark}  \n  *“{cite.quote}”* — {cite.document}"


def to_markdown(elements: list[MapElement], workspace: str = "") -> str:
    by_key = {e.key: e for e in elements}
    served: dict[str, list[MapElement]] = {}
    for e in elements:
        for target in e.serves:
            served.setdefault(target, []).append(e)
    lines = [f"# Strategy map{f' — {workspace}' if workspace else ''}", ""]
    shown: set[str] = set()

    def tree(e: MapElement, depth: int) -> None:
        shown.add(e.key)
        lines.append(f"{'  ' * depth}- **{e.kind.replace('_', ' ')}** {_line(e)}")
        for child in served.get(e.key, []):
            if child.key not in shown:
                tree(child, depth + 1)

    for kind in ("statement",):
        for e in elements:
            if e.kind == kind:
                lines.append(f"- {_line(e)}")
                shown.add(e.key)
    pillars = [e for e in elements if e.kind == "pillar"]
    if pillars:
        lines += ["", "## Pillars and goals", ""]
    for e in pillars:
        tree(e, 0)
    unlinked = [e for e in elements if e.key not in shown and e.kind in
                ("objective", "key_result", "initiative")]
    if unlinked:
        lines += ["", "## Not linked to a pillar" if pillars else "## Goals", ""]
        for e in unlinked:
            if e.key not in shown and not any(t in by_key for t in e.serves):
                tree(e, 0)
    for kind in ("non_goal", "value", "limit"):
        group = [e for e in elements if e.kind == kind]
        if group:
            lines += ["", f"## {_HEADINGS[kind]}", ""]
            lines += [f"- {_line(e)}" for e in group]
    return "\n".join(lines).rstrip() + "\n"


def to_json(elements: list[MapElement]) -> str:
    return json.dumps([e.model_dump(mode="json") for e in elements], indent=2,
                      ensure_ascii=False) + "\n"


def to_csv(elements: list[MapElement]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for e in elements:
        row = e.model_dump(mode="json")
        cite = e.citations[0]
        writer.writerow({**{k: row.get(k) for k in CSV_COLUMNS if k in row},
                         "serves": ";".join(e.serves), "document": cite.document,
                         "section": cite.section, "quote": cite.quote})
    return buffer.getvalue()
