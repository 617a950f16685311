# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The comparison of VPC security groups that payments.infra.ec2_security_groups (through
module_utils/security_groups.py) and the compare-first filters (security_group_differences, sg_rules) share: rules as
permissions, what differs per group and for the VPC's default group (the shapes are described in
module_utils/security_groups.py).

Plain Python (no botocore import): ansible-core imports every filter file of the collection in each task that uses
one of our filters, so this module must stay cheap to import.
"""

from typing import Any
from typing import Callable
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

DEFAULT_GROUP_NAME = "default"
PROTOCOL_NUMBERS = {"tcp": "6", "udp": "17", "icmp": "1", "icmpv6": "58", "all": "-1", "-1": "-1"}

Key = Tuple[str, int, int, str, str]
Permissions = Dict[Key, Optional[str]]


class PeerNotFound(ValueError):
    """A rule names a peer group (group_name) that neither exists in the VPC nor is one of the groups given."""


def protocol(value: Any) -> str:
    text = str(value).lower()
    return PROTOCOL_NUMBERS.get(text, text)


def _as_list(value: Any) -> List[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _port_ranges(rule: Dict[str, Any]) -> List[Tuple[int, int]]:
    if rule.get("ports") is not None:
        ranges = []
        for port in _as_list(rule["ports"]):
            text = str(port)
            low, _sep, high = text.partition("-") if not text.startswith("-") else (text, "", "")
            ranges.append((int(low), int(high or low)))
        return ranges
    if rule.get("from_port") is not None or rule.get("to_port") is not None:
        low = rule.get("from_port")
        high = rule.get("to_port")
        return [(int(-1 if low is None else low), int(-1 if high is None else high))]
    return [(-1, -1)]


def _key(proto: str, low: int, high: int, kind: str, peer: str) -> Key:
    if proto == "-1":
        low, high = -1, -1
    return (proto, int(low), int(high), kind, peer)


def desired_permissions(rules: List[Dict[str, Any]], group_id: Callable[[str], str]) -> Permissions:
    """The permissions of module-style rules; group_id(name) resolves a group_name peer (raises PeerNotFound)."""
    permissions = {}
    for rule in rules or []:
        proto = protocol(rule.get("proto") or rule.get("ip_protocol") or "tcp")
        peers = [("group", group) for group in _as_list(rule.get("group_id"))]
        peers += [("group", group_id(name)) for name in _as_list(rule.get("group_name"))]
        peers += [("cidr", cidr) for cidr in _as_list(rule.get("cidr_ip"))]
        peers += [("cidr6", cidr) for cidr in _as_list(rule.get("cidr_ipv6"))]
        peers += [("prefix", prefix) for prefix in _as_list(rule.get("ip_prefix"))]
        for low, high in _port_ranges(rule):
            for kind, peer in peers:
                permissions[_key(proto, low, high, kind, str(peer))] = rule.get("rule_desc") or None
    return permissions


def reported_permissions(ip_permissions: Optional[List[Dict[str, Any]]]) -> Permissions:
    """The permissions a group reports (ip_permissions or ip_permissions_egress, snake_case)."""
    permissions = {}
    for permission in ip_permissions or []:
        proto = protocol(permission.get("ip_protocol", "-1"))
        low = permission.get("from_port")
        high = permission.get("to_port")
        low, high = (-1 if low is None else low), (-1 if high is None else high)
        peers = [("group", pair["group_id"], pair) for pair in permission.get("user_id_group_pairs") or []]
        peers += [("cidr", r["cidr_ip"], r) for r in permission.get("ip_ranges") or []]
        peers += [("cidr6", r["cidr_ipv6"], r) for r in permission.get("ipv6_ranges") or []]
        peers += [("prefix", r["prefix_list_id"], r) for r in permission.get("prefix_list_ids") or []]
        for kind, peer, entry in peers:
            permissions[_key(proto, low, high, kind, peer)] = entry.get("description") or None
    return permissions


def permission_strings(permissions: Permissions) -> List[str]:
    """Sorted C(<protocol>|<from>|<to>|<kind>:<peer>|<description>) strings (the sg_rules filter's values)."""
    return sorted(
        "|".join([proto, str(low), str(high), f"{kind}:{peer}", description or ""])
        for (proto, low, high, kind, peer), description in permissions.items()
    )


def rule_changes(current: Permissions, desired: Permissions, purge: bool) -> Dict[str, Permissions]:
    """What to authorize, revoke (purge only) and re-describe to go from current to desired."""
    return {
        "authorize": {key: value for key, value in desired.items() if key not in current},
        "revoke": {key: value for key, value in current.items() if key not in desired} if purge else {},
        "describe": {key: value for key, value in desired.items() if key in current and current[key] != value},
    }


def resolver(ids_by_name: Dict[str, str]) -> Callable[[str], str]:
    def group_id(name: str) -> str:
        if name not in ids_by_name:
            raise PeerNotFound(name)
        return ids_by_name[name]

    return group_id


def group_differences(
    current: Optional[Dict[str, Any]], desired: Dict[str, Any], group_id: Callable[[str], str]
) -> List[str]:
    """What ec2_security_groups would change on one group: ["missing"], or some of ingress, egress, tags; [] when
    nothing. current: the group as reported (None when missing); desired: one item of the module's groups option.
    A peer group_name that cannot be resolved counts as a difference of its direction."""
    if not current:
        return ["missing"]
    differences = []
    for direction, option, purge, reported in (
        ("ingress", "rules", "purge_rules", "ip_permissions"),
        ("egress", "rules_egress", "purge_rules_egress", "ip_permissions_egress"),
    ):
        if desired.get(option) is None:
            continue
        try:
            wanted = desired_permissions(desired[option], group_id)
        except PeerNotFound:
            differences.append(direction)
            continue
        changes = rule_changes(reported_permissions(current.get(reported)), wanted, desired.get(purge, True))
        if any(changes.values()):
            differences.append(direction)
    if desired.get("tags") is not None:
        to_set, to_unset = compare_aws_tags(current.get("tags") or {}, desired["tags"], desired.get("purge_tags", True))
        if to_set or to_unset:
            differences.append("tags")
    return differences


def strip_differences(current: Optional[Dict[str, Any]]) -> List[str]:
    """What stripping the VPC's default group would change: ingress and/or egress while it holds rules."""
    if not current:
        return []
    return [
        direction
        for direction, reported in (("ingress", "ip_permissions"), ("egress", "ip_permissions_egress"))
        if current.get(reported)
    ]


def differences(found: List[Dict[str, Any]], groups: List[Dict[str, Any]], default_group: str = "keep") -> List[str]:
    """Names of the groups (in order) ec2_security_groups would change, then "default" when it would strip it."""
    by_name = {group["group_name"]: group for group in found}
    group_id = resolver({name: group["group_id"] for name, group in by_name.items()})
    names = [group["name"] for group in groups if group_differences(by_name.get(group["name"]), group, group_id)]
    if default_group == "strip" and strip_differences(by_name.get(DEFAULT_GROUP_NAME)):
        names.append(DEFAULT_GROUP_NAME)
    return names
