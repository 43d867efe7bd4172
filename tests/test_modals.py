"""The create, edit, delete, start, stop and redrive modals, driven by keys against the
real engine. For each refused input: the reason is shown, no call was made where the
check is local (the engine holds nothing new), and what was typed is still there."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from textual import events
from textual.screen import Screen
from textual.widgets import Input, Static

from sfn_tui.aws.connection import Connection
from sfn_tui.aws.models import Activity, Execution, StateMachine
from sfn_tui.core.validation import LastInputs
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.activity_form import CreateActivityScreen
from sfn_tui.tui.screens.confirm import ConfirmScreen
from sfn_tui.tui.screens.delete_resource import DeleteResourceScreen
from sfn_tui.tui.screens.start_execution import StartExecutionScreen
from sfn_tui.tui.screens.state_machine_form import DEFAULT_ROLE_NAME, StateMachineFormScreen
from sfn_tui.tui.screens.stop_execution import RedriveExecutionScreen, StopExecutionScreen
from sfn_tui.tui.widgets.json_editor import JsonEditor
from tests.fault_proxy import FaultProxy
from tests.pilot_helpers import screen_text, wait_for, wait_shown

REGION = "eu-south-1"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-modal-tests"
SUCCEED = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
HOLD = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 600, "End": True}}}
FAIL = {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "E", "Cause": "C"}}}
REJECTED = '{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Bogus", "End": true}\n  }\n}'


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def sfn(engine: str) -> Any:
    return boto3.client(
        "stepfunctions",
        endpoint_url=engine,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def make_app(endpoint: str) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=endpoint, dummy_credentials=True)
    return SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0)


def machine_names(sfn: Any) -> set[str]:
    return {m["name"] for m in sfn.list_state_machines()["stateMachines"]}


def activity_names(sfn: Any) -> set[str]:
    return {a["name"] for a in sfn.list_activities()["activities"]}


def create_machine(sfn: Any, definition: dict[str, Any], prefix: str = "modal") -> StateMachine:
    name = unique(prefix)
    made = sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)
    return StateMachine(
        arn=made["stateMachineArn"], name=name, type="STANDARD", creation_date=made["creationDate"]
    )


def start_run(sfn: Any, machine: StateMachine, name: str = "run-1") -> Execution:
    made = sfn.start_execution(stateMachineArn=machine.arn, name=name, input="{}")
    return Execution(
        arn=made["executionArn"],
        name=name,
        state_machine_arn=machine.arn,
        status="RUNNING",
        start_date=made["startDate"],
    )


def shown(screen: Screen[Any], selector: str) -> str:
    """The plain text of a Static in the modal."""
    return str(screen.query_one(selector, Static).content)


class Opened:
    """A modal pushed on the app, and what it was dismissed with."""

    def __init__(self, screen: Screen[Any]) -> None:
        self.screen = screen
        self.results: list[Any] = []

    @property
    def dismissed(self) -> bool:
        return bool(self.results)

    @property
    def result(self) -> Any:
        return self.results[0]


async def open_modal(pilot: Any, screen: Screen[Any]) -> Opened:
    app = pilot.app
    await wait_for(pilot, lambda: app.client is not None, what="connected")
    opened = Opened(screen)
    app.push_screen(screen, opened.results.append)
    await wait_for(pilot, lambda: app.screen is screen and screen.is_mounted, what="modal shown")
    return opened


async def on_screen(pilot: Any, text: str) -> None:
    await wait_for(pilot, lambda: text in screen_text(pilot.app), what=f"{text!r} on screen")


async def type_into(pilot: Any, screen: Screen[Any], selector: str, text: str) -> None:
    """Replace a field's text the way a paste does (key by key is slow for long text)."""
    field = screen.query_one(selector, Input)
    field.focus()
    field.value = ""
    field.post_message(events.Paste(text))
    await wait_for(pilot, lambda: field.value == text, what=f"{selector} filled")


async def no_worker_running(pilot: Any, screen: Screen[Any]) -> None:
    await wait_for(
        pilot,
        lambda: not [w for w in pilot.app.workers if w.node is screen and not w.is_finished],
        what="modal workers done",
    )


# Create state machine -------------------------------------------------------------


async def new_role_picked(pilot: Any, form: StateMachineFormScreen) -> None:
    await wait_for(pilot, lambda: form.roles or "No role" in screen_text(pilot.app), what="roles")
    await pilot.click("#sm-new-role")
    await wait_for(pilot, lambda: DEFAULT_ROLE_NAME in form.role_arn(), what="role picked")


async def test_create_state_machine(engine: str, sfn: Any) -> None:
    name = unique("created")
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        form = StateMachineFormScreen()
        opened = await open_modal(pilot, form)
        await new_role_picked(pilot, form)
        await type_into(pilot, form, "#sm-name", name)
        definition = form.query_one(JsonEditor).text
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: opened.dismissed, what="modal dismissed")
        machine = opened.result
        assert isinstance(machine, StateMachine) and machine.name == name
        described = sfn.describe_state_machine(stateMachineArn=machine.arn)
        assert described["definition"] == definition
        assert described["roleArn"].endswith(f"role/{DEFAULT_ROLE_NAME}")
        assert described["type"] == "STANDARD"


async def test_create_express_machine_with_role_arn_fallback(engine: str, sfn: Any) -> None:
    """Express type picked from the list; a role ARN pasted where roles cannot be listed."""
    name = unique("express")
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        form = StateMachineFormScreen()
        opened = await open_modal(pilot, form)
        await no_worker_running(pilot, form)
        form.query_one("#sm-role").display = False  # as when ListRoles is refused
        form.query_one("#sm-role-arn").display = True
        await type_into(pilot, form, "#sm-role-arn", ROLE)
        await type_into(pilot, form, "#sm-name", name)
        form.query_one("#sm-type").focus()
        await pilot.press("enter", "down", "enter")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: opened.dismissed, what="modal dismissed")
        assert opened.result.type == "EXPRESS"
        described = sfn.describe_state_machine(stateMachineArn=opened.result.arn)
        assert described["type"] == "EXPRESS" and described["roleArn"] == ROLE


BAD_MACHINE_NAMES = [
    ("orders v2", "whitespace (character 7)"),
    ("orders/v2", "special character /"),
    ("orders[2]", "bracket ["),
    ("x" * 81, "81 characters long"),
    ("", "cannot be empty"),
]


async def test_create_refuses_bad_names_without_a_call(engine: str, sfn: Any) -> None:
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        form = StateMachineFormScreen()
        opened = await open_modal(pilot, form)
        await new_role_picked(pilot, form)
        editor = form.query_one(JsonEditor)
        definition = editor.text
        before = machine_names(sfn)
        for name, rule in BAD_MACHINE_NAMES:
            await type_into(pilot, form, "#sm-name", name)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda r=rule: r in shown(form, "#sm-problem"), what=rule)
            await on_screen(pilot, rule)
            assert not opened.dismissed
            assert form.query_one("#sm-name", Input).value == name
            assert editor.text == definition
        assert machine_names(sfn) == before


async def test_create_refuses_invalid_json_with_line_and_column(engine: str, sfn: Any) -> None:
    name = unique("badjson")
    broken = '{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Succeed",}\n  }\n}'
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        form = StateMachineFormScreen()
        opened = await open_modal(pilot, form)
        await new_role_picked(pilot, form)
        await type_into(pilot, form, "#sm-name", name)
        editor = form.query_one(JsonEditor)
        editor.replace_text(broken)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "line 4, column 29" in editor.error, what="JSON error")
        await on_screen(pilot, "column 29")
        assert editor.text_area.cursor_location == (3, 28)  # the cursor is put on it
        assert not opened.dismissed
        assert editor.text == broken
        assert form.query_one("#sm-name", Input).value == name
        assert name not in machine_names(sfn)


async def test_create_refuses_a_definition_without_start_at(engine: str, sfn: Any) -> None:
    name = unique("nostart")
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        form = StateMachineFormScreen()
        await open_modal(pilot, form)
        await new_role_picked(pilot, form)
        await type_into(pilot, form, "#sm-name", name)
        editor = form.query_one(JsonEditor)
        editor.replace_text('{"States": {"A": {"Type": "Succeed"}}}')
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: 'no "StartAt"' in editor.error, what="shape error")
        assert name not in machine_names(sfn)


async def test_create_shows_the_services_rejection(engine: str, sfn: Any) -> None:
    name = unique("rejected")
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        form = StateMachineFormScreen()
        opened = await open_modal(pilot, form)
        await new_role_picked(pilot, form)
        await type_into(pilot, form, "#sm-name", name)
        form.query_one(JsonEditor).replace_text(REJECTED)
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: "The service found 1 problem" in shown(form, "#sm-problem"),
            what="rejection shown",
        )
        # The engine answers ValidateStateMachineDefinition: its diagnostic is shown under
        # the definition, and no CreateStateMachine was tried.
        assert "Bogus" in form.query_one(JsonEditor).error
        assert "Traceback" not in screen_text(app)
        assert not opened.dismissed
        assert form.query_one(JsonEditor).text == REJECTED
        assert form.query_one("#sm-name", Input).value == name
        assert name not in machine_names(sfn)
        await wait_for(pilot, lambda: form.validation_offered is not None, what="validation probed")
        assert form.validation_offered is True


async def test_create_refuses_a_taken_name(engine: str, sfn: Any) -> None:
    taken = create_machine(sfn, SUCCEED, prefix="taken")
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        form = StateMachineFormScreen()
        opened = await open_modal(pilot, form)
        await new_role_picked(pilot, form)
        await type_into(pilot, form, "#sm-name", taken.name)
        form.query_one(JsonEditor).replace_text(json.dumps(HOLD))
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: "already exists" in shown(form, "#sm-problem"), what="name taken"
        )
        assert not opened.dismissed
        described = sfn.describe_state_machine(stateMachineArn=taken.arn)
        assert json.loads(described["definition"]) == SUCCEED


async def test_definition_loaded_from_a_file(engine: str, tmp_path: Path) -> None:
    path = tmp_path / "machine.asl.json"
    path.write_text(json.dumps(HOLD, indent=2), encoding="utf-8")
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        form = StateMachineFormScreen()
        await open_modal(pilot, form)
        editor = form.query_one(JsonEditor)
        await type_into(pilot, form, "#sm-file", str(tmp_path / "missing.json"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: "There is no file at" in shown(form, "#sm-problem"))
        await type_into(pilot, form, "#sm-file", str(path))
        await pilot.press("enter")
        await wait_for(pilot, lambda: editor.text == path.read_text(), what="file loaded")
        assert "Loaded" in shown(form, "#sm-status")
        editor.text_area.focus()
        await pilot.press("ctrl+z")  # the typed text comes back
        await wait_for(pilot, lambda: '"Hello"' in editor.text, what="undo")


async def test_cancel_with_changes_asks_first(engine: str) -> None:
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        form = StateMachineFormScreen()
        opened = await open_modal(pilot, form)
        await type_into(pilot, form, "#sm-name", "draft")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="asked")
        await pilot.press("escape")  # keep editing
        await wait_for(pilot, lambda: app.screen is form, what="back to the form")
        assert form.query_one("#sm-name", Input).value == "draft"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="asked again")
        await pilot.press("y")
        await wait_for(pilot, lambda: opened.dismissed, what="discarded")
        assert opened.result is None


# Update definition ----------------------------------------------------------------


async def test_update_definition(engine: str, sfn: Any) -> None:
    machine = create_machine(sfn, SUCCEED, prefix="update")
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        form = StateMachineFormScreen(machine)
        opened = await open_modal(pilot, form)
        editor = form.query_one(JsonEditor)
        # Stored as one line, shown one value a line.
        shown_as = json.dumps(SUCCEED, indent=2)
        await wait_for(pilot, lambda: editor.text == shown_as, what="current loaded")
        await on_screen(pilot, "Edit definition of")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "unchanged" in shown(form, "#sm-problem"))
        new = json.dumps(HOLD, indent=2)
        editor.replace_text(new)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: opened.dismissed, what="saved")
        assert opened.result.arn == machine.arn
        assert sfn.describe_state_machine(stateMachineArn=machine.arn)["definition"] == new


async def test_update_refuses_bad_json_and_shows_the_services_rejection(
    engine: str, sfn: Any
) -> None:
    machine = create_machine(sfn, SUCCEED, prefix="update-bad")
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        form = StateMachineFormScreen(machine)
        opened = await open_modal(pilot, form)
        editor = form.query_one(JsonEditor)
        # Stored as one line, shown one value a line.
        shown_as = json.dumps(SUCCEED, indent=2)
        await wait_for(pilot, lambda: editor.text == shown_as, what="current loaded")
        editor.replace_text('{"StartAt": "Done", "States": {')
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "line 1, column 32" in editor.error, what="JSON error")
        editor.replace_text(REJECTED)
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: "The service found 1 problem" in shown(form, "#sm-problem"), what="shown"
        )
        assert "Bogus" in editor.error
        assert not opened.dismissed and editor.text == REJECTED
        described = sfn.describe_state_machine(stateMachineArn=machine.arn)
        assert json.loads(described["definition"]) == SUCCEED


# Activities -----------------------------------------------------------------------


async def test_create_activity(engine: str, sfn: Any) -> None:
    name = unique("activity")
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        form = CreateActivityScreen()
        opened = await open_modal(pilot, form)
        await pilot.press(*name, "enter")
        await wait_for(pilot, lambda: opened.dismissed, what="created")
        assert isinstance(opened.result, Activity) and opened.result.name == name
        assert name in activity_names(sfn)


async def test_create_activity_refuses_bad_names_without_a_call(engine: str, sfn: Any) -> None:
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        form = CreateActivityScreen()
        opened = await open_modal(pilot, form)
        before = activity_names(sfn)
        await pilot.press(*"review order", "enter")  # typed key by key, as a user would
        await wait_for(pilot, lambda: "whitespace" in shown(form, "#activity-problem"))
        for name, rule in [("review:order", "special character :"), ("", "cannot be empty")]:
            await type_into(pilot, form, "#activity-name", name)
            await pilot.press("enter")
            await wait_for(pilot, lambda r=rule: r in shown(form, "#activity-problem"), what=rule)
            await on_screen(pilot, rule)
            assert not opened.dismissed
            assert form.query_one("#activity-name", Input).value == name
        assert activity_names(sfn) == before


async def test_create_activity_refuses_a_taken_name(engine: str, sfn: Any) -> None:
    name = unique("taken-activity")
    arn = sfn.create_activity(name=name)["activityArn"]
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        form = CreateActivityScreen()
        opened = await open_modal(pilot, form)
        await pilot.press(*name, "enter")
        await wait_for(pilot, lambda: "already exists" in shown(form, "#activity-problem"))
        assert arn in shown(form, "#activity-problem")
        assert not opened.dismissed


# Delete ---------------------------------------------------------------------------


async def test_delete_machine_without_running_executions(engine: str, sfn: Any) -> None:
    machine = create_machine(sfn, SUCCEED, prefix="delete")
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = DeleteResourceScreen(machine)
        opened = await open_modal(pilot, screen)
        await wait_for(pilot, lambda: screen.ready, what="counted")
        await on_screen(pilot, "No execution is running")
        await on_screen(pilot, machine.name)
        await pilot.press("y")
        await wait_for(pilot, lambda: opened.dismissed, what="deleted")
        assert opened.result is True
        assert machine.name not in machine_names(sfn)


async def test_delete_machine_with_running_executions_needs_the_name(engine: str, sfn: Any) -> None:
    machine = create_machine(sfn, HOLD, prefix="delete-running")
    start_run(sfn, machine, "hold-1")
    start_run(sfn, machine, "hold-2")
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = DeleteResourceScreen(machine)
        opened = await open_modal(pilot, screen)
        await wait_for(pilot, lambda: screen.ready, what="counted")
        assert screen.running == 2
        assert "2 executions are RUNNING and will be lost" in shown(screen, "#delete-body")
        await on_screen(pilot, "2 executions are RUNNING")
        typed = screen.query_one("#delete-typed", Input)
        await wait_for(pilot, lambda: typed.has_focus, what="the name field focused")
        await pilot.press("y", "enter")  # y is not a confirmation here: the name must be typed
        await wait_for(pilot, lambda: "exactly" in shown(screen, "#delete-problem"))
        assert not opened.dismissed and machine.name in machine_names(sfn)
        await type_into(pilot, screen, "#delete-typed", machine.name[:-1])
        await pilot.press("enter")
        assert not opened.dismissed
        await pilot.press(machine.name[-1], "enter")
        await wait_for(pilot, lambda: opened.dismissed, what="deleted")
        assert machine.name not in machine_names(sfn)


async def test_delete_activity(engine: str, sfn: Any) -> None:
    name = unique("delete-activity")
    made = sfn.create_activity(name=name)
    activity = Activity(arn=made["activityArn"], name=name, creation_date=made["creationDate"])
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = DeleteResourceScreen(activity)
        opened = await open_modal(pilot, screen)
        assert "Workers polling it get ActivityDoesNotExist" in shown(screen, "#delete-body")
        await on_screen(pilot, name)
        await pilot.press("y")
        await wait_for(pilot, lambda: opened.dismissed, what="deleted")
        assert name not in activity_names(sfn)


async def test_delete_of_something_already_gone_is_not_an_error(engine: str, sfn: Any) -> None:
    machine = create_machine(sfn, SUCCEED, prefix="gone")
    sfn.delete_state_machine(stateMachineArn=machine.arn)
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = DeleteResourceScreen(machine)
        opened = await open_modal(pilot, screen)
        await wait_for(pilot, lambda: screen.ready, what="consequences known")
        assert screen.needs_typing  # ListExecutions says it is gone: count unknown
        await pilot.press(*machine.name, "enter")
        await wait_for(pilot, lambda: opened.dismissed, what="closed")
        assert opened.result is True


# Start ----------------------------------------------------------------------------


async def test_start_execution_and_remember_its_input(engine: str, sfn: Any) -> None:
    machine = create_machine(sfn, SUCCEED, prefix="start")
    last = LastInputs()
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = StartExecutionScreen(machine, last)
        opened = await open_modal(pilot, screen)
        editor = screen.query_one(JsonEditor)
        assert editor.text == "{}"
        await pilot.press(*"order-42")
        body = '{\n  "order": "A-42",\n  "note": "ünïcode"\n}'
        editor.replace_text(body)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: opened.dismissed, what="started")
        execution = opened.result
        assert isinstance(execution, Execution)
        assert execution.name == "order-42" and execution.status == "RUNNING"
        described = sfn.describe_execution(executionArn=execution.arn)
        assert described["input"] == body
        assert last.get(machine.arn) == body

        again = StartExecutionScreen(machine, last)
        opened_again = await open_modal(pilot, again)
        assert again.query_one(JsonEditor).text == body
        await on_screen(pilot, "the last one used")
        await pilot.press("ctrl+s")  # empty name: one is generated
        await wait_for(pilot, lambda: opened_again.dismissed, what="started again")
        assert opened_again.result.name.startswith("run-")
        assert sfn.describe_execution(executionArn=opened_again.result.arn)["input"] == body


def executions_of(sfn: Any, machine: StateMachine) -> list[str]:
    return [e["name"] for e in sfn.list_executions(stateMachineArn=machine.arn)["executions"]]


async def test_start_refuses_invalid_input_json(engine: str, sfn: Any) -> None:
    machine = create_machine(sfn, SUCCEED, prefix="start-json")
    broken = '{\n  "order": "A-42"\n  "items": 3\n}'
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = StartExecutionScreen(machine, LastInputs())
        opened = await open_modal(pilot, screen)
        editor = screen.query_one(JsonEditor)
        editor.replace_text(broken)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Expecting ',' delimiter" in screen_text(app), what="error")
        assert "line 3, column 3" in editor.error
        assert not opened.dismissed and editor.text == broken
        assert executions_of(sfn, machine) == []


async def test_start_refuses_oversized_input(engine: str, sfn: Any) -> None:
    machine = create_machine(sfn, SUCCEED, prefix="start-big")
    big = json.dumps({"blob": "x" * (256 * 1024)})
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = StartExecutionScreen(machine, LastInputs())
        opened = await open_modal(pilot, screen)
        editor = screen.query_one(JsonEditor)
        editor.replace_text(big)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "at most 262,144 bytes" in editor.error, what="refused")
        assert "262,156 bytes" in editor.error
        assert not opened.dismissed and editor.text == big
        assert executions_of(sfn, machine) == []


async def test_start_refuses_a_bad_execution_name(engine: str, sfn: Any) -> None:
    machine = create_machine(sfn, SUCCEED, prefix="start-name")
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = StartExecutionScreen(machine, LastInputs())
        opened = await open_modal(pilot, screen)
        await pilot.press(*"order 42", "enter")
        await wait_for(pilot, lambda: "whitespace" in shown(screen, "#start-problem"))
        await on_screen(pilot, "The execution name contains whitespace")
        assert not opened.dismissed
        assert screen.query_one("#start-name", Input).value == "order 42"
        assert executions_of(sfn, machine) == []


async def test_start_shows_the_services_refusal(engine: str, sfn: Any) -> None:
    machine = create_machine(sfn, SUCCEED, prefix="start-dup")
    start_run(sfn, machine, "taken")
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = StartExecutionScreen(machine, LastInputs())
        opened = await open_modal(pilot, screen)
        await pilot.press(*"taken", "enter")
        await wait_for(
            pilot, lambda: "StartExecution failed" in shown(screen, "#start-problem"), what="shown"
        )
        assert not opened.dismissed
        assert screen.query_one("#start-name", Input).value == "taken"


# Stop and redrive -----------------------------------------------------------------


async def test_stop_execution_with_error_and_cause(engine: str, sfn: Any) -> None:
    machine = create_machine(sfn, HOLD, prefix="stop")
    execution = start_run(sfn, machine)
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = StopExecutionScreen(execution)
        opened = await open_modal(pilot, screen)
        await on_screen(pilot, "ABORTED")
        await pilot.press(*"Operator.Stopped")
        await type_into(pilot, screen, "#stop-cause", "no longer needed")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: opened.dismissed, what="stopped")
        assert opened.result is True
        # (The local engine drops error and cause; AWS records them on ExecutionAborted.)
        assert sfn.describe_execution(executionArn=execution.arn)["status"] == "ABORTED"


async def test_stop_of_an_ended_run_makes_no_call(engine: str) -> None:
    execution = Execution(
        arn="arn:aws:states:eu-south-1:123456789012:execution:nowhere:done",
        name="done",
        state_machine_arn="arn:aws:states:eu-south-1:123456789012:stateMachine:nowhere",
        status="SUCCEEDED",
        start_date=datetime(2026, 1, 15, tzinfo=UTC),
    )
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = StopExecutionScreen(execution)
        opened = await open_modal(pilot, screen)
        await on_screen(pilot, "already ended (SUCCEEDED)")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not opened.dismissed and shown(screen, "#stop-problem") == ""


async def test_redrive_says_when_the_endpoint_lacks_it(engine: str, sfn: Any) -> None:
    # An endpoint without RedriveExecution (the engine behind a proxy that answers it as
    # a missing operation: HTTP 501, no AWS error body).
    machine = create_machine(sfn, FAIL, prefix="redrive")
    execution = start_run(sfn, machine)
    failed = Execution(
        arn=execution.arn,
        name=execution.name,
        state_machine_arn=machine.arn,
        status="FAILED",
        start_date=execution.start_date,
    )
    proxy = FaultProxy(engine)
    await proxy.start()
    proxy.fault("RedriveExecution", "missing")
    try:
        app = make_app(proxy.url)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = RedriveExecutionScreen(failed)
            opened = await open_modal(pilot, screen)
            await pilot.press("y")
            await wait_for(
                pilot,
                lambda: "does not support RedriveExecution" in shown(screen, "#redrive-body"),
                what="said in words",
            )
            await on_screen(pilot, "does not support RedriveExecution")
            assert not opened.dismissed
            assert not screen.possible
            await pilot.press("escape")
            await wait_for(pilot, lambda: opened.dismissed, what="closed")
            assert opened.result is False
    finally:
        await proxy.stop()
    assert proxy.served("RedriveExecution") == 1


# Fails on its first attempt, succeeds once redriven: the Parallel state that failed is
# run again, and its branch reads $$.Execution.RedriveCount.
FAILS_ONCE = {
    "StartAt": "Attempt",
    "States": {
        "Attempt": {
            "Type": "Parallel",
            "End": True,
            "Branches": [
                {
                    "StartAt": "FirstTime",
                    "States": {
                        "FirstTime": {
                            "Type": "Choice",
                            "Choices": [
                                {
                                    "Variable": "$$.Execution.RedriveCount",
                                    "NumericEquals": 0,
                                    "Next": "Boom",
                                }
                            ],
                            "Default": "Done",
                        },
                        "Boom": {"Type": "Fail", "Error": "Demo.Flaky", "Cause": "first attempt"},
                        "Done": {"Type": "Succeed"},
                    },
                }
            ],
        }
    },
}


async def test_redrive_from_the_dashboard_on_the_engine(engine: str, sfn: Any) -> None:
    """R on a failed run, then y: the engine redrives it, the run shows SUCCEEDED."""
    machine = create_machine(sfn, FAILS_ONCE, prefix="redrive-ok")
    run = start_run(sfn, machine, name=unique("flaky"))
    app = make_app(engine)
    async with app.run_test(size=(140, 40)) as pilot:
        dashboard = app.dashboard
        await wait_for(pilot, lambda: machine.arn in dashboard.machines.items, what="listed")
        dashboard.machines.focus()
        while getattr(dashboard.machines.selected, "arn", None) != machine.arn:
            await pilot.press("down")
        await pilot.press("enter")
        await wait_for(pilot, lambda: run.arn in dashboard.executions.items, what="run listed")
        dashboard.executions.focus()
        await wait_shown(pilot, "FAILED", "R Redrive")
        await pilot.press("R")
        await wait_for(
            pilot, lambda: isinstance(app.screen, RedriveExecutionScreen), what="redrive asked"
        )
        await on_screen(pilot, "It failed. Redriving restarts it")
        await pilot.press("y")
        await wait_for(
            pilot, lambda: not isinstance(app.screen, RedriveExecutionScreen), what="redriven"
        )
        await wait_for(
            pilot,
            lambda: "SUCCEEDED" in str(dashboard.executions.get_cell(run.arn, "status")),
            what="the redriven run succeeded",
        )
    described = sfn.describe_execution(executionArn=run.arn)
    assert (described["status"], described["redriveCount"]) == ("SUCCEEDED", 1)
    history = sfn.get_execution_history(executionArn=run.arn)["events"]
    assert "ExecutionRedriven" in [e["type"] for e in history]


async def test_redrive_of_a_running_execution_makes_no_call(engine: str, sfn: Any) -> None:
    machine = create_machine(sfn, HOLD, prefix="redrive-running")
    execution = start_run(sfn, machine)
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = RedriveExecutionScreen(execution)
        opened = await open_modal(pilot, screen)
        assert "only a FAILED, TIMED_OUT or ABORTED run" in shown(screen, "#redrive-body")
        await on_screen(pilot, "It is RUNNING")
        await pilot.press("y")
        await pilot.pause()
        assert not opened.dismissed
        assert shown(screen, "#redrive-problem") == ""


async def test_editor_works_without_json_highlighting(
    engine: str, sfn: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without tree-sitter-json the editors are plain text and everything else holds."""
    from sfn_tui.tui.widgets import json_editor

    monkeypatch.setattr(json_editor, "json_highlighting", lambda: False)
    machine = create_machine(sfn, SUCCEED, prefix="plain")
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = StartExecutionScreen(machine, LastInputs())
        opened = await open_modal(pilot, screen)
        editor = screen.query_one(JsonEditor)
        assert editor.text_area.language is None
        editor.replace_text('{"order": }')
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "line 1, column 11" in editor.error, what="error")
        editor.replace_text('{"order": 1}')
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: opened.dismissed, what="started")
        assert executions_of(sfn, machine) == [opened.result.name]


def test_json_highlighting_is_on_where_installed() -> None:
    from sfn_tui.tui.widgets.json_editor import json_highlighting

    try:
        import tree_sitter_json  # noqa: F401
    except ImportError:
        assert json_highlighting() is False
    else:
        assert json_highlighting() is True
