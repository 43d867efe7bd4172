"""Bad input never crashes and never reaches the service when a local check can refuse
it: property tests on the checks (names, JSON inputs, definitions, pasted role ARNs,
task replies, pretty-printing of service text), then the real modals and the filter
driven through a recording proxy that proves nothing was sent."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from textual.widgets import Input, Static

from sfn_tui.aws.connection import Connection
from sfn_tui.core import chat, history
from sfn_tui.core.inbox import MAX_OUTPUT_BYTES, InvalidReply, _check_json
from sfn_tui.core.validation import (
    BRACKETS,
    MAX_NAME,
    SPECIALS,
    WILDCARDS,
    InvalidDefinition,
    InvalidJson,
    InvalidName,
    InvalidValue,
    check_definition,
    check_json,
    check_name,
    check_role_arn,
)
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.activity_form import CreateActivityScreen
from sfn_tui.tui.screens.start_execution import StartExecutionScreen
from sfn_tui.tui.screens.state_machine_form import StateMachineFormScreen
from sfn_tui.tui.widgets.json_editor import JsonEditor
from tests.helpers import boto_client
from tests.pilot_helpers import screen_text, wait_for
from tests.recording_proxy import RecordingProxy

REGION = "il-central-1"
ROLE = "arn:aws:iam::123456789012:role/sfn-tui-test"
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Any text at all: every plane, control characters, surrogates, and long runs.
ANY_TEXT = st.text(st.characters(codec=None), max_size=300) | st.text(max_size=5000)
HOSTILE = [
    "",
    " ",
    "a b",
    "tab\there",
    "new\nline",
    "esc\x1b[31m",
    "nul\x00",
    "del\x7f",
    "c1\x85",
    "[bold]x[/]",
    "x" * (MAX_NAME + 1),
    "é" * 10_000,
    "\ud800",
    "名前",
    "a/b",
    "${x}",
]


# Names --------------------------------------------------------------------------------


def aws_accepts(name: str) -> bool:
    return (
        0 < len(name) <= MAX_NAME
        and not any(ch.isspace() for ch in name)
        and not any(ord(ch) <= 0x1F or 0x7F <= ord(ch) <= 0x9F for ch in name)
        and not any(ch in BRACKETS + WILDCARDS + SPECIALS for ch in name)
    )


@FAST
@given(name=ANY_TEXT, what=st.sampled_from(["state machine", "activity", "execution"]))
@example(name="x" * 1_000_000, what="execution")
def test_check_name_accepts_exactly_what_aws_does_and_says_why_not(name: str, what: str) -> None:
    try:
        assert check_name(name, what) == name
    except InvalidName as refusal:
        message = str(refusal)
        assert not aws_accepts(name)
        assert what in message and len(message) < 300  # says which name, and briefly
        assert message.isprintable()  # a control character is named, not echoed
    else:
        assert aws_accepts(name)


# JSON inputs, replies and definitions --------------------------------------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@FAST
@given(text=ANY_TEXT)
@example(text="[" * 100_000)
@example(text="1" * 5000)
@example(text="NaN")
@example(text='{"a": -Infinity}')
@example(text="\ud800")
@example(text='"' + "x" * MAX_OUTPUT_BYTES + '"')
def test_check_json_refuses_in_words_and_never_raises_anything_else(text: str) -> None:
    try:
        check_json(text, "input")
    except InvalidJson as refusal:
        assert str(refusal).startswith("The input ")
        assert refusal.line >= 0 and refusal.column >= 0


@FAST
@given(value=JSON_VALUES, indent=st.sampled_from([None, 2]))
def test_valid_json_is_never_refused(value: Any, indent: int | None) -> None:
    text = json.dumps(value, indent=indent)
    if len(text.encode()) <= 256 * 1024:
        check_json(text, "input")
        _check_json(text)


def test_integers_longer_than_python_reads_are_still_json() -> None:
    digits = "9" * 5000  # int() stops at 4,300 digits; JSON has no limit
    check_json(digits, "input")
    pass_state = '{"Type": "Pass", "Result": ' + digits + "}"
    check_definition('{"StartAt": "A", "States": {"A": ' + pass_state + "}}")
    _check_json(f'{{"n": {digits}}}')


@FAST
@given(text=ANY_TEXT)
@example(text="[" * 100_000)
@example(text="\ud800")
@example(text="NaN")
def test_a_task_reply_is_refused_before_sending_in_words(text: str) -> None:
    try:
        _check_json(text)
    except InvalidReply as refusal:
        assert str(refusal).endswith("Nothing was sent.")


@FAST
@given(text=ANY_TEXT | JSON_VALUES.map(json.dumps))
@example(text='{"StartAt": "A", "States": {"B": {}}}')
@example(text='{"StartAt": 1, "States": {}}')
@example(text='{"StartAt": "A", "States": []}')
@example(text="[" * 100_000)
def test_check_definition_refuses_in_words(text: str) -> None:
    try:
        parsed = check_definition(text)
    except InvalidDefinition as refusal:
        assert str(refusal).startswith(("The definition", '"StartAt"', '"States"'))
    else:
        assert parsed["StartAt"] in parsed["States"]


@FAST
@given(text=ANY_TEXT)
@example(text="[" * 100_000)
@example(text="9" * 5000)
def test_service_text_is_always_drawable(text: str) -> None:
    """Outputs and causes come from anyone: pretty-printing them never raises."""
    assert isinstance(chat.pretty_json(text), str)
    assert isinstance(history.pretty(text), str)
    chat.chat_prompt(text)


# Pasted role ARNs ---------------------------------------------------------------------

ROLE_NAMES = st.text(st.sampled_from("abcXYZ019+=,.@_-"), min_size=1, max_size=64)


@FAST
@given(text=ANY_TEXT)
@example(text="arn:aws:iam::123456789012:role/x\x1b[2J")
@example(text="arn:aws:s3:::bucket")
@example(text="x" * 100_000)
def test_a_pasted_role_arn_is_checked_in_words(text: str) -> None:
    try:
        arn = check_role_arn(text)
    except InvalidValue as refusal:
        assert "ARN" in str(refusal) and str(refusal).isprintable()
    else:
        assert re.fullmatch(r"arn:aws[a-z-]*:iam::\d{12}:role/\S+", arn)


@FAST
@given(name=ROLE_NAMES, path=st.sampled_from(["", "service-role/", "a/b/"]))
def test_well_formed_role_arns_are_accepted(name: str, path: str) -> None:
    arn = f"arn:aws:iam::123456789012:role/{path}{name}"
    assert check_role_arn(f"  {arn}\n") == arn


# The real modals and the filter, through a recording proxy -----------------------------

MUTATIONS = {"CreateStateMachine", "CreateActivity", "StartExecution", "UpdateStateMachine"}


@pytest.fixture(scope="module")
def machine(engine: str) -> str:
    sfn = boto_client("stepfunctions", engine, REGION)
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    return str(
        sfn.create_state_machine(
            name=f"bad-input-{uuid.uuid4().hex[:6]}",
            definition=json.dumps(definition),
            roleArn=ROLE,
        )["stateMachineArn"]
    )


def make_app(proxy: RecordingProxy) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=proxy.url, dummy_credentials=True)
    return SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0)


async def select_machine(pilot: Any, app: SfnTuiApp, arn: str) -> None:
    dashboard = app.dashboard
    await wait_for(pilot, lambda: arn in dashboard.machines.items, what="machine listed")
    dashboard.machines.focus()
    while getattr(dashboard.machines.selected, "arn", None) != arn:
        await pilot.press("down")


def problem_text(app: SfnTuiApp) -> str:
    return screen_text(app)


START_CASES = [
    # (execution name, JSON input, what the refusal says)
    ("has space", "{}", "whitespace"),
    ("esc\x1b[31m", "{}", "control character U+001B"),
    ("[bold]x[/]", "{}", "bracket ["),
    ("x" * 81, "{}", "81 characters"),
    ("ok-name", '{"a": ', "not valid JSON"),
    ("ok-name", "NaN", "NaN is not a JSON value"),
    ("ok-name", "[" * 5_000, "nested too deeply"),
    ("ok-name", '"' + "é" * 140_000 + '"', "at most 262,144"),
]


@pytest.mark.parametrize(("name", "text", "says"), START_CASES, ids=[c[2] for c in START_CASES])
async def test_start_execution_modal_refuses_locally(
    engine: str, proxy: RecordingProxy, machine: str, name: str, text: str, says: str
) -> None:
    app = make_app(proxy)
    async with app.run_test(size=(130, 42)) as pilot:
        await select_machine(pilot, app, machine)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, StartExecutionScreen), what="modal")
        modal = app.screen
        modal.query_one("#start-name", Input).value = name  # as pasted
        modal.query_one(JsonEditor).replace_text(text)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: says in problem_text(app), what=f"refusal: {says}")
        assert isinstance(app.screen, StartExecutionScreen)  # still open, nothing lost
    assert not MUTATIONS & set(proxy.operations), proxy.operations


@pytest.mark.parametrize(
    ("name", "says"),
    [("", "cannot be empty"), ("a\tb", "U+0009"), ("x\x00", "U+0000"), ("a:b", "special")],
    ids=["empty", "tab", "nul", "colon"],
)
async def test_activity_form_refuses_bad_names_locally(
    engine: str, proxy: RecordingProxy, name: str, says: str
) -> None:
    app = make_app(proxy)
    async with app.run_test(size=(130, 42)) as pilot:
        await wait_for(pilot, lambda: app.refreshed_at is not None, what="listed")
        app.dashboard.activities.focus()
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, CreateActivityScreen), what="form")
        app.screen.query_one(Input).value = name
        app.screen.query_one(Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: says in screen_text(app), what=f"refusal: {says}")
    assert not MUTATIONS & set(proxy.operations), proxy.operations


@pytest.mark.parametrize(
    ("role", "says"),
    [
        ("not an arn", "U+0020"),
        ("arn:aws:s3:::bucket", "not an IAM role"),
        ("arn:aws:iam::12:role/x", "malformed"),
        ("arn:aws:iam::123456789012:role/x\x1b]52;c;aGk=\x07", "U+001B"),
    ],
    ids=["spaces", "not-iam", "short-account", "escape"],
)
async def test_state_machine_form_refuses_a_bad_pasted_role_arn(
    engine: str, proxy: RecordingProxy, role: str, says: str
) -> None:
    app = make_app(proxy)
    async with app.run_test(size=(130, 42)) as pilot:
        await wait_for(pilot, lambda: app.client is not None, what="connected")
        app.dashboard.machines.focus()
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, StateMachineFormScreen), what="form")
        form = app.screen
        # The role picker gives way to a pasted ARN (as when roles cannot be listed).
        form.query_one("#sm-role").display = False
        form.query_one("#sm-role-arn").display = True
        form.query_one("#sm-name", Input).value = f"pasted-{uuid.uuid4().hex[:6]}"
        form.query_one("#sm-role-arn", Input).value = role
        form.query_one(JsonEditor).replace_text(
            json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
        )
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: says in screen_text(app), what=f"refusal: {says}")
        assert "\x1b" not in str(form.query_one("#sm-problem", Static).render())
    assert not MUTATIONS & set(proxy.operations), proxy.operations


async def test_filter_takes_any_text(engine: str, proxy: RecordingProxy, machine: str) -> None:
    app = make_app(proxy)
    async with app.run_test(size=(130, 42)) as pilot:
        await select_machine(pilot, app, machine)
        machines = app.dashboard.machines
        await pilot.press("slash")
        field = app.dashboard.query_one("#filter", Input)
        await wait_for(pilot, lambda: field.display, what="filter open")
        for text in ["[/]", "[bold]x", "\x1b[2J", "\ud800", "名前", "x" * 20_000, "*?^$(", ""]:
            field.value = text
            await pilot.pause()
            screen_text(app)  # draws
            assert "\x1b" not in str(machines.border_title)
        field.value = "bad-input"
        await wait_for(
            pilot, lambda: machine in machines.items and len(machines.items) == 1, what="filtered"
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: not field.display, what="filter closed")
    assert not MUTATIONS & set(proxy.operations), proxy.operations
