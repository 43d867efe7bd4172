"""Names of state machines, activities and executions, checked as AWS checks them.

moto's engine named an unnamed execution ``None`` (so the second unnamed start of a
machine failed with ExecutionAlreadyExists) and checked no execution name at all; state
machine and activity names missed most of the forbidden characters. AWS (StartExecution
and CreateStateMachine API reference, Step Functions quotas):

* no name on StartExecution: a UUID;
* more than 80 characters: ValidationException, "1 validation error detected: Value
  '...' at 'name' failed to satisfy constraint: Member must have length less than or
  equal to 80";
* white space, ``< > { } [ ] ? * " # % \\ ^ | ~ ` $ & , ; : /``, control characters
  (U+0000-001F, U+007F-009F, U+FFFE-FFFF), surrogates: InvalidName, "Invalid Name: '...'".
"""

from __future__ import annotations

import uuid
from importlib import import_module
from typing import Any

from sfn_tui.local import patches

MAX_NAME = 80
FORBIDDEN = frozenset(' <>{}[]?*"#%\\^|~`$&,;:/')

_installed = False


def name_problem(name: str) -> tuple[str, str] | None:
    """(error code, message) AWS answers for this name, or None when it is fine."""
    if len(name) > MAX_NAME:
        return (
            "ValidationException",
            f"1 validation error detected: Value '{name}' at 'name' failed to satisfy"
            f" constraint: Member must have length less than or equal to {MAX_NAME}",
        )
    for char in name:
        code = ord(char)
        if (
            char in FORBIDDEN
            or char.isspace()
            or code <= 0x1F
            or 0x7F <= code <= 0x9F
            or 0xD800 <= code <= 0xDFFF
            or code in (0xFFFE, 0xFFFF, 0x10FFFF)
        ):
            return "InvalidName", f"Invalid Name: '{name}'"
    return None


def check_name(name: str) -> None:
    """Raise the AWS error for a name AWS refuses."""
    from moto.core.exceptions import AWSError

    problem = name_problem(name)
    if problem is not None:
        code, message = problem
        raise AWSError(message, exception_type=code)


def install() -> None:
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    backend_cls: Any = import_module("moto.stepfunctions.models").StepFunctionBackend
    parser_backend: Any = import_module(
        "moto.stepfunctions.parser.models"
    ).StepFunctionsParserBackend

    def validate_name(self: Any, name: str) -> None:
        check_name(name)

    backend_cls._validate_name = validate_name  # create_state_machine, create_activity

    original_start = parser_backend.start_execution

    def start_execution(
        self: Any,
        state_machine_arn: str,
        name: str | None = None,
        execution_input: str | None = None,
        trace_header: str | None = None,
    ) -> Any:
        if name:
            check_name(name)
        else:
            name = str(uuid.uuid4())
        return original_start(
            self,
            state_machine_arn,
            name=name,
            execution_input=execution_input,
            trace_header=trace_header,
        )

    parser_backend.start_execution = start_execution
