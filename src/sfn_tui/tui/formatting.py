"""How values look on screen: statuses spelled out and coloured, times, durations.

Service text is always wrapped in `Text` (never parsed as markup), so names and
outputs containing `[bold]` or escape sequences are shown literally.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text

STATUS_STYLE = {
    "RUNNING": ("▶", "bold dodger_blue1"),
    "SUCCEEDED": ("✔", "bold green"),
    "FAILED": ("✖", "bold red"),
    "TIMED_OUT": ("◔", "bold dark_orange"),
    "ABORTED": ("■", "bold magenta"),
    "PENDING_REDRIVE": ("↻", "bold yellow"),
}


def status_text(status: str) -> Text:
    """A status as a symbol plus the word: readable without colour. The word is the
    endpoint's (one AWS never sends is shown as text, its control characters written
    out)."""
    symbol, style = STATUS_STYLE.get(status, ("?", "bold"))
    return Text(f"{symbol} {visible(status)}", style=style)


def visible(value: object) -> str:
    """`value` as a string with control characters (ESC, BEL, ...) written out as
    `\\x1b`, so none reaches the terminal; newlines are kept."""
    raw = str(value)
    return "".join(ch if ch.isprintable() or ch == "\n" else f"\\x{ord(ch):02x}" for ch in raw)


def plain(value: object) -> Text:
    """Service-provided text, shown literally (no markup, control characters made visible)."""
    return Text(visible(value))


def described(head: str, description: str | None, separator: str) -> Text:
    """`head`, then `separator` and the service's description (literal) if there is one:
    "Version 3: nightly" (a Select's choice; a Select reads a str as markup)."""
    return Text.assemble(head, *((separator, plain(description)) if description else ()))


def clip_middle(text: str, width: int) -> str:
    """`text` in at most `width` characters, cut in the middle (names generated from a
    prefix and a unique suffix stay telling apart)."""
    if len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    tail = (width - 1) // 2
    return f"{text[: width - 1 - tail]}…{text[len(text) - tail :]}"


def timestamp(dt: datetime | None, tz: tzinfo | None = None) -> str:
    if dt is None:
        return "—"
    return dt.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


def clock_time(dt: datetime, tz: tzinfo | None = None) -> str:
    return dt.astimezone(tz).strftime("%H:%M:%S")


def duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m {seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h {minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours:02d}h"


def short_time(dt: datetime | None, now: datetime, tz: tzinfo | None = None) -> str:
    """Compact time for narrow tables: the time today, month and day this year."""
    if dt is None:
        return "—"
    local, today = dt.astimezone(tz), now.astimezone(tz)
    if local.date() == today.date():
        return local.strftime("%H:%M:%S")
    if local.year == today.year:
        return local.strftime("%b %d %H:%M")
    return local.strftime("%Y-%m-%d")


def short_date(dt: datetime | None, now: datetime, tz: tzinfo | None = None) -> str:
    """Creation dates, at most 10 characters: the time today, else the day."""
    if dt is None:
        return "—"
    local, today = dt.astimezone(tz), now.astimezone(tz)
    if local.date() == today.date():
        return local.strftime("%H:%M")
    if local.year == today.year:
        return local.strftime("%b %d")
    return local.strftime("%Y-%m-%d")
