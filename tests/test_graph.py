"""The state graph drawn from definitions: Choice, Parallel, Map, Catch, loops, and
definitions that are odd or broken (never an exception, always something to read)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from sfn_tui.core.graph import (
    DefinitionProblem,
    parse_definition,
    render_graph,
    rule_label,
)
from sfn_tui.core.history import StateStatus

CHAT_SFN = (Path(__file__).parent.parent / "resources" / "chat_sfn_state_machine.json").read_text()


def text_of(definition: str | dict[str, Any], statuses: Any = None) -> list[str]:
    if isinstance(definition, dict):
        definition = json.dumps(definition)
    return [line.plain for line in render_graph(definition, statuses)]


def line_with(lines: list[str], needle: str) -> int:
    return next(i for i, line in enumerate(lines) if needle in line)


def assert_arrows_land_on_boxes(lines: list[str]) -> None:
    """Every arrow head has a box's top border (its line or its type label) under it."""
    for row, line in enumerate(lines):
        for col in (i for i, char in enumerate(line) if char == "▼"):
            below = lines[row + 1] if row + 1 < len(lines) else ""
            left = below[:col]
            corner = max(left.rfind("┌"), left.rfind("╭"))
            closed = max(left.rfind("┐"), left.rfind("╮"))
            assert col < len(below) and below[col] not in " │┆" and corner > closed, (
                f"arrow at {row},{col} lands on {below[col : col + 1]!r}\n" + "\n".join(lines)
            )


# ChatSFN: a Choice fanning out, three loops back ----------------------------------


def test_chat_sfn_states_edges_and_loops() -> None:
    flow = parse_definition(CHAT_SFN)
    assert flow.start_at == "Greeting"
    assert [e.target for e in flow.nodes["Choice"].edges] == ["Song", "Poem", "Story", "Done"]
    assert flow.nodes["Choice"].edges[0].label == '$.action == "song"'
    assert flow.nodes["Done"].end

    lines = text_of(CHAT_SFN)
    drawing = "\n".join(lines)
    for name in ("Greeting", "GetInput", "Choice", "Song", "Poem", "Story", "Done"):
        assert name in drawing
    # Top to bottom: Greeting, GetInput, Choice, then the four answers side by side.
    greeting, get_input = line_with(lines, "Greeting"), line_with(lines, "GetInput")
    choice = line_with(lines, "│ Choice")
    answers = line_with(lines, "Song")
    assert greeting < get_input < choice < answers
    assert all(name in lines[answers] for name in ("Song", "Poem", "Story", "Done"))
    # The rules label the arrows; the loops back are notes, one per answer but done.
    labels = line_with(lines, '$.action == "song"')
    assert all(f'"{a}"' in lines[labels] for a in ("poem", "story", "done"))
    assert drawing.count("↺ GetInput") == 3
    assert_arrows_land_on_boxes(lines)


def test_chat_sfn_marked_by_what_the_execution_did() -> None:
    statuses = {
        "Greeting": StateStatus.SUCCEEDED,
        "GetInput": StateStatus.CAUGHT,
        "Choice": StateStatus.SUCCEEDED,
        "Song": StateStatus.SUCCEEDED,
        "Done": StateStatus.RUNNING,
    }
    lines = text_of(CHAT_SFN, statuses)
    # A legend first, so the marks read without colour.
    assert lines[0].startswith("· not reached")
    for word in ("running", "succeeded", "failed", "caught", "stopped"):
        assert word in lines[0]
    drawing = "\n".join(lines)
    for mark in ("✔ Greeting", "↷ GetInput", "✔ Song", "▶ Done", "· Poem", "· Story"):
        assert mark in drawing
    # Colour too: the failed/caught/running boxes are styled differently.
    rendered = render_graph(CHAT_SFN, statuses)
    styles = {
        str(span.style)
        for line in rendered
        for span in line.spans
        if "GetInput" in line.plain[span.start : span.end]
        or "Done" in line.plain[span.start : span.end]
    }
    assert any("dark_orange" in s for s in styles) and any("dodger_blue1" in s for s in styles)


def test_box_sizes_do_not_move_when_statuses_change() -> None:
    before = text_of(CHAT_SFN, {})
    after = text_of(CHAT_SFN, {"Greeting": StateStatus.FAILED, "Song": StateStatus.STOPPED})
    assert [len(line) for line in before] == [len(line) for line in after]


# Choice, Default, rule labels ------------------------------------------------------


def test_choice_default_and_skipping_edges() -> None:
    definition = {
        "StartAt": "Check",
        "States": {
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"}],
                "Default": "Small",
            },
            "Big": {"Type": "Pass", "Next": "Bigger"},
            "Bigger": {"Type": "Pass", "Next": "End"},
            "Small": {"Type": "Pass", "Next": "End"},
            "End": {"Type": "Succeed"},
        },
    }
    lines = text_of(definition)
    drawing = "\n".join(lines)
    assert "$.n > 10" in drawing and "default" in drawing
    # Big and Small share a layer; End is below Bigger (longest path).
    assert line_with(lines, "Big ") == line_with(lines, "Small")
    assert line_with(lines, "Bigger") < line_with(lines, "│ End")
    assert_arrows_land_on_boxes(lines)


@pytest.mark.parametrize(
    ("rule", "label"),
    [
        ({"Variable": "$.a", "StringEquals": "x"}, '$.a == "x"'),
        ({"Variable": "$.a", "NumericLessThanEqualsPath": "$.b"}, "$.a <= $.b"),
        ({"Variable": "$.a", "BooleanEquals": True}, "$.a == true"),
        ({"Variable": "$.a", "IsPresent": True}, "$.a present"),
        ({"Variable": "$.a", "IsPresent": False}, "$.a absent"),
        ({"Variable": "$.a", "IsNull": False}, "$.a is not null"),
        ({"Variable": "$.a", "StringMatches": "log-*"}, '$.a ~ "log-*"'),
        (
            {
                "And": [
                    {"Variable": "$.a", "NumericGreaterThanEquals": 1},
                    {"Not": {"Variable": "$.b", "TimestampLessThan": "2026-01-01T00:00:00Z"}},
                ]
            },
            '$.a >= 1 and not ($.b < "2026-01-01T00:00:00Z")',
        ),
        ({"Or": [{"Variable": "$.a", "IsString": True}]}, "$.a is string"),
        ({"Condition": "{% $states.input.n > 3 %}"}, "$states.input.n > 3"),
        ({"Comment": "odd rule", "Whatever": 1}, "odd rule"),
        ({}, "rule"),
    ],
)
def test_rule_labels(rule: dict[str, Any], label: str) -> None:
    assert rule_label(rule) == label


# Parallel, Map, Catch --------------------------------------------------------------

GROUPS = {
    "StartAt": "Split",
    "States": {
        "Split": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "Left",
                    "States": {
                        "Left": {"Type": "Pass", "Next": "LeftMore"},
                        "LeftMore": {"Type": "Pass", "End": True},
                    },
                },
                {
                    "StartAt": "Right",
                    "States": {
                        "Right": {
                            "Type": "Map",
                            "Iterator": {
                                "StartAt": "Inner",
                                "States": {"Inner": {"Type": "Pass", "End": True}},
                            },
                            "End": True,
                        }
                    },
                },
            ],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle"}],
            "Next": "Each",
        },
        "Each": {
            "Type": "Map",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                "StartAt": "Work",
                "States": {"Work": {"Type": "Task", "Resource": "arn:x", "End": True}},
            },
            "Next": "Done",
        },
        "Handle": {"Type": "Fail", "Error": "Oops"},
        "Done": {"Type": "Succeed"},
    },
}


def test_parallel_and_map_are_drawn_as_groups() -> None:
    flow = parse_definition(json.dumps(GROUPS))
    assert len(flow.nodes["Split"].branches) == 2
    assert flow.all_names() == [
        "Split",
        "Left",
        "LeftMore",
        "Right",
        "Inner",
        "Each",
        "Work",
        "Handle",
        "Done",
    ]
    lines = text_of(GROUPS)
    drawing = "\n".join(lines)
    assert "─ Parallel " in drawing
    assert drawing.count("─ Map ") == 2  # Each, and Right nested in Split
    # Branches side by side inside the frame; a nested Map inside the second branch.
    row = line_with(lines, "Left ")
    assert "Right" in lines[row]
    assert line_with(lines, "Inner") > row
    assert line_with(lines, "Work") > line_with(lines, "Inner")
    # The Catch edge is labelled.
    assert "catch States.ALL" in drawing
    assert_arrows_land_on_boxes(lines)


def test_statuses_reach_nested_states() -> None:
    statuses = {
        "Split": StateStatus.CAUGHT,
        "Left": StateStatus.SUCCEEDED,
        "Inner": StateStatus.FAILED,
        "Handle": StateStatus.FAILED,
    }
    drawing = "\n".join(text_of(GROUPS, statuses))
    for mark in ("↷ Split", "✔ Left", "· LeftMore", "✖ Inner", "✖ Handle", "· Done"):
        assert mark in drawing


def test_loops_and_long_edges_become_notes() -> None:
    states: dict[str, Any] = {}
    names = [f"Step{i}" for i in range(8)]
    for i, name in enumerate(names):
        state: dict[str, Any] = {"Type": "Task", "Resource": "arn:x"}
        if i + 1 < len(names):
            state["Next"] = names[i + 1]
        else:
            state["End"] = True
        states[name] = state
    states["Step1"]["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": "Step7"}]
    states["Step6"]["Retry"] = [{"ErrorEquals": ["States.ALL"]}]
    states["Step5"] = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.again", "BooleanEquals": True, "Next": "Step2"}],
        "Default": "Step6",
    }
    drawing = "\n".join(text_of({"StartAt": "Step0", "States": states}))
    assert "↺ Step2 ($.again == true)" in drawing
    assert "↓ Step7 (catch States.ALL)" in drawing


# Odd and broken definitions ---------------------------------------------------------


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"StartAt": "A"}', "no States"),
        ('{"StartAt": "A", "States": []}', "no States"),
    ],
)
def test_a_broken_definition_gives_a_message(definition: str, message: str) -> None:
    lines = text_of(definition)
    assert len(lines) == 1 and message in lines[0]
    with pytest.raises(DefinitionProblem):
        parse_definition(definition)


def test_odd_definitions_are_drawn_with_warnings() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Missing",
        "Unknown": {"field": True},
        "States": {
            "A": {"Type": "Pass", "Next": "Nowhere", "Output": "{% $states.input %}"},
            "B": "not an object",
            "C": {"Type": "Choice", "Choices": "not a list", "Default": 42},
            "D": {"Type": "Parallel", "Branches": [{"States": {}}, "junk"], "Next": "D"},
            "E": {"Type": "Map", "ItemProcessor": {"StartAt": "X", "States": {"Y": {}}}},
            "\x1b[31mred": {"Type": "Pass", "End": True},
            "N" * 200: {"Type": "Pass", "End": True},
        },
    }
    lines = text_of(definition)
    drawing = "\n".join(lines)
    assert "StartAt 'Missing' names no state" in drawing
    assert "State 'B' is not an object" in drawing
    assert "→ ? Nowhere (not defined)" in drawing
    assert "↺ D" in drawing  # a state going to itself
    assert "\x1b" not in drawing  # control characters never reach the terminal
    assert "N" * 39 + "…" in drawing


def test_deep_nesting_is_cut_off() -> None:
    inner: dict[str, Any] = {"StartAt": "Leaf", "States": {"Leaf": {"Type": "Pass", "End": True}}}
    for depth in range(30):
        inner = {
            "StartAt": f"M{depth}",
            "States": {f"M{depth}": {"Type": "Map", "ItemProcessor": inner, "End": True}},
        }
    lines = text_of(inner)
    assert "M29" in "\n".join(lines)
    assert "Leaf" not in "\n".join(lines)


def random_definition(rng: random.Random, depth: int = 0) -> dict[str, Any]:
    count = rng.randint(1, 7)
    names = [f"S{depth}_{i}" for i in range(count)] + ["Ghost"]
    states: dict[str, Any] = {}
    for name in names[:count]:
        kind = rng.choice(["Pass", "Task", "Choice", "Wait", "Parallel", "Map", "Fail", "Succeed"])
        state: dict[str, Any] = {"Type": kind}
        if kind == "Choice":
            state["Choices"] = [
                {"Variable": "$.x", "StringEquals": str(i), "Next": rng.choice(names)}
                for i in range(rng.randint(0, 4))
            ]
            if rng.random() < 0.7:
                state["Default"] = rng.choice(names)
        elif kind not in ("Fail", "Succeed"):
            if rng.random() < 0.8:
                state["Next"] = rng.choice(names)
            else:
                state["End"] = True
            if rng.random() < 0.3:
                state["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": rng.choice(names)}]
        if kind == "Parallel" and depth < 3:
            state["Branches"] = [
                random_definition(rng, depth + 1) for _ in range(rng.randint(1, 3))
            ]
        if kind == "Map" and depth < 3:
            state["ItemProcessor"] = random_definition(rng, depth + 1)
        states[name] = state
    return {"StartAt": rng.choice(names), "States": states}


def test_random_definitions_never_break_the_drawing() -> None:
    rng = random.Random(20260115)
    for _ in range(150):
        definition = random_definition(rng)
        lines = text_of(definition, {})
        assert lines, definition
        drawing = "\n".join(lines)
        assert "could not be drawn" not in drawing, json.dumps(definition)
        for name in parse_definition(json.dumps(definition)).all_names():
            assert name in drawing, (name, json.dumps(definition))
        assert_arrows_land_on_boxes(lines)


# Size and speed --------------------------------------------------------------------


def sixty_states() -> str:
    names = [f"Step{i:02d}" for i in range(60)]
    states: dict[str, Any] = {}
    for i, name in enumerate(names):
        following = names[i + 1] if i + 1 < len(names) else None
        if i % 10 == 5 and following:
            states[name] = {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.x", "NumericEquals": i, "Next": following},
                    {"Variable": "$.y", "StringEquals": "b", "Next": names[min(i + 3, 59)]},
                ],
                "Default": names[i - 4],
            }
        elif i % 10 == 8 and following:
            states[name] = {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": f"{name}A", "States": {f"{name}A": {"Type": "Pass", "End": True}}},
                    {"StartAt": f"{name}B", "States": {f"{name}B": {"Type": "Pass", "End": True}}},
                ],
                "Next": following,
            }
        else:
            state: dict[str, Any] = {"Type": "Task", "Resource": "arn:x"}
            state.update({"Next": following} if following else {"End": True})
            if i % 7 == 3:
                state["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": names[-1]}]
            states[name] = state
    return json.dumps({"StartAt": names[0], "States": states})


def test_sixty_states_render() -> None:
    definition = sixty_states()
    statuses = dict.fromkeys(parse_definition(definition).all_names(), StateStatus.SUCCEEDED)
    lines = render_graph(definition, statuses)
    plain = [line.plain for line in lines]
    assert "\n".join(plain).count("✔ Step") == len(statuses) == 72  # 60 + 2 per Parallel
    assert max(len(line) for line in plain) < 120  # a chain stays narrow
    assert_arrows_land_on_boxes(plain)
