"""Which query language each state of a definition uses, and where each state lives.

A state's `QueryLanguage` field wins; otherwise it inherits the definition's top-level
`QueryLanguage`, which defaults to JSONPath. The states of a Parallel branch or a Map's
ItemProcessor inherit the top level too (AWS: "States within a Map or Parallel ... use
the top-level QueryLanguage unless they set their own";
https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html).

State names are unique in the whole machine (Amazon States Language), so a name says
where a state is: `state_places` tells, for each, the Parallel/Map state and branch it
runs in (its variable scope) and its own definition (what TestState is given).
Pure: no I/O, no Textual.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

JSONPATH = "JSONPath"
JSONATA = "JSONata"
LANGUAGES = (JSONPATH, JSONATA)
MAX_DEPTH = 50  # nesting of Parallel/Map followed


@dataclass(frozen=True, slots=True)
class StatePlace:
    """Where a state is: its definition, its query language, and the Parallel or Map
    state (and branch) whose scope it runs in (None at the top level)."""

    name: str
    definition: Mapping[str, Any]
    query_language: str
    parent: str | None = None
    branch: int = 0

    @property
    def type(self) -> str:
        kind = self.definition.get("Type")
        return kind if isinstance(kind, str) else "?"


def loaded(definition: str | Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The definition as an object, or None when it is not one (not JSON, not an object)."""
    if isinstance(definition, Mapping):
        return definition
    try:
        data = json.loads(definition)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, Mapping) else None


def top_language(definition: Mapping[str, Any]) -> str:
    value = definition.get("QueryLanguage")
    return value if value in LANGUAGES else JSONPATH


def state_places(definition: str | Mapping[str, Any]) -> dict[str, StatePlace]:
    """Every state of the definition (nested ones included) by name; empty when the
    definition cannot be read."""
    data = loaded(definition)
    if data is None:
        return {}
    top = top_language(data)
    return {place.name: place for place in _walk(data, top, None, 0, 0)}


def _walk(
    flow: Mapping[str, Any], top: str, parent: str | None, branch: int, depth: int
) -> Iterator[StatePlace]:
    states = flow.get("States")
    if not isinstance(states, Mapping) or depth > MAX_DEPTH:
        return
    for name, state in states.items():
        if not isinstance(state, Mapping):
            continue
        own = state.get("QueryLanguage")
        language = own if own in LANGUAGES else top
        yield StatePlace(str(name), state, language, parent, branch)
        kind = state.get("Type")
        if kind == "Parallel":
            branches = state.get("Branches")
            for index, inner in enumerate(branches if isinstance(branches, list) else []):
                if isinstance(inner, Mapping):
                    yield from _walk(inner, top, str(name), index, depth + 1)
        elif kind == "Map":
            processor = state.get("ItemProcessor") or state.get("Iterator")
            if isinstance(processor, Mapping):
                yield from _walk(processor, top, str(name), 0, depth + 1)


def query_languages(definition: str | Mapping[str, Any]) -> dict[str, str]:
    """Each state's query language by name."""
    return {name: place.query_language for name, place in state_places(definition).items()}


def uses_jsonata(definition: str | Mapping[str, Any]) -> bool:
    """Whether any state of the definition uses JSONata."""
    return any(language == JSONATA for language in query_languages(definition).values())
