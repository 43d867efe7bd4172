"""Pinned dates for the embedded engine's data, so screenshots and snapshot tests
draw the same picture on every run. Reaches into moto's backend (pinned version)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

PINNED_BASE = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
EVENT_STEP = timedelta(milliseconds=5)
PINNED_NOW = PINNED_BASE + timedelta(hours=3)
DEFAULT_ACCOUNT = "123456789012"


def pinned_now() -> datetime:
    return PINNED_NOW


def pin_dates(region: str, account: str = DEFAULT_ACCOUNT, base: datetime = PINNED_BASE) -> None:
    """Give every machine, activity and execution in `region` a fixed date, in name order."""
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    backend = stepfunctions_parser_backends[account][region]
    for i, machine in enumerate(sorted(backend.state_machines, key=lambda m: m.name)):
        machine.creation_date = base + timedelta(minutes=i)
        for n, version in machine.versions.items():  # versions and aliases (seed_versions)
            version.creation_date = base + timedelta(minutes=i, seconds=n)
        for n, alias in enumerate(sorted(machine.aliases.values(), key=lambda a: a.name)):
            alias.creation_date = alias.update_date = base + timedelta(minutes=i, seconds=30 + n)
        for j, execution in enumerate(sorted(machine.executions, key=lambda e: e.name)):
            start = base + timedelta(hours=1, minutes=10 * j + i)
            execution.start_date = start
            if execution.stop_date is not None:
                execution.stop_date = start + timedelta(seconds=3 + j)
    for i, activity in enumerate(sorted(backend.activities.values(), key=lambda a: a.name)):
        activity.creation_date = base + timedelta(minutes=30 + i)


def pin_history(execution_arn: str, region: str, account: str = DEFAULT_ACCOUNT) -> None:
    """Event n of a finished run at its (pinned) start + 5 ms * (n - 1): the engine
    stamps history events with the wall clock."""
    from moto.core.utils import iso_8601_datetime_with_milliseconds
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    backend = stepfunctions_parser_backends[account][region]
    execution: Any = backend.describe_execution(execution_arn=execution_arn)
    for event in execution.exec_worker.env.event_manager._history_event_list:
        at = execution.start_date + EVENT_STEP * (event["id"] - 1)
        event["timestamp"] = iso_8601_datetime_with_milliseconds(at)


def pin_logs(region: str, account: str = DEFAULT_ACCOUNT, base: datetime = PINNED_BASE) -> None:
    """Give every Step Functions record in `region`'s log groups a fixed time: the runs in
    name order, 10 minutes apart from `base` + 2 h, event n at + 5 ms * (n - 1)."""
    import json

    from moto.logs.models import logs_backends

    backend = logs_backends[account][region]
    records: dict[str, list[tuple[Any, dict[str, Any]]]] = {}
    for group in backend.groups.values():
        for stream in group.streams.values():
            for event in stream.events:
                try:
                    record = json.loads(event.message)
                except ValueError:
                    continue
                if isinstance(record, dict) and "execution_arn" in record:
                    records.setdefault(str(record["execution_arn"]), []).append((event, record))
    runs = sorted(records, key=lambda arn: arn.split(":")[7] if arn.count(":") >= 8 else arn)
    for j, arn in enumerate(runs):
        start = base + timedelta(hours=2, minutes=10 * j)
        for event, record in records[arn]:
            at = start + EVENT_STEP * (int(record.get("id", 1)) - 1)
            millis = int(at.timestamp() * 1000)
            record["event_timestamp"] = str(millis)
            event.timestamp = millis
            event.message = json.dumps(record, ensure_ascii=False)
