"""More screens that show service text, each with a hostile value shown literally: the
history's event detail, the States tab's variables, a comparison cut to its size, a
name cut to its column, aliases (their table, form and a run on one), an IAM role in
the Create form, a synchronous run while it goes, callbacks (the chat pane's task list
and status line, the queue-token dialog) and Map Runs (their label, ARN and the
service's refusals).

Each test was written for places scripts/service_text_mutation.py found unprotected by
any test, and seen failing with that place's protection dropped by hand. As in
tests/test_hostile_screens.py, AWS refuses most of these names (InvalidName, a Map
Run's Label, an IAM role name); an endpoint that does not check them passes them on,
and sfn-tui must still show them as text: the engine's checks are turned off while the
scene is made."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from sfn_tui.aws.connection import Connection
from sfn_tui.tui.app import SfnTuiApp
from tests.fault_proxy import FaultProxy
from tests.helpers import boto_client, wait_until
from tests.pilot_helpers import screen_text, wait_for
from tests.test_hostile_screens import (
    MACHINE,
    MACHINE_SHOWN,
    NOTE,
    NOTE_IN_JSON,
    NOTE_SHOWN,
    RUN,
    RUN_SHOWN,
    STATE,
    STATE_SHOWN,
    names_unchecked_everywhere,
    open_detail,
    select_machine,
    shown_literally,
    watch_run,
)

REGION = "eusc-de-east-1"  # shared with the Map Run snapshot only; all made here is deleted
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-hostile-more"
SIZE = (170, 50)
# A Map Run's label (its Map state's Label): AWS refuses brackets and control
# characters in it (the Distributed Map's Label field,
# https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html).
LABEL = "[b]L[/b]\x1b[36m"
LABEL_SHOWN = "[b]L[/b]\\x1b[36m"
ALIAS = "[i]A[/i]\x1b[35m"
ALIAS_SHOWN = "[i]A[/i]\\x1b[35m"
# A variable's name (AWS: a Unicode identifier, so no brackets; the engine takes it).
VARIABLE = "[u]n[/u]"
# The service's words in a refusal (from the fault proxy).
REFUSAL = "[bold]no[/] \x1b[31mway"
REFUSAL_SHOWN = "[bold]no[/] \\x1b[31mway"
# An SQS message's body: SQS refuses C0 control characters (ESC) but takes C1 ones, CSI
# (U+009B) among them (SendMessage's MessageBody,
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html).
BODY = "[bold]stranger[/] \x9b31m"
BODY_SHOWN = "[bold]stranger[/] \\x9b31m"


def make_app(endpoint: str, **kwargs: Any) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=endpoint, dummy_credentials=True)
    return SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0, **kwargs)


@pytest.fixture(scope="module")
def sfn(engine: str) -> Iterator[Any]:
    """A client for the region; every machine made in it is deleted at the end (the
    Map Run snapshot pins the dates of what the region holds)."""
    client = boto_client("stepfunctions", engine, REGION)
    yield client
    for machine in client.list_state_machines()["stateMachines"]:
        arn = machine["stateMachineArn"]
        if not machine["name"].endswith(MINE):
            continue
        if machine["type"] == "STANDARD":
            running = client.list_executions(stateMachineArn=arn, statusFilter="RUNNING")
            for run in running["executions"]:
                client.stop_execution(executionArn=run["executionArn"])
        client.delete_state_machine(stateMachineArn=arn)


MINE = "-hm"  # the suffix of every machine this module makes


def create(sfn: Any, name: str, definition: dict[str, Any], **kwargs: Any) -> str:
    tag = uuid.uuid4().hex[:4]
    with names_unchecked_everywhere():
        return str(
            sfn.create_state_machine(
                name=f"{name}{tag}{MINE}",
                definition=json.dumps(definition),
                roleArn=ROLE,
                **kwargs,
            )["stateMachineArn"]
        )


def start(sfn: Any, machine: str, name: str, given: Any = None) -> str:
    with names_unchecked_everywhere():
        return str(
            sfn.start_execution(stateMachineArn=machine, name=name, input=json.dumps(given or {}))[
                "executionArn"
            ]
        )


def ended(sfn: Any, run: str, timeout: float = 30.0) -> dict[str, Any]:
    return wait_until(
        lambda: (
            (described := sfn.describe_execution(executionArn=run))["status"] != "RUNNING"
            and described
        ),
        timeout=timeout,
        message=f"{run} still running",
    )


@contextmanager
def aliases_unchecked() -> Iterator[None]:
    """Alias names the engine takes as they are (it checks them as AWS does)."""
    from sfn_tui.local import versions

    checked = versions.ALIAS_NAME
    versions.ALIAS_NAME = re.compile(r".+", re.S)
    try:
        yield
    finally:
        versions.ALIAS_NAME = checked


@contextmanager
def labels_unchecked() -> Iterator[None]:
    """Map state Labels the engine takes as they are (it refuses brackets and control
    characters, as AWS does)."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_map import label

    checked = label.Label.__init__

    def taken(self: Any, label: str) -> None:
        self.label = label

    label.Label.__init__ = taken  # type: ignore[method-assign]
    try:
        yield
    finally:
        label.Label.__init__ = checked  # type: ignore[method-assign]


@pytest.fixture
async def faulty(engine: str) -> AsyncIterator[FaultProxy]:
    proxy = FaultProxy(engine)
    await proxy.start()
    yield proxy
    await proxy.stop()


# The detail: history, States tab, comparison -------------------------------------


async def test_an_events_detail_and_the_variables_name_a_hostile_state_literally(
    engine: str, sfn: Any
) -> None:
    """Enter on (the cursor on) a history event of a hostile state: its detail names
    the state; the States tab lists a hostile variable, its value and the state that
    assigned it."""
    machine = create(
        sfn,
        "vars",
        {
            "StartAt": STATE,
            "States": {
                STATE: {"Type": "Pass", "Assign": {VARIABLE: NOTE}, "Next": "Done"},
                "Done": {"Type": "Pass", "End": True},
            },
        },
    )
    run = start(sfn, machine, f"vars-{uuid.uuid4().hex[:4]}")
    assert ended(sfn, run)["status"] == "SUCCEEDED"
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        detail = await open_detail(pilot, app, run)
        await pilot.press("2")
        table = detail.table
        await wait_for(pilot, lambda: table.row_count() > 2, what="history listed")
        table.focus()
        table.cursor = 1  # PassStateEntered of the hostile state
        await shown_literally(pilot, f"state {STATE_SHOWN}")
        await pilot.press("3")
        runs = detail.runs_table
        names = [r.name for r in detail.history.runs]
        runs.focus()
        runs.cursor = names.index("Done")
        await shown_literally(
            pilot, f'${VARIABLE} = "{NOTE_IN_JSON}"  from {STATE_SHOWN}', timeout=10
        )


async def test_a_comparison_cut_to_its_size_keeps_hostile_text_literal(
    engine: str, sfn: Any
) -> None:
    """Inputs longer than the comparison shows (cut at MAX_FIELD) with markup in the
    part kept."""
    from sfn_tui.tui.screens.compare import MAX_FIELD, CompareScreen

    machine = create(sfn, "cmp", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    tag = uuid.uuid4().hex[:4]
    long = {"a": NOTE, "pad": "x" * MAX_FIELD}
    first = start(sfn, machine, f"c1-{tag}", long)
    second = start(sfn, machine, f"c2-{tag}", {**long, "b": 2})
    for run in (first, second):
        ended(sfn, run)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        app.push_screen(CompareScreen(first, second))
        await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen), what="compare")
        text = await shown_literally(pilot, f'"a": "{NOTE_IN_JSON}"', f"(first {MAX_FIELD:,} of")
        assert text.count(f'"a": "{NOTE_IN_JSON}"') >= 2  # each side


async def test_a_name_cut_to_its_column_keeps_its_markup_literal(engine: str, sfn: Any) -> None:
    """A machine name wider than its column, cut in the middle: the kept head holds a
    closing tag with nothing open (markup would even refuse it)."""
    head = "[/b]y[/]"
    machine = create(
        sfn, f"{head}{'-' * 90}", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    )
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await select_machine(pilot, app, machine)
        cut = re.compile(re.escape(head) + "-+…-+")  # cut in the middle, head kept
        await wait_for(pilot, lambda: bool(cut.search(screen_text(app))), what="the name cut")
        await shown_literally(pilot, head)


# Aliases ------------------------------------------------------------------------


async def test_a_hostile_alias_is_named_literally_wherever_it_is_shown(
    engine: str, sfn: Any, faulty: FaultProxy
) -> None:
    """An alias (and a version description) with markup and an escape: the runs pane
    ("v1 via <alias>"), the Start dialog's Run choices, the Aliases table, the alias
    form, and the detail of a run started on it."""
    from textual.widgets import Select, Static

    from sfn_tui.tui.screens.start_execution import StartExecutionScreen
    from sfn_tui.tui.screens.version_forms import AliasFormScreen
    from sfn_tui.tui.screens.versions import VersionsScreen

    made = create(
        sfn,
        "alias",
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        publish=True,
        versionDescription=NOTE,
    )
    version = sfn.list_state_machine_versions(stateMachineArn=made)["stateMachineVersions"][0]
    with aliases_unchecked():
        alias = sfn.create_state_machine_alias(
            name=ALIAS,
            routingConfiguration=[
                {"stateMachineVersionArn": version["stateMachineVersionArn"], "weight": 100}
            ],
        )["stateMachineAliasArn"]
    run = start(sfn, alias, f"on-alias-{uuid.uuid4().hex[:4]}")
    ended(sfn, run)
    app = make_app(faulty.url)
    async with app.run_test(size=SIZE) as pilot:
        await watch_run(pilot, app, made, run)
        await shown_literally(pilot, f"v1 via {ALIAS_SHOWN}")  # the runs pane
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, StartExecutionScreen), what="start")
        start_screen = app.screen
        target = start_screen.query_one("#start-target", Select)
        await wait_for(pilot, lambda: len(target._options) > 2, what="versions and aliases")
        target.value = alias
        await shown_literally(pilot, f"Alias {ALIAS_SHOWN}: v1 100%")
        target.value = version["stateMachineVersionArn"]
        await shown_literally(pilot, f"Version 1: {NOTE_SHOWN}")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.dashboard, what="start closed")
        await select_machine(pilot, app, made)
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, VersionsScreen), what="versions")
        screen = app.screen
        assert isinstance(screen, VersionsScreen)
        await wait_for(pilot, lambda: screen.loaded, what="versions loaded")
        await shown_literally(pilot, f"{ALIAS_SHOWN}  v1 100%")  # the Aliases table
        screen.aliases.focus()
        await wait_for(pilot, lambda: screen.aliases.selected is not None, what="alias picked")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, AliasFormScreen), what="form")
        await shown_literally(pilot, f"Update alias routing of {ALIAS_SHOWN}")
        # The version's choice wraps in its narrow Select: what the Select draws.
        chosen = app.screen.query_one("#vf-first", Select).query_one("#label", Static)
        await wait_for(
            pilot,
            lambda: str(chosen.render()) == f"Version 1 — {NOTE_SHOWN}",
            what="the version's description, literally",
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="form closed")
        # Start on the alias, its versions and aliases not listed yet: the Run choice is
        # the alias named from its ARN.
        faulty.fault("ListStateMachineVersions", "hang")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, StartExecutionScreen), what="start")
        on_alias = app.screen.query_one("#start-target", Select).query_one("#label", Static)
        await wait_for(
            pilot, lambda: str(on_alias.render()) == ALIAS_SHOWN, what="the alias, literally"
        )
        faulty.clear()
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="start closed")
        await open_detail(pilot, app, run)
        await shown_literally(pilot, f"Alias         {ALIAS_SHOWN}  arn:")  # what it ran on


async def test_a_refused_deletion_of_a_hostile_alias_names_it_literally(
    engine: str, sfn: Any, faulty: FaultProxy
) -> None:
    """The service refuses to delete an alias with markup and an escape in its name:
    the Versions screen's status line and the notification's title name it as it is
    (its case kept), with the service's words."""
    from sfn_tui.tui.screens.confirm import ConfirmScreen
    from sfn_tui.tui.screens.versions import VersionsScreen

    made = create(
        sfn,
        "alias-del",
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        publish=True,
    )
    version = sfn.list_state_machine_versions(stateMachineArn=made)["stateMachineVersions"][0]
    with aliases_unchecked():
        alias = sfn.create_state_machine_alias(
            name=ALIAS,
            routingConfiguration=[
                {"stateMachineVersionArn": version["stateMachineVersionArn"], "weight": 100}
            ],
        )["stateMachineAliasArn"]
    faulty.fault("DeleteStateMachineAlias", "error", status=400, code="Refused", message=REFUSAL)
    app = make_app(faulty.url)
    async with app.run_test(size=SIZE) as pilot:
        await select_machine(pilot, app, made)
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, VersionsScreen), what="versions")
        screen = app.screen
        assert isinstance(screen, VersionsScreen)
        await wait_for(pilot, lambda: screen.loaded, what="versions loaded")
        screen.aliases.focus()
        await wait_for(pilot, lambda: screen.aliases.selected is not None, what="alias picked")
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="asked")
        await shown_literally(pilot, f"Delete alias {ALIAS_SHOWN} (v1 100%)?")
        await pilot.press("y")
        await shown_literally(
            pilot, f"Could not delete alias {ALIAS_SHOWN}: DeleteStateMachineAlias failed"
        )
        await shown_literally(pilot, REFUSAL_SHOWN)
        # The toast's title, as the app hands it to Textual (text, its escape written out).
        titles = [n.title for n in app._notifications]
        assert f"Alias {ALIAS_SHOWN} not deleted" in titles, titles
    assert faulty.served("DeleteStateMachineAlias") == 1
    assert [
        a["stateMachineAliasArn"]
        for a in sfn.list_state_machine_aliases(stateMachineArn=made)["stateMachineAliases"]
    ] == [alias]


# The Create form's roles, a synchronous run --------------------------------------


async def test_a_hostile_iam_role_is_listed_literally_wherever_roles_are_picked(
    engine: str, faulty: FaultProxy
) -> None:
    """IAM role names with markup (AWS refuses them: CreateRole's RoleName pattern is
    [\\w+=,.@-]+, https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html;
    moto takes them, and a control character makes its XML unreadable): the Create
    form's role list, and the guided ChatSFN setup's (offered when the ChatSFN role
    cannot be looked up)."""
    from textual.widgets import Select, Static

    from sfn_tui.tui.screens.guided_run import GuidedRunScreen
    from sfn_tui.tui.screens.state_machine_form import StateMachineFormScreen

    iam = boto_client("iam", engine, REGION)  # IAM is global: deleted at the end
    name = f"[b]R[/b]{uuid.uuid4().hex[:4]}"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "states.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    try:
        app = make_app(faulty.url)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.client is not None, what="connected")
            form = StateMachineFormScreen()
            app.push_screen(form)
            await wait_for(pilot, lambda: arn in getattr(form, "roles", {}), what="roles listed")
            form.query_one("#sm-role", Select).value = arn
            await shown_literally(pilot, name)
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is app.dashboard, what="form closed")
            faulty.fault("ListRoles", "error", status=403, code="AccessDenied", times=1)
            guided = GuidedRunScreen()
            app.push_screen(guided)
            await wait_for(pilot, lambda: app.screen is guided and guided.is_mounted, what="up")
            pick = guided.query_one("#role-pick", Select)
            await wait_for(pilot, lambda: pick.display and len(pick._options) > 1, what="roles")
            pick.value = arn
            chosen = pick.query_one("#label", Static)
            await wait_for(pilot, lambda: str(chosen.render()) == name, what="the role, literally")
            await pilot.press("escape")
    finally:
        iam.delete_role(RoleName=name)


async def test_a_synchronous_run_is_named_literally_while_it_goes(engine: str, sfn: Any) -> None:
    """StartSyncExecution held at the fault proxy: the dialog's title while it waits."""
    from sfn_tui.tui.screens.sync_execution import SyncExecutionScreen

    machine = create(
        sfn,
        MACHINE,
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        type="EXPRESS",
    )
    faulty = FaultProxy(engine)
    await faulty.start()
    try:
        faulty.fault("StartSyncExecution", "hang")
        app = make_app(faulty.url)
        async with app.run_test(size=SIZE) as pilot:
            await select_machine(pilot, app, machine)
            express = app.dashboard.machines.items[machine]
            app.push_screen(SyncExecutionScreen(express, f"{RUN}s", "{}"))
            await wait_for(pilot, lambda: faulty.held("StartSyncExecution") == 1, what="held")
            await shown_literally(pilot, f"Running {RUN_SHOWN}s of {MACHINE_SHOWN}")
            with names_unchecked_everywhere():  # the run's name, as the engine takes it
                faulty.clear()  # the run goes on, and ends: the title says so
                await shown_literally(
                    pilot, f"{RUN_SHOWN}s of {MACHINE_SHOWN}", "run synchronously"
                )
            await pilot.press("escape")
    finally:
        await faulty.stop()
