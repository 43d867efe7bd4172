"""What this app just created or deleted, kept over listings that do not show it yet.

A listing sent before a change can arrive after it (the poller's tick was on its way
when the user pressed Ctrl+S): applied as it is, it would take a just-created row off
the screen, with the cursor on it, or bring a just-deleted one back. AWS's List
operations are also eventually consistent ("may not reflect very recent updates",
ListStateMachines in the Step Functions API Reference), so even a listing sent after
the change may not show it yet.

The rule: a listing sent before a change never undoes it; a listing sent after it is
believed once it agrees with the change (the change is then forgotten), or once
`HOLD` seconds have passed since the change (the resource really was deleted or made
elsewhere meanwhile)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

HOLD = 30.0  # seconds a change is kept over listings sent after it that disagree


class Keyed(Protocol):
    @property
    def arn(self) -> str: ...


T = TypeVar("T", bound=Keyed)


@dataclass(frozen=True, slots=True)
class _Change(Generic[T]):
    item: T | None  # None: deleted
    at: float  # monotonic time the change was known here


class LocalChanges(Generic[T]):
    """One pane's recent changes, by ARN; `over` applies them to a listing."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, hold: float = HOLD) -> None:
        self.clock = clock
        self.hold = hold
        self._changes: dict[str, _Change[T]] = {}

    def made(self, items: Iterable[T]) -> None:
        now = self.clock()
        for item in items:
            self._changes[item.arn] = _Change(item, now)

    def gone(self, arns: Iterable[str]) -> None:
        now = self.clock()
        for arn in arns:
            self._changes[arn] = _Change(None, now)

    @property
    def pending(self) -> int:
        return len(self._changes)

    def over(self, listed: Iterable[T], sent: float) -> list[T]:
        """The listing (sent at monotonic time `sent`) with the changes it may not
        show kept on top of it; changes it confirms, or whose hold is over, are
        forgotten."""
        rows = {item.arn: item for item in listed}
        now = self.clock()
        for arn, change in list(self._changes.items()):
            shown = arn in rows
            agrees = shown == (change.item is not None)
            if sent >= change.at and (agrees or now - change.at >= self.hold):
                del self._changes[arn]
            elif change.item is None:
                rows.pop(arn, None)
            elif not shown:
                rows[arn] = change.item
        return list(rows.values())
