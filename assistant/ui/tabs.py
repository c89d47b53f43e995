"""Handlers of the Goals and Alignment tabs (thin: they call the same use cases as the CLI).

Every handler takes the session's workspace and state as arguments and returns new values;
errors reach the user as `gr.Error` messages, never as tracebacks.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import gradio as gr

from assistant.alignment.batch import (
    matrix_png,
    read_batch,
    run_batch,
    stance_figure,
    write_batch_csv,
)
from assistant.alignment.check import check_proposal
from assistant.alignment.render import report_markdown
from assistant.core.errors import InputError, KeelError
from assistant.core.schemas import OKRSet
from assistant.goals.draft import draft_okrs
from assistant.goals.lint import Finding, LintConfig, lint_okrs
from assistant.goals.lint_report import group_findings, summary_line
from assistant.goals.okr_io import read_okr_sets, sets_from_read, to_csv, to_json, to_markdown
from assistant.goals.okr_numbers import restated
from assistant.goals.okr_read import read_document
from assistant.goals.okr_read_model import read_with_model
from assistant.goals.okr_view import describe_read
from assistant.goals.refine import finding_instruction, refine_okrs
from assistant.goals.store import GoalStore
from assistant.knowledge.documents import parse_document
from assistant.strategy.store import has_confirmed_map
from assistant.ui.services import Services

__all__ = ["KR_HEADERS", "apply_edits", "batch_tab", "check_tab", "draft_tab", "export_tab",
           "fix_tab", "read_tab", "relint_tab", "save_tab"]

T = TypeVar("T")
State = dict[str, Any]
KR_HEADERS = ["objective", "objective title", "KR", "statement", "baseline", "target", "unit",
              "owner role", "checks"]
_BADGE = {"error": "⛔", "warning": "⚠️", "info": "ℹ️"}
_PROPOSAL_TYPES = (".txt", ".md", ".markdown", ".pdf", ".docx")


def _guard(action: Callable[[], T]) -> T:
    try:
        return action()
    except KeelError as exc:
        raise gr.Error(str(exc)) from None


def _kr_key(where: str) -> tuple[int, int] | None:
    if ", KR " not in where:
        return None
    o_part, k_part = where.split(", KR ")
    return int(o_part.split()[-1]), int(k_part.split()[0])


def _rows(okrs: OKRSet, findings: list[Finding]) -> list[list[Any]]:
    badges: dict[tuple[int, int], list[str]] = {}
    for f in findings:
        if key := _kr_key(f.where):
            badges.setdefault(key, []).append(f"{_BADGE[f.severity]}{f.rule}")
    rows = []
    for n, o in enumerate(okrs.objectives, 1):
        for m, k in enumerate(o.key_results, 1):
            rows.append([n, o.title, m, k.statement, "" if k.baseline is None else k.baseline,
                         "" if k.target is None else k.target, k.unit, k.owner_role,
                         " ".join(badges.get((n, m), [])) or "✅"])
    return rows


def _view(okrs: OKRSet, findings: list[Finding], note: str = "") -> tuple[
        State, list[list[Any]], list[list[str]], Any, str]:
    state = {"draft": okrs.model_dump(mode="json"),
             "findings": [f.model_dump() for f in findings]}
    table = [[f"{_BADGE[f.severity]} {f.severity}", f.rule, f.where, f.message, f.fix, f.source]
             for f in findings]
    choices = [f"{i}: {f.rule} {f.where}" for i, f in enumerate(findings)]
    summary = (f"**{okrs.department} — {okrs.period}**: {len(okrs.objectives)} objectives, "
               f"{sum(len(o.key_results) for o in okrs.objectives)} key results, "
               f"{sum(f.severity == 'error' for f in findings)} error-level findings. {note}")
    return state, _rows(okrs, findings), table, gr.update(choices=choices, value=None), summary


def draft_tab(services: Services, workspace: str, department: str, period: str, count: float,
              ambition: str) -> tuple[State, list[list[Any]], list[list[str]], Any, str]:
    if not department:
        raise gr.Error("Pick a department.")
    report = _guard(lambda: draft_okrs(
        services.kb_for(workspace), services.llm, department, period.strip(), int(count),
        ambition, strategy=services.strategy_for(workspace)))  # type: ignore[arg-type]
    note = (f"Repair rounds {report.repair_rounds}; KRs passing error-level checks "
            f"{report.kr_pass_first:.0%} → {report.kr_pass_final:.0%}.")
    return _view(report.okrs, report.findings, note)


def apply_edits(state: State, rows: Any) -> OKRSet:
    """The draft with the person's edits from the KR table (titles, statements, numbers)."""
    if not state or not state.get("draft"):
        raise gr.Error("Draft OKRs first.")
    okrs = OKRSet.model_validate(state["draft"])
    values = rows.values.tolist() if hasattr(rows, "values") else list(rows or [])
    for row in values:
        try:
            n, m = int(row[0]), int(row[2])
            objective = okrs.objectives[n - 1]
            kr = objective.key_results[m - 1]
        except (ValueError, IndexError, TypeError):
            continue
        objective.title = str(row[1])[:300]
        statement = str(row[3])[:400]
        baseline, target = _number(row[4], "baseline", n, m), _number(row[5], "target", n, m)
        unit, owner = str(row[6])[:40], str(row[7])[:200]
        if statement != kr.statement and (baseline, target, unit) == (
                kr.baseline, kr.target, kr.unit):
            # new words, old numbers: the numbers are the statement's (lint K17 otherwise)
            objective.key_results[m - 1] = kr = restated(kr, statement)
        else:
            kr.statement, kr.baseline, kr.target, kr.unit = statement, baseline, target, unit
        kr.owner_role = owner
    return okrs


def _number(value: Any, what: str, n: int, m: int) -> float | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return float(str(value).replace(",", "").rstrip("%"))
    except ValueError:
        raise gr.Error(f"Objective {n}, KR {m}: the {what} '{value}' is not a number.") from None


def relint_tab(state: State, rows: Any) -> tuple[State, list[list[Any]], list[list[str]],
                                                  Any, str]:
    okrs = apply_edits(state, rows)
    return _view(okrs, lint_okrs(okrs), "Re-checked after your edits.")


def fix_tab(services: Services, workspace: str, state: State, rows: Any, choice: str | None
            ) -> tuple[State, list[list[Any]], list[list[str]], Any, str]:
    """Ask the model to fix one finding (after applying the person's edits)."""
    if not choice:
        raise gr.Error("Pick a finding to fix.")
    okrs = apply_edits(state, rows)
    finding = Finding.model_validate(state["findings"][int(choice.split(":")[0])])
    report = _guard(lambda: refine_okrs(services.kb_for(workspace), services.llm, okrs,
                                        finding_instruction(finding),
                                        strategy=services.strategy_for(workspace)))
    return _view(report.okrs, report.findings, f"Asked the model to fix {finding.rule}.")


def save_tab(services: Services, workspace: str, state: State, rows: Any) -> str:
    okrs = apply_edits(state, rows)
    saved = _guard(lambda: GoalStore(services.settings_for(workspace)).save(okrs))
    return f"Saved as `{saved.id}` in workspace `{saved.workspace}`."


def export_tab(state: State, rows: Any) -> list[str]:
    okrs = apply_edits(state, rows)
    folder = Path(tempfile.mkdtemp(prefix="keel-export-"))
    stem = f"{okrs.department.lower().replace(' ', '-')}-{okrs.period.lower()}-okrs"
    files = []
    for suffix, render in ((".md", to_markdown), (".csv", to_csv), (".json", to_json)):
        path = folder / f"{stem}{suffix}"
        path.write_text(render(okrs), encoding="utf-8")
        files.append(str(path))
    return files


_OKR_TYPES = (".md", ".markdown", ".mdx", ".txt", ".csv", ".json")


def read_tab(services: Services, workspace: str, file: str | None,
             model_read: bool = False) -> tuple[
        State, list[list[Any]], list[list[str]], Any, str, str]:
    """An OKR document a person already has: what was read (to spot a misreading at once)
    next to the findings, grouped by rule; the first set lands in the table to edit, re-check
    and save like a draft."""
    def run() -> tuple[State, list[list[Any]], list[list[str]], Any, str, str]:
        if not file:
            raise InputError("Upload an OKR document (.md, .txt, .csv or .json) first.")
        path = Path(file)
        if path.suffix.lower() not in _OKR_TYPES:
            raise InputError(f"{path.name}: use a .md, .txt, .csv or .json file.")
        if path.stat().st_size > services.settings.ui_max_upload_mb * 1e6:
            raise InputError(f"{path.name} is larger than {services.settings.ui_max_upload_mb} "
                             "MB.")
        text = path.read_text(encoding="utf-8", errors="replace")
        prose = path.suffix.lower() in (".md", ".markdown", ".mdx", ".txt")
        doc = read_document(text, path.name) if prose else None
        if doc is not None and not doc.objectives and model_read:
            doc = read_with_model(text, services.llm, path.name)  # proposed: shown to confirm
            sets = sets_from_read(doc)
            if not sets:
                raise InputError(f"Neither the rules nor the local model found objectives in "
                                 f"{path.name}.")
        else:
            sets = read_okr_sets(path)
        config = LintConfig(strategy_map=has_confirmed_map(services.settings_for(workspace)))
        findings = [lint_okrs(s, config) for s in sets]
        read = describe_read(doc) if doc is not None else ""
        flat = [f for group in findings for f in group]
        report = [summary_line(flat, sets), ""] + [
            f"- **{g.rule} {g.severity}** — {g.count} of {g.of} {g.unit}: {g.what}. "
            f"*{g.fix}*" for g in group_findings(flat, sets)]
        more = f" This document holds {len(sets)} sets; the table shows the first." \
            if len(sets) > 1 else ""
        view = _view(sets[0], findings[0], f"Read from {path.name}.{more}")
        return (*view[:4], view[4] + "\n\n" + "\n".join(report), read)

    return _guard(run)


def _proposal_text(text: str, file: str | None, max_mb: float) -> str:
    if file:
        path = Path(file)
        if path.suffix.lower() not in _PROPOSAL_TYPES:
            raise InputError(f"{path.name}: use a .txt, .md, .pdf or .docx file.")
        return parse_document(path, path.name, int(max_mb * 1024 * 1024)).text
    return text


def check_tab(services: Services, workspace: str, text: str, file: str | None,
              progress: gr.Progress | None = None, serves: str | None = None,
              budget: float | None = None, department: str | None = None,
              breaks: str | None = None, repeats: str | None = None
              ) -> tuple[str, Any, Any, Any, Any]:
    """Verdict card, the chart of stances by strategic element (with a progress bar of the
    model calls), and the confirmed elements a manager can name when the verdict is "needs
    review" — KRs it moves, values or non-goals it breaks, initiatives it repeats (the
    answers re-run the check)."""
    def tick(done: int, total: int, label: str) -> None:
        if progress is not None:
            progress(done / total if total else None, desc=label)

    def run() -> tuple[str, Any, Any, Any, Any]:
        proposal = _proposal_text(text or "", file, services.settings.ui_max_upload_mb)
        strategy = services.map_for(workspace)
        report = check_proposal(proposal, services.kb_for(workspace), services.llm, tick,
                                strategy=strategy, serves=serves or None,
                                budget=budget if budget else None,
                                department=department or None, breaks=breaks or None,
                                repeats=repeats or None)

        def keys(*kinds: str) -> Any:
            return gr.update(choices=[e.key for e in strategy if e.kind in kinds
                                      and e.status in ("confirmed", "edited")])
        return (report_markdown(report), stance_figure(report), keys("key_result"),
                keys("value", "non_goal"), keys("initiative", "objective"))

    return _guard(run)


def batch_tab(services: Services, workspace: str, file: str | None) -> tuple[str, str, str]:
    """(matrix PNG, results CSV, summary) for an uploaded CSV of proposals."""
    if not file:
        raise gr.Error("Upload a CSV with a 'proposal' column.")
    path = Path(file)
    if path.suffix.lower() != ".csv":
        raise gr.Error(f"{path.name}: upload a .csv file.")

    def run() -> tuple[str, str, str]:
        rows = read_batch(path.read_bytes(), path.name)
        run_batch(rows, services.kb_for(workspace), services.llm,
                  strategy=services.map_for(workspace))
        folder = Path(tempfile.mkdtemp(prefix="keel-batch-"))
        picture = matrix_png(rows, folder / "alignment-matrix.png")
        table = folder / "alignment.csv"
        table.write_text(write_batch_csv(rows), encoding="utf-8")
        verdicts = [r.report.verdict if r.report else "error" for r in rows]
        summary = ", ".join(f"{v.replace('_', ' ')} {verdicts.count(v)}"
                            for v in dict.fromkeys(verdicts))
        return str(picture), str(table), f"Checked {len(rows)} proposals: {summary}."

    return _guard(run)
