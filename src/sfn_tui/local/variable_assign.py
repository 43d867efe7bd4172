"""Workflow variables take their new values when the state ends, and StateExited lists
them as JSON text.

AWS (Passing data between states with variables, "Variable evaluation",
https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html): a state's
``Assign`` and ``Output`` are evaluated with the values the variables had when the state
was entered; new values are seen from the next state on. moto's ``AssignDecl`` wrote each
value at once, so a later ``Output`` of the same state (and a later ``Assign`` binding)
saw it. Here ``Assign`` writes to a pending set that is applied when the state finishes.

StateExited's ``assignedVariables`` (API reference, StateExitedEventDetails) holds each
value serialized as JSON; moto wrapped strings in quotes without escaping them.
"""

from __future__ import annotations

import json
from importlib import import_module
from typing import Any

from sfn_tui.local import patches

_installed = False
_PENDING = "_sfn_tui_pending"  # VariableStore attribute: values assigned, not applied yet


def _flush(store: Any, original_set: Any) -> None:
    pending: dict[str, Any] | None = store.__dict__.get(_PENDING)
    if not pending:
        return
    store.__dict__[_PENDING] = {}
    for name, value in pending.items():
        original_set(store, name, value)


def install() -> None:
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    asl = "moto.stepfunctions.parser.asl"
    state: Any = import_module(f"{asl}.component.state.state").CommonStateField
    store_class: Any = import_module(f"{asl}.eval.variable_store").VariableStore
    assign: Any = import_module(f"{asl}.component.common.assign.assign_decl").AssignDecl
    original_body = state._eval_body
    original_set = store_class.set

    def eval_body(self: Any, env: Any) -> None:
        store = env.variable_store
        outer = store.__dict__.get(_PENDING)  # None: no state of this scope is running
        store.__dict__[_PENDING] = {}
        try:
            original_body(self, env)
        finally:
            _flush(store, original_set)
            store.__dict__[_PENDING] = outer

    def assign_body(self: Any, env: Any) -> None:
        declarations: dict[str, Any] = {}
        for binding in self.declaration_bindings:
            binding.eval(env=env)
            declarations.update(env.stack.pop())
        store = env.variable_store
        pending: dict[str, Any] | None = store.__dict__.get(_PENDING)
        for name, value in declarations.items():
            if pending is None:
                store.set(variable_identifier=name, variable_value=value)
            else:
                if name in store._outer_scope:  # refused now, as moto's set() would
                    original_set(store, name, value)
                store._declaration_tracing.add(name)
                pending[name] = value

    def assigned_variables(store: Any) -> dict[str, str]:
        _flush(store, original_set)
        return {
            name: json.dumps(store.get(name), separators=(",", ":"), ensure_ascii=False)
            for name in sorted(store._declaration_tracing)
        }

    state._eval_body = eval_body
    assign._eval_body = assign_body
    store_class.get_assigned_variables = assigned_variables
