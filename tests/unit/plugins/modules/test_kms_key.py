"""payments.infra.kms_key decisions, against moto's in-process AWS (no network)."""

import json

import boto3
import pytest
from ansible_collections.payments.infra.plugins.modules import kms_key as module
from aws_fakes import ACCOUNT_KEY_POLICY, CountingClient

ALIAS = "alias/payment-s3-test"
POLICY = ACCOUNT_KEY_POLICY


@pytest.fixture
def client(moto_aws):
    yield CountingClient(boto3.client("kms", region_name="us-east-1"))


def params(**overrides):
    values = dict(
        alias="payment-s3-test",
        description="payment-test: S3 audit archive",
        policy=json.dumps(POLICY),
        enable_key_rotation=True,
        enabled=True,
        tags={"Environment": "test", "Component": "kms-s3"},
        purge_tags=True,
    )
    values.update(overrides)
    return values


def key_of(client):
    for alias in client.list_aliases()["Aliases"]:
        if alias["AliasName"] == ALIAS:
            return alias["TargetKeyId"]
    return None


def test_create_check_mode_then_real_then_idempotent(client):
    changed, result = module.ensure(client, params(), True)
    assert changed and result["key"]["key_id"] is None and result["key"]["alias"] == ALIAS
    assert result["diff"]["before"] == {}
    assert key_of(client) is None

    changed, result = module.ensure(client, params(), False)
    assert changed
    key = result["key"]
    assert key["key_id"] == key_of(client)
    assert key["key_arn"].endswith(":key/" + key["key_id"])
    assert key["description"] == "payment-test: S3 audit archive"
    assert key["enable_key_rotation"] is True and key["enabled"] is True and key["key_state"] == "Enabled"
    assert key["policy"] == POLICY
    assert key["tags"] == {"Environment": "test", "Component": "kms-s3"}

    for check_mode in (True, False):
        client.calls.clear()
        changed, result = module.ensure(client, params(), check_mode)
        assert not changed
        assert result["key"] == key
        # One read: the alias list, then the key's metadata, rotation, policy and tags; no write.
        assert sorted(client.calls) == sorted(
            ["ListAliases", "DescribeKey", "GetKeyRotationStatus", "GetKeyPolicy", "ListResourceTags"]
        )


def test_drift_is_corrected_attribute_by_attribute(client):
    module.ensure(client, params(), False)
    key_id = key_of(client)
    client.update_key_description(KeyId=key_id, Description="changed by hand")
    client.disable_key_rotation(KeyId=key_id)
    other = dict(POLICY, Statement=[dict(POLICY["Statement"][0], Sid="Other")])
    client.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(other))
    client.tag_resource(
        KeyId=key_id, Tags=[{"TagKey": "Extra", "TagValue": "x"}, {"TagKey": "Environment", "TagValue": "y"}]
    )
    client.disable_key(KeyId=key_id)

    changed, result = module.ensure(client, params(), True)
    assert changed
    assert result["diff"]["before"]["description"] == "changed by hand"
    assert result["key"]["description"] == "payment-test: S3 audit archive"
    assert client.describe_key(KeyId=key_id)["KeyMetadata"]["Description"] == "changed by hand"

    changed, result = module.ensure(client, params(), False)
    assert changed
    metadata = client.describe_key(KeyId=key_id)["KeyMetadata"]
    assert metadata["Description"] == "payment-test: S3 audit archive" and metadata["Enabled"]
    assert client.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"]
    assert json.loads(client.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]) == POLICY
    tags = {tag["TagKey"]: tag["TagValue"] for tag in client.list_resource_tags(KeyId=key_id)["Tags"]}
    assert tags == {"Environment": "test", "Component": "kms-s3"}
    assert key_of(client) == key_id
    assert not module.ensure(client, params(), False)[0]


def test_unset_options_are_left_alone(client):
    module.ensure(client, params(), False)
    key_id = key_of(client)
    client.tag_resource(KeyId=key_id, Tags=[{"TagKey": "Extra", "TagValue": "x"}])
    changed, _result = module.ensure(
        client, params(description=None, policy=None, enable_key_rotation=None, tags=None), False
    )
    assert not changed
    changed, _result = module.ensure(client, params(purge_tags=False), False)
    assert not changed


def test_key_pending_deletion_is_recovered(client):
    module.ensure(client, params(), False)
    key_id = key_of(client)
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    changed, result = module.ensure(client, params(), True)
    assert changed and result["diff"]["before"]["key_state"] == "PendingDeletion"
    changed, result = module.ensure(client, params(), False)
    assert changed
    assert result["key"]["key_id"] == key_id and result["key"]["key_state"] == "Enabled"
    assert not module.ensure(client, params(), False)[0]


def test_disabled_key_on_request(client):
    changed, result = module.ensure(client, params(enabled=False), False)
    assert changed and result["key"]["enabled"] is False
    assert not module.ensure(client, params(enabled=False), False)[0]
    changed, result = module.ensure(client, params(), False)
    assert changed and result["key"]["key_state"] == "Enabled"


def test_key_left_without_alias_by_an_interrupted_run_is_adopted_not_duplicated(client):
    # What a run killed between CreateKey and CreateAlias leaves: a tagged key nothing names.
    orphan = client.create_key(
        Description="payment-test: S3 audit archive",
        Tags=[{"TagKey": "Environment", "TagValue": "test"}, {"TagKey": "Component", "TagValue": "kms-s3"}],
    )["KeyMetadata"]["KeyId"]
    # Keys that must not be taken: another description, other tags, pending deletion.
    client.create_key(Description="payment-test: DynamoDB")
    client.create_key(Description="payment-test: S3 audit archive", Tags=[{"TagKey": "Environment", "TagValue": "x"}])
    doomed = client.create_key(Description="payment-test: S3 audit archive")["KeyMetadata"]["KeyId"]
    client.schedule_key_deletion(KeyId=doomed, PendingWindowInDays=7)

    changed, result = module.ensure(client, params(), True)
    assert changed and result["key"]["key_id"] == orphan
    assert key_of(client) is None

    changed, result = module.ensure(client, params(), False)
    assert changed and result["key"]["key_id"] == orphan == key_of(client)
    assert result["key"]["enable_key_rotation"] is True and result["key"]["policy"] == POLICY
    assert len(client.list_keys()["Keys"]) == 4

    changed, _result = module.ensure(client, params(), False)
    assert not changed


def test_a_key_without_description_is_never_adopted(client):
    client.create_key(Tags=[{"TagKey": "Environment", "TagValue": "test"}])
    changed, result = module.ensure(client, params(description=""), False)
    assert changed
    assert len(client.list_keys()["Keys"]) == 2
    assert result["key"]["key_id"] == key_of(client)
