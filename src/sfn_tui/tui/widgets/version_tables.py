"""The two tables of the versions and aliases screen."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text

from sfn_tui.aws.versions import StateMachineAlias, StateMachineVersion
from sfn_tui.tui.formatting import plain, short_time, visible
from sfn_tui.tui.widgets.keyed_table import Cell, KeyedTable
from sfn_tui.tui.widgets.panes import TimeAware


class VersionsTable(TimeAware, KeyedTable[StateMachineVersion]):
    COLUMNS = (
        ("version", "Version", 8),
        ("description", "Description", None),
        ("created", "Created", 12),
    )
    sort_reverse = True

    def key(self, item: StateMachineVersion) -> str:
        return item.arn

    def sort_key(self, item: StateMachineVersion) -> Any:
        return item.number

    def filter_on(self, item: StateMachineVersion) -> str:
        return f"{item.number} {item.description}"

    def cells(self, item: StateMachineVersion) -> Sequence[Cell]:
        description = plain(item.description) if item.description else Text("—", style="dim")
        created = short_time(item.creation_date, self.clock(), self.tz)
        return (str(item.number), description, created)


class AliasesTable(TimeAware, KeyedTable[StateMachineAlias]):
    COLUMNS = (
        ("name", "Alias", 16),
        ("routing", "Routing (version weight)", None),
        ("updated", "Updated", 12),
    )
    sort_reverse = True

    def key(self, item: StateMachineAlias) -> str:
        return item.arn

    def sort_key(self, item: StateMachineAlias) -> Any:
        return item.creation_date

    def filter_on(self, item: StateMachineAlias) -> str:
        return item.name

    def cells(self, item: StateMachineAlias) -> Sequence[Cell]:
        # Both the endpoint's: a route names its version by ARN.
        routing = plain(item.routing_text)
        if item.description:
            routing.append(f"  {visible(item.description)}", style="dim")
        updated = short_time(item.update_date or item.creation_date, self.clock(), self.tz)
        return (plain(item.name), routing, updated)
