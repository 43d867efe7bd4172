"""Hostile service text in what waits and what fans out: callbacks found waiting
(`.waitForTaskToken` over SQS: the chat pane's task list and status line, the
queue-token dialog and its messages) and Map Runs (a Map state's hostile Label: the
detail's Map Runs tab, the Map Run screen, the Update Map Run dialog, and the
service's refusals quoted there).

Each test was written for places scripts/service_text_mutation.py found unprotected by
any test, and seen failing with that place's protection dropped by hand."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests import test_hostile_scenes_more as more
from tests.fault_proxy import FaultProxy
from tests.helpers import boto_client, wait_until
from tests.pilot_helpers import wait_for
from tests.test_hostile_scenes_more import (
    BODY,
    BODY_SHOWN,
    LABEL,
    LABEL_SHOWN,
    REFUSAL,
    REFUSAL_SHOWN,
    REGION,
    create,
    labels_unchecked,
    make_app,
    start,
)
from tests.test_hostile_screens import (
    RUN,
    RUN_SHOWN,
    STATE,
    STATE_SHOWN,
    open_detail,
    shown_literally,
)

SIZE = (170, 50)
sfn = more.sfn  # the fixture: every machine made in the region is deleted at the end


@pytest.fixture
async def faulty(engine: str) -> AsyncIterator[FaultProxy]:
    proxy = FaultProxy(engine)
    await proxy.start()
    yield proxy
    await proxy.stop()


# Callbacks ----------------------------------------------------------------------


def callback_machine(sfn: Any, sqs: Any, body: dict[str, Any]) -> tuple[str, str]:
    """(machine, queue URL): a hostile state that sends `body` to a queue and waits."""
    queue = sqs.create_queue(QueueName=f"hostile-{uuid.uuid4().hex[:6]}")["QueueUrl"]
    ask = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": queue, "MessageBody": body},
        "TimeoutSeconds": 300,
        "End": True,
    }
    return create(sfn, "callback", {"StartAt": STATE, "States": {STATE: ask}}), queue


def messages_in(sqs: Any, queue: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


async def test_a_callback_of_a_hostile_state_is_listed_and_described_literally(
    engine: str, sfn: Any
) -> None:
    """The chat pane's task list (⇄ <state>) and its status line (<state> waits for a
    callback)."""
    from tests.test_callbacks import callback_shown

    sqs = boto_client("sqs", engine, REGION)
    machine, _ = callback_machine(sfn, sqs, {"ask": "Ship?", "token.$": "$$.Task.Token"})
    run = start(sfn, machine, f"cb-{uuid.uuid4().hex[:4]}")
    app = make_app(engine)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await callback_shown(pilot, app, machine)
            await shown_literally(pilot, f"⇄ {STATE_SHOWN}", f"{STATE_SHOWN} waits for a callback")
    finally:
        sfn.stop_execution(executionArn=run)


async def test_the_queue_token_dialog_names_a_hostile_state_run_and_message_literally(
    engine: str, sfn: Any, faulty: FaultProxy
) -> None:
    """A callback whose token the history does not carry (formatted into text): Ctrl+O
    reads its queue. The dialog names the state and the run; a stranger's message with
    markup and a C1 control character is previewed literally; a refusal to read the
    queue is quoted literally."""
    from sfn_tui.tui.screens.queue_token import QueueTokenScreen
    from tests.test_queue_tokens import open_queue_modal

    sqs = boto_client("sqs", engine, REGION)
    machine, queue = callback_machine(
        sfn, sqs, {"text.$": "States.Format('Ship? token {}', $$.Task.Token)"}
    )
    sqs.send_message(QueueUrl=queue, MessageBody=BODY)
    run = start(sfn, machine, f"{RUN}q")
    wait_until(lambda: messages_in(sqs, queue) == 2, timeout=30, message="the run's message")
    app = make_app(faulty.url)
    try:
        async with app.run_test(size=SIZE) as pilot:
            modal = await open_queue_modal(pilot, app, machine)
            await shown_literally(
                pilot,
                f"{STATE_SHOWN} of run {RUN_SHOWN}q sent its token",
                BODY_SHOWN,
                flat=True,
            )
            text = await shown_literally(pilot, BODY_SHOWN)
            assert "\x9b" not in text
            faulty.fault(
                "ReceiveMessage", "error", status=400, code="InvalidAddress", message=REFUSAL
            )
            modal.query_one("#queue-url").focus()
            await pilot.press("enter")
            await shown_literally(
                pilot, "The queue could not be read: ReceiveMessage failed", REFUSAL_SHOWN
            )
            faulty.clear()
            assert isinstance(app.screen, QueueTokenScreen)
            await pilot.press("escape")
    finally:
        sfn.stop_execution(executionArn=run)


# Map Runs -----------------------------------------------------------------------


def labelled_map(items: int = 3) -> dict[str, Any]:
    return {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "Label": LABEL,
                "ItemsPath": "$.items",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "P",
                    "States": {"P": {"Type": "Pass", "End": True}},
                },
                "End": True,
            }
        },
    }


@pytest.fixture(scope="module")
def map_run(sfn: Any) -> tuple[str, str]:
    """(execution, Map Run) of a finished run of a Map state with a hostile Label."""
    with labels_unchecked():
        machine = create(sfn, "maprun", labelled_map())
        run = start(sfn, machine, f"map-{uuid.uuid4().hex[:4]}", {"items": [1, 2, 3]})
        wait_until(
            lambda: sfn.describe_execution(executionArn=run)["status"] != "RUNNING",
            timeout=60,
            message="the Map run still running",
        )
    (found,) = sfn.list_map_runs(executionArn=run)["mapRuns"]
    return run, str(found["mapRunArn"])


async def test_a_map_run_with_a_hostile_label_is_named_literally_everywhere(
    engine: str, map_run: tuple[str, str]
) -> None:
    """The detail's Map Runs tab (its list and the summary of the one picked), the Map
    Run screen (title and counts) and the Update Map Run dialog (title and ARN)."""
    from textual.widgets import Static

    from sfn_tui.tui.screens.map_run import MapRunScreen
    from sfn_tui.tui.screens.update_map_run import UpdateMapRunScreen

    run, arn = map_run
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        detail = await open_detail(pilot, app, run)
        await wait_for(pilot, lambda: bool(detail.map_runs.details), what="Map Run described")
        await pilot.press("5")
        await shown_literally(
            pilot,
            f"{LABEL_SHOWN}  ✔ SUCCEEDED  3/3 items",  # the list
            f"Map Run {LABEL_SHOWN}  ✔ SUCCEEDED  started",  # the summary
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MapRunScreen), what="Map Run")
        await shown_literally(
            pilot,
            f"Map Run {LABEL_SHOWN}  of execution",  # the title
            f"Map Run {LABEL_SHOWN}  ✔ SUCCEEDED  started",  # the counts
        )
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, UpdateMapRunScreen), what="update")
        await shown_literally(pilot, f"Update Map Run {LABEL_SHOWN}")
        shown_arn = app.screen.query_one("#update-map-run-arn", Static)  # it wraps: its text
        await wait_for(
            pilot,
            lambda: str(shown_arn.render()) == arn.replace(LABEL, LABEL_SHOWN),
            what="the Map Run's ARN, literally",
        )
        await pilot.press("escape")


async def test_a_refused_map_run_quotes_the_services_words_literally(
    engine: str, sfn: Any, map_run: tuple[str, str], faulty: FaultProxy
) -> None:
    """UpdateMapRun, DescribeMapRun, then ListMapRuns, refused with a hostile message:
    the Update dialog's problem, the Map Run screen's title and the Map Runs tab's note
    quote it."""
    from textual.widgets import Input, Static

    from sfn_tui.aws.map_runs import MapRunDetail
    from sfn_tui.tui.screens.confirm import ConfirmScreen
    from sfn_tui.tui.screens.map_run import MapRunScreen
    from sfn_tui.tui.screens.update_map_run import UpdateMapRunScreen

    run, arn = map_run
    faulty.fault("UpdateMapRun", "error", status=400, code="ValidationException", message=REFUSAL)
    app = make_app(faulty.url)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        modal = UpdateMapRunScreen(MapRunDetail.from_api(sfn.describe_map_run(mapRunArn=arn)))
        app.push_screen(modal)
        await wait_for(pilot, lambda: app.screen is modal and modal.is_mounted, what="dialog")
        modal.query_one("#map-run-concurrency", Input).value = "3"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        problem = modal.query_one("#update-map-run-problem", Static)  # it wraps: its text
        await wait_for(
            pilot,
            lambda: (
                str(problem.render())
                == f"The Map Run was not updated: UpdateMapRun failed: {REFUSAL_SHOWN}"
            ),
            what="the refusal, literally",
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.dashboard, what="dialog closed")
        for operation in ("DescribeMapRun", "ListMapRuns"):
            faulty.fault(
                operation, "error", status=400, code="ValidationException", message=REFUSAL
            )
        screen = MapRunScreen(arn, run)
        app.push_screen(screen)
        await shown_literally(pilot, f"⚠ DescribeMapRun failed: {REFUSAL_SHOWN}")  # the title
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is not screen, what="closed")
        detail = await open_detail(pilot, app, run)
        await pilot.press("5")
        await wait_for(pilot, lambda: detail.map_runs.problem != "", what="refused")
        await shown_literally(pilot, f"⚠ ListMapRuns failed: {REFUSAL_SHOWN}")  # the tab's note
