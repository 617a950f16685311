# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One thin wrapper per RDS API call payments.infra makes itself (the module rds_cluster_resources_info, the lookup
rds_subnet_group), and the shapes in which they return what they read: those of the amazon.aws modules that read the
same resources (snake_case, tags as a dict).

Every wrapper retries throttling with AWSRetry.jittered_backoff() and turns botocore errors into PaymentsRDSError,
which a module's main() hands to module.fail_json_aws_error() in one place. A resource that does not exist is None
(or an empty list), never an error.
"""

from typing import Any
from typing import Dict
from typing import Iterable
from typing import List
from typing import Optional

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.payments.infra.plugins.module_utils.retries import AWSRetry

# The error codes with which RDS says that the cluster, the parameter group or the subnet group does not exist.
MISSING = ("DBClusterNotFoundFault", "DBParameterGroupNotFound", "DBSubnetGroupNotFoundFault")


class PaymentsRDSError(AnsibleAWSError):
    """Any failure of an RDS call made by payments.infra."""


class RDSErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsRDSError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(list(MISSING))


@RDSErrorHandler.list_error_handler("describe the DB cluster", None)
@AWSRetry.jittered_backoff()
def describe_db_cluster(client, identifier: str) -> Optional[Dict[str, Any]]:
    clusters = client.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"]
    return clusters[0] if clusters else None


@RDSErrorHandler.list_error_handler("describe the DB instances of the cluster", [])
@AWSRetry.jittered_backoff()
def describe_cluster_db_instances(client, cluster_identifier: str) -> List[Dict[str, Any]]:
    paginator = client.get_paginator("describe_db_instances")
    filters = [{"Name": "db-cluster-id", "Values": [cluster_identifier]}]
    return paginator.paginate(Filters=filters).build_full_result()["DBInstances"]


@RDSErrorHandler.list_error_handler("describe the DB cluster parameter group", None)
@AWSRetry.jittered_backoff()
def describe_db_cluster_parameter_group(client, name: str) -> Optional[Dict[str, Any]]:
    groups = client.describe_db_cluster_parameter_groups(DBClusterParameterGroupName=name)["DBClusterParameterGroups"]
    return groups[0] if groups else None


@RDSErrorHandler.list_error_handler("describe the DB cluster parameters", [])
@AWSRetry.jittered_backoff()
def describe_db_cluster_parameters(client, name: str, names: Optional[Iterable[str]] = None) -> List[Dict[str, Any]]:
    """Every parameter of the group (all pages) or, with names, only those: the listing stops at the page where the
    last of them is found (AWS lists a family's few hundred parameters in pages of 100)."""
    wanted = set(names) if names is not None else None
    parameters = []
    paginator = client.get_paginator("describe_db_cluster_parameters")
    for page in paginator.paginate(DBClusterParameterGroupName=name, MaxRecords=100):
        for parameter in page.get("Parameters", []):
            if wanted is None or parameter["ParameterName"] in wanted:
                parameters.append(parameter)
        if wanted is not None and wanted <= {parameter["ParameterName"] for parameter in parameters}:
            break
    return parameters


@RDSErrorHandler.list_error_handler("describe the DB subnet group", None)
@AWSRetry.jittered_backoff()
def _describe_db_subnet_group(client, name: str) -> Optional[Dict[str, Any]]:
    groups = client.describe_db_subnet_groups(DBSubnetGroupName=name)["DBSubnetGroups"]
    return groups[0] if groups else None


@RDSErrorHandler.list_error_handler("list the tags of an RDS resource", {})
@AWSRetry.jittered_backoff()
def list_tags_for_resource(client, arn: str) -> Dict[str, str]:
    return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(ResourceName=arn).get("TagList", []))


def read_db_cluster(client, identifier: str) -> Optional[Dict[str, Any]]:
    """The cluster as amazon.aws.rds_cluster_info returns it (its tags from the TagList DescribeDBClusters returns,
    without the ListTagsForResource the info module adds); None when it does not exist. One request."""
    cluster = describe_db_cluster(client, identifier)
    if cluster is None:
        return None
    cluster["Tags"] = boto3_tag_list_to_ansible_dict(cluster.get("TagList", []))
    return camel_dict_to_snake_dict(cluster, ignore_list=["Tags"])


def read_cluster_db_instances(client, cluster_identifier: str) -> List[Dict[str, Any]]:
    """The instances of the cluster as amazon.aws.rds_instance_info returns them (filter db-cluster-id). One request
    a page of 100."""
    instances = describe_cluster_db_instances(client, cluster_identifier)
    for instance in instances:
        instance["Tags"] = boto3_tag_list_to_ansible_dict(instance.pop("TagList", []))
    return [camel_dict_to_snake_dict(instance, ignore_list=["Tags"]) for instance in instances]


def read_db_cluster_parameter_group(
    client, name: str, parameters: bool = True, parameter_names: Optional[Iterable[str]] = None
) -> Optional[Dict[str, Any]]:
    """The group as amazon.aws.rds_cluster_param_group_info returns it (tags, and db_parameters with
    include_parameters=all; only the parameters named when parameter_names is given); None when it does not exist.
    Requests: DescribeDBClusterParameterGroups, ListTagsForResource, DescribeDBClusterParameters a page."""
    group = describe_db_cluster_parameter_group(client, name)
    if group is None:
        return None
    group["tags"] = list_tags_for_resource(client, group["DBClusterParameterGroupArn"])
    if parameters:
        group["db_parameters"] = describe_db_cluster_parameters(
            client, group["DBClusterParameterGroupName"], parameter_names
        )
    return camel_dict_to_snake_dict(group, ignore_list=["tags"])


def read_db_subnet_group(client, name: str) -> Optional[Dict[str, Any]]:
    """The group named name (lower-cased, as RDS stores it) with its tags, as amazon.aws.rds_subnet_group reads it;
    None when it does not exist. Two requests: DescribeDBSubnetGroups, ListTagsForResource."""
    group = _describe_db_subnet_group(client, name.lower())
    if group is None:
        return None
    result = camel_dict_to_snake_dict(group)
    result["tags"] = list_tags_for_resource(client, group["DBSubnetGroupArn"])
    return result
