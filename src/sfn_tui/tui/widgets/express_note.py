"""The line above the executions pane that says what an Express machine's pane can and
cannot show: no logging (and how to turn it on), or failed runs only."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from sfn_tui.aws.models import LoggingConfig
from sfn_tui.tui.formatting import plain

CLI_LOGGING = (
    "aws stepfunctions update-state-machine --state-machine-arn {arn} --logging-configuration"
    " 'level=ALL,includeExecutionData=true,"
    "destinations=[{{cloudWatchLogsLogGroup={{logGroupArn=<log group ARN>:*}}}}]'"
)


def no_logging_text(machine_name: str, machine_arn: str) -> Text:
    text = Text()
    text.append("Express runs are only visible through logging, and ")
    text.append_text(plain(machine_name))
    text.append(" has none: press ")
    text.append("e", style="bold")
    text.append(" to turn logging on (level ALL, a CloudWatch Logs log group), or run\n")
    text.append_text(plain(CLI_LOGGING.format(arn=machine_arn)))
    text.stylize("dim", len(text) - len(CLI_LOGGING.format(arn=machine_arn)))
    return text


def failures_only_text(config: LoggingConfig) -> Text:
    text = Text()
    text.append(f"Logging level {config.level}: ", style="bold")
    text.append("only failed runs are logged, so only they are listed (")
    text.append("e", style="bold")
    text.append(" sets level ALL).")
    return text


class ExpressNote(Static):
    """Hidden unless the watched Express machine's runs need a word of explanation."""

    DEFAULT_CSS = """
    ExpressNote {
        height: auto;
        padding: 0 1;
        border: round $warning 60%;
        display: none;
    }
    """

    def show(self, text: Text | None) -> None:
        if text is None:
            self.display = False
            return
        self.update(text)
        self.display = True
