"""A ResultPath that cannot be applied to the state's input: States.ResultPathMatchFailure.

AWS (Handling errors, States.ResultPathMatchFailure): "A state's ResultPath field cannot
be applied to the input the state received." moto let jsonpath_ng's TypeError through
(e.g. a ResultPath of ``$.a.b`` where ``$.a`` is a string): States.Runtime, a Python
repr as the cause, and no Catch could handle it.
"""

from __future__ import annotations

import json
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
    ResultPath: Any = import_module(
        "moto.stepfunctions.parser.asl.component.common.path.result_path"
    ).ResultPath
    original = ResultPath._eval_body

    def eval_body(self: Any, env: Any) -> None:
        try:
            original(self, env)
        except (TypeError, AttributeError, KeyError, IndexError, ValueError) as error:
            state_input = json.dumps(env.states.get_input(), default=str)
            raise states_failure(
                env,
                "States.ResultPathMatchFailure",
                f"Unable to apply ResultPath {self.result_path_src} to input {state_input}",
            ) from error

    ResultPath._eval_body = eval_body
