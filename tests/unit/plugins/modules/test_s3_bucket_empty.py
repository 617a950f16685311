"""payments.infra.s3_bucket_empty decisions, against moto's in-process AWS (no network)."""

import datetime

import boto3
import pytest
from ansible_collections.payments.infra.plugins.module_utils import s3 as s3_utils
from ansible_collections.payments.infra.plugins.module_utils.s3 import PaymentsS3Error
from ansible_collections.payments.infra.plugins.modules import s3_bucket_empty as module

BUCKET = "payment-audit-logs-test"


@pytest.fixture
def client(moto_aws):
    yield boto3.client("s3", region_name="us-east-1")


def versions(client):
    listed = client.list_object_versions(Bucket=BUCKET)
    return len(listed.get("Versions", [])) + len(listed.get("DeleteMarkers", []))


def versioned_bucket(client):
    client.create_bucket(Bucket=BUCKET)
    client.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    for body in (b"one", b"two"):
        client.put_object(Bucket=BUCKET, Key="audit/a.json", Body=body)
    client.put_object(Bucket=BUCKET, Key="audit/b.json", Body=b"three")
    client.delete_object(Bucket=BUCKET, Key="audit/b.json")  # a delete marker


def test_missing_bucket_is_already_empty(client):
    assert module.empty(client, BUCKET, False, False) == (False, {"bucket_exists": False, "deleted_count": 0})


def test_check_mode_counts_versions_and_markers_and_deletes_nothing(client):
    versioned_bucket(client)
    changed, result = module.empty(client, BUCKET, False, True)
    assert changed and result == {"bucket_exists": True, "deleted_count": 4}
    assert versions(client) == 4


def test_empty_then_rerun_changes_nothing_and_the_bucket_can_go(client):
    versioned_bucket(client)
    changed, result = module.empty(client, BUCKET, False, False)
    assert changed and result["deleted_count"] == 4
    assert versions(client) == 0
    assert module.empty(client, BUCKET, False, False) == (False, {"bucket_exists": True, "deleted_count": 0})
    client.delete_bucket(Bucket=BUCKET)


def test_batches_of_delete_objects(client, monkeypatch):
    monkeypatch.setattr(s3_utils, "DELETE_BATCH", 2)
    monkeypatch.setattr(module, "DELETE_BATCH", 2)
    calls = []
    real = module.delete_object_versions

    def counting(*args):
        calls.append(len(args[2]))
        return real(*args)

    monkeypatch.setattr(module, "delete_object_versions", counting)
    versioned_bucket(client)
    module.empty(client, BUCKET, False, False)
    assert calls == [2, 2]
    assert versions(client) == 0


def locked_bucket(client, mode):
    client.create_bucket(Bucket=BUCKET, ObjectLockEnabledForBucket=True)
    until = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)
    client.put_object(
        Bucket=BUCKET, Key="audit/locked.json", Body=b"x", ObjectLockMode=mode, ObjectLockRetainUntilDate=until
    )


def test_governance_retention_needs_the_bypass(client):
    locked_bucket(client, "GOVERNANCE")
    with pytest.raises(PaymentsS3Error) as failure:
        module.empty(client, BUCKET, False, False)
    assert BUCKET in str(failure.value) and "bypass_governance_retention=true" in str(failure.value)
    assert "audit/locked.json" in str(failure.value)
    assert versions(client) == 1
    changed, result = module.empty(client, BUCKET, True, False)
    assert changed and result["deleted_count"] == 1
    assert versions(client) == 0


def test_compliance_retention_cannot_be_bypassed(client):
    locked_bucket(client, "COMPLIANCE")
    with pytest.raises(PaymentsS3Error) as failure:
        module.empty(client, BUCKET, True, False)
    assert "COMPLIANCE retention and legal holds cannot be lifted" in str(failure.value)
    assert versions(client) == 1


def test_describe_errors_names_at_most_ten():
    errors = [{"Key": f"k{i}", "VersionId": "v", "Code": "AccessDenied"} for i in range(12)]
    message = module.describe_errors(BUCKET, errors, False)
    assert "12 version(s)" in message and "k9@v" in message and "k10@v" not in message and "and 2 more" in message
