"""Snapshot tests of the create, edit, delete, start, stop and redrive modals.

Each modal is shown on a bare host app that has the real client and sfn-tui's styles
(app.tcss) but no dashboard, so a change to the dashboard does not redraw these. The
data is fixed: a region of its own with fixed names, the role list pinned, no clock on
screen, and focus taken away before drawing (a blinking cursor would vary). `pytest --snapshot-update` after an intended change of a modal.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.screen import Screen
from textual.widgets import Input

import sfn_tui.tui
from sfn_tui.aws.client import StepFunctionsClient
from sfn_tui.aws.connection import Connection
from sfn_tui.aws.models import Activity, Execution, Role, StateMachine
from sfn_tui.core.validation import LastInputs
from sfn_tui.local.scene import pinned_now
from sfn_tui.tui.screens.activity_form import CreateActivityScreen
from sfn_tui.tui.screens.delete_resource import DeleteResourceScreen
from sfn_tui.tui.screens.start_execution import StartExecutionScreen
from sfn_tui.tui.screens.state_machine_form import StateMachineFormScreen
from sfn_tui.tui.screens.stop_execution import RedriveExecutionScreen, StopExecutionScreen
from sfn_tui.tui.widgets.json_editor import JsonEditor
from tests.helpers import wait_until
from tests.pilot_helpers import wait_for
from tests.scenes import SIZE, sfn_client

REGION = "me-south-1"
ACCOUNT = "123456789012"
ROLE = Role(name="sfn-tui-scenes", arn=f"arn:aws:iam::{ACCOUNT}:role/sfn-tui-scenes")
APP_TCSS = Path(sfn_tui.tui.__file__).parent / "app.tcss"
WHEN = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)

ORDERS_DEFINITION = {
    "Comment": "Holds each order for review.",
    "StartAt": "HoldForReview",
    "States": {"HoldForReview": {"Type": "Wait", "Seconds": 3600, "End": True}},
}
PAYMENTS_DEFINITION = {
    "StartAt": "Charge",
    "States": {"Charge": {"Type": "Fail", "Error": "Card.Declined", "Cause": "Insufficient funds"}},
}

ORDERS = StateMachine(
    arn=f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:Orders",
    name="Orders",
    type="STANDARD",
    creation_date=WHEN,
)
PAYMENTS = StateMachine(
    arn=f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:Payments",
    name="Payments",
    type="STANDARD",
    creation_date=WHEN,
)
REVIEW = Activity(
    arn=f"arn:aws:states:{REGION}:{ACCOUNT}:activity:ReviewOrder",
    name="ReviewOrder",
    creation_date=WHEN,
)
HELD = Execution(
    arn=f"arn:aws:states:{REGION}:{ACCOUNT}:execution:Orders:order-42",
    name="order-42",
    state_machine_arn=ORDERS.arn,
    status="RUNNING",
    start_date=WHEN,
)
DECLINED = Execution(
    arn=f"arn:aws:states:{REGION}:{ACCOUNT}:execution:Payments:pay-7",
    name="pay-7",
    state_machine_arn=PAYMENTS.arn,
    status="FAILED",
    start_date=WHEN,
)


class ModalHost(App[None]):
    """A bare app with the real client and sfn-tui's styles, to show one modal alone."""

    CSS_PATH = APP_TCSS

    def __init__(self, endpoint: str) -> None:
        super().__init__()
        self.connection = Connection(region=REGION, endpoint_url=endpoint, dummy_credentials=True)
        self.client: StepFunctionsClient | None = None
        self.clock = pinned_now

    async def on_mount(self) -> None:
        self.client = StepFunctionsClient(self.connection)
        await self.client.open()

    async def on_unmount(self) -> None:
        if self.client is not None:
            await self.client.close()

    def inbox_unwork(self, activity_arn: str) -> None:
        """The real app stops working a deleted activity; nothing is worked here."""


@pytest.fixture(scope="module")
def scene(engine: str) -> str:
    """Orders (one run held RUNNING), Payments (one FAILED run), ReviewOrder. Idempotent."""
    sfn = sfn_client(engine, REGION)
    machines = {m["name"] for m in sfn.list_state_machines()["stateMachines"]}
    for machine, definition, run in (
        (ORDERS, ORDERS_DEFINITION, HELD),
        (PAYMENTS, PAYMENTS_DEFINITION, DECLINED),
    ):
        if machine.name not in machines:
            sfn.create_state_machine(
                name=machine.name, definition=json.dumps(definition, indent=2), roleArn=ROLE.arn
            )
            sfn.start_execution(stateMachineArn=machine.arn, name=run.name, input="{}")
    if REVIEW.name not in {a["name"] for a in sfn.list_activities()["activities"]}:
        sfn.create_activity(name=REVIEW.name)
    wait_until(
        lambda: sfn.describe_execution(executionArn=DECLINED.arn)["status"] == "FAILED",
        timeout=20,
        message="pay-7 did not fail",
    )
    return engine


def shown_with(
    make: Callable[[], Screen[Any]], then: Callable[[Any, Any], Awaitable[None]] | None = None
) -> Callable[[Any], Awaitable[None]]:
    """A run_before: connect, push the modal, let its workers finish, then `then`."""

    async def run_before(pilot: Any) -> None:
        app = pilot.app
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        screen = make()
        app.push_screen(screen)
        await wait_for(pilot, lambda: app.screen is screen and screen.is_mounted, what="shown")
        await settled(pilot, screen)
        if then is not None:
            await then(pilot, screen)
            await settled(pilot, screen)
        app.clear_notifications()
        screen.set_focus(None)  # no blinking cursor: the same picture on every run
        await pilot.pause()

    return run_before


async def settled(pilot: Any, screen: Screen[Any]) -> None:
    await wait_for(
        pilot,
        lambda: not [w for w in pilot.app.workers if w.node is screen and not w.is_finished],
        what="modal workers done",
    )


async def paste(pilot: Any, screen: Screen[Any], selector: str, text: str) -> None:
    from textual import events

    field = screen.query_one(selector, Input)
    field.focus()
    field.post_message(events.Paste(text))
    await wait_for(pilot, lambda: field.value == text, what=f"{selector} filled")


async def pin_roles(pilot: Any, form: Any) -> None:
    """IAM is global in the engine and other tests add roles: show a fixed list."""
    form.show_roles([ROLE], select=ROLE.arn)
    await paste(pilot, form, "#sm-name", "OrderPipeline")


def test_create_state_machine(scene: str, snap_compare: Any) -> None:
    """The create form: name typed, type STANDARD, the one role picked, the starter
    definition highlighted as JSON with line numbers, Ctrl+S and Esc offered."""
    run_before = shown_with(StateMachineFormScreen, pin_roles)
    assert snap_compare(ModalHost(scene), terminal_size=SIZE, run_before=run_before)


async def broken_definition(pilot: Any, form: Any) -> None:
    await pin_roles(pilot, form)
    form.query_one(JsonEditor).replace_text(
        '{\n  "StartAt": "Hello",\n  "States": {\n    "Hello": {"Type": "Pass" "End": true}\n  }\n}'
    )
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: bool(form.query_one(JsonEditor).error), what="error")


def test_create_state_machine_json_error(scene: str, snap_compare: Any) -> None:
    """A JSON syntax error: under the editor, the message with line 4 and column 30;
    the name and definition as typed; nothing created."""
    run_before = shown_with(StateMachineFormScreen, broken_definition)
    assert snap_compare(ModalHost(scene), terminal_size=SIZE, run_before=run_before)


def test_edit_definition(scene: str, snap_compare: Any) -> None:
    """Editing Orders: its type and role ARN, its current definition in the editor."""
    run_before = shown_with(lambda: StateMachineFormScreen(ORDERS))
    assert snap_compare(ModalHost(scene), terminal_size=SIZE, run_before=run_before)


async def bad_activity_name(pilot: Any, screen: Any) -> None:
    await pilot.press(*"review order", "enter")
    await wait_for(
        pilot, lambda: "whitespace" in str(screen.query_one("#activity-problem").content)
    )


def test_create_activity_bad_name(scene: str, snap_compare: Any) -> None:
    """A name with a space: the rule it breaks in red, the name kept as typed."""
    run_before = shown_with(CreateActivityScreen, bad_activity_name)
    assert snap_compare(ModalHost(scene), terminal_size=SIZE, run_before=run_before)


def test_delete_machine_with_a_running_execution(scene: str, snap_compare: Any) -> None:
    """Deleting Orders: its ARN, that 1 execution is RUNNING and will be lost, and a field
    to type the name in; Delete disabled until it matches."""
    run_before = shown_with(lambda: DeleteResourceScreen(ORDERS))
    assert snap_compare(ModalHost(scene), terminal_size=SIZE, run_before=run_before)


def test_delete_activity(scene: str, snap_compare: Any) -> None:
    """Deleting ReviewOrder: what happens to its workers and runs; Delete (y) offered."""
    run_before = shown_with(lambda: DeleteResourceScreen(REVIEW))
    assert snap_compare(ModalHost(scene), terminal_size=SIZE, run_before=run_before)


def remembered() -> StartExecutionScreen:
    last = LastInputs()
    last.remember(ORDERS.arn, json.dumps({"order": "A-42", "items": ["lamp", "cable"]}, indent=2))
    return StartExecutionScreen(ORDERS, last)


async def named(pilot: Any, screen: Any) -> None:
    await paste(pilot, screen, "#start-name", "order-43")


def test_start_execution(scene: str, snap_compare: Any) -> None:
    """Starting Orders: a name typed, the input prefilled with the last one used for this
    machine (said above the editor)."""
    run_before = shown_with(remembered, named)
    assert snap_compare(ModalHost(scene), terminal_size=SIZE, run_before=run_before)


async def bad_input(pilot: Any, screen: Any) -> None:
    screen.query_one(JsonEditor).replace_text('{\n  "order": "A-42"\n  "items": 3\n}')
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: bool(screen.query_one(JsonEditor).error), what="error")


def test_start_execution_invalid_input(scene: str, snap_compare: Any) -> None:
    """Invalid input JSON: the error names line 3, column 3; nothing was started."""
    run_before = shown_with(lambda: StartExecutionScreen(ORDERS, LastInputs()), bad_input)
    assert snap_compare(ModalHost(scene), terminal_size=SIZE, run_before=run_before)


async def reason(pilot: Any, screen: Any) -> None:
    await paste(pilot, screen, "#stop-error", "Operator.Stopped")
    await paste(pilot, screen, "#stop-cause", "Order cancelled by the customer")


def test_stop_execution(scene: str, snap_compare: Any) -> None:
    """Stopping order-42: what stopping does, an error and a cause typed."""
    run_before = shown_with(lambda: StopExecutionScreen(HELD), reason)
    assert snap_compare(ModalHost(scene), terminal_size=SIZE, run_before=run_before)


def test_redrive_execution(scene: str, snap_compare: Any) -> None:
    """Redriving pay-7 (FAILED): what redriving does, the Redrive button offered. (The
    endpoint that lacks RedriveExecution is test_modals' test_redrive_says_when_the_
    endpoint_lacks_it.)"""
    run_before = shown_with(lambda: RedriveExecutionScreen(DECLINED))
    assert snap_compare(ModalHost(scene), terminal_size=SIZE, run_before=run_before)
