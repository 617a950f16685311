"""payments.infra.kms_keys: the keys of a list reconciled as kms_key does, with one ListAliases for all of them,
against moto's in-process AWS (no network)."""

import json

import boto3
import pytest
from ansible_collections.payments.infra.plugins.modules import kms_key, kms_keys
from aws_fakes import ACCOUNT_KEY_POLICY, CountingClient

PURPOSES = ("aurora", "dynamodb", "s3", "logs", "secrets")
POLICY = ACCOUNT_KEY_POLICY


@pytest.fixture
def client(moto_aws):
    yield CountingClient(boto3.client("kms", region_name="us-east-1"))


def key_params(purpose, **overrides):
    """One element of O(keys), as the argument spec fills it (what the secrets role passes)."""
    values = dict(
        alias=f"payment-{purpose}-test",
        description=f"payment-test: {purpose}",
        policy=json.dumps(dict(POLICY, Id=purpose)),
        enable_key_rotation=True,
        enabled=True,
        tags={"Environment": "test", "Component": f"kms-{purpose}"},
        purge_tags=True,
    )
    values.update(overrides)
    return values


def stack(**overrides):
    return [key_params(purpose, **overrides) for purpose in PURPOSES]


def aliased(client):
    """{alias name: key id} of the account's own aliases (not moto's alias/aws/*)."""
    return {
        alias["AliasName"]: alias.get("TargetKeyId")
        for alias in client.list_aliases()["Aliases"]
        if not alias["AliasName"].startswith("alias/aws/")
    }


def test_check_mode_on_an_empty_account_plans_every_key_and_writes_nothing(client):
    changed, results, diff = kms_keys.ensure_keys(client, stack(), True)
    assert changed == [f"alias/payment-{purpose}-test" for purpose in PURPOSES]
    assert [key["key_id"] for key in results] == [None] * 5
    assert [key["policy"]["Id"] for key in results] == list(PURPOSES)
    assert diff["before"] == {alias: {} for alias in changed}
    assert diff["after"]["alias/payment-s3-test"]["tags"] == {"Environment": "test", "Component": "kms-s3"}
    assert client.writes() == []
    assert client.list_keys()["Keys"] == []


def test_create_then_a_rerun_reads_with_one_list_aliases_and_changes_nothing(client, record_property):
    changed, created, _diff = kms_keys.ensure_keys(client, stack(), False)
    assert len(changed) == 5
    names = aliased(client)
    for purpose, key in zip(PURPOSES, created, strict=True):
        assert key["key_id"] == names[f"alias/payment-{purpose}-test"]
        assert key["key_arn"].endswith(":key/" + key["key_id"])
        assert key["enable_key_rotation"] is True and key["key_state"] == "Enabled"
        assert key["policy"] == dict(POLICY, Id=purpose)
        assert key["tags"] == {"Environment": "test", "Component": f"kms-{purpose}"}
    assert len(client.list_keys()["Keys"]) == 5

    for check_mode in (True, False):
        client.calls.clear()
        changed, results, diff = kms_keys.ensure_keys(client, stack(), check_mode)
        assert changed == [] and results == created
        assert diff["before"] == diff["after"]
        # One ListAliases for all; per key its metadata, rotation, policy and tags; no write.
        assert sorted(client.calls) == sorted(
            ["ListAliases"] + ["DescribeKey", "GetKeyRotationStatus", "GetKeyPolicy", "ListResourceTags"] * 5
        )
    record_property(
        "figure", f"kms_keys: no-op of 5 keys = {len(client.calls)} requests (kms_key in a loop: 25), 0 writes"
    )


def test_each_key_is_the_one_kms_key_returns_and_neither_module_sees_a_change_after_the_other(client):
    _changed, results, _diff = kms_keys.ensure_keys(client, stack(), False)
    for params, key in zip(stack(), results, strict=True):
        changed, single = kms_key.ensure(client, params, False)
        assert not changed and single["key"] == key
    changed, single = kms_key.ensure(client, key_params("extra"), False)
    assert changed
    changed, results, _diff = kms_keys.ensure_keys(client, [key_params("extra")] + stack(), False)
    assert changed == [] and results[0] == single["key"]


def test_only_the_drifted_keys_are_written(client):
    kms_keys.ensure_keys(client, stack(), False)
    names = aliased(client)
    s3_key, logs_key = names["alias/payment-s3-test"], names["alias/payment-logs-test"]
    client.disable_key_rotation(KeyId=s3_key)
    client.tag_resource(KeyId=logs_key, Tags=[{"TagKey": "Extra", "TagValue": "x"}])
    client.update_key_description(KeyId=logs_key, Description="changed by hand")

    changed, results, diff = kms_keys.ensure_keys(client, stack(), True)
    assert changed == ["alias/payment-s3-test", "alias/payment-logs-test"]
    assert diff["before"]["alias/payment-s3-test"]["enable_key_rotation"] is False
    assert diff["after"]["alias/payment-s3-test"]["enable_key_rotation"] is True
    assert diff["before"]["alias/payment-logs-test"]["tags"]["Extra"] == "x"
    assert "Extra" not in results[3]["tags"]

    client.calls.clear()
    changed, results, _diff = kms_keys.ensure_keys(client, stack(), False)
    assert changed == ["alias/payment-s3-test", "alias/payment-logs-test"]
    assert sorted(client.writes()) == ["EnableKeyRotation", "UntagResource", "UpdateKeyDescription"]
    assert client.get_key_rotation_status(KeyId=s3_key)["KeyRotationEnabled"]
    assert results[3]["description"] == "payment-test: logs" and "Extra" not in results[3]["tags"]
    # The two written keys are read again without another ListAliases.
    assert client.calls.count("ListAliases") == 1
    assert kms_keys.ensure_keys(client, stack(), False)[0] == []


def test_unset_options_are_left_alone(client):
    kms_keys.ensure_keys(client, stack(), False)
    key_id = aliased(client)["alias/payment-aurora-test"]
    client.tag_resource(KeyId=key_id, Tags=[{"TagKey": "Extra", "TagValue": "x"}])
    unset = stack(description=None, policy=None, enable_key_rotation=None, tags=None)
    assert kms_keys.ensure_keys(client, unset, False)[0] == []
    assert kms_keys.ensure_keys(client, stack(purge_tags=False), False)[0] == []


def test_a_key_pending_deletion_is_recovered(client):
    kms_keys.ensure_keys(client, stack(), False)
    key_id = aliased(client)["alias/payment-dynamodb-test"]
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    changed, _results, diff = kms_keys.ensure_keys(client, stack(), True)
    assert changed == ["alias/payment-dynamodb-test"]
    assert diff["before"]["alias/payment-dynamodb-test"]["key_state"] == "PendingDeletion"
    changed, results, _diff = kms_keys.ensure_keys(client, stack(), False)
    assert changed == ["alias/payment-dynamodb-test"]
    assert results[1]["key_id"] == key_id and results[1]["key_state"] == "Enabled"
    assert results[1]["enable_key_rotation"] is True
    assert kms_keys.ensure_keys(client, stack(), False)[0] == []


def test_disabled_key_on_request(client):
    keys = stack()
    keys[2]["enabled"] = False
    _changed, results, _diff = kms_keys.ensure_keys(client, keys, False)
    assert [key["enabled"] for key in results] == [True, True, False, True, True]
    assert kms_keys.ensure_keys(client, keys, False)[0] == []
    changed, results, _diff = kms_keys.ensure_keys(client, stack(), False)
    assert changed == ["alias/payment-s3-test"] and results[2]["key_state"] == "Enabled"


def test_keys_left_without_alias_by_interrupted_runs_are_adopted_not_duplicated(client):
    # What runs killed between CreateKey and CreateAlias leave: tagged keys nothing names (here two of them).
    orphans = {
        purpose: client.create_key(
            Description=f"payment-test: {purpose}",
            Tags=[{"TagKey": "Environment", "TagValue": "test"}, {"TagKey": "Component", "TagValue": f"kms-{purpose}"}],
        )["KeyMetadata"]["KeyId"]
        for purpose in ("s3", "logs")
    }
    # Keys that must not be taken: another description, other tags, pending deletion.
    client.create_key(Description="payment-test: something else")
    client.create_key(Description="payment-test: s3", Tags=[{"TagKey": "Environment", "TagValue": "x"}])
    doomed = client.create_key(Description="payment-test: aurora")["KeyMetadata"]["KeyId"]
    client.schedule_key_deletion(KeyId=doomed, PendingWindowInDays=7)

    changed, results, _diff = kms_keys.ensure_keys(client, stack(), True)
    assert len(changed) == 5
    assert [key["key_id"] for key in results] == [None, None, orphans["s3"], orphans["logs"], None]
    assert aliased(client) == {}

    client.calls.clear()
    changed, results, _diff = kms_keys.ensure_keys(client, stack(), False)
    assert len(changed) == 5
    assert results[2]["key_id"] == orphans["s3"] == aliased(client)["alias/payment-s3-test"]
    assert results[3]["key_id"] == orphans["logs"] == aliased(client)["alias/payment-logs-test"]
    assert results[2]["enable_key_rotation"] is True and results[2]["policy"] == dict(POLICY, Id="s3")
    # The keys no alias names were listed once for the whole list, and the created keys were never adopted.
    assert client.calls.count("ListKeys") == 1 and client.calls.count("CreateKey") == 3
    assert len(client.list_keys()["Keys"]) == 5 + 3
    assert kms_keys.ensure_keys(client, stack(), False)[0] == []


def test_one_orphan_is_adopted_by_one_key_only(client):
    orphan = client.create_key(
        Description="payment-test: shared", Tags=[{"TagKey": "Environment", "TagValue": "test"}]
    )["KeyMetadata"]["KeyId"]
    keys = [
        key_params(purpose, description="payment-test: shared", tags={"Environment": "test"}) for purpose in ("a", "b")
    ]
    for check_mode in (True, False):
        _changed, results, _diff = kms_keys.ensure_keys(client, keys, check_mode)
        assert results[0]["key_id"] == orphan and results[1]["key_id"] != orphan
    assert len(client.list_keys()["Keys"]) == 2


def test_a_key_without_description_is_never_adopted(client):
    client.create_key(Tags=[{"TagKey": "Environment", "TagValue": "test"}])
    _changed, results, _diff = kms_keys.ensure_keys(client, [key_params("s3", description="")], False)
    assert len(client.list_keys()["Keys"]) == 2
    assert results[0]["key_id"] == aliased(client)["alias/payment-s3-test"]


def module_args(keys, **extra):
    return dict(keys=keys, region="us-east-1", **extra)


def test_main_returns_kms_keys_changed_keys_and_diff(run_module, client):
    keys = [{"alias": "payment-s3-test", "description": "payment-test: s3", "policy": POLICY, "tags": {"A": "b"}}]
    ok, result = run_module(kms_keys, module_args(keys, _ansible_diff=True), client)
    assert ok and result["changed"], result
    assert result["changed_keys"] == ["alias/payment-s3-test"]
    assert result["kms_keys"][0]["policy"] == POLICY and result["kms_keys"][0]["tags"] == {"A": "b"}
    assert result["diff"]["before"] == {"alias/payment-s3-test": {}}
    ok, again = run_module(kms_keys, module_args(keys), client)
    assert ok and not again["changed"] and again["changed_keys"] == []
    assert again["kms_keys"] == result["kms_keys"] and "diff" not in again


def test_main_with_no_key_does_nothing(run_module):
    ok, result = run_module(kms_keys, module_args([]), None)
    assert ok and not result["changed"] and result["kms_keys"] == [] and result["changed_keys"] == []


@pytest.mark.parametrize(
    "keys, message",
    [
        ([{"alias": "payment-a"}, {"alias": "alias/payment-a"}], "aliases must be distinct, repeated: alias/payment-a"),
        ([{"description": "no alias"}], "alias"),
        ([{"alias": "a", "enable_key_rotation": "maybe"}], "enable_key_rotation"),
    ],
)
def test_main_refuses_invalid_keys_before_any_call(run_module, keys, message):
    ok, result = run_module(kms_keys, module_args(keys), None)
    assert not ok
    assert message in result["msg"]
