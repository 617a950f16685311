# -*- coding: utf-8 -*-
# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: ec2_nat_gateways_plan
short_description: What payments.infra.ec2_nat_gateways would do, from NAT gateways and addresses already read
version_added: 0.2.0
description:
  - Compares the items of the O(payments.infra.ec2_nat_gateways#module:nat_gateways) option with the NAT gateways
    and the Elastic IPs read by M(payments.infra.ec2_vpc_resources_info)
    (RV(payments.infra.ec2_vpc_resources_info#module:nat_gateways),
    RV(payments.infra.ec2_vpc_resources_info#module:addresses)), with the module's own comparison code. A playbook
    calls the module only when an item has C(differences), so a converged account costs no module call.
options:
  _input:
    description: The module's nat_gateways items (subnet_id, tags, eip_tags, connectivity_type).
    type: list
    elements: dict
    required: true
  nat_gateways:
    description: The NAT gateways read (pending or available), in the shape of M(amazon.aws.ec2_vpc_nat_gateway_info).
    type: list
    elements: dict
    required: true
  addresses:
    description:
      - The Elastic IPs read (at least those named by the items' eip_tags), as M(amazon.aws.ec2_eip_info) returns them.
    type: list
    elements: dict
    required: true
  purge_tags:
    description: The module's O(payments.infra.ec2_nat_gateways#module:purge_tags).
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Create the NAT gateways, or correct their tags, only where something differs
  vars:
    plan: "{{ wanted | payments.infra.ec2_nat_gateways_plan(found.nat_gateways, found.addresses) }}"
  payments.infra.ec2_nat_gateways:
    nat_gateways: "{{ wanted }}"
  when: plan | map(attribute='differences') | select | list | length > 0
"""

RETURN = r"""
_value:
  description:
    - One entry per item, in their order - subnet_id, nat_gateway_id (null when missing), allocation_id and
      public_ip (the NAT gateway's, or the named Elastic IP a creation would reuse), connectivity_type, state, tags,
      and differences (C(missing), C(tags), C(connectivity_type), C(allocation_id); empty when nothing differs).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.payments.infra.plugins.module_utils.nat_gateway_compare import item_error
from ansible_collections.payments.infra.plugins.module_utils.nat_gateway_compare import plan_nat_gateways

PUBLIC_KEYS = (
    "subnet_id",
    "nat_gateway_id",
    "allocation_id",
    "public_ip",
    "connectivity_type",
    "state",
    "tags",
    "differences",
)


def ec2_nat_gateways_plan(items, nat_gateways, addresses, purge_tags=True):
    for name, value in (("items", items), ("nat_gateways", nat_gateways), ("addresses", addresses)):
        if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
            raise AnsibleFilterError(f"ec2_nat_gateways_plan: {name} must be a list of dicts")
    for index, item in enumerate(items):
        error = item_error(item)
        if error:
            raise AnsibleFilterError(f"ec2_nat_gateways_plan: item {index}: {error}")
    plans = plan_nat_gateways(items, nat_gateways, addresses, bool(purge_tags))
    return [{key: plan[key] for key in PUBLIC_KEYS} for plan in plans]


class FilterModule:
    def filters(self):
        return {"ec2_nat_gateways_plan": ec2_nat_gateways_plan}
