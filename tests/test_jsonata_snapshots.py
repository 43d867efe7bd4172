"""Snapshot tests of JSONata in the app: the create form with the JSONata template and a
JSONata syntax error, the machine graph of a JSONata machine, and the Test state modal.

Shown on the bare host of tests/test_modal_snapshots.py, in a region of their own with
fixed names. `pytest --snapshot-update` after an intended change.
"""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

import pytest
from textual.widgets import Select

from sfn_tui.core.machine_templates import JSONATA_TEMPLATE
from sfn_tui.tui.screens.state_machine_form import StateMachineFormScreen
from sfn_tui.tui.screens.state_machine_graph import StateMachineGraphScreen
from sfn_tui.tui.screens.test_state import TestStateScreen
from sfn_tui.tui.widgets.json_editor import JsonEditor
from tests import test_modal_snapshots as modal_snapshots
from tests.pilot_helpers import wait_for
from tests.scenes import SIZE, sfn_client
from tests.test_modal_snapshots import ModalHost, shown_with

REGION = "ap-east-2"  # only the JSONata scenes use it (versions and Map Run have their own)
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/sfn-tui-scenes"
GREETER = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:Greeter"
ASK = {
    "StartAt": "Ask",
    "States": {
        "Ask": {
            "Type": "Task",
            "QueryLanguage": "JSONata",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {"FunctionName": "ask", "Payload": "{% $states.input %}"},
            "End": True,
        }
    },
}


class JsonataHost(ModalHost):
    """The bare host, in this file's region, with the app's read-only flag."""

    read_only = False
    tz = UTC
    poll_failure = None
    poll_late = None
    failing = ""
    failing_since = None
    refreshed_at = None

    def __init__(self, endpoint: str) -> None:
        super().__init__(endpoint)
        self.connection = type(self.connection)(
            region=REGION, endpoint_url=endpoint, dummy_credentials=True
        )


@pytest.fixture(scope="module")
def scene(engine: str) -> str:
    """Greeter: the JSONata template as a machine. Idempotent."""
    sfn = sfn_client(engine, REGION)
    if "Greeter" not in {m["name"] for m in sfn.list_state_machines()["stateMachines"]}:
        sfn.create_state_machine(name="Greeter", definition=JSONATA_TEMPLATE, roleArn=ROLE)
    return engine


async def jsonata_error(pilot: Any, form: Any) -> None:
    await modal_snapshots.pin_roles(pilot, form)
    form.query_one("#sm-template", Select).value = "JSONata"
    editor = form.query_one(JsonEditor)
    await wait_for(pilot, lambda: '"JSONata"' in editor.text, what="template")
    editor.replace_text(editor.text.replace("$greeting & ', '", "$greeting & (', '"))
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: bool(editor.error), what="error")


def test_create_state_machine_jsonata_error(scene: str, snap_compare: Any) -> None:
    """The JSONata template with a ")" missing: under the editor, which expression of
    which state, why, and the line and column."""
    run_before = shown_with(StateMachineFormScreen, jsonata_error)
    assert snap_compare(JsonataHost(scene), terminal_size=SIZE, run_before=run_before)


def test_graph_of_a_jsonata_machine(scene: str, snap_compare: Any) -> None:
    """Each JSONata state says so in its top border; a note says what the mark means."""

    async def run_before(pilot: Any) -> None:
        app = pilot.app
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        screen = StateMachineGraphScreen(GREETER)
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.machine is not None, what="loaded")
        await pilot.pause()

    assert snap_compare(JsonataHost(scene), terminal_size=SIZE, run_before=run_before)


async def task_without_role(pilot: Any, modal: Any) -> None:
    modal.input_editor.replace_text('{"question": "Which song?"}')
    modal.variables_editor.replace_text('{"attempt": 1}')
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: "AWS tests it only" in modal.problem_text, what="refusal")


def test_test_state_task_without_a_role(scene: str, snap_compare: Any) -> None:
    """A Task state of a machine not created yet (no role): the refusal in words, the
    input and variables as typed, DEBUG picked."""
    run_before = shown_with(
        lambda: TestStateScreen("draft", json.dumps(ASK), None), task_without_role
    )
    assert snap_compare(JsonataHost(scene), terminal_size=SIZE, run_before=run_before)


async def debug_run(pilot: Any, modal: Any) -> None:
    modal.input_editor.replace_text('{"name": "Ada"}')
    modal.variables_editor.replace_text('{"greeting": "Hi"}')
    modal.query_one("#ts-state", Select).value = "Greet"
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: modal.result is not None, what="answered")
    await wait_for(pilot, lambda: bool(modal.query(".ts-step")), what="steps shown")


def test_test_state_debug_result(scene: str, snap_compare: Any) -> None:
    """The JSONata template's Greet state tested at DEBUG with a variable given: status,
    next state, output, then Input, After Arguments, Result and Variables side by side."""
    run_before = shown_with(lambda: TestStateScreen("Greeter", JSONATA_TEMPLATE, ROLE), debug_run)
    assert snap_compare(JsonataHost(scene), terminal_size=SIZE, run_before=run_before)
