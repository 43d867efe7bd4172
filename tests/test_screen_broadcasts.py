"""The rule: what the app tells its screens (inbox changes) reaches a screen only once it
is up, whatever the moment. A screen is on the stack as soon as it is pushed, but its
widgets exist only after its mount; a change arriving in between (the poller's next
page landing as the user presses c) must neither raise nor be lost: the screen shows
the inbox as it is once it mounts.

Seen failing in CI: the chat pane, pushed as an inbox change arrived, raised NoMatches
for its task list and the app stopped drawing.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable

import pytest
from textual._context import active_message_pump
from textual.screen import Screen
from textual.widgets import OptionList
from textual.widgets._footer import FooterKey

from sfn_tui.aws.connection import Connection
from sfn_tui.tui.app import SfnTuiApp
from sfn_tui.tui.messages import InboxChanged
from sfn_tui.tui.screens.chat import ChatScreen
from sfn_tui.tui.screens.quit_prompt import QuitPrompt
from sfn_tui.tui.widgets.footer import SteadyFooter
from tests.pilot_helpers import wait_for

REGION = "us-iso-east-1"

# Every screen the app tells about inbox changes, as the app opens it.
RECIPIENTS: dict[str, Callable[[], Screen[object]]] = {
    "chat": lambda: ChatScreen(None),
    "quit prompt": lambda: QuitPrompt(0),
}


def connected(engine: str) -> SfnTuiApp:
    connection = Connection(region=REGION, endpoint_url=engine, dummy_credentials=True)
    return SfnTuiApp(connection, poll_interval=0.5, catalog_interval=1.0)


@pytest.mark.parametrize("kind", RECIPIENTS)
async def test_a_change_between_push_and_mount_is_drawn_once_up(engine: str, kind: str) -> None:
    app = connected(engine)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.inbox is not None, what="the inbox")
        screen = RECIPIENTS[kind]()
        app.push_screen(screen)
        assert not screen.is_mounted  # the window the rule is about
        app.on_inbox_changed(InboxChanged())
        await wait_for(pilot, lambda: app.screen is screen and screen.is_mounted, what=kind)
        if isinstance(screen, ChatScreen):
            inbox = app.inbox
            assert inbox is not None
            task_list = screen.query_one("#task-list", OptionList)
            assert task_list.option_count == len(inbox.tasks)


async def test_random_pushes_pops_and_changes_never_raise(engine: str) -> None:
    """Pushes, pops and inbox changes in random order, without pauses between them. A
    screen is popped only once mounted, as a user's key does (keys wait for the screen
    they opened to mount, see tui/key_order.py)."""
    rng = random.Random(20261130)
    app = connected(engine)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.inbox is not None, what="the inbox")
        for _ in range(40):
            step = rng.choice(["push", "pop", "change", "change", "pause"])
            if step == "push":
                app.push_screen(RECIPIENTS[rng.choice(list(RECIPIENTS))]())
            elif step == "pop" and app.screen is not app.dashboard and app.screen.is_mounted:
                app.pop_screen()
            elif step == "change":
                app.on_inbox_changed(InboxChanged())
            else:
                await pilot.pause()
        while app.screen is not app.dashboard:
            await wait_for(pilot, lambda: app.screen.is_mounted, what="the top screen up")
            app.pop_screen()
            await pilot.pause()
        assert app.screen is app.dashboard


@pytest.mark.parametrize("width", [60, 140])
async def test_the_footer_recomposed_twice_at_once_shows_its_keys_once(
    engine: str, width: int
) -> None:
    """Bindings refreshes come from the keys, the poller's rows and resizes, each one
    scheduling a recompose: two in flight at once must not mount the keys twice (seen in
    the full suite under load: DuplicateIds "footer-more" raised, and the app stopped)."""
    app = connected(engine)
    async with app.run_test(size=(width, 36)) as pilot:
        await wait_for(pilot, lambda: app.inbox is not None, what="the inbox")
        footer = app.dashboard.query_one(SteadyFooter)
        pump = active_message_pump.set(footer)  # as its own call_after_refresh runs it
        try:
            await asyncio.gather(footer.recompose(), footer.recompose(), footer.recompose())
        finally:
            active_message_pump.reset(pump)
        await pilot.pause()
        keys = [key.key for key in footer.query(FooterKey)]
        assert keys and len(keys) == len(set(keys))
        assert len(footer.query("#footer-more")) == (1 if footer.some_hidden else 0)
