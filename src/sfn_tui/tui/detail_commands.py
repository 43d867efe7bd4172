"""Command palette entries (Ctrl+P) of an execution's detail screen: its actions by
name, offered only where they apply (the screen's check_action decides)."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

# (palette text, help, screen action)
DETAIL_COMMANDS = (
    ("Export execution", "Execution, whole history and definition to a JSON file", "export"),
    ("Mark run for comparison", "Mark this run; open another and compare them", "mark"),
    ("Compare with marked run", "This run and the marked one side by side", "compare"),
    ("Start again with the same input", "The start dialog with this run's input", "start_again"),
    ("Stop this execution", "Stop this RUNNING execution", "stop"),
    ("Redrive this execution", "Redrive this failed execution", "redrive"),
    ("Copy this execution's ARN", "Copy the ARN to the clipboard", "copy_arn"),
)


class DetailCommands(Provider):
    def _offered(self) -> list[tuple[str, str, str]]:
        screen = self.screen
        return [entry for entry in DETAIL_COMMANDS if screen.check_action(entry[2], ()) is True]

    async def discover(self) -> Hits:
        for text, help_text, action in self._offered():
            yield DiscoveryHit(text, partial(self.screen.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_text, action in self._offered():
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(text),
                    partial(self.screen.run_action, action),
                    help=help_text,
                )
