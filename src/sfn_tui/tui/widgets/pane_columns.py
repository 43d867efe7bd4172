"""The dashboard panes' columns: (key, label, fixed width or None). Plain data, so that
the launch frame (tui/launch_frame.py) draws the executions pane's headings without
importing the panes (DataTable, the models)."""

from __future__ import annotations

Columns = tuple[tuple[str, str, int | None], ...]

MACHINES_COLUMNS: Columns = (
    ("name", "Name", None),
    ("type", "Type", 8),
    ("created", "Created", None),
)
ACTIVITIES_COLUMNS: Columns = (
    ("name", "Name", None),
    ("tasks", "Tasks", 7),
    ("created", "Created", None),
)
EXECUTIONS_COLUMNS: Columns = (
    ("name", "Name", None),
    ("status", "Status", None),
    ("start", "Started", None),
    ("end", "Stopped / elapsed", None),
)
