"""A Distributed Map whose failed items exceed the tolerated failure threshold fails.

AWS (Setting failure thresholds for Distributed Map states): the Map Run fails with
States.ExceedToleratedFailureThreshold ("The specified tolerated failure threshold was
exceeded", as AWS writes it) when more items fail than ToleratedFailureCount or
ToleratedFailurePercentage allow; without either, no failure is tolerated. moto counted
the failed items and let the Map Run succeed, with null outputs for them.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from sfn_tui.local import patches
from sfn_tui.local.failures import states_failure

CAUSE = "The specified tolerated failure threshold was exceeded"

_installed = False


def exceeded(failed: int, total: int, count: float, percentage: float) -> bool:
    """Whether `failed` of `total` items is past the threshold (0 and 0: none tolerated)."""
    if not count and not percentage:
        return failed > 0
    over_count = bool(count) and failed > count
    over_percentage = bool(percentage) and total > 0 and failed * 100.0 / total > percentage
    return over_count or over_percentage


def install() -> None:
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    DistributedIterationComponent: Any = import_module(
        "moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration."
        "distributed_iteration_component"
    ).DistributedIterationComponent
    original = DistributedIterationComponent._map_run

    def map_run(self: Any, env: Any, eval_input: Any) -> None:
        original(self, env, eval_input)
        record = eval_input.map_run_record
        items = record.item_counter
        if exceeded(
            items.failed.get(),
            items.total.get(),
            record.tolerated_failure_count or 0,
            record.tolerated_failure_percentage or 0.0,
        ):
            env.stack.pop()  # the outputs: the Map Run fails instead
            raise states_failure(env, "States.ExceedToleratedFailureThreshold", CAUSE)

    DistributedIterationComponent._map_run = map_run
