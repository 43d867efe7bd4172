"""Which query language each state of a definition uses, and where each state lives.

A state's `QueryLanguage` field wins; otherwise it inherits the language of where it is:
the definition's top-level `QueryLanguage` (JSONPath when there is none), or inside a
Parallel branch or a Map's ItemProcessor, that Parallel or Map state's language (a branch
may set its own). A state can move from JSONPath to JSONata, never back: inside JSONata
a state may not set JSONPath
(https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html; the engine
refuses it too: "Cannot downgrade from JSONata context to a JSONPath context").

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
    """The states of `flow`, whose states inherit `top` unless they set their own."""
    states = flow.get("States")
    if not isinstance(states, Mapping) or depth > MAX_DEPTH:
        return
    for name, state in states.items():
        if not isinstance(state, Mapping):
            continue
        language = declared(state, top)
        yield StatePlace(str(name), state, language, parent, branch)
        for index, inner in enumerate(inner_flows(state)):
            yield from _walk(inner, declared(inner, language), str(name), index, depth + 1)


def declared(node: Mapping[str, Any], inherited: str) -> str:
    """The query language a state (or a branch) declares, else the one it inherits."""
    own = node.get("QueryLanguage")
    return own if own in LANGUAGES else inherited


def inner_flows(state: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A Parallel state's branches, a Map state's processor; none for other states."""
    kind = state.get("Type")
    if kind == "Parallel":
        branches = state.get("Branches")
        return [b for b in branches if isinstance(b, Mapping)] if isinstance(branches, list) else []
    if kind == "Map":
        processor = state.get("ItemProcessor") or state.get("Iterator")
        return [processor] if isinstance(processor, Mapping) else []
    return []


def query_languages(definition: str | Mapping[str, Any]) -> dict[str, str]:
    """Each state's query language by name."""
    return {name: place.query_language for name, place in state_places(definition).items()}


def uses_jsonata(definition: str | Mapping[str, Any]) -> bool:
    """Whether any state of the definition uses JSONata."""
    return any(language == JSONATA for language in query_languages(definition).values())
