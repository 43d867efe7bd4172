"""The guided approval run from the keyboard, on the real engine: N, a topic, Start;
the chat pane shows round 1's pitches (a callback found in the run's history), 4 asks
for another round, 2 accepts round 2's second pitch; the run ends with that pitch;
Ctrl+D cleans up the machine, the queue and the role."""

from __future__ import annotations

import json
from typing import Any

import boto3

from sfn_tui.aws.connection import Connection
from sfn_tui.core import approval
from sfn_tui.core.inbox import TaskStatus
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.chat import ChatScreen
from sfn_tui.tui.screens.confirm import ConfirmScreen
from sfn_tui.tui.screens.guided_approval import GuidedApprovalScreen
from tests.pilot_helpers import wait_for, wait_shown
from tests.test_key_order import all_handled, burst

REGION = "eu-central-2"


def clients(engine: str) -> tuple[Any, Any, Any]:
    kw = {
        "endpoint_url": engine,
        "region_name": REGION,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    return (
        boto3.client("stepfunctions", **kw),
        boto3.client("sqs", **kw),
        boto3.client("iam", **kw),
    )


async def answerable(pilot: Any, chat: ChatScreen) -> None:
    """The reply area shows the waiting callback's choices (the message itself may be
    in the conversation a moment before: it is read from the run's history)."""
    await wait_for(
        pilot,
        lambda: (
            chat.current_task is not None
            and chat.current_task.callback is not None
            and chat.current_task.status is TaskStatus.WAITING
            and chat.query_one("#actions").display
        ),
        what="the choices offered",
    )


async def test_guided_approval_run_with_another_round_then_clean_up(engine: str) -> None:
    sfn, sqs, iam = clients(engine)
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    app = SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0)
    async with app.run_test(size=(130, 42)) as pilot:
        await wait_for(pilot, lambda: app.inbox is not None, what="connected")
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "N"))
        await wait_for(pilot, lambda: isinstance(app.screen, GuidedApprovalScreen), what="asks")
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "a lighthouse", "enter"))
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="chat pane")
        chat = app.screen
        assert isinstance(chat, ChatScreen) and chat.guided is not None
        run = chat.guided.execution_arn
        await wait_shown(pilot, "Round 1", flat=True)
        await answerable(pilot, chat)
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "4"))
        await wait_shown(pilot, "Round 2", flat=True)
        await answerable(pilot, chat)
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "2"))
        await wait_for(
            pilot,
            lambda: sfn.describe_execution(executionArn=run)["status"] == "SUCCEEDED",
            what="the run ended",
        )
        output = json.loads(sfn.describe_execution(executionArn=run)["output"])
        assert output["rounds"] == 2
        assert "quiet drama about a lighthouse (round 2)" in output["chosen"]
        await wait_shown(pilot, "SUCCEEDED", "Ctrl+D cleans up", flat=True)
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "ctrl+d"))
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="asks first")
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "y"))

        def all_gone() -> bool:
            machines = {m["name"] for m in sfn.list_state_machines()["stateMachines"]}
            queues = sqs.list_queues().get("QueueUrls", [])
            roles = {r["RoleName"] for r in iam.list_roles()["Roles"]}
            return (
                approval.STATE_MACHINE_NAME not in machines
                and not any(q.endswith(approval.QUEUE_NAME) for q in queues)
                and approval.ROLE_NAME not in roles
            )

        await wait_for(pilot, all_gone, what="machine, queue and role deleted")
