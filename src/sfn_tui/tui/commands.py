"""Command palette entries (Ctrl+P) for sfn-tui's actions."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from sfn_tui.tui.app_services import services

# (palette text, help, app action). Operations use the AWS console's words.
COMMANDS = (
    (
        "Start execution",
        "Start the selected state machine with a name and JSON input",
        "dashboard('action_start_execution')",
    ),
    ("Stop execution", "Stop the selected RUNNING execution", "dashboard('action_stop_execution')"),
    (
        "Redrive execution",
        "Redrive the selected failed execution",
        "dashboard('action_redrive_execution')",
    ),
    (
        "Create state machine",
        "Name, type, role and definition",
        "dashboard('create_state_machine')",
    ),
    (
        "Update state machine",
        "Edit the selected state machine's definition",
        "dashboard('action_update_state_machine')",
    ),
    (
        "Delete state machine",
        "Delete the selected state machine",
        "dashboard('delete_state_machine')",
    ),
    (
        "Versions and aliases",
        "The selected state machine's versions, and its aliases with their routing",
        "dashboard('action_versions')",
    ),
    (
        "Publish version",
        "Publish the selected state machine's current definition as a version",
        "dashboard('publish_version')",
    ),
    (
        "Create alias",
        "An alias routing runs to one or two versions by weight",
        "dashboard('create_alias')",
    ),
    (
        "Update alias routing",
        "Change the versions and weights of an alias",
        "dashboard('update_alias')",
    ),
    ("Delete version", "Delete a version no alias routes to", "dashboard('delete_version')"),
    ("Delete alias", "Delete an alias", "dashboard('delete_alias')"),
    ("Create activity", "A new activity for workers to poll", "dashboard('create_activity')"),
    ("Delete activity", "Delete the selected activity", "dashboard('delete_activity')"),
    (
        "Show state machine graph",
        "The selected machine's definition as a graph",
        "dashboard('action_graph')",
    ),
    (
        "Test state",
        "Run one state of the selected machine with TestState: input, variables, inspection",
        "dashboard('action_test_state')",
    ),
    (
        "Open execution details",
        "Summary, history, states and graph of the selected execution",
        "dashboard('open_execution')",
    ),
    (
        "Filter the focused pane",
        "Show only rows whose name contains some text",
        "dashboard('action_filter')",
    ),
    (
        "Follow newest execution (toggle)",
        "Keep the cursor on the newest run as runs arrive, like a log viewer's follow mode",
        "dashboard('action_follow_newest')",
    ),
    ("Copy ARN", "Copy the selected row's ARN to the clipboard", "dashboard('action_copy_arn')"),
    ("New ChatSFN run", "Set up the AWS ChatSFN example and chat with it", "new_chat_run"),
    (
        "New approval run",
        "A workflow that waits for a person's choice (.waitForTaskToken), answered here",
        "new_approval_run",
    ),
    (
        "Follow callbacks of the selected state machine",
        "Its runs waiting on a person (.waitForTaskToken) come to the chat pane",
        "dashboard('action_follow_callbacks')",
    ),
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

# Entries that change something on the service (or claim tasks): hidden in read-only
# mode, and refused there if run some other way.
MUTATING = frozenset(
    {
        "Start execution",
        "Stop execution",
        "Redrive execution",
        "Create state machine",
        "Update state machine",
        "Delete state machine",
        "Create activity",
        "Delete activity",
        "New ChatSFN run",
        "New approval run",
        "Work or stop working the selected activity",
        "Publish version",
        "Create alias",
        "Update alias routing",
        "Delete version",
        "Delete alias",
        "Test state",
    }
)


class SfnCommands(Provider):
    def _offered(self) -> list[tuple[str, str, str]]:
        """The entries that can be used now: no mutating one in read-only mode."""
        read_only = services(self.app).read_only
        return [entry for entry in COMMANDS if not (read_only and entry[0] in MUTATING)]

    async def discover(self) -> Hits:
        for text, help_text, action in self._offered():
            yield DiscoveryHit(text, partial(self._run, text, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_text, action in self._offered():
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(text),
                    partial(self._run, text, action),
                    help=help_text,
                )

    async def _run(self, text: str, action: str) -> None:
        if services(self.app).read_only and text in MUTATING:
            self.app.notify("Read-only mode: nothing can be changed.", severity="warning")
            return
        await self.app.run_action(action)
