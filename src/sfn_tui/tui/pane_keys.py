"""Where each dashboard key acts: the dashboard's keys are the screen's (MainScreen), and
its `check_action` lets each through in some panes only. The help lists them per pane
with these titles (the panes' own titles: State machines, Activities, Executions);
a key in no pane's list acts in every pane.

tests/test_findable.py checks this table against `check_action`, pane by pane.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.dom import DOMNode

from sfn_tui.tui.widgets.panes import ActivitiesTable, ExecutionsTable, StateMachinesTable

DASHBOARD_WIDE = "Dashboard: any pane"


@dataclass(frozen=True, slots=True)
class PaneKeys:
    title: str
    pane: type[DOMNode]  # the pane's widget: its own bindings join the group
    binding_ids: tuple[str, ...]  # the screen's keys that act in this pane, help order


PANES: tuple[PaneKeys, ...] = (
    PaneKeys(
        "Dashboard: State machines pane",
        StateMachinesTable,
        (
            "main.create",
            "main.edit",
            "main.delete",
            "main.start",
            "main.follow_callbacks",
        ),
    ),
    PaneKeys(
        "Dashboard: Activities pane",
        ActivitiesTable,
        ("main.create", "main.delete", "main.work"),
    ),
    PaneKeys(
        "Dashboard: Executions pane",
        ExecutionsTable,
        (
            "main.start",
            "main.stop",
            "main.stop_express",
            "main.redrive",
            "main.redrive_express",
            "main.express_window",
            "main.edit",  # an Express machine's runs: its logging decides what is listed
            "main.status_filter",
            "main.follow_newest",
        ),
    ),
)


def pane_bound(binding_id: str) -> bool:
    """True for a key that acts in some panes only."""
    return any(binding_id in pane.binding_ids for pane in PANES)
