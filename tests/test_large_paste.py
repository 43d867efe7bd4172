"""Large pastes, bracketed or typed key by key (a terminal without bracketed paste):
bounded time and memory, and nothing beyond a field's limit. A JSON reply is at most
AWS's 256 KiB: a larger paste is refused with a message and the reply is unchanged.
Proven in the Pilot (bracketed and gathered pastes) and with a real `sfn-tui` in a pty
(1 MB written to the terminal while the reply editor has focus: the app keeps
answering keys, its memory stays bounded, the run is not answered by accident)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from textual import events
from textual.widgets import TextArea

from sfn_tui.aws.connection import Connection
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.key_order import TypedKeys
from sfn_tui.tui.screens.chat import ChatScreen
from tests.helpers import boto_client, wait_until
from tests.pilot_helpers import wait_for, wait_shown
from tests.pty_terminal import Terminal, app_environment, sfn_tui
from tests.test_key_order import all_handled, burst

REGION = "ap-east-1"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-paste"
KIB = 1024


@pytest.fixture
def world(engine: str) -> dict[str, Any]:
    sfn = boto_client("stepfunctions", engine, REGION)
    tag = uuid.uuid4().hex[:6]
    name = f"paste-{tag}"
    activity = sfn.create_activity(name=name)["activityArn"]
    ask = {"Type": "Task", "Resource": activity, "TimeoutSeconds": 300, "End": True}
    machine = sfn.create_state_machine(
        name=name, definition=json.dumps({"StartAt": "Ask", "States": {"Ask": ask}}), roleArn=ROLE
    )["stateMachineArn"]
    run = sfn.start_execution(stateMachineArn=machine, name=f"r-{tag}")["executionArn"]
    return {"sfn": sfn, "activity": name, "run": run}


async def open_reply(pilot: Any, app: SfnTuiApp) -> TextArea:
    await wait_for(
        pilot, lambda: app.inbox is not None and bool(app.inbox.claimed()), what="task claimed"
    )
    await pilot.press("c")
    await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="chat pane")
    editor = app.screen.query_one("#json-reply", TextArea)
    await wait_for(pilot, lambda: app.screen.focused is editor, what="reply editor focused")
    return editor


async def test_a_paste_over_the_payload_limit_is_refused(
    engine: str, world: dict[str, Any]
) -> None:
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    app = SfnTuiApp(
        connection,
        poll_interval=0.5,
        catalog_interval=1.0,
        worked_activities=frozenset({world["activity"]}),
    )
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        editor = await open_reply(pilot, app)
        big = '{"blob": "' + "x" * (300 * KIB) + '"}'
        # A bracketed paste: refused whole.
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "f7", events.Paste(big)))
        await wait_shown(pilot, "Not pasted", flat=True)
        assert editor.text == "{}"
        # The same text typed in (runs of 4 KiB, as the terminal driver reads them):
        # it goes in up to the limit and no further; one message says so.
        app.clear_notifications()
        chunks = [TypedKeys(big[i : i + 4 * KIB]) for i in range(0, len(big), 4 * KIB)]
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "f7", *chunks))
        assert len(editor.text.encode()) <= 256 * KIB
        messages = [n.message for n in app._notifications]
        assert sum("Not pasted" in m for m in messages) == 1, messages
        # A paste within the limit goes in whole.
        fine = '{"note": "' + "y" * (100 * KIB) + '"}'
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "f7", events.Paste(fine)))
        assert editor.text == fine
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "ctrl+s"))
        run = world["run"]
        await wait_for(
            pilot,
            lambda: world["sfn"].describe_execution(executionArn=run)["status"] == "SUCCEEDED",
            what="answered with the pasted reply",
        )
    assert json.loads(world["sfn"].describe_execution(executionArn=run)["output"]) == json.loads(
        fine
    )


def test_a_megabyte_typed_into_a_real_terminal(engine: str, world: dict[str, Any]) -> None:
    """1 MB written to the pty (no bracketed paste) with the reply editor focused."""
    argv = sfn_tui("--endpoint-url", engine, "--region", REGION, "--work", world["activity"])
    terminal = Terminal(argv, app_environment())
    try:
        wait_until(lambda: b"1 task waiting" in terminal.output, timeout=30, message="claimed")
        terminal.send(b"c")
        wait_until(lambda: b"Type a JSON reply" in terminal.output, timeout=15, message="chat")
        start_rss = terminal.rss_peak_kib()
        terminal.send(b"a" * (1024 * KIB))  # blocks until the app has read it all
        mark = len(terminal.output)
        wait_until(
            lambda: b"Not pasted" in terminal.output, timeout=60, message="the refusal shown"
        )
        terminal.send(b"\x1b")  # Esc: back to the dashboard, the app still answers keys
        wait_until(
            lambda: b"State machines" in terminal.output[mark:],
            timeout=30,
            message="the dashboard drawn after the paste",
        )
        peak = terminal.rss_peak_kib()
        status = world["sfn"].describe_execution(executionArn=world["run"])["status"]
    finally:
        terminal.kill()
    assert status == "RUNNING"  # nothing was sent
    assert peak - start_rss < 200 * KIB, f"peak RSS grew by {(peak - start_rss) // KIB} MiB"
