"""What a listing leaves for the cyclic GC to walk: the longest stalls while polling
were full collections, and their length grows with the objects alive (bench/stalls.py).
These check the mechanisms, never a timing."""

from __future__ import annotations

import gc
from collections import Counter
from datetime import UTC
from typing import Any

import pytest

from sfn_tui.aws.client import StepFunctionsClient
from sfn_tui.aws.connection import Connection
from tests.helpers import boto_client

REGION = "ap-southeast-6"  # no other test uses it


@pytest.fixture
def sfn(engine: str) -> Any:
    return boto_client("stepfunctions", engine, REGION)


def machine(sfn: Any, name: str) -> str:
    definition = '{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}'
    role = "arn:aws:iam::123456789012:role/gc-footprint"
    return str(
        sfn.create_state_machine(name=name, definition=definition, roleArn=role)["stateMachineArn"]
    )


async def test_listed_dates_are_utc_and_share_one_tzinfo(engine: str, sfn: Any) -> None:
    arn = machine(sfn, "gc-dates")
    started = sfn.start_execution(stateMachineArn=arn, name="dated")
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    async with StepFunctionsClient(connection) as client:
        page = await client.list_executions(arn)
        machines = await client.list_state_machines()
    [run] = page.executions
    assert run.start_date == started["startDate"]  # the same instant as boto3 reads
    assert run.start_date.tzinfo is UTC  # not a dateutil tzlocal() per timestamp
    assert all(m.creation_date.tzinfo is UTC for m in machines)


async def test_a_client_opened_later_reuses_the_loaded_service_models(engine: str) -> None:
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    async with StepFunctionsClient(connection) as client:
        gc.collect()
        before = Counter(type(o).__name__ for o in gc.get_objects())
        async with client.heartbeat_sender():  # a new session, as the heartbeat thread's
            gc.collect()
            after = Counter(type(o).__name__ for o in gc.get_objects())
    # A second copy of the Step Functions model is about 30,000 OrderedDicts.
    assert after["OrderedDict"] - before["OrderedDict"] < 1000


async def test_an_unchanged_listing_is_the_same_page_and_a_change_is_not(
    engine: str, sfn: Any
) -> None:
    arn = machine(sfn, "gc-same-page")
    sfn.start_execution(stateMachineArn=arn, name="first")
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    async with StepFunctionsClient(connection) as client:
        first = await client.list_executions(arn)
        again = await client.list_executions(arn)
        assert again is first  # the same bytes: not parsed again, the same runs
        sfn.start_execution(stateMachineArn=arn, name="second")
        changed = await client.list_executions(arn)
        assert changed is not first
        assert [e.name for e in changed.executions] == ["second", "first"]
        other = machine(sfn, "gc-same-page-other")
        assert (await client.list_executions(other)).executions == ()
        assert (await client.list_executions(arn)).executions == changed.executions


async def test_an_unchanged_poll_does_not_redraw_the_runs_and_a_new_run_shows(
    engine: str, sfn: Any
) -> None:
    from sfn_tui.tui.app import SfnTuiApp
    from tests.pilot_helpers import wait_for, wait_shown

    arn = machine(sfn, "aaa-gc-redraw")  # first by name: watched at launch
    sfn.start_execution(stateMachineArn=arn, name="quiet-run")
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    app = SfnTuiApp(connection, poll_interval=0.3, catalog_interval=1.0)
    async with app.run_test(size=(120, 36)) as pilot:
        dash = app.dashboard
        table = dash.executions
        await wait_for(pilot, lambda: dash.watched is not None and dash.watched.arn == arn)
        await wait_shown(pilot, "quiet-run", "SUCCEEDED")
        for _ in range(2):  # settled: the loading indicator gone, the columns fitted
            seen = app.refreshed_at
            await wait_for(pilot, lambda s=seen: app.refreshed_at != s, what="a poll")
        await pilot.pause()
        refreshes = 0
        original = table.refresh

        def counted(*args: Any, **kwargs: Any) -> Any:
            nonlocal refreshes
            refreshes += 1
            return original(*args, **kwargs)

        table.refresh = counted  # type: ignore[method-assign]
        before = app.refreshed_at
        # Three polls of the same page: the runs pane is not drawn again.
        for _ in range(3):
            seen = app.refreshed_at
            await wait_for(pilot, lambda s=seen: app.refreshed_at != s, what="a poll")
        assert app.refreshed_at != before
        assert refreshes == 0
        sfn.start_execution(stateMachineArn=arn, name="new-run")
        await wait_shown(pilot, "new-run", "quiet-run")
        assert refreshes > 0


async def test_the_first_runs_drawn_are_out_of_the_cyclic_gcs_walk(engine: str, sfn: Any) -> None:
    """The first pages stay as long as the dashboard: once the first runs are drawn they
    are frozen out of the cyclic GC (a full collection while polling walks what came
    after only), and a run that arrives later is not."""
    from sfn_tui.tui.app import SfnTuiApp
    from tests.pilot_helpers import wait_for, wait_shown

    arn = machine(sfn, "aaa-gc-frozen")  # first by name: watched at launch
    sfn.start_execution(stateMachineArn=arn, name="first-run")
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    app = SfnTuiApp(connection, poll_interval=0.3, catalog_interval=1.0)

    def walked(obj: object) -> bool:
        return any(o is obj for o in gc.get_objects())

    async with app.run_test(size=(120, 36)) as pilot:
        dash = app.dashboard
        await wait_for(pilot, lambda: dash.watched is not None and dash.watched.arn == arn)
        await wait_shown(pilot, "first-run")
        first = next(run for run in dash.executions.items.values() if run.name == "first-run")
        assert gc.is_tracked(first)
        await wait_for(pilot, lambda: not walked(first), what="the first run frozen")
        sfn.start_execution(stateMachineArn=arn, name="later-run")
        await wait_shown(pilot, "later-run")
        later = next(run for run in dash.executions.items.values() if run.name == "later-run")
        assert gc.is_tracked(later) and walked(later)
