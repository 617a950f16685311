# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One thin wrapper per EC2 API call our modules make.

Every wrapper retries throttling with AWSRetry.jittered_backoff() and turns botocore errors into
PaymentsEC2Error, which a module's main() hands to module.fail_json_aws_error() in one place.
"""

from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.transformation import boto3_resource_to_ansible_dict

from ansible_collections.payments.infra.plugins.module_utils.retries import AWSRetry

FLOW_LOG_NOT_FOUND = "InvalidFlowLogId.NotFound"


class PaymentsEC2Error(AnsibleAWSError):
    """Any failure of an EC2 call made by payments.infra."""


class EC2ErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsEC2Error


class EC2FlowLogErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsEC2Error

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(FLOW_LOG_NOT_FOUND)


def _unsuccessful_message(action: str, unsuccessful: List[Dict[str, Any]]) -> str:
    details = []
    for item in unsuccessful:
        error = item.get("Error") or {}
        details.append(
            f"{item.get('ResourceId', '?')}: {error.get('Message', 'unknown error')} ({error.get('Code', '?')})"
        )
    return f"Failed to {action}: {'; '.join(details)}"


# VPC flow logs


@EC2FlowLogErrorHandler.list_error_handler("describe flow logs", [])
@AWSRetry.jittered_backoff()
def describe_flow_logs(client, **params: Any) -> List[Dict[str, Any]]:
    paginator = client.get_paginator("describe_flow_logs")
    return paginator.paginate(**params).build_full_result()["FlowLogs"]


# What vpc_flow_logs and vpc_flow_logs_info return for one flow log (their RETURN docs list these keys).
FLOW_LOG_KEYS = (
    "flow_log_id",
    "resource_id",
    "traffic_type",
    "log_destination_type",
    "log_group_name",
    "log_destination",
    "deliver_logs_permission_arn",
    "deliver_logs_status",
    "max_aggregation_interval",
    "log_format",
    "flow_log_status",
    "creation_time",
    "tags",
)
FLOW_LOG_CLOUDWATCH = "cloud-watch-logs"


def log_group_name_from_arn(arn: Optional[str]) -> Optional[str]:
    """arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*] -> NAME (None for any other ARN)."""
    if not arn or ":log-group:" not in arn:
        return None
    name = arn.split(":log-group:", 1)[1]
    return name[:-2] if name.endswith(":*") else name


def normalize_flow_log(flow_log: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """A DescribeFlowLogs item as our modules return it: snake_case, every key of FLOW_LOG_KEYS present.

    AWS reports both the log group name and its ARN for CloudWatch Logs flow logs; where only the ARN is
    reported, the name is taken from it.
    """
    if flow_log is None:
        return None
    snake = boto3_resource_to_ansible_dict(flow_log, ignore_list=["Tags"])
    result = {key: snake.get(key) for key in FLOW_LOG_KEYS}
    if result["log_destination_type"] == FLOW_LOG_CLOUDWATCH and not result["log_group_name"]:
        result["log_group_name"] = log_group_name_from_arn(result["log_destination"])
    return result


def flow_log_info(flow_log: Dict[str, Any]) -> Dict[str, Any]:
    """normalize_flow_log as the info modules return it: tags always a dict, the creation time as ISO 8601 text."""
    result = normalize_flow_log(flow_log)
    result["tags"] = result["tags"] or {}
    if hasattr(result["creation_time"], "isoformat"):
        result["creation_time"] = result["creation_time"].isoformat()
    return result


@EC2FlowLogErrorHandler.common_error_handler("create flow log")
@AWSRetry.jittered_backoff()
def create_flow_logs(client, **params: Any) -> List[str]:
    """IDs of the flow logs created. AWS reports per-resource failures in a 200 answer: those raise."""
    response = client.create_flow_logs(**params)
    unsuccessful = response.get("Unsuccessful") or []
    if unsuccessful:
        raise PaymentsEC2Error(message=_unsuccessful_message("create flow log", unsuccessful))
    return response.get("FlowLogIds") or []


@EC2FlowLogErrorHandler.deletion_error_handler("delete flow logs")
@AWSRetry.jittered_backoff()
def delete_flow_logs(client, flow_log_ids: List[str]) -> bool:
    """True once the flow logs are gone; False when none of them existed.

    AWS reports unknown IDs as Unsuccessful items of a 200 answer, other implementations raise
    InvalidFlowLogId.NotFound: both mean "already deleted". Any other unsuccessful item raises.
    """
    response = client.delete_flow_logs(FlowLogIds=flow_log_ids)
    unsuccessful = response.get("Unsuccessful") or []
    failed = [item for item in unsuccessful if item.get("Error", {}).get("Code") != FLOW_LOG_NOT_FOUND]
    if failed:
        raise PaymentsEC2Error(message=_unsuccessful_message("delete flow logs", failed))
    return len(unsuccessful) < len(flow_log_ids)


# Tags (any EC2 resource)


@EC2ErrorHandler.common_error_handler("create tags")
@AWSRetry.jittered_backoff()
def create_tags(client, resource_ids: List[str], tags: Dict[str, str]) -> bool:
    client.create_tags(Resources=resource_ids, Tags=ansible_dict_to_boto3_tag_list(tags))
    return True


@EC2ErrorHandler.common_error_handler("delete tags")
@AWSRetry.jittered_backoff()
def delete_tags(client, resource_ids: List[str], tag_keys: List[str]) -> bool:
    client.delete_tags(Resources=resource_ids, Tags=[{"Key": key} for key in tag_keys])
    return True


# Account and region


@EC2ErrorHandler.common_error_handler("describe account attributes")
@AWSRetry.jittered_backoff()
def describe_account_attributes(client, attribute_names: Optional[List[str]] = None) -> List[Dict[str, Any]]:
    # The paginator does not exist for describe_account_attributes()
    params = {"AttributeNames": attribute_names} if attribute_names else {}
    return client.describe_account_attributes(**params)["AccountAttributes"]


@EC2ErrorHandler.common_error_handler("describe addresses")
@AWSRetry.jittered_backoff()
def describe_addresses(client, **params: Any) -> List[Dict[str, Any]]:
    # The paginator does not exist for describe_addresses()
    return client.describe_addresses(**params)["Addresses"]


@EC2ErrorHandler.common_error_handler("describe availability zones")
@AWSRetry.jittered_backoff()
def describe_availability_zones(client, **params: Any) -> List[Dict[str, Any]]:
    # The paginator does not exist for describe_availability_zones()
    return client.describe_availability_zones(**params)["AvailabilityZones"]


# VPC resources (payments.infra.ec2_vpc_resources_info): one paginated Describe* per resource type.


def _paginate(client, operation: str, result_key: str, params: Dict[str, Any]) -> List[Dict[str, Any]]:
    return client.get_paginator(operation).paginate(**params).build_full_result()[result_key]


@EC2ErrorHandler.common_error_handler("describe vpcs")
@AWSRetry.jittered_backoff()
def describe_vpcs(client, **params: Any) -> List[Dict[str, Any]]:
    return _paginate(client, "describe_vpcs", "Vpcs", params)


@EC2ErrorHandler.common_error_handler("describe vpc attribute")
@AWSRetry.jittered_backoff()
def describe_vpc_attribute(client, vpc_id: str, attribute: str) -> Dict[str, Any]:
    # The paginator does not exist for describe_vpc_attribute()
    return client.describe_vpc_attribute(VpcId=vpc_id, Attribute=attribute)


@EC2ErrorHandler.common_error_handler("describe subnets")
@AWSRetry.jittered_backoff()
def describe_subnets(client, **params: Any) -> List[Dict[str, Any]]:
    return _paginate(client, "describe_subnets", "Subnets", params)


@EC2ErrorHandler.common_error_handler("describe security groups")
@AWSRetry.jittered_backoff()
def describe_security_groups(client, **params: Any) -> List[Dict[str, Any]]:
    return _paginate(client, "describe_security_groups", "SecurityGroups", params)


@EC2ErrorHandler.common_error_handler("describe route tables")
@AWSRetry.jittered_backoff()
def describe_route_tables(client, **params: Any) -> List[Dict[str, Any]]:
    return _paginate(client, "describe_route_tables", "RouteTables", params)


@EC2ErrorHandler.common_error_handler("describe nat gateways")
@AWSRetry.jittered_backoff()
def describe_nat_gateways(client, **params: Any) -> List[Dict[str, Any]]:
    return _paginate(client, "describe_nat_gateways", "NatGateways", params)


@EC2ErrorHandler.common_error_handler("describe internet gateways")
@AWSRetry.jittered_backoff()
def describe_internet_gateways(client, **params: Any) -> List[Dict[str, Any]]:
    return _paginate(client, "describe_internet_gateways", "InternetGateways", params)


@EC2ErrorHandler.common_error_handler("describe vpc endpoints")
@AWSRetry.jittered_backoff()
def describe_vpc_endpoints(client, **params: Any) -> List[Dict[str, Any]]:
    return _paginate(client, "describe_vpc_endpoints", "VpcEndpoints", params)
