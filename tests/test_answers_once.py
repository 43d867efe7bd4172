"""An answer is sent at most once per task. While a send is on its way (held at the
fault proxy here, as a slow network would), a second Enter, a number key, Ctrl+S or a
retry racing it sends nothing more: the proxy sees one SendTaskSuccess, and the run
gets the first answer."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest

from sfn_tui.aws.client import ClientSettings, StepFunctionsClient
from sfn_tui.aws.connection import Connection
from sfn_tui.core.inbox import NotAnswerable, TaskInbox, TaskStatus
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.chat import ChatScreen
from tests.fault_proxy import FaultProxy, fault_proxy_fixture
from tests.helpers import async_wait_until, boto_client, wait_until
from tests.pilot_helpers import wait_for, wait_shown
from tests.test_key_order import all_handled, burst

REGION = "ca-west-1"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-answers-once"
# No botocore retries (each attempt would be a send of its own); a read timeout well
# above the time a send is held here.
SETTINGS = ClientSettings(
    read_timeout=30, connect_timeout=2, long_poll_read_timeout=8, max_attempts=1
)


proxy = fault_proxy_fixture()


@pytest.fixture
def world(engine: str) -> dict[str, Any]:
    sfn = boto_client("stepfunctions", engine, REGION)
    tag = uuid.uuid4().hex[:6]
    activity = sfn.create_activity(name=f"once-{tag}")["activityArn"]
    definition = {
        "StartAt": "Ask",
        "States": {
            "Ask": {"Type": "Task", "Resource": activity, "TimeoutSeconds": 300, "End": True}
        },
    }
    machine = sfn.create_state_machine(
        name=f"once-{tag}", definition=json.dumps(definition), roleArn=ROLE
    )["stateMachineArn"]
    return {"sfn": sfn, "activity": activity, "machine": machine, "name": f"once-{tag}"}


def start(world: dict[str, Any], chat: bool) -> str:
    payload = {"message": "Pick one", "actions": ["first", "second"]} if chat else {"order": 1}
    return str(
        world["sfn"].start_execution(
            stateMachineArn=world["machine"],
            name=uuid.uuid4().hex[:12],
            input=json.dumps(payload),
        )["executionArn"]
    )


def sent_to_engine(proxy: FaultProxy, operation: str = "SendTaskSuccess") -> int:
    return sum(1 for answer in proxy.answers if answer[0] == operation)


def run_output(world: dict[str, Any], run: str) -> Any:
    described = world["sfn"].describe_execution(executionArn=run)
    return described["status"], json.loads(described.get("output") or "null")


async def open_chat(pilot: Any, app: SfnTuiApp) -> ChatScreen:
    await wait_for(
        pilot,
        lambda: (
            app.inbox is not None and any(t.execution_arn is not None for t in app.inbox.claimed())
        ),
        what="a task claimed and placed",
    )
    await pilot.press("c")
    await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="chat pane")
    chat = app.screen
    assert isinstance(chat, ChatScreen)
    await wait_for(pilot, lambda: chat._shown_task is not None, what="the task shown")
    return chat


def make_app(proxy: FaultProxy, world: dict[str, Any]) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=proxy.url, dummy_credentials=True)
    return SfnTuiApp(
        connection,
        poll_interval=0.5,
        catalog_interval=1.0,
        worked_activities=frozenset({world["name"]}),
        client_settings=SETTINGS,
    )


@pytest.mark.parametrize(
    "second",
    [("enter",), ("2",), ("enter", "2", "1", "enter")],
    ids=["double-enter", "enter-then-number", "many-keys"],
)
async def test_keys_pressed_while_an_answer_is_on_its_way_send_nothing_more(
    proxy: FaultProxy, world: dict[str, Any], second: tuple[str, ...]
) -> None:
    run = start(world, chat=True)
    app = make_app(proxy, world)
    async with app.run_test(size=(130, 40), notifications=True) as pilot:
        chat = await open_chat(pilot, app)
        item = chat.current_task
        assert item is not None
        proxy.fault("SendTaskSuccess", "hang")
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "enter"))  # "first"
        await wait_for(pilot, lambda: proxy.held("SendTaskSuccess") == 1, what="send held")
        assert item.status is TaskStatus.SENDING
        await all_handled(pilot, app.keys.arrivals, burst(pilot, *second))
        if any(key.isdigit() for key in second):  # the action list is hidden: Enter is not
            await wait_shown(pilot, "being answered already", flat=True)
        assert proxy.count("SendTaskSuccess") == 1, "a second answer was sent"
        proxy.clear()
        await wait_for(pilot, lambda: item.status is TaskStatus.ANSWERED, what="answered")
        await all_handled(pilot, app.keys.arrivals, burst(pilot, *second))  # and after it
    wait_until(lambda: run_output(world, run)[0] == "SUCCEEDED")
    assert run_output(world, run) == ("SUCCEEDED", {"action": "first"})
    assert proxy.count("SendTaskSuccess") == 1 and sent_to_engine(proxy) == 1


async def test_ctrl_s_twice_and_a_retry_racing_an_answer_send_once(
    proxy: FaultProxy, world: dict[str, Any]
) -> None:
    run = start(world, chat=False)
    app = make_app(proxy, world)
    async with app.run_test(size=(130, 40), notifications=True) as pilot:
        chat = await open_chat(pilot, app)
        item = chat.current_task
        assert item is not None
        # The first send fails (HTTP 500): the task is kept for a retry.
        proxy.fault("SendTaskSuccess", "status", status=500, times=1)
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "f7", '{"n": 1}', "ctrl+s"))
        await wait_for(pilot, lambda: item.status is TaskStatus.SEND_FAILED, what="send failed")
        # The retry is held on its way; Ctrl+R again, Ctrl+S, Ctrl+F race it.
        proxy.fault("SendTaskSuccess", "hang")
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "ctrl+r"))
        await wait_for(pilot, lambda: proxy.held("SendTaskSuccess") == 1, what="retry held")
        await all_handled(
            pilot, app.keys.arrivals, burst(pilot, "ctrl+r", "ctrl+s", "ctrl+s", "ctrl+f")
        )
        assert proxy.count("SendTaskSuccess") == 2  # the failed one and the retry
        assert proxy.count("SendTaskFailure") == 0
        proxy.clear()
        await wait_for(pilot, lambda: item.status is TaskStatus.ANSWERED, what="answered")
    assert run_output(world, run) == ("SUCCEEDED", {"n": 1})
    assert sent_to_engine(proxy) == 1 and sent_to_engine(proxy, "SendTaskFailure") == 0


async def test_the_inbox_takes_one_answer_per_task(
    proxy: FaultProxy, world: dict[str, Any]
) -> None:
    """Without the UI: answer, answer, fail and retry called together on one task."""
    run = start(world, chat=False)
    connection = Connection(region=REGION, endpoint_url=proxy.url, dummy_credentials=True)
    async with StepFunctionsClient(connection, SETTINGS) as client:
        inbox = TaskInbox(client)
        inbox.work(world["activity"])

        async def claimed() -> bool:
            return bool(inbox.claimed())

        await async_wait_until(claimed, timeout=20, message="task claimed")
        [item] = inbox.claimed()
        proxy.fault("SendTaskSuccess", "hang")
        first = asyncio.create_task(inbox.answer(item.id, '{"n": 1}'))
        await async_wait_until(
            lambda: asyncio.sleep(0, proxy.held("SendTaskSuccess") == 1), message="held"
        )
        for again in (
            inbox.answer(item.id, '{"n": 2}'),
            inbox.fail(item.id, "Again"),
            inbox.retry(item.id),
        ):
            with pytest.raises(NotAnswerable):
                await again
        proxy.clear()
        assert (await first).status is TaskStatus.ANSWERED
        await inbox.shutdown(grace=1)
    assert run_output(world, run) == ("SUCCEEDED", {"n": 1})
    assert proxy.count("SendTaskSuccess") == 1 and proxy.count("SendTaskFailure") == 0
