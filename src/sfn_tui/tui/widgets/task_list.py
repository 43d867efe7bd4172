"""The chat pane's list of tasks: a mark for each task's state, its source and its run.

The inbox tells the chat of every change (a send starting, an answer delivered, a task
claimed, a task placed in its run), and most changes leave the list as it was. Redrawing
an OptionList drops every rendered line, so the list is rebuilt only when its text
changed: redrawing it at each change cost 10-25 ms of each answer's round trip.
"""

from __future__ import annotations

from contextlib import suppress

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from sfn_tui.core.inbox import InboxTask, TaskStatus
from sfn_tui.tui.formatting import clip_middle, visible

TASK_LINE = 28  # characters a line of the task list holds (#chat-side is 32 wide)
TASK_MARK = {
    TaskStatus.WAITING: ("✉", "bold yellow"),
    TaskStatus.SENDING: ("…", "bold"),
    TaskStatus.SEND_FAILED: ("⚠", "bold red"),
    TaskStatus.ANSWERED: ("✔", "green"),
    TaskStatus.FAILED: ("✖", "red"),
    TaskStatus.EXPIRED: ("⌀", "dim"),
}


def arn_name(arn: str) -> str:
    return arn.rsplit(":", 1)[-1]


def task_label(item: InboxTask, shown: bool) -> Text:
    """A task's lines; ▸ marks the task the reply area shows (`shown`)."""
    # The list is a fixed width and wraps what is longer: names are cut to fit.
    mark, style = TASK_MARK[item.status]
    label = Text(f"{'▸' if shown else ' '}{mark} #{item.id} ", style=style)
    if item.callback is not None:
        label.append("⇄ ", style="cyan")  # a callback found waiting, not claimed
        source = visible(item.callback.state_name)
    else:
        source = visible(item.source)
    label.append(clip_middle(source, TASK_LINE - label.cell_len))
    if item.execution_arn:
        run = visible(arn_name(item.execution_arn))
        label.append(f"\n   {clip_middle(run, TASK_LINE - 3)}", style="dim")
    return label


class TaskList(OptionList):
    """The inbox's tasks, one option each (its id the task's). The cursor is the
    user's: a redraw keeps it on the task it was on."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._drawn: list[tuple[str, Text]] = []

    def show(self, tasks: list[InboxTask], shown_task: str | None) -> None:
        rows = [(item.id, task_label(item, item.id == shown_task)) for item in tasks]
        if rows == self._drawn:
            return
        self._drawn = rows
        highlighted = self.highlighted
        kept: str | None = None
        if highlighted is not None and highlighted < self.option_count:
            kept = self.get_option_at_index(highlighted).id
        elif self.option_count == 0:
            kept = shown_task  # the first drawing: start on the task shown
        self.set_options(Option(label, id=task_id) for task_id, label in rows)
        if kept is not None:
            with suppress(OptionDoesNotExist):
                self.highlighted = self.get_option_index(kept)
        elif highlighted is not None and self.option_count:
            self.highlighted = min(highlighted, self.option_count - 1)
