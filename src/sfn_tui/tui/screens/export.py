"""Export an execution to a JSON file (see core/export.py): the path is asked, with
`./<execution-name>.json` in the current directory as the default; an existing file is
replaced only after a second Enter (Ctrl+S); the history's pages are counted on a
progress bar while they arrive. A read: allowed in read-only mode."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, ProgressBar, Static

from sfn_tui.aws.errors import SfnError
from sfn_tui.aws.models import Execution
from sfn_tui.core.export import ExportError, Progress, collect, default_path, write
from sfn_tui.tui.app_services import AppServices, services
from sfn_tui.tui.formatting import plain
from sfn_tui.tui.widgets.json_editor import clip


class ExportScreen(ModalScreen[Path | None]):
    """Dismissed with the path written, or None when closed."""

    DEFAULT_CSS = """
    ExportScreen { align: center middle; }
    ExportScreen #export-box { width: 80; }
    ExportScreen #export-path { width: 1fr; }
    ExportScreen #export-progress { height: auto; margin-top: 1; }
    ExportScreen #export-status { height: auto; color: $text-muted; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
        Binding("ctrl+s", "submit", "Export", id="export.submit"),
    ]

    def __init__(self, execution: Execution, directory: Path | None = None) -> None:
        super().__init__()
        self.execution = execution
        self.default = default_path(execution.name, directory)
        self.busy = False
        self.confirm_overwrite: Path | None = None  # the path Enter again will replace

    @property
    def sfn_app(self) -> AppServices:
        return services(self.app)

    def compose(self) -> ComposeResult:
        title = plain("Export the execution ")
        title.append_text(plain(self.execution.name))
        with Vertical(id="export-box", classes="modal-box"):
            yield Static(title, classes="modal-title")
            yield Static(
                "DescribeExecution, the whole history and the definition it ran with"
                " (DescribeStateMachineForExecution), in one JSON file.",
                id="export-what",
            )
            yield Label("File")
            yield Input(str(self.default), id="export-path")
            bar = ProgressBar(total=None, show_eta=False, id="export-progress")
            bar.display = False
            yield bar
            yield Static("Enter exports · Esc closes", id="export-status")
            yield Static("", classes="inline-error", id="export-problem")
            with Horizontal(classes="modal-buttons"):
                yield Button("Export (Enter)", variant="primary", id="export-submit")
                yield Button("Cancel (Esc)", id="export-cancel")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    def problem(self, message: str) -> None:
        self.query_one("#export-problem", Static).update(plain(clip(message)))

    def status(self, message: str) -> None:
        self.query_one("#export-status", Static).update(plain(message))

    @on(Input.Changed, "#export-path")
    def path_changed(self) -> None:
        if self.confirm_overwrite is not None:
            self.confirm_overwrite = None
            self.problem("")

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-submit")
    def action_submit(self) -> None:
        if self.busy:
            return
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            self.problem("Give a file name.")
            return
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = Path.cwd() / path
        if path.exists() and not path.is_dir() and self.confirm_overwrite != path:
            self.confirm_overwrite = path
            self.problem(f"{path} already exists: Enter again replaces it, Esc keeps it.")
            return
        self.problem("")
        self.busy = True
        self.query_one("#export-submit", Button).disabled = True
        self.export(path, overwrite=self.confirm_overwrite == path)

    @work(exclusive=True, group="export", exit_on_error=False)
    async def export(self, path: Path, overwrite: bool) -> None:
        client = self.sfn_app.client
        bar = self.query_one("#export-progress", ProgressBar)
        try:
            if client is None:
                self.problem("Not connected yet; try again in a moment.")
                return
            bar.display = True

            def page(progress: Progress) -> None:
                bar.advance(1)
                self.status(
                    f"History: {progress.pages:,} page{'s' if progress.pages != 1 else ''},"
                    f" {progress.events:,} events so far…"
                )

            self.status("Reading the execution…")
            try:
                document = await collect(client, self.execution.arn, page)
                size = write(path, document, overwrite=overwrite)
            except (SfnError, ExportError) as error:
                bar.display = False
                self.status("Enter exports · Esc closes")
                self.problem(str(error))
                return
        finally:
            self.busy = False
            self.query_one("#export-submit", Button).disabled = False
        events = len(document["history"])
        self.notify(f"{events:,} events, {size:,} bytes: {path}", title="Exported", markup=False)
        self.dismiss(path)

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
