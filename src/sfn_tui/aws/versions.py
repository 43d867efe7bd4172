"""State machine versions and aliases as the app holds them, and their ARNs.

A version ARN is the machine's ARN and the version number (``…:stateMachine:Orders:3``),
an alias ARN the machine's ARN and the alias name (``…:stateMachine:Orders:live``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

MAX_ROUTES = 2  # an alias routes to one or two versions
TOTAL_WEIGHT = 100


def split_qualified(arn: str) -> tuple[str, str | None]:
    """(the machine's unqualified ARN, the version number or alias name, or None)."""
    parts = arn.split(":")
    if len(parts) == 8 and parts[5] == "stateMachine":
        return ":".join(parts[:7]), parts[7]
    return arn, None


def qualifier_label(arn: str | None) -> str:
    """ "v3" for a version ARN, the alias name for an alias ARN, "" for anything else."""
    if not arn:
        return ""
    qualifier = split_qualified(arn)[1]
    if qualifier is None:
        return ""
    return f"v{qualifier}" if qualifier.isdigit() else qualifier


@dataclass(frozen=True, slots=True)
class Route:
    version_arn: str
    weight: int

    @property
    def label(self) -> str:
        return qualifier_label(self.version_arn)

    def to_api(self) -> dict[str, Any]:
        return {"stateMachineVersionArn": self.version_arn, "weight": self.weight}


@dataclass(frozen=True, slots=True)
class StateMachineVersion:
    arn: str
    number: int
    creation_date: datetime
    description: str = ""

    @classmethod
    def from_api(cls, item: dict[str, Any], description: str = "") -> StateMachineVersion:
        arn = str(item["stateMachineVersionArn"])
        qualifier = split_qualified(arn)[1] or "0"
        return cls(
            arn=arn,
            number=int(qualifier) if qualifier.isdigit() else 0,
            creation_date=item["creationDate"],
            description=description,
        )


@dataclass(frozen=True, slots=True)
class StateMachineAlias:
    arn: str
    name: str
    routing: tuple[Route, ...]
    creation_date: datetime
    description: str = ""
    update_date: datetime | None = None

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> StateMachineAlias:
        return cls(
            arn=str(item["stateMachineAliasArn"]),
            name=str(item.get("name") or split_qualified(item["stateMachineAliasArn"])[1]),
            routing=tuple(
                Route(str(r["stateMachineVersionArn"]), int(r["weight"]))
                for r in item.get("routingConfiguration") or []
            ),
            creation_date=item["creationDate"],
            description=str(item.get("description") or ""),
            update_date=item.get("updateDate"),
        )

    @property
    def routing_text(self) -> str:
        """ "v1 80% · v2 20%"."""
        return " · ".join(f"{r.label} {r.weight}%" for r in self.routing)
