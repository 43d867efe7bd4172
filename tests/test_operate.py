"""An operator's everyday round trip, by keys from the dashboard: create a state
machine from a file, start it with input, watch it in the detail screen, stop a long
run, delete the machine."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from sfn_tui.aws.connection import Connection
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.execution_detail import ExecutionDetailScreen
from sfn_tui.tui.screens.start_execution import StartExecutionScreen
from sfn_tui.tui.screens.state_machine_form import StateMachineFormScreen
from sfn_tui.tui.widgets.json_editor import JsonEditor
from tests.helpers import boto_client
from tests.pilot_helpers import screen_text, wait_for
from tests.test_modals import new_role_picked, type_into

REGION = "ca-west-1"
DEFINITION = {
    "StartAt": "Greet",
    "States": {
        "Greet": {
            "Type": "Pass",
            "Parameters": {"hello.$": "$.who"},
            "ResultPath": "$.greeting",
            "Next": "Hold",
        },
        "Hold": {"Type": "Wait", "SecondsPath": "$.wait", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}


def sfn_client(endpoint: str, region: str = REGION) -> Any:
    return boto_client("stepfunctions", endpoint, region)


async def start_from_dashboard(pilot: Any, app: SfnTuiApp, name: str, payload: str) -> str:
    await pilot.press("s")
    await wait_for(pilot, lambda: isinstance(app.screen, StartExecutionScreen), what="start")
    start = app.screen
    await type_into(pilot, start, "#start-name", name)
    start.query_one(JsonEditor).replace_text(payload)
    await pilot.press("ctrl+s")
    dashboard = app.dashboard
    await wait_for(
        pilot,
        lambda: (
            dashboard.executions.selected is not None and dashboard.executions.selected.name == name
        ),
        what="new run shown and selected at once",
    )
    assert dashboard.executions.selected is not None
    return dashboard.executions.selected.arn


async def test_create_start_watch_stop_delete(engine: str, tmp_path: Path) -> None:
    sfn = sfn_client(engine)
    name = f"newcomer-{uuid.uuid4().hex[:6]}"
    path = tmp_path / "machine.json"
    path.write_text(json.dumps(DEFINITION, indent=2))
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    app = SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0)
    async with app.run_test(size=(130, 42)) as pilot:
        dashboard = app.dashboard
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        dashboard.machines.focus()
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, StateMachineFormScreen), what="form")
        form = app.screen
        assert isinstance(form, StateMachineFormScreen)
        await new_role_picked(pilot, form)
        await type_into(pilot, form, "#sm-name", name)
        await type_into(pilot, form, "#sm-file", str(path))
        await pilot.press("enter")
        await wait_for(pilot, lambda: '"Hold"' in form.query_one(JsonEditor).text, what="loaded")
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: (
                dashboard.machines.selected is not None and dashboard.machines.selected.name == name
            ),
            what="created machine selected",
        )
        machine_arn = dashboard.machines.selected.arn  # type: ignore[union-attr]
        assert (
            json.loads(sfn.describe_state_machine(stateMachineArn=machine_arn)["definition"])
            == DEFINITION
        )

        quick = await start_from_dashboard(pilot, app, "quick", '{"who": "Ada", "wait": 0}')
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ExecutionDetailScreen), what="detail")
        await wait_for(
            pilot,
            lambda: "SUCCEEDED" in screen_text(app) and '"hello": "Ada"' in screen_text(app),
            what="detail turns SUCCEEDED with its output",
        )
        assert sfn.describe_execution(executionArn=quick)["status"] == "SUCCEEDED"
        await pilot.press("escape")

        long = await start_from_dashboard(pilot, app, "long", '{"who": "Bo", "wait": 600}')
        await pilot.press("x")
        await wait_for(pilot, lambda: "Stop the execution long?" in screen_text(app), what="stop")
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: sfn.describe_execution(executionArn=long)["status"] == "ABORTED",
            what="stopped in the service",
        )
        await wait_for(pilot, lambda: "ABORTED" in screen_text(app), what="ABORTED on screen")

        dashboard.machines.focus()
        await pilot.press("d")
        await wait_for(
            pilot, lambda: f"Delete the state machine {name}?" in screen_text(app), what="delete"
        )
        await wait_for(pilot, lambda: "No execution is running" in screen_text(app), what="ready")
        await pilot.press("y")
        await wait_for(
            pilot, lambda: machine_arn not in dashboard.machines.items, what="gone from the pane"
        )
    names = {m["name"] for m in sfn.list_state_machines()["stateMachines"]}
    assert name not in names
