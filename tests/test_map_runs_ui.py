"""Distributed Map runs in the app, against the real engine: the Map Runs tab of the
execution detail, drilling down to a child execution's history and back, UpdateMapRun
from the Map Run screen (checked here, confirmed, reflected on screen and in the
service), the graph's Map marker, and a child list that pages."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from textual.widgets import Input

from sfn_tui.aws.connection import Connection
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.confirm import ConfirmScreen
from sfn_tui.tui.screens.execution_detail import ExecutionDetailScreen
from sfn_tui.tui.screens.map_run import PAGE_SIZE, MapRunScreen
from sfn_tui.tui.screens.update_map_run import UpdateMapRunScreen
from tests.helpers import boto_client, wait_until
from tests.pilot_helpers import wait_for, wait_shown
from tests.recording_proxy import RecordingProxy

REGION = "mx-central-1"  # no other test uses it
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-map-runs"
SIZE = (130, 40)

CHECK_ITEMS = {
    "StartAt": "Check",
    "States": {
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.bad", "BooleanEquals": True, "Next": "Bad"}],
            "Default": "Good",
        },
        "Bad": {"Type": "Fail", "Error": "Item.Bad", "Cause": "item 7 is bad"},
        "Good": {"Type": "Pass", "End": True},
    },
}
WAIT_EACH = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 1, "End": True}}}


def distributed(processor: dict[str, Any], **fields: Any) -> str:
    return json.dumps(
        {
            "StartAt": "EachItem",
            "States": {
                "EachItem": {
                    "Type": "Map",
                    "ItemsPath": "$.items",
                    "Label": "batch",
                    "ItemProcessor": {
                        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                        **processor,
                    },
                    "ResultSelector": {"count.$": "States.ArrayLength($)"},
                    **fields,
                    "End": True,
                }
            },
        }
    )


@pytest.fixture
def sfn(engine: str) -> Any:
    return boto_client("stepfunctions", engine, REGION)


def machine(sfn: Any, definition: str) -> str:
    name = f"maprun-{uuid.uuid4().hex[:8]}"
    return str(
        sfn.create_state_machine(name=name, definition=definition, roleArn=ROLE)["stateMachineArn"]
    )


def finished_run(sfn: Any, items: list[Any], **fields: Any) -> tuple[str, str]:
    """(execution ARN, Map Run ARN) of a finished run over `items`."""
    arn = sfn.start_execution(
        stateMachineArn=machine(sfn, distributed(CHECK_ITEMS, **fields)),
        name="run",
        input=json.dumps({"items": items}),
    )["executionArn"]
    wait_until(
        lambda: sfn.describe_execution(executionArn=arn)["status"] != "RUNNING",
        timeout=60,
        message="the run still RUNNING",
    )
    (map_run,) = sfn.list_map_runs(executionArn=arn)["mapRuns"]
    return str(arn), str(map_run["mapRunArn"])


def make_app(endpoint: str, **kwargs: Any) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=endpoint, dummy_credentials=True)
    return SfnTuiApp(connection, poll_interval=0.5, **kwargs)


async def open_detail(pilot: Any, arn: str) -> ExecutionDetailScreen:
    app = pilot.app
    await wait_for(pilot, lambda: app.client is not None, what="connected")
    screen = ExecutionDetailScreen(arn)
    await app.push_screen(screen)
    return screen


TWENTY = [{"n": n, "bad": n == 7} for n in range(20)]


async def test_drill_down_from_the_map_run_to_a_childs_history_and_back(
    engine: str, sfn: Any
) -> None:
    arn, map_run = finished_run(sfn, TWENTY, ToleratedFailureCount=1)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        detail = await open_detail(pilot, arn)
        await wait_for(pilot, lambda: bool(detail.map_runs.details), what="Map Run described")
        await pilot.press("5")
        await wait_shown(pilot, "Map Run batch", "19 succeeded", "1 failed", "20/20 done")
        await wait_shown(pilot, "Tolerated failure 1 items")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MapRunScreen), what="Map Run open")
        run_screen = app.screen
        assert isinstance(run_screen, MapRunScreen) and run_screen.map_run_arn == map_run
        await wait_shown(pilot, "20 shown", "✖ FAILED", "✔ SUCCEEDED")
        # Status filter: all → RUNNING → SUCCEEDED → FAILED.
        for _ in range(3):
            await pilot.press("s")
        await wait_shown(pilot, "status: FAILED", "1 shown")
        table = run_screen.child_table
        assert [e.status for e in table.items.values()] == ["FAILED"]
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: isinstance(app.screen, ExecutionDetailScreen), what="child open"
        )
        child = app.screen
        assert isinstance(child, ExecutionDetailScreen)
        assert child.execution_arn.startswith(
            map_run.replace(":mapRun:", ":execution:").rsplit(":", 1)[0] + ":"
        )
        await wait_shown(pilot, "item 7 is bad", "Item.Bad")
        await pilot.press("2")
        await wait_shown(pilot, "ExecutionStarted", "FailStateEntered", "ExecutionFailed")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is run_screen, what="back to the Map Run")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is detail, what="back to the execution")


async def test_the_graph_marks_the_map_state_with_its_runs_counts(engine: str, sfn: Any) -> None:
    arn, _ = finished_run(sfn, TWENTY, ToleratedFailureCount=1)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        detail = await open_detail(pilot, arn)
        await wait_for(pilot, lambda: bool(detail.map_runs.details), what="Map Run described")
        await pilot.press("4")
        await wait_shown(pilot, "EachItem · 19✔ 1✖ of 20")


async def test_no_map_runs_tab_without_a_distributed_map(engine: str, sfn: Any) -> None:
    plain = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    arn = sfn.start_execution(stateMachineArn=machine(sfn, plain), name="plain")["executionArn"]
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        detail = await open_detail(pilot, arn)
        await wait_for(pilot, lambda: detail.definition is not None, what="definition")
        await wait_shown(pilot, "SUCCEEDED", "Graph", absent=("Map Runs",))
        assert not detail.map_runs.execution_arn  # nothing asked of ListMapRuns


async def set_field(pilot: Any, field_id: str, value: str) -> None:
    field = pilot.app.screen.query_one(f"#{field_id}", Input)
    field.value = value
    await pilot.pause()


async def test_update_map_run_is_checked_confirmed_and_reflected(engine: str, sfn: Any) -> None:
    definition = distributed(WAIT_EACH, MaxConcurrency=1, ToleratedFailurePercentage=5.0)
    arn = sfn.start_execution(
        stateMachineArn=machine(sfn, definition), name="slow", input=json.dumps({"items": [1] * 30})
    )["executionArn"]
    runs = wait_until(
        lambda: sfn.list_map_runs(executionArn=arn)["mapRuns"], timeout=20, message="no run"
    )
    map_run = runs[0]["mapRunArn"]
    app = make_app(engine)
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await wait_for(pilot, lambda: app.client is not None, what="connected")
            screen = MapRunScreen(map_run, arn)
            await app.push_screen(screen)
            await wait_shown(pilot, "▶ RUNNING", "Max concurrency 1", "Tolerated failure 5%")
            await pilot.press("u")
            await wait_for(
                pilot, lambda: isinstance(app.screen, UpdateMapRunScreen), what="update modal"
            )
            await set_field(pilot, "map-run-concurrency", "many")
            await pilot.press("ctrl+s")
            await wait_shown(pilot, "Max concurrency must be a whole number")
            await set_field(pilot, "map-run-concurrency", "4")
            await set_field(pilot, "map-run-percentage", "150")
            await pilot.press("ctrl+s")
            await wait_shown(pilot, "Tolerated failure percentage must be a number from 0 to 100")
            assert isinstance(app.screen, UpdateMapRunScreen)
            await set_field(pilot, "map-run-percentage", "20")
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
            await wait_shown(pilot, "Max concurrency: 1 → 4", "5% → 20%")
            await pilot.press("y")
            await wait_for(pilot, lambda: app.screen is screen, what="modal closed")
            await wait_shown(pilot, "Max concurrency 4", "Tolerated failure 20%")
            described = sfn.describe_map_run(mapRunArn=map_run)
            assert (described["maxConcurrency"], described["toleratedFailurePercentage"]) == (
                4,
                20.0,
            )
    finally:
        sfn.stop_execution(executionArn=arn)


async def test_update_map_run_is_hidden_and_refused_in_read_only(
    engine: str, sfn: Any, proxy: RecordingProxy
) -> None:
    _, map_run = finished_run(sfn, TWENTY, ToleratedFailureCount=1)
    app = make_app(proxy.url, read_only=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        screen = MapRunScreen(map_run)
        await app.push_screen(screen)
        await wait_shown(pilot, "Map Run batch", "20 shown", absent=("Update Map Run",))
        await pilot.press("u")
        await pilot.pause()
        assert app.screen is screen
        screen.action_update_map_run()
        await wait_shown(pilot, "Read-only mode: nothing can be changed.")
        assert app.screen is screen
    assert "UpdateMapRun" not in proxy.operations


async def test_a_large_map_run_lists_its_children_page_by_page(
    engine: str, sfn: Any, proxy: RecordingProxy
) -> None:
    # 600 children stand in for 10,000 (which the engine takes ~17 s to run): what is
    # checked is that the list asks for one page at a time and never for all of them.
    arn, map_run = finished_run(sfn, [{"n": n} for n in range(600)])
    app = make_app(proxy.url)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        screen = MapRunScreen(map_run, arn)
        await app.push_screen(screen)
        await wait_shown(pilot, f"{PAGE_SIZE} shown", "more below")
        table = screen.child_table
        table.focus()
        await pilot.press("end")
        await wait_shown(pilot, f"{2 * PAGE_SIZE} shown", "more below")
        pages = [p for p in proxy.sent("ListExecutions") if p.get("mapRunArn") == map_run]
        assert all(p.get("maxResults") == PAGE_SIZE for p in pages)
        assert len(pages) <= 3  # the first page (maybe re-read once) and the next one
        assert table.row_count == 2 * PAGE_SIZE


async def test_the_palette_offers_update_map_run_in_the_consoles_words(
    engine: str, sfn: Any
) -> None:
    from tests.test_read_only_routes import palette_entries

    _, map_run = finished_run(sfn, TWENTY, ToleratedFailureCount=1)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        screen = MapRunScreen(map_run)
        await app.push_screen(screen)
        await wait_shown(pilot, "20 shown")
        entries = await palette_entries(pilot, app)
        assert {"Update Map Run", "Filter child executions by status"} <= set(entries)
    read_only = make_app(engine, read_only=True)
    async with read_only.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: read_only.client is not None, what="connected")
        await read_only.push_screen(MapRunScreen(map_run))
        await wait_shown(pilot, "20 shown")
        entries = await palette_entries(pilot, read_only)
        assert "Filter child executions by status" in entries
        assert "Update Map Run" not in entries


async def test_update_map_run_shows_the_services_refusal_in_words(engine: str, sfn: Any) -> None:
    from dataclasses import replace

    from sfn_tui.aws.map_runs import MapRunDetail

    _, map_run = finished_run(sfn, TWENTY, ToleratedFailureCount=1)
    detail = MapRunDetail.from_api(sfn.describe_map_run(mapRunArn=map_run))
    gone = replace(detail, arn=map_run.rsplit(":", 1)[0] + ":00000000-0000-0000-0000-000000000000")
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        modal = UpdateMapRunScreen(gone)
        await app.push_screen(modal)
        await set_field(pilot, "map-run-concurrency", "3")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        text = await wait_shown(pilot, "The Map Run was not updated:", absent=("Traceback",))
        assert app.screen is modal  # still open, nothing typed lost
        assert "Map Run" in text
    assert sfn.describe_map_run(mapRunArn=map_run)["maxConcurrency"] == 0
