"""The demo seed's versions and aliases: PriceQuote with two versions, an alias routing
80/20, and finished runs on each version and on the alias (seeding is idempotent)."""

from __future__ import annotations

import json
from typing import Any

from sfn_tui.local.seed import seed_demo
from sfn_tui.local.seed_versions import ALIAS_NAME, VERSIONED_RUNS
from tests.helpers import wait_until


def test_the_seed_has_two_versions_and_an_alias_with_runs(engine: str, boto_sfn: Any) -> None:
    demo = seed_demo(engine)
    machine, alias = demo.versioned_state_machine_arn, demo.versioned_alias_arn
    assert alias == f"{machine}:{ALIAS_NAME}"
    versions = boto_sfn.list_state_machine_versions(stateMachineArn=machine)
    assert [v["stateMachineVersionArn"] for v in versions["stateMachineVersions"]] == [
        f"{machine}:2",
        f"{machine}:1",
    ]
    routing = boto_sfn.describe_state_machine_alias(stateMachineAliasArn=alias)[
        "routingConfiguration"
    ]
    assert sorted((r["stateMachineVersionArn"], r["weight"]) for r in routing) == [
        (f"{machine}:1", 80),
        (f"{machine}:2", 20),
    ]
    runs = {r["name"]: r for r in boto_sfn.list_executions(stateMachineArn=machine)["executions"]}
    assert set(runs) >= {name for name, _ in VERSIONED_RUNS}

    def ended() -> bool:
        return all(
            boto_sfn.describe_execution(executionArn=runs[name]["executionArn"])["status"]
            == "SUCCEEDED"
            for name, _ in VERSIONED_RUNS
        )

    wait_until(ended, 10, "the versioned demo runs succeeded")
    for name, target in VERSIONED_RUNS:
        described = boto_sfn.describe_execution(executionArn=runs[name]["executionArn"])
        if target == ALIAS_NAME:
            assert described["stateMachineAliasArn"] == alias
        else:
            assert described["stateMachineVersionArn"] == f"{machine}:{target}"
    on_v2 = boto_sfn.describe_execution(executionArn=runs["demo-v2-1"]["executionArn"])
    assert json.loads(on_v2["output"]) == {"price": 90, "discount": "10%"}
    assert seed_demo(engine).versioned_state_machine_arn == machine  # idempotent
