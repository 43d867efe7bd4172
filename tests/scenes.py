"""Deterministic scenes of the app for snapshot tests and scripts/screenshots.py:
the seeded demo in a region of its own, every date pinned, a fixed clock and UTC."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

from textual.widgets import TextArea

from sfn_tui.aws.connection import Connection
from sfn_tui.core.inbox import TaskStatus
from sfn_tui.local.scene import pin_dates, pin_logs, pinned_now
from sfn_tui.local.seed import seed_demo
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.chat import ChatScreen
from tests.helpers import boto_client, wait_until
from tests.pilot_helpers import wait_for

SCENE_REGION = "ca-central-1"
CHAT_SCENE_REGION = "sa-east-1"
SIZE = (120, 34)


def sfn_client(endpoint: str, region: str) -> Any:
    return boto_client("stepfunctions", endpoint, region)


def prepare_demo(endpoint: str, region: str = SCENE_REGION, *, pin: bool = True) -> None:
    """Seed the demo, let its runs finish, pin every date (idempotent). `pin=False`
    leaves the dates to the caller: pinned dates are aware, the engine's naive, and
    ListStateMachines cannot sort a region that holds both."""
    demo = seed_demo(endpoint, region)
    sfn = sfn_client(endpoint, region)
    for arn in demo.execution_arns.values():
        wait_until(
            lambda arn=arn: sfn.describe_execution(executionArn=arn)["status"] != "RUNNING",
            timeout=30,
            message=f"demo execution still running: {arn}",
        )
    if pin:
        pin_dates(region)
        pin_logs(region)


def scene_app(endpoint: str, region: str = SCENE_REGION, **kwargs: Any) -> SfnTuiApp:
    connection = Connection(
        region=region, endpoint_url=endpoint, dummy_credentials=True, display_name="local engine"
    )
    kwargs.setdefault("worked_activities", frozenset())
    return SfnTuiApp(connection, poll_interval=0.5, clock=pinned_now, tz=UTC, **kwargs)


async def show_dashboard(pilot: Any) -> None:
    """Machines and activities listed, WaitThenSucceed selected with its runs."""
    app = pilot.app
    dashboard = app.dashboard
    await wait_for(pilot, lambda: len(dashboard.machines.items) >= 3, what="machines")
    await wait_for(pilot, lambda: len(dashboard.activities.items) >= 1, what="activities")
    dashboard.machines.focus()
    target = next(m for m in dashboard.machines.items.values() if m.name == "WaitThenSucceed")
    while dashboard.machines.selected != target:
        await pilot.press("down")
    # The pane still shows the first machine's runs until the watch switches: wait for
    # the selected machine's own.
    await wait_for(
        pilot,
        lambda: (
            dashboard.watched == target
            and len(dashboard.executions.items) >= 2
            and all(":WaitThenSucceed:" in arn for arn in dashboard.executions.items)
            and not dashboard.executions.loading
        ),
        what="WaitThenSucceed's executions",
    )
    await pilot.press("tab")
    await wait_for(pilot, lambda: app.refreshed_at is not None, what="refreshed")


async def show_express(pilot: Any) -> None:
    """ExpressOrders selected: its runs, listed from its log group."""
    app = pilot.app
    dashboard = app.dashboard
    await wait_for(pilot, lambda: len(dashboard.machines.items) >= 4, what="machines")
    dashboard.machines.focus()
    target = next(m for m in dashboard.machines.items.values() if m.name == "ExpressOrders")
    while dashboard.machines.selected != target:
        await pilot.press("down")
    await wait_for(
        pilot,
        lambda: (
            dashboard.watched == target
            and len(dashboard.executions.items) >= 3
            and not dashboard.executions.loading
        ),
        what="ExpressOrders' logged runs",
    )
    await pilot.press("tab")
    await wait_for(pilot, lambda: app.refreshed_at is not None, what="refreshed")


def start_chat_run(endpoint: str, name: str = "chat-ada", region: str = CHAT_SCENE_REGION) -> str:
    """A ChatSFN run started from outside the app (as the AWS CLI would)."""
    sfn = sfn_client(endpoint, region)
    machine = next(m for m in sfn.list_state_machines()["stateMachines"] if m["name"] == "ChatSFN")
    return str(
        sfn.start_execution(
            stateMachineArn=machine["stateMachineArn"], name=name, input=json.dumps({"name": "Ada"})
        )["executionArn"]
    )


def waiting_on(app: SfnTuiApp, text: str) -> bool:
    screen = app.screen
    if not isinstance(screen, ChatScreen):
        return False
    task = screen.current_task
    return (
        task is not None
        and task.status is TaskStatus.WAITING
        and text in task.input
        and any(text in turn.text for turn in screen.query_one("#conversation").turns)  # type: ignore[attr-defined]
    )


def claimed_for(app: SfnTuiApp, run_name: str) -> bool:
    """The app holds an open task of the run named `run_name` (of any machine)."""
    return app.inbox is not None and any(
        (task.execution_arn or "").endswith(f":{run_name}") for task in app.inbox.claimed()
    )


async def chat_mid_conversation(pilot: Any, run_name: str = "chat-ada") -> None:
    """Open the chat on the ChatSFN run `run_name`'s waiting task, answer `song`, wait
    for the reply."""
    app = pilot.app
    await wait_for(pilot, lambda: claimed_for(app, run_name), what=f"{run_name}'s task claimed")
    await pilot.press("c")
    await wait_for(pilot, lambda: waiting_on(app, "Hello, Ada!"), what="greeting")
    await pilot.press("1")
    await wait_for(pilot, lambda: waiting_on(app, "My song has no tune"), what="song reply")
    app.clear_notifications()


GENERIC_REGION = "ap-southeast-2"
REVIEW_DEFINITION = {
    "Comment": "A person reviews each order.",
    "StartAt": "ReviewOrder",
    "States": {
        "ReviewOrder": {
            "Type": "Task",
            "Resource": "ACTIVITY_ARN",
            "TimeoutSeconds": 600,
            "End": True,
        }
    },
}


REVIEW_RUN = "review-A-1001"


def start_review_run(endpoint: str, region: str = GENERIC_REGION) -> None:
    """A non-ChatSFN activity task waiting for a typed JSON answer (idempotent set-up)."""
    sfn = sfn_client(endpoint, region)
    activities = {a["name"]: a["activityArn"] for a in sfn.list_activities()["activities"]}
    activity = (
        activities.get("ReviewOrder") or sfn.create_activity(name="ReviewOrder")["activityArn"]
    )
    machines = {m["name"]: m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]}
    machine = (
        machines.get("OrderReview")
        or sfn.create_state_machine(
            name="OrderReview",
            definition=json.dumps(REVIEW_DEFINITION).replace("ACTIVITY_ARN", activity),
            roleArn="arn:aws:iam::123456789012:role/sfn-tui-scenes",
        )["stateMachineArn"]
    )
    sfn.start_execution(
        stateMachineArn=machine,
        name=REVIEW_RUN,
        input=json.dumps({"order": "A-1001", "amount": 19.99, "items": ["lamp", "cable"]}),
    )


async def generic_task_view(pilot: Any) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: claimed_for(app, REVIEW_RUN), what="the review task claimed")
    await pilot.press("c")

    def shown() -> bool:
        screen = app.screen
        return (
            isinstance(screen, ChatScreen)
            and screen.current_task is not None
            and screen.execution_status == "RUNNING"
            and bool(screen.query_one("#conversation").turns)  # type: ignore[attr-defined]
        )

    await wait_for(pilot, shown, what="generic task shown")
    # A blinking cursor is drawn or not by the clock: hold it on for the picture.
    for editor in app.screen.query(TextArea):
        editor.cursor_blink = False
    app.clear_notifications()


APPROVAL_SCENE_REGION = "ap-southeast-5"
APPROVAL_RUN = "approval-a-lighthouse"


def start_approval_run(
    endpoint: str, region: str = APPROVAL_SCENE_REGION, *, pin: bool = True
) -> None:
    """The approval workflow's queue and machine, and one run waiting for the producer
    (idempotent: the run is started once); `pin` as for `prepare_demo`."""
    from sfn_tui.core import approval

    sfn = sfn_client(endpoint, region)
    sqs = boto_client("sqs", endpoint, region)
    queue = sqs.create_queue(QueueName=approval.QUEUE_NAME)["QueueUrl"]
    machines = {m["name"]: m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]}
    machine = (
        machines.get(approval.STATE_MACHINE_NAME)
        or sfn.create_state_machine(
            name=approval.STATE_MACHINE_NAME,
            definition=approval.approval_definition(queue),
            roleArn="arn:aws:iam::123456789012:role/sfn-tui-approval-role",
        )["stateMachineArn"]
    )
    runs = {
        e["name"]: e["executionArn"]
        for e in sfn.list_executions(stateMachineArn=machine)["executions"]
    }
    run = (
        runs.get(APPROVAL_RUN)
        or sfn.start_execution(
            stateMachineArn=machine,
            name=APPROVAL_RUN,
            input=json.dumps({"topic": "a lighthouse", "round": 1}),
        )["executionArn"]
    )
    # At the callback step before the app looks (a loaded engine may take a while
    # to get there, and the app then finds it only on a later read).
    wait_until(
        lambda: any(
            e["type"] == "TaskSubmitted"
            for e in sfn.get_execution_history(executionArn=run, reverseOrder=True)["events"]
        ),
        timeout=60,
        message="the approval run at its callback step",
    )
    if pin:
        pin_dates(region)


async def watch_machine(pilot: Any, name: str) -> None:
    """The machine named `name` selected in the state machines pane, and watched."""
    dashboard = pilot.app.dashboard
    machines = dashboard.machines
    await wait_for(
        pilot, lambda: any(m.name == name for m in machines.items.values()), what=f"{name}"
    )
    target = next(m for m in machines.items.values() if m.name == name)
    machines.focus()
    if machines.selected != target:
        machines.select_key(target.arn)
    await wait_for(pilot, lambda: dashboard.watched == target, what=f"{name} watched")


async def callback_waiting(pilot: Any) -> None:
    """The approval run's machine watched (its runs are followed for callbacks); the chat
    pane open on its callback, the three pitches and the choices shown."""
    from sfn_tui.core import approval

    app = pilot.app
    await watch_machine(pilot, approval.STATE_MACHINE_NAME)
    await wait_for(
        pilot,
        lambda: app.inbox is not None and any(t.callback is not None for t in app.inbox.waiting()),
        what="the callback found",
    )
    await pilot.press("c")
    await wait_for(pilot, lambda: waiting_on(app, "Round 1"), what="the pitches")
    await wait_for(pilot, lambda: app.screen.query_one("#actions").display, what="the choices")
    await wait_for(
        pilot,
        lambda: APPROVAL_RUN in str(app.screen.query_one("#chat-title").content),
        what="the run's name and status in the title",
    )
    app.clear_notifications()
