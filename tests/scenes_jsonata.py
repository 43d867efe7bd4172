"""Screenshot scenes of JSONata and variables (drawn by scripts/screenshots.py): the
Test state modal after a DEBUG run, and the States tab of a JSONata run with variables.
Their own region, so the demo's scenes are unchanged."""

from __future__ import annotations

import json
from typing import Any

from textual.widgets import Select

from sfn_tui.core.machine_templates import JSONATA_TEMPLATE
from sfn_tui.tui.screens.execution_detail import ExecutionDetailScreen
from sfn_tui.tui.screens.state_machine_graph import StateMachineGraphScreen
from sfn_tui.tui.screens.test_state import TestStateScreen
from tests.helpers import wait_until
from tests.pilot_helpers import wait_for
from tests.scenes import sfn_client

REGION = "ap-east-2"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-scenes"
ORDERS = {
    "QueryLanguage": "JSONata",
    "StartAt": "Count",
    "States": {
        "Count": {
            "Type": "Pass",
            "Assign": {"customer": "{% $states.input.customer %}", "lines": 0},
            "Output": "{% $states.input.items %}",
            "Next": "Price",
        },
        "Price": {
            "Type": "Map",
            "ItemProcessor": {
                "StartAt": "Line",
                "States": {
                    "Line": {
                        "Type": "Pass",
                        "Assign": {"line": "{% $states.input.qty * $states.input.price %}"},
                        "Output": "{% $states.input.qty * $states.input.price %}",
                        "End": True,
                    }
                },
            },
            "Assign": {
                "total": "{% $sum($states.result) %}",
                "lines": "{% $count($states.result) %}",
            },
            "Next": "Invoice",
        },
        "Invoice": {
            "Type": "Pass",
            "Output": {"customer": "{% $customer %}", "total": "{% $total %}"},
            "End": True,
        },
    },
}


def prepare(endpoint: str, region: str = REGION) -> dict[str, str]:
    """Greeter (the JSONata template) and Orders with one finished run. Idempotent."""
    sfn = sfn_client(endpoint, region)
    arns = {m["name"]: m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]}
    for name, definition in (("Greeter", JSONATA_TEMPLATE), ("Orders", json.dumps(ORDERS))):
        if name not in arns:
            arns[name] = sfn.create_state_machine(name=name, definition=definition, roleArn=ROLE)[
                "stateMachineArn"
            ]
    runs = sfn.list_executions(stateMachineArn=arns["Orders"])["executions"]
    if runs:
        run = runs[0]["executionArn"]
    else:
        items = [{"qty": 2, "price": 5}, {"qty": 1, "price": 12}]
        run = sfn.start_execution(
            stateMachineArn=arns["Orders"],
            name="order-1001",
            input=json.dumps({"customer": "Ada", "items": items}),
        )["executionArn"]
    wait_until(
        lambda: sfn.describe_execution(executionArn=run)["status"] != "RUNNING",
        timeout=30,
        message=f"still running: {run}",
    )
    return {"greeter": arns["Greeter"], "orders": arns["Orders"], "run": run}


def test_state_debug(machine: str) -> Any:
    async def scene(pilot: Any) -> None:
        app = pilot.app
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        graph = StateMachineGraphScreen(machine)
        await app.push_screen(graph)
        await wait_for(pilot, lambda: graph.machine is not None, what="loaded")
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, TestStateScreen), what="modal")
        modal = app.screen
        modal.input_editor.replace_text('{"name": "Ada"}')
        modal.variables_editor.replace_text('{"greeting": "Hi"}')
        modal.query_one("#ts-state", Select).value = "Greet"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: bool(modal.query(".ts-step")), what="answered")
        modal.set_focus(None)
        app.clear_notifications()

    return scene


def run_variables(run: str) -> Any:
    async def scene(pilot: Any) -> None:
        app = pilot.app
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        screen = ExecutionDetailScreen(run)
        await app.push_screen(screen)
        await wait_for(pilot, lambda: screen.finished and bool(screen.definition), what="loaded")
        await pilot.press("3")
        screen.runs_table.cursor = [r.name for r in screen.history.runs].index("Invoice")
        await pilot.pause()
        app.clear_notifications()

    return scene
