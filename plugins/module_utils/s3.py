# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One thin wrapper per S3 API call our modules make.

Every wrapper retries throttling with AWSRetry.jittered_backoff() and turns botocore errors into PaymentsS3Error,
which a module's main() hands to module.fail_json_aws_error() in one place. Reads of a bucket that does not exist
return None instead of raising.
"""

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


class PaymentsS3Error(AnsibleAWSError):
    """Any failure of an S3 call made by payments.infra."""


class S3ErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsS3Error

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(["NoSuchBucket", "404", "NotFound"])


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
