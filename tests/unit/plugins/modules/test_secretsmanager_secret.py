"""payments.infra.secretsmanager_secret(_info) decisions, against moto's in-process AWS (no network)."""

import json

import boto3
import pytest
from ansible_collections.payments.infra.plugins.module_utils.secretsmanager import PaymentsSecretsManagerError
from ansible_collections.payments.infra.plugins.modules import secretsmanager_secret as module
from ansible_collections.payments.infra.plugins.modules import secretsmanager_secret_info as info

NAME = "db-credentials-test"


@pytest.fixture
def clients(moto_aws):
    sm = boto3.client("secretsmanager", region_name="us-east-1")
    kms = boto3.client("kms", region_name="us-east-1")
    yield sm, kms


def key(kms, alias):
    arn = kms.create_key(Description=alias)["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName=f"alias/{alias}", TargetKeyId=arn)
    return arn


def params(**overrides):
    base = {
        "name": NAME,
        "state": "present",
        "description": "master credential",
        "kms_key_id": None,
        "initial_value": {"engine": "postgres", "host": "", "port": 5432, "dbname": "payments", "username": "admin"},
        "generate": [{"key": "password", "length": 32, "exclude_characters": " \"'/@\\`"}],
        "merge_values": None,
        "recovery_window": 7,
        "tags": {"Environment": "test"},
        "purge_tags": True,
    }
    base.update(overrides)
    return base


def value(sm):
    return json.loads(sm.get_secret_value(SecretId=NAME)["SecretString"])


def test_create_generates_the_password_in_aws_and_returns_no_value(clients):
    sm, kms = clients
    arn = key(kms, "payment-secrets-test")
    changed, secret, keys, diff = module.ensure_present(sm, kms, params(kms_key_id="alias/payment-secrets-test"), False)
    assert changed
    stored = value(sm)
    assert len(stored["password"]) == 32
    assert not set(stored["password"]) & set(" \"'/@\\`")
    assert keys == ["dbname", "engine", "host", "password", "port", "username"]
    assert secret["kms_key_arn"] == arn
    assert secret["tags"] == {"Environment": "test"}
    assert stored["password"] not in json.dumps([secret, keys, diff])


def test_rerun_changes_nothing_and_never_rewrites_the_value(clients):
    sm, kms = clients
    key(kms, "payment-secrets-test")
    p = params(kms_key_id="alias/payment-secrets-test")
    module.ensure_present(sm, kms, p, False)
    first = value(sm)
    versions = sm.list_secret_version_ids(SecretId=NAME)["Versions"]
    changed, _secret, _keys, _diff = module.ensure_present(sm, kms, p, False)
    assert not changed
    assert value(sm) == first
    assert sm.list_secret_version_ids(SecretId=NAME)["Versions"] == versions


def test_check_mode_creates_nothing_and_reports_the_change(clients):
    sm, kms = clients
    changed, secret, keys, diff = module.ensure_present(sm, kms, params(), True)
    assert changed
    assert keys == ["dbname", "engine", "host", "password", "port", "username"]
    assert diff["before"] == {} and diff["after"]["name"] == NAME
    assert sm.list_secrets()["SecretList"] == []
    assert secret["name"] == NAME


def test_merge_values_keeps_the_password_and_is_idempotent(clients):
    sm, kms = clients
    module.ensure_present(sm, kms, params(), False)
    password = value(sm)["password"]
    p = params(merge_values={"host": "db.cluster.example"}, generate=[])
    assert module.ensure_present(sm, kms, p, True)[0]
    assert value(sm)["host"] == ""
    changed, _secret, _keys, _diff = module.ensure_present(sm, kms, p, False)
    assert changed
    assert value(sm) == dict(params()["initial_value"], host="db.cluster.example", password=password)
    assert not module.ensure_present(sm, kms, p, False)[0]


def test_merge_values_refuses_a_non_json_secret(clients):
    sm, kms = clients
    sm.create_secret(Name=NAME, SecretString="plain")
    with pytest.raises(PaymentsSecretsManagerError):
        module.ensure_present(sm, kms, params(merge_values={"host": "x"}, generate=[]), False)


def test_kms_key_and_description_and_tags_are_reconciled_only_when_set(clients):
    sm, kms = clients
    key(kms, "one")
    two = key(kms, "two")
    module.ensure_present(sm, kms, params(kms_key_id="alias/one"), False)
    unset = params(kms_key_id=None, description=None, tags=None)
    assert not module.ensure_present(sm, kms, unset, False)[0]
    changed, secret, _keys, diff = module.ensure_present(
        sm, kms, params(kms_key_id="alias/two", description="new", tags={"Team": "payments"}), False
    )
    assert changed
    assert secret["kms_key_arn"] == two
    assert secret["description"] == "new"
    assert secret["tags"] == {"Team": "payments"}
    assert diff["before"]["tags"] == {"Environment": "test"}


def test_unknown_kms_key_fails_clearly(clients):
    sm, kms = clients
    with pytest.raises(PaymentsSecretsManagerError, match="alias/missing"):
        module.ensure_present(sm, kms, params(kms_key_id="alias/missing"), True)


def test_absent_schedules_deletion_once_and_present_restores(clients):
    sm, kms = clients
    module.ensure_present(sm, kms, params(), False)
    password = value(sm)["password"]
    assert module.ensure_absent(sm, kms, params(state="absent"), True)[0]
    assert "DeletedDate" not in sm.describe_secret(SecretId=NAME)
    assert module.ensure_absent(sm, kms, params(state="absent"), False)[0]
    assert "DeletedDate" in sm.describe_secret(SecretId=NAME)
    assert not module.ensure_absent(sm, kms, params(state="absent"), False)[0]
    changed, secret, _keys, _diff = module.ensure_present(sm, kms, params(), False)
    assert changed and secret["deleted_date"] is None
    assert value(sm)["password"] == password


def test_absent_on_a_missing_secret_is_a_no_op(clients):
    sm, kms = clients
    assert module.ensure_absent(sm, kms, params(state="absent"), False)[0] is False


def test_info_lists_json_keys_without_values(clients):
    sm, kms = clients
    assert info.gather(sm, kms, NAME, True) == {"exists": False, "secret": {}}
    module.ensure_present(sm, kms, params(), False)
    result = info.gather(sm, kms, NAME, True)
    assert result["exists"]
    assert result["json_keys"] == ["dbname", "engine", "host", "password", "port", "username"]
    assert value(sm)["password"] not in json.dumps(result)
    assert "json_keys" not in info.gather(sm, kms, NAME, False)


# Rotation (rotation_lambda_arn / rotation_days): RotateSecret only when rotation is off or differs.

ROTATION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:payment-secrets-rotation-test"


class _RecordingSecretsManager:
    """Wraps a boto3 client and records the RotateSecret calls (moto would try to invoke the function)."""

    def __init__(self, client):
        self._client = client
        self.rotations = []

    def rotate_secret(self, **kwargs):
        self.rotations.append(kwargs)
        return {"ARN": "arn", "Name": kwargs["SecretId"]}

    def __getattr__(self, name):
        return getattr(self._client, name)


def _rotation_on(sm, days=30, arn=ROTATION_ARN):
    """What RotateSecret leaves behind, written straight into moto's backend."""
    from moto.secretsmanager.models import secretsmanager_backends

    secret = secretsmanager_backends["123456789012"]["us-east-1"].secrets[NAME]
    secret.rotation_requested = True
    secret.rotation_enabled = True
    secret.rotation_lambda_arn = arn
    secret.auto_rotate_after_days = days


def test_rotation_is_turned_on_once_without_rotating_now(clients):
    sm, kms = clients
    recording = _RecordingSecretsManager(sm)
    p = params(rotation_lambda_arn=ROTATION_ARN, rotation_days=30, rotate_immediately=False)
    module.ensure_present(sm, kms, params(), False)
    changed, _secret, _keys, diff = module.ensure_present(recording, kms, p, False)
    assert changed
    assert recording.rotations == [
        {
            "SecretId": NAME,
            "RotationLambdaARN": ROTATION_ARN,
            "RotationRules": {"AutomaticallyAfterDays": 30},
            "RotateImmediately": False,
        }
    ]
    assert diff["before"]["rotation_enabled"] is False
    _rotation_on(sm)
    recording.rotations.clear()
    changed, secret, _keys, _diff = module.ensure_present(recording, kms, p, False)
    assert not changed
    assert recording.rotations == []
    assert (secret["rotation_enabled"], secret["rotation_lambda_arn"], secret["rotation_days"]) == (
        True,
        ROTATION_ARN,
        30,
    )


def test_rotation_check_mode_reports_the_change_and_never_calls_rotate(clients):
    sm, kms = clients
    recording = _RecordingSecretsManager(sm)
    module.ensure_present(sm, kms, params(), False)
    p = params(rotation_lambda_arn=ROTATION_ARN, rotation_days=30)
    changed, secret, _keys, diff = module.ensure_present(recording, kms, p, True)
    assert changed
    assert recording.rotations == []
    assert secret["rotation_enabled"] is True and secret["rotation_days"] == 30
    assert diff["after"]["rotation_lambda_arn"] == ROTATION_ARN


def test_rotation_days_change_rotates_again(clients):
    sm, kms = clients
    recording = _RecordingSecretsManager(sm)
    module.ensure_present(sm, kms, params(), False)
    _rotation_on(sm, days=60)
    changed, _secret, _keys, _diff = module.ensure_present(
        recording, kms, params(rotation_lambda_arn=ROTATION_ARN, rotation_days=30), False
    )
    assert changed
    assert recording.rotations[0]["RotationRules"] == {"AutomaticallyAfterDays": 30}


def test_rotation_unset_leaves_rotation_alone(clients):
    sm, kms = clients
    recording = _RecordingSecretsManager(sm)
    module.ensure_present(sm, kms, params(), False)
    _rotation_on(sm, days=60)
    changed, secret, _keys, _diff = module.ensure_present(recording, kms, params(), False)
    assert not changed
    assert recording.rotations == []
    assert secret["rotation_days"] == 60


def test_new_secret_with_rotation_creates_then_rotates(clients):
    sm, kms = clients
    recording = _RecordingSecretsManager(sm)
    changed, _secret, _keys, _diff = module.ensure_present(
        recording, kms, params(rotation_lambda_arn=ROTATION_ARN, rotation_days=30), False
    )
    assert changed
    assert [call["SecretId"] for call in recording.rotations] == [NAME]


def _count_calls(*clients):
    """Operation names each boto3 client sends from now on, in order."""
    calls = []
    for client in clients:
        client.meta.events.register("before-call", lambda model, **_kwargs: calls.append(model.name))
    return calls


def test_noop_rerun_with_the_key_arn_reads_once_and_calls_no_kms(clients):
    sm, kms = clients
    arn = key(kms, "payment-secrets-test")
    p = params(kms_key_id=arn)
    module.ensure_present(sm, kms, p, False)
    calls = _count_calls(sm, kms)
    changed, secret, keys, diff = module.ensure_present(sm, kms, p, False)
    assert not changed
    assert calls == ["DescribeSecret", "GetSecretValue"]
    assert secret["kms_key_arn"] == arn
    assert keys == ["dbname", "engine", "host", "password", "port", "username"]
    assert diff["before"] == diff["after"]
    calls.clear()
    merge = params(kms_key_id=None, description=None, tags=None, merge_values={"host": ""}, generate=[])
    assert not module.ensure_present(sm, kms, merge, False)[0]
    assert calls == ["DescribeSecret", "GetSecretValue"]


def test_a_drifted_key_is_still_resolved_and_corrected(clients):
    sm, kms = clients
    arn = key(kms, "payment-secrets-test")
    other = key(kms, "other")
    module.ensure_present(sm, kms, params(kms_key_id=arn), False)
    sm.update_secret(SecretId=NAME, KmsKeyId=other)
    calls = _count_calls(sm, kms)
    changed, secret, _keys, diff = module.ensure_present(sm, kms, params(kms_key_id=arn), False)
    assert changed
    assert "DescribeKey" in calls and "UpdateSecret" in calls
    assert (diff["before"]["kms_key_arn"], secret["kms_key_arn"]) == (other, arn)
    assert sm.describe_secret(SecretId=NAME)["KmsKeyId"] == arn


def test_an_unknown_key_arn_that_differs_fails_clearly(clients):
    sm, kms = clients
    module.ensure_present(sm, kms, params(), False)
    missing = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
    with pytest.raises(PaymentsSecretsManagerError, match="does not exist"):
        module.ensure_present(sm, kms, params(kms_key_id=missing), True)


def test_read_json_keys_false_makes_a_noop_rerun_one_describe(clients):
    sm, kms = clients
    arn = key(kms, "payment-secrets-test")
    p = params(kms_key_id=arn, read_json_keys=False)
    changed, _secret, keys, _diff = module.ensure_present(sm, kms, p, False)
    assert changed and keys == ["dbname", "engine", "host", "password", "port", "username"]
    calls = _count_calls(sm, kms)
    changed, secret, keys, _diff = module.ensure_present(sm, kms, p, False)
    assert not changed and keys is None
    assert calls == ["DescribeSecret"]
    assert secret["kms_key_arn"] == arn
    calls.clear()
    changed, _secret, keys, _diff = module.ensure_present(sm, kms, p, True)
    assert not changed and keys is None and calls == ["DescribeSecret"]
    calls.clear()
    merge = params(kms_key_id=None, tags=None, merge_values={"host": "db"}, generate=[], read_json_keys=False)
    changed, _secret, keys, _diff = module.ensure_present(sm, kms, merge, False)
    assert changed and "host" in keys
