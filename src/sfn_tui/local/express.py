"""EXPRESS state machines run as Express workflows: their ARNs, their five minutes, and
StartSyncExecution.

moto 5.2.5 stored the type and ran EXPRESS machines as if they were STANDARD, and had no
StartSyncExecution (HTTP 500). AWS:

* a run's ARN has the resource type ``express``:
  ``arn:<partition>:states:<region>:<account>:express:<machine>:<name>:<id>`` (Service
  Authorization Reference, AWS Step Functions resource types);
* a name can be used again at once: "Starting multiple workflows with the same name
  results in concurrent executions" (Execution guarantees, Asynchronous Express);
* a run lasts five minutes at most, then times out (Choosing workflow type);
* Express machines support neither activities nor the ``.sync`` and
  ``.waitForTaskToken`` integration patterns: InvalidDefinition (same page);
* StartSyncExecution (API reference) runs an Express machine and answers once it ended:
  status SUCCEEDED, FAILED or TIMED_OUT, output (only on success), error and cause,
  input, billingDetails; "not available for STANDARD workflows":
  StateMachineTypeNotSupported. Billing: duration rounded up to the next 100 ms, memory
  in 64-MB chunks (AWS Step Functions pricing); this engine does not measure memory and
  answers one chunk.

Ended Express runs are not kept (Step Functions keeps no history of them: see
``express_refusals`` for what the other operations answer, ``execution_logging`` for
their CloudWatch Logs records).
"""

from __future__ import annotations

import copy
import datetime
import json
import math
import threading
import uuid
from importlib import import_module
from typing import Any

from sfn_tui.local import patches

MAX_SECONDS = 300.0  # how long an Express run may last (AWS: five minutes)
BILLED_MS_STEP = 100
BILLED_MEMORY_MB = 64
NOT_SUPPORTED = "This operation is not supported by this type of state machine"

_installed = False


def _error(code: str, message: str) -> Exception:
    from moto.core.exceptions import AWSError

    return AWSError(message, exception_type=code)


def text(value: Any) -> str:
    """An enum member of moto's API (a str Enum) or a plain string, as the string."""
    return str(getattr(value, "value", value))


def is_express(machine: Any) -> bool:
    return text(getattr(machine, "type", "STANDARD")) == "EXPRESS"


def express_arn(backend: Any, machine_name: str, name: str) -> str:
    return (
        f"arn:{backend.partition}:states:{backend.region_name}:{backend.account_id}"
        f":express:{machine_name}:{name}:{uuid.uuid4()}"
    )


def billed_milliseconds(start: datetime.datetime, stop: datetime.datetime) -> int:
    took = max(0.0, (stop - start).total_seconds() * 1000)
    return max(BILLED_MS_STEP, math.ceil(took / BILLED_MS_STEP) * BILLED_MS_STEP)


def sync_answer(execution: Any) -> dict[str, Any]:
    """StartSyncExecution's answer for an ended run."""
    status = text(execution.exec_status)
    stop = execution.stop_date or datetime.datetime.now(tz=datetime.UTC)
    answer: dict[str, Any] = {
        "executionArn": execution.exec_arn,
        "stateMachineArn": execution.state_machine_arn,
        "name": execution.name,
        "startDate": execution.start_date,
        "stopDate": stop,
        "status": status if status in ("SUCCEEDED", "TIMED_OUT") else "FAILED",
        "input": json.dumps(execution.input_data, separators=(",", ":"), ensure_ascii=False),
        "inputDetails": {"included": True},
        "outputDetails": {"included": True},
        "billingDetails": {
            "billedDurationInMilliseconds": billed_milliseconds(execution.start_date, stop),
            "billedMemoryUsedInMB": BILLED_MEMORY_MB,
        },
    }
    if status == "SUCCEEDED":
        answer["output"] = json.dumps(execution.output, separators=(",", ":"), ensure_ascii=False)
    if execution.error is not None:
        answer["error"] = execution.error
    if execution.cause is not None:
        answer["cause"] = execution.cause
    if execution.trace_header:
        answer["traceHeader"] = execution.trace_header
    return answer


def definition_problem(definition: str) -> str | None:
    """What AWS refuses in an Express machine's definition (activities, .sync,
    .waitForTaskToken), or None. The definition must parse (moto's own check first)."""
    parse: Any = import_module("moto.stepfunctions.parser.asl.parse.asl_parser")
    resource: Any = import_module(
        "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource"
    )
    visitor: Any = import_module(
        "moto.stepfunctions.parser.asl.antlr.runtime.ASLParserVisitor"
    ).ASLParserVisitor
    found: list[str] = []

    class Resources(visitor):
        def visitResource_decl(self, ctx: Any) -> None:
            parsed = resource.Resource.from_resource_arn(ctx.string_literal().getText()[1:-1])
            if isinstance(parsed, resource.ActivityResource):
                found.append("Express state machine does not support Activity ARN")
            elif isinstance(parsed, resource.ServiceResource) and parsed.condition:
                found.append(
                    "Express state machine does not support"
                    f" '.{parsed.condition}' service integration."
                )

    _, tree = parse.AmazonStateLanguageParser.parse(definition)
    Resources().visit(tree)
    if not found:
        return None
    return f"Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: {found[0]}'"


def install() -> None:
    """Patch moto's engine (once; only on the pinned moto)."""
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    api: Any = import_module("moto.stepfunctions.parser.api")
    ActionResult: Any = import_module("moto.core.responses").ActionResult
    resp_cls: Any = import_module("moto.stepfunctions.responses").StepFunctionResponse
    backend_cls: Any = import_module("moto.stepfunctions.parser.models").StepFunctionsParserBackend
    ParserExecution: Any = import_module("moto.stepfunctions.parser.backend.execution").Execution
    comm_cls: Any = import_module(
        "moto.stepfunctions.parser.backend.execution"
    ).BaseExecutionWorkerCommunication
    Program: Any = import_module("moto.stepfunctions.parser.asl.component.program.program").Program
    TMP_THREADS: Any = import_module("moto.stepfunctions.parser.utils").TMP_THREADS

    original_start = backend_cls.start_execution

    def start_execution(
        self: Any,
        state_machine_arn: str,
        name: str | None = None,
        execution_input: str | None = None,
        trace_header: str | None = None,
    ) -> Any:
        machine = self.describe_state_machine(state_machine_arn)
        if not is_express(machine):
            return original_start(
                self,
                state_machine_arn,
                name=name,
                execution_input=execution_input,
                trace_header=trace_header,
            )
        # As moto's own start, without the name check (an Express name is reused at once).
        clone = copy.deepcopy(
            machine, {id(machine.executions): [], id(machine.backend): machine.backend}
        )
        clone.sm_type = api.StateMachineType.EXPRESS
        text = "{}" if execution_input is None else execution_input
        try:
            json.loads(text)
        except ValueError as error:
            raise _error("InvalidExecutionInput", str(error)) from None
        name = name or str(uuid.uuid4())
        execution = ParserExecution(
            name=name,
            sm_type=api.StateMachineType.EXPRESS,
            role_arn=clone.roleArn,
            exec_arn=express_arn(self, machine.name, name),
            account_id=self.account_id,
            region_name=self.region_name,
            state_machine=clone,
            start_date=datetime.datetime.now(tz=datetime.UTC),
            cloud_watch_logging_session=None,
            input_data=text,
            trace_header=trace_header,
            activity_store={},
        )
        execution._sfn_tui_ended = threading.Event()
        # Ended Express runs are not kept; running ones stay reachable (task tokens).
        machine.executions[:] = [e for e in machine.executions if not _ended_express(e)]
        machine.executions.append(execution)
        execution.start()
        return execution

    backend_cls.start_execution = start_execution

    original_terminated = comm_cls.terminated

    def terminated(self: Any) -> None:
        original_terminated(self)
        ended = getattr(self.execution, "_sfn_tui_ended", None)
        if ended is not None:
            ended.set()

    comm_cls.terminated = terminated

    # Five minutes at most (or the machine's TimeoutSeconds when shorter).
    original_program_eval = Program.eval

    def program_eval(self: Any, env: Any) -> None:
        if text(env.execution_type) != "EXPRESS" or env.is_frame():
            original_program_eval(self, env)
            return
        own = self.timeout_seconds.timeout_seconds if self.timeout_seconds else None
        timeout = MAX_SECONDS if own is None else min(float(own), MAX_SECONDS)
        env.next_state_name = self.start_at.start_at_name
        worker = threading.Thread(target=super(Program, self).eval, args=(env,), daemon=True)
        TMP_THREADS.append(worker)
        worker.start()
        worker.join(timeout=timeout)
        if worker.is_alive():
            env.set_timed_out()

    Program.eval = program_eval

    # No activities, .sync or .waitForTaskToken in an Express machine.
    original_create, original_update = (
        backend_cls.create_state_machine,
        backend_cls.update_state_machine,
    )

    def create_state_machine(self: Any, name: str, definition: str, *a: Any, **kw: Any) -> Any:
        if text(kw.get("sm_type") or "STANDARD") == "EXPRESS":
            self._validate_definition(definition=definition)  # InvalidDefinition if unparsable
            problem = definition_problem(definition)
            if problem:
                raise _error("InvalidDefinition", problem)
        return original_create(self, name, definition, *a, **kw)

    def update_state_machine(
        self: Any, arn: str, definition: Any = None, *a: Any, **kw: Any
    ) -> Any:
        if definition and is_express(self.describe_state_machine(arn)):
            self._validate_definition(definition=definition)
            problem = definition_problem(definition)
            if problem:
                raise _error("InvalidDefinition", problem)
        return original_update(self, arn, definition, *a, **kw)

    backend_cls.create_state_machine = create_state_machine
    backend_cls.update_state_machine = update_state_machine

    def start_sync_execution_response(self: Any) -> Any:
        backend = self.stepfunction_backend
        arn = self._get_param("stateMachineArn")
        machine = backend.describe_state_machine(arn)
        if not is_express(machine):
            raise _error("StateMachineTypeNotSupported", NOT_SUPPORTED)
        execution = backend.start_execution(
            arn,
            name=self._get_param("name"),
            execution_input=self._get_param("input", if_none="{}"),
            trace_header=self._get_param("traceHeader"),
        )
        # The run times itself out at MAX_SECONDS; the margin covers its last event.
        execution._sfn_tui_ended.wait(timeout=MAX_SECONDS + 30)
        return ActionResult(sync_answer(execution))

    resp_cls.start_sync_execution = start_sync_execution_response


def _ended_express(execution: Any) -> bool:
    ended = getattr(execution, "_sfn_tui_ended", None)
    return ended is not None and ended.is_set()
