"""DescribeExecution and ListExecutions fields moto left out or got wrong.

AWS (DescribeExecution, ListExecutions API reference):

* ``output`` is JSON text: a run whose output is a string answers ``"done"`` with its
  quotes (moto answered ``done``, which is not JSON);
* ``stopDate`` is set once a run ended, TIMED_OUT included (moto left it out there);
* ``inputDetails`` (``{"included": true}``: the input is in the answer) is there, as
  ``outputDetails`` was (moto left it out; `.sync` Tasks that start a child run read it);
* ``redriveCount`` (0 until redriven), ``redriveDate`` once redriven, ``redriveStatus``
  and, when NOT_REDRIVABLE, ``redriveStatusReason`` (see ``redrive``); list items carry
  ``redriveCount`` and ``redriveDate`` too.
"""

from __future__ import annotations

import json
from importlib import import_module
from typing import Any

from sfn_tui.local import execution_index, patches, redrive

ENDED = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")

_installed = False


def describe_fields(execution: Any) -> dict[str, Any]:
    """The fields a parser execution adds to DescribeExecution."""
    out: dict[str, Any] = {
        "inputDetails": {"included": True},
        "redriveCount": redrive.redrive_count(execution),
    }
    when = redrive.redrive_date(execution)
    if when is not None:
        out["redriveDate"] = when
    status, reason = redrive.redrive_status(execution)
    out["redriveStatus"] = status
    if reason is not None:
        out["redriveStatusReason"] = reason
    if str(execution.status) in ENDED and execution.stop_date is not None:
        out["stopDate"] = execution.stop_date
    if str(execution.status) == "SUCCEEDED":
        out["output"] = json.dumps(execution.output, separators=(",", ":"), ensure_ascii=False)
    return out


def install() -> None:
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    resp_cls: Any = import_module("moto.stepfunctions.responses").StepFunctionResponse
    ParserExecution: Any = import_module("moto.stepfunctions.parser.backend.execution").Execution
    original_describe, original_list = resp_cls.describe_execution, resp_cls.list_executions

    def describe_execution_response(self: Any) -> Any:
        result = original_describe(self)
        execution = self.stepfunction_backend.describe_execution(self._get_param("executionArn"))
        if isinstance(execution, ParserExecution):
            result.result.update(describe_fields(execution))
        return result

    def list_executions_response(self: Any) -> Any:
        result = original_list(self)
        items = result.result.get("executions") or []
        if not items:
            return result
        machine = self.stepfunction_backend.describe_state_machine(
            self._get_param("stateMachineArn")
        )
        by_arn = execution_index.runs_by_arn(machine.executions)
        for item in items:
            execution = by_arn.get(item["executionArn"])
            if not isinstance(execution, ParserExecution):
                continue
            item["redriveCount"] = redrive.redrive_count(execution)
            when = redrive.redrive_date(execution)
            if when is not None:
                item["redriveDate"] = when
            if str(execution.status) in ENDED and execution.stop_date is not None:
                item["stopDate"] = execution.stop_date
        return result

    resp_cls.describe_execution = describe_execution_response
    resp_cls.list_executions = list_executions_response
