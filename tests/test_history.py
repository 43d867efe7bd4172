"""What a history says state by state: runs, statuses, failures, event ownership.

Histories are written the way the embedded engine records them (and AWS does:
previousEventId links, interleaved Parallel branches and Map iterations); one test runs
a Parallel/Map/Catch machine on the engine itself."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from sfn_tui.aws.models import HistoryEvent
from sfn_tui.core.history import (
    ExecutionHistory,
    StateStatus,
    duration_text,
    event_detail_sections,
    event_summary,
    is_failure,
    new_events,
    offset_text,
    reached_known,
)
from tests.helpers import wait_until

T0 = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
DETAILS_KEY = {
    "Entered": "stateEnteredEventDetails",
    "Exited": "stateExitedEventDetails",
}


def ev(id: int, prev: int, type: str, ms: int | None = None, **details: Any) -> HistoryEvent:
    return HistoryEvent(
        id=id,
        previous_id=prev,
        type=type,
        timestamp=T0 + timedelta(milliseconds=id if ms is None else ms),
        details=details,
    )


ALWAYS_FAILS = [
    ev(1, 0, "ExecutionStarted", input='{"card": "4242"}'),
    ev(2, 0, "PassStateEntered", name="ChargeCard", input='{"card":"4242"}'),
    ev(3, 2, "PassStateExited", name="ChargeCard", output='{"card":"**** 4242"}'),
    ev(4, 3, "FailStateEntered", name="PaymentDeclined", input='{"card":"**** 4242"}'),
    ev(5, 4, "ExecutionFailed", error="Demo.PaymentDeclined", cause="Declined."),
]

# Map (two iterations) then Parallel (two branches), as the engine records them.
MAP_AND_PARALLEL = [
    ev(1, 0, "ExecutionStarted", input='{"items": [1, 2]}'),
    ev(2, 0, "MapStateEntered", name="M", input='{"items":[1,2]}'),
    ev(3, 2, "MapStateStarted", length=2),
    ev(4, 3, "MapIterationStarted", name="M", index=0),
    ev(5, 4, "PassStateEntered", name="I", input="1"),
    ev(6, 5, "PassStateExited", name="I", output="1"),
    ev(7, 3, "MapIterationStarted", name="M", index=1),
    ev(8, 7, "PassStateEntered", name="I", input="2"),
    ev(9, 8, "PassStateExited", name="I", output="2"),
    ev(10, 6, "MapIterationSucceeded", name="M", index=0),
    ev(11, 9, "MapIterationSucceeded", name="M", index=1),
    ev(12, 11, "MapStateSucceeded"),
    ev(13, 11, "MapStateExited", name="M", output="[1,2]"),
    ev(14, 13, "ParallelStateEntered", name="P", input="[1,2]"),
    ev(15, 14, "ParallelStateStarted"),
    ev(16, 15, "PassStateEntered", name="A", input="[1,2]"),
    ev(17, 15, "PassStateEntered", name="B", input="[1,2]"),
    ev(18, 17, "PassStateExited", name="B", output="[1,2]"),
    ev(19, 16, "PassStateExited", name="A", output="[1,2]"),
    ev(20, 19, "ParallelStateSucceeded"),
    ev(21, 19, "ParallelStateExited", name="P", output="[[1,2],[1,2]]"),
    ev(22, 21, "SucceedStateEntered", name="Done", input="[[1,2],[1,2]]"),
    ev(23, 22, "SucceedStateExited", name="Done", output="[[1,2],[1,2]]"),
    ev(24, 23, "ExecutionSucceeded", output="[[1,2],[1,2]]"),
]

# A Task retried once then caught; a Parallel whose Fail branch stops the Wait branch.
CAUGHT_THEN_FAILED = [
    ev(1, 0, "ExecutionStarted", input="{}"),
    ev(2, 0, "TaskStateEntered", name="F", input="{}"),
    ev(3, 2, "TaskScheduled", resource="invoke", resourceType="lambda"),
    ev(4, 3, "TaskStarted", resource="invoke", resourceType="lambda"),
    ev(5, 4, "TaskFailed", error="Lambda.NotFound", cause="no such function"),
    ev(6, 5, "TaskScheduled", resource="invoke", resourceType="lambda", ms=1006),
    ev(7, 6, "TaskStarted", resource="invoke", resourceType="lambda", ms=1007),
    ev(8, 7, "TaskFailed", error="Lambda.NotFound", cause="still no function", ms=1020),
    ev(9, 8, "TaskStateExited", name="F", output='{"err": {}}', ms=1021),
    ev(10, 9, "PassStateEntered", name="Caught", input="{}", ms=1022),
    ev(11, 10, "PassStateExited", name="Caught", output="{}", ms=1023),
    ev(12, 11, "ParallelStateEntered", name="PF", input="{}", ms=1024),
    ev(13, 12, "ParallelStateStarted", ms=1025),
    ev(14, 13, "WaitStateEntered", name="W", input="{}", ms=1026),
    ev(15, 13, "FailStateEntered", name="X", input="{}", ms=1027),
    ev(16, 15, "ParallelStateFailed", ms=1028),
    ev(17, 16, "ExecutionFailed", error="E", cause="C", ms=1029),
]


def test_always_fails_runs_statuses_and_first_failure() -> None:
    history = ExecutionHistory(ALWAYS_FAILS)
    assert [history.state_name(i) for i in range(5)] == [
        "",
        "ChargeCard",
        "ChargeCard",
        "PaymentDeclined",
        "",
    ]
    assert history.failures == [3, 4]
    assert history.first_failure == 3  # the Fail state being entered
    assert history.ended
    charge, declined = history.runs
    assert charge.exited and charge.duration() == 0.001 and charge.output == '{"card":"**** 4242"}'
    assert declined.error == "Demo.PaymentDeclined" and declined.cause == "Declined."
    assert history.statuses() == {
        "ChargeCard": StateStatus.SUCCEEDED,
        "PaymentDeclined": StateStatus.FAILED,
    }


def test_map_iterations_and_parallel_branches_land_on_their_states() -> None:
    history = ExecutionHistory(MAP_AND_PARALLEL)
    names = {e.id: history.state_name(i) for i, e in enumerate(history.events)}
    assert names[3] == names[4] == names[10] == names[12] == "M"  # Map lifecycle
    assert names[6] == names[9] == "I"
    assert names[15] == names[20] == names[21] == "P"  # after branch B exits: still P
    assert names[18] == "B" and names[19] == "A"  # interleaved branches
    i_runs = [r for r in history.runs if r.name == "I"]
    assert [(r.iteration, r.input, r.output) for r in i_runs] == [(0, "1", "1"), (1, "2", "2")]
    m_run = history.runs[0]
    assert m_run.exited and m_run.attempts == 1 and m_run.output == "[1,2]"
    assert history.statuses() == dict.fromkeys(
        ("M", "I", "P", "A", "B", "Done"), StateStatus.SUCCEEDED
    )
    assert history.failures == [] and history.first_failure is None
    assert history.type_counts["PassStateEntered"] == 4


def test_retries_caught_failed_and_stopped() -> None:
    history = ExecutionHistory(CAUGHT_THEN_FAILED)
    runs = {r.name: r for r in history.runs}
    f = runs["F"]
    assert f.attempts == 2 and f.retries == 1 and f.failures == 2
    assert f.error == "Lambda.NotFound" and f.cause == "still no function"
    assert f.duration() == 1.019
    assert history.statuses() == {
        "F": StateStatus.CAUGHT,
        "Caught": StateStatus.SUCCEEDED,
        "PF": StateStatus.FAILED,
        "W": StateStatus.STOPPED,  # still waiting when its sibling failed
        "X": StateStatus.FAILED,
    }
    assert history.first_failure == 4  # the first TaskFailed, retried afterwards
    assert [history.events[i].type for i in history.failures] == [
        "TaskFailed",
        "TaskFailed",
        "FailStateEntered",
        "ParallelStateFailed",
        "ExecutionFailed",
    ]


def test_a_running_execution() -> None:
    history = ExecutionHistory(CAUGHT_THEN_FAILED[:14])
    assert not history.ended
    statuses = history.statuses()
    assert statuses["PF"] == statuses["W"] == StateStatus.RUNNING
    assert statuses["F"] == StateStatus.CAUGHT
    # A retry in progress is running, not failed.
    retrying = ExecutionHistory(CAUGHT_THEN_FAILED[:6])
    assert retrying.statuses() == {"F": StateStatus.RUNNING}
    assert retrying.runs[0].duration(T0 + timedelta(seconds=2)) == 1.998
    # Told the execution ended (say, stopped) without its last events: stopped.
    assert history.statuses(finished=True)["W"] == StateStatus.STOPPED


def test_incremental_equals_all_at_once() -> None:
    for events in (ALWAYS_FAILS, MAP_AND_PARALLEL, CAUGHT_THEN_FAILED):
        whole = ExecutionHistory(events)
        for split in range(len(events) + 1):
            parts = ExecutionHistory(events[:split])
            added = parts.extend(events[split:])
            assert [e.id for e in added] == [e.id for e in events[split:]]
            assert [parts.state_name(i) for i in range(len(events))] == [
                whole.state_name(i) for i in range(len(events))
            ]
            assert parts.statuses() == whole.statuses()
            assert parts.failures == whole.failures


def test_known_duplicate_and_unordered_events_are_ignored() -> None:
    history = ExecutionHistory(ALWAYS_FAILS[:3])
    assert history.extend([ALWAYS_FAILS[4], ALWAYS_FAILS[1], ALWAYS_FAILS[3], ALWAYS_FAILS[4]])
    assert [e.id for e in history.events] == [1, 2, 3, 4, 5]
    assert history.extend(ALWAYS_FAILS) == []
    assert history.last_id == 5


def test_paging_helpers() -> None:
    newest_first = list(reversed(MAP_AND_PARALLEL))[:5]
    assert [e.id for e in new_events(newest_first, 21)] == [22, 23, 24]
    assert reached_known(newest_first, 21)
    assert not reached_known(newest_first, 19)


def test_events_without_links_fall_back_to_the_open_state() -> None:
    events = [
        ev(1, 0, "ExecutionStarted"),
        ev(2, 0, "TaskStateEntered", name="T"),
        ev(3, 0, "ActivityScheduled", resource="arn:activity"),
        ev(4, 0, "ActivityTimedOut", error="States.Timeout"),
        ev(5, 0, "ExecutionFailed", error="States.Timeout"),
    ]
    history = ExecutionHistory(events)
    assert [history.state_name(i) for i in range(5)] == ["", "T", "T", "T", ""]
    assert history.statuses() == {"T": StateStatus.FAILED}


def test_twenty_five_thousand_events_analysed() -> None:
    events = [ev(1, 0, "ExecutionStarted")]
    next_id = 2
    while len(events) < 24_999:
        name = f"S{next_id % 5}"
        events.append(ev(next_id, next_id - 1, "PassStateEntered", name=name, input="{}"))
        events.append(ev(next_id + 1, next_id, "PassStateExited", name=name, output="{}"))
        next_id += 2
    history = ExecutionHistory()
    for page in range(0, len(events), 1000):
        history.extend(events[page : page + 1000])
    statuses = history.statuses()
    assert len(history) == 24_999 and len(history.runs) == 12_499 and len(statuses) == 5


# Text --------------------------------------------------------------------------------


def test_event_texts() -> None:
    failed = ev(5, 4, "TaskFailed", error="Lambda.NotFound", cause="no\nsuch   function")
    assert event_summary(failed) == "Lambda.NotFound: no such function"
    assert event_summary(ev(2, 0, "PassStateEntered", name="A", input='{\n "a": 1\n}')) == (
        '{ "a": 1 }'
    )
    assert event_summary(ev(3, 2, "MapIterationStarted", name="M", index=3)) == "index=3"
    assert event_summary(ev(4, 3, "TaskStarted")) == ""
    assert len(event_summary(ev(6, 0, "X", input="x" * 500), limit=50)) == 50
    sections = dict(
        event_detail_sections(
            ev(2, 0, "TaskScheduled", parameters='{"a":1}', region="eu", inputDetails={})
        )
    )
    assert sections == {"details": '{\n  "region": "eu"\n}', "parameters": '{\n  "a": 1\n}'}
    assert is_failure("FailStateEntered") and is_failure("ExecutionAborted")
    assert not is_failure("TaskSucceeded")


def test_times() -> None:
    assert offset_text(0.0123) == "+0.012s"
    assert offset_text(123.5) == "+2m03.500s"
    assert offset_text(3723) == "+1h02m03s"
    assert offset_text(None) == "—"
    assert duration_text(0.5) == "0.500s"
    assert duration_text(61) == "1m01.0s"
    assert duration_text(7322) == "2h02m02s"


# On the engine ----------------------------------------------------------------------

ENGINE_REGION = "ap-south-1"
GROUPS_AND_CATCH = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Item",
                "States": {"Item": {"Type": "Pass", "End": True}},
            },
            "ResultPath": "$.done",
            "Next": "Both",
        },
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": True}}},
                {
                    # The failing branch waits a second first: a branch that fails stops
                    # its siblings, and Left must have ended by then (under load Boom
                    # could otherwise fail before Left ran: a flake seen in CI).
                    "StartAt": "Pause",
                    "States": {
                        "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Boom"},
                        "Boom": {"Type": "Fail", "Error": "Boom", "Cause": "b"},
                    },
                },
            ],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle", "ResultPath": "$.e"}],
            "Next": "Unused",
        },
        "Unused": {"Type": "Succeed"},
        "Handle": {"Type": "Pass", "End": True},
    },
}


def test_an_engine_history(engine: str) -> None:
    sfn = boto3.client(
        "stepfunctions",
        endpoint_url=engine,
        region_name=ENGINE_REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    machine = sfn.create_state_machine(
        name=f"groups-{time.time_ns()}",
        definition=json.dumps(GROUPS_AND_CATCH),
        roleArn="arn:aws:iam::123456789012:role/sfn-tui-test",
    )["stateMachineArn"]
    arn = sfn.start_execution(
        stateMachineArn=machine, name="groups", input=json.dumps({"items": [1, 2, 3]})
    )["executionArn"]
    wait_until(lambda: sfn.describe_execution(executionArn=arn)["status"] != "RUNNING", timeout=20)
    raw = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    history = ExecutionHistory(HistoryEvent.from_api(e) for e in raw)
    assert history.ended
    statuses = history.statuses()
    assert statuses["Each"] == statuses["Item"] == statuses["Left"] == StateStatus.SUCCEEDED
    assert statuses["Boom"] == StateStatus.FAILED
    assert statuses["Both"] == StateStatus.CAUGHT
    assert statuses["Handle"] == StateStatus.SUCCEEDED
    assert "Unused" not in statuses
    assert sorted(r.iteration for r in history.runs if r.name == "Item") == [0, 1, 2]
    first = history.events[history.first_failure or 0]
    assert first.type == "FailStateEntered" and first.details["name"] == "Boom"
