"""Command palette entries (Ctrl+P) for sfn-tui's actions."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from sfn_tui.tui.app import SfnTuiApp

# (palette text, help, app action)
COMMANDS = (
    ("New ChatSFN run", "Set up the AWS ChatSFN example and chat with it", "new_chat_run"),
    ("Open chat / tasks", "Answer the activity tasks this app has claimed", "chat"),
    ("Refresh", "List state machines, activities and executions again now", "refresh"),
    (
        "Work or stop working the selected activity",
        "Claim its tasks for the chat pane",
        "toggle_work_selected",
    ),
    ("Help", "Every key and what it does", "help"),
    ("Quit", "Quit sfn-tui", "quit"),
)


class SfnCommands(Provider):
    async def discover(self) -> Hits:
        for text, help_text, action in COMMANDS:
            yield DiscoveryHit(text, partial(self._run, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_text, action in COMMANDS:
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(text), partial(self._run, action), help=help_text
                )

    async def _run(self, action: str) -> None:
        app = cast("SfnTuiApp", self.app)
        await app.run_action(action)
