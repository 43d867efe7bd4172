"""Mutation testing of sfn-tui's safety core with mutmut, one module at a time, each
against the tests that cover it. Not part of CI (minutes per module).

    .venv/bin/pip install -e '.[test,mutation]'
    .venv/bin/python scripts/mutation.py                  # every module below
    .venv/bin/python scripts/mutation.py redact inbox     # some (names as in MODULES)
    .venv/bin/python scripts/mutation.py inbox --max-minutes 10
    .venv/bin/python scripts/mutation.py inbox --max-minutes 10 --resume   # go on
    .venv/bin/python scripts/mutation.py inbox --recheck  # its survivors, against new tests
    .venv/bin/python scripts/mutation.py inbox --recheck --only 'x_shutdown__*'  # some
    .venv/bin/python scripts/mutation.py --report         # the last results again

For each module: a copy of src/, tests/ and resources/ in .mutation/<name>/ with a
[tool.mutmut] section naming that one file and its tests; `mutmut run` there (it runs
the tests once to learn which test calls which function, then, per mutant, in a forked
child, only the tests that call the mutated function); then `mutmut results` and
`mutmut show` for each survivor. The score per module and every survivor go to
.mutation/<name>.json and to the Markdown report this prints, with the reason recorded
for each survivor in scripts/mutation_reasons.toml.

mutmut mutates function and method bodies, not module-level constants. A module whose
run is cut by --max-minutes reports the mutants it checked (mutmut takes them in source
order: say so when quoting the score).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / ".mutation"
REASONS = Path(__file__).resolve().parent / "mutation_reasons.toml"
MUTMUT = str(Path(sys.executable).with_name("mutmut"))
KILLED = {"killed", "timeout", "caught by type check"}
LEFT = {"survived", "no tests", "suspicious"}


@dataclass(frozen=True)
class Target:
    """A module to mutate and the tests that cover it."""

    path: str  # under src/sfn_tui
    tests: tuple[str, ...]
    # Only these functions ("Class.method" or "function"); () = every function.
    functions: tuple[str, ...] = ()
    # Test ids left out: they run sfn-tui in a child process of their own (a pty).
    deselect: tuple[str, ...] = ()
    # Functions mutmut cannot credit to the right tests, run against every test of
    # `tests` instead ("*": every function of the module): those called once per
    # process (by the engine's session fixture: mutmut credits them to the one test
    # that happened to call them first). Calls from other threads are credited to the
    # test running at the time (mutmut records them in one set per process).
    whole: tuple[str, ...] = ()

    def mangled(self, function: str) -> str:
        """mutmut's name for a function ("Class.method" or "function")."""
        owner, _, method = function.rpartition(".")
        return f"{self.module}.xǁ{owner}ǁ{method}" if owner else f"{self.module}.x_{method}"

    @property
    def module(self) -> str:
        return "sfn_tui." + self.path[: -len(".py")].replace("/", ".")

    def patterns(self) -> list[str]:
        """mutmut's names for the mutants of `functions` (fnmatch patterns)."""
        return [f"{self.mangled(function)}__mutmut_*" for function in self.functions]


MODULES: dict[str, Target] = {
    "redact": Target(
        "core/redact.py",
        ("tests/test_secrets.py", "tests/test_redaction_tails.py", "tests/test_log_text.py"),
    ),
    "validation": Target(
        "core/validation.py",
        (
            "tests/test_validation.py",
            "tests/test_validation_words.py",
            # test_bad_input.py's checks of the functions (not its Pilot scenes: slow,
            # and they exercise validation only through these same functions).
            "tests/test_bad_input.py::test_check_name_accepts_exactly_what_aws_does_and_says_why_not",
            "tests/test_bad_input.py::test_check_json_refuses_in_words_and_never_raises_anything_else",
            "tests/test_bad_input.py::test_valid_json_is_never_refused",
            "tests/test_bad_input.py::test_integers_longer_than_python_reads_are_still_json",
            "tests/test_bad_input.py::test_a_task_reply_is_refused_before_sending_in_words",
            "tests/test_bad_input.py::test_check_definition_refuses_in_words",
            "tests/test_bad_input.py::test_a_pasted_role_arn_is_checked_in_words",
            "tests/test_bad_input.py::test_well_formed_role_arns_are_accepted",
        ),
    ),
    "inbox": Target(
        "core/inbox.py",
        # test_inbox_rules.py was written for this (each rule a mutant found untested, a
        # second or two a test); the Pilot scenes that also cover the inbox
        # (test_exit_paths.py's app paths, test_faults_tasks.py, test_answers_once.py's
        # keys, test_callbacks.py) take minutes a run and judge the screens above it.
        (
            "tests/test_inbox_rules.py",
            "tests/test_inbox.py",
            "tests/test_answers_once.py::test_the_inbox_takes_one_answer_per_task",
            "tests/test_exit_paths.py::test_the_inbox_shutdown_fails_every_claimed_task",
        ),
        # Heartbeats sent on time from their thread: fails under mutmut on a loaded
        # machine even unmutated (its clean run), so it cannot judge mutants there;
        # test_inbox_rules.py applies each heartbeat outcome instead.
        # The callback watcher's lost-wake-up rule (core/callback_watch.py, not the
        # inbox) fails in mutmut's clean run (twice, load 2 to 3), never in pytest's.
        deselect=(
            "tests/test_inbox.py::test_heartbeats_keep_a_task_alive",
            "tests/test_inbox_rules.py::test_a_machine_followed_during_a_check_is_checked_when_it_ends",
        ),
    ),
    "poller": Target(
        "core/poller.py",
        # test_poller_rules.py was written for this (the poller alone, through the fault
        # proxy, seconds a test); test_poll_backoff.py, test_faults_dashboard.py and
        # test_finding.py cover it through the app, at minutes a run.
        ("tests/test_poller_rules.py",),
    ),
    "heartbeats": Target("core/heartbeats.py", ("tests/test_inbox.py", "tests/test_heartbeats.py")),
    "read_only_main": Target(
        "tui/screens/main.py",
        # test_read_only_guards.py: each pane's allowed actions in both modes, and the
        # modal door, in one short scene a mode; the routes (keys, palette: minutes a
        # run) are test_read_only.py's and test_read_only_routes.py's.
        (
            "tests/test_read_only_guards.py",
            "tests/test_read_only_routes.py::test_the_footer_offers_no_change_in_read_only",
        ),
        functions=("MainScreen.check_action", "MainScreen._open"),
    ),
    "read_only_app": Target(
        "tui/app.py",
        # test_read_only_app_guards.py: the app's guards in both modes, one short scene a
        # mode; the routes (every key and palette entry, the exit paths: minutes a run)
        # are test_read_only.py's, test_read_only_routes.py's and test_exit_paths.py's.
        ("tests/test_read_only_app_guards.py",),
        # The guards only: check_action, the guided runs' own refusals, working an
        # activity (claiming tasks is a change), and the palette's door to the dashboard.
        # The rest of app.py (start-up, polling, quitting) is not a read-only guard.
        functions=(
            "SfnTuiApp.check_action",
            "SfnTuiApp.action_new_chat_run",
            "SfnTuiApp.action_new_approval_run",
            "SfnTuiApp.toggle_work",
            "SfnTuiApp.auto_work",
            "SfnTuiApp.action_dashboard",
        ),
    ),
    "read_only_chat": Target(
        "tui/screens/chat.py",
        # test_read_only_chat_guards.py: the answer keys each task state allows, in both
        # modes, and the refusals of a key that may not answer; test_read_only.py and
        # test_answers_once.py press the same keys through longer scenes.
        ("tests/test_read_only_chat_guards.py",),
        functions=("ChatScreen.check_action", "ChatScreen._answerable"),
    ),
    "read_only_commands": Target(
        "tui/commands.py",
        # test_read_only_palette_guards.py: what the palette offers in each mode, and the
        # refusal of a changing entry run anyway; test_read_only_routes.py runs every
        # entry (minutes).
        ("tests/test_read_only_palette_guards.py",),
        # The guards only: discover() and search() are the palette's plumbing (hits,
        # scores, highlighting), and list only what _offered() gives them.
        functions=("SfnCommands._offered", "SfnCommands._run"),
    ),
    "formatting": Target(
        "tui/formatting.py",
        # The Pilot scenes (test_terminal_safety.py, test_hostile_names.py) show these
        # values in place; mutmut ran test files whole, and they take minutes.
        ("tests/test_formatting_units.py",),
    ),
    "activities": Target(
        "local/activities.py",
        ("tests/test_local_activities.py",),
        deselect=(
            # A child process's output, and the demo's seeding: not activities' rules.
            "tests/test_local_activities.py::test_engine_prints_nothing",
            "tests/test_local_activities.py::test_seed_demo_is_idempotent",
        ),
        # No `whole`: the patches are module-level functions that moto's classes call
        # through mutmut's trampoline, which picks the mutant at call time (in the forked
        # child too) and records each call against the test running then, from whatever
        # thread (the engine's server and execution threads: mutmut's record is one set
        # per process). `_patch()` itself runs in each child too: the test file's
        # autouse fixture `repatched` undoes the patches and puts them in again
        # (activities.reinstall()) before each test, so its mutants are judged.
    ),
    "key_order": Target("tui/key_order.py", ("tests/test_key_order.py",)),
    "paste_limits": Target(
        "tui/paste_limits.py",
        ("tests/test_paste_refusal.py", "tests/test_large_paste.py"),
        deselect=("tests/test_large_paste.py::test_a_megabyte_typed_into_a_real_terminal",),
    ),
}


def prepare(name: str, target: Target, resume: bool = False) -> Path:
    """A fresh working copy for one module, with its mutmut settings (with `resume`,
    the last one: mutmut then checks only the mutants not checked yet)."""
    work = OUT / name
    if resume and (work / "mutants").exists():
        return work
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    shutil.copytree(ROOT / "resources", work / "resources")
    shutil.copytree(
        ROOT / "src", work / "src", symlinks=True, ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(ROOT / "tests", work / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    warm_up(work / "tests")
    args = ["-p", "no:cacheprovider", "-q"]
    for test in target.deselect:
        args += ["--deselect", test]
    settings = {
        "source_paths": [f"src/sfn_tui/{target.path}"],
        "also_copy": ["src/", "tests/", "resources/"],
        "pytest_add_cli_args": args,
        "pytest_add_cli_args_test_selection": list(target.tests),
        "use_git_change_detection": False,
    }
    pyproject = (ROOT / "pyproject.toml").read_text()
    section = "\n[tool.mutmut]\n" + "".join(
        f"{key} = {json.dumps(value)}\n" for key, value in settings.items()
    )
    (work / "pyproject.toml").write_text(pyproject + section)
    return work


WARM_UP = """

# Added by scripts/mutation.py: the modules an engine and its clients import, imported
# here once, in mutmut's fork server (it collects the tests first), and not again in
# every mutant's child (6 s there on a loaded machine, more than most tests take).
import importlib as _importlib
from pathlib import Path as _Path

for _name in (_Path(__file__).with_name("warm_modules.txt")).read_text().split():
    try:
        _importlib.import_module(_name)
    except ImportError:
        continue
"""

WARM_PROBE = """
import sys, boto3
from sfn_tui.local.engine import LocalEngine
engine = LocalEngine(port=0)
url = engine.start()
kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="x",
          aws_secret_access_key="x")
boto3.client("stepfunctions", **kw).list_state_machines()
boto3.client("iam", **kw).list_roles()
boto3.client("sqs", **kw).list_queues()
boto3.client("logs", **kw).describe_log_groups()
import aiobotocore.session, textual.app  # noqa: E401
engine.stop()
print("\\n".join(sorted(n for n in sys.modules if not n.startswith(("sfn_tui", "__main__")))))
"""


def warm_up(tests: Path) -> None:
    """Have the copy's conftest import what the engine imports (see WARM_UP), once."""
    probe = subprocess.run(
        [sys.executable, "-c", WARM_PROBE], capture_output=True, text=True, check=True, cwd=ROOT
    )
    (tests / "warm_modules.txt").write_text(probe.stdout)
    with (tests / "conftest.py").open("a") as conftest:
        conftest.write(WARM_UP)


def credit_every_test(work: Path, target: Target) -> None:
    """Have mutmut run every test for the mutants of `target.whole` (see Target): a
    first `mutmut run` of one of their mutants records which test calls what; then
    each of those functions is credited to every test."""
    stats = work / "mutants" / "mutmut-stats.json"
    if not stats.exists():
        first = (
            f"{target.module}.x_install__mutmut_1"
            if target.whole == ("*",)
            else (f"{target.mangled(target.whole[0])}__mutmut_1")
        )
        subprocess.run(
            [MUTMUT, "run", first], cwd=work, env=mutmut_env(), capture_output=True, check=False
        )
    data = json.loads(stats.read_text())
    every = sorted(data["duration_by_test"])
    if target.whole == ("*",):
        mutated = (work / "mutants" / "src" / "sfn_tui" / target.path).read_text()
        names = [
            f"{target.module}.{name}"
            for name in re.findall(r"^\s*mutants_(\S+?)__mutmut: MutantDict", mutated, re.M)
        ]
    else:
        names = [target.mangled(function) for function in target.whole]
    for name in names:
        data["tests_by_mangled_function_name"][name] = every
    stats.write_text(json.dumps(data))


def mutmut_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)  # mutmut puts its mutants/src first on the path itself
    return env


def run_mutmut(
    work: Path,
    target: Target,
    max_seconds: float | None,
    jobs: int,
    names: Sequence[str] = (),
    credit_all: bool = False,
) -> bool:
    """`mutmut run` in the working copy (only `names`, if given: mutmut checks a mutant
    it names again; `credit_all`: against every test of the selection for the functions
    of `target.whole`); False if the time budget cut it short."""
    if credit_all:
        credit_every_test(work, target)
    env = mutmut_env()
    log = (work / "mutmut.log").open("a")
    process = subprocess.Popen(
        [MUTMUT, "run", "--max-children", str(jobs), *(names or target.patterns())],
        cwd=work,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        process.wait(timeout=max_seconds)
        return True
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        return False
    finally:
        log.close()


def results(work: Path, target: Target) -> dict[str, str]:
    out = subprocess.run(
        [MUTMUT, "results", "--all", "true"],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    found: dict[str, str] = {}
    patterns = [re.compile(p.replace(".", r"\.").replace("*", ".*")) for p in target.patterns()]
    for line in out.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and (not patterns or any(p.fullmatch(name) for p in patterns)):
            found[name] = status
    return found


def change(work: Path, name: str) -> tuple[int, str, str]:
    """The mutant's line in the original file (or 0), and its -/+ lines."""
    diff = subprocess.run(
        [MUTMUT, "show", name], cwd=work, capture_output=True, text=True, check=False
    ).stdout
    minus = [ln[1:].strip() for ln in diff.splitlines() if ln.startswith("-") and ln[1:2] != "-"]
    plus = [ln[1:].strip() for ln in diff.splitlines() if ln.startswith("+") and ln[1:2] != "+"]
    return 0, " / ".join(minus)[:120], " / ".join(plus)[:120]


def original_line(source: list[str], before: str) -> int:
    for number, text in enumerate(source, 1):
        if before and text.strip() == before.split(" / ")[0]:
            return number
    return 0


def refresh_tests(work: Path) -> list[str]:
    """The working copy's tests replaced by the current ones (its warm-up kept); the
    survivors of its last run, to check again against them."""
    for where in (work / "tests", work / "mutants" / "tests"):
        shutil.copytree(
            ROOT / "tests", where, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
        )
        with (where / "conftest.py").open("a") as conftest:
            conftest.write(WARM_UP)
        if where != work / "tests":
            shutil.copy(work / "tests" / "warm_modules.txt", where / "warm_modules.txt")
    last = json.loads((OUT / f"{work.name}.json").read_text())
    return [str(s["name"]) for s in last["survivors"]]


def mutate_module(
    name: str,
    max_minutes: float | None,
    jobs: int,
    resume: bool = False,
    recheck: bool = False,
    only: Sequence[str] = (),
) -> dict[str, object]:
    target = MODULES[name]
    print(f"== {name} ({target.path})", flush=True)
    started = time.monotonic()
    work = prepare(name, target, resume or recheck)
    again = refresh_tests(work) if recheck else []
    if only:  # survivors named by a pattern only (mutmut's short names, e.g. x_f__mutmut_*)
        again = [
            n for n in again if any(fnmatch.fnmatchcase(n.rsplit(".", 1)[-1], p) for p in only)
        ]
    budget = max_minutes * 60 if max_minutes else None
    whole = bool(target.whole)
    if recheck and not again:
        finished = True  # nothing to check again
    else:
        finished = run_mutmut(work, target, budget, jobs, again, credit_all=whole and bool(again))
    if whole and finished and not again:
        # mutmut's own attribution first (a kill is a kill, whichever test it was);
        # then only its survivors against every test of the selection (see Target.whole).
        left = [mutant for mutant, status in results(work, target).items() if status in LEFT]
        spent = time.monotonic() - started
        rest = budget - spent if budget else None
        if left and (rest is None or rest > 0):
            print(f"   {len(left)} survivors again, against every test", flush=True)
            finished = run_mutmut(work, target, rest, jobs, left, credit_all=True)
    statuses = results(work, target)
    source = (ROOT / "src" / "sfn_tui" / target.path).read_text().splitlines()
    survivors = []
    for mutant, status in sorted(statuses.items()):
        if status in LEFT:
            _, before, after = change(work, mutant)
            survivors.append(
                {
                    "name": mutant,
                    "status": status,
                    "line": original_line(source, before),
                    "before": before,
                    "after": after,
                }
            )
    checked = [s for s in statuses.values() if s in KILLED | LEFT]
    killed = [s for s in checked if s in KILLED]
    summary: dict[str, object] = {
        "name": name,
        "path": target.path,
        "made": len(statuses),
        "checked": len(checked),
        "killed": len(killed),
        "score": round(100.0 * len(killed) / len(checked), 1) if checked else 0.0,
        "complete": finished and len(checked) == len(statuses),
        "minutes": round((time.monotonic() - started) / 60, 1),
        "survivors": survivors,
    }
    if recheck:
        summary = merged(json.loads((OUT / f"{name}.json").read_text()), statuses, summary)
    (OUT / f"{name}.json").write_text(json.dumps(summary, indent=1))
    print(
        f"   {summary['killed']}/{summary['checked']} killed ({summary['score']} %),"
        f" {summary['made']} made, {summary['minutes']} min",
        flush=True,
    )
    return summary


def merged(
    last: dict[str, Any], statuses: dict[str, str], recheck: dict[str, Any]
) -> dict[str, object]:
    """The last whole run with a recheck's verdicts: its survivors killed now count as
    killed (each still listed under "killed_by_recheck"); the others stay as they were.
    So --report shows the module's score against today's tests, not the recheck's
    handful of mutants alone."""
    survivors = []
    killed_now = list(last.get("killed_by_recheck", []))
    for survivor in last["survivors"]:
        if statuses.get(str(survivor["name"])) in KILLED:
            killed_now.append(survivor["name"])
        else:
            survivors.append(survivor)
    killed = int(last["killed"]) + len(last["survivors"]) - len(survivors)
    checked = int(last["checked"])
    return {
        **last,
        "killed": killed,
        "score": round(100.0 * killed / checked, 1) if checked else 0.0,
        "survivors": survivors,
        "killed_by_recheck": killed_now,
        "recheck_minutes": float(last.get("recheck_minutes", 0.0)) + float(recheck["minutes"]),
    }


def load_reasons() -> dict[str, dict[str, str]]:
    if not REASONS.exists():
        return {}
    with REASONS.open("rb") as handle:
        return tomllib.load(handle)


def reason(recorded: dict[str, str], mutant: str) -> str:
    """The reason recorded for a mutant: under its name, or under a pattern that matches
    it ("x__patch__mutmut_*": every mutant of a function that cannot be judged)."""
    if mutant in recorded:
        return recorded[mutant]
    for pattern, why in recorded.items():
        if fnmatch.fnmatchcase(mutant, pattern):
            return why
    return "no reason recorded"


def report(names: Sequence[str]) -> str:
    """The last results as Markdown: a table, then every survivor with its reason.
    "killable" leaves out the survivors judged equivalent (no test can tell them from
    the original): the mutation score as the literature defines it, killed over
    non-equivalent mutants; the raw score is beside it."""
    reasons = load_reasons()
    rows = [
        "| module | mutants checked (made) | killed | score | equivalent | score of the"
        " killable | time |",
        "|---|---|---|---|---|---|---|",
    ]
    lines: list[str] = []
    for name in names:
        file = OUT / f"{name}.json"
        if not file.exists():
            continue
        data = json.loads(file.read_text())
        cut = "" if data["complete"] else " (time budget: cut short)"
        whys = [
            reason(reasons.get(name, {}), s["name"].rsplit(".", 1)[-1]) for s in data["survivors"]
        ]
        equivalent = sum(1 for why in whys if why.startswith("Equivalent"))
        killable = data["checked"] - equivalent
        score = f"{100.0 * data['killed'] / killable:.0f} %" if killable else "-"
        by_recheck = len(data.get("killed_by_recheck", []))
        killed = f"{data['killed']}" + (f" ({by_recheck} by `--recheck`)" if by_recheck else "")
        minutes = f"{data['minutes']:.0f} min" + (
            f" + recheck {data['recheck_minutes']:.0f} min" if by_recheck else ""
        )
        rows.append(
            f"| {name} (`{data['path']}`) | {data['checked']} ({data['made']}){cut}"
            f" | {killed} | {data['score']:.0f} % | {equivalent} | {score} | {minutes} |"
        )
        for s, why in zip(data["survivors"], whys, strict=True):
            short = s["name"].rsplit(".", 1)[-1]
            lines.append(
                f"- {name} `{data['path']}:{s['line']}` {short} ({s['status']}):"
                f" `{s['before']}` -> `{s['after']}`: {why}"
            )
    return "\n".join([*rows, "", "Survivors:", "", *(lines or ["- none"])])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help=f"some of: {', '.join(MODULES)}")
    parser.add_argument("--max-minutes", type=float, help="stop a module's run after this long")
    parser.add_argument("--jobs", type=int, default=1, help="mutants at once (default 1)")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="go on from the last run of each module (a time budget cut it short)",
    )
    parser.add_argument(
        "--recheck",
        action="store_true",
        help="check the last run's survivors again against the tests as they are now",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="PATTERN",
        help="with --recheck: only the survivors matching this pattern (x_f__mutmut_*)",
    )
    parser.add_argument("--report", action="store_true", help="print the last results only")
    args = parser.parse_args(argv)
    names = args.modules or list(MODULES)
    unknown = [n for n in names if n not in MODULES]
    if unknown:
        parser.error(f"unknown module(s) {unknown}; known: {', '.join(MODULES)}")
    if not args.report:
        if not Path(MUTMUT).exists():
            parser.error("mutmut is not installed: pip install -e '.[test,mutation]'")
        for name in names:
            mutate_module(name, args.max_minutes, args.jobs, args.resume, args.recheck, args.only)
    print(report(names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
