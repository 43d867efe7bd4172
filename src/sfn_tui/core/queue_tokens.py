"""A callback's token read from the SQS queue it was sent to.

When a run's history does not carry a `.waitForTaskToken` task's token where the
definition passes it (a formatted string, parameters left out of the history), the
token is still in the message the task sent. `read_queue` receives the queue's
messages with a visibility timeout (they are hidden from other consumers meanwhile),
says which ones are this run's (the body the history recorded, or the run named in
it) and which strings in them are live task tokens (SendTaskHeartbeat accepts them: a
heartbeat changes nothing but the task's heartbeat clock). The person then picks one;
every other message is released at once (`release`), and the picked one stays hidden
until the task is answered (`QueueHold.settle(True)` deletes it: it was consumed) or
given up (`settle(False)` releases it for other consumers).

Nothing here sends an answer: choosing which message is the run's stays with the
person, because a queue may hold other runs' tasks too.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from sfn_tui.aws.errors import SfnError, TaskGone
from sfn_tui.core.callbacks import CallbackWait

log = logging.getLogger(__name__)

READ_SECONDS = 60  # messages read stay hidden this long while the person picks one
HOLD_SECONDS = 600  # the one picked stays hidden this long (or until settled)
MAX_MESSAGES = 30  # read at most this many (three ReceiveMessage calls of 10)
BATCH = 10  # SQS's limit per ReceiveMessage
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9+/=_\-]{32,}")  # AWS's tokens are long base64 text


class QueueClient(Protocol):
    async def receive_messages(
        self, queue_url: str, max_messages: int, visibility_timeout: int, wait_seconds: int
    ) -> list[dict[str, Any]]: ...
    async def change_message_visibility(
        self, queue_url: str, receipt_handle: str, seconds: int
    ) -> None: ...
    async def delete_message(self, queue_url: str, receipt_handle: str) -> None: ...
    async def send_task_heartbeat(self, token: str) -> None: ...


@dataclass(frozen=True, slots=True)
class QueuedMessage:
    """One message received from the queue (hidden from others until released)."""

    message_id: str
    receipt_handle: str = ""
    body: str = ""
    tokens: tuple[str, ...] = ()  # the live task tokens in its body (usually one)
    match: str = ""  # why it is this run's message ("" when nothing says so)

    def __repr__(self) -> str:  # the body holds a secret: never print it whole
        return (
            f"QueuedMessage({self.message_id!r}, tokens={len(self.tokens)}, match={self.match!r})"
        )


def queue_of(wait: CallbackWait) -> str:
    """The queue URL the task sent its message to, when the history says it."""
    parameters = wait.parameters
    if isinstance(parameters, dict):
        url = parameters.get("QueueUrl")
        if isinstance(url, str):
            return url
    return ""


def reads_from_queue(wait: CallbackWait | None) -> bool:
    """Is this a callback whose token is missing and may be read from its SQS queue?"""
    return wait is not None and not wait.token and wait.service == "sqs:sendMessage"


def candidate_tokens(body: str) -> list[str]:
    """Strings in a message body shaped like a task token, in order, each once."""
    seen: dict[str, None] = {}
    for text in _strings(body):
        for found in TOKEN_SHAPE.findall(text):
            seen.setdefault(found, None)
    return list(seen)


def _strings(body: str) -> Iterator[str]:
    """The body's JSON string values (and the body itself): a token may be a field or
    inside a formatted text."""
    yield body
    try:
        parsed = json.loads(body)
    except ValueError:
        return
    stack = [parsed]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def match_of(wait: CallbackWait, body: str) -> str:
    """Why this body is the message this run's task sent, or ""."""
    recorded = wait.parameters.get("MessageBody") if isinstance(wait.parameters, dict) else None
    if recorded is not None:
        if body == recorded:
            return "the body the run's history recorded"
        try:
            if json.loads(body) == recorded:
                return "the body the run's history recorded"
        except ValueError:
            pass
        if isinstance(recorded, str) and _same_json_text(body, recorded):
            return "the body the run's history recorded"
    name = wait.execution_arn.rsplit(":", 1)[-1]
    if wait.execution_arn in body:
        return "it names this run's ARN"
    if name and re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", body):
        return "it names this run"
    return ""


def _same_json_text(body: str, recorded: str) -> bool:
    try:
        return bool(json.loads(body) == json.loads(recorded))
    except ValueError:
        return False


async def live_tokens(client: QueueClient, tokens: list[str]) -> tuple[str, ...]:
    """The tokens the service accepts a heartbeat for (open tasks)."""
    live: list[str] = []
    for token in tokens:
        try:
            await client.send_task_heartbeat(token)
        except TaskGone:
            continue  # not a token, or its task has closed
        except SfnError as error:
            log.info("A candidate token could not be checked: %s", error.code)
            continue
        live.append(token)
    return tuple(live)


async def read_queue(
    client: QueueClient, queue_url: str, wait: CallbackWait, *, hold_seconds: int = READ_SECONDS
) -> list[QueuedMessage]:
    """Receive up to MAX_MESSAGES messages, hidden from others for `hold_seconds` (if
    the app goes away meanwhile, they come back on their own after that); this run's
    first. The caller should `release` the ones not kept."""
    received: list[QueuedMessage] = []
    while len(received) < MAX_MESSAGES:
        batch = await client.receive_messages(
            queue_url,
            max_messages=min(BATCH, MAX_MESSAGES - len(received)),
            visibility_timeout=hold_seconds,
            wait_seconds=1,
        )
        if not batch:
            break
        for message in batch:
            body = str(message.get("Body", ""))
            received.append(
                QueuedMessage(
                    message_id=str(message.get("MessageId", "")),
                    receipt_handle=str(message.get("ReceiptHandle", "")),
                    body=body,
                    tokens=await live_tokens(client, candidate_tokens(body)),
                    match=match_of(wait, body),
                )
            )
    received.sort(key=lambda m: (not m.match, not m.tokens))
    return received


async def release(client: QueueClient, queue_url: str, messages: list[QueuedMessage]) -> None:
    """Make these messages visible to other consumers again, now."""
    for message in messages:
        try:
            await client.change_message_visibility(queue_url, message.receipt_handle, 0)
        except SfnError as error:  # it reappears when its visibility timeout ends anyway
            log.info("A message could not be released early: %s", error.code)


@dataclass(slots=True)
class QueueHold:
    """The message a callback's token was read from, hidden until the task is settled."""

    client: QueueClient
    queue_url: str
    message: QueuedMessage
    settled: bool = False

    async def keep(self, seconds: int = HOLD_SECONDS) -> None:
        """Hide the message for `seconds` more while the person answers."""
        await self.client.change_message_visibility(
            self.queue_url, self.message.receipt_handle, seconds
        )

    async def settle(self, answered: bool) -> None:
        """Answered: the message was consumed, delete it. Otherwise let others have it."""
        if self.settled:
            return
        self.settled = True
        try:
            if answered:
                await self.client.delete_message(self.queue_url, self.message.receipt_handle)
            else:
                await self.client.change_message_visibility(
                    self.queue_url, self.message.receipt_handle, 0
                )
        except SfnError as error:
            log.info("The queue message could not be settled: %s", error.code)
