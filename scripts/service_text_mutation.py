"""Mutation testing of one rule: service text is shown literally. Each place in
src/sfn_tui/tui that protects a value from being read as markup or written raw to the
terminal is found by its syntax, and its protection is dropped, one place at a time;
the hostile-name scenes that run that place must then fail.

    .venv/bin/python scripts/service_text_mutation.py --list      # the places found
    .venv/bin/python scripts/service_text_mutation.py             # record, then mutate
    .venv/bin/python scripts/service_text_mutation.py --max-minutes 40
    .venv/bin/python scripts/service_text_mutation.py --resume    # go on after a cut run
    .venv/bin/python scripts/service_text_mutation.py --recheck   # survivors, new tests
    .venv/bin/python scripts/service_text_mutation.py --report    # the last results again

The protections and the mutant each becomes (what a careless author writes):

    visible(x)          -> str(x)                    control characters reach the terminal
    plain(x)            -> Text.from_markup(str(x))  markup is parsed, escapes kept raw
    escape(x)           -> x                         markup is parsed
    ...(markup=False)   -> ...(markup=True)          markup is parsed (Static, notify)
    Text(x, ...)        -> Text.from_markup(x, ...)  markup is parsed (x not a constant)
    Content(x)          -> Content.from_markup(x)    markup is parsed (x not a constant)

tui/formatting.py itself (where visible and plain live) is mutmut's, in
scripts/mutation.py. Why not mutmut here: it would make thousands of mutants in ~35
screens, nearly all beside this rule, each judged by Pilot scenes of seconds to minutes.

How: a copy of src/ in .mutation/service_text/ in which each place is written as
`(mutant if _svc.on(N) else original)`; a first run of the hostile-name tests with no
mutant records which test runs which place (and how long each test takes); then, per
place, a child forked from a process that has already imported the engine, Textual and
the app (a second instead of ten to start) runs only the tests that ran that place,
fastest first, stopping at the first failure. A place no test runs is "no tests".
Results go to .mutation/service_text.json and to the Markdown report this prints, with
the reason recorded for each survivor in scripts/mutation_reasons.toml [service_text].
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from own_words import OwnWords, assigned_attributes, method_names

ROOT = Path(__file__).resolve().parent.parent
TUI = ROOT / "src" / "sfn_tui" / "tui"
WORK = ROOT / ".mutation" / "service_text"
RESULTS = ROOT / ".mutation" / "service_text.json"
REASONS = Path(__file__).resolve().parent / "mutation_reasons.toml"
SECTION = "service_text"
SWITCH = "_service_text_switch"
# The scenes of hostile service text: each shows a screen with a hostile value and
# checks it literally on screen.
TESTS = (
    "tests/test_terminal_safety.py",
    "tests/test_hostile_names.py",
    "tests/test_hostile_screens.py",
    "tests/test_hostile_refusals.py",  # the service's refusals, through the fault proxy
    "tests/test_hostile_scenes_more.py",
    "tests/test_hostile_scenes_waiting.py",
    "tests/test_hostile_endpoint.py",  # AWS's fixed words, rewritten by the fault proxy
)
SKIP = {"formatting.py"}  # mutmut's (scripts/mutation.py formatting)
PER_MUTANT_SECONDS = 600.0

SWITCH_SOURCE = '''"""Which service-text mutant is on (scripts/service_text_mutation.py), and which
test ran which place."""

from __future__ import annotations

ACTIVE = 0
CURRENT = ""
HITS: dict[int, set[str]] = {}


def on(site: int) -> bool:
    if CURRENT:
        HITS.setdefault(site, set()).add(CURRENT)
    return site == ACTIVE


def markup(value: object, *args: object, **kwargs: object) -> object:
    from rich.text import Text

    return Text.from_markup(str(value), *args, **kwargs)  # type: ignore[arg-type]
'''


@dataclass
class Site:
    """One protection of service text, and its mutant."""

    id: int
    file: str  # under src/sfn_tui/tui
    line: int
    where: str  # the function or class it is in
    kind: str  # visible, plain, escape, markup=False, Text, Content
    before: str
    after: str
    status: str = "not checked"
    tests: int = 0  # tests run on the mutant
    by: str = ""  # the test that failed

    @property
    def key(self) -> str:
        """A name for the reasons file that survives edits elsewhere in the file."""
        return f"{self.file}::{self.where}::{self.before}"


def _is_false(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _notify(call: ast.Call) -> bool:
    """self.notify(...) (a screen's or widget's, which goes through the app's)."""
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "notify"
        and isinstance(func.value, ast.Name)
        and func.value.id == "self"
    )


def _constant(node: ast.expr) -> bool:
    """Our own words by their syntax: a literal, a module constant (UPPER_CASE), a slice
    of one, a choice between two, an f-string with nothing formatted into it."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Name):
        return node.id.isupper()
    if isinstance(node, ast.Subscript):
        return _constant(node.value)
    if isinstance(node, ast.IfExp):
        return _constant(node.body) and _constant(node.orelse)
    if isinstance(node, ast.JoinedStr):
        return all(isinstance(value, ast.Constant) for value in node.values)
    return False


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    return ""


class Protections(ast.NodeTransformer):
    """Finds the protections of one file and, with `rewrite`, writes each as
    `(mutant if _svc.on(N) else original)`."""

    def __init__(
        self,
        file: str,
        source: str,
        first_id: int,
        own: set[tuple[int, int, int, int]] | None = None,
    ) -> None:
        self.file = file
        self.source = source
        # Calls whose first argument is provably our own words (own_words.py), by place.
        self.own = own or set()
        self.next_id = first_id
        self.sites: list[Site] = []
        self.scope: list[str] = []
        # Not places: markup=False given to a screen's or widget's notify(), since
        # SfnTuiApp.notify shows every notification literally whatever it is given (its
        # own visible() and markup=False are places, in app.py); a protection of a
        # constant (`_constant`) or of a value provably our own words (`own_words`).
        self.skipped: list[str] = []

    def _segment(self, node: ast.AST) -> str:
        text = ast.get_source_segment(self.source, node) or ast.unparse(node)
        return " ".join(text.split())[:110]

    def _site(self, node: ast.AST, kind: str, before: str, after: str) -> int:
        site = Site(
            self.next_id,
            self.file,
            getattr(node, "lineno", 0),
            ".".join(self.scope) or "<module>",
            kind,
            before,
            after,
        )
        self.next_id += 1
        same = sum(1 for s in self.sites if s.key == site.key)
        if same:
            site.before = f"{site.before} #{same + 1}"
        self.sites.append(site)
        return site.id

    @staticmethod
    def _switch(site: int, mutant: ast.expr, original: ast.expr) -> ast.expr:
        test = ast.Call(
            func=ast.Attribute(
                value=ast.Name(id="_svc", ctx=ast.Load()), attr="on", ctx=ast.Load()
            ),
            args=[ast.Constant(value=site)],
            keywords=[],
        )
        return ast.IfExp(test=test, body=mutant, orelse=original)

    def _scoped(self, node: ast.AST, name: str) -> ast.AST:
        self.scope.append(name)
        self.generic_visit(node)
        self.scope.pop()
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        return self._scoped(node, node.name)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
        return self._scoped(node, node.name)

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        return self._scoped(node, node.name)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        before = self._segment(node)
        literal = bool(node.args) and _constant(node.args[0])
        derived = bool(node.args) and not literal and _span(node) in self.own
        constant = literal or derived
        why = "(a constant)" if literal else "(our words, by data flow)"
        for keyword in node.keywords:
            if keyword.arg == "markup" and _is_false(keyword.value) and _notify(node):
                self.skipped.append(f"{self.file}:{node.lineno} {before}")
            elif keyword.arg == "markup" and _is_false(keyword.value) and constant:
                self.skipped.append(f"{self.file}:{node.lineno} {before} {why}")
            elif keyword.arg == "markup" and _is_false(keyword.value):
                site = self._site(node, "markup=False", before, "markup=True")
                keyword.value = self._switch(site, ast.Constant(value=True), keyword.value)
        self.generic_visit(node)
        name = _name(node.func)
        one_arg = len(node.args) == 1 and not node.keywords
        if constant and name in ("visible", "plain", "escape", "Text", "Content"):
            self.skipped.append(f"{self.file}:{node.lineno} {before} {why}")
            return node
        if name == "visible" and one_arg:
            site = self._site(node, "visible", before, f"str({self._segment(node.args[0])})")
            mutant = ast.Call(
                func=ast.Name(id="str", ctx=ast.Load()), args=copy.deepcopy(node.args), keywords=[]
            )
            return self._switch(site, mutant, node)
        if name == "plain" and one_arg:
            site = self._site(
                node, "plain", before, f"Text.from_markup(str({self._segment(node.args[0])}))"
            )
            return self._switch(site, self._markup(node), node)
        if name == "escape" and one_arg:
            site = self._site(node, "escape", before, self._segment(node.args[0]))
            return self._switch(site, copy.deepcopy(node.args[0]), node)
        if name in ("Text", "Content") and node.args:
            after = before.replace(f"{name}(", f"{name}.from_markup(", 1)
            site = self._site(node, name, before, after)
            mutant = ast.Call(
                func=ast.Attribute(
                    value=copy.deepcopy(node.func), attr="from_markup", ctx=ast.Load()
                ),
                args=copy.deepcopy(node.args),
                keywords=copy.deepcopy(node.keywords),
            )
            return self._switch(site, mutant, node)
        return node

    @staticmethod
    def _markup(node: ast.Call) -> ast.expr:
        return ast.Call(
            func=ast.Attribute(
                value=ast.Name(id="_svc", ctx=ast.Load()), attr="markup", ctx=ast.Load()
            ),
            args=copy.deepcopy(node.args),
            keywords=copy.deepcopy(node.keywords),
        )


def _span(node: ast.expr) -> tuple[int, int, int, int]:
    """Where a node is: `f(x).g(y)` starts where `f(x)` does, so its end counts too."""
    return (node.lineno, node.col_offset, node.end_lineno or 0, node.end_col_offset or 0)


def own_calls(
    tree: ast.Module, foreign: set[str], shared: set[str]
) -> set[tuple[int, int, int, int]]:
    """Where the calls are whose first argument is provably our own words."""
    words = OwnWords(tree, foreign, shared)
    return {
        _span(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and node.args and words.ours(node.args[0])
    }


def tui_files() -> list[Path]:
    return sorted(p for p in TUI.rglob("*.py") if p.name not in SKIP)


SKIPPED: list[str] = []


def find_sites() -> tuple[list[Site], dict[str, str]]:
    """Every protection, and each file's instrumented source (files with none: absent)."""
    sites: list[Site] = []
    SKIPPED.clear()
    rewritten: dict[str, str] = {}
    sources = {str(path.relative_to(TUI)): path.read_text() for path in tui_files()}
    trees = {file: ast.parse(source) for file, source in sources.items()}
    foreign: set[str] = set()
    methods: list[str] = []
    for tree in trees.values():
        foreign |= assigned_attributes(tree)
        methods += method_names(tree)
    shared = {name for name in methods if methods.count(name) > 1}
    for file, source in sources.items():
        tree = trees[file]  # read before it is rewritten below
        finder = Protections(file, source, len(sites) + 1, own_calls(tree, foreign, shared))
        tree = finder.visit(tree)
        SKIPPED.extend(finder.skipped)
        if not finder.sites:
            continue
        sites += finder.sites
        body = tree.body
        at = 0
        while at < len(body) and (
            (
                isinstance(body[at], ast.Expr)
                and isinstance(getattr(body[at], "value", None), ast.Constant)
            )
            or (
                isinstance(body[at], ast.ImportFrom)
                and getattr(body[at], "module", "") == "__future__"
            )
        ):
            at += 1
        body.insert(
            at,
            ast.ImportFrom(
                module="sfn_tui", names=[ast.alias(name=SWITCH, asname="_svc")], level=0
            ),
        )
        rewritten[file] = ast.unparse(ast.fix_missing_locations(tree)) + "\n"
    return sites, rewritten


def prepare() -> list[Site]:
    """The instrumented copy of src/ in WORK; its places."""
    sites, rewritten = find_sites()
    if WORK.exists():
        shutil.rmtree(WORK)
    shutil.copytree(ROOT / "src", WORK / "src", ignore=shutil.ignore_patterns("__pycache__"))
    package = WORK / "src" / "sfn_tui"
    (package / f"{SWITCH}.py").write_text(SWITCH_SOURCE)
    for file, text in rewritten.items():
        (package / "tui" / file).write_text(text)
    return sites


# --- running ------------------------------------------------------------------------


class Recorder:
    """A pytest plugin: which test is running (for the switch), and each test's time."""

    def __init__(self, switch: object) -> None:
        self.switch = switch
        self.durations: dict[str, float] = {}
        self.failed: list[str] = []

    def pytest_runtest_setup(self, item: object) -> None:
        self.switch.CURRENT = item.nodeid  # type: ignore[attr-defined]

    def pytest_runtest_logreport(self, report: object) -> None:
        nodeid = report.nodeid  # type: ignore[attr-defined]
        self.durations[nodeid] = self.durations.get(nodeid, 0.0) + report.duration  # type: ignore[attr-defined]
        if report.failed:  # type: ignore[attr-defined]
            self.failed.append(nodeid)


def warm() -> object:
    """Import what the tests import (in the parent, once: each child inherits it)."""
    sys.path.insert(0, str(WORK / "src"))
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    import importlib
    import pkgutil

    import sfn_tui

    assert Path(sfn_tui.__file__).is_relative_to(WORK), sfn_tui.__file__
    for info in pkgutil.walk_packages(sfn_tui.__path__, "sfn_tui."):
        if info.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(info.name)
        except ImportError:
            continue
    # What an engine imports (scripts/mutation.py probes it: moto's services, werkzeug):
    # 6 s or more in each child otherwise.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from mutation import WARM_PROBE

    probe = subprocess.run(
        [sys.executable, "-c", WARM_PROBE], capture_output=True, text=True, check=True, cwd=ROOT
    )
    for name in probe.stdout.split():
        try:
            importlib.import_module(name)
        except ImportError:
            continue
    import pytest  # noqa: F401

    return importlib.import_module(f"sfn_tui.{SWITCH}")


def in_child(
    switch: object, active: int, tests: Sequence[str], log: Path, out: Path | None, seconds: float
) -> tuple[int, str]:
    """Run `tests` (-x) in a forked child with mutant `active` on; its exit code (or
    -1 for a timeout) and the first failed test. With `out`, the hits and durations are
    written there."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        code = 3
        try:
            import pytest

            switch.ACTIVE = active  # type: ignore[attr-defined]
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            recorder = Recorder(switch)
            args = ["-q", "-p", "no:cacheprovider", "-p", "no:randomly", *tests]
            if out is None:
                args.insert(0, "-x")
            code = int(pytest.main(args, plugins=[recorder]))
            os.write(write, (recorder.failed[0] if recorder.failed else "").encode())
            if out is not None:
                hits = {str(k): sorted(v) for k, v in switch.HITS.items()}  # type: ignore[attr-defined]
                out.write_text(
                    json.dumps(
                        {"hits": hits, "durations": recorder.durations, "failed": recorder.failed}
                    )
                )
        finally:
            os._exit(code)
    os.close(write)
    CHILD[0] = pid
    deadline = time.monotonic() + seconds
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(read)
            return -1, ""
        time.sleep(0.2)
    failed = os.read(read, 4096).decode()
    os.close(read)
    return os.waitstatus_to_exitcode(status), failed


CHILD = [0]  # the running child, killed with the parent


def _stop(signum: int, frame: object) -> None:
    if CHILD[0]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(CHILD[0], signal.SIGKILL)
    raise SystemExit(128 + signum)


def record(switch: object) -> dict[str, object]:
    """The first run, no mutant on: which test runs which place; each test's time."""
    out = WORK / "hits.json"
    code, failed = in_child(
        switch, 0, [t for t in TESTS if (ROOT / t).exists()], WORK / "record.log", out, 3600
    )
    if not out.exists():
        raise SystemExit(f"the recording run failed (exit {code}); see {WORK / 'record.log'}")
    data = json.loads(out.read_text())
    if code != 0:
        print(f"   the recording run had failures (first: {failed}); those tests are left out")
    return data


def mutate(
    sites: list[Site], only: set[int] | None, max_minutes: float | None
) -> tuple[list[Site], bool]:
    started = time.monotonic()
    signal.signal(signal.SIGTERM, _stop)
    switch = warm()
    print("   recording which test runs which place ...", flush=True)
    data = record(switch)
    durations: dict[str, float] = data["durations"]  # type: ignore[assignment]
    failed_first = set(data["failed"])  # type: ignore[arg-type]
    hits: dict[str, list[str]] = data["hits"]  # type: ignore[assignment]
    print(f"   recorded in {time.monotonic() - started:.0f} s", flush=True)
    finished = True
    for site in sites:
        if only is not None and site.id not in only:
            continue
        if max_minutes and time.monotonic() - started > max_minutes * 60:
            finished = False
            break
        tests = sorted(
            (t for t in hits.get(str(site.id), []) if t not in failed_first),
            key=lambda t: durations.get(t, 0.0),
        )
        if not tests:
            site.status, site.tests, site.by = "no tests", 0, ""
            save(sites)
            continue
        seconds = min(PER_MUTANT_SECONDS, 60 + 3 * sum(durations.get(t, 0.0) for t in tests))
        code, failed = in_child(switch, site.id, tests, WORK / "mutants.log", None, seconds)
        site.tests = len(tests)
        if code == -1:
            site.status, site.by = "timeout", ""
        elif code == 0:
            site.status, site.by = "survived", ""
        elif code == 1:
            site.status, site.by = "killed", failed
        else:
            site.status, site.by = f"error {code}", failed
        print(
            f"   {site.id:3} {site.status:8} {site.file}:{site.line} {site.before[:60]}", flush=True
        )
        save(sites)
    return sites, finished


def save(sites: Sequence[Site]) -> None:
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps([asdict(s) for s in sites], indent=1))


def load() -> list[Site]:
    return [Site(**s) for s in json.loads(RESULTS.read_text())]


# --- report -------------------------------------------------------------------------

KILLED = {"killed", "timeout"}
LEFT = {"survived", "no tests"}


def load_reasons() -> dict[str, str]:
    if not REASONS.exists():
        return {}
    with REASONS.open("rb") as handle:
        return dict(tomllib.load(handle).get(SECTION, {}))


def report(sites: Sequence[Site]) -> str:
    reasons = load_reasons()
    files: dict[str, list[Site]] = {}
    for site in sites:
        files.setdefault(site.file, []).append(site)
    rows = [
        "| file (`tui/`) | places | checked | killed | score | survivors explained"
        " | equivalent | score of the killable |",
        "|---|---|---|---|---|---|---|---|",
    ]
    total = checked_all = killed_all = explained_all = equivalent_all = 0
    lines: list[str] = []
    for file, group in sorted(files.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        checked = [s for s in group if s.status in KILLED | LEFT]
        killed = [s for s in checked if s.status in KILLED]
        left = [s for s in checked if s.status in LEFT]
        explained = [s for s in left if s.key in reasons]
        equivalent = sum(1 for s in left if reasons.get(s.key, "").startswith("Equivalent"))
        score = f"{100.0 * len(killed) / len(checked):.0f} %" if checked else "-"
        killable = len(checked) - equivalent
        score_k = f"{100.0 * len(killed) / killable:.0f} %" if killable else "-"
        rows.append(
            f"| `{file}` | {len(group)} | {len(checked)} | {len(killed)} | {score}"
            f" | {len(explained)} of {len(left)} | {equivalent} | {score_k} |"
        )
        equivalent_all += equivalent
        total += len(group)
        checked_all += len(checked)
        killed_all += len(killed)
        explained_all += len(explained)
        for s in left:
            why = reasons.get(s.key, "no reason recorded")
            lines.append(
                f"- `{s.file}:{s.line}` {s.where} ({s.status}): `{s.before}` -> `{s.after}`: {why}"
            )
    score = f"{100.0 * killed_all / checked_all:.0f} %" if checked_all else "-"
    killable_all = checked_all - equivalent_all
    score_k = f"{100.0 * killed_all / killable_all:.1f} %" if killable_all else "-"
    rows.append(
        f"| all | {total} | {checked_all} | {killed_all} | {score}"
        f" | {explained_all} of {checked_all - killed_all} | {equivalent_all} | {score_k} |"
    )
    other = [s for s in sites if s.status not in KILLED | LEFT]
    tail = [f"- `{s.file}:{s.line}` {s.status}: `{s.before}`" for s in other]
    return "\n".join(
        [*rows, "", "Survivors:", "", *(lines or ["- none"])]
        + (["", "Not judged:", "", *tail] if tail else [])
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="print the places found and stop")
    parser.add_argument("--max-minutes", type=float, help="stop after this long")
    parser.add_argument("--resume", action="store_true", help="only places not checked yet")
    parser.add_argument("--recheck", action="store_true", help="the last run's survivors again")
    parser.add_argument("--sites", help="only these place ids (comma separated)")
    parser.add_argument("--report", action="store_true", help="print the last results only")
    args = parser.parse_args(argv)
    if args.report:
        print(report(load()))
        return 0
    if args.list:
        sites, _ = find_sites()
        for s in sites:
            print(f"{s.id:3} {s.kind:12} {s.file}:{s.line} {s.where}: {s.before}")
        print(f"{len(sites)} places in {len({s.file for s in sites})} files")
        print(f"not places (a screen's or widget's notify(), a constant): {len(SKIPPED)}")
        for skipped in SKIPPED:
            print(f"    {skipped}")
        return 0
    sites = prepare()
    only: set[int] | None = None
    if (args.resume or args.recheck) and RESULTS.exists():
        last = {s.key: s for s in load()}
        for site in sites:
            if site.key in last:
                previous = last[site.key]
                site.status, site.tests, site.by = previous.status, previous.tests, previous.by
        wanted = LEFT | {"not checked"} if args.recheck else {"not checked"}
        # A survivor judged equivalent (its reason says so) keeps its last status: no
        # test can kill it, and its scenes take minutes.
        equivalent = {k for k, why in load_reasons().items() if why.startswith("Equivalent")}
        only = {
            s.id
            for s in sites
            if (s.status in wanted or s.status.startswith("error") or s.key not in last)
            and not (s.status in LEFT and s.key in equivalent)
        }
    if args.sites:
        only = {int(n) for n in args.sites.split(",")}
    print(f"== service text: {len(sites)} places", flush=True)
    started = time.monotonic()
    sites, finished = mutate(sites, only, args.max_minutes)
    save(sites)
    minutes = (time.monotonic() - started) / 60
    print(f"   {minutes:.1f} min{'' if finished else ' (time budget: cut short)'}", flush=True)
    print(report(sites))
    return 0


if __name__ == "__main__":
    sys.exit(main())
