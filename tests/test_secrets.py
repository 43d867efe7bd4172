"""Secrets never reach the log: a full ChatSFN session with DEBUG logging, then the log
is searched for the task tokens, the secret key and the session token. Also the
redaction itself, on botocore's own request lines and as a property over any token."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from textual.widgets import Static

from sfn_tui.aws.connection import Connection
from sfn_tui.cli import configure_logging
from sfn_tui.core.redact import REDACTED, log_destination, redact, remember_secret
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.screens.chat import ChatScreen
from sfn_tui.tui.screens.guided_run import GuidedRunScreen
from sfn_tui.tui.screens.help import HelpScreen
from tests.pilot_helpers import screen_text, wait_for

REGION = "ap-southeast-3"
ACCESS_KEY = "AKIASFNTUITEST7Q2X"
SECRET_KEY = "sfnTuiSecret/Kx9+ZmQ4rT7wVv2LpN8bYc3dEe5fGh6jIk1lMn0"
SESSION_TOKEN = "FwoGZXIvYXdzEDistinctiveSessionToken//sfntui+test=="
LIBRARIES = ("botocore", "aiobotocore", "urllib3")


@pytest.fixture
def fresh_logging() -> Iterator[None]:
    """configure_logging() replaces the root handlers: put pytest's back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in LIBRARIES}
    yield
    for handler in root.handlers:
        handler.close()
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, was in levels.items():
        logging.getLogger(name).setLevel(was)


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_SESSION_TOKEN", SESSION_TOKEN)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.mark.parametrize("libraries_at_debug", [False, True], ids=["default", "botocore-debug"])
async def test_chatsfn_session_with_debug_logging_leaks_no_token_or_key(
    engine: str,
    tmp_path: Path,
    fresh_logging: None,
    credentials: None,
    libraries_at_debug: bool,
) -> None:
    """`--log-file --log-level DEBUG`; with `botocore-debug` the AWS libraries log every
    request too (headers, bodies with task tokens): the redaction must catch them."""
    log_file = tmp_path / "sfn-tui.log"
    configure_logging(str(log_file), "DEBUG")
    if libraries_at_debug:
        for name in LIBRARIES:
            logging.getLogger(name).setLevel(logging.DEBUG)
    # Real credentials from the environment (not the loopback dummies), as on AWS.
    connection = Connection(region=REGION, endpoint_url=engine)
    app = SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0)
    tokens: set[str] = set()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.inbox is not None, what="connected")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        footer = app.screen.query_one("#help-footer", Static)
        assert f"Log: {log_file}" in str(footer.render())
        await pilot.press("escape")
        await pilot.press("n")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, GuidedRunScreen) and "Role ARN" in screen_text(app),
            what="set-up shown",
        )
        await pilot.press(*"Ada", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="chat opened")

        def remember_tokens() -> None:
            assert app.inbox is not None
            tokens.update(item.task.token for item in app.inbox.tasks)

        for key, expected in (
            ("1", "My song has no tune"),
            ("2", "This is my poem"),
            ("3", "This story has neither"),
        ):
            await wait_for(
                pilot,
                lambda: app.inbox is not None and bool(app.inbox.claimed()),
                what="a task waiting",
            )
            remember_tokens()
            await pilot.press(key)
            await wait_for(pilot, lambda e=expected: e in screen_text(app), what=expected)
        await wait_for(
            pilot, lambda: app.inbox is not None and bool(app.inbox.claimed()), what="last task"
        )
        remember_tokens()
        await pilot.press("4")
        await wait_for(pilot, lambda: "Thanks for chatting." in screen_text(app), what="done")
    for handler in logging.getLogger().handlers:
        handler.flush()

    log = log_file.read_text(encoding="utf-8")
    assert len(tokens) >= 4
    assert "Task T1 received" in log  # the log is written
    if libraries_at_debug:
        assert "SendTaskSuccess" in log and "taskToken" in log  # botocore logged the bodies
    for token in tokens:
        assert token not in log, "a task token reached the log"
        assert token[:40] not in log, "part of a task token reached the log"
    assert SECRET_KEY not in log and SESSION_TOKEN not in log


def test_help_names_where_the_log_goes(tmp_path: Path) -> None:
    from sfn_tui.cli import build_parser

    text = build_parser().format_help()
    assert "--log-file PATH" in text and "redacted" in text


def test_log_destination_is_the_file(tmp_path: Path, fresh_logging: None) -> None:
    configure_logging(None, "INFO")
    assert log_destination() is None
    configure_logging(str(tmp_path / "x.log"), "INFO")
    assert log_destination() == str(tmp_path / "x.log")


# Redaction as a property --------------------------------------------------------------

TOKEN_CHARS = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-")
tokens_ = st.text(TOKEN_CHARS, min_size=8, max_size=900)
SHAPES = (
    '{{"taskToken": "{t}", "output": "{{}}"}}',  # a JSON request body
    'b\'{{"taskToken": "{t}"}}\'',  # botocore's bytes repr
    '{{\\"taskToken\\": \\"{t}\\"}}',  # JSON inside JSON
    "{{'X-Amz-Security-Token': b'{t}'}}",  # a headers dict
    "aws_secret_access_key={t}",  # a config line
    "send_task_success(token='{t}')",  # a call in a traceback
)


@settings(max_examples=60, deadline=None)
@given(token=tokens_, shape=st.sampled_from(SHAPES), prefix=st.text(max_size=30))
def test_a_token_in_any_usual_shape_is_redacted(token: str, shape: str, prefix: str) -> None:
    assume(token not in prefix)
    line = prefix + " " + shape.format(t=token)
    redacted = redact(line)
    assert token not in redacted
    assert REDACTED in redacted


@settings(max_examples=40, deadline=None)
@given(words=st.text(st.characters(blacklist_characters="=:'\""), max_size=60))
def test_ordinary_text_is_left_alone(words: str) -> None:
    assert redact(f"Task 3 received from arn:aws:states:x:1:activity:a {words[:60]}").startswith(
        "Task 3 received from arn:aws:states:x:1:activity:a"
    )


def test_botocore_authorization_header_and_remembered_secret_are_redacted() -> None:
    line = (
        "Sending http request: <AWSPreparedRequest stream_output=False, method=POST, "
        "headers={'X-Amz-Target': b'AWSStepFunctions.SendTaskSuccess', 'Authorization': "
        f"b'AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/20250101/us-east-1/states/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=0123456789abcdef', "
        f"'X-Amz-Security-Token': b'{SESSION_TOKEN}'}}>"
    )
    redacted = redact(line)
    assert ACCESS_KEY not in redacted and SESSION_TOKEN not in redacted
    assert "Signature=0123" not in redacted
    assert "SendTaskSuccess" in redacted
    remember_secret("a secret said plainly")
    assert "a secret said plainly" not in redact("oops: a secret said plainly, in a message")
