"""A Choice state that matches no rule and has no Default fails with States.NoChoiceMatched.

moto raised a Python RuntimeError there, so the run failed with States.Runtime and the
error's repr as its cause, and no Catch on States.NoChoiceMatched could fire. AWS
(Handling errors, States.NoChoiceMatched): "This runtime error occurs if a Choice state
fails to match the input with the conditions defined in the Choice Rule and no Default
transition is specified."
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from sfn_tui.local import patches

_installed = False


def install() -> None:
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    asl = "moto.stepfunctions.parser.asl"
    api: Any = import_module("moto.stepfunctions.parser.api")
    failure = import_module(f"{asl}.component.common.error_name.failure_event")
    names = f"{asl}.component.common.error_name"
    StatesErrorName: Any = import_module(f"{names}.states_error_name").StatesErrorName
    StatesErrorNameType: Any = import_module(f"{names}.states_error_name_type").StatesErrorNameType
    EventDetails: Any = import_module(f"{asl}.eval.event.event_detail").EventDetails
    StateChoice: Any = import_module(f"{asl}.component.state.choice.state_choice").StateChoice
    original = StateChoice._eval_state

    def eval_state(self: Any, env: Any) -> None:
        if self.default_state is not None:
            original(self, env)
            return
        for rule in self.choices_decl.rules:
            rule.eval(env)
            if env.stack.pop() is True:
                env.stack.append(rule.next_stmt.name)
                return
        error = StatesErrorNameType.StatesNoChoiceMatched
        raise failure.FailureEventException(
            failure_event=failure.FailureEvent(
                env=env,
                error_name=StatesErrorName(typ=error),
                event_type=api.HistoryEventType.ExecutionFailed,
                event_details=EventDetails(
                    executionFailedEventDetails=api.ExecutionFailedEventDetails(
                        error=error.to_name(),
                        cause=f"No Choice Rule matched the input of the Choice state"
                        f" '{self.name}', and it has no Default.",
                    )
                ),
            )
        )

    StateChoice._eval_state = eval_state
