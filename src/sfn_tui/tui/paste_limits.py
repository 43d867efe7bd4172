"""How much a field may take in one paste, and the editor that knows its limit.

A paste (bracketed, or typed key by key and gathered by `tui/key_order.py`) that would
make a field larger than what it is for is refused with a message, before the field
holds it: a JSON reply or an execution input is at most 256 KiB (AWS's payload
limit), a definition 1 MiB, a one-line field its `max_length` or 64 Ki characters.
Nothing of the field's text is changed by a refused paste.
"""

from __future__ import annotations

from typing import Any

from textual.widget import Widget
from textual.widgets import Input, TextArea

from sfn_tui.core.validation import MAX_DEFINITION_BYTES

DEFAULT_EDITOR_BYTES = MAX_DEFINITION_BYTES  # an editor that names no limit of its own
DEFAULT_LINE_CHARS = 64 * 1024  # a one-line field without max_length


class LimitedTextArea(TextArea):
    """A TextArea holding at most `max_bytes` of UTF-8 (`limit_name` says why)."""

    def __init__(
        self,
        *args: Any,
        max_bytes: int = DEFAULT_EDITOR_BYTES,
        limit_name: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.limit_name = limit_name


def _size(count: int, unit: str) -> str:
    if unit == "characters":
        return f"{count:,} characters"
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MiB"
    return f"{count / 1024:.1f} KiB" if count >= 1024 else f"{count} bytes"


def refusal(widget: Widget | None, text: str) -> str | None:
    """Why `text` may not be pasted into `widget`, or None when it may."""
    if isinstance(widget, TextArea):
        limit = widget.max_bytes if isinstance(widget, LimitedTextArea) else DEFAULT_EDITOR_BYTES
        why = widget.limit_name if isinstance(widget, LimitedTextArea) else ""
        start, end = sorted(widget.selection)
        kept = len(widget.text.encode("utf-8")) - len(
            widget.get_text_range(start, end).encode("utf-8")
        )
        total, unit = kept + len(text.encode("utf-8")), "bytes"
    elif isinstance(widget, Input):
        limit = widget.max_length or DEFAULT_LINE_CHARS
        why = ""
        first, last = sorted(widget.selection)
        total, unit = len(widget.value) - (last - first) + len(text), "characters"
    else:
        return None
    if total <= limit:
        return None
    because = f" ({why})" if why else ""
    return (
        f"Not pasted: the field would hold {_size(total, unit)}; it takes at most"
        f" {_size(limit, unit)}{because}. What it held is unchanged."
    )
