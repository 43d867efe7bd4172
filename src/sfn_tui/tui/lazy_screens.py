"""Screens imported when first opened, not at launch, and imported in the background
once the dashboard has its first data.

The first frame needs the dashboard only; the chat, detail, form and help screens (and
the dataclasses and widgets they bring) were a third of the launch's import time
(bench/launch_imports.py). `is_a` asks whether a screen is of a class without
importing its module: a screen of a class never imported cannot be one.
"""

from __future__ import annotations

import logging
import sys
import threading
from importlib import import_module
from typing import Any, TypeGuard

log = logging.getLogger(__name__)

PACKAGE = "sfn_tui.tui.screens"
# In the order a user is likely to need them.
LATER = (
    "execution_detail",
    "chat",
    "help",
    "start_execution",
    "stop_execution",
    "state_machine_form",
    "versions",
    "state_machine_graph",
    "test_state",
    "delete_resource",
    "activity_form",
    "guided_run",
    "quit_prompt",
)


def is_a(screen: object, module: str, name: str) -> TypeGuard[Any]:
    """isinstance(screen, sfn_tui.tui.screens.<module>.<name>), importing nothing
    (the screen's methods are then not type-checked at the call: Any). A module being
    imported in the background is in sys.modules before its classes are defined: a
    screen of a class not defined yet cannot be one."""
    cls = getattr(sys.modules.get(f"{PACKAGE}.{module}"), name, None)
    return cls is not None and isinstance(screen, cls)


def _import_all() -> None:
    for module in LATER:
        try:
            import_module(f"{PACKAGE}.{module}")
        except Exception:  # imported again when opened, where the error is shown
            log.exception("Importing %s in the background failed", module)


def import_later_screens() -> threading.Thread:
    """Import them in a background thread (started; join it before gc.freeze, so that
    what they create is frozen too): the event loop runs on meanwhile."""
    thread = threading.Thread(target=_import_all, name="sfn-tui-screens", daemon=True)
    thread.start()
    return thread
