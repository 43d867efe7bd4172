"""Callbacks in the chat pane: runs waiting at a `.waitForTaskToken` Task are found in
their history and answered from the chat pane, against the real engine (SQS here).
What the run received is read back through the API."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from sfn_tui.aws.connection import Connection
from sfn_tui.core.inbox import TaskStatus
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.chat import ChatScreen
from sfn_tui.tui.screens.fail_task import FailTaskScreen
from tests.pilot_helpers import wait_for, wait_shown
from tests.test_key_order import all_handled, burst

REGION = "eu-south-2"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-callbacks"
HEARTBEAT = 6  # seconds: room for the callback to be found (the first look is at once)


@pytest.fixture
def clients(engine: str) -> tuple[Any, Any]:
    kw = {
        "endpoint_url": engine,
        "region_name": REGION,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    return boto3.client("stepfunctions", **kw), boto3.client("sqs", **kw)


def approval(queue_url: str, body: dict[str, Any], **task: Any) -> dict[str, Any]:
    ask = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": queue_url, "MessageBody": body},
        "ResultPath": "$.answer",
        "End": True,
        **task,
    }
    return {"StartAt": "Approve", "States": {"Approve": ask}}


@pytest.fixture
def machine(clients: tuple[Any, Any]) -> Iterator[Any]:
    sfn, sqs = clients
    made: list[str] = []

    def make(body: dict[str, Any], **task: Any) -> tuple[str, str]:
        tag = uuid.uuid4().hex[:6]
        queue = sqs.create_queue(QueueName=f"approvals-{tag}")["QueueUrl"]
        arn = sfn.create_state_machine(
            name=f"approvals-{tag}",
            definition=json.dumps(approval(queue, body, **task)),
            roleArn=ROLE,
        )["stateMachineArn"]
        made.append(arn)
        run = sfn.start_execution(stateMachineArn=arn, name=f"r-{tag}", input="{}")
        return arn, run["executionArn"]

    yield make
    for arn in made:
        sfn.delete_state_machine(stateMachineArn=arn)


CHOICE = {"message": "Ship order 42?", "actions": ["approve", "reject"], "token.$": "$$.Task.Token"}


def make_app(engine: str, **kwargs: Any) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    return SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0, **kwargs)


async def callback_shown(pilot: Any, app: SfnTuiApp, machine_arn: str) -> ChatScreen:
    """Watch the machine on the dashboard, then open the chat pane on its callback."""
    dashboard = app.dashboard
    await wait_for(pilot, lambda: machine_arn in dashboard.machines.items, what="listed")
    dashboard.machines.focus()
    dashboard.machines.select_key(machine_arn)
    await wait_for(
        pilot,
        lambda: app.inbox is not None and any(t.callback is not None for t in app.inbox.waiting()),
        what="the callback found",
    )
    await pilot.press("c")
    await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="chat pane")
    chat = app.screen
    assert isinstance(chat, ChatScreen)
    await wait_for(pilot, lambda: chat.current_task is not None, what="the callback shown")
    return chat


def status(sfn: Any, run: str) -> dict[str, Any]:
    return sfn.describe_execution(executionArn=run)


async def test_a_callback_is_answered_from_the_chat_pane(
    engine: str, clients: tuple[Any, Any], machine: Any
) -> None:
    sfn, _ = clients
    arn, run = machine(CHOICE)
    app = make_app(engine)
    async with app.run_test(size=(130, 40)) as pilot:
        chat = await callback_shown(pilot, app, arn)
        screen = await wait_shown(pilot, "Ship order 42?", "approve", "reject", "Approve waits")
        assert "sqs:sendMessage" in screen
        assert chat.current_task is not None and chat.current_task.task.token not in screen
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "1"))
        await wait_for(
            pilot, lambda: status(sfn, run)["status"] == "SUCCEEDED", what="the run went on"
        )
        await wait_shown(pilot, "you: approve")
    assert json.loads(status(sfn, run)["output"])["answer"] == {"action": "approve"}


async def test_a_callback_failed_with_an_error_and_cause(
    engine: str, clients: tuple[Any, Any], machine: Any
) -> None:
    sfn, _ = clients
    arn, run = machine({"order.$": "$$.Execution.Name", "token.$": "$$.Task.Token"})
    app = make_app(engine)
    async with app.run_test(size=(130, 40)) as pilot:
        await callback_shown(pilot, app, arn)
        await wait_shown(pilot, "Ctrl+S sends it, Ctrl+F fails the task")
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "ctrl+f"))
        await wait_for(pilot, lambda: isinstance(app.screen, FailTaskScreen), what="fail modal")
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "out of stock", "enter"))
        await wait_for(pilot, lambda: status(sfn, run)["status"] == "FAILED", what="failed")
    described = status(sfn, run)
    assert (described["error"], described["cause"]) == ("Operator.Rejected", "out of stock")


async def test_heartbeats_keep_a_callback_alive_while_it_is_answered(
    engine: str, clients: tuple[Any, Any], machine: Any
) -> None:
    sfn, _ = clients
    arn, run = machine(CHOICE, HeartbeatSeconds=HEARTBEAT)
    app = make_app(engine)
    async with app.run_test(size=(130, 40)) as pilot:
        chat = await callback_shown(pilot, app, arn)
        item = chat.current_task
        assert item is not None and item.heartbeat_seconds == HEARTBEAT
        # Four heartbeats a third of HeartbeatSeconds apart: past HeartbeatSeconds.
        await wait_for(pilot, lambda: item.heartbeats_sent >= 4, what="heartbeats")
        assert status(sfn, run)["status"] == "RUNNING"
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "2"))
        await wait_for(pilot, lambda: status(sfn, run)["status"] == "SUCCEEDED", what="answered")


async def test_a_callback_whose_token_is_not_in_the_history_says_why(
    engine: str, clients: tuple[Any, Any], machine: Any, proxy: Any
) -> None:
    """The token reaches the queue inside a formatted string: the history has it only
    inside that text, not where the definition passes `$$.Task.Token`."""
    arn, _run = machine({"text.$": "States.Format('token {}', $$.Task.Token)"})
    app = make_app(proxy.url)
    async with app.run_test(size=(130, 40)) as pilot:
        chat = await callback_shown(pilot, app, arn)
        await wait_shown(pilot, "cannot be answered from here", flat=True)
        assert chat.current_task is not None
        assert chat.current_task.status is TaskStatus.WAITING
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "ctrl+s", "ctrl+f"))
    assert not {"SendTaskSuccess", "SendTaskFailure"} & set(proxy.operations)


async def test_read_only_lists_callbacks_and_answers_none(
    engine: str, clients: tuple[Any, Any], machine: Any, proxy: Any
) -> None:
    arn, _run = machine(CHOICE)
    app = make_app(proxy.url, read_only=True)
    async with app.run_test(size=(130, 40)) as pilot:
        await callback_shown(pilot, app, arn)
        await wait_shown(pilot, "Ship order 42?", "Read-only mode")
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "1", "enter", "ctrl+f"))
    assert not {"SendTaskSuccess", "SendTaskFailure", "SendTaskHeartbeat"} & set(proxy.operations)
