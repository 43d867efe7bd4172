"""A Map Run drawn in text: its status, settings, and its items' and child executions'
counts as a bar with numbers (the console's Map Run page, in a few lines)."""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text

from sfn_tui.aws.map_runs import MapRunCounts, MapRunDetail
from sfn_tui.tui.formatting import duration, plain, status_text, timestamp

BAR_WIDTH = 40
# (count, bar character, style, word) in the order the bar draws them.
SEGMENTS = (
    ("succeeded", "█", "green", "succeeded"),
    ("failed", "█", "red", "failed"),
    ("timed_out", "█", "dark_orange", "timed out"),
    ("aborted", "█", "magenta", "aborted"),
    ("running", "▒", "yellow", "running"),
    ("pending", "░", "dim", "pending"),
)


def counts_bar(counts: MapRunCounts, width: int = BAR_WIDTH) -> Text:
    """A bar of `width` cells split by status (a status with any count shows at least
    one cell), then the figures."""
    text = Text(no_wrap=True, end="")
    total = max(counts.total, 1)
    cells = {
        name: getattr(counts, name) * width // total if getattr(counts, name) else 0
        for name, *_ in SEGMENTS
    }
    for name in cells:
        if getattr(counts, name) and not cells[name]:
            cells[name] = 1
    # Rounding: give what is left (or take what is over) to the largest segment.
    drawn = sum(cells.values())
    if counts.total and drawn != width:
        largest = max(cells, key=lambda n: cells[n])
        cells[largest] = max(cells[largest] + width - drawn, 0)
    if not counts.total:
        text.append("░" * width, "dim")
    for name, char, style, _ in SEGMENTS:
        text.append(char * cells[name], style)
    done = counts.done
    percent = done * 100 // counts.total if counts.total else 0
    text.append(f" {done:,}/{counts.total:,} done ({percent}%)", "bold")
    return text


def counts_words(counts: MapRunCounts) -> Text:
    text = Text(no_wrap=True, end="")
    for name, _, style, word in SEGMENTS:
        value = getattr(counts, name)
        if text:
            text.append(" · ", "dim")
        text.append(f"{value:,} {word}", style if value else "dim")
    return text


def tolerated_text(detail: MapRunDetail) -> str:
    parts = []
    if detail.tolerated_failure_count:
        parts.append(f"{detail.tolerated_failure_count:,} items")
    if detail.tolerated_failure_percentage:
        parts.append(f"{detail.tolerated_failure_percentage:g}%")
    return " or ".join(parts) if parts else "none (0)"


def map_run_text(detail: MapRunDetail, now: datetime, tz: tzinfo | None) -> Text:
    """The Map Run's summary: label and status, dates, settings, the two bars."""
    text = Text()
    text.append("Map Run ", "bold")
    label = plain(detail.label)
    label.stylize("bold")
    text.append_text(label)
    text.append("  ")
    text.append_text(status_text(detail.status))
    end = detail.stop_date or now
    took = duration((end - detail.start_date).total_seconds())
    text.append(f"  started {timestamp(detail.start_date, tz)}", "dim")
    text.append(f"  · {took}" if detail.stop_date else f"  · running for {took}", "dim")
    text.append("\nMax concurrency ", "bold")
    text.append(f"{detail.max_concurrency:,}" if detail.max_concurrency else "no limit (0)")
    text.append("   Tolerated failure ", "bold")
    text.append(tolerated_text(detail))
    if detail.redrive_count:
        text.append(f"   Redriven {detail.redrive_count:,} times", "bold")
    text.append("\nItems       ", "bold")
    text.append_text(counts_bar(detail.items))
    text.append("\n            ")
    text.append_text(counts_words(detail.items))
    text.append("\nExecutions  ", "bold")
    text.append_text(counts_bar(detail.executions))
    text.append("\n            ")
    text.append_text(counts_words(detail.executions))
    executions = detail.executions
    text.append(
        f"\n            {executions.results_written:,} results written"
        f" · {executions.failures_not_redrivable:,} failures not redrivable",
        "dim",
    )
    return text
