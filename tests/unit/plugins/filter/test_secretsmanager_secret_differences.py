"""The compare-first read and filter of payments.infra.secretsmanager_secret: payments.infra.secretsmanager_secrets_info
(one DescribeSecret per secret, digests of chosen keys, never a value) and secretsmanager_secret_differences, checked
against what the module itself decides (check mode) on the same secret in moto."""

import json

import boto3
import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.payments.infra.plugins.filter.secretsmanager_secret_differences import FilterModule
from ansible_collections.payments.infra.plugins.filter.secretsmanager_secret_differences import (
    secretsmanager_secret_differences as differences,
)
from ansible_collections.payments.infra.plugins.module_utils.secretsmanager_compare import value_digest
from ansible_collections.payments.infra.plugins.modules import secretsmanager_secret as module
from ansible_collections.payments.infra.plugins.modules import secretsmanager_secrets_info as info

NAME = "db-credentials-test"
OTHER = "payment-card-fingerprint-key-test"
ROTATION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:payment-secrets-rotation-test"


class _Recording:
    """Wraps a boto3 client: records the operations called, and the RotateSecret calls are not sent (moto would try
    to invoke the function)."""

    def __init__(self, client):
        self._client = client
        self.calls = []

    def rotate_secret(self, **kwargs):
        self.calls.append("rotate_secret")
        return {}

    def __getattr__(self, name):
        attribute = getattr(self._client, name)
        if callable(attribute):

            def call(*args, **kwargs):
                self.calls.append(name)
                return attribute(*args, **kwargs)

            return call
        return attribute


@pytest.fixture
def clients(moto_aws):
    sm = boto3.client("secretsmanager", region_name="us-east-1")
    kms = boto3.client("kms", region_name="us-east-1")
    arn = kms.create_key(Description="secrets")["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName="alias/payment-secrets-test", TargetKeyId=arn)
    yield sm, kms, arn


def options(key_arn, **overrides):
    """The options of the secrets tier's task (kms_key_id the key ARN, as the role passes it)."""
    base = {
        "name": NAME,
        "description": "master credential",
        "kms_key_id": key_arn,
        "initial_value": {"engine": "postgres", "host": "", "port": 5432, "dbname": "payments", "username": "admin"},
        "generate": [{"key": "password", "length": 32}],
        "recovery_window": 7,
        "tags": {"Environment": "test", "Component": "db-secret"},
        "purge_tags": True,
        "read_json_keys": False,
    }
    base.update(overrides)
    return base


def module_params(opts):
    """What the module's argument spec makes of the task's options."""
    params = {
        "state": "present",
        "description": None,
        "kms_key_id": None,
        "initial_value": {},
        "generate": [],
        "merge_values": None,
        "recovery_window": 30,
        "rotation_lambda_arn": None,
        "rotation_days": None,
        "rotate_immediately": False,
        "read_json_keys": True,
        "tags": None,
        "purge_tags": True,
    }
    params.update(opts)
    params["generate"] = [
        {"length": 32, "exclude_characters": " \"'/@\\`", **item} for item in params.get("generate") or []
    ]
    return params


def read(sm, kms, *secrets):
    return info.gather(sm, lambda: kms, list(secrets) or [{"name": NAME, "value_keys": ["host", "port"]}])


def module_changes(sm, kms, opts):
    changed, _secret, _keys, _diff = module.ensure_present(sm, kms, module_params(opts), True)
    return changed


def assert_agrees(sm, kms, opts, expected):
    """The filter's answer on one read is `expected`, and says 'differs' exactly when the module (check mode) would
    change something."""
    found = read(sm, kms)[opts["name"]]
    assert differences(found, opts) == expected
    assert bool(expected) == module_changes(sm, kms, opts)


def test_missing_then_converged_then_each_drift(clients):
    sm, kms, arn = clients
    assert_agrees(sm, kms, options(arn), ["missing"])
    module.ensure_present(sm, kms, module_params(options(arn)), False)
    assert_agrees(sm, kms, options(arn), [])
    assert_agrees(sm, kms, options(arn, description="changed by hand"), ["description"])
    assert_agrees(sm, kms, options(arn, tags={"Environment": "test"}), ["tags"])
    assert_agrees(sm, kms, options(arn, tags={"Environment": "test"}, purge_tags=False), [])
    # An unset option is not compared, like the module leaves it alone.
    assert_agrees(sm, kms, options(arn, description=None, tags=None, kms_key_id=None), [])
    # The alias of the same key: the filter cannot resolve it without KMS, so it lets the module run (which resolves
    # it and changes nothing): the filter errs only on the side of calling the module.
    found = read(sm, kms)[NAME]
    assert differences(found, options(arn, kms_key_id="alias/payment-secrets-test")) == ["kms_key_id"]
    other = kms.create_key(Description="other")["KeyMetadata"]["Arn"]
    assert_agrees(sm, kms, options(arn, kms_key_id=other), ["kms_key_id"])


def test_drift_made_by_hand_is_seen(clients):
    sm, kms, arn = clients
    module.ensure_present(sm, kms, module_params(options(arn)), False)
    sm.update_secret(SecretId=NAME, Description="by hand")
    sm.untag_resource(SecretId=NAME, TagKeys=["Component"])
    assert_agrees(sm, kms, options(arn), ["description", "tags"])
    sm.delete_secret(SecretId=NAME, RecoveryWindowInDays=7)
    assert differences(read(sm, kms)[NAME], options(arn))[0] == "deleted"
    assert module_changes(sm, kms, options(arn))


def test_merge_values_are_compared_by_digest_never_by_value(clients):
    sm, kms, arn = clients
    module.ensure_present(sm, kms, module_params(options(arn)), False)
    pointed = {"name": NAME, "merge_values": {"host": "writer.example", "port": 5432}}
    assert_agrees(sm, kms, pointed, ["merge_values"])
    module.ensure_present(sm, kms, module_params(pointed), False)
    assert_agrees(sm, kms, pointed, [])
    assert_agrees(sm, kms, {"name": NAME, "merge_values": {"port": 5433}}, ["merge_values"])
    # A type change is a change for the module too (the JSON it would write differs).
    assert_agrees(sm, kms, {"name": NAME, "merge_values": {"port": "5432"}}, ["merge_values"])
    found = read(sm, kms, {"name": NAME, "value_keys": ["host", "port", "password"]})[NAME]
    password = json.loads(sm.get_secret_value(SecretId=NAME)["SecretString"])["password"]
    text = json.dumps(found)
    assert password not in text and "writer.example" not in text
    assert found["value_digests"]["host"] == value_digest("writer.example")
    # A read without the value keys cannot say: an error, not a silent "equal".
    with pytest.raises(AnsibleFilterError, match="value_digests"):
        differences(read(sm, kms, {"name": NAME})[NAME], pointed)


def test_a_value_that_is_not_a_json_object_lets_the_module_run(clients):
    sm, kms, _arn = clients
    sm.create_secret(Name=NAME, SecretString="plain text")
    found = read(sm, kms)[NAME]
    assert found["value_digests"] is None
    assert differences(found, {"name": NAME, "merge_values": {"host": "h"}}) == ["merge_values"]


def test_rotation_is_compared_like_the_module(clients):
    sm, kms, arn = clients
    module.ensure_present(sm, kms, module_params(options(arn)), False)
    rotation = {"name": NAME, "rotation_lambda_arn": ROTATION_ARN, "rotation_days": 30, "rotate_immediately": False}
    assert_agrees(sm, kms, rotation, ["rotation"])
    from moto.secretsmanager.models import secretsmanager_backends

    secret = secretsmanager_backends["123456789012"]["us-east-1"].secrets[NAME]
    secret.rotation_requested = True
    secret.rotation_enabled = True
    secret.rotation_lambda_arn = ROTATION_ARN
    secret.auto_rotate_after_days = 30
    assert_agrees(sm, kms, rotation, [])
    # rotation_days as a template renders it: a string of digits, as the module's int type takes it.
    assert differences(read(sm, kms)[NAME], dict(rotation, rotation_days="30")) == []
    assert_agrees(sm, kms, dict(rotation, rotation_days=7), ["rotation"])
    assert_agrees(sm, kms, dict(rotation, rotation_lambda_arn=ROTATION_ARN + "-2"), ["rotation"])


def test_info_reads_each_secret_once_and_kms_only_for_a_key_that_is_not_an_arn(clients):
    sm, kms, arn = clients
    module.ensure_present(sm, kms, module_params(options(arn)), False)
    module.ensure_present(
        sm, kms, module_params(options(arn, name=OTHER, kms_key_id="alias/payment-secrets-test")), False
    )
    recording = _Recording(sm)
    kms_made = []

    def kms_client():
        kms_made.append(1)
        return kms

    found = info.gather(
        recording,
        kms_client,
        [{"name": NAME}, {"name": NAME, "value_keys": ["host"]}, {"name": "absent-secret"}],
    )
    assert recording.calls == ["describe_secret", "get_secret_value", "describe_secret"]
    assert kms_made == []
    assert list(found) == [NAME, "absent-secret"] and found["absent-secret"] is None
    assert found[NAME]["kms_key_arn"] == arn and set(found[NAME]["value_digests"]) == {"host"}
    found = info.gather(sm, kms_client, [{"name": OTHER}])
    assert found[OTHER]["kms_key_arn"] == arn and kms_made == [1]
    assert "value_digests" not in found[OTHER]


def test_filter_refuses_what_it_cannot_compare(clients):
    sm, kms, arn = clients
    assert FilterModule().filters()["secretsmanager_secret_differences"] is differences
    with pytest.raises(AnsibleFilterError, match="does not cover: force"):
        differences(None, {"name": NAME, "force": True})
    with pytest.raises(AnsibleFilterError, match="state=present"):
        differences(None, {"name": NAME, "state": "absent"})
    with pytest.raises(AnsibleFilterError, match="dict or null"):
        differences([], {"name": NAME})
    with pytest.raises(AnsibleFilterError, match="desired must be a dict"):
        differences(None, "x")
