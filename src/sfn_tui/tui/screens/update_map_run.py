"""Update a Map Run's max concurrency and tolerated failure (UpdateMapRun).

The three fields start with the Map Run's current values; an emptied field leaves that
setting as it is. The values are checked here first (the API reference's ranges), then
the change is confirmed, then sent; the service's refusal is shown in words and the
modal stays open. Dismissed with True once updated, False when cancelled.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from sfn_tui.aws.errors import SfnError
from sfn_tui.aws.map_runs import MapRunDetail, MapRunUpdate, parse_update
from sfn_tui.tui.app_services import AppServices, services
from sfn_tui.tui.formatting import plain, visible
from sfn_tui.tui.screens.confirm import ConfirmScreen
from sfn_tui.tui.widgets.json_editor import clip

FIELDS = (
    ("maxConcurrency", "Max concurrency (0 = no limit)", "map-run-concurrency"),
    ("toleratedFailureCount", "Tolerated failure count (items)", "map-run-count"),
    ("toleratedFailurePercentage", "Tolerated failure percentage (0-100)", "map-run-percentage"),
)


def changes(detail: MapRunDetail, update: MapRunUpdate) -> str:
    """The change in words, one setting a line ("Max concurrency: 50 → 10")."""
    lines = []
    if update.max_concurrency is not None:
        lines.append(f"Max concurrency: {detail.max_concurrency} → {update.max_concurrency}")
    if update.tolerated_failure_count is not None:
        lines.append(
            f"Tolerated failure count: {detail.tolerated_failure_count}"
            f" → {update.tolerated_failure_count}"
        )
    if update.tolerated_failure_percentage is not None:
        lines.append(
            f"Tolerated failure percentage: {detail.tolerated_failure_percentage:g}%"
            f" → {update.tolerated_failure_percentage:g}%"
        )
    return "\n".join(lines)


class UpdateMapRunScreen(ModalScreen[bool]):
    DEFAULT_CSS = """
    UpdateMapRunScreen { align: center middle; }
    UpdateMapRunScreen #update-map-run-box { width: 72; }
    UpdateMapRunScreen #update-map-run-arn { color: $text-muted; margin-bottom: 1; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="update_map_run.cancel"),
        Binding("ctrl+s", "submit", "Update Map Run", id="update_map_run.submit"),
    ]

    def __init__(self, detail: MapRunDetail) -> None:
        super().__init__()
        self.detail = detail
        self.busy = False

    @property
    def sfn_app(self) -> AppServices:
        return services(self.app)

    def compose(self) -> ComposeResult:
        detail = self.detail
        values = (
            str(detail.max_concurrency),
            str(detail.tolerated_failure_count),
            f"{detail.tolerated_failure_percentage:g}",
        )
        title = Text("Update Map Run ")
        title.append_text(plain(detail.label))
        with Vertical(id="update-map-run-box", classes="modal-box"):
            yield Static(title, classes="modal-title")
            yield Static(plain(detail.arn), id="update-map-run-arn")
            if not detail.running:
                yield Static(
                    Text(
                        f"This Map Run has ended ({visible(detail.status)}): the service may refuse"
                        " the change.",
                        style="yellow",
                    )
                )
            for (_, label, field_id), value in zip(FIELDS, values, strict=True):
                yield Label(label)
                yield Input(value=value, id=field_id)
            yield Static("", classes="inline-error", id="update-map-run-problem")
            with Horizontal(classes="modal-buttons"):
                yield Button("Update Map Run (Ctrl+S)", variant="primary", id="update-map-run")
                yield Button("Cancel (Esc)", id="update-map-run-cancel")

    def on_mount(self) -> None:
        self.query_one("#map-run-concurrency", Input).focus()

    def problem(self, message: str) -> None:
        self.query_one("#update-map-run-problem", Static).update(plain(clip(message)))

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(False)

    @on(Button.Pressed, "#update-map-run-cancel")
    def cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Input.Submitted)
    @on(Button.Pressed, "#update-map-run")
    def action_submit(self) -> None:
        if self.busy:
            return
        texts = [self.query_one(f"#{field_id}", Input).value for _, _, field_id in FIELDS]
        update, problems = parse_update(*texts)
        if update is None:
            labels = {key: label.split(" (")[0] for key, label, _ in FIELDS}
            self.problem(
                "; ".join(f"{labels[key]} {why}" if key else why for key, why in problems.items())
            )
            return
        self.problem("")

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.busy = True
                self.query_one("#update-map-run", Button).disabled = True
                self.send(update)

        self.app.push_screen(
            ConfirmScreen(
                "Update Map Run?",
                changes(self.detail, update),
                confirm="Update",
                danger=False,
            ),
            confirmed,
        )

    @work(exclusive=True, group="update-map-run", exit_on_error=False)
    async def send(self, update: MapRunUpdate) -> None:
        client = self.sfn_app.client
        refusal = ""
        if client is None:
            refusal = "Not connected yet; try again in a moment."
        else:
            try:
                await client.update_map_run(self.detail.arn, update)
            except SfnError as failure:
                refusal = f"The Map Run was not updated: {failure}"
        if refusal:
            self.problem(refusal)
            self.busy = False
            self.query_one("#update-map-run", Button).disabled = False
            return
        self.notify(changes(self.detail, update), title="Map Run updated", timeout=4)
        self.dismiss(True)
