"""The rule: nothing written to the log file reaches a terminal raw. Service text in a log
line (an error message, a run name) may hold ESC or BEL; `tail -f sfn-tui.log` would run
them. The file's formatter writes every control character as a visible escape, keeping
the line breaks and tabs of tracebacks and multi-line messages."""

from __future__ import annotations

import logging
from pathlib import Path

from sfn_tui.core.redact import RedactingFormatter

HOSTILE = "denied \x1b[31mred\x1b[0m \x07bell \x9b2J csi \x7f del \r over"


def logged(tmp_path: Path, message: str, *args: object) -> str:
    path = tmp_path / "sfn-tui.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(RedactingFormatter("%(levelname)s %(name)s: %(message)s"))
    log = logging.getLogger("sfn_tui.test_log_text")
    log.addHandler(handler)
    log.propagate = False
    try:
        try:
            raise ValueError(HOSTILE)
        except ValueError:
            log.warning(message, *args, exc_info=True)
    finally:
        log.removeHandler(handler)
        handler.close()
    return path.read_text(encoding="utf-8")


def test_control_characters_are_written_as_visible_escapes(tmp_path: Path) -> None:
    text = logged(tmp_path, "The answer was not delivered: %s", HOSTILE)
    assert not any(ord(c) < 32 and c not in "\n\t" for c in text)
    assert not any(0x7F <= ord(c) <= 0x9F for c in text)
    shown = r"denied \x1b[31mred\x1b[0m \x07bell \x9b2J csi \x7f del \r over"
    assert f"WARNING sfn_tui.test_log_text: The answer was not delivered: {shown}\n" in text
    assert "Traceback (most recent call last):\n" in text  # line breaks kept
    assert f"ValueError: {shown}" in text
