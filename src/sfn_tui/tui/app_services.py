"""What screens and the command palette may use of the running app, as a Protocol.

Screens used to import `SfnTuiApp` (under TYPE_CHECKING) and cast `self.app` to it,
while the app imports every screen: a knot that made each screen depend on the whole
app. They depend on this narrow surface instead; `SfnTuiApp` satisfies it (mypy checks
that in `tui/app.py`), and a test app may provide its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Protocol, cast

from textual.app import App

if TYPE_CHECKING:
    from sfn_tui.aws.client import StepFunctionsClient
    from sfn_tui.aws.connection import Connection
    from sfn_tui.core.inbox import TaskInbox
    from sfn_tui.core.poller import ExecutionSource, Poller, PollFailed, PollLate
    from sfn_tui.core.validation import LastInputs


class AppServices(Protocol):
    """The running app's services: clients, the task inbox, the poller, the clock; and
    the polling state the dashboard keeps on the app (shown in its header)."""

    poll_failure: PollFailed | None
    poll_late: PollLate | None
    failing: str
    failing_since: datetime | None
    refreshed_at: datetime | None

    @property
    def connection(self) -> Connection: ...
    @property
    def client(self) -> StepFunctionsClient | None: ...
    @property
    def inbox(self) -> TaskInbox | None: ...
    @property
    def poller(self) -> Poller | None: ...
    @property
    def poll_interval(self) -> float: ...
    @property
    def read_only(self) -> bool: ...
    @property
    def clock(self) -> Callable[[], datetime]: ...
    @property
    def tz(self) -> tzinfo | None: ...
    @property
    def last_inputs(self) -> LastInputs: ...

    def action_refresh(self) -> None: ...
    def resources_gone(self, arns: tuple[str, ...]) -> None: ...
    def action_toggle_work_selected(self) -> None: ...
    def inbox_unwork(self, activity_arn: str) -> None: ...
    def watch_machine(
        self,
        state_machine_arn: str | None,
        status: str | None = None,
        source: ExecutionSource | None = None,
    ) -> None: ...
    def toggle_callbacks(self, machine_arn: str, name: str) -> None: ...
    def follow_callbacks_of(self, machine_arn: str) -> None: ...
    def auto_work(self, activities: dict[str, str]) -> None: ...


def services(app: App[object]) -> AppServices:
    """The app's services (the app running a screen is always an `AppServices`)."""
    return cast("AppServices", app)
