"""payments.infra.ssm_parameter_info reads, against moto's in-process AWS (no network): values and metadata by path,
tags of every parameter with one Resource Groups Tagging API GetResources."""

import datetime

import boto3
import pytest
from ansible_collections.payments.infra.plugins.module_utils import ssm as ssm_utils
from ansible_collections.payments.infra.plugins.module_utils.ssm import PaymentsSSMError, normalize_parameters
from ansible_collections.payments.infra.plugins.modules import ssm_parameter_info as module
from botocore.exceptions import ClientError

REGION = "us-east-1"


@pytest.fixture
def aws(moto_aws):
    yield boto3.client("ssm", region_name=REGION), boto3.client("kms", region_name=REGION)


@pytest.fixture
def tagging(moto_aws):
    return boto3.client("resourcegroupstaggingapi", region_name=REGION)


def put(client, name, value, kind="String", **extra):
    client.put_parameter(Name=name, Value=value, Type=kind, **extra)


def test_empty_path_is_empty_not_a_failure(aws, tagging):
    client, _kms = aws
    assert module.read(client, "/payment-processing/none", True, False, tagging) == {}


def test_values_types_keys_descriptions_and_tags(aws, tagging):
    client, kms = aws
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    put(
        client, "/p/env/dynamodb/table_name", "transactions-env", Description="table", Tags=[{"Key": "A", "Value": "b"}]
    )
    put(client, "/p/env/aurora/writer_endpoint", "db.internal", "SecureString", KeyId=key_arn)
    put(client, "/p/env/top", "1")
    put(client, "/p/other/x", "not mine")

    found = module.read(client, "/p/env/", True, False, tagging)
    assert sorted(found) == ["/p/env/aurora/writer_endpoint", "/p/env/dynamodb/table_name", "/p/env/top"]
    table = found["/p/env/dynamodb/table_name"]
    assert table["type"] == "String"
    assert table["value"] == "transactions-env"
    assert table["description"] == "table"
    assert table["key_id"] is None
    assert table["tags"] == {"A": "b"}
    assert table["version"] == 1
    assert table["tier"] == "Standard"
    assert isinstance(table["last_modified_date"], str)
    secure = found["/p/env/aurora/writer_endpoint"]
    assert secure["type"] == "SecureString"
    assert secure["value"] is None, "a SecureString value is returned only with decryption"
    assert secure["key_id"] == key_arn
    assert secure["tags"] == {}

    decrypted = module.read(client, "/p/env", True, True)
    assert decrypted["/p/env/aurora/writer_endpoint"]["value"] == "db.internal"
    assert "tags" not in decrypted["/p/env/top"]


def test_one_level_only_when_not_recursive(aws):
    client, _kms = aws
    put(client, "/p/env/top", "1")
    put(client, "/p/env/deep/er", "2")
    assert sorted(module.read(client, "/p/env", False, False)) == ["/p/env/top"]


def test_one_read_of_each_kind_and_one_tag_read_for_all_parameters(aws, tagging, monkeypatch):
    client, _kms = aws
    common = [{"Key": key, "Value": "v"} for key in ("Environment", "Project", "ManagedBy", "CostCenter", "Component")]
    for index in range(23):  # more than one page of GetParametersByPath (10) and DescribeParameters
        put(client, f"/p/env/n{index:02d}", str(index), Tags=common + [{"Key": "N", "Value": str(index)}])
    put(client, "/p/env/untagged", "u")
    calls = []
    for aws_client in (client, tagging):
        real = aws_client._make_api_call

        def counting(operation, params, real=real):
            calls.append((operation, params))
            return real(operation, params)

        monkeypatch.setattr(aws_client, "_make_api_call", counting)
    found = module.read(client, "/p/env", True, False, tagging)
    assert len(found) == 24
    assert found["/p/env/n07"]["tags"] == dict({tag["Key"]: "v" for tag in common}, N="7")
    assert found["/p/env/untagged"]["tags"] == {}
    operations = [operation for operation, _params in calls]
    assert "ListTagsForResource" not in operations
    assert set(operations) == {"GetParametersByPath", "DescribeParameters", "GetResources"}
    # One GetResources for the 24 ARNs (a further page, should the API return a token, carries PaginationToken).
    tag_reads = [
        params for operation, params in calls if operation == "GetResources" and "PaginationToken" not in params
    ]
    assert len(tag_reads) == 1
    assert sorted(tag_reads[0]["ResourceARNList"]) == sorted(
        f"arn:aws:ssm:{REGION}:123456789012:parameter{name}" for name in found
    )


def test_a_parameter_reported_without_its_arn_has_its_tags_read_by_name(aws, tagging):
    client, _kms = aws
    put(client, "/p/env/a", "1", Tags=[{"Key": "A", "Value": "1"}])
    put(client, "/p/env/b", "2", Tags=[{"Key": "B", "Value": "2"}])
    values = client.get_parameters_by_path(Path="/p/env")["Parameters"]
    metadata = client.describe_parameters()["Parameters"]
    for item in values + metadata:
        if item["Name"] == "/p/env/b":
            item.pop("ARN", None)
    parameters = normalize_parameters(values, metadata, decryption=False)
    module.read_tags(client, tagging, parameters, values, metadata)
    assert parameters["/p/env/a"]["tags"] == {"A": "1"}
    assert parameters["/p/env/b"]["tags"] == {"B": "2"}


def test_normalize_keeps_a_parameter_seen_by_one_read_only():
    when = datetime.datetime(2026, 11, 28, tzinfo=datetime.UTC)
    values = [{"Name": "/p/a", "Type": "SecureString", "Value": "cipher", "Version": 2, "LastModifiedDate": when}]
    metadata = [{"Name": "/p/b", "Type": "String", "Version": 1, "Tier": "Standard", "DataType": "text"}]
    result = normalize_parameters(values, metadata, decryption=False)
    assert result["/p/a"]["value"] is None
    assert result["/p/a"]["last_modified_date"] == "2026-11-28T00:00:00+00:00"
    assert result["/p/b"]["value"] is None
    assert result["/p/b"]["tier"] == "Standard"


def test_access_denied_raises_the_module_error(aws, monkeypatch):
    client, _kms = aws

    def denied(operation, params):
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, operation)

    monkeypatch.setattr(client, "_make_api_call", denied)
    with pytest.raises(PaymentsSSMError, match="get parameters by path"):
        module.read(client, "/p/env", True, False)


def test_tags_of_a_vanished_parameter_are_none(aws):
    client, _kms = aws
    assert ssm_utils.list_parameter_tags(client, "/p/gone") is None
