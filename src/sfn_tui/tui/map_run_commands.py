"""Command palette entries (Ctrl+P) for Map Runs, offered on the screens that show them
(the execution detail and a Map Run's own screen), in the console's words.

"Update Map Run" changes the service: hidden in read-only mode, and refused there if
run some other way (the screen's action checks again).
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from sfn_tui.tui.app_services import services

# (palette text, help, screen action, screen class name).
ENTRIES = (
    (
        "Show Map Runs",
        "The Distributed Map runs this execution started, with their counts",
        "tab('map-runs')",
        "ExecutionDetailScreen",
    ),
    (
        "Open Map Run",
        "The child executions of the highlighted Map Run",
        "open_map_run",
        "ExecutionDetailScreen",
    ),
    (
        "Update Map Run",
        "Change the Map Run's max concurrency and tolerated failure",
        "update_map_run",
        "MapRunScreen",
    ),
    (
        "Filter child executions by status",
        "All, running, succeeded, failed, timed out, aborted, pending redrive",
        "status_filter",
        "MapRunScreen",
    ),
    (
        "Filter child executions by redrive",
        "All, redriven, not redriven",
        "redrive_filter",
        "MapRunScreen",
    ),
    (
        "Refresh Map Run",
        "Describe the Map Run and list its children again",
        "reload",
        "MapRunScreen",
    ),
)
MUTATING = frozenset({"Update Map Run"})


class MapRunCommands(Provider):
    def _offered(self) -> list[tuple[str, str, str]]:
        read_only = services(self.app).read_only
        here = type(self.screen).__name__
        if here == "ExecutionDetailScreen" and not getattr(self.screen, "has_map_runs", False):
            return []  # no Distributed Map in this execution's definition
        return [
            (text, help_text, action)
            for text, help_text, action, screen in ENTRIES
            if screen == here and not (read_only and text in MUTATING)
        ]

    async def discover(self) -> Hits:
        for text, help_text, action in self._offered():
            yield DiscoveryHit(text, partial(self._run, text, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_text, action in self._offered():
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(text), partial(self._run, text, action), help=help_text
                )

    async def _run(self, text: str, action: str) -> None:
        if services(self.app).read_only and text in MUTATING:
            self.app.notify("Read-only mode: nothing can be changed.", severity="warning")
            return
        await self.app.run_action(action, self.screen)
