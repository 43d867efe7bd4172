"""ValidateStateMachineDefinition: OK or FAIL, with diagnostics (severity, code, message,
location), as the API reference describes it.

moto answered HTTP 500 (not implemented). The diagnostics here are the engine's own
checks: a definition that is not JSON (INVALID_JSON_DESCRIPTION), required fields
missing (SCHEMA_VALIDATION_FAILED at /), the transition and state-name checks of
``definition_checks`` (MISSING_TRANSITION_TARGET, INVALID_STATE_NAME, with their
location), the JSONata checks of ``jsonata_checks`` (INVALID_JSONATA_EXPRESSION,
UNSUPPORTED_JSONATA_EXPRESSION, at the field), and anything else the engine's parser refuses (SCHEMA_VALIDATION_FAILED).
The result is OK exactly when CreateStateMachine would accept the definition. AWS's
own schema checks are more numerous and worded differently; AWS asks callers to rely
on the result only, not on the diagnostics' order, count or wording.
"""

from __future__ import annotations

import json
from importlib import import_module
from typing import Any

from sfn_tui.local import definition_checks, jsonata_checks, patches, payload_quotas

DEFAULT_MAX = 100

_installed = False


def _diagnostic(code: str, message: str, location: str | None = None) -> dict[str, str]:
    out = {"severity": "ERROR", "code": code, "message": message}
    if location is not None:
        out["location"] = location
    return out


def validate(definition: str) -> list[dict[str, str]]:
    """The ERROR diagnostics of a definition (empty: CreateStateMachine accepts it)."""
    try:
        document = json.loads(definition)
    except ValueError as error:
        where = f"line: {getattr(error, 'lineno', 1)}, column: {getattr(error, 'colno', 1)}"
        return [_diagnostic("INVALID_JSON_DESCRIPTION", f"{error}", where)]
    if not isinstance(document, dict):
        return [_diagnostic("SCHEMA_VALIDATION_FAILED", "Definition must be a valid JSON object")]
    missing = [field for field in ("States", "StartAt") if field not in document]
    if missing:
        return [
            _diagnostic(
                "SCHEMA_VALIDATION_FAILED",
                f"These fields are required: [{', '.join(missing)}]",
                "/",
            )
        ]
    found = definition_checks.diagnostics(definition) + jsonata_checks.diagnostics(definition)
    if found:
        return [_diagnostic(d.code, d.message, d.location) for d in found]
    parser: Any = import_module("moto.stepfunctions.parser.asl.parse.asl_parser")
    try:
        parser.AmazonStateLanguageParser.parse(definition)
    except parser.ASLParserException as error:
        return [_diagnostic("SCHEMA_VALIDATION_FAILED", "; ".join(map(str, error.errors)))]
    except Exception as error:  # the engine's parser refuses it: FAIL, in words
        return [_diagnostic("SCHEMA_VALIDATION_FAILED", f"{error}")]
    return []


def install() -> None:
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    ActionResult: Any = import_module("moto.core.responses").ActionResult
    resp_cls: Any = import_module("moto.stepfunctions.responses").StepFunctionResponse

    def validate_state_machine_definition(self: Any) -> Any:
        definition = str(self._get_param("definition") or "")
        payload_quotas.check_definition(definition)
        limit = int(self._get_param("maxResults") or 0) or DEFAULT_MAX
        diagnostics = validate(definition)
        return ActionResult(
            {
                "result": "FAIL" if diagnostics else "OK",
                "diagnostics": diagnostics[:limit],
                "truncated": len(diagnostics) > limit,
            }
        )

    resp_cls.validate_state_machine_definition = validate_state_machine_definition
