"""payments.infra.iam_role_details_info: main() against moto's in-process IAM (no network)."""

import json

import boto3
import pytest
from ansible_collections.payments.infra.plugins.modules import iam_role_details_info as module
from aws_fakes import client_error

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
RETURNED_KEYS = [
    "arn",
    "assume_role_policy_document",
    "attached_managed_policies",
    "create_date",
    "description",
    "inline_policies",
    "instance_profile_names",
    "managed_policies",
    "max_session_duration",
    "path",
    "permissions_boundary_arn",
    "role_id",
    "role_name",
    "tags",
]


@pytest.fixture
def client(moto_aws):
    yield boto3.client("iam", region_name="us-east-1")


def test_reads_the_roles_asked_and_lists_the_missing(client, run_module):
    client.create_role(
        RoleName="flow-logs",
        AssumeRolePolicyDocument=json.dumps(TRUST),
        Description="Delivers flow logs",
        Tags=[{"Key": "Component", "Value": "flow-logs"}],
    )
    client.put_role_policy(
        RoleName="flow-logs",
        PolicyName="write-flow-logs",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}
        ),
    )
    client.create_role(RoleName="unrelated", AssumeRolePolicyDocument=json.dumps(TRUST))

    ok, result = run_module(module, {"names": ["flow-logs", "not-there"]}, client)

    assert ok, result
    assert result["changed"] is False
    assert list(result["roles"]) == ["flow-logs"]
    role = result["roles"]["flow-logs"]
    assert sorted(role) == RETURNED_KEYS
    assert role["assume_role_policy_document"] == TRUST
    assert role["inline_policies"]["write-flow-logs"]["Statement"][0]["Action"] == "logs:*"
    assert role["description"] == "Delivers flow logs"
    assert role["tags"] == {"Component": "flow-logs"}
    assert result["missing"] == ["not-there"]


def test_an_empty_account_is_not_a_failure(client, run_module):
    ok, result = run_module(module, {"names": ["a", "b"], "_ansible_check_mode": True}, client)
    assert ok, result
    assert result["roles"] == {}
    assert result["missing"] == ["a", "b"]


@pytest.mark.parametrize("bad", ["arn:aws:iam::123456789012:role/x", "/path/x", ""])
def test_names_must_be_role_names(client, run_module, bad):
    ok, result = run_module(module, {"names": ["good", bad]}, client)
    assert not ok
    assert "names must be role names" in result["msg"]


def test_an_aws_error_fails_with_its_code(client, run_module, monkeypatch):
    def denied(operation, params):
        raise client_error("AccessDenied", operation, "not authorized to GetAccountAuthorizationDetails")

    monkeypatch.setattr(client, "_make_api_call", denied)
    ok, result = run_module(module, {"names": ["x"]}, client)
    assert not ok
    assert "get account authorization details" in result["msg"]
    assert result["error"]["code"] == "AccessDenied"
