"""TestState from the app: what is sent, and what the answer says. Pure: no Textual.

TestState runs one state on a given input
(https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html).
The state is sent on its own, with the machine's top-level QueryLanguage written into
it when it inherits JSONata. The role is the machine's: AWS needs one to test a Task
state (it calls the state's resource with it). Inspection levels are AWS's: INFO (status
and output), DEBUG (also each step of the input and output processing), TRACE (also the
HTTP request and response of an HTTP Task).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sfn_tui.core.history import ExecutionHistory
from sfn_tui.core.query_language import JSONATA, StatePlace, state_places
from sfn_tui.core.validation import InvalidJson, InvalidValue, check_json
from sfn_tui.core.variables import scope_at

INSPECTION_LEVELS = ("INFO", "DEBUG", "TRACE")
LEVEL_WORDS = {
    "INFO": "status and output",
    "DEBUG": "each step of the data flow",
    "TRACE": "and an HTTP Task's request and response",
}
# The inspection data in the order the data flows, with AWS's names for each step.
INSPECTION_STEPS = (
    ("input", "Input"),
    ("afterInputPath", "After InputPath"),
    ("afterParameters", "After Parameters"),
    ("afterArguments", "After Arguments"),
    ("afterItemsPath", "After ItemsPath"),
    ("afterItemSelector", "After ItemSelector"),
    ("result", "Result"),
    ("afterResultSelector", "After ResultSelector"),
    ("afterResultPath", "After ResultPath"),
    ("variables", "Variables"),
    ("request", "HTTP request"),
    ("response", "HTTP response"),
    ("errorDetails", "Error details"),
)
STATUS_WORDS = {
    "SUCCEEDED": "the state succeeded",
    "FAILED": "the state failed",
    "RETRIABLE": "the state failed with an error its Retry would retry",
    "CAUGHT_ERROR": "the state failed and its Catch caught the error",
}
NEEDS_ROLE = ("Task",)  # types AWS tests only with a role


@dataclass(frozen=True, slots=True)
class StateTestRequest:
    """A checked TestState call."""

    definition: str
    input: str
    inspection_level: str
    role_arn: str | None = None
    variables: str | None = None


@dataclass(frozen=True, slots=True)
class StateTestResult:
    """TestState's answer."""

    status: str
    output: str | None = None
    error: str | None = None
    cause: str | None = None
    next_state: str | None = None
    inspection: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_api(cls, item: Mapping[str, Any]) -> StateTestResult:
        data = item.get("inspectionData")
        inspection: dict[str, str] = {}
        if isinstance(data, Mapping):
            for key, value in data.items():
                if value is None:
                    continue
                inspection[str(key)] = (
                    value if isinstance(value, str) else json.dumps(value, default=str)
                )
        return cls(
            status=str(item.get("status") or ""),
            output=_text(item.get("output")),
            error=_text(item.get("error")),
            cause=_text(item.get("cause")),
            next_state=_text(item.get("nextState")),
            inspection=inspection,
        )

    @property
    def status_words(self) -> str:
        return STATUS_WORDS.get(self.status, self.status or "no status")

    def steps(self) -> list[tuple[str, str, str]]:
        """(key, title, value) for each step the answer has, in the data's order (the
        steps a state does not have, AWS leaves out)."""
        known = dict(INSPECTION_STEPS)
        ordered = [(key, title) for key, title in INSPECTION_STEPS if key in self.inspection]
        ordered += [(key, key) for key in self.inspection if key not in known]
        return [(key, title, self.inspection[key]) for key, title in ordered]


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, default=str)


def state_for_test(place: StatePlace) -> str:
    """The state's definition as TestState takes it: the state alone, with the query
    language it inherits written into it (TestState sees only the state)."""
    state = dict(place.definition)
    if "QueryLanguage" not in state and place.query_language == JSONATA:
        state["QueryLanguage"] = JSONATA
    return json.dumps(state, indent=2, ensure_ascii=False)


def build_request(
    place: StatePlace,
    input_text: str,
    variables_text: str,
    inspection_level: str,
    role_arn: str | None,
) -> StateTestRequest:
    """The call to make, checked here first; InvalidValue (InvalidJson naming the line
    and column) saying what to fix otherwise."""
    check_json(input_text, "input")
    variables: str | None = None
    if variables_text.strip():
        parsed = check_json(variables_text, "variables")
        if not isinstance(parsed, dict):
            raise InvalidJson(
                'The variables must be a JSON object of names and values, e.g. {"count": 1}.'
            )
        for name in parsed:
            if not name or name.startswith("$") or any(c.isspace() for c in name):
                raise InvalidJson(
                    f"The variable name {name!r} is not allowed: write it without $ and"
                    " without spaces."
                )
        variables = variables_text if parsed else None
    if inspection_level not in INSPECTION_LEVELS:
        raise InvalidValue(f"Pick an inspection level: {', '.join(INSPECTION_LEVELS)}.")
    if place.type in NEEDS_ROLE and not role_arn:
        raise InvalidValue(
            f"State {place.name!r} is a Task: AWS tests it only with a role (roleArn) that"
            " may call its resource. Pick the machine's role first."
        )
    return StateTestRequest(
        definition=state_for_test(place),
        input=input_text,
        inspection_level=inspection_level,
        role_arn=role_arn or None,
        variables=variables,
    )


def explain_error(message: str, role_arn: str | None) -> str:
    """A TestState refusal in words, with what to do about the usual ones."""
    lowered = message.lower()
    if "role" in lowered and ("assume" in lowered or "not authorized" in lowered):
        who = f"the role {role_arn}" if role_arn else "the role"
        return (
            f"{message} TestState calls the state's resource as {who}: it must trust"
            " states.amazonaws.com and allow what the state calls."
        )
    if "rolearn" in lowered or ("role" in lowered and "required" in lowered):
        return f"{message} AWS needs a role to test this state: the machine's role is used."
    if "does not support teststate" in lowered:
        return f"{message} (the endpoint has no TestState; AWS and sfn-tui --local have it)."
    return message


def state_inputs(history: ExecutionHistory) -> dict[str, str]:
    """Per state name, the input of its latest run in an execution's history."""
    inputs: dict[str, str] = {}
    for run in history.runs:
        if run.input is not None:
            inputs[run.name] = run.input
    return inputs


def state_scopes(history: ExecutionHistory, definition: str | None) -> dict[str, str]:
    """Per state name, the variables in scope when its latest run was entered, as one
    JSON object's text (states entered with none in scope are left out)."""
    places = state_places(definition) if definition else {}
    scopes: dict[str, str] = {}
    for run in history.runs:
        values = scope_at(history, run, places).values
        if values:
            scopes[run.name] = _object_text(values)
        else:
            scopes.pop(run.name, None)
    return scopes


def _object_text(values: dict[str, str]) -> str:
    """name -> JSON text, as one JSON object (a value that is not JSON kept as a string)."""
    parsed: dict[str, object] = {}
    for name, raw in values.items():
        try:
            parsed[name] = json.loads(raw)
        except (ValueError, RecursionError):
            parsed[name] = raw
    return json.dumps(parsed, indent=2, ensure_ascii=False)


def pretty_json(raw: str | None) -> str:
    """JSON text indented for a column; other text as it is."""
    if raw is None:
        return ""
    try:
        return json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):
        return raw
