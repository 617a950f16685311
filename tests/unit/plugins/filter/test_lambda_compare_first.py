"""The compare-first filters of the Lambda tier (lambda_function_differences, lambda_permission_differences,
sqs_queue_differences) against what moto returns through payments.infra.lambda_account_info, and against the
comparison code of amazon.aws.lambda_policy itself."""

import base64
import hashlib
import io
import json
import zipfile

import boto3
import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.amazon.aws.plugins.modules import lambda_policy
from ansible_collections.payments.infra.plugins.filter.lambda_function_differences import (
    FilterModule as FunctionFilters,
)
from ansible_collections.payments.infra.plugins.filter.lambda_function_differences import lambda_function_differences
from ansible_collections.payments.infra.plugins.filter.lambda_permission_differences import (
    FilterModule as PermissionFilters,
)
from ansible_collections.payments.infra.plugins.filter.lambda_permission_differences import (
    lambda_permission_differences,
)
from ansible_collections.payments.infra.plugins.filter.sqs_queue_differences import FilterModule as QueueFilters
from ansible_collections.payments.infra.plugins.filter.sqs_queue_differences import sqs_queue_differences
from ansible_collections.payments.infra.plugins.modules import lambda_account_info as info

NAME = "payment-test-fn"
QUEUE = "payment-test-dlq"
ACCOUNT = "123456789012"


def _zip(body):
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", body)
    return code.getvalue()


CODE = _zip("def handler(event, context):\n    return event\n")
CODE_SHA = base64.b64encode(hashlib.sha256(CODE).digest()).decode()


@pytest.fixture
def aws(moto_aws):
    iam = boto3.client("iam", region_name="us-east-1")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName=NAME, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24")["Subnet"]["SubnetId"] for i in (1, 2)]
    group = ec2.create_security_group(GroupName="fn", Description="fn", VpcId=vpc)["GroupId"]
    kms = boto3.client("kms", region_name="us-east-1")
    key = kms.create_key()["KeyMetadata"]["Arn"]
    awslambda = boto3.client("lambda", region_name="us-east-1")
    awslambda.create_function(
        FunctionName=NAME,
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": CODE},
        MemorySize=256,
        Timeout=10,
        Environment={"Variables": {"PAYMENTS_ENV": "test", "LOG_LEVEL": "INFO"}},
        VpcConfig={"SubnetIds": subnets, "SecurityGroupIds": [group]},
        TracingConfig={"Mode": "Active"},
        KMSKeyArn=key,
        Tags={"Name": NAME, "Component": "lambda-test"},
    )
    desired = {
        "name": NAME,
        "runtime": "python3.12",
        "handler": "handler.handler",
        "code_sha256": CODE_SHA,
        "role": role,
        "memory_size": 256,
        "timeout": 10,
        "vpc_subnet_ids": list(reversed(subnets)),
        "vpc_security_group_ids": [group],
        "environment_variables": {"LOG_LEVEL": "INFO", "PAYMENTS_ENV": "test"},
        "tracing_mode": "Active",
        "kms_key_arn": key,
        "tags": {"Component": "lambda-test", "Name": NAME},
        "purge_tags": True,
    }
    yield awslambda, desired


def _read(awslambda, policies=True):
    """lambda_account_info's view (in-process moto has no GetAccountSettings: the functions part only)."""
    functions, reserved, found = info.read_functions(awslambda, [NAME, "missing"], policies=policies)
    return {"functions": functions, "reserved_concurrency": reserved, "functions_found": found}


def test_filters_registered():
    assert FunctionFilters().filters() == {"lambda_function_differences": lambda_function_differences}
    assert PermissionFilters().filters() == {"lambda_permission_differences": lambda_permission_differences}
    assert QueueFilters().filters() == {"sqs_queue_differences": sqs_queue_differences}


def test_account_info_reads_configuration_tags_concurrency_and_policy(aws):
    awslambda, desired = aws
    awslambda.put_function_concurrency(FunctionName=NAME, ReservedConcurrentExecutions=5)
    result = _read(awslambda)
    function = result["functions"][NAME]
    assert result["functions"]["missing"] is None
    assert result["functions_found"] == [NAME]
    assert result["reserved_concurrency"] == {NAME: 5, "missing": None}
    assert function["environment"] == {"PAYMENTS_ENV": "test", "LOG_LEVEL": "INFO"}
    assert function["tags"] == {"Name": NAME, "Component": "lambda-test"}
    assert function["code_sha256"] == CODE_SHA and function["tracing_mode"] == "Active"
    assert sorted(function["vpc_config"]["subnet_ids"]) == sorted(desired["vpc_subnet_ids"])
    assert function["policy"] is None
    assert "policy" not in _read(awslambda, policies=False)["functions"][NAME]


def test_converged_function_has_no_differences(aws):
    awslambda, desired = aws
    assert lambda_function_differences(_read(awslambda)["functions"][NAME], desired) == []
    assert lambda_function_differences(None, desired) == ["missing"]


@pytest.mark.parametrize(
    ("drift", "expected"),
    [
        ({"MemorySize": 512}, ["memory_size"]),
        ({"Timeout": 30}, ["timeout"]),
        ({"Handler": "other.handler"}, ["handler"]),
        ({"Runtime": "python3.11"}, ["runtime"]),
        ({"Environment": {"Variables": {"PAYMENTS_ENV": "test", "LOG_LEVEL": "DEBUG"}}}, ["environment_variables"]),
        ({"VpcConfig": {"SubnetIds": [], "SecurityGroupIds": []}}, ["vpc_config"]),
        ({"Description": "drifted"}, []),  # the task sets no description: the module leaves it alone
    ],
)
def test_each_configuration_drift_is_found(aws, drift, expected):
    awslambda, desired = aws
    awslambda.update_function_configuration(FunctionName=NAME, **drift)
    assert lambda_function_differences(_read(awslambda)["functions"][NAME], desired) == expected


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # moto's UpdateFunctionConfiguration ignores TracingConfig and KMSKeyArn: drift the read instead.
        ({"tracing_mode": None}, ["tracing_mode"]),  # PassThrough when AWS reports none
        ({"tracing_mode": "PassThrough"}, ["tracing_mode"]),
        ({"kms_key_arn": "arn:aws:kms:us-east-1:123456789012:key/other"}, ["kms_key_arn"]),
        ({"vpc_config": None}, ["vpc_config"]),
    ],
)
def test_drifts_moto_cannot_make(aws, change, expected):
    awslambda, desired = aws
    current = {**_read(awslambda)["functions"][NAME], **change}
    assert lambda_function_differences(current, desired) == expected


def test_tags_code_and_role_drifts(aws):
    awslambda, desired = aws
    arn = _read(awslambda)["functions"][NAME]["function_arn"]
    awslambda.tag_resource(Resource=arn, Tags={"Extra": "x"})
    current = _read(awslambda)["functions"][NAME]
    assert lambda_function_differences(current, desired) == ["tags"]
    assert lambda_function_differences(current, {**desired, "purge_tags": False}) == []
    awslambda.untag_resource(Resource=arn, TagKeys=["Extra", "Component"])
    assert lambda_function_differences(_read(awslambda)["functions"][NAME], desired) == ["tags"]
    awslambda.tag_resource(Resource=arn, Tags={"Component": "lambda-test"})
    awslambda.update_function_code(FunctionName=NAME, ZipFile=_zip("def handler(e, c):\n    return None\n"))
    current = _read(awslambda)["functions"][NAME]
    assert lambda_function_differences(current, desired) == ["code"]
    assert lambda_function_differences(current, {**desired, "role": NAME, "code_sha256": None}) == []
    assert lambda_function_differences(current, {**desired, "role": f"arn:aws:iam::{ACCOUNT}:role/x"}) == [
        "role",
        "code",
    ]


def test_module_defaults_and_zip_file(aws, tmp_path):
    awslambda, desired = aws
    current = _read(awslambda)["functions"][NAME]
    package = tmp_path / "fn.zip"
    package.write_bytes(CODE)
    assert lambda_function_differences(current, {**desired, "code_sha256": None, "zip_file": str(package)}) == []
    # amazon.aws.lambda's defaults: timeout 3, memory 128 are compared when the task leaves them out.
    without = {k: v for k, v in desired.items() if k not in ("timeout", "memory_size")}
    assert lambda_function_differences(current, without) == ["timeout", "memory_size"]
    assert lambda_function_differences(current, {**desired, "dead_letter_arn": ""}) == []
    assert lambda_function_differences(current, {**desired, "dead_letter_arn": "arn:aws:sqs:x"}) == ["dead_letter_arn"]
    assert lambda_function_differences(current, {**desired, "architecture": "arm64"}) == ["architecture"]
    assert lambda_function_differences(current, {**desired, "layers": [{"layer_version_arn": "arn:l:1"}]}) == ["layers"]


@pytest.mark.parametrize(
    ("current", "desired"),
    [
        ("text", {"name": NAME}),
        ({}, ["not", "a", "dict"]),
        ({"role": "r"}, {"s3_bucket": "b"}),
        ({"role": "r"}, {"layers": [{"layer_name": "l", "version": 1}]}),
    ],
)
def test_function_filter_errors(current, desired):
    with pytest.raises(AnsibleFilterError):
        lambda_function_differences(current, desired)


PERMISSION = {
    "function_name": NAME,
    "statement_id": "apigateway-invoke",
    "action": "lambda:InvokeFunction",
    "principal": "apigateway.amazonaws.com",
    "source_arn": f"arn:aws:execute-api:us-east-1:{ACCOUNT}:*/*/*/payments",
    "source_account": ACCOUNT,
}


class _Module:
    """The params face of an AnsibleAWSModule, for amazon.aws.lambda_policy's own comparison."""

    def __init__(self, params):
        self.params = {"event_source_token": None, **params}


def _module_says_differs(policy, desired):
    current = lambda_policy.extract_statement(policy or {}, desired["statement_id"])
    return not current or not lambda_policy.policy_equal(_Module(desired), current)


def _add(awslambda, desired):
    params = {lambda_policy.pc(k): v for k, v in desired.items() if k != "state"}
    awslambda.add_permission(**params)


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"source_arn": f"arn:aws:execute-api:us-east-1:{ACCOUNT}:*/*/*/other"},
        {"source_account": "210987654321"},
        {"principal": "events.amazonaws.com"},
        {"statement_id": "other"},
    ],
)
def test_permission_differences_agree_with_lambda_policy(aws, change):
    awslambda, _desired = aws
    _add(awslambda, {**PERMISSION, **change})
    policy = _read(awslambda)["functions"][NAME]["policy"]
    differences = lambda_permission_differences(policy, PERMISSION)
    assert bool(differences) == _module_says_differs(policy, PERMISSION)
    if change.get("statement_id"):
        assert differences == ["missing"]
    else:
        assert differences == sorted(change, key=["action", "principal", "source_arn", "source_account"].index)


def test_removed_permission_and_state_absent(aws):
    awslambda, _desired = aws
    _add(awslambda, PERMISSION)
    assert lambda_permission_differences(_read(awslambda)["functions"][NAME]["policy"], PERMISSION) == []
    assert lambda_permission_differences(
        _read(awslambda)["functions"][NAME]["policy"], {**PERMISSION, "state": "absent"}
    ) == ["state"]
    awslambda.remove_permission(FunctionName=NAME, StatementId="apigateway-invoke")
    policy = _read(awslambda)["functions"][NAME]["policy"]
    assert lambda_permission_differences(policy, PERMISSION) == ["missing"]
    assert lambda_permission_differences(policy, {**PERMISSION, "state": "absent"}) == []
    assert lambda_permission_differences(None, PERMISSION) == ["missing"]
    with pytest.raises(AnsibleFilterError):
        lambda_permission_differences(None, {**PERMISSION, "alias": "live"})
    with pytest.raises(AnsibleFilterError):
        lambda_permission_differences("text", PERMISSION)


def _queue_read(sqs):
    return info.gather_queues(sqs, [QUEUE, "missing-queue"])


def test_queue_read_and_differences(moto_aws):
    sqs = boto3.client("sqs", region_name="us-east-1")
    key = "arn:aws:kms:us-east-1:123456789012:key/dynamodb"
    sqs.create_queue(
        QueueName=QUEUE,
        Attributes={"KmsMasterKeyId": key, "MessageRetentionPeriod": "1209600"},
        tags={"Name": QUEUE, "Component": "stream-dlq"},
    )
    desired = {
        "name": QUEUE,
        "queue_type": "standard",
        "kms_master_key_id": key,
        "message_retention_period": 1209600,
        "tags": {"Name": QUEUE, "Component": "stream-dlq"},
        "purge_tags": True,
    }
    queues = _queue_read(sqs)
    assert queues["missing-queue"] is None
    assert queues[QUEUE]["queue_arn"].endswith(f":{QUEUE}") and queues[QUEUE]["tags"]["Name"] == QUEUE
    assert sqs_queue_differences(queues[QUEUE], desired) == []
    assert sqs_queue_differences(None, desired) == ["missing"]
    url = queues[QUEUE]["queue_url"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"MessageRetentionPeriod": "86400"})
    sqs.untag_queue(QueueUrl=url, TagKeys=["Component"])
    assert sqs_queue_differences(_queue_read(sqs)[QUEUE], desired) == ["MessageRetentionPeriod", "tags"]
    assert sqs_queue_differences(_queue_read(sqs)[QUEUE], {**desired, "kms_master_key_id": "other"}) == [
        "MessageRetentionPeriod",
        "KmsMasterKeyId",
        "tags",
    ] or sqs_queue_differences(_queue_read(sqs)[QUEUE], {**desired, "kms_master_key_id": "other"}) == [
        "KmsMasterKeyId",
        "MessageRetentionPeriod",
        "tags",
    ]
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "sqs:*"}]}
    assert "policy" in sqs_queue_differences(_queue_read(sqs)[QUEUE], {**desired, "policy": policy})
    with pytest.raises(AnsibleFilterError):
        sqs_queue_differences([], desired)
