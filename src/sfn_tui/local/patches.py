"""Every patch of moto's Step Functions engine, installed under one moto version check.

Each module named in ``PATCHES`` reaches into moto 5.2.5's internals and has an
``install()`` that starts with ``check_moto()`` (so calling it alone cannot patch another
moto) and patches once. ``install()`` here checks the version first and then installs
them all, in order; a new patch module is added with one line in ``PATCHES``.
"""

from __future__ import annotations

import threading
from importlib import import_module

MOTO_VERSION = "5.2.5"

PATCHES: tuple[str, ...] = (
    "activities",  # activity tasks, SendTask*, StopExecution (must come first)
    "express",  # Express runs: express ARNs, five minutes, StartSyncExecution
    "history_cache",  # GetExecutionHistory serializes each event once
    "execution_index",  # ListExecutions keeps a big machine's order and index between calls
    "closed_tokens",  # TaskTimedOut for an answer to a closed callback task
    "callback_tasks",  # answers to .waitForTaskToken tasks; a new token per attempt
    "history_paging",  # GetExecutionHistory maxResults, nextToken, reverseOrder
    "execution_names",  # names: a UUID when absent, 80 characters, allowed characters
    "error_matching",  # Retry/Catch: States.ALL, States.TaskFailed, States.HeartbeatTimeout
    "branch_errors",  # States.* errors out of Parallel branches and Map iterations
    "choice_no_match",  # States.NoChoiceMatched
    "choice_default",  # a Choice's own Assign/Output only when it takes its Default
    "intrinsic_escapes",  # \\' \\{ \\} \\\\ in intrinsic function string literals
    "intrinsic_failure",  # States.IntrinsicFailure
    "result_path_failure",  # States.ResultPathMatchFailure
    "map_tolerated_failure",  # States.ExceedToleratedFailureThreshold
    "definition_checks",  # InvalidDefinition: missing StartAt/Next targets, state names
    "jsonata_checks",  # InvalidDefinition for JSONata that does not parse or reads no data
    "validate_definition",  # ValidateStateMachineDefinition
    "test_state",  # TestState
    "payload_quotas",  # 1 MB definitions, 256 KiB input and output
    "history_quota",  # 25,000 history events
    "execution_describe",  # JSON output, stopDate of TIMED_OUT runs, redrive fields
    "redrive",  # RedriveExecution
    "poller_withdrawal",  # a GetActivityTask whose client has gone gets no task
    "jsonpath_definite",  # $.a[1].b selects a value, not a one-item list
    "query_language_scope",  # each parse has its own QueryLanguage scopes (not one shared)
    "jsonata_states",  # JSONata and workflow variables evaluated in Python (jsonata_eval)
    "variable_assign",  # Assign takes effect when the state ends; assignedVariables as JSON
    "string_literals",  # a definition's string literals read as JSON strings (\u escapes)
    "lambda_invoke",  # Lambda Invoke runs Python functions for real (lambda_runner)
    "lambda_tasks",  # Step Functions reports Lambda results and errors as AWS does
    "nested_executions",  # states:startExecution (request/response, .sync, .sync:2, callback)
    "cfn_cdk_metadata",  # AWS::CDK::Metadata in CloudFormation stacks
    "execution_logging",  # history events in CloudWatch Logs (loggingConfiguration)
    "express_refusals",  # what List/Describe/History/Stop answer for Express runs
    "versions",  # versions and aliases; starts and lists on them (wraps list_executions)
    "map_runs",  # Map Run children: ListExecutions(mapRunArn), histories (must be last)
)

_lock = threading.Lock()


def check_moto() -> None:
    """Raise RuntimeError unless moto is the version every patch was written for."""
    import moto

    if moto.__version__ != MOTO_VERSION:
        raise RuntimeError(
            f"sfn_tui.local patches moto {MOTO_VERSION} internals, "
            f"but moto {moto.__version__} is installed; pin moto=={MOTO_VERSION}."
        )


def install() -> None:
    """Check the moto version, then install every patch (each one patches only once)."""
    check_moto()
    with _lock:
        for name in PATCHES:
            import_module(f"sfn_tui.local.{name}").install()
