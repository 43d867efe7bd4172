"""An intrinsic function that fails raises States.IntrinsicFailure.

AWS (Handling errors, States.IntrinsicFailure): "This error occurs when the attempt to
invoke an intrinsic function within a payload template fails." moto let the Python
exception through (an index out of range, JSON that does not parse...), so the run
failed with States.Runtime and a Python repr as its cause, which no Catch can handle.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from sfn_tui.local import patches
from sfn_tui.local.failures import states_failure

_installed = False


def install() -> None:
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    asl = "moto.stepfunctions.parser.asl"
    string_expression: Any = import_module(f"{asl}.component.common.string.string_expression")
    FailureEventException: Any = import_module(
        f"{asl}.component.common.error_name.failure_event"
    ).FailureEventException
    StringIntrinsicFunction = string_expression.StringIntrinsicFunction
    original = StringIntrinsicFunction._eval_body

    def eval_body(self: Any, env: Any) -> None:
        try:
            original(self, env)
        except FailureEventException:
            raise
        except Exception as error:  # any failure of the function is IntrinsicFailure
            raise states_failure(
                env,
                "States.IntrinsicFailure",
                f"Invalid arguments in {self.intrinsic_function_derivation}: {error}",
            ) from error

    StringIntrinsicFunction._eval_body = eval_body
