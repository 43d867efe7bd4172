"""scripts/own_words.py: a place is left out of the service-text mutation only when its
value is provably ours. Each case is a small module; the check must say "ours" only where
no service text can reach the value."""

from __future__ import annotations

import ast
import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from own_words import OwnWords


def first_arguments(source: str) -> dict[str, bool]:
    """Each `show(x)` call's argument, as written, and whether the check holds it ours."""
    tree = ast.parse(textwrap.dedent(source))
    words = OwnWords(tree)
    return {
        ast.unparse(node.args[0]): words.ours(node.args[0])
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "show"
        and node.args
    }


OURS = [
    'show("Stop")',
    "show(MARKS[status])",
    'show(MARKS.get(status, "·"))',
    'show(f"All ({sum(counts.values()):,})")',
    "show(f'{n:,} events')",
    "show(len(name))",
    # a local whose every assignment is ours
    'def f(flag):\n    word = "a" if flag else "b"\n    word += "!"\n    show(f"{word} x")',
    # a parameter mypy holds to a number
    "def f(count: int):\n    show(f'✉ {count}')",
    # a private function's parameter every call fills with our words
    'def _title(verb, run):\n    show(f"{verb} the run")\n_title("Stop", r)\n_title(verb="Redrive", run=r)',
    # a self attribute assigned only our words, and a method returning ours
    'class A:\n    def __init__(self, m):\n        self.what = "machine" if m else "activity"\n'
    '    def _words(self):\n        return f"the {self.what}"\n'
    "    def draw(self):\n        show(self._words())\n        show(self.what)",
    # a dict attribute of numbers
    "class A:\n    def __init__(self):\n        self.counts: dict[str, int] = {}\n"
    "    def cell(self, arn):\n        show(f'✉ {self.counts.get(arn, 0)}')",
]

NOT_OURS = [
    "show(name)",
    "show(run.name)",
    'show(f"{run.name} ended")',
    "show(f'{text:>10}')",  # a width, not a number: strings take it too
    "show(names.get(arn, '—'))",  # a lookup in service data
    # a loop over service data
    "def f(runs):\n    for run in runs:\n        show(run)",
    # a private function that one call fills with service text
    'def _title(verb):\n    show(f"{verb} the run")\n_title("Stop")\n_title(run.name)',
    # a private function passed around: a caller elsewhere may fill it
    'def _say(line):\n    show(line)\n_say("x")\ncallback = _say',
    # a public function's parameter: any module may call it
    "def say(line):\n    show(line)\nsay('x')",
    # an attribute assigned a parameter
    "class A:\n    def __init__(self, name):\n        self.what = name\n"
    "    def draw(self):\n        show(self.what)",
    # a dataclass-like field: the constructor's caller fills it
    "class A:\n    title: str\n    def draw(self):\n        show(self.title)",
    # a stub whose overrides answer
    "class A:\n    def cells(self):\n        raise NotImplementedError\n"
    "    def draw(self):\n        show(self.cells())",
    # a name bound by an except clause or a with statement
    "def f():\n    try:\n        pass\n    except Exception as problem:\n        show(problem)",
    "def f():\n    with open('x') as text:\n        show(text)",
]


@pytest.mark.parametrize("source", OURS)
def test_provably_ours(source: str) -> None:
    found = first_arguments(source)
    assert found and all(found.values()), found


@pytest.mark.parametrize("source", NOT_OURS)
def test_not_provably_ours(source: str) -> None:
    found = first_arguments(source)
    assert found and not any(found.values()), found


def test_an_attribute_another_module_assigns_is_not_ours() -> None:
    source = 'class A:\n    def __init__(self):\n        self.what = "x"\n    def d(self):\n        show(self.what)'
    tree = ast.parse(source)
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.args)
    assert OwnWords(tree).ours(call.args[0])
    assert not OwnWords(tree, foreign={"what"}).ours(call.args[0])


def test_a_method_another_class_defines_is_not_followed() -> None:
    source = 'class A:\n    def _words(self):\n        return "x"\n    def d(self):\n        show(self._words())'
    tree = ast.parse(source)
    call = next(
        n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "show"
    )
    assert OwnWords(tree).ours(call.args[0])
    assert not OwnWords(tree, shared={"_words"}).ours(call.args[0])
