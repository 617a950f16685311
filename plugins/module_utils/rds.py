# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One thin wrapper per RDS API call payments.infra makes itself (the lookup rds_subnet_group), and the shape of a DB
subnet group as amazon.aws.rds_subnet_group reads it (snake_case, tags as a dict).

Every wrapper retries throttling with AWSRetry.jittered_backoff(); a subnet group that does not exist is None.
"""

from typing import Any
from typing import Dict
from typing import Optional

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.payments.infra.plugins.module_utils.retries import AWSRetry


@AWSRetry.jittered_backoff()
def _describe_db_subnet_group(client, name: str) -> Optional[Dict[str, Any]]:
    try:
        groups = client.describe_db_subnet_groups(DBSubnetGroupName=name)["DBSubnetGroups"]
    except is_boto3_error_code("DBSubnetGroupNotFoundFault"):
        return None
    return groups[0] if groups else None


@AWSRetry.jittered_backoff()
def list_tags_for_resource(client, arn: str) -> Dict[str, str]:
    return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(ResourceName=arn).get("TagList", []))


def read_db_subnet_group(client, name: str) -> Optional[Dict[str, Any]]:
    """The group named name (lower-cased, as RDS stores it) with its tags, as amazon.aws.rds_subnet_group reads it;
    None when it does not exist. Two requests: DescribeDBSubnetGroups, ListTagsForResource."""
    group = _describe_db_subnet_group(client, name.lower())
    if group is None:
        return None
    result = camel_dict_to_snake_dict(group)
    result["tags"] = list_tags_for_resource(client, group["DBSubnetGroupArn"])
    return result
