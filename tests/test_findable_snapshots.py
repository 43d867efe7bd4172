"""Snapshots of what issue 16's "Findable" changed: the help screen (every key, grouped,
with ids) and the dashboard's header and footer at 80x24 and 120x40 with a task
waiting (the count stays, shorter words at 80 columns; the global keys stay in the
footer, "more: ?" when pane keys are hidden). `pytest --snapshot-update` after an
intended change of the UI."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sfn_tui.tui.screens.help import HelpScreen
from tests.pilot_helpers import wait_for
from tests.scenes import prepare_demo, scene_app, sfn_client, show_dashboard

REGION = "us-gov-east-1"  # a region no other test uses: nothing else is listed here


@pytest.fixture(scope="module")
def demo(engine: str) -> str:
    prepare_demo(engine, REGION)
    return engine


@pytest.fixture
def fixed_config_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The help names the settings file: one path on every machine."""
    monkeypatch.setenv("SFN_TUI_CONFIG", "/home/you/.config/sfn-tui/config.toml")


async def dashboard_then_help(pilot: Any) -> None:
    await show_dashboard(pilot)
    await pilot.press("question_mark")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), what="help open")


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_help_screen(
    demo: str, snap_compare: Any, fixed_config_path: None, size: tuple[int, int]
) -> None:
    """The help over the dashboard: "Everywhere" and "Dashboard" marked ◂ here, each key
    with its footer word, its long (palette) name and its binding id."""
    assert snap_compare(scene_app(demo, REGION), terminal_size=size, run_before=dashboard_then_help)


@pytest.fixture
def task_waiting(demo: str, request: pytest.FixtureRequest) -> str:
    """A ChatSFN run waiting on its activity, claimed by the app in the scene (which
    fails it when it closes: one run per scene)."""
    sfn = sfn_client(demo, REGION)
    machine = next(m for m in sfn.list_state_machines()["stateMachines"] if m["name"] == "ChatSFN")
    sfn.start_execution(
        stateMachineArn=machine["stateMachineArn"],
        name=f"chat-grace-{request.node.callspec.id}",
        input=json.dumps({"name": "Grace"}),
    )
    return demo


async def dashboard_with_a_task(pilot: Any) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: app.tasks_waiting == 1, timeout=30, what="task claimed")
    await show_dashboard(pilot)
    app.clear_notifications()


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_dashboard_with_a_task_waiting(
    task_waiting: str, snap_compare: Any, size: tuple[int, int]
) -> None:
    """The header keeps "✉ 1 … (c)" at 80 columns (shorter words, nothing cut); the
    footer keeps q, ?, c and ^p, with "more: ?" where pane keys had to go."""
    app = scene_app(task_waiting, REGION, worked_activities=frozenset({"ChatSFNActivity"}))
    assert snap_compare(app, terminal_size=size, run_before=dashboard_with_a_task)
