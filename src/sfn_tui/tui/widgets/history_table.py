"""Tables for long histories: rows are drawn only when visible, so 25,000 events cost
no more to show, scroll or extend than 25 (a DataTable's bookkeeping is O(rows):
10,000 rows take seconds to add).

`LazyTable` is the base: a header line, a row cursor (↑ ↓ PgUp PgDn Home End, mouse),
columns of fixed width and one that takes the rest. `HistoryTable` shows the events of
an `ExecutionHistory` (optionally only one event type); `StateRunsTable` shows each time
a state was entered.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from sfn_tui.core.history import (
    ExecutionHistory,
    StateRun,
    StateStatus,
    duration_text,
    event_summary,
    is_failure,
    offset_text,
)
from sfn_tui.tui.event_times import EventClock
from sfn_tui.tui.formatting import plain

Cell = tuple[str, str]  # text, style


@dataclass(frozen=True, slots=True)
class Column:
    label: str
    width: int = 0  # 0: the rest of the line
    right: bool = False
    least: int = 0  # narrowest it gets when the line is short (0: never narrower)


def shrink_to_fit(columns: Sequence[Column], total: int, rest_least: int) -> list[int]:
    """Column widths for a line of `total` cells: the rest column (width 0) takes what
    the others leave; when that is under `rest_least`, the columns that may shrink give
    cells one at a time, the widest above its least first, so the line fits the pane
    and the last column stays readable (its text is shortened with … then)."""
    widths = [c.width for c in columns]
    gaps = max(0, len(columns) - 1)
    wanted = total - gaps - rest_least * sum(1 for c in columns if not c.width)
    spare = {i: c.width - c.least for i, c in enumerate(columns) if c.width and c.least}
    while sum(widths) > wanted and any(v > 0 for v in spare.values()):
        widest = max(spare, key=lambda i: (spare[i], -i))
        widths[widest] -= 1
        spare[widest] -= 1
    fixed = sum(widths) + gaps
    return [w or max(min(10, rest_least), total - fixed) for w in widths]


@lru_cache(maxsize=64)
def _style(spec: str) -> Style:
    return Style.parse(spec) if spec else Style()


def _cell(text: str, width: int, right: bool = False) -> str:
    if len(text) > width:
        return text[: max(0, width - 1)] + "…" if width > 0 else ""
    return text.rjust(width) if right else text.ljust(width)


def _clean(value: object) -> str:
    """Service text made safe for one line: control characters visible, no newlines."""
    return plain(value).plain.replace("\n", " ")


class LazyTable(ScrollView, can_focus=True):
    """A table that asks for rows only when it draws them."""

    DEFAULT_CSS = """
    LazyTable {
        height: 1fr;
        overflow-x: hidden;
        background: $surface;
        & > .lazy-table--header {
            text-style: bold;
            background: $panel;
        }
        & > .lazy-table--cursor {
            background: $block-cursor-blurred-background;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .lazy-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
    }
    """
    COMPONENT_CLASSES = {"lazy-table--header", "lazy-table--cursor"}
    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False, id="rows.up"),
        Binding("down", "move(1)", "Down", show=False, id="rows.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="rows.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="rows.page_down"),
        Binding("home", "jump(0)", "First", show=False, id="rows.first"),
        Binding("end", "jump(-1)", "Last", show=False, id="rows.last"),
    ]
    COLUMNS: Sequence[Column] = ()
    REST_LEAST = 20  # the last column's narrowest before the others shrink

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    class Highlighted(Message):
        """The cursor moved to `row` (or the row under it changed)."""

        def __init__(self, table: LazyTable, row: int) -> None:
            super().__init__()
            self.table = table
            self.row = row

        @property
        def control(self) -> LazyTable:
            return self.table

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, LazyTable.Highlighted) and message.table is self.table

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._count = 0

    # What subclasses provide ------------------------------------------------------

    def row_count(self) -> int:
        return 0

    def row_cells(self, row: int) -> list[Cell]:
        return []

    def columns(self) -> Sequence[Column]:
        return self.COLUMNS

    # Rows changing ----------------------------------------------------------------

    def rows_changed(self, follow: bool = False) -> None:
        """Call after rows were added, removed or filtered. `follow` keeps the cursor on
        the last row if it was there."""
        was_last = self._count > 0 and self.cursor >= self._count - 1
        self._count = self.row_count()
        self.virtual_size = Size(self.scrollable_content_region.width, self._count + 1)
        if follow and was_last and self._count:
            self.cursor = self._count - 1
        elif self.cursor >= self._count:
            self.cursor = max(0, self._count - 1)
        elif self._count and self.cursor == 0:
            self.post_message(self.Highlighted(self, 0))
        self.refresh()

    @property
    def data_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def watch_cursor(self, old: int, new: int) -> None:
        top = int(self.scroll_y)
        if new < top:
            self.scroll_to(y=new, animate=False, force=True, immediate=True)
        elif new >= top + self.data_height:
            self.scroll_to(y=new - self.data_height + 1, animate=False, force=True, immediate=True)
        self.refresh()
        if self._count:
            self.post_message(self.Highlighted(self, new))

    def on_resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self._count + 1)
        self.cursor = self.cursor  # keep it in view

    # Keys and mouse ---------------------------------------------------------------

    def action_move(self, step: int) -> None:
        if self._count:
            self.cursor = min(self._count - 1, max(0, self.cursor + step))

    def action_page(self, step: int) -> None:
        self.action_move(step * self.data_height)

    def action_jump(self, row: int) -> None:
        if self._count:
            self.cursor = row if row >= 0 else self._count - 1

    def on_click(self, event: events.Click) -> None:
        row = int(self.scroll_y) + event.y - 1
        if event.y >= 1 and 0 <= row < self._count:
            self.cursor = row

    # Drawing ----------------------------------------------------------------------

    def _widths(self, total: int) -> list[int]:
        return shrink_to_fit(self.columns(), total, self.REST_LEAST)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        widths = self._widths(width)
        columns = self.columns()
        if y == 0:
            header = self.get_component_rich_style("lazy-table--header")
            text = " ".join(
                _cell(c.label, w, c.right) for c, w in zip(columns, widths, strict=True)
            )
            return Strip([Segment(_cell(text, width), base + header)], width)
        row = int(self.scroll_y) + y - 1
        if row >= self._count:
            return Strip.blank(width, base)
        cells = self.row_cells(row)
        cursor = self.get_component_rich_style("lazy-table--cursor") if row == self.cursor else None
        segments: list[Segment] = []
        used = 0
        for index, ((text, style), column, cell_width) in enumerate(
            zip(cells, columns, widths, strict=False)
        ):
            if index:
                segments.append(Segment(" ", base + cursor if cursor else base))
                used += 1
            shown = _cell(text, cell_width, column.right)
            cell_style = base + _style(style)
            if cursor is not None:
                cell_style += cursor
            segments.append(Segment(shown, cell_style))
            used += cell_width
        if used < width:
            segments.append(Segment(" " * (width - used), base + cursor if cursor else base))
        return Strip(segments).crop(0, width)


# Events ----------------------------------------------------------------------------


class HistoryTable(LazyTable):
    """The events of an execution: id, type, state, time (the user's zone or UTC, `u`
    switches), time since start, details."""

    BINDINGS = [
        Binding(
            "u", "toggle_utc", "UTC/local", tooltip="Times in UTC or local time", id="history.utc"
        )
    ]

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.history = ExecutionHistory()
        self.only_type: str | None = None
        self._rows: list[int] | None = None  # event positions shown when filtered
        self._longest_state = 8
        self.clock = EventClock()

    def on_mount(self) -> None:
        # The app's zone (a bare App, as in the benchmarks, has none: the system's).
        self.clock.tz = getattr(self.app, "tz", None)

    def action_toggle_utc(self) -> None:
        self.clock.utc = not self.clock.utc
        self.refresh()
        events = self.history.events
        zone = self.clock.zone_name(events[0].timestamp if events else None)
        self.notify(f"History times in {zone}" + ("" if self.clock.utc else " (local time)"))

    def _spans_days(self) -> bool:
        events = self.history.events
        return bool(events) and self.clock.spans_days(events[0].timestamp, events[-1].timestamp)

    def columns(self) -> Sequence[Column]:
        longest = max((len(t) for t in self.history.type_counts), default=10)
        state = max(8, min(24, self._longest_state))
        events = self.history.events
        zone = self.clock.zone_name(events[0].timestamp if events else None)
        return (
            Column("#", 6, right=True, least=5),
            Column("Type", min(32, max(10, longest + 2)), least=18),  # + "✖ " on failures
            Column("State", state, least=10),
            Column(f"Time {zone}"[:15], 15 if self._spans_days() else max(8, len(zone) + 5)),
            Column("Since start", 11, right=True),
            Column("Details"),
        )

    def row_count(self) -> int:
        return len(self._rows) if self._rows is not None else len(self.history)

    def event_index(self, row: int) -> int | None:
        """The history position of the event on `row`."""
        if row < 0 or row >= self.row_count():
            return None
        return self._rows[row] if self._rows is not None else row

    def row_of(self, event_index: int) -> int | None:
        """The row showing the event at history position `event_index` (None: hidden)."""
        if self._rows is None:
            return event_index if 0 <= event_index < len(self.history) else None
        row = bisect_left(self._rows, event_index)
        return row if row < len(self._rows) and self._rows[row] == event_index else None

    def use(self, history: ExecutionHistory) -> None:
        self.history = history
        self._rows = None if self.only_type is None else history.indices_of_type(self.only_type)
        self.rows_changed()

    def events_added(self, first_new: int) -> None:
        """The history grew from position `first_new` on."""
        history = self.history
        for index in range(first_new, len(history)):
            name = history.state_name(index)
            if len(name) > self._longest_state:
                self._longest_state = len(name)
            if self._rows is not None and history.events[index].type == self.only_type:
                self._rows.append(index)
        self.rows_changed(follow=True)

    def filter_type(self, event_type: str | None) -> None:
        """Show only events of `event_type` (None: all); the cursor stays on its event
        when it is still shown."""
        current = self.event_index(self.cursor)
        self.only_type = event_type
        self._rows = None if event_type is None else self.history.indices_of_type(event_type)
        self.rows_changed()
        row = self.row_of(current) if current is not None else None
        self.cursor = row if row is not None else 0

    def select_event(self, event_index: int) -> bool:
        row = self.row_of(event_index)
        if row is None:
            return False
        self.cursor = row
        return True

    def row_cells(self, row: int) -> list[Cell]:
        index = self.event_index(row)
        if index is None:
            return []
        history = self.history
        event = history.events[index]
        started = history.started_at
        since = (event.timestamp - started).total_seconds() if started is not None else None
        failed = is_failure(event.type)
        ok = event.type.endswith("Succeeded")
        style = "bold red" if failed else ("green" if ok else "")
        return [
            (str(event.id), "grey62"),
            (("✖ " if failed else "") + _clean(event.type), style),
            (_clean(history.state_name(index)), ""),
            (self.clock.text(event.timestamp, self._spans_days()), ""),
            (offset_text(since), "grey62"),
            (_clean(event_summary(event)), "red" if failed else ""),
        ]


# State runs ------------------------------------------------------------------------

RUN_STYLES = {
    StateStatus.RUNNING: "bold dodger_blue1",
    StateStatus.SUCCEEDED: "green",
    StateStatus.FAILED: "bold red",
    StateStatus.CAUGHT: "dark_orange",
    StateStatus.STOPPED: "magenta",
    StateStatus.NOT_REACHED: "grey50",
}


class StateRunsTable(LazyTable):
    """Each time a state was entered: status, name, type, when, duration, retries."""

    COLUMNS = (
        Column("Status", 13, least=11),
        Column("State", 24, least=12),
        Column("Type", 9, least=6),
        Column("Iter", 5, right=True, least=4),
        Column("Entered", 11, right=True, least=10),
        Column("Duration", 10, right=True, least=8),
        Column("Retries", 7, right=True),
        Column("Error"),
    )
    REST_LEAST = 16

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.history = ExecutionHistory()
        self.finished = False
        self.now: datetime | None = None

    def row_count(self) -> int:
        return len(self.history.runs)

    def run(self, row: int) -> StateRun | None:
        runs = self.history.runs
        return runs[row] if 0 <= row < len(runs) else None

    def use(self, history: ExecutionHistory, finished: bool, now: datetime | None) -> None:
        self.history = history
        self.finished = finished
        self.now = now
        self.rows_changed(follow=True)

    def row_cells(self, row: int) -> list[Cell]:
        run = self.run(row)
        if run is None:
            return []
        status = run.status(self.finished)
        started = self.history.started_at
        since = (run.entered_at - started).total_seconds() if started is not None else None
        until = None if self.finished else self.now
        error = ": ".join(x for x in (run.error, run.cause) if x)
        return [
            (f"{status.mark} {status.word}", RUN_STYLES[status]),
            (_clean(run.name), "bold"),
            (_clean(run.state_type), "grey62"),
            ("" if run.iteration is None else str(run.iteration), "grey62"),
            (offset_text(since), "grey62"),
            (duration_text(run.duration(until)), ""),
            (str(run.retries) if run.retries else "", "dark_orange" if run.retries else ""),
            (_clean(error), "red" if error else ""),
        ]
