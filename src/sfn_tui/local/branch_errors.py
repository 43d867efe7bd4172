"""A ``States.*`` error out of a Parallel branch or a Map iteration keeps its name.

moto re-raises a failed branch's or iteration's error under a custom error name, and
custom names may not begin with ``States.``: any States.* error inside a Parallel or Map
(States.Timeout, States.NoChoiceMatched, States.DataLimitExceeded...) became a
States.Runtime whose cause was a Python ValueError. AWS passes the error on by name
(Parallel: "If any branch fails [...] the entire Parallel state fails"; the Catch of
the Parallel or Map state then matches that name).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from sfn_tui.local import patches

_installed = False


def install() -> None:
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    base = "moto.stepfunctions.parser.asl.component"
    names = f"{base}.common.error_name"
    ErrorName = import_module(f"{names}.error_name").ErrorName
    CustomErrorName = import_module(f"{names}.custom_error_name").CustomErrorName
    StatesErrorName = import_module(f"{names}.states_error_name").StatesErrorName

    def error_name(error_name: str | None) -> Any:
        """The error name object for a name passed on from a branch or an iteration."""
        if error_name is not None and error_name.startswith("States."):
            try:
                return StatesErrorName.from_name(error_name)
            except ValueError:  # a States.* name the engine does not know
                return ErrorName(error_name=error_name)
        return CustomErrorName(error_name=error_name)

    for name in (
        f"{base}.state.exec.state_parallel.branches_decl",
        f"{base}.state.exec.state_map.iteration.iteration_worker",
    ):
        module: Any = import_module(name)
        module.CustomErrorName = error_name
