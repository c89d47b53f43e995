"""Progress and grades of key results, computed in code and shown with their formula.

progress = (current − baseline) / (target − baseline), clamped to 0…1. It is direction-aware
by construction: for a KR that should fall (churn from 7.4% to 6.0%) both differences are
negative, so 6.8% is (6.8 − 7.4) / (6.0 − 7.4) = 0.43. "at least" / "at most" KRs (a floor or a
ceiling to hold) are 1.0 while the value is on the right side and 0.0 otherwise. A KR without a
baseline or a target, or without a check-in, has no progress: "ask the owner", never a guess.

The end-of-period grade is the progress on the 0.0–1.0 scale, rounded to one decimal as OKR
grades are written. What counts as success depends on the KR's ambition: 1.0 is expected of a
committed KR, 0.7 is success for an aspirational one (Google's convention, which the sample
company's OKR pages follow).

Objective progress is the mean of its KRs' progress, over the KRs that have one; the number of
KRs left out is reported next to it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["GRADE_FORMULA", "PROGRESS_FORMULA", "SUCCESS", "Grade", "grade", "mean_progress",
           "progress"]

PROGRESS_FORMULA = ("progress = (current − baseline) / (target − baseline), clamped to 0…1; "
                    "at least / at most: 1 on the right side of the target, else 0")
GRADE_FORMULA = ("grade = progress at the period's end, one decimal; success: 1.0 for a "
                 "committed KR, 0.7 for an aspirational one")
SUCCESS = {"committed": 1.0, "aspirational": 0.7}


def progress(baseline: float | None, target: float | None, current: float | None,
             direction: str | None = None) -> float | None:
    """Share of the way from baseline to target (see the module docstring), or None."""
    if current is None or target is None:
        return None
    if direction == "at_least":
        return 1.0 if current >= target else 0.0
    if direction == "at_most":
        return 1.0 if current <= target else 0.0
    if baseline is None or target == baseline:
        return None
    share = (current - baseline) / (target - baseline)
    return max(0.0, min(1.0, share))


@dataclass(frozen=True)
class Grade:
    value: float | None  # None: no progress to grade (no baseline, no check-in)
    success: float  # the grade that counts as success for this KR's ambition
    verdict: str  # "met" | "missed" | "ask the owner"


def grade(value: float | None, ambition: str | None) -> Grade:
    """The end-of-period grade of a KR whose progress is `value`."""
    success = SUCCESS.get(ambition or "committed", 1.0)
    if value is None:
        return Grade(None, success, "ask the owner")
    rounded = round(value + 1e-9, 1)
    return Grade(rounded, success, "met" if rounded >= success else "missed")


def mean_progress(values: list[float | None]) -> tuple[float | None, int]:
    """(mean of the known values, how many were unknown)."""
    known = [v for v in values if v is not None]
    return (sum(known) / len(known) if known else None), len(values) - len(known)
