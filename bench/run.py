"""sfn-tui at scale: seeds an engine (child process) with 1,000 state machines, 10
activities and one machine with 100,000 finished executions (+100 running ones later),
then measures launch, key latency, polling, idle cost, status-change latency and the
chat round trip, beside the AWS CLI and a plain boto3 script on the same endpoint.
Prints a table with the target beside each figure and writes bench/results/latest.json.
Not part of the test run.

    .venv/bin/python bench/run.py             # about 3 minutes on 2 cores
    .venv/bin/python bench/run.py --repeat 3  # three full runs: min/median/max, "met" if all met
    .venv/bin/python bench/run.py --launch-only --repeat 3   # launch figures only
    .venv/bin/python bench/run.py --runs 2 --local-runs 1 --idle 10 --poll-seconds 20

The AWS CLI runs from its own virtualenv, bench/.venv-awscli (made on first use).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import json
import os
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

PY = sys.executable
AWSCLI_VENV = ROOT / "bench" / ".venv-awscli"
RESULTS = ROOT / "bench" / "results"
REGION = "us-east-1"
COLS, ROWS = 120, 40
POLL = 2.0
CREDS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    "AWS_PAGER": "",
}
PAINTED = "sfn-tui "  # the header's first word: in the first frame
KEY_BYTES = {
    "down": "\x1b[B",
    "up": "\x1b[A",
    "pagedown": "\x1b[6~",
    "pageup": "\x1b[5~",
    "end": "\x1b[F",
    "home": "\x1b[H",
    "right": "\x1b[C",
}
ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


def log(*parts: object) -> None:
    print("  ..", *parts, file=sys.stderr, flush=True)


async def until(pred: Any, timeout: float = 60.0) -> bool:
    """Let the app's loop run until `pred()` holds; False after `timeout` seconds."""
    deadline = time.perf_counter() + timeout
    while not pred():
        if time.perf_counter() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


async def dashboard_up(app: Any) -> None:
    """Until the dashboard has replaced the launch frame (tui/launch_frame.py): Pilot
    starts before it is mounted."""
    await until(lambda: app.dashboard_mounted)


# The engine: a child process -------------------------------------------------------


class Engine:
    """sfn_tui/local/bulk.py in a child process; `more` are further bulk.py options
    (bench/scale.py: --machines, --activities)."""

    def __init__(self, finished: int, *more: str) -> None:
        env = {**os.environ, **CREDS}
        env.pop("AWS_PROFILE", None)
        self.proc = subprocess.Popen(
            [PY, "-m", "sfn_tui.local.bulk", "--finished", str(finished), *more],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        assert self.proc.stdout is not None
        self.info: dict[str, Any] = json.loads(self.proc.stdout.readline())
        self.endpoint: str = self.info["endpoint"]

    def command(self, line: str) -> Any:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.command("quit")
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# A real launch in a pseudo-terminal ------------------------------------------------


class PtyApp:
    """`sfn-tui ...` (or `argv`) in a 120x40 pty; watches its output for text."""

    def __init__(self, args: list[str], argv: list[str] | None = None) -> None:
        env = {**os.environ, **CREDS, "TERM": "xterm-256color", "COLUMNS": str(COLS)}
        env.pop("AWS_PROFILE", None)
        env.pop("TEXTUAL", None)
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            argv or [PY, "-m", "sfn_tui", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        self.text = ""
        self.seen: dict[str, float] = {}
        self.chunks: list[float] = []  # arrival of each output chunk (since launch)

    def pump(self, timeout: float) -> None:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if ready:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            now = time.perf_counter() - self.started
            self.chunks.append(now)
            self.text += ANSI.sub("", chunk.decode("utf-8", "replace"))
            self.text = self.text[-20000:]
            for marker in list(self.watch):
                if marker not in self.seen and marker in self.text:
                    self.seen[marker] = now

    watch: tuple[str, ...] = ()

    def wait_for(self, *markers: str, timeout: float = 60.0) -> dict[str, float]:
        self.watch = tuple(set(self.watch) | set(markers))
        deadline = time.perf_counter() + timeout
        while not all(m in self.seen for m in markers) and time.perf_counter() < deadline:
            self.pump(0.05)
        return {m: self.seen.get(m, float("nan")) for m in markers}

    def idle(self, seconds: float) -> None:
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            self.pump(min(0.2, max(0.0, deadline - time.perf_counter())))

    def send(self, data: str) -> None:
        os.write(self.master, data.encode())

    def key_to_frame(self, data: str, quiet: float = 0.01, timeout: float = 2.0) -> float:
        """Send a key; seconds until the terminal has received the whole frame it
        caused (the last output chunk before `quiet` seconds without output)."""
        self.idle(0.05)  # start from a quiet terminal
        sent = time.perf_counter() - self.started
        os.write(self.master, data.encode())
        count = len(self.chunks)
        deadline = time.perf_counter() + timeout
        while len(self.chunks) == count and time.perf_counter() < deadline:
            self.pump(0.01)
        if len(self.chunks) == count:
            return timeout
        while True:
            last = self.chunks[-1]
            self.pump(quiet)
            if self.chunks[-1] == last:
                return last - sent

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def close(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
        os.close(self.master)


BARE_APP = [PY, str(ROOT / "bench" / "bare_app.py")]
BARE_PAINTED = "bare Textual app"  # bench/bare_app.py's one Static widget


def launch_figures(engine: Engine, runs: int, local_runs: int) -> dict[str, Any]:
    """Launches of sfn-tui, of the bare Textual app (the first-paint peer) and the AWS
    CLI's two listings, interleaved: each round runs all four, so a change in the
    machine's load falls on sfn-tui and on its peers alike."""
    endpoint_args = ["--endpoint-url", engine.endpoint, "--region", REGION]
    paint, data, execs, bare = [], [], [], []
    aws = ensure_awscli()
    cli_sm: list[float] = []
    cli_ex: list[float] = []
    for _ in range(runs):
        app = PtyApp(endpoint_args)
        try:
            # First paint: the first frame (header, footer, panes loading).
            t = app.wait_for(PAINTED, "aaa-bench-100k", "run-099999", timeout=60)
            paint.append(t[PAINTED])
            data.append(t["aaa-bench-100k"])
            execs.append(t["run-099999"])
        finally:
            app.close()
        peer = PtyApp([], argv=BARE_APP)
        try:
            bare.append(peer.wait_for(BARE_PAINTED, timeout=60)[BARE_PAINTED])
        finally:
            peer.close()
        if aws is not None:
            base = [str(aws), "--endpoint-url", engine.endpoint, "--region", REGION]
            cli_sm.append(timed([*base, "stepfunctions", "list-state-machines"]))
            cli_ex.append(
                timed(
                    [
                        *base,
                        "stepfunctions",
                        "list-executions",
                        "--state-machine-arn",
                        engine.info["big_machine_arn"],
                        "--max-items",
                        "100",
                    ]
                )
            )
    lpaint, ldata = [], []
    for _ in range(local_runs):
        app = PtyApp(["--local"])
        try:
            t = app.wait_for(PAINTED, "WaitThenSucceed", timeout=90)
            lpaint.append(t[PAINTED])
            ldata.append(t["WaitThenSucceed"])
        finally:
            app.close()
    out = {
        "first_paint_s": statistics.median(paint),
        "bare_first_paint_s": statistics.median(bare),
        "first_data_s": statistics.median(data),
        "first_executions_s": statistics.median(execs),
        "local_first_paint_s": statistics.median(lpaint),
        "local_first_data_s": statistics.median(ldata),
        "runs": runs,
        "local_runs": local_runs,
        "raw": {
            "paint": paint,
            "bare_paint": bare,
            "data": data,
            "executions": execs,
            "local_data": ldata,
            "cli_list_state_machines": cli_sm,
            "cli_list_executions": cli_ex,
        },
    }
    if cli_sm:
        out["cli_list_state_machines_s"] = statistics.median(cli_sm)
        out["cli_list_executions_s"] = statistics.median(cli_ex)
    return out


def idle_and_rss(
    engine: Engine, idle_seconds: float, browse_seconds: float, end_presses: int
) -> dict[str, Any]:
    """Idle CPU, key-to-frame in a real terminal, then peak RSS after browsing."""
    app = PtyApp(["--endpoint-url", engine.endpoint, "--region", REGION])
    try:
        app.wait_for("run-099999", timeout=60)
        app.idle(3.0)  # let the first catalog and executions settle
        cpu0, t0 = app.cpu_seconds(), time.perf_counter()
        app.idle(idle_seconds)
        idle_cpu = 100 * (app.cpu_seconds() - cpu0) / (time.perf_counter() - t0)
        # Key to frame in the pty: the executions pane of the 100k machine.
        app.send(KEY_BYTES["right"])
        app.idle(0.5)
        keys = ["down"] * 30 + ["pagedown"] * 10 + ["up"] * 10 + ["pageup"] * 5 + ["home"]
        moves = [app.key_to_frame(KEY_BYTES[k]) for k in keys]
        ends = []
        for _ in range(end_presses):
            ends.append(app.key_to_frame(KEY_BYTES["end"]))
            app.idle(0.4)  # the next page loads
        moves += [app.key_to_frame(KEY_BYTES[k]) for k in ["home", *keys]]
        # Browse on: End (loads a page) and PgDn, as fast as a held key.
        deadline, presses = time.perf_counter() + browse_seconds, 0
        while time.perf_counter() < deadline:
            app.send(KEY_BYTES["end"] if presses % 2 == 0 else KEY_BYTES["pagedown"])
            presses += 1
            app.idle(0.15)
        app.idle(2.0)
        return {
            "idle_cpu_pct": idle_cpu,
            "idle_seconds": idle_seconds,
            "peak_rss_mb": app.peak_rss_mb(),
            "browse_keys": presses,
            "pty_keys": {
                "cursor_p50_ms": 1000 * pct(moves, 0.5),
                "cursor_p95_ms": 1000 * pct(moves, 0.95),
                "cursor_max_ms": 1000 * max(moves),
                "end_p50_ms": 1000 * pct(ends, 0.5),
                "end_p95_ms": 1000 * pct(ends, 0.95),
                "end_max_ms": 1000 * max(ends),
                "count": len(moves) + len(ends),
            },
        }
    finally:
        app.close()


# The AWS CLI and boto3, side by side -----------------------------------------------

BOTO3_SCRIPT = """
import sys, boto3
c = boto3.client("stepfunctions", endpoint_url=sys.argv[1], region_name="us-east-1")
n = sum(len(p["stateMachines"]) for p in c.get_paginator("list_state_machines").paginate())
print("M", n, flush=True)
e = c.list_executions(stateMachineArn=sys.argv[2], maxResults=100)["executions"]
print("E", len(e), flush=True)
"""


def timed(argv: list[str]) -> float:
    env = {**os.environ, **CREDS}
    env.pop("AWS_PROFILE", None)
    started = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def boto3_times(engine: Engine) -> tuple[float, float]:
    env = {**os.environ, **CREDS}
    env.pop("AWS_PROFILE", None)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [PY, "-c", BOTO3_SCRIPT, engine.endpoint, engine.info["big_machine_arn"]],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    proc.stdout.readline()
    machines = time.perf_counter() - started
    proc.stdout.readline()
    both = time.perf_counter() - started
    proc.wait()
    return machines, both


def ensure_awscli() -> Path | None:
    aws = AWSCLI_VENV / "bin" / "aws"
    if aws.exists():
        return aws
    log("installing the AWS CLI into", AWSCLI_VENV)
    try:
        subprocess.run([PY, "-m", "venv", str(AWSCLI_VENV)], check=True)
        subprocess.run([str(AWSCLI_VENV / "bin" / "pip"), "install", "-q", "awscli"], check=True)
    except subprocess.CalledProcessError:
        return None
    return aws if aws.exists() else None


def cli_figures(engine: Engine, runs: int) -> dict[str, Any]:
    """The boto3 script (the AWS CLI is timed with the launches, interleaved)."""
    out: dict[str, Any] = {}
    b = [boto3_times(engine) for _ in range(runs)]
    out["boto3_machines_s"] = statistics.median(x[0] for x in b)
    out["boto3_machines_and_executions_s"] = statistics.median(x[1] for x in b)
    return out


# In-process measures: frames, calls, stalls --------------------------------------


@dataclass
class Probe:
    frames: list[float] = field(default_factory=list)  # perf_counter of each frame
    wall_frames: list[float] = field(default_factory=list)  # time.time of each frame
    calls: Counter[str] = field(default_factory=Counter)
    stalls: list[float] = field(default_factory=list)
    stall_ends: list[float] = field(default_factory=list)
    running: bool = True
    # Named conditions checked at every frame: the time of the first frame drawn with
    # the condition true (the frame that shows it), by name.
    watches: dict[str, Callable[[], bool]] = field(default_factory=dict)
    seen: dict[str, float] = field(default_factory=dict)

    def frame_after(self, t: float) -> float | None:
        index = bisect_left(self.frames, t)
        return self.frames[index] if index < len(self.frames) else None


def install_probe(app: Any, probe: Probe) -> None:
    original = app._display

    def display(screen: Any, renderable: Any) -> None:
        original(screen, renderable)
        if renderable is not None:
            now = time.perf_counter()
            probe.frames.append(now)
            probe.wall_frames.append(time.time())
            for name, condition in list(probe.watches.items()):
                if name not in probe.seen and condition():
                    probe.seen[name] = now

    app._display = display


def count_calls(probe: Probe) -> None:
    from sfn_tui.aws.client import StepFunctionsClient

    original = StepFunctionsClient._call

    async def _call(self: Any, operation: str, method: Any, **kw: Any) -> Any:
        probe.calls[operation] += 1
        return await original(self, operation, method, **kw)

    StepFunctionsClient._call = _call  # type: ignore[method-assign]


async def stall_monitor(probe: Probe, step: float = 0.01) -> None:
    while probe.running:
        before = time.perf_counter()
        await asyncio.sleep(step)
        probe.stalls.append(time.perf_counter() - before - step)
        probe.stall_ends.append(time.perf_counter())


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def key_latency(pilot: Any, probe: Probe, keys: list[str]) -> list[float]:
    out = []
    for key in keys:
        await pilot.pause()
        t0 = time.perf_counter()
        await pilot.press(key)
        deadline = t0 + 2.0
        while (f := probe.frame_after(t0)) is None and time.perf_counter() < deadline:
            await asyncio.sleep(0.002)
        out.append((f if f is not None else time.perf_counter()) - t0)
    return out


async def in_process(engine: Engine, poll_seconds: float, end_presses: int) -> dict[str, Any]:
    import boto3

    from sfn_tui.aws.connection import Connection
    from sfn_tui.tui.app import SfnTuiApp
    from sfn_tui.tui.screens.chat import ChatScreen
    from sfn_tui.tui.widgets.conversation import ConversationView

    probe = Probe()
    count_calls(probe)
    connection = Connection(region=REGION, endpoint_url=engine.endpoint, dummy_credentials=True)
    app = SfnTuiApp(
        connection, poll_interval=POLL, worked_activities=frozenset({"ChatSFNActivity"})
    )
    out: dict[str, Any] = {}
    async with app.run_test(size=(COLS, ROWS)) as pilot:
        install_probe(app, probe)
        await dashboard_up(app)
        dash = app.dashboard
        big = engine.info["big_machine_arn"]

        await until(lambda: dash.watched is not None and dash.watched.arn == big)
        await until(lambda: len(dash.executions.items) >= 100)
        dash.executions.focus()
        await pilot.pause()

        # 2. keypress -> frame, on the first page, then after many End presses.
        keys = ["down"] * 30 + ["pagedown"] * 10 + ["up"] * 10 + ["pageup"] * 5 + ["home"]
        first = await key_latency(pilot, probe, keys)
        ends, page_loads = [], []
        for _ in range(end_presses):
            rows = len(dash.executions.items)
            t0 = time.perf_counter()
            ends += await key_latency(pilot, probe, ["end"])
            if await until(lambda r=rows: len(dash.executions.items) > r, 30):
                page_loads.append(time.perf_counter() - t0)
        rows_loaded = len(dash.executions.items)
        later = await key_latency(pilot, probe, ["home", *keys])
        moves = first + later
        out["keys"] = {
            "cursor_p50_ms": 1000 * pct(moves, 0.5),
            "cursor_p95_ms": 1000 * pct(moves, 0.95),
            "cursor_max_ms": 1000 * max(moves),
            "first_page_p95_ms": 1000 * pct(first, 0.95),
            "after_ends_p95_ms": 1000 * pct(later, 0.95),
            "end_p50_ms": 1000 * pct(ends, 0.5),
            "end_p95_ms": 1000 * pct(ends, 0.95),
            "end_max_ms": 1000 * max(ends),
            "end_next_page_p50_ms": 1000 * pct(page_loads, 0.5),
            "end_next_page_max_ms": 1000 * max(page_loads) if page_loads else float("nan"),
            "all_p50_ms": 1000 * pct(moves + ends, 0.5),
            "all_p95_ms": 1000 * pct(moves + ends, 0.95),
            "all_max_ms": 1000 * max(moves + ends),
            "rows_loaded": rows_loaded,
            "total_rows": 100_000,
        }
        await pilot.press("home")
        await pilot.pause()

        # 3 and 5. polling while 100 running executions finish over time.
        started = engine.command(f"start-running 100 {poll_seconds * 0.6:.0f}")
        log("started", started["started"], "running executions")
        live: dict[str, float] = {}  # execution -> when the table first held its final status
        table = dash.executions
        original_sync = table.sync

        def sync(items: Any, *, complete: bool = True) -> bool:
            changed = original_sync(items, complete=complete)
            now = time.time()
            for arn, item in table.items.items():
                if ":live-" in arn and item.status != "RUNNING" and arn not in live:
                    live[arn] = now
            return changed

        table.sync = sync  # type: ignore[method-assign]
        probe.calls.clear()
        probe.stalls.clear()
        probe.stall_ends.clear()
        probe.running = True
        monitor = asyncio.create_task(stall_monitor(probe))
        cpu0, t0 = time.process_time(), time.perf_counter()
        await asyncio.sleep(poll_seconds)
        elapsed = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        probe.running = False
        await monitor
        table.sync = original_sync  # type: ignore[method-assign]
        ticks = max(1, probe.calls["ListExecutions"])
        total = sum(probe.calls.values())
        out["polling"] = {
            "seconds": elapsed,
            "ticks": ticks,
            "calls": dict(probe.calls),
            "calls_per_tick": {op: n / ticks for op, n in probe.calls.items()},
            "calls_per_second": total / elapsed,
            "describe_execution_calls": probe.calls.get("DescribeExecution", 0),
            "longest_stall_ms": 1000 * max(probe.stalls, default=0.0),
            "longest_stall_at_s": (
                probe.stall_ends[probe.stalls.index(max(probe.stalls))] - t0
                if probe.stalls
                else float("nan")
            ),
            "stalls_over_50ms": sum(1 for x in probe.stalls if x > 0.05),
            "cpu_ms_per_tick": 1000 * cpu / ticks,
            "cpu_pct": 100 * cpu / elapsed,
        }
        stops = engine.command("stopped")
        lat = []
        for arn, seen in live.items():
            stop = stops.get(arn)
            if stop is None:
                continue
            # On screen: the first frame drawn after the table held the final status.
            frames = [w for w in probe.wall_frames if w >= seen]
            lat.append((frames[0] if frames else seen) - stop)
        out["status_change"] = {
            "finished": sum(1 for v in stops.values() if v is not None),
            "seen": len(lat),
            "p50_ms": 1000 * pct(lat, 0.5),
            "p95_ms": 1000 * pct(lat, 0.95),
            "max_ms": 1000 * max(lat) if lat else float("nan"),
        }

        # 6. chat round trip: an action chosen -> the next ChatSFN message on screen.
        sfn = boto3.client(
            "stepfunctions",
            endpoint_url=engine.endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        run = await asyncio.to_thread(
            sfn.start_execution,
            stateMachineArn=engine.info["chat_machine_arn"],
            name=f"bench-chat-{int(time.time())}",
            input=json.dumps({"name": "Bench"}),
        )
        app.action_chat(run["executionArn"])
        await until(
            lambda: isinstance(app.screen, ChatScreen) and bool(app.screen.query(ConversationView))
        )
        chat = app.screen
        conversation = chat.query_one(ConversationView)

        def ready(message: str, times: int = 1) -> bool:
            # The message is in the conversation (`times` times) and its actions can be chosen.
            return conversation.text.count(message) >= times and bool(
                chat.check_action("choose", (0,))
            )

        first_ready = await until(lambda: ready("Hello, Bench!"), 60)
        trips, ready_trips = [], []
        script = [
            ("1", "My song has no tune"),
            ("2", "This is my poem"),
            ("3", "This story has neither"),
        ] * 3
        for key, message in script if first_ready else []:
            times = conversation.text.count(message) + 1
            await pilot.pause()
            # Timed from the key to the first frame drawn with the message (and with its
            # actions choosable), seen by the frame hook. The key is pressed without
            # awaiting Pilot's idle wait, which lasts as long as the app stays busy.
            probe.seen.clear()
            probe.watches = {
                "shown": lambda m=message, n=times: conversation.text.count(m) >= n,
                "ready": lambda m=message, n=times: ready(m, n),
            }
            t0 = time.perf_counter()
            pressing = asyncio.create_task(pilot.press(key))
            done = await until(lambda: "ready" in probe.seen, 30)
            await pressing
            probe.watches = {}
            trips.append(probe.seen.get("shown", time.perf_counter()) - t0)
            ready_trips.append(probe.seen["ready"] - t0 if done else time.perf_counter() - t0)
        out["chat"] = {
            "p50_ms": 1000 * pct(trips, 0.5) if trips else float("nan"),
            "max_ms": 1000 * max(trips) if trips else float("nan"),
            "ready_p50_ms": 1000 * pct(ready_trips, 0.5) if ready_trips else float("nan"),
            "ready_max_ms": 1000 * max(ready_trips) if ready_trips else float("nan"),
            "trips": len(trips),
        }
        if first_ready:
            await pilot.press("4")
    return out


# Report ---------------------------------------------------------------------------


Row = tuple[str, str, str, bool | None]


def launch_rows(r: dict[str, Any]) -> list[Row]:
    """Launch figures: first paint beside the bare Textual app's, first data beside
    the AWS CLI's and a boto3 script's, all measured in this run."""
    L, cli = r["launch"], r["cli"]
    rows: list[Row] = []

    def add(name: str, value: str, target: str, ok: bool | None) -> None:
        rows.append((name, value, target, ok))

    add("first paint (endpoint)", f"{L['first_paint_s']:.2f} s", "(info)", None)
    add("first paint: bare Textual app (peer)", f"{L['bare_first_paint_s']:.2f} s", "(info)", None)
    paint_ratio = L["first_paint_s"] / L["bare_first_paint_s"]
    add("ratio first paint sfn-tui / bare app", f"{paint_ratio:.2f}", "≤ 1.2", paint_ratio <= 1.2)
    add("first data: machines (endpoint)", f"{L['first_data_s']:.2f} s", "(info)", None)
    add("first data: executions (endpoint)", f"{L['first_executions_s']:.2f} s", "(info)", None)
    local_ratio = L["local_first_paint_s"] / L["bare_first_paint_s"]
    add("first paint (--local)", f"{L['local_first_paint_s']:.2f} s", "(info)", None)
    add("ratio first paint --local / bare app", f"{local_ratio:.2f}", "≤ 1.2", local_ratio <= 1.2)
    add(
        "first data (--local, engine start)",
        f"{L['local_first_data_s']:.2f} s",
        "≤ 3 s",
        L["local_first_data_s"] <= 3.0,
    )
    if "cli_list_state_machines_s" in L:
        ratio = L["first_data_s"] / L["cli_list_state_machines_s"]
        add(
            "aws CLI list-state-machines",
            f"{L['cli_list_state_machines_s']:.2f} s",
            "(info)",
            None,
        )
        add(
            "aws CLI list-executions --max-items 100",
            f"{L['cli_list_executions_s']:.2f} s",
            "(info)",
            None,
        )
        add("ratio first data sfn-tui / CLI (machines)", f"{ratio:.2f}", "≤ 1.0", ratio <= 1.0)
        both = L["cli_list_state_machines_s"] + L["cli_list_executions_s"]
        ratio2 = L["first_executions_s"] / both
        add("ratio sfn-tui executions / CLI (both cmds)", f"{ratio2:.2f}", "≤ 1.0", ratio2 <= 1.0)
    add("boto3 script: machines", f"{cli['boto3_machines_s']:.2f} s", "(info)", None)
    add(
        "boto3 script: machines + executions",
        f"{cli['boto3_machines_and_executions_s']:.2f} s",
        "(info)",
        None,
    )
    add(
        "ratio sfn-tui / boto3 (machines)",
        f"{L['first_data_s'] / cli['boto3_machines_s']:.2f}",
        "(info)",
        None,
    )
    return rows


def report(r: dict[str, Any]) -> list[Row]:
    rows = launch_rows(r)
    if "keys" not in r:  # --launch-only
        return rows
    K, P, S, C = r["keys"], r["polling"], r["status_change"], r["chat"]
    idle = r["idle"]

    def add(name: str, value: str, target: str, ok: bool | None) -> None:
        rows.append((name, value, target, ok))

    add(
        "key→frame (frame hook) moves p50/p95/max",
        f"{K['cursor_p50_ms']:.0f}/{K['cursor_p95_ms']:.0f}/{K['cursor_max_ms']:.0f} ms",
        "p95 ≤ 50 ms",
        K["cursor_p95_ms"] <= 50,
    )
    add(
        "key→frame (frame hook) End p50/p95/max",
        f"{K['end_p50_ms']:.0f}/{K['end_p95_ms']:.0f}/{K['end_max_ms']:.0f} ms",
        "p95 ≤ 50 ms",
        K["end_p95_ms"] <= 50,
    )
    if "pty_keys" in idle:
        T = idle["pty_keys"]
        add(
            "key→frame in a real pty: moves p50/p95/max",
            f"{T['cursor_p50_ms']:.0f}/{T['cursor_p95_ms']:.0f}/{T['cursor_max_ms']:.0f} ms",
            "p95 ≤ 50 ms",
            T["cursor_p95_ms"] <= 50,
        )
        add(
            "key→frame in a real pty: End p50/p95/max",
            f"{T['end_p50_ms']:.0f}/{T['end_p95_ms']:.0f}/{T['end_max_ms']:.0f} ms",
            "p95 ≤ 50 ms",
            T["end_p95_ms"] <= 50,
        )
    add(
        "key→frame (frame hook) all keys p50/p95/max",
        f"{K['all_p50_ms']:.0f}/{K['all_p95_ms']:.0f}/{K['all_max_ms']:.0f} ms",
        "p95 ≤ 50 ms",
        K["all_p95_ms"] <= 50,
    )
    add(
        "End → next page on screen p50/max",
        f"{K['end_next_page_p50_ms']:.0f}/{K['end_next_page_max_ms']:.0f} ms "
        f"({K['rows_loaded']} of {K['total_rows']} rows loaded)",
        "(info)",
        None,
    )
    add(
        "longest event-loop stall while polling",
        f"{P['longest_stall_ms']:.0f} ms (at {P['longest_stall_at_s']:.1f} s;"
        f" {P['stalls_over_50ms']} over 50 ms)",
        "≤ 50 ms",  # issue 17: half the first target (a stall is a frozen cursor)
        P["longest_stall_ms"] <= 50,
    )
    per_tick = ", ".join(f"{op} {n:.2f}" for op, n in sorted(P["calls_per_tick"].items()))
    add(
        "API calls per refresh",
        per_tick,
        "≤ 1 ListExecutions/machine",
        P["calls_per_tick"].get("ListExecutions", 0) <= 1.0,
    )
    add(
        "DescribeExecution calls while polling",
        str(P["describe_execution_calls"]),
        "0",
        P["describe_execution_calls"] == 0,
    )
    add(
        "API calls per second", f"{P['calls_per_second']:.2f}", "≤ 1 /s", P["calls_per_second"] <= 1
    )
    add(
        "CPU per tick while polling",
        f"{P['cpu_ms_per_tick']:.1f} ms ({P['cpu_pct']:.1f} %)",
        "(info)",
        None,
    )
    add(
        f"idle CPU ({idle['idle_seconds']:.0f} s, poller on)",
        f"{idle['idle_cpu_pct']:.2f} %",
        "≤ 1 %",
        idle["idle_cpu_pct"] <= 1.0,
    )
    add(
        "peak RSS (endpoint, 100k browsed)",
        f"{idle['peak_rss_mb']:.0f} MB",
        "≤ 150 MB",
        idle["peak_rss_mb"] <= 150,
    )
    limit = POLL * 1000 + 250
    add(
        "status-change latency p50/p95/max",
        f"{S['p50_ms']:.0f}/{S['p95_ms']:.0f}/{S['max_ms']:.0f} ms ({S['seen']} runs)",
        f"≤ {limit:.0f} ms",
        S["max_ms"] <= limit,
    )
    add(
        f"chat round trip p50/max ({C['trips']} answers)",
        f"{C['p50_ms']:.0f}/{C['max_ms']:.0f} ms",
        "≤ 300 ms",
        C["max_ms"] <= 300,
    )
    add(
        "chat: answer → next actions choosable p50/max",
        f"{C['ready_p50_ms']:.0f}/{C['ready_max_ms']:.0f} ms",
        "(info)",
        None,
    )
    return rows


def compile_sources() -> None:
    """Byte-compile the sfn_tui the launches import, as `pip install` does: with
    PYTHONDONTWRITEBYTECODE set (some shells and CI), an editable install would compile
    every module at every launch, while the bare app's Textual comes compiled."""
    where = subprocess.run(
        [PY, "-c", "import os, sfn_tui; print(os.path.dirname(sfn_tui.__file__))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    subprocess.run([PY, "-m", "compileall", "-q", where], check=True)


def run_once(args: argparse.Namespace) -> dict[str, Any]:
    """One full bench run (or its launch part): the results, with the table."""
    started = time.perf_counter()
    load_before = os.getloadavg()
    log(f"load average at start {load_before[0]:.2f} (1 min), {load_before[1]:.2f} (5 min)")
    log("seeding the engine (child process)")
    engine = Engine(args.finished)
    log("engine", engine.endpoint, f"seeded in {engine.info['seed_seconds']:.1f} s")
    results: dict[str, Any] = {
        "seed_seconds": engine.info["seed_seconds"],
        "cpus": os.cpu_count(),
        "load_before": load_before,
    }
    try:
        log("launch figures")
        results["launch"] = launch_figures(engine, args.runs, args.local_runs)
        log("boto3")
        results["cli"] = cli_figures(engine, args.runs)
        if not args.launch_only:
            log("idle CPU and peak RSS")
            results["idle"] = idle_and_rss(
                engine, args.idle, browse_seconds=20.0, end_presses=args.end_presses
            )
            log("keys, polling, status changes, chat (in process)")
            results.update(asyncio.run(in_process(engine, args.poll_seconds, args.end_presses)))
    finally:
        engine.close()
    results["bench_seconds"] = time.perf_counter() - started
    results["load_after"] = os.getloadavg()
    rows = report(results)
    if getattr(args, "scale", False) and not args.launch_only:
        from scale import scale_figures, scale_rows  # bench/scale.py: 10,000 machines

        results["scale"] = scale_figures()
        rows += scale_rows(results["scale"])
    results["table"] = [{"figure": n, "value": v, "target": t, "met": ok} for n, v, t, ok in rows]
    return results


def print_table(results: dict[str, Any]) -> None:
    rows = results["table"]
    width = max(len(r["figure"]) for r in rows)
    vwidth = max(len(r["value"]) for r in rows)
    print(f"\n{'figure':<{width}}  {'measured':<{vwidth}}  {'target':<28}  met")
    for r in rows:
        mark = "—" if r["met"] is None else ("yes" if r["met"] else "NO")
        print(f"{r['figure']:<{width}}  {r['value']:<{vwidth}}  {r['target']:<28}  {mark}")
    before, after = results["load_before"], results["load_after"]
    print(
        f"\n(bench took {results['bench_seconds']:.0f} s on {results['cpus']} CPUs; load average"
        f" {before[0]:.2f} before, {after[0]:.2f} after (1 min), {after[1]:.2f} (5 min);"
        f" engine seeded in {results['seed_seconds']:.1f} s)"
    )


NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def spread(values: list[str]) -> tuple[str, str, str]:
    """min, median and max of the runs' values, number by number: "5/42/144 ms" in
    three runs gives three strings of that form (the first run's text around them)."""
    numbers = [NUMBER.findall(v) for v in values]
    if not numbers[0] or any(len(n) != len(numbers[0]) for n in numbers):
        return values[0], values[len(values) // 2], values[-1]
    decimals = [len(x.split(".")[1]) if "." in x else 0 for x in numbers[0]]
    out = []
    for pick in (min, statistics.median, max):
        picked = [pick(float(n[i]) for n in numbers) for i in range(len(numbers[0]))]
        texts = iter(f"{v:.{d}f}" for v, d in zip(picked, decimals, strict=True))
        out.append(NUMBER.sub(lambda _m, t=texts: next(t), values[0]))
    return out[0], out[1], out[2]


def print_summary(runs: list[dict[str, Any]]) -> None:
    """Per figure: min, median and max over the runs; met only if every run met it."""
    tables = [r["table"] for r in runs]
    names = [row["figure"] for row in tables[0]]
    lines = []
    for index, name in enumerate(names):
        rows = [t[index] for t in tables if index < len(t) and t[index]["figure"] == name]
        low, mid, high = spread([row["value"] for row in rows])
        oks = [row["met"] for row in rows]
        if oks[0] is None:
            mark = "—"
        else:
            mark = "yes" if all(oks) and len(oks) == len(runs) else f"NO ({oks.count(False)})"
        lines.append((name, low, mid, high, rows[0]["target"], mark))
    widths = [max(len(line[i]) for line in lines) for i in range(5)]
    heads = ("figure", "min", "median", "max", "target")
    print(f"\n{len(runs)} runs: min / median / max; met = met in every run")
    print("  ".join(f"{h:<{w}}" for h, w in zip(heads, widths, strict=True)) + "  met")
    for line in lines:
        print(
            "  ".join(f"{x:<{w}}" for x, w in zip(line[:5], widths, strict=True)) + "  " + line[5]
        )
    loads = ", ".join(f"{r['load_before'][0]:.2f}→{r['load_after'][0]:.2f}" for r in runs)
    print(f"(load average, 1 min, at start→end of each run: {loads})")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5, help="launches per launch figure")
    parser.add_argument("--local-runs", type=int, default=3)
    parser.add_argument("--finished", type=int, default=100_000)
    parser.add_argument("--idle", type=float, default=30.0, help="seconds of idle CPU")
    parser.add_argument("--poll-seconds", type=float, default=60.0)
    parser.add_argument("--end-presses", type=int, default=20)
    parser.add_argument(
        "--repeat", type=int, default=1, help="whole bench runs in a row (the issue's 3)"
    )
    parser.add_argument(
        "--launch-only", action="store_true", help="only the launch figures (and their peers)"
    )
    parser.add_argument(
        "--scale", action="store_true", help="also 10,000 machines (bench/scale.py)"
    )
    args = parser.parse_args()

    RESULTS.mkdir(parents=True, exist_ok=True)
    compile_sources()
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    runs = []
    for index in range(args.repeat):
        if args.repeat > 1:
            log(f"run {index + 1} of {args.repeat}")
        results = run_once(args)
        runs.append(results)
        print_table(results)
        name = f"{stamp}-run{index + 1}of{args.repeat}.json"
        (RESULTS / name).write_text(json.dumps(results, indent=2, default=str))
        print(f"wrote {RESULTS / name}")
    (RESULTS / "latest.json").write_text(
        json.dumps(runs[0] if len(runs) == 1 else {"runs": runs}, indent=2, default=str)
    )
    if len(runs) > 1:
        print_summary(runs)
    print(f"wrote {RESULTS / 'latest.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
