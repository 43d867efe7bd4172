"""Snapshot of the versions and aliases screen: the demo's PriceQuote with its two
versions (number, description, created) and its alias live routing 80/20.
`pytest --snapshot-update` after an intended change of the UI."""

from __future__ import annotations

from typing import Any

from sfn_tui.local.seed_versions import VERSIONED_MACHINE
from sfn_tui.tui.screens.versions import VersionsScreen
from tests.pilot_helpers import wait_for, wait_shown
from tests.scenes import SIZE, prepare_demo, scene_app

VERSIONS_SCENE_REGION = "us-isob-east-1"  # no other test uses it (ARNs read arn:aws-iso-b:…)


async def show_versions(pilot: Any) -> None:
    app = pilot.app
    machines = app.dashboard.machines
    await wait_for(
        pilot,
        lambda: any(m.name == VERSIONED_MACHINE for m in machines.items.values()),
        what="PriceQuote listed",
    )
    machines.focus()
    target = next(m for m in machines.items.values() if m.name == VERSIONED_MACHINE)
    machines.select_key(target.arn)
    await wait_for(pilot, lambda: machines.selected == target, what="PriceQuote selected")
    await pilot.press("v")
    await wait_for(pilot, lambda: isinstance(app.screen, VersionsScreen), what="versions open")
    screen = app.screen
    await wait_for(pilot, lambda: screen.loaded, what="versions loaded")
    await wait_shown(pilot, "10% discount", "v1 80% · v2 20%")


def test_versions_and_aliases_view(engine: str, snap_compare: Any) -> None:
    """Versions newest first with their descriptions and pinned creation times; the
    alias with its routing (v1 80% · v2 20%) and description; the keys in the footer."""
    prepare_demo(engine, VERSIONS_SCENE_REGION)
    app = scene_app(engine, VERSIONS_SCENE_REGION)
    assert snap_compare(app, terminal_size=SIZE, run_before=show_versions)
