"""`sfn-tui local-server` stopped (Ctrl-C) under a running app and started again: the
app says it is disconnected, no traceback anywhere, the panes then show the new
engine's contents, and the tasks the app held from the old engine are shown as expired
(never dropped silently, never answered into the void)."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from sfn_tui.aws.client import ClientSettings
from sfn_tui.aws.connection import Connection
from sfn_tui.core.inbox import TaskStatus
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.chat import ChatScreen
from tests.helpers import TEST_HOLD_SECONDS, boto_client, wait_until
from tests.pilot_helpers import screen_text, wait_for, wait_shown

REGION = "us-east-2"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-test"
FAST = ClientSettings(read_timeout=2, connect_timeout=1, long_poll_read_timeout=8, max_attempts=1)
# The real `sfn-tui local-server` command in a child process, its long-poll hold short.
SERVER = (
    "import sys; from sfn_tui.local import activities; "
    f"activities.HOLD_SECONDS = {TEST_HOLD_SECONDS}; "
    "from sfn_tui.cli import main; sys.exit(main(sys.argv[1:]))"
)


class Server:
    """One `sfn-tui local-server --port PORT --no-seed` process."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVER, "local-server", "--port", str(port), "--no-seed"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait_until(self._listening, timeout=30, message="local-server listening")

    def _listening(self) -> bool:
        assert self.process.poll() is None, self.process.communicate()
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", self.port)) == 0

    def interrupt(self) -> str:
        """Ctrl-C; wait for it to end; return everything it printed."""
        self.process.send_signal(signal.SIGINT)
        out, err = self.process.communicate(timeout=30)
        return out + err

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def port() -> Iterator[int]:
    yield free_port()


def review_machine(sfn: Any, prefix: str) -> tuple[str, str]:
    activity = sfn.create_activity(name=f"{prefix}-activity")["activityArn"]
    definition = {
        "StartAt": "Review",
        "States": {"Review": {"Type": "Task", "Resource": activity, "End": True}},
    }
    machine = sfn.create_state_machine(
        name=f"{prefix}-machine", definition=json.dumps(definition), roleArn=ROLE
    )["stateMachineArn"]
    return activity, machine


async def test_local_server_restarted_under_the_app(port: int) -> None:
    old = Server(port)
    new: Server | None = None
    try:
        sfn = boto_client("stepfunctions", old.url, REGION)
        _, machine = review_machine(sfn, "old")
        markers = [uuid.uuid4().hex for _ in range(2)]
        for marker in markers:
            sfn.start_execution(
                stateMachineArn=machine, name=marker[:12], input=json.dumps({"m": marker})
            )
        connection = Connection(region=REGION, endpoint_url=old.url, dummy_credentials=True)
        app = SfnTuiApp(
            connection,
            poll_interval=0.5,
            catalog_interval=1.0,
            worked_activities=frozenset({"old-activity"}),
            client_settings=FAST,
        )
        async with app.run_test(size=(140, 40)) as pilot:
            await wait_for(
                pilot,
                lambda: (
                    app.inbox is not None
                    and len([t for t in app.inbox.tasks if t.execution_arn]) == 2
                ),
                what="both tasks claimed and placed",
            )
            assert app.inbox is not None
            held = list(app.inbox.tasks)
            await pilot.press("c")
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="chat")

            printed = old.interrupt()  # Ctrl-C on the server
            assert "Traceback" not in printed
            assert "Stopped." in printed
            await wait_for(
                pilot, lambda: "disconnected since" in screen_text(app), what="disconnected"
            )
            assert all(t.status is TaskStatus.WAITING for t in held)  # kept meanwhile
            # An answer sent while the server is down is kept, not lost.
            app.screen.query_one("#json-reply").text = '{"late": true}'  # type: ignore[attr-defined]
            await pilot.press("ctrl+s")
            await wait_for(
                pilot,
                lambda: any(t.status is TaskStatus.SEND_FAILED for t in held),
                what="send failed and kept",
            )

            new = Server(port)  # the same command again: a new, empty engine
            fresh = boto_client("stepfunctions", new.url, REGION)
            _, new_machine = review_machine(fresh, "new")
            await pilot.press("ctrl+r")  # resend the kept answer to the new engine
            await wait_for(
                pilot,
                lambda: all(t.status is TaskStatus.EXPIRED for t in held),
                timeout=40,
                what="the old engine's tasks shown as expired",
            )
            assert not any(t.status is TaskStatus.ANSWERED for t in held)
            reasons = " ".join(t.reason or "" for t in held)
            assert "restarted" in reasons
            await wait_shown(
                pilot,
                "can no longer be answered",
                "not on the endpoint any more",
                absent=("Traceback",),
                flat=True,
            )
            await pilot.press("escape")
            dashboard = app.dashboard
            await wait_for(
                pilot,
                lambda: (
                    new_machine in dashboard.machines.items
                    and machine not in dashboard.machines.items
                ),
                timeout=40,
                what="the new engine's contents",
            )
            await wait_for(
                pilot, lambda: "disconnected since" not in screen_text(app), what="recovered"
            )
            await wait_shown(pilot, absent=("stale",))
            assert app.return_code is None
            # Nothing was answered into the new engine: it never had these tasks.
            assert fresh.list_executions(stateMachineArn=new_machine)["executions"] == []
    finally:
        old.kill()
        if new is not None:
            printed = new.interrupt()
            assert "Traceback" not in printed
