"""Quitting with claimed tasks: the question states what quitting will do now, tasks
that arrive while it is open included, and quitting does exactly that (one, two, many
tasks: each is failed with Worker.Shutdown, read back through the API)."""

from __future__ import annotations

import json
import uuid

from sfn_tui.aws.connection import Connection
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.quit_prompt import QuitPrompt
from tests.helpers import boto_client
from tests.pilot_helpers import wait_for, wait_shown

REGION = "il-central-1"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-quit"


async def test_the_quit_question_counts_tasks_arriving_while_it_is_open(engine: str) -> None:
    sfn = boto_client("stepfunctions", engine, REGION)
    tag = uuid.uuid4().hex[:6]
    activity = sfn.create_activity(name=f"quit-{tag}")["activityArn"]
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Task", "Resource": activity, "End": True}},
    }
    machine = sfn.create_state_machine(
        name=f"quit-{tag}", definition=json.dumps(definition), roleArn=ROLE
    )["stateMachineArn"]

    def start() -> str:
        return sfn.start_execution(stateMachineArn=machine, name=uuid.uuid4().hex[:10])[
            "executionArn"
        ]

    runs = [start()]
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    app = SfnTuiApp(
        connection,
        poll_interval=0.5,
        catalog_interval=1.0,
        worked_activities=frozenset({f"quit-{tag}"}),
    )

    def claimed() -> int:
        return len(app.inbox.claimed()) if app.inbox is not None else 0

    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: claimed() == 1, what="one task claimed")
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, QuitPrompt), what="asked")
        await wait_shown(pilot, "1 claimed task is not answered", "Fail it and quit", flat=True)
        runs += [start(), start()]
        await wait_for(pilot, lambda: claimed() == 3, what="two more claimed")
        await wait_shown(pilot, "3 claimed tasks are not answered", "Fail them and quit", flat=True)
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.is_running, what="quit")
    for run in runs:
        described = sfn.describe_execution(executionArn=run)
        assert (described["status"], described.get("error")) == ("FAILED", "Worker.Shutdown")
