"""The one async client for Step Functions, IAM and CloudWatch Logs (aiobotocore).

Three botocore clients are opened once and closed on exit: one for the dashboard
(short timeouts), one for activity long-polls (read timeout above GetActivityTask's
60 s hold, so a token never arrives on a connection already given up), one for IAM.
CloudWatch Logs (`logs`, where Express runs keep their history) and StartSyncExecution
have their own, opened on first use. Every call goes through `_call`, which turns
failures into `SfnError`s.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sfn_tui.aws import retry_log
from sfn_tui.aws.connection import LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY, Connection
from sfn_tui.aws.errors import NotFound, NotSupported, ServiceError, SfnError, translate
from sfn_tui.aws.logs import CloudWatchLogs
from sfn_tui.aws.map_runs import MapRun, MapRunDetail, MapRunUpdate
from sfn_tui.aws.models import (
    Activity,
    ActivityTask,
    Diagnostic,
    Execution,
    ExecutionDetail,
    ExecutionPage,
    HistoryEvent,
    LoggingConfig,
    Role,
    StateMachine,
    StateMachineDetail,
    SyncResult,
)
from sfn_tui.aws.versions import Route, StateMachineAlias, StateMachineVersion, split_qualified

STATES_TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "states.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}

DASHBOARD_READ_TIMEOUT = 15
LONG_POLL_READ_TIMEOUT = 70
# StartSyncExecution answers when the run ends: an Express run lasts 5 minutes at most.
SYNC_READ_TIMEOUT = 330
CONNECT_TIMEOUT = 5
MAX_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """Timeouts and retries of the botocore clients. The defaults suit AWS; tests use
    short ones (a hung call then times out in a second or two, not 15 s)."""

    read_timeout: float = DASHBOARD_READ_TIMEOUT
    connect_timeout: float = CONNECT_TIMEOUT
    long_poll_read_timeout: float = LONG_POLL_READ_TIMEOUT  # above GetActivityTask's hold
    # Attempts per call, the first included (botocore "standard" mode; its own
    # `max_attempts` counts retries only, so this is passed as `total_max_attempts`).
    max_attempts: int = MAX_ATTEMPTS


def trusts_states(policy: Any) -> bool:
    """Whether an IAM trust policy lets states.amazonaws.com assume the role."""
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            return False
    statements = policy.get("Statement", []) if isinstance(policy, dict) else []
    if isinstance(statements, dict):
        statements = [statements]
    for statement in statements:
        principal = statement.get("Principal", {}) if isinstance(statement, dict) else {}
        services = principal.get("Service", []) if isinstance(principal, dict) else []
        if isinstance(services, str):
            services = [services]
        if statement.get("Effect") == "Allow" and any(s.startswith("states.") for s in services):
            return True
    return False


def reject_malformed_json(response_dict: dict[str, Any], **_: Any) -> None:
    """botocore reads a 200 answer whose body is not JSON as an empty result (a list
    call would then show nothing); say instead that the service answered nonsense."""
    body = response_dict.get("body")
    if response_dict.get("status_code") != 200 or not isinstance(body, bytes) or not body:
        return
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        from botocore.parsers import ResponseParserError

        raise ResponseParserError(f"not a JSON object ({len(body)} bytes)")


def _snake_case(operation: str) -> str:
    """botocore's method name for an operation: RedriveExecution -> redrive_execution."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def client_kwargs(conn: Connection) -> dict[str, Any]:
    """Region, endpoint and (for a local engine) dummy credentials for create_client."""
    kw: dict[str, Any] = {"region_name": conn.region}
    if conn.endpoint_url:
        kw["endpoint_url"] = conn.endpoint_url
    if conn.dummy_credentials:
        kw["aws_access_key_id"] = LOCAL_ACCESS_KEY
        kw["aws_secret_access_key"] = LOCAL_SECRET_KEY
    return kw


def client_config(
    settings: ClientSettings, read_timeout: float, attempts: int | None = None, **extra: Any
) -> Any:
    """An AioConfig with the settings' timeouts and standard retries (`attempts` tries;
    the settings' by default)."""
    from aiobotocore.config import AioConfig

    return AioConfig(
        retries={"mode": "standard", "total_max_attempts": attempts or settings.max_attempts},
        connect_timeout=settings.connect_timeout,
        read_timeout=read_timeout,
        **extra,
    )


class StepFunctionsClient:
    """Async Step Functions + IAM calls returning typed models."""

    def __init__(self, connection: Connection, settings: ClientSettings | None = None) -> None:
        self.connection = connection
        self.settings = settings or ClientSettings()
        self._stack = AsyncExitStack()
        self._sfn: Any = None
        self._sfn_poll: Any = None
        self._iam: Any = None
        # The last ListExecutions page's list of runs as parsed, and the page made of it.
        self._last_page: tuple[list[Any], ExecutionPage] | None = None
        self.logs = CloudWatchLogs(self._open_logs, connection.endpoint_url or "")

    def fresh(self) -> StepFunctionsClient:
        """Another client like this one (not yet open), for another event loop."""
        return StepFunctionsClient(self.connection, self.settings)

    def heartbeat_sender(self) -> HeartbeatSender:
        """A client that only sends heartbeats (not yet open), for another event loop."""
        return HeartbeatSender(self.connection, self.settings)

    async def __aenter__(self) -> StepFunctionsClient:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def open(self) -> None:
        from sfn_tui.aws.sessions import new_session

        session = new_session(self.connection.profile)
        common = client_kwargs(self.connection)
        settings = self.settings

        def config(read_timeout: float) -> Any:
            return client_config(settings, read_timeout)

        enter = self._stack.enter_async_context
        self._sfn = await enter(
            session.create_client("stepfunctions", config=config(settings.read_timeout), **common)
        )
        self._sfn_poll = await enter(
            session.create_client(
                "stepfunctions", config=config(settings.long_poll_read_timeout), **common
            )
        )
        for sfn in (self._sfn, self._sfn_poll):
            sfn.meta.events.register("before-parse.sfn.*", reject_malformed_json)
        self._iam = await enter(
            session.create_client("iam", config=config(settings.read_timeout), **common)
        )
        for client in (self._sfn, self._sfn_poll, self._iam):
            retry_log.register(client, settings.max_attempts)

    async def close(self) -> None:
        await self._stack.aclose()

    @property
    def endpoint_url(self) -> str:
        return str(self._sfn.meta.endpoint_url) if self._sfn else ""

    async def _call(self, operation: str, method: Callable[..., Awaitable[Any]], **kw: Any) -> Any:
        try:
            return await method(**kw)
        except Exception as exc:
            raise translate(exc, operation, endpoint=self.endpoint_url) from exc

    # State machines ---------------------------------------------------------------

    async def list_state_machines(self) -> list[StateMachine]:
        machines: list[StateMachine] = []
        kw: dict[str, Any] = {"maxResults": 1000}
        while True:
            page = await self._call("ListStateMachines", self._sfn.list_state_machines, **kw)
            machines.extend(StateMachine.from_api(m) for m in page.get("stateMachines", []))
            if not page.get("nextToken"):
                return machines
            kw["nextToken"] = page["nextToken"]

    async def describe_state_machine(self, arn: str) -> StateMachineDetail:
        item = await self._call(
            "DescribeStateMachine", self._sfn.describe_state_machine, stateMachineArn=arn
        )
        return StateMachineDetail.from_api(item)

    async def create_state_machine(
        self,
        name: str,
        definition: str,
        role_arn: str,
        type: str = "STANDARD",
        logging: LoggingConfig | None = None,
    ) -> StateMachine:
        kw: dict[str, Any] = {}
        if logging is not None and logging.level != "OFF":
            kw["loggingConfiguration"] = logging.to_api()
        item = await self._call(
            "CreateStateMachine",
            self._sfn.create_state_machine,
            name=name,
            definition=definition,
            roleArn=role_arn,
            type=type,
            **kw,
        )
        return StateMachine(
            arn=item["stateMachineArn"], name=name, type=type, creation_date=item["creationDate"]
        )

    async def update_state_machine(
        self,
        arn: str,
        definition: str | None = None,
        logging: LoggingConfig | None = None,
        *,
        publish: bool = False,
        version_description: str = "",
    ) -> str | None:
        """Change the definition, the logging configuration, or both (None: unchanged);
        with `publish`, also publish the result as a new version. Returns the version ARN
        when one was published."""
        kw: dict[str, Any] = {}
        if definition is not None:
            kw["definition"] = definition
        if logging is not None:
            kw["loggingConfiguration"] = logging.to_api()
        if publish:
            kw["publish"] = True
            if version_description:
                kw["versionDescription"] = version_description
        item = await self._call(
            "UpdateStateMachine", self._sfn.update_state_machine, stateMachineArn=arn, **kw
        )
        version = item.get("stateMachineVersionArn") if isinstance(item, dict) else None
        return str(version) if version else None

    # Versions and aliases -----------------------------------------------------------

    async def list_state_machine_versions(
        self, arn: str, described: int = 100
    ) -> list[StateMachineVersion]:
        """Every version, newest first; the `described` newest with their description
        (ListStateMachineVersions has none: DescribeStateMachine on the version has)."""
        items: list[dict[str, Any]] = []
        kw: dict[str, Any] = {"stateMachineArn": arn, "maxResults": 1000}
        while True:
            page = await self._call(
                "ListStateMachineVersions", self._sfn.list_state_machine_versions, **kw
            )
            items.extend(page.get("stateMachineVersions", []))
            if not page.get("nextToken"):
                break
            kw["nextToken"] = page["nextToken"]

        async def one(item: dict[str, Any], describe: bool) -> StateMachineVersion:
            description = ""
            if describe:
                try:
                    detail = await self._call(
                        "DescribeStateMachine",
                        self._sfn.describe_state_machine,
                        stateMachineArn=item["stateMachineVersionArn"],
                    )
                    description = str(detail.get("description") or "")
                except NotFound:
                    pass  # deleted meanwhile: listed without its description
            return StateMachineVersion.from_api(item, description)

        versions = await asyncio.gather(*(one(v, i < described) for i, v in enumerate(items)))
        return sorted(versions, key=lambda v: v.number, reverse=True)

    async def publish_state_machine_version(self, arn: str, description: str = "") -> str:
        """Publish the machine's current revision; returns the version ARN (the existing
        one if this revision was published already)."""
        kw: dict[str, Any] = {"stateMachineArn": arn}
        if description:
            kw["description"] = description
        item = await self._call(
            "PublishStateMachineVersion", self._sfn.publish_state_machine_version, **kw
        )
        return str(item["stateMachineVersionArn"])

    async def delete_state_machine_version(self, version_arn: str) -> None:
        await self._call(
            "DeleteStateMachineVersion",
            self._sfn.delete_state_machine_version,
            stateMachineVersionArn=version_arn,
        )

    async def list_state_machine_aliases(self, arn: str) -> list[StateMachineAlias]:
        """Every alias with its routing (DescribeStateMachineAlias each), newest first."""
        arns: list[str] = []
        kw: dict[str, Any] = {"stateMachineArn": arn, "maxResults": 1000}
        while True:
            page = await self._call(
                "ListStateMachineAliases", self._sfn.list_state_machine_aliases, **kw
            )
            arns.extend(a["stateMachineAliasArn"] for a in page.get("stateMachineAliases", []))
            if not page.get("nextToken"):
                break
            kw["nextToken"] = page["nextToken"]

        async def one(alias_arn: str) -> StateMachineAlias | None:
            try:
                return await self.describe_state_machine_alias(alias_arn)
            except NotFound:
                return None  # deleted meanwhile

        found = await asyncio.gather(*(one(a) for a in arns))
        return sorted(
            (a for a in found if a is not None), key=lambda a: a.creation_date, reverse=True
        )

    async def describe_state_machine_alias(self, alias_arn: str) -> StateMachineAlias:
        item = await self._call(
            "DescribeStateMachineAlias",
            self._sfn.describe_state_machine_alias,
            stateMachineAliasArn=alias_arn,
        )
        return StateMachineAlias.from_api(item)

    async def create_state_machine_alias(
        self, name: str, routing: list[Route], description: str = ""
    ) -> str:
        kw: dict[str, Any] = {"name": name, "routingConfiguration": [r.to_api() for r in routing]}
        if description:
            kw["description"] = description
        item = await self._call(
            "CreateStateMachineAlias", self._sfn.create_state_machine_alias, **kw
        )
        return str(item["stateMachineAliasArn"])

    async def update_state_machine_alias(
        self, alias_arn: str, routing: list[Route], description: str | None = None
    ) -> None:
        kw: dict[str, Any] = {
            "stateMachineAliasArn": alias_arn,
            "routingConfiguration": [r.to_api() for r in routing],
        }
        if description is not None:
            kw["description"] = description
        await self._call("UpdateStateMachineAlias", self._sfn.update_state_machine_alias, **kw)

    async def delete_state_machine_alias(self, alias_arn: str) -> None:
        await self._call(
            "DeleteStateMachineAlias",
            self._sfn.delete_state_machine_alias,
            stateMachineAliasArn=alias_arn,
        )

    async def validate_state_machine_definition(
        self, definition: str, type: str = "STANDARD"
    ) -> list[Diagnostic]:
        """The service's findings on a definition (errors and warnings; empty when fine).

        NotSupported where the endpoint lacks the operation (the embedded engine,
        LocalStack, older endpoints); that answer is remembered for this client.
        """
        item = await self._optional_call(
            "ValidateStateMachineDefinition",
            definition=definition,
            type=type,
            severity="WARNING",
        )
        return [Diagnostic.from_api(d) for d in item.get("diagnostics", [])]

    async def _optional_call(self, operation: str, **kw: Any) -> Any:
        """A call to an operation some endpoints lack, made once (no retries) on a
        client of its own. An HTTP 500/501 whose error code is only that number (no AWS
        error body: moto answers an HTML page) means the operation is missing there:
        NotSupported, remembered so later calls do not ask again."""
        unsupported: set[str] = self.__dict__.setdefault("_unsupported", set())
        if operation in unsupported:
            raise NotSupported(
                f"{operation} failed: this endpoint does not support {operation}",
                operation=operation,
            )
        sfn = await self._single_try_sfn()
        method = getattr(sfn, _snake_case(operation))
        try:
            return await self._call(operation, method, **kw)
        except ServiceError as error:
            if error.code not in {"500", "501"}:
                raise
            unsupported.add(operation)
            raise NotSupported(
                f"{operation} failed: this endpoint does not support {operation}",
                operation=operation,
                code=error.code,
            ) from error
        except NotSupported:
            unsupported.add(operation)
            raise

    async def _open_logs(self) -> Any:
        """The CloudWatch Logs client (on first use; closed with the others)."""
        return await self._extra_client("logs", "_logs", self.settings.read_timeout, retry=True)

    async def _single_try_sfn(self) -> Any:
        """A Step Functions client that does not retry (opened on first use, closed with
        the others): a missing operation costs one round trip, not three with backoff."""
        return await self._extra_sfn("_single_try", self.settings.read_timeout)

    async def _extra_sfn(self, key: str, read_timeout: float, **config: Any) -> Any:
        """A Step Functions client opened on first use (closed with the others) that
        makes one attempt per call."""
        return await self._extra_client("stepfunctions", key, read_timeout, **config)

    async def _extra_client(
        self, service: str, key: str, read_timeout: float, retry: bool = False, **config: Any
    ) -> Any:
        """A client opened on first use, closed with the others; one attempt per call
        unless `retry` (then the settings' attempts)."""
        lock: asyncio.Lock = self.__dict__.setdefault(f"{key}_lock", asyncio.Lock())
        async with lock:
            existing = self.__dict__.get(key)
            if existing is not None:
                return existing
            from sfn_tui.aws.sessions import new_session

            attempts = self.settings.max_attempts if retry else 1
            aio_config = client_config(self.settings, read_timeout, attempts, **config)
            session = new_session(self.connection.profile)
            client = await self._stack.enter_async_context(
                session.create_client(service, config=aio_config, **client_kwargs(self.connection))
            )
            if service == "stepfunctions":
                client.meta.events.register("before-parse.sfn.*", reject_malformed_json)
            retry_log.register(client, attempts)
            self.__dict__[key] = client
            return client

    async def delete_state_machine(self, arn: str) -> None:
        await self._call("DeleteStateMachine", self._sfn.delete_state_machine, stateMachineArn=arn)

    async def find_state_machine(self, name: str) -> StateMachine | None:
        for machine in await self.list_state_machines():
            if machine.name == name:
                return machine
        return None

    # Activities -------------------------------------------------------------------

    async def list_activities(self) -> list[Activity]:
        activities: list[Activity] = []
        kw: dict[str, Any] = {"maxResults": 1000}
        while True:
            page = await self._call("ListActivities", self._sfn.list_activities, **kw)
            activities.extend(Activity.from_api(a) for a in page.get("activities", []))
            if not page.get("nextToken"):
                return activities
            kw["nextToken"] = page["nextToken"]

    async def create_activity(self, name: str) -> Activity:
        item = await self._call("CreateActivity", self._sfn.create_activity, name=name)
        return Activity(arn=item["activityArn"], name=name, creation_date=item["creationDate"])

    async def delete_activity(self, arn: str) -> None:
        await self._call("DeleteActivity", self._sfn.delete_activity, activityArn=arn)

    async def find_activity(self, name: str) -> Activity | None:
        for activity in await self.list_activities():
            if activity.name == name:
                return activity
        return None

    # Executions -------------------------------------------------------------------

    async def list_executions(
        self,
        state_machine_arn: str,
        *,
        status: str | None = None,
        max_results: int = 100,
        next_token: str | None = None,
    ) -> ExecutionPage:
        return await self._execution_page(
            {"stateMachineArn": state_machine_arn, "maxResults": max_results},
            statusFilter=status,
            nextToken=next_token,
        )

    async def _execution_page(self, kw: dict[str, Any], **optional: str | None) -> ExecutionPage:
        """One ListExecutions page: `kw` and the optional filters that are set."""
        kw.update({key: value for key, value in optional.items() if value})
        page = await self._call("ListExecutions", self._sfn.list_executions, **kw)
        items = page.get("executions", [])
        last = self._last_page
        if last is not None and last[0] is items:
            return last[1]  # the same bytes as last time (same_page.py): the same runs
        made = ExecutionPage(
            executions=tuple(Execution.from_api(e) for e in items),
            next_token=page.get("nextToken") or None,
        )
        self._last_page = (items, made)
        return made

    async def describe_execution(self, arn: str) -> ExecutionDetail:
        item = await self._call("DescribeExecution", self._sfn.describe_execution, executionArn=arn)
        return ExecutionDetail.from_api(item)

    async def start_execution(
        self, state_machine_arn: str, name: str, input: str = "{}"
    ) -> Execution:
        item = await self._call(
            "StartExecution",
            self._sfn.start_execution,
            stateMachineArn=state_machine_arn,
            name=name,
            input=input,
        )
        # ListExecutions is eventually consistent: the row comes from this answer. A
        # start on a version or alias (a qualified ARN) is a run of the machine.
        machine_arn, qualifier = split_qualified(state_machine_arn)
        on_version = qualifier is not None and qualifier.isdigit()
        return Execution(
            arn=item["executionArn"],
            name=name,
            state_machine_arn=machine_arn,
            status="RUNNING",
            start_date=item.get("startDate") or datetime.now(UTC),
            version_arn=state_machine_arn if on_version else None,
            alias_arn=state_machine_arn if qualifier is not None and not on_version else None,
        )

    async def start_sync_execution(
        self, state_machine_arn: str, name: str, input: str = "{}"
    ) -> SyncResult:
        """Run an Express machine and wait for its end (5 minutes at most).

        Never retried: a second attempt would run the workflow again. botocore sends this
        call to the host ``sync-`` + the endpoint's host; a custom endpoint URL has no such
        host, so the prefix is left out there (and kept for AWS itself)."""
        sync = await self._extra_sfn(
            "_sync",
            max(SYNC_READ_TIMEOUT, self.settings.read_timeout),
            inject_host_prefix=not self.connection.endpoint_url,
        )
        item = await self._call(
            "StartSyncExecution",
            sync.start_sync_execution,
            stateMachineArn=state_machine_arn,
            name=name,
            input=input,
        )
        return SyncResult.from_api(item, state_machine_arn)

    async def test_state(
        self,
        definition: str,
        input: str,
        inspection_level: str = "INFO",
        role_arn: str | None = None,
        variables: str | None = None,
    ) -> dict[str, Any]:
        """TestState: run one state's `definition` on `input` and answer what AWS
        answers (status, output, error, cause, nextState, inspectionData).

        Never retried: with a real role the state may call its resource. Sent, like
        StartSyncExecution, to the ``sync-`` host on AWS (not to a custom endpoint)."""
        sync = await self._extra_sfn(
            "_sync",
            max(SYNC_READ_TIMEOUT, self.settings.read_timeout),
            inject_host_prefix=not self.connection.endpoint_url,
        )
        kw: dict[str, Any] = {"inspectionLevel": inspection_level}
        if role_arn:
            kw["roleArn"] = role_arn
        if variables is not None:
            kw["variables"] = variables
        try:
            item = await self._call(
                "TestState", sync.test_state, definition=definition, input=input, **kw
            )
        except ServiceError as error:
            if error.code not in {"500", "501"}:
                raise
            # An HTTP 500/501 with no AWS error body: the endpoint lacks the operation
            # (moto answers an HTML page), as in _optional_call.
            raise NotSupported(
                "TestState failed: this endpoint does not support TestState",
                operation="TestState",
                code=error.code,
            ) from error
        return {k: v for k, v in item.items() if k != "ResponseMetadata"}

    async def stop_execution(self, arn: str, error: str = "", cause: str = "") -> None:
        kw: dict[str, Any] = {"executionArn": arn}
        if error:
            kw["error"] = error
        if cause:
            kw["cause"] = cause
        await self._call("StopExecution", self._sfn.stop_execution, **kw)

    async def redrive_execution(self, arn: str) -> datetime:
        """Restart a failed, timed-out or aborted standard run from where it stopped.
        Returns the redrive date; NotSupported where the endpoint lacks RedriveExecution."""
        item = await self._optional_call("RedriveExecution", executionArn=arn)
        redrive_date = item.get("redriveDate")
        return redrive_date if isinstance(redrive_date, datetime) else datetime.now(UTC)

    async def supports_redrive(self, execution_arn: str) -> bool:
        """Whether this endpoint has RedriveExecution, found out once per client (one
        endpoint): asked for a run that does not exist, an endpoint with the operation
        answers ExecutionDoesNotExist (or refuses the ARN); one without it, an unknown
        operation. Any other answer leaves it to the real call to say."""
        known: dict[str, bool] = self.__dict__.setdefault("_supports", {})
        if "RedriveExecution" not in known:
            prefix = execution_arn.rsplit(":", 1)[0]  # …:execution:<machine>
            probe = f"{prefix}:sfn-tui-probe-{uuid.uuid4().hex[:12]}"
            try:
                await self._optional_call("RedriveExecution", executionArn=probe)
                known["RedriveExecution"] = True
            except NotSupported:
                known["RedriveExecution"] = False
            except SfnError:
                known["RedriveExecution"] = True
        return known["RedriveExecution"]

    async def raw(self, operation: str, **kw: Any) -> dict[str, Any]:
        """A read's answer as the API gives it (without ResponseMetadata): exports
        keep the service's own fields."""
        item = await self._call(operation, getattr(self._sfn, _snake_case(operation)), **kw)
        return {k: v for k, v in dict(item).items() if k != "ResponseMetadata"}

    async def get_execution_history(self, arn: str, max_events: int = 25_000) -> list[HistoryEvent]:
        events: list[HistoryEvent] = []
        kw: dict[str, Any] = {"executionArn": arn, "maxResults": 1000}
        while len(events) < max_events:
            page = await self._call("GetExecutionHistory", self._sfn.get_execution_history, **kw)
            events.extend(HistoryEvent.from_api(e) for e in page.get("events", []))
            if not page.get("nextToken"):
                break
            kw["nextToken"] = page["nextToken"]
        return events

    async def get_execution_history_page(
        self,
        arn: str,
        next_token: str | None = None,
        max_results: int = 1000,
        reverse: bool = False,
    ) -> tuple[list[HistoryEvent], str | None]:
        """One page of an execution's history and the token of the next one (None at
        the end). Some endpoints (the embedded engine) ignore `max_results` and
        `reverse` and answer everything, oldest first: callers must not rely on them."""
        kw: dict[str, Any] = {
            "executionArn": arn,
            "maxResults": max_results,
            "reverseOrder": reverse,
        }
        if next_token:
            kw["nextToken"] = next_token
        page = await self._call("GetExecutionHistory", self._sfn.get_execution_history, **kw)
        events = [HistoryEvent.from_api(e) for e in page.get("events", [])]
        return events, page.get("nextToken") or None

    async def describe_state_machine_for_execution(self, arn: str) -> StateMachineDetail:
        """The definition an execution ran with (the machine may have changed since)."""
        item = await self._call(
            "DescribeStateMachineForExecution",
            self._sfn.describe_state_machine_for_execution,
            executionArn=arn,
        )
        item.setdefault("creationDate", item.get("updateDate") or datetime.now(UTC))
        return StateMachineDetail.from_api(item)

    # Map Runs (Distributed Map) ---------------------------------------------------

    async def list_map_runs(self, execution_arn: str, max_pages: int = 10) -> list[MapRun]:
        """The Map Runs an execution started (a few: one per Distributed Map state run)."""
        runs: list[MapRun] = []
        kw: dict[str, Any] = {"executionArn": execution_arn, "maxResults": 1000}
        for _ in range(max_pages):
            page = await self._call("ListMapRuns", self._sfn.list_map_runs, **kw)
            runs.extend(MapRun.from_api(r) for r in page.get("mapRuns", []))
            if not page.get("nextToken"):
                break
            kw["nextToken"] = page["nextToken"]
        return runs

    async def describe_map_run(self, map_run_arn: str) -> MapRunDetail:
        item = await self._call("DescribeMapRun", self._sfn.describe_map_run, mapRunArn=map_run_arn)
        return MapRunDetail.from_api(item)

    async def update_map_run(self, map_run_arn: str, update: MapRunUpdate) -> None:
        kw: dict[str, Any] = {"mapRunArn": map_run_arn}
        if update.max_concurrency is not None:
            kw["maxConcurrency"] = update.max_concurrency
        if update.tolerated_failure_count is not None:
            kw["toleratedFailureCount"] = update.tolerated_failure_count
        if update.tolerated_failure_percentage is not None:
            kw["toleratedFailurePercentage"] = update.tolerated_failure_percentage
        await self._call("UpdateMapRun", self._sfn.update_map_run, **kw)

    async def list_map_run_executions(
        self,
        map_run_arn: str,
        *,
        status: str | None = None,
        redrive_filter: str | None = None,
        max_results: int = 100,
        next_token: str | None = None,
    ) -> ExecutionPage:
        """One page of a Map Run's child executions (ListExecutions with mapRunArn)."""
        return await self._execution_page(
            {"mapRunArn": map_run_arn, "maxResults": max_results},
            statusFilter=status,
            redriveFilter=redrive_filter,
            nextToken=next_token,
        )

    # Activity tasks ---------------------------------------------------------------

    async def get_activity_task(self, activity_arn: str, worker_name: str) -> ActivityTask | None:
        """Long-poll for a task (up to 60 s on AWS). None when nothing was pending."""
        item = await self._call(
            "GetActivityTask",
            self._sfn_poll.get_activity_task,
            activityArn=activity_arn,
            workerName=worker_name,
        )
        token = item.get("taskToken")
        if not token:
            return None
        return ActivityTask(
            token=token,
            input=item.get("input") or "{}",
            activity_arn=activity_arn,
            received_at=datetime.now(UTC),
        )

    async def send_task_success(self, token: str, output: str) -> None:
        await self._call(
            "SendTaskSuccess", self._sfn.send_task_success, taskToken=token, output=output
        )

    async def send_task_failure(self, token: str, error: str = "", cause: str = "") -> None:
        kw: dict[str, Any] = {"taskToken": token}
        if error:
            kw["error"] = error
        if cause:
            kw["cause"] = cause
        await self._call("SendTaskFailure", self._sfn.send_task_failure, **kw)

    async def send_task_heartbeat(self, token: str) -> None:
        await self._call("SendTaskHeartbeat", self._sfn.send_task_heartbeat, taskToken=token)

    # IAM --------------------------------------------------------------------------

    async def get_role(self, name: str) -> Role | None:
        try:
            item = await self._call("GetRole", self._iam.get_role, RoleName=name)
        except NotFound:
            return None
        return Role(name=item["Role"]["RoleName"], arn=item["Role"]["Arn"])

    async def list_states_roles(self) -> list[Role]:
        """Roles whose trust policy lets Step Functions assume them."""
        roles: list[Role] = []
        kw: dict[str, Any] = {"MaxItems": 1000}
        while True:
            page = await self._call("ListRoles", self._iam.list_roles, **kw)
            for role in page.get("Roles", []):
                if trusts_states(role.get("AssumeRolePolicyDocument")):
                    roles.append(Role(name=role["RoleName"], arn=role["Arn"]))
            if not page.get("IsTruncated"):
                return roles
            kw["Marker"] = page["Marker"]

    async def create_states_role(self, name: str) -> Role:
        item = await self._call(
            "CreateRole",
            self._iam.create_role,
            RoleName=name,
            AssumeRolePolicyDocument=json.dumps(STATES_TRUST_POLICY),
            Description="Lets AWS Step Functions run state machines (created by sfn-tui)",
        )
        return Role(name=item["Role"]["RoleName"], arn=item["Role"]["Arn"])

    async def delete_role(self, name: str) -> None:
        await self._call("DeleteRole", self._iam.delete_role, RoleName=name)

    async def put_role_policy(self, role: str, policy_name: str, document: dict[str, Any]) -> None:
        """An inline policy on a role (what the role may do)."""
        await self._call(
            "PutRolePolicy",
            self._iam.put_role_policy,
            RoleName=role,
            PolicyName=policy_name,
            PolicyDocument=json.dumps(document),
        )

    async def delete_role_policies(self, role: str) -> None:
        """Every inline policy of a role (IAM refuses to delete a role that has any)."""
        page = await self._call("ListRolePolicies", self._iam.list_role_policies, RoleName=role)
        for name in page.get("PolicyNames", []):
            await self._call(
                "DeleteRolePolicy", self._iam.delete_role_policy, RoleName=role, PolicyName=name
            )

    # Queues (the human-approval workflow's callback queue) ------------------------

    async def _sqs(self) -> Any:
        """An SQS client, opened on first use and closed with the others."""
        return await self._extra_client(
            "sqs", "_sqs_client", self.settings.read_timeout, retry=True
        )

    async def find_queue(self, name: str) -> str | None:
        """The URL of the queue called `name`, or None."""
        sqs = await self._sqs()
        try:
            item = await self._call("GetQueueUrl", sqs.get_queue_url, QueueName=name)
        except NotFound:
            return None
        return str(item["QueueUrl"])

    async def create_queue(self, name: str) -> str:
        sqs = await self._sqs()
        item = await self._call("CreateQueue", sqs.create_queue, QueueName=name)
        return str(item["QueueUrl"])

    async def queue_arn(self, url: str) -> str:
        sqs = await self._sqs()
        item = await self._call(
            "GetQueueAttributes",
            sqs.get_queue_attributes,
            QueueUrl=url,
            AttributeNames=["QueueArn"],
        )
        return str(item["Attributes"]["QueueArn"])

    async def delete_queue(self, url: str) -> None:
        sqs = await self._sqs()
        await self._call("DeleteQueue", sqs.delete_queue, QueueUrl=url)

    async def receive_messages(
        self, queue_url: str, max_messages: int, visibility_timeout: int, wait_seconds: int
    ) -> list[dict[str, Any]]:
        """Messages (MessageId, ReceiptHandle, Body), hidden from other consumers for
        `visibility_timeout` seconds (core/queue_tokens.py reads callback tokens)."""
        sqs = await self._sqs()
        item = await self._call(
            "ReceiveMessage",
            sqs.receive_message,
            QueueUrl=queue_url,
            MaxNumberOfMessages=max_messages,
            VisibilityTimeout=visibility_timeout,
            WaitTimeSeconds=wait_seconds,
        )
        return list(item.get("Messages", []))

    async def change_message_visibility(
        self, queue_url: str, receipt_handle: str, seconds: int
    ) -> None:
        """Hide a received message from other consumers for `seconds` from now (0: let
        them have it now)."""
        sqs = await self._sqs()
        await self._call(
            "ChangeMessageVisibility",
            sqs.change_message_visibility,
            QueueUrl=queue_url,
            ReceiptHandle=receipt_handle,
            VisibilityTimeout=seconds,
        )

    async def delete_message(self, queue_url: str, receipt_handle: str) -> None:
        sqs = await self._sqs()
        await self._call(
            "DeleteMessage", sqs.delete_message, QueueUrl=queue_url, ReceiptHandle=receipt_handle
        )


class HeartbeatSender:
    """One Step Functions client that only sends SendTaskHeartbeat: the heartbeat
    thread's (core/heartbeats.py). One botocore client, not the three of
    StepFunctionsClient: it opens quickly, whatever the UI thread is doing."""

    def __init__(self, connection: Connection, settings: ClientSettings) -> None:
        self.connection = connection
        self.settings = settings
        self._stack = AsyncExitStack()
        self._sfn: Any = None

    async def __aenter__(self) -> HeartbeatSender:
        from sfn_tui.aws.sessions import new_session

        config = client_config(self.settings, self.settings.read_timeout)
        session = new_session(self.connection.profile)
        self._sfn = await self._stack.enter_async_context(
            session.create_client("stepfunctions", config=config, **client_kwargs(self.connection))
        )
        retry_log.register(self._sfn, self.settings.max_attempts)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    async def send_task_heartbeat(self, token: str) -> None:
        try:
            await self._sfn.send_task_heartbeat(taskToken=token)
        except Exception as exc:
            raise translate(
                exc, "SendTaskHeartbeat", endpoint=str(self._sfn.meta.endpoint_url)
            ) from exc
