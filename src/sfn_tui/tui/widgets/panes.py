"""The three dashboard tables: state machines, activities, executions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message

from sfn_tui.aws.models import Activity, Execution, StateMachine
from sfn_tui.aws.versions import qualifier_label
from sfn_tui.core.clock import utc_now
from sfn_tui.tui import run_mark
from sfn_tui.tui.formatting import (
    STATUS_STYLE,
    duration,
    plain,
    short_date,
    short_time,
    status_text,
    visible,
)
from sfn_tui.tui.widgets.keyed_table import Cell, KeyedTable
from sfn_tui.tui.widgets.pane_columns import (
    ACTIVITIES_COLUMNS,
    EXECUTIONS_COLUMNS,
    MACHINES_COLUMNS,
)

_STATUS_CELLS: dict[str, Text] = {}


def shared_status_text(status: str) -> Text:
    """One Text per status for every row showing it (cells are never changed in place);
    only AWS's statuses are kept, so an endpoint sending others cannot grow the cache."""
    cell = _STATUS_CELLS.get(status)
    if cell is None:
        cell = status_text(status)
        if status in STATUS_STYLE:
            _STATUS_CELLS[status] = cell
    return cell


class TimeAware:
    """Mixin: tables format times against the app's clock and time zone."""

    clock: Callable[[], datetime] = staticmethod(utc_now)
    tz: tzinfo | None = None

    def configure_time(self, clock: Callable[[], datetime], tz: tzinfo | None) -> None:
        self.clock = clock
        self.tz = tz


class StateMachinesTable(TimeAware, KeyedTable[StateMachine]):
    COLUMNS = MACHINES_COLUMNS

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.followed: set[str] = set()  # followed for callbacks (marked ⇄)

    def show_followed(self, machine_arns: set[str]) -> None:
        changed = self.followed ^ machine_arns
        self.followed = set(machine_arns)
        self.refresh_cells([m for arn, m in self.items.items() if arn in changed])

    def key(self, item: StateMachine) -> str:
        return item.arn

    def sort_key(self, item: StateMachine) -> Any:
        return item.name.lower()

    def filter_on(self, item: StateMachine) -> str:
        return item.name

    def full_name(self, item: StateMachine) -> Text:
        name = plain(item.name)
        if item.arn in self.followed:
            name = Text.assemble(("⇄ ", "cyan"), name)
        return name

    def cells(self, item: StateMachine) -> Sequence[Cell]:
        name = self.fit_name(self.full_name(item))
        return (name, item.type, short_date(item.creation_date, self.clock(), self.tz))


class ActivitiesTable(TimeAware, KeyedTable[Activity]):
    COLUMNS = ACTIVITIES_COLUMNS

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.task_counts: dict[str, int] = {}
        self.worked: set[str] = set()

    def key(self, item: Activity) -> str:
        return item.arn

    def sort_key(self, item: Activity) -> Any:
        return item.name.lower()

    def filter_on(self, item: Activity) -> str:
        return item.name

    def cells(self, item: Activity) -> Sequence[Cell]:
        count = self.task_counts.get(item.arn, 0)
        if item.arn not in self.worked:
            tasks = Text("—", style="dim")
        elif count:
            tasks = Text(f"✉ {count}", style="bold yellow")
        else:
            tasks = Text("worked", style="green")
        created = short_date(item.creation_date, self.clock(), self.tz)
        return (self.fit_name(self.full_name(item)), tasks, created)

    def full_name(self, item: Activity) -> Text:
        return plain(item.name)

    def show_tasks(self, counts: dict[str, int], worked: set[str]) -> None:
        self.task_counts, self.worked = counts, worked
        self.refresh_cells(list(self.items.values()))


class ExecutionsTable(TimeAware, KeyedTable[Execution]):
    BINDINGS = [
        Binding(
            "enter",
            "select_cursor",
            "Details",
            tooltip="Open execution details",
            id="executions.details",
        ),
        Binding(
            "m",
            "mark",
            "Mark",
            show=False,  # the footer is full at 140 columns: in help, palette and the detail
            tooltip="Mark this run to compare",
            id="executions.mark",
        ),
    ]
    COLUMNS = EXECUTIONS_COLUMNS
    sort_reverse = True
    follow_newest = False  # on: the cursor goes to the newest run as runs arrive

    def after_change(self) -> None:
        if self.follow_newest:
            self.to_newest()

    def to_newest(self) -> None:
        """The cursor on the newest run (the top row), scrolled into view."""
        if self.row_count and self.cursor_row != 0:
            self.move_cursor(row=0, animate=False)

    class MoreWanted(Message):
        """The user moved down on the last row: show older runs if there are any."""

    def action_cursor_down(self) -> None:
        self._more_if_at_end()
        super().action_cursor_down()

    def action_page_down(self) -> None:
        self._more_if_at_end()
        super().action_page_down()

    def action_scroll_bottom(self) -> None:
        self._more_if_at_end()
        super().action_scroll_bottom()

    def _more_if_at_end(self) -> None:
        if self.row_count and self.cursor_row >= self.row_count - 1:
            self.post_message(self.MoreWanted())

    def key(self, item: Execution) -> str:
        return item.arn

    def sort_key(self, item: Execution) -> Any:
        return (item.start_date, item.name)

    def filter_on(self, item: Execution) -> str:
        return item.name

    def cells(self, item: Execution) -> Sequence[Cell]:
        # Plain strings (times and durations hold no markup) and one shared Text per
        # status: a loaded row keeps one Text (its name), not three, for the GC to walk.
        now = self.clock()
        if item.is_running:
            end = f"elapsed {duration((now - item.start_date).total_seconds())}"
        elif item.stop_date is None:
            end = "—"  # finished, but the endpoint gave no stop date (moto: TIMED_OUT)
        elif not item.start_known:  # an Express run logged at ERROR/FATAL: its end only
            end = short_time(item.stop_date, now, self.tz)
        else:
            took = duration((item.stop_date - item.start_date).total_seconds())
            end = f"{short_time(item.stop_date, now, self.tz)} ({took})"
        start = short_time(item.start_date, now, self.tz) if item.start_known else "—"
        return (self.fit_name(self.full_name(item)), shared_status_text(item.status), start, end)

    def full_name(self, item: Execution) -> Text:
        name = self.name_cell(item)
        if run_mark.is_marked(self.app, item.arn):
            name = Text.assemble((f"{run_mark.MARKER} ", "bold magenta"), name)
        return name

    def action_mark(self) -> None:
        """Mark the run under the cursor for comparison (again: unmark it)."""
        item = self.selected
        if item is None or item.is_express:
            return
        before = run_mark.marked(self.app)
        run_mark.toggle(self.app, item)
        arns = {e.arn for e in (before, item) if e is not None}
        self.refresh_cells([self.items[arn] for arn in arns if arn in self.items])
        if run_mark.is_marked(self.app, item.arn):
            self.notify(
                f"Marked {item.name}: open another run and press = to compare.", markup=False
            )

    @staticmethod
    def name_cell(item: Execution) -> Text:
        """The name, then the version and alias it ran on, if any ("v2 via live")."""
        name = plain(item.name)
        ran_on = " via ".join(
            label
            for label in (qualifier_label(item.version_arn), qualifier_label(item.alias_arn))
            if label
        )
        if ran_on:
            name.append(f"  {visible(ran_on)}", style="dim cyan")  # an alias's name
        return name

    def tick(self) -> None:
        """Advance the elapsed time of running executions."""
        running = [e for e in self.items.values() if e.is_running]
        if running:
            self.refresh_cells(running)
