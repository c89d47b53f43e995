"""The Scenarios tab: "what if …" stress tests and war games against the strategy map.

Handlers are plain functions of (services, workspace, …) so tests call them without a browser;
`scenarios_tab` wires them into Gradio. What is exposed is found by code (each with its reason
and source); what to watch and what to do, and the competitor's moves, are drafted by the model
and checked by code. Results can be saved with the workspace (they feed the review pack's
"decisions needed") and downloaded as Markdown.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.core.errors import KeelError
from assistant.db.engine import shared_database
from assistant.scenarios.model import ScenarioReport
from assistant.scenarios.render import scenario_markdown, wargame_markdown
from assistant.scenarios.store import StressStore
from assistant.scenarios.stress import stress_test
from assistant.scenarios.wargame import war_game
from assistant.strategy.store import StrategyMap
from assistant.ui.services import Services

__all__ = ["KINDS", "SAVED_HEADERS", "saved_rows", "scenarios_tab", "show_saved", "stress_view"]

KINDS = ["Scenario (what if …)", "War game (a competitor's move)"]
SAVED_HEADERS = ["id", "kind", "saved", "exposed", "what"]


def saved_rows(services: Services, ws: str | None) -> list[list[Any]]:
    store = StressStore(services.settings_for(ws))
    return [[i, r.kind, w.strftime("%Y-%m-%d %H:%M"), len(r.exposed),
             (r.scenario if isinstance(r, ScenarioReport) else r.competitor)[:90]]
            for i, r, w in reversed(store.dated())]


def stress_view(services: Services, ws: str | None, text: str, kind: str, save: bool
                ) -> tuple[str, list[str], list[list[Any]]]:
    """(Markdown report, [download path], saved rows) for one scenario or war game."""
    settings = services.settings_for(ws)
    strategy = StrategyMap(shared_database(settings), settings.workspace).elements()
    embedder = services.kb_for(ws).embedder
    try:
        if kind == KINDS[1]:
            game = war_game(text, services.llm, embedder, strategy)
            report: Any = game
            markdown = wargame_markdown(game)
        else:
            report = stress_test(text, services.llm, embedder, strategy)
            markdown = scenario_markdown(report)
        note = ""
        if save:
            note = f"\n\n*Saved as `{StressStore(settings).save(report)}`.*"
    except KeelError as exc:
        raise gr.Error(str(exc)) from None
    path = Path(tempfile.mkdtemp(prefix="keel-scenario-")) / f"{report.kind}.md"
    path.write_text(markdown, encoding="utf-8")
    return markdown + note, [str(path)], saved_rows(services, ws)


def show_saved(services: Services, ws: str | None, test_id: str) -> str:
    try:
        report = StressStore(services.settings_for(ws)).get(test_id.strip())
    except KeelError as exc:
        raise gr.Error(str(exc)) from None
    return (scenario_markdown(report) if isinstance(report, ScenarioReport)
            else wargame_markdown(report))


def scenarios_tab(services: Services, workspace: gr.Dropdown, g: Any) -> None:
    with gr.Tab("Scenarios"):
        gr.Markdown("Stress-test the strategy before the quarter does. **Scenario**: what it "
                    "exposes in the strategy map (found by code, with reasons and sources), "
                    "then what to watch, a trigger and contingency actions per key result "
                    "(drafted by the model, checked by code). **War game**: the competitor's "
                    "likely next moves, what each threatens, and responses checked against "
                    "our non-goals and limits. About half a minute with the local model.")
        with gr.Row():
            kind = gr.Radio(KINDS, value=KINDS[0], label="What to run", scale=1)
            save = gr.Checkbox(True, label="Save with the workspace (review pack)", scale=0)
        text = gr.Textbox(label="What might happen", lines=2, max_length=1500,
                          placeholder="Our green-coffee importer raises prices 30% · A national "
                                      "roaster launches a cheaper subscription in our region",
                          elem_id="scenario-text")
        run = gr.Button("Run the stress test", variant="primary", elem_id="scenario-run")
        result = gr.Markdown(elem_id="scenario-result")
        files = gr.File(label="Download (Markdown)", file_count="multiple", interactive=False)
        with gr.Accordion("Saved scenarios and war games", open=False):
            saved = gr.Dataframe([],
                                 headers=SAVED_HEADERS, interactive=False, wrap=True)
            with gr.Row():
                pick = gr.Textbox(label="id", scale=3)
                show = gr.Button("Show", scale=1)
                refresh = gr.Button("Refresh", scale=1)
        run.click(g(lambda ws, t, k, s: stress_view(services, ws, t, k, s)),
                  [workspace, text, kind, save], [result, files, saved], api_name="scenario")
        show.click(g(lambda ws, i: show_saved(services, ws, i)), [workspace, pick], [result])
        refresh.click(g(lambda ws: saved_rows(services, ws)), [workspace], [saved])
