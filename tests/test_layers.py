"""The AWS, core and engine layers never import Textual (checked in a fresh process)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import sfn_tui


def non_ui_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(sfn_tui.__path__, "sfn_tui."):
        if info.name.split(".")[1] in {"aws", "core", "local"}:
            names.append(info.name)
    return names


def test_non_ui_layers_do_not_import_textual() -> None:
    modules = non_ui_modules()
    assert "sfn_tui.core.inbox" in modules and "sfn_tui.local.engine" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]", result.stdout
