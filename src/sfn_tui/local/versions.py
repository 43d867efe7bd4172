"""State machine versions and aliases, as the Step Functions API reference defines them.

moto 5.2.5 publishes a version on CreateStateMachine/UpdateStateMachine with
``publish=true`` and keeps aliases, but it has no ListStateMachineVersions,
PublishStateMachineVersion or DeleteStateMachineVersion (HTTP 404), a StartExecution on
an alias ARN answers StateMachineDoesNotExist, one on a version ARN fails, and
DescribeStateMachineForExecution answers the machine's current definition. Here:

* PublishStateMachineVersion publishes the current revision once (idempotent: the same
  revision answers the version it already has), ``revisionId`` must match the current
  revision (``INITIAL`` before the first update) or ConflictException, 1,000 versions at
  most (ServiceQuotaExceededException); ListStateMachineVersions, newest first, paged;
  DeleteStateMachineVersion refuses a version an alias routes to (ConflictException);
* Create/Update/Describe/Delete/ListStateMachineAliases check the routing (one or two
  distinct versions of one machine, weights adding to 100: ValidationException; a version
  that does not exist: ResourceNotFound), the alias name (InvalidName), an existing name
  with other routing (ConflictException); ListStateMachineAliases lists the newest first
  and takes a version ARN (the aliases routing to it);
* StartExecution on a version ARN runs that version's definition, on an alias ARN a
  version picked by the alias's weights; DescribeExecution and ListExecutions report
  ``stateMachineVersionArn`` / ``stateMachineAliasArn``, and ListExecutions on a version
  or alias ARN lists the runs started through it;
* DescribeStateMachineForExecution answers the definition the run used; DescribeStateMachine
  and UpdateStateMachine answer ``revisionId``.

Runs on a version or alias belong to the machine (its executions list), marked with
the ARNs they were started through.
"""

from __future__ import annotations

import copy
import random
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module
from typing import Any

from sfn_tui.local import execution_index, patches

MAX_VERSIONS = 1000
MAX_DESCRIPTION = 256
PAGE_DEFAULT = 100
ALIAS_NAME = re.compile(r"^(?=.*[a-zA-Z_\-.])[a-zA-Z0-9_\-.]{1,80}$")
_CONFIG: tuple[str, ...] = ("definition", "roleArn", "loggingConfiguration")
_CONFIG += ("tracingConfiguration", "encryptionConfiguration")

_installed = False
_local = threading.local()  # .stand_ins: {ARN: object describe_state_machine answers}
_random = random.Random()


def _error(code: str, message: str) -> Exception:
    from moto.core.exceptions import AWSError

    return AWSError(message, exception_type=code)


def split_arn(arn: str) -> tuple[str, str | None]:
    """(the machine's unqualified ARN, the qualifier: version number or alias name)."""
    parts = arn.split(":")
    if len(parts) == 8 and parts[5] == "stateMachine":
        return ":".join(parts[:7]), parts[7]
    return arn, None


def version_arn_of(execution: Any) -> str | None:
    return getattr(execution, "_sfn_tui_version_arn", None)


def alias_arn_of(execution: Any) -> str | None:
    return getattr(execution, "_sfn_tui_alias_arn", None)


@contextmanager
def _standing_in(arn: str, stand_in: Any) -> Iterator[None]:
    """While inside, describe_state_machine(arn) in this thread answers `stand_in`."""
    previous = getattr(_local, "stand_ins", None)
    _local.stand_ins = {**(previous or {}), arn: stand_in}
    try:
        yield
    finally:
        _local.stand_ins = previous


def _machine(backend: Any, arn: str) -> Any:
    """The machine (unqualified ARN) or StateMachineDoesNotExist."""
    for machine in backend.state_machines:
        if machine.arn == arn:
            return machine
    raise _error("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")


def _version(machine: Any, qualifier: str) -> Any:
    return machine.versions.get(int(qualifier)) if qualifier.isdigit() else None


def _page(items: list[Any], max_results: int | None, token: str | None) -> tuple[list[Any], Any]:
    size = max_results or PAGE_DEFAULT
    start = 0
    if token:
        try:
            start = int(token)
        except ValueError:
            raise _error("InvalidToken", f"Invalid Token: '{token}'") from None
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


def _routing_error(routing: Any) -> str | None:
    """What is wrong with a routing configuration on its own (None: nothing)."""
    if not isinstance(routing, list) or not 1 <= len(routing) <= 2:
        return "Routing configuration must contain one or two state machine versions."
    arns = [str(item.get("stateMachineVersionArn", "")) for item in routing]
    if len(set(arns)) < len(arns):
        return (
            "Routing configuration must contain distinct state machine version ARNs. "
            f"Received: [{', '.join(arns)}]"
        )
    weights = [item.get("weight") for item in routing]
    for i, weight in enumerate(weights):
        if not isinstance(weight, int) or not 0 <= weight <= 100:
            return f"Invalid value for parameter routingConfiguration[{i + 1}].weight: {weight}"
    if sum(weights) != 100:
        return f"Sum of routing configuration weights must equal 100. Received: {weights}"
    for arn in arns:
        _, qualifier = split_arn(arn)
        if qualifier is None or not qualifier.isdigit():
            return f"Routing configuration must contain state machine version ARNs. Received: [{', '.join(arns)}]"
    if len({split_arn(arn)[0] for arn in arns}) > 1:
        return "Routing configuration must contain versions of the same state machine."
    return None


def _check_routing(backend: Any, routing: Any, machine_arn: str | None = None) -> Any:
    """The machine the routing's versions belong to, or the API's error."""
    problem = _routing_error(routing)
    if problem:
        raise _error("ValidationException", problem)
    base = split_arn(routing[0]["stateMachineVersionArn"])[0]
    if machine_arn is not None and base != machine_arn:
        raise _error(
            "ValidationException",
            f"Routing configuration must contain versions of the alias's state machine "
            f"'{machine_arn}'.",
        )
    machine = next((m for m in backend.state_machines if m.arn == base), None)
    for item in routing:
        arn = item["stateMachineVersionArn"]
        if machine is None or _version(machine, str(split_arn(arn)[1])) is None:
            raise _error("ResourceNotFound", f"State Machine Version Does Not Exist: '{arn}'")
    return machine


def _find_alias(backend: Any, arn: str) -> tuple[Any, Any]:
    base, name = split_arn(arn)
    if name is None or name.isdigit():
        raise _error("InvalidArn", f"Invalid Arn: '{arn}'")
    machine = next((m for m in backend.state_machines if m.arn == base), None)
    alias = machine.aliases.get(name) if machine is not None else None
    if alias is None:
        raise _error("ResourceNotFound", f"State Machine Alias Does Not Exist: '{arn}'")
    return machine, alias


def _routes_to(alias: Any, version_arn: str) -> bool:
    return any(r["stateMachineVersionArn"] == version_arn for r in alias.routing_configuration)


def pick_version(alias: Any) -> str:
    """The version ARN a start on this alias runs, drawn by the routing weights."""
    routing = alias.routing_configuration
    arns = [r["stateMachineVersionArn"] for r in routing]
    return str(_random.choices(arns, weights=[r["weight"] for r in routing])[0])


def install() -> None:
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    models: Any = import_module("moto.stepfunctions.models")
    ActionResult: Any = import_module("moto.core.responses").ActionResult
    EmptyResult: Any = import_module("moto.core.responses").EmptyResult
    resp_cls: Any = import_module("moto.stepfunctions.responses").StepFunctionResponse
    backend_cls: Any = import_module("moto.stepfunctions.parser.models").StepFunctionsParserBackend
    utcnow: Any = import_module("moto.core.utils").utcnow

    # Stand-ins: a start or a list on a version/alias runs moto's own code on a stand-in.
    original_describe = backend_cls.describe_state_machine

    def describe_state_machine(self: Any, arn: str) -> Any:
        stand_ins = getattr(_local, "stand_ins", None)
        if stand_ins and arn in stand_ins:
            return stand_ins[arn]
        return original_describe(self, arn)

    backend_cls.describe_state_machine = describe_state_machine

    # Revisions: a new one whenever an update changes the configuration.
    original_update = models.StateMachine.update

    def update(self: Any, **kwargs: Any) -> None:
        changed = any(
            kwargs.get(key) is not None and kwargs[key] != getattr(self, key, None)
            for key in _CONFIG
        )
        original_update(self, **kwargs)
        if changed:
            self._sfn_tui_revision = str(uuid.uuid4())

    models.StateMachine.update = update

    def revision(machine: Any) -> str | None:
        return getattr(machine, "_sfn_tui_revision", None)

    original_publish = models.StateMachine.publish

    def publish(self: Any, description: str | None) -> None:
        current = revision(self)
        for version in self.versions.values():
            if getattr(version, "_sfn_tui_revision", "") == current:
                self.latest_version = version  # idempotent: this revision has a version
                return
        if len(self.versions) >= MAX_VERSIONS:
            raise _error(
                "ServiceQuotaExceededException",
                f"The state machine has reached the limit of {MAX_VERSIONS} versions.",
            )
        original_publish(self, description)
        self.latest_version._sfn_tui_revision = current

    models.StateMachine.publish = publish

    # Versions ------------------------------------------------------------------------

    def publish_state_machine_version(self: Any) -> Any:
        arn = self._get_param("stateMachineArn")
        description = self._get_param("description")
        if description is not None and len(description) > MAX_DESCRIPTION:
            raise _error(
                "ValidationException",
                "1 validation error detected: Value at 'description' failed to satisfy "
                f"constraint: Member must have length less than or equal to {MAX_DESCRIPTION}",
            )
        machine = _machine(self.stepfunction_backend, arn)
        wanted = self._get_param("revisionId")
        current = revision(machine)
        if wanted is not None and wanted != (current or "INITIAL"):
            raise _error(
                "ConflictException",
                f"Failed to publish the state machine version: revisionId '{wanted}' "
                f"is not the current revision '{current or 'INITIAL'}'.",
            )
        machine.publish(description)
        version = machine.latest_version
        return ActionResult(
            {"creationDate": version.creation_date, "stateMachineVersionArn": version.arn}
        )

    def list_state_machine_versions(self: Any) -> Any:
        arn = self._get_param("stateMachineArn")
        if split_arn(arn)[1] is not None:
            raise _error("ValidationException", f"Invalid Arn: '{arn}' is not a state machine ARN")
        machine = _machine(self.stepfunction_backend, arn)
        versions = sorted(machine.versions.values(), key=lambda v: v.version, reverse=True)
        page, token = _page(
            versions, self._get_int_param("maxResults"), self._get_param("nextToken")
        )
        items = [{"stateMachineVersionArn": v.arn, "creationDate": v.creation_date} for v in page]
        return ActionResult({"stateMachineVersions": items, "nextToken": token})

    def delete_state_machine_version(self: Any) -> Any:
        arn = self._get_param("stateMachineVersionArn")
        base, qualifier = split_arn(arn)
        if qualifier is None or not qualifier.isdigit():
            raise _error("ValidationException", f"Invalid Arn: '{arn}' is not a version ARN")
        machine = next((m for m in self.stepfunction_backend.state_machines if m.arn == base), None)
        if machine is None or _version(machine, qualifier) is None:
            return EmptyResult()  # deleting what is not there succeeds
        using = [a.name for a in machine.aliases.values() if _routes_to(a, arn)]
        if using:
            raise _error(
                "ConflictException",
                "Version to be deleted must not be referenced by an alias. "
                f"Current list of aliases referencing this version: [{', '.join(using)}]",
            )
        del machine.versions[int(qualifier)]
        return EmptyResult()

    # Aliases -------------------------------------------------------------------------

    def create_state_machine_alias(self: Any) -> Any:
        name = self._get_param("name")
        routing = self._get_param("routingConfiguration")
        description = self._get_param("description")
        if not isinstance(name, str) or not ALIAS_NAME.match(name):
            raise _error("InvalidName", f"Invalid Name: '{name}'")
        machine = _check_routing(self.stepfunction_backend, routing)
        existing = machine.aliases.get(name)
        if existing is not None:
            same = sorted(
                (r["stateMachineVersionArn"], r["weight"]) for r in existing.routing_configuration
            ) == sorted((r["stateMachineVersionArn"], r["weight"]) for r in routing)
            if not same or (existing.description or None) != (description or None):
                raise _error(
                    "ConflictException",
                    "Failed to create alias because an alias with the same name and a "
                    "different routing configuration already exists.",
                )
            alias = existing
        else:
            alias = models.StateMachineAlias(name, machine.arn, routing, description)
            machine.aliases[name] = alias
        return ActionResult(
            {"stateMachineAliasArn": alias.arn, "creationDate": alias.creation_date}
        )

    def describe_state_machine_alias(self: Any) -> Any:
        _, alias = _find_alias(self.stepfunction_backend, self._get_param("stateMachineAliasArn"))
        out = {
            "stateMachineAliasArn": alias.arn,
            "name": alias.name,
            "routingConfiguration": alias.routing_configuration,
            "creationDate": alias.creation_date,
            "updateDate": alias.update_date,
        }
        if alias.description:
            out["description"] = alias.description
        return ActionResult(out)

    def update_state_machine_alias(self: Any) -> Any:
        machine, alias = _find_alias(
            self.stepfunction_backend, self._get_param("stateMachineAliasArn")
        )
        description = self._get_param("description")
        routing = self._get_param("routingConfiguration")
        if description is None and routing is None:
            raise _error(
                "ValidationException",
                "You must provide at least one of routingConfiguration or description",
            )
        if routing is not None:
            _check_routing(self.stepfunction_backend, routing, machine.arn)
            alias.routing_configuration = routing
        if description is not None:
            alias.description = description
        alias.update_date = utcnow()
        return ActionResult({"updateDate": alias.update_date})

    def delete_state_machine_alias(self: Any) -> Any:
        machine, alias = _find_alias(
            self.stepfunction_backend, self._get_param("stateMachineAliasArn")
        )
        del machine.aliases[alias.name]
        return EmptyResult()

    def list_state_machine_aliases(self: Any) -> Any:
        arn = self._get_param("stateMachineArn")
        base, qualifier = split_arn(arn)
        machine = _machine(self.stepfunction_backend, base)
        aliases = list(machine.aliases.values())
        if qualifier is not None:
            if _version(machine, qualifier) is None:
                raise _error("ResourceNotFound", f"State Machine Version Does Not Exist: '{arn}'")
            aliases = [a for a in aliases if _routes_to(a, arn)]
        aliases.sort(key=lambda a: a.creation_date, reverse=True)
        page, token = _page(
            aliases, self._get_int_param("maxResults"), self._get_param("nextToken")
        )
        items = [{"stateMachineAliasArn": a.arn, "creationDate": a.creation_date} for a in page]
        return ActionResult({"stateMachineAliases": items, "nextToken": token})

    for handler in (
        publish_state_machine_version,
        list_state_machine_versions,
        delete_state_machine_version,
        create_state_machine_alias,
        describe_state_machine_alias,
        update_state_machine_alias,
        delete_state_machine_alias,
        list_state_machine_aliases,
    ):
        setattr(resp_cls, handler.__name__, handler)

    # Starts on a version or an alias ---------------------------------------------------

    original_start = backend_cls.start_execution

    def start_execution(
        self: Any,
        state_machine_arn: str,
        name: str | None = None,
        execution_input: str | None = None,
        trace_header: str | None = None,
    ) -> Any:
        base, qualifier = split_arn(state_machine_arn)
        if qualifier is None:
            return original_start(
                self, state_machine_arn, name, execution_input, trace_header=trace_header
            )
        machine = _machine(self, base)
        alias_arn = None
        if qualifier.isdigit():
            version = _version(machine, qualifier)
        else:
            alias = machine.aliases.get(qualifier)
            if alias is None:
                raise _error(
                    "StateMachineDoesNotExist",
                    f"State Machine Does Not Exist: '{state_machine_arn}'",
                )
            alias_arn = alias.arn
            version = _version(machine, str(split_arn(pick_version(alias))[1]))
        if version is None:
            raise _error(
                "StateMachineDoesNotExist", f"State Machine Does Not Exist: '{state_machine_arn}'"
            )
        # The machine with the version's configuration, sharing the machine's runs.
        stand_in = copy.copy(machine)
        for key in _CONFIG:
            setattr(stand_in, key, getattr(version, key))
        stand_in._sfn_tui_revision = getattr(version, "_sfn_tui_revision", None)
        stand_in.update_date = version.creation_date
        runs_before = len(machine.executions)
        with _standing_in(machine.arn, stand_in):
            execution = original_start(
                self, machine.arn, name, execution_input, trace_header=trace_header
            )
        if len(machine.executions) > runs_before:  # a new run, not an idempotent answer
            execution._sfn_tui_version_arn = version.arn
            execution._sfn_tui_alias_arn = alias_arn
        return execution

    backend_cls.start_execution = start_execution

    # Reports ---------------------------------------------------------------------------

    def run_fields(execution: Any) -> dict[str, str]:
        out = {}
        if version_arn_of(execution):
            out["stateMachineVersionArn"] = str(version_arn_of(execution))
        if alias_arn_of(execution):
            out["stateMachineAliasArn"] = str(alias_arn_of(execution))
        return out

    original_describe_execution = resp_cls.describe_execution

    def describe_execution_response(self: Any) -> Any:
        result = original_describe_execution(self)
        execution = self.stepfunction_backend.describe_execution(self._get_param("executionArn"))
        result.result.update(run_fields(execution))
        return result

    resp_cls.describe_execution = describe_execution_response

    original_list = resp_cls.list_executions

    def list_executions_response(self: Any) -> Any:
        arn = self._get_param("stateMachineArn")
        base, qualifier = split_arn(arn) if arn else (arn, None)
        if qualifier is None:
            result = original_list(self)
            machine = next(
                (m for m in self.stepfunction_backend.state_machines if m.arn == arn), None
            )
        else:
            machine = _machine(self.stepfunction_backend, base)
            if qualifier.isdigit():
                if _version(machine, qualifier) is None:
                    raise _error(
                        "StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'"
                    )
                runs = [e for e in machine.executions if version_arn_of(e) == arn]
            else:
                if qualifier not in machine.aliases:
                    raise _error("ResourceNotFound", f"State Machine Alias Does Not Exist: '{arn}'")
                runs = [e for e in machine.executions if alias_arn_of(e) == arn]
            stand_in = copy.copy(machine)
            stand_in.executions = runs
            with _standing_in(arn, stand_in):
                result = original_list(self)
        if machine is not None:
            by_arn = execution_index.runs_by_arn(machine.executions)
            for item in result.result.get("executions") or []:
                run = by_arn.get(item["executionArn"])
                if run is not None:
                    item.update(run_fields(run))
        return result

    resp_cls.list_executions = list_executions_response

    def describe_state_machine_for_execution(self: Any) -> Any:
        execution = self.stepfunction_backend.describe_execution(self._get_param("executionArn"))
        used = getattr(execution, "state_machine", None)  # the run's own copy
        machine_arn = split_arn(execution.state_machine_arn)[0]
        if used is None:
            used = _machine(self.stepfunction_backend, machine_arn)
        out: dict[str, Any] = {
            "stateMachineArn": machine_arn,
            "name": used.name,
            "definition": used.definition,
            "roleArn": used.roleArn,
            "updateDate": used.update_date,
            "loggingConfiguration": used.loggingConfiguration,
            "tracingConfiguration": used.tracingConfiguration,
            "encryptionConfiguration": used.encryptionConfiguration,
        }
        if revision(used):
            out["revisionId"] = revision(used)
        return ActionResult(out)

    resp_cls.describe_state_machine_for_execution = describe_state_machine_for_execution

    original_describe_machine = resp_cls._describe_state_machine

    def describe_machine_response(self: Any, arn: str) -> Any:
        result = original_describe_machine(self, arn)
        found = self.stepfunction_backend.describe_state_machine(arn)
        if revision(found):
            result.result["revisionId"] = revision(found)
        return result

    resp_cls._describe_state_machine = describe_machine_response

    original_update_response = resp_cls.update_state_machine

    def update_state_machine_response(self: Any) -> Any:
        result = original_update_response(self)
        found = self.stepfunction_backend.describe_state_machine(self._get_param("stateMachineArn"))
        if revision(found):
            result.result["revisionId"] = revision(found)
        return result

    resp_cls.update_state_machine = update_state_machine_response
