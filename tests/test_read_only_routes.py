"""--read-only: every route to a change is refused, not only the dashboard's keys.

Routes: the keys on every pane (tests/test_read_only.py), every entry the command
palette lists (run from the dashboard with a run of each kind selected, and from the
execution detail screen), the keys of the detail screen, and what the footer offers.
After each, the modal that would change something must not be open, and the recording
proxy must have seen reads only. Ctrl+S and Enter are pressed after every route: a
modal opened by mistake would send its change."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from textual.command import CommandList, CommandPalette
from textual.screen import ModalScreen

from sfn_tui.aws.connection import Connection
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.activity_form import CreateActivityScreen
from sfn_tui.tui.screens.delete_resource import DeleteResourceScreen
from sfn_tui.tui.screens.execution_detail import ExecutionDetailScreen
from sfn_tui.tui.screens.guided_run import GuidedRunScreen
from sfn_tui.tui.screens.start_execution import StartExecutionScreen
from sfn_tui.tui.screens.state_machine_form import StateMachineFormScreen
from sfn_tui.tui.screens.stop_execution import RedriveExecutionScreen, StopExecutionScreen
from sfn_tui.tui.screens.test_state import TestStateScreen
from sfn_tui.tui.screens.version_forms import AliasFormScreen, PublishVersionScreen
from tests.helpers import boto_client
from tests.pilot_helpers import wait_for, wait_shown
from tests.recording_proxy import RecordingProxy
from tests.test_read_only import READS

REGION = "eu-south-2"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-read-only-routes"
CHANGING_SCREENS = (
    StartExecutionScreen,
    StopExecutionScreen,
    RedriveExecutionScreen,
    StateMachineFormScreen,
    DeleteResourceScreen,
    CreateActivityScreen,
    GuidedRunScreen,
    PublishVersionScreen,
    AliasFormScreen,
    TestStateScreen,  # with a real role, a tested state may call its resource
)
# Footer labels of the dashboard's changing keys (and the app's "New chat").
CHANGING_ACTIONS = {
    "create",
    "delete",
    "update_state_machine",
    "start_execution",
    "stop_execution",
    "redrive_execution",
    "toggle_work",
    "new_chat_run",
    "test_state",
}


@pytest.fixture
def world(engine: str) -> Iterator[dict[str, str]]:
    sfn = boto_client("stepfunctions", engine, REGION)
    tag = uuid.uuid4().hex[:6]
    activity = sfn.create_activity(name=f"ro-routes-{tag}")["activityArn"]
    definition = {
        "StartAt": "Ask",
        "States": {"Ask": {"Type": "Task", "Resource": activity, "End": True}},
    }
    machine = sfn.create_state_machine(
        name=f"ro-routes-{tag}", definition=json.dumps(definition), roleArn=ROLE
    )["stateMachineArn"]
    stopped = sfn.start_execution(stateMachineArn=machine, name="stopped")["executionArn"]
    sfn.stop_execution(executionArn=stopped)
    running = sfn.start_execution(stateMachineArn=machine, name="running")["executionArn"]
    yield {"activity": activity, "machine": machine, "running": running, "stopped": stopped}
    sfn.stop_execution(executionArn=running)


def make_app(proxy: RecordingProxy) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=proxy.url, dummy_credentials=True)
    return SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0, read_only=True)


def entry_text(option: Any) -> str:
    """A palette entry's text ("" for the list's own notes, such as no matches yet)."""
    hit = getattr(option, "hit", None)
    if hit is None:
        return ""
    return str(hit.text or hit.display)


async def palette_entries(pilot: Any, app: SfnTuiApp) -> list[str]:
    """The entries the palette lists (Textual's own system commands left out)."""
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="palette open")
    commands = app.screen.query_one(CommandList)

    def gathered() -> bool:
        """Entries listed, and the palette done gathering them (they come in batches)."""
        gathering = CommandPalette._GATHER_COMMANDS_GROUP
        return commands.option_count > 3 and not any(
            worker.group == gathering and not worker.is_finished for worker in app.workers
        )

    await wait_for(pilot, gathered, what="palette entries")
    system = {command.title for command in app.get_system_commands(app.screen)}
    names = [entry_text(commands.get_option_at_index(i)) for i in range(commands.option_count)]
    await pilot.press("escape")
    await wait_for(pilot, lambda: not isinstance(app.screen, CommandPalette), what="closed")
    return [n for n in names if n not in system]


async def run_entry(pilot: Any, app: SfnTuiApp, name: str) -> None:
    """Choose `name` in the palette, then press Ctrl+S and Enter."""
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="palette open")
    commands = app.screen.query_one(CommandList)

    def index() -> int | None:
        for i in range(commands.option_count):
            if entry_text(commands.get_option_at_index(i)) == name:
                return i
        return None

    await wait_for(pilot, lambda: index() is not None, what=f"{name!r} listed")
    commands.highlighted = index()
    await pilot.press("enter")
    await wait_for(pilot, lambda: not isinstance(app.screen, CommandPalette), what="chosen")
    await pilot.pause()
    await pilot.pause()
    assert not isinstance(app.screen, CHANGING_SCREENS), f"{name!r} opened {app.screen!r}"
    await pilot.press("ctrl+s", "enter")
    await pilot.pause()
    assert not isinstance(app.screen, CHANGING_SCREENS), f"{name!r} opened {app.screen!r}"


async def back_to(pilot: Any, app: SfnTuiApp, screen: Any) -> None:
    for _ in range(4):
        if app.screen is screen:
            return
        await pilot.press("escape")
        await pilot.pause()
    await wait_for(pilot, lambda: app.screen is screen, what="back where the route started")


async def select_run(pilot: Any, app: SfnTuiApp, arn: str) -> None:
    table = app.dashboard.executions
    table.focus()
    await wait_for(pilot, lambda: arn in table.items, what="run listed")
    table.select_key(arn)
    await wait_for(pilot, lambda: getattr(table.selected, "arn", None) == arn, what="run selected")


def changing_calls(proxy: RecordingProxy) -> list[str]:
    return sorted(set(proxy.operations) - READS)


async def test_every_palette_entry_is_refused_in_read_only(
    engine: str, proxy: RecordingProxy, world: dict[str, str]
) -> None:
    app = make_app(proxy)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        dashboard = app.dashboard
        await wait_for(pilot, lambda: world["machine"] in dashboard.machines.items, what="listed")
        dashboard.machines.focus()
        dashboard.machines.select_key(world["machine"])
        await pilot.press("enter")  # watch the machine: its runs are listed
        await wait_for(
            pilot,
            lambda: world["activity"] in dashboard.activities.items,
            what="activity listed",
        )
        dashboard.activities.select_key(world["activity"])
        entries = await palette_entries(pilot, app)
        assert entries, "the palette lists nothing"
        routes = [e for e in entries if e != "Quit"]
        # From the dashboard with the RUNNING run selected (Stop applies to it) ...
        for name in routes:
            await select_run(pilot, app, world["running"])
            await run_entry(pilot, app, name)
            await back_to(pilot, app, dashboard)
        # ... and from the detail screen of the ABORTED run, which stays selected on the
        # dashboard (Redrive applies to it; entries act on the dashboard's selection).
        await select_run(pilot, app, world["stopped"])
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: isinstance(app.screen, ExecutionDetailScreen), what="detail open"
        )
        detail = app.screen
        for name in routes:
            await run_entry(pilot, app, name)
            await back_to(pilot, app, detail)
        for key in ("n", "w", "a", "e", "d", "s", "x", "R", "ctrl+t", "ctrl+s", "enter"):
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, CHANGING_SCREENS), f"{key} opened {app.screen!r}"
            await back_to(pilot, app, detail)
        await wait_shown(pilot, "READ-ONLY")
    assert changing_calls(proxy) == [], f"read-only mode called {changing_calls(proxy)}"
    sfn = boto_client("stepfunctions", engine, REGION)
    assert sfn.describe_execution(executionArn=world["running"])["status"] == "RUNNING"
    assert sfn.describe_execution(executionArn=world["stopped"])["status"] == "ABORTED"
    runs = sfn.list_executions(stateMachineArn=world["machine"])["executions"]
    assert sorted(r["name"] for r in runs) == ["running", "stopped"]


async def test_the_footer_offers_no_change_in_read_only(
    engine: str, proxy: RecordingProxy, world: dict[str, str]
) -> None:
    app = make_app(proxy)
    async with app.run_test(size=(140, 40)) as pilot:
        dashboard = app.dashboard
        await wait_for(pilot, lambda: world["machine"] in dashboard.machines.items, what="listed")
        dashboard.machines.select_key(world["machine"])
        await wait_for(pilot, lambda: world["activity"] in dashboard.activities.items, what="act")
        dashboard.activities.select_key(world["activity"])
        await wait_for(pilot, lambda: world["running"] in dashboard.executions.items, what="run")
        for pane in (dashboard.machines, dashboard.executions, dashboard.activities):
            pane.focus()
            await pilot.pause()
            offered = {
                active.binding.action
                for active in app.screen.active_bindings.values()
                if active.enabled and active.binding.show
            }
            assert offered & CHANGING_ACTIONS == set(), f"{pane.id} offers {offered}"
        assert not isinstance(app.screen, ModalScreen)
    assert changing_calls(proxy) == []


async def test_a_palette_search_finds_no_changing_entry_in_read_only(
    engine: str, proxy: RecordingProxy, world: dict[str, str]
) -> None:
    """Typing a changing entry's name in the palette: read-only hides it (the palette
    says no match), Enter then runs nothing, and nothing changing reaches the service."""
    app = make_app(proxy)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        dashboard = app.dashboard
        await wait_for(pilot, lambda: world["machine"] in dashboard.machines.items, what="listed")
        dashboard.machines.focus()
        dashboard.machines.select_key(world["machine"])
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="palette")
        await pilot.press(*"start execution")
        commands = app.screen.query_one(CommandList)

        def listed() -> list[str]:
            return [
                entry_text(commands.get_option_at_index(i)) for i in range(commands.option_count)
            ]

        await wait_for(
            pilot,
            lambda: commands.option_count > 0 and "Start execution" not in listed(),
            what="the search answered",
        )
        await pilot.press("enter", "escape")
        await wait_for(pilot, lambda: app.screen is dashboard, what="back on the dashboard")
        await pilot.press("ctrl+s", "enter")
        assert not isinstance(app.screen, CHANGING_SCREENS), app.screen
    assert changing_calls(proxy) == []
