"""What an empty pane says: what is empty, why, and the key that changes it.

Pure text (no Textual): the dashboard picks the sentence, `KeyedTable` draws it where
the rows would be.
"""

from __future__ import annotations

from sfn_tui.tui.formatting import visible


def machines_empty(region: str, filter_text: str) -> str:
    if filter_text:
        return f"No state machine names contain “{visible(filter_text)}” — / to change the filter"
    return f"No state machines in {region} — a to create one"


def activities_empty(region: str, filter_text: str) -> str:
    if filter_text:
        return f"No activity names contain “{visible(filter_text)}” — / to change the filter"
    return f"No activities in {region} — a (here) to create one"


def executions_empty(
    machine: str | None, status_filter: str | None, filter_text: str, more_on_service: bool
) -> str:
    if machine is None:
        return "Select a state machine to see its executions"
    name = visible(machine)
    if filter_text:
        where = " loaded so far (End loads older ones)" if more_on_service else ""
        return f"No executions of {name}{where} have “{visible(filter_text)}” in their name"
    if status_filter:
        return f"No {status_filter} executions of {name} — f to change the filter"
    return f"{name} has no executions yet — s to start one"


def activity_tasks(worked: bool, waiting: int, *, read_only: bool = False) -> str:
    """The activities pane's footnote on the selected activity's tasks."""
    if not worked:
        if read_only:
            return "Not worked — read-only mode claims no task"
        return "Not worked — w to claim its tasks"
    if not waiting:
        return "Worked — no task waiting"
    plural = "s" if waiting > 1 else ""
    return f"{waiting} task{plural} waiting — c to answer"
