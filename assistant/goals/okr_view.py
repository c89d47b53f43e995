"""What the reader took from an OKR document, as Markdown a person checks at a glance.

Shown next to the findings (the Goals tab's "Check an OKR document") so a misreading — a
department read as an objective, a KR under the wrong objective, a period not found — is
visible at once: every objective and KR with its owner, target and the line it came from, and
the sections left out with the reason.
"""

from __future__ import annotations

from assistant.core.text import format_amount
from assistant.goals.okr_read import ReadDocument

__all__ = ["describe_read"]


def _target(value: float | None, unit: str, baseline: float | None) -> str:
    if value is None:
        return "no number"
    shown = (f"{unit}{format_amount(value)}" if unit in ("£", "€") else
             f"{format_amount(value)}x" if unit == "x" else format_amount(value, unit))
    return f"{format_amount(baseline, unit)} → {shown}" if baseline is not None else shown


def describe_read(doc: ReadDocument, limit: int = 200) -> str:
    """Sets, objectives (owner, ambition, line), KRs (target, owner, progress, line)."""
    who = "the local model — check every line" if doc.source == "model" else "rules"
    lines = [f"**Read by {who}:** {len(doc.sets)} set(s), {len(doc.objectives)} objectives, "
             f"{sum(len(o.krs) for o in doc.objectives)} key results.", ""]
    shown = 0
    for s in doc.sets:
        period = (f"{s.period.label} ({s.period.start or '?'} to {s.period.end or '?'})"
                  if s.period else "no period found")
        lines += [f"#### {s.department or 'One team'} · {period}", ""]
        for n, o in enumerate(s.objectives, 1):
            extra = ", ".join(x for x in (f"owner {o.owner}" if o.owner else "",
                                          o.ambition or "") if x)
            lines.append(f"{n}. **{o.title}**" + (f" — {extra}" if extra else "")
                         + (f" · line {o.line}" if o.line else ""))
            for k in o.krs:
                shown += 1
                if shown > limit:
                    break
                bits = [_target(k.target, k.unit, k.baseline)]
                bits += [f"owner {k.owner}"] if k.owner else []
                bits += [f"progress {k.progress}"] if k.progress else []
                bits += [f"placeholder {', '.join(k.placeholders)}"] if k.placeholders else []
                lines.append(f"    - {k.statement} · *{'; '.join(bits)}*"
                             + (f" · line {k.line}" if k.line else ""))
        lines.append("")
    if shown > limit:
        lines.append(f"*… {shown - limit} more key results not listed here.*")
    if doc.skipped:
        lines += ["**Left out:**", *[f"- {s}" for s in doc.skipped[:20]], ""]
    return "\n".join(lines)
