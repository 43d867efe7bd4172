"""The pure parts of JSONata and variables in the app: query languages, the editor's
JSONata checks (line and column), variable scope from a history, evaluation failures in
words, and what TestState is sent and answers."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sfn_tui.aws.models import HistoryEvent
from sfn_tui.core.evaluation_failures import evaluation_failure_words
from sfn_tui.core.graph import render_graph
from sfn_tui.core.history import ExecutionHistory, event_detail_sections, event_summary
from sfn_tui.core.jsonata_check import jsonata_problem
from sfn_tui.core.machine_templates import JSONATA_TEMPLATE
from sfn_tui.core.query_language import query_languages, state_places
from sfn_tui.core.test_state import (
    StateTestResult,
    build_request,
    explain_error,
    state_inputs,
)
from sfn_tui.core.validation import InvalidDefinition, InvalidJson, InvalidValue, check_definition
from sfn_tui.core.variables import assigned_variables, scope_at

NESTED = {
    "StartAt": "Top",
    "States": {
        "Top": {"Type": "Pass", "Assign": {"outer": 1}, "Next": "Fan"},
        "Fan": {
            "Type": "Parallel",
            "QueryLanguage": "JSONata",
            "Branches": [
                {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": True}}},
                {"StartAt": "Right", "States": {"Right": {"Type": "Pass", "End": True}}},
            ],
            "Next": "Each",
        },
        "Each": {
            "Type": "Map",
            "ItemProcessor": {
                "StartAt": "One",
                "States": {
                    "One": {"Type": "Pass", "QueryLanguage": "JSONata", "Next": "Two"},
                    "Two": {"Type": "Pass", "End": True},
                },
            },
            "Next": "After",
        },
        "After": {"Type": "Pass", "End": True},
    },
}


def test_each_state_inherits_the_language_of_where_it_is_unless_it_sets_its_own() -> None:
    assert query_languages(NESTED) == {
        "Top": "JSONPath",  # the default
        "Fan": "JSONata",
        "Left": "JSONata",  # from the Parallel state it runs in
        "Right": "JSONata",
        "Each": "JSONPath",
        "One": "JSONata",
        "Two": "JSONPath",
        "After": "JSONPath",
    }
    top = {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "End": True}},
    }
    assert query_languages(top) == {"A": "JSONata"}
    places = state_places(NESTED)
    assert (places["Right"].parent, places["Right"].branch) == ("Fan", 1)
    assert (places["Two"].parent, places["Two"].branch) == ("Each", 0)
    assert places["After"].parent is None


def test_the_graph_marks_jsonata_states_and_says_what_the_mark_means() -> None:
    lines = [line.plain for line in render_graph(json.dumps(NESTED))]
    text = "\n".join(lines)
    assert lines[0] == "States marked · JSONata use JSONata; the others JSONPath."
    assert "Pass · JSONata" in text and "Parallel · JSONata" in text and "Map ─" in text
    assert text.count("· JSONata") == 1 + 4  # the note, Fan, Left, Right and One
    plain = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
    assert "JSONata" not in "\n".join(line.plain for line in render_graph(json.dumps(plain)))


# The editor's checks -------------------------------------------------------------------

BAD_EXPRESSION = """{
  "QueryLanguage": "JSONata",
  "StartAt": "A",
  "States": {
    "A": {
      "Type": "Pass",
      "Output": {"total": "{% $sum($states.input.prices %}"},
      "End": true
    }
  }
}"""


def test_a_jsonata_syntax_error_names_its_line_and_column() -> None:
    with pytest.raises(InvalidDefinition) as caught:
        check_definition(BAD_EXPRESSION)
    error = caught.value
    assert "The JSONata expression in Output.total of state 'A' is invalid" in str(error)
    assert "Expected )" in str(error)
    assert error.line == 7
    line = BAD_EXPRESSION.splitlines()[6]
    # The column is inside the expression, where the parser stopped (at its end).
    assert line.index("{%") < error.column - 1 <= line.index("%}")
    assert f"(line 7, column {error.column})" in str(error)


def test_escapes_before_the_error_keep_the_column_on_the_spot() -> None:
    text = '{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass",\n"Output": "{% \\"\\u00e9\\" & ( %}", "End": true}}}'
    problem = jsonata_problem(text)
    assert problem is not None and problem.line == 2
    assert text.splitlines()[1][problem.column - 1 :].startswith(" %}") or text.splitlines()[1][
        problem.column - 1 :
    ].startswith("( %}")


@pytest.mark.parametrize(
    ("field", "words"),
    [
        ("Parameters", "the JSONPath field Parameters is not allowed there; use Arguments"),
        ("ResultPath", "the JSONPath field ResultPath is not allowed there; use Output or Assign"),
        ("InputPath", "the JSONPath field InputPath is not allowed there"),
    ],
)
def test_jsonpath_fields_are_refused_in_a_jsonata_state(field: str, words: str) -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", field: "$.x", "End": True}},
    }
    text = json.dumps(definition, indent=2)
    problem = jsonata_problem(text)
    assert problem is not None and words in problem.message
    assert text.splitlines()[problem.line - 1].strip().startswith(f'"{field}"')


def test_jsonata_fields_are_refused_in_a_jsonpath_state_and_valid_machines_pass() -> None:
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Output": {"x": 1}, "End": True}},
    }
    problem = jsonata_problem(json.dumps(definition))
    assert problem is not None
    assert (
        'Output is a JSONata field; use OutputPath, ResultSelector or ResultPath, or set "QueryLanguage": "JSONata"'
        in problem.message
    )
    # JSONPath states take Parameters, JSONata ones Output; the template is valid.
    assert jsonata_problem(json.dumps(NESTED)) is None
    assert check_definition(JSONATA_TEMPLATE)["QueryLanguage"] == "JSONata"
    # A string that is no expression ({% without %}) is a plain string.
    fine = {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Output": "50 {% off", "End": True}},
    }
    assert jsonata_problem(json.dumps(fine)) is None


def test_a_state_cannot_go_back_to_jsonpath_inside_jsonata() -> None:
    inside = json.loads(json.dumps(NESTED))
    inside["States"]["Fan"]["Branches"][1]["States"]["Right"]["QueryLanguage"] = "JSONPath"
    text = json.dumps(inside, indent=2)
    problem = jsonata_problem(text)
    assert problem is not None
    assert "State 'Right' sets QueryLanguage JSONPath inside Parallel/Map state 'Fan'" in (
        problem.message
    )
    assert '"QueryLanguage": "JSONPath"' in text.splitlines()[problem.line - 1]
    top = {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}},
    }
    problem = jsonata_problem(json.dumps(top))
    assert problem is not None and "inside the machine, which uses JSONata" in problem.message


def test_a_choice_rule_of_a_jsonata_state_takes_a_condition() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "BooleanEquals": True, "Next": "D"}],
                "Default": "D",
            },
            "D": {"Type": "Succeed"},
        },
    }
    problem = jsonata_problem(json.dumps(definition))
    assert problem is not None and "takes a Condition, not a Variable" in problem.message


# Variables from a history --------------------------------------------------------------

T0 = datetime(2026, 1, 1, tzinfo=UTC)


class Events:
    """A history written event by event, each after the one before."""

    def __init__(self) -> None:
        self.events: list[HistoryEvent] = []

    def add(self, kind: str, previous: int | None = None, **details: Any) -> int:
        number = len(self.events) + 1
        prior = number - 1 if previous is None else previous
        self.events.append(
            HistoryEvent(number, prior, kind, T0 + timedelta(seconds=number), details)
        )
        return number

    def state(
        self, kind: str, name: str, assigned: dict[str, Any] | None = None, **extra: Any
    ) -> None:
        self.add(f"{kind}StateEntered", name=name, input="{}")
        exited: dict[str, Any] = {"name": name, "output": "{}"}
        if assigned is not None:
            exited["assignedVariables"] = {k: json.dumps(v) for k, v in assigned.items()}
        self.add(f"{kind}StateExited", **exited, **extra)


def scopes(history: ExecutionHistory) -> dict[tuple[str, int | None], dict[str, Any]]:
    places = state_places(NESTED)
    return {
        (run.name, run.iteration): {
            k: json.loads(v) for k, v in scope_at(history, run, places).values.items()
        }
        for run in history.runs
    }


def test_variables_in_scope_follow_parallel_and_map_scope_rules() -> None:
    """Inner states see outer variables as they were when the Parallel/Map state was
    entered and their own branch's or iteration's; the outer level never sees inner
    ones; Parallel/Map's own Assign is seen after it."""
    e = Events()
    e.add("ExecutionStarted", input="{}")
    e.state("Pass", "Top", {"outer": 1})
    e.add("ParallelStateEntered", name="Fan", input="{}")
    e.add("ParallelStateStarted")
    e.state("Pass", "Left", {"left": "L"})
    e.state("Pass", "Right", {"right": "R"})
    e.add("ParallelStateSucceeded")
    e.add(
        "ParallelStateExited",
        name="Fan",
        output="[]",
        assignedVariables={"fanned": "true"},
    )
    e.add("MapStateEntered", name="Each", input="{}")
    e.add("MapStateStarted", length=2)
    for index in (0, 1):
        e.add("MapIterationStarted", name="Each", index=index)
        e.state("Pass", "One", {"item": index})
        e.state("Pass", "Two")
        e.add("MapIterationSucceeded", name="Each", index=index)
    e.add("MapStateSucceeded")
    e.add("MapStateExited", name="Each", output="[]")
    e.state("Pass", "After")
    e.add("ExecutionSucceeded", output="{}")
    history = ExecutionHistory(e.events)

    seen = scopes(history)
    assert seen[("Top", None)] == {}
    assert seen[("Left", None)] == {"outer": 1}
    assert seen[("Right", None)] == {"outer": 1}  # not the other branch's "left"
    assert seen[("Fan", None)] == {"outer": 1}
    assert seen[("One", 0)] == {"outer": 1, "fanned": True}
    assert seen[("Two", 0)] == {"outer": 1, "fanned": True, "item": 0}
    assert seen[("Two", 1)] == {"outer": 1, "fanned": True, "item": 1}  # its own iteration
    assert seen[("After", None)] == {"outer": 1, "fanned": True}  # no inner variable
    top = history.runs[0]
    assert assigned_variables(history, top) == {"outer": "1"}


# Evaluation failures -------------------------------------------------------------------


def test_an_evaluation_failure_says_which_expression_failed_and_why() -> None:
    event = HistoryEvent(
        5,
        4,
        "EvaluationFailed",
        T0,
        {
            "error": "States.QueryEvaluationError",
            "cause": "An error occurred while evaluating the expression $x.y: undefined",
            "location": "Arguments",
            "state": "Ask",
        },
    )
    words = evaluation_failure_words(event)
    assert words == (
        "The expression in Arguments of state Ask failed (States.QueryEvaluationError:"
        " a JSONata expression could not be evaluated): An error occurred while evaluating"
        " the expression $x.y: undefined."
    )
    assert event_summary(event).startswith("The expression in Arguments of state Ask failed")
    assert event_detail_sections(event)[0] == ("what failed", words)
    aws = HistoryEvent(
        5,
        4,
        "EvaluationFailed",
        T0,
        {
            "error": "States.QueryEvaluationError",
            "cause": "An error occurred while executing the state 'Ask' (entered at the event"
            " id #2). The JSONata expression '$states.input.word + 1' specified for the field"
            " 'Output/n' threw an error during evaluation. T2001: The left side of the +"
            " operator must evaluate to a number",
            "location": "Output/n",
            "state": "Ask",
        },
    )
    assert evaluation_failure_words(aws) == (
        "The JSONata expression $states.input.word + 1 in Output/n of state Ask failed:"
        " T2001: The left side of the + operator must evaluate to a number"
        " (States.QueryEvaluationError)."
    )
    other = HistoryEvent(6, 5, "TaskFailed", T0, {"error": "Boom", "cause": "x"})
    assert evaluation_failure_words(other) is None
    assert event_summary(other) == "Boom: x"


# TestState -----------------------------------------------------------------------------


def test_the_request_carries_the_inherited_query_language_and_checks_what_was_typed() -> None:
    places = state_places(NESTED)
    request = build_request(places["One"], '{"a": 1}', '{"count": 2}', "DEBUG", None)
    sent = json.loads(request.definition)
    assert sent == {"Type": "Pass", "QueryLanguage": "JSONata", "Next": "Two"}
    left = json.loads(build_request(places["Left"], "{}", "", "INFO", None).definition)
    assert left["QueryLanguage"] == "JSONata"  # inherited from Fan, written in
    assert (request.variables, request.inspection_level) == ('{"count": 2}', "DEBUG")
    assert build_request(places["One"], "{}", "  ", "INFO", None).variables is None
    with pytest.raises(InvalidJson) as bad:
        build_request(places["One"], '{"a": }', "", "INFO", None)
    assert bad.value.line == 1 and "input" in str(bad.value)
    with pytest.raises(InvalidJson, match="variables must be a JSON object"):
        build_request(places["One"], "{}", "[1]", "INFO", None)
    with pytest.raises(InvalidJson, match="without \\$"):
        build_request(places["One"], "{}", '{"$x": 1}', "INFO", None)
    task = state_places(
        {
            "StartAt": "T",
            "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::x", "End": True}},
        }
    )["T"]
    with pytest.raises(InvalidValue, match="AWS tests it only with a role"):
        build_request(task, "{}", "", "INFO", None)


def test_the_answer_is_read_step_by_step_in_the_data_order() -> None:
    result = StateTestResult.from_api(
        {
            "status": "CAUGHT_ERROR",
            "error": "States.Runtime",
            "cause": "no",
            "nextState": "Handle",
            "output": '{"e": 1}',
            "inspectionData": {
                "variables": '{"x": 1}',
                "input": "{}",
                "afterInputPath": "{}",
                "errorDetails": {"catchIndex": 0},
            },
        }
    )
    assert result.status_words == "the state failed and its Catch caught the error"
    assert [title for _, title, _ in result.steps()] == [
        "Input",
        "After InputPath",
        "Variables",
        "Error details",
    ]
    assert dict((k, v) for k, _, v in result.steps())["errorDetails"] == '{"catchIndex": 0}'
    assert StateTestResult.from_api({"status": "SUCCEEDED"}).steps() == []
    assert "trust states.amazonaws.com" in explain_error(
        "TestState failed: Neither the global service principal states.amazonaws.com, nor the"
        " regional one is authorized to assume the provided role.",
        "arn:aws:iam::1:role/r",
    )
    history = ExecutionHistory()
    e = Events()
    e.add("ExecutionStarted")
    e.add("PassStateEntered", name="A", input='{"first": 1}')
    e.add("PassStateExited", name="A", output="{}")
    e.add("PassStateEntered", name="A", input='{"second": 2}')
    history.extend(e.events)
    assert state_inputs(history) == {"A": '{"second": 2}'}


def test_checking_jsonata_leaves_pythons_recursion_limit_alone() -> None:
    """jsonata-python raises the process's recursion limit to 10,000 when it loads; the
    editor's check puts it back (the app's "nested too deeply" refusals rely on it). In
    a fresh interpreter: the engine of this test session has loaded the library already."""
    code = (
        "import sys\n"
        "from sfn_tui.core.jsonata_check import jsonata_problem\n"
        "before = sys.getrecursionlimit()\n"
        f"assert jsonata_problem({BAD_EXPRESSION!r}) is not None\n"
        "print(before, sys.getrecursionlimit())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    before, after = done.stdout.split()
    assert after == before
