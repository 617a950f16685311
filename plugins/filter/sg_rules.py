# -*- coding: utf-8 -*-
# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: sg_rules
short_description: Security group rules as comparable strings, from module options or from what AWS reports
version_added: 0.2.0
description:
  - Turns the O(amazon.aws.ec2_security_group#module:rules) (or C(rules_egress)) list of that module into a sorted
    list of strings, one per permission (protocol, port range, peer, description), so a role can tell whether
    a group already has exactly these rules without calling the module.
  - With O(reported=true) it turns C(ip_permissions) or C(ip_permissions_egress) of
    M(amazon.aws.ec2_security_group_info) into the same strings.
  - The two lists are equal exactly when M(amazon.aws.ec2_security_group) with C(purge_rules=true) (or
    C(purge_rules_egress=true)) would change nothing.
options:
  _input:
    description: The rules (module options), or the reported permissions with O(reported=true).
    type: list
    elements: dict
    required: true
  reported:
    description: Whether the input is what M(amazon.aws.ec2_security_group_info) reports.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Set the rules of a group only when they differ
  amazon.aws.ec2_security_group:
    name: payment-dev-alb
    description: Internal ALB
    vpc_id: "{{ vpc_id }}"
    rules: "{{ rules }}"
    purge_rules: true
  when: >-
    (found.ip_permissions | payments.infra.sg_rules(reported=true)) != (rules | payments.infra.sg_rules)
"""

RETURN = r"""
_value:
  description: Sorted strings C(<protocol>|<from port>|<to port>|<peer>|<description>).
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

PROTOCOLS = {"tcp": "6", "udp": "17", "icmp": "1", "all": "-1", "-1": "-1"}


def _protocol(value):
    text = str(value).lower()
    return PROTOCOLS.get(text, text)


def _port_ranges(rule):
    if rule.get("ports") is not None:
        ports = rule["ports"] if isinstance(rule["ports"], list) else [rule["ports"]]
        ranges = []
        for port in ports:
            text = str(port)
            if "-" in text:
                low, high = text.split("-", 1)
                ranges.append((int(low), int(high)))
            else:
                ranges.append((int(text), int(text)))
        return ranges
    if rule.get("from_port") is not None or rule.get("to_port") is not None:
        return [(int(rule.get("from_port", -1)), int(rule.get("to_port", -1)))]
    return [(-1, -1)]


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _key(protocol, low, high, peer, description):
    if protocol == "-1":
        low, high = -1, -1
    return "|".join([protocol, str(low), str(high), peer, description or ""])


def _desired(rules):
    keys = []
    for rule in rules or []:
        protocol = _protocol(rule.get("proto", rule.get("ip_protocol", "tcp")))
        peers = ["group:" + group for group in _as_list(rule.get("group_id"))]
        peers += ["cidr:" + cidr for cidr in _as_list(rule.get("cidr_ip"))]
        peers += ["cidr6:" + cidr for cidr in _as_list(rule.get("cidr_ipv6"))]
        peers += ["prefix:" + prefix for prefix in _as_list(rule.get("ip_prefix"))]
        if rule.get("group_name") is not None:
            raise AnsibleFilterError("sg_rules compares group_id peers only, not group_name")
        for low, high in _port_ranges(rule):
            keys += [_key(protocol, low, high, peer, rule.get("rule_desc")) for peer in peers]
    return sorted(keys)


def _reported(permissions):
    keys = []
    for permission in permissions or []:
        protocol = _protocol(permission.get("ip_protocol", "-1"))
        low = permission.get("from_port", -1)
        high = permission.get("to_port", -1)
        low = -1 if low is None else low
        high = -1 if high is None else high
        for pair in permission.get("user_id_group_pairs") or []:
            keys.append(_key(protocol, low, high, "group:" + pair["group_id"], pair.get("description")))
        for ip_range in permission.get("ip_ranges") or []:
            keys.append(_key(protocol, low, high, "cidr:" + ip_range["cidr_ip"], ip_range.get("description")))
        for ip_range in permission.get("ipv6_ranges") or []:
            keys.append(_key(protocol, low, high, "cidr6:" + ip_range["cidr_ipv6"], ip_range.get("description")))
        for prefix in permission.get("prefix_list_ids") or []:
            keys.append(_key(protocol, low, high, "prefix:" + prefix["prefix_list_id"], prefix.get("description")))
    return sorted(keys)


def sg_rules(rules, reported=False):
    if not isinstance(rules, list):
        raise AnsibleFilterError("sg_rules expects a list, got %s" % type(rules).__name__)
    return _reported(rules) if reported else _desired(rules)


class FilterModule:
    def filters(self):
        return {"sg_rules": sg_rules}
