"""The `okr_read` task: structure recovered from real OKR documents against hand-written labels.

`evals/real-okrs/` holds twelve third-party OKR pages (licences in SOURCES.md; kept out of the
wheel) and `expected.yaml`, their structure written by hand before the reader existed. Scored:
objectives found exactly (and the share of what was read that is an objective), KRs under the
right objective, numeric targets detected (and numbers invented for KRs that name none), owners,
and the period of every document that states one (and none invented where none is stated).

    python -m evals.task_okr_read [--split dev|test|all] [--out report.json]
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

import yaml

from assistant.goals.okr_read import ReadDocument, ReadObjective, read_document
from evals.metrics import wilson

__all__ = ["FOLDER", "load_expected", "score_document", "summarise"]

FOLDER = Path(__file__).parent / "real-okrs"


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", (text or "").lower())).strip()


def load_expected(split: str = "all") -> list[dict[str, Any]]:
    docs = yaml.safe_load((FOLDER / "expected.yaml").read_text(encoding="utf-8"))["documents"]
    return [d for d in docs if split in ("all", d["split"])]


def document_text(entry: dict[str, Any]) -> str:
    lines = (FOLDER / entry["file"]).read_text(encoding="utf-8").splitlines()
    if not entry.get("lines"):
        return "\n".join(lines)
    return "\n".join(line for first, last in entry["lines"] for line in lines[first - 1:last])


def _targets(expected: Any) -> list[float]:
    return [float(t) for t in (expected if isinstance(expected, list) else [expected])]


def _match_objectives(expected: list[dict[str, Any]], read: list[ReadObjective]
                      ) -> list[ReadObjective | None]:
    free = list(read)
    out: list[ReadObjective | None] = []
    for exp in expected:
        hit = next((o for o in free if _norm(o.title) == _norm(exp["title"])), None)
        if hit is not None:
            free.remove(hit)
        out.append(hit)
    return out


def _kr_rows(exp: dict[str, Any], hit: ReadObjective | None) -> list[dict[str, Any]]:
    rows, free = [], list(hit.krs) if hit else []
    for starts, target, owner in exp["krs"]:
        kr = next((k for k in free if _norm(k.statement).startswith(_norm(starts))), None)
        if kr is not None:
            free.remove(kr)
        rows.append({"starts": starts, "found": kr is not None,
                     "expected_target": target, "target": kr.target if kr else None,
                     "target_ok": kr is not None and (
                         kr.target is None if target is None else kr.target is not None and any(
                             abs(kr.target - t) <= 1e-6 * max(1.0, abs(t))
                             for t in _targets(target))),
                     "owner_ok": kr is not None and _norm(kr.owner or hit.owner if hit else "")
                     in {_norm(owner), *([_norm(hit.owner)] if hit and not kr.owner and owner
                                         else [])} if owner else kr is not None and not kr.owner})
    return rows


def _period_row(expected: dict[str, Any] | None, doc: ReadDocument, index: int) -> dict[str, Any]:
    got = doc.sets[index].period if index < len(doc.sets) else None
    if expected is None:
        return {"stated": False, "ok": got is None, "got": got and got.label}
    start = expected["start"]
    ok = got is not None and got.end == expected["end"] and (start is None or got.start == start)
    return {"stated": True, "ok": ok, "got": got and f"{got.label} {got.start}..{got.end}",
            "expected": f"{expected['label']} {start}..{expected['end']}"}


def score_document(entry: dict[str, Any]) -> dict[str, Any]:
    doc = read_document(document_text(entry), entry["file"])
    sets = entry["sets"]
    per_set = len(sets) == len(doc.sets)
    row: dict[str, Any] = {"file": entry["file"], "split": entry["split"],
                           "lines": entry.get("lines"), "sets_expected": len(sets),
                           "sets_read": len(doc.sets), "objectives": [], "periods": []}
    for i, exp_set in enumerate(sets):
        read = doc.sets[i].objectives if per_set else doc.objectives
        hits = _match_objectives(exp_set["objectives"], read)
        for exp, hit in zip(exp_set["objectives"], hits, strict=True):
            row["objectives"].append({
                "title": exp["title"], "found": hit is not None,
                "owner_ok": hit is not None and _norm(hit.owner) == _norm(exp["owner"]),
                "krs": _kr_rows(exp, hit)})
        row["periods"].append(_period_row(exp_set.get("period", entry.get("period")), doc, i))
    found_titles = {_norm(o["title"]) for o in row["objectives"] if o["found"]}
    row["read_objectives"] = len(doc.objectives)
    row["read_not_expected"] = [o.title for o in doc.objectives
                                if _norm(o.title) not in found_titles]
    row["read_krs"] = sum(len(o.krs) for o in doc.objectives)
    return row


def _share(hits: int, total: int) -> dict[str, Any]:
    low, high = wilson(hits, total) if total else (float("nan"), float("nan"))
    return {"hits": hits, "total": total, "rate": hits / total if total else float("nan"),
            "ci95": [round(low, 3), round(high, 3)]}


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    objs = [o for r in rows for o in r["objectives"]]
    krs = [k for o in objs for k in o["krs"]]
    numeric = [k for k in krs if k["expected_target"] is not None]
    plain = [k for k in krs if k["expected_target"] is None and k["found"]]
    periods = [p for r in rows for p in r["periods"]]
    return {
        "documents": len(rows),
        "objectives_found": _share(sum(o["found"] for o in objs), len(objs)),
        "objective_precision": _share(sum(o["found"] for o in objs),
                                      sum(r["read_objectives"] for r in rows)),
        "krs_under_right_objective": _share(sum(k["found"] for k in krs), len(krs)),
        "kr_precision": _share(sum(k["found"] for k in krs), sum(r["read_krs"] for r in rows)),
        "numeric_targets_detected": _share(sum(k["target_ok"] for k in numeric), len(numeric)),
        "numbers_invented": _share(sum(not k["target_ok"] for k in plain), len(plain)),
        "objective_owners_right": _share(sum(o["owner_ok"] for o in objs), len(objs)),
        "kr_owners_right": _share(sum(k["owner_ok"] for k in krs), len(krs)),
        "periods_right": _share(sum(p["ok"] for p in periods if p["stated"]),
                                sum(p["stated"] for p in periods)),
        "periods_invented": _share(sum(not p["ok"] for p in periods if not p["stated"]),
                                   sum(not p["stated"] for p in periods)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", default="dev", choices=["dev", "test", "all"])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    rows = [score_document(e) for e in load_expected(args.split)]
    summary = summarise(rows)
    for key, value in summary.items():
        print(f"{key:28} {value}" if not isinstance(value, dict) else
              f"{key:28} {value['hits']}/{value['total']} = {value['rate']:.3f} "
              f"(95% CI {value['ci95'][0]:.2f}-{value['ci95'][1]:.2f})")
    if args.verbose:
        for r in rows:
            print(f"\n## {r['file']} {r['lines'] or ''} sets {r['sets_read']}/"
                  f"{r['sets_expected']}  periods {r['periods']}")
            for o in r["objectives"]:
                mark = "ok " if o["found"] else "MISS"
                print(f"  {mark} {o['title'][:70]} owner_ok={o['owner_ok']}")
                for k in o["krs"]:
                    if not (k["found"] and k["target_ok"] and k["owner_ok"]):
                        print(f"      kr found={k['found']} target={k['target']} "
                              f"(want {k['expected_target']}) owner_ok={k['owner_ok']}: "
                              f"{k['starts']}")
            if r["read_not_expected"]:
                print("  read but not expected:", r["read_not_expected"])
    if args.out:
        args.out.write_text(json.dumps({"summary": summary, "documents": rows}, indent=2,
                                       default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
