"""payments.infra.s3_bucket_settings_info: what it reads and returns, against moto's in-process AWS (no network)."""

import json

import boto3
import pytest
from ansible_collections.payments.infra.plugins.module_utils import s3 as s3_utils
from ansible_collections.payments.infra.plugins.module_utils.s3 import PaymentsS3Error
from ansible_collections.payments.infra.plugins.modules import s3_bucket_settings_info as module
from aws_fakes import client_error

BUCKET = "payment-audit-logs-test"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ],
}


@pytest.fixture
def client(moto_aws):
    yield boto3.client("s3", region_name="us-east-1")


def calls_of(client):
    """Operation names the client sends from now on, in order."""
    calls = []
    client.meta.events.register("before-call", lambda model, **_kwargs: calls.append(model.name))
    return calls


def audit_bucket(client):
    client.create_bucket(Bucket=BUCKET, ObjectLockEnabledForBucket=True)
    client.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    client.put_bucket_encryption(
        Bucket=BUCKET,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY_ARN},
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )
    client.put_public_access_block(
        Bucket=BUCKET,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    client.put_bucket_ownership_controls(
        Bucket=BUCKET, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )
    client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(POLICY))
    client.put_bucket_tagging(Bucket=BUCKET, Tagging={"TagSet": [{"Key": "Environment", "Value": "test"}]})
    client.put_object_lock_configuration(
        Bucket=BUCKET,
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 365}},
        },
    )
    client.put_bucket_lifecycle_configuration(
        Bucket=BUCKET,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "audit-archive",
                    "Status": "Enabled",
                    "Filter": {"Prefix": ""},
                    "Transitions": [{"Days": 90, "StorageClass": "GLACIER"}],
                    "Expiration": {"Days": 2555},
                    "NoncurrentVersionTransitions": [{"NoncurrentDays": 30, "StorageClass": "GLACIER"}],
                    "NoncurrentVersionExpiration": {"NoncurrentDays": 365},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                }
            ]
        },
    )


def test_missing_bucket_is_reported_after_one_request(client):
    calls = calls_of(client)
    assert module.read(client, BUCKET, module.SETTINGS) == (False, {})
    assert calls == ["GetBucketVersioning"]


def test_every_setting_read_once_and_snake_cased(client):
    audit_bucket(client)
    calls = calls_of(client)
    exists, bucket = module.read(client, BUCKET, module.SETTINGS)
    assert exists
    assert calls == [
        "GetBucketVersioning",
        "GetBucketEncryption",
        "GetPublicAccessBlock",
        "GetBucketOwnershipControls",
        "GetBucketPolicy",
        "GetBucketTagging",
        "GetObjectLockConfiguration",
        "GetBucketLifecycleConfiguration",
        "GetBucketLogging",
    ]
    assert bucket["name"] == BUCKET
    assert bucket["versioning"]["status"] == "Enabled"
    assert bucket["encryption"]["rules"] == [
        {
            "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": KEY_ARN},
            "bucket_key_enabled": True,
        }
    ]
    assert bucket["public_access_block"] == {
        "block_public_acls": True,
        "ignore_public_acls": True,
        "block_public_policy": True,
        "restrict_public_buckets": True,
    }
    assert bucket["ownership_controls"] == {"rules": [{"object_ownership": "BucketOwnerEnforced"}]}
    assert bucket["policy"] == POLICY
    assert bucket["tags"] == {"Environment": "test"}
    assert bucket["object_lock"]["object_lock_enabled"] == "Enabled"
    retention = bucket["object_lock"]["rule"]["default_retention"]
    assert (retention["mode"], retention["days"]) == ("GOVERNANCE", 365)
    [rule] = bucket["lifecycle_rules"]
    assert rule["id"] == "audit-archive"
    assert rule["transitions"] == [{"days": 90, "storage_class": "GLACIER"}]
    assert rule["noncurrent_version_expiration"] == {"noncurrent_days": 365}
    assert rule["abort_incomplete_multipart_upload"] == {"days_after_initiation": 7}
    assert bucket["logging"] is None


def test_only_the_settings_asked_for_are_read(client):
    audit_bucket(client)
    calls = calls_of(client)
    exists, bucket = module.read(client, BUCKET, ["tags", "encryption"])
    assert exists
    assert calls == ["GetBucketEncryption", "GetBucketTagging"]
    assert sorted(bucket) == ["encryption", "name", "tags"]


def test_settings_a_bucket_does_not_have_are_null(client):
    client.create_bucket(Bucket=BUCKET)
    exists, bucket = module.read(client, BUCKET, module.SETTINGS)
    assert exists
    assert bucket["versioning"] == {}
    assert bucket["public_access_block"] is None
    assert bucket["ownership_controls"] is None
    assert bucket["policy"] is None
    assert bucket["tags"] == {}
    assert bucket["object_lock"] is None
    assert bucket["lifecycle_rules"] == []
    assert bucket["logging"] is None


def test_logging_is_returned_when_on(client):
    client.create_bucket(Bucket=BUCKET)
    client.create_bucket(Bucket="central-logs")
    client.put_bucket_acl(Bucket="central-logs", ACL="log-delivery-write")
    client.put_bucket_logging(
        Bucket=BUCKET,
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "central-logs", "TargetPrefix": "s3/"}},
    )
    _exists, bucket = module.read(client, BUCKET, ["logging"])
    assert bucket["logging"]["target_bucket"] == "central-logs"
    assert bucket["logging"]["target_prefix"] == "s3/"


class _Failing:
    """A client whose every call fails with the given error code."""

    def __init__(self, code):
        self.code = code

    def __getattr__(self, name):
        def call(**_kwargs):
            raise client_error(self.code, name)

        return call


def test_other_errors_raise_the_one_error_class():
    with pytest.raises(PaymentsS3Error) as raised:
        module.read(_Failing("AccessDenied"), BUCKET, ["policy"])
    assert not s3_utils.is_missing_bucket(raised.value)


def test_missing_bucket_on_a_later_setting_is_still_reported():
    assert module.read(_Failing("NoSuchBucket"), BUCKET, ["policy", "tags"]) == (False, {})


def test_main_returns_exists_and_bucket(run_module, client):
    audit_bucket(client)
    ok, result = run_module(module, {"name": BUCKET, "region": "us-east-1", "settings": ["tags"]}, client)
    assert ok and not result["changed"]
    assert result["exists"] and result["bucket"] == {"name": BUCKET, "tags": {"Environment": "test"}}
    ok, result = run_module(module, {"name": "missing-bucket", "region": "us-east-1"}, client)
    assert ok and not result["changed"] and not result["exists"] and result["bucket"] == {}


def test_main_refuses_an_empty_settings_list(run_module, client):
    ok, result = run_module(module, {"name": BUCKET, "region": "us-east-1", "settings": []}, client)
    assert not ok and "settings" in result["msg"]
