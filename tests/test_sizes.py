"""Every screen and modal survives every terminal size from 1x1 up.

One app on the real engine visits each screen and modal (the dashboard, an execution's
detail and each of its tabs, the graph, the chat pane with a ChatSFN task and with a
generic task, help, the command palette, every modal); on each it resizes the running
app through SIZES, then back to 80x24, and checks that a key still does what it should.
A crash anywhere (a traceback in a handler, in layout or in drawing) ends the app and
fails the test, naming the screen and the size.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.screen import Screen
from textual.widgets import TabbedContent

from sfn_tui.aws.connection import Connection
from sfn_tui.aws.models import Activity, Execution, StateMachine
from sfn_tui.core.callbacks import CallbackWait
from sfn_tui.core.chatsfn import chat_definition
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.key_catalog import catalog
from sfn_tui.tui.screens.activity_form import CreateActivityScreen
from sfn_tui.tui.screens.chat import ChatScreen
from sfn_tui.tui.screens.confirm import ConfirmScreen
from sfn_tui.tui.screens.delete_resource import DeleteResourceScreen
from sfn_tui.tui.screens.execution_detail import EventTypePicker, ExecutionDetailScreen
from sfn_tui.tui.screens.fail_task import FailTaskScreen
from sfn_tui.tui.screens.guided_approval import GuidedApprovalScreen
from sfn_tui.tui.screens.guided_run import GuidedRunScreen
from sfn_tui.tui.screens.help import HelpScreen
from sfn_tui.tui.screens.main import MainScreen
from sfn_tui.tui.screens.queue_token import QueueTokenScreen
from sfn_tui.tui.screens.quit_prompt import QuitPrompt
from sfn_tui.tui.screens.start_execution import StartExecutionScreen
from sfn_tui.tui.screens.state_machine_form import StateMachineFormScreen
from sfn_tui.tui.screens.state_machine_graph import StateMachineGraphScreen
from sfn_tui.tui.screens.stop_execution import RedriveExecutionScreen, StopExecutionScreen
from sfn_tui.tui.screens.text_viewer import TextViewerScreen
from tests.helpers import boto_client, wait_until
from tests.pilot_helpers import screen_text, wait_for

REGION = "eu-west-2"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-test"
SIZES = ((1, 1), (2, 2), (10, 3), (20, 5), (32, 10), (33, 10), (40, 12), (80, 24), (200, 50))
HOME = (80, 24)
REVIEW = {
    "StartAt": "Review",
    "States": {
        "Review": {"Type": "Task", "Resource": "ACTIVITY", "TimeoutSeconds": 300, "End": True}
    },
}
FAILS = {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "E.x", "Cause": "c"}}}
HOLD = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 600, "End": True}}}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


class World:
    """What the screens show: machines, runs in every state, two claimed tasks."""

    def __init__(self, engine: str) -> None:
        sfn = boto_client("stepfunctions", engine, REGION)
        self.sfn = sfn
        chat_activity = sfn.create_activity(name=unique("ChatSFNActivity"))
        review_activity = sfn.create_activity(name=unique("review"))
        self.activity_names = frozenset(
            a["activityArn"].rsplit(":", 1)[1] for a in (chat_activity, review_activity)
        )
        self.activity = Activity(
            arn=review_activity["activityArn"],
            name=review_activity["activityArn"].rsplit(":", 1)[1],
            creation_date=review_activity["creationDate"],
        )
        chat = self.machine(chat_definition(chat_activity["activityArn"]), "chat")
        review = self.machine(
            json.dumps(REVIEW).replace("ACTIVITY", review_activity["activityArn"]), "review"
        )
        fails = self.machine(json.dumps(FAILS), "fails")
        hold = self.machine(json.dumps(HOLD), "hold")
        self.chat_machine = chat
        self.chat_run = self.start(chat, {"name": "Ada Lovelace, with a long name"})
        self.review_run = self.start(review, {"document": "x" * 300, "pages": [1, 2, 3]})
        self.failed = self.start(fails, {})
        self.running = self.start(hold, {})
        wait_until(
            lambda: sfn.describe_execution(executionArn=self.failed.arn)["status"] == "FAILED",
            timeout=30,
        )
        self.failed = Execution(
            self.failed.arn, self.failed.name, fails.arn, "FAILED", self.failed.start_date
        )

    def machine(self, definition: str, prefix: str) -> StateMachine:
        made = self.sfn.create_state_machine(
            name=unique(f"size-{prefix}"), definition=definition, roleArn=ROLE
        )
        return StateMachine(
            arn=made["stateMachineArn"],
            name=made["stateMachineArn"].rsplit(":", 1)[1],
            type="STANDARD",
            creation_date=made["creationDate"],
        )

    def start(self, machine: StateMachine, payload: dict[str, Any]) -> Execution:
        name = unique("run")
        made = self.sfn.start_execution(
            stateMachineArn=machine.arn, name=name, input=json.dumps(payload)
        )
        return Execution(made["executionArn"], name, machine.arn, "RUNNING", made["startDate"])


def alive(app: SfnTuiApp, where: str) -> None:
    """Fail, naming `where`, if the app has died of an exception."""
    error = app._exception
    if error is not None:
        raise AssertionError(f"{where}: {type(error).__name__}: {error}") from error
    assert app.is_running, f"{where}: the app is no longer running"


async def through_every_size(pilot: Any, name: str) -> None:
    """Resize the running app through SIZES, drawing each, then back to 80x24."""
    app: SfnTuiApp = pilot.app
    for width, height in (*SIZES, HOME):
        where = f"{name} at {width}x{height}"
        try:
            await pilot.resize_terminal(width, height)
            await wait_for(
                pilot,
                lambda w=width, h=height: (
                    app._exception is not None or tuple(app.screen._compositor.size) == (w, h)
                ),
                what=f"{where}: laid out",
            )
            alive(app, where)
            screen_text(app)  # draws the whole screen at this size
            await pilot.pause()
        except AssertionError:
            raise
        except Exception as error:  # raised by Textual while laying out or drawing
            raise AssertionError(f"{where}: {error!r}") from error
        alive(app, where)


Opener = Callable[[Any, World], Awaitable[Screen[Any]]]


async def pushed(pilot: Any, screen: Screen[Any]) -> Screen[Any]:
    app = pilot.app
    app.push_screen(screen)
    await wait_for(pilot, lambda: app.screen is screen and screen.is_mounted, what="shown")
    await pilot.pause()
    return screen


async def detail(pilot: Any, world: World, tab: str) -> Screen[Any]:
    screen = ExecutionDetailScreen(world.failed.arn)
    await pushed(pilot, screen)
    await wait_for(pilot, lambda: screen.finished, what="detail loaded")
    await pilot.press({"summary": "1", "history": "2", "states": "3", "graph": "4"}[tab])
    await wait_for(pilot, lambda: screen.query_one(TabbedContent).active == tab, what=tab)
    return screen


async def chat(pilot: Any, world: World, run: Execution, marker: str) -> Screen[Any]:
    app: SfnTuiApp = pilot.app
    await wait_for(
        pilot,
        lambda: (
            app.inbox is not None and any(t.execution_arn == run.arn for t in app.inbox.claimed())
        ),
        timeout=30,
        what="task claimed and placed",
    )
    screen = ChatScreen(run.arn)
    await pushed(pilot, screen)
    await wait_for(pilot, lambda: marker in screen_text(app), what="task shown")
    return screen


async def palette(pilot: Any, world: World) -> Screen[Any]:
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CommandPalette), what="palette")
    await pilot.press(*"exec")
    return pilot.app.screen  # type: ignore[no-any-return]


async def picker(pilot: Any, world: World) -> Screen[Any]:
    await detail(pilot, world, "history")
    await pilot.press("t")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, EventTypePicker), what="picker")
    return pilot.app.screen  # type: ignore[no-any-return]


OPENERS: dict[str, Opener] = {
    "dashboard": lambda pilot, world: _dashboard(pilot),
    "detail summary": lambda pilot, world: detail(pilot, world, "summary"),
    "detail history": lambda pilot, world: detail(pilot, world, "history"),
    "detail states": lambda pilot, world: detail(pilot, world, "states"),
    "detail graph": lambda pilot, world: detail(pilot, world, "graph"),
    "event type picker": picker,
    "graph": lambda pilot, world: pushed(pilot, StateMachineGraphScreen(world.chat_machine.arn)),
    "chat (ChatSFN task)": lambda pilot, world: chat(pilot, world, world.chat_run, "Hello, Ada"),
    "chat (generic task)": lambda pilot, world: chat(pilot, world, world.review_run, "Type a JSON"),
    "help": lambda pilot, world: pushed(pilot, HelpScreen(catalog())),
    "text viewer": lambda pilot, world: pushed(
        pilot, TextViewerScreen("Input of " + "run-" * 30, "[\n" + '  {"item": 1},\n' * 500 + "]")
    ),
    "command palette": palette,
    "create state machine": lambda pilot, world: pushed(pilot, StateMachineFormScreen()),
    "edit state machine": lambda pilot, world: pushed(
        pilot, StateMachineFormScreen(world.chat_machine)
    ),
    "create activity": lambda pilot, world: pushed(pilot, CreateActivityScreen()),
    "delete state machine": lambda pilot, world: pushed(
        pilot, DeleteResourceScreen(world.chat_machine)
    ),
    "delete activity": lambda pilot, world: pushed(pilot, DeleteResourceScreen(world.activity)),
    "start execution": lambda pilot, world: pushed(
        pilot, StartExecutionScreen(world.chat_machine, pilot.app.last_inputs)
    ),
    "stop execution": lambda pilot, world: pushed(pilot, StopExecutionScreen(world.running)),
    "redrive execution": lambda pilot, world: pushed(pilot, RedriveExecutionScreen(world.failed)),
    "fail task": lambda pilot, world: pushed(pilot, FailTaskScreen()),
    "confirm": lambda pilot, world: pushed(
        pilot, ConfirmScreen("Quit sfn-tui?", "2 claimed tasks are not answered. " * 4)
    ),
    "guided run": lambda pilot, world: pushed(pilot, GuidedRunScreen()),
    "guided approval run": lambda pilot, world: pushed(pilot, GuidedApprovalScreen()),
    "quit prompt": lambda pilot, world: pushed(pilot, QuitPrompt(3)),
    "token from queue": lambda pilot, world: pushed(
        pilot, QueueTokenScreen(queue_wait(world), pilot.app.client)
    ),
}


def queue_wait(world: Any) -> CallbackWait:
    """A callback waiting with its token only in a queue message (the modal's subject)."""
    return CallbackWait(
        execution_arn=world.running.arn,
        state_name="Ask the producer " * 4,
        scheduled_event_id=3,
        resource="arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        parameters={"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/" + "q" * 70},
    )


async def _dashboard(pilot: Any) -> Screen[Any]:
    return pilot.app.screen  # type: ignore[no-any-return]


async def back_to_dashboard(pilot: Any, name: str) -> None:
    """After the sizes, at 80x24: Esc closes what is open (twice for a modal on a
    screen); on the dashboard, ? opens help and Esc closes it: the app answers keys."""
    app: SfnTuiApp = pilot.app
    for _ in range(6):  # Esc leaves an editor first, then closes its modal
        if isinstance(app.screen, MainScreen):
            break
        before = app.screen
        await pilot.press("escape")
        await pilot.pause()
        if app.screen is before:
            await pilot.press("escape")
        await wait_for(pilot, lambda b=before: app.screen is not b, what=f"{name}: Esc closes")
    assert isinstance(app.screen, MainScreen), f"{name}: still on {app.screen!r}"
    await pilot.press("question_mark")
    await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what=f"{name}: ? works")
    await pilot.press("escape")
    await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), what=f"{name}: back")
    alive(app, f"{name}, back at 80x24")


@pytest.mark.parametrize(
    "names", [list(OPENERS)[:12], list(OPENERS)[12:]], ids=["screens", "modals"]
)
async def test_every_screen_and_modal_survives_every_size(engine: str, names: list[str]) -> None:
    world = World(engine)
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    app = SfnTuiApp(
        connection,
        poll_interval=0.5,
        catalog_interval=1.0,
        worked_activities=world.activity_names,
    )
    async with app.run_test(size=HOME, notifications=True) as pilot:
        await wait_for(pilot, lambda: world.chat_machine.arn in app.dashboard.machines.items)
        for name in names:
            await OPENERS[name](pilot, world)
            alive(app, f"{name}, opened")
            await through_every_size(pilot, name)
            await back_to_dashboard(pilot, name)
    world.sfn.stop_execution(executionArn=world.running.arn)
