"""The question asked before quitting with claimed tasks, kept true while it is open:
tasks that arrive (or close) meanwhile change the count it states, so what the user
agrees to is what quitting does."""

from __future__ import annotations

from sfn_tui.core.inbox import SHUTDOWN_ERROR
from sfn_tui.tui.screens.confirm import ConfirmScreen


def quit_wording(count: int) -> tuple[str, str]:
    """(body, confirm label) for `count` claimed, unanswered tasks."""
    if count == 0:
        return "No claimed task is waiting for an answer now.", "Quit"
    if count == 1:
        return (
            f"1 claimed task is not answered. Quitting fails it with {SHUTDOWN_ERROR} (cause:"
            " the operator closed the dashboard), so its run does not wait for a timeout.",
            "Fail it and quit",
        )
    return (
        f"{count} claimed tasks are not answered. Quitting fails them with {SHUTDOWN_ERROR}"
        " (cause: the operator closed the dashboard), so no run waits for a timeout.",
        "Fail them and quit",
    )


class QuitPrompt(ConfirmScreen):
    def __init__(self, count: int) -> None:
        body, confirm = quit_wording(count)
        super().__init__("Quit sfn-tui?", body, confirm=confirm)
        self.count = count

    def claimed_changed(self, count: int) -> None:
        if count != self.count:
            self.count = count
            self.reword(*quit_wording(count))
