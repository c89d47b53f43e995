"""The Gradio web UI: chat with the documents, manage documents, see status.

Thin by design: every handler calls the same use cases as the CLI. Per-user state lives
in `gr.State`/component values only; `Services` holds shared resources (store, model),
never a user's conversation.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr

from .chat_router import route
from .config import PROJECT_ROOT, Settings
from .documents import SUPPORTED_SUFFIXES
from .errors import ConfigError, InputError, KeelError
from .goals import DraftReport, draft_okrs
from .knowledge import KnowledgeBase
from .llm import LLM
from .okr_io import to_markdown
from .qa import stream_answer
from .safety import clean_model_text
from .schemas import GroundedAnswer

__all__ = ["Services", "build_app", "launch"]

Message = dict[str, Any]


class Services:
    """Shared, thread-safe resources for one workspace."""

    def __init__(self, settings: Settings, llm: LLM | None = None) -> None:
        self.settings = settings
        self.kb = KnowledgeBase(settings)
        self.llm = llm or LLM(settings)
        self.model_state = "not started"
        self.uploads = settings.workspace_dir / "uploads"

    def warm_up(self) -> None:
        """Start the model in the background so the first chat does not wait for it."""

        def run() -> None:
            self.model_state = "starting…"
            try:
                _ = self.llm.chat
                self.model_state = "ready"
            except KeelError as exc:
                self.model_state = f"failed: {exc}"

        threading.Thread(target=run, daemon=True, name="keel-model-warmup").start()

    def close(self) -> None:
        self.kb.close()
        self.llm.close()


def _citation_messages(answer: GroundedAnswer) -> list[Message]:
    return [{"role": "assistant", "content": f"“{c.quote}”",
             "metadata": {"title": f"Source {n}: {c.document} — {c.section}"}}
            for n, c in enumerate(answer.citations, 1)]


_BADGE = {"error": "⛔", "warning": "⚠️", "info": "ℹ️"}


def okr_card(report: DraftReport) -> str:
    """The draft as Markdown, with each objective's and KR's linter badges."""
    text = to_markdown(report.okrs)
    badges = []
    for f in report.findings:
        badges.append(f"{_BADGE[f.severity]} **{f.rule}** {f.where}: {f.message} *Fix:* {f.fix}")
    summary = (f"\n\n**Checks** — KRs passing all error-level rules: first draft "
               f"{report.kr_pass_first:.0%}, final {report.kr_pass_final:.0%} after "
               f"{report.repair_rounds} repair round(s).\n\n")
    return text + summary + ("\n".join(f"- {b}" for b in badges) or "No findings.")


def chat_turn(services: Services, message: str, history: list[Message]) -> Iterator[
        tuple[list[Message], str]]:
    """Route one message (OKR draft or grounded Q&A) and stream the reply into the history."""
    history = [*history, {"role": "user", "content": message}]
    reply: Message = {"role": "assistant", "content": "…"}
    history.append(reply)
    yield history, ""
    departments = sorted({d.department for d in services.kb.documents() if d.department})
    plan = route(message, departments, date.today())
    if plan.task == "draft_okrs":
        reply["content"] = (f"Drafting {plan.period} OKRs for {plan.department}… (a few minutes "
                            "on the local model)")
        yield history, ""
        try:
            report = draft_okrs(services.kb, services.llm, plan.department, plan.period, count=2)
        except KeelError as exc:
            raise gr.Error(str(exc)) from None
        reply["content"] = okr_card(report)
        yield history, ""
        return
    try:
        text = ""
        for piece in stream_answer(message, services.kb, services.llm):
            if isinstance(piece, GroundedAnswer):
                reply["content"] = piece.answer + "".join(f"\n\n⚠ {w}" for w in piece.warnings)
                history.extend(_citation_messages(piece))
            else:
                text += piece
                reply["content"] = clean_model_text(text)[0]
            yield history, ""
    except KeelError as exc:
        raise gr.Error(str(exc)) from None


def documents_table(services: Services) -> list[list[Any]]:
    return [[d.doc_id, d.kind, d.department or "", d.period or "", d.chunks, d.indexed_at]
            for d in services.kb.documents()]


def upload_documents(services: Services, files: list[str] | None,
                     progress: gr.Progress | None = None) -> tuple[str, list[list[Any]]]:
    """Copy uploads into the workspace and index them; returns a summary and the table."""
    if not files:
        raise gr.Error("Choose one or more files first.")
    limit = services.settings.ui_max_upload_mb * 1e6
    services.uploads.mkdir(parents=True, exist_ok=True)
    refused = []
    for name in files:
        source = Path(name)
        if source.suffix.lower() not in SUPPORTED_SUFFIXES:
            refused.append(f"{source.name}: unsupported type")
        elif source.stat().st_size > limit:
            refused.append(f"{source.name}: larger than {services.settings.ui_max_upload_mb} MB")
        else:
            shutil.copyfile(source, services.uploads / source.name)

    def tick(done: int, total: int, label: str) -> None:
        if progress is not None and total:
            progress(done / total, desc=label)

    report = services.kb.index([services.uploads], progress=tick)
    lines = [f"Indexed: {', '.join(report.added + report.updated) or 'nothing new'}"]
    lines += [f"Failed: {doc}: {why}" for doc, why in report.failed.items()] + refused
    return "\n".join(lines), documents_table(services)


def delete_document(services: Services, doc_id: str | None) -> tuple[str, list[list[Any]]]:
    if not doc_id:
        raise gr.Error("Pick a document to delete.")
    try:
        removed = services.kb.forget(doc_id)
    except KeelError as exc:
        raise gr.Error(str(exc)) from None
    upload = services.uploads / Path(doc_id).name
    if doc_id.startswith("uploads/") and upload.is_file():
        upload.unlink()
    return f"Deleted {doc_id} ({removed} chunks).", documents_table(services)


def search_documents(services: Services, query: str) -> list[list[Any]]:
    try:
        hits = services.kb.search(query, k=8)
    except KeelError as exc:
        raise gr.Error(str(exc)) from None
    return [[f"{h.score:.3f}", h.doc_id, h.section, " ".join(h.text.split())[:300]] for h in hits]


def status_markdown(services: Services) -> str:
    info = services.llm.describe()
    return (f"**Workspace** `{services.settings.workspace}` · **documents** "
            f"{len(services.kb.documents())} · **chunks** {services.kb.count()}  \n"
            f"**Model** `{info['model']}` ({info['provider']}) at `{info['endpoint']}` · "
            f"**state** {services.model_state}  \n"
            f"**Embeddings** `{services.kb.embedder.model_id}` · **store** "
            f"{services.settings.chroma_mode}")


def build_app(services: Services) -> gr.Blocks:
    """The Blocks app for one workspace."""
    with gr.Blocks(title="Keel", analytics_enabled=False) as demo:
        gr.Markdown("# Keel\nTurn your strategy into goals people can act on.")
        status = gr.Markdown(status_markdown(services))
        with gr.Tab("Chat"):
            chatbot = gr.Chatbot(label="Ask about your strategy", height=480,
                                 sanitize_html=True, allow_tags=False)
            box = gr.Textbox(placeholder="e.g. What will we not do? · Draft Q1 OKRs for marketing",
                             show_label=False, max_length=4000)
            box.submit(lambda m, h: (yield from chat_turn(services, m, h)),
                       [box, chatbot], [chatbot, box])
        with gr.Tab("Documents"):
            limit = services.settings.ui_max_upload_mb
            uploads = gr.File(label=f"Upload Markdown, text, PDF or DOCX (≤ {limit:g} MB each)",
                              file_count="multiple", file_types=list(SUPPORTED_SUFFIXES))
            index_button = gr.Button("Index uploads", variant="primary")
            result = gr.Textbox(label="Result", interactive=False)
            table = gr.Dataframe(documents_table(services), label="Documents",
                                 headers=["document", "kind", "department", "period", "chunks",
                                          "indexed (UTC)"], interactive=False)
            index_button.click(lambda f, progress=gr.Progress(): upload_documents(
                services, f, progress), [uploads], [result, table])
            with gr.Row():
                doc_id = gr.Textbox(label="Document id to delete")
                gr.Button("Delete", variant="stop").click(
                    lambda d: delete_document(services, d), [doc_id], [result, table])
            query = gr.Textbox(label="Search the documents")
            hits = gr.Dataframe(headers=["score", "document", "section", "text"],
                                interactive=False)
            query.submit(lambda q: search_documents(services, q), [query], [hits])
        demo.load(lambda: status_markdown(services), None, status)
    return demo  # type: ignore[no-any-return]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def launch(settings: Settings, host: str = "127.0.0.1", port: int = 7860,
           index_sample: bool = False) -> None:
    """Start the UI; refuses a non-loopback bind without a username and password."""
    auth = None
    if settings.ui_username and settings.ui_password:
        auth = (settings.ui_username, settings.ui_password.get_secret_value())
    if not _is_loopback(host) and auth is None:
        raise ConfigError(f"Refusing to serve on {host} without authentication: set "
                          "KEEL_UI_USERNAME and KEEL_UI_PASSWORD, or bind 127.0.0.1.")
    services = Services(settings)
    if index_sample:
        report = services.kb.index([PROJECT_ROOT / "knowledge"])
        if report.failed:
            raise InputError(f"The sample company failed to index: {report.failed}")
    services.warm_up()
    demo = build_app(services)
    demo.queue(default_concurrency_limit=settings.ui_concurrency,
               max_size=settings.ui_queue_size)
    try:
        demo.launch(server_name=host, server_port=port, share=False, auth=auth,
                    max_file_size=f"{settings.ui_max_upload_mb:g}mb",
                    blocked_paths=[str(settings.data_dir)], show_error=False,
                    inbrowser=False)
    finally:
        services.close()
