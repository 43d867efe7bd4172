"""The app's own guards, in read-only and in normal mode: `SfnTuiApp.check_action` (what
the footer offers: New ChatSFN run, Chat; a modal owns the letter keys), the New ChatSFN
and New approval runs' own refusals, working an activity (`toggle_work`, and
`auto_work` at start), and `action_dashboard`, the door the palette's dashboard entries
go through.

One short Pilot scene per mode (a few seconds), so scripts/mutation.py can judge these
guards' mutants with it; the routes themselves (every key and palette entry) are pressed
in test_read_only.py and test_read_only_routes.py. The refusals are called here the way
a keymap or an embedder would, past the first layer (check_action), to see the second
hold on its own.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from textual.screen import ModalScreen

from sfn_tui.aws.connection import Connection
from sfn_tui.aws.models import Role, StateMachineDetail
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.chat import ChatScreen, GuidedRun
from sfn_tui.tui.screens.guided_approval import GuidedApprovalScreen
from sfn_tui.tui.screens.guided_run import GuidedRunScreen
from tests.helpers import boto_client
from tests.pilot_helpers import heard, wait_for, wait_shown
from tests.recording_proxy import RecordingProxy
from tests.test_read_only import READS

REGION = "us-isof-east-1"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-app-guards"
REFUSED_RUN = "Read-only mode: a new run cannot be started."
NOT_CLAIMED = "Read-only mode: tasks are not claimed."
NOT_WORKED = "Not worked — read-only mode claims no task"
# The app's actions its check_action decides, and which a modal takes from the keyboard.
APP_ACTIONS = ("chat", "new_chat_run", "new_approval_run", "quit", "help", "refresh")


@pytest.fixture
def world(engine: str) -> dict[str, Any]:
    sfn = boto_client("stepfunctions", engine, REGION)
    tag = uuid.uuid4().hex[:6]
    names = {"auto": f"app-auto-{tag}", "other": f"app-other-{tag}"}
    activities = {k: sfn.create_activity(name=n)["activityArn"] for k, n in names.items()}
    pass_only = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    machine = sfn.create_state_machine(
        name=f"app-guards-{tag}", definition=json.dumps(pass_only), roleArn=ROLE
    )["stateMachineArn"]
    run = sfn.start_execution(stateMachineArn=machine, name="done")["executionArn"]
    detail = StateMachineDetail.from_api(sfn.describe_state_machine(stateMachineArn=machine))
    guided = GuidedRun(detail, None, Role("sfn-tui-app-guards", ROLE), False, run)
    return {"names": names, "activities": activities, "machine": machine, "guided": guided}


class Probe(ModalScreen[None]):
    """A stand-in for any modal (a dialog owns the keyboard)."""


def said(app: SfnTuiApp) -> list[tuple[str, str]]:
    """The notifications shown so far, with their severity, in order (expired ones too)."""
    return list(heard(app))


def allowed(app: SfnTuiApp) -> set[str]:
    return {action for action in APP_ACTIONS if app.check_action(action, ())}


async def opened_then_back(
    pilot: Any, app: SfnTuiApp, kind: type, title: str, guided: GuidedRun
) -> None:
    """The guided screen opened; finishing it with a run opens that run's chat."""
    await wait_for(pilot, lambda: isinstance(app.screen, kind), what=f"{kind.__name__} open")
    await wait_shown(pilot, title)
    app.screen.dismiss(guided)
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, ChatScreen) and app.screen.guided is guided,
        what="the run's chat",
    )
    assert app.screen.execution_arn == guided.execution_arn
    await pilot.press("escape")
    await wait_for(pilot, lambda: app.screen is app.dashboard, what="back on the dashboard")


@pytest.mark.parametrize("read_only", [True, False], ids=["read-only", "normal"])
async def test_the_apps_guards(
    engine: str, proxy: RecordingProxy, world: dict[str, Any], read_only: bool
) -> None:
    connection = Connection(region=REGION, endpoint_url=proxy.url, dummy_credentials=True)
    app = SfnTuiApp(
        connection,
        poll_interval=0.5,
        catalog_interval=1.0,
        read_only=read_only,
        worked_activities=frozenset({world["names"]["auto"]}),
    )
    heard(app)  # from the start: every notification, kept after its toast expires
    auto, other = world["activities"]["auto"], world["activities"]["other"]
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        dashboard = app.dashboard
        await wait_for(
            pilot, lambda: {auto, other} <= set(dashboard.activities.items), what="listed"
        )
        assert app.inbox is not None
        inbox = app.inbox
        # At start: the named activity is worked, except in read-only mode.
        dashboard.activities.focus()
        dashboard.activities.select_key(auto)
        if read_only:
            await wait_for(
                pilot, lambda: dashboard.activities.border_subtitle == NOT_WORKED, what="footnote"
            )
            assert inbox.worked == set() and dashboard.activities.worked == set()
        else:
            await wait_for(pilot, lambda: dashboard.activities.worked == {auto}, what="shown")
            await wait_for(
                pilot,
                lambda: dashboard.activities.border_subtitle == "Worked — no task waiting",
                what="the footnote",
            )
            assert inbox.worked == {auto}

        # The app's actions on the dashboard; the footer offers New ChatSFN run or not.
        assert allowed(app) == set(APP_ACTIONS) - (
            {"new_chat_run", "new_approval_run"} if read_only else set()
        )
        if read_only:
            await wait_shown(pilot, "READ-ONLY", "Chat", absent=("New ChatSFN run",))
        else:
            await wait_shown(pilot, "New ChatSFN run", "Chat")

        # Working the other activity (the palette's route, and w), and stopping it.
        dashboard.activities.select_key(other)
        await wait_for(pilot, lambda: dashboard.activities.selected is not None, what="picked")
        await wait_for(
            pilot, lambda: dashboard.activities.selected.arn == other, what="other selected"
        )
        name = world["names"]["other"]
        app.action_toggle_work_selected()
        if read_only:
            await wait_for(pilot, lambda: (NOT_CLAIMED, "warning") in said(app), what="refused")
            assert inbox.worked == set() and dashboard.activities.worked == set()
        else:
            working = f"Working {name}: its tasks come to the chat pane (c)."
            await wait_for(pilot, lambda: (working, "information") in said(app), what="working")
            assert inbox.worked == {auto, other}
            await wait_for(
                pilot, lambda: dashboard.activities.worked == {auto, other}, what="shown"
            )
            app.action_toggle_work_selected()
            stopped = f"Stopped working {name}."
            await wait_for(pilot, lambda: (stopped, "information") in said(app), what="stopped")
            assert inbox.worked == {auto}
        not_worked = NOT_WORKED if read_only else "Not worked — w to claim its tasks"
        await wait_for(
            pilot, lambda: dashboard.activities.border_subtitle == not_worked, what="the footnote"
        )

        # The guided runs refuse on their own in read-only (check_action refuses first on
        # the keys and the palette), and wait for the connection.
        for action, kind, title in (
            (app.action_new_chat_run, GuidedRunScreen, "Setting up, as the AWS example does"),
            (app.action_new_approval_run, GuidedApprovalScreen, "What are the pitches about?"),
        ):
            before = len(said(app))
            if read_only:
                action()
                await wait_for(pilot, lambda b=before: len(said(app)) > b, what="said")
                assert said(app)[before:] == [(REFUSED_RUN, "warning")]
                assert app.screen is dashboard
                continue
            client, app.client = app.client, None  # as while it connects at start
            action()
            await wait_for(pilot, lambda b=before: len(said(app)) > b, what="said")
            assert said(app)[before:] == [("Not connected yet.", "warning")]
            assert app.screen is dashboard
            app.client = client
            action()
            await opened_then_back(pilot, app, kind, title, world["guided"])

        # A modal owns the letter keys; other actions still run.
        app.push_screen(Probe())
        await wait_for(pilot, lambda: isinstance(app.screen, Probe), what="a modal")
        assert allowed(app) == set()
        assert app.check_action("command_palette", ())
        # The palette's dashboard entries act on the dashboard under a modal, ...
        dashboard.machines.select_key(world["machine"])
        await wait_for(
            pilot,
            lambda: getattr(dashboard.machines.selected, "arn", None) == world["machine"],
            what="the machine selected",
        )
        app.action_dashboard("action_follow_callbacks")
        assert isinstance(app.screen, Probe)
        assert app.callback_machines == {world["machine"]}
        app.screen.dismiss(None)
        # ... leave the chat pane first, ...
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="chat pane")
        assert allowed(app) == {"quit", "help", "refresh"}
        await wait_shown(pilot, "Dashboard", absent=("New ChatSFN run",))
        app.action_dashboard("action_follow_callbacks")
        await wait_for(pilot, lambda: app.screen is dashboard, what="chat left")
        assert app.callback_machines == set()
        machine = dashboard.machines.selected
        assert machine is not None
        unfollowed = (f"No longer following {machine.name}'s runs for callbacks.", "information")
        await wait_for(pilot, lambda: unfollowed in said(app), what="said")
        # ... and run nothing that is not a dashboard operation.
        before = len(said(app))
        dashboard.activities.focus()
        dashboard.activities.select_key(other)
        await wait_for(
            pilot,
            lambda: getattr(dashboard.activities.selected, "arn", None) == other,
            what="other selected",
        )
        app.action_dashboard("action_toggle_work")
        app.action_dashboard("action_follow_callbacks")  # one that runs: the order is kept
        following = (
            f"Following {machine.name}'s runs: those waiting on a person (.waitForTaskToken)"
            " come to the chat pane (c)."
        )
        await wait_for(pilot, lambda: len(said(app)) > before, what="said")
        assert said(app)[before:] == [(following, "information")]
        assert inbox.worked == (set() if read_only else {auto})
    claims = [call["activityArn"] for call in proxy.sent("GetActivityTask")]
    if read_only:
        assert sorted(set(proxy.operations) - READS) == []
    else:
        assert auto in claims
