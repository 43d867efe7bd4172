"""A log line for every failed attempt of a call, and whether botocore retries it.

botocore logs its retries under `botocore.retries.standard` at DEBUG, but those lines
name neither the operation nor the error ("Retry needed, retrying request after delay
of: 0.4"), one of them ("Not retrying request.") follows every successful call, and the
`botocore` logger is kept at WARNING anyway because its DEBUG lines carry request
bodies and headers (task tokens, session tokens). So botocore stays silenced, and this
handler of the `needs-retry` event writes its own line instead: the operation, the
attempt, the error code or exception, and whether another attempt follows. It reads
the response's status and error code only, never a request or a body.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

log = logging.getLogger("sfn_tui.aws.retries")


def _outcome(response: Any, caught_exception: BaseException | None) -> str:
    """What went wrong with this attempt ("" when it succeeded)."""
    if caught_exception is not None:
        return f"{type(caught_exception).__name__}: {caught_exception}"
    if not isinstance(response, tuple) or len(response) != 2:
        return ""
    http, parsed = response
    status = getattr(http, "status_code", 0)
    if status < 400:
        return ""
    error = parsed.get("Error", {}) if isinstance(parsed, dict) else {}
    code = error.get("Code") or ""
    message = error.get("Message") or ""
    detail = f" ({message})" if message else ""
    return f"HTTP {status} {code}{detail}".rstrip()


def log_failed_attempt(
    max_attempts: int,
    attempts: int = 0,
    operation: Any = None,
    response: Any = None,
    caught_exception: BaseException | None = None,
    **_: Any,
) -> None:
    """`needs-retry` handler: log a failed attempt. Returns None, so it never changes
    botocore's decision (its retry handler makes that; it may also refuse a retry when
    its retry quota is spent, which this line cannot know)."""
    if not log.isEnabledFor(logging.DEBUG):
        return
    outcome = _outcome(response, caught_exception)
    if not outcome:
        return
    name = getattr(operation, "name", "a call")
    then = "retrying" if attempts < max_attempts else "no attempts left"
    log.debug("%s attempt %d of %d failed: %s; %s", name, attempts, max_attempts, outcome, then)


def register(client: Any, max_attempts: int) -> None:
    """Log the failed attempts of every call this botocore client makes."""
    client.meta.events.register("needs-retry.*", partial(log_failed_attempt, max_attempts))
