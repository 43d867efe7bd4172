"""The chat pane mid-conversation at 80x24 and 120x40 (the scene of
test_snapshots.test_chat_mid_conversation, 120x34). Each size has a region of its own:
the scene's run is answered once, and a second run beside it would be a second task in
the list. `pytest --snapshot-update` after an intended change of the UI."""

from __future__ import annotations

from typing import Any

import pytest

from tests.scenes import chat_mid_conversation, prepare_demo, scene_app, start_chat_run

# No other test uses these regions (the engine accepts them; ARNs read arn:aws-iso:…).
REGIONS = {(80, 24): "us-iso-east-1", (120, 40): "us-iso-west-1"}


@pytest.mark.parametrize("size", list(REGIONS), ids=lambda size: f"{size[0]}x{size[1]}")
def test_chat_mid_conversation_at(size: tuple[int, int], engine: str, snap_compare: Any) -> None:
    """The greeting, the reply, the song message and the actions offered again, with
    the task list and the footer's keys at the size."""
    region = REGIONS[size]
    prepare_demo(engine, region)
    start_chat_run(engine, region=region)
    app = scene_app(engine, region, worked_activities=frozenset({"ChatSFNActivity"}))
    assert snap_compare(app, terminal_size=size, run_before=chat_mid_conversation)
