"""--read-only shows everything and changes nothing: every mutating key is tried and
the proxy in front of the engine sees only reads."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette

from sfn_tui.aws.connection import Connection
from sfn_tui.config import ConfigProblem, load_settings
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.commands import COMMANDS
from tests.helpers import boto_client
from tests.pilot_helpers import wait_for, wait_shown
from tests.recording_proxy import RecordingProxy

REGION = "eu-west-3"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-test"
READS = {
    "ListStateMachines",
    "ListActivities",
    "ListExecutions",
    "DescribeStateMachine",
    "DescribeExecution",
    "DescribeActivity",
    "DescribeStateMachineForExecution",
    "GetExecutionHistory",
    "ListMapRuns",
    "DescribeMapRun",
    "ListRoles",
    "GetRole",
    "ValidateStateMachineDefinition",
    "ListStateMachineVersions",
    "ListStateMachineAliases",
    "DescribeStateMachineAlias",
}


def sfn_client(endpoint: str, region: str = REGION) -> Any:
    return boto_client("stepfunctions", endpoint, region)


async def test_read_only_makes_no_mutating_call(engine: str, proxy: RecordingProxy) -> None:
    sfn = sfn_client(engine)
    activity = sfn.create_activity(name=f"ro-{uuid.uuid4().hex[:6]}")
    definition = {
        "StartAt": "Ask",
        "States": {"Ask": {"Type": "Task", "Resource": activity["activityArn"], "End": True}},
    }
    machine = sfn.create_state_machine(
        name=f"ro-{uuid.uuid4().hex[:6]}", definition=json.dumps(definition), roleArn=ROLE
    )["stateMachineArn"]
    run = sfn.start_execution(stateMachineArn=machine, name="waiting")["executionArn"]
    connection = Connection(region=REGION, endpoint_url=proxy.url, dummy_credentials=True)
    name = activity["activityArn"].rsplit(":", 1)[1]
    app = SfnTuiApp(
        connection,
        poll_interval=0.5,
        catalog_interval=1.0,
        read_only=True,
        worked_activities=frozenset({name}),
    )
    async with app.run_test(size=(120, 36)) as pilot:
        dashboard = app.dashboard
        await wait_for(pilot, lambda: machine in dashboard.machines.items, what="listed")
        await wait_shown(pilot, "READ-ONLY")
        # Every key that changes something, on every pane.
        for pane in (dashboard.machines, dashboard.executions, dashboard.activities):
            pane.focus()
            for key in ("n", "w", "a", "e", "d", "s", "x", "R", "enter", "escape"):
                await pilot.press(key)
                await pilot.press("escape")
        await pilot.press("c")
        for key in ("1", "ctrl+s", "ctrl+f", "ctrl+r", "ctrl+d", "escape"):
            await pilot.press(key)
        await wait_for(pilot, lambda: len(proxy.operations) > 10, what="polling through proxy")
        assert app.inbox is not None and not app.inbox.worked
    mutating = sorted(set(proxy.operations) - READS)
    assert mutating == [], f"read-only mode called {mutating}"
    assert sfn.describe_execution(executionArn=run)["status"] == "RUNNING"
    sfn.stop_execution(executionArn=run)


def test_read_only_from_the_settings_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("read_only = true\npoll_interval = 5\n")
    settings = load_settings(path)
    assert settings.read_only and settings.poll_interval == 5.0
    path.write_text("read_only = 'yes'\n")
    with pytest.raises(ConfigProblem, match="read_only must be true or false"):
        load_settings(path)
    path.write_text("raed_only = true\n")
    with pytest.raises(ConfigProblem, match="unknown setting"):
        load_settings(path)


MUTATING_ENTRIES = (
    "Start execution",
    "Stop execution",
    "Redrive execution",
    "Create state machine",
    "Update state machine",
    "Delete state machine",
    "Create activity",
    "Delete activity",
    "New ChatSFN run",
    "New approval run",
    "Work or stop working the selected activity",
)


async def test_read_only_palette_hides_and_refuses_mutations(
    engine: str, proxy: RecordingProxy
) -> None:
    """Ctrl+P in --read-only: no entry that changes something is listed (typed in full,
    the palette finds nothing), Enter on the query sends nothing, and the same actions
    run by name are refused with a message."""
    sfn = sfn_client(engine)
    machine = sfn.create_state_machine(
        name=f"ro-palette-{uuid.uuid4().hex[:6]}",
        definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
        roleArn=ROLE,
    )["stateMachineArn"]
    sfn.start_execution(stateMachineArn=machine, name="done")
    sfn.create_activity(name=f"ro-palette-{uuid.uuid4().hex[:6]}")
    connection = Connection(region=REGION, endpoint_url=proxy.url, dummy_credentials=True)
    app = SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0, read_only=True)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        dashboard = app.dashboard
        await wait_for(pilot, lambda: machine in dashboard.machines.items, what="listed")
        dashboard.machines.select_key(machine)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="palette")
        await pilot.press(*"Refresh")
        await wait_shown(pilot, "List state machines, activities and executions again now")
        await pilot.press("escape")
        for entry in MUTATING_ENTRIES:
            await wait_for(pilot, lambda: app.screen is dashboard, what="palette closed")
            await pilot.press("ctrl+p")
            await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="palette")
            await pilot.press(*entry)
            shown = await wait_shown(pilot, "No matches found")
            assert shown.count(entry) == 1, f"{entry!r} is listed"  # once: the query typed
            await pilot.press("enter")
            await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is dashboard, what="palette closed")
        # Invoked some other way (a keymap, an embedder): refused, said, nothing opened.
        for text, _, action in COMMANDS:
            if text in MUTATING_ENTRIES:
                await app.run_action(action)
                assert app.screen is dashboard, f"{text} opened {app.screen!r}"
        await wait_shown(pilot, "Read-only mode")
        assert app.inbox is not None and not app.inbox.worked
    mutating = sorted(set(proxy.operations) - READS)
    assert mutating == [], f"read-only mode called {mutating}"
