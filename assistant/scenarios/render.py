"""Stress tests as Markdown (export, CLI, UI) and as the review pack's "decisions needed"."""

from __future__ import annotations

from assistant.scenarios.model import Exposed, ScenarioReport, WarGameReport

__all__ = ["decisions", "exposed_lines", "scenario_markdown", "wargame_markdown"]

_KIND = {"key_result": "Key result", "limit": "Limit", "pillar": "Pillar",
         "objective": "Objective"}


def exposed_lines(exposed: list[Exposed]) -> list[str]:
    out = []
    for x in exposed:
        where = f" — {x.citation.document}" if x.citation else ""
        out.append(f"- **{_KIND.get(x.kind, x.kind)}** {x.title[:120]}  \n  {x.reason}{where}")
    return out or ["- Nothing in the strategy map is exposed by these words: check the "
                   "scenario names what changes (a cost, a customer group, a team)."]


def _header(kind: str, text: str, model: str, seconds: float, confirmed: bool) -> list[str]:
    state = "" if confirmed else " The strategy map is not confirmed yet."
    return [f"# {kind}: {text}", "",
            f"*What is exposed is found by code in the strategy map, each with its reason and "
            f"source; what to watch and what to do is drafted by the model ({model or 'none'}) "
            f"and checked by code — a failed check is shown next to the line.{state} "
            f"({seconds:.0f} s)*", ""]


def scenario_markdown(report: ScenarioReport) -> str:
    lines = _header("Scenario", report.scenario, report.model, report.seconds,
                    report.map_confirmed)
    if report.consequences:
        lines += ["**What could follow (the model's reading):**",
                  *[f"- {c}" for c in report.consequences], ""]
    lines += ["## Exposed", "", *exposed_lines(report.exposed), ""]
    if report.to_check:
        lines += ["## To check (the evidence does not decide)", "",
                  *[f"- {x.reason}" + (f" — {x.citation.document}" if x.citation else "")
                    for x in report.to_check], ""]
    if report.plans:
        lines += ["## What to watch and what to do", ""]
        for p in report.plans:
            lines.append(f"### {p.title.split('. Owner')[0][:120]}")
            lines += [f"- Watch: {w}" for w in p.watch]
            lines.append(f"- Trigger: {p.trigger or '—'}")
            lines += [f"- Action: {a}" for a in p.actions]
            lines += [f"  - ⚠ {f}" for f in p.findings]
            lines.append("")
    lines += [f"> {n}" for n in report.notes]
    return "\n".join(lines).rstrip() + "\n"


def wargame_markdown(report: WarGameReport) -> str:
    lines = _header("War game", report.competitor, report.model, report.seconds,
                    report.map_confirmed)
    lines += ["## What their move threatens", "", *exposed_lines(report.exposed), ""]
    for n, move in enumerate(report.moves, 1):
        lines += [f"## Their next move {n}: {move.move}", "", "Threatens:",
                  *exposed_lines(move.threatens), "", "Our possible responses:"]
        for r in move.responses:
            lines.append(f"- {r.text}")
            lines += [f"  - ⚠ {f}" for f in r.flags]
        lines.append("")
    lines += [f"> {n}" for n in report.notes]
    return "\n".join(lines).rstrip() + "\n"


def decisions(report: ScenarioReport | WarGameReport) -> list[str]:
    """What the review pack lists under "decisions needed" for a saved stress test."""
    if isinstance(report, ScenarioReport):
        krs = [x.title.split(". Owner")[0][:60] for x in report.exposed
               if x.kind == "key_result"]
        if not krs:
            return []
        return [f"Scenario “{report.scenario[:80]}” exposes {len(krs)} key result(s) "
                f"({'; '.join(krs[:3])}): agree the triggers and who acts on them."]
    flagged = [r.text for m in report.moves for r in m.responses if r.flags]
    out = [f"War game “{report.competitor[:80]}”: choose our response to "
           f"{len(report.moves)} likely move(s)."] if report.moves else []
    if flagged:
        out.append(f"War game “{report.competitor[:60]}”: {len(flagged)} drafted response(s) "
                   f"may break a non-goal or limit (e.g. “{flagged[0][:60]}”) — rule them out "
                   "or change the non-goal knowingly.")
    return out
