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


@dataclass(frozen=True, slots=True)
class StateMachineDetail:
    arn: str
    name: str
    type: str
    status: str
    role_arn: str
    definition: str
    creation_date: datetime

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

    @property
    def is_running(self) -> bool:
        return self.status == "RUNNING"

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> Execution:
        return cls(
            arn=item["executionArn"],
            name=item["name"],
            state_machine_arn=item["stateMachineArn"],
            status=item["status"],
            start_date=item["startDate"],
            stop_date=item.get("stopDate"),
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

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> ExecutionDetail:
        return cls(
            execution=Execution.from_api(item),
            input=item.get("input"),
            output=item.get("output"),
            error=item.get("error"),
            cause=item.get("cause"),
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
