"""The project's own error types: every botocore failure becomes one of these,
with a sentence a user can act on."""

from __future__ import annotations

from typing import Any


class SfnError(Exception):
    """A failed AWS call, said in words. `code` is the service's error code if any.

    `maybe_delivered`: the request may have reached the service and taken effect (the
    connection broke or timed out after sending, or the service failed internally), so
    a retry that is refused may mean the first attempt went through."""

    retryable = False
    maybe_delivered = False

    def __init__(self, message: str, *, operation: str = "", code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.operation = operation
        self.code = code
        self.retried = 0  # attempts botocore made before this answer (its own retries)

    def __str__(self) -> str:
        return self.message


class NotFound(SfnError):
    pass


class AlreadyExists(SfnError):
    pass


class InvalidInput(SfnError):
    pass


class NotApplicable(InvalidInput):
    """The operation does not apply to this kind of resource (ListExecutions of an
    EXPRESS machine): a fact about the resource, not a fault of the endpoint."""


class TaskGone(SfnError):
    """The task token no longer leads anywhere: timed out, answered, or never existed."""


class Throttled(SfnError):
    retryable = True


class AccessDenied(SfnError):
    pass


class CredentialsProblem(SfnError):
    pass


class EndpointUnreachable(SfnError):
    """The endpoint could not be reached, or the connection broke before an answer."""

    retryable = True
    maybe_delivered = True


class EndpointRefused(EndpointUnreachable):
    """No connection could be made: the request was certainly not delivered."""

    maybe_delivered = False


class EndpointTimeout(EndpointUnreachable):
    """The endpoint took the request and did not answer within the read timeout."""


class NotSupported(SfnError):
    """The endpoint does not offer this operation (the local engine, LocalStack, old endpoints)."""


class ServiceError(SfnError):
    retryable = True
    maybe_delivered = True


_NOT_FOUND = {
    "ResourceNotFound",
    "StateMachineDoesNotExist",
    "ExecutionDoesNotExist",
    "ActivityDoesNotExist",
    "NoSuchEntity",
    "AWS.SimpleQueueService.NonExistentQueue",  # SQS, query protocol
    "QueueDoesNotExist",  # SQS, JSON protocol
    "ResourceNotFoundException",
}
_ALREADY = {
    "StateMachineAlreadyExists",
    "ActivityAlreadyExists",
    "ExecutionAlreadyExists",
    "EntityAlreadyExists",
}
_INVALID = {
    "InvalidDefinition",
    "InvalidExecutionInput",
    "InvalidName",
    "InvalidArn",
    "InvalidOutput",
    "ValidationException",
    "MalformedPolicyDocument",
    "InvalidParameterValue",
    "MissingRequiredParameter",
    "InvalidLoggingConfiguration",
    "ActivityWorkerLimitExceeded",
}
_TASK_GONE = {"TaskDoesNotExist", "TaskTimedOut", "InvalidToken"}
_THROTTLED = {
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "ActivityLimitExceeded",
    "ExecutionLimitExceeded",
    "StateMachineLimitExceeded",
}
_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}
_CREDENTIALS = {
    "ExpiredToken",
    "ExpiredTokenException",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "RequestExpired",
}
_NOT_SUPPORTED = {"UnknownOperationException", "NotImplemented", "InvalidAction"}


def _client_error(exc: Any, operation: str) -> SfnError:
    response = getattr(exc, "response", {}) or {}
    error = response.get("Error", {}) or {}
    code = str(error.get("Code", "") or "")
    detail = str(error.get("Message", "") or "").strip()
    status = int((response.get("ResponseMetadata", {}) or {}).get("HTTPStatusCode", 0) or 0)
    what = f"{operation} failed"

    def said(text: str) -> str:
        return f"{what}: {text}" + (f" ({detail})" if detail and detail not in text else "")

    if code == "StateMachineTypeNotSupported":
        return NotApplicable(
            said("not supported for this type of state machine"), operation=operation, code=code
        )
    if code in _NOT_FOUND:
        return NotFound(said("it no longer exists"), operation=operation, code=code)
    if code in _ALREADY:
        return AlreadyExists(said("the name is already taken"), operation=operation, code=code)
    if code in _TASK_GONE:
        return TaskGone(
            said("this task already timed out, was answered, or its run ended"),
            operation=operation,
            code=code,
        )
    if code in _THROTTLED:
        return Throttled(
            said("throttled by the service (too many requests); try again shortly"),
            operation=operation,
            code=code,
        )
    if code in _DENIED:
        return AccessDenied(
            said("access denied; your credentials lack permission"), operation=operation, code=code
        )
    if code in _CREDENTIALS:
        return CredentialsProblem(
            said("credentials were refused or expired; renew them (e.g. `aws sso login`)"),
            operation=operation,
            code=code,
        )
    if code in _INVALID or (status == 400 and code == "" and detail):
        return InvalidInput(said(detail or code), operation=operation, code=code)
    if (
        code in _NOT_SUPPORTED
        or status in (404, 501)
        or (status == 500 and "not" in detail.lower() and "implement" in detail.lower())
    ):
        return NotSupported(
            f"{what}: this endpoint does not support {operation}", operation=operation, code=code
        )
    if status >= 500 or code in {"InternalFailure", "ServiceUnavailable", "InternalServerError"}:
        return ServiceError(
            said(f"the service had an internal error (HTTP {status or '5xx'}); try again"),
            operation=operation,
            code=code,
        )
    return SfnError(said(code or "unexpected error"), operation=operation, code=code)


def translate(exc: BaseException, operation: str, *, endpoint: str = "") -> SfnError:
    """Turn any exception from botocore/aiobotocore/aiohttp into an SfnError.
    `endpoint` (the URL called) is named when it cannot be reached."""
    if isinstance(exc, SfnError):
        return exc
    # Imported lazily: this module is imported before the AWS stack is loaded.
    from botocore import exceptions as bex

    what = f"{operation} failed"
    there = f"the endpoint {endpoint}" if endpoint else "the endpoint"
    if isinstance(exc, bex.ClientError):
        error = _client_error(exc, operation)
        metadata = (getattr(exc, "response", {}) or {}).get("ResponseMetadata", {}) or {}
        error.retried = int(metadata.get("RetryAttempts", 0) or 0)
        return error
    if isinstance(exc, bex.NoCredentialsError | bex.PartialCredentialsError):
        return CredentialsProblem(
            f"{what}: no AWS credentials found; configure a profile or use --local",
            operation=operation,
        )
    if isinstance(exc, bex.TokenRetrievalError | bex.SSOError | bex.UnauthorizedSSOTokenError):
        return CredentialsProblem(
            f"{what}: the SSO session has expired; run `aws sso login` and the app resumes",
            operation=operation,
        )
    if isinstance(exc, bex.ReadTimeoutError):
        return EndpointTimeout(f"{what}: {there} did not answer in time", operation=operation)
    if isinstance(exc, bex.ConnectTimeoutError):
        return EndpointRefused(
            f"{what}: cannot reach {there} (connecting timed out)", operation=operation
        )
    if isinstance(exc, bex.ConnectionClosedError | bex.ResponseStreamingError):
        return EndpointUnreachable(
            f"{what}: {there} closed the connection before answering", operation=operation
        )
    if isinstance(exc, bex.EndpointConnectionError):
        return EndpointRefused(f"{what}: cannot reach {there}", operation=operation)
    if isinstance(exc, bex.HTTPClientError):
        return EndpointUnreachable(f"{what}: cannot reach {there}", operation=operation)
    if isinstance(exc, bex.ParamValidationError):
        return InvalidInput(f"{what}: {exc}", operation=operation)
    from botocore.parsers import ResponseParserError

    if isinstance(exc, ResponseParserError):
        return ServiceError(f"{what}: the service sent a malformed response", operation=operation)
    if isinstance(exc, bex.BotoCoreError):
        return SfnError(f"{what}: {exc}", operation=operation)
    if isinstance(exc, TimeoutError):
        return EndpointTimeout(f"{what}: {there} did not answer in time", operation=operation)
    if isinstance(exc, ConnectionRefusedError):
        return EndpointRefused(f"{what}: cannot reach {there} ({exc})", operation=operation)
    if isinstance(exc, OSError):
        return EndpointUnreachable(f"{what}: cannot reach {there} ({exc})", operation=operation)
    if isinstance(exc, ValueError):
        return ServiceError(f"{what}: unexpected response ({exc})", operation=operation)
    return SfnError(f"{what}: {type(exc).__name__}: {exc}", operation=operation)
