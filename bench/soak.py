"""Soak run: the app polling a local engine for N minutes while executions start and
finish continuously and activity tasks (ChatSFN and a generic one) are answered.

    python bench/soak.py                 # 30 minutes
    python bench/soak.py --minutes 3     # a short check

Three processes: the engine (`sfn-tui local-server`), a driver starting executions
with boto3 (as any other client would), and this one, which runs the real app headless
(Textual's run_test) and answers the tasks the app claims through its inbox, the way
the chat pane does. Every minute it also opens the chat pane and an execution's detail
and closes them again. Only this process's memory is measured: RSS (from
/proc/self/status) after a warm-up and at the end. Errors counted: error notifications
the app shows, ERROR log records, exceptions no task retrieved, and a crash of the app.

Two hostile rounds run alongside: every tour also types a 1 MB text into the start
modal's input editor as a terminal without bracketed paste does (runs of 4 KiB; the
editor must refuse what passes AWS's 256 KiB, once, and stay usable); and every
`--signal-every` seconds a real `sfn-tui` process in a pty claims the tasks of a few
runs of its own and is ended by a signal (SIGTERM, SIGHUP by closing its terminal,
SIGINT, SIGQUIT in turn): every one of those runs must end FAILED with
Worker.Shutdown and the process must exit.

Prints the figures and writes bench/results/soak.json. Targets: RSS growth <= 10 MB,
zero unhandled errors, no paste let through, no claimed task lost to a signal.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import pty
import select
import signal
import subprocess
import sys
import threading
import time
import tracemalloc
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

REGION = "us-east-1"
CREDENTIALS = {"aws_access_key_id": "soak", "aws_secret_access_key": "soak"}
RESULTS = Path(__file__).resolve().parent / "results" / "soak.json"
SOAK_ACTIVITY = "SoakActivity"
SIGNAL_ACTIVITY = "SoakSignals"
SIGNAL_RUNS = 3  # runs a signalled app claims before it is ended
PASTE_BYTES = 1024 * 1024
MAX_RSS_GROWTH_MB = 10.0
TRACE: dict[str, Any] = {}  # --tracemalloc: where memory grew after the warm-up

SOAK_WAIT = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Result": {"ok": True}, "Next": "Hold"},
        "Hold": {"Type": "Wait", "Seconds": 1, "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}
SOAK_FAIL = {
    "StartAt": "Boom",
    "States": {"Boom": {"Type": "Fail", "Error": "Soak.Failed", "Cause": "on purpose"}},
}


def soak_task(activity_arn: str) -> dict[str, Any]:
    return {
        "StartAt": "Review",
        "States": {
            "Review": {
                "Type": "Task",
                "Resource": activity_arn,
                "TimeoutSeconds": 300,
                "End": True,
            }
        },
    }


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


# The driver (a separate process) -----------------------------------------------------


def sfn_client(endpoint: str) -> Any:
    import boto3

    return boto3.client("stepfunctions", endpoint_url=endpoint, region_name=REGION, **CREDENTIALS)


def setup_machines(endpoint: str) -> dict[str, str]:
    sfn = sfn_client(endpoint)
    role = "arn:aws:iam::123456789012:role/sfn-tui-soak"
    activity = sfn.create_activity(name=SOAK_ACTIVITY)["activityArn"]
    arns = {}
    signals = sfn.create_activity(name=SIGNAL_ACTIVITY)["activityArn"]
    for name, definition in (
        ("SoakWait", SOAK_WAIT),
        ("SoakFail", SOAK_FAIL),
        ("SoakTask", soak_task(activity)),
        ("SoakSignals", soak_task(signals)),
    ):
        arns[name] = sfn.create_state_machine(
            name=name, definition=json.dumps(definition), roleArn=role
        )["stateMachineArn"]
    chat = next(m for m in sfn.list_state_machines()["stateMachines"] if m["name"] == "ChatSFN")
    arns["ChatSFN"] = chat["stateMachineArn"]
    return arns


def drive(endpoint: str, seconds: float) -> int:
    """Start executions until `seconds` pass; print a JSON count per machine."""
    sfn = sfn_client(endpoint)
    arns = {m["name"]: m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]}
    every = {"SoakWait": 2.0, "SoakFail": 10.0, "SoakTask": 5.0, "ChatSFN": 30.0}
    due = dict.fromkeys(every, 0.0)
    started: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    begin = time.monotonic()
    while (now := time.monotonic() - begin) < seconds:
        for name, period in every.items():
            if now >= due[name]:
                due[name] = now + period
                body = {"name": "Soak"} if name == "ChatSFN" else {"n": started[name]}
                try:
                    sfn.start_execution(
                        stateMachineArn=arns[name],
                        name=f"soak-{started[name]}-{uuid.uuid4().hex[:8]}",
                        input=json.dumps(body),
                    )
                    started[name] += 1
                except Exception as error:
                    errors[type(error).__name__] += 1
        time.sleep(0.2)
    print(json.dumps({"started": dict(started), "errors": dict(errors)}), flush=True)
    return 0


# Signals: a real sfn-tui in a pty, ended by a signal ----------------------------------

SIGNALS = ("SIGTERM", "SIGHUP", "SIGINT", "SIGQUIT")


def _drain(fd: int, stop: threading.Event) -> None:
    while not stop.is_set():
        if select.select([fd], [], [], 0.1)[0]:
            try:
                if not os.read(fd, 65536):
                    return
            except OSError:
                return


def signal_round(endpoint: str, how: str) -> dict[str, Any]:
    """Start SIGNAL_RUNS runs, let a fresh `sfn-tui` claim their tasks, end it with
    `how` (SIGHUP: its terminal closed); say how every run ended."""
    sfn = sfn_client(endpoint)
    machines = {m["name"]: m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]}
    runs = [
        sfn.start_execution(
            stateMachineArn=machines["SoakSignals"], name=f"signal-{uuid.uuid4().hex[:12]}"
        )["executionArn"]
        for _ in range(SIGNAL_RUNS)
    ]
    env = dict(os.environ, TERM="xterm-256color", AWS_ACCESS_KEY_ID="soak")
    env["AWS_SECRET_ACCESS_KEY"] = "soak"
    argv = [sys.executable, "-m", "sfn_tui", "--endpoint-url", endpoint, "--region", REGION]
    argv += ["--work", SIGNAL_ACTIVITY]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(argv[0], argv, env)
    stop = threading.Event()
    drain = threading.Thread(target=_drain, args=(fd, stop), daemon=True)
    drain.start()

    def claimed(run: str) -> bool:
        events = sfn.get_execution_history(executionArn=run)["events"]
        return any(e["type"] == "ActivityStarted" for e in events)

    outcome: dict[str, Any] = {"signal": how, "claimed": False, "exited": False}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not all(map(claimed, runs)):
        time.sleep(0.2)
    outcome["claimed"] = all(map(claimed, runs))
    if how == "SIGHUP":
        stop.set()
        drain.join()
        os.close(fd)  # the terminal goes: the kernel hangs the app up
    else:
        os.kill(pid, getattr(signal, how))
    began = time.monotonic()
    while time.monotonic() - began < 30:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            outcome["exited"] = True
            outcome["exit_seconds"] = round(time.monotonic() - began, 2)
            code = os.waitstatus_to_exitcode(status)
            outcome["exit_code"] = code
            break
        time.sleep(0.1)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    if how != "SIGHUP":
        stop.set()
        drain.join()
        os.close(fd)
    ended = [sfn.describe_execution(executionArn=run) for run in runs]
    outcome["lost"] = sum(
        1 for e in ended if (e["status"], e.get("error")) != ("FAILED", "Worker.Shutdown")
    )
    return outcome


# The app (this process) ---------------------------------------------------------------


def start_engine() -> tuple[subprocess.Popen[str], str]:
    engine = subprocess.Popen(
        [sys.executable, "-m", "sfn_tui.cli", "local-server", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert engine.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = engine.stdout.readline()
        if "listening on" in line:
            return engine, line.rsplit(" ", 1)[-1].strip()
        if not line and engine.poll() is not None:
            break
    engine.kill()
    raise SystemExit("soak: the local engine did not start")


class Tally(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.name}: {record.getMessage()}"[:300])


async def soak_app(
    endpoint: str,
    seconds: float,
    warmup: float,
    tour_every: float = 60.0,
    visits: str = "both",
    signal_every: float = 300.0,
) -> dict[str, Any]:
    from sfn_tui.aws.connection import Connection
    from sfn_tui.core.chat import chat_prompt, chat_reply
    from sfn_tui.core.inbox import TaskStatus
    from sfn_tui.tui.app import SfnTuiApp
    from sfn_tui.tui.key_order import TypedKeys
    from sfn_tui.tui.screens.chat import ChatScreen
    from sfn_tui.tui.screens.execution_detail import ExecutionDetailScreen
    from sfn_tui.tui.screens.start_execution import StartExecutionScreen

    error_notes: list[str] = []
    said: list[str] = []  # every notification, in order (they expire from the app's list)
    unretrieved: list[str] = []

    class SoakApp(SfnTuiApp):
        CSS_PATH = str(Path(sys.modules[SfnTuiApp.__module__].__file__ or "").parent / "app.tcss")

        def notify(self, message: str, *args: Any, **kwargs: Any) -> None:
            said.append(message[:200])
            if kwargs.get("severity") == "error":
                error_notes.append(f"{kwargs.get('title', '')}: {message}"[:300])
            super().notify(message, *args, **kwargs)

    loop = asyncio.get_running_loop()

    def on_loop_error(_: Any, context: dict[str, Any]) -> None:
        unretrieved.append(str(context.get("exception") or context.get("message"))[:300])

    loop.set_exception_handler(on_loop_error)

    connection = Connection(region=REGION, endpoint_url=endpoint, dummy_credentials=True)
    app = SoakApp(
        connection,
        poll_interval=1.0,
        catalog_interval=10.0,
        worked_activities=frozenset({"ChatSFNActivity", SOAK_ACTIVITY}),
    )
    answered: Counter[str] = Counter()
    answer_errors: Counter[str] = Counter()
    samples: list[tuple[float, float]] = []
    ui_tours = 0
    ui_misses: list[str] = []
    poll_failures = 0
    crash = ""
    shown = 0
    pastes: Counter[str] = Counter()
    signal_rounds: list[dict[str, Any]] = []
    signal_task: asyncio.Task[dict[str, Any]] | None = None

    async def until(pilot: Any, predicate: Any, timeout: float, what: str) -> bool:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                ui_misses.append(what)
                return False
            await pilot.pause(0.1)
        return True

    async def answer_tasks() -> None:
        inbox = app.inbox
        if inbox is None:
            return
        for item in list(inbox.claimed()):
            if item.status is not TaskStatus.WAITING:
                continue
            prompt = chat_prompt(item.input)
            if prompt is not None:
                action = "song" if prompt.message.startswith("Hello") else "done"
                if action not in prompt.actions:
                    action = prompt.actions[-1]
                output, kind = chat_reply(action), "chat"
            else:
                output, kind = json.dumps({"approved": True}), "generic"
            try:
                await inbox.answer(item.id, output)
                answered[kind] += 1
            except Exception as error:
                answer_errors[type(error).__name__] += 1

    async def tour(pilot: Any) -> None:
        """Open the chat pane and an execution's detail, then go back."""
        nonlocal ui_tours
        dashboard = app.dashboard
        if visits in ("both", "chat"):
            await pilot.press("c")
            if await until(pilot, lambda: isinstance(app.screen, ChatScreen), 10, "chat pane"):
                await pilot.pause(1.0)
                await pilot.press("escape")
                await until(pilot, lambda: app.screen is dashboard, 10, "back from chat")
        dashboard.executions.focus()
        if visits in ("both", "detail") and dashboard.executions.selected is not None:
            await pilot.press("enter")
            if await until(
                pilot, lambda: isinstance(app.screen, ExecutionDetailScreen), 10, "detail"
            ):
                await pilot.pause(2.0)
                await pilot.press("escape")
                await until(pilot, lambda: app.screen is dashboard, 10, "back from detail")
        ui_tours += 1

    async def paste_round(pilot: Any) -> None:
        """1 MB typed into the start modal's input, in 4 KiB runs (no bracketed paste)."""
        dashboard = app.dashboard
        dashboard.machines.focus()
        await pilot.press("s")
        if not await until(
            pilot, lambda: isinstance(app.screen, StartExecutionScreen), 10, "start modal"
        ):
            return
        modal = app.screen
        await pilot.press("tab", "f7")
        before = len(said)
        text = '{"blob": "' + "x" * PASTE_BYTES + '"}'
        chunk = 4096
        arrived = app.keys.arrivals
        runs = range(0, len(text), chunk)
        for at in runs:
            keys = TypedKeys(text[at : at + chunk])
            keys.set_sender(app)
            app._driver.send_message(keys)  # type: ignore[union-attr]
        # Every run must have arrived (and been handled) before the editor is read: the
        # driver's messages are queued, and `idle` alone was true before the first one.
        await until(
            pilot,
            lambda: app.keys.arrivals >= arrived + len(runs) and app.keys.idle,
            120,
            "paste handled",
        )
        held = len(modal.query_one("#start-input").text.encode())  # type: ignore[attr-defined]
        refused = sum("Not pasted" in message for message in said[before:])
        pastes["tried"] += 1
        pastes["refused once" if refused == 1 else f"refused {refused} times"] += 1
        if held > 256 * 1024:
            pastes["let through"] += 1
        if refused != 1:
            print(f"  paste round: held {held} bytes, said {said[before:][-3:]}", flush=True)
        await pilot.press("escape", "escape")
        await until(pilot, lambda: app.screen is dashboard, 10, "back from the start modal")

    begin = time.monotonic()
    try:
        async with app.run_test(size=(140, 44)) as pilot:
            # The dashboard replaces the launch frame once that is drawn.
            await until(
                pilot,
                lambda: app.dashboard_mounted,
                60,
                "dashboard",
            )
            dashboard = app.dashboard
            await until(pilot, lambda: len(dashboard.machines.items) >= 4, 60, "machines")
            dashboard.machines.focus()
            for _ in range(20):
                selected = dashboard.machines.selected
                if selected is not None and selected.name == "SoakWait":
                    break
                await pilot.press("down")
            await pilot.press("enter")
            next_sample = next_tour = time.monotonic()
            next_signal = next_sample + 60
            last_failing = ""
            while (elapsed := time.monotonic() - begin) < seconds:
                await answer_tasks()
                if app.failing and app.failing != last_failing:
                    poll_failures += 1
                last_failing = app.failing
                now = time.monotonic()
                if now >= next_tour and elapsed > 5 and visits != "none":
                    next_tour = now + tour_every
                    await tour(pilot)
                    await paste_round(pilot)
                if signal_task is not None and signal_task.done():
                    signal_rounds.append(signal_task.result())
                    print(f"  signal round: {signal_rounds[-1]}", flush=True)
                    signal_task = None
                if signal_every and now >= next_signal and signal_task is None:
                    next_signal = now + signal_every
                    how = SIGNALS[len(signal_rounds) % len(SIGNALS)]
                    signal_task = asyncio.create_task(
                        asyncio.to_thread(signal_round, endpoint, how)
                    )
                if now >= next_sample:
                    next_sample = now + 10
                    gc.collect()
                    if TRACE and elapsed >= warmup and "first" not in TRACE:
                        TRACE["first"] = tracemalloc.take_snapshot()
                        TRACE["types"] = type_counts()
                    samples.append((round(elapsed, 1), round(rss_mb(), 2)))
                    if len(samples) % 6 == 1:  # a line a minute, to follow the run
                        print(
                            f"  {elapsed / 60:5.1f} min  RSS {samples[-1][1]:.1f} MB"
                            f"  answered {sum(answered.values())}"
                            f"  errors {len(error_notes) + len(unretrieved)}"
                            f"  objects {len(gc.get_objects()):,}  {cache_sizes(app)}",
                            flush=True,
                        )
                await pilot.pause(0.25)
            if signal_task is not None:
                signal_rounds.append(await signal_task)
            gc.collect()
            samples.append((round(time.monotonic() - begin, 1), round(rss_mb(), 2)))
            shown = len(app.dashboard.executions.items)
            if TRACE and "first" in TRACE:
                gc.collect()
                snapshot = tracemalloc.take_snapshot()
                by_file = snapshot.compare_to(TRACE["first"], "filename")
                total = sum(stat.size_diff for stat in by_file)
                print(f"traced growth after warm-up: {total / 1e6:+.2f} MB")
                for stat in by_file[:15]:
                    print(f"  {stat.size_diff / 1e6:+.2f} MB  {stat.traceback[0].filename}")
                for stat in snapshot.compare_to(TRACE["first"], "lineno")[:25]:
                    frame = stat.traceback[0]
                    print(f"  {stat.size_diff / 1e6:+.2f} MB  {frame.filename}:{frame.lineno}")
                grown = type_counts()
                grown.subtract(TRACE["types"])
                print("object counts grown:", grown.most_common(20))
            app.exit()
    except Exception as error:  # the app crashed: that is the finding
        crash = f"{type(error).__name__}: {error}"[:500]
        samples.append((round(time.monotonic() - begin, 1), round(rss_mb(), 2)))

    after_warmup = [rss for at, rss in samples if at >= warmup] or [samples[-1][1]]
    return {
        "rss_first_mb": samples[0][1] if samples else None,
        "rss_start_mb": after_warmup[0],
        "rss_end_mb": samples[-1][1] if samples else None,
        "rss_max_mb": max(rss for _, rss in samples) if samples else None,
        "rss_growth_mb": round(samples[-1][1] - after_warmup[0], 2) if samples else None,
        "samples": samples,
        "tasks_answered": dict(answered),
        "answer_errors": dict(answer_errors),
        "error_notifications": error_notes,
        "unretrieved_exceptions": unretrieved,
        "crash": crash,
        "poll_failures": poll_failures,
        "ui_tours": ui_tours,
        "ui_misses": ui_misses,
        "pastes": dict(pastes),
        "signal_rounds": signal_rounds,
        "executions_shown": shown,
    }


def type_counts() -> Counter[str]:
    return Counter(type(item).__qualname__ for item in gc.get_objects())


def cache_sizes(app: Any) -> str:
    """Rows and render-cache entries of the dashboard's tables (what memory follows)."""
    parts = []
    for table in (app.dashboard.machines, app.dashboard.executions, app.dashboard.activities):
        caches = [
            len(getattr(table, name, ()))
            for name in ("_cell_render_cache", "_row_render_cache", "_line_cache")
        ]
        parts.append(f"{table.id}:{table.row_count} rows {caches}")
    tasks = len(app.inbox.tasks) if app.inbox is not None else 0
    return f"{' '.join(parts)} tasks:{tasks}"


def count_executions(endpoint: str) -> dict[str, Counter[str]]:
    sfn = sfn_client(endpoint)
    out: dict[str, Counter[str]] = {}
    for machine in sfn.list_state_machines()["stateMachines"]:
        if machine.get("type") == "EXPRESS":
            continue  # ListExecutions does not apply (StateMachineTypeNotSupported)
        statuses: Counter[str] = Counter()
        for page in sfn.get_paginator("list_executions").paginate(
            stateMachineArn=machine["stateMachineArn"]
        ):
            statuses.update(e["status"] for e in page["executions"])
        out[machine["name"]] = statuses
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument(
        "--warmup", type=float, default=None, help="seconds (default: 10%%, 60 to 180)"
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument(
        "--tour-every", type=float, default=60.0, help="seconds between UI tours (default 60)"
    )
    parser.add_argument(
        "--tour",
        choices=["both", "chat", "detail", "none"],
        default="both",
        help="what a tour opens",
    )
    parser.add_argument(
        "--signal-every",
        type=float,
        default=300.0,
        help="seconds between signal rounds (default 300; 0: none)",
    )
    parser.add_argument("--tracemalloc", action="store_true", help="print where memory grew")
    parser.add_argument("--driver", metavar="ENDPOINT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    seconds = args.minutes * 60
    if args.driver:
        return drive(args.driver, seconds)

    # A SIGTERM (a timeout, a CI job cancelled) stops the engine and driver too: the
    # default action would end this process without its clean-up.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.tracemalloc:
        tracemalloc.start(1)
        TRACE["on"] = True
    tally = Tally()
    logging.getLogger().addHandler(tally)
    engine, endpoint = start_engine()
    driver: subprocess.Popen[str] | None = None
    try:
        setup_machines(endpoint)
        driver = subprocess.Popen(
            [sys.executable, __file__, "--driver", endpoint, "--minutes", str(args.minutes)],
            stdout=subprocess.PIPE,
            text=True,
        )
        # Warm-up: the first screens opened import and build their classes once.
        warmup = args.warmup if args.warmup is not None else min(180.0, max(60.0, seconds / 10))
        print(f"soak: {args.minutes:g} min against {endpoint} (warm-up {warmup:.0f} s)", flush=True)
        figures = asyncio.run(
            soak_app(endpoint, seconds, warmup, args.tour_every, args.tour, args.signal_every)
        )
        driven, _ = driver.communicate(timeout=120)
        figures["driver"] = json.loads(driven.strip().splitlines()[-1]) if driven.strip() else {}
        try:
            executions = count_executions(endpoint)
        except Exception as error:  # a count is not worth the run's figures
            print(f"soak: executions not counted: {error}", flush=True)
            executions = {}
    finally:
        if driver is not None and driver.poll() is None:
            driver.kill()
        engine.terminate()
        try:
            engine.wait(timeout=30)
        except subprocess.TimeoutExpired:
            engine.kill()
    figures["executions"] = {name: dict(c) for name, c in executions.items()}
    figures["executions_total"] = sum(sum(c.values()) for c in executions.values())
    figures["error_logs"] = tally.records
    figures["minutes"] = args.minutes
    unhandled = (
        len(figures["error_notifications"])
        + len(figures["unretrieved_exceptions"])
        + len(tally.records)
        + (1 if figures["crash"] else 0)
    )
    figures["unhandled_errors"] = unhandled
    growth = figures["rss_growth_mb"]
    rounds = figures["signal_rounds"]
    lost = sum(r["lost"] for r in rounds) + sum(1 for r in rounds if not r["exited"])
    figures["signal_losses"] = lost
    let_through = figures["pastes"].get("let through", 0)
    figures["passed"] = (
        unhandled == 0
        and growth is not None
        and growth <= MAX_RSS_GROWTH_MB
        and lost == 0
        and let_through == 0
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(figures, indent=2) + "\n")

    answered = figures["tasks_answered"]
    print(
        f"soak: {args.minutes:g} min, {figures['executions_total']} executions"
        f" ({sum(figures['driver'].get('started', {}).values())} started by the driver),"
        f" tasks answered {sum(answered.values())} {answered},"
        f" UI tours {figures['ui_tours']}\n"
        f"RSS {figures['rss_first_mb']} MB at start, {figures['rss_start_mb']} MB after"
        f" warm-up, {figures['rss_end_mb']} MB at end (max {figures['rss_max_mb']}):"
        f" growth {growth} MB (target <= {MAX_RSS_GROWTH_MB:g})\n"
        f"unhandled errors {unhandled} (notifications {len(figures['error_notifications'])},"
        f" log {len(tally.records)}, loop {len(figures['unretrieved_exceptions'])},"
        f" crash {figures['crash'] or 'none'}); poll failures {figures['poll_failures']};"
        f" UI misses {figures['ui_misses']}\n"
        f"pastes of {PASTE_BYTES // 1024} KiB typed in: {figures['pastes']};"
        f" signal rounds {len(rounds)} ({', '.join(r['signal'] for r in rounds)}):"
        f" claimed tasks lost or app not exited {lost}\n"
        f"{'PASS' if figures['passed'] else 'FAIL'}; written to {args.output}",
        flush=True,
    )
    return 0 if figures["passed"] else 1


if __name__ == "__main__":
    os.environ.pop("AWS_PROFILE", None)
    sys.exit(main())
