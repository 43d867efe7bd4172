"""Redaction takes the whole secret, not its head: task tokens and secret keys are
base64, so `+`, `/` and `=` sit anywhere in them. Nothing of the secret may stay in the
line, not even its tail after the first such character."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sfn_tui.core.redact import REDACTED, redact, remember_secret

# Short enough (< 100 characters) that only the key-value net can catch them.
SHORT_SECRETS = (
    "AbCd+EfGh/IjKl=MnOpQrSt",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "a1b2c3d4==",
    "+/=+leading/PunctuationThenLetters",
    "tail/after+every=one/of/them+AAAA",
)
KEYED_SHAPES = (
    '{{"taskToken": "{t}", "output": "{{}}"}}',
    'b\'{{"taskToken": "{t}"}}\'',
    '{{\\"taskToken\\": \\"{t}\\"}}',
    "{{'X-Amz-Security-Token': b'{t}'}}",
    "aws_secret_access_key={t}",
    "aws_session_token = {t}",
    "send_task_success(token='{t}')",
    "secretAccessKey: {t}",
)


def leaked_pieces(secret: str, line: str, width: int = 5) -> list[str]:
    """Every `width`-character slice of the secret still in the line."""
    return sorted(
        {secret[i : i + width] for i in range(len(secret) - width + 1)}
        & {line[i : i + width] for i in range(len(line) - width + 1)}
    )


@pytest.mark.parametrize("shape", KEYED_SHAPES)
@pytest.mark.parametrize("secret", SHORT_SECRETS)
def test_a_keyed_secret_is_redacted_whole(secret: str, shape: str) -> None:
    line = "DEBUG request: " + shape.format(t=secret) + " (end)"
    redacted = redact(line)
    assert REDACTED in redacted
    assert leaked_pieces(secret, redacted) == [], f"part of the secret stayed: {redacted!r}"
    assert redacted.endswith(" (end)")  # what follows the secret is kept


def test_a_long_token_with_punctuation_anywhere_is_redacted_whole() -> None:
    """A task token (hundreds of base64 characters) on a line with no key before it:
    in a URL, an error message, a repr."""
    token = "".join(
        f"{'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx'[i % 48 :]}{'+/='[i % 3]}"
        for i in range(8)
    )
    assert len(token) > 200
    for line in (
        f"GET /?t={token} HTTP/1.1",
        f"TaskDoesNotExist: {token} is not known",
        f"<Task {token}>",
    ):
        redacted = redact(line)
        assert leaked_pieces(token, redacted, 8) == [], f"part of the token stayed: {redacted!r}"


TOKEN_CHARS = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")


@settings(max_examples=80, deadline=None)
@given(
    head=st.text(TOKEN_CHARS, min_size=1, max_size=20),
    tail=st.text(TOKEN_CHARS, min_size=8, max_size=60),
    cut=st.sampled_from("+/="),
    shape=st.sampled_from(KEYED_SHAPES),
)
def test_nothing_after_a_plus_slash_or_equals_survives(
    head: str, tail: str, cut: str, shape: str
) -> None:
    secret = f"{head}{cut}{tail}"
    line = shape.format(t=secret)
    assume(tail[:8] not in shape)
    assert tail[:8] not in redact(line)


def test_a_remembered_secret_holding_another_is_redacted_whole() -> None:
    """Longest first: a remembered secret that contains a shorter one must not be
    redacted piecewise (the shorter one first would leave the rest of the longer)."""
    tag = uuid.uuid4().hex[:4]  # remembered secrets stay for the process: fresh ones
    short, long = f"Zq8+W{tag[:3]}", f"AAqq-Zq8+W{tag[:3]}-and-the-rest-{tag}"
    remember_secret(short)
    remember_secret(long)
    redacted = redact(f"credentials: {long} end")
    assert redacted == f"credentials: {REDACTED} end"


def test_only_secrets_of_eight_characters_or_more_are_remembered() -> None:
    """Shorter values (the local engine's dummy "testing") would redact ordinary words."""
    tag = uuid.uuid4().hex  # remembered secrets stay for the process: fresh ones
    seven, eight = f"S{tag[:6]}", f"E{tag[6:13]}"
    remember_secret(None)
    remember_secret("")
    remember_secret(seven)
    remember_secret(eight)
    assert redact(f"{seven} {eight}") == f"{seven} {REDACTED}"
