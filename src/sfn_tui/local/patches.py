"""Every patch of moto's Step Functions engine, installed under one moto version check.

Each module named in ``PATCHES`` reaches into moto 5.2.5's internals and has an
``install()`` that starts with ``check_moto()`` (so calling it alone cannot patch another
moto) and patches once. ``install()`` here checks the version first and then installs
them all, in order; a new patch module is added with one line in ``PATCHES``.
"""

from __future__ import annotations

import threading
from importlib import import_module

MOTO_VERSION = "5.2.5"

PATCHES: tuple[str, ...] = (
    "activities",  # activity tasks, SendTask*, StopExecution (must come first)
    "history_cache",  # GetExecutionHistory serializes each event once
)

_lock = threading.Lock()


def check_moto() -> None:
    """Raise RuntimeError unless moto is the version every patch was written for."""
    import moto

    if moto.__version__ != MOTO_VERSION:
        raise RuntimeError(
            f"sfn_tui.local patches moto {MOTO_VERSION} internals, "
            f"but moto {moto.__version__} is installed; pin moto=={MOTO_VERSION}."
        )


def install() -> None:
    """Check the moto version, then install every patch (each one patches only once)."""
    check_moto()
    with _lock:
        for name in PATCHES:
            import_module(f"sfn_tui.local.{name}").install()
