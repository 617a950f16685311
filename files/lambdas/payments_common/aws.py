"""boto3 clients, created once per container and only when a code path needs one.

boto3 is imported inside `client()`, so importing this module (and the validation path) costs
nothing. AWS_ENDPOINT_URL (the emulator in tests) is honoured by botocore itself.
"""

import _thread  # a builtin: threading would cost ~5 ms of cold start
import os

from .errors import DependencyError

_CLIENTS = {}
_LOCK = _thread.allocate_lock()

_RETRYABLE_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "InternalServerError",
        "InternalFailure",
        "InternalServiceError",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "TransactionInProgressException",
        "RequestTimeout",
        "RequestTimeoutException",
        "SlowDown",
    }
)


def client(service):
    found = _CLIENTS.get(service)
    if found is not None:
        return found
    with _LOCK:
        found = _CLIENTS.get(service)
        if found is None:
            import boto3
            from botocore.config import Config

            options = {
                "retries": {"max_attempts": 3, "mode": "standard"},
                "connect_timeout": 2,
                "read_timeout": 5,
                "max_pool_connections": 50,
            }
            if service == "s3" and os.environ.get("AWS_ENDPOINT_URL"):
                options["s3"] = {"addressing_style": "path"}
            found = boto3.session.Session().client(service, config=Config(**options))
            _CLIENTS[service] = found
    return found


def reset():
    """Forget every client (tests, after changing the endpoint or credentials)."""
    with _LOCK:
        _CLIENTS.clear()


def error_code(exc):
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return response.get("Error", {}).get("Code")
    return None


def dependency_error(service, exc):
    """Turn a botocore exception into a DependencyError: 503 retryable or 502 final."""
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(exc, ClientError):
        code = error_code(exc) or "ClientError"
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        retryable = code in _RETRYABLE_CODES or status >= 500
        return DependencyError(service, code, f"{service} returned {code}", retryable=retryable)
    if isinstance(exc, BotoCoreError):
        return DependencyError(service, type(exc).__name__, f"{service} could not be reached", retryable=True)
    return DependencyError(service, type(exc).__name__, f"{service} call failed", retryable=True)


def call(service, operation, **kwargs):
    """client(service).<operation>(**kwargs), with botocore errors as DependencyError."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return getattr(client(service), operation)(**kwargs)
    except (ClientError, BotoCoreError) as exc:
        raise dependency_error(service, exc) from exc
