"""The AWS "ChatSFN" example's flow as plain async steps on the client (no UI).

find or create a role Step Functions may assume -> find or create the activity ->
find or create the state machine (activity ARN injected) -> start a chat run ->
(answer its tasks through the inbox) -> clean up the three resources (the role and the
activity only while no other state machine uses them).
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.resources import files
from typing import Generic, Protocol, TypeVar

from sfn_tui.aws.errors import InvalidInput, NotFound, SfnError
from sfn_tui.aws.models import Activity, Execution, Role, StateMachine, StateMachineDetail
from sfn_tui.core.usage import Usage, find_usage, machines_phrase, references

ROLE_NAME = "sfn-tui-ChatSFN-role"
ACTIVITY_NAME = "ChatSFNActivity"
STATE_MACHINE_NAME = "ChatSFN"
ARN_PLACEHOLDER = "{{DOC_EXAMPLE_ACTIVITY_ARN}}"
MAX_USER_NAME = 1000
MAX_EXECUTION_NAME = 80
# A new IAM role takes a few seconds to be usable by Step Functions on AWS.
ROLE_PROPAGATION_WAIT = 30.0

T = TypeVar("T")


class ChatSfnClient(Protocol):
    async def get_role(self, name: str) -> Role | None: ...
    async def list_states_roles(self) -> list[Role]: ...
    async def create_states_role(self, name: str) -> Role: ...
    async def delete_role(self, name: str) -> None: ...
    async def delete_role_policies(self, role: str) -> None: ...
    async def delete_queue(self, url: str) -> None: ...
    async def find_activity(self, name: str) -> Activity | None: ...
    async def create_activity(self, name: str) -> Activity: ...
    async def delete_activity(self, arn: str) -> None: ...
    async def find_state_machine(self, name: str) -> StateMachine | None: ...
    async def list_state_machines(self) -> list[StateMachine]: ...
    async def describe_state_machine(self, arn: str) -> StateMachineDetail: ...
    async def create_state_machine(
        self, name: str, definition: str, role_arn: str, type: str = "STANDARD"
    ) -> StateMachine: ...
    async def delete_state_machine(self, arn: str) -> None: ...
    async def start_execution(
        self, state_machine_arn: str, name: str, input: str = "{}"
    ) -> Execution: ...


class ChatSfnProblem(Exception):
    """A step of the flow cannot go on; the message says why and what to do."""


class InvalidUserName(ValueError):
    """The name given for the chat is empty or too long."""


@dataclass(frozen=True, slots=True)
class Ensured(Generic[T]):
    """A resource the flow needs, and whether it was found or created just now."""

    value: T
    created: bool

    @property
    def verb(self) -> str:
        return "Created" if self.created else "Found"


@dataclass(frozen=True, slots=True)
class CleanupStep:
    """One deletion of `cleanup`: what, which, and how it went."""

    what: str  # "state machine" | "activity" | "role"
    name: str
    ok: bool
    message: str
    kept: bool = False  # not deleted on purpose: another state machine uses it, or unknown


def chat_definition(activity_arn: str, *, jsonata: bool = False) -> str:
    """The ChatSFN definition with the activity ARN put in place (``jsonata``: the same
    chat written in JSONata with workflow variables)."""
    resource = "chat_sfn_state_machine_jsonata.json" if jsonata else "chat_sfn_state_machine.json"
    template = (files("sfn_tui") / "resources" / resource).read_text("utf-8")
    return template.replace(ARN_PLACEHOLDER, activity_arn)


async def ensure_role(client: ChatSfnClient, name: str = ROLE_NAME) -> Ensured[Role]:
    """Find the role by name (it must trust states.amazonaws.com) or create it."""
    for role in await client.list_states_roles():
        if role.name == name:
            return Ensured(role, created=False)
    if await client.get_role(name) is not None:
        raise ChatSfnProblem(
            f"The IAM role '{name}' exists but does not let states.amazonaws.com assume it;"
            " pick another role name or fix its trust policy."
        )
    return Ensured(await client.create_states_role(name), created=True)


async def ensure_activity(client: ChatSfnClient, name: str = ACTIVITY_NAME) -> Ensured[Activity]:
    found = await client.find_activity(name)
    if found is not None:
        return Ensured(found, created=False)
    return Ensured(await client.create_activity(name), created=True)


def _role_not_ready(error: InvalidInput) -> bool:
    text = str(error).lower()
    return "role" in text and ("assume" in text or "authorized" in text)


async def ensure_state_machine(
    client: ChatSfnClient,
    activity_arn: str,
    role_arn: str,
    name: str = STATE_MACHINE_NAME,
    *,
    role_wait: float = ROLE_PROPAGATION_WAIT,
    jsonata: bool = False,
) -> Ensured[StateMachineDetail]:
    """Find the machine by name or create it from the ChatSFN definition.

    A machine found under that name is used as it is (the AWS example does the same);
    `uses_activity` tells whether its definition points at `activity_arn`. Creating it
    right after its role was created may be refused on AWS until IAM has propagated:
    that is retried for up to `role_wait` seconds.
    """
    found = await client.find_state_machine(name)
    if found is not None:
        return Ensured(await client.describe_state_machine(found.arn), created=False)
    definition = chat_definition(activity_arn, jsonata=jsonata)
    deadline = time.monotonic() + role_wait
    delay = 1.0
    while True:
        try:
            machine = await client.create_state_machine(name, definition, role_arn)
            break
        except InvalidInput as error:
            if not _role_not_ready(error) or time.monotonic() + delay > deadline:
                raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 8.0)
    return Ensured(await client.describe_state_machine(machine.arn), created=True)


def uses_activity(machine: StateMachineDetail, activity_arn: str) -> bool:
    return references(machine.definition, activity_arn)


def check_user_name(user_name: str) -> str:
    """The name, stripped; InvalidUserName if empty or longer than 1000 characters."""
    name = user_name.strip()
    if not name:
        raise InvalidUserName("Enter a name to chat with: it cannot be empty.")
    if len(name) > MAX_USER_NAME:
        raise InvalidUserName(
            f"The name is {len(name)} characters long; at most {MAX_USER_NAME} are allowed."
        )
    return name


def execution_name(user_name: str, now: datetime | None = None, suffix: str | None = None) -> str:
    """`chat-<slug>-<yyyymmddHHMMSS>-<4 hex>`: at most 80 characters of [A-Za-z0-9-_]."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d%H%M%S")
    tail = suffix if suffix is not None else secrets.token_hex(2)
    ascii_name = unicodedata.normalize("NFKD", user_name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    room = MAX_EXECUTION_NAME - len(f"chat--{stamp}-{tail}")
    slug = slug[:room].strip("-") or "user"
    return f"chat-{slug}-{stamp}-{tail}"


async def start_chat(client: ChatSfnClient, sm_arn: str, user_name: str) -> Execution:
    """Start a ChatSFN run with `{"name": <user name>}` under a fresh execution name."""
    name = check_user_name(user_name)
    return await client.start_execution(
        sm_arn, execution_name(name), json.dumps({"name": name}, ensure_ascii=False)
    )


async def _step(what: str, name: str, delete: Callable[[], Awaitable[None]]) -> CleanupStep:
    try:
        await delete()
    except NotFound:
        return CleanupStep(what, name, True, f"The {what} {name} was already gone.")
    except SfnError as error:
        return CleanupStep(what, name, False, f"Could not delete the {what} {name}: {error}")
    return CleanupStep(what, name, True, f"Deleted the {what} {name}.")


def _arn_name(arn: str) -> str:
    return arn.rsplit(":", 1)[-1]


@dataclass(frozen=True, slots=True)
class CleanupPlan:
    """What a clean-up would delete and what it keeps, and why (names, not ARNs)."""

    machine: str | None
    activity: str | None
    role: str | None
    usage: Usage = field(default_factory=Usage)
    queue: str | None = None  # the approval run's queue (its name)
    problem: str = ""  # the state machines could not be listed: nothing shared is deleted

    def _why_kept(self, users: tuple[str, ...]) -> str:
        if self.problem:
            return f"the state machines could not be listed to check who uses it ({self.problem})"
        if users:
            return f"{machines_phrase(users)} still use{'s' if len(users) == 1 else ''} it"
        if self.usage.unchecked:
            unchecked = "; ".join(self.usage.unchecked)
            return f"some state machines could not be checked: {unchecked}"
        return ""

    @property
    def activity_kept(self) -> str:
        """Why the activity is kept ("" when it is deleted)."""
        return self._why_kept(self.usage.activity_users) if self.activity else ""

    @property
    def queue_kept(self) -> str:
        """Why the queue is kept ("" when it is deleted)."""
        return self._why_kept(self.usage.queue_users) if self.queue else ""

    @property
    def role_kept(self) -> str:
        """Why the role is kept ("" when it is deleted)."""
        return self._why_kept(self.usage.role_users) if self.role else ""

    @property
    def deleted(self) -> list[str]:
        """What goes, in words: "the state machine X", "the activity Y", "the IAM role Z"."""
        goes = []
        if self.machine:
            goes.append(f"the state machine {self.machine}")
        if self.activity and not self.activity_kept:
            goes.append(f"the activity {self.activity}")
        if self.queue and not self.queue_kept:
            goes.append(f"the queue {self.queue}")
        if self.role and not self.role_kept:
            goes.append(f"the IAM role {self.role}")
        return goes

    def confirmation(self) -> str:
        """The question asked before the clean-up, naming what is kept and why."""
        goes = self.deleted
        listed = ", ".join(goes[:-1]) + f" and {goes[-1]}" if len(goes) > 1 else "".join(goes)
        lines = [f"Delete {listed}?" if goes else "Nothing would be deleted."]
        if self.machine:
            lines[0] += " Its runs' history goes with the machine."
        if self.activity_kept:
            lines.append(f"The activity {self.activity} is kept: {self.activity_kept}.")
        if self.queue_kept:
            lines.append(f"The queue {self.queue} is kept: {self.queue_kept}.")
        if self.role_kept:
            lines.append(f"The IAM role {self.role} is kept: {self.role_kept}.")
        elif self.role:
            lines.append(
                "An IAM role serves every region; state machines in other regions were not checked."
            )
        return "\n".join(lines)

    def confirm_label(self) -> str:
        count = len(self.deleted)
        return {4: "Delete all four", 3: "Delete all three", 2: "Delete both"}.get(count, "Delete")


async def plan_cleanup(
    client: ChatSfnClient,
    sm_arn: str | None,
    activity_arn: str | None,
    role_name: str | None,
    queue_url: str | None = None,
) -> CleanupPlan:
    """What `cleanup` would do now: the role, the activity and the queue are kept while
    another state machine (any but `sm_arn`) uses them, or when that cannot be checked."""
    usage, problem = Usage(), ""
    if activity_arn or role_name or queue_url:
        try:
            usage = await find_usage(
                client,
                role_name=role_name,
                activity_arn=activity_arn,
                queue_url=queue_url,
                excluding=sm_arn,
            )
        except SfnError as error:
            problem = str(error)
    return CleanupPlan(
        machine=_arn_name(sm_arn) if sm_arn else None,
        activity=_arn_name(activity_arn) if activity_arn else None,
        role=role_name,
        usage=usage,
        problem=problem,
        queue=queue_url.rsplit("/", 1)[-1] if queue_url else None,
    )


async def cleanup(
    client: ChatSfnClient,
    sm_arn: str | None,
    activity_arn: str | None,
    role_name: str | None,
    queue_url: str | None = None,
) -> list[CleanupStep]:
    """Delete the state machine, the activity and the role (those given), in that
    order; each step is reported and one failing does not stop the others. The role
    and the activity are kept (and said why) while another state machine uses them:
    checked again here, whatever the user was told before confirming."""
    plan = await plan_cleanup(client, sm_arn, activity_arn, role_name, queue_url)
    steps: list[CleanupStep] = []
    if sm_arn:
        arn = sm_arn
        steps.append(
            await _step("state machine", _arn_name(arn), lambda: client.delete_state_machine(arn))
        )
    if activity_arn:
        act, name = activity_arn, _arn_name(activity_arn)
        if plan.activity_kept:
            used = bool(plan.usage.activity_users)
            steps.append(_kept("activity", name, plan.activity_kept, used))
        else:
            steps.append(await _step("activity", name, lambda: client.delete_activity(act)))
    if queue_url:
        url, queue = queue_url, plan.queue or queue_url
        if plan.queue_kept:
            steps.append(_kept("queue", queue, plan.queue_kept, bool(plan.usage.queue_users)))
        else:
            steps.append(await _step("queue", queue, lambda: client.delete_queue(url)))
    if role_name:
        role = role_name
        if plan.role_kept:
            used = bool(plan.usage.role_users)
            steps.append(_kept("role", role, plan.role_kept, used))
        else:

            async def delete_role() -> None:
                await client.delete_role_policies(role)  # IAM refuses a role that has any
                await client.delete_role(role)

            steps.append(await _step("role", role, delete_role))
    return steps


def _kept(what: str, name: str, why: str, used: bool) -> CleanupStep:
    """A step not taken. Kept because another machine uses it: done as asked (ok);
    kept because that could not be checked: not ok, so the clean-up can be tried again."""
    return CleanupStep(what, name, used, f"Kept the {what} {name}: {why}.", kept=True)
