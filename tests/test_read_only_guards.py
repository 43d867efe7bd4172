"""The dashboard's guards, pane by pane, in read-only and in normal mode: which actions
`MainScreen.check_action` allows (what the footer offers and what a key or palette
entry may run), and `_open`, the one door every changing modal goes through. An Express
machine's runs too: no Stop or Redrive (AWS has neither for them), a note in their place
(not in read-only), and its logged window widened.

One short Pilot scene per mode (a few seconds), so scripts/mutation.py can judge the
guards' mutants with it; the routes themselves (keys, palette, detail screen) are
pressed in test_read_only.py and test_read_only_routes.py.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from textual.screen import ModalScreen

from sfn_tui.aws.connection import Connection
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.main import MUTATIONS, MainScreen
from tests.helpers import boto_client
from tests.pilot_helpers import wait_for, wait_shown

REGION = "me-central-1"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-read-only-guards"
ACTIONS = (
    "create",
    "delete",
    "update_state_machine",
    "start_execution",
    "stop_execution",
    "redrive_execution",
    "toggle_work",
    "follow_callbacks",
    "status_filter",
    "follow_newest",
    "graph",
    "versions",
    "refresh",
)
# What each pane allows in normal mode (read-only: the same minus MUTATIONS).
ALLOWED = {
    "machines": {
        "create",
        "delete",
        "update_state_machine",
        "start_execution",
        "follow_callbacks",
        "graph",
        "versions",
        "refresh",
    },
    "running run": {
        "start_execution",
        "stop_execution",
        "status_filter",
        "follow_newest",
        "graph",
        "versions",
        "refresh",
    },
    "stopped run": {
        "start_execution",
        "redrive_execution",
        "status_filter",
        "follow_newest",
        "graph",
        "versions",
        "refresh",
    },
    "activities": {"create", "delete", "toggle_work", "graph", "versions", "refresh"},
}
EXPRESS_ACTIONS = (
    ("express_note", ("stop",)),
    ("express_note", ("redrive",)),
    ("widen_window", ()),
    ("update_state_machine", ()),
    ("stop_execution", ()),
    ("redrive_execution", ()),
)
EXPRESS_ONLY = {"express_note(stop)", "express_note(redrive)", "widen_window"}
# What an Express machine's panes allow in normal mode; read-only: no note (the note
# stands for a change), no update.
EXPRESS_ALLOWED = {
    "machines": {"widen_window", "update_state_machine"},
    "running run": {"express_note(stop)", "widen_window", "update_state_machine"},
    "failed run": {"express_note(redrive)", "widen_window", "update_state_machine"},
}
EXPRESS_READ_ONLY = {
    "machines": {"widen_window"},
    "running run": {"widen_window"},
    "failed run": {"widen_window"},
}
# Fails on {"fail": true}, else waits (its run stays RUNNING a minute).
FAIL_OR_WAIT = {
    "StartAt": "Which",
    "States": {
        "Which": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.fail", "BooleanEquals": True, "Next": "Fail"}],
            "Default": "Wait",
        },
        "Fail": {"Type": "Fail", "Error": "Guards.Failed"},
        "Wait": {"Type": "Wait", "Seconds": 60, "End": True},
    },
}


@pytest.fixture
def world(engine: str) -> Iterator[dict[str, str]]:
    sfn = boto_client("stepfunctions", engine, REGION)
    tag = uuid.uuid4().hex[:6]
    activity = sfn.create_activity(name=f"guards-{tag}")["activityArn"]
    definition = {
        "StartAt": "Ask",
        "States": {"Ask": {"Type": "Task", "Resource": activity, "End": True}},
    }
    machine = sfn.create_state_machine(
        name=f"guards-{tag}", definition=json.dumps(definition), roleArn=ROLE
    )["stateMachineArn"]
    stopped = sfn.start_execution(stateMachineArn=machine, name="stopped")["executionArn"]
    sfn.stop_execution(executionArn=stopped)
    running = sfn.start_execution(stateMachineArn=machine, name="running")["executionArn"]
    logs = boto_client("logs", engine, REGION)
    group = f"/aws/vendedlogs/states/guards-{tag}"
    logs.create_log_group(logGroupName=group)
    group_arn = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["arn"]
    express = sfn.create_state_machine(
        name=f"guards-express-{tag}",
        definition=json.dumps(FAIL_OR_WAIT),
        roleArn=ROLE,
        type="EXPRESS",
        loggingConfiguration={
            "level": "ALL",
            "includeExecutionData": False,
            "destinations": [
                {
                    "cloudWatchLogsLogGroup": {
                        "logGroupArn": group_arn if group_arn.endswith(":*") else group_arn + ":*"
                    }
                }
            ],
        },
    )["stateMachineArn"]
    express_failed = sfn.start_execution(
        stateMachineArn=express, name="failed", input=json.dumps({"fail": True})
    )["executionArn"]
    express_running = sfn.start_execution(stateMachineArn=express, name="running")["executionArn"]
    yield {
        "activity": activity,
        "machine": machine,
        "running": running,
        "stopped": stopped,
        "express": express,
        "express running": express_running,
        "express failed": express_failed,
    }
    sfn.stop_execution(executionArn=running)


class Probe(ModalScreen[None]):
    """A stand-in for a changing modal (Start, Stop, Delete...)."""


async def focused(pilot: Any, screen: MainScreen, pane: Any) -> None:
    await wait_for(pilot, lambda: screen.focused is pane, what=f"{pane.id} focused")


def said(app: SfnTuiApp) -> set[tuple[str, str]]:
    """The notifications shown, with their severity."""
    return {(str(n.message), n.severity) for n in app._notifications}


def allowed(screen: MainScreen) -> set[str]:
    return {action for action in ACTIONS if screen.check_action(action, ())}


def express_allowed(screen: MainScreen) -> set[str]:
    """The Express actions allowed ("express_note(stop)" for one with a parameter)."""
    return {
        f"{action}({parameters[0]})" if parameters else action
        for action, parameters in EXPRESS_ACTIONS
        if screen.check_action(action, parameters)
    }


@pytest.mark.parametrize("read_only", [True, False], ids=["read-only", "normal"])
async def test_each_pane_allows_what_it_should(
    engine: str, world: dict[str, str], read_only: bool
) -> None:
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    app = SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0, read_only=read_only)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        dashboard = app.dashboard
        await wait_for(pilot, lambda: world["machine"] in dashboard.machines.items, what="listed")
        dashboard.machines.focus()
        dashboard.machines.select_key(world["machine"])
        await wait_for(pilot, lambda: world["activity"] in dashboard.activities.items, what="act")
        await wait_for(
            pilot,
            lambda: {world["running"], world["stopped"]} <= set(dashboard.executions.items),
            what="the runs listed",
        )
        seen: dict[str, set[str]] = {}
        await focused(pilot, dashboard, dashboard.machines)
        seen["machines"] = allowed(dashboard)
        notes = {"machines": express_allowed(dashboard) & EXPRESS_ONLY}
        for name, run in (("running run", "running"), ("stopped run", "stopped")):
            dashboard.executions.focus()
            await focused(pilot, dashboard, dashboard.executions)
            dashboard.executions.select_key(world[run])
            await wait_for(
                pilot,
                lambda run=run: (
                    dashboard.executions.selected is not None
                    and dashboard.executions.selected.arn == world[run]
                ),
                what=f"the {run} run selected",
            )
            seen[name] = allowed(dashboard)
            notes[name] = express_allowed(dashboard) & EXPRESS_ONLY
        dashboard.activities.focus()
        dashboard.activities.select_key(world["activity"])
        await focused(pilot, dashboard, dashboard.activities)
        seen["activities"] = allowed(dashboard)
        notes["activities"] = express_allowed(dashboard) & EXPRESS_ONLY

        expected = {
            pane: actions - (MUTATIONS if read_only else set()) for pane, actions in ALLOWED.items()
        }
        assert seen == expected
        assert notes == {pane: set() for pane in ALLOWED}  # Standard: no Express keys

        # The Express machine watched: its logged runs, no Stop or Redrive.
        dashboard.machines.focus()
        await focused(pilot, dashboard, dashboard.machines)
        dashboard.machines.select_key(world["express"])
        await wait_for(
            pilot,
            lambda: dashboard.watched is not None and dashboard.watched.arn == world["express"],
            what="the Express machine watched",
        )
        express_seen = {"machines": express_allowed(dashboard)}
        await wait_for(
            pilot,
            lambda: (
                {world["express running"], world["express failed"]}
                <= set(dashboard.executions.items)
            ),
            what="its logged runs listed",
        )
        dashboard.executions.focus()
        await focused(pilot, dashboard, dashboard.executions)
        for name, run in (("running run", "express running"), ("failed run", "express failed")):
            dashboard.executions.select_key(world[run])
            await wait_for(
                pilot,
                lambda run=run: getattr(dashboard.executions.selected, "arn", None) == world[run],
                what=f"the Express {run} selected",
            )
            express_seen[name] = express_allowed(dashboard)
        assert express_seen == (EXPRESS_READ_ONLY if read_only else EXPRESS_ALLOWED)

        changes: list[object] = []
        if not read_only:
            client, app.client = app.client, None  # as while it connects at start
            dashboard._open(Probe(), changes.append)
            await wait_for(
                pilot, lambda: ("Not connected yet.", "warning") in said(app), what="not yet"
            )
            assert not isinstance(app.screen, Probe)
            app.client = client
        dashboard._open(Probe(), changes.append)
        if read_only:
            await wait_shown(pilot, "Read-only mode: nothing can be changed.")
            assert ("Read-only mode: nothing can be changed.", "warning") in said(app)
            assert not isinstance(app.screen, Probe)
        else:
            await wait_for(pilot, lambda: isinstance(app.screen, Probe), what="the modal open")
            app.screen.dismiss(None)
            await wait_for(pilot, lambda: changes == [None], what="its callback")


EMPTY_REGION = "us-isof-south-1"  # nothing is ever created there
# What each pane allows with nothing to act on (normal mode).
ALLOWED_EMPTY = {
    "machines": {"create", "refresh"},
    "executions": {"status_filter", "follow_newest", "refresh"},
    "activities": {"create", "refresh"},
}


async def test_an_empty_dashboard_offers_nothing_to_act_on(engine: str) -> None:
    connection = Connection(region=EMPTY_REGION, endpoint_url=engine, dummy_credentials=True)
    app = SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0)
    async with app.run_test(size=(140, 40)) as pilot:
        dashboard = app.dashboard
        await wait_shown(
            pilot,
            f"No state machines in {EMPTY_REGION}",
            f"No activities in {EMPTY_REGION}",
            "Select a state machine to see its executions",
        )
        seen: dict[str, set[str]] = {}
        for name, pane in (
            ("machines", dashboard.machines),
            ("executions", dashboard.executions),
            ("activities", dashboard.activities),
        ):
            pane.focus()
            await focused(pilot, dashboard, pane)
            seen[name] = allowed(dashboard) | express_allowed(dashboard)
        assert seen == ALLOWED_EMPTY
        await wait_shown(pilot, "Quit", absent=("Graph", "Versions"))
