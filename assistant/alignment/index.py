"""Checked proposals kept per workspace, and the workspace's alignment index.

alignment index = (saved KRs that trace to a pillar + checked initiatives that trace to a
pillar) / (saved KRs + checked initiatives)

A KR traces when its objective's parent, or a passage it or its objective cites, names a
strategy pillar; a checked initiative traces when a goal or initiative it supports does.
Pillars are the sections of the workspace's strategy documents (headings such as "Pillar 2:
Partner, not supplier"); a workspace without a strategy document falls back to its mission
and plan sections.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter

from pydantic import BaseModel, ValidationError

from assistant.alignment.report import AlignmentReport
from assistant.core.config import Settings
from assistant.core.errors import InputError
from assistant.goals.store import GoalStore, write_atomic
from assistant.knowledge.base import KnowledgeBase

__all__ = ["INDEX_FORMULA", "AlignmentIndex", "CheckStore", "alignment_index"]

INDEX_FORMULA = ("alignment index = (saved KRs tracing to a pillar + checked initiatives "
                 "tracing to a pillar) / (saved KRs + checked initiatives)")
_WORD = re.compile(r"[a-z0-9]+")
_SMALL = {"the", "and", "for", "our", "not", "a", "to", "of", "in", "at", "on", "with"}


class CheckStore:
    """Alignment reports the workspace asked to keep (atomic JSON files)."""

    def __init__(self, settings: Settings) -> None:
        self.folder = settings.workspace_dir / "checks"

    def save(self, report: AlignmentReport) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", report.proposal_title.lower()).strip("-")[:40]
        check_id = f"{slug or 'proposal'}-{uuid.uuid4().hex[:6]}"
        write_atomic(self.folder / f"{check_id}.json", report.model_dump_json(indent=2))
        return check_id

    def list(self) -> list[tuple[str, AlignmentReport]]:
        if not self.folder.is_dir():
            return []
        out = []
        for path in sorted(self.folder.glob("*.json")):
            try:
                out.append((path.stem, AlignmentReport.model_validate_json(path.read_text())))
            except (OSError, ValidationError):
                continue
        return out

    def delete(self, check_id: str) -> None:
        path = self.folder / f"{check_id}.json"
        if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,80}", check_id) or not path.is_file():
            raise InputError(f"No saved check '{check_id}'.")
        path.unlink()


class AlignmentIndex(BaseModel):
    index: float | None
    formula: str = INDEX_FORMULA
    pillars: list[str]
    traced: int
    total: int
    per_pillar: dict[str, int]
    unmapped: list[str]
    perspectives: dict[str, int]
    missing_perspectives: list[str]


def _pillars(kb: KnowledgeBase) -> list[str]:
    docs = kb.documents()
    for kinds in (("strategy",), ("mission", "vision", "plan")):
        ids = [d.doc_id for d in docs if d.kind in kinds]
        sections = []
        for doc_id in ids:
            sections += [h.section.split(" > ")[-1] for h in kb.chunks_of(doc_id)]
        named = [s for s in sections if re.search(r"pillar|priority|goal|theme", s, re.I)]
        if named or sections:
            return list(dict.fromkeys(named or sections))
    return []


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _SMALL and len(w) > 2}


def _match(text: str, pillars: list[str]) -> str | None:
    """The pillar a text names: 'Pillar 2' by number, or most of the pillar's words."""
    low = text.lower()
    for pillar in pillars:
        number = re.match(r"((?:pillar|priority|goal|theme)\s+\d+)", pillar.lower())
        if number and re.search(rf"\b{re.escape(number.group(1))}\b", low):
            return pillar
    have = _words(text)
    best = max(pillars, key=lambda p: len(_words(p) & have), default=None)
    if best and _words(best) and len(_words(best) & have) / len(_words(best)) >= 0.6:
        return best
    return None


def alignment_index(settings: Settings, kb: KnowledgeBase) -> AlignmentIndex:
    pillars = _pillars(kb)
    per_pillar: Counter[str] = Counter()
    perspectives: Counter[str] = Counter()
    unmapped: list[str] = []
    total = 0
    for okrs in GoalStore(settings).list():
        for obj in okrs.objectives:
            if obj.perspective:
                perspectives[obj.perspective] += len(obj.key_results) or 1
            for kr in obj.key_results:
                total += 1
                texts = [obj.parent, *(c.section + " " + c.quote for c in
                                       [*obj.citations, *kr.citations])]
                hit = next((p for t in texts if (p := _match(t, pillars))), None)
                if hit:
                    per_pillar[hit] += 1
                else:
                    unmapped.append(f"KR ({okrs.department} {okrs.period}): {kr.statement}")
    for check_id, report in CheckStore(settings).list():
        total += 1
        perspectives.update(report.perspectives)
        texts = [f.element + " " + f.statement for f in report.findings
                 if f.stance == "supports" and f.kind in ("goal", "initiative")]
        hit = next((p for t in texts if (p := _match(t, pillars))), None)
        if hit and report.verdict != "misaligned":
            per_pillar[hit] += 1
        else:
            unmapped.append(f"initiative ({check_id}): {report.proposal_title}")
    traced = sum(per_pillar.values())
    all_perspectives = ["Financial", "Customer", "Internal process", "Learning & growth"]
    return AlignmentIndex(
        index=round(traced / total, 3) if total else None, pillars=pillars, traced=traced,
        total=total, per_pillar={p: per_pillar.get(p, 0) for p in pillars}, unmapped=unmapped,
        perspectives={p: perspectives.get(p, 0) for p in all_perspectives},
        missing_perspectives=[p for p in all_perspectives if not perspectives.get(p)])

