"""The chat pane's guards, in read-only and in normal mode: `ChatScreen.check_action`
(which answer keys work for the task shown: a choice, a JSON reply, a failure, a retry,
the token from the queue, the guided run's clean-up) and `_answerable` (a key answers
the task on screen when it was typed, still open, once).

Callbacks are the tasks here: read-only mode lists them (it claims no activity task),
so they are what a read-only user sees in the chat pane. Three runs wait on an SQS
callback each: a choice and a JSON reply whose tokens the history carries, and one whose
token is formatted into text (read from the queue). One short Pilot scene per mode;
the fault proxy holds or fails a send. The routes (every key on every pane) are pressed
in test_read_only.py; the answers-once races in test_answers_once.py.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from textual import events

from sfn_tui.aws.client import ClientSettings
from sfn_tui.aws.connection import Connection
from sfn_tui.aws.models import Role, StateMachineDetail
from sfn_tui.core.inbox import TaskStatus
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.chat import ChatScreen, GuidedRun
from sfn_tui.tui.screens.fail_task import FailTaskScreen
from sfn_tui.tui.screens.queue_token import QueueTokenScreen
from tests.fault_proxy import FaultProxy, fault_proxy_fixture
from tests.helpers import boto_client, wait_until
from tests.pilot_helpers import wait_for, wait_shown
from tests.test_key_order import all_handled, burst

REGION = "us-isof-east-1"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-chat-guards"
ANSWERING = ("send_json", "fail_task", "retry", "token_from_queue", "cleanup")
CHOICES = (("choose", (0,)), ("choose", (1,)), ("choose", (2,)))
BODIES = {
    "choice": {"message": "Pick one", "actions": ["first", "second"], "token.$": "$$.Task.Token"},
    "json": {"order": 7, "token.$": "$$.Task.Token"},
    "queue": {"text.$": "States.Format('Ship order 7? token {}', $$.Task.Token)"},
}
# No botocore retries: a send that fails once is the operator's to retry (Ctrl+R).
SETTINGS = ClientSettings(
    read_timeout=30, connect_timeout=2, long_poll_read_timeout=8, max_attempts=1
)
READ_ONLY_LINE = "Read-only mode: tasks are shown, not answered."


proxy = fault_proxy_fixture()


@pytest.fixture
def world(engine: str) -> Iterator[dict[str, Any]]:
    sfn = boto_client("stepfunctions", engine, REGION)
    sqs = boto_client("sqs", engine, REGION)
    tag = uuid.uuid4().hex[:6]
    queue = sqs.create_queue(QueueName=f"chat-guards-{tag}")["QueueUrl"]
    found: dict[str, Any] = {"sfn": sfn, "machines": {}, "runs": {}}
    for kind, body in BODIES.items():
        ask = {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": queue, "MessageBody": body},
            "ResultPath": "$.answer",
            "TimeoutSeconds": 300,
            "End": True,
        }
        machine = sfn.create_state_machine(
            name=f"chat-guards-{kind}-{tag}",
            definition=json.dumps({"StartAt": "Ask", "States": {"Ask": ask}}),
            roleArn=ROLE,
        )["stateMachineArn"]
        found["machines"][kind] = machine
        found["runs"][kind] = sfn.start_execution(stateMachineArn=machine, name=kind)[
            "executionArn"
        ]
    pass_only = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    done = sfn.create_state_machine(
        name=f"chat-guards-done-{tag}", definition=json.dumps(pass_only), roleArn=ROLE
    )["stateMachineArn"]
    found["done"] = sfn.start_execution(stateMachineArn=done, name="done")["executionArn"]
    detail = StateMachineDetail.from_api(sfn.describe_state_machine(stateMachineArn=done))
    found["guided"] = GuidedRun(
        detail, None, Role("sfn-tui-chat-guards", ROLE), False, found["done"]
    )
    yield found
    for run in found["runs"].values():
        if sfn.describe_execution(executionArn=run)["status"] == "RUNNING":
            sfn.stop_execution(executionArn=run)


def allowed(chat: ChatScreen) -> set[str]:
    """The answer actions the chat pane allows now ("choose(n)" for a number key). Its
    other keys (Esc back to the dashboard) are allowed in every state and mode."""
    assert chat.check_action("back", ()) is True
    found = {action for action in ANSWERING if chat.check_action(action, ())}
    return found | {f"{a}({p[0]})" for a, p in CHOICES if chat.check_action(a, p)}


def said(app: SfnTuiApp) -> list[tuple[str, str]]:
    return [(str(n.message), n.severity) for n in app._notifications]


async def says(pilot: Any, app: SfnTuiApp, message: str, times: int = 1) -> None:
    """`message` shown as a warning (`times` times so far)."""
    shown = (message, "warning")
    await wait_for(pilot, lambda: said(app).count(shown) == times, what=repr(shown))


async def shown(pilot: Any, app: SfnTuiApp, run: str) -> ChatScreen:
    """The chat pane opened on `run` (as c does on the dashboard), its task shown."""
    app.action_chat(run)
    await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="chat pane")
    chat = app.screen
    assert isinstance(chat, ChatScreen)
    await wait_for(pilot, lambda: chat._shown_task is not None, what="the task shown")
    return chat


async def back(pilot: Any, app: SfnTuiApp) -> None:
    while app.screen is not app.dashboard:
        app.pop_screen()
        await pilot.pause()


async def found_callbacks(pilot: Any, app: SfnTuiApp, world: dict[str, Any]) -> None:
    """Follow the three machines for callbacks (allowed in read-only: it lists)."""
    await wait_for(
        pilot,
        lambda: set(world["machines"].values()) <= set(app.dashboard.machines.items),
        what="the machines listed",
    )
    for kind, machine in world["machines"].items():
        app.toggle_callbacks(machine, kind)
    assert app.inbox is not None
    for run in world["runs"].values():
        app.inbox.hint_callbacks(run)  # read within a second, not at the next 5 s tick
    await wait_for(
        pilot,
        lambda: (
            app.inbox is not None
            and {t.execution_arn for t in app.inbox.waiting() if t.callback is not None}
            >= set(world["runs"].values())
        ),
        what="the three callbacks found",
    )


def run_status(world: dict[str, Any], kind: str) -> tuple[str, Any]:
    described = world["sfn"].describe_execution(executionArn=world["runs"][kind])
    return described["status"], json.loads(described.get("output") or "null")


async def test_read_only_answers_nothing(
    engine: str, proxy: FaultProxy, world: dict[str, Any]
) -> None:
    connection = Connection(region=REGION, endpoint_url=proxy.url, dummy_credentials=True)
    app = SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0, read_only=True)
    async with app.run_test(size=(130, 40), notifications=True) as pilot:
        await found_callbacks(pilot, app, world)
        for kind in BODIES:
            chat = await shown(pilot, app, world["runs"][kind])
            await wait_shown(pilot, READ_ONLY_LINE, flat=True)
            assert chat.current_task is not None and chat.current_task.status is TaskStatus.WAITING
            assert allowed(chat) == set(), kind
            await pilot.press("1", "ctrl+s", "ctrl+f", "ctrl+o", "ctrl+r", "ctrl+d")
            await pilot.pause()
            assert isinstance(app.screen, ChatScreen), f"{kind}: {app.screen!r} opened"
            await back(pilot, app)
        # A guided run's chat (as if): its clean-up deletes things, refused too.
        app.push_screen(ChatScreen(world["done"], guided=world["guided"]))
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="its chat")
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        await wait_for(pilot, lambda: chat.execution_status == "SUCCEEDED", what="its status")
        assert allowed(chat) == set()
    assert [a for a in proxy.operations if a.startswith("SendTask")] == []
    for kind in BODIES:
        assert run_status(world, kind)[0] == "RUNNING"


async def test_each_task_state_allows_its_answers_once(
    engine: str, proxy: FaultProxy, world: dict[str, Any]
) -> None:
    connection = Connection(region=REGION, endpoint_url=proxy.url, dummy_credentials=True)
    app = SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0, client_settings=SETTINGS)
    async with app.run_test(size=(130, 40), notifications=True) as pilot:
        await found_callbacks(pilot, app, world)
        inbox = app.inbox
        assert inbox is not None

        # A choice: number keys within its actions, and a failure.
        chat = await shown(pilot, app, world["runs"]["choice"])
        choice = chat.current_task
        assert choice is not None
        assert allowed(chat) == {"choose(0)", "choose(1)", "fail_task"}
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, FailTaskScreen), what="fail dialog")
        app.pop_screen()
        # Not on screen (another task, or none): nothing is answered, and it says so.
        json_task = next(t for t in inbox.waiting() if t.execution_arn == world["runs"]["json"])
        for task_id in (json_task.id, "no-such-task"):
            assert chat._answerable(task_id, None) is None
        await says(pilot, app, "That task is no longer on screen; nothing was sent.", times=2)
        # Typed before the task was drawn: not this task's answer.
        early = events.Key("2", "2")
        early.time = chat._shown_at - 0.05
        await all_handled(pilot, app.keys.arrivals, burst(pilot, early))
        await says(
            pilot,
            app,
            f"Task #{choice.id} appeared after you pressed the key; nothing was sent."
            " Press it again to answer this task.",
        )
        assert chat._answerable(choice.id, chat._shown_at + 0.05) is choice
        # While its answer is on its way, no second one.
        proxy.fault("SendTaskSuccess", "hang")
        await pilot.press("1")
        await wait_for(pilot, lambda: proxy.held("SendTaskSuccess") == 1, what="send held")
        assert choice.status is TaskStatus.SENDING
        assert allowed(chat) == {"choose(0)", "choose(1)"}
        assert chat._answerable(choice.id, None) is None
        await says(pilot, app, f"Task #{choice.id} is being answered already.")
        proxy.clear()
        await wait_for(pilot, lambda: choice.status is TaskStatus.ANSWERED, what="answered")
        assert allowed(chat) == {"choose(0)", "choose(1)"}  # the key then says why not
        assert chat._answerable(choice.id, None) is None
        await says(pilot, app, f"Task #{choice.id} can no longer be answered: it is answered")
        # Dropped from the inbox while on screen (as the oldest closed tasks are): a key
        # answers nothing, and says so.
        inbox.forget(choice.id)
        assert chat._answerable(choice.id, None) is None
        await says(pilot, app, "That task is no longer on screen; nothing was sent.", times=3)
        await back(pilot, app)

        # A JSON reply: Ctrl+S and a failure; a failed send is kept for Ctrl+R.
        chat = await shown(pilot, app, world["runs"]["json"])
        assert chat.current_task is json_task
        assert allowed(chat) == {"send_json", "fail_task"}
        proxy.fault("SendTaskSuccess", "status", status=500, times=1)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: json_task.status is TaskStatus.SEND_FAILED, what="failed")
        assert allowed(chat) == {"send_json", "fail_task", "retry"}
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: json_task.status is TaskStatus.ANSWERED, what="answered")
        assert allowed(chat) == set()
        await back(pilot, app)

        # A callback whose token is in the queue only: Ctrl+O reads it, nothing else.
        chat = await shown(pilot, app, world["runs"]["queue"])
        queued = chat.current_task
        assert queued is not None and not queued.task.token
        assert allowed(chat) == {"token_from_queue"}
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueTokenScreen), what="queue")
        app.pop_screen()
        # Stopped elsewhere: it can no longer be answered, and the key says why.
        world["sfn"].stop_execution(executionArn=world["runs"]["queue"])
        await inbox.check_now()
        await wait_for(pilot, lambda: queued.status is TaskStatus.EXPIRED, what="expired")
        assert allowed(chat) == set()
        assert queued.reason
        assert chat._answerable(queued.id, None) is None
        await says(pilot, app, f"Task #{queued.id} can no longer be answered: {queued.reason}")
        await back(pilot, app)

        # A guided run's chat: clean-up once its run has ended, and only once.
        app.push_screen(ChatScreen(world["done"], guided=world["guided"]))
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="its chat")
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        await wait_for(pilot, lambda: chat.execution_status == "SUCCEEDED", what="its status")
        assert allowed(chat) == {"cleanup"}
        chat.cleaned_up = True
        assert allowed(chat) == set()
    wait_until(lambda: run_status(world, "json")[0] == "SUCCEEDED", message="json answered")
    assert run_status(world, "choice") == ("SUCCEEDED", {"answer": {"action": "first"}})
    assert run_status(world, "json")[1]["answer"] == {}
    assert proxy.count("SendTaskSuccess") == 3  # the held one, the failed one, the retry
