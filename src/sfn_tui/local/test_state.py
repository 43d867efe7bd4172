"""TestState: run one state with a given input (and variables) and answer its output,
next state, error and, at DEBUG/TRACE, how each field transformed the data.

moto has LocalStack's TestState machinery (``backend/test_state``) but no route to it:
the API answered HTTP 500. ``install()`` adds the action to moto's server, after AWS's
API reference (https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html)
and "Using TestState" (https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html):

* ``definition`` is one state's definition, or a whole machine with ``stateName``;
* ``input`` and ``variables`` are JSON text (a state that reads ``$x`` gets it from
  ``variables``); a malformed one is InvalidExecutionInput, a malformed definition
  InvalidDefinition;
* INFO answers status, output, nextState, error and cause; DEBUG and TRACE add
  ``inspectionData`` (input, afterInputPath, afterParameters/afterArguments, result,
  afterResultSelector, afterResultPath, variables);
* Map and Parallel states are refused (ValidationException): LocalStack's TestState
  runs one state of the other types only;
* a Task state that would call a real resource (anything but a Lambda function of the
  embedded engine) is refused with ValidationException: the local engine has no AWS
  behind it.
"""

from __future__ import annotations

import datetime
import json
import threading
from importlib import import_module
from typing import Any

from sfn_tui.local import patches

_installed = False
_pending = threading.local()  # .variables: the variables of the TestState being started

LOCAL_TASK_RESOURCES = ("arn:aws:states:::lambda:invoke", "arn:aws:lambda:")


def _error(code: str, message: str) -> Exception:
    from moto.core.exceptions import AWSError

    return AWSError(message, exception_type=code)


def _json(text: str | None, what: str, default: Any) -> Any:
    if text is None or text == "":
        return default
    try:
        return json.loads(text)
    except ValueError as error:
        raise _error("InvalidExecutionInput", f"Invalid {what}: {error}") from None


def state_definition(definition: str, state_name: str | None) -> dict[str, Any]:
    """The one state to test, from ``definition`` (and ``stateName``)."""
    try:
        document = json.loads(definition)
    except ValueError as error:
        raise _error("InvalidDefinition", f"Invalid State Machine Definition: {error}") from None
    if not isinstance(document, dict):
        raise _error("InvalidDefinition", "Invalid State Machine Definition: not a JSON object")
    if "States" not in document:
        if state_name:
            raise _error("InvalidDefinition", "stateName needs a state machine definition")
        return document
    states = document.get("States")
    name = state_name or document.get("StartAt")
    if not isinstance(states, dict) or name not in states or not isinstance(states[name], dict):
        raise _error("ValidationException", f"State '{name}' does not exist in the definition")
    state = dict(states[name])
    if "QueryLanguage" in document and "QueryLanguage" not in state:
        state["QueryLanguage"] = document["QueryLanguage"]
    return state


RUNNABLE_TYPES = ("Task", "Pass", "Wait", "Choice", "Succeed", "Fail")


def _check_runnable(state: dict[str, Any]) -> None:
    kind = state.get("Type")
    if kind not in RUNNABLE_TYPES:
        raise _error(
            "ValidationException",
            f"TestState on the local engine runs {', '.join(RUNNABLE_TYPES)} states, not {kind}.",
        )
    if kind != "Task":
        return
    resource = str(state.get("Resource", ""))
    if not resource.startswith(LOCAL_TASK_RESOURCES) or resource.endswith(
        (".sync", ".sync:2", ".waitForTaskToken")
    ):
        raise _error(
            "ValidationException",
            f"TestState cannot call the resource '{resource}' on the local engine: only "
            "Lambda functions of the local engine (request/response) can be called.",
        )


def install() -> None:
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    parser = "moto.stepfunctions.parser"
    ActionResult: Any = import_module("moto.core.responses").ActionResult
    resp_cls: Any = import_module("moto.stepfunctions.responses").StepFunctionResponse
    execution: Any = import_module(f"{parser}.backend.test_state.execution")
    worker: Any = import_module(f"{parser}.backend.test_state.execution_worker")
    TestStateMachine: Any = import_module(f"{parser}.backend.state_machine").TestStateMachine
    analyser: Any = import_module(f"{parser}.asl.static_analyser.test_state.test_state_analyser")
    original_env = worker.TestStateExecutionWorker._get_evaluation_environment

    def evaluation_environment(self: Any) -> Any:
        env = original_env(self)
        variables: dict[str, Any] = getattr(_pending, "variables", None) or {}
        for name, value in variables.items():
            env.variable_store.set(variable_identifier=name, variable_value=value)
        env.variable_store.reset_tracing()
        return env

    worker.TestStateExecutionWorker._get_evaluation_environment = evaluation_environment

    def test_state(self: Any) -> Any:
        state = state_definition(
            str(self._get_param("definition") or ""), self._get_param("stateName")
        )
        payload = _json(self._get_param("input"), "input", {})
        variables = _json(self._get_param("variables"), "variables", {})
        if not isinstance(variables, dict):
            raise _error("InvalidExecutionInput", "variables must be a JSON object")
        level = str(self._get_param("inspectionLevel") or "INFO")
        if level not in ("INFO", "DEBUG", "TRACE"):
            raise _error("ValidationException", f"Invalid inspectionLevel: {level}")
        _check_runnable(state)
        runnable = dict(state)
        if "Next" in runnable:  # the engine runs the one state as the end of a program
            del runnable["Next"]
            runnable["End"] = True
        text = json.dumps(runnable)
        try:
            analyser.TestStateStaticAnalyser().analyse(text)
        except Exception as error:  # the parser or the analyser refuses it: in words
            raise _error(
                "InvalidDefinition", f"Invalid State Machine Definition: {error}"
            ) from None
        account, region = self.current_account, self.region
        name = f"TestState-{datetime.datetime.now().strftime('%Y%m%d%H%M%S%f')}"
        machine_arn = f"arn:aws:states:{region}:{account}:stateMachine:{name}"
        role = str(self._get_param("roleArn") or f"arn:aws:iam::{account}:role/TestState")
        machine = TestStateMachine(name=name, arn=machine_arn, role_arn=role, definition=text)
        run = execution.TestStateExecution(
            name=name,
            role_arn=role,
            exec_arn=f"arn:aws:states:{region}:{account}:execution:{name}:{name}",
            account_id=account,
            region_name=region,
            state_machine=machine,
            start_date=datetime.datetime.now(tz=datetime.UTC),
            input_data=json.dumps(payload),
            activity_store={},
        )
        _pending.variables = variables
        try:
            run.start()
        finally:
            _pending.variables = None
        out = dict(run.to_test_state_output(inspection_level=level))
        if out.get("status") == "SUCCEEDED" and "nextState" not in out and state.get("Next"):
            out["nextState"] = state["Next"]
        env = run.exec_worker.env
        if level in ("DEBUG", "TRACE"):
            data = dict(out.get("inspectionData") or {})
            if state.get("QueryLanguage") == "JSONata" and "afterParameters" in data:
                data["afterArguments"] = data.pop("afterParameters")
            scope = {**env.variable_store._outer_scope, **env.variable_store._inner_scope}
            data["variables"] = json.dumps(scope, separators=(",", ":"))
            out["inspectionData"] = data
        else:
            out.pop("inspectionData", None)
        return ActionResult(out)

    resp_cls.test_state = test_state
