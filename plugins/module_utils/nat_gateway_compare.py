# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The comparison of public NAT gateways that payments.infra.ec2_nat_gateways (through module_utils/nat_gateways.py)
and the ec2_nat_gateways_plan filter share: what differs for each item of the module's nat_gateways option (what is
compared is described in module_utils/nat_gateways.py).

Plain Python (no botocore import): ansible-core imports every filter file of the collection in each task that uses
one of our filters, so this module must stay cheap to import.
"""

from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.payments.infra.plugins.module_utils.tag_compare import tag_changes

# ec2_vpc_nat_gateway (and the network role) consider a NAT gateway in these states only.
NAT_GATEWAY_STATES = ["pending", "available"]
MISSING = "missing"
TAGS = "tags"


def eip_name(item: Dict[str, Any]) -> str:
    return (item.get("eip_tags") or {}).get("Name") or ""


def _allocation_ids(gateway: Dict[str, Any]) -> List[str]:
    return [a.get("allocation_id") for a in gateway.get("nat_gateway_addresses") or [] if a.get("allocation_id")]


def primary_address(gateway: Dict[str, Any]) -> Dict[str, Any]:
    addresses = gateway.get("nat_gateway_addresses") or []
    primary = [a for a in addresses if a.get("is_primary")]
    return (primary or addresses or [{}])[0]


def find_nat_gateway(gateways: List[Dict[str, Any]], subnet_id: str) -> Optional[Dict[str, Any]]:
    """The NAT gateway pending or available in the subnet (the oldest when there are several), None when none is."""
    found = [g for g in gateways if g.get("subnet_id") == subnet_id and g.get("state") in NAT_GATEWAY_STATES]
    found.sort(key=lambda g: (str(g.get("create_time") or ""), g.get("nat_gateway_id") or ""))
    return found[0] if found else None


def find_address(
    addresses: List[Dict[str, Any]], name: str, gateway: Optional[Dict[str, Any]] = None
) -> Optional[Dict[str, Any]]:
    """The Elastic IP named name: the one the NAT gateway uses, else one associated with nothing, else any.

    Several can carry the name when an AllocateAddress was retried after a lost answer: the choice is stable.
    """
    named = sorted(
        (a for a in addresses if name and (a.get("tags") or {}).get("Name") == name),
        key=lambda a: a.get("allocation_id") or "",
    )
    used = _allocation_ids(gateway) if gateway else []
    for choice in (
        [a for a in named if a.get("allocation_id") in used],
        [a for a in named if not a.get("association_id") and not a.get("network_interface_id")],
        named,
    ):
        if choice:
            return choice[0]
    return None


def plan_nat_gateway(
    item: Dict[str, Any], gateways: List[Dict[str, Any]], addresses: List[Dict[str, Any]], purge_tags: bool = True
) -> Dict[str, Any]:
    """What differs for one item of the module's nat_gateways option (see the module docstring)."""
    gateway = find_nat_gateway(gateways, item["subnet_id"])
    address = find_address(addresses, eip_name(item), gateway)
    connectivity_type = item.get("connectivity_type") or "public"
    plan = {
        "subnet_id": item["subnet_id"],
        "nat_gateway_id": None,
        "allocation_id": address.get("allocation_id") if address else None,
        "public_ip": address.get("public_ip") if address else None,
        "connectivity_type": connectivity_type,
        "state": None,
        "tags": dict(item.get("tags") or {}),
        "differences": [],
        "tags_to_set": {},
        "tags_to_unset": [],
    }
    if gateway is None:
        plan["differences"] = [MISSING]
        return plan
    primary = primary_address(gateway)
    current_tags = gateway.get("tags") or {}
    to_set, to_unset = tag_changes(current_tags, item.get("tags"), purge_tags)
    plan.update(
        nat_gateway_id=gateway.get("nat_gateway_id"),
        allocation_id=primary.get("allocation_id"),
        public_ip=primary.get("public_ip"),
        state=gateway.get("state"),
        connectivity_type=gateway.get("connectivity_type") or "public",
        tags=current_tags,
        tags_to_set=to_set,
        tags_to_unset=to_unset,
    )
    if to_set or to_unset:
        plan["differences"].append(TAGS)
    if plan["connectivity_type"] != connectivity_type:
        plan["differences"].append("connectivity_type")
    if address and address.get("allocation_id") not in _allocation_ids(gateway):
        plan["differences"].append("allocation_id")
    return plan


def plan_nat_gateways(
    items: List[Dict[str, Any]],
    gateways: List[Dict[str, Any]],
    addresses: List[Dict[str, Any]],
    purge_tags: bool = True,
) -> List[Dict[str, Any]]:
    """plan_nat_gateway of every item, in their order."""
    return [plan_nat_gateway(item, gateways or [], addresses or [], purge_tags) for item in items]


def item_error(item: Dict[str, Any]) -> Optional[str]:
    """What is wrong with one item, before any AWS call; None when nothing is."""
    if not item.get("subnet_id"):
        return "subnet_id must not be empty"
    if not eip_name(item):
        return "eip_tags must hold a Name tag: the Elastic IP is found again by it"
    return None
