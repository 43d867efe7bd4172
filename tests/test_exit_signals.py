"""Every exit path fails every claimed task: a real `sfn-tui` process in a pty, working
an activity whose runs it has claimed, is ended by a signal (SIGTERM, SIGINT, SIGQUIT)
or by its terminal closing (a hangup: the pty's master side closed), on various
screens. Every run must end FAILED with Worker.Shutdown, read through the API; the
process must exit within seconds; and, where the terminal is still there, leave it
as it found it (the alternate screen left, the cursor shown)."""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from typing import Any

import pytest

from tests.helpers import boto_client, wait_until
from tests.pty_terminal import Terminal, app_environment, sfn_tui

REGION = "eu-north-1"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-signals"
RUNS = 3
LEAVE_ALT_SCREEN = b"\x1b[?1049l"


def claimed_by_app(sfn: Any, run_arn: str) -> bool:
    events = sfn.get_execution_history(executionArn=run_arn)["events"]
    return any(e["type"] == "ActivityStarted" for e in events)


@pytest.mark.parametrize(
    ("how", "screen_keys"),
    [
        ("SIGTERM", b"q"),  # the quit prompt is open: the signal does not ask again
        ("SIGINT", b"c"),  # the chat pane
        ("SIGQUIT", b""),  # the dashboard
        ("hangup", b"c"),  # the terminal closed under the chat pane
    ],
)
def test_every_claimed_task_is_failed_when_the_app_is_ended(
    engine: str, how: str, screen_keys: bytes
) -> None:
    sfn = boto_client("stepfunctions", engine, REGION)
    tag = uuid.uuid4().hex[:6]
    activity_name = f"signals-{tag}"
    activity = sfn.create_activity(name=activity_name)["activityArn"]
    definition = {
        "StartAt": "Ask",
        "States": {"Ask": {"Type": "Task", "Resource": activity, "End": True}},
    }
    machine = sfn.create_state_machine(
        name=f"signals-{tag}", definition=json.dumps(definition), roleArn=ROLE
    )["stateMachineArn"]
    runs = [
        sfn.start_execution(stateMachineArn=machine, name=f"r{n}-{tag}")["executionArn"]
        for n in range(RUNS)
    ]
    argv = sfn_tui("--endpoint-url", engine, "--region", REGION, "--work", activity_name)
    terminal = Terminal(argv, app_environment())
    try:
        wait_until(
            lambda: all(claimed_by_app(sfn, run) for run in runs),
            timeout=30,
            message="the app claimed every run's task",
        )
        if screen_keys:
            terminal.send(screen_keys)
            wait_until(
                lambda: (
                    b"Quit sfn-tui?" in terminal.output
                    if screen_keys == b"q"
                    else b"Conversation" in terminal.output
                ),
                timeout=10,
                message="the screen opened",
            )
        mark = len(terminal.output)
        if how == "hangup":
            terminal.hang_up()
        else:
            os.kill(terminal.pid, getattr(signal, how))
        started = time.monotonic()
        wait_until(terminal.exited, timeout=20, message="the app exited")
        took = time.monotonic() - started
    finally:
        terminal.kill()
    for run in runs:
        described = sfn.describe_execution(executionArn=run)
        assert described["status"] == "FAILED", (how, run, described["status"])
        assert described["error"] == "Worker.Shutdown"
    assert terminal.status is not None
    if how != "hangup":
        assert os.WIFEXITED(terminal.status), f"killed by a signal after {took:.1f} s"
        assert os.WEXITSTATUS(terminal.status) == 128 + getattr(signal, how)
        assert LEAVE_ALT_SCREEN in terminal.output[mark:], "the terminal was not restored"
        assert b"Traceback" not in terminal.output
