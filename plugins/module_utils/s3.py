# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One thin wrapper per S3 API call our modules make.

Every wrapper retries throttling with AWSRetry.jittered_backoff() and turns botocore errors into PaymentsS3Error,
which a module's main() hands to module.fail_json_aws_error() in one place. Reads of a bucket that does not exist
return None instead of raising.
"""

import json
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.payments.infra.plugins.module_utils.retries import AWSRetry

# DeleteObjects takes at most this many keys per call.
DELETE_BATCH = 1000

# The error codes with which a Get*Configuration call says that the bucket has none of it (not an error here).
NOT_CONFIGURED = (
    "ServerSideEncryptionConfigurationNotFoundError",
    "NoSuchPublicAccessBlockConfiguration",
    "OwnershipControlsNotFoundError",
    "NoSuchBucketPolicy",
    "NoSuchTagSet",
    "NoSuchTagSetError",
    "ObjectLockConfigurationNotFoundError",
    "NoSuchLifecycleConfiguration",
)


class PaymentsS3Error(AnsibleAWSError):
    """Any failure of an S3 call made by payments.infra."""


class S3ErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsS3Error

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(["NoSuchBucket", "404", "NotFound"])


class S3SettingErrorHandler(AWSErrorHandler):
    """Reads of one setting of an existing bucket: "not configured" is None; a missing bucket raises (NoSuchBucket)."""

    _CUSTOM_EXCEPTION = PaymentsS3Error

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(list(NOT_CONFIGURED))


def is_missing_bucket(error: PaymentsS3Error) -> bool:
    """Whether the error is S3 saying that the bucket does not exist."""
    response = getattr(error.exception, "response", None) or {}
    return response.get("Error", {}).get("Code") in ("NoSuchBucket", "404", "NotFound")


# Bucket settings (payments.infra.s3_bucket_settings_info): one call each.


@S3SettingErrorHandler.list_error_handler("get bucket versioning", None)
@AWSRetry.jittered_backoff()
def get_bucket_versioning(client, bucket: str) -> Dict[str, Any]:
    """{Status, MFADelete} (both absent on a bucket that was never versioned)."""
    response = client.get_bucket_versioning(Bucket=bucket)
    return {key: response[key] for key in ("Status", "MFADelete") if key in response}


@S3SettingErrorHandler.list_error_handler("get bucket encryption", None)
@AWSRetry.jittered_backoff()
def get_bucket_encryption(client, bucket: str) -> Optional[Dict[str, Any]]:
    return client.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]


@S3SettingErrorHandler.list_error_handler("get public access block", None)
@AWSRetry.jittered_backoff()
def get_public_access_block(client, bucket: str) -> Optional[Dict[str, Any]]:
    return client.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]


@S3SettingErrorHandler.list_error_handler("get bucket ownership controls", None)
@AWSRetry.jittered_backoff()
def get_bucket_ownership_controls(client, bucket: str) -> Optional[Dict[str, Any]]:
    return client.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]


@S3SettingErrorHandler.list_error_handler("get bucket policy", None)
@AWSRetry.jittered_backoff()
def get_bucket_policy(client, bucket: str) -> Optional[Dict[str, Any]]:
    """The bucket policy as a dict."""
    return json.loads(client.get_bucket_policy(Bucket=bucket)["Policy"])


@S3SettingErrorHandler.list_error_handler("get bucket tagging", None)
@AWSRetry.jittered_backoff()
def get_bucket_tagging(client, bucket: str) -> Optional[List[Dict[str, str]]]:
    return client.get_bucket_tagging(Bucket=bucket)["TagSet"]


@S3SettingErrorHandler.list_error_handler("get object lock configuration", None)
@AWSRetry.jittered_backoff()
def get_object_lock_configuration(client, bucket: str) -> Optional[Dict[str, Any]]:
    return client.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]


@S3SettingErrorHandler.list_error_handler("get bucket lifecycle configuration", None)
@AWSRetry.jittered_backoff()
def get_bucket_lifecycle_rules(client, bucket: str) -> Optional[List[Dict[str, Any]]]:
    return client.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]


@S3SettingErrorHandler.list_error_handler("get bucket logging", None)
@AWSRetry.jittered_backoff()
def get_bucket_logging(client, bucket: str) -> Optional[Dict[str, Any]]:
    """LoggingEnabled ({TargetBucket, TargetPrefix, ...}), None when server access logging is off."""
    return client.get_bucket_logging(Bucket=bucket).get("LoggingEnabled")


@S3ErrorHandler.list_error_handler("list object versions", None)
@AWSRetry.jittered_backoff()
def list_object_versions(client, bucket: str) -> Optional[List[Dict[str, Any]]]:
    """Every object version and delete marker of the bucket as {Key, VersionId, IsDeleteMarker}; None: no bucket."""
    paginator = client.get_paginator("list_object_versions")
    found = []
    for page in paginator.paginate(Bucket=bucket):
        for version in page.get("Versions", []):
            found.append({"Key": version["Key"], "VersionId": version.get("VersionId"), "IsDeleteMarker": False})
        for marker in page.get("DeleteMarkers", []):
            found.append({"Key": marker["Key"], "VersionId": marker.get("VersionId"), "IsDeleteMarker": True})
    return found


@S3ErrorHandler.common_error_handler("delete objects")
@AWSRetry.jittered_backoff()
def delete_object_versions(
    client, bucket: str, versions: List[Dict[str, Any]], bypass_governance_retention: bool
) -> List[Dict[str, Any]]:
    """Delete up to DELETE_BATCH versions with one DeleteObjects call; the Errors it reports (Key, VersionId, Code)."""
    objects = []
    for version in versions:
        entry = {"Key": version["Key"]}
        if version.get("VersionId") and version["VersionId"] != "null":
            entry["VersionId"] = version["VersionId"]
        objects.append(entry)
    params = {"Bucket": bucket, "Delete": {"Objects": objects, "Quiet": True}}
    if bypass_governance_retention:
        params["BypassGovernanceRetention"] = True
    return client.delete_objects(**params).get("Errors", [])
