"""Every exit path fails every claimed task: one, two and many, whichever way the app
ends. Each run is read back through the API: it must have FAILED with Worker.Shutdown.

Paths here (in the app, under Pilot): q and the quit prompt, Ctrl+Q, the palette's
Quit entry, q then q again while closing (the second q cuts the wait for polls, not
the failures), the app torn down without quitting (a test harness, an embedder), and
the inbox's own shutdown. Signals and a closed terminal are in tests/test_exit_signals.py
(a real sfn-tui in a pty, three tasks each)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from textual.command import CommandList, CommandPalette

from sfn_tui.aws.client import StepFunctionsClient
from sfn_tui.aws.connection import Connection
from sfn_tui.core.inbox import SHUTDOWN_ERROR, TaskInbox
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.quit_prompt import QuitPrompt
from tests.helpers import async_wait_until, boto_client, wait_until
from tests.pilot_helpers import wait_for

REGION = "ap-east-1"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-exit-paths"


class World:
    def __init__(self, engine: str) -> None:
        self.engine = engine
        self.sfn = boto_client("stepfunctions", engine, REGION)
        tag = uuid.uuid4().hex[:6]
        self.activity_name = f"exit-{tag}"
        self.activity = self.sfn.create_activity(name=self.activity_name)["activityArn"]
        definition = {
            "StartAt": "Ask",
            "States": {
                "Ask": {
                    "Type": "Task",
                    "Resource": self.activity,
                    "TimeoutSeconds": 300,
                    "End": True,
                }
            },
        }
        self.machine = self.sfn.create_state_machine(
            name=f"exit-{tag}", definition=json.dumps(definition), roleArn=ROLE
        )["stateMachineArn"]
        self.runs: list[str] = []

    def start(self, count: int) -> list[str]:
        new = [
            self.sfn.start_execution(stateMachineArn=self.machine, name=uuid.uuid4().hex[:12])[
                "executionArn"
            ]
            for _ in range(count)
        ]
        self.runs += new
        return new

    def outcomes(self) -> list[tuple[str, str | None]]:
        found = []
        for run in self.runs:
            described = self.sfn.describe_execution(executionArn=run)
            found.append((described["status"], described.get("error")))
        return found

    def all_failed_by_shutdown(self) -> bool:
        return all(o == ("FAILED", SHUTDOWN_ERROR) for o in self.outcomes())


@pytest.fixture
def world(engine: str) -> Iterator[World]:
    made = World(engine)
    yield made
    for run in made.runs:
        if made.sfn.describe_execution(executionArn=run)["status"] == "RUNNING":
            made.sfn.stop_execution(executionArn=run)


def make_app(world: World) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=world.engine, dummy_credentials=True)
    return SfnTuiApp(
        connection,
        poll_interval=0.5,
        catalog_interval=1.0,
        worked_activities=frozenset({world.activity_name}),
    )


def claimed(app: SfnTuiApp) -> int:
    return len(app.inbox.claimed()) if app.inbox is not None else 0


async def quit_by(pilot: Any, app: SfnTuiApp, how: str) -> None:
    if how == "palette":
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="palette")
        commands = app.screen.query_one(CommandList)

        def quit_index() -> int | None:
            for i in range(commands.option_count):
                hit = commands.get_option_at_index(i).hit  # type: ignore[attr-defined]
                if str(hit.text or hit.display) == "Quit":
                    return i
            return None

        await wait_for(pilot, lambda: quit_index() is not None, what="Quit listed")
        commands.highlighted = quit_index()
        await pilot.press("enter")
    else:
        await pilot.press("q" if how == "q, q" else how)
    await wait_for(pilot, lambda: isinstance(app.screen, QuitPrompt), what="the quit question")
    await pilot.press("y")
    if how == "q, q":
        await wait_for(pilot, lambda: app._quitting, what="closing")
        await pilot.press("q")  # quit now: do not wait for open polls


@pytest.mark.parametrize(
    ("how", "tasks"),
    [("q", 1), ("ctrl+q", 2), ("palette", 3), ("q, q", 5)],
)
async def test_quitting_fails_every_claimed_task(world: World, how: str, tasks: int) -> None:
    world.start(tasks)
    app = make_app(world)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: claimed(app) == tasks, what=f"{tasks} task(s) claimed")
        await quit_by(pilot, app, how)
        await wait_for(pilot, lambda: not app.is_running, what="the app ended")
    wait_until(world.all_failed_by_shutdown, timeout=10, message=f"{world.outcomes()}")


@pytest.mark.parametrize("tasks", [1, 2, 4])
async def test_an_app_torn_down_without_quitting_fails_every_claimed_task(
    world: World, tasks: int
) -> None:
    """Leaving run_test (or an embedder unmounting the app) without q."""
    world.start(tasks)
    app = make_app(world)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: claimed(app) == tasks, what=f"{tasks} task(s) claimed")
    wait_until(world.all_failed_by_shutdown, timeout=10, message=f"{world.outcomes()}")


@pytest.mark.parametrize("tasks", [1, 2, 6])
async def test_the_inbox_shutdown_fails_every_claimed_task(world: World, tasks: int) -> None:
    world.start(tasks)
    async with StepFunctionsClient(
        Connection(region=REGION, endpoint_url=world.engine, dummy_credentials=True)
    ) as client:
        inbox = TaskInbox(client)
        inbox.work(world.activity)

        async def all_claimed() -> bool:
            return len(inbox.claimed()) == tasks

        await async_wait_until(all_claimed, timeout=20, message="tasks claimed")
        summary = await inbox.shutdown(grace=2)
    assert summary.failed == tasks and summary.not_delivered == ()
    assert world.all_failed_by_shutdown(), world.outcomes()
