# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The comparison of subnets that payments.infra.ec2_subnets (through module_utils/subnets.py) and the
subnet_differences filter share: the normalised subnet, the desired one and what differs (what is compared is
described in module_utils/subnets.py).

Plain Python (no botocore import): ansible-core imports every filter file of the collection in each task that uses
one of our filters, so this module must stay cheap to import.
"""

import copy
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.payments.infra.plugins.module_utils.tag_compare import tag_changes

# IPv6 association states that count as "the subnet has an IPv6 CIDR block" (as amazon.aws.ec2_vpc_subnet reads it).
IPV6_LIVE_STATES = ("associated", "associating")
# What subnet_differences() may report, in this order.
DIFFERENCES = ("missing", "ipv6_association", "map_public", "assign_ipv6", "tags")
# The keys of one desired subnet (the module's suboptions) and the values an unset key means.
SUBNET_OPTIONS = {"cidr": None, "az": None, "tags": None, "map_public": False, "assign_ipv6": False}


def normalize_subnet(subnet: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """A DescribeSubnets/CreateSubnet item (CamelCase) or a subnet of ec2_vpc_resources_info / amazon.aws
    ec2_vpc_subnet_info (snake_case) as one shape: id, cidr, az, vpc_id, state, map_public, assign_ipv6, tags (dict),
    ipv6_association_ids (the associated or associating IPv6 blocks). A subnet in that shape is returned as is."""
    if not subnet:
        return None
    if "ipv6_association_ids" in subnet:
        return subnet
    if "SubnetId" in subnet or "CidrBlock" in subnet:
        snake = camel_dict_to_snake_dict(copy.deepcopy(subnet), ignore_list=["Tags"])
        snake["id"] = snake.pop("subnet_id", None)
        snake["tags"] = boto3_tag_list_to_ansible_dict(subnet.get("Tags") or [])
    else:
        snake = subnet
    associations = snake.get("ipv6_cidr_block_association_set") or []
    return {
        "id": snake.get("id") or snake.get("subnet_id"),
        "cidr": snake.get("cidr_block"),
        "az": snake.get("availability_zone"),
        "vpc_id": snake.get("vpc_id"),
        "state": snake.get("state"),
        "map_public": bool(snake.get("map_public_ip_on_launch")),
        "assign_ipv6": bool(snake.get("assign_ipv6_address_on_creation")),
        "tags": dict(snake.get("tags") or {}),
        "ipv6_association_ids": [
            association.get("association_id")
            for association in associations
            if (association.get("ipv6_cidr_block_state") or {}).get("state") in IPV6_LIVE_STATES
        ],
    }


def desired_subnet(params: Dict[str, Any]) -> Dict[str, Any]:
    """One desired subnet with every option present (unset ones at their defaults); unknown keys raise ValueError,
    so an option cannot be silently left out of the comparison."""
    unknown = set(params) - set(SUBNET_OPTIONS)
    if unknown:
        raise ValueError(f"subnet options the comparison does not cover: {', '.join(sorted(unknown))}")
    desired = dict(SUBNET_OPTIONS)
    desired.update({key: value for key, value in params.items() if value is not None})
    if not desired["cidr"]:
        raise ValueError("every subnet needs a cidr")
    return desired


def subnet_differences(current: Optional[Dict[str, Any]], params: Dict[str, Any], purge_tags: bool = True) -> List[str]:
    """What payments.infra.ec2_subnets (and amazon.aws.ec2_vpc_subnet) would change on `current` (normalised or not,
    None when no subnet of the VPC has the CIDR) for the desired subnet `params`, in DIFFERENCES order:
    ["missing"] for a subnet to create, [] when nothing differs."""
    desired = desired_subnet(params)
    current = normalize_subnet(current)
    if current is None:
        return ["missing"]
    differences = []
    if current["ipv6_association_ids"] and not desired["assign_ipv6"]:
        differences.append("ipv6_association")
    if current["map_public"] != bool(desired["map_public"]):
        differences.append("map_public")
    if current["assign_ipv6"] != bool(desired["assign_ipv6"]):
        differences.append("assign_ipv6")
    to_set, to_unset = tag_changes(current["tags"], desired["tags"], purge_tags)
    if to_set or to_unset:
        differences.append("tags")
    return differences


def differing_subnets(
    current_subnets: List[Dict[str, Any]], desired_subnets: List[Dict[str, Any]], purge_tags: bool = True
) -> List[Dict[str, Any]]:
    """The desired subnets (as given, in their order) that subnet_differences() finds different from the subnet of
    current_subnets with their CIDR: what a playbook passes to payments.infra.ec2_subnets ([] on a converged VPC)."""
    by_cidr = {subnet["cidr"]: subnet for subnet in (normalize_subnet(item) for item in current_subnets) if subnet}
    return [
        params for params in desired_subnets if subnet_differences(by_cidr.get(params.get("cidr")), params, purge_tags)
    ]
