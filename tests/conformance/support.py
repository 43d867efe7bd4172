"""What every conformance case needs: uniquely named resources that are cleaned up, runs
waited on with a deadline, their history, and the error code of a refused call.

The same helpers work on the embedded engine and on any endpoint given with
``--endpoint`` (an emulator, or AWS itself with ``--endpoint aws``).
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.helpers import wait_until

Definition = dict[str, Any]

WAIT_SCALE = 1.0  # multiplies every deadline (a remote endpoint answers slower)


def unique(prefix: str) -> str:
    return f"conf-{prefix}-{uuid.uuid4().hex[:10]}"


def error_code(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    """The AWS error code of a refused call (always an HTTP 400 for these)."""
    response = excinfo.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400, response
    return str(response["Error"]["Code"])


def error_message(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    return str(excinfo.value.response["Error"].get("Message", ""))


@dataclass
class Conformance:
    """One case's view of the endpoint: clients, and everything it created."""

    sfn: Any
    sqs: Any
    lam: Any  # Lambda, for Lambda Task cases
    role_arn: str
    local: bool  # the embedded engine (engine-only knobs are available)
    sns: Any = None  # SNS, for callbacks through a topic
    scale: float = WAIT_SCALE
    logs: Any = None  # CloudWatch Logs, for Express and logging cases
    machines: list[str] = field(default_factory=list)
    activities: list[str] = field(default_factory=list)
    queues: list[str] = field(default_factory=list)
    functions: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    log_groups: list[str] = field(default_factory=list)
    runs: list[str] = field(default_factory=list)

    # Resources ----------------------------------------------------------------------

    def machine(self, definition: Definition | str, **kw: Any) -> str:
        """Create a state machine of this definition; return its ARN."""
        text = definition if isinstance(definition, str) else json.dumps(definition)
        arn = str(
            self.sfn.create_state_machine(
                name=unique("sm"), definition=text, roleArn=self.role_arn, **kw
            )["stateMachineArn"]
        )
        self.machines.append(arn)
        return arn

    def activity(self) -> str:
        arn = str(self.sfn.create_activity(name=unique("act"))["activityArn"])
        self.activities.append(arn)
        return arn

    def queue(self) -> str:
        url = str(self.sqs.create_queue(QueueName=unique("q"))["QueueUrl"])
        self.queues.append(url)
        return url

    def topic_to_queue(self) -> tuple[str, str]:
        """An SNS topic delivering raw messages to a new queue; return (topic ARN, queue URL).

        The queue's policy lets the topic send to it (AWS needs it; the engine ignores it)."""
        queue = self.queue()
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        topic = str(self.sns.create_topic(Name=unique("topic"))["TopicArn"])
        self.topics.append(topic)
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": topic}},
                }
            ],
        }
        self.sqs.set_queue_attributes(QueueUrl=queue, Attributes={"Policy": json.dumps(policy)})
        self.sns.subscribe(
            TopicArn=topic,
            Protocol="sqs",
            Endpoint=queue_arn,
            Attributes={"RawMessageDelivery": "true"},
        )
        return topic, queue

    def log_group(self) -> tuple[str, str]:
        """A new CloudWatch Logs log group: (name, the ARN LoggingConfiguration takes,
        ending in ``:*``)."""
        name = f"/aws/vendedlogs/states/{unique('logs')}"
        self.logs.create_log_group(logGroupName=name)
        self.log_groups.append(name)
        found = self.logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
        arn = str(found[0]["arn"])
        return name, arn if arn.endswith(":*") else f"{arn}:*"

    def function(
        self, source: str, handler: str = "index.handler", runtime: str = "python3.12", **kw: Any
    ) -> str:
        """A Lambda function whose code is `source` (index.py of a zip); return its ARN.

        The hook for Lambda Task cases: the role is --role-arn (on AWS, one Lambda can
        assume); `kw` goes to CreateFunction (Timeout, MemorySize, Environment...)."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("index.py", source)
        arn = str(
            self.lam.create_function(
                FunctionName=unique("fn"),
                Runtime=runtime,
                Role=self.role_arn,
                Handler=handler,
                Code={"ZipFile": buffer.getvalue()},
                **kw,
            )["FunctionArn"]
        )
        self.functions.append(arn)
        return arn

    # Runs ---------------------------------------------------------------------------

    def start(self, machine_arn: str, payload: Any = None, name: str | None = None) -> str:
        kw: dict[str, Any] = {"stateMachineArn": machine_arn, "name": name or unique("run")}
        kw["input"] = json.dumps({} if payload is None else payload)
        arn = str(self.sfn.start_execution(**kw)["executionArn"])
        self.runs.append(arn)
        return arn

    def describe(self, execution_arn: str) -> dict[str, Any]:
        return dict(self.sfn.describe_execution(executionArn=execution_arn))

    def finished(self, execution_arn: str, timeout: float = 10.0) -> dict[str, Any]:
        """DescribeExecution once the run has left RUNNING."""

        def ended() -> dict[str, Any] | None:
            out = self.describe(execution_arn)
            return out if out["status"] != "RUNNING" else None

        return wait_until(ended, timeout * self.scale, f"{execution_arn} still RUNNING")

    def run(self, definition: Definition, payload: Any = None, timeout: float = 10.0) -> Run:
        """Create a machine, start one run of it, wait for its end."""
        arn = self.start(self.machine(definition), payload)
        return Run(self, arn, self.finished(arn, timeout))

    def history(self, execution_arn: str, **kw: Any) -> list[dict[str, Any]]:
        """The whole history, every page, oldest first (unless reverseOrder)."""
        events: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            args = {"executionArn": execution_arn, **kw}
            if token:
                args["nextToken"] = token
            page = self.sfn.get_execution_history(**args)
            events.extend(page["events"])
            token = page.get("nextToken")
            if not token:
                return events

    def types(self, execution_arn: str) -> list[str]:
        return [e["type"] for e in self.history(execution_arn)]

    def wait_for_event(self, execution_arn: str, event_type: str, timeout: float = 5.0) -> None:
        wait_until(
            lambda: event_type in self.types(execution_arn),
            timeout * self.scale,
            f"no {event_type} in {execution_arn}",
        )

    # Activities ---------------------------------------------------------------------

    def claim(self, activity_arn: str, worker: str = "conformance") -> dict[str, Any]:
        """GetActivityTask until a task arrives."""

        def poll() -> dict[str, Any] | None:
            task: dict[str, Any] = self.sfn.get_activity_task(
                activityArn=activity_arn, workerName=worker
            )
            return task if task.get("taskToken") else None

        return wait_until(poll, 10 * self.scale, "no activity task")

    def receive_token(self, queue_url: str) -> dict[str, Any]:
        """The message body of the next SQS message (a callback's task token inside)."""

        def receive() -> dict[str, Any] | None:
            out = self.sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=0)
            messages = out.get("Messages", [])
            return json.loads(messages[0]["Body"]) if messages else None

        return wait_until(receive, 10 * self.scale, "no message on the queue")

    # Clean-up -----------------------------------------------------------------------

    def cleanup(self) -> None:
        for arn in self.runs:
            quietly(lambda arn=arn: self._stop_if_running(arn))
        for arn in self.machines:
            quietly(lambda arn=arn: self.sfn.delete_state_machine(stateMachineArn=arn))
        for arn in self.activities:
            quietly(lambda arn=arn: self.sfn.delete_activity(activityArn=arn))
        for url in self.queues:
            quietly(lambda url=url: self.sqs.delete_queue(QueueUrl=url))
        for arn in self.functions:
            quietly(lambda arn=arn: self.lam.delete_function(FunctionName=arn))
        for arn in self.topics:
            quietly(lambda arn=arn: self.sns.delete_topic(TopicArn=arn))
        for name in self.log_groups:
            quietly(lambda name=name: self.logs.delete_log_group(logGroupName=name))

    def _stop_if_running(self, arn: str) -> None:
        if self.describe(arn)["status"] == "RUNNING":
            self.sfn.stop_execution(executionArn=arn)


@dataclass
class Run:
    conf: Conformance
    arn: str
    result: dict[str, Any]

    @property
    def status(self) -> str:
        return str(self.result["status"])

    @property
    def output(self) -> Any:
        return json.loads(self.result["output"])

    @property
    def error(self) -> str | None:
        return self.result.get("error")

    @property
    def cause(self) -> str | None:
        return self.result.get("cause")

    def types(self) -> list[str]:
        return self.conf.types(self.arn)

    def history(self) -> list[dict[str, Any]]:
        return self.conf.history(self.arn)


def quietly(call: Callable[[], object]) -> None:
    """Clean-up: a resource already gone (or the run already ended) is fine."""
    try:
        call()
    except ClientError:
        return
