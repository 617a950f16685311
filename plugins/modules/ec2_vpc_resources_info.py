#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: ec2_vpc_resources_info
short_description: Read a VPC and its subnets, security groups, route tables, gateways and endpoints in one call
version_added: 0.1.0
description:
  - Finds the VPCs that match O(filters) and, when exactly one does, reads in that VPC the resource types of
    O(resources); optionally reads Elastic IPs as well (O(address_filters)). Read-only (Describe* calls only).
  - One module call instead of one amazon.aws info module per resource type, with the same requests (one paginated
    C(Describe*) per resource type) and each list in the shape of the amazon.aws info module it replaces, so
    templates written against those modules keep working.
  - When no VPC or several VPCs match, the resource lists are empty (the caller decides what several means).
author:
  - payments.infra maintainers (@payments-infra)
options:
  filters:
    description:
      - Filters of C(DescribeVpcs) that find the VPC, as in M(amazon.aws.ec2_vpc_net_info) (for example
        C(tag:Name) and C(tag:Environment)).
    type: dict
    required: true
  vpc_attributes:
    description:
      - Read the DNS attributes of each VPC found (two C(DescribeVpcAttribute) requests per VPC, as
        M(amazon.aws.ec2_vpc_net_info) does), returned as C(enable_dns_support) and C(enable_dns_hostnames) of
        each of RV(vpcs). V(false) saves those requests when they are not needed.
    type: bool
    default: true
  resources:
    description: The resource types to read in the VPC found (one request each).
    type: list
    elements: str
    choices: [subnets, security_groups, route_tables, nat_gateways, internet_gateways, vpc_endpoints, flow_logs]
    default: [subnets, security_groups, route_tables, nat_gateways, internet_gateways, vpc_endpoints]
  internet_gateway_name:
    description:
      - Besides the internet gateways attached to the VPC, return those attached to nothing whose C(Name) tag is
        this (a run of M(amazon.aws.ec2_vpc_igw) killed between creating a gateway and attaching it leaves one).
    type: str
  address_filters:
    description:
      - Filters of C(DescribeAddresses), as in M(amazon.aws.ec2_eip_info). When set, the Elastic IPs they match are
        returned as RV(addresses) (read whether or not a VPC is found); when unset, no Elastic IP is read.
    type: dict
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the payment VPC and everything the network tier made in it
  payments.infra.ec2_vpc_resources_info:
    filters:
      tag:Name: payment-vpc-prod
      tag:Environment: prod
    internet_gateway_name: payment-prod-igw
    address_filters:
      tag:Environment: prod
      tag:Component: nat-eip
  register: network

- name: Only the subnets and route tables, without the DNS attributes
  payments.infra.ec2_vpc_resources_info:
    filters:
      tag:Name: payment-vpc-prod
    vpc_attributes: false
    resources: [subnets, route_tables]
  register: network
"""

RETURN = r"""
vpcs:
  description:
    - The VPCs that match O(filters), as M(amazon.aws.ec2_vpc_net_info) returns them (snake_case keys of
      C(DescribeVpcs), C(id), C(tags) as a dict, C(enable_dns_support) and C(enable_dns_hostnames) when
      O(vpc_attributes=true)).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "vpc-0123456789abcdef0", "cidr_block": "10.0.0.0/16", "enable_dns_support": true,
            "enable_dns_hostnames": true, "tags": {"Name": "payment-vpc-prod"}}]
subnets:
  description: Subnets of the VPC, as M(amazon.aws.ec2_vpc_subnet_info) returns them (C(id), C(tags) as a dict).
  returned: when subnets is in O(resources) (empty unless exactly one VPC matched)
  type: list
  elements: dict
  sample: [{"id": "subnet-0123456789abcdef0", "cidr_block": "10.0.0.0/24", "tags": {"Tier": "public"}}]
security_groups:
  description: Security groups of the VPC, as M(amazon.aws.ec2_security_group_info) returns them (C(tags) as a dict).
  returned: when security_groups is in O(resources) (empty unless exactly one VPC matched)
  type: list
  elements: dict
  sample: [{"group_id": "sg-0123456789abcdef0", "group_name": "payment-prod-alb", "tags": {}}]
route_tables:
  description:
    - Route tables of the VPC, as M(amazon.aws.ec2_vpc_route_table_info) returns them (C(id), associations with
      C(id), routes with every legacy key, C(tags) as a dict).
  returned: when route_tables is in O(resources) (empty unless exactly one VPC matched)
  type: list
  elements: dict
  sample: [{"id": "rtb-0123456789abcdef0", "routes": [], "associations": [], "tags": {"Name": "payment-prod-rt"}}]
nat_gateways:
  description:
    - NAT gateways of the VPC in state C(pending) or C(available), as M(amazon.aws.ec2_vpc_nat_gateway_info)
      returns them under its key C(result) - times as ISO 8601 text, C(tags) as a dict.
  returned: when nat_gateways is in O(resources) (empty unless exactly one VPC matched)
  type: list
  elements: dict
  sample: [{"nat_gateway_id": "nat-0123456789abcdef0", "state": "available", "subnet_id": "subnet-0123456789abcdef0"}]
internet_gateways:
  description:
    - Internet gateways attached to the VPC, and those attached to nothing named O(internet_gateway_name), as
      M(amazon.aws.ec2_vpc_igw_info) returns them (C(internet_gateway_id), C(attachments), C(tags) as a dict).
  returned: when internet_gateways is in O(resources) (empty unless exactly one VPC matched)
  type: list
  elements: dict
  sample: [{"internet_gateway_id": "igw-0123456789abcdef0", "attachments": [{"state": "available",
            "vpc_id": "vpc-0123456789abcdef0"}], "tags": {"Name": "payment-prod-igw"}}]
vpc_endpoints:
  description:
    - VPC endpoints of the VPC, as M(amazon.aws.ec2_vpc_endpoint_info) returns them (times as ISO 8601 text;
      C(tags) stays a list of C(key)/C(value) items there, so it does here).
  returned: when vpc_endpoints is in O(resources) (empty unless exactly one VPC matched)
  type: list
  elements: dict
  sample: [{"vpc_endpoint_id": "vpce-0123456789abcdef0", "service_name": "com.amazonaws.eu-west-1.s3",
            "tags": [{"key": "Name", "value": "payment-prod-vpce-s3"}]}]
flow_logs:
  description:
    - Flow logs of the VPC itself (C(DescribeFlowLogs) filtered on its id), as M(payments.infra.vpc_flow_logs_info)
      returns them (C(tags) as a dict).
  returned: when flow_logs is in O(resources) (empty unless exactly one VPC matched)
  type: list
  elements: dict
  sample: [{"flow_log_id": "fl-0123456789abcdef0", "resource_id": "vpc-0123456789abcdef0", "traffic_type": "ALL",
            "log_destination_type": "cloud-watch-logs", "log_group_name": "/aws/vpc/flow-logs/payment-vpc-prod",
            "max_aggregation_interval": 600, "tags": {"Name": "payment-prod-flow-logs"}}]
addresses:
  description: Elastic IPs that match O(address_filters), as M(amazon.aws.ec2_eip_info) returns them.
  returned: when O(address_filters) is set
  type: list
  elements: dict
  sample: [{"allocation_id": "eipalloc-0123456789abcdef0", "public_ip": "203.0.113.10", "tags": {"Name": "nat-a"}}]
"""

from ansible_collections.payments.infra.plugins.module_utils.ec2 import PaymentsEC2Error
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule
from ansible_collections.payments.infra.plugins.module_utils.vpc_resources import DEFAULT_RESOURCE_TYPES
from ansible_collections.payments.infra.plugins.module_utils.vpc_resources import RESOURCE_TYPES
from ansible_collections.payments.infra.plugins.module_utils.vpc_resources import read


def main():
    module = PaymentsAWSModule(
        argument_spec=dict(
            filters=dict(type="dict", required=True),
            vpc_attributes=dict(type="bool", default=True),
            resources=dict(
                type="list", elements="str", choices=list(RESOURCE_TYPES), default=list(DEFAULT_RESOURCE_TYPES)
            ),
            internet_gateway_name=dict(type="str"),
            address_filters=dict(type="dict"),
        ),
        supports_check_mode=True,
    )
    client = module.client("ec2")
    try:
        result = read(
            client,
            module.params["filters"],
            module.params["resources"],
            vpc_attributes=module.params["vpc_attributes"],
            internet_gateway_name=module.params["internet_gateway_name"],
            address_filters=module.params["address_filters"],
        )
    except PaymentsEC2Error as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
