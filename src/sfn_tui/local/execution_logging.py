"""Execution history events written to CloudWatch Logs, as a machine's
``loggingConfiguration`` asks: the only history an Express run has.

moto stored the logging configuration and wrote nothing (its LocalStack-derived logging
session is never handed to an execution). AWS ("Logging using CloudWatch Logs", "Log
levels", LoggingConfiguration API reference):

* each history event the level takes (ALL: every one; ERROR and FATAL: the table of the
  "Log levels" page) is one log event whose message is a JSON record: ``id``, ``type``,
  ``details`` (the event's details object), ``previous_event_id``, ``event_timestamp``
  (milliseconds since the epoch) and ``execution_arn``, numbers as strings, plus
  ``redrive_count``;
* ``includeExecutionData`` false leaves ``input``, ``inputDetails``, ``output`` and
  ``outputDetails`` out of the details;
* destinations are required unless the level is OFF, one at most, and the log group must
  exist: otherwise CreateStateMachine and UpdateStateMachine answer
  InvalidLoggingConfiguration ("Invalid Logging Configuration: Log Destination not found."
  for a missing group). Once accepted, the service creates the stream
  ``log_stream_created_by_aws_to_validate_log_delivery_subscriptions`` in the group.

Standard and Express runs are logged alike. Log stream names are not documented by AWS:
here one stream per run, ``states/<machine>/<yyyy-mm-dd-HH-MM>/<id>``; read the group with
FilterLogEvents rather than by stream. Records go to moto's CloudWatch Logs service on the
same endpoint; a log group deleted later loses the records, as on AWS.
"""

from __future__ import annotations

import datetime
import json
import threading
import uuid
from importlib import import_module
from typing import Any

from sfn_tui.local import patches
from sfn_tui.local.express import text

LEVELS = ("ALL", "ERROR", "FATAL", "OFF")
FATAL_EVENTS = frozenset({"ExecutionAborted", "ExecutionFailed", "ExecutionTimedOut"})
ERROR_EVENTS = FATAL_EVENTS | {
    "FailStateEntered",
    "LambdaFunctionFailed",
    "LambdaFunctionScheduleFailed",
    "LambdaFunctionStartFailed",
    "LambdaFunctionTimedOut",
    "MapIterationAborted",
    "MapIterationFailed",
    "MapRunAborted",
    "MapRunFailed",
    "MapStateAborted",
    "MapStateFailed",
    "ParallelStateAborted",
    "ParallelStateFailed",
    "TaskFailed",
    "TaskStartFailed",
    "TaskStateAborted",
    "TaskSubmitFailed",
    "TaskTimedOut",
    "WaitStateAborted",
}
DATA_KEYS = ("input", "inputDetails", "output", "outputDetails")
VALIDATION_STREAM = "log_stream_created_by_aws_to_validate_log_delivery_subscriptions"
NOT_FOUND = "Invalid Logging Configuration: Log Destination not found."

_installed = False
_put_lock = threading.Lock()  # moto's log streams are not thread-safe


def logged_at(level: str, event_type: str) -> bool:
    """Whether a machine logging at `level` logs events of this type."""
    if level == "ALL":
        return True
    if level == "ERROR":
        return event_type in ERROR_EVENTS
    if level == "FATAL":
        return event_type in FATAL_EVENTS
    return False


def log_group_of(arn: str) -> tuple[str, str, str] | None:
    """(account, region, group name) of ``arn:aws:logs:<region>:<account>:log-group:<name>:*``."""
    parts = arn.split(":")
    if len(parts) < 7 or parts[2] != "logs" or parts[5] != "log-group" or not parts[6]:
        return None
    return parts[4], parts[3], parts[6]


def destination(config: dict[str, Any] | None) -> tuple[str, str, str] | None:
    """The log group a logging configuration writes to, or None (logging off)."""
    if not config or str(config.get("level", "OFF")) == "OFF":
        return None
    for item in config.get("destinations") or []:
        group = (item or {}).get("cloudWatchLogsLogGroup") or {}
        found = log_group_of(str(group.get("logGroupArn", "")))
        if found:
            return found
    return None


def _error(message: str) -> Exception:
    from moto.core.exceptions import AWSError

    return AWSError(message, exception_type="InvalidLoggingConfiguration")


def check(config: dict[str, Any] | None) -> None:
    """Refuse a logging configuration AWS refuses; create the validation stream."""
    if not config:
        return
    level = str(config.get("level", "OFF"))
    destinations = config.get("destinations") or []
    if level == "OFF" and not destinations:
        return
    if len(destinations) > 1:
        raise _error("Invalid Logging Configuration: at most one log destination is allowed.")
    if not destinations:
        raise _error(
            "Invalid Logging Configuration: a log destination is required unless the level is OFF."
        )
    group = (destinations[0] or {}).get("cloudWatchLogsLogGroup") or {}
    found = log_group_of(str(group.get("logGroupArn", "")))
    if found is None:
        raise _error(NOT_FOUND)
    account, region, name = found
    logs = import_module("moto.logs.models").logs_backends[account][region]
    if name not in logs.groups:
        raise _error(NOT_FOUND)
    with _put_lock:
        if VALIDATION_STREAM not in logs.groups[name].streams:
            logs.create_log_stream(name, VALIDATION_STREAM)


class RunLog:
    """Where one run's records go, and what they hold."""

    def __init__(self, execution: Any, config: dict[str, Any], group: tuple[str, str, str]):
        self.execution = execution
        self.level = str(config.get("level", "OFF"))
        self.include_data = bool(config.get("includeExecutionData", False))
        self.account, self.region, self.group = group
        started = getattr(execution, "start_date", None) or datetime.datetime.now(datetime.UTC)
        machine = execution.state_machine.name
        self.stream = f"states/{machine}/{started:%Y-%m-%d-%H-%M}/{uuid.uuid4().hex[:8]}"
        self._stream_made = False

    # The attributes moto's EventManager reads of a logging session.
    @property
    def execution_arn(self) -> str:
        return str(self.execution.exec_arn)

    def log_level_filter(self, history_event_type: Any) -> bool:
        return logged_at(self.level, text(history_event_type))

    def record(
        self, event_id: int, previous_id: int, event_type: str, timestamp: str, details: Any
    ) -> tuple[int, str]:
        """(milliseconds, message) of one history event."""
        from sfn_tui.local import redrive

        when = datetime.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
        millis = int(when.timestamp() * 1000)
        body = dict(next(iter(details.values()), None) or {}) if details else {}
        if not self.include_data:
            for key in DATA_KEYS:
                body.pop(key, None)
        record = {
            "id": str(event_id),
            "type": event_type,
            "details": body,
            "previous_event_id": str(previous_id),
            "event_timestamp": str(millis),
            "execution_arn": self.execution_arn,
            "redrive_count": str(redrive.redrive_count(self.execution)),
        }
        return millis, json.dumps(record, ensure_ascii=False, default=str)

    def publish(self, millis: int, message: str) -> None:
        logs_models: Any = import_module("moto.logs.models")
        missing: Any = import_module("moto.logs.exceptions").ResourceNotFoundException
        logs = logs_models.logs_backends[self.account][self.region]
        with _put_lock:
            try:
                if not self._stream_made:
                    logs.create_log_stream(self.group, self.stream)
                    self._stream_made = True
                logs.put_log_events(
                    self.group, self.stream, [{"timestamp": millis, "message": message}]
                )
            except missing:
                return  # the log group was deleted: the record is lost, as on AWS


def install() -> None:
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    EventManager: Any = import_module(
        "moto.stepfunctions.parser.asl.eval.event.event_manager"
    ).EventManager
    ExecutionWorker: Any = import_module(
        "moto.stepfunctions.parser.backend.execution_worker"
    ).ExecutionWorker
    backend_cls: Any = import_module("moto.stepfunctions.parser.models").StepFunctionsParserBackend

    def publish_history_log(
        self: Any,
        event_id: int,
        source_event_id: int,
        event_type: Any,
        timestamp: Any,
        event_details: Any,
    ) -> None:
        log = self._cloud_watch_logging_session
        if not isinstance(log, RunLog) or not log.log_level_filter(event_type):
            return
        millis, message = log.record(
            event_id, source_event_id, text(event_type), str(timestamp), event_details
        )
        log.publish(millis, message)

    EventManager._publish_history_log = publish_history_log

    original_environment = ExecutionWorker._get_evaluation_environment

    def get_evaluation_environment(self: Any) -> Any:
        env = original_environment(self)
        execution = getattr(self._execution_communication, "execution", None)
        machine = getattr(execution, "state_machine", None)
        config = getattr(machine, "loggingConfiguration", None)
        group = destination(config)
        if execution is not None and config is not None and group is not None:
            log = RunLog(execution, config, group)
            env.cloud_watch_logging_session = log
            env.event_manager._cloud_watch_logging_session = log
        return env

    ExecutionWorker._get_evaluation_environment = get_evaluation_environment

    original_create, original_update = (
        backend_cls.create_state_machine,
        backend_cls.update_state_machine,
    )

    def create_state_machine(self: Any, *a: Any, **kw: Any) -> Any:
        check(kw.get("loggingConfiguration"))
        return original_create(self, *a, **kw)

    def update_state_machine(self: Any, arn: str, *a: Any, **kw: Any) -> Any:
        check(kw.get("logging_configuration"))
        return original_update(self, arn, *a, **kw)

    backend_cls.create_state_machine = create_state_machine
    backend_cls.update_state_machine = update_state_machine
