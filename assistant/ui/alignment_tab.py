"""The Alignment tab: check one proposal, answer a needs-review check's questions, or check a
CSV of proposals. Handlers live in `tabs.py` (`check_tab`, `batch_tab`) so tests call them
without a browser; this module only lays them out."""

from __future__ import annotations

from typing import Any

import gradio as gr

from assistant.alignment.render import VERDICT_LABEL
from assistant.ui.services import Services
from assistant.ui.tabs import batch_tab, check_tab

__all__ = ["alignment_tab"]


def alignment_tab(services: Services, workspace: gr.Dropdown, g: Any) -> None:
    """The Alignment tab: one proposal (with the manager's answers to a needs-review check)
    and a CSV of many."""
    with gr.Tab("Alignment"):
        text = gr.Textbox(label="Paste a proposal", lines=8, max_length=12_000)
        file = gr.File(label="…or upload one (.txt, .md, .pdf, .docx)",
                       file_types=[".txt", ".md", ".pdf", ".docx"], type="filepath")
        check = gr.Button("Check alignment", variant="primary")
        report = gr.Markdown(elem_id="check-report")
        panel = gr.Accordion("Needs review? Answer the questions and check again", open=False)
        with panel:
            with gr.Row():
                serves = gr.Dropdown([], label="Which key result will it move?",
                                     allow_custom_value=False)
                budget = gr.Number(label="What it costs ($)")
                pays = gr.Textbox(label="Whose budget pays (department)")
            with gr.Row():
                breaks = gr.Dropdown([], label="Does it break a value or non-goal? (which)",
                                     allow_custom_value=False)
                repeats = gr.Dropdown([], label="Does it repeat a planned initiative? (which)",
                                      allow_custom_value=False)
            again = gr.Button("Check again with my answers")
        chart = gr.Plot(label="Stances by strategic element", elem_id="stance-chart")
        answers = [report, chart, serves, breaks, repeats, panel]
        check.click(g(lambda ws, t, f, progress=gr.Progress(): _opened(check_tab(
            services, ws, t, f, progress))), [workspace, text, file], answers, api_name="check")
        again.click(g(lambda ws, t, f, s, b, d, br, rp, progress=gr.Progress(): _opened(
            check_tab(services, ws, t, f, progress, s, b, d, br, rp))),
            [workspace, text, file, serves, budget, pays, breaks, repeats], answers,
            api_name="check_answered")
        gr.Markdown("### Many proposals at once\nA CSV with a `proposal` column (optional "
                    "`id`, `title`).")
        batch = gr.File(label="Proposals CSV", file_types=[".csv"], type="filepath")
        run = gr.Button("Check all")
        batch_summary = gr.Markdown()
        matrix = gr.Image(label="Alignment matrix", type="filepath")
        table = gr.File(label="Results CSV", interactive=False)
        run.click(g(lambda ws, f: batch_tab(services, ws, f)), [workspace, batch],
                  [matrix, table, batch_summary], api_name="batch")


def _opened(result: tuple[str, Any, Any, Any, Any]) -> tuple[Any, ...]:
    """The check's outputs, with the answers panel open when the verdict is "needs review"
    (the usual first answer before the owner confirms the map)."""
    return (*result, gr.update(open=VERDICT_LABEL["needs_review"] in result[0]))
