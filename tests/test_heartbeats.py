"""Heartbeats keep their deadlines whatever the UI is doing: the app's event loop is
kept busy (as a long UI operation would) for three times HeartbeatSeconds while it
holds a claimed task; the run must still be waiting for the answer afterwards, and
the answer must then complete it.

The engine runs in a process of its own here, as AWS does: the session's in-process
engine shares this process's GIL with every thread earlier tests left running, and
under a loaded CI run its heartbeat clock, not the app, decided the outcome."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from sfn_tui.aws.connection import Connection
from sfn_tui.tui.app import SfnTuiApp
from tests.helpers import boto_client
from tests.pilot_helpers import wait_for
from tests.test_cli import clean_env, read_endpoint

REGION = "af-south-1"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-heartbeats"
HEARTBEAT = 3


def busy_for(seconds: float) -> None:
    """Hold the event loop (and the GIL, but for the interpreter's switch interval),
    as a long UI operation does: the fault injected here, not a wait."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


@pytest.fixture
def own_engine(tmp_path: Path) -> Iterator[str]:
    """`sfn-tui local-server` in a child process; its endpoint."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sfn_tui", "local-server", "--port", "0", "--no-seed"],
        env=clean_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        yield read_endpoint(process)
    finally:
        process.kill()
        process.wait(30)


async def test_heartbeats_go_out_while_the_ui_loop_is_blocked(own_engine: str) -> None:
    engine = own_engine
    sfn = boto_client("stepfunctions", engine, REGION)
    tag = uuid.uuid4().hex[:6]
    activity = sfn.create_activity(name=f"beat-{tag}")["activityArn"]
    ask = {
        "Type": "Task",
        "Resource": activity,
        "HeartbeatSeconds": HEARTBEAT,
        "TimeoutSeconds": 120,
        "End": True,
    }
    machine = sfn.create_state_machine(
        name=f"beat-{tag}",
        definition=json.dumps({"StartAt": "Ask", "States": {"Ask": ask}}),
        roleArn=ROLE,
    )["stateMachineArn"]
    run = sfn.start_execution(stateMachineArn=machine, name=f"r-{tag}")["executionArn"]
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    app = SfnTuiApp(
        connection,
        poll_interval=0.5,
        catalog_interval=1.0,
        worked_activities=frozenset({f"beat-{tag}"}),
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(
            pilot,
            lambda: (
                app.inbox is not None
                and any(t.heartbeat_seconds == HEARTBEAT for t in app.inbox.claimed())
            ),
            what="task claimed and placed",
        )
        busy_for(3 * HEARTBEAT)
        assert sfn.describe_execution(executionArn=run)["status"] == "RUNNING"
        assert app.inbox is not None
        [item] = app.inbox.claimed()
        await app.inbox.answer(item.id, '{"alive": true}')
    described = sfn.describe_execution(executionArn=run)
    assert described["status"] == "SUCCEEDED", described.get("error")
