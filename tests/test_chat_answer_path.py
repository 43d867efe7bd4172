"""The path from an answer to the run's next message carries only what it needs: while
the answer is on its way (held at the fault proxy here, as a slow network would hold
it), the chat pane reads nothing of the run, since nothing in the run can have moved
yet; once the answer is delivered, it reads the history and shows the answer given."""

from __future__ import annotations

from typing import Any

from sfn_tui.core.inbox import TaskStatus
from tests.fault_proxy import FaultProxy, fault_proxy_fixture
from tests.pilot_helpers import wait_for, wait_shown
from tests.test_answers_once import make_app, open_chat, start, world  # noqa: F401
from tests.test_key_order import all_handled, burst

proxy = fault_proxy_fixture()
READS = ("GetExecutionHistory", "DescribeExecution")


def reads(proxy: FaultProxy, since: int = 0) -> list[str]:
    return [op for op in proxy.operations[since:] if op in READS]


async def test_the_chat_reads_nothing_of_the_run_while_its_answer_is_on_its_way(
    proxy: FaultProxy,
    world: dict[str, Any],  # noqa: F811
) -> None:
    start(world, chat=True)
    app = make_app(proxy, world)
    async with app.run_test(size=(130, 40)) as pilot:
        chat = await open_chat(pilot, app)
        item = chat.current_task
        assert item is not None
        await wait_shown(pilot, "Pick one")
        proxy.fault("SendTaskSuccess", "hang")
        pressed = len(proxy.operations)
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "enter"))  # "first"
        await wait_for(pilot, lambda: proxy.held("SendTaskSuccess") == 1, what="send held")
        assert item.status is TaskStatus.SENDING
        # What the change to SENDING set off has run by now (the screen's reads are
        # workers of the group "chat-history").
        await pilot.pause()
        await wait_for(
            pilot,
            lambda: not any(w.group == "chat-history" and not w.is_finished for w in chat.workers),
            what="no history read under way",
        )
        assert reads(proxy, pressed) == [], "the run was read while the answer was held"
        released = len(proxy.operations)
        proxy.clear()
        await wait_for(pilot, lambda: item.status is TaskStatus.ANSWERED, what="answered")
        await wait_for(pilot, lambda: bool(reads(proxy, released)), what="the run read")
        await wait_shown(pilot, "first")
