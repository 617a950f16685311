# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The subnets of one VPC, read once, compared and corrected: payments.infra.ec2_subnets and the subnet_differences
filter share this code, so a playbook calls the module only for the subnets the module would change.

The comparison (module_utils/subnet_compare.py, which imports no botocore) is the one amazon.aws.ec2_vpc_subnet
(10) makes for a subnet given without ipv6_cidr, outpost_arn or wait settings, found by VPC and CIDR:
MapPublicIpOnLaunch, AssignIpv6AddressOnCreation, an associated IPv6 CIDR block (disassociated: the module manages
none) and the tags (purge_tags). The availability zone of an existing subnet is not compared (AWS cannot move a
subnet; amazon.aws does not compare it either).

Every AWS call is wrapped once, retried with AWSRetry.jittered_backoff(); the calls made on a subnet just created
also retry InvalidSubnetID.NotFound (EC2 is eventually consistent). Errors raise PaymentsEC2Error.
"""

import copy
import ipaddress
from typing import Any
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_specifications

from ansible_collections.payments.infra.plugins.module_utils.ec2 import EC2ErrorHandler
from ansible_collections.payments.infra.plugins.module_utils.ec2 import describe_subnets
from ansible_collections.payments.infra.plugins.module_utils.retries import AWSRetry
from ansible_collections.payments.infra.plugins.module_utils.subnet_compare import desired_subnet
from ansible_collections.payments.infra.plugins.module_utils.subnet_compare import normalize_subnet
from ansible_collections.payments.infra.plugins.module_utils.tag_compare import merge_tags
from ansible_collections.payments.infra.plugins.module_utils.tag_compare import tag_changes

SUBNET_NOT_FOUND = "InvalidSubnetID.NotFound"
# botocore's subnet_available waiter, polled every 5 s for up to 5 min (amazon.aws.ec2_vpc_subnet's wait_timeout).
WAIT_DELAY = 5
WAIT_MAX_ATTEMPTS = 60


# AWS calls


@EC2ErrorHandler.common_error_handler("create subnet")
@AWSRetry.jittered_backoff()
def create_subnet(client, **params: Any) -> Dict[str, Any]:
    return client.create_subnet(**params)["Subnet"]


@EC2ErrorHandler.common_error_handler("modify subnet attribute")
@AWSRetry.jittered_backoff(catch_extra_error_codes=[SUBNET_NOT_FOUND])
def modify_subnet_attribute(client, subnet_id: str, **params: Any) -> bool:
    client.modify_subnet_attribute(SubnetId=subnet_id, **params)
    return True


@EC2ErrorHandler.common_error_handler("disassociate subnet IPv6 CIDR block")
@AWSRetry.jittered_backoff(catch_extra_error_codes=[SUBNET_NOT_FOUND])
def disassociate_subnet_cidr_block(client, association_id: str) -> bool:
    client.disassociate_subnet_cidr_block(AssociationId=association_id)
    return True


@EC2ErrorHandler.common_error_handler("tag subnet")
@AWSRetry.jittered_backoff(catch_extra_error_codes=[SUBNET_NOT_FOUND])
def create_subnet_tags(client, subnet_id: str, tags: Dict[str, str]) -> bool:
    client.create_tags(Resources=[subnet_id], Tags=ansible_dict_to_boto3_tag_list(tags))
    return True


@EC2ErrorHandler.common_error_handler("untag subnet")
@AWSRetry.jittered_backoff(catch_extra_error_codes=[SUBNET_NOT_FOUND])
def delete_subnet_tags(client, subnet_id: str, tag_keys: List[str]) -> bool:
    client.delete_tags(Resources=[subnet_id], Tags=[{"Key": key} for key in tag_keys])
    return True


@EC2ErrorHandler.common_error_handler("wait for subnets to be available")
def wait_subnets_available(client, subnet_ids: List[str]) -> None:
    """botocore's subnet_available waiter, by a subnet-id filter: a subnet EC2 does not list yet reads as an empty
    answer (the waiter polls again) where SubnetIds would raise InvalidSubnetID.NotFound."""
    client.get_waiter("subnet_available").wait(
        Filters=[{"Name": "subnet-id", "Values": list(subnet_ids)}],
        WaiterConfig={"Delay": WAIT_DELAY, "MaxAttempts": WAIT_MAX_ATTEMPTS},
    )


def read_vpc_subnets(client, vpc_id: str) -> List[Dict[str, Any]]:
    """Every subnet of the VPC with one (paginated) DescribeSubnets, normalised."""
    return [
        normalize_subnet(subnet)
        for subnet in describe_subnets(client, Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    ]


# Checking the options


def subnet_params_error(params: Dict[str, Any]) -> Optional[str]:
    """A message when one desired subnet is wrong before any AWS call (the cidr is not an IPv4 network with its host
    bits zero, as AWS requires), else None."""
    try:
        network = ipaddress.IPv4Network(str(params.get("cidr")), strict=True)
    except (ipaddress.AddressValueError, ipaddress.NetmaskValueError, ValueError):
        return f"cidr={params.get('cidr')!r} is not an IPv4 network in CIDR form with its host bits zero"
    if str(network) != params.get("cidr"):
        return f"cidr={params.get('cidr')!r} must be written {network} (the form AWS reports)"
    return None


# Acting


def result_of(subnet: Optional[Dict[str, Any]], changed: bool) -> Dict[str, Any]:
    """One item of the module's subnets result: the normalised subnet without its internal keys, and changed."""
    result = {key: value for key, value in (subnet or {}).items() if key != "ipv6_association_ids"}
    result["changed"] = changed
    return result


def _planned_subnet(vpc_id: str, desired: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "id": None,
        "cidr": desired["cidr"],
        "az": desired["az"],
        "vpc_id": vpc_id,
        "state": None,
        "map_public": bool(desired["map_public"]),
        "assign_ipv6": bool(desired["assign_ipv6"]),
        "tags": dict(desired["tags"] or {}),
        "ipv6_association_ids": [],
    }


def _create(client, vpc_id: str, desired: Dict[str, Any]) -> Dict[str, Any]:
    # Tags go with the creation (TagSpecifications): a run killed after CreateSubnet leaves a tagged subnet, which
    # the next run finds by its CIDR like any other.
    params = {"VpcId": vpc_id, "CidrBlock": desired["cidr"]}
    if desired["az"]:
        params["AvailabilityZone"] = desired["az"]
    if desired["tags"]:
        params["TagSpecifications"] = boto3_tag_specifications(desired["tags"], types="subnet")
    subnet = normalize_subnet(create_subnet(client, **params))
    # The tags are the TagSpecifications, whether or not the CreateSubnet answer lists them.
    subnet["tags"] = dict(desired["tags"] or {})
    return subnet


def _correct(client, subnet: Dict[str, Any], desired: Dict[str, Any], purge_tags: bool, check_mode: bool) -> bool:
    """Make the existing (or just created) subnet match desired; True when something was (or would be) changed.
    `subnet` is updated in place to what AWS holds afterwards."""
    changed = False
    subnet_id = subnet["id"]
    if subnet["ipv6_association_ids"] and not desired["assign_ipv6"]:
        # As amazon.aws.ec2_vpc_subnet without ipv6_cidr: stop assigning IPv6 addresses first, then disassociate.
        if subnet["assign_ipv6"] and not check_mode:
            modify_subnet_attribute(client, subnet_id, AssignIpv6AddressOnCreation={"Value": False})
        subnet["assign_ipv6"] = False
        for association_id in subnet["ipv6_association_ids"]:
            if not check_mode:
                disassociate_subnet_cidr_block(client, association_id)
        subnet["ipv6_association_ids"] = []
        changed = True
    if subnet["map_public"] != bool(desired["map_public"]):
        if not check_mode:
            modify_subnet_attribute(client, subnet_id, MapPublicIpOnLaunch={"Value": bool(desired["map_public"])})
        subnet["map_public"] = bool(desired["map_public"])
        changed = True
    if subnet["assign_ipv6"] != bool(desired["assign_ipv6"]):
        if not check_mode:
            modify_subnet_attribute(
                client, subnet_id, AssignIpv6AddressOnCreation={"Value": bool(desired["assign_ipv6"])}
            )
        subnet["assign_ipv6"] = bool(desired["assign_ipv6"])
        changed = True
    to_set, to_unset = tag_changes(subnet["tags"], desired["tags"], purge_tags)
    if to_unset:
        if not check_mode:
            delete_subnet_tags(client, subnet_id, to_unset)
        changed = True
    if to_set:
        if not check_mode:
            create_subnet_tags(client, subnet_id, to_set)
        changed = True
    subnet["tags"] = merge_tags(subnet["tags"], to_set, to_unset)
    return changed


def ensure_subnets(
    client, vpc_id: str, subnets: List[Dict[str, Any]], purge_tags: bool, check_mode: bool
) -> Tuple[List[Dict[str, Any]], Dict[str, Any]]:
    """(results, diff) for the desired subnets, in their order: one DescribeSubnets of the VPC, then CreateSubnet
    (tagged) for the missing ones, one subnet_available wait for those not yet available, and ModifySubnetAttribute,
    DisassociateSubnetCidrBlock, DeleteTags, CreateTags only for what differs. Check mode writes nothing.

    Raises ValueError (before any write) for a subnet asking assign_ipv6 without an IPv6 CIDR block (AWS refuses it;
    this module associates none)."""
    wanted = [desired_subnet(params) for params in subnets]
    current = {subnet["cidr"]: subnet for subnet in read_vpc_subnets(client, vpc_id)}

    for desired in wanted:
        found = current.get(desired["cidr"])
        if desired["assign_ipv6"] and not (found and found["ipv6_association_ids"]):
            raise ValueError(
                f"subnet {desired['cidr']}: assign_ipv6=true needs an IPv6 CIDR block associated with the subnet,"
                " which ec2_subnets does not manage"
            )

    before, after = {}, {}
    states, created = [], []
    for desired in wanted:
        found = current.get(desired["cidr"])
        before[desired["cidr"]] = result_of(found, False) if found else {}
        if found is None:
            subnet = _planned_subnet(vpc_id, desired) if check_mode else _create(client, vpc_id, desired)
            created.append(subnet)
            states.append([subnet, True])
        else:
            states.append([copy.deepcopy(found), False])

    pending = [subnet["id"] for subnet in created if subnet["id"] and subnet["state"] != "available"]
    if pending:
        wait_subnets_available(client, pending)
        for subnet in created:
            if subnet["id"] in pending:
                subnet["state"] = "available"

    results = []
    for index, desired in enumerate(wanted):
        subnet, was_created = states[index]
        changed = _correct(client, subnet, desired, purge_tags, check_mode) or was_created
        results.append(result_of(subnet, changed))
        after[desired["cidr"]] = results[-1]
    return results, {"before": before, "after": after}
