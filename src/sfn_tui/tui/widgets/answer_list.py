"""The actions a ChatSFN task offers, as a list whose options know their task.

Each option's id is `<task id>:<index>`, so Enter answers the task whose actions were
on screen, never one that replaced them; and the list remembers when the key that
selected was typed (`pressed_at`), so an answer typed before the list showed these
actions can be refused (see `tui/key_order.py`).
"""

from __future__ import annotations

from typing import Any

from textual.widgets import OptionList

from sfn_tui.tui.key_order import typed_at


def option_id(task_id: str, index: int) -> str:
    return f"{task_id}:{index}"


def parse_option_id(value: str | None) -> tuple[str, int] | None:
    if not value or ":" not in value:
        return None
    task_id, _, index = value.rpartition(":")
    return (task_id, int(index)) if index.isdigit() else None


class AnswerList(OptionList):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pressed_at: float | None = None

    def action_select(self) -> None:
        self.pressed_at = typed_at(self.app)
        super().action_select()
