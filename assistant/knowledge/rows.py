"""Table rows as retrievable views of their chunk (session 22, issue 25).

A metrics table ("| Email list size | 18,300 | Klaviyo |", a dozen rows) is one chunk, and
its one vector is an average of every row: on the fifth blind QA set a question about one
row ("Is our order error rate above 2%?") ranked the table below prose sharing its words, and
the sample's hit@5 was 0.62. Here every data row of a chunk's tables is also embedded on its
own, as "<title> — <section>: <header> <cell>; …", in a second collection of the workspace
(`keel-ws-<name>-rows`), each view naming its chunk. A search asks both collections and a
row's hit counts as its chunk's (the better score wins): answers still cite whole chunks, and
the chunk collection — counts, documents, ids — is unchanged.

The views are derived data: written just before their chunks (a view whose chunk is missing
is skipped), deleted with them, and rebuilt by re-indexing. A workspace indexed before them
searches as before until re-indexed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from assistant.core.safety import without_planted_paragraphs
from assistant.core.text import table_rows

__all__ = ["ROWS_SUFFIX", "parents", "row_views", "view_metadata"]

ROWS_SUFFIX = "-rows"
# A row's score counts for its chunk less this margin: a row view wins only when it is
# clearly closer than the chunks. Chosen over 0–0.08 on the QA base and dev rows
# (`python -m research.table_rows.hits`): at 0 a table outranked the 18F handbook's prose
# (MRR 0.817 → 0.795) and the sample lost a hit; at 0.02 neither loses anything (sample MRR
# 0.703 → 0.742) and the spent blind sets' sample hit@5 rises 0.850 → 0.925.
ROW_MARGIN = 0.02
_MAX_CELL = 120


def row_views(chunk_id: str, title: str, section: str, text: str) -> list[tuple[str, str]]:
    """(view id, text to embed) for each table row of a chunk; planted text is left out,
    as for the chunk itself."""
    out = []
    for n, (_, cells) in enumerate(table_rows(without_planted_paragraphs(text))):
        body = "; ".join(f"{h} {c[:_MAX_CELL]}".strip() for h, c in cells.items() if c)
        if body:
            out.append((f"{chunk_id}~row{n}", f"{title} — {section}: {body}"))
    return out


def view_metadata(parent: str, meta: dict[str, Any]) -> dict[str, Any]:
    """A view's metadata: its chunk's filterable fields and the chunk's id."""
    keep = ("workspace", "doc_id", "kind", "department")
    return {**{k: meta[k] for k in keep if k in meta}, "parent": parent}


def parents(ids: Sequence[str], metadatas: Iterable[dict[str, Any] | None],
            distances: Sequence[float], workspace: str) -> dict[str, float]:
    """{chunk id: best score} of row hits (score = 1 - cosine distance), this workspace's."""
    best: dict[str, float] = {}
    for _, meta, dist in zip(ids, metadatas, distances, strict=True):
        if not meta or meta.get("workspace") != workspace:
            continue
        parent = str(meta["parent"])
        best[parent] = max(best.get(parent, -1.0), round(1.0 - dist - ROW_MARGIN, 4))
    return best
