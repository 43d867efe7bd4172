"""A callback whose token the history does not carry where the definition passes it
(formatted into a string) is answered by reading the token from its SQS queue (Ctrl+O
in the chat pane), against the real engine: what the run received and what the queue
still holds are read back through the API."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from sfn_tui.aws.connection import Connection
from sfn_tui.core.callbacks import CallbackWait
from sfn_tui.core.inbox import TaskStatus
from sfn_tui.core.queue_tokens import candidate_tokens, match_of
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.queue_token import QueueTokenScreen
from tests.helpers import boto_client, wait_until
from tests.pilot_helpers import screen_text, wait_for, wait_shown
from tests.test_callbacks import callback_shown, status
from tests.test_key_order import all_handled, burst

REGION = "ap-southeast-7"  # no other test uses it
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-queue-tokens"
FORMATTED = {"text.$": "States.Format('Ship order 7? token {}', $$.Task.Token)"}


def make_app(engine: str) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    return SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0)


@pytest.fixture
def clients(engine: str) -> tuple[Any, Any]:
    return boto_client("stepfunctions", engine, REGION), boto_client("sqs", engine, REGION)


@pytest.fixture
def waiting_run(clients: tuple[Any, Any]) -> Iterator[dict[str, str]]:
    """A queue holding a stranger's message first, then a run whose callback message
    carries its token inside formatted text."""
    sfn, sqs = clients
    tag = uuid.uuid4().hex[:6]
    queue = sqs.create_queue(QueueName=f"tokens-{tag}")["QueueUrl"]
    sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({"text": "not a task at all"}))
    ask = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": queue, "MessageBody": FORMATTED},
        "ResultPath": "$.answer",
        "End": True,
    }
    machine = sfn.create_state_machine(
        name=f"tokens-{tag}",
        definition=json.dumps({"StartAt": "Approve", "States": {"Approve": ask}}),
        roleArn=ROLE,
    )["stateMachineArn"]
    run = sfn.start_execution(stateMachineArn=machine, name=f"r-{tag}", input="{}")
    wait_until(
        lambda: (
            int(
                sqs.get_queue_attributes(
                    QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"]
                )["Attributes"]["ApproximateNumberOfMessages"]
            )
            == 2
        ),
        timeout=30,
        message="the run's message in the queue",
    )
    yield {"queue": queue, "machine": machine, "run": run["executionArn"]}
    sfn.delete_state_machine(stateMachineArn=machine)


def bodies_visible(sqs: Any, queue: str) -> list[str]:
    """The bodies another consumer would receive now (and gives them back)."""
    got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, VisibilityTimeout=0)
    return sorted(m["Body"] for m in got.get("Messages", []))


async def open_queue_modal(pilot: Any, app: Any, machine: str) -> QueueTokenScreen:
    chat = await callback_shown(pilot, app, machine)
    await wait_shown(pilot, "cannot be answered", "Ctrl+O")
    assert chat.current_task is not None and chat.current_task.status is TaskStatus.WAITING
    await all_handled(pilot, app.keys.arrivals, burst(pilot, "ctrl+o"))
    await wait_for(pilot, lambda: isinstance(app.screen, QueueTokenScreen), what="the modal")
    modal = app.screen
    assert isinstance(modal, QueueTokenScreen)
    await all_handled(pilot, app.keys.arrivals, burst(pilot, "enter"))  # the URL is filled in
    await wait_for(pilot, lambda: len(modal.messages) == 2, what="the messages read")
    return modal


async def test_the_token_read_from_the_queue_answers_the_callback(
    engine: str, clients: tuple[Any, Any], waiting_run: dict[str, str]
) -> None:
    sfn, sqs = clients
    app = make_app(engine)
    async with app.run_test(size=(130, 40)) as pilot:
        modal = await open_queue_modal(pilot, app, waiting_run["machine"])
        shown = await wait_shown(pilot, "this run's: the body the run's history recorded")
        assert "no open task's token in it" in shown and "«task token»" in shown
        # While the person chooses, another consumer sees neither message.
        assert bodies_visible(sqs, waiting_run["queue"]) == []
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "enter"))  # the run's, first
        await wait_for(pilot, lambda: not isinstance(app.screen, QueueTokenScreen), what="picked")
        await wait_shown(pilot, "Ctrl+S sends it, Ctrl+F fails the task")
        token = modal.messages == [] and app.inbox is not None and app.inbox.waiting()[0].task.token
        assert token and token not in screen_text(app), screen_text(app)
        # The stranger's message went back at once; the run's stays hidden.
        wait_until(
            lambda: (
                bodies_visible(sqs, waiting_run["queue"])
                == [json.dumps({"text": "not a task at all"})]
            ),
            timeout=10,
            message="the other message back in the queue",
        )
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "ctrl+s"))
        await wait_for(
            pilot,
            lambda: status(sfn, waiting_run["run"])["status"] == "SUCCEEDED",
            what="the run went on",
        )
        # Answered: the message it came from was consumed.
        await wait_for(
            pilot,
            lambda: (
                int(
                    sqs.get_queue_attributes(
                        QueueUrl=waiting_run["queue"],
                        AttributeNames=["ApproximateNumberOfMessagesNotVisible"],
                    )["Attributes"]["ApproximateNumberOfMessagesNotVisible"]
                )
                == 0
            ),
            what="the run's message deleted",
        )
    assert json.loads(status(sfn, waiting_run["run"])["output"])["answer"] == {}
    assert bodies_visible(sqs, waiting_run["queue"]) == [json.dumps({"text": "not a task at all"})]


async def test_giving_up_puts_every_message_back(
    engine: str, clients: tuple[Any, Any], waiting_run: dict[str, str]
) -> None:
    """Esc in the modal gives back what was read; a token picked but not answered goes
    back when the app quits, and the run still waits (a callback is not claimed)."""
    sfn, sqs = clients
    app = make_app(engine)
    async with app.run_test(size=(130, 40)) as pilot:
        await open_queue_modal(pilot, app, waiting_run["machine"])
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "escape"))
        await wait_for(pilot, lambda: not isinstance(app.screen, QueueTokenScreen), what="gone")
        wait_until(
            lambda: len(bodies_visible(sqs, waiting_run["queue"])) == 2,
            timeout=10,
            message="both messages back",
        )
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "ctrl+o"))
        await wait_for(pilot, lambda: isinstance(app.screen, QueueTokenScreen), what="again")
        modal = app.screen
        assert isinstance(modal, QueueTokenScreen)
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "enter"))
        await wait_for(pilot, lambda: len(modal.messages) == 2, what="read again")
        await all_handled(pilot, app.keys.arrivals, burst(pilot, "enter"))
        await wait_for(pilot, lambda: not isinstance(app.screen, QueueTokenScreen), what="picked")
        await wait_shown(pilot, "Ctrl+S sends it")
        assert app.inbox is not None
        held = app.inbox.waiting()[0]
        assert held.settle is not None
        await app.action_quit()
        await wait_for(pilot, lambda: app.inbox is None or held.settle is None, what="quit")
    assert len(bodies_visible(sqs, waiting_run["queue"])) == 2
    assert status(sfn, waiting_run["run"])["status"] == "RUNNING"


def wait_of(parameters: Any, run: str = "arn:aws:states:r:1:execution:m:order-7") -> CallbackWait:
    return CallbackWait(
        execution_arn=run,
        state_name="Approve",
        scheduled_event_id=3,
        resource="arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        parameters=parameters,
    )


def test_candidate_tokens_are_found_in_fields_and_in_text() -> None:
    token = "AQB8AAAAKgAAAAMAAAAAAAAAAeMHr+v2/k9=" + "x" * 20
    body = json.dumps({"note": f"token {token} please", "other": {"t": token}, "n": 1})
    assert candidate_tokens(body) == [token]
    assert candidate_tokens("short words only") == []


def test_a_message_is_the_runs_by_its_recorded_body_or_its_name() -> None:
    recorded = {"text": "Ship order 7? token abc"}
    wait = wait_of({"QueueUrl": "q", "MessageBody": recorded})
    assert match_of(wait, json.dumps(recorded)) == "the body the run's history recorded"
    assert match_of(wait, json.dumps({"text": "Ship order 8? token abd"})) == ""
    unknown = wait_of(None)
    assert match_of(unknown, '{"for": "order-7"}') == "it names this run"
    assert match_of(unknown, '{"for": "order-77"}') == ""
