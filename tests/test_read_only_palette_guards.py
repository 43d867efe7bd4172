"""The command palette's guards (tui/commands.py), in read-only and in normal mode: which
entries it offers (`SfnCommands._offered`: no changing one in read-only) and its
refusal when a changing entry is run anyway (`_run`, as from a list drawn before).

One short Pilot scene per mode, so scripts/mutation.py can judge these guards' mutants
with it; every entry is run from the dashboard and the detail screen in
test_read_only_routes.py (minutes).
"""

from __future__ import annotations

import json
import uuid

import pytest

from sfn_tui.aws.connection import Connection
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.commands import COMMANDS, SfnCommands
from sfn_tui.tui.screens.chat import ChatScreen
from sfn_tui.tui.screens.start_execution import StartExecutionScreen
from tests.helpers import boto_client
from tests.pilot_helpers import wait_for, wait_shown
from tests.recording_proxy import RecordingProxy
from tests.test_read_only import READS
from tests.test_read_only_routes import palette_entries

REGION = "us-isof-east-1"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-palette-guards"
# The entries that change something on the service or claim tasks, written out here
# (not read from commands.py): read-only mode must not offer them.
CHANGING = {
    "Start execution",
    "Stop execution",
    "Redrive execution",
    "Create state machine",
    "Update state machine",
    "Delete state machine",
    "Publish version",
    "Create alias",
    "Update alias routing",
    "Delete version",
    "Delete alias",
    "Create activity",
    "Delete activity",
    "Test state",
    "New ChatSFN run",
    "New approval run",
    "Work or stop working the selected activity",
}
REFUSED = ("Read-only mode: nothing can be changed.", "warning")


def action_of(text: str) -> str:
    return next(action for entry, _, action in COMMANDS if entry == text)


def said(app: SfnTuiApp) -> list[tuple[str, str]]:
    return [(str(n.message), n.severity) for n in app._notifications]


@pytest.mark.parametrize("read_only", [True, False], ids=["read-only", "normal"])
async def test_the_palette_offers_and_runs_only_what_the_mode_allows(
    engine: str, proxy: RecordingProxy, read_only: bool
) -> None:
    sfn = boto_client("stepfunctions", engine, REGION)
    pass_only = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    machine = sfn.create_state_machine(
        name=f"palette-guards-{uuid.uuid4().hex[:6]}",
        definition=json.dumps(pass_only),
        roleArn=ROLE,
    )["stateMachineArn"]
    connection = Connection(region=REGION, endpoint_url=proxy.url, dummy_credentials=True)
    app = SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0, read_only=read_only)
    # palette_entries leaves out Textual's own entries, among them a Quit like ours.
    every = {text for text, _, _ in COMMANDS} - {"Quit"}
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        dashboard = app.dashboard
        await wait_for(pilot, lambda: machine in dashboard.machines.items, what="listed")
        dashboard.machines.focus()
        dashboard.machines.select_key(machine)
        await wait_for(
            pilot,
            lambda: getattr(dashboard.machines.selected, "arn", None) == machine,
            what="the machine selected",
        )
        offered = await palette_entries(pilot, app)
        assert set(offered) == (every - CHANGING if read_only else every)
        assert len(offered) == len(set(offered))  # each once

        # A changing entry run anyway (a list drawn before, a keymap): refused and said.
        palette = SfnCommands(dashboard)
        await palette._run("Start execution", action_of("Start execution"))
        if read_only:
            await wait_for(pilot, lambda: REFUSED in said(app), what="the refusal")
            assert app.screen is dashboard
        else:
            await wait_for(
                pilot,
                lambda: (
                    isinstance(app.screen, StartExecutionScreen)
                    and bool(app.screen.query("#start-name"))
                ),
                what="Start execution open",
            )
            app.pop_screen()
            assert REFUSED not in said(app)
        # A reading one runs in both modes.
        await palette._run("Open chat / tasks", action_of("Open chat / tasks"))
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="the chat pane")
        await wait_shown(pilot, "Tasks", "Conversation")
        assert said(app).count(REFUSED) == (1 if read_only else 0)
    assert sorted(set(proxy.operations) - READS) == []
    assert sfn.list_executions(stateMachineArn=machine)["executions"] == []
