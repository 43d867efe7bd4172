"""History shows each event's time as well as the time since start, in the user's time
zone (pinned here: America/Los_Angeles, passed to the app as its setting), with the
date when the run spans days there; `u` switches to UTC and the header says which."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sfn_tui.aws.connection import Connection
from sfn_tui.local.scene import DEFAULT_ACCOUNT
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.event_times import EventClock
from sfn_tui.tui.screens.execution_detail import ExecutionDetailScreen
from tests.helpers import boto_client, wait_until
from tests.pilot_helpers import wait_for, wait_shown

REGION = "cn-north-1"  # only the readable-pane tests use it (the engine accepts it; ARNs read arn:aws-cn:…)
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-test"
PASSES = {"StartAt": "Step", "States": {"Step": {"Type": "Pass", "End": True}}}
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
BASE = datetime(2026, 1, 15, 7, 30, tzinfo=UTC)  # Jan 14, 23:30 in Los Angeles


def stamp_hourly(execution_arn: str) -> None:
    """Event n at BASE + (n - 1) hours: the run crosses midnight in Los Angeles (the
    engine stamps events with the wall clock; this reaches into moto, as scene.py does)."""
    from moto.core.utils import iso_8601_datetime_with_milliseconds
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    backend = stepfunctions_parser_backends[DEFAULT_ACCOUNT][REGION]
    execution: Any = backend.describe_execution(execution_arn=execution_arn)
    for event in execution.exec_worker.env.event_manager._history_event_list:
        at = BASE + timedelta(hours=event["id"] - 1)
        event["timestamp"] = iso_8601_datetime_with_milliseconds(at)


def test_event_clock_dates_only_when_the_run_spans_days() -> None:
    clock = EventClock(tz=LOS_ANGELES)
    late, early = BASE, BASE + timedelta(hours=2)
    assert clock.spans_days(late, early)  # 23:30 and 01:30 in Los Angeles
    assert clock.text(late, with_date=True) == "Jan 14 23:30:00"
    assert clock.zone_name(late) == "PST"
    clock.utc = True
    assert not clock.spans_days(late, early)  # 07:30 and 09:30 UTC
    assert clock.text(late, with_date=False) == "07:30:00"
    assert clock.zone_name(late) == "UTC"


async def test_history_times_in_the_users_zone_and_in_utc(engine: str) -> None:
    sfn = boto_client("stepfunctions", engine, REGION)
    machine = sfn.create_state_machine(
        name=f"Times{uuid.uuid4().hex[:6]}", definition=json.dumps(PASSES), roleArn=ROLE
    )["stateMachineArn"]
    arn = sfn.start_execution(stateMachineArn=machine, name="overnight")["executionArn"]
    wait_until(lambda: sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED")
    stamp_hourly(arn)
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    app = SfnTuiApp(connection, poll_interval=0.5, tz=LOS_ANGELES)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        screen = ExecutionDetailScreen(arn)
        await app.push_screen(screen)
        await wait_for(pilot, lambda: screen.finished, what="loaded")
        await pilot.press("2")
        screen.table.focus()
        # Local time, with dates: the run went past midnight in Los Angeles.
        await wait_shown(
            pilot, "Time PST", "Since start", "Jan 14 23:30:00", "Jan 15 00:30:00", "+1h00m00s"
        )
        await pilot.press("u")
        text = await wait_shown(pilot, "Time UTC", "07:30:00", "08:30:00", absent=("Time PST",))
        assert "Jan 1" not in text  # all on Jan 15 in UTC: no dates
        await pilot.press("u")
        await wait_shown(pilot, "Time PST", "Jan 14 23:30:00", absent=("Time UTC",))


LONG_NAMES = {
    "StartAt": "ValidateTheIncomingOrder",
    "States": {
        "ValidateTheIncomingOrder": {"Type": "Pass", "Next": "ReserveStockInWarehouse7"},
        "ReserveStockInWarehouse7": {
            "Type": "Pass",
            "Result": {"reservation": "R-0001", "note": "kept for 30 minutes " + "x" * 120},
            "End": True,
        },
    },
}


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_history_columns_fit_the_pane(engine: str, size: tuple[int, int]) -> None:
    """Long state names, a run over midnight (dated times) and a long output: at 80x24
    and 120x40 every column's title is on screen, Details included, with each row's
    details shortened with … where they do not fit; the full text is in the box below
    the table for the event under the cursor."""
    width = size[0]
    sfn = boto_client("stepfunctions", engine, REGION)
    machine = sfn.create_state_machine(
        name=f"Fit{uuid.uuid4().hex[:6]}", definition=json.dumps(LONG_NAMES), roleArn=ROLE
    )["stateMachineArn"]
    arn = sfn.start_execution(stateMachineArn=machine, name="long-names")["executionArn"]
    wait_until(lambda: sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED")
    stamp_hourly(arn)
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    app = SfnTuiApp(connection, poll_interval=0.5, tz=LOS_ANGELES)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        screen = ExecutionDetailScreen(arn)
        await app.push_screen(screen)
        await wait_for(pilot, lambda: screen.finished, what="loaded")
        await pilot.press("2")
        screen.table.focus()
        text = await wait_shown(pilot, "ExecutionSucceeded", "Jan 14 23:30:00")
        lines = text.splitlines()
        header = next(line for line in lines if "# Type" in line)
        for title in ("State", "Time PST", "Since start", "Details"):
            assert title in header, (width, header)
        # The last event (ExecutionSucceeded): its output shortened at the pane's edge,
        # its time and offset whole.
        last = next(line for line in lines if "ExecutionSucceeded" in line)
        assert '{"reservation":' in last, last
        assert last.rstrip().endswith("…"), last
        assert "+5h00m00s" in last and "Jan 15 04:30:00" in last, last
        assert len(last.rstrip()) <= width
        # Every state's name readable at least up to its 9th character.
        assert "ValidateT…" in text or "ValidateTheIncomingOrder" in text
        # The full output: in the box below, for the event under the cursor.
        await pilot.press("end")
        await wait_shown(
            pilot,
            "#6 ExecutionSucceeded",
            '"reservation": "R-0001"',
            "kept for 30 minutes",
            "x" * 60,
        )
