"""Snapshot tests: small scenes at a fixed terminal size with deterministic data
(fixed names, pinned dates, a fixed clock). `pytest --snapshot-update` after an
intended change of the UI."""

from __future__ import annotations

from typing import Any

import pytest

from tests.scenes import (
    APPROVAL_SCENE_REGION,
    CHAT_SCENE_REGION,
    GENERIC_REGION,
    SIZE,
    callback_waiting,
    chat_mid_conversation,
    generic_task_view,
    prepare_demo,
    scene_app,
    show_dashboard,
    show_express,
    start_approval_run,
    start_chat_run,
    start_review_run,
)


@pytest.fixture(scope="module")
def demo(engine: str) -> str:
    prepare_demo(engine)
    return engine


def test_main_screen(demo: str, snap_compare: Any) -> None:
    """The three panes filled: machines (name, type, created), the one activity, and
    WaitThenSucceed's runs with SUCCEEDED spelled out; the header says where it is
    connected and when it last refreshed (12:00:00 on the pinned clock)."""
    assert snap_compare(scene_app(demo), terminal_size=SIZE, run_before=show_dashboard)


def test_main_screen_80x24(demo: str, snap_compare: Any) -> None:
    """At 80x24 the catalog panes sit side by side above the executions; nothing
    essential is cut off."""
    assert snap_compare(scene_app(demo), terminal_size=(80, 24), run_before=show_dashboard)


def test_express_runs_from_the_log_group(demo: str, snap_compare: Any) -> None:
    """An Express machine: its runs listed from CloudWatch Logs, newest first, over the
    last 3 hours; no stale marker."""
    assert snap_compare(scene_app(demo), terminal_size=SIZE, run_before=show_express)


def test_chat_mid_conversation(engine: str, snap_compare: Any) -> None:
    """The chat pane after answering `song`: the greeting, the reply, the song message,
    and the four actions offered again, numbered."""
    prepare_demo(engine, CHAT_SCENE_REGION)
    start_chat_run(engine)
    app = scene_app(engine, CHAT_SCENE_REGION, worked_activities=frozenset({"ChatSFNActivity"}))
    assert snap_compare(app, terminal_size=SIZE, run_before=chat_mid_conversation)


def test_generic_task_reply_view(engine: str, snap_compare: Any) -> None:
    """A non-ChatSFN task: its input as pretty JSON and a JSON editor to answer it,
    with Ctrl+S (send) and Ctrl+F (fail) offered."""
    start_review_run(engine)
    app = scene_app(engine, GENERIC_REGION, worked_activities=frozenset({"ReviewOrder"}))
    assert snap_compare(app, terminal_size=SIZE, run_before=generic_task_view)


def test_read_only_header(demo: str, snap_compare: Any) -> None:
    """--read-only: the header carries a READ-ONLY marker and the footer offers no
    action that changes anything (no Create, Delete, Start...)."""
    assert snap_compare(
        scene_app(demo, read_only=True), terminal_size=SIZE, run_before=show_dashboard
    )


def test_callback_waiting_in_chat(engine: str, snap_compare: Any) -> None:
    """A run waiting at a .waitForTaskToken step (the approval workflow's producer):
    in the task list as a callback (⇄ and the state's name), its message with the three
    pitches, the choices numbered, and the line saying which state waits on which
    service; the token is nowhere on screen."""
    start_approval_run(engine)
    app = scene_app(engine, APPROVAL_SCENE_REGION)
    assert snap_compare(app, terminal_size=SIZE, run_before=callback_waiting)
