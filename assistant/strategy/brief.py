"""One page per department from the map: what the strategy asks of it (a template, no model).

The seed's "communicate, communicate, communicate": the pillars the department's goals serve,
its objectives and key results with baselines and targets, its limits, and what the company
will not do — each line with the source it comes from. Built from whatever the map holds
(confirmed or not), and it says which elements are still unconfirmed.
"""

from __future__ import annotations

from assistant.core.errors import InputError
from assistant.core.text import format_amount
from assistant.strategy.model import MapElement

__all__ = ["department_brief", "departments"]

_ASK = "unknown (ask the owner)"


def departments(elements: list[MapElement]) -> list[str]:
    return sorted({e.department for e in elements if e.department})


def _source(e: MapElement) -> str:
    return f"{e.citations[0].document}" + ("" if e.status in ("confirmed", "edited")
                                          else ", not yet confirmed")


def department_brief(elements: list[MapElement], department: str) -> str:
    """Markdown: what the strategy asks of `department` (matched case-insensitively)."""
    want = department.strip().lower()
    own = [e for e in elements if e.department.lower() == want]
    if not own:
        known = ", ".join(departments(elements)) or "none yet"
        raise InputError(f"The map has nothing for '{department}' (departments: {known}).")
    name = own[0].department
    by_key = {e.key: e for e in elements}
    objectives = [e for e in own if e.kind == "objective"]
    krs = {o.key: [e for e in own if e.kind == "key_result" and o.key in e.serves]
           for o in objectives}
    pillars = {by_key[k].title for o in objectives for k in o.serves if k in by_key}
    lines = [f"# What the strategy asks of {name}", ""]
    if pillars:
        lines += ["**Serves:** " + "; ".join(sorted(pillars)), ""]
    lines += ["## Objectives and key results", ""]
    for o in objectives:
        lines.append(f"**{o.title}**{f' ({o.period})' if o.period else ''} — {_source(o)}")
        for kr in krs[o.key]:
            lines.append(f"- {kr.title}: from {format_amount(kr.baseline, kr.unit, _ASK)} to "
                         f"{format_amount(kr.target, kr.unit, _ASK)}"
                         + (f", owner {kr.owner}" if kr.owner else ", no owner named"))
        lines.append("")
    if not objectives:
        lines += ["No objectives in the map for this department yet.", ""]
    running = [e for e in own if e.kind == "initiative"]
    if running:
        lines += ["## Initiatives", ""]
        lines += [f"- {e.title} — {_source(e)}" for e in running]
        lines.append("")
    limits = [e for e in own if e.kind == "limit"]
    if limits:
        lines += ["## Limits", ""]
        lines += [f"- {e.title}: {format_amount(e.amount, e.unit, _ASK)}"
                  f"{f' ({e.period})' if e.period else ''} — {_source(e)}" for e in limits]
        lines.append("")
    company_no = [e for e in elements if e.kind == "non_goal"]
    if company_no:
        lines += ["## What we will not do (the whole company)", ""]
        lines += [f"- **{e.title}**: {e.text}" for e in company_no]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
