"""payments.infra.lambda_concurrencies: the reservations of a list of functions in one module run, with the
compare/act of lambda_concurrency (module_utils.awslambda), against moto's in-process AWS (no network)."""

import io
import json
import zipfile

import boto3
import pytest
from ansible_collections.payments.infra.plugins.module_utils.awslambda import (
    PaymentsLambdaError,
    concurrency_argument_spec,
    concurrency_params_error,
    ensure_reservation,
)
from ansible_collections.payments.infra.plugins.modules import lambda_concurrencies as module
from aws_fakes import Recorder

NAMES = ["payment-test-a", "payment-test-b", "payment-test-c"]
WRITES = ("PutFunctionConcurrency", "DeleteFunctionConcurrency")
UNSET = {key: spec.get("default") for key, spec in concurrency_argument_spec().items() if key != "name"}


def item(name, reserved=None, state="present"):
    return dict(UNSET, name=name, reserved_concurrent_executions=reserved, state=state)


@pytest.fixture
def aws(moto_aws, monkeypatch):
    iam = boto3.client("iam", region_name="us-east-1")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = iam.create_role(RoleName="payment-test", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    client = boto3.client("lambda", region_name="us-east-1")
    for name in NAMES:
        client.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role,
            Handler="handler.handler",
            Code={"ZipFile": code.getvalue()},
        )
    return client, Recorder(monkeypatch, client, writes=WRITES)


def reserved(client, name):
    return client.get_function_concurrency(FunctionName=name).get("ReservedConcurrentExecutions")


def test_check_mode_reports_every_change_and_writes_nothing(aws):
    client, recorder = aws
    functions = [item(NAMES[0], 10), item(NAMES[1], 0), item(NAMES[2])]
    changed, results, diff = module.ensure_reservations(client, functions, True)
    assert changed == [NAMES[0], NAMES[1]]
    assert [result["reserved_concurrent_executions"] for result in results] == [10, 0, None]
    assert diff["before"] == {name: {"reserved_concurrent_executions": None} for name in NAMES}
    assert diff["after"][NAMES[0]] == {"reserved_concurrent_executions": 10}
    assert recorder.writes() == []
    assert [reserved(client, name) for name in NAMES] == [None, None, None]


def test_one_run_sets_what_differs_and_a_rerun_changes_nothing(aws):
    client, recorder = aws
    client.put_function_concurrency(FunctionName=NAMES[1], ReservedConcurrentExecutions=5)
    recorder.clear()
    functions = [item(NAMES[0], 10), item(NAMES[1], 5), item(NAMES[2], 7, state="absent")]
    changed, results, _diff = module.ensure_reservations(client, functions, False)
    assert changed == [NAMES[0]]
    assert results == [
        {
            "function_name": NAMES[0],
            "reserved_concurrent_executions": 10,
            "previous_reserved_concurrent_executions": None,
        },
        {"function_name": NAMES[1], "reserved_concurrent_executions": 5, "previous_reserved_concurrent_executions": 5},
        {
            "function_name": NAMES[2],
            "reserved_concurrent_executions": None,
            "previous_reserved_concurrent_executions": None,
        },
    ]
    assert recorder.writes() == ["PutFunctionConcurrency"]
    assert [reserved(client, name) for name in NAMES] == [10, 5, None]
    recorder.clear()
    for check_mode in (True, False):
        changed, _results, diff = module.ensure_reservations(client, functions, check_mode)
        assert changed == []
        assert diff["before"] == diff["after"]
    assert recorder.writes() == []
    assert recorder.operations() == ["GetFunctionConcurrency"] * 6


def test_removes_a_reservation(aws):
    client, recorder = aws
    client.put_function_concurrency(FunctionName=NAMES[0], ReservedConcurrentExecutions=3)
    recorder.clear()
    changed, results, _diff = module.ensure_reservations(client, [item(NAMES[0], None)], False)
    assert changed == [NAMES[0]]
    assert results[0]["previous_reserved_concurrent_executions"] == 3
    assert recorder.writes() == ["DeleteFunctionConcurrency"]
    assert reserved(client, NAMES[0]) is None


def test_same_results_as_the_singular_module(aws):
    """The plural's per-function result is what lambda_concurrency (ensure_reservation) returns, without diff."""
    client, _recorder = aws
    _changed, single = ensure_reservation(client, NAMES[0], 4, True)
    single.pop("diff")
    _changed, results, _diff = module.ensure_reservations(client, [item(NAMES[0], 4)], True)
    assert results == [single]


def test_missing_function_fails_except_in_check_mode(aws):
    client, recorder = aws
    functions = [item(NAMES[0], 2), item("payment-test-missing", 5)]
    changed, _results, _diff = module.ensure_reservations(client, functions, True)
    assert changed == [NAMES[0], "payment-test-missing"]
    with pytest.raises(PaymentsLambdaError, match="does not exist"):
        module.ensure_reservations(client, functions, False)
    # The run stops at the missing function; the earlier one is done.
    assert reserved(client, NAMES[0]) == 2


@pytest.mark.parametrize(
    ("params", "error"),
    [
        (item("f", 0), None),
        (item("f", None), None),
        (item("f", -1), "reserved_concurrent_executions must be 0 or more, got -1"),
        (item("f", -1, state="absent"), None),
    ],
)
def test_params_error(params, error):
    assert concurrency_params_error(params) == error
