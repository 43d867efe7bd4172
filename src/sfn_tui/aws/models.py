"""Typed views of Step Functions and IAM objects, built from API responses."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

TERMINAL_STATUSES = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"})
EXECUTION_STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")


@dataclass(frozen=True, slots=True)
class StateMachine:
    arn: str
    name: str
    type: str
    creation_date: datetime

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> StateMachine:
        return cls(
            arn=item["stateMachineArn"],
            name=item["name"],
            type=item.get("type", "STANDARD"),
            creation_date=item["creationDate"],
        )


LOG_LEVELS = ("OFF", "ALL", "ERROR", "FATAL")


@dataclass(frozen=True, slots=True)
class LoggingConfig:
    """A state machine's loggingConfiguration: which history events go to which
    CloudWatch Logs log group (the ARN ends in ``:*``), with or without input/output."""

    level: str = "OFF"
    include_execution_data: bool = False
    log_group_arn: str = ""

    @property
    def logs(self) -> bool:
        """Whether runs are logged at all (a level other than OFF, and a log group)."""
        return self.level != "OFF" and bool(self.log_group_name)

    @property
    def log_group_name(self) -> str:
        """``/aws/vendedlogs/states/x`` of ``arn:aws:logs:r:a:log-group:/aws/...:*``."""
        parts = self.log_group_arn.split(":")
        return parts[6] if len(parts) > 6 and parts[5] == "log-group" else ""

    @property
    def failures_only(self) -> bool:
        """ERROR and FATAL log failure events only: runs that succeed leave no record."""
        return self.level in ("ERROR", "FATAL")

    @classmethod
    def from_api(cls, item: dict[str, Any] | None) -> LoggingConfig:
        item = item or {}
        arn = ""
        for destination in item.get("destinations") or []:
            group = (destination or {}).get("cloudWatchLogsLogGroup") or {}
            arn = str(group.get("logGroupArn") or "")
            if arn:
                break
        return cls(
            level=str(item.get("level") or "OFF"),
            include_execution_data=bool(item.get("includeExecutionData", False)),
            log_group_arn=arn,
        )

    def to_api(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "level": self.level,
            "includeExecutionData": self.include_execution_data,
        }
        if self.log_group_arn:
            out["destinations"] = [{"cloudWatchLogsLogGroup": {"logGroupArn": self.log_group_arn}}]
        return out


@dataclass(frozen=True, slots=True)
class StateMachineDetail:
    arn: str
    name: str
    type: str
    status: str
    role_arn: str
    definition: str
    creation_date: datetime
    logging: LoggingConfig = field(default_factory=LoggingConfig)

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> StateMachineDetail:
        return cls(
            arn=item["stateMachineArn"],
            name=item["name"],
            type=item.get("type", "STANDARD"),
            status=item.get("status", "ACTIVE"),
            role_arn=item.get("roleArn", ""),
            definition=item.get("definition", ""),
            creation_date=item["creationDate"],
            logging=LoggingConfig.from_api(item.get("loggingConfiguration")),
        )


@dataclass(frozen=True, slots=True)
class Activity:
    arn: str
    name: str
    creation_date: datetime

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> Activity:
        return cls(arn=item["activityArn"], name=item["name"], creation_date=item["creationDate"])


@dataclass(frozen=True, slots=True)
class Execution:
    arn: str
    name: str
    state_machine_arn: str
    status: str
    start_date: datetime
    stop_date: datetime | None = None
    # False for an Express run known only from failure events (logging level ERROR or
    # FATAL logs no ExecutionStarted): start_date is then its first logged event.
    start_known: bool = True
    version_arn: str | None = None  # the version it ran (started on a version or alias)
    alias_arn: str | None = None  # the alias it was started through

    @property
    def is_running(self) -> bool:
        return self.status == "RUNNING"

    @property
    def is_express(self) -> bool:
        """An Express run: its ARN has the resource type ``express``."""
        return is_express_arn(self.arn)

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> Execution:
        return cls(
            arn=item["executionArn"],
            name=item["name"],
            state_machine_arn=item["stateMachineArn"],
            status=item["status"],
            start_date=item["startDate"],
            stop_date=item.get("stopDate"),
            version_arn=item.get("stateMachineVersionArn") or None,
            alias_arn=item.get("stateMachineAliasArn") or None,
        )


def is_express_arn(arn: str) -> bool:
    """``arn:aws:states:<region>:<account>:express:<machine>:<name>:<id>``."""
    parts = arn.split(":")
    return len(parts) > 5 and parts[5] == "express"


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What StartSyncExecution answered: the run as it ended, and its billing."""

    execution: Execution
    input: str | None
    output: str | None
    error: str | None
    cause: str | None
    billed_milliseconds: int | None
    billed_memory_mb: int | None

    @classmethod
    def from_api(cls, item: dict[str, Any], state_machine_arn: str) -> SyncResult:
        billing = item.get("billingDetails") or {}
        return cls(
            execution=Execution(
                arn=item["executionArn"],
                name=item.get("name") or item["executionArn"].rsplit(":", 2)[-2],
                state_machine_arn=item.get("stateMachineArn") or state_machine_arn,
                status=item["status"],
                start_date=item["startDate"],
                stop_date=item.get("stopDate"),
            ),
            input=item.get("input"),
            output=item.get("output"),
            error=item.get("error"),
            cause=item.get("cause"),
            billed_milliseconds=billing.get("billedDurationInMilliseconds"),
            billed_memory_mb=billing.get("billedMemoryUsedInMB"),
        )


@dataclass(frozen=True, slots=True)
class ExecutionPage:
    executions: tuple[Execution, ...]
    next_token: str | None


@dataclass(frozen=True, slots=True)
class ExecutionDetail:
    execution: Execution
    input: str | None
    output: str | None
    error: str | None
    cause: str | None
    # REDRIVABLE or NOT_REDRIVABLE (None: the endpoint does not say), and why not.
    redrive_status: str | None = None
    redrive_status_reason: str | None = None

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> ExecutionDetail:
        return cls(
            execution=Execution.from_api(item),
            input=item.get("input"),
            output=item.get("output"),
            error=item.get("error"),
            cause=item.get("cause"),
            redrive_status=item.get("redriveStatus") or None,
            redrive_status_reason=item.get("redriveStatusReason") or None,
        )


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    id: int
    previous_id: int
    type: str
    timestamp: datetime
    details: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> HistoryEvent:
        details: dict[str, Any] = {}
        for key, value in item.items():
            if key.endswith("EventDetails") and isinstance(value, dict):
                details = value
                break
        return cls(
            id=item["id"],
            previous_id=item.get("previousEventId", 0),
            type=item["type"],
            timestamp=item["timestamp"],
            details=details,
        )

    def json_field(self, key: str) -> Any:
        """A JSON string field of the details (input/output), parsed; None if absent or bad."""
        raw = self.details.get(key)
        if not isinstance(raw, str):
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class ActivityTask:
    """A task claimed from an activity. The token is a secret: never log or print it."""

    token: str = field(repr=False)
    input: str
    activity_arn: str
    received_at: datetime

    def parsed_input(self) -> Any:
        try:
            return json.loads(self.input)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class Role:
    name: str
    arn: str


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding of ValidateStateMachineDefinition (severity ERROR or WARNING)."""

    severity: str
    code: str
    message: str
    location: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == "ERROR"

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> Diagnostic:
        return cls(
            severity=str(item.get("severity", "ERROR")),
            code=str(item.get("code", "")),
            message=str(item.get("message", "")),
            location=str(item.get("location", "") or ""),
        )
