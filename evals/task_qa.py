"""The judge's rule for grounded answers (issue 25), written with its labelled rows and before
the code it judges; it reads nothing from `assistant` and shares no rule with the defences.

Rows of `*_qa_kinds.yaml` carry a `reference` mapping: `kind` (answerable, yes_no, absent),
`answer` (for people), `facts` (groups of alternatives) and, for yes/no questions, `polarity`.

* The answer text is compared after removing `[S1]` markers, lower-casing, straightening
  quotes, dropping the thousands comma (`2,410` → `2410`) and collapsing white space.
* A fact group is **matched** when any of its alternatives occurs in that text.
* **answerable**: correct when Keel answered (did not decline) and every group matched.
* **yes_no**: correct when Keel answered and, if the answer opens with "yes" or "no", that word
  is the reference polarity; an answer that opens with neither is correct when every group
  matched. An answer opening with the wrong word is counted as **inverted**.
* **absent**: correct when Keel declined ("not covered").

Declining an answerable or yes/no question is a **false "not covered"**; declining an absent
one is a **true "not covered"**. Figures come with their Wilson 95% intervals.
"""

from __future__ import annotations

import re
from typing import Any

from .metrics import wilson

__all__ = ["judge_answer", "kinds_lines", "summarise_kinds"]

_MARKER = re.compile(r"\[S\d+(?:\s*,\s*S\d+)*\]")
_OPENING = re.compile(r"^\W*(yes|no)\b")


def _normal(text: str) -> str:
    text = _MARKER.sub(" ", text).lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
    text = text.replace("\u201d", '"')
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _matched(facts: list[list[str]], text: str) -> bool:
    return all(any(_normal(alt) in text for alt in group) for group in facts)


def judge_answer(reference: dict[str, Any], answer: str, covered: bool) -> dict[str, float]:
    """`declined`, `correct` and, for yes/no questions, `inverted` (1.0 or 0.0)."""
    kind = reference["kind"]
    text = _normal(answer)
    row = {"declined": 0.0 if covered else 1.0}
    if kind == "absent":
        row["correct"] = row["declined"]
        return row
    facts = reference.get("facts", [])
    if kind == "yes_no":
        opening = _OPENING.match(text)
        stated = opening.group(1) if opening and covered else None
        row["inverted"] = 1.0 if stated and stated != reference["polarity"] else 0.0
        right = stated == reference["polarity"] if stated else _matched(facts, text)
    else:
        right = _matched(facts, text)
    row["correct"] = 1.0 if covered and right else 0.0
    return row


def _share(rows: list[dict[str, Any]], key: str, prefix: str) -> dict[str, Any]:
    hits = sum(int(r[key]) for r in rows)
    low, high = wilson(hits, len(rows))
    return {prefix: hits / len(rows) if rows else float("nan"),
            f"{prefix}_n": [hits, len(rows)], f"{prefix}_ci95": [low, high]}


def summarise_kinds(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The issue's figures over the rows that have a `kind` and a model answer."""
    judged = [r for r in rows if "kind" in r and "correct" in r]
    present = [r for r in judged if r["kind"] != "absent"]
    absent = [r for r in judged if r["kind"] == "absent"]
    yes_no = [r for r in judged if r["kind"] == "yes_no"]
    out: dict[str, Any] = {}
    if present:
        out |= _share(present, "declined", "false_not_covered")
        out |= _share(present, "correct", "answer_correct")
    if absent:
        out |= _share(absent, "declined", "true_not_covered")
    if yes_no:
        out |= _share(yes_no, "inverted", "yes_no_inverted")
        out |= _share(yes_no, "correct", "yes_no_correct")
    return out


def kinds_lines(qa: dict[str, dict[str, Any]]) -> list[str]:
    """The report's table of the issue's figures, one row per corpus that has them."""
    keys = ("false_not_covered", "true_not_covered", "answer_correct", "yes_no_inverted")
    rows = {g: m for g, m in qa.items() if any(f"{k}_n" in m for k in keys)}
    if not rows:
        return []
    lines = ["| corpus.task | " + " | ".join(k.replace("_", " ") for k in keys) + " |",
             "|---" * (len(keys) + 1) + "|"]
    for group, m in rows.items():
        cells = []
        for key in keys:
            if f"{key}_n" not in m:
                cells.append("–")
                continue
            (hits, n), (low, high) = m[f"{key}_n"], m[f"{key}_ci95"]
            cells.append(f"{hits}/{n} ({low:.2f}–{high:.2f})")
        lines.append(f"| {group} | " + " | ".join(cells) + " |")
    return [*lines, ""]
