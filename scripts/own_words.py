"""Which expressions in a module are provably our own words: values no service text can
reach, so protecting them from markup is not a place for scripts/service_text_mutation.py
to mutate (no test could ever tell the mutant from the original).

A conservative data-flow check over one module's syntax tree. An expression is ours when
it is a literal or a module constant (UPPER_CASE), a number by construction (len(), sum(),
int(), math.ceil(), a numeric format spec such as `{n:,}`, a name or attribute that mypy
holds to a number type), or is built only from such values: an f-string, a choice, a
concatenation, a lookup in a constant (`MARKS.get(status, "·")`), a local or a `self.`
attribute whose every assignment is ours, a private module function's parameter that
every call in the module passes ours, a call of a function or method of this module
whose every return is ours. Anything else (a parameter a caller outside the module can
fill, a loop over service data, an attribute another module assigns) is not ours: a
place stays a place when in doubt.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

NUMBER_TYPES = frozenset({"int", "float", "bool"})
NUMBER_CALLS = frozenset({"len", "sum", "int", "float", "round", "abs", "bool"})
MATH_CALLS = frozenset({"ceil", "floor", "trunc"})
SAME_AS_ARGUMENTS = frozenset({"max", "min", "str"})
NUMBER_SPEC_ENDS = frozenset("bcdeEfFgGnoxX%")
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
NESTED = (*SCOPES, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)

Function = ast.FunctionDef | ast.AsyncFunctionDef


def method_names(tree: ast.AST) -> list[str]:
    """The names of every method a module defines (one entry per definition)."""
    return [
        item.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        for item in node.body
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def assigned_attributes(tree: ast.AST) -> set[str]:
    """Attribute names a module assigns on something other than `self` (`x.name = ...`):
    an attribute assigned from outside its class is never ours."""
    names: set[str] = set()
    for node in ast.walk(tree):
        for target in _targets(node):
            for part in ast.walk(target):
                if (
                    isinstance(part, ast.Attribute)
                    and isinstance(part.ctx, ast.Store)
                    and not (isinstance(part.value, ast.Name) and part.value.id == "self")
                ):
                    names.add(part.attr)
    return names


def _targets(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        return list(node.targets)
    if isinstance(node, ast.AnnAssign | ast.AugAssign | ast.For | ast.AsyncFor):
        return [node.target]
    if isinstance(node, ast.withitem) and node.optional_vars is not None:
        return [node.optional_vars]
    if isinstance(node, ast.NamedExpr):
        return [node.target]
    return []


def _binds(target: ast.expr, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(target))


def _number_type(annotation: ast.expr | None) -> bool:
    """int, float, bool, or a Literal of constants."""
    if isinstance(annotation, ast.Name):
        return annotation.id in NUMBER_TYPES
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        return annotation.value in NUMBER_TYPES
    if isinstance(annotation, ast.Subscript) and isinstance(annotation.value, ast.Name):
        return annotation.value.id == "Literal"
    return False


def _number_values(annotation: ast.expr | None) -> bool:
    """A mapping or sequence type of numbers: dict[str, int], list[int], ..."""
    if not isinstance(annotation, ast.Subscript):
        return False
    inner = annotation.slice
    last = inner.elts[-1] if isinstance(inner, ast.Tuple) and inner.elts else inner
    return _number_type(last)


def _number_spec(spec: ast.expr | None) -> bool:
    """A format spec only a number accepts (`,`, `_`, or a numeric type: `d`, `.1f`)."""
    if not isinstance(spec, ast.JoinedStr) or not spec.values:
        return False
    if not all(isinstance(v, ast.Constant) for v in spec.values):
        return False
    text = "".join(str(v.value) for v in spec.values if isinstance(v, ast.Constant))
    return bool(text) and ("," in text or "_" in text or text[-1] in NUMBER_SPEC_ENDS)


class OwnWords:
    """The provenance of expressions in one module."""

    def __init__(
        self, tree: ast.Module, foreign: set[str] | None = None, shared: set[str] | None = None
    ) -> None:
        """`foreign`: attribute names assigned from outside their class anywhere in the
        program; `shared`: method names defined in more than one class anywhere (a
        `self.m()` of those may run an override, so it is not followed)."""
        self.tree = tree
        self.foreign = foreign if foreign is not None else assigned_attributes(tree)
        if shared is None:
            names = method_names(tree)
            shared = {n for n in names if names.count(n) > 1}
        self.shared = shared
        self.parent: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parent[child] = node
        self.functions = {
            node.name: node
            for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        }

    # --- where an expression is -------------------------------------------------------

    def _enclosing(self, node: ast.AST) -> ast.AST:
        """The nearest enclosing scope (function, lambda, class, comprehension, module)."""
        at = self.parent.get(node)
        while at is not None and not isinstance(at, NESTED):
            at = self.parent.get(at)
        return at if at is not None else self.tree

    def _class_of(self, function: ast.AST) -> ast.ClassDef | None:
        parent = self.parent.get(function)
        return parent if isinstance(parent, ast.ClassDef) else None

    # --- the check --------------------------------------------------------------------

    def ours(self, node: ast.expr, seen: frozenset[object] = frozenset()) -> bool:
        """Is `node` (an expression of this module's tree) provably our own words?"""
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.Name):
            return node.id.isupper() or self._name(node, seen)
        if isinstance(node, ast.Subscript):
            return self.ours(node.value, seen) or self._number_attribute(node.value)
        if isinstance(node, ast.IfExp):
            return self.ours(node.body, seen) and self.ours(node.orelse, seen)
        if isinstance(node, ast.BoolOp):
            return all(self.ours(v, seen) for v in node.values)
        if isinstance(node, ast.BinOp):
            return self.ours(node.left, seen) and self.ours(node.right, seen)
        if isinstance(node, ast.Compare):
            return True  # a bool
        if isinstance(node, ast.UnaryOp):
            return self.ours(node.operand, seen)
        if isinstance(node, ast.Tuple | ast.List):
            return all(self.ours(e, seen) for e in node.elts)
        if isinstance(node, ast.JoinedStr):
            return all(self._formatted(v, seen) for v in node.values)
        if isinstance(node, ast.Attribute):
            return self._attribute(node, seen)
        if isinstance(node, ast.Call):
            return self._call(node, seen)
        return False

    def _formatted(self, value: ast.expr, seen: frozenset[object]) -> bool:
        if isinstance(value, ast.Constant):
            return True
        if isinstance(value, ast.FormattedValue):
            return _number_spec(value.format_spec) or (
                self.ours(value.value, seen)
                and (value.format_spec is None or self.ours(value.format_spec, seen))
            )
        return False

    def _name(self, node: ast.Name, seen: frozenset[object]) -> bool:
        scope = self._enclosing(node)
        if not isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef | ast.Module):
            return False  # in a lambda, comprehension or class body: not followed
        key = ("name", id(scope), node.id)
        if key in seen:
            return False
        seen = seen | {key}
        if isinstance(scope, ast.Module):
            return self._bindings_ours(scope, node.id, seen, module=True)
        parameter = self._parameter(scope, node.id)
        if parameter is not None:
            return _number_type(parameter.annotation) or self._passed_ours(scope, node.id, seen)
        return self._bindings_ours(scope, node.id, seen, module=False)

    @staticmethod
    def _parameter(function: Function, name: str) -> ast.arg | None:
        arguments = function.args
        every = [
            *arguments.posonlyargs,
            *arguments.args,
            *arguments.kwonlyargs,
            *([arguments.vararg] if arguments.vararg else []),
            *([arguments.kwarg] if arguments.kwarg else []),
        ]
        return next((a for a in every if a.arg == name), None)

    def _own_statements(self, scope: ast.AST) -> Iterator[ast.AST]:
        """Every node of a scope's body, not entering nested scopes."""
        body = (
            scope.body
            if isinstance(scope, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef)
            else []
        )
        stack: list[ast.AST] = list(body)
        while stack:
            node = stack.pop()
            yield node
            if isinstance(node, NESTED):
                continue
            stack.extend(ast.iter_child_nodes(node))

    def _bindings_ours(
        self, scope: ast.AST, name: str, seen: frozenset[object], module: bool
    ) -> bool:
        found = False
        for node in self._own_statements(scope):
            if isinstance(node, ast.Global | ast.Nonlocal) and name in node.names:
                return False
            if isinstance(node, ast.Import | ast.ImportFrom) and any(
                (a.asname or a.name.split(".")[0]) == name for a in node.names
            ):
                return False
            if isinstance(node, Function | ast.ClassDef) and node.name == name:
                return False
            if isinstance(node, ast.ExceptHandler) and node.name == name:
                return False
            if isinstance(node, ast.withitem | ast.NamedExpr) and any(
                _binds(t, name) for t in _targets(node)
            ):
                return False
            if isinstance(node, ast.Assign) and any(_binds(t, name) for t in node.targets):
                found = True
                if not self.ours(node.value, seen):
                    return False
            elif isinstance(node, ast.AnnAssign) and _binds(node.target, name):
                found = True
                if not (
                    _number_type(node.annotation) or (node.value and self.ours(node.value, seen))
                ):
                    return False
            elif isinstance(node, ast.AugAssign) and _binds(node.target, name):
                found = True
                if not self.ours(node.value, seen):
                    return False
            elif isinstance(node, ast.For | ast.AsyncFor) and _binds(node.target, name):
                found = True
                if not self.ours(node.iter, seen):
                    return False
        return found

    def _passed_ours(self, function: Function, name: str, seen: frozenset[object]) -> bool:
        """A private module function's parameter that every call in the module fills with
        our words (and the function is never passed around as a value)."""
        if not (function.name.startswith("_") and self.functions.get(function.name) is function):
            return False
        position = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
        default = self._default(function, name)
        calls = 0
        for node in ast.walk(self.tree):
            if not (isinstance(node, ast.Name) and node.id == function.name):
                continue
            call = self.parent.get(node)
            if not (isinstance(call, ast.Call) and call.func is node):
                return False  # referred to otherwise: a caller elsewhere may fill it
            if any(isinstance(a, ast.Starred) for a in call.args) or any(
                k.arg is None for k in call.keywords
            ):
                return False
            given: ast.expr | None = next((k.value for k in call.keywords if k.arg == name), None)
            if given is None and name in position and position.index(name) < len(call.args):
                given = call.args[position.index(name)]
            if given is None:
                given = default
            if given is None or not self.ours(given, seen):
                return False
            calls += 1
        return calls > 0

    @staticmethod
    def _default(function: Function, name: str) -> ast.expr | None:
        arguments = function.args
        positional = [*arguments.posonlyargs, *arguments.args]
        defaults = dict(
            zip(
                [a.arg for a in positional[len(positional) - len(arguments.defaults) :]],
                arguments.defaults,
                strict=True,
            )
        )
        for arg, value in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True):
            if value is not None:
                defaults[arg.arg] = value
        return defaults.get(name)

    # --- self.attribute ---------------------------------------------------------------

    def _self_class(self, node: ast.Attribute) -> ast.ClassDef | None:
        """The class whose method reads `self.x` here (self: its first parameter)."""
        if not (isinstance(node.value, ast.Name) and node.value.id == "self"):
            return None
        function = self._enclosing(node)
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            return None
        return self._class_of(function)

    def _attribute_annotation(self, owner: ast.ClassDef, attr: str) -> ast.expr | None:
        for node in ast.walk(owner):
            if isinstance(node, ast.AnnAssign):
                target = node.target
                if (isinstance(target, ast.Attribute) and target.attr == attr) or (
                    isinstance(target, ast.Name) and target.id == attr and node in owner.body
                ):
                    return node.annotation
        return None

    def _number_attribute(self, node: ast.expr) -> bool:
        """`self.x` where mypy holds x to a mapping or sequence of numbers."""
        if not isinstance(node, ast.Attribute):
            return False
        owner = self._self_class(node)
        return owner is not None and _number_values(self._attribute_annotation(owner, node.attr))

    def _attribute(self, node: ast.Attribute, seen: frozenset[object]) -> bool:
        owner = self._self_class(node)
        if owner is None or node.attr in self.foreign:
            return False
        if _number_type(self._attribute_annotation(owner, node.attr)):
            return True
        key = ("attribute", id(owner), node.attr)
        if key in seen:
            return False
        seen = seen | {key}
        found = False
        for statement in owner.body:
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                if statement.target.id == node.attr:
                    if statement.value is None:
                        return False  # a field: the constructor's caller fills it
                    found = True
                    if not self.ours(statement.value, seen):
                        return False
            elif isinstance(statement, ast.Assign) and any(
                _binds(t, node.attr) for t in statement.targets
            ):
                found = True
                if not self.ours(statement.value, seen):
                    return False
        for child in ast.walk(owner):
            for target in _targets(child):
                for part in ast.walk(target):
                    if isinstance(part, ast.Attribute) and part.attr == node.attr:
                        found = True
                        value = getattr(child, "value", None)
                        if not isinstance(child, ast.Assign | ast.AnnAssign | ast.AugAssign):
                            return False
                        if not (isinstance(target, ast.Attribute) and value is not None):
                            return False  # unpacked into: not followed
                        if not self.ours(value, seen):
                            return False
        return found

    # --- calls ------------------------------------------------------------------------

    def _call(self, node: ast.Call, seen: frozenset[object]) -> bool:
        func = node.func
        arguments = [*node.args, *(k.value for k in node.keywords)]
        if isinstance(func, ast.Name):
            if func.id in NUMBER_CALLS:
                return True
            if func.id in SAME_AS_ARGUMENTS:
                return all(self.ours(a, seen) for a in arguments)
            function = self.functions.get(func.id)
            return function is not None and self._returns_ours(function, seen)
        if not isinstance(func, ast.Attribute):
            return False
        if isinstance(func.value, ast.Name) and func.value.id == "math":
            return func.attr in MATH_CALLS
        if func.attr == "get" and (
            self.ours(func.value, seen) or self._number_attribute(func.value)
        ):
            default = node.args[1] if len(node.args) > 1 else None
            return default is None or self.ours(default, seen)
        owner = self._self_class(func)
        if owner is None or func.attr in self.shared:
            return False
        method = next(
            (
                m
                for m in owner.body
                if isinstance(m, ast.FunctionDef | ast.AsyncFunctionDef) and m.name == func.attr
            ),
            None,
        )
        return method is not None and self._returns_ours(method, seen)

    def _returns_ours(self, function: Function, seen: frozenset[object]) -> bool:
        key = ("returns", id(function))
        if key in seen:
            return False
        seen = seen | {key}
        returns = [n for n in self._own_statements(function) if isinstance(n, ast.Return)]
        if any(isinstance(n, ast.Yield | ast.YieldFrom) for n in self._own_statements(function)):
            return False
        # No return at all: a stub that raises (its overrides answer), not followed.
        return bool(returns) and all(r.value is None or self.ours(r.value, seen) for r in returns)
