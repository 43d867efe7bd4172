"""Pass, Choice and Wait states: output, errors and the history they write."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tests.conformance.support import Conformance

PASS_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/state-pass.html"
PATHS_DOC = (
    "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-input-output-filtering.html"
)
CHOICE_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html"
ERRORS_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html"
WAIT_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html"


# --- Pass -----------------------------------------------------------------------------


def test_pass_input_path_parameters_result_path_output_path(conf: Conformance) -> None:
    # PATHS_DOC: InputPath selects, Parameters shapes, ResultPath places the result in the
    # raw input, OutputPath selects what goes on.
    run = conf.run(
        {
            "StartAt": "Shape",
            "States": {
                "Shape": {
                    "Type": "Pass",
                    "InputPath": "$.order",
                    "Parameters": {"id.$": "$.id", "fixed": 1, "ctx.$": "$$.State.Name"},
                    "ResultPath": "$.shaped",
                    "OutputPath": "$.shaped",
                    "End": True,
                }
            },
        },
        {"order": {"id": "A-1", "qty": 2}, "other": True},
    )
    assert run.status == "SUCCEEDED"
    assert run.output == {"id": "A-1", "fixed": 1, "ctx": "Shape"}
    assert run.types() == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]


def test_pass_result_with_result_path(conf: Conformance) -> None:
    # PASS_DOC: Result is the state's output, placed by ResultPath into the input.
    run = conf.run(
        {
            "StartAt": "Add",
            "States": {
                "Add": {"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.r", "End": True}
            },
        },
        {"keep": "me"},
    )
    assert run.output == {"keep": "me", "r": {"x": 1}}


def test_pass_result_path_null_keeps_the_input(conf: Conformance) -> None:
    # PATHS_DOC: ResultPath null discards the result and passes the input through.
    run = conf.run(
        {
            "StartAt": "Drop",
            "States": {"Drop": {"Type": "Pass", "Result": 5, "ResultPath": None, "End": True}},
        },
        {"keep": "me"},
    )
    assert run.output == {"keep": "me"}


def test_missing_json_path_in_parameters_is_states_runtime(conf: Conformance) -> None:
    # ERRORS_DOC, States.Runtime: an exception that could not be processed (a path that
    # selects nothing).
    run = conf.run(
        {
            "StartAt": "P",
            "States": {"P": {"Type": "Pass", "Parameters": {"v.$": "$.missing"}, "End": True}},
        }
    )
    assert run.status == "FAILED"
    assert run.error == "States.Runtime"
    assert "$.missing" in (run.cause or "")
    assert run.types() == ["ExecutionStarted", "PassStateEntered", "ExecutionFailed"]


# --- Choice ---------------------------------------------------------------------------

CHOOSE = {
    "StartAt": "Choose",
    "States": {
        "Choose": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"},
                {
                    "And": [
                        {"Variable": "$.s", "IsPresent": True},
                        {"Variable": "$.s", "StringMatches": "a*"},
                    ],
                    "Next": "AStar",
                },
            ],
            "Default": "Other",
        },
        "Big": {"Type": "Pass", "Result": "big", "End": True},
        "AStar": {"Type": "Pass", "Result": "a*", "End": True},
        "Other": {"Type": "Pass", "Result": "other", "End": True},
    },
}


def test_choice_takes_the_first_matching_rule(conf: Conformance) -> None:
    # CHOICE_DOC: rules are tried in order; the first that matches gives Next.
    machine = conf.machine(CHOOSE)
    outputs = []
    for payload in ({"n": 11, "s": "abc"}, {"n": 1, "s": "abc"}, {"n": 1}):
        arn = conf.start(machine, payload)
        outputs.append(conf.finished(arn)["output"])
    # DescribeExecution's output is JSON text: a string result comes quoted.
    assert outputs == ['"big"', '"a*"', '"other"']
    assert conf.types(arn) == [
        "ExecutionStarted",
        "ChoiceStateEntered",
        "ChoiceStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]


NO_DEFAULT = {
    "StartAt": "Choose",
    "States": {
        "Choose": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "One"}],
        },
        "One": {"Type": "Succeed"},
    },
}


def test_choice_without_match_or_default_fails_with_no_choice_matched(conf: Conformance) -> None:
    # ERRORS_DOC, States.NoChoiceMatched: a Choice matches no rule and has no Default.
    run = conf.run(NO_DEFAULT, {"n": 2})
    assert run.status == "FAILED"
    assert run.error == "States.NoChoiceMatched"
    assert "Choose" in (run.cause or "")  # names the state, not a Python repr
    assert "RuntimeError" not in (run.cause or "")
    assert run.types() == ["ExecutionStarted", "ChoiceStateEntered", "ExecutionFailed"]


def test_no_choice_matched_can_be_caught(conf: Conformance) -> None:
    # ERRORS_DOC: States.NoChoiceMatched is an error name a Catch can name (here on the
    # Parallel state around the Choice).
    run = conf.run(
        {
            "StartAt": "Around",
            "States": {
                "Around": {
                    "Type": "Parallel",
                    "Branches": [NO_DEFAULT],
                    "Catch": [{"ErrorEquals": ["States.NoChoiceMatched"], "Next": "Caught"}],
                    "End": True,
                },
                "Caught": {"Type": "Pass", "End": True},
            },
        },
        {"n": 2},
    )
    assert run.status == "SUCCEEDED"
    assert run.output["Error"] == "States.NoChoiceMatched"


# --- Wait -----------------------------------------------------------------------------


def wait_machine(field: dict[str, object]) -> dict[str, object]:
    return {"StartAt": "W", "States": {"W": {"Type": "Wait", **field, "End": True}}}


def soon() -> str:
    return (datetime.now(UTC) + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def assert_waited(conf: Conformance, run_arn: str, at_least: float) -> None:
    result = conf.finished(run_arn)
    assert result["status"] == "SUCCEEDED"
    assert (result["stopDate"] - result["startDate"]).total_seconds() >= at_least
    assert conf.types(run_arn) == [
        "ExecutionStarted",
        "WaitStateEntered",
        "WaitStateExited",
        "ExecutionSucceeded",
    ]


def test_wait_seconds(conf: Conformance) -> None:
    # WAIT_DOC: Seconds waits that many seconds; the input passes through.
    arn = conf.start(conf.machine(wait_machine({"Seconds": 1})), {"a": 1})
    assert_waited(conf, arn, 0.9)
    assert json.loads(conf.describe(arn)["output"]) == {"a": 1}


def test_wait_seconds_path(conf: Conformance) -> None:
    # WAIT_DOC: SecondsPath reads the seconds from the input.
    arn = conf.start(conf.machine(wait_machine({"SecondsPath": "$.s"})), {"s": 1})
    assert_waited(conf, arn, 0.9)


def test_wait_timestamp(conf: Conformance) -> None:
    # WAIT_DOC: Timestamp waits until that time (ISO-8601, UTC here).
    arn = conf.start(conf.machine(wait_machine({"Timestamp": soon()})))
    assert_waited(conf, arn, 0.0)


def test_wait_timestamp_path(conf: Conformance) -> None:
    # WAIT_DOC: TimestampPath reads the time from the input.
    arn = conf.start(conf.machine(wait_machine({"TimestampPath": "$.t"})), {"t": soon()})
    assert_waited(conf, arn, 0.0)


def test_wait_seconds_path_to_nothing_is_states_runtime(conf: Conformance) -> None:
    # WAIT_DOC / ERRORS_DOC: a SecondsPath that selects nothing fails the run.
    run = conf.run(wait_machine({"SecondsPath": "$.nope"}), {})
    assert run.status == "FAILED"
    assert run.error == "States.Runtime"


def test_a_definite_path_through_an_array_selects_a_value_not_a_list(conf: Conformance) -> None:
    # PATHS_DOC (Reference paths: "a path that identifies a single node"), and the
    # JsonPath rules it cites: $.items[1].name names one node and yields its value;
    # $.items[*].name is indefinite and yields a list.
    run = conf.run(
        {
            "StartAt": "Pick",
            "States": {
                "Pick": {
                    "Type": "Pass",
                    "Parameters": {
                        "second.$": "$.items[1].name",
                        "first.$": "$.items[0]",
                        "all.$": "$.items[*].name",
                        "text.$": "States.Format('{} then {}', $.items[0].name, $.items[1].name)",
                    },
                    "End": True,
                }
            },
        },
        {"items": [{"name": "a"}, {"name": "b"}]},
    )
    assert run.status == "SUCCEEDED"
    assert run.output == {
        "second": "b",
        "first": {"name": "a"},
        "all": ["a", "b"],
        "text": "a then b",
    }
