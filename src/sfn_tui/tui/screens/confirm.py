"""A yes/no question as a modal: dismissed with True (confirm) or False (cancel)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from sfn_tui.tui.formatting import plain


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="confirm.cancel"),
        Binding("y", "confirm", "Yes", id="confirm.yes"),
        Binding("n", "cancel", "No", show=False, id="confirm.no"),
    ]

    def __init__(
        self,
        title: str,
        body: str,
        *,
        confirm: str = "Yes",
        cancel: str = "Cancel",
        danger: bool = True,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        self.confirm_label = confirm
        self.cancel_label = cancel
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="modal-box"):
            yield Static(plain(self.title_text), classes="modal-title")
            yield Static(plain(self.body), id="confirm-body")
            with Horizontal(classes="modal-buttons"):
                yield Button(
                    f"{self.confirm_label} (y)",
                    variant="error" if self.danger else "primary",
                    id="confirm",
                )
                yield Button(f"{self.cancel_label} (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def reword(self, body: str, confirm: str) -> None:
        """Say something else (the facts behind the question changed while it was open)."""
        self.body, self.confirm_label = body, confirm
        if self.is_mounted:
            self.query_one("#confirm-body", Static).update(plain(body))
            self.query_one("#confirm", Button).label = f"{confirm} (y)"

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
