"""The DEBUG log shows what the user saw during an outage: the app, run against the
fault proxy in front of the real engine with `--log-file` at DEBUG, goes through
failing retried calls, a hung call, refused connections and a recovery, for the
dashboard's polls and an activity's long polls; then the log is read. A task token
claimed meanwhile never appears in it."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from sfn_tui.aws.client import ClientSettings
from sfn_tui.aws.connection import Connection
from sfn_tui.cli import configure_logging
from sfn_tui.tui.app import SfnTuiApp
from tests.fault_proxy import FaultProxy, fault_proxy_fixture
from tests.helpers import boto_client
from tests.pilot_helpers import wait_for

REGION = "ap-southeast-1"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-test"
# Two attempts per call, so botocore retries once; a hung call is late (5 s) before
# it times out (2 x 4 s).
RETRYING = ClientSettings(
    read_timeout=4, connect_timeout=1, long_poll_read_timeout=6, max_attempts=2
)
LIBRARIES = ("botocore", "aiobotocore", "urllib3")


@pytest.fixture
def fresh_logging() -> Iterator[None]:
    """configure_logging() replaces the root handlers: put pytest's back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in LIBRARIES}
    yield
    for handler in root.handlers:
        handler.close()
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, was in levels.items():
        logging.getLogger(name).setLevel(was)


proxy = fault_proxy_fixture()


async def test_the_debug_log_records_outages_retries_and_recoveries(
    engine: str, tmp_path: Path, fresh_logging: None, proxy: FaultProxy
) -> None:
    sfn = boto_client("stepfunctions", engine, REGION)
    activity_arn = sfn.create_activity(name=f"log-{uuid.uuid4().hex[:6]}")["activityArn"]
    task = {
        "StartAt": "Ask",
        "States": {"Ask": {"Type": "Task", "Resource": activity_arn, "End": True}},
    }
    machine_arn = sfn.create_state_machine(
        name=f"log-{uuid.uuid4().hex[:6]}", definition=json.dumps(task), roleArn=ROLE
    )["stateMachineArn"]
    path = tmp_path / "sfn-tui.log"
    configure_logging(str(path), "DEBUG")

    def log() -> str:
        return path.read_text(encoding="utf-8") if path.exists() else ""

    connection = Connection(region=REGION, endpoint_url=proxy.url, dummy_credentials=True)
    app = SfnTuiApp(
        connection,
        poll_interval=0.5,
        catalog_interval=1.0,
        client_settings=RETRYING,
        worked_activities=frozenset({activity_arn.rsplit(":", 1)[1]}),
    )
    async with app.run_test(size=(120, 36)) as pilot:
        dashboard = app.dashboard
        await wait_for(pilot, lambda: machine_arn in dashboard.machines.items, what="listed")
        dashboard.machines.select_key(machine_arn)
        await wait_for(pilot, lambda: app.inbox is not None and activity_arn in app.inbox.worked)
        sfn.start_execution(stateMachineArn=machine_arn, name="claimed")
        await wait_for(pilot, lambda: app.inbox is not None and bool(app.inbox.claimed()))
        assert app.inbox is not None
        tokens = [item.task.token for item in app.inbox.tasks]

        # 1. Server errors: botocore retries, then the poll fails; then it recovers.
        proxy.fault("ListStateMachines", "status", status=503)
        await pilot.press("r")
        await wait_for(pilot, lambda: app.poll_failure is not None, what="poll failed")
        proxy.clear()
        await wait_for(pilot, lambda: app.poll_failure is None, what="recovered")
        # 2. A hung call: late, then timed out.
        proxy.fault("ListExecutions", "hang")
        await wait_for(pilot, lambda: app.poll_failure is not None, timeout=30, what="timeout")
        proxy.clear()
        await wait_for(pilot, lambda: app.poll_failure is None, what="recovered again")
        # 3. The endpoint goes away and comes back (the activity's long polls too).
        await proxy.refuse()
        await wait_for(
            pilot,
            lambda: (
                app.inbox is not None
                and activity_arn in app.inbox.poll_errors
                and app.poll_failure is not None
                and app.poll_failure.kind == "disconnected"
            ),
            timeout=30,
            what="refreshes and task polls failing",
        )
        await proxy.allow()
        await wait_for(
            pilot,
            lambda: app.poll_failure is None and activity_arn not in app.inbox.poll_errors,  # type: ignore[union-attr]
            timeout=40,
            what="all reconnected",
        )
        await wait_for(pilot, lambda: "works again" in log(), what="task polls said back")

    text = log()
    for expected in (
        "ListStateMachines attempt 1 of 2 failed: HTTP 503 ServiceUnavailable",  # retry
        "retrying",
        "Refresh failed (error)",  # the outage begins
        "Refreshing again after",  # and ends
        "no answer for",  # the hung call is late ...
        f"ListExecutions failed: the endpoint {proxy.url} did not answer in time",  # timed out
        "Refresh failed (disconnected)",
        f"Polling {activity_arn} failed",
        f"Polling {activity_arn} works again",
    ):
        assert expected in text, f"{expected!r} not in the log:\n{text[-4000:]}"
    for token in tokens:
        assert token not in text and token[:40] not in text
