"""Finding things on the dashboard: `/` filters, the status filter (ListExecutions'
statusFilter), more pages on demand, copy ARN."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from sfn_tui.aws.connection import Connection
from sfn_tui.tui.app import SfnTuiApp
from tests.helpers import boto_client
from tests.pilot_helpers import wait_for, wait_shown
from tests.recording_proxy import RecordingProxy

REGION = "ap-northeast-2"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-test"
PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
FAIL = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "c"}}}


@pytest.fixture
def sfn(engine: str) -> Any:
    return boto_client("stepfunctions", engine, REGION)


def make_app(engine: str) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    return SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0)


def machine(sfn: Any, prefix: str, definition: dict[str, Any]) -> str:
    name = f"{prefix}-{uuid.uuid4().hex[:6]}"
    return str(
        sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)[
            "stateMachineArn"
        ]
    )


async def focus_machine(pilot: Any, app: SfnTuiApp, arn: str) -> None:
    dashboard = app.dashboard
    await wait_for(pilot, lambda: arn in dashboard.machines.items, what="machine listed")
    dashboard.machines.focus()
    await pilot.press("home")
    for _ in range(dashboard.machines.get_row_index(arn)):
        await pilot.press("down")
    await wait_for(
        pilot, lambda: dashboard.watched is not None and dashboard.watched.arn == arn, what="watch"
    )


async def first_page_shown(pilot: Any, app: SfnTuiApp, arn: str) -> None:
    """The machine selected and its newest page of 100 runs in the executions pane."""
    await focus_machine(pilot, app, arn)
    executions = app.dashboard.executions
    await wait_for(pilot, lambda: len(executions.items) == 100, what="first page")


async def test_slash_filters_the_focused_pane_by_name(engine: str, sfn: Any) -> None:
    tag = uuid.uuid4().hex[:6]
    wanted = machine(sfn, f"orders{tag}", PASS)
    other = machine(sfn, f"billing{tag}", PASS)
    app = make_app(engine)
    async with app.run_test(size=(120, 36)) as pilot:
        dashboard = app.dashboard
        await wait_for(pilot, lambda: other in dashboard.machines.items, what="listed")
        dashboard.machines.focus()
        await pilot.press("slash", *f"ORDERS{tag}")
        await wait_for(pilot, lambda: list(dashboard.machines.items) == [wanted], what="filtered")
        await wait_shown(pilot, absent=(f"billing{tag}",))
        await pilot.press("enter")
        await wait_for(pilot, lambda: dashboard.machines.has_focus, what="the table focused again")
        await wait_shown(pilot, f"/ORDERS{tag}")
        # New data keeps the filter: a poll does not bring the other row back.
        await wait_for(pilot, lambda: app.refreshed_at is not None, what="refreshed")
        assert other not in dashboard.machines.items
        await pilot.press("slash", "escape")
        await wait_for(pilot, lambda: other in dashboard.machines.items, what="filter cleared")


async def test_status_filter_uses_list_executions_status(engine: str, sfn: Any) -> None:
    arn = machine(sfn, "mixed", PASS)
    ok = sfn.start_execution(stateMachineArn=arn, name="ok-1")["executionArn"]
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(FAIL))
    bad = sfn.start_execution(stateMachineArn=arn, name="bad-1")["executionArn"]
    app = make_app(engine)
    async with app.run_test(size=(120, 36)) as pilot:
        dashboard = app.dashboard
        await focus_machine(pilot, app, arn)
        await wait_for(pilot, lambda: {ok, bad} <= set(dashboard.executions.items), what="both")
        dashboard.executions.focus()
        await pilot.press("f")  # RUNNING
        await wait_for(
            pilot,
            lambda: dashboard.status_filter == "RUNNING" and not dashboard.executions.loading,
            what="running only",
        )
        assert dashboard.executions.items == {}
        await pilot.press("f", "f")  # SUCCEEDED, FAILED
        await wait_for(pilot, lambda: list(dashboard.executions.items) == [bad], what="failed only")
        await wait_shown(pilot, "FAILED only")


async def test_more_executions_load_when_scrolling_past_the_end(engine: str, sfn: Any) -> None:
    arn = machine(sfn, "many", PASS)
    for i in range(130):  # more than one page of 100
        sfn.start_execution(stateMachineArn=arn, name=f"run-{i:03d}")
    app = make_app(engine)
    async with app.run_test(size=(120, 36)) as pilot:
        dashboard = app.dashboard
        await first_page_shown(pilot, app, arn)
        assert dashboard.more_token is not None
        dashboard.executions.focus()
        await pilot.press("end")
        await wait_for(pilot, lambda: len(dashboard.executions.items) == 130, what="second page")
        # The poll keeps refreshing the first page without dropping the second.
        await wait_for(pilot, lambda: app.refreshed_at is not None, what="refreshed")
        assert len(dashboard.executions.items) == 130


async def test_filtering_runs_says_it_searched_only_the_loaded_ones(engine: str, sfn: Any) -> None:
    """ListExecutions has no name filter: while older runs are still on the service, the
    pane's title says how many runs `/` searched."""
    arn = machine(sfn, "search", PASS)
    for i in range(130):
        sfn.start_execution(stateMachineArn=arn, name=f"run-{i:03d}")
    app = make_app(engine)
    async with app.run_test(size=(140, 36)) as pilot:
        dashboard = app.dashboard
        await first_page_shown(pilot, app, arn)
        dashboard.executions.focus()
        await pilot.press("slash", *"run-00", "enter")  # run-000..009: not loaded yet
        await wait_shown(pilot, "/run-00 in 100 loaded")
        assert dashboard.executions.items == {}
        await pilot.press("slash", "escape")  # clear it, load the rest, search again
        await wait_for(pilot, lambda: len(dashboard.executions.items) == 100, what="all 100")
        dashboard.executions.focus()
        await pilot.press("end")
        await wait_for(
            pilot,
            lambda: dashboard.more_token is None and dashboard.pages_loaded == 2,
            what="all pages",
        )
        await pilot.press("slash", *"run-00", "enter")
        await wait_for(pilot, lambda: len(dashboard.executions.items) == 10, what="found")
        await wait_shown(pilot, "/run-00", absent=("loaded",))


async def test_first_page_follows_new_runs_without_growing(engine: str, sfn: Any) -> None:
    """With only the newest page loaded, runs pushed off it by newer ones leave the pane
    (a dashboard left open does not gather every run ever started); End brings them back."""
    arn = machine(sfn, "busy", PASS)
    for i in range(100):
        sfn.start_execution(stateMachineArn=arn, name=f"old-{i:03d}")
    app = make_app(engine)
    async with app.run_test(size=(120, 36)) as pilot:
        dashboard = app.dashboard
        await first_page_shown(pilot, app, arn)
        new = {
            sfn.start_execution(stateMachineArn=arn, name=f"new-{i}")["executionArn"]
            for i in range(5)
        }
        await wait_for(
            pilot, lambda: new <= set(dashboard.executions.items), what="new runs on the pane"
        )
        assert len(dashboard.executions.items) == 100
        assert dashboard.executions.row_count == 100
        names = {e.name for e in dashboard.executions.items.values()}
        assert not {f"old-{i:03d}" for i in range(5)} & names
        # The cursor stayed on its run (the newest then) as runs arrived above it; when
        # newer runs push it off the page it stays on screen, and nothing more loads
        # until the user moves down from the last row.
        dashboard.executions.focus()
        followed = dashboard.executions.selected
        assert followed is not None and followed.name == "old-099"
        for i in range(96):
            sfn.start_execution(stateMachineArn=arn, name=f"newer-{i}")
        await wait_for(
            pilot,
            lambda: "newer-95" in {e.name for e in dashboard.executions.items.values()},
            what="the newest page",
        )
        assert dashboard.executions.row_count == 101
        selected = dashboard.executions.selected
        assert selected is not None and selected.name == "old-099"
        assert dashboard.executions.cursor_row == 100
        for _ in range(2):  # and so it stays, poll after poll
            seen = app.refreshed_at
            await wait_for(pilot, lambda seen=seen: app.refreshed_at != seen, what="a poll")
            await pilot.pause()
            assert dashboard.pages_loaded == 1
            assert dashboard.executions.row_count == 101
        await pilot.press("down")
        await wait_for(pilot, lambda: len(dashboard.executions.items) > 101, what="older page")


async def test_runs_beyond_the_newest_page_still_change_on_screen(
    engine: str, sfn: Any, proxy: RecordingProxy
) -> None:
    """The poll lists only the newest page; a run still going on an older page the user
    loaded is followed until it ends, so its row does not stay RUNNING for ever. While
    it runs that costs a ListExecutions(RUNNING) every few ticks, no DescribeExecution;
    once it ends, one DescribeExecution brings its final status."""
    hold = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 300, "End": True}}}
    arn = machine(sfn, "follow", hold)
    old = sfn.start_execution(stateMachineArn=arn, name="old-hold")["executionArn"]
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(PASS))
    for i in range(100):  # push it off the newest page
        sfn.start_execution(stateMachineArn=arn, name=f"quick-{i:03d}")
    app = make_app(proxy.url)
    async with app.run_test(size=(120, 36)) as pilot:
        dashboard = app.dashboard
        await first_page_shown(pilot, app, arn)
        assert old not in dashboard.executions.items
        dashboard.executions.focus()
        await pilot.press("end")
        await wait_for(pilot, lambda: old in dashboard.executions.items, what="older page")
        await wait_for(pilot, lambda: dashboard.executions.selected is not None, what="cursor")
        await pilot.press("end")  # the cursor on the old run, the last row
        await wait_shown(pilot, "old-hold", "RUNNING")
        assert app.poller is not None
        await wait_for(pilot, lambda: old in app.poller.followed, what="followed")
        listed = proxy.operations.count("ListExecutions")
        await wait_for(  # a few ticks, with at least one check of the followed run
            pilot, lambda: proxy.operations.count("ListExecutions") >= listed + 8, what="ticks"
        )
        assert "DescribeExecution" not in proxy.operations

        sfn.stop_execution(executionArn=old, error="Ops.Stop", cause="stopped elsewhere")
        await wait_for(
            pilot,
            lambda: dashboard.executions.items[old].status == "ABORTED",
            what="the old run's new status",
        )
        text = await wait_shown(pilot, "old-hold", "ABORTED")
        assert "RUNNING" not in text
        await wait_for(pilot, lambda: old not in app.poller.followed, what="no longer followed")
        assert proxy.operations.count("DescribeExecution") == 1


async def test_a_followed_run_that_ends_leaves_a_running_only_pane(engine: str, sfn: Any) -> None:
    """Under the RUNNING filter, a run beyond the newest page that ends goes from the
    pane, as it goes from the newest page's listing."""
    hold = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 300, "End": True}}}
    arn = machine(sfn, "follow-running", hold)
    old = sfn.start_execution(stateMachineArn=arn, name="old-hold")["executionArn"]
    runs = [
        sfn.start_execution(stateMachineArn=arn, name=f"hold-{i:03d}")["executionArn"]
        for i in range(100)  # a full newest page of RUNNING runs above it
    ]
    try:
        app = make_app(engine)
        async with app.run_test(size=(120, 36)) as pilot:
            dashboard = app.dashboard
            await first_page_shown(pilot, app, arn)
            dashboard.executions.focus()
            await pilot.press("f")  # RUNNING only
            await wait_for(
                pilot,
                lambda: (
                    dashboard.status_filter == "RUNNING"
                    and len(dashboard.executions.items) == 100
                    and dashboard.more_token is not None
                ),
                what="the newest RUNNING page",
            )
            await pilot.press("end")
            await wait_for(pilot, lambda: old in dashboard.executions.items, what="older page")
            await pilot.press("end")
            await wait_shown(pilot, "old-hold", "RUNNING only")
            sfn.stop_execution(executionArn=old)
            await wait_for(
                pilot, lambda: old not in dashboard.executions.items, what="the ended run gone"
            )
            await wait_shown(pilot, "RUNNING only", absent=("old-hold",))
            assert dashboard.status_filter == "RUNNING"
            assert len(dashboard.executions.items) == 100
    finally:
        for run in runs:
            sfn.stop_execution(executionArn=run)


async def test_copy_arn_of_the_selected_row(engine: str, sfn: Any) -> None:
    arn = machine(sfn, "copyme", PASS)
    app = make_app(engine)
    async with app.run_test(size=(120, 36)) as pilot:
        await focus_machine(pilot, app, arn)
        await pilot.press("y")
        assert app.clipboard == arn
