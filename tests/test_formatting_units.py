"""tui/formatting.py value by value: what a status, a time, a duration and service
text look like on screen (the Pilot scenes in test_terminal_safety.py and
test_hostile_names.py show them in place)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from sfn_tui.tui.formatting import (
    clip_middle,
    clock_time,
    described,
    duration,
    plain,
    short_date,
    short_time,
    status_text,
    timestamp,
    visible,
)


def test_visible_writes_control_characters_out_and_keeps_newlines() -> None:
    assert visible("[bold]x[/]\x1b[31m") == "[bold]x[/]\\x1b[31m"
    assert visible("a\x07b\x00c\x7f") == "a\\x07b\\x00c\\x7f"
    assert visible("line one\nline two") == "line one\nline two"
    assert visible("tab\there") == "tab\\x09here"
    assert visible(42) == "42"
    text = plain("[bold]x[/]\x1b[31m")
    assert text.plain == "[bold]x[/]\\x1b[31m" and not text.spans  # no markup applied


@pytest.mark.parametrize(
    ("status", "shown", "style"),
    [
        ("RUNNING", "▶ RUNNING", "bold dodger_blue1"),
        ("SUCCEEDED", "✔ SUCCEEDED", "bold green"),
        ("FAILED", "✖ FAILED", "bold red"),
        ("TIMED_OUT", "◔ TIMED_OUT", "bold dark_orange"),
        ("ABORTED", "■ ABORTED", "bold magenta"),
        ("PENDING_REDRIVE", "↻ PENDING_REDRIVE", "bold yellow"),
        ("SOMETHING_NEW", "? SOMETHING_NEW", "bold"),
        # An endpoint's word that AWS never sends: text, its escape written out.
        ("[b]Odd[/b]\x1b[31m", "? [b]Odd[/b]\\x1b[31m", "bold"),
    ],
)
def test_a_status_is_a_symbol_and_the_word(status: str, shown: str, style: str) -> None:
    text = status_text(status)
    assert text.plain == shown and str(text.style) == style


def test_clip_middle_keeps_both_ends() -> None:
    assert clip_middle("abcdef", 6) == "abcdef"
    assert clip_middle("abcdefg", 6) == "abc…fg"
    assert clip_middle("abcdefgh", 5) == "ab…gh"
    assert clip_middle("abc", 2) == "a…"
    assert clip_middle("abc", 1) == "…"
    assert clip_middle("abc", 0) == ""


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (-5, "0s"),
        (0, "0s"),
        (59.9, "59s"),
        (60, "1m 00s"),
        (3599, "59m 59s"),
        (3600, "1h 00m"),
        (48 * 3600 - 1, "47h 59m"),
        (48 * 3600, "2d 00h"),
        (50 * 3600 + 59, "2d 02h"),
    ],
)
def test_durations(seconds: float, shown: str) -> None:
    assert duration(seconds) == shown


UTC2 = timezone(timedelta(hours=2))


def test_times_in_the_zone_asked_for() -> None:
    at = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    assert timestamp(at, UTC2) == "2026-03-04 07:06:07"
    assert timestamp(None) == "—"
    assert clock_time(at, UTC2) == "07:06:07"


def test_short_times_today_this_year_and_before() -> None:
    now = datetime(2026, 6, 15, 12, 0, 0, tzinfo=UTC)
    assert short_time(None, now) == "—"
    assert short_time(now - timedelta(hours=1), now, UTC) == "11:00:00"
    assert short_time(datetime(2026, 2, 3, 4, 5, tzinfo=UTC), now, UTC) == "Feb 03 04:05"
    assert short_time(datetime(2025, 2, 3, 4, 5, tzinfo=UTC), now, UTC) == "2025-02-03"
    assert short_date(None, now) == "—"
    assert short_date(now - timedelta(hours=1), now, UTC) == "11:00"
    assert short_date(datetime(2026, 2, 3, 4, 5, tzinfo=UTC), now, UTC) == "Feb 03"
    assert short_date(datetime(2025, 2, 3, 4, 5, tzinfo=UTC), now, UTC) == "2025-02-03"
    # "Today" is the day in the zone shown: 23:30 UTC is tomorrow at UTC+2.
    late = datetime(2026, 6, 15, 23, 30, tzinfo=UTC)
    assert short_time(late, now, UTC2) == "Jun 16 01:30"


def test_today_is_today_in_the_zone_shown() -> None:
    """Near midnight the machine's zone and the zone shown disagree on the day."""
    now = datetime(2026, 6, 15, 23, 0, tzinfo=UTC)  # June 16, 01:00 at UTC+2
    earlier = datetime(2026, 6, 15, 22, 30, tzinfo=UTC)  # June 16, 00:30 at UTC+2
    assert short_time(earlier, now, UTC2) == "00:30:00"
    assert short_date(earlier, now, UTC2) == "00:30"
    yesterday = datetime(2026, 6, 15, 21, 30, tzinfo=UTC)  # June 15, 23:30 at UTC+2
    assert short_time(yesterday, now, UTC2) == "Jun 15 23:30"
    assert short_date(yesterday, now, UTC2) == "Jun 15"


@pytest.mark.parametrize(
    ("description", "shown"),
    [
        ("nightly", "Version 3: nightly"),
        ("[b]x[/b]\x1b[31m", "Version 3: [b]x[/b]\\x1b[31m"),  # the service's: literal
        ("", "Version 3"),
        (None, "Version 3"),
    ],
)
def test_a_choice_is_its_head_then_the_services_description(
    description: str | None, shown: str
) -> None:
    text = described("Version 3", description, ": ")
    assert text.plain == shown and not text.spans
