"""A Distributed Map's child workflow executions, as AWS lists and describes them.

moto 5.2.5 runs each item of a Distributed Map in a thread with a throwaway event
manager: the children have no ARN, no status and no history, ``ListExecutions`` with a
``mapRunArn`` raises TypeError, and DescribeMapRun's counters drift (a failed child stays
"running", nothing is ever "pending"). AWS (ListExecutions, DescribeMapRun, UpdateMapRun
API references; "Examining Map Run" in the Developer Guide) answers:

- each item runs as a child workflow execution named by a UUID, whose ARN is the Map
  Run's state machine ARN with ``execution`` for its resource type:
  ``arn:aws:states:<region>:<account>:execution:<machine>/<label>:<uuid>``;
- ``ListExecutions(mapRunArn=…)`` lists them, newest first, with ``statusFilter``,
  ``redriveFilter``, ``maxResults`` (0 means 100, at most 1000) and ``nextToken``, each
  with its ``mapRunArn`` and ``itemCount``; a ``stateMachineArn`` with it is refused;
- DescribeExecution and GetExecutionHistory answer for a child like any execution, and
  DescribeStateMachineForExecution gives the ItemProcessor's definition;
- DescribeMapRun's ``itemCounts`` and ``executionCounts`` count the children by status;
- UpdateMapRun refuses values out of range with a ValidationException.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import threading
import uuid
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from sfn_tui.local import patches
from sfn_tui.local.history_paging import make_page, page_size

STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")
REDRIVE_FILTERS = ("REDRIVEN", "NOT_REDRIVEN")
ENDED = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")
UNSUCCESSFUL = ("FAILED", "TIMED_OUT", "ABORTED")

_installed = False
_lock = threading.Lock()


def _error(code: str, message: str) -> Exception:
    from moto.core.exceptions import AWSError

    return AWSError(message, exception_type=code)


def _now() -> datetime.datetime:
    return datetime.datetime.now(tz=datetime.UTC)


@dataclass(slots=True)
class Child:
    """One child workflow execution of a Map Run. Once it has ended its history is kept
    as one JSON string: a Map Run of 10,000 items would otherwise keep a million small
    objects alive, and Python's garbage collector would slow the whole process down."""

    arn: str
    name: str
    state_machine_arn: str  # the Map Run's: <machine>/<label>
    map_run_arn: str
    index: int  # order of creation within its Map Run
    item_index: int  # the item's position in the Map state's items
    input: str
    events: Any  # its own moto EventManager while it runs; None once ended
    start_date: datetime.datetime = field(default_factory=_now)
    status: str = "RUNNING"
    stop_date: datetime.datetime | None = None
    output: str | None = None
    error: str | None = None
    cause: str | None = None
    history_json: str = ""  # its events, once it has ended

    def history(self) -> list[dict[str, Any]]:
        if self.events is not None:
            return list(self.events.get_event_history())
        events: list[dict[str, Any]] = json.loads(self.history_json or "[]")
        return events

    def list_item(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "executionArn": self.arn,
            "stateMachineArn": self.state_machine_arn,
            "name": self.name,
            "status": self.status,
            "startDate": self.start_date,
            "mapRunArn": self.map_run_arn,
            "itemCount": 1,
            "redriveCount": 0,
        }
        if self.stop_date is not None:
            item["stopDate"] = self.stop_date
        return item

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "executionArn": self.arn,
            "stateMachineArn": self.state_machine_arn,
            "name": self.name,
            "status": self.status,
            "startDate": self.start_date,
            "input": self.input,
            "inputDetails": {"included": True},
            "mapRunArn": self.map_run_arn,
            "redriveCount": 0,
            # DescribeExecution API reference: a failed child can be redriven by its Map Run
            "redriveStatus": "REDRIVABLE_BY_MAP_RUN"
            if self.status in UNSUCCESSFUL
            else "NOT_REDRIVABLE",
        }
        if self.stop_date is not None:
            out["stopDate"] = self.stop_date
        if self.output is not None:
            out["output"] = self.output
            out["outputDetails"] = {"included": True}
        if self.error is not None:
            out["error"] = self.error
        if self.cause is not None:
            out["cause"] = self.cause
        return out


@dataclass
class RunChildren:
    """The children of one Map Run, and what it knows of its items."""

    map_run_arn: str
    state_machine_arn: str
    parent_arn: str
    state_name: str
    total_items: int = 0
    children: list[Child] = field(default_factory=list)

    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        """(itemCounts, executionCounts), counted from the children."""
        by: dict[str, int] = dict.fromkeys((*ENDED, "RUNNING"), 0)
        for child in list(self.children):
            by[child.status] = by.get(child.status, 0) + 1
        started = len(self.children)

        def shaped(total: int, pending: int) -> dict[str, int]:
            return {
                "pending": pending,
                "running": by["RUNNING"],
                "succeeded": by["SUCCEEDED"],
                "failed": by["FAILED"],
                "timedOut": by["TIMED_OUT"],
                "aborted": by["ABORTED"],
                "total": total,
                "resultsWritten": by["SUCCEEDED"],
                # failed children stay redrivable by their Map Run (REDRIVABLE_BY_MAP_RUN)
                "failuresNotRedrivable": 0,
                "pendingRedrive": 0,
            }

        total = max(self.total_items, started)
        return shaped(total, total - started), shaped(started, 0)


_runs: dict[str, RunChildren] = {}
_children: dict[str, Child] = {}


def run_children(map_run_arn: str) -> RunChildren | None:
    return _runs.get(map_run_arn)


def child(execution_arn: str) -> Child | None:
    return _children.get(str(execution_arn or ""))


def child_arn(map_state_machine_arn: str, name: str) -> str:
    """arn:…:stateMachine:<machine>/<label> → arn:…:execution:<machine>/<label>:<name>."""
    return f"{map_state_machine_arn.replace(':stateMachine:', ':execution:', 1)}:{name}"


# ListExecutions -----------------------------------------------------------------


def encode_token(map_run_arn: str, next_index: int) -> str:
    raw = json.dumps({"mapRun": map_run_arn, "next": next_index}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_token(token: str, map_run_arn: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        if data["mapRun"] == map_run_arn and isinstance(data["next"], int):
            return int(data["next"])
    except (binascii.Error, ValueError, KeyError, TypeError):
        pass
    raise _error("InvalidToken", f"Invalid Token: '{token}'")


def list_children(
    map_run_arn: str,
    status: str | None,
    redrive_filter: str | None,
    max_results: Any,
    token: str | None,
) -> dict[str, Any]:
    """One page of a Map Run's children, newest first. A token names the creation index
    of the next child to answer, so it stays valid while the run adds children."""
    if status is not None and status not in STATUSES:
        raise _error(
            "ValidationException",
            f"1 validation error detected: Value '{status}' at 'statusFilter' failed to satisfy"
            f" constraint: Member must satisfy enum value set: [{', '.join(STATUSES)}]",
        )
    if redrive_filter is not None and redrive_filter not in REDRIVE_FILTERS:
        raise _error(
            "ValidationException",
            f"1 validation error detected: Value '{redrive_filter}' at 'redriveFilter' failed"
            f" to satisfy constraint: Member must satisfy enum value set:"
            f" [{', '.join(REDRIVE_FILTERS)}]",
        )
    size = page_size(max_results)
    run = _runs.get(map_run_arn)
    if run is None:
        raise _error("ResourceNotFound", f"Map Run Does Not Exist: '{map_run_arn}'")
    start = decode_token(token, map_run_arn) if token else None
    children = list(run.children)
    if start is not None:
        children = children[: start + 1]
    chosen: list[Child] = []
    rest: Child | None = None
    for one in reversed(children):
        if status is not None and one.status != status:
            continue
        if redrive_filter == "REDRIVEN":  # no child is ever redriven here
            continue
        if len(chosen) == size:
            rest = one
            break
        chosen.append(one)
    body: dict[str, Any] = {"executions": [c.list_item() for c in chosen]}
    if rest is not None:
        body["nextToken"] = encode_token(map_run_arn, rest.index)
    return body


# The item processor's definition ------------------------------------------------


def _find_state(states: dict[str, Any], name: str) -> dict[str, Any] | None:
    for state_name, state in states.items():
        if not isinstance(state, dict):
            continue
        if state_name == name and state.get("Type") == "Map":
            return state
        nested: list[dict[str, Any]] = []
        for key in ("ItemProcessor", "Iterator"):
            if isinstance(state.get(key), dict):
                nested.append(state[key])
        nested.extend(b for b in state.get("Branches") or [] if isinstance(b, dict))
        for inner in nested:
            found = _find_state(inner.get("States") or {}, name)
            if found is not None:
                return found
    return None


def item_processor_definition(machine_definition: str, state_name: str) -> str | None:
    """The ItemProcessor (as a definition of its own) of the Map state named `state_name`."""
    try:
        parsed = json.loads(machine_definition)
    except ValueError:
        return None
    state = _find_state(parsed.get("States") or {}, state_name)
    if state is None:
        return None
    processor = dict(state.get("ItemProcessor") or state.get("Iterator") or {})
    processor.pop("ProcessorConfig", None)
    return json.dumps(processor, indent=2)


# Patching moto ----------------------------------------------------------------


def _install_engine() -> None:
    base = "moto.stepfunctions.parser.asl"
    iteration = f"{base}.component.state.exec.state_map.iteration"
    Distributed: Any = import_module(
        f"{iteration}.distributed_iteration_component"
    ).DistributedIterationComponent
    Worker: Any = import_module(
        f"{iteration}.itemprocessor.distributed_item_processor_worker"
    ).DistributedItemProcessorWorker
    Record: Any = import_module(f"{iteration}.itemprocessor.map_run_record").MapRunRecord
    EventManager: Any = import_module(f"{base}.eval.event.event_manager").EventManager
    EventDetails: Any = import_module(f"{base}.eval.event.event_detail").EventDetails
    program_state: Any = import_module(f"{base}.eval.program_state")
    states_mod: Any = import_module(f"{base}.eval.states")
    to_json_str: Any = import_module(f"{base}.utils.encoding").to_json_str
    Timeout: Any = import_module(f"{base}.component.common.timeouts.timeout").EvalTimeoutError
    FailureEvent: Any = import_module(
        f"{base}.component.common.error_name.failure_event"
    ).FailureEventException

    original_map_run = Distributed._map_run

    def map_run(self: Any, env: Any, eval_input: Any) -> None:
        record = eval_input.map_run_record
        items = env.stack[-1] if env.stack else []
        with _lock:
            run = _runs.get(record.map_run_arn)
            if run is None:
                run = RunChildren(
                    map_run_arn=record.map_run_arn,
                    state_machine_arn=record.map_state_machine_arn,
                    parent_arn=record.execution_arn,
                    state_name=eval_input.state_name,
                )
                _runs[record.map_run_arn] = run
            run.total_items = len(items) if isinstance(items, list) else 0
        try:
            original_map_run(self, env, eval_input)
        finally:
            forget_finished_threads()

    Distributed._map_run = map_run

    def start_child(record: Any, env: Any, job_input: Any, item_index: int) -> Child:
        with _lock:
            run = _runs[record.map_run_arn]
            name = str(uuid.uuid4())
            one = Child(
                arn=child_arn(run.state_machine_arn, name),
                name=name,
                state_machine_arn=run.state_machine_arn,
                map_run_arn=run.map_run_arn,
                index=len(run.children),
                item_index=item_index,
                input=to_json_str(job_input),
                events=EventManager(),
            )
            run.children.append(one)
            _children[one.arn] = one
        env.event_manager = one.events
        history = env.event_history_context
        history.source_event_id = history.last_published_event_id = 0
        execution = env.states.context_object.context_object_data.get("Execution") or {}
        started: dict[str, Any] = {
            "input": one.input,
            "inputDetails": {"truncated": False},
            "roleArn": execution.get("RoleArn") or "",
        }
        env.event_manager.add_event(
            context=history,
            event_type="ExecutionStarted",
            event_details=EventDetails(executionStartedEventDetails=started),
        )
        return one

    def end_child(one: Child, env: Any, status: str, **details: Any) -> None:
        one.status = status
        one.stop_date = _now()
        kind = {
            "SUCCEEDED": "executionSucceededEventDetails",
            "FAILED": "executionFailedEventDetails",
            "TIMED_OUT": "executionTimedOutEventDetails",
            "ABORTED": "executionAbortedEventDetails",
        }[status]
        event_type = {
            "SUCCEEDED": "ExecutionSucceeded",
            "FAILED": "ExecutionFailed",
            "TIMED_OUT": "ExecutionTimedOut",
            "ABORTED": "ExecutionAborted",
        }[status]
        body = {k: v for k, v in details.items() if v is not None}
        if status == "SUCCEEDED":
            body["outputDetails"] = {"truncated": False}
        env.event_manager.add_event(
            context=env.event_history_context,
            event_type=event_type,
            event_details=EventDetails(**{kind: body}),
        )
        one.history_json = json.dumps(one.events.get_event_history(), default=str)
        one.events = None
        env.event_manager = EventManager()  # what the frame may still add goes nowhere

    def eval_job(self: Any, env: Any, job: Any) -> None:
        record = self._map_run_record
        items = record.item_counter
        items.total.count()
        record.execution_counter.total.count()
        one = start_child(record, env, job.job_input, job.job_index)
        job_output = None
        try:
            env.states.context_object.context_object_data["Map"] = states_mod.MapData(
                Item=states_mod.ItemData(Index=job.job_index, Value=job.job_input)
            )
            env.states.reset(job.job_input)
            env.stack.append(env.states.get_input())
            self._eval_input(env_frame=env)
            job.job_program.eval(env)
            end = env.program_state()
            if isinstance(end, program_state.ProgramError):
                failed = dict(end.error or {})
                one.error, one.cause = failed.get("error"), failed.get("cause")
                items.failed.count()
                end_child(one, env, "FAILED", error=one.error, cause=one.cause)
            elif isinstance(end, program_state.ProgramStopped):
                items.aborted.count()
                one.error, one.cause = end.error, end.cause
                end_child(one, env, "ABORTED", error=end.error, cause=end.cause)
            elif isinstance(end, program_state.ProgramTimedOut):
                items.timed_out.count()
                end_child(one, env, "TIMED_OUT", error="States.Timeout")
            else:
                items.succeeded.count()
                items.results_written.count()
                job_output = env.states.get_input()
                one.output = to_json_str(job_output)
                end_child(one, env, "SUCCEEDED", output=one.output)
        except Timeout:
            items.timed_out.count()
            end_child(one, env, "TIMED_OUT", error="States.Timeout")
        except FailureEvent as failure:
            items.failed.count()
            pair = failure.extract_error_cause_pair() or (None, None)
            one.error, one.cause = pair
            end_child(one, env, "FAILED", error=one.error, cause=one.cause)
        except Exception as exception:  # as moto's worker: the item fails, the run goes on
            items.failed.count()
            one.error, one.cause = "States.Runtime", f"{type(exception).__name__}({exception})"
            end_child(one, env, "FAILED", error=one.error, cause=one.cause)
        finally:
            job.job_output = job_output

    Worker._eval_job = eval_job

    original_describe = Record.describe

    def describe(self: Any) -> Any:
        out = original_describe(self)
        run = _runs.get(self.map_run_arn)
        if run is not None:
            out["itemCounts"], out["executionCounts"] = run.counts()
        out["redriveCount"] = 0
        return out

    Record.describe = describe


def forget_finished_threads() -> None:
    """moto keeps every thread its engine starts in ``TMP_THREADS`` (appended to, never
    read): one per child execution, each with its locks and events. After a Map Run of
    10,000 items those kept the garbage collector busy for seconds; ended ones go."""
    threads: Any = import_module("moto.stepfunctions.parser.utils").TMP_THREADS
    threads[:] = [thread for thread in threads if thread.is_alive()]


def _validate_update(max_concurrency: Any, tolerated_count: Any, tolerated_percentage: Any) -> None:
    """UpdateMapRun's constraints (API reference): maxConcurrency >= 0,
    toleratedFailureCount >= 0, 0 <= toleratedFailurePercentage <= 100."""
    problems: list[str] = []
    if max_concurrency is not None and int(max_concurrency) < 0:
        problems.append(
            f"Value '{max_concurrency}' at 'maxConcurrency' failed to satisfy constraint:"
            " Member must have value greater than or equal to 0"
        )
    if tolerated_percentage is not None:
        value = float(tolerated_percentage)
        if value < 0 or value > 100:
            bound = "greater than or equal to 0" if value < 0 else "less than or equal to 100"
            problems.append(
                f"Value '{tolerated_percentage}' at 'toleratedFailurePercentage' failed to"
                f" satisfy constraint: Member must have value {bound}"
            )
    if tolerated_count is not None and int(tolerated_count) < 0:
        problems.append(
            f"Value '{tolerated_count}' at 'toleratedFailureCount' failed to satisfy"
            " constraint: Member must have value greater than or equal to 0"
        )
    if problems:
        count = len(problems)
        raise _error(
            "ValidationException",
            f"{count} validation error{'s' if count > 1 else ''} detected: " + "; ".join(problems),
        )


def _install_responses() -> None:
    resp_cls: Any = import_module("moto.stepfunctions.responses").StepFunctionResponse
    ActionResult: Any = import_module("moto.core.responses").ActionResult
    original_list = resp_cls.list_executions
    original_describe = resp_cls.describe_execution
    original_history = resp_cls.get_execution_history
    original_for_execution = resp_cls.describe_state_machine_for_execution
    original_update = resp_cls.update_map_run

    def list_executions_response(self: Any) -> Any:
        map_run_arn = self._get_param("mapRunArn")
        if not map_run_arn:
            return original_list(self)
        if self._get_param("stateMachineArn"):
            raise _error(
                "ValidationException",
                "Only one of stateMachineArn and mapRunArn can be specified",
            )
        return ActionResult(
            list_children(
                str(map_run_arn),
                self._get_param("statusFilter"),
                self._get_param("redriveFilter"),
                self._get_param("maxResults"),
                self._get_param("nextToken"),
            )
        )

    def describe_execution_response(self: Any) -> Any:
        one = child(self._get_param("executionArn"))
        return original_describe(self) if one is None else ActionResult(one.describe())

    def get_execution_history_response(self: Any) -> Any:
        one = child(self._get_param("executionArn"))
        if one is None:
            return original_history(self)
        token = self._get_param("nextToken")
        from sfn_tui.local.history_paging import decode_token as history_token

        include = self._get_param("includeExecutionData")
        return ActionResult(
            make_page(
                one.history(),
                one.arn,
                page_size(self._get_param("maxResults")),
                history_token(str(token), one.arn) if token else None,
                bool(self._get_param("reverseOrder", False)),
                include is None or bool(include),
            )
        )

    def describe_state_machine_for_execution_response(self: Any) -> Any:
        one = child(self._get_param("executionArn"))
        if one is None:
            return original_for_execution(self)
        run = _runs[one.map_run_arn]
        parent = self.stepfunction_backend.describe_execution(run.parent_arn)
        machine = self.stepfunction_backend.describe_state_machine(parent.state_machine_arn)
        definition = item_processor_definition(machine.definition, run.state_name)
        return ActionResult(
            {
                "stateMachineArn": run.state_machine_arn,
                "name": run.state_machine_arn.rsplit(":", 1)[-1],
                "definition": definition or machine.definition,
                "roleArn": machine.roleArn,
                "updateDate": one.start_date,
                "mapRunArn": run.map_run_arn,
            }
        )

    def update_map_run_response(self: Any) -> Any:
        _validate_update(
            self._get_param("maxConcurrency"),
            self._get_param("toleratedFailureCount"),
            self._get_param("toleratedFailurePercentage"),
        )
        return original_update(self)

    resp_cls.list_executions = list_executions_response
    resp_cls.describe_execution = describe_execution_response
    resp_cls.get_execution_history = get_execution_history_response
    resp_cls.describe_state_machine_for_execution = describe_state_machine_for_execution_response
    resp_cls.update_map_run = update_map_run_response


def install() -> None:
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    _install_engine()
    _install_responses()
