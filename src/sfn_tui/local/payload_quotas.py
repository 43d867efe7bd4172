"""Size quotas: definitions of 1 MB, execution input and task output of 256 KiB.

AWS (Step Functions service quotas; CreateStateMachine, StartExecution and
SendTaskSuccess API reference):

* a definition of more than 1,048,576 characters is refused (its length constraint):
  ValidationException, worded as AWS words a length constraint;
* execution input of more than 262,144 bytes as UTF-8: InvalidExecutionInput;
* SendTaskSuccess output of more than 262,144 bytes: InvalidOutput (the task stays open);
* a state's input or output over 262,144 bytes fails the run with
  States.DataLimitExceeded (moto checks that already, but refused exactly 262,144).

moto accepted a 1.8 MB definition and a 300 KiB input.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from sfn_tui.local import patches

MAX_DEFINITION = 1_048_576
MAX_PAYLOAD = 262_144

_installed = False


def _error(code: str, message: str) -> Exception:
    from moto.core.exceptions import AWSError

    return AWSError(message, exception_type=code)


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def check_definition(definition: str | None) -> None:
    if definition is not None and len(definition) > MAX_DEFINITION:
        raise _error(
            "ValidationException",
            "1 validation error detected: Value at 'definition' failed to satisfy constraint:"
            f" Member must have length less than or equal to {MAX_DEFINITION}",
        )


def check_input(execution_input: str | None) -> None:
    if execution_input is not None and utf8_size(execution_input) > MAX_PAYLOAD:
        raise _error(
            "InvalidExecutionInput",
            f"Invalid State Machine Execution Input: the input is {utf8_size(execution_input)}"
            f" bytes; the limit is {MAX_PAYLOAD} bytes",
        )


def check_output(output: str | None) -> None:
    if output is not None and utf8_size(output) > MAX_PAYLOAD:
        raise _error(
            "InvalidOutput",
            f"Invalid Output: the output is {utf8_size(output)} bytes; the limit is"
            f" {MAX_PAYLOAD} bytes",
        )


def install() -> None:
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    parser: Any = import_module("moto.stepfunctions.parser")
    backend: Any = import_module("moto.stepfunctions.parser.models").StepFunctionsParserBackend
    quotas: Any = import_module("moto.stepfunctions.parser.quotas")

    original_create, original_update = backend.create_state_machine, backend.update_state_machine
    original_start, original_success = backend.start_execution, backend.send_task_success

    def create_state_machine(self: Any, name: str, definition: str, *args: Any, **kw: Any) -> Any:
        check_definition(definition)
        return original_create(self, name, definition, *args, **kw)

    def update_state_machine(
        self: Any, arn: str, definition: Any = None, *a: Any, **kw: Any
    ) -> Any:
        check_definition(definition)
        return original_update(self, arn, definition, *a, **kw)

    def start_execution(
        self: Any, state_machine_arn: str, name: Any = None, execution_input: Any = None, **kw: Any
    ) -> Any:
        check_input(execution_input)
        return original_start(
            self, state_machine_arn, name=name, execution_input=execution_input, **kw
        )

    def send_task_success(self: Any, task_token: str, outcome: str) -> Any:
        check_output(outcome)
        return original_success(self, task_token, outcome)

    backend.create_state_machine = create_state_machine
    backend.update_state_machine = update_state_machine
    backend.start_execution = start_execution
    backend.send_task_success = send_task_success

    def is_within_size_quota(value: Any) -> bool:  # moto's used "<": 262,144 was over
        text = value if isinstance(value, str) else quotas.to_json_str(value)
        return utf8_size(text) <= MAX_PAYLOAD

    quotas.is_within_size_quota = is_within_size_quota
    for name in (
        "asl.component.state.state",
        "asl.component.state.exec.state_task.state_task_lambda",
        "asl.component.state.exec.state_task.service.state_task_service",
    ):
        module: Any = import_module(f"{parser.__name__}.{name}")
        module.is_within_size_quota = is_within_size_quota
