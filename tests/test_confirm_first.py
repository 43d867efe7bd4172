"""Every destructive action asks first: from the real keys (d on a machine or an
activity, x on a running execution, Ctrl+F on a task, q with a task claimed), the
question is shown and, when the user backs out, the recording proxy in front of the
engine has seen no mutating call and everything is still there."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from sfn_tui.aws.connection import Connection
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.chat import ChatScreen
from sfn_tui.tui.screens.confirm import ConfirmScreen
from sfn_tui.tui.screens.delete_resource import DeleteResourceScreen
from sfn_tui.tui.screens.fail_task import FailTaskScreen
from sfn_tui.tui.screens.stop_execution import StopExecutionScreen
from tests.helpers import boto_client
from tests.pilot_helpers import screen_text, wait_for, wait_shown
from tests.recording_proxy import RecordingProxy

REGION = "me-central-1"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-test"
DESTRUCTIVE = {
    "DeleteStateMachine",
    "DeleteActivity",
    "StopExecution",
    "SendTaskFailure",
    "SendTaskSuccess",
}


@pytest.fixture(scope="module")
def world(engine: str) -> dict[str, str]:
    """A machine with a run waiting on an activity task (running until answered)."""
    sfn = boto_client("stepfunctions", engine, REGION)
    tag = uuid.uuid4().hex[:6]
    activity = sfn.create_activity(name=f"confirm-{tag}")["activityArn"]
    definition = {
        "StartAt": "Ask",
        "States": {
            "Ask": {"Type": "Task", "Resource": activity, "TimeoutSeconds": 300, "End": True}
        },
    }
    machine = sfn.create_state_machine(
        name=f"confirm-{tag}", definition=json.dumps(definition), roleArn=ROLE
    )["stateMachineArn"]
    run = sfn.start_execution(stateMachineArn=machine, name=f"run-{tag}", input='{"n": 1}')
    return {"activity": activity, "machine": machine, "run": run["executionArn"], "tag": tag}


def make_app(proxy: RecordingProxy, worked: frozenset[str] = frozenset()) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=proxy.url, dummy_credentials=True)
    return SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0, worked_activities=worked)


def still_there(engine: str, world: dict[str, str]) -> None:
    sfn = boto_client("stepfunctions", engine, REGION)
    assert sfn.describe_state_machine(stateMachineArn=world["machine"])["status"] == "ACTIVE"
    sfn.describe_activity(activityArn=world["activity"])
    assert sfn.describe_execution(executionArn=world["run"])["status"] == "RUNNING"


async def select(pilot: Any, table: Any, key: str) -> None:
    await wait_for(pilot, lambda: key in table.items, what=f"{key} listed")
    table.focus()
    await pilot.press("home")
    for _ in range(len(table.items)):
        if getattr(table.selected, "arn", None) == key:
            return
        await pilot.press("down")
    assert getattr(table.selected, "arn", None) == key


async def test_delete_and_stop_keys_ask_first_and_escape_sends_nothing(
    engine: str, proxy: RecordingProxy, world: dict[str, str]
) -> None:
    app = make_app(proxy)
    async with app.run_test(size=(130, 42)) as pilot:
        dashboard = app.dashboard
        await select(pilot, dashboard.machines, world["machine"])
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DeleteResourceScreen), what="asks")
        await wait_for(pilot, lambda: "RUNNING" in screen_text(app), what="says what goes")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is dashboard, what="backed out")

        await select(pilot, dashboard.activities, world["activity"])
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DeleteResourceScreen), what="asks")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is dashboard, what="backed out")

        await select(pilot, dashboard.machines, world["machine"])
        await pilot.press("enter")
        await select(pilot, dashboard.executions, world["run"])
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, StopExecutionScreen), what="asks")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is dashboard, what="backed out")
    assert not DESTRUCTIVE & set(proxy.operations), proxy.operations
    assert {"ListStateMachines", "ListExecutions"} <= set(proxy.operations)  # it did talk
    still_there(engine, world)


async def test_fail_task_and_quit_with_a_claimed_task_ask_first(
    engine: str, proxy: RecordingProxy, world: dict[str, str]
) -> None:
    app = make_app(proxy, worked=frozenset({f"confirm-{world['tag']}"}))
    async with app.run_test(size=(130, 42)) as pilot:
        await wait_for(
            pilot,
            lambda: app.inbox is not None and bool(app.inbox.claimed()),
            what="task claimed",
        )
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="chat")
        chat = app.screen
        await wait_for(pilot, lambda: '"n": 1' in screen_text(app), what="task shown")
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, FailTaskScreen), what="asks")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is chat, what="backed out")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.dashboard, what="dashboard")

        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="quit asks")
        await wait_shown(pilot, "not answered")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.dashboard, what="stayed")
        assert app.is_running
        assert not DESTRUCTIVE & set(proxy.operations), proxy.operations
        # Still held and answerable: the run waits on it.
        assert app.inbox is not None and len(app.inbox.claimed()) == 1
        still_there(engine, world)
        # Answer it so the shared run does not wait until its timeout.
        await app.inbox.answer(app.inbox.claimed()[0].id, "{}")


async def test_backing_out_of_delete_activity_keeps_it_worked(
    engine: str, proxy: RecordingProxy, world: dict[str, str]
) -> None:
    """Cancelling "Delete activity" changes nothing, in the service or in the app: the
    activity is still worked, so the next run's task still reaches the chat pane."""
    app = make_app(proxy)
    async with app.run_test(size=(130, 42)) as pilot:
        inbox_ready = lambda: app.inbox is not None and world["activity"] in app.inbox.worked  # noqa: E731
        await select(pilot, app.dashboard.activities, world["activity"])
        await wait_for(pilot, lambda: app.inbox is not None, what="connected")
        await pilot.press("w")  # worked by the user's choice (not by default)
        await wait_for(pilot, inbox_ready, what="activity worked")
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DeleteResourceScreen), what="asks")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.dashboard, what="backed out")
        assert inbox_ready(), "backing out stopped working the activity"
        sfn = boto_client("stepfunctions", engine, REGION)
        sfn.start_execution(stateMachineArn=world["machine"], name=f"next-{uuid.uuid4().hex[:6]}")
        await wait_for(
            pilot, lambda: app.inbox is not None and bool(app.inbox.claimed()), what="task claimed"
        )
        assert app.inbox is not None
        await app.inbox.answer(app.inbox.claimed()[0].id, "{}")
    assert not {"DeleteActivity"} & set(proxy.operations)
