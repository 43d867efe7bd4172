"""Keep the embedded engine's chatter off the terminal (a TUI owns stdout and stderr).

Four kinds of output reach a terminal from moto's server and Step Functions engine:

* werkzeug logs every request (and adds its own stderr handler if none is set);
* moto, and the ASL engine under ``moto.stepfunctions.parser``, log exceptions;
* the ANTLR runtime's ``ConsoleErrorListener`` *prints* parse errors such as
  "line 1:19 token recognition error at: '#'" straight to stderr (no logging);
* an exception escaping one of the engine's worker threads is printed by
  ``threading.excepthook``.

``silence()`` stops all of them. It is idempotent and does not import moto.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

# Loggers whose records must never reach a handler that writes to the terminal.
_LOGGERS = (
    "werkzeug",
    "moto",
    "moto.stepfunctions",
    "moto.stepfunctions.parser",
    "moto.server",
    "antlr4",
)

_silenced = False


def _quiet_syntax_error(*_args: Any) -> None:
    """Replacement for ``ConsoleErrorListener.syntaxError``: drop the message."""


def _is_engine_thread_error(args: threading.ExceptHookArgs) -> bool:
    """True when an uncaught thread exception was raised inside moto or werkzeug code."""
    tb = args.exc_traceback
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if f"{os.sep}moto{os.sep}" in filename or f"{os.sep}werkzeug{os.sep}" in filename:
            return True
        tb = tb.tb_next
    return False


def silence() -> None:
    """Silence moto, werkzeug and the ASL parser for the rest of the process."""
    global _silenced
    if _silenced:
        return
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.CRITICAL + 1)
        logger.propagate = False
        # A handler of its own stops werkzeug from adding a stderr handler on first use.
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())

    # ANTLR prints syntax errors to stderr from a shared listener instance.
    from antlr4.error.ErrorListener import ConsoleErrorListener

    setattr(ConsoleErrorListener, "syntaxError", _quiet_syntax_error)  # noqa: B010

    # Uncaught exceptions in the engine's threads: log them (silenced above), print nothing.
    previous = threading.excepthook

    def _excepthook(args: threading.ExceptHookArgs) -> None:
        if _is_engine_thread_error(args):
            logging.getLogger("moto").debug("engine thread died", exc_info=args.exc_value)
            return
        previous(args)

    threading.excepthook = _excepthook
    _silenced = True
