# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Tag decisions shared by our modules, built on amazon.aws tagging helpers, and the tags of many resources in one read.

Tags are handled as Ansible dicts ({key: value}); conversion to and from boto3 tag lists happens at the
edges with amazon.aws ansible_dict_to_boto3_tag_list / boto3_tag_list_to_ansible_dict.

get_resources_tags() reads the tags of up to 100 resources of any service with one Resource Groups Tagging API
GetResources call (IAM permission tag:GetResources), where each service's own ListTagsForResource reads one
resource per call. It retries throttling with AWSRetry.jittered_backoff() and raises PaymentsTaggingError, which
a module's main() hands to module.fail_json_aws_error().
"""

from typing import Dict
from typing import Iterable
from typing import List

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.payments.infra.plugins.module_utils.retries import AWSRetry

# GetResources takes at most 100 ARNs in ResourceARNList.
GET_RESOURCES_MAX_ARNS = 100


class PaymentsTaggingError(AnsibleAWSError):
    """Any failure of a Resource Groups Tagging API call made by payments.infra."""


class TaggingErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsTaggingError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


@TaggingErrorHandler.common_error_handler("get the tags of resources")
@AWSRetry.jittered_backoff()
def _get_resources(client, arns: List[str]) -> List[Dict]:
    # AWS answers every listed ARN in one response (it refuses pagination parameters with ResourceARNList); the
    # paginator only follows a PaginationToken should one come back.
    paginator = client.get_paginator("get_resources")
    return paginator.paginate(ResourceARNList=arns).build_full_result().get("ResourceTagMappingList", [])


def get_resources_tags(client, arns: Iterable[str]) -> Dict[str, Dict[str, str]]:
    """{arn: tags} of every ARN given, with one GetResources per GET_RESOURCES_MAX_ARNS ARNs (none for no ARN).

    client is a "resourcegroupstaggingapi" client of the resources' region. GetResources leaves out the resources
    that never had a tag and the ones that do not exist: both come back as {}.
    """
    wanted = list(dict.fromkeys(arns))
    result = {arn: {} for arn in wanted}
    for start in range(0, len(wanted), GET_RESOURCES_MAX_ARNS):
        for mapping in _get_resources(client, wanted[start : start + GET_RESOURCES_MAX_ARNS]):
            if mapping.get("ResourceARN") in result:
                result[mapping["ResourceARN"]] = boto3_tag_list_to_ansible_dict(mapping.get("Tags") or [])
    return result
