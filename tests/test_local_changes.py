"""core/local_changes.py alone, on a clock the test moves: which listing may undo a
change this app made (the rule's scenes are in test_local_changes_rule.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from sfn_tui.aws.models import StateMachine
from sfn_tui.core.local_changes import LocalChanges

WHEN = datetime(2026, 11, 30, tzinfo=UTC)


def machine(name: str) -> StateMachine:
    return StateMachine(f"arn:aws:states:ca-west-1:1:stateMachine:{name}", name, "STANDARD", WHEN)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def names(items: list[StateMachine]) -> list[str]:
    return sorted(item.name for item in items)


def test_a_listing_sent_before_a_change_never_undoes_it() -> None:
    clock = Clock()
    changes: LocalChanges[StateMachine] = LocalChanges(clock, hold=30)
    old, new = machine("old"), machine("new")
    changes.made([new])
    changes.gone([old.arn])
    clock.now += 3600  # however late it arrives
    assert names(changes.over([old], sent=99.0)) == ["new"]
    assert changes.pending == 2


def test_a_listing_sent_after_is_believed_once_it_agrees() -> None:
    clock = Clock()
    changes: LocalChanges[StateMachine] = LocalChanges(clock, hold=30)
    old, new = machine("old"), machine("new")
    changes.made([new])
    changes.gone([old.arn])
    clock.now += 1
    # Eventually consistent: the first listing after does not show the change yet.
    assert names(changes.over([old], sent=100.5)) == ["new"]
    assert changes.pending == 2
    assert names(changes.over([new], sent=100.8)) == ["new"]
    assert changes.pending == 0
    # Forgotten: later listings are shown as they are (deleted elsewhere meanwhile).
    assert changes.over([], sent=101.0) == []


def test_after_the_hold_a_listing_sent_after_the_change_is_believed() -> None:
    clock = Clock()
    changes: LocalChanges[StateMachine] = LocalChanges(clock, hold=30)
    new = machine("new")
    changes.made([new])
    clock.now += 29
    assert names(changes.over([], sent=110.0)) == ["new"]
    clock.now += 1
    assert changes.over([], sent=99.0) == [new]  # but never one sent before it
    assert changes.over([], sent=110.0) == []
    assert changes.pending == 0


def test_the_latest_change_of_a_resource_is_the_one_kept() -> None:
    clock = Clock()
    changes: LocalChanges[StateMachine] = LocalChanges(clock, hold=30)
    twice = machine("twice")
    changes.made([twice])
    clock.now += 1
    changes.gone([twice.arn])
    assert changes.over([twice], sent=100.5) == []
    assert changes.pending == 1
