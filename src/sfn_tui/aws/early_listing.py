"""The first listing, fetched at process start while Textual is imported.

sfn-tui's first data used to wait for Python, Textual's import, the first frame, then
aiobotocore/aiohttp's import and client set-up, all on one core (bench/run.py). Here a
forked child process, on the other core, makes the launch's first calls at once with a
light signed request: the credentials the parent resolved (botocore's chain, once),
botocore's SigV4 signer and the standard library's http.client with a hand-built
JSON-protocol request (POST /, X-Amz-Target: AWSStepFunctions.<Operation>), without
loading the service model or aiobotocore. It lists the state machines and activities
(every page) and the newest page of executions of the machine the dashboard will
select first (the first by name). The app takes the result once its first frame is up
(`EarlyListing.result`), then opens its clients and polls as before.

Anything unusual (credentials that need a network call or a prompt to resolve, a proxy,
FIPS or dual-stack endpoints, endpoint URLs from the config file, a region of no known
partition, no fork) means no early listing: the normal path then does exactly what it
did before. A failed early listing is never shown: the normal path makes the same calls
and says what is wrong in the words it always used.

No Textual here (layering); the child never writes to the terminal or the log.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import select
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sfn_tui.aws.connection import LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY, Connection
from sfn_tui.core import launch_gc

if TYPE_CHECKING:
    from sfn_tui.aws.models import Activity, ExecutionPage, StateMachine

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 10.0
WAIT = CONNECT_TIMEOUT + 2 * READ_TIMEOUT  # the parent waits at most this long
PAGE = 1000  # maxResults of the catalog listings, as the client asks
EXECUTIONS_PAGE = 100  # as the poller asks
# Credentials botocore read from the environment or a file: already final in the
# parent, no call or prompt to turn them into keys.
STATIC_METHODS = frozenset(
    {"env", "explicit", "shared-credentials-file", "config-file", "boto-config"}
)
PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY")
TARGET = "AWSStepFunctions."
MODE_VARIABLE = "SFN_TUI_EARLY_LISTING"  # "off" turns it off (bench/run.py compares)


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything the child needs: where, signed as whom, trusting which CAs."""

    url: str
    region: str
    access_key: str
    secret_key: str
    token: str | None
    ca_bundle: str | None
    connect_timeout: float = CONNECT_TIMEOUT
    read_timeout: float = READ_TIMEOUT


@dataclass(frozen=True, slots=True)
class Listing:
    machines: tuple[StateMachine, ...]
    activities: tuple[Activity, ...]
    executions: tuple[str, ExecutionPage] | None  # (machine ARN, its newest page)
    at: datetime


def endpoint_for(region: str) -> str | None:
    """The Step Functions endpoint of a region, as botocore's endpoint rules build it
    without FIPS or dual-stack: https://states.{region}.{partition's dnsSuffix}."""
    import botocore

    path = os.path.join(os.path.dirname(botocore.__file__), "data", "partitions.json")
    with open(path, encoding="utf-8") as file:
        partitions = json.load(file)["partitions"]
    chosen = None
    for partition in partitions:
        if region in partition.get("regions", {}):
            chosen = partition
            break
    if chosen is None:
        for partition in partitions:
            if re.match(partition["regionRegex"], region):
                chosen = partition
                break
    if chosen is None or not re.fullmatch(r"[a-z0-9-]+", region):
        return None
    return f"https://states.{region}.{chosen['outputs']['dnsSuffix']}"


def plan(connection: Connection, session: Any, credentials: Any) -> Plan | None:
    """The early listing for this connection, or None where it would not be exactly
    what the normal path does (see the module docstring)."""
    if os.environ.get(MODE_VARIABLE) == "off" or not hasattr(os, "fork"):
        return None
    if connection.local_engine or any(os.environ.get(v) for v in PROXY_VARIABLES):
        return None
    if connection.dummy_credentials:
        access, secret, token = LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY, None
    else:
        if credentials is None or getattr(credentials, "method", None) not in STATIC_METHODS:
            return None
        frozen = credentials.get_frozen_credentials()
        access, secret, token = frozen.access_key, frozen.secret_key, frozen.token
    ca_bundle = session.get_config_variable("ca_bundle")
    for name in ("use_fips_endpoint", "use_dualstack_endpoint"):
        if str(session.get_config_variable(name)).lower() == "true":
            return None
    url = connection.endpoint_url
    if not url:
        scoped = session.get_scoped_config()
        if "endpoint_url" in scoped or "services" in scoped:
            return None  # an endpoint from the config file: the normal path reads it
        url = endpoint_for(connection.region)
    if not url or urlsplit(url).scheme not in ("http", "https"):
        return None
    return Plan(url, connection.region, access, secret, token, ca_bundle)


# The child: signed JSON-protocol calls ---------------------------------------------


class CallFailed(Exception):
    """An early call did not answer 200 with a JSON object."""


class Caller:
    """One keep-alive connection per thread, signed requests, JSON answers."""

    def __init__(self, plan: Plan) -> None:
        from botocore.auth import SigV4Auth
        from botocore.credentials import Credentials

        self.plan = plan
        self.parts = urlsplit(plan.url)
        self.signer = SigV4Auth(
            Credentials(plan.access_key, plan.secret_key, plan.token), "states", plan.region
        )
        self.local = threading.local()

    def _connection(self) -> Any:
        import http.client

        existing = getattr(self.local, "connection", None)
        if existing is not None:
            return existing
        host, port = self.parts.hostname or "", self.parts.port
        if self.parts.scheme == "https":
            import ssl

            context = ssl.create_default_context(cafile=self.plan.ca_bundle or _certifi())
            connection: Any = http.client.HTTPSConnection(
                host, port, timeout=self.plan.connect_timeout, context=context
            )
        else:
            connection = http.client.HTTPConnection(host, port, timeout=self.plan.connect_timeout)
        connection.connect()
        connection.sock.settimeout(self.plan.read_timeout)
        self.local.connection = connection
        return connection

    def call(self, operation: str, body: dict[str, Any]) -> dict[str, Any]:
        from botocore.awsrequest import AWSRequest

        data = json.dumps(body).encode()
        path = self.parts.path or "/"
        request = AWSRequest(
            method="POST",
            url=f"{self.parts.scheme}://{self.parts.netloc}{path}",
            data=data,
            headers={
                "Content-Type": "application/x-amz-json-1.0",
                "X-Amz-Target": TARGET + operation,
            },
        )
        self.signer.add_auth(request)
        connection = self._connection()
        connection.request("POST", path, body=data, headers=dict(request.headers.items()))
        response = connection.getresponse()
        payload = response.read()
        if response.status != 200:
            raise CallFailed(f"{operation}: HTTP {response.status}")
        parsed = json.loads(payload)
        if not isinstance(parsed, dict):
            raise CallFailed(f"{operation}: not a JSON object")
        return parsed

    def every_page(self, operation: str, key: str, body: dict[str, Any]) -> list[Any]:
        items: list[Any] = []
        body = dict(body)
        while True:
            page = self.call(operation, body)
            items.extend(page.get(key) or [])
            if not page.get("nextToken"):
                return items
            body["nextToken"] = page["nextToken"]


def _certifi() -> str | None:
    """The CA bundle botocore verifies with (certifi's) when it is installed."""
    try:
        import certifi
    except ImportError:
        return None
    return str(certifi.where())


def fetch(plan: Plan) -> dict[str, Any]:
    """The launch's first calls: machines, then activities and the first machine's
    newest executions side by side. Raw answers (the parent parses them)."""
    caller = Caller(plan)
    machines = caller.every_page("ListStateMachines", "stateMachines", {"maxResults": PAGE})
    out: dict[str, Any] = {"machines": machines, "executions": None}

    def activities() -> None:
        out["activities"] = caller.every_page("ListActivities", "activities", {"maxResults": PAGE})

    errors: list[BaseException] = []

    def guarded(job: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                job()
            except BaseException as exc:  # raised again below, in this thread
                errors.append(exc)

        return run

    helper = threading.Thread(target=guarded(activities), daemon=True)
    helper.start()
    first = min(machines, key=lambda m: str(m.get("name", "")).lower(), default=None)
    if first is not None and first.get("type", "STANDARD") != "EXPRESS":
        arn = first["stateMachineArn"]
        page = caller.call(
            "ListExecutions", {"stateMachineArn": arn, "maxResults": EXECUTIONS_PAGE}
        )
        out["executions"] = {"arn": arn, "page": page}
    helper.join()
    if errors:
        raise errors[0]
    return out


Send = Callable[[dict[str, Any]], None]


def _resolve_then_fetch(profile: str | None, region: str | None, endpoint_url: str | None) -> Any:
    """The child's work at launch: resolve the connection as the parent would (the
    verdict, first), then the listing if it applies."""

    def job(send: Send) -> None:
        from sfn_tui.aws.connection import ConnectionProblem, resolve_with_credentials

        try:
            connection, session, credentials = resolve_with_credentials(
                profile=profile, region=region, endpoint_url=endpoint_url
            )
        except ConnectionProblem as problem:
            send({"problem": str(problem)})
            return
        send({"connection": asdict(connection)})
        chosen = plan(connection, session, credentials)
        if chosen is None:
            send({"ok": False, "error": "not applicable to this configuration"})
            return
        _fetch_and_send(chosen, send)

    return job


def _fetch_and_send(chosen: Plan, send: Send) -> None:
    try:
        result: dict[str, Any] = {"ok": True, **fetch(chosen)}
    except Exception as exc:  # every failure goes back to the parent, which logs it
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    send(result)


def _child(job: Callable[[Send], None], write_fd: int) -> None:
    """In the forked child: run the job, which sends JSON documents (one a line) to
    the pipe; then exit without running anything of the parent's."""
    code = 0
    try:
        launch_gc.resume()  # forked while the app's launch pauses it
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        # Nothing of the child's may reach the terminal the app draws on (a warning).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)

        def send(document: dict[str, Any]) -> None:
            view = memoryview(json.dumps(document).encode() + b"\n")
            while view:
                view = view[os.write(write_fd, view) :]

        job(send)
    except BaseException:
        code = 1  # the parent sees the pipe close early and does without
    finally:
        os._exit(code)


# The parent ------------------------------------------------------------------------


class EarlyListing:
    """A forked child making the first listing; `result()` collects it once.

    `launch` (the command): the child also resolves the connection, so that neither
    botocore's import nor the credential chain delays the first frame; `connection()`
    is its verdict. `for_plan` (tests): only the listing."""

    def __init__(self, job: Callable[[Send], None], *, verdict: bool) -> None:
        read_fd, write_fd = os.pipe()
        self.started = time.monotonic()
        pid = os.fork()
        if pid == 0:  # the child
            os.close(read_fd)
            _child(job, write_fd)
        os.close(write_fd)
        self.pid = pid
        self.read_fd = read_fd
        self._buffer = b""
        self._verdict_pending = verdict
        self._taken = False  # result() has begun (it closes the pipe and reaps)
        self._reaped = False

    @classmethod
    def for_plan(cls, chosen: Plan) -> EarlyListing:
        return cls(lambda send: _fetch_and_send(chosen, send), verdict=False)

    @classmethod
    def launch(
        cls, *, profile: str | None, region: str | None, endpoint_url: str | None
    ) -> EarlyListing | None:
        """Fork the child that resolves and lists (None: no fork here, or turned off)."""
        if os.environ.get(MODE_VARIABLE) == "off" or not hasattr(os, "fork"):
            return None
        try:
            return cls(_resolve_then_fetch(profile, region, endpoint_url), verdict=True)
        except OSError as exc:
            log.info("Early listing not started (%s)", exc)
            return None

    def _line(self, deadline: float | None) -> bytes | None:
        """The next document's bytes; None at the end of the pipe or the deadline."""
        while b"\n" not in self._buffer:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and (
                left <= 0 or not select.select([self.read_fd], [], [], left)[0]
            ):
                return None
            chunk = os.read(self.read_fd, 1 << 20)
            if not chunk:
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line

    def connection(self) -> Connection | None:
        """The child's verdict on the connection: what `resolve` returns, or its
        ConnectionProblem raised here; None when the child could not say (the caller
        then resolves itself, as without an early listing)."""
        from sfn_tui.aws.connection import ConnectionProblem

        self._verdict_pending = False
        line = self._line(None)  # resolving may take what it takes, as in the parent
        try:
            verdict = json.loads(line) if line is not None else {}
        except ValueError:
            verdict = {}
        if "problem" in verdict:
            self.close()
            raise ConnectionProblem(verdict["problem"])
        if "connection" not in verdict:
            self.close()
            return None
        return Connection(**verdict["connection"])

    def result(self, wait: float = WAIT) -> Listing | None:
        """The listing, or None (failed, or no answer within `wait` seconds: logged).
        Blocks: the app calls it in a thread."""
        if self._taken:
            return None
        self._taken = True
        deadline = time.monotonic() + wait
        try:
            if self._verdict_pending:
                self._verdict_pending = False
                self._line(deadline)
            line = self._line(deadline)
            if line is None:
                log.info("Early listing: no answer (in %.0f s); listing normally", wait)
                self._kill()
                return None
        finally:
            os.close(self.read_fd)
            self._reap()
        try:
            answer = json.loads(line)
        except ValueError:
            log.info("Early listing: the child died before answering; listing normally")
            return None
        if not answer.get("ok"):
            log.info("Early listing failed (%s); listing normally", answer.get("error"))
            return None
        try:
            listing = parse(answer)
        except (KeyError, TypeError, ValueError) as exc:
            log.info("Early listing: unexpected answer (%r); listing normally", exc)
            return None
        log.info(
            "Early listing: %d machines, %d activities in %.2f s",
            len(listing.machines),
            len(listing.activities),
            time.monotonic() - self.started,
        )
        return listing

    def close(self) -> None:
        """Abandon it (the app quits): the child is ended; a `result()` under way in
        another thread then sees the pipe close and returns None."""
        self._kill()
        if not self._taken:
            self._taken = True
            os.close(self.read_fd)
            self._reap()

    def _kill(self) -> None:
        if self._reaped:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)

    def _reap(self) -> None:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        self._reaped = True


def _when(value: Any) -> datetime:
    """A JSON-protocol timestamp (epoch seconds) as botocore parses it."""
    return datetime.fromtimestamp(float(value), UTC)


def parse(answer: dict[str, Any]) -> Listing:
    # The models are imported here, after the first frame (the parent) or in the child.
    from sfn_tui.aws.models import Activity, Execution, ExecutionPage, StateMachine

    machines = tuple(
        StateMachine.from_api({**m, "creationDate": _when(m["creationDate"])})
        for m in answer["machines"]
    )
    activities = tuple(
        Activity.from_api({**a, "creationDate": _when(a["creationDate"])})
        for a in answer["activities"]
    )
    executions = None
    if answer.get("executions"):
        raw = answer["executions"]
        page = raw["page"]
        items = []
        for e in page.get("executions") or []:
            item = {**e, "startDate": _when(e["startDate"])}
            if e.get("stopDate") is not None:
                item["stopDate"] = _when(e["stopDate"])
            items.append(Execution.from_api(item))
        executions = (raw["arn"], ExecutionPage(tuple(items), page.get("nextToken") or None))
    return Listing(machines, activities, executions, datetime.now(UTC))
