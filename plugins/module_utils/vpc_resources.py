# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Read a VPC and what is in it, each resource in the shape of the amazon.aws info module that reads it.

payments.infra.ec2_vpc_resources_info replaces several amazon.aws info modules (one module call instead of one per
resource type) in roles whose Jinja was written against those modules' results: every normaliser here repeats the
post-processing of its amazon.aws module (amazon.aws 10), and the integration target ec2_vpc_resources_info compares
both on the same VPC. Requests are those of the amazon.aws modules: one paginated Describe* per resource type, plus
the two DescribeVpcAttribute of ec2_vpc_net_info per VPC when the DNS attributes are asked for.
"""

import copy
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import normalize_boto3_result
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.transformation import ansible_dict_to_boto3_filter_list

from ansible_collections.payments.infra.plugins.module_utils import ec2
from ansible_collections.payments.infra.plugins.module_utils.nat_gateway_compare import NAT_GATEWAY_STATES

# The resource types read in the VPC, in the order of the result, with the key the result holds each under.
RESOURCE_TYPES = (
    "subnets",
    "security_groups",
    "route_tables",
    "nat_gateways",
    "internet_gateways",
    "vpc_endpoints",
    "flow_logs",
)
# What ec2_vpc_resources_info reads when resources is not set (flow_logs only when asked for).
DEFAULT_RESOURCE_TYPES = RESOURCE_TYPES[:-1]
VPC_DNS_ATTRIBUTES = ("enableDnsSupport", "enableDnsHostnames")


def _tags(resource: Dict[str, Any]) -> Dict[str, str]:
    return boto3_tag_list_to_ansible_dict(resource.get("Tags") or [])


def normalize_vpc(vpc: Dict[str, Any], attributes: Optional[Dict[str, Dict[str, Any]]] = None) -> Dict[str, Any]:
    """amazon.aws.ec2_vpc_net_info: snake_case, id, tags as a dict, enable_dns_* when their attributes were read."""
    vpc = copy.deepcopy(vpc)
    for attribute, response in (attributes or {}).items():
        if response:
            key = attribute[0].upper() + attribute[1:]
            vpc[key] = response[key].get("Value")
    vpc["id"] = vpc["VpcId"]
    result = camel_dict_to_snake_dict(vpc)
    result["tags"] = _tags(vpc)
    return result


def normalize_subnet(subnet: Dict[str, Any]) -> Dict[str, Any]:
    """amazon.aws.ec2_vpc_subnet_info: snake_case, id, tags as a dict."""
    subnet = copy.deepcopy(subnet)
    subnet["id"] = subnet["SubnetId"]
    result = camel_dict_to_snake_dict(subnet)
    result["tags"] = _tags(subnet)
    return result


def normalize_security_group(group: Dict[str, Any]) -> Dict[str, Any]:
    """amazon.aws.ec2_security_group_info: snake_case, tags as a dict."""
    result = camel_dict_to_snake_dict(group)
    result["tags"] = _tags(group)
    return result


def _normalize_route(route: Dict[str, Any]) -> Dict[str, Any]:
    for legacy_key in ("DestinationCidrBlock", "GatewayId", "InstanceId", "Origin", "State", "NetworkInterfaceId"):
        route.setdefault(legacy_key, None)
    route["InterfaceId"] = route["NetworkInterfaceId"]
    return route


def normalize_route_table(table: Dict[str, Any]) -> Dict[str, Any]:
    """amazon.aws.ec2_vpc_route_table_info: snake_case, id, associations' id, routes' legacy keys, tags as a dict."""
    table = copy.deepcopy(table)
    table["tags"] = _tags(table)
    table.pop("Tags", None)
    for association in table.get("Associations", []):
        association["Id"] = association["RouteTableAssociationId"]
    table["Routes"] = [_normalize_route(route) for route in table.get("Routes", [])]
    table["Id"] = table["RouteTableId"]
    return camel_dict_to_snake_dict(table, ignore_list=["tags"])


def normalize_nat_gateway(gateway: Dict[str, Any]) -> Dict[str, Any]:
    """amazon.aws.ec2_vpc_nat_gateway_info: times as ISO 8601 text, snake_case, tags as a dict when AWS sent any."""
    result = camel_dict_to_snake_dict(normalize_boto3_result(gateway))
    if "tags" in result:
        result["tags"] = boto3_tag_list_to_ansible_dict(result["tags"])
    return result


def normalize_internet_gateway(gateway: Dict[str, Any]) -> Dict[str, Any]:
    """amazon.aws.ec2_vpc_igw_info (convert_tags=true): internet_gateway_id, attachments, tags as a dict."""
    return camel_dict_to_snake_dict(
        {
            "InternetGatewayId": gateway["InternetGatewayId"],
            "Attachments": copy.deepcopy(gateway.get("Attachments", [])),
            "Tags": _tags(gateway),
        },
        ignore_list=["Tags"],
    )


def normalize_vpc_endpoint(endpoint: Dict[str, Any]) -> Dict[str, Any]:
    """amazon.aws.ec2_vpc_endpoint_info: times as ISO 8601 text, snake_case; tags stay a list of key/value items."""
    return camel_dict_to_snake_dict(normalize_boto3_result(endpoint))


def normalize_address(address: Dict[str, Any]) -> Dict[str, Any]:
    """amazon.aws.ec2_eip_info: snake_case, tags as a dict when AWS sent any."""
    result = camel_dict_to_snake_dict(address)
    if "tags" in result:
        result["tags"] = boto3_tag_list_to_ansible_dict(result["tags"])
    return result


def _in_vpc(vpc_id: str) -> List[Dict[str, Any]]:
    return [{"Name": "vpc-id", "Values": [vpc_id]}]


def read_in_vpc(client, vpc_id: str, resource_type: str, internet_gateway_name: Optional[str] = None):
    """One resource type of the VPC (one paginated Describe*), normalised."""
    if resource_type == "subnets":
        return [normalize_subnet(s) for s in ec2.describe_subnets(client, Filters=_in_vpc(vpc_id))]
    if resource_type == "security_groups":
        return [normalize_security_group(g) for g in ec2.describe_security_groups(client, Filters=_in_vpc(vpc_id))]
    if resource_type == "route_tables":
        return [normalize_route_table(t) for t in ec2.describe_route_tables(client, Filters=_in_vpc(vpc_id))]
    if resource_type == "nat_gateways":
        states = [{"Name": "state", "Values": NAT_GATEWAY_STATES}]
        return [normalize_nat_gateway(g) for g in ec2.describe_nat_gateways(client, Filter=_in_vpc(vpc_id) + states)]
    if resource_type == "vpc_endpoints":
        return [normalize_vpc_endpoint(e) for e in ec2.describe_vpc_endpoints(client, Filters=_in_vpc(vpc_id))]
    if resource_type == "flow_logs":
        # The VPC's own flow logs (not those of its subnets or interfaces), as payments.infra.vpc_flow_logs_info
        # returns them.
        filters = [{"Name": "resource-id", "Values": [vpc_id]}]
        return [ec2.flow_log_info(flow_log) for flow_log in ec2.describe_flow_logs(client, Filters=filters)]
    if resource_type == "internet_gateways":
        return [
            normalize_internet_gateway(gateway)
            for gateway in ec2.describe_internet_gateways(client)
            if internet_gateway_selected(gateway, vpc_id, internet_gateway_name)
        ]
    raise ValueError(f"unknown resource type {resource_type}")


def internet_gateway_selected(gateway: Dict[str, Any], vpc_id: str, name: Optional[str]) -> bool:
    """Attached to the VPC, or attached to nothing and named name (what a run killed before the attachment leaves).

    Internet gateways are few per region (quota 5 by default): one unfiltered read finds both kinds, which no
    single EC2 filter does (filters of different names are ANDed).
    """
    attachments = gateway.get("Attachments") or []
    if any(attachment.get("VpcId") == vpc_id for attachment in attachments):
        return True
    return bool(name) and not attachments and _tags(gateway).get("Name") == name


def read(
    client,
    filters: Dict[str, Any],
    resources: List[str],
    *,
    vpc_attributes: bool = True,
    internet_gateway_name: Optional[str] = None,
    address_filters: Optional[Dict[str, Any]] = None,
) -> Dict[str, Any]:
    """The VPCs the filters match and, when exactly one does, the resources of that VPC; the addresses if asked."""
    vpcs = []
    for vpc in ec2.describe_vpcs(client, Filters=ansible_dict_to_boto3_filter_list(filters)):
        attributes = {}
        if vpc_attributes:
            for attribute in VPC_DNS_ATTRIBUTES:
                attributes[attribute] = ec2.describe_vpc_attribute(client, vpc["VpcId"], attribute)
        vpcs.append(normalize_vpc(vpc, attributes))
    result: Dict[str, Any] = {"vpcs": vpcs}
    for resource_type in RESOURCE_TYPES:
        if resource_type in resources:
            result[resource_type] = (
                read_in_vpc(client, vpcs[0]["id"], resource_type, internet_gateway_name) if len(vpcs) == 1 else []
            )
    if address_filters is not None:
        addresses = ec2.describe_addresses(client, Filters=ansible_dict_to_boto3_filter_list(address_filters))
        result["addresses"] = [normalize_address(address) for address in addresses]
    return result
