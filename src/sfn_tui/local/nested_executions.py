"""A Task that starts another state machine (``arn:aws:states:::states:startExecution``).

AWS ("Start a new AWS Step Functions state machine from a running execution", "Start
workflow executions from a task state", "Run a Job (.sync)"): the Task calls
StartExecution with ``StateMachineArn``, ``Input`` and ``Name``; request/response gives
StartExecution's answer (``ExecutionArn``, ``StartDate``); ``.sync`` waits for the child
run and gives its description (``ExecutionArn``, ``Input``, ``InputDetails``, ``Name``,
``Output``, ``OutputDetails``, ``StartDate``, ``StateMachineArn``, ``Status``,
``StopDate``; Input and Output as JSON text, as JSON values with ``.sync:2``), and a
child that fails, times out or is stopped fails the Task with ``States.TaskFailed``, the
description (with its ``Error`` and ``Cause``) as the cause; ``.waitForTaskToken`` waits
for SendTaskSuccess with the token the child was given.

moto 5.2.5 passed the ASL names (``StateMachineArn``...) to boto3 as they are, so every
pattern failed at once with ``States.Runtime`` (cause ``'StateMachineArn'``); its
answers kept boto3's names (``executionArn``), which ``.sync`` could not read either.
Here the request takes the API's names from botocore's model of StartExecution, and the
answers take Step Functions' (``ExecutionArn``), with dates as epoch milliseconds (as
Step Functions writes the dates of service results; the docs show no example of this
one, so this is not verified against AWS).
"""

from __future__ import annotations

import datetime
from importlib import import_module
from typing import Any

from sfn_tui.local import patches

_installed = False

# The fields of a child run's description in `.sync` results (DescribeExecution's
# documented fields as AWS's results show them; newer ones such as redrive are left out).
DESCRIBED = (
    "executionArn",
    "stateMachineArn",
    "name",
    "status",
    "startDate",
    "stopDate",
    "input",
    "inputDetails",
    "output",
    "outputDetails",
    "error",
    "cause",
)


def epoch_millis(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.UTC)
        return int(value.timestamp() * 1000)
    return value


def operation_name(action: str) -> str:
    """``start_execution`` or ``startExecution`` -> ``StartExecution``."""
    if "_" in action:
        return "".join(part.title() for part in action.split("_"))
    return action[:1].upper() + action[1:]


def install() -> None:
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    import botocore.session

    model = botocore.session.get_session().get_service_model("stepfunctions")
    Sfn: Any = import_module(
        "moto.stepfunctions.parser.asl.component.state.exec.state_task.service."
        "state_task_service_sfn"
    ).StateTaskServiceSfn
    original_parameters = Sfn._normalise_parameters

    def normalise_parameters(
        self: Any,
        parameters: dict[str, Any],
        boto_service_name: str | None = None,
        service_action_name: str | None = None,
    ) -> None:
        original_parameters(self, parameters, boto_service_name, service_action_name)
        action = operation_name(service_action_name or self.resource.api_action)
        self._to_boto_request(parameters, model.operation_model(action).input_shape)

    def normalise_response(
        self: Any,
        response: Any,
        boto_service_name: str | None = None,
        service_action_name: str | None = None,
    ) -> None:
        if not isinstance(response, dict):
            return
        action = operation_name(service_action_name or self.resource.api_action)
        if action == "DescribeExecution":
            for key in [key for key in response if key not in DESCRIBED]:
                del response[key]
        self._from_boto_response(response, model.operation_model(action).output_shape)
        for key, value in list(response.items()):
            response[key] = epoch_millis(value)

    Sfn._normalise_parameters = normalise_parameters
    Sfn._normalise_response = normalise_response
