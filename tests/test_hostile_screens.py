"""Every screen that shows service text shows a hostile value literally: the screens
reached from a state machine (Start, Graph, Versions and their forms, Edit, Delete),
from a run's detail (Export, Compare, Test state), the dashboard's filter and empty
panes, the failure a dialog reports in the service's words, and notifications.

tests/test_terminal_safety.py and tests/test_hostile_names.py have the dashboard's
panes, the detail's tabs, the chat pane, Stop/Redrive and help. Each test here was
written for places scripts/service_text_mutation.py found unprotected by any test (a
mutant that drops the place's visible()/plain()/markup=False survived).

AWS refuses such state machine, activity and alias names (InvalidName); an endpoint
that does not check names (or one with a bug) passes them on, and sfn-tui must still
show them as text: the engine's checks are turned off while the scene is made."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from textual.events import Paste
from textual.widgets import Input, Select

from sfn_tui.aws.connection import Connection
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.execution_detail import ExecutionDetailScreen
from sfn_tui.tui.screens.main import MainScreen
from tests.helpers import boto_client, names_unchecked, wait_until
from tests.pilot_helpers import screen_text, wait_for, wait_shown

REGION = "eu-isoe-west-1"
# A role ARN is service text too (the engine, like AWS, checks only its shape).
ROLE = "arn:aws:iam::123456789012:role/[b]R[/b]\x1b[35m"
ROLE_SHOWN = "role/[b]R[/b]\\x1b[35m"
# Markup that would style or close, then an SGR colour: each shown as typed, the escape
# character written out (\x1b).
MACHINE = "[bold]M[/]\x1b[32m"
MACHINE_SHOWN = "[bold]M[/]\\x1b[32m"
RUN = "[i]r[/i]\x1b[33m"
RUN_SHOWN = "[i]r[/i]\\x1b[33m"
STATE = "[u]S[/u]\x1b[34m"
STATE_SHOWN = "[u]S[/u]\\x1b[34m"
ERROR = "[bold]E[/]\x1b[35m"
ERROR_SHOWN = "[bold]E[/]\\x1b[35m"
CAUSE = "[link=https://evil.example]C[/link]\x1b[36m"
CAUSE_SHOWN = "[link=https://evil.example]C[/link]\\x1b[36m"
NOTE = "[reverse]v[/]\x1b[37m"
NOTE_SHOWN = "[reverse]v[/]\\x1b[37m"
NOTE_IN_JSON = "[reverse]v[/]\\u001b[37m"  # an output drawn as JSON: a JSON escape
FILTER = "[b]zz[/b]\x1b[31m"
FILTER_SHOWN = "[b]zz[/b]\\x1b[31m"
ACTIVITY = "[bold]A[/]\x1b[32m"
ACTIVITY_SHOWN = "[bold]A[/]\\x1b[32m"
ARN_PART = f"aws:states:{REGION}:123456789012:stateMachine:"
FAIL = "[s]F[/s]\x1b[31m"
FAIL_SHOWN = "[s]F[/s]\\x1b[31m"


@contextmanager
def names_unchecked_everywhere() -> Iterator[None]:
    """State machine, activity and execution names the engine takes as they are."""
    from moto.stepfunctions.models import StepFunctionBackend

    checked = StepFunctionBackend._validate_name
    StepFunctionBackend._validate_name = lambda self, name: None  # type: ignore[method-assign]
    try:
        with names_unchecked():
            yield
    finally:
        StepFunctionBackend._validate_name = checked  # type: ignore[method-assign]


def definition() -> str:
    return json.dumps(
        {
            "StartAt": STATE,
            "States": {
                STATE: {"Type": "Pass", "Result": {"note": NOTE}, "Next": FAIL},
                FAIL: {"Type": "Fail", "Error": ERROR, "Cause": CAUSE},
            },
        }
    )


@pytest.fixture(scope="module")
def scene(engine: str) -> dict[str, str]:
    sfn = boto_client("stepfunctions", engine, REGION)
    tag = uuid.uuid4().hex[:4]
    with names_unchecked_everywhere():
        machine = sfn.create_state_machine(
            name=f"{MACHINE}{tag}", definition=definition(), roleArn=ROLE
        )["stateMachineArn"]
        first = sfn.start_execution(stateMachineArn=machine, name=f"{RUN}1")["executionArn"]
        second = sfn.start_execution(stateMachineArn=machine, name=f"{RUN}2")["executionArn"]
    for run in (first, second):
        wait_until(lambda run=run: sfn.describe_execution(executionArn=run)["status"] == "FAILED")
    version = sfn.publish_state_machine_version(stateMachineArn=machine, description=NOTE)
    with names_unchecked_everywhere():
        echo = sfn.create_state_machine(
            name=f"{MACHINE}echo{tag}",
            definition=json.dumps(
                {
                    "StartAt": STATE,
                    # More lines than the detail's preview shows: it is cut.
                    "States": {
                        STATE: {
                            "Type": "Pass",
                            "Result": {"note": NOTE, "lines": list(range(250))},
                            "End": True,
                        }
                    },
                }
            ),
            roleArn=ROLE,
            publish=True,
        )
        on_version = sfn.start_execution(
            stateMachineArn=echo["stateMachineVersionArn"], name=f"{RUN}v"
        )["executionArn"]
    wait_until(lambda: sfn.describe_execution(executionArn=on_version)["status"] == "SUCCEEDED")
    return {
        "echo": echo["stateMachineArn"],
        "echo_version": echo["stateMachineVersionArn"],
        "on_version": on_version,
        "machine": machine,
        "name": f"{MACHINE}{tag}",
        "shown": f"{MACHINE_SHOWN}{tag}",
        "first": first,
        "second": second,
        "version": version["stateMachineVersionArn"],
    }


def make_app(engine: str, **kwargs: Any) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    return SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0, **kwargs)


async def shown_literally(
    pilot: Any, *expected: str, flat: bool = False, timeout: float = 20.0
) -> str:
    text = await wait_shown(pilot, *expected, flat=flat, timeout=timeout)
    assert "\x1b" not in text and "\x07" not in text, "a raw escape character reached the screen"
    return text


async def select_machine(pilot: Any, app: SfnTuiApp, machine: str) -> None:
    dashboard = app.dashboard
    await wait_for(pilot, lambda: machine in dashboard.machines.items, what="machine listed")
    dashboard.machines.focus()
    dashboard.machines.select_key(machine)
    await wait_for(
        pilot,
        lambda: getattr(dashboard.machines.selected, "arn", None) == machine,
        what="machine selected",
    )


async def watch_run(pilot: Any, app: SfnTuiApp, machine: str, run: str) -> None:
    """The machine's runs listed, the cursor on `run` in the runs pane."""
    dashboard = app.dashboard
    await select_machine(pilot, app, machine)
    await pilot.press("enter")
    await wait_for(pilot, lambda: run in dashboard.executions.items, what="run listed")
    dashboard.executions.focus()
    dashboard.executions.select_key(run)
    await wait_for(
        pilot,
        lambda: getattr(dashboard.executions.selected, "arn", None) == run,
        what="run selected",
    )


async def open_detail(pilot: Any, app: SfnTuiApp, run: str) -> ExecutionDetailScreen:
    await wait_for(pilot, lambda: app.client is not None, what="connected")
    screen = ExecutionDetailScreen(run)
    app.push_screen(screen)
    await wait_for(pilot, lambda: app.screen is screen and screen.complete, what="detail loaded")
    return screen


@pytest.mark.parametrize(
    ("key", "extra"),
    [
        ("s", ()),  # Start execution
        ("g", ()),  # the machine's graph: name and ARN
        ("v", (NOTE_SHOWN,)),  # versions and aliases: and a version's description
        ("e", (f"Role arn:aws:iam::123456789012:{ROLE_SHOWN}",)),  # Edit: and the role
        ("d", ()),  # Delete: name and ARN
    ],
    ids=["start", "graph", "versions", "edit", "delete"],
)
async def test_each_machine_screen_names_a_hostile_machine_literally(
    engine: str, scene: dict[str, str], key: str, extra: tuple[str, ...]
) -> None:
    app = make_app(engine, worked_activities=frozenset())
    async with app.run_test(size=(170, 50)) as pilot:
        await select_machine(pilot, app, scene["machine"])
        await pilot.press(key)
        await wait_for(pilot, lambda: not isinstance(app.screen, MainScreen), what="screen open")
        await shown_literally(pilot, scene["shown"], *extra)


async def test_export_compare_and_test_state_name_hostile_runs_and_states_literally(
    engine: str, scene: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sfn_tui.tui.screens.compare import CompareScreen
    from sfn_tui.tui.screens.export import ExportScreen
    from sfn_tui.tui.screens.test_state import TestStateScreen

    app = make_app(engine, worked_activities=frozenset())
    async with app.run_test(size=(170, 50)) as pilot:
        first = await open_detail(pilot, app, scene["first"])
        monkeypatch.chdir(tmp_path)  # where Export offers to write
        (tmp_path / "[i]r[_i]_[33m1.json").write_text("{}")
        await pilot.press("E")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen), what="export")
        await shown_literally(pilot, f"Export the execution {RUN_SHOWN}1")
        # The default file (named after the run) exists: the dialog says so, naming it.
        await pilot.press("enter")
        await shown_literally(pilot, "1.json already exists")
        problem = app.screen.query_one("#export-problem")  # (the file field shows it too)
        assert "/[i]r[_i]_[33m1.json already exists" in str(problem.render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is first, what="back on the detail")
        await pilot.press("m")  # mark it, to compare with the second run
        await pilot.press("escape")
        await open_detail(pilot, app, scene["second"])
        await pilot.press("equals_sign")
        await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen), what="compare")
        await shown_literally(pilot, f"{RUN_SHOWN}1", f"{RUN_SHOWN}2", STATE_SHOWN, ERROR_SHOWN)
        await pilot.press("escape")
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, TestStateScreen), what="test state")
        await shown_literally(
            pilot, scene["shown"], STATE_SHOWN, f"Role  arn:aws:iam::123456789012:{ROLE_SHOWN}"
        )
        await pilot.press("ctrl+s")  # test the Pass state: its next state and output
        await shown_literally(
            pilot,
            f"Next state {FAIL_SHOWN}",
            f'Output {{"note": "{NOTE_IN_JSON}',  # the summary
            f'│"{NOTE_IN_JSON}"',  # the Result column (its value on a line of its own)
        )
        app.screen.query_one("#ts-state", Select).value = FAIL  # the Fail state
        await shown_literally(pilot, FAIL_SHOWN)
        await pilot.press("ctrl+s")
        await shown_literally(pilot, ERROR_SHOWN, CAUSE_SHOWN)


async def test_a_hostile_filter_is_shown_literally_in_each_pane_title_and_empty_pane(
    engine: str, scene: dict[str, str]
) -> None:
    """A filter pasted with markup and an escape (a paste keeps control characters):
    each pane's title and the sentence of the empty pane show it as typed."""
    app = make_app(engine, worked_activities=frozenset())
    async with app.run_test(size=(170, 50)) as pilot:
        dashboard = app.dashboard
        await watch_run(pilot, app, scene["machine"], scene["first"])
        panes = (
            (
                dashboard.executions,
                f"Executions · {scene['shown']} · /{FILTER_SHOWN}",
                f"No executions of {scene['shown']} have “{FILTER_SHOWN}”",
            ),
            (
                dashboard.activities,
                f"Activities · /{FILTER_SHOWN}",
                f"No activity names contain “{FILTER_SHOWN}”",
            ),
            (
                dashboard.machines,
                f"State machines · /{FILTER_SHOWN}",
                f"No state machine names contain “{FILTER_SHOWN}”",
            ),
        )
        for pane, title, empty in panes:
            pane.focus()
            await pilot.press("slash")
            await wait_for(pilot, lambda: isinstance(app.focused, Input), what="filter bar")
            assert app.focused is not None
            app.focused.post_message(Paste(FILTER))
            await wait_for(pilot, lambda pane=pane: pane.filter_text == FILTER, what="filtered")
            await pilot.press("enter")
            await shown_literally(pilot, title, empty)


@pytest.mark.parametrize(
    ("key", "submit"),
    [("s", "ctrl+s"), ("v p", "ctrl+s")],
    ids=["start", "publish-version"],
)
async def test_a_refusal_quoting_a_hostile_machine_is_shown_literally(
    engine: str, key: str, submit: str
) -> None:
    """The machine is deleted elsewhere while its dialog is open: the service's refusal
    quotes its ARN, which holds the name."""
    sfn = boto_client("stepfunctions", engine, REGION)
    tag = uuid.uuid4().hex[:4]
    with names_unchecked_everywhere():
        machine = sfn.create_state_machine(
            name=f"{MACHINE}{tag}", definition=definition(), roleArn=ROLE
        )["stateMachineArn"]
    app = make_app(engine, worked_activities=frozenset())
    async with app.run_test(size=(170, 50)) as pilot:
        await select_machine(pilot, app, machine)
        for step in key.split():
            screen = app.screen
            await pilot.press(step)
            await wait_for(pilot, lambda screen=screen: app.screen is not screen, what="dialog")
        await shown_literally(pilot, f"{MACHINE_SHOWN}{tag}")
        sfn.delete_state_machine(stateMachineArn=machine)
        await pilot.press(submit)
        try:
            # The message wraps inside the ARN: its markup and the escape's start.
            await shown_literally(pilot, f"stateMachine:{MACHINE_SHOWN[:13]}", timeout=8)
        except AssertionError:
            print(screen_text(app))
            raise


async def test_the_detail_of_a_run_on_a_version_names_it_literally(
    engine: str, scene: dict[str, str]
) -> None:
    """The version a run used (its ARN holds the machine's name), and an output longer
    than the preview (cut, with the hostile note in its first lines)."""
    app = make_app(engine, worked_activities=frozenset())
    async with app.run_test(size=(170, 50)) as pilot:
        await open_detail(pilot, app, scene["on_version"])
        # "v1  arn:…": the version; the output's first lines (the rest is cut).
        await shown_literally(pilot, f"v1  arn:{ARN_PART}{MACHINE_SHOWN}echo", NOTE_IN_JSON)


async def test_the_chat_pane_names_a_failed_run_its_error_and_an_output_literally(
    engine: str, scene: dict[str, str]
) -> None:
    from sfn_tui.tui.screens.chat import ChatScreen

    app = make_app(engine, worked_activities=frozenset())
    async with app.run_test(size=(170, 50)) as pilot:
        await watch_run(pilot, app, scene["machine"], scene["first"])
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="chat pane")
        await shown_literally(pilot, f"{RUN_SHOWN}1", f"{ERROR_SHOWN}: {CAUSE_SHOWN}")
        await pilot.press("escape")
        await watch_run(pilot, app, scene["echo"], scene["on_version"])
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="chat pane")
        await shown_literally(pilot, f"{RUN_SHOWN}v", "output:", NOTE_IN_JSON)


async def test_a_task_of_a_hostile_activity_is_listed_literally(engine: str) -> None:
    """The activities pane and the chat pane's task list name the activity."""
    from sfn_tui.tui.screens.chat import ChatScreen

    sfn = boto_client("stepfunctions", engine, REGION)
    tag = uuid.uuid4().hex[:4]
    with names_unchecked_everywhere():
        activity = sfn.create_activity(name=f"{ACTIVITY}{tag}")["activityArn"]
        machine = sfn.create_state_machine(
            name=f"ask-{tag}",
            definition=json.dumps(
                {
                    "StartAt": "Ask",
                    "States": {
                        "Ask": {
                            "Type": "Task",
                            "Resource": activity,
                            "TimeoutSeconds": 120,
                            "End": True,
                        }
                    },
                }
            ),
            roleArn=ROLE,
        )["stateMachineArn"]
    run = sfn.start_execution(stateMachineArn=machine, name=f"ask-{tag}")["executionArn"]
    app = make_app(engine, worked_activities=frozenset({f"{ACTIVITY}{tag}"}))
    try:
        async with app.run_test(size=(170, 50)) as pilot:
            await shown_literally(pilot, f"{ACTIVITY_SHOWN}{tag}")  # the activities pane
            await wait_for(
                pilot,
                lambda: app.inbox is not None and bool(app.inbox.claimed()),
                what="the task claimed",
            )
            await pilot.press("c")
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="chat pane")
            # The task list: the name cut in the middle to its width, no raw escape.
            await shown_literally(pilot, f"#T1 {ACTIVITY_SHOWN[:10]}…")
    finally:
        sfn.stop_execution(executionArn=run)


async def test_a_synchronous_express_run_names_its_machine_run_and_error_literally(
    engine: str,
) -> None:
    """StartSyncExecution's dialog (reached from Start on an Express machine): the run's
    and the machine's names in its title, the run's ARN, its error; then the refusal
    once the machine is deleted, which quotes its ARN."""
    from sfn_tui.tui.screens.sync_execution import SyncExecutionScreen

    sfn = boto_client("stepfunctions", engine, REGION)
    tag = uuid.uuid4().hex[:4]
    with names_unchecked_everywhere():
        machine = sfn.create_state_machine(
            name=f"{MACHINE}x{tag}", definition=definition(), roleArn=ROLE, type="EXPRESS"
        )["stateMachineArn"]
    app = make_app(engine, worked_activities=frozenset())
    async with app.run_test(size=(170, 50)) as pilot:
        await select_machine(pilot, app, machine)
        express = app.dashboard.machines.items[machine]
        with names_unchecked_everywhere():  # the run's name, as the engine takes it
            app.push_screen(SyncExecutionScreen(express, f"{RUN}s", "{}"))
            await shown_literally(
                pilot,
                f"{RUN_SHOWN}s of {MACHINE_SHOWN}x{tag}, run synchronously",
                f"express:{MACHINE_SHOWN[:13]}",  # the run's ARN (it wraps)
                f"Error   {ERROR_SHOWN}",
                f"Cause   {CAUSE_SHOWN}",
            )
        await pilot.press("escape")
        sfn.delete_state_machine(stateMachineArn=machine)
        app.push_screen(SyncExecutionScreen(express, f"sync-{tag}", "{}"))
        await shown_literally(pilot, f"stateMachine:{MACHINE_SHOWN[:13]}")


async def test_deleting_a_version_asks_naming_the_hostile_machine_literally(
    engine: str, scene: dict[str, str]
) -> None:
    from sfn_tui.tui.screens.confirm import ConfirmScreen
    from sfn_tui.tui.screens.versions import VersionsScreen

    app = make_app(engine, worked_activities=frozenset())
    async with app.run_test(size=(170, 50)) as pilot:
        await select_machine(pilot, app, scene["machine"])
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, VersionsScreen), what="versions")
        assert isinstance(app.screen, VersionsScreen)
        versions = app.screen.versions
        await wait_for(pilot, lambda: versions.selected is not None, what="version listed")
        versions.focus()
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await shown_literally(pilot, f"Delete version 1 of {scene['shown']}?", flat=True)
        await pilot.press("escape")


@pytest.mark.parametrize("which", ["graph", "detail", "compare", "map-run"])
async def test_a_screen_of_something_gone_quotes_its_hostile_arn_literally(
    engine: str, scene: dict[str, str], which: str
) -> None:
    """A screen opened on something the endpoint no longer knows (restarted, deleted
    elsewhere): the title names it from its ARN, the refusal quotes the ARN."""
    from sfn_tui.tui.screens.compare import CompareScreen
    from sfn_tui.tui.screens.map_run import MapRunScreen
    from sfn_tui.tui.screens.state_machine_graph import StateMachineGraphScreen

    machine = f"arn:aws:states:{REGION}:123456789012:stateMachine:{MACHINE}gone"
    run = f"arn:aws:states:{REGION}:123456789012:execution:{MACHINE}gone:{RUN}gone"
    map_run = f"arn:aws:states:{REGION}:123456789012:mapRun:{MACHINE}gone/{RUN}gone:{STATE}"
    screens = {
        "graph": lambda: StateMachineGraphScreen(machine),
        "detail": lambda: ExecutionDetailScreen(run),
        "compare": lambda: CompareScreen(scene["first"], run),
        "map-run": lambda: MapRunScreen(map_run, run),
    }
    quoted = f"{MACHINE_SHOWN}gone:{RUN_SHOWN}gone'"  # the refusal quotes the run's ARN
    expected = {
        "graph": (f"{MACHINE_SHOWN}gone", f"stateMachine:{MACHINE_SHOWN}gone'"),
        "detail": (f"Execution {RUN_SHOWN}gone", quoted),
        "compare": (quoted,),
        "map-run": (f"{RUN_SHOWN}gone",),
    }
    app = make_app(engine, worked_activities=frozenset())
    async with app.run_test(size=(170, 50)) as pilot:
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        app.push_screen(screens[which]())
        await shown_literally(pilot, *expected[which])
