"""The one-line header: where the app is connected, freshness, warnings, tasks.

Its state lives on the App as reactives (one source for every screen's header);
the header watches them and redraws. When polling fails it says how (disconnected,
throttled, credentials refused, service error), since when (the last good refresh),
and counts down to the next attempt. A poll still waiting for its answer past the
poller's `late_after` is said at once: "no answer for Ns", counting up.
"""

from __future__ import annotations

import math
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from rich.text import Text
from textual.timer import Timer
from textual.widgets import Static

from sfn_tui.tui.formatting import clock_time
from sfn_tui.tui.header_fit import Part, end_cut, fit, middle_cut

if TYPE_CHECKING:
    from sfn_tui.core.poller import PollFailed, PollLate

WATCHED = (
    "where",
    "refreshed_at",
    "failing",
    "failing_since",
    "poll_failure",
    "poll_late",
    "tasks_waiting",
    "read_only",
)


def reason(failure: PollFailed) -> str:
    """The error without its "Operation failed: " prefix (the header is one line)."""
    error = failure.error
    prefix = f"{error.operation} failed: "
    text = error.message
    return text[len(prefix) :] if error.operation and text.startswith(prefix) else text


def failure_words(failure: PollFailed, tz: tzinfo | None = None) -> str:
    """The header's words for a failing poll (without the countdown). Short: the header
    is one line and already names the endpoint; the notification has the details.
    "since" is the last good refresh: how old the data on screen is."""
    since = clock_time(failure.stale_since, tz)
    kind = failure.kind
    if kind == "disconnected":
        return f"⚠ disconnected since {since} · data is stale"
    if kind == "timeout":
        return (
            f"⚠ no answer since {since}: {failure.error.operation or 'a call'} timed out"
            " · data is stale"
        )
    if kind == "throttled":
        return f"⚠ throttled since {since}: slowed to one refresh every {failure.retry_in:.0f}s"
    if kind == "credentials":
        return f"⚠ polling paused since {since}: renew credentials (aws sso login), then press r"
    return f"⚠ refresh failing since {since}: {reason(failure)}"


def late_words(late: PollLate, now: datetime, tz: tzinfo | None = None) -> str:
    """The header's words while a poll waits for its answer past `late_after`."""
    waited = f"⚠ no answer for {int(late.waited(now))}s"
    if late.last_success is None:
        return f"{waited} · nothing listed yet"
    return f"{waited} · last refresh {clock_time(late.last_success, tz)} · data may be stale"


def _sentence(text: str) -> str:
    text = text.rstrip()
    return text if text.endswith((".", "!", "?")) else text + "."


NOTICE_TITLES = {
    "disconnected": "Disconnected",
    "timeout": "No answer",
    "throttled": "Throttled",
    "credentials": "Polling paused",
    "error": "Refresh failed",
}


def notice_title(failure: PollFailed) -> str:
    return NOTICE_TITLES.get(failure.kind, "Refresh failed")


def notice_words(failure: PollFailed) -> str:
    """The notification when polling starts failing (or fails differently)."""
    retry = f"{failure.retry_in:.0f}s"
    said = _sentence(str(failure.error))
    if failure.kind == "credentials":
        return (
            f"{said} Polling is paused; it tries again in {retry},"
            " or press r once the credentials are renewed."
        )
    if failure.kind == "throttled":
        return f"{said} Refreshing less often: next refresh in {retry}."
    return f"{said} Retrying in {retry}; the data on screen is stale until then."


def where_parts(app: object) -> list[Part]:
    """The header's first parts: the name, read-only, and where the app is connected
    (the launch frame's header is these alone)."""
    parts = [Part(["sfn-tui ", ""], style="bold", separated=False)]
    if getattr(app, "read_only", False):
        parts.append(
            Part(
                [" READ-ONLY ", " RO "],
                style="bold black on yellow",
                shrink_rank=2,
                separated=False,
            )
        )
        parts.append(Part([" "], separated=False))
    where = getattr(app, "where", "")
    parts.append(
        Part(
            [where, middle_cut(where, 28), middle_cut(where, 18)],
            style="bold cyan",
            shrink_rank=3,
            separated=False,
        )
    )
    return parts


class StatusHeader(Static):
    DEFAULT_CSS = """
    StatusHeader { dock: top; height: 1; background: $panel; color: $foreground; padding: 0 1; }
    StatusHeader.-failing { background: $error 40%; }
    StatusHeader.-late { background: $warning 40%; }
    """

    def __init__(self, tz: tzinfo | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.tz = tz
        self._countdown: Timer | None = None

    def on_mount(self) -> None:
        for name in WATCHED:
            self.watch(self.app, name, self._changed, init=False)
        self._changed()

    def _changed(self) -> None:
        failing = bool(getattr(self.app, "failing", "")) or self._failure() is not None
        late = self._late() is not None
        self.set_class(failing, "-failing")
        self.set_class(late and not failing, "-late")
        ticking = failing or late  # a countdown, or a count up
        if ticking and self._countdown is None:
            self._countdown = self.set_interval(1.0, self.refresh)
        elif not ticking and self._countdown is not None:
            self._countdown.stop()
            self._countdown = None
        self.refresh()

    def _failure(self) -> PollFailed | None:
        failure = getattr(self.app, "poll_failure", None)
        if failure is None:  # the launch frame's header: the poller is not imported yet
            return None
        from sfn_tui.core.poller import PollFailed

        return failure if isinstance(failure, PollFailed) else None

    def _late(self) -> PollLate | None:
        late = getattr(self.app, "poll_late", None)
        if late is None:
            return None
        from sfn_tui.core.poller import PollLate

        return late if isinstance(late, PollLate) else None

    def render(self) -> Text:
        app = self.app
        parts = where_parts(app)
        status = self._status()
        if status is not None:
            parts.append(status)
        waiting = getattr(app, "tasks_waiting", 0)
        if waiting:
            plural = "s" if waiting != 1 else ""
            parts.append(
                Part(
                    [
                        f"✉ {waiting} task{plural} waiting (c)",
                        f"✉ {waiting} waiting (c)",
                        f"✉ {waiting} (c)",
                    ],
                    style="bold yellow",
                    shrink_rank=5,
                )
            )
        return fit(parts, self.content_size.width or self.app.size.width)

    def _status(self) -> Part | None:
        """Freshness, lateness or failure: the newest news, in forms from long to short."""
        app = self.app
        failing, since = getattr(app, "failing", ""), getattr(app, "failing_since", None)
        refreshed = getattr(app, "refreshed_at", None)
        failure, late = self._failure(), self._late()
        clock = getattr(app, "clock", None)
        if late is not None and callable(clock):  # the newest news, failing or not
            return Part(late_forms(late, clock(), self.tz), style="bold", shrink_rank=4)
        if failure is not None:
            retry: tuple[str, str] = ("", "")
            if callable(clock) and failure.kind != "credentials":  # paused: r resumes
                left = math.ceil((failure.retry_at - clock()).total_seconds())
                retry = (
                    (f" · retry in {left}s", f" · retry {left}s")
                    if left > 0
                    else (" · retrying now", " · retrying")
                )
            return Part(failure_forms(failure, retry, self.tz), style="bold", shrink_rank=4)
        if failing and since is not None:
            said = f"⚠ refresh failing since {clock_time(since, self.tz)}"
            return Part(
                [
                    f"{said}: {failing}",
                    f"{said}: {end_cut(failing, 30)}",
                    said,
                    "⚠ refresh failing",
                ],
                style="bold",
                shrink_rank=4,
            )
        if refreshed is not None:
            time = clock_time(refreshed, self.tz)
            return Part(
                [f"refreshed {time}", time, ""], style="dim", separator_style="dim", shrink_rank=1
            )
        return None


SHORT_FAILURES = {
    "disconnected": ("⚠ disconnected since {since} · stale", "⚠ disconnected · stale"),
    "timeout": ("⚠ no answer since {since} · stale", "⚠ no answer · stale"),
    "throttled": ("⚠ throttled since {since}", "⚠ throttled"),
    "credentials": ("⚠ paused since {since}: renew credentials, then r", "⚠ paused: renew, r"),
    "error": ("⚠ refresh failing since {since}", "⚠ refresh failing"),
}


def failure_forms(failure: PollFailed, retry: tuple[str, str], tz: tzinfo | None) -> list[str]:
    """`failure_words` and its shorter forms, each with the retry countdown."""
    since = clock_time(failure.stale_since, tz)
    short, shortest = SHORT_FAILURES.get(failure.kind, SHORT_FAILURES["error"])
    long_retry, short_retry = retry
    return [
        failure_words(failure, tz) + long_retry,
        short.format(since=since) + long_retry,
        short.format(since=since) + short_retry,
        shortest + short_retry,
    ]


def late_forms(late: PollLate, now: datetime, tz: tzinfo | None) -> list[str]:
    """`late_words` and its shorter forms."""
    waited = int(late.waited(now))
    return [
        late_words(late, now, tz),
        f"⚠ no answer for {waited}s · data may be stale",
        f"⚠ no answer for {waited}s · stale",
        f"⚠ no answer {waited}s",
    ]
