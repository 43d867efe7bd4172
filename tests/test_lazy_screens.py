"""`is_a` while a screen's module is being imported in the background: the module is in
sys.modules before its classes are defined, and the app asks `is_a` on every refresh of
its bindings meanwhile (check_action). It must answer, not raise: a screen of a class
not yet defined cannot be one (the app crashed at start with AttributeError, now and
then, when the first check came during the chat module's import)."""

from __future__ import annotations

import sys
import types

import pytest

from sfn_tui.tui.lazy_screens import PACKAGE, is_a


def test_is_a_answers_while_the_module_is_half_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    half = types.ModuleType(f"{PACKAGE}.half")  # imported up to its imports: no class yet
    monkeypatch.setitem(sys.modules, f"{PACKAGE}.half", half)
    assert is_a(object(), "half", "HalfScreen") is False

    class HalfScreen:
        pass

    half.HalfScreen = HalfScreen  # type: ignore[attr-defined]
    assert is_a(HalfScreen(), "half", "HalfScreen") is True
    assert is_a(object(), "half", "HalfScreen") is False
    assert is_a(HalfScreen(), "never_imported", "HalfScreen") is False
