# -*- coding: utf-8 -*-
# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: subnet_plan
short_description: Plan and check the subnets of the payment VPC
version_added: 0.1.0
description:
  - Derives one subnet per availability zone for each tier (public, private, database) from the VPC
    CIDR, or takes the CIDRs given for a tier, and checks the whole plan.
  - Returns C(subnets) (tier to list of CIDRs, in AZ order) and C(problems), a list of messages that
    name the variable at fault. An empty C(problems) means the plan is usable.
  - Derived subnets use blocks of 8 per tier (public 0-7, private 8-15, database 16-23), AZ n taking
    the n-th subnet of its tier's block.
options:
  _input:
    description: The VPC CIDR (value of C(network_vpc_cidr)).
    type: str
    required: true
  az_count:
    description: Number of availability zones.
    type: int
    required: true
  prefix:
    description: Prefix length of derived subnets.
    type: int
    default: 24
  overrides:
    description: Explicit CIDRs per tier (value of C(network_subnets)).
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Plan the subnets
  ansible.builtin.set_fact:
    network__plan: >-
      {{ network_vpc_cidr | payments.infra.subnet_plan(network_az_count, network_subnet_prefix, network_subnets) }}
"""

RETURN = r"""
_value:
  description: C(subnets) (tier to CIDR list) and C(problems) (list of messages).
  type: dict
"""

import ipaddress

TIERS = ("public", "private", "database")
BLOCK = 8


def _network(value):
    try:
        return ipaddress.IPv4Network(str(value), strict=True)
    except (ipaddress.AddressValueError, ipaddress.NetmaskValueError, ValueError):
        return None


def subnet_plan(vpc_cidr, az_count, prefix=24, overrides=None):
    overrides = overrides or {}
    problems = []
    subnets = {tier: [] for tier in TIERS}
    vpc = _network(vpc_cidr)
    if vpc is None:
        problems.append(
            f"network_vpc_cidr={vpc_cidr!r} is not an IPv4 network in CIDR form with its host bits zero"
            " (e.g. 10.0.0.0/16)"
        )
        return {"subnets": subnets, "problems": problems}
    if not 16 <= vpc.prefixlen <= 24:
        problems.append(
            f"network_vpc_cidr={vpc_cidr!r}: AWS allows VPC prefixes /16 to /28; this stack needs /16 to /24"
        )
    try:
        az_count = int(az_count)
        prefix = int(prefix)
    except (TypeError, ValueError):
        problems.append(f"network_az_count={az_count!r} and network_subnet_prefix={prefix!r} must be integers")
        return {"subnets": subnets, "problems": problems}
    unknown = sorted(set(overrides) - set(TIERS))
    if unknown:
        problems.append(f"network_subnets has unknown tiers {unknown}; use {list(TIERS)}")

    for index, tier in enumerate(TIERS):
        given = overrides.get(tier)
        if given:
            if not isinstance(given, (list, tuple)) or len(given) != az_count:
                problems.append(f"network_subnets.{tier} must list {az_count} CIDRs, one per AZ (got {given!r})")
                continue
            for position, cidr in enumerate(given):
                net = _network(cidr)
                if net is None:
                    problems.append(
                        f"network_subnets.{tier}[{position}]={cidr!r} is not an IPv4 CIDR with host bits zero"
                    )
                    continue
                subnets[tier].append(str(net))
            continue
        if not vpc.prefixlen <= prefix <= 28:
            problems.append(
                f"network_subnet_prefix={prefix} must be between the VPC prefix /{vpc.prefixlen} and /28 (AWS minimum)"
            )
            return {"subnets": subnets, "problems": problems}
        available = 2 ** (prefix - vpc.prefixlen)
        needed = index * BLOCK + az_count
        if az_count > BLOCK or needed > available:
            problems.append(
                f"network_subnet_prefix={prefix}: network_vpc_cidr={vpc_cidr} holds {available} such subnets, the "
                f"{tier} tier needs index {needed - 1}; use a longer prefix or set network_subnets.{tier}"
            )
            continue
        for az in range(az_count):
            subnets[tier].append(str(_nth_subnet(vpc, prefix, index * BLOCK + az)))

    flat = [(tier, i, ipaddress.IPv4Network(c)) for tier in TIERS for i, c in enumerate(subnets[tier])]
    for tier, position, net in flat:
        if not net.subnet_of(vpc):
            problems.append(f"network_subnets.{tier}[{position}]={net} is not inside network_vpc_cidr={vpc_cidr}")
        if net.prefixlen > 28:
            problems.append(f"network_subnets.{tier}[{position}]={net}: AWS subnets are /28 or larger")
    for a in range(len(flat)):
        for b in range(a + 1, len(flat)):
            if flat[a][2].overlaps(flat[b][2]):
                problems.append(
                    f"network_subnets: {flat[a][0]}[{flat[a][1]}]={flat[a][2]} overlaps"
                    f" {flat[b][0]}[{flat[b][1]}]={flat[b][2]}"
                )
    return {"subnets": subnets, "problems": problems}


def _nth_subnet(vpc, prefix, n):
    size = 2 ** (32 - prefix)
    return ipaddress.IPv4Network((int(vpc.network_address) + n * size, prefix))


class FilterModule:
    def filters(self):
        return {"subnet_plan": subnet_plan}
