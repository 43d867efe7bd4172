"""Definition checks on CreateStateMachine/UpdateStateMachine, and
ValidateStateMachineDefinition."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.conformance.support import Conformance, error_code, error_message

CREATE_API = (
    "https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html"
)
UPDATE_API = (
    "https://docs.aws.amazon.com/step-functions/latest/apireference/API_UpdateStateMachine.html"
)
VALIDATE_API = (
    "https://docs.aws.amazon.com/step-functions/latest/apireference/"
    "API_ValidateStateMachineDefinition.html"
)
STRUCTURE_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html"
GOOD = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
MISSING_NEXT = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}
MISSING_START = {"StartAt": "Nowhere", "States": {"A": {"Type": "Pass", "End": True}}}


def refused(conf: Conformance, definition: object) -> pytest.ExceptionInfo[ClientError]:
    with pytest.raises(ClientError) as excinfo:
        conf.machine(definition)  # type: ignore[arg-type]
    return excinfo


def test_next_naming_a_missing_state_is_invalid_definition(conf: Conformance) -> None:
    # CREATE_API: InvalidDefinition; STRUCTURE_DOC: Next must name a state of States.
    excinfo = refused(conf, MISSING_NEXT)
    assert error_code(excinfo) == "InvalidDefinition"
    message = error_message(excinfo)
    assert "MISSING_TRANSITION_TARGET" in message
    assert "Nowhere" in message and "/States/A/Next" in message


def test_start_at_naming_a_missing_state_is_invalid_definition(conf: Conformance) -> None:
    # STRUCTURE_DOC: StartAt must name one of the states.
    excinfo = refused(conf, MISSING_START)
    assert error_code(excinfo) == "InvalidDefinition"
    assert "Nowhere" in error_message(excinfo) and "/StartAt" in error_message(excinfo)


def test_catch_next_naming_a_missing_state_is_invalid_definition(conf: Conformance) -> None:
    # STRUCTURE_DOC: every transition (here a Catcher's Next) must name a state.
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [GOOD],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Gone"}],
                "End": True,
            }
        },
    }
    excinfo = refused(conf, definition)
    assert error_code(excinfo) == "InvalidDefinition"
    assert "Gone" in error_message(excinfo)


def test_unreachable_state_is_invalid_definition(conf: Conformance) -> None:
    # STRUCTURE_DOC: every state must be reachable from StartAt.
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Succeed"}, "Orphan": {"Type": "Succeed"}},
    }
    excinfo = refused(conf, definition)
    assert error_code(excinfo) == "InvalidDefinition"
    assert "Orphan" in error_message(excinfo)


def test_update_with_a_missing_target_is_invalid_definition(conf: Conformance) -> None:
    # UPDATE_API: the same checks as CreateStateMachine; the machine is unchanged.
    machine = conf.machine(GOOD)
    with pytest.raises(ClientError) as excinfo:
        conf.sfn.update_state_machine(stateMachineArn=machine, definition=json.dumps(MISSING_NEXT))
    assert error_code(excinfo) == "InvalidDefinition"
    described = conf.sfn.describe_state_machine(stateMachineArn=machine)
    assert json.loads(described["definition"]) == GOOD


def test_validate_ok(conf: Conformance) -> None:
    # VALIDATE_API: result OK and no diagnostics for a definition that can be created.
    out = conf.sfn.validate_state_machine_definition(definition=json.dumps(GOOD))
    assert (out["result"], out["diagnostics"], out["truncated"]) == ("OK", [], False)


def test_validate_missing_target(conf: Conformance) -> None:
    # VALIDATE_API: result FAIL with ERROR diagnostics: code, message and location
    # (/States/<StateName>/<FieldName>).
    out = conf.sfn.validate_state_machine_definition(definition=json.dumps(MISSING_NEXT))
    assert out["result"] == "FAIL"
    assert out["diagnostics"], out
    first = out["diagnostics"][0]
    assert first["severity"] == "ERROR"
    assert first["code"] == "MISSING_TRANSITION_TARGET"
    assert "Nowhere" in first["message"]
    assert first["location"] == "/States/A/Next"


def test_validate_not_json(conf: Conformance) -> None:
    # VALIDATE_API: a definition that is not JSON is a FAIL with a diagnostic, not an error.
    out = conf.sfn.validate_state_machine_definition(definition="not a definition")
    assert out["result"] == "FAIL"
    assert out["diagnostics"][0]["severity"] == "ERROR"
    assert out["diagnostics"][0]["code"]


def test_validate_schema_error(conf: Conformance) -> None:
    # VALIDATE_API: a state with an unknown Type is a FAIL.
    bad = {"StartAt": "A", "States": {"A": {"Type": "Bogus", "End": True}}}
    out = conf.sfn.validate_state_machine_definition(definition=json.dumps(bad))
    assert out["result"] == "FAIL"
    assert out["diagnostics"][0]["code"] == "SCHEMA_VALIDATION_FAILED"
