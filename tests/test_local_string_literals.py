"""Conformance: the engine reads a definition's strings as JSON strings.

AWS: a state machine definition is a JSON document in the Amazon States Language
(https://docs.aws.amazon.com/step-functions/latest/dg/concepts-amazon-states-language.html;
the spec, https://states-language.net/spec.html, "the States field ... whose field names
are state names"), so `"\\u001b[31mAnsiState"` names a state whose first character is
ESC, and `"A\\"B"` one whose name holds a quote. GetExecutionHistory reports the state's
name in StateEnteredEventDetails/StateExitedEventDetails `name`
(https://docs.aws.amazon.com/step-functions/latest/apireference/API_StateEnteredEventDetails.html),
and a Fail state's Error in ExecutionFailedEventDetails `error`
(https://docs.aws.amazon.com/step-functions/latest/apireference/API_ExecutionFailedEventDetails.html):
the same strings the JSON holds. moto 5.2.5's parser took them as the raw text between
the quotes (escapes not decoded), so history names never matched the definition's.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from tests.helpers import boto_client, wait_until

REGION = "ap-northeast-1"
ROLE_ARN = "arn:aws:iam::123456789012:role/sfn-tui-test"
ANSI = "\x1b[31mAnsiState"
QUOTED = 'Say "hi" \\ back'


def run_to_end(engine: str, definition: dict[str, Any]) -> tuple[Any, str]:
    sfn = boto_client("stepfunctions", engine, REGION)
    machine = sfn.create_state_machine(
        name=f"escapes-{uuid.uuid4().hex[:8]}",
        definition=json.dumps(definition),  # ESC, quotes and backslashes written as escapes
        roleArn=ROLE_ARN,
    )["stateMachineArn"]
    run = sfn.start_execution(stateMachineArn=machine, name="escapes")["executionArn"]
    wait_until(
        lambda: sfn.describe_execution(executionArn=run)["status"] != "RUNNING",
        timeout=30,
        message="the run to end",
    )
    return sfn, run


def test_state_names_with_escapes_are_reported_as_the_json_holds_them(engine: str) -> None:
    definition = {
        "StartAt": ANSI,
        "States": {
            ANSI: {"Type": "Pass", "Next": QUOTED},
            QUOTED: {"Type": "Succeed"},
        },
    }
    assert "\\u001b" in json.dumps(definition)  # the definition sent holds an escape
    sfn, run = run_to_end(engine, definition)
    assert sfn.describe_execution(executionArn=run)["status"] == "SUCCEEDED"
    events = sfn.get_execution_history(executionArn=run)["events"]
    entered = [
        e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e
    ]
    exited = [
        e["stateExitedEventDetails"]["name"] for e in events if "stateExitedEventDetails" in e
    ]
    assert entered == [ANSI, QUOTED]
    assert exited == [ANSI, QUOTED]
