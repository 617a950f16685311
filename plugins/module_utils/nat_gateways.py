# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Public NAT gateways, one per subnet, each with an Elastic IP of its own (payments.infra.ec2_nat_gateways).

The comparison (plan_nat_gateways, in module_utils/nat_gateway_compare.py, which imports no botocore) works on the
snake_case shapes of payments.infra.ec2_vpc_resources_info (NAT gateways as amazon.aws.ec2_vpc_nat_gateway_info
returns them, addresses as amazon.aws.ec2_eip_info does), so the module and the filter
payments.infra.ec2_nat_gateways_plan (a playbook's compare-first, which calls the module only when something differs)
decide alike. The AWS calls the module makes are wrapped here once each.

What is compared for one NAT gateway, found by its subnet among those pending or available (as
amazon.aws.ec2_vpc_nat_gateway with if_exist_do_not_create does):
- missing: no NAT gateway in the subnet. Created with the Elastic IP tagged Name=eip_tags.Name when one exists (a
  run killed between the allocation and the creation left it), else with a new one, tagged at allocation;
- tags: the NAT gateway's tags differ from the tags asked for (purge_tags as amazon.aws): corrected;
- connectivity_type, allocation_id: the NAT gateway is private, or does not use the Elastic IP named for it while
  that address exists. Reported only: a NAT gateway is never replaced (amazon.aws.ec2_vpc_nat_gateway does not
  replace one either).
"""

import uuid
from typing import Any
from typing import Dict
from typing import List

try:
    from botocore.exceptions import WaiterError
except ImportError:
    pass  # Handled by PaymentsAWSModule (AnsibleAWSModule checks botocore)

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

from ansible_collections.payments.infra.plugins.module_utils import ec2
from ansible_collections.payments.infra.plugins.module_utils.ec2 import EC2ErrorHandler
from ansible_collections.payments.infra.plugins.module_utils.ec2 import PaymentsEC2Error
from ansible_collections.payments.infra.plugins.module_utils.nat_gateway_compare import MISSING
from ansible_collections.payments.infra.plugins.module_utils.nat_gateway_compare import NAT_GATEWAY_STATES
from ansible_collections.payments.infra.plugins.module_utils.nat_gateway_compare import TAGS
from ansible_collections.payments.infra.plugins.module_utils.nat_gateway_compare import eip_name
from ansible_collections.payments.infra.plugins.module_utils.nat_gateway_compare import primary_address
from ansible_collections.payments.infra.plugins.module_utils.retries import AWSRetry
from ansible_collections.payments.infra.plugins.module_utils.vpc_resources import normalize_address
from ansible_collections.payments.infra.plugins.module_utils.vpc_resources import normalize_nat_gateway

# A subnet or an address just created may not be visible yet to CreateNatGateway (EC2 is eventually consistent).
CREATE_RETRY_CODES = ["InvalidAllocationID.NotFound", "InvalidSubnetID.NotFound"]
# A NAT gateway just created may not be visible yet to the tag calls.
TAG_RETRY_CODES = ["InvalidNatGatewayID.NotFound"]
# Differences reported, never acted on (a NAT gateway is not replaced).
REPORTED = ("connectivity_type", "allocation_id")
WAITER_DELAY = 15
WAITER_MAX_ATTEMPTS = 40


# AWS calls


def describe_nat_gateways_in_subnets(client, subnet_ids: List[str]) -> List[Dict[str, Any]]:
    """The NAT gateways pending or available in the subnets (one paginated DescribeNatGateways), normalised."""
    if not subnet_ids:
        return []
    filters = [{"Name": "subnet-id", "Values": subnet_ids}, {"Name": "state", "Values": NAT_GATEWAY_STATES}]
    return [normalize_nat_gateway(gateway) for gateway in ec2.describe_nat_gateways(client, Filter=filters)]


def describe_nat_gateways_by_id(client, nat_gateway_ids: List[str]) -> List[Dict[str, Any]]:
    return [
        normalize_nat_gateway(gateway) for gateway in ec2.describe_nat_gateways(client, NatGatewayIds=nat_gateway_ids)
    ]


def describe_addresses_named(client, names: List[str]) -> List[Dict[str, Any]]:
    """The VPC Elastic IPs tagged Name=<one of names> (one DescribeAddresses), normalised."""
    if not names:
        return []
    filters = [{"Name": "tag:Name", "Values": names}, {"Name": "domain", "Values": ["vpc"]}]
    return [normalize_address(address) for address in ec2.describe_addresses(client, Filters=filters)]


@EC2ErrorHandler.common_error_handler("allocate address")
@AWSRetry.jittered_backoff()
def allocate_address(client, tags: Dict[str, str]) -> Dict[str, Any]:
    """A VPC Elastic IP, tagged in the same request (a run killed right after finds it again by its Name tag)."""
    return client.allocate_address(
        Domain="vpc",
        TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": ansible_dict_to_boto3_tag_list(tags)}],
    )


@EC2ErrorHandler.common_error_handler("create nat gateway")
@AWSRetry.jittered_backoff(catch_extra_error_codes=CREATE_RETRY_CODES)
def create_nat_gateway(client, **params: Any) -> Dict[str, Any]:
    # params hold the ClientToken: a retry of this call after a lost answer returns the same NAT gateway.
    return client.create_nat_gateway(**params)["NatGateway"]


@EC2ErrorHandler.common_error_handler("create tags")
@AWSRetry.jittered_backoff(catch_extra_error_codes=TAG_RETRY_CODES)
def create_tags(client, resource_ids: List[str], tags: Dict[str, str]) -> bool:
    client.create_tags(Resources=resource_ids, Tags=ansible_dict_to_boto3_tag_list(tags))
    return True


@EC2ErrorHandler.common_error_handler("delete tags")
@AWSRetry.jittered_backoff(catch_extra_error_codes=TAG_RETRY_CODES)
def delete_tags(client, resource_ids: List[str], tag_keys: List[str]) -> bool:
    client.delete_tags(Resources=resource_ids, Tags=[{"Key": key} for key in tag_keys])
    return True


def wait_available(
    client, nat_gateway_ids: List[str], delay: int = WAITER_DELAY, max_attempts: int = WAITER_MAX_ATTEMPTS
):
    """boto3's nat_gateway_available waiter (it fails at once on a failed NAT gateway); retries throttling itself."""
    if not nat_gateway_ids:
        return
    waiter = client.get_waiter("nat_gateway_available")
    try:
        waiter.wait(NatGatewayIds=nat_gateway_ids, WaiterConfig={"Delay": delay, "MaxAttempts": max_attempts})
    except WaiterError as e:
        raise PaymentsEC2Error(
            message=f"NAT gateways {', '.join(nat_gateway_ids)} did not become available: {e}", exception=e
        ) from e


# Acting on a plan


def client_token() -> str:
    """A ClientToken for one CreateNatGateway: the retries of that call send it again; another run makes a new one
    (a token reused after a NAT gateway failed would return the failed one)."""
    return str(uuid.uuid4())


def ensure_nat_gateway(client, item: Dict[str, Any], plan: Dict[str, Any], check_mode: bool):
    """(changed, result, created_id) for one planned item; result is the item's entry of the module's result."""
    result = {key: plan[key] for key in ("subnet_id", "nat_gateway_id", "allocation_id", "public_ip")}
    result.update(
        connectivity_type=plan["connectivity_type"],
        state=plan["state"],
        tags=dict(plan["tags"]),
        differences=list(plan["differences"]),
    )
    changed, created_id = False, None
    if MISSING in plan["differences"]:
        changed = True
        result["state"] = "pending"
        if not check_mode:
            if not result["allocation_id"]:
                address = allocate_address(client, item["eip_tags"])
                result["allocation_id"], result["public_ip"] = address["AllocationId"], address.get("PublicIp")
            params = {
                "SubnetId": item["subnet_id"],
                "AllocationId": result["allocation_id"],
                "ConnectivityType": item.get("connectivity_type") or "public",
                "ClientToken": client_token(),
            }
            if item.get("tags"):
                params["TagSpecifications"] = [
                    {"ResourceType": "natgateway", "Tags": ansible_dict_to_boto3_tag_list(item["tags"])}
                ]
            gateway = normalize_nat_gateway(create_nat_gateway(client, **params))
            created_id = result["nat_gateway_id"] = gateway["nat_gateway_id"]
            result["state"] = gateway.get("state") or "pending"
            primary = primary_address(gateway)
            result["public_ip"] = primary.get("public_ip") or result["public_ip"]
    elif TAGS in plan["differences"]:
        changed = True
        if not check_mode:
            if plan["tags_to_unset"]:
                delete_tags(client, [plan["nat_gateway_id"]], plan["tags_to_unset"])
            if plan["tags_to_set"]:
                create_tags(client, [plan["nat_gateway_id"]], plan["tags_to_set"])
        result["tags"] = {k: v for k, v in plan["tags"].items() if k not in plan["tags_to_unset"]}
        result["tags"].update(plan["tags_to_set"])
    if MISSING in plan["differences"]:
        result["tags"] = dict(item.get("tags") or {})
    result["changed"] = changed
    return changed, result, created_id


def reported_warnings(plans: List[Dict[str, Any]], items: List[Dict[str, Any]]) -> List[str]:
    warnings = []
    for index, plan in enumerate(plans):
        item = items[index]
        reported = [d for d in plan["differences"] if d in REPORTED]
        if reported:
            warnings.append(
                f"NAT gateway {plan['nat_gateway_id']} in subnet {plan['subnet_id']} differs in {', '.join(reported)} "
                f"(it uses {plan['allocation_id']}, connectivity {plan['connectivity_type']}; Elastic IP named "
                f"{eip_name(item)}): it is not replaced. Delete it to have it created again."
            )
    return warnings
