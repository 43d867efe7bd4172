"""Demo content for versions and aliases: a machine with two published versions and an
alias ``live`` that routes 80% of its runs to version 1 and 20% to version 2, with runs
started on each version and on the alias (all are Pass states: they end at once)."""

from __future__ import annotations

import json
from typing import Any

VERSIONED_MACHINE = "PriceQuote"
ALIAS_NAME = "live"
ALIAS_WEIGHTS = (80, 20)  # version 1, version 2

PRICE_QUOTE_V1: dict[str, Any] = {
    "Comment": "Quotes the list price (version 1).",
    "StartAt": "ListPrice",
    "States": {"ListPrice": {"Type": "Pass", "Result": {"price": 100}, "End": True}},
}

PRICE_QUOTE_V2: dict[str, Any] = {
    "Comment": "Quotes the list price, then a 10% discount (version 2).",
    "StartAt": "ListPrice",
    "States": {
        "ListPrice": {"Type": "Pass", "Result": {"price": 100}, "Next": "Discount"},
        "Discount": {"Type": "Pass", "Result": {"price": 90, "discount": "10%"}, "End": True},
    },
}

# (execution name, "1", "2" or the alias name): each version and the alias have runs.
VERSIONED_RUNS: tuple[tuple[str, str], ...] = (
    ("demo-v1-1", "1"),
    ("demo-v2-1", "2"),
    ("demo-live-1", ALIAS_NAME),
    ("demo-live-2", ALIAS_NAME),
    ("demo-live-3", ALIAS_NAME),
)


def versions_demo(sfn: Any, role_arn: str) -> tuple[str, str, dict[str, str]]:
    """(machine ARN, alias ARN, run ARNs by name); created only if the machine is absent."""
    for page in sfn.get_paginator("list_state_machines").paginate():
        for machine in page["stateMachines"]:
            if machine["name"] == VERSIONED_MACHINE:
                arn = str(machine["stateMachineArn"])
                return arn, f"{arn}:{ALIAS_NAME}", {}
    created = sfn.create_state_machine(
        name=VERSIONED_MACHINE,
        definition=json.dumps(PRICE_QUOTE_V1),
        roleArn=role_arn,
        publish=True,
        versionDescription="List price",
    )
    arn = str(created["stateMachineArn"])
    v1 = str(created["stateMachineVersionArn"])
    v2 = str(
        sfn.update_state_machine(
            stateMachineArn=arn,
            definition=json.dumps(PRICE_QUOTE_V2),
            publish=True,
            versionDescription="10% discount",
        )["stateMachineVersionArn"]
    )
    alias = str(
        sfn.create_state_machine_alias(
            name=ALIAS_NAME,
            description="Rolls the discount out to 20% of quotes",
            routingConfiguration=[
                {"stateMachineVersionArn": v1, "weight": ALIAS_WEIGHTS[0]},
                {"stateMachineVersionArn": v2, "weight": ALIAS_WEIGHTS[1]},
            ],
        )["stateMachineAliasArn"]
    )
    runs = {
        name: str(
            sfn.start_execution(stateMachineArn=f"{arn}:{target}", name=name, input="{}")[
                "executionArn"
            ]
        )
        for name, target in VERSIONED_RUNS
    }
    return arn, alias, runs
