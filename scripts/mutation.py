"""Mutation testing of sfn-tui's safety core: make one small bug at a time in a module,
run only the tests that execute the changed line, and count the bugs no test notices.

    .venv/bin/python scripts/mutation.py                 # every module below
    .venv/bin/python scripts/mutation.py redact inbox    # some (names as in MODULES)
    .venv/bin/python scripts/mutation.py inbox --sample 60 --seed 1
    .venv/bin/python scripts/mutation.py --list redact   # the mutants, not run

How it works (see README, Development):
1. A baseline run of the module's tests under coverage records, per test, the lines of
   the module it executes, and its duration (scripts/mutation_plugin.py). It must pass.
2. Mutants are made on the module's AST (operators in `Mutator`), only inside the
   functions named in MODULES when a module lists some.
3. Each mutant runs in a forked child of this process (textual, moto, botocore and
   pytest already imported: about 2.5 s saved per mutant): an import hook hands the
   tests the mutated module, compiled with its original line numbers, and pytest runs
   only the tests that executed one of the mutant's lines, fastest first, stopping at
   the first failure. Failed, errored or timed out: killed. Passed: survived.
4. Results go to .mutation/<module>.json; the summary lists every survivor with the
   reason recorded for it in scripts/mutation_reasons.toml (or "no reason recorded").

Tests that run sfn-tui in a child process (pty tests) cannot see a mutant made in this
process: they are left out of the selection (MODULES says where). Not part of CI.
"""

from __future__ import annotations

import argparse
import ast
import copy
import importlib.abc
import importlib.util
import json
import os
import random
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
OUT = ROOT / ".mutation"
REASONS = Path(__file__).resolve().parent / "mutation_reasons.toml"
PKG = "sfn_tui"


@dataclass(frozen=True)
class Target:
    """A module to mutate, the tests that cover it, optionally only some functions."""

    path: str  # under src/sfn_tui
    tests: tuple[str, ...]
    functions: tuple[str, ...] = ()  # qualified names ("Class.method"); () = whole module
    deselect: tuple[str, ...] = ()  # test ids left out (they run sfn-tui in a child)


MODULES: dict[str, Target] = {
    "redact": Target("core/redact.py", ("tests/test_secrets.py", "tests/test_safety_rules.py")),
    "validation": Target(
        "core/validation.py",
        ("tests/test_validation.py", "tests/test_bad_input.py", "tests/test_safety_rules.py"),
    ),
    "inbox": Target(
        "core/inbox.py",
        (
            "tests/test_inbox.py",
            "tests/test_faults_tasks.py",
            "tests/test_answers_once.py",
            "tests/test_exit_paths.py",
            "tests/test_quit_prompt.py",
        ),
        deselect=("tests/test_exit_paths.py::test_a_signal_fails_every_claimed_task",),
    ),
    "poller": Target(
        "core/poller.py",
        ("tests/test_poll_backoff.py", "tests/test_faults_dashboard.py", "tests/test_dashboard.py"),
    ),
    "heartbeats": Target(
        "core/heartbeats.py",
        ("tests/test_heartbeats.py", "tests/test_inbox.py"),
    ),
    "read_only_main": Target(
        "tui/screens/main.py",
        ("tests/test_read_only.py", "tests/test_read_only_routes.py", "tests/test_operate.py"),
        functions=("MainScreen.check_action", "MainScreen._open"),
    ),
    "read_only_app": Target(
        "tui/app.py",
        ("tests/test_read_only.py", "tests/test_read_only_routes.py"),
        functions=(
            "SfnTuiApp.check_action",
            "SfnTuiApp.action_new_chat_run",
            "SfnTuiApp.toggle_work",
            "SfnTuiApp.auto_work",
            "SfnTuiApp.action_dashboard",
        ),
    ),
    "read_only_chat": Target(
        "tui/screens/chat.py",
        ("tests/test_read_only.py", "tests/test_read_only_routes.py", "tests/test_chat_rules.py"),
        functions=("ChatScreen.check_action", "ChatScreen._answerable"),
    ),
    "read_only_commands": Target(
        "tui/commands.py", ("tests/test_read_only_routes.py", "tests/test_read_only.py")
    ),
    "formatting": Target(
        "tui/formatting.py",
        (
            "tests/test_terminal_safety.py",
            "tests/test_hostile_names.py",
            "tests/test_bad_input.py",
            "tests/test_chat_ui.py",
            "tests/test_dashboard.py",
        ),
    ),
    "activities": Target(
        "local/activities.py", ("tests/test_local_activities.py", "tests/test_inbox.py")
    ),
    "key_order": Target("tui/key_order.py", ("tests/test_key_order.py",)),
    "paste_limits": Target(
        "tui/paste_limits.py",
        ("tests/test_large_paste.py",),
        deselect=("tests/test_large_paste.py::test_a_megabyte_typed_into_a_real_terminal",),
    ),
}

# Calls whose string arguments are wording, not behaviour: not mutated.
WORDING_CALLS = frozenset(
    {"debug", "info", "warning", "error", "exception", "notify", "log", "format_help"}
)


@dataclass
class Mutant:
    key: str  # "line:col:operator" - stable while the line is unchanged
    line: int
    end_line: int
    operator: str
    before: str
    after: str
    index: int  # the node's position in ast.walk order
    status: str = "pending"  # killed, survived, timeout, no-tests
    tests_run: int = 0
    seconds: float = 0.0
    killed_by: str = ""


# Making mutants ------------------------------------------------------------------------

COMPARE_SWAP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}
BINOP_SWAP: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.Mult,
    ast.Pow: ast.Mult,
}


def _mutations(node: ast.AST, parent: ast.AST | None) -> Iterator[tuple[str, ast.AST | None]]:
    """(operator, replacement) for one node; a replacement of None deletes a statement."""
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        swap = COMPARE_SWAP.get(type(node.ops[0]))
        if swap is not None:
            new = copy.deepcopy(node)
            new.ops = [swap()]
            yield f"compare:{type(node.ops[0]).__name__}->{swap.__name__}", new
    elif isinstance(node, ast.BoolOp):
        new_bool = copy.deepcopy(node)
        new_bool.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        yield "boolop", new_bool
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield "drop-not", copy.deepcopy(node.operand)
    elif isinstance(node, ast.BinOp | ast.AugAssign):
        swap_op = BINOP_SWAP.get(type(node.op))
        if swap_op is not None and not _is_string_format(node):
            new_bin = copy.deepcopy(node)
            new_bin.op = swap_op()
            yield f"binop:{type(node.op).__name__}->{swap_op.__name__}", new_bin
    elif isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            yield "bool", ast.Constant(not value)
        elif isinstance(value, int | float):
            yield "number", ast.Constant(value + 1)
        elif isinstance(value, str) and value:
            yield "string", ast.Constant(f"XX{value}XX")
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id in ("min", "max"):
            new_call = copy.deepcopy(node)
            assert isinstance(new_call.func, ast.Name)
            new_call.func.id = "max" if node.func.id == "min" else "min"
            yield "min-max", new_call
    elif isinstance(node, ast.Return) and node.value is not None:
        if not (isinstance(node.value, ast.Constant) and node.value.value is None):
            yield "return-none", ast.Return(ast.Constant(None))
    elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call | ast.Await):
        yield "drop-call", None
    elif isinstance(node, ast.Return | ast.Continue | ast.Break):
        yield f"drop-{type(node).__name__.lower()}", None
    elif isinstance(node, ast.Assign) and len(node.targets) == 1:
        if not (isinstance(node.value, ast.Constant) and node.value.value is None):
            new_assign = copy.deepcopy(node)
            new_assign.value = ast.Constant(None)
            yield "assign-none", new_assign


def _is_string_format(node: ast.AST) -> bool:
    return isinstance(node, ast.BinOp) and (
        isinstance(node.left, ast.Constant | ast.JoinedStr) and isinstance(node.left.value, str)
        if isinstance(node.left, ast.Constant)
        else isinstance(node.left, ast.JoinedStr)
    )


def _skipped_nodes(tree: ast.Module) -> set[int]:
    """ids of nodes never mutated: docstrings, annotations, TYPE_CHECKING blocks,
    f-strings, wording (log/notify/exception messages), __all__."""
    skip: set[int] = set()

    def skip_all(node: ast.AST | None) -> None:
        if node is not None:
            skip.update(id(n) for n in ast.walk(node))

    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            skip_all(body[0])
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            skip_all(node.returns)
            for arg in [*node.args.args, *node.args.kwonlyargs, *node.args.posonlyargs]:
                skip_all(arg.annotation)
            if node.args.vararg:
                skip_all(node.args.vararg.annotation)
            if node.args.kwarg:
                skip_all(node.args.kwarg.annotation)
        elif isinstance(node, ast.AnnAssign):
            skip_all(node.annotation)
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip_all(node)
        elif isinstance(node, ast.JoinedStr | ast.Raise | ast.ImportFrom | ast.Import):
            skip_all(node)
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in WORDING_CALLS or (name[:1].isupper() and name.endswith(("Error", "Reply"))):
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    if isinstance(arg, ast.Constant | ast.JoinedStr | ast.BinOp):
                        skip_all(arg)
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            skip_all(node)
    return skip


def _function_ranges(tree: ast.Module, names: Sequence[str]) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                qualname = f"{prefix}{child.name}"
                if qualname in names:
                    ranges.append((child.lineno, child.end_lineno or child.lineno))
                visit(child, qualname + ".")

    visit(tree, "")
    if len(ranges) < len(names):
        raise SystemExit(f"some of these functions were not found: {names}")
    return ranges


def make_mutants(source: str, functions: Sequence[str] = ()) -> list[Mutant]:
    tree = ast.parse(source)
    skip = _skipped_nodes(tree)
    ranges = _function_ranges(tree, functions) if functions else []
    parents: dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    mutants: list[Mutant] = []
    for index, node in enumerate(ast.walk(tree)):
        if id(node) in skip or not hasattr(node, "lineno"):
            continue
        line = node.lineno
        if ranges and not any(start <= line <= end for start, end in ranges):
            continue
        if ranges and any(line == start for start, _ in ranges):
            continue  # the def line itself
        for operator, replacement in _mutations(node, parents.get(id(node))):
            before = ast.unparse(node).splitlines()[0][:80]
            after = "(removed)" if replacement is None else ast.unparse(replacement)
            after = after.splitlines()[0][:80] if after else after
            mutants.append(
                Mutant(
                    key=f"{line}:{node.col_offset}:{operator}",
                    line=line,
                    end_line=getattr(node, "end_lineno", None) or line,
                    operator=operator,
                    before=before,
                    after=after,
                    index=index,
                )
            )
    return mutants


def mutated_tree(source: str, mutant: Mutant) -> ast.Module:
    """The module's tree with this one mutant applied (line numbers kept)."""
    tree = ast.parse(source)
    nodes = list(ast.walk(tree))
    target = nodes[mutant.index]
    parents = {id(c): n for n in nodes for c in ast.iter_child_nodes(n)}
    parent = parents[id(target)]
    replacement: ast.AST | None = None
    for operator, candidate in _mutations(target, parent):
        if operator == mutant.operator:
            replacement = candidate
            break
    else:
        raise LookupError(mutant.key)
    if replacement is None:
        replacement = ast.Pass()
    ast.copy_location(replacement, target)
    for fieldname, value in ast.iter_fields(parent):
        if value is target:
            setattr(parent, fieldname, replacement)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if item is target:
                    value[i] = replacement
    ast.fix_missing_locations(tree)
    return tree


# Running tests -------------------------------------------------------------------------


class _MutantLoader(importlib.abc.Loader):
    def __init__(self, code: Any, path: str) -> None:
        self.code, self.path = code, path

    def create_module(self, spec: Any) -> None:
        return None

    def exec_module(self, module: Any) -> None:
        module.__file__ = self.path
        exec(self.code, module.__dict__)


class _MutantFinder(importlib.abc.MetaPathFinder):
    def __init__(self, name: str, code: Any, path: str) -> None:
        self.name, self.code, self.path = name, code, path

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != self.name:
            return None
        return importlib.util.spec_from_loader(
            fullname, _MutantLoader(self.code, self.path), origin=self.path
        )


def _preload() -> None:
    """Import the heavy libraries once; every forked child inherits them."""
    import aiobotocore.session  # noqa: F401
    import boto3  # noqa: F401
    import hypothesis  # noqa: F401
    import moto.server  # noqa: F401
    import pytest  # noqa: F401
    import textual.app  # noqa: F401
    import textual.widgets  # noqa: F401


def _pytest_args(tests: Sequence[str], deselect: Sequence[str]) -> list[str]:
    args = ["-x", "-q", "-p", "no:cacheprovider", "--no-header"]
    for test in deselect:
        args += ["--deselect", test]
    return [*args, *tests]


def run_in_child(
    module_name: str, path: Path, code: Any, tests: Sequence[str], timeout: float, log: Path
) -> tuple[str, float]:
    """Run `tests` against the mutated module in a forked child: 'killed', 'survived'
    or 'timeout', and the seconds it took."""
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child
        try:
            os.setpgid(0, 0)
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            sys.meta_path.insert(0, _MutantFinder(module_name, code, str(path)))
            import pytest

            code_ = pytest.main(_pytest_args(tests, ()))
            os._exit(int(code_))
        except BaseException:
            os._exit(99)
    deadline = started + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            code_ = os.waitstatus_to_exitcode(status)
            return ("survived" if code_ == 0 else "killed"), time.monotonic() - started
        if time.monotonic() > deadline:
            with _suppress():
                os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return "timeout", time.monotonic() - started
        time.sleep(0.05)


class _suppress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return exc[0] is not None and issubclass(exc[0], ProcessLookupError)  # type: ignore[arg-type]


def baseline(name: str, target: Target) -> dict[str, Any]:
    """Run the module's tests once under coverage: lines per test, durations."""
    OUT.mkdir(exist_ok=True)
    output = OUT / f"{name}.baseline.json"
    path = SRC / PKG / target.path
    env = dict(os.environ)
    env["MUTATION_BASELINE"] = f"{path}::{output}"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "scripts"), env.get("PYTHONPATH", "")])
    args = [sys.executable, "-m", "pytest", "-p", "mutation_plugin", "-q", "-p", "no:cacheprovider"]
    for test in target.deselect:
        args += ["--deselect", test]
    started = time.monotonic()
    result = subprocess.run(
        [*args, *existing_tests(target)], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    data: dict[str, Any] = json.loads(output.read_text())
    data["seconds"] = time.monotonic() - started
    if result.returncode != 0:
        sys.stdout.write(result.stdout[-3000:])
        raise SystemExit(f"{name}: the baseline run fails; fix the tests first")
    return data


def existing_tests(target: Target) -> list[str]:
    """The module's test files that exist (a listed file may not be written yet)."""
    return [t for t in target.tests if (ROOT / t.split("::")[0]).exists()]


def select_tests(mutant: Mutant, data: dict[str, Any]) -> list[str]:
    """The tests that executed one of the mutant's lines, fastest first. Lines run only
    at import (module constants) are covered by every test of the module."""
    lines = set(range(mutant.line, mutant.end_line + 1))
    durations: dict[str, float] = data["durations"]
    chosen = [test for test, seen in data["lines"].items() if lines & set(seen)]
    if not chosen and mutant.line in data.get("import_lines", ()):
        chosen = list(durations)
    return sorted(chosen, key=lambda t: durations.get(t, 0.0))


def import_lines(path: Path) -> set[int]:
    """Lines of the module run at import: module-level statements and class bodies,
    decorators and default values (not function bodies)."""
    tree = ast.parse(path.read_text())
    lines: set[int] = set()

    def add(node: ast.AST) -> None:
        for child in ast.walk(node):
            if hasattr(child, "lineno"):
                lines.add(child.lineno)

    def visit(body: list[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                for deco in stmt.decorator_list:
                    add(deco)
                for default in [*stmt.args.defaults, *stmt.args.kw_defaults]:
                    if default is not None:
                        add(default)
            elif isinstance(stmt, ast.ClassDef):
                visit(stmt.body)
            else:
                add(stmt)

    visit(tree.body)
    return lines


@dataclass
class ModuleResult:
    name: str
    path: str
    mutants: list[Mutant] = field(default_factory=list)
    total: int = 0  # before sampling
    baseline_seconds: float = 0.0
    seconds: float = 0.0

    @property
    def score(self) -> float:
        ran = [m for m in self.mutants if m.status != "pending"]
        killed = [m for m in ran if m.status in ("killed", "timeout")]
        return 100.0 * len(killed) / len(ran) if ran else 0.0


def mutate_module(
    name: str, target: Target, sample: int | None, seed: int, max_seconds: float | None
) -> ModuleResult:
    path = SRC / PKG / target.path
    source = path.read_text()
    mutants = make_mutants(source, target.functions)
    result = ModuleResult(name, target.path, total=len(mutants))
    if sample is not None and sample < len(mutants):
        mutants = sorted(random.Random(seed).sample(mutants, sample), key=lambda m: m.index)
    result.mutants = mutants
    print(f"== {name} ({target.path}): {len(mutants)} of {result.total} mutants", flush=True)
    data = baseline(name, target)
    data["import_lines"] = import_lines(path)
    result.baseline_seconds = data["seconds"]
    print(f"   baseline {data['seconds']:.0f} s, {len(data['durations'])} tests", flush=True)
    module_name = f"{PKG}.{target.path[:-3].replace('/', '.')}"
    log = OUT / f"{name}.last.log"
    started = time.monotonic()
    for number, mutant in enumerate(mutants, 1):
        if max_seconds is not None and time.monotonic() - started > max_seconds:
            print(f"   time budget spent: {number - 1} of {len(mutants)} run", flush=True)
            break
        tests = [t for t in select_tests(mutant, data) if t not in target.deselect]
        if not tests:
            mutant.status = "no-tests"
            continue
        code = compile(mutated_tree(source, mutant), str(path), "exec")
        budget = 60.0 + 3 * sum(data["durations"].get(t, 1.0) for t in tests)
        mutant.status, mutant.seconds = run_in_child(
            module_name, path, code, tests, budget, log
        )
        mutant.tests_run = len(tests)
        if mutant.status == "survived":
            print(f"   survived {mutant.key}  {mutant.before}  ->  {mutant.after}", flush=True)
        if number % 10 == 0:
            print(f"   {number}/{len(mutants)} score so far {result.score:.0f} %", flush=True)
    result.seconds = time.monotonic() - started
    (OUT / f"{name}.json").write_text(
        json.dumps(
            {
                "name": name,
                "path": target.path,
                "total": result.total,
                "baseline_seconds": result.baseline_seconds,
                "seconds": result.seconds,
                "mutants": [asdict(m) for m in result.mutants],
            },
            indent=1,
        )
    )
    return result


def load_reasons() -> dict[str, dict[str, str]]:
    if not REASONS.exists():
        return {}
    with REASONS.open("rb") as handle:
        return tomllib.load(handle)


def report(names: Sequence[str]) -> str:
    """The summary table and survivors of the last results, as Markdown."""
    reasons = load_reasons()
    rows = ["| module | mutants run (of made) | killed | survived | score | time |", "|---|---|---|---|---|---|"]
    survivors: list[str] = []
    for name in names:
        file = OUT / f"{name}.json"
        if not file.exists():
            continue
        data = json.loads(file.read_text())
        ran = [m for m in data["mutants"] if m["status"] != "pending"]
        killed = [m for m in ran if m["status"] in ("killed", "timeout")]
        left = [m for m in ran if m["status"] in ("survived", "no-tests")]
        score = 100.0 * len(killed) / len(ran) if ran else 0.0
        rows.append(
            f"| {name} (`{data['path']}`) | {len(ran)} ({data['total']}) | {len(killed)}"
            f" | {len(left)} | {score:.0f} % | {data['seconds'] / 60:.0f} min |"
        )
        for m in left:
            why = reasons.get(name, {}).get(m["key"], "no reason recorded")
            survivors.append(
                f"- {name} `{data['path']}:{m['line']}` {m['operator']}: `{m['before']}` ->"
                f" `{m['after']}`{' (no test runs it)' if m['status'] == 'no-tests' else ''}:"
                f" {why}"
            )
    return "\n".join([*rows, "", "Survivors:", "", *(survivors or ["- none"])])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help=f"some of: {', '.join(MODULES)}")
    parser.add_argument("--sample", type=int, help="run this many mutants per module (random)")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--max-minutes", type=float, help="stop a module after this long")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--report", action="store_true", help="print the last results only")
    args = parser.parse_args(argv)
    names = args.modules or list(MODULES)
    unknown = [n for n in names if n not in MODULES]
    if unknown:
        parser.error(f"unknown module(s) {unknown}; known: {', '.join(MODULES)}")
    if args.list:
        for name in names:
            target = MODULES[name]
            mutants = make_mutants((SRC / PKG / target.path).read_text(), target.functions)
            print(f"== {name}: {len(mutants)} mutants")
            for m in mutants:
                print(f"   {m.key}  {m.before}  ->  {m.after}")
        return 0
    if not args.report:
        sys.path.insert(0, str(ROOT))
        os.chdir(ROOT)
        _preload()
        for name in names:
            max_seconds = args.max_minutes * 60 if args.max_minutes else None
            mutate_module(name, MODULES[name], args.sample, args.seed, max_seconds)
    print(report(names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
