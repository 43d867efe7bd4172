"""What the execution operations answer for EXPRESS machines and their runs.

ListExecutions, DescribeExecution, GetExecutionHistory, StopExecution and
RedriveExecution are each "not supported by EXPRESS state machines" (API reference). AWS
answers (HTTP 400):

* ListExecutions of an EXPRESS machine: StateMachineTypeNotSupported, "This operation is
  not supported by this type of state machine";
* an ``express`` execution ARN given to the others: InvalidArn, "Invalid Arn: 'Resource
  type not valid in this context: express'" (that resource type is not one these
  operations take: Service Authorization Reference).

moto listed and described Express runs as if they were Standard ones. Installed last of
the patches (``patches.PATCHES``), so that these answers come before any other patch
looks the run up.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from sfn_tui.local import patches
from sfn_tui.local.express import NOT_SUPPORTED, is_express

NOT_IN_CONTEXT = "Invalid Arn: 'Resource type not valid in this context: express'"
REFUSED_FOR_EXPRESS_RUNS = (
    "describe_execution",
    "get_execution_history",
    "stop_execution",
    "redrive_execution",
)

_installed = False


def _error(code: str, message: str) -> Exception:
    from moto.core.exceptions import AWSError

    return AWSError(message, exception_type=code)


def is_express_run(arn: Any) -> bool:
    """An ARN whose resource type is ``express`` (arn:aws:states:r:a:express:...)."""
    parts = str(arn or "").split(":")
    return len(parts) > 5 and parts[5] == "express"


def install() -> None:
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    resp_cls: Any = import_module("moto.stepfunctions.responses").StepFunctionResponse

    original_list = resp_cls.list_executions

    def list_executions_response(self: Any) -> Any:
        arn = self._get_param("stateMachineArn")
        if arn and is_express(self.stepfunction_backend.describe_state_machine(arn)):
            raise _error("StateMachineTypeNotSupported", NOT_SUPPORTED)
        return original_list(self)

    resp_cls.list_executions = list_executions_response

    for operation in REFUSED_FOR_EXPRESS_RUNS:
        original = getattr(resp_cls, operation, None)
        if original is not None:
            setattr(resp_cls, operation, _refusing(original))


def _refusing(original: Any) -> Any:
    def response(self: Any) -> Any:
        if is_express_run(self._get_param("executionArn")):
            raise _error("InvalidArn", NOT_IN_CONTEXT)
        return original(self)

    return response
