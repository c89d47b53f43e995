"""The alignment report as readable Markdown (CLI and UI), citations as numbered sources."""

from __future__ import annotations

from assistant.alignment.report import AlignmentReport
from assistant.core.safety import shown_quote

__all__ = ["report_markdown"]

VERDICT_LABEL = {"aligned": "✅ Aligned", "partially_aligned": "🟡 Partially aligned",
                 "misaligned": "⛔ Misaligned", "needs_review": "🔎 Needs review",
                 "insufficient_information": "❔ Insufficient information"}
STANCE_LABEL = {"supports": "supports", "neutral": "neutral", "conflicts": "**conflicts**"}


def _md(text: str) -> str:
    """Text from the model or the documents, shown as text (no tags, no images, no tables)."""
    return (text.replace("<", "&lt;").replace(">", "&gt;").replace("![", "[")
            .replace("|", "\\|").replace("\n", " ").strip())


def _review_lines(report: AlignmentReport) -> list[str]:
    """The second design's part: the KR it traces to, or the questions to answer."""
    review = report.review
    if review is None:
        return []
    out = []
    if review.trace:
        how = "named by the manager" if review.trace.by_manager else (
            f"shares {', '.join(review.trace.words)}")
        out += [f"**Traces to:** {_md(review.trace.title)} `{review.trace.key}` ({how})", ""]
    if review.questions:
        out += ["**Answer these to decide it:**",
                *[f"{n}. {_md(q)}" for n, q in enumerate(review.questions, 1)], ""]
    if review.verdict == "needs_review" and review.closest:
        out += ["**Closest key results:** " + "; ".join(
            f"{_md(t.title)} ({t.share:.0%} of its words)" for t in review.closest), ""]
    if review.evidence_for or review.evidence_against:
        out += ["**Evidence** (not a verdict): "
                + "; ".join([*(f"for — {_md(e)}" for e in review.evidence_for[:2]),
                             *(f"against — {_md(e)}" for e in review.evidence_against[:2])]),
                ""]
    return out


def report_markdown(report: AlignmentReport) -> str:
    score = ("no score: the evidence does not decide" if report.verdict == "needs_review"
             else f"score {report.score}/100")
    lines = [f"### {VERDICT_LABEL[report.verdict]} — {score} "
             f"(confidence {report.confidence})", "",
             *([f"*Basis: {_md(report.basis)}*", ""] if report.basis else []),
             f"**Proposal:** {_md(report.proposal_title)}", ""]
    lines += _review_lines(report)
    a = report.aspects
    if a:
        lines += [f"- **Goals:** {_md('; '.join(a.goals) or 'not stated')}",
                  f"- **Audience:** {_md(a.audience)} · **Resources:** {_md(a.resources)} · "
                  f"**Timeline:** {_md(a.timeline)}",
                  f"- **Perspectives:** {', '.join(report.perspectives) or 'none named'}", ""]
    notes: list[str] = []
    typed = " ".join([report.proposal_title, *(f.proposal_evidence for f in report.findings)])
    if report.findings:
        lines += ["| element | kind | stance | why |", "|---|---|---|---|"]
        for f in report.findings:
            refs = []
            for c in f.citations:
                notes.append(f"- [{len(notes) + 1}] {_md(c.document)} › {_md(c.section)} — "
                             f"“{_md(shown_quote(c.quote, typed))}”")
                refs.append(f" [{len(notes)}]")
            dup = (" (duplicate)" if f.duplicate else "") + (" (strained)" if f.strained else "")
            lines.append(f"| {_md(f.element)}{''.join(refs)} | {f.kind} | "
                         f"{STANCE_LABEL[f.stance]}{dup} | {_md(f.reason)} |")
        lines.append("")
    if report.conflicts:
        lines += ["**Conflicts:** " + "; ".join(
            f"{_md(f.element)} ({f.kind}): “{_md(f.proposal_evidence)}”"
            for f in report.conflicts), ""]
    if report.strains:
        lines += ["**Strains** (the model's probability that the proposal goes against it is "
                  "clearly higher than that it helps): " + "; ".join(
                      f"{_md(f.element)} ({f.kind}, {f.p_against:.2f} vs {f.p_helps:.2f})"
                      for f in report.strains), ""]
    if report.likely_kr:
        lines += [f"**Most likely moves:** {_md(report.likely_kr)}", ""]
    if report.recommendations:
        lines += ["**Recommendations**", *[f"1. {_md(t)}" for t in report.recommendations], ""]
    lines += [f"<sub>Score: {' · '.join(_md(p) for p in report.score_parts)}. "
              f"{_md(report.formula)} Model {_md(report.model)}, {report.seconds:.0f} s.</sub>",
              "", "**Sources**" if notes else "", *notes]
    return "\n".join(lines)
