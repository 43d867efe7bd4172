"""Secrets never reach a log: a formatter that redacts task tokens, credentials and
session tokens from every line (message, arguments and traceback alike).

Three nets: values of sensitive keys (`taskToken`, `aws_secret_access_key`,
`X-Amz-Security-Token`, `Authorization`, ... in JSON, Python reprs and headers), any long
unbroken token-like run (task and session tokens are hundreds of base64 characters),
and literal secrets remembered at start-up (the resolved credentials).
"""

from __future__ import annotations

import logging
import re
import threading

REDACTED = "«redacted»"
SENSITIVE_KEYS = (
    "taskToken",
    "task_token",
    "aws_secret_access_key",
    "secretAccessKey",
    "SecretAccessKey",
    "secret_key",
    "aws_session_token",
    "sessionToken",
    "SessionToken",
    "session_token",
    "X-Amz-Security-Token",
    "token",
)
# key, optional closing quote (maybe escaped), separator, optional b/opening quote; value
_KEY_VALUE = re.compile(
    r"(?P<head>(?:\\*[\"'])?(?:" + "|".join(map(re.escape, SENSITIVE_KEYS)) + r")(?:\\*[\"'])?"
    r"\s*[:=]\s*b?(?:\\*[\"'])?)"
    r"(?P<value>[^\s\"',}\\)\]>]+)",
    re.IGNORECASE,
)
# A SigV4 Authorization header value: credential scope and signature.
_SIGV4 = re.compile(r"AWS4-HMAC-SHA256\s+Credential=[^\"'\n]*")
# Long unbroken base64/URL-safe runs: tokens, never words, ARNs or JSON.
_LONG_RUN = re.compile(r"[A-Za-z0-9+/=_-]{100,}")

_remembered: set[str] = set()
_lock = threading.Lock()


def remember_secret(value: str | None) -> None:
    """Redact this exact value from now on (credentials resolved at start-up)."""
    if value and len(value) >= 8:
        with _lock:
            _remembered.add(value)


def redact(text: str) -> str:
    """`text` with every secret it may hold replaced by «redacted»."""
    with _lock:
        remembered = sorted(_remembered, key=len, reverse=True)
    for secret in remembered:
        text = text.replace(secret, REDACTED)
    text = _SIGV4.sub(REDACTED, text)
    text = _KEY_VALUE.sub(lambda m: m.group("head") + REDACTED, text)
    return _LONG_RUN.sub(REDACTED, text)


# Control characters but the line breaks and tabs of tracebacks: C0, DEL and C1 (0x9b is
# a one-byte CSI to some terminals).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` with each control character written as its escape (ESC as \\x1b, CR as
    \\r): a log line holding service text must not drive the terminal that shows it."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


class RedactingFormatter(logging.Formatter):
    """A Formatter whose every line has gone through `redact`, and whose control
    characters are written as escapes (`printable`)."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(redact(super().format(record)))


def log_destination() -> str | None:
    """The file the root logger writes to, if any (for the help screen)."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.FileHandler):
            return handler.baseFilename
    return None
