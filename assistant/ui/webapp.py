"""The Gradio web UI: chat with the documents, manage documents, see status.

Thin by design: every handler calls the same use cases as the CLI. Per-user state lives
in `gr.State`/component values only; `Services` holds shared resources (store, model),
never a user's conversation.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import time
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr
from langchain_core.messages import HumanMessage

from assistant.core.config import SAMPLE_KNOWLEDGE, Settings
from assistant.core.errors import ConfigError, KeelError
from assistant.core.periods import next_quarter
from assistant.knowledge.documents import SUPPORTED_SUFFIXES
from assistant.ui.access import Access
from assistant.ui.alignment_tab import alignment_tab
from assistant.ui.chat import chat_turn, okr_card
from assistant.ui.checkins_tab import checkins_tab, review_tab
from assistant.ui.scenarios_tab import scenarios_tab
from assistant.ui.services import Services
from assistant.ui.strategy_tab import strategy_tab
from assistant.ui.tabs import (
    KR_HEADERS,
    draft_tab,
    export_tab,
    fix_tab,
    read_tab,
    relint_tab,
    save_tab,
)

__all__ = ["Services", "build_app", "chat_turn", "launch", "okr_card", "serve"]

Message = dict[str, Any]


def documents_table(services: Services, workspace: str | None = None) -> list[list[Any]]:
    return [[d.doc_id, d.kind, d.department or "", d.period or "", d.chunks, d.indexed_at]
            for d in services.kb_for(workspace).documents()]


def upload_documents(services: Services, files: list[str] | None,
                     progress: gr.Progress | None = None, workspace: str | None = None
                     ) -> tuple[str, list[list[Any]]]:
    """Copy uploads into the workspace and index them; returns a summary and the table."""
    if not files:
        raise gr.Error("Choose one or more files first.")
    limit = services.settings.ui_max_upload_mb * 1e6
    uploads = services.uploads_for(workspace)
    uploads.mkdir(parents=True, exist_ok=True)
    refused = []
    for name in files:
        source = Path(name)
        if source.suffix.lower() not in SUPPORTED_SUFFIXES:
            refused.append(f"{source.name}: unsupported type")
        elif source.stat().st_size > limit:
            refused.append(f"{source.name}: larger than {services.settings.ui_max_upload_mb} MB")
        else:
            shutil.copyfile(source, uploads / source.name)

    def tick(done: int, total: int, label: str) -> None:
        if progress is not None and total:
            progress(done / total, desc=label)

    try:
        report = services.kb_for(workspace).index([uploads], progress=tick)
    except KeelError as exc:
        raise gr.Error(str(exc)) from None
    lines = [f"Indexed: {', '.join(report.added + report.updated) or 'nothing new'}"]
    lines += [f"Failed: {doc}: {why}" for doc, why in report.failed.items()] + refused
    return "\n".join(lines), documents_table(services, workspace)


def reindex_documents(services: Services, workspace: str | None = None,
                      progress: gr.Progress | None = None) -> tuple[str, list[list[Any]]]:
    """Re-read every indexed folder's files (changed files re-embedded, others kept)."""
    kb = services.kb_for(workspace)
    sources = sorted({_root(d.doc_id, Path(d.source)) for d in kb.documents()
                      if Path(d.source).exists()})
    if not sources:
        raise gr.Error("Nothing to re-index: upload documents first.")

    def tick(done: int, total: int, label: str) -> None:
        if progress is not None and total:
            progress(done / total, desc=label)

    try:
        report = kb.index(sources, progress=tick)
    except KeelError as exc:
        raise gr.Error(str(exc)) from None
    return (f"Re-indexed: {len(report.updated)} updated, {len(report.unchanged)} unchanged, "
            f"{len(report.failed)} failed."), documents_table(services, workspace)


def _root(doc_id: str, source: Path) -> Path:
    """The folder that was indexed (doc ids are `<folder name>/<path in folder>`)."""
    root = source
    for _ in doc_id.split("/")[1:]:
        root = root.parent
    return root


def delete_document(services: Services, doc_id: str | None, workspace: str | None = None
                    ) -> tuple[str, list[list[Any]]]:
    if not doc_id:
        raise gr.Error("Pick a document to delete.")
    try:
        removed = services.kb_for(workspace).forget(doc_id)
    except KeelError as exc:
        raise gr.Error(str(exc)) from None
    upload = services.uploads_for(workspace) / Path(doc_id).name
    if doc_id.startswith("uploads/") and upload.is_file():
        upload.unlink()
    return f"Deleted {doc_id} ({removed} chunks).", documents_table(services, workspace)


def search_documents(services: Services, query: str, workspace: str | None = None
                     ) -> list[list[Any]]:
    try:
        hits = services.kb_for(workspace).search(query, k=8)
    except KeelError as exc:
        raise gr.Error(str(exc)) from None
    return [[f"{h.score:.3f}", h.doc_id, h.section, " ".join(h.text.split())[:300]] for h in hits]


def status_markdown(services: Services, workspace: str | None = None) -> str:
    info = services.llm.describe()
    kb = services.kb_for(workspace)
    return (f"**Workspace** `{kb.workspace}` · **documents** "
            f"{kb.document_count()} · **chunks** {kb.count()}  \n"
            f"**Model** `{info['model']}` ({info['provider']}) at `{info['endpoint']}` · "
            f"**state** {services.model_state}"
            + (f" · **documents** {services.index_state}" if services.index_state else "")
            + "  \n"
            f"**Embeddings** `{services.kb.embedder.model_id}` · **store** "
            f"{services.settings.chroma_mode}")


def ping_model(services: Services) -> str:
    """Whether the model answers, and how fast (one token)."""
    if services.llm.state.startswith("failed"):
        services.llm.restart_model()  # an explicit check is the person asking to try again
    start = time.perf_counter()
    try:
        services.llm.text([HumanMessage(content="Reply with OK.")], max_tokens=2)
    except KeelError as exc:
        return f"⛔ The model does not answer: {exc}"
    return f"✅ The model answers ({time.perf_counter() - start:.1f} s for one short reply)."


def build_app(services: Services, access: Access | None = None) -> gr.Blocks:
    """The Blocks app: chat, goals, alignment, documents; a workspace switcher per session.

    Every event that names a workspace goes through `access.guard`, so the signed-in
    account's workspaces are enforced on the server, for the buttons and the API alike.
    """
    access = access or Access(services.settings)

    def g(fn: Any) -> Any:
        return access.guard(fn, lambda exc: gr.Error(str(exc)))

    with gr.Blocks(title="Keel", analytics_enabled=False) as demo:
        with gr.Row():
            gr.Markdown("# Keel\nTurn your strategy into goals people can act on.")
            # Choices are filled per account on load. Custom values pass Gradio's own check
            # on purpose: the access guard on every event is the one place that decides.
            workspace = gr.Dropdown([], value=None, label="Workspace", allow_custom_value=True,
                                    scale=0, min_width=200)
        status = gr.Markdown("Loading…")
        chat_state = gr.State({})
        with gr.Tab("Chat"):
            chatbot = gr.Chatbot(label="Ask about your strategy", height=480,
                                 sanitize_html=True, allow_tags=False)
            with gr.Row():
                box = gr.Textbox(placeholder="What will we not do? · Draft Q1 OKRs for marketing"
                                 " · Is this aligned? <paste a proposal>", show_label=False,
                                 max_length=12_000, lines=1, max_lines=10, scale=8)
                send = gr.Button("Send", variant="primary", scale=1, min_width=80)
            for trigger, name in ((box.submit, "chat"), (send.click, "chat_send")):
                trigger(g(lambda m, h, st, ws: (yield from chat_turn(services, m, h, st, ws))),
                        [box, chatbot, chat_state, workspace], [chatbot, box, chat_state],
                        api_name=name)
        department = _goals_tab(services, workspace, g)
        alignment_tab(services, workspace, g)
        strategy_tab(services, workspace, g)
        checkins_tab(services, workspace, g)
        review_tab(services, workspace, g)
        scenarios_tab(services, workspace, g)
        with gr.Tab("Documents"):
            limit = services.settings.ui_max_upload_mb
            uploads = gr.File(label=f"Upload Markdown, text, PDF or DOCX (≤ {limit:g} MB each)",
                              file_count="multiple", file_types=list(SUPPORTED_SUFFIXES))
            with gr.Row():
                index_button = gr.Button("Index uploads", variant="primary")
                reindex_button = gr.Button("Re-index everything")
            result = gr.Textbox(label="Result", interactive=False)
            table = gr.Dataframe([], label="Documents",
                                 headers=["document", "kind", "department", "period", "chunks",
                                          "indexed (UTC)"], interactive=False,
                                 max_height=2000)
            index_button.click(g(lambda f, ws, progress=gr.Progress(): upload_documents(
                services, f, progress, ws)), [uploads, workspace], [result, table],
                               api_name="upload")
            reindex_button.click(g(lambda ws, progress=gr.Progress(): reindex_documents(
                services, ws, progress)), [workspace], [result, table],
                                 api_name="reindex")
            with gr.Row():
                doc_id = gr.Textbox(label="Document id to delete")
                gr.Button("Delete", variant="stop").click(
                    g(lambda d, ws: delete_document(services, d, ws)), [doc_id, workspace],
                    [result, table], api_name="delete")
            query = gr.Textbox(label="Search the documents")
            hits = gr.Dataframe(headers=["score", "document", "section", "text"],
                                interactive=False)
            query.submit(g(lambda q, ws: search_documents(services, q, ws)), [query, workspace],
                         [hits], api_name="search")
        with gr.Tab("Status"):
            ping = gr.Button("Check the model")
            answer = gr.Markdown()
            ping.click(lambda: ping_model(services), None, answer, api_name="ping")
        def refresh(ws: str) -> tuple[str, list[list[Any]], Any]:
            return (status_markdown(services, ws), documents_table(services, ws),
                    gr.update(choices=services.departments(ws)))

        def first_view(request: gr.Request) -> tuple[Any, str, list[list[Any]], Any]:
            """The signed-in account's workspaces only; its first one if the default is not."""
            mine = access.visible(request.username, services.workspaces())
            if not mine:
                raise gr.Error("This account has no workspace.")
            ws = services.settings.workspace if services.settings.workspace in mine else mine[0]
            return (gr.update(choices=mine, value=ws), *refresh(ws))

        workspace.input(g(lambda ws: (*refresh(ws), {}, [])), [workspace],
                         [status, table, department, chat_state, chatbot], api_name="switch")
        seen = gr.State("")  # the indexing state this page last showed

        def tick(ws: str, last: str) -> tuple[Any, ...]:
            """Status every 3 s; the table and departments too when indexing moved on (a page
            opened during the first background indexing would otherwise stay empty)."""
            if services.index_state == last:
                return status_markdown(services, ws), gr.skip(), gr.skip(), last
            return (*refresh(ws), services.index_state)

        gr.Timer(3).tick(g(tick), [workspace, seen], [status, table, department, seen],
                         api_name="status")
        demo.load(first_view, None, [workspace, status, table, department])
    return demo  # type: ignore[no-any-return]


def _goals_tab(services: Services, workspace: gr.Dropdown, g: Any) -> gr.Dropdown:
    with gr.Tab("Goals"):
        state = gr.State({})
        with gr.Row():
            department = gr.Dropdown([], label="Department", allow_custom_value=True)
            period = gr.Textbox(next_quarter(date.today()), label="Period (e.g. 2027-Q1)")
            count = gr.Slider(1, 5, value=2, step=1, label="Objectives")
            ambition = gr.Radio(["committed", "aspirational"], value="committed",
                                label="Ambition")
        draft = gr.Button("Draft OKRs", variant="primary")
        with gr.Accordion("…or check an OKR document you already have", open=False):
            okr_file = gr.File(label="OKR document (.md, .txt, .csv, .json)", elem_id="okr-file",
                               file_types=[".md", ".markdown", ".mdx", ".txt", ".csv", ".json"])
            with gr.Row():
                model_read = gr.Checkbox(label="If the rules find no objectives (goals written "
                                         "as prose), let the local model propose a reading "
                                         "for me to confirm")
                read = gr.Button("Read and check")
            was_read = gr.Markdown(elem_id="okr-read")
        summary = gr.Markdown()
        krs = gr.Dataframe(headers=KR_HEADERS, label="Draft (edit titles, statements and "
                           "numbers; then re-check or save)", interactive=True, wrap=True)
        findings = gr.Dataframe(headers=["severity", "rule", "where", "problem", "fix",
                                         "source"], label="Linter findings", wrap=True,
                                interactive=False)
        with gr.Row():
            choice = gr.Dropdown([], label="Finding to fix")
            fix = gr.Button("Fix with the model")
            relint = gr.Button("Re-check my edits")
        with gr.Row():
            save = gr.Button("Save to workspace", variant="primary")
            export = gr.Button("Download Markdown / CSV / JSON")
        saved = gr.Markdown()
        files = gr.File(label="Downloads", file_count="multiple", interactive=False)
        view = [state, krs, findings, choice, summary]
        draft.click(g(lambda ws, d, p, c, a: draft_tab(services, ws, d, p, c, a)),
                    [workspace, department, period, count, ambition], view, api_name="draft")
        fix.click(g(lambda ws, st, rows, ch: fix_tab(services, ws, st, rows, ch)),
                  [workspace, state, krs, choice], view, api_name="fix")
        relint.click(relint_tab, [state, krs], view)
        read.click(g(lambda ws, f, m: read_tab(services, ws, f, m)),
                   [workspace, okr_file, model_read],
                   [*view, was_read], api_name="read_okrs")
        save.click(g(lambda ws, st, rows: save_tab(services, ws, st, rows)),
                   [workspace, state, krs], saved, api_name="save")
        export.click(export_tab, [state, krs], files)
    return department


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _require_login_off_loopback(settings: Settings, host: str) -> None:
    if not _is_loopback(host) and not Access(settings).enabled:
        raise ConfigError(f"Refusing to serve on {host} without authentication: set "
                          "KEEL_UI_USERNAME and KEEL_UI_PASSWORD (or KEEL_UI_USERS), or bind "
                          "127.0.0.1.")


def serve(services: Services, host: str = "127.0.0.1", port: int = 7860,
          block: bool = True) -> gr.Blocks:
    """Build and start the app with Keel's safe server options (the tests use this too).

    Refuses a non-loopback bind without an account; no share link; the data directory and a
    model file outside it are blocked paths; uploads size-limited; errors without tracebacks;
    the queue serves `ui_concurrency` requests per event and answers "busy" past `ui_queue_size`.
    """
    settings = services.settings
    _require_login_off_loopback(settings, host)
    access = Access(settings)
    blocked = [str(settings.data_dir)]
    if settings.local_model_path is not None:
        blocked.append(str(settings.local_model_path))
    demo = build_app(services, access)
    demo.queue(default_concurrency_limit=settings.ui_concurrency,
               max_size=settings.ui_queue_size)
    demo.launch(server_name=host, server_port=port, share=False,
                auth=access.login if access.enabled else None,
                max_file_size=f"{settings.ui_max_upload_mb:g}mb", blocked_paths=blocked,
                show_error=False, inbrowser=False, prevent_thread_lock=not block)
    return demo


def launch(settings: Settings, host: str = "127.0.0.1", port: int = 7860,
           index_sample: bool = False) -> None:
    """Start the UI (blocking); see `serve` for the server options."""
    _require_login_off_loopback(settings, host)
    services = Services(settings)
    services.warm_up([SAMPLE_KNOWLEDGE] if index_sample else None)
    try:
        serve(services, host, port)
    finally:
        services.close()
