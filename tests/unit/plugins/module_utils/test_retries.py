"""payments.infra's AWSRetry retries the throttling codes of every protocol, and nothing else new."""

import ast
from pathlib import Path

import botocore.exceptions
import pytest
from ansible_collections.payments.infra.plugins.module_utils import retries
from ansible_collections.payments.infra.plugins.module_utils.retries import THROTTLING_ERROR_CODES, AWSRetry

MODULE_UTILS = Path(retries.__file__).resolve().parent


def _error(code, status=400):
    return botocore.exceptions.ClientError(
        {"Error": {"Code": code, "Message": "x"}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op"
    )


def _flaky(errors):
    calls = []

    @AWSRetry.jittered_backoff(retries=3, delay=0, max_delay=0)
    def call():
        calls.append(1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return "done"

    return call, calls


@pytest.mark.parametrize(
    "code", ["ThrottlingException", "SlowDown", "503", "RequestLimitExceeded", "Throttling", "TooManyRequestsException"]
)
def test_throttling_of_every_protocol_is_retried(code):
    call, calls = _flaky([_error(code), _error(code)])
    assert call() == "done"
    assert len(calls) == 3


def test_other_errors_are_not_retried():
    call, calls = _flaky([_error("AccessDeniedException")])
    with pytest.raises(botocore.exceptions.ClientError):
        call()
    assert len(calls) == 1


def test_extra_codes_still_add_to_the_throttling_codes():
    calls = []

    @AWSRetry.jittered_backoff(retries=3, delay=0, max_delay=0, catch_extra_error_codes=["ResourceConflictException"])
    def call():
        calls.append(1)
        if len(calls) == 1:
            raise _error("ResourceConflictException")
        if len(calls) == 2:
            raise _error("ThrottlingException")
        return "done"

    assert call() == "done"
    assert len(calls) == 3
    assert "ResourceConflictException" not in THROTTLING_ERROR_CODES


def test_every_module_util_takes_awsretry_from_payments_infra():
    """A wrapper importing amazon.aws's AWSRetry would not retry ThrottlingException or SlowDown."""
    for path in sorted(MODULE_UTILS.glob("*.py")):
        if path.name == "retries.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and any(alias.name == "AWSRetry" for alias in node.names):
                assert node.module == "ansible_collections.payments.infra.plugins.module_utils.retries", path.name
