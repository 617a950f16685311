"""payments.infra.lambda_concurrency and lambda_account_info decisions, against moto's in-process AWS (no network)."""

import io
import json
import zipfile

import boto3
import pytest
from ansible_collections.payments.infra.plugins.module_utils.awslambda import (
    PaymentsLambdaError,
    desired_reservation,
    ensure_reservation,
)
from ansible_collections.payments.infra.plugins.modules import lambda_account_info as info

NAME = "payment-test-fn"


@pytest.fixture
def client(moto_aws):
    iam = boto3.client("iam", region_name="us-east-1")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = iam.create_role(RoleName=NAME, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    awslambda = boto3.client("lambda", region_name="us-east-1")
    awslambda.create_function(
        FunctionName=NAME,
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": code.getvalue()},
    )
    yield awslambda


def reserved(client):
    return client.get_function_concurrency(FunctionName=NAME).get("ReservedConcurrentExecutions")


def test_check_mode_reports_the_change_and_changes_nothing(client):
    changed, result = ensure_reservation(client, NAME, 10, True)
    assert changed
    assert result["reserved_concurrent_executions"] == 10
    assert result["previous_reserved_concurrent_executions"] is None
    assert result["diff"] == {
        "before": {"reserved_concurrent_executions": None},
        "after": {"reserved_concurrent_executions": 10},
    }
    assert reserved(client) is None


def test_set_then_rerun_changes_nothing(client):
    changed, result = ensure_reservation(client, NAME, 10, False)
    assert changed and result["reserved_concurrent_executions"] == 10
    assert reserved(client) == 10
    for check_mode in (True, False):
        changed, result = ensure_reservation(client, NAME, 10, check_mode)
        assert not changed
        assert result["previous_reserved_concurrent_executions"] == 10


def test_change_and_remove(client):
    ensure_reservation(client, NAME, 10, False)
    changed, _result = ensure_reservation(client, NAME, 25, False)
    assert changed and reserved(client) == 25
    changed, result = ensure_reservation(client, NAME, None, False)
    assert changed
    assert result == {
        "function_name": NAME,
        "reserved_concurrent_executions": None,
        "previous_reserved_concurrent_executions": 25,
        "diff": {"before": {"reserved_concurrent_executions": 25}, "after": {"reserved_concurrent_executions": None}},
    }
    assert reserved(client) is None
    changed, _result = ensure_reservation(client, NAME, None, False)
    assert not changed


def test_zero_is_a_reservation_not_a_removal(client):
    changed, _result = ensure_reservation(client, NAME, 0, False)
    assert changed and reserved(client) == 0
    changed, _result = ensure_reservation(client, NAME, 0, False)
    assert not changed


def test_missing_function_fails_except_in_check_mode(client):
    changed, result = ensure_reservation(client, "missing", 5, True)
    assert changed and result["previous_reserved_concurrent_executions"] is None
    with pytest.raises(PaymentsLambdaError, match="does not exist"):
        ensure_reservation(client, "missing", 5, False)


@pytest.mark.parametrize(
    ("state", "value", "expected"),
    [("present", 5, 5), ("present", None, None), ("absent", 5, None)],
)
def test_desired_reservation(state, value, expected):
    assert desired_reservation({"state": state, "reserved_concurrent_executions": value}) == expected


class _FakeLambda:
    def __init__(self, reservations):
        self.reservations = reservations

    def get_account_settings(self):
        reserved = sum(value or 0 for value in self.reservations.values())
        return {
            "AccountLimit": {"ConcurrentExecutions": 1000, "UnreservedConcurrentExecutions": 1000 - reserved},
            "AccountUsage": {"FunctionCount": len(self.reservations), "TotalCodeSize": 10},
        }

    def get_function(self, FunctionName):  # noqa: N803 (boto3 parameter name)
        from botocore.exceptions import ClientError

        if FunctionName not in self.reservations:
            raise ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": "no"}}, "GetFunction")
        value = self.reservations[FunctionName]
        config = {"FunctionArn": f"arn:{FunctionName}", "Role": "r", "CodeSha256": "h", "KMSKeyArn": "k"}
        response = {"Configuration": config, "Tags": {"Name": FunctionName}}
        if value is not None:  # GetFunction leaves Concurrency out when the function has no reservation
            response["Concurrency"] = {"ReservedConcurrentExecutions": value}
        return response


def _facts(name):
    return {
        "function_arn": f"arn:{name}",
        "role": "r",
        "code_sha256": "h",
        "kms_key_arn": "k",
        "handler": None,
        "runtime": None,
        "description": None,
        "memory_size": None,
        "timeout": None,
        "package_type": None,
        "architectures": None,
        "environment": {},
        "vpc_config": None,
        "tracing_mode": None,
        "dead_letter_arn": None,
        "layers": [],
        "tags": {"Name": name},
    }


def test_account_info_reports_limits_and_our_reservations():
    result = info.gather(_FakeLambda({"a": 10, "b": None}), ["a", "b", "missing"])
    assert result == {
        "account_limit": {"concurrent_executions": 1000, "unreserved_concurrent_executions": 990},
        "account_usage": {"function_count": 2, "total_code_size": 10},
        "reserved_concurrency": {"a": 10, "b": None, "missing": None},
        "functions": {"a": _facts("a"), "b": _facts("b"), "missing": None},
        "functions_found": ["a", "b"],
    }
