"""An alias's routing checked before any call, by the API reference's rules
(CreateStateMachineAlias, RoutingConfigurationListItem): one or two distinct versions,
each weight a whole number from 0 to 100, the weights adding up to 100."""

from __future__ import annotations

from sfn_tui.aws.versions import MAX_ROUTES, TOTAL_WEIGHT, Route

ALIAS_NAME_MAX = 80
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")


class InvalidRouting(ValueError):
    """What is wrong with a routing or an alias name, in words."""


def parse_weight(text: str, label: str) -> int:
    try:
        weight = int(text.strip())
    except ValueError:
        raise InvalidRouting(
            f"The weight of {label} must be a whole number from 0 to 100."
        ) from None
    if not 0 <= weight <= TOTAL_WEIGHT:
        raise InvalidRouting(f"The weight of {label} must be from 0 to 100 (it is {weight}).")
    return weight


def check_routing(routes: list[Route]) -> None:
    if not routes:
        raise InvalidRouting("Choose a version for the alias.")
    if len(routes) > MAX_ROUTES:
        raise InvalidRouting("An alias routes to at most two versions.")
    if len({r.version_arn for r in routes}) < len(routes):
        raise InvalidRouting("Choose two different versions (or only one, at 100%).")
    total = sum(r.weight for r in routes)
    if total != TOTAL_WEIGHT:
        shown = " + ".join(str(r.weight) for r in routes)
        raise InvalidRouting(f"The weights must add up to 100 ({shown} = {total}).")


def check_alias_name(name: str) -> None:
    if not name:
        raise InvalidRouting("The alias needs a name.")
    if len(name) > ALIAS_NAME_MAX:
        raise InvalidRouting(f"An alias name has at most {ALIAS_NAME_MAX} characters.")
    if set(name) - _NAME_CHARS:
        raise InvalidRouting("An alias name may use letters, digits, '-', '_' and '.' only.")
    if name.isdigit():
        raise InvalidRouting("An alias name cannot be only digits (those name versions).")
