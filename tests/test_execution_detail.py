"""The execution detail screen (and the state machine graph screen) against the real
engine: a succeeded, a failed and a running execution; history paged the way AWS pages
it; a long history that stays responsive."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import boto3
import pytest
from aiohttp import web
from textual.app import App, ComposeResult
from textual.widgets import TabbedContent

from sfn_tui.aws.connection import Connection
from sfn_tui.aws.models import HistoryEvent
from sfn_tui.core.history import ExecutionHistory
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens import execution_detail
from sfn_tui.tui.screens.execution_detail import EventTypePicker, ExecutionDetailScreen
from sfn_tui.tui.screens.help import HelpScreen
from sfn_tui.tui.screens.state_machine_graph import StateMachineGraphScreen
from sfn_tui.tui.widgets.history_table import HistoryTable
from tests.helpers import wait_until
from tests.pilot_helpers import screen_text, wait_for, wait_shown

REGION = "ap-northeast-3"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-test"
SIZE = (120, 36)

SUCCEEDS = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Result": {"order": "B-7", "items": 2}, "Next": "Ship"},
        "Ship": {"Type": "Pass", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}
FAILS = {
    "StartAt": "Charge",
    "States": {
        "Charge": {"Type": "Pass", "Result": {"card": "**** 1111"}, "Next": "Declined"},
        "Declined": {
            "Type": "Fail",
            "Error": "Card.Declined",
            "Cause": "Insufficient funds on [bold]card[/bold] 1111",
        },
    },
}
RUNS_A_WHILE = {
    "StartAt": "Start",
    "States": {
        "Start": {"Type": "Pass", "Next": "Hold"},
        "Hold": {"Type": "Wait", "Seconds": 5, "Next": "Finish"},
        "Finish": {"Type": "Pass", "Result": {"shipped": True}, "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}


def loop(times: int, wait: int = 0) -> dict[str, Any]:
    """Counts to `times`, four events a round (plus a Wait's two if `wait`)."""
    after_inc = "Pause" if wait else "Check"
    states: dict[str, Any] = {
        "Init": {"Type": "Pass", "Result": {"i": 0, "n": times}, "Next": "Inc"},
        "Inc": {
            "Type": "Pass",
            "Parameters": {"i.$": "States.MathAdd($.i, 1)", "n.$": "$.n"},
            "Next": after_inc,
        },
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.i", "NumericLessThanPath": "$.n", "Next": "Inc"}],
            "Default": "Done",
        },
        "Done": {"Type": "Succeed"},
    }
    if wait:
        states["Pause"] = {"Type": "Wait", "Seconds": wait, "Next": "Check"}
    return {"StartAt": "Init", "States": states}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def sfn(engine: str) -> Any:
    return boto3.client(
        "stepfunctions",
        endpoint_url=engine,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def start(sfn: Any, definition: dict[str, Any], payload: Any = None, prefix: str = "d") -> str:
    machine = sfn.create_state_machine(
        name=unique(prefix), definition=json.dumps(definition), roleArn=ROLE
    )["stateMachineArn"]
    return str(
        sfn.start_execution(
            stateMachineArn=machine, name=unique("run"), input=json.dumps(payload or {})
        )["executionArn"]
    )


def finished(sfn: Any, arn: str) -> str:
    return str(
        wait_until(
            lambda: (s := sfn.describe_execution(executionArn=arn)["status"]) != "RUNNING" and s,
            timeout=30,
        )
    )


def make_app(endpoint: str, **kwargs: Any) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=endpoint, dummy_credentials=True)
    return SfnTuiApp(connection, poll_interval=0.5, **kwargs)


async def open_detail(pilot: Any, arn: str) -> ExecutionDetailScreen:
    app = pilot.app
    await wait_for(pilot, lambda: app.client is not None, what="connected")
    screen = ExecutionDetailScreen(arn)
    await app.push_screen(screen)
    return screen


def active_tab(screen: ExecutionDetailScreen) -> str:
    return screen.query_one(TabbedContent).active


def current_event(screen: ExecutionDetailScreen) -> HistoryEvent | None:
    table = screen.table
    index = table.event_index(table.cursor)
    return screen.history.events[index] if index is not None else None


# Succeeded ---------------------------------------------------------------------------


async def test_a_succeeded_execution(engine: str, sfn: Any) -> None:
    """Summary with input and output as pretty JSON; every tab filled; Esc goes back."""
    arn = start(sfn, SUCCEEDS, {"customer": "Ada"})
    assert finished(sfn, arn) == "SUCCEEDED"
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(pilot, arn)
        await wait_for(pilot, lambda: screen.finished, what="loaded")
        text = await wait_shown(
            pilot,
            "✔ SUCCEEDED",
            arn,
            "State machine",
            '"customer": "Ada"',  # input, indented JSON
            '"order": "B-7"',  # output
            "Duration",
        )
        assert "Error" not in text  # no error panel for a success

        await pilot.press("2")
        await wait_shown(pilot, "ExecutionSucceeded", "+0.")  # +0.: times since the start
        assert active_tab(screen) == "history"
        types = [e.type for e in screen.history.events]
        assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded"

        await pilot.press("3")
        await wait_for(pilot, lambda: "✔ succeeded" in screen_text(app), what="state runs")
        assert [r.name for r in screen.history.runs] == ["Prepare", "Ship", "Done"]

        await pilot.press("4")
        await wait_for(pilot, lambda: "✔ Done" in screen_text(app), what="graph")
        graph = screen.graph.plain_text
        assert "✔ Prepare" in graph and "✔ Ship" in graph and "▼" in graph

        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.dashboard, what="back on the dashboard")


# Failed ------------------------------------------------------------------------------


async def test_a_failed_execution_error_and_first_failure(engine: str, sfn: Any) -> None:
    """The error and cause in a panel (literally, markup and all); f jumps to the first
    failure and then to the next; t filters by event type."""
    arn = start(sfn, FAILS)
    assert finished(sfn, arn) == "FAILED"
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(pilot, arn)
        await wait_for(pilot, lambda: screen.finished, what="loaded")
        await wait_shown(
            pilot,
            "✖ FAILED",
            "Card.Declined",
            "Insufficient funds on [bold]card[/bold] 1111",
            "first failure at #4",
        )

        await pilot.press("f")
        await wait_for(pilot, lambda: active_tab(screen) == "history", what="history tab")
        event = current_event(screen)
        assert event is not None and event.type == "FailStateEntered"
        await wait_for(pilot, lambda: screen.focused is screen.table, what="history focused")
        await wait_for(
            pilot,
            lambda: "#4 FailStateEntered  state Declined" in screen_text(app),
            what="the failure's details",
        )
        await pilot.press("f")
        event = current_event(screen)
        assert event is not None and event.type == "ExecutionFailed"
        await wait_for(
            pilot, lambda: "Insufficient funds" in screen_text(app), what="cause in details"
        )

        # The type picker: Esc leaves everything as it was.
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, EventTypePicker), what="picker")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="picker closed")
        assert screen.table.only_type is None
        # Filter: only PassStateExited events.
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, EventTypePicker), what="picker")
        options = app.screen.query_one("#type-options")
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]  # type: ignore[attr-defined]
        assert labels[0] == "All events (5)"
        await pilot.press(*["down"] * labels.index("PassStateExited (1)"), "enter")
        await wait_for(pilot, lambda: screen.table.only_type == "PassStateExited", what="filter")
        assert screen.table.row_count() == 1
        await wait_shown(pilot, "1 of 5 events · type PassStateExited")
        # f still finds the failure: the filter is lifted for it.
        await pilot.press("f")
        assert screen.table.only_type is None
        event = current_event(screen)
        assert event is not None and event.type == "FailStateEntered"

        await pilot.press("4")
        await wait_shown(pilot, "✖ Declined", "✔ Charge")  # the graph


async def test_help_lists_the_detail_keys(engine: str, sfn: Any) -> None:
    arn = start(sfn, FAILS)
    finished(sfn, arn)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(pilot, arn)
        await wait_for(pilot, lambda: screen.finished, what="loaded")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        detail = next(g for g in app.screen.groups if g.title == "Execution detail")
        labels = {entry.label for entry in detail.entries}
        for description in ("Back", "First failure", "Filter type", "Refresh", "Graph tab"):
            assert description in labels, description


# Running -----------------------------------------------------------------------------


async def test_a_running_execution_updates_without_a_key(engine: str, sfn: Any) -> None:
    """Opened while waiting in Hold: summary, history and graph follow the run to its
    end on their own, then the screen stops asking."""
    arn = start(sfn, RUNS_A_WHILE, {"order": "C-3"})
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(pilot, arn)
        await wait_shown(pilot, "▶ RUNNING", "running for", "still running")
        await pilot.press("4")
        await wait_for(pilot, lambda: "▶ Hold" in screen_text(app), what="Hold running")
        graph = screen.graph.plain_text
        assert "✔ Start" in graph and "· Finish" in graph
        # No key pressed from here on.
        await wait_for(pilot, lambda: "✔ Done" in screen_text(app), timeout=20, what="done")
        assert "✔ Hold" in screen.graph.plain_text
        await wait_for(pilot, lambda: screen.finished, what="stopped polling")
        await wait_shown(pilot, "✔ SUCCEEDED")
        assert screen.history.events[-1].type == "ExecutionSucceeded"
        assert screen._timer is None  # no more polling


# History paged as AWS pages it ------------------------------------------------------------


class PagingProxy:
    """The engine (which pages GetExecutionHistory as AWS does: maxResults, reverseOrder,
    nextToken) behind a proxy that answers its history pages slowly and records what it
    was asked."""

    def __init__(self, target: str, delay: float) -> None:
        self.target = target.rstrip("/")
        self.delay = delay
        self.history_calls: list[dict[str, Any]] = []
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> str:
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._session = aiohttp.ClientSession()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self.url

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        body = await request.read()
        skip = {"host", "content-length", "transfer-encoding", "connection", "content-encoding"}
        headers = {k: v for k, v in request.headers.items() if k.lower() not in skip}
        paged = request.headers.get("X-Amz-Target", "").endswith("GetExecutionHistory")
        if paged:
            self.history_calls.append(json.loads(body))
        async with self._session.request(
            request.method, self.target + request.path_qs, headers=headers, data=body
        ) as answer:
            data = await answer.read()
            out = {k: v for k, v in answer.headers.items() if k.lower() not in skip}
            status = answer.status
        if paged:
            await asyncio.sleep(self.delay)
        return web.Response(status=status, body=data, headers=out)


@pytest.fixture
async def proxy(engine: str) -> AsyncIterator[PagingProxy]:
    paging = PagingProxy(engine, delay=0.25)
    await paging.start()
    yield paging
    await paging.stop()


async def test_history_arrives_page_by_page(
    proxy: PagingProxy, sfn: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first page is on screen while the next ones load; all of them end up there,
    in order, once each."""
    monkeypatch.setattr(execution_detail, "PAGE_SIZE", 40)
    arn = start(sfn, loop(40), prefix="long")
    assert finished(sfn, arn) == "SUCCEEDED"
    total = len(sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"])
    assert total > 160
    app = make_app(proxy.url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(pilot, arn)
        await pilot.press("2")
        await wait_for(pilot, lambda: len(screen.history) >= 40, what="first page")
        assert len(screen.history) < total
        await wait_shown(pilot, "loading more…", "ExecutionStarted")
        await pilot.press("down", "down")  # the table answers while pages arrive
        assert screen.table.cursor == 2
        await wait_for(pilot, lambda: screen.finished, what="all pages")
        assert [e.id for e in screen.history.events] == list(range(1, total + 1))
        await wait_shown(pilot, absent=("loading more…",))
        assert all(c.get("maxResults") == 40 for c in proxy.history_calls)
        assert not any(c.get("reverseOrder") for c in proxy.history_calls)


async def test_a_running_execution_fetches_only_new_events(
    proxy: PagingProxy, sfn: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the first pass, each poll asks for the newest events (newest first, small
    pages) and stops at the ones it already has."""
    monkeypatch.setattr(execution_detail, "CATCH_UP_PAGE", 3)
    proxy.delay = 0.0
    arn = start(sfn, loop(3, wait=1), prefix="slow")
    app = make_app(proxy.url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(pilot, arn)
        await wait_for(pilot, lambda: screen.finished, timeout=30, what="the run's end")
        catch_up = [c for c in proxy.history_calls if c.get("reverseOrder")]
        assert catch_up, proxy.history_calls
        assert all(c.get("maxResults") == 3 for c in catch_up)
        engine_events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        assert [e.id for e in screen.history.events] == [e["id"] for e in engine_events]
        assert screen.history.events[-1].type == "ExecutionSucceeded"


# Problems ----------------------------------------------------------------------------


async def test_an_execution_that_does_not_exist(engine: str) -> None:
    arn = f"arn:aws:states:{REGION}:123456789012:execution:Nope:{unique('gone')}"
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(pilot, arn)
        await wait_for(pilot, lambda: screen.finished, what="given up")
        await wait_shown(pilot, "⚠", absent=("Traceback",))
        await pilot.press("4", "2", "f", "t")
        assert app.screen is screen  # nothing to filter, nothing to jump to


# The state machine graph -------------------------------------------------------------


async def test_state_machine_graph_screen(engine: str, sfn: Any) -> None:
    machine = sfn.create_state_machine(
        name=unique("graph"), definition=json.dumps(loop(2, wait=1)), roleArn=ROLE
    )["stateMachineArn"]
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        screen = StateMachineGraphScreen(machine)
        await app.push_screen(screen)
        await wait_for(pilot, lambda: "Check" in screen_text(app), what="graph")
        graph = screen.query_one("#machine-graph").plain_text  # type: ignore[attr-defined]
        for name in ("Init", "Inc", "Pause", "Check", "Done"):
            assert name in graph
        assert "↺ Inc ($.i < $.n)" in graph
        assert "✔" not in graph and "not reached" not in graph  # no execution, no marks
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.dashboard, what="back")


# A long history in the table ------------------------------------------------------------


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield HistoryTable()


def synthetic(count: int) -> list[HistoryEvent]:
    base = datetime(2026, 1, 15, 10, tzinfo=UTC)
    events = [HistoryEvent(1, 0, "ExecutionStarted", base, {"input": "{}"})]
    number = 2
    while len(events) < count:
        name = f"Step{number % 9}"
        for kind, key in (("PassStateEntered", "input"), ("PassStateExited", "output")):
            at = base + timedelta(milliseconds=number)
            events.append(HistoryEvent(number, number - 1, kind, at, {"name": name, key: "{}"}))
            number += 1
    return events[:count]


async def test_twenty_five_thousand_events_page_in_and_navigate() -> None:
    """25,000 events arrive in 25 pages of 1,000; every event is reachable by keys.
    (How fast this is: bench/history_table.py prints the figures.)"""
    count = 25_000
    events = synthetic(count)
    app = TableApp()
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(HistoryTable)
        table.focus()
        history = ExecutionHistory()
        table.use(history)
        for first in range(0, count, 1000):
            before = len(history)
            history.extend(events[first : first + 1000])
            table.events_added(before)
            await pilot.pause()
        assert table.row_count() == count
        await pilot.press(*["down"] * 20)
        assert table.cursor == 20
        await pilot.press("end")
        assert table.event_index(table.cursor) == count - 1
        await pilot.press("pageup", "home")
        assert table.cursor == 0


async def test_a_large_input_opens_as_a_preview_and_in_full_on_demand(sfn: Any) -> None:
    """A run whose input (and output) is a 10,000-item list: the Summary draws its first
    200 lines and says where the rest is; i opens the whole input (o the output) in a
    viewer, to its last item; Enter on a history event opens the whole event."""
    items = [f"SKU-{n:05d}" for n in range(10_000)]
    pass_through = {"StartAt": "Keep", "States": {"Keep": {"Type": "Pass", "End": True}}}
    arn = start(sfn, pass_through, items, prefix="big")
    assert finished(sfn, arn) == "SUCCEEDED"
    app = make_app(sfn.meta.endpoint_url)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_detail(pilot, arn)
        await wait_for(pilot, lambda: screen.finished, what="loaded")
        await wait_shown(pilot, '"SKU-00000"', "Input")
        summary = str(screen.query_one("#summary-io").render())
        assert "(first 200 of 10,002 lines: i shows it all)" in summary
        assert "(first 200 of 10,002 lines: o shows it all)" in summary
        assert "SKU-00198" in summary and "SKU-00199" not in summary
        await pilot.press("i")
        await wait_shown(pilot, "Input of run-", "10,002 lines", '"SKU-00000"')
        await pilot.press("ctrl+end")
        await wait_shown(pilot, '"SKU-09999"')
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="back on the detail")
        await pilot.press("o")
        await wait_shown(pilot, "Output of run-", "10,002 lines")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="back on the detail")
        await pilot.press("2")
        screen.table.focus()
        await wait_shown(pilot, "#1 ExecutionStarted", '"SKU-00000"')
        # The box below the table ends (scrolled to) with where the rest is.
        box = screen.query_one("#event-detail")
        await wait_for(
            pilot,
            lambda: "lines: Enter shows the whole event)" in str(box.render()),
            what="the event box's preview note",
        )
        await pilot.press("enter")
        await wait_shown(pilot, "Event #1 of run-", "#1 ExecutionStarted")
        await pilot.press("ctrl+end")
        await wait_shown(pilot, '"SKU-09999"')
