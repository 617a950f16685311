# -*- coding: utf-8 -*-
# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: network_outputs
short_description: Rebuild the network tier's outputs from its tagged resources
version_added: 0.1.0
description:
  - Takes what the amazon.aws C(*_info) modules return for the payment VPC (subnets, route tables,
    NAT gateways, security groups; snake_case with tags as a dict) and returns the
    C(network_outputs) fact later tiers use, exactly as the network role publishes it.
  - Subnets and route tables are grouped by their C(Tier) tag, security groups by C(Component).
options:
  _input:
    description: The VPC (an item of C(amazon.aws.ec2_vpc_net_info)'s C(vpcs)), or an empty dict.
    type: dict
    required: true
  subnets:
    description: C(subnets) of C(amazon.aws.ec2_vpc_subnet_info).
    type: list
    elements: dict
    required: true
  route_tables:
    description: C(route_tables) of C(amazon.aws.ec2_vpc_route_table_info).
    type: list
    elements: dict
    required: true
  nat_gateways:
    description: C(result) of C(amazon.aws.ec2_vpc_nat_gateway_info).
    type: list
    elements: dict
    required: true
  security_groups:
    description: C(security_groups) of C(amazon.aws.ec2_security_group_info).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Publish the network outputs found by tags
  ansible.builtin.set_fact:
    network_outputs: >-
      {{ network__vpc | payments.infra.network_outputs(network__subnets, network__route_tables, network__nats,
                                                       network__sgs) }}
"""

RETURN = r"""
_value:
  description: vpc_id, vpc_cidr, availability_zones, subnet_ids, subnet_cidrs, route_table_ids, nat_gateway_ids,
    security_group_ids.
  type: dict
"""

SG_COMPONENTS = {
    "alb": "alb-sg",
    "vpc_link": "vpc_link-sg",
    "lambda": "lambda-sg",
    "aurora": "aurora-sg",
    "endpoints": "endpoints-sg",
}


def _tag(resource, key):
    return (resource.get("tags") or {}).get(key)


def network_outputs(vpc, subnets, route_tables, nat_gateways, security_groups):
    """Rebuild the network_outputs fact from the network tier's resources, found by their tags.

    Inputs are the lists the amazon.aws *_info modules return (snake_case, tags as a dict).
    """
    vpc = vpc or {}
    tiers = ("public", "private", "database")
    tier_subnets = {
        tier: sorted(
            (s for s in subnets or [] if _tag(s, "Tier") == tier), key=lambda s: s.get("availability_zone", "")
        )
        for tier in tiers
    }
    tier_tables = {
        tier: sorted((t for t in route_tables or [] if _tag(t, "Tier") == tier), key=lambda t: _tag(t, "Name") or "")
        for tier in tiers
    }
    sg_by_component = {_tag(g, "Component"): g.get("group_id") for g in security_groups or []}
    nats = sorted(
        (n for n in nat_gateways or [] if n.get("state") in ("pending", "available") and _tag(n, "Component") == "nat"),
        key=lambda n: _tag(n, "Name") or "",
    )
    return {
        "vpc_id": vpc.get("id") or vpc.get("vpc_id"),
        "vpc_cidr": vpc.get("cidr_block"),
        "availability_zones": [s.get("availability_zone") for s in tier_subnets["private"]],
        "subnet_ids": {tier: [s.get("id") or s.get("subnet_id") for s in tier_subnets[tier]] for tier in tiers},
        "subnet_cidrs": {tier: [s.get("cidr_block") for s in tier_subnets[tier]] for tier in tiers},
        "route_table_ids": {
            tier: [t.get("id") or t.get("route_table_id") for t in tier_tables[tier]] for tier in tiers
        },
        "nat_gateway_ids": [n.get("nat_gateway_id") for n in nats],
        "security_group_ids": {key: sg_by_component.get(component) for key, component in SG_COMPONENTS.items()},
    }


class FilterModule:
    def filters(self):
        return {"network_outputs": network_outputs}
