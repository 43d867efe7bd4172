"""The launch frame (tui/launch_frame.py): the first frame is a light one, the dashboard
replaces it once that frame is on the terminal, and nothing typed meanwhile is lost or
lands anywhere but on the dashboard.

- What the first frame imports: none of the dashboard's modules (they cost ~30 ms of
  the first paint), checked in a fresh interpreter as the command imports.
- Keys typed before the dashboard is up (a fast typist, `sfn-tui` launched from a
  script that types at once) act on the dashboard, in order.
- The frame survives every size, and shows the keys that work (read-only hides n).
- The GC the command pauses for the launch is running again once the dashboard is up.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from typing import Any

import pytest
from textual import events

from sfn_tui.aws.connection import Connection
from sfn_tui.core import launch_gc
from sfn_tui.tui.app import SfnTuiApp
from tests.pilot_helpers import screen_text, wait_for
from tests.test_key_order import key, make_app
from tests.test_modal_snapshots import APP_TCSS
from tests.test_sizes import SIZES

REGION = "us-west-2"
TYPED_AHEAD_REGION = "ap-southeast-9"  # no other test uses it
# The dashboard and what it brings: imported after the first frame, never before.
NOT_BEFORE_THE_FIRST_FRAME = (
    "sfn_tui.tui.screens.main",
    "sfn_tui.tui.widgets.panes",
    "sfn_tui.core.poller",
    "sfn_tui.aws.models",
    "sfn_tui.tui.commands",
    "textual.widgets._data_table",
    "textual.document._document",
    "botocore",
    "aiobotocore",
)


def test_the_first_frame_imports_none_of_the_dashboards_modules() -> None:
    """What `sfn-tui` imports before `App.run` (cli.main: the command, the early
    listing, the app module), in a fresh interpreter."""
    script = (
        "import json, sys\n"
        "import sfn_tui.cli, sfn_tui.config, sfn_tui.aws.early_listing, sfn_tui.tui.app\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    imported = set(json.loads(out.stdout))
    assert "sfn_tui.tui.launch_frame" in imported  # the check sees the app's imports
    early = sorted(name for name in NOT_BEFORE_THE_FIRST_FRAME if name in imported)
    assert early == [], f"imported before the first frame: {early}"


class LaunchFrameOnly(SfnTuiApp):
    """The app held at its launch frame: the dashboard never replaces it."""

    CSS_PATH = APP_TCSS
    pilot_waits_for_dashboard = False

    def on_ready(self, event: events.Ready) -> None:
        event.prevent_default()  # Textual would run SfnTuiApp.on_ready too


def launch_frame_app(read_only: bool = False) -> LaunchFrameOnly:
    connection = Connection(
        region=REGION, endpoint_url="http://127.0.0.1:9", dummy_credentials=True
    )
    return LaunchFrameOnly(connection, read_only=read_only)


async def test_the_launch_frame_survives_every_size() -> None:
    app = launch_frame_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for width, height in SIZES:
            await pilot.resize_terminal(width, height)
            await pilot.pause()
            assert app.is_running, f"the launch frame died at {width}x{height}"
        await pilot.resize_terminal(140, 40)
        await pilot.pause()
        text = screen_text(app)
        assert "sfn-tui endpoint http://127.0.0.1:9" in text
        assert "Executions" in text and "Select a state machine" in text
        assert "Quit" in text and "New ChatSFN run" in text and "palette" in text


@pytest.mark.parametrize("size", [(140, 40), (80, 24)])
def test_the_launch_frame_looks_like_the_dashboard_loading(
    size: tuple[int, int], snap_compare: Any
) -> None:
    """The header, the catalog's two panes loading (wide: a column beside the
    executions; narrow: side by side above them), the executions pane's headings and
    hint, and the app's keys, where the dashboard draws them."""
    assert snap_compare(launch_frame_app(), terminal_size=size)


async def test_the_launch_frame_shows_only_the_keys_that_work() -> None:
    app = launch_frame_app(read_only=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "READ-ONLY" in text
        assert "Quit" in text and "Chat" in text
        assert "New ChatSFN run" not in text  # n is refused read-only


async def test_keys_wait_on_the_launch_frame_for_the_dashboard(engine: str) -> None:
    """On the launch frame a key is kept, not acted on (? there would open the help
    under the dashboard about to be pushed); once the dashboard is up it acts there."""
    app = launch_frame_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        launch_screen = app.screen
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: app.keys.arrivals == 1, what="the key arrived")
        await pilot.pause()
        assert app.screen is launch_screen  # kept: no help over the launch frame
        await app.push_screen(app.dashboard)
        app.keys.resume()
        await wait_for(
            pilot,
            lambda: type(app.screen).__name__ == "HelpScreen" and app.keys.idle,
            what="? acted on the dashboard",
        )
        assert app.screen_stack[-2] is app.dashboard


class TypedAhead(SfnTuiApp):
    """Keys that reach the app before its first frame, as the terminal sends them
    (typed while the app starts)."""

    CSS_PATH = APP_TCSS

    def __init__(self, *args: Any, typed: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.typed = typed

    def on_mount(self) -> None:
        super().on_mount()
        for name in self.typed:  # queued now: before the first frame's Ready
            message = key(name)
            message.set_sender(self)
            self.post_message(message)


@pytest.mark.parametrize(
    ("typed", "on_top"),
    [
        (("n",), "GuidedRunScreen"),  # the app's key: its dialog opens over the dashboard
        (("c",), "ChatScreen"),
        (("slash", "a", "b"), "MainScreen"),  # the dashboard's key: its filter, typed in
    ],
)
async def test_keys_typed_before_the_dashboard_is_up_act_on_it(
    engine: str, typed: tuple[str, ...], on_top: str
) -> None:
    # A region of its own: `n` sets up ChatSFN (role, activity, machine), as it should,
    # and other tests' panes would then show that machine first.
    connection = Connection(region=TYPED_AHEAD_REGION, endpoint_url=engine, dummy_credentials=True)
    app = TypedAhead(connection, typed=typed, poll_interval=0.5)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(
            pilot,
            lambda: app.keys.arrivals >= len(typed) and app.keys.idle and app.dashboard.is_mounted,
            what="the typed keys handled",
        )
        await pilot.pause()
        assert type(app.screen).__name__ == on_top
        stack = [type(s).__name__ for s in app.screen_stack]
        # The launch frame's screen at the bottom, then the dashboard, then what the
        # keys opened: never the dashboard over a dialog the keys opened.
        assert stack[1] == "MainScreen", stack
        if typed[0] == "slash":
            from textual.widgets import Input

            field = app.dashboard.query_one("#filter", Input)
            assert field.display and field.value == "ab"


async def test_the_gc_paused_for_the_launch_runs_again_once_the_dashboard_is_up(
    engine: str,
) -> None:
    assert gc.isenabled()
    launch_gc.pause()
    try:
        assert not gc.isenabled()
        app = make_app(engine)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: app.dashboard.is_mounted, what="the dashboard")
            assert gc.isenabled()
    finally:
        launch_gc.resume()
        gc.enable()


def test_resume_enables_only_what_pause_disabled() -> None:
    gc.disable()
    try:
        launch_gc.pause()  # already disabled by someone else: not ours to enable
        launch_gc.resume()
        assert not gc.isenabled()
    finally:
        gc.enable()
