"""Bulk content for benchmarks: a thousand state machines and 100,000 finished
executions in seconds, by writing straight into moto's backend in the engine process.

Over the API the engine starts about 80 executions a second (100,000 would take over
20 minutes), and every real execution keeps a worker and its history in memory. The
finished executions made here are plain records with what ListExecutions and
DescribeExecution read (name, ARN, dates, status, input, output, error, cause); they
have no history. Running executions are started over the API, so they are real.

Run as a child process (what ``bench/run.py`` does)::

    python -m sfn_tui.local.bulk --machines 1000 --activities 10 --finished 100000

It starts a LocalEngine on a free port, seeds the ChatSFN demo (over the API) and the
bulk content (in the backend), prints one JSON line (endpoint and ARNs) and then reads
commands on stdin, one a line, answering each with one JSON line:

    start-running N SECONDS   start N real executions of the big machine that finish
                              spread over the next SECONDS (a Wait state)
    stopped                   the stop times of the executions started so far
    quit
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

ACCOUNT = "123456789012"
BIG_MACHINE = "aaa-bench-100k"  # sorts first: the dashboard watches it at launch
FILLER_PREFIX = "bench-sm-"
STATUS_MIX = (("SUCCEEDED", 70), ("FAILED", 20), ("TIMED_OUT", 5), ("ABORTED", 5))

# The big machine: waits $.wait seconds, then succeeds (real running executions).
BIG_DEFINITION = {
    "Comment": "Waits $.wait seconds, then succeeds.",
    "StartAt": "Hold",
    "States": {
        "Hold": {"Type": "Wait", "SecondsPath": "$.wait", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}
FILLER_DEFINITION = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


class FinishedExecution:
    """What moto's ListExecutions / DescribeExecution responses read from an execution."""

    __slots__ = (
        "cause",
        "error",
        "exec_arn",
        "execution_arn",
        "execution_input",
        "name",
        "output",
        "output_details",
        "start_date",
        "state_machine_arn",
        "status",
        "stop_date",
    )

    def __init__(
        self, name: str, arn: str, machine_arn: str, start: datetime, stop: datetime, status: Any
    ) -> None:
        self.name = name
        self.execution_arn = self.exec_arn = arn
        self.state_machine_arn = machine_arn
        self.start_date = start
        self.stop_date = stop
        self.status = status
        self.execution_input = "{}"
        self.output = "{}" if status == "SUCCEEDED" else None
        self.output_details = {"included": True} if status == "SUCCEEDED" else None
        self.error = "Bench.Failed" if status == "FAILED" else None
        self.cause = "synthetic bench execution" if status == "FAILED" else None


def _backend(region: str) -> Any:
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    return stepfunctions_parser_backends[ACCOUNT][region]


def bulk_seed(
    role_arn: str,
    *,
    region: str = "us-east-1",
    machines: int = 1000,
    activities: int = 10,
    finished: int = 100_000,
) -> dict[str, Any]:
    """Create the machines, activities and finished executions; return the big machine's
    ARN and how long it took. Call in the engine's process, after ``LocalEngine.start()``."""
    from moto.stepfunctions.models import StepFunctionBackend
    from moto.stepfunctions.parser.api import ExecutionStatus

    started = time.monotonic()
    backend = _backend(region)
    big = backend.create_state_machine(
        name=BIG_MACHINE, definition=json.dumps(BIG_DEFINITION), roleArn=role_arn
    )
    filler = json.dumps(FILLER_DEFINITION)
    for i in range(machines - 1):
        # The base class skips the ASL parse (~10 ms a definition); all share one.
        StepFunctionBackend.create_state_machine(
            backend, name=f"{FILLER_PREFIX}{i:04d}", definition=filler, roleArn=role_arn
        )
    for i in range(activities):
        backend.create_activity(name=f"bench-activity-{i:02d}")
    statuses = [ExecutionStatus(s) for s, weight in STATUS_MIX for _ in range(weight)]
    now = datetime.now(UTC)
    prefix = big.arn.replace(":stateMachine:", ":execution:") + ":"
    records = []
    for i in range(finished):
        start = now - timedelta(seconds=60 * (finished - i))  # one a minute, oldest first
        name = f"run-{i:06d}"
        records.append(
            FinishedExecution(
                name,
                prefix + name,
                big.arn,
                start,
                start + timedelta(seconds=5 + i % 50),
                statuses[i % len(statuses)],
            )
        )
    big.executions.extend(records)
    return {"big_machine_arn": big.arn, "seed_seconds": time.monotonic() - started}


def start_running(endpoint: str, machine_arn: str, count: int, spread: float) -> list[str]:
    """Start `count` real executions that finish spread evenly over `spread` seconds."""
    import boto3

    sfn = boto3.client(
        "stepfunctions",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    stamp = int(time.time())
    arns = []
    for i in range(count):
        wait = max(1, round(spread * (i + 1) / count))
        arns.append(
            sfn.start_execution(
                stateMachineArn=machine_arn,
                name=f"live-{stamp}-{i:03d}",
                input=json.dumps({"wait": wait}),
            )["executionArn"]
        )
    return arns


def stop_times(region: str, arns: list[str]) -> dict[str, float | None]:
    """Wall-clock stop time (epoch seconds) of each execution, None while running."""
    backend = _backend(region)
    wanted = set(arns)
    out: dict[str, float | None] = {}
    for machine in backend.state_machines:
        if machine.name != BIG_MACHINE:
            continue
        for execution in reversed(machine.executions):
            if execution.execution_arn in wanted:
                stop = execution.stop_date
                out[execution.execution_arn] = stop.timestamp() if stop is not None else None
            if len(out) == len(wanted):
                break
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sfn_tui.local.bulk")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--machines", type=int, default=1000)
    parser.add_argument("--activities", type=int, default=10)
    parser.add_argument("--finished", type=int, default=100_000)
    args = parser.parse_args(argv)

    from sfn_tui.local.engine import LocalEngine
    from sfn_tui.local.seed import seed_demo

    engine = LocalEngine(port=args.port)
    endpoint = engine.start()
    demo = seed_demo(endpoint)
    seeded = bulk_seed(
        demo.role_arn,
        machines=args.machines,
        activities=args.activities,
        finished=args.finished,
    )
    print(
        json.dumps(
            {
                "endpoint": endpoint,
                "chat_machine_arn": demo.chat_state_machine_arn,
                "activity_arn": demo.activity_arn,
                **seeded,
            }
        ),
        flush=True,
    )
    running: list[str] = []
    try:
        for line in sys.stdin:
            words = line.split()
            if not words:
                continue
            if words[0] == "start-running":
                running += start_running(
                    endpoint, seeded["big_machine_arn"], int(words[1]), float(words[2])
                )
                print(json.dumps({"started": len(running), "at": time.time()}), flush=True)
            elif words[0] == "stopped":
                print(json.dumps(stop_times("us-east-1", running)), flush=True)
            elif words[0] == "quit":
                break
    finally:
        engine.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
