"""Evaluation failures said in words: which expression of which state failed, and why.

AWS writes an `EvaluationFailed` event (`evaluationFailedEventDetails`: error, cause,
location, state) when an expression of a JSONata state cannot be evaluated, before the
state or the execution fails with the same error
(https://docs.aws.amazon.com/step-functions/latest/apireference/API_EvaluationFailedEventDetails.html).
The error names are AWS's (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
Pure: no I/O, no Textual.
"""

from __future__ import annotations

import re

from sfn_tui.aws.models import HistoryEvent

EVALUATION_FAILED = "EvaluationFailed"
# AWS's cause for a JSONata expression that throws: "... The JSONata expression '<expr>'
# specified for the field '<field>' threw an error during evaluation. <code>: <why>"
_AWS_CAUSE = re.compile(
    r"The JSONata expression '(?P<expression>.*)' specified for the field"
    r" '(?P<field>[^']*)' threw an error during evaluation\.(?P<why>.*)",
    re.DOTALL,
)
# What each evaluation error means, in a few words.
ERROR_WORDS = {
    "States.QueryEvaluationError": "a JSONata expression could not be evaluated",
    "States.Runtime": "an expression or a variable could not be resolved",
    "States.IntrinsicFailure": "an intrinsic function failed",
    "States.ExceedToleratedFailureThreshold": "too many Map iterations failed",
}


def is_evaluation_failure(event: HistoryEvent) -> bool:
    error = event.details.get("error")
    return event.type == EVALUATION_FAILED or (
        isinstance(error, str) and error == "States.QueryEvaluationError"
    )


def evaluation_failure_words(event: HistoryEvent) -> str | None:
    """One sentence on what failed and why, or None when the event is not about an
    expression's evaluation."""
    if not is_evaluation_failure(event):
        return None
    details = event.details
    error = _text(details.get("error")) or "States.QueryEvaluationError"
    cause = _text(details.get("cause"))
    location = _text(details.get("location"))
    state = _text(details.get("state")) or _text(details.get("name"))
    said = _AWS_CAUSE.search(cause)
    if said is not None:  # AWS's own wording: the expression, the field, the reason
        location = location or said.group("field")
        what = f"The JSONata expression {said.group('expression')} in {location}"
        if state:
            what += f" of state {state}"
        sentence = f"{what} failed: {said.group('why').strip()} ({error})"
        return sentence if sentence.endswith(".") else sentence + "."
    what = f"The expression in {location}" if location else "An expression"
    if state:
        what += f" of state {state}"
    meaning = ERROR_WORDS.get(error, "")
    sentence = f"{what} failed ({error}"
    sentence += f": {meaning})" if meaning else ")"
    if cause:
        sentence += f": {cause}"
    return sentence if sentence.endswith(".") else sentence + "."


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
