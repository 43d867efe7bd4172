"""The checks AWS makes of a definition's transitions and state names.

moto only parsed the definition: a StartAt or a Next naming a state that does not exist
was accepted (the run then failed with "No such state None"), and so were unreachable
states and state names over 80 characters. AWS refuses them with InvalidDefinition,
naming each problem with its code and location, e.g.

    Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target:
    pass3 at /States/pass1/Next, MISSING_TRANSITION_TARGET: State "pass2" is not
    reachable. at /States/pass2'

(the form AWS answers; the structure page of the Amazon States Language requires every
transition to name a state, the quotas page limits names to 80 characters).
``diagnostics()`` is also what ValidateStateMachineDefinition reports.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from sfn_tui.local import patches

MAX_STATE_NAME = 80

_installed = False


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    location: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message} at {self.location}"


def diagnostics(definition: str) -> list[Diagnostic]:
    """The transition and state-name problems of a definition (none if it is not JSON)."""
    try:
        document = json.loads(definition)
    except ValueError:
        return []
    if not isinstance(document, dict):
        return []
    found: list[Diagnostic] = []
    _check_scope(document, "", found)
    return found


def _check_scope(scope: dict[str, Any], where: str, found: list[Diagnostic]) -> None:
    """One StartAt + States scope (the machine, a Parallel branch, a Map processor)."""
    states = scope.get("States")
    if not isinstance(states, dict):
        return
    targets: list[tuple[str, str, str]] = []  # (target, field, location)
    start = scope.get("StartAt")
    if isinstance(start, str):
        targets.append((start, "Next", f"{where}/StartAt"))
    for name, state in states.items():
        at = f"{where}/States/{name}"
        if len(name) > MAX_STATE_NAME:
            found.append(
                Diagnostic(
                    "INVALID_STATE_NAME",
                    f"Invalid State name: State '{name}' exceeds the {MAX_STATE_NAME}-character"
                    " limit allowed by the service",
                    at,
                )
            )
        if not isinstance(state, dict):
            continue
        targets.extend(_transitions(state, at))
        for index, branch in enumerate(state.get("Branches") or []):
            if isinstance(branch, dict):
                _check_scope(branch, f"{at}/Branches[{index}]", found)
        for field in ("ItemProcessor", "Iterator"):
            processor = state.get(field)
            if isinstance(processor, dict):
                _check_scope(processor, f"{at}/{field}", found)
    for target, field, location in targets:
        if target not in states:
            found.append(
                Diagnostic(
                    "MISSING_TRANSITION_TARGET", f"Missing '{field}' target: {target}", location
                )
            )
    reached = _reachable(start, states)
    for name in states:
        if isinstance(start, str) and start in states and name not in reached:
            found.append(
                Diagnostic(
                    "MISSING_TRANSITION_TARGET",
                    f'State "{name}" is not reachable.',
                    f"{where}/States/{name}",
                )
            )


def _transitions(state: dict[str, Any], at: str) -> list[tuple[str, str, str]]:
    """Every state this one can go to: Next, Default, each Choice's and Catcher's Next."""
    out: list[tuple[str, str, str]] = []
    if isinstance(state.get("Next"), str):
        out.append((state["Next"], "Next", f"{at}/Next"))
    if isinstance(state.get("Default"), str):
        out.append((state["Default"], "Default", f"{at}/Default"))
    for index, rule in enumerate(state.get("Choices") or []):
        if isinstance(rule, dict) and isinstance(rule.get("Next"), str):
            out.append((rule["Next"], "Next", f"{at}/Choices[{index}]/Next"))
    for index, catcher in enumerate(state.get("Catch") or []):
        if isinstance(catcher, dict) and isinstance(catcher.get("Next"), str):
            out.append((catcher["Next"], "Next", f"{at}/Catch[{index}]/Next"))
    return out


def _reachable(start: Any, states: dict[str, Any]) -> set[str]:
    seen: set[str] = set()
    todo = [start] if isinstance(start, str) else []
    while todo:
        name = todo.pop()
        if name in seen or name not in states:
            continue
        seen.add(name)
        state = states[name]
        if isinstance(state, dict):
            todo.extend(target for target, _, _ in _transitions(state, ""))
    return seen


def message(found: list[Diagnostic]) -> str:
    """InvalidDefinition's message for these problems, as AWS words it."""
    return "Invalid State Machine Definition: '" + ", ".join(str(d) for d in found) + "'"


def install() -> None:
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    refuse_on_create(diagnostics)


def refuse_on_create(check: Callable[[str], list[Diagnostic]]) -> None:
    """Make CreateStateMachine/UpdateStateMachine refuse a definition `check` finds
    problems in (InvalidDefinition, AWS's words), before moto's own validation."""
    parser_backend: Any = import_module(
        "moto.stepfunctions.parser.models"
    ).StepFunctionsParserBackend
    InvalidDefinition: Any = import_module("moto.stepfunctions.parser.api").InvalidDefinition
    original = parser_backend._validate_definition

    def validate_definition(definition: str) -> None:
        found = check(definition)
        if found:
            raise InvalidDefinition(message(found))
        original(definition=definition)

    parser_backend._validate_definition = staticmethod(validate_definition)
