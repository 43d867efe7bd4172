"""Messages posted from workers to the screens (past tense: something happened)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from sfn_tui.core.poller import PollUpdate


class Polled(Message):
    """The poller produced an update. An unhandled older listing of the same machine
    is replaced by a newer one, so a busy UI never works through stale snapshots."""

    def __init__(self, update: PollUpdate) -> None:
        super().__init__()
        self.update = update

    def can_replace(self, message: Message) -> bool:
        from sfn_tui.core.poller import ExecutionsFetched  # imported by any update's maker

        return (
            isinstance(message, Polled)
            and isinstance(self.update, ExecutionsFetched)
            and isinstance(message.update, ExecutionsFetched)
            and message.update.state_machine_arn == self.update.state_machine_arn
        )


class Connected(Message):
    """Clients are open; `label` says where to."""

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label


class ConnectFailed(Message):
    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class InboxChanged(Message):
    """The activity-task inbox changed (a task arrived, was answered, expired...)."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, InboxChanged)
