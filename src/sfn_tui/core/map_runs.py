"""Distributed Map runs as an execution shows them: which definitions have one, which
Map state started which Map Run, and the few words the graph adds to that state."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from sfn_tui.aws.map_runs import MapRunDetail
from sfn_tui.core.history import ExecutionHistory


def _states(flow: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    states = flow.get("States")
    if not isinstance(states, Mapping):
        return
    for name, state in states.items():
        if not isinstance(state, Mapping):
            continue
        yield str(name), state
        for key in ("ItemProcessor", "Iterator"):
            inner = state.get(key)
            if isinstance(inner, Mapping):
                yield from _states(inner)
        for branch in state.get("Branches") or []:
            if isinstance(branch, Mapping):
                yield from _states(branch)


def distributed_map_states(definition: str | None) -> list[str]:
    """The names of the Map states in DISTRIBUTED mode (none for a definition that is
    not JSON: a JSONata or YAML one shows no Map Runs rather than an error)."""
    if not definition:
        return []
    try:
        parsed = json.loads(definition)
    except ValueError:
        return []
    if not isinstance(parsed, Mapping):
        return []
    found: list[str] = []
    for name, state in _states(parsed):
        if state.get("Type") != "Map":
            continue
        processor = state.get("ItemProcessor")
        config = processor.get("ProcessorConfig") if isinstance(processor, Mapping) else None
        if isinstance(config, Mapping) and config.get("Mode") == "DISTRIBUTED":
            found.append(name)
    return found


def map_run_states(history: ExecutionHistory) -> dict[str, str]:
    """Map Run ARN → the Map state that started it (from MapRunStarted events)."""
    found: dict[str, str] = {}
    for index in history.indices_of_type("MapRunStarted"):
        arn = history.events[index].details.get("mapRunArn")
        if isinstance(arn, str) and arn:
            found[arn] = history.state_name(index)
    return found


def graph_note(detail: MapRunDetail) -> str:
    """The Map state's note in the graph: "288✔ 12✖ 0▶ of 300"."""
    items = detail.items
    words = [f"{items.succeeded:,}✔", f"{items.failed:,}✖"]
    if items.running:
        words.append(f"{items.running:,}▶")
    if items.timed_out or items.aborted:
        words.append(f"{items.timed_out + items.aborted:,}■")
    return f"{' '.join(words)} of {items.total:,}"


def graph_notes(details: Mapping[str, MapRunDetail], states: Mapping[str, str]) -> dict[str, str]:
    """State name → note, for the Map Runs whose state is known (the latest run of a
    state that ran several times)."""
    notes: dict[str, str] = {}
    for arn, detail in details.items():
        state = states.get(arn)
        if state:
            notes[state] = graph_note(detail)
    return notes
