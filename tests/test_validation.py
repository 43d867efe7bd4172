"""The checks made before any call: names by AWS's rules, JSON with line and column,
definitions, generated execution names, and the per-machine memory of inputs."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from sfn_tui.core.jsonata_check import jsonata_problem
from sfn_tui.core.validation import (
    LOG_GROUP_ARN_SHAPE,
    MAX_ARN,
    MAX_PAYLOAD_BYTES,
    InvalidDefinition,
    InvalidJson,
    InvalidName,
    InvalidValue,
    LastInputs,
    check_definition,
    check_json,
    check_log_group_arn,
    check_name,
    generate_execution_name,
)


@pytest.mark.parametrize(
    "name",
    ["OrderPipeline", "a", "x" * 80, "my-machine_v2.1", "Ünïcode-名前", "a+b=c@d!e'f(g)"],
)
def test_accepted_names(name: str) -> None:
    assert check_name(name, "state machine") == name


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("", "cannot be empty"),
        ("x" * 81, "81 characters long; at most 80"),
        ("has space", "whitespace (character 4)"),
        ("tab\there", "control character U+0009"),
        ("no\u00a0break", "whitespace"),
        ("nul\x00", "control character U+0000"),
        ("del\x7f", "control character U+007F"),
        ("c1\x85", "control character U+0085"),
        ("a<b", "bracket <"),
        ("a{b", "bracket {"),
        ("a]b", "bracket ]"),
        ("what?", "wildcard ?"),
        ("star*", "wildcard *"),
        ('quote"', 'special character "'),
        ("a/b", "special character /"),
        ("a:b", "special character :"),
        ("a;b", "special character ;"),
        ("a,b", "special character ,"),
        ("a$b", "special character $"),
        ("a`b", "special character `"),
        ("a\\b", "special character \\"),
        ("a#b", "special character #"),
        ("a%b", "special character %"),
        ("a^b", "special character ^"),
        ("a|b", "special character |"),
        ("a~b", "special character ~"),
        ("a&b", "special character &"),
    ],
)
def test_refused_names_say_which_rule(name: str, rule: str) -> None:
    with pytest.raises(InvalidName) as refused:
        check_name(name, "activity")
    assert rule in str(refused.value)
    assert "activity" in str(refused.value)
    assert isinstance(refused.value, ValueError)


def test_json_syntax_error_names_line_and_column() -> None:
    text = '{\n  "order": "A-1",\n  "items": [1, 2,]\n}'
    with pytest.raises(InvalidJson) as refused:
        check_json(text, "input")
    error = refused.value
    assert (error.line, error.column) == (3, 18)
    assert "line 3, column 18" in str(error)
    assert str(error).startswith("The input is not valid JSON")


@pytest.mark.parametrize("text", ["", "   \n"])
def test_empty_json_is_refused(text: str) -> None:
    with pytest.raises(InvalidJson, match="is empty"):
        check_json(text, "input")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_json_constants_are_refused(constant: str) -> None:
    with pytest.raises(InvalidJson, match=f"{constant} is not a JSON value"):
        check_json(f'{{"x": {constant}}}', "input")


def test_size_limit_counts_utf8_bytes() -> None:
    # "é" is 2 bytes in UTF-8: a string of characters under the limit, bytes over it.
    padding = MAX_PAYLOAD_BYTES - len('{"a":""}')
    at_limit = json.dumps({"a": "x" * padding}, separators=(",", ":"))
    assert len(at_limit.encode()) == MAX_PAYLOAD_BYTES
    assert check_json(at_limit, "input") == {"a": "x" * padding}
    over = json.dumps({"a": "é" * (padding // 2 + 1)}, ensure_ascii=False, separators=(",", ":"))
    assert len(over) < MAX_PAYLOAD_BYTES < len(over.encode())
    with pytest.raises(InvalidJson) as refused:
        check_json(over, "input")
    assert (
        "is 262,146 bytes (256.0 KiB) in UTF-8; at most 262,144 bytes (256 KiB) are allowed"
        in str(refused.value)
    )


def test_size_message_says_both_sizes() -> None:
    with pytest.raises(InvalidJson) as refused:
        check_json('"' + "x" * (300 * 1024) + '"', "input")
    assert "307,202 bytes (300.0 KiB) in UTF-8" in str(refused.value)


def test_parsed_values_come_back() -> None:
    assert check_json('{"a": [1, 2.5, null, true]}', "input") == {"a": [1, 2.5, None, True]}
    assert check_json("42", "input") == 42


GOOD = {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}


def test_definition_accepted() -> None:
    assert check_definition(json.dumps(GOOD, indent=2)) == GOOD


@pytest.mark.parametrize(
    ("definition", "problem"),
    [
        ("[1, 2]", "must be a JSON object with StartAt and States, not an array"),
        ('"text"', "not a string"),
        ('{"States": {"A": {"Type": "Succeed"}}}', 'no "StartAt"'),
        ('{"StartAt": 3, "States": {"A": {}}}', '"StartAt" must be the name of a state'),
        ('{"StartAt": "A"}', 'no "States"'),
        ('{"StartAt": "A", "States": {}}', "at least one state"),
        ('{"StartAt": "B", "States": {"A": {"Type": "Succeed"}}}', "'B', which is not in"),
    ],
)
def test_definition_shape_problems(definition: str, problem: str) -> None:
    with pytest.raises(InvalidDefinition, match=None) as refused:
        check_definition(definition)
    assert problem in str(refused.value)


def test_definition_syntax_error_keeps_line_and_column() -> None:
    with pytest.raises(InvalidDefinition) as refused:
        check_definition('{\n  "StartAt": "A",\n  "States": {\n')
    assert refused.value.line == 4
    assert "The definition is not valid JSON" in str(refused.value)
    assert "line 4, column 1" in str(refused.value)


def test_generated_execution_names_are_valid_and_distinct() -> None:
    now = datetime(2026, 1, 15, 12, 0, 5, tzinfo=UTC)
    assert generate_execution_name(now, suffix="abcd1234") == "run-20260115-120005-abcd1234"
    names = {generate_execution_name(now) for _ in range(50)}
    assert len(names) == 50
    for name in names:
        assert check_name(name, "execution") == name


def test_last_inputs_are_kept_per_machine() -> None:
    store = LastInputs()
    assert store.get("arn:a") == "{}"
    assert "arn:a" not in store
    store.remember("arn:a", '{"order": 1}')
    store.remember("arn:b", "[]")
    store.remember("arn:a", '{"order": 2}')
    assert store.get("arn:a") == '{"order": 2}'
    assert store.get("arn:b") == "[]"
    assert "arn:a" in store


def test_a_jsonata_problem_refuses_the_definition_at_its_line_and_column() -> None:
    text = (
        '{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass",\n'
        '"Output": "{% 1 + %}", "End": true}}}'
    )
    with pytest.raises(InvalidDefinition) as refused:
        check_definition(text)
    problem = jsonata_problem(text)
    assert problem is not None
    assert str(refused.value) == problem.message and problem.message
    assert (refused.value.line, refused.value.column) == (problem.line, problem.column)
    assert refused.value.line == 2 and refused.value.column > 0


LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/x"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (LOG_GROUP, f"{LOG_GROUP}:*"),  # LoggingConfiguration wants the :* form
        (f"  {LOG_GROUP}:*\n", f"{LOG_GROUP}:*"),  # pasted with spaces: kept as it is
    ],
)
def test_a_log_group_arn_is_taken_in_the_form_logging_wants(given: str, kept: str) -> None:
    assert check_log_group_arn(given) == kept


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ("", f"Give the log group's ARN ({LOG_GROUP_ARN_SHAPE}), or set Logs to OFF."),
        ("   ", f"Give the log group's ARN ({LOG_GROUP_ARN_SHAPE}), or set Logs to OFF."),
        (
            "arn:" + "x" * (MAX_ARN - 3),
            f"The log group ARN is {MAX_ARN + 1:,} characters long; at most {MAX_ARN:,} are"
            " allowed.",
        ),
        (
            "log-group:/aws/x",
            f"That is not an ARN: give the log group's ARN ({LOG_GROUP_ARN_SHAPE}); the"
            " CloudWatch Logs console and `aws logs describe-log-groups` show it.",
        ),
        (
            "arn:aws:s3:::bucket",
            f"That is not a log group's ARN: it should look like {LOG_GROUP_ARN_SHAPE}.",
        ),
    ],
)
def test_a_log_group_arn_is_refused_saying_what_is_wrong(given: str, words: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        check_log_group_arn(given)
    assert str(refused.value) == words


def test_a_log_group_arn_of_exactly_the_longest_length_is_judged_by_its_shape() -> None:
    longest = LOG_GROUP + "y" * (MAX_ARN - len(LOG_GROUP) - 2) + ":*"
    assert len(longest) == MAX_ARN
    with pytest.raises(InvalidValue) as refused:  # the name is too long, not the ARN
        check_log_group_arn(longest)
    assert "it should look like" in str(refused.value)
