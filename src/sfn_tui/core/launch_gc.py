"""The cyclic garbage collector, paused while the dashboard launches.

What is made before the first frame (modules, classes, the first widgets) lives as long
as the app, yet the collector walked it again and again while it grew: about 15 ms of
the first paint, alternating builds (bench/run.py's launch). `pause` at the command's
start; `resume` once the first frame is on the terminal (the app's Ready), and first
thing in a child forked meanwhile (it inherits the paused collector).
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Enable the collector again if `pause` disabled it (never one disabled by
    someone else)."""
    global _paused
    if _paused:
        _paused = False
        gc.enable()
