"""Every place that shows service text shows a hostile name literally: a scene per
screen (tests/test_terminal_safety.py has the dashboard, the copy notification, the
detail's summary and the chat pane's messages).

Here: the chat pane's title and its messages for a run with a hostile name; every tab
of the execution detail (summary, history, states, graph) for a run whose state name,
error and cause are hostile; the Stop and Redrive dialogs, which name the run; the help
screen, which shows the log file's path; and the notification of a failed call, which
quotes the service's message. The engine, like AWS, checks state machine and activity
names but not execution or state names."""

from __future__ import annotations

import json
import logging
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sfn_tui.aws.connection import Connection
from sfn_tui.cli import configure_logging
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.chat import ChatScreen
from sfn_tui.tui.screens.execution_detail import ExecutionDetailScreen
from sfn_tui.tui.screens.help import HelpScreen
from sfn_tui.tui.screens.stop_execution import RedriveExecutionScreen, StopExecutionScreen
from tests.helpers import boto_client, names_unchecked, wait_until
from tests.pilot_helpers import wait_for, wait_shown
from tests.test_terminal_safety import HOSTILE, SHOWN

REGION = "me-central-1"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-hostile"
NAME = "[bold]x[/]\x1b[31m"  # the brief's example: markup, then an SGR colour
NAME_SHOWN = "[bold]x[/]\\x1b[31m"
STATE = "[b]S[/b]\x1b[7m"
# Tables show the escape as JSON does (\u001b), the graph as "?": both literal. What
# must be there is the markup as typed, and no raw escape character anywhere.
STATE_SHOWN = "[b]S[/b]"


async def shown_literally(pilot: Any, *expected: str) -> str:
    text = await wait_shown(pilot, *expected)
    assert "\x1b" not in text and "\x07" not in text, "a raw escape character reached the screen"
    return text


@pytest.fixture(scope="module")
def scene(engine: str) -> Iterator[dict[str, str]]:
    sfn = boto_client("stepfunctions", engine, REGION)
    tag = uuid.uuid4().hex[:6]
    activity = sfn.create_activity(name=f"hostile-{tag}")["activityArn"]
    ask = sfn.create_state_machine(
        name=f"hostile-ask-{tag}",
        definition=json.dumps(
            {
                "StartAt": STATE,
                "States": {
                    STATE: {
                        "Type": "Task",
                        "Resource": activity,
                        "TimeoutSeconds": 300,
                        "End": True,
                    }
                },
            }
        ),
        roleArn=ROLE,
    )["stateMachineArn"]
    boom = sfn.create_state_machine(
        name=f"hostile-boom-{tag}",
        definition=json.dumps(
            {
                "StartAt": STATE,
                "States": {STATE: {"Type": "Fail", "Error": "[bold]Err[/]", "Cause": HOSTILE}},
            }
        ),
        roleArn=ROLE,
    )["stateMachineArn"]
    with names_unchecked():  # the engine refuses such names, as AWS does
        asked = sfn.start_execution(
            stateMachineArn=ask,
            name=NAME,
            input=json.dumps({"message": HOSTILE, "actions": ["[bold]yes[/]", "no"]}),
        )["executionArn"]
        failed = sfn.start_execution(stateMachineArn=boom, name=NAME)["executionArn"]
    wait_until(lambda: sfn.describe_execution(executionArn=failed)["status"] == "FAILED")
    yield {
        "activity": activity,
        "ask": ask,
        "boom": boom,
        "asked": asked,
        "failed": failed,
    }
    if sfn.describe_execution(executionArn=asked)["status"] == "RUNNING":
        sfn.stop_execution(executionArn=asked)


def make_app(engine: str, **kwargs: Any) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    return SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0, **kwargs)


async def watch_run(pilot: Any, app: SfnTuiApp, machine: str, run: str) -> None:
    """Select the machine, list its runs, put the cursor on `run` in the runs pane."""
    dashboard = app.dashboard
    await wait_for(pilot, lambda: machine in dashboard.machines.items, what="machine listed")
    dashboard.machines.focus()
    dashboard.machines.select_key(machine)
    await pilot.press("enter")
    await wait_for(pilot, lambda: run in dashboard.executions.items, what="run listed")
    dashboard.executions.focus()
    dashboard.executions.select_key(run)
    await wait_for(
        pilot,
        lambda: getattr(dashboard.executions.selected, "arn", None) == run,
        what="run selected",
    )


async def test_chat_title_and_messages_show_a_hostile_run_literally(
    engine: str, scene: dict[str, str]
) -> None:
    name = scene["activity"].rsplit(":", 1)[1]
    app = make_app(engine, worked_activities=frozenset({name}))
    async with app.run_test(size=(150, 45)) as pilot:
        await wait_for(
            pilot,
            lambda: (
                app.inbox is not None
                and any(t.execution_arn == scene["asked"] for t in app.inbox.claimed())
            ),
            what="the run's task claimed and placed",
        )
        await watch_run(pilot, app, scene["ask"], scene["asked"])
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="chat pane")
        await shown_literally(pilot, f"{NAME_SHOWN}  ▶ RUNNING", *SHOWN, "[bold]yes[/]")
        assert isinstance(app.screen, ChatScreen)
        title = app.screen.query_one("#chat-title")
        assert str(title.render()).startswith(NAME_SHOWN)  # what the title widget draws


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("1", (NAME_SHOWN, "[bold]Err[/]", *SHOWN)),  # summary
        ("2", (STATE_SHOWN, "[bold]Err[/]")),  # history: state entered, the failure
        ("3", (STATE_SHOWN,)),  # states
        ("4", (STATE_SHOWN,)),  # graph
    ],
    ids=["summary", "history", "states", "graph"],
)
async def test_every_detail_tab_shows_a_hostile_state_name_literally(
    engine: str, scene: dict[str, str], key: str, expected: tuple[str, ...]
) -> None:
    app = make_app(engine, worked_activities=frozenset())
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        app.push_screen(ExecutionDetailScreen(scene["failed"]))
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ExecutionDetailScreen) and app.screen.complete,
            what="detail loaded",
        )
        await pilot.press(key)
        await shown_literally(pilot, *expected)


async def test_stop_and_redrive_dialogs_name_a_hostile_run_literally(
    engine: str, scene: dict[str, str]
) -> None:
    sfn = boto_client("stepfunctions", engine, REGION)
    tag = uuid.uuid4().hex[:4]
    with names_unchecked():
        running = sfn.start_execution(stateMachineArn=scene["ask"], name=f"{NAME}{tag}")
    app = make_app(engine, worked_activities=frozenset())
    async with app.run_test(size=(150, 45)) as pilot:
        await watch_run(pilot, app, scene["ask"], running["executionArn"])
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, StopExecutionScreen), what="stop")
        await shown_literally(pilot, f"{NAME_SHOWN}{tag}")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.dashboard, what="closed")
        await watch_run(pilot, app, scene["boom"], scene["failed"])
        await pilot.press("R")
        await wait_for(
            pilot, lambda: isinstance(app.screen, RedriveExecutionScreen), what="redrive"
        )
        await shown_literally(pilot, NAME_SHOWN)
        await pilot.press("escape")
    assert sfn.describe_execution(executionArn=running["executionArn"])["status"] == "RUNNING"
    sfn.stop_execution(executionArn=running["executionArn"])


@pytest.fixture
def hostile_log() -> Iterator[Path]:
    """A log file in a folder named with markup (a short path: the help box is narrow,
    and a long one wraps inside the name)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    with tempfile.TemporaryDirectory(prefix="h") as tmp:
        folder = Path(tmp) / "[bold]logs"
        folder.mkdir()
        path = folder / "sfn-tui.log"
        configure_logging(str(path), "INFO")
        yield path
        for handler in root.handlers:
            handler.close()
        root.handlers[:] = handlers
        root.setLevel(level)


async def test_help_shows_a_hostile_log_path_literally(engine: str, hostile_log: Path) -> None:
    app = make_app(engine, worked_activities=frozenset())
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        app.screen.query_one("#help-box").scroll_end(animate=False)  # the footer
        await wait_shown(pilot, "Log:", "[bold]logs", flat=True)


async def test_the_whole_text_viewer_names_a_hostile_run_literally(
    engine: str, scene: dict[str, str]
) -> None:
    """The detail's `i` (whole input) opens a viewer titled with the run's name."""
    from sfn_tui.tui.screens.text_viewer import TextViewerScreen

    app = make_app(engine, worked_activities=frozenset())
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        app.push_screen(ExecutionDetailScreen(scene["failed"]))
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ExecutionDetailScreen) and app.screen.complete,
            what="detail loaded",
        )
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, TextViewerScreen), what="viewer")
        await shown_literally(pilot, f"Input of {NAME_SHOWN}")
