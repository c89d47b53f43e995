"""The chat tab: route each message, stream text, render drafts and reports as cards.

Per-session state (the last draft, for follow-ups) travels in a `gr.State` dict owned by the
browser session; nothing here is stored on the module or on `Services`.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Generator, Iterator
from datetime import date
from typing import Any, TypeVar

import gradio as gr

from assistant.alignment.check import MAX_PROPOSAL_CHARS, check_proposal
from assistant.alignment.render import report_markdown
from assistant.core.errors import KeelError, ModelError
from assistant.core.safety import clean_model_text, shown_quote
from assistant.core.schemas import Citation, GroundedAnswer, OKRSet
from assistant.goals.draft import DraftReport, draft_okrs, gather_passages
from assistant.goals.map_sources import company_slice, department_slice, substantive
from assistant.goals.okr_io import to_markdown
from assistant.goals.refine import refine_okrs
from assistant.knowledge.base import KnowledgeBase
from assistant.knowledge.qa import stream_answer
from assistant.review.answers import progress_answer
from assistant.scenarios.render import scenario_markdown
from assistant.scenarios.stress import stress_test
from assistant.ui.router import Route, route_with_model
from assistant.ui.services import Services

log = logging.getLogger(__name__)

__all__ = ["chat_turn", "okr_card"]

Message = dict[str, Any]
State = dict[str, Any]
_BADGE = {"error": "⛔", "warning": "⚠️", "info": "ℹ️"}
T = TypeVar("T")


def _citation_messages(citations: list[Citation], asked: str = "") -> list[Message]:
    """One collapsed message per cited passage: the title names the source, opening it shows
    the quoted text (`shown_quote`: no planted sentences, no codes or links not asked for)."""
    unique = list({(c.chunk_id, c.quote): c for c in citations}.values())
    return [{"role": "assistant", "content": f"“{shown_quote(c.quote, asked)}”",
             # status "done": Gradio starts the accordion closed (without a status, open)
             "metadata": {"title": f"Source {n}: {c.document} — {c.section}", "status": "done"}}
            for n, c in enumerate(unique, 1)]


def _okr_citations(okrs: OKRSet) -> list[Citation]:
    return [c for o in okrs.objectives for c in
            [*o.citations, *(c for k in o.key_results for c in k.citations)]]


def okr_card(report: DraftReport) -> str:
    """The draft as Markdown, with each objective's and KR's linter badges."""
    # chat Markdown has no footnotes: "[^3]" becomes "[3]" and the notes a plain list
    text = re.sub(r"^\[\^(\d+)\]:", r"- [\1]", to_markdown(report.okrs), flags=re.MULTILINE)
    text = re.sub(r"\[\^(\d+)\]", r"[\1]", text)
    badges = [f"{_BADGE[f.severity]} **{f.rule}** {f.where}: {f.message} *Fix:* {f.fix}"
              for f in report.findings]
    summary = (f"\n\n**Checks** — KRs passing all error-level rules: first draft "
               f"{report.kr_pass_first:.0%}, final {report.kr_pass_final:.0%} after "
               f"{report.repair_rounds} repair round(s).\n\n")
    follow = ("\n\n*Ask for changes in your own words, e.g. “make KR2 more ambitious” or “add "
              "a health metric”; save and export in the Goals tab.*")
    return text + summary + ("\n".join(f"- {b}" for b in badges) or "No findings.") + follow


def chat_turn(services: Services, message: str, history: list[Message],
              state: State | None = None, workspace: str | None = None
              ) -> Iterator[tuple[list[Message], str, State]]:
    """Route one message and stream the reply into the history (and the session state)."""
    state = dict(state or {})
    message = (message or "").strip()
    if not message:
        raise gr.Error("Write a question, a request for OKRs, or paste a proposal.")
    if len(message) > MAX_PROPOSAL_CHARS:
        raise gr.Error(f"The message is {len(message):,} characters; the limit is "
                       f"{MAX_PROPOSAL_CHARS:,}.")
    history = [*history, {"role": "user", "content": message}]
    reply: Message = {"role": "assistant", "content": "…"}
    history.append(reply)
    yield history, "", state
    try:
        kb = services.kb_for(workspace)
        departments = sorted({d.department for d in kb.documents() if d.department})
        plan = route_with_model(services.llm, message, departments, date.today(),
                                has_draft=bool(state.get("draft")))
        steps = {"draft_okrs": _draft, "refine_draft": _refine, "check_alignment": _check,
                 "progress": _progress, "scenario": _scenario}.get(plan.task, _answer)
        for text in steps(services, kb, plan, message, state, history):
            reply["content"] = text
            yield history, "", state
    except KeelError as exc:  # a readable message in the conversation, not a bare red badge
        reply["content"] = error_reply(exc, services.llm.state)
        yield history, "", state
    except Exception as exc:
        log.exception("chat turn failed")
        reply["content"] = error_reply(exc, services.llm.state)
        yield history, "", state


def error_reply(exc: BaseException, model_state: str) -> str:
    """What failed and what to do, as the assistant's reply."""
    if isinstance(exc, KeelError):
        text = str(exc)
    else:  # a defect: say so without a traceback (the log has it)
        text = (f"Something went wrong inside Keel ({type(exc).__name__}: {str(exc)[:200]}). "
                "The details are in the log; try again, and report it if it repeats.")
    what = ("Check the model in the **Status** tab, then send your message again."
            if isinstance(exc, ModelError) else "Change the request and send it again.")
    return (f"⛔ **I could not finish this.** {text}\n\n*{what}* "
            f"(model: {model_state})")


_PARTIAL = re.compile(r'"(title|statement)"\s*:\s*"((?:[^"\\]|\\.)*)')


def partial_outline(json_so_far: str) -> str:
    """Objective titles and KR statements from a draft that is still being written."""
    lines = []
    for key, value in _PARTIAL.findall(json_so_far):
        text = value.replace('\\"', '"')
        lines.append(f"- **{text}**" if key == "title" else f"  - {text}")
    return "\n".join(lines)


def _draft(services: Services, kb: KnowledgeBase, plan: Route, message: str, state: State,
           history: list[Message]) -> Iterator[str]:
    company, own = gather_passages(kb, plan.department)
    strategy = services.strategy_for(kb.workspace)
    if substantive(strategy):
        shared = len(company_slice(strategy))
        mine = len(department_slice(strategy, plan.department))
        what = (f"the strategy map ({shared} company elements, {mine} of "
                f"{plan.department}'s) and {len(own)} of its passages")
    else:
        sections = ", ".join(dict.fromkeys(h.section.split(" > ")[-1] for h in company + own))
        what = f"{len(company) + len(own)} passages: {sections}"
    head = f"Drafting **{plan.period}** OKRs for **{plan.department}** from {what}.\n\n"
    yield head + "Reading the sources… (a few minutes on the local model; the draft is then "\
        "checked against every cited passage and the quality rules)"
    report = yield from _while_drafting(head, lambda on_text: draft_okrs(
        kb, services.llm, plan.department, plan.period, count=2, on_text=on_text,
        strategy=strategy))
    state["draft"] = report.okrs.model_dump(mode="json")
    history.extend(_citation_messages(_okr_citations(report.okrs)))
    yield okr_card(report)


def _progress(services: Services, kb: KnowledgeBase, plan: Route, message: str, state: State,
              history: list[Message]) -> Iterator[str]:
    yield progress_answer(services.settings_for(kb.workspace), message)


def _refine(services: Services, kb: KnowledgeBase, plan: Route, message: str, state: State,
            history: list[Message]) -> Iterator[str]:
    current = OKRSet.model_validate(state["draft"])
    head = f"Revising the {current.department} draft: “{plan.text}”…\n\n"
    yield head
    report = yield from _while_drafting(head, lambda on_text: refine_okrs(
        kb, services.llm, current, plan.text, on_text=on_text,
        strategy=services.strategy_for(kb.workspace)))
    state["draft"] = report.okrs.model_dump(mode="json")
    history.extend(_citation_messages(_okr_citations(report.okrs)))
    yield okr_card(report)


def _while_drafting(head: str, run: Callable[[Callable[[str], None]], DraftReport]
                    ) -> Generator[str, None, DraftReport]:
    """Run a draft in a worker thread; yield the outline of the JSON written so far."""
    latest = {"text": ""}
    report = yield from _in_worker(
        lambda: run(lambda text: latest.__setitem__("text", text)),
        lambda: (head + "Writing…\n\n" + outline
                 if (outline := partial_outline(latest["text"])) else ""))
    return report


def _in_worker(run: Callable[[], T], status: Callable[[], str]) -> Generator[str, None, T]:
    """Run `run` in a worker thread; yield `status()` whenever it changes (and is not empty);
    return the result or re-raise the worker's error here, in the UI thread."""
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["result"] = run()
        except BaseException as exc:  # re-raised in the UI thread below
            outcome["error"] = exc

    worker = threading.Thread(target=work, daemon=True, name="keel-chat-work")
    worker.start()
    shown = ""
    while worker.is_alive():
        worker.join(0.25)
        if (now := status()) and now != shown:
            shown = now
            yield now
    if "error" in outcome:
        raise outcome["error"]
    result: T = outcome["result"]
    return result


def _check(services: Services, kb: KnowledgeBase, plan: Route, message: str, state: State,
           history: list[Message]) -> Iterator[str]:
    head = ("Checking the proposal against the strategy, values and non-goals, one statement "
            "at a time (about a minute with the local model)…")
    yield head
    step = {"line": ""}

    def tick(done: int, total: int, label: str) -> None:
        step["line"] = f"{label}… ({done + 1} of {total})" if done < total else f"{label}…"

    report = yield from _in_worker(
        lambda: check_proposal(plan.text or message, kb, services.llm, tick,
                               strategy=services.map_for(kb.workspace)),
        lambda: f"{head}\n\n{step['line']}" if step["line"] else "")
    history.extend(_citation_messages([c for f in report.findings if f.stance != "neutral"
                                       for c in f.citations]))
    yield report_markdown(report)


def _scenario(services: Services, kb: KnowledgeBase, plan: Route, message: str, state: State,
              history: list[Message]) -> Iterator[str]:
    """ "What if …": the stress test of the Scenarios tab, as a reply (not saved)."""
    head = ("Thinking the scenario through, then finding what it exposes in the strategy map "
            "(about half a minute with the local model)…")
    yield head
    report = yield from _in_worker(
        lambda: stress_test(plan.text or message, services.llm, kb.embedder,
                            services.map_for(kb.workspace)), lambda: "")
    yield scenario_markdown(report) + ("\n\n*Save it from the Scenarios tab to bring it to "
                                       "the review.*")


def _answer(services: Services, kb: KnowledgeBase, plan: Route, message: str, state: State,
            history: list[Message]) -> Iterator[str]:
    text = ""
    for piece in stream_answer(message, kb, services.llm):
        if isinstance(piece, GroundedAnswer):
            history.extend(_citation_messages(piece.citations, message))
            yield piece.answer + "".join(f"\n\n⚠ {w}" for w in piece.warnings)
        else:
            text += piece
            yield clean_model_text(text)[0]
