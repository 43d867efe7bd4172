"""Which state machines use an IAM role or an activity (no UI).

Neither IAM nor Step Functions says who uses a role or an activity: DeleteRole and
DeleteActivity succeed while a state machine still names them, and that machine then
fails at its next run. So before deleting either, every state machine of the account
and region is described: a machine uses the role when its roleArn names it, and the
activity when its definition has the activity's ARN as a string value (a Task's
Resource, at any depth). Machines in other regions cannot be seen from here.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from sfn_tui.aws.errors import NotFound, SfnError
from sfn_tui.aws.models import StateMachine, StateMachineDetail

# DescribeStateMachine calls in flight at once (AWS refills its bucket at 20 a second in
# the big regions; the client retries a throttled call).
CONCURRENCY = 5


class UsageClient(Protocol):
    async def list_state_machines(self) -> list[StateMachine]: ...
    async def describe_state_machine(self, arn: str) -> StateMachineDetail: ...


@dataclass(frozen=True, slots=True)
class Usage:
    """What was found. Names are state machine names, in listing order."""

    role_users: tuple[str, ...] = ()
    activity_users: tuple[str, ...] = ()
    queue_users: tuple[str, ...] = ()
    unchecked: tuple[str, ...] = ()  # machines that could not be described: "Name (error)"


def role_name_of(role_arn: str) -> str:
    """`arn:aws:iam::123:role/path/Name` -> `Name` (role names are unique per account,
    whatever their path)."""
    return role_arn.rsplit("/", 1)[-1] if ":role/" in role_arn else ""


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def references(definition: str, arn: str) -> bool:
    """Whether `definition` has `arn` as a whole string value (an activity named `Chat`
    is not used by a machine whose Resource is the ARN of `ChatSFN`)."""
    try:
        parsed = json.loads(definition)
    except ValueError:
        return f'"{arn}"' in definition
    return any(text == arn for text in _strings(parsed))


async def find_usage(
    client: UsageClient,
    *,
    role_name: str | None,
    activity_arn: str | None,
    queue_url: str | None = None,
    excluding: str | None = None,
) -> Usage:
    """The state machines other than `excluding` (an ARN) that use the role, the
    activity or the queue (its URL in the definition). SfnError when the machines
    cannot be listed."""
    machines = [m for m in await client.list_state_machines() if m.arn != excluding]
    gate = asyncio.Semaphore(CONCURRENCY)

    async def describe(machine: StateMachine) -> StateMachineDetail | str | None:
        async with gate:
            try:
                return await client.describe_state_machine(machine.arn)
            except NotFound:
                return None  # deleted meanwhile: uses nothing
            except SfnError as error:
                return f"{machine.name} ({error})"

    role_users: list[str] = []
    activity_users: list[str] = []
    queue_users: list[str] = []
    unchecked: list[str] = []
    for machine, found in zip(
        machines, await asyncio.gather(*(describe(m) for m in machines)), strict=True
    ):
        if isinstance(found, str):
            unchecked.append(found)
        elif found is not None:
            if role_name and role_name_of(found.role_arn) == role_name:
                role_users.append(machine.name)
            if activity_arn and references(found.definition, activity_arn):
                activity_users.append(machine.name)
            if queue_url and references(found.definition, queue_url):
                queue_users.append(machine.name)
    return Usage(tuple(role_users), tuple(activity_users), tuple(queue_users), tuple(unchecked))


def machines_phrase(names: tuple[str, ...], limit: int = 5) -> str:
    """`the state machine A` / `the state machines A, B and 3 more`."""
    shown = list(names[:limit])
    more = len(names) - len(shown)
    listed = ", ".join(shown[:-1]) + f" and {shown[-1]}" if len(shown) > 1 else shown[0]
    if more:
        listed = ", ".join(shown) + f" and {more} more"
    return f"the state machine{'s' if len(names) > 1 else ''} {listed}"
