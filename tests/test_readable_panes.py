"""The dashboard's panes say what they hold (issue 16, "Readable" and "follow newest"):
empty states that say what is empty and why; resources this app creates or deletes
shown or gone at once, with no refresh; the executions pane following the newest run
when asked to."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sfn_tui.aws.connection import Connection
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.chat import ChatScreen
from sfn_tui.tui.screens.confirm import ConfirmScreen
from sfn_tui.tui.screens.delete_resource import DeleteResourceScreen
from sfn_tui.tui.screens.guided_run import GuidedRunScreen
from sfn_tui.tui.screens.main import MainScreen
from tests.helpers import boto_client, wait_until
from tests.pilot_helpers import screen_text, wait_for, wait_shown

REGION = "cn-north-1"  # shared with the column and history-time tests only
EMPTY_REGION = "cn-northwest-1"  # nothing is ever created here (no other test uses it)
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-test"
PASS = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}


def make_app(endpoint: str, region: str = REGION, **kwargs: Any) -> SfnTuiApp:
    connection = Connection(region=region, endpoint_url=endpoint, dummy_credentials=True)
    kwargs.setdefault("catalog_interval", 1.0)
    return SfnTuiApp(connection, poll_interval=0.5, **kwargs)


def sfn_client(endpoint: str, region: str = REGION) -> Any:
    return boto_client("stepfunctions", endpoint, region)


def new_machine(sfn: Any, prefix: str) -> tuple[str, str]:
    name = f"{prefix}{uuid.uuid4().hex[:6]}"
    arn = sfn.create_state_machine(name=name, definition=json.dumps(PASS), roleArn=ROLE)
    return name, str(arn["stateMachineArn"])


def finished_run(sfn: Any, machine_arn: str, name: str) -> str:
    arn = str(sfn.start_execution(stateMachineArn=machine_arn, name=name)["executionArn"])
    wait_until(lambda: sfn.describe_execution(executionArn=arn)["status"] != "RUNNING")
    return arn


async def watch(pilot: Any, dashboard: MainScreen, arn: str) -> None:
    await wait_for(pilot, lambda: arn in dashboard.machines.items, what="machine listed")
    dashboard.machines.focus()
    dashboard.machines.select_key(arn)
    await wait_for(
        pilot,
        lambda: (
            dashboard.watched is not None
            and dashboard.watched.arn == arn
            and not dashboard.executions.loading
        ),
        what="machine watched",
    )


# Empty states -----------------------------------------------------------------------


async def test_an_empty_region_says_so_in_each_pane(engine: str) -> None:
    app = make_app(engine, EMPTY_REGION)
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_shown(
            pilot,
            f"No state machines in {EMPTY_REGION} — a to create one",
            f"No activities in {EMPTY_REGION} — a (here) to create one",
            "Select a state machine to see its executions",
        )


async def test_a_machine_with_no_runs_and_a_status_filter_with_no_match(engine: str) -> None:
    """A machine never run: says so and offers s. A machine with only a SUCCEEDED run,
    filtered on RUNNING: names the status, the machine and the key that changes it. A
    name filter matching nothing says so too."""
    sfn = sfn_client(engine)
    idle_name, idle_arn = new_machine(sfn, "Idle")
    ran_name, ran_arn = new_machine(sfn, "Ran")
    finished_run(sfn, ran_arn, "only-run")
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        dashboard = app.dashboard
        await watch(pilot, dashboard, idle_arn)
        await wait_shown(pilot, f"{idle_name} has no executions yet — s to start one")

        await watch(pilot, dashboard, ran_arn)
        await wait_shown(pilot, "only-run", absent=("has no executions yet",))
        dashboard.executions.focus()
        await pilot.press("f")  # all -> RUNNING
        await wait_for(pilot, lambda: dashboard.status_filter == "RUNNING", what="filter")
        await wait_shown(
            pilot,
            f"No RUNNING executions of {ran_name} — f to change the filter",
            absent=("only-run",),
        )


async def test_an_activity_not_worked_and_one_with_no_task_waiting(engine: str) -> None:
    sfn = sfn_client(engine)
    name = f"Quiet{uuid.uuid4().hex[:6]}"
    arn = sfn.create_activity(name=name)["activityArn"]
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        dashboard = app.dashboard
        await wait_for(pilot, lambda: arn in dashboard.activities.items, what="activity")
        dashboard.activities.focus()
        dashboard.activities.select_key(arn)
        await wait_shown(pilot, "Not worked — w to claim its tasks")
        await pilot.press("w")
        await wait_shown(pilot, "Worked — no task waiting")
        await pilot.press("w")  # stop working it before the app closes


# Created or deleted here: shown at once ------------------------------------------------


async def test_deleted_and_created_resources_change_the_panes_without_a_refresh(
    engine: str,
) -> None:
    """With the poller stopped (no refresh at all), deleting an activity with d removes
    its row, and the ChatSFN guided run (n) shows its state machine and activity at
    once; cleaning it up (Ctrl+D) removes them again."""
    sfn = sfn_client(engine)
    doomed_arn = sfn.create_activity(name=f"Doomed{uuid.uuid4().hex[:6]}")["activityArn"]
    app = make_app(engine, catalog_interval=600.0)
    async with app.run_test(size=(120, 40)) as pilot:
        dashboard = app.dashboard
        await wait_for(pilot, lambda: doomed_arn in dashboard.activities.items, what="listed")
        assert app.poller is not None
        app.poller.stop()  # from here on nothing is listed again

        dashboard.activities.focus()
        dashboard.activities.select_key(doomed_arn)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DeleteResourceScreen), what="ask")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is dashboard, what="deleted")
        await wait_for(
            pilot, lambda: doomed_arn not in dashboard.activities.items, what="row removed"
        )

        await pilot.press("n")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, GuidedRunScreen) and "Role ARN" in screen_text(app),
            what="set-up shown",
        )
        await pilot.press(*"Ada", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="chat opened")
        names = {m.name for m in dashboard.machines.items.values()}
        activities = {a.name for a in dashboard.activities.items.values()}
        assert "ChatSFN" in names and "ChatSFNActivity" in activities

        chat = app.screen
        assert isinstance(chat, ChatScreen) and chat.guided is not None
        sfn.stop_execution(executionArn=chat.guided.execution_arn)
        await wait_for(
            pilot, lambda: chat.execution_status == "ABORTED", what="the chat saw the run end"
        )
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: (
                all(m.name != "ChatSFN" for m in dashboard.machines.items.values())
                and all(a.name != "ChatSFNActivity" for a in dashboard.activities.items.values())
            ),
            what="ChatSFN and its activity gone from the panes",
        )
        await pilot.press("escape")
        await wait_shown(pilot, "State machines", absent=("ChatSFN",))


# Follow newest ------------------------------------------------------------------------


async def test_follow_newest_keeps_the_cursor_on_the_newest_run(engine: str) -> None:
    """Off (the default) the cursor stays on its run as newer runs arrive; F turns
    following on (said in the pane's title): each new run takes the cursor; F again
    turns it off."""
    sfn = sfn_client(engine)
    _, arn = new_machine(sfn, "Follow")
    first = finished_run(sfn, arn, "first")
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        dashboard = app.dashboard
        table = dashboard.executions
        await watch(pilot, dashboard, arn)
        await wait_for(pilot, lambda: first in table.items, what="first run")
        table.focus()
        finished_run(sfn, arn, "second")
        await wait_for(pilot, lambda: len(table.items) == 2, what="second run listed")
        assert table.selected is not None and table.selected.arn == first  # stays put

        await pilot.press("F")
        await wait_shown(pilot, "following newest")
        await wait_for(
            pilot,
            lambda: table.selected is not None and table.selected.name == "second",
            what="cursor on the newest",
        )
        third = finished_run(sfn, arn, "third")
        await wait_for(
            pilot,
            lambda: table.selected is not None and table.selected.arn == third,
            what="cursor follows the newest run",
        )

        await pilot.press("F")
        await wait_shown(pilot, "Executions", absent=("following newest",))
        await pilot.press("down")  # on "second"
        await wait_for(pilot, lambda: table.selected is not None, what="selected")
        kept = table.selected
        assert kept is not None and kept.name == "second"
        finished_run(sfn, arn, "fourth")
        await wait_for(pilot, lambda: len(table.items) == 4, what="fourth run listed")
        assert table.selected is not None and table.selected.arn == kept.arn
