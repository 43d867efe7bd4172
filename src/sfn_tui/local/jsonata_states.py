"""JSONata states and workflow variables in moto 5.2.5's engine, evaluated in Python.

moto's interpreter (a LocalStack copy) evaluates every JSONata expression, and every
``$var`` reference of a JSONPath state, through a Java library that moto does not ship:
``eval_jsonata_expression`` calls ``None`` and the run fails with a TypeError. It also
writes each variable into the expression as JSONata source text, which breaks on a
string holding a quote. ``install()`` evaluates them with ``jsonata_eval`` instead,
passing ``$states`` and the variables in scope as bindings, and fails as AWS does
(Transforming data with JSONata,
https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html): an
expression that throws, or returns nothing, fails the state with
``States.QueryEvaluationError`` and an ``EvaluationFailed`` history event naming the
state and the field (``Output/result``), with AWS's cause text. (Variables' scopes, deferred
Assign and assignedVariables: ``variable_assign``.)
"""

from __future__ import annotations

import copy
import threading
from importlib import import_module
from typing import Any

from sfn_tui.local import patches
from sfn_tui.local.jsonata_eval import UNDEFINED, JSONataError, UnsupportedResult, evaluate

_installed = False
_path = threading.local()  # .fields: the field names being evaluated, outermost first

# The field a component evaluates, by class name (the first match along its MRO).
_FIELDS: dict[str, str] = {
    "Output": "Output",
    "Arguments": "Arguments",
    "Parameters": "Parameters",
    "AssignDecl": "Assign",
    "ItemsJSONata": "Items",
    "ItemSelector": "ItemSelector",
    "ConditionStringJSONata": "Condition",
    "TimeoutSecondsJSONata": "TimeoutSeconds",
    "HeartbeatSecondsJSONata": "HeartbeatSeconds",
    "SecondsJSONata": "Seconds",
    "TimestampPath": "TimestampPath",
    "Timestamp": "Timestamp",
    "CausePath": "CausePath",
    "Cause": "Cause",
    "ErrorPath": "ErrorPath",
    "Error": "Error",
    "MaxConcurrencyJSONata": "MaxConcurrency",
    "ToleratedFailureCountStringJSONata": "ToleratedFailureCount",
    "ToleratedFailurePercentageStringJSONata": "ToleratedFailurePercentage",
    "MaxItemsStringJSONata": "MaxItems",
}
_BINDINGS = ("JSONataTemplateBinding", "AssignTemplateBinding")


_BINDING = "<binding>"  # the field is the binding's own identifier
_by_class: dict[type, str | None] = {}  # memo of _class_field


def _class_field(klass: type) -> str | None:
    for base in klass.__mro__:
        if base.__name__ in _BINDINGS:
            return _BINDING
        field = _FIELDS.get(base.__name__)
        if field is not None:
            return field
    return None


def _field_of(component: Any) -> str | None:
    klass = type(component)
    try:
        field = _by_class[klass]
    except KeyError:
        field = _by_class[klass] = _class_field(klass)
    return str(component.identifier) if field is _BINDING else field


def location() -> str:
    """The field being evaluated, as AWS names it in EvaluationFailed (``Output/result``)."""
    return "/".join(getattr(_path, "fields", []))


def variables_in_scope(env: Any) -> dict[str, Any]:
    """The workflow variables a state sees: outer scopes' overridden by its own."""
    store = env.variable_store
    return {**store._outer_scope, **store._inner_scope}


def _query_evaluation_error(env: Any, what: str) -> Exception:
    """Log EvaluationFailed and return the failure that fails the state (AWS's words)."""
    api: Any = import_module("moto.stepfunctions.parser.api")
    asl = "moto.stepfunctions.parser.asl"
    failure: Any = import_module(f"{asl}.component.common.error_name.failure_event")
    names = f"{asl}.component.common.error_name"
    StatesErrorName: Any = import_module(f"{names}.states_error_name").StatesErrorName
    ErrorType: Any = import_module(f"{names}.states_error_name_type").StatesErrorNameType
    EventDetails: Any = import_module(f"{asl}.eval.event.event_detail").EventDetails
    error = ErrorType.StatesQueryEvaluationError
    field = location()
    details = api.EvaluationFailedEventDetails(
        error=error.to_name(), cause=f"{what}", location=field
    )
    exception = failure.FailureEventException(
        failure_event=failure.FailureEvent(
            env=env,
            error_name=StatesErrorName(typ=error),
            event_type=api.HistoryEventType.EvaluationFailed,
            event_details=EventDetails(evaluationFailedEventDetails=details),
        )
    )
    env.event_manager.add_event(
        context=env.event_history_context,
        event_type=api.HistoryEventType.EvaluationFailed,
        event_details=EventDetails(
            evaluationFailedEventDetails=exception.get_evaluation_failed_event_details()
        ),
    )
    return exception


def evaluate_in_state(env: Any, expression: str, with_states: bool = True) -> Any:
    """Evaluate a state's JSONata expression with ``$states`` and its variables."""
    bindings = variables_in_scope(env)
    if with_states:
        bindings["states"] = env.states._states_data
    field = location()
    quoted = f"The JSONata expression '{expression}' specified for the field '{field}'"
    try:
        result = evaluate(expression, bindings)
    except JSONataError as error:
        raise _query_evaluation_error(
            env, f"{quoted} threw an error during evaluation. {error}"
        ) from None
    except UnsupportedResult:
        raise _query_evaluation_error(
            env, f"{quoted} returned an unsupported result type."
        ) from None
    if result is UNDEFINED:
        raise _query_evaluation_error(env, f"{quoted} returned nothing (undefined).")
    return copy.deepcopy(result) if isinstance(result, dict | list) else result


def install() -> None:
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    asl = "moto.stepfunctions.parser.asl"
    strings: Any = import_module(f"{asl}.component.common.string.string_expression")
    component: Any = import_module(f"{asl}.component.eval_component")
    engine: Any = import_module(f"{asl}.jsonata.jsonata")

    def jsonata_eval_body(self: Any, env: Any) -> None:
        env.stack.append(evaluate_in_state(env, self.expression))

    def variable_sample_eval_body(self: Any, env: Any) -> None:
        jsonata = self.query_language_mode == self.query_language_mode.__class__.JSONata
        env.stack.append(evaluate_in_state(env, self.expression, with_states=jsonata))

    strings.StringJSONata._eval_body = jsonata_eval_body
    strings.StringVariableSample._eval_body = variable_sample_eval_body

    original_eval = component.EvalComponent.eval

    def eval_with_field(self: Any, env: Any) -> None:
        field = _field_of(self)
        if field is None:
            original_eval(self, env)
            return
        fields: list[str] | None = getattr(_path, "fields", None)
        if fields is None:
            fields = _path.fields = []
        fields.append(field)
        try:
            original_eval(self, env)
        finally:
            fields.pop()

    component.EvalComponent.eval = eval_with_field

    def eval_source(expression: str) -> Any:
        # what is left of moto's text-composing path (none of it is reached above)
        result = evaluate(expression, {})
        return None if result is UNDEFINED else result

    engine._eval_jsonata = eval_source
