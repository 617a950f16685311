# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One thin wrapper per AWS WAFv2 call our modules make.

Every wrapper retries throttling with AWSRetry.jittered_backoff() and turns botocore errors into PaymentsWAFv2Error,
which a module's main() hands to module.fail_json_aws_error() in one place.
"""

from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.payments.infra.plugins.module_utils.retries import AWSRetry


class PaymentsWAFv2Error(AnsibleAWSError):
    """Any failure of an AWS WAFv2 call made by payments.infra."""


class WAFv2ErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsWAFv2Error

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("WAFNonexistentItemException")


@WAFv2ErrorHandler.list_error_handler("get web ACL for resource", None)
@AWSRetry.jittered_backoff()
def get_web_acl_for_resource(client, resource_arn: str) -> Optional[Dict[str, Any]]:
    """The web ACL associated with a resource (load balancer, stage), or None when it has none."""
    return client.get_web_acl_for_resource(ResourceArn=resource_arn).get("WebACL")


@WAFv2ErrorHandler.list_error_handler("list tags for resource", None)
@AWSRetry.jittered_backoff()
def list_tags_for_resource(client, resource_arn: str) -> Optional[List[Dict[str, str]]]:
    """Every tag of a WAFv2 resource (boto3 TagList), or None when it does not exist (no paginator: NextMarker)."""
    params = {"ResourceARN": resource_arn}
    tags = []
    while True:
        response = client.list_tags_for_resource(**params)
        tags.extend((response.get("TagInfoForResource") or {}).get("TagList") or [])
        if not response.get("NextMarker"):
            return tags
        params["NextMarker"] = response["NextMarker"]
