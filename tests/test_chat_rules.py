"""The chat pane's rules, against the real engine and asserting what the runs received.

- Nothing but the user's keys moves the focus, the task list's cursor or the task the
  reply area shows: inbox changes (tasks arriving, history reloads) while the user is
  choosing never change what Enter or a number key answers.
- A key typed before a task appeared on screen does not answer it; a task that closed
  under the user is not answered: nothing is sent, and the user is told why.
- A reply being typed is kept with its task: leaving the pane, or looking at another
  task, does not lose it.
"""

from __future__ import annotations

import json
import os
import random
import uuid
from typing import Any

import boto3
import pytest
from textual import _time, events
from textual.widgets import OptionList, TextArea

from sfn_tui.aws.connection import Connection
from sfn_tui.core.inbox import TaskStatus
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.chat import ChatScreen
from tests.pilot_helpers import wait_for, wait_shown
from tests.recording_proxy import RecordingProxy
from tests.test_key_order import all_handled, burst

REGION = "ap-south-2"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-chat-rules"
ACTIONS = ["song", "poem", "story"]


def ask(activity_arn: str, chat: bool) -> dict[str, Any]:
    parameters: dict[str, Any] = (
        {"message.$": "$$.Execution.Name", "actions": ACTIONS}
        if chat
        else {"order.$": "$$.Execution.Name"}
    )
    return {
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "Task",
                "Resource": activity_arn,
                "Parameters": parameters,
                "ResultPath": "$.answer",
                "TimeoutSeconds": 300,
                "End": True,
            }
        },
    }


@pytest.fixture
def sfn(engine: str) -> Any:
    return boto3.client(
        "stepfunctions",
        endpoint_url=engine,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def callback_machine(queue_url: str) -> dict[str, Any]:
    """A ChatSFN-shaped question asked through an SQS .waitForTaskToken callback."""
    body = {"message.$": "$$.Execution.Name", "actions": ACTIONS, "token.$": "$$.Task.Token"}
    ask = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": queue_url, "MessageBody": body},
        "ResultPath": "$.answer",
        "TimeoutSeconds": 300,
        "End": True,
    }
    return {"StartAt": "Ask", "States": {"Ask": ask}}


@pytest.fixture
def world(sfn: Any, engine: str) -> dict[str, str]:
    """A ChatSFN-shaped machine and a generic one, each on its own activity, and a
    ChatSFN-shaped one asking through a callback."""
    tag = uuid.uuid4().hex[:6]
    found: dict[str, str] = {"tag": tag}
    sqs = boto3.client(
        "sqs",
        endpoint_url=engine,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    queue = sqs.create_queue(QueueName=f"rules-{tag}")["QueueUrl"]
    found["callback_machine"] = sfn.create_state_machine(
        name=f"rules-callback-{tag}", definition=json.dumps(callback_machine(queue)), roleArn=ROLE
    )["stateMachineArn"]
    for kind in ("chat", "json"):
        activity = sfn.create_activity(name=f"rules-{kind}-{tag}")["activityArn"]
        machine = sfn.create_state_machine(
            name=f"rules-{kind}-{tag}",
            definition=json.dumps(ask(activity, kind == "chat")),
            roleArn=ROLE,
        )["stateMachineArn"]
        found[f"{kind}_activity"], found[f"{kind}_machine"] = activity, machine
    yield found
    for machine in (found["chat_machine"], found["callback_machine"]):
        for page in sfn.get_paginator("list_executions").paginate(
            stateMachineArn=machine, statusFilter="RUNNING"
        ):
            for run in page["executions"]:
                sfn.stop_execution(executionArn=run["executionArn"])


def make_app(proxy: RecordingProxy, world: dict[str, str]) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=proxy.url, dummy_credentials=True)
    worked = frozenset(world[k].rsplit(":", 1)[1] for k in ("chat_activity", "json_activity"))
    return SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0, worked_activities=worked)


def start(sfn: Any, world: dict[str, str], kind: str = "chat") -> str:
    name = f"{kind}-{uuid.uuid4().hex[:8]}"
    sfn.start_execution(stateMachineArn=world[f"{kind}_machine"], name=name, input="{}")
    return name


def claimed_runs(app: SfnTuiApp) -> set[str]:
    """Runs with a task waiting in the app: claimed activity tasks and callbacks found."""
    inbox = app.inbox
    if inbox is None:
        return set()
    return {
        t.execution_arn.rsplit(":", 1)[1] for t in inbox.waiting() if t.execution_arn is not None
    }


async def until_claimed(pilot: Any, app: SfnTuiApp, *names: str) -> None:
    await wait_for(pilot, lambda: set(names) <= claimed_runs(app), what=f"tasks of {names} claimed")


def answers(proxy: RecordingProxy) -> list[str]:
    return [params["output"] for params in proxy.sent("SendTaskSuccess")]


def run_status(sfn: Any, world: dict[str, str], name: str, kind: str = "chat") -> dict[str, Any]:
    arn = world[f"{kind}_machine"].replace(":stateMachine:", ":execution:") + f":{name}"
    return sfn.describe_execution(executionArn=arn)


def chat_state(chat: ChatScreen) -> tuple[Any, str | None, str | None]:
    task_list = chat.query_one("#task-list", OptionList)
    index = task_list.highlighted
    highlighted = task_list.get_option_at_index(index).id if index is not None else None
    return chat.focused, highlighted, chat._shown_task


async def test_inbox_changes_never_move_the_users_choice(
    engine: str, sfn: Any, proxy: RecordingProxy, world: dict[str, str]
) -> None:
    """Randomised: the user moves among the tasks while new tasks keep arriving and the
    pane reloads; after every change the focus, the list's cursor and the task shown
    are where the user left them; Enter then a number key answers the task the user
    picked, with the action the user pressed."""
    seed = int(os.environ.get("SFN_TUI_CHAT_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    first, second = start(sfn, world), start(sfn, world, "callback")
    app = make_app(proxy, world)
    async with app.run_test(size=(130, 40), notifications=True) as pilot:
        await wait_for(pilot, lambda: app.inbox is not None, what="connected")
        app.follow_callbacks_of(world["callback_machine"])
        await until_claimed(pilot, app, first, second)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="chat pane")
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        await wait_for(pilot, lambda: chat._shown_task is not None, what="a task shown")
        task_list = chat.query_one("#task-list", OptionList)
        arrived = [first, second]
        for _round in range(5):
            moves = [
                rng.choice(("tab", "shift+tab", "down", "up")) for _ in range(rng.randint(1, 3))
            ]
            await all_handled(pilot, app.keys.arrivals, burst(pilot, *moves))
            before = chat_state(chat)
            arrived.append(start(sfn, world, rng.choice(("chat", "callback"))))
            await until_claimed(pilot, app, arrived[-1])
            await wait_for(
                pilot,
                lambda: task_list.option_count == len(app.inbox.tasks),  # type: ignore[union-attr]
                what="the new task listed",
            )
            await pilot.pause()
            assert chat_state(chat) == before, f"seed {seed}: an inbox change moved the choice"
        # Pick the second task in the list by keys, then answer it with action 2.
        task_list.focus()
        await wait_for(pilot, lambda: chat.focused is task_list, what="task list focused")
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "home", "down", "enter"))
        picked = task_list.get_option_at_index(1).id
        await wait_for(pilot, lambda: chat._shown_task == picked, what="picked task shown")
        # One more arrives between the pick and the key.
        arrived.append(start(sfn, world, rng.choice(("chat", "callback"))))
        await until_claimed(pilot, app, arrived[-1])
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "2"))
        await wait_for(pilot, lambda: len(answers(proxy)) == 1, what="one answer sent")
        assert app.inbox is not None
        target = app.inbox.get(picked)
        target_arn = target.execution_arn
        assert target_arn is not None
        await wait_for(
            pilot,
            lambda: sfn.describe_execution(executionArn=target_arn)["status"] == "SUCCEEDED",
            what="the picked run answered",
        )
    output = json.loads(sfn.describe_execution(executionArn=target_arn)["output"])
    assert output["answer"] == {"action": "poem"}, f"seed {seed}"
    assert answers(proxy) == [json.dumps({"action": "poem"})], f"seed {seed}"


async def test_a_key_typed_before_the_task_appeared_answers_nothing(
    engine: str, sfn: Any, proxy: RecordingProxy, world: dict[str, str]
) -> None:
    run = start(sfn, world)
    app = make_app(proxy, world)
    async with app.run_test(size=(130, 40), notifications=True) as pilot:
        await until_claimed(pilot, app, run)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="chat pane")
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        await wait_for(pilot, lambda: chat._shown_task is not None, what="task shown")
        early = events.Key("1", "1")
        early.time = chat._shown_at - 0.05  # typed just before the task was drawn
        await all_handled(pilot, app.keys.arrivals, burst(pilot, early))
        await wait_shown(pilot, "appeared after you pressed the key", flat=True)
        assert answers(proxy) == []
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "1"))  # now it answers
        await wait_for(pilot, lambda: len(answers(proxy)) == 1, what="answered")


async def test_a_task_closed_under_the_user_is_not_answered(
    engine: str, sfn: Any, proxy: RecordingProxy, world: dict[str, str]
) -> None:
    run = start(sfn, world)
    app = make_app(proxy, world)
    async with app.run_test(size=(130, 40), notifications=True) as pilot:
        await until_claimed(pilot, app, run)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="chat pane")
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        await wait_for(pilot, lambda: chat._shown_task is not None, what="task shown")
        sfn.stop_execution(executionArn=run_status(sfn, world, run)["executionArn"])
        assert app.inbox is not None
        await app.inbox.check_now()  # the liveness check (every 5 s) sees the run ended
        await wait_for(
            pilot, lambda: chat.current_task.status is TaskStatus.EXPIRED, what="expired"
        )  # type: ignore[union-attr]
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "1"))
        await wait_shown(pilot, "can no longer be answered", flat=True)
        assert answers(proxy) == []


async def test_a_typed_reply_survives_leaving_the_pane_and_other_tasks(
    engine: str, sfn: Any, proxy: RecordingProxy, world: dict[str, str]
) -> None:
    one, two = start(sfn, world, "json"), start(sfn, world, "json")
    app = make_app(proxy, world)
    async with app.run_test(size=(130, 40), notifications=True) as pilot:
        await until_claimed(pilot, app, one, two)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="chat pane")
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        editor = chat.query_one("#json-reply", TextArea)
        await wait_for(pilot, lambda: chat.focused is editor, what="editor focused")
        shown_first = chat._shown_task
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "f7", '{"kept": 1}'))
        assert editor.text == '{"kept": 1}'
        # Leave the pane and come back.
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "escape", "c"))
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="chat again")
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        editor = chat.query_one("#json-reply", TextArea)
        await wait_for(pilot, lambda: chat._shown_task == shown_first, what="same task")
        assert editor.text == '{"kept": 1}'
        # Look at the other task, type there, come back.
        task_list = chat.query_one("#task-list", OptionList)
        ids = [task_list.get_option_at_index(i).id for i in range(task_list.option_count)]
        other = next(i for i in ids if i != shown_first)
        task_list.focus()
        task_list.highlighted = ids.index(other)
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "enter"))
        await wait_for(pilot, lambda: chat._shown_task == other, what="other task shown")
        assert editor.text == "{}"
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "f7", '{"other": 2}'))
        task_list.focus()
        task_list.highlighted = ids.index(shown_first)
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "enter"))
        await wait_for(pilot, lambda: chat._shown_task == shown_first, what="first again")
        assert editor.text == '{"kept": 1}'
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "ctrl+s"))
        await wait_for(pilot, lambda: len(answers(proxy)) == 1, what="sent")
        assert answers(proxy) == ['{"kept": 1}']
        assert app.inbox is not None and app.inbox.get(other).draft == '{"other": 2}'
        await app.inbox.answer(other, "{}")


def test_key_times_share_the_clock_the_chat_pane_uses() -> None:
    """`_shown_at` and key events' `time` must be on one clock for the comparison."""
    key = events.Key("a", "a")
    assert abs(key.time - _time.get_time()) < 1.0
