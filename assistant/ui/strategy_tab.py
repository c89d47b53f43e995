"""The Strategy tab: the map as a tree and a picture, edit / confirm / rebuild, review changes.

Handlers are plain functions of (services, workspace, …) so tests call them without a browser;
`strategy_tab` wires them into Gradio. Every element shows its source; KRs without a baseline
and elements linked to nothing are highlighted in the picture.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from assistant.alignment.store import CheckStore, stale_checks
from assistant.core.errors import InputError, KeelError
from assistant.db.engine import shared_database
from assistant.goals.store import GoalStore, stale_citations
from assistant.strategy.build import build_map
from assistant.strategy.extract import extract_prose
from assistant.strategy.model import KINDS
from assistant.strategy.person import person_element
from assistant.strategy.picture import map_figure
from assistant.strategy.render import to_markdown
from assistant.strategy.store import LINK_RANK, StrategyMap, check_link
from assistant.ui.services import Services

__all__ = ["EDITABLE", "ELEMENT_HEADERS", "STALE_BADGE", "add_element", "discard", "link",
           "link_choices", "map_figure", "map_view", "stale_sources", "strategy_tab"]

STALE_BADGE = "⚠ source changed"

ELEMENT_HEADERS = ["key", "kind", "status", "title", "baseline", "target", "owner", "source"]
CHANGE_HEADERS = ["id", "change", "key", "was", "now"]
EDITABLE = ["title", "target", "baseline", "owner", "metric", "unit", "deadline", "text",
            "drivers"]  # drivers: events that move it, "; "-separated (scenarios)
View = tuple[str, Any, list[list[Any]], Any, list[list[Any]]]


def _map(services: Services, ws: str | None) -> StrategyMap:
    settings = services.settings_for(ws)
    return StrategyMap(shared_database(settings), settings.workspace)


def map_view(services: Services, ws: str | None, note: str = "") -> View:
    """(summary and tree, picture, element rows, key choices, open changes)."""
    smap = _map(services, ws)
    elements = smap.elements()
    if not elements:
        return ("The strategy map is empty: index your documents, then **Rebuild from the "
                "documents**.", None, [], gr.update(choices=[]), [])
    counts = {s: sum(e.status == s for e in elements) for s in ("proposed", "confirmed", "edited")}
    changed = stale_sources(services, ws, smap)
    stale_keys = {row[0] for row in changed if row[3] == "map element"}
    head = (f"{note}\n\n" if note else "") + (
        f"**{len(elements)} elements**: {counts['confirmed']} confirmed, {counts['edited']} "
        f"edited, {counts['proposed']} to confirm.\n\n") + _stale_markdown(changed)
    rows = [[e.key, e.kind, e.status + (f" {STALE_BADGE}" if e.key in stale_keys else ""),
             e.title, e.baseline, e.target, e.owner, e.citations[0].document]
            for e in elements]
    changes = [[c.id, c.change, c.key, c.current.text if c.current else "",
                c.proposed.text if c.proposed else "(no longer in the documents)"]
               for c in smap.changes()]
    return (head + to_markdown(elements, smap.workspace), map_figure(elements), rows,
            gr.update(choices=[e.key for e in elements]), changes)


def stale_sources(services: Services, ws: str | None, smap: StrategyMap
                  ) -> list[tuple[str, str, str, str]]:
    """(id, quote, text now, what) for every map element, saved OKR set and saved check
    citing a passage that re-indexing changed or removed."""
    settings, kb = services.settings_for(ws), services.kb_for(ws)
    return ([(e.key, e.quote, e.now, "map element") for e in smap.stale(kb)]
            + [(f"{s.okr_set} ({s.where})", s.quote, s.now, "saved OKR set")
               for s in stale_citations(GoalStore(settings).list(), kb)]
            + [(f"{c.check} ({c.element})", c.quote, c.now, "saved check")
               for c in stale_checks(CheckStore(settings).list(), kb)])


def _stale_markdown(changed: list[tuple[str, str, str, str]]) -> str:
    if not changed:
        return ""
    lines = [f"### {STALE_BADGE}: {len(changed)} to review", "",
             "Re-indexing changed the passages these cite. Check them against the new "
             "wording (edit, confirm, or run the check again):", ""]
    for key, quote, now, what in changed:
        text = " ".join(now.split())[:240] or "(the passage is gone)"
        lines.append(f"- **{what} {key}** — cited: *“{quote}”* — now: {text}")
    return "\n".join(lines) + "\n\n"


def _act(services: Services, ws: str | None, action: Any, note: str) -> View:
    try:
        action(_map(services, ws))
    except KeelError as exc:
        raise gr.Error(str(exc)) from None
    return map_view(services, ws, note)


def rebuild(services: Services, ws: str | None, prose: bool = False) -> View:
    """Rules (a second); with `prose`, the model also reads what they cannot (minutes)."""
    kb = services.kb_for(ws)
    if not kb.count():
        raise gr.Error("This workspace has no documents yet: upload and index them first.")
    try:
        built = build_map(kb, prose=(lambda covered: extract_prose(
            kb, services.llm, covered)[0]) if prose else None)
    except KeelError as exc:
        raise gr.Error(str(exc)) from None
    report = _map(services, ws).save_build(built)
    return map_view(services, ws, f"Rebuilt: {len(report.added)} new, {len(report.updated)} "
                    f"updated, {len(report.removed)} removed, {len(report.changes_proposed)} "
                    "changes to review below.")


def edit(services: Services, ws: str | None, key: str, field: str, value: str) -> View:
    if not key or field not in EDITABLE:
        raise gr.Error(f"Pick an element and one of: {', '.join(EDITABLE)}.")
    parsed: object = value.strip()
    if field == "drivers":
        parsed = [d.strip() for d in value.split(";") if d.strip()]
    if field in ("target", "baseline"):
        try:
            parsed = float(value.replace(",", "").rstrip("%")) if value.strip() else None
        except ValueError:
            raise gr.Error(f"{field} takes a number, not {value!r}.") from None
    return _act(services, ws, lambda m: m.edit(key, **{field: parsed}),
                f"Saved: {field} of {key}.")


def link(services: Services, ws: str | None, key: str, to: str, remove: bool = False) -> View:
    """Link an element to the one it serves (or remove the link); the picture follows."""
    if not key or not to:
        raise gr.Error("Pick the element and the one it serves.")
    return _act(services, ws, lambda m: m.link(key, to, remove),
                f"{'Unlinked' if remove else 'Linked'} {key} → {to}.")


def link_choices(services: Services, ws: str | None, key: str | None) -> Any:
    """The elements `key` may serve (ranked above it), its current links first."""
    elements = _map(services, ws).elements()
    me = next((e for e in elements if e.key == key), None)
    if me is None or me.kind not in LINK_RANK:
        return gr.update(choices=[], value=None)
    above = [e.key for e in elements if LINK_RANK.get(e.kind, -1) > LINK_RANK[me.kind]]
    ordered = [k for k in me.serves if k in above] + [k for k in above if k not in me.serves]
    return gr.update(choices=ordered, value=me.serves[0] if me.serves else None)


def add_element(services: Services, ws: str | None, kind: str, title: str, quote: str,
                serves: str | None = None) -> View:
    """A person's own element, citing the document sentence it comes from."""
    def run(m: StrategyMap) -> None:
        element = person_element(services.kb_for(ws), kind, title or "", quote or "",
                                 serves=[serves] if serves else [])
        if serves:
            check_link(kind, m.get(serves).kind)
        m.add(element)

    return _act(services, ws, run, f"Added “{(title or '').strip()}” as a {kind}.")


def discard(services: Services, ws: str | None, key: str) -> View:
    if not key:
        raise gr.Error("Pick an element to discard.")
    return _act(services, ws, lambda m: m.reject(key),
                f"Discarded {key}; rebuilds will not bring it back.")


def confirm(services: Services, ws: str | None, key: str) -> View:
    if not key:
        raise gr.Error("Pick an element to confirm.")
    return _act(services, ws, lambda m: m.confirm(key), f"Confirmed {key}.")


def confirm_all(services: Services, ws: str | None) -> View:
    def run(m: StrategyMap) -> None:
        for e in m.elements():
            if e.status == "proposed":
                m.confirm(e.key)

    return _act(services, ws, run, "Confirmed every proposed element.")


def decide(services: Services, ws: str | None, change_id: float | None, accept: bool) -> View:
    if change_id is None:
        raise gr.Error("Enter the id of a change from the table.")

    def run(m: StrategyMap) -> None:
        if not any(c.id == int(change_id) for c in m.changes()):
            raise InputError(f"There is no open change {int(change_id)}.")
        m.decide(int(change_id), accept)

    return _act(services, ws, run, f"{'Accepted' if accept else 'Rejected'} change "
                f"{int(change_id)}.")


def strategy_tab(services: Services, workspace: gr.Dropdown, g: Any) -> None:
    with gr.Tab("Strategy"):
        gr.Markdown("Your strategy as structured data, each element with its source. Confirm "
                    "what is right, edit what is not; a rebuild never overwrites your "
                    "decisions — it proposes changes below.")
        with gr.Row():
            refresh = gr.Button("Show the map")
            rebuild_button = gr.Button("Rebuild from the documents")
            confirm_every = gr.Button("Confirm all proposed")
            use_model = gr.Checkbox(False, label="Also let the model read prose (minutes)")
        summary = gr.Markdown(elem_id="strategy-map")
        picture = gr.Plot(label="Map", elem_id="strategy-picture")
        table = gr.Dataframe(headers=ELEMENT_HEADERS, label="Elements", interactive=False,
                             wrap=True)
        with gr.Row():
            key = gr.Dropdown([], label="Element", allow_custom_value=False)
            field = gr.Dropdown(EDITABLE, value="target", label="Field")
            value = gr.Textbox(label="New value")
        with gr.Row():
            save = gr.Button("Save edit", variant="primary")
            confirm_one = gr.Button("Confirm element")
            discard_one = gr.Button("Discard element")
        with gr.Row():
            parent = gr.Dropdown([], label="Serves (initiative → KR → objective → pillar)",
                                 allow_custom_value=False, elem_id="map-link-to")
            link_button = gr.Button("Link")
            unlink_button = gr.Button("Remove link")
        with gr.Accordion("Add an element the rules missed", open=False):
            with gr.Row():
                new_kind = gr.Dropdown(list(KINDS), value="key_result", label="Kind")
                new_title = gr.Textbox(label="Title")
            new_quote = gr.Textbox(label="The sentence it comes from (copied from a document: "
                                   "it is the element's source)", lines=2)
            add_button = gr.Button("Add element (then link it with 'Serves' above)")
        changes = gr.Dataframe(headers=CHANGE_HEADERS, label="Changes found by the last "
                               "rebuild", interactive=False, wrap=True)
        with gr.Row():
            change_id = gr.Number(label="Change id", precision=0)
            accept = gr.Button("Accept change")
            reject = gr.Button("Reject change")
        view = [summary, picture, table, key, changes]
        key.change(g(lambda ws, k: link_choices(services, ws, k)), [workspace, key], [parent])
        refresh.click(g(lambda ws: map_view(services, ws)), [workspace], view,
                      api_name="map")
        rebuild_button.click(g(lambda ws, p: rebuild(services, ws, bool(p))),
                             [workspace, use_model], view, api_name="map_rebuild")
        confirm_every.click(g(lambda ws: confirm_all(services, ws)), [workspace], view,
                            api_name="map_confirm_all")
        save.click(g(lambda ws, k, f, v: edit(services, ws, k, f, v)),
                   [workspace, key, field, value], view, api_name="map_edit")
        confirm_one.click(g(lambda ws, k: confirm(services, ws, k)), [workspace, key], view,
                          api_name="map_confirm")
        discard_one.click(g(lambda ws, k: discard(services, ws, k)), [workspace, key], view,
                          api_name="map_discard")
        add_button.click(g(lambda ws, k, t, q: add_element(services, ws, k, t, q)),
                         [workspace, new_kind, new_title, new_quote], view, api_name="map_add")
        link_button.click(g(lambda ws, k, t: link(services, ws, k, t)),
                          [workspace, key, parent], view, api_name="map_link")
        unlink_button.click(g(lambda ws, k, t: link(services, ws, k, t, remove=True)),
                            [workspace, key, parent], view, api_name="map_unlink")
        accept.click(g(lambda ws, c: decide(services, ws, c, True)), [workspace, change_id],
                     view, api_name="map_accept")
        reject.click(g(lambda ws, c: decide(services, ws, c, False)), [workspace, change_id],
                     view, api_name="map_reject")
