"""The chat pane and the ChatSFN guided run, driven by keys against the real engine."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import boto3
import pytest

from sfn_tui.aws.connection import Connection
from sfn_tui.core.inbox import TaskStatus
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.formatting import clip_middle
from sfn_tui.tui.screens.chat import ChatScreen
from sfn_tui.tui.screens.confirm import ConfirmScreen
from sfn_tui.tui.screens.guided_run import GuidedRunScreen
from sfn_tui.tui.widgets.task_list import TASK_LINE
from tests.pilot_helpers import screen_text, wait_for, wait_shown
from tests.recording_proxy import RecordingProxy

ROLE = "arn:aws:iam::123456789012:role/sfn-tui-test"
ECHO_TASK = {
    "StartAt": "Review",
    "States": {
        "Review": {"Type": "Task", "Resource": "ACTIVITY", "TimeoutSeconds": 120, "End": True}
    },
}


def clients(endpoint: str, region: str) -> tuple[Any, Any]:
    kw = {
        "endpoint_url": endpoint,
        "region_name": region,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    return boto3.client("stepfunctions", **kw), boto3.client("iam", **kw)


def make_app(endpoint: str, region: str, **kwargs: Any) -> SfnTuiApp:
    connection = Connection(region=region, endpoint_url=endpoint, dummy_credentials=True)
    return SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0, **kwargs)


def open_task_with(app: SfnTuiApp, text: str) -> bool:
    screen = app.screen
    if not isinstance(screen, ChatScreen):
        return False
    task = screen.current_task
    return task is not None and task.status is TaskStatus.WAITING and text in task.input


async def test_guided_chatsfn_run_end_to_end(engine: str) -> None:
    """Set up, chat song → poem → story → done, see the final message, clean up."""
    region = "us-west-2"
    sfn, iam = clients(engine, region)
    app = make_app(engine, region)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.inbox is not None, what="connected")
        await pilot.press("n")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, GuidedRunScreen) and "Role ARN" in screen_text(app),
            what="set-up shown",
        )
        shown = screen_text(app)
        for label in ("IAM role", "activity ChatSFNActivity", "state machine ChatSFN", "ACTIVE"):
            assert label in shown
        await pilot.press("enter")  # empty name: refused
        await wait_for(pilot, lambda: "cannot be empty" in screen_text(app), what="name refused")
        await pilot.press(*"Ada", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="chat opened")
        chat = app.screen
        assert isinstance(chat, ChatScreen) and chat.guided is not None
        execution_arn = chat.guided.execution_arn

        await wait_for(pilot, lambda: open_task_with(app, "Hello, Ada!"), what="greeting task")
        # The task list names the run on one line, cut in the middle to fit its width.
        run_name = execution_arn.rsplit(":", 1)[1]
        assert len(run_name) > TASK_LINE - 3
        await wait_shown(pilot, "Hello, Ada!", f"   {clip_middle(run_name, TASK_LINE - 3)}")
        replies = [
            ("1", "My song has no tune but you can still dance to it."),
            ("2", "This is my poem but it doesn't rhyme."),
            ("3", "This story has neither beginning, middle, nor end."),
        ]
        for key, message in replies:
            await pilot.press(key)
            await wait_for(pilot, lambda m=message: open_task_with(app, m), what=message)
            await wait_for(pilot, lambda m=message: m in screen_text(app), what="message shown")
        await pilot.press("4")
        words = ("song", "poem", "story", "done")
        await wait_shown(
            pilot, "Thanks for chatting.", "SUCCEEDED", *(f"you: {word}" for word in words)
        )
        described = sfn.describe_execution(executionArn=execution_arn)
        assert described["status"] == "SUCCEEDED"
        assert json.loads(described["output"]) == {"message": "Thanks for chatting."}

        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")

        def all_gone() -> bool:
            machines = [m["name"] for m in sfn.list_state_machines()["stateMachines"]]
            activities = [a["name"] for a in sfn.list_activities()["activities"]]
            roles = [r["RoleName"] for r in iam.list_roles()["Roles"]]
            return (
                "ChatSFN" not in machines
                and "ChatSFNActivity" not in activities
                and "sfn-tui-ChatSFN-role" not in roles
            )

        await wait_for(pilot, all_gone, what="machine, activity and role deleted")


@pytest.fixture
def generic_machine(engine: str) -> tuple[Any, str, str]:
    region = "eu-central-1"
    sfn, _ = clients(engine, region)
    activity_arn = sfn.create_activity(name=f"review-{uuid.uuid4().hex[:6]}")["activityArn"]
    definition = json.dumps(ECHO_TASK).replace("ACTIVITY", activity_arn)
    machine_arn = sfn.create_state_machine(
        name=f"review-{uuid.uuid4().hex[:6]}", definition=definition, roleArn=ROLE
    )["stateMachineArn"]
    return sfn, activity_arn, machine_arn


def generic_app(engine: str, activity_arn: str) -> SfnTuiApp:
    name = activity_arn.rsplit(":", 1)[1]
    return make_app(engine, "eu-central-1", worked_activities=frozenset({name}))


async def open_chat_with_task(pilot: Any, app: SfnTuiApp, marker: str) -> None:
    await wait_for(
        pilot,
        lambda: app.inbox is not None and any(marker in t.input for t in app.inbox.claimed()),
        what="task claimed",
    )
    await pilot.press("c")
    await wait_for(pilot, lambda: open_task_with(app, marker), what="task shown in chat")


async def test_generic_task_invalid_json_refused_then_typed_json_sent(
    engine: str, generic_machine: tuple[Any, str, str]
) -> None:
    sfn, activity_arn, machine_arn = generic_machine
    marker = uuid.uuid4().hex
    run = sfn.start_execution(
        stateMachineArn=machine_arn, name=f"r-{marker[:8]}", input=json.dumps({"order": marker})
    )
    app = generic_app(engine, activity_arn)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_chat_with_task(pilot, app, marker)
        await wait_shown(pilot, marker)  # the input, pretty-printed
        editor = app.screen.query_one("#json-reply")
        editor.text = '{"approved": tru'  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Not sent" in screen_text(app), what="inline error")
        assert sfn.describe_execution(executionArn=run["executionArn"])["status"] == "RUNNING"
        editor.text = '{"approved": true, "by": "ops"}'  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: (
                sfn.describe_execution(executionArn=run["executionArn"])["status"] == "SUCCEEDED"
            ),
            what="run succeeded",
        )
    output = json.loads(sfn.describe_execution(executionArn=run["executionArn"])["output"])
    assert output == {"approved": True, "by": "ops"}


async def test_generic_task_failed_with_error_and_cause(
    engine: str, generic_machine: tuple[Any, str, str]
) -> None:
    sfn, activity_arn, machine_arn = generic_machine
    marker = uuid.uuid4().hex
    run = sfn.start_execution(
        stateMachineArn=machine_arn, name=f"f-{marker[:8]}", input=json.dumps({"order": marker})
    )
    app = generic_app(engine, activity_arn)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_chat_with_task(pilot, app, marker)
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: "Fail this task" in screen_text(app), what="fail modal")
        await pilot.press(*"stock is empty", "enter")
        await wait_for(
            pilot,
            lambda: sfn.describe_execution(executionArn=run["executionArn"])["status"] == "FAILED",
            what="run failed",
        )
    described = sfn.describe_execution(executionArn=run["executionArn"])
    assert described["error"] == "Operator.Rejected"
    assert described["cause"] == "stock is empty"


async def test_quit_with_claimed_task_fails_it_with_worker_shutdown(
    engine: str, generic_machine: tuple[Any, str, str]
) -> None:
    sfn, activity_arn, machine_arn = generic_machine
    marker = uuid.uuid4().hex
    run = sfn.start_execution(
        stateMachineArn=machine_arn, name=f"q-{marker[:8]}", input=json.dumps({"order": marker})
    )
    app = generic_app(engine, activity_arn)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(
            pilot,
            lambda: app.inbox is not None and any(marker in t.input for t in app.inbox.claimed()),
            what="task claimed",
        )
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="quit asks")
        await wait_shown(pilot, "not answered")
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: sfn.describe_execution(executionArn=run["executionArn"])["status"] == "FAILED",
            what="claimed task failed on quit",
        )
        await wait_for(pilot, lambda: app.return_code is not None, what="app exited")
    described = sfn.describe_execution(executionArn=run["executionArn"])
    assert described["status"] == "FAILED"
    assert described["error"] == "Worker.Shutdown"


@pytest.mark.parametrize("width", [0, 1, 2, 5, 10, 25])
def test_clip_middle_keeps_both_ends_within_the_width(width: int) -> None:
    name = "chat-ada-20261129123319-7b27"
    clipped = clip_middle(name, width)
    assert len(clipped) == min(width, len(name))
    if 2 < width < len(name):
        head, tail = clipped.split("…")
        assert name.startswith(head) and name.endswith(tail) and abs(len(head) - len(tail)) <= 1
    assert clip_middle(name, len(name)) == name


async def test_a_run_waiting_for_the_answer_is_read_every_few_seconds(
    generic_machine: tuple[Any, str, str], proxy: RecordingProxy
) -> None:
    """While the run waits for this operator's answer it cannot move on: the chat pane
    reads its history every 5 s then, not every second (two calls a read on AWS)."""
    sfn, activity_arn, machine_arn = generic_machine
    marker = uuid.uuid4().hex
    run = sfn.start_execution(
        stateMachineArn=machine_arn, name=f"w-{marker[:8]}", input=json.dumps({"order": marker})
    )
    app = generic_app(proxy.url, activity_arn)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_chat_with_task(pilot, app, marker)
        read = proxy.operations.count("GetExecutionHistory")
        listed = proxy.operations.count("ListExecutions")
        began = time.monotonic()
        await wait_for(  # the dashboard's poll: at least 6 s at one tick per 0.5 s
            pilot,
            lambda: proxy.operations.count("ListExecutions") >= listed + 12,
            what="6 s of polls",
        )
        seconds = time.monotonic() - began
        reads = proxy.operations.count("GetExecutionHistory") - read
        # Once every 5 s (a read may be under way at each end); once a second would be
        # about `seconds` reads.
        assert 1 <= reads <= seconds / 5 + 2, (reads, seconds)
        editor = app.screen.query_one("#json-reply")
        editor.text = '{"approved": true}'  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: (
                sfn.describe_execution(executionArn=run["executionArn"])["status"] == "SUCCEEDED"
            ),
            what="answered",
        )
        await wait_shown(pilot, "SUCCEEDED")  # read at once after the answer
