"""payments.infra.lambda_permissions: a list of policy statements (on several functions) ensured in one module run with
the read/compare/act of module_utils.awslambda, whose comparison is the lambda_permission_differences filter's, against
moto's in-process AWS (no network), and checked against amazon.aws.lambda_policy's own comparison."""

import io
import json
import zipfile

import boto3
import pytest
from ansible_collections.amazon.aws.plugins.module_utils import cloud
from ansible_collections.amazon.aws.plugins.modules import lambda_policy
from ansible_collections.payments.infra.plugins.filter.lambda_permission_differences import (
    lambda_permission_differences,
)
from ansible_collections.payments.infra.plugins.module_utils.awslambda import (
    PaymentsLambdaError,
    ensure_permissions,
    permission_argument_spec,
    permission_key,
    permission_params_error,
)
from aws_fakes import Recorder

ACCOUNT = "123456789012"
API_A, API_B, ROTATION = "payment-test-validation", "payment-test-processing", "payment-test-rotation"
WRITES = ("AddPermission", "RemovePermission")
UNSET = {key: spec.get("default") for key, spec in permission_argument_spec().items()}
SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:payment-db-test-AbCdEf"


def item(**params):
    return dict(UNSET, **params)


def api(function_name, route):
    return item(
        function_name=function_name,
        statement_id="apigateway-invoke",
        action="lambda:InvokeFunction",
        principal="apigateway.amazonaws.com",
        source_arn=f"arn:aws:execute-api:us-east-1:{ACCOUNT}:*/*/*/{route}",
        source_account=ACCOUNT,
    )


ROTATE = item(
    function_name=ROTATION,
    statement_id="secretsmanager-rotate",
    action="lambda:InvokeFunction",
    principal="secretsmanager.amazonaws.com",
    source_arn=SECRET,
    source_account=ACCOUNT,
)
WANTED = [api(API_A, "validate"), api(API_B, "process"), ROTATE]


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
    for name in (API_A, API_B, ROTATION):
        client.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role,
            Handler="handler.handler",
            Code={"ZipFile": code.getvalue()},
        )
    return client, Recorder(monkeypatch, client, writes=WRITES)


def policy(client, name, qualifier=None):
    params = {"FunctionName": name, **({"Qualifier": qualifier} if qualifier else {})}
    try:
        return json.loads(client.get_policy(**params)["Policy"])
    except client.exceptions.ResourceNotFoundException:
        return None


class _Module:
    """The params face of an AnsibleAWSModule, for amazon.aws.lambda_policy's own comparison."""

    def __init__(self, params):
        self.params = params


def lambda_policy_would_change(client, params):
    """What amazon.aws.lambda_policy (state present) would decide on the function's current policy."""
    current = lambda_policy.extract_statement(policy(client, params["function_name"]) or {}, params["statement_id"])
    return not current or not lambda_policy.policy_equal(_Module(params), current)


def filter_differences(client, params):
    desired = {k: params[k] for k in ("statement_id", "state", "action", "principal", "source_arn", "source_account")}
    return lambda_permission_differences(policy(client, params["function_name"]), desired)


def test_check_mode_reports_every_statement_and_writes_nothing(aws):
    client, recorder = aws
    changed, results, diff = ensure_permissions(client, WANTED, True)
    assert changed
    assert [r["action_taken"] for r in results] == ["added"] * 3
    assert [r["differences"] for r in results] == [["missing"]] * 3
    assert all(r["changed"] and r["previous_statement"] == {} for r in results)
    assert results[2]["statement"] == {
        "action": "lambda:InvokeFunction",
        "principal": "secretsmanager.amazonaws.com",
        "source_arn": SECRET,
        "source_account": ACCOUNT,
    }
    assert diff["before"] == {f"{API_A}/apigateway-invoke": None, f"{API_B}/apigateway-invoke": None,
                              f"{ROTATION}/secretsmanager-rotate": None}  # fmt: skip
    assert diff["after"][f"{ROTATION}/secretsmanager-rotate"] == results[2]["statement"]
    assert recorder.writes() == []
    assert recorder.operations() == ["GetPolicy"] * 3
    assert [policy(client, name) for name in (API_A, API_B, ROTATION)] == [None, None, None]


def test_one_run_adds_every_statement_as_lambda_policy_would_and_a_rerun_changes_nothing(aws):
    client, recorder = aws
    changed, results, _diff = ensure_permissions(client, WANTED, False)
    assert changed and all(r["changed"] for r in results)
    assert recorder.writes() == ["AddPermission"] * 3
    # The statements AWS reports are the ones asked for, by the filter and by amazon.aws.lambda_policy's comparison.
    for params, result in zip(WANTED, results, strict=True):
        assert filter_differences(client, params) == []
        assert not lambda_policy_would_change(client, params)
        assert result["statement"] == {k: params[k] for k in ("action", "principal", "source_arn", "source_account")}
    recorder.clear()
    for check_mode in (True, False):
        changed, results, diff = ensure_permissions(client, WANTED, check_mode)
        assert not changed
        assert [r["action_taken"] for r in results] == ["none"] * 3
        assert diff["before"] == diff["after"]
    assert recorder.writes() == []
    assert recorder.operations() == ["GetPolicy"] * 6


def test_statements_on_one_function_read_its_policy_once(aws):
    client, recorder = aws
    other = dict(api(API_A, "other"), statement_id="apigateway-invoke-other")
    changed, results, _diff = ensure_permissions(client, [api(API_A, "validate"), other], False)
    assert changed and len(results) == 2
    assert recorder.count("GetPolicy") == 1
    assert sorted(s["Sid"] for s in policy(client, API_A)["Statement"]) == [
        "apigateway-invoke",
        "apigateway-invoke-other",
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"source_arn": f"arn:aws:execute-api:us-east-1:{ACCOUNT}:*/*/*/elsewhere"},
        {"source_account": "210987654321"},
        {"principal": "events.amazonaws.com"},
        {"source_arn": None},
    ],
)
def test_a_differing_statement_is_removed_and_added_again(aws, change):
    client, recorder = aws
    ensure_permissions(client, [dict(WANTED[0], **change)], False)
    assert lambda_policy_would_change(client, WANTED[0])
    expected = filter_differences(client, WANTED[0])
    recorder.clear()
    _changed, (result,), diff = ensure_permissions(client, [WANTED[0]], True)
    assert result["action_taken"] == "updated" and result["differences"] == expected == sorted(change)
    assert recorder.writes() == []
    changed, (result,), diff = ensure_permissions(client, [WANTED[0]], False)
    assert changed and result["action_taken"] == "updated"
    assert recorder.writes() == ["AddPermission", "RemovePermission"]
    assert [op for op in recorder.operations() if op in WRITES] == ["RemovePermission", "AddPermission"]
    assert diff["before"][f"{API_A}/apigateway-invoke"] == result["previous_statement"]
    assert diff["after"][f"{API_A}/apigateway-invoke"] == result["statement"]
    assert not lambda_policy_would_change(client, WANTED[0])
    assert [s["Sid"] for s in policy(client, API_A)["Statement"]] == ["apigateway-invoke"]


def test_absent_removes_the_statement_once(aws):
    client, recorder = aws
    ensure_permissions(client, WANTED, False)
    gone = [item(function_name=API_A, statement_id="apigateway-invoke", state="absent"), WANTED[2]]
    recorder.clear()
    changed, results, _diff = ensure_permissions(client, gone, True)
    assert changed and [r["action_taken"] for r in results] == ["deleted", "none"]
    assert results[0]["differences"] == ["state"] and results[0]["statement"] == {}
    assert recorder.writes() == []
    changed, results, diff = ensure_permissions(client, gone, False)
    assert changed and recorder.writes() == ["RemovePermission"]
    assert diff["after"][f"{API_A}/apigateway-invoke"] is None
    assert not (policy(client, API_A) or {}).get("Statement")
    changed, results, _diff = ensure_permissions(client, gone, False)
    assert not changed and results[0]["action_taken"] == "none"


def test_an_alias_has_its_own_policy(aws):
    client, recorder = aws
    version = client.publish_version(FunctionName=API_A)["Version"]
    client.create_alias(FunctionName=API_A, Name="live", FunctionVersion=version)
    recorder.clear()
    live = dict(WANTED[0], alias="live")
    assert permission_key(live) == f"{API_A}:live/apigateway-invoke"
    changed, (result,), _diff = ensure_permissions(client, [live], False)
    assert changed and result["qualifier"] == "live"
    assert recorder.calls[0] == ("GetPolicy", {"FunctionName": API_A, "Qualifier": "live"})
    assert recorder.calls[-1][1]["Qualifier"] == "live"
    changed, _results, _diff = ensure_permissions(client, [live], False)
    assert not changed


def test_missing_function_reports_in_check_mode_and_fails_otherwise(aws, monkeypatch):
    client, _recorder = aws
    monkeypatch.setattr(cloud.time, "sleep", lambda _seconds: None)
    missing = dict(WANTED[0], function_name="payment-test-missing")
    changed, (result,), _diff = ensure_permissions(client, [missing], True)
    assert changed and result["action_taken"] == "added"
    with pytest.raises(PaymentsLambdaError, match="add permission"):
        ensure_permissions(client, [WANTED[1], missing], False)
    # The run stops at the missing function; the earlier statement is done.
    assert filter_differences(client, WANTED[1]) == []


@pytest.mark.parametrize(
    ("params", "error"),
    [
        (WANTED[0], None),
        (item(function_name="fn", statement_id="s", state="absent"), None),
        (item(function_name="fn", statement_id="s", principal="p"), "state is present but action is missing"),
        (item(function_name="fn", statement_id="s"), "state is present but action and principal are missing"),
        (dict(WANTED[0], function_name="bad name"), "function_name: bad name must contain only"),
        (dict(WANTED[0], function_name="f" * 65), "exceeds 64 characters"),
        (dict(WANTED[0], function_name="arn:aws:lambda:us-east-1:1:function:f/x"), "the ARN"),
        (dict(WANTED[0], alias="live", version=1), "alias and version are mutually exclusive"),
        (dict(WANTED[0], event_source_token="t"), "event_source_token is mutually exclusive"),
    ],
)
def test_params_error(params, error):
    found = permission_params_error(params)
    assert found == error if error is None else error in found


def test_permission_key_separates_qualifiers():
    assert permission_key(WANTED[0]) == f"{API_A}/apigateway-invoke"
    assert permission_key(dict(WANTED[0], version=3)) == f"{API_A}:3/apigateway-invoke"
