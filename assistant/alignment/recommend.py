"""What to change so a proposal aligns, or why to stop: written from the findings, in code."""

from __future__ import annotations

from assistant.alignment.report import AlignmentReport

__all__ = ["recommendations"]


def recommendations(report: AlignmentReport) -> list[str]:
    """Concrete next steps, most important first; deterministic for the same findings."""
    tips: list[str] = []
    for f in report.conflicts:
        doing = f"“{f.proposal_evidence}”" if f.proposal_evidence else "the conflicting part"
        if f.outside_focus:
            tips.append(f"Keep it within the focus the strategy states: “{f.statement}” "
                        f"({f.element}). {f.proposal_evidence} is outside it; widening the "
                        "focus is the owners' decision, so ask them first.")
        elif f.limit_breach:
            tips.append(f"Bring {doing} within the stated limit: “{f.statement}” "
                        f"({f.element}). Going beyond it needs the owners' decision first.")
        elif f.kind == "non-goal":
            tips.append(f"Stop or rescope: {doing} is something the company decided not to do "
                        f"({f.element}). Only the owners can change a non-goal; bring it to "
                        "them before spending money.")
        else:
            tips.append(f"Change {doing} so it honours the value “{f.element}”, or explain in "
                        "the proposal why the value is not at stake.")
    for f in report.strains:
        tips.append(f"Check the proposal against “{f.element}” ({f.kind}) with its owner: the "
                    "model reads it as working against it. Say in the proposal how it keeps "
                    "to it, or change the part that does not.")
    for f in report.overlaps:
        tips.append(f"Merge with the planned “{f.element}” instead of starting a parallel "
                    "project: offer its team your budget or people.")
    supported = [f for f in report.findings if f.stance == "supports"
                 and f.kind in ("goal", "initiative")]
    if report.verdict == "insufficient_information":
        tips.append("Say what the project will do, for whom, with what budget and by when, "
                    "and which strategy pillar it serves; then check again.")
    elif not supported:
        tips.append("Name the strategic goal or current objective it moves and how much; no "
                    "retrieved goal is served by the proposal as written.")
    elif report.likely_kr:
        tips.append(f"Tie it to {report.likely_kr.split(':')[0]} and state the expected change "
                    "in that measure, with a date.")
    if report.verdict == "aligned" and not report.conflicts:
        tips.append("Add a health metric so the gain is not bought with quality or workload.")
    return tips
