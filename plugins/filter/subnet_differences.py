# -*- coding: utf-8 -*-
# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: subnet_differences
short_description: The subnets payments.infra.ec2_subnets would create or change, from one read of the VPC
version_added: 0.2.0
description:
  - Compares the desired subnets (the O(payments.infra.ec2_subnets#module:subnets) option of
    M(payments.infra.ec2_subnets)) with the subnets of the VPC as M(payments.infra.ec2_vpc_resources_info) (or
    M(amazon.aws.ec2_vpc_subnet_info)) returns them, with the module's own comparison (its module_utils) - a missing
    CIDR, C(map_public), C(assign_ipv6), an associated IPv6 CIDR block, C(tags) with C(purge_tags).
  - Returns the desired subnets that differ, unchanged and in their order - what to pass to the module. An empty list
    means the module would change nothing, so a playbook can skip it.
options:
  _input:
    description: The desired subnets, each a dict of C(cidr), C(az), C(tags), C(map_public), C(assign_ipv6).
    type: list
    elements: dict
    required: true
  current:
    description: The subnets of the VPC (RV(payments.infra.ec2_vpc_resources_info#module:subnets)); [] when none.
    type: list
    elements: dict
    required: true
  purge_tags:
    description: The module's O(payments.infra.ec2_subnets#module:purge_tags).
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Create or update only the subnets that differ
  payments.infra.ec2_subnets:
    vpc_id: "{{ found.vpcs[0].id }}"
    subnets: "{{ wanted | payments.infra.subnet_differences(found.subnets) }}"
  when: wanted | payments.infra.subnet_differences(found.subnets) | length > 0
"""

RETURN = r"""
_value:
  description: The desired subnets that are missing or differ, in the order given; [] when none does.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.payments.infra.plugins.module_utils.subnet_compare import differing_subnets


def subnet_differences(desired, current, purge_tags=True):
    if not isinstance(desired, list) or not all(isinstance(item, dict) for item in desired):
        raise AnsibleFilterError(f"subnet_differences: the desired subnets must be a list of dicts, got {desired!r}")
    if not isinstance(current, list) or not all(isinstance(item, dict) for item in current):
        raise AnsibleFilterError(f"subnet_differences: current must be a list of subnets (dicts), got {current!r}")
    try:
        return differing_subnets(current, desired, bool(purge_tags))
    except ValueError as e:
        raise AnsibleFilterError(f"subnet_differences: {e}") from e


class FilterModule:
    def filters(self):
        return {"subnet_differences": subnet_differences}
