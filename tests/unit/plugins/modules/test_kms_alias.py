"""payments.infra.kms_alias decisions, against moto's in-process AWS (no network)."""

import boto3
import pytest
from ansible_collections.payments.infra.plugins.module_utils.kms import PaymentsKMSError, alias_name
from ansible_collections.payments.infra.plugins.modules import kms_alias as module

ALIAS = "alias/payment-s3-test"


@pytest.fixture
def client(moto_aws):
    yield boto3.client("kms", region_name="us-east-1")


def target(client, name):
    for alias in client.list_aliases()["Aliases"]:
        if alias["AliasName"] == name:
            return alias.get("TargetKeyId")
    return None


def test_alias_name_gets_its_prefix():
    assert alias_name("payment-s3-test") == ALIAS
    assert alias_name(ALIAS) == ALIAS


def test_create_check_mode_then_real_then_idempotent(client):
    key = client.create_key()["KeyMetadata"]["KeyId"]
    changed, result = module.ensure(client, "payment-s3-test", "present", key, True)
    assert changed and result["alias"]["target_key_id"] == key
    assert target(client, ALIAS) is None
    changed, result = module.ensure(client, ALIAS, "present", key, False)
    assert changed
    assert result["alias"]["alias_name"] == ALIAS
    assert result["alias"]["alias_arn"].endswith(":" + ALIAS)
    assert target(client, ALIAS) == key
    for check_mode in (True, False):
        changed, _result = module.ensure(client, ALIAS, "present", key, check_mode)
        assert not changed


def test_move_to_another_key_by_arn(client):
    first = client.create_key()["KeyMetadata"]["KeyId"]
    second = client.create_key()["KeyMetadata"]
    module.ensure(client, ALIAS, "present", first, False)
    changed, result = module.ensure(client, ALIAS, "present", second["Arn"], False)
    assert changed and target(client, ALIAS) == second["KeyId"]
    assert result["diff"]["before"]["target_key_id"] == first
    assert result["diff"]["after"]["target_key_id"] == second["KeyId"]


def test_absent_check_mode_then_real_then_idempotent(client):
    key = client.create_key()["KeyMetadata"]["KeyId"]
    client.create_alias(AliasName=ALIAS, TargetKeyId=key)
    changed, result = module.ensure(client, ALIAS, "absent", None, True)
    assert changed and result["alias"] == {}
    assert target(client, ALIAS) == key
    changed, result = module.ensure(client, ALIAS, "absent", None, False)
    assert changed and target(client, ALIAS) is None
    assert result["diff"]["before"]["alias_name"] == ALIAS
    changed, _result = module.ensure(client, ALIAS, "absent", None, False)
    assert not changed


def test_alias_of_a_key_pending_deletion_is_removed(client):
    key = client.create_key()["KeyMetadata"]["KeyId"]
    client.create_alias(AliasName=ALIAS, TargetKeyId=key)
    client.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    changed, _result = module.ensure(client, ALIAS, "absent", None, False)
    assert changed and target(client, ALIAS) is None


def test_present_on_a_missing_key_fails(client):
    with pytest.raises(PaymentsKMSError):
        module.ensure(client, ALIAS, "present", "alias/does-not-exist", False)
