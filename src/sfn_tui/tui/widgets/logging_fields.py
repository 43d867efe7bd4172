"""The logging row of the state machine form: level, log group ARN, execution data.

An Express machine's runs are only visible through this logging (its CloudWatch Logs
log group); a Standard machine may log too.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Checkbox, Input, Label, Select

from sfn_tui.aws.models import LOG_LEVELS, LoggingConfig
from sfn_tui.core.validation import check_log_group_arn


class LoggingFields(Horizontal):
    """Level (OFF, ALL, ERROR, FATAL), log group ARN, include execution data."""

    DEFAULT_CSS = """
    LoggingFields { height: auto; margin-bottom: 1; }
    LoggingFields Label { width: 6; }
    LoggingFields #lg-level { width: 12; }
    LoggingFields #lg-group { width: 1fr; background: $boost; }
    LoggingFields #lg-data { width: auto; border: none; padding: 0 1; }
    """

    def __init__(self, config: LoggingConfig | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.original = config or LoggingConfig()

    def compose(self) -> ComposeResult:
        config = self.original
        yield Label("Logs")
        yield Select[str](
            [(level, level) for level in LOG_LEVELS],
            allow_blank=False,
            value=config.level,
            id="lg-level",
            compact=True,
        )
        yield Input(
            config.log_group_arn,
            placeholder="log group ARN (arn:aws:logs:…:log-group:<name>:*)",
            id="lg-group",
            compact=True,
        )
        yield Checkbox(
            "with input/output", config.include_execution_data, id="lg-data", compact=True
        )

    def on_mount(self) -> None:
        self._enable(self.original.level)

    @on(Select.Changed, "#lg-level")
    def level_changed(self, event: Select.Changed) -> None:
        self._enable(str(event.value))

    def _enable(self, level: str) -> None:
        off = level == "OFF"
        self.query_one("#lg-group", Input).disabled = off
        self.query_one("#lg-data", Checkbox).disabled = off

    def show(self, config: LoggingConfig) -> None:
        """Fill in a machine's current logging."""
        self.original = config
        self.query_one("#lg-level", Select).value = config.level
        self.query_one("#lg-group", Input).value = config.log_group_arn
        self.query_one("#lg-data", Checkbox).value = config.include_execution_data
        self._enable(config.level)

    def value(self) -> LoggingConfig:
        """The logging asked for; InvalidValue (with the group field focused) when the
        log group ARN is missing or malformed."""
        level = str(self.query_one("#lg-level", Select).value)
        if level == "OFF":
            return LoggingConfig()
        group = self.query_one("#lg-group", Input)
        try:
            arn = check_log_group_arn(group.value)
        except ValueError:
            group.focus()
            raise
        return LoggingConfig(
            level=level,
            include_execution_data=self.query_one("#lg-data", Checkbox).value,
            log_group_arn=arn,
        )

    def changed(self) -> bool:
        level = str(self.query_one("#lg-level", Select).value)
        if level == "OFF":
            return self.original.level != "OFF"
        return (
            level != self.original.level
            or self.query_one("#lg-group", Input).value.strip() != self.original.log_group_arn
            or self.query_one("#lg-data", Checkbox).value != self.original.include_execution_data
        )
