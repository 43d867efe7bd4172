"""The States tab's words on a state's query language and variables.

Beside a state run's type, the query language the state uses (its own, else the one of
where it is; core/query_language.py); above its input and output, the variables it
assigned when it exited (its StateExited event's `assignedVariables`) and the variables
in scope when it was entered (core/variables.py follows AWS's rules for Parallel
branches and Map iterations).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rich.text import Text

from sfn_tui.core.history import ExecutionHistory, StateRun
from sfn_tui.core.query_language import StatePlace, state_places
from sfn_tui.core.variables import assigned_variables, pretty_value, scope_at
from sfn_tui.tui.formatting import plain

MAX_VARIABLES = 200  # listed per section; the rest are counted


@lru_cache(maxsize=4)
def _places(definition: str) -> dict[str, StatePlace]:
    return state_places(definition)


def places_of(definition: str | None) -> dict[str, StatePlace]:
    """Where each state of `definition` is (empty without one)."""
    return _places(definition) if definition else {}


@dataclass(frozen=True, slots=True)
class StateExtras:
    """What the States tab adds about a run: its query language ("" when the definition
    is not loaded) and its variables (assigned, and in scope when entered)."""

    language: str
    variables: Text


def state_extras(history: ExecutionHistory, run: StateRun, definition: str | None) -> StateExtras:
    """The query language and the variables of `run`."""
    places = places_of(definition)
    place = places.get(run.name)
    text = Text()
    assigned = assigned_variables(history, run)
    text.append("\nvariables assigned", style="bold")
    if not run.exited:
        text.append("  — (not exited)", style="dim")
    elif not assigned:
        text.append("  — (none)", style="dim")
    _listed(text, assigned, {})
    scope = scope_at(history, run, places)
    text.append("\nvariables in scope when entered", style="bold")
    if not scope.values:
        text.append("  — (none)", style="dim")
    _listed(text, scope.values, scope.assigned_by)
    return StateExtras(place.query_language if place is not None else "", text)


def _listed(text: Text, values: dict[str, str], assigned_by: dict[str, str]) -> None:
    for index, (name, raw) in enumerate(sorted(values.items())):
        if index == MAX_VARIABLES:
            text.append(f"\n  … and {len(values) - MAX_VARIABLES:,} more", style="dim")
            return
        text.append("\n  ")
        text.append_text(plain(f"${name}"))
        text.append(" = ")
        text.append_text(plain(pretty_value(raw)))
        by = assigned_by.get(name)
        if by:
            text.append("  from ", style="dim")
            by_text = plain(by)
            by_text.stylize("dim")
            text.append_text(by_text)
