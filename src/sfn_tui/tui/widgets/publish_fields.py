"""The "publish as a new version" row of the state machine edit form: a checkbox and the
version's description (UpdateStateMachine ``publish`` and ``versionDescription``)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Checkbox, Input

MAX_VERSION_DESCRIPTION = 256  # characters (PublishStateMachineVersion, UpdateStateMachine)


class PublishFields(Horizontal):
    DEFAULT_CSS = """
    PublishFields { height: auto; margin-bottom: 1; }
    PublishFields #pub-on { width: auto; border: none; padding: 0 1 0 0; }
    PublishFields #pub-description { width: 1fr; background: $boost; }
    """

    def compose(self) -> ComposeResult:
        yield Checkbox("Publish as a new version", False, id="pub-on", compact=True)
        yield Input(
            placeholder="version description (optional)",
            max_length=MAX_VERSION_DESCRIPTION,
            id="pub-description",
            compact=True,
            disabled=True,
        )

    @on(Checkbox.Changed, "#pub-on")
    def toggled(self, event: Checkbox.Changed) -> None:
        self.query_one("#pub-description", Input).disabled = not event.value

    def value(self) -> tuple[bool, str]:
        """(publish, description)."""
        publish = self.query_one("#pub-on", Checkbox).value
        return publish, self.query_one("#pub-description", Input).value.strip() if publish else ""
