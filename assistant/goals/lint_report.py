"""A lint report a person can act on: repeated findings grouped, the worst first, one summary.

"K8 error — 41 of 63 key results: Key result has an owner" with the fix once and the first few
places, instead of 41 lines saying the same thing. Used by `keel lint` and the Goals tab; the
flat list of findings (`--json`) is unchanged.
"""

from __future__ import annotations

from pydantic import BaseModel

from assistant.core.schemas import OKRSet
from assistant.goals.lint import RULES, Finding

__all__ = ["FindingGroup", "group_findings", "report_lines", "summary_line"]

_RANK = {"error": 0, "warning": 1, "info": 2}


class FindingGroup(BaseModel):
    rule: str
    severity: str
    what: str  # the rule's one-line description
    count: int
    of: int  # how many objectives / key results / sets the rule looked at
    unit: str  # "key results", "objectives", "sets", "goals"
    fix: str
    findings: list[Finding]


def _unit(where: str) -> str:
    return ("key results" if ", KR " in where else "objectives" if "objective " in where
            else "sets" if where.endswith("set") else "goals")


def _fix(items: list[Finding]) -> str:
    same = all(f.fix == items[0].fix for f in items)
    return items[0].fix if same else f"For example: {items[0].fix}"


def group_findings(findings: list[Finding], sets: list[OKRSet]) -> list[FindingGroup]:
    objectives = sum(len(s.objectives) for s in sets)
    krs = sum(len(o.key_results) for s in sets for o in s.objectives)
    totals = {"key results": krs, "objectives": objectives, "sets": len(sets), "goals": 1}
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.rule, f.severity), []).append(f)
    out = [FindingGroup(rule=rule, severity=severity, what=RULES.get(rule, (rule, ""))[0],
                        count=len(items), of=totals[_unit(items[0].where)],
                        unit=_unit(items[0].where), fix=_fix(items), findings=items)
           for (rule, severity), items in groups.items()]
    return sorted(out, key=lambda g: (_RANK.get(g.severity, 3), -g.count, g.rule))


def summary_line(findings: list[Finding], sets: list[OKRSet]) -> str:
    counts = {s: sum(f.severity == s for f in findings) for s in ("error", "warning", "info")}
    objectives = sum(len(s.objectives) for s in sets)
    krs = sum(len(o.key_results) for s in sets for o in s.objectives)
    where = f"{len(sets)} sets, " if len(sets) > 1 else ""
    return (f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} notes "
            f"in {where}{objectives} objectives and {krs} key results.")


def report_lines(groups: list[FindingGroup], show: int = 3) -> list[tuple[str, str]]:
    """(severity, line) pairs: a headline per group, its fix, and its first `show` places
    (all of them when show is 0)."""
    lines: list[tuple[str, str]] = []
    for g in groups:
        share = f"{g.count} of {g.of} {g.unit}" if g.unit != "sets" else "the set"
        lines.append((g.severity, f"{g.rule} {g.severity} — {share}: {g.what}"))
        lines.append(("fix", f"Fix: {g.fix}"))
        listed = g.findings if show == 0 else g.findings[:show]
        lines += [("place", f"{f.where}: {f.message} “{f.text[:90]}”") for f in listed]
        if len(g.findings) > len(listed):
            lines.append(("place", f"… and {len(g.findings) - len(listed)} more (--all lists "
                                   "them)"))
    return lines
