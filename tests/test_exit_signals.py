"""Every exit path fails every claimed task: a real `sfn-tui` process in a pty, working
an activity whose runs it has claimed, is ended by a signal (SIGTERM, SIGINT, SIGQUIT)
or by its terminal closing (a hangup: the pty's master side closed), on various
screens. Every run must end FAILED with Worker.Shutdown, read through the API; the
process must exit within seconds; and, where the terminal is still there, leave it
as it found it (the alternate screen left, the cursor shown)."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import signal
import struct
import sys
import termios
import threading
import time
import uuid
from typing import Any

import pytest

from tests.helpers import CREDENTIALS, boto_client, wait_until

REGION = "eu-north-1"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-signals"
RUNS = 3
LEAVE_ALT_SCREEN = b"\x1b[?1049l"


class Terminal:
    """A pty running `sfn-tui`, its output drained in a thread (the app never blocks)."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: the app, with the pty as its terminal
            os.execvpe(argv[0], argv, env)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 130, 0, 0))
        self.output = bytearray()
        self.status: int | None = None
        self._closing = threading.Event()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while not self._closing.is_set():
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if not ready:
                continue
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                return
            if not data:
                return
            self.output.extend(data)

    def send(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def hang_up(self) -> None:
        """Close the terminal: the kernel sends SIGHUP to the app, reads and writes fail.
        (The reader lets go first: a read blocked on the fd would keep it open.)"""
        self._closing.set()
        self._reader.join()
        os.close(self.fd)

    def exited(self) -> bool:
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
        return self.status is not None

    def kill(self) -> None:
        if not self.exited():
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)


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
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE")}
    env.update(
        TERM="xterm-256color",
        AWS_ACCESS_KEY_ID=CREDENTIALS["aws_access_key_id"],
        AWS_SECRET_ACCESS_KEY=CREDENTIALS["aws_secret_access_key"],
    )
    argv = [
        sys.executable,
        "-m",
        "sfn_tui",
        "--endpoint-url",
        engine,
        "--region",
        REGION,
        "--work",
        activity_name,
    ]
    terminal = Terminal(argv, env)
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
