"""RedriveExecution, as the API reference and "Restarting state machine executions with
redrive" define it.

moto did not implement it (HTTP 500). Here:

* FAILED, TIMED_OUT and ABORTED runs are redrivable for 14 days after they ended, while
  their history has fewer than 24,999 events; otherwise ExecutionNotRedrivable, with
  the reason DescribeExecution's redriveStatusReason gives;
* a redrive appends ExecutionRedriven (executionRedrivenEventDetails.redriveCount) to
  the same history, under the same ARN and definition, and continues from the top-level
  state that did not succeed, with the input that state had: the states that succeeded
  are not run again; the state machine's TimeoutSeconds starts again;
* DescribeExecution then shows RUNNING, redriveCount and redriveDate; the context object
  has Execution.RedriveCount (0 before any redrive);
* the last 10 clientTokens of successful redrives get the same answer again.

Differences: a failed Parallel or inline Map state is run again whole (AWS reruns only
its failed branches or iterations), and Map Runs cannot be redriven on their own.
"""

from __future__ import annotations

import copy
import datetime
import threading
from collections import OrderedDict
from importlib import import_module
from typing import Any

from sfn_tui.local import history_quota, patches

REDRIVABLE_DAYS = 14
MAX_HISTORY = 24_999
TOKENS_KEPT = 10
REDRIVABLE_STATUSES = ("FAILED", "TIMED_OUT", "ABORTED")

_installed = False


def _error(code: str, message: str) -> Exception:
    from moto.core.exceptions import AWSError

    return AWSError(message, exception_type=code)


def _history_size(execution: Any) -> int:
    env = getattr(execution.exec_worker, "env", None)
    manager = getattr(env, "event_manager", None)
    return len(getattr(manager, "_history_event_list", []))


def redrive_status(execution: Any, now: datetime.datetime | None = None) -> tuple[str, str | None]:
    """(redriveStatus, redriveStatusReason) of an execution, as DescribeExecution shows it."""
    status = str(execution.status)
    if status not in REDRIVABLE_STATUSES:
        return "NOT_REDRIVABLE", f"Execution is {status} and cannot be redriven."
    now = now or datetime.datetime.now(tz=datetime.UTC)
    stop_date = execution.stop_date
    if stop_date is not None and stop_date.tzinfo is None:  # moto's own stop: naive UTC
        stop_date = stop_date.replace(tzinfo=datetime.UTC)
    if stop_date is not None and now - stop_date > datetime.timedelta(days=REDRIVABLE_DAYS):
        return "NOT_REDRIVABLE", "Execution redrivable period exceeded."
    if _history_size(execution) >= MAX_HISTORY:
        return "NOT_REDRIVABLE", "Execution history event limit exceeded."
    return "REDRIVABLE", None


def redrive_count(execution: Any) -> int:
    return int(getattr(execution, "_sfn_tui_redrive_count", 0))


def redrive_date(execution: Any) -> datetime.datetime | None:
    return getattr(execution, "_sfn_tui_redrive_date", None)


def install() -> None:
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    asl = "moto.stepfunctions.parser.asl"
    api: Any = import_module("moto.stepfunctions.parser.api")
    ActionResult: Any = import_module("moto.core.responses").ActionResult
    resp_cls: Any = import_module("moto.stepfunctions.responses").StepFunctionResponse
    ParserExecution: Any = import_module("moto.stepfunctions.parser.backend.execution").Execution
    CommonStateField: Any = import_module(f"{asl}.component.state.state").CommonStateField
    EvalComponent: Any = import_module(f"{asl}.component.eval_component").EvalComponent
    EventHistoryContext: Any = import_module(f"{asl}.eval.event.event_manager").EventHistoryContext
    EventDetails: Any = import_module(f"{asl}.eval.event.event_detail").EventDetails
    TMP_THREADS: Any = import_module("moto.stepfunctions.parser.utils").TMP_THREADS

    # The context object has Execution.RedriveCount from the start (0 until redriven).
    ExecutionWorker: Any = import_module(
        "moto.stepfunctions.parser.backend.execution_worker"
    ).ExecutionWorker
    original_environment = ExecutionWorker._get_evaluation_environment

    def get_evaluation_environment(self: Any) -> Any:
        env = original_environment(self)
        env.states.context_object.context_object_data["Execution"]["RedriveCount"] = 0
        return env

    ExecutionWorker._get_evaluation_environment = get_evaluation_environment

    # Remember, in the execution's own environment, the top-level state being run and
    # the input it had: that is where a redrive continues.
    original_eval = EvalComponent.eval

    def state_eval(self: Any, env: Any) -> None:
        if not env.is_frame() and env.is_running():
            env._sfn_tui_current = (self.name, copy.deepcopy(env.states.get_input()))
        original_eval(self, env)

    CommonStateField.eval = state_eval

    def run_from(worker: Any, env: Any, state_name: str) -> None:
        """Evaluate the program from `state_name` (Program.eval starts at StartAt)."""
        program = worker._get_evaluation_entrypoint()
        timeout = program.timeout_seconds.timeout_seconds if program.timeout_seconds else None
        thread = threading.Thread(target=original_eval, args=(program, env), daemon=True)
        TMP_THREADS.append(thread)
        thread.start()
        thread.join(timeout=timeout)
        if thread.is_alive():
            env.set_timed_out()
        worker._execution_communication.terminated()

    def redrive(execution: Any, client_token: str | None) -> datetime.datetime:
        tokens: OrderedDict[str, datetime.datetime] = execution.__dict__.setdefault(
            "_sfn_tui_redrive_tokens", OrderedDict()
        )
        if client_token and client_token in tokens:
            return tokens[client_token]
        status, reason = redrive_status(execution)
        if status != "REDRIVABLE":
            raise _error("ExecutionNotRedrivable", str(reason))
        worker = execution.exec_worker
        old_env = worker.env
        state_name, state_input = getattr(old_env, "_sfn_tui_current", (None, None))
        if state_name is None:  # it failed before its first state: start over
            state_name = worker._get_evaluation_entrypoint().start_at.start_at_name
            state_input = copy.deepcopy(execution.input_data)
        now = datetime.datetime.now(tz=datetime.UTC)
        count = redrive_count(execution) + 1

        env = worker._get_evaluation_environment()
        manager = old_env.event_manager
        env.event_manager = manager
        history_quota.watch(env)
        with manager._mutex:
            last_id = manager._history_event_list[-1]["id"] if manager._history_event_list else 0
        env.event_history_context = EventHistoryContext(previous_event_id=last_id)
        env.states.context_object.context_object_data["Execution"]["RedriveCount"] = count
        env.states.reset(input_value=state_input)
        env.next_state_name = state_name  # the program is running from here on

        execution._sfn_tui_redrive_count = count
        execution._sfn_tui_redrive_date = now
        execution.exec_status = api.ExecutionStatus.RUNNING
        execution.stop_date = execution.output = execution.error = execution.cause = None
        manager.add_event(
            context=env.event_history_context,
            event_type=api.HistoryEventType.ExecutionRedriven,
            event_details=EventDetails(executionRedrivenEventDetails={"redriveCount": count}),
        )
        worker.env = env
        thread = threading.Thread(
            target=run_from, args=(worker, env, state_name), daemon=True, name="sfn-tui-redrive"
        )
        TMP_THREADS.append(thread)
        thread.start()
        if client_token:
            tokens[client_token] = now
            while len(tokens) > TOKENS_KEPT:
                tokens.popitem(last=False)
        return now

    def redrive_execution_response(self: Any) -> Any:
        execution = self.stepfunction_backend.describe_execution(self._get_param("executionArn"))
        if not isinstance(execution, ParserExecution):
            raise _error("ExecutionNotRedrivable", "Execution is not redrivable.")
        return ActionResult({"redriveDate": redrive(execution, self._get_param("clientToken"))})

    resp_cls.redrive_execution = redrive_execution_response
