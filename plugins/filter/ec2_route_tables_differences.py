# -*- coding: utf-8 -*-
# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: ec2_route_tables_differences
short_description: What payments.infra.ec2_route_tables would change on the route tables of a VPC
version_added: 0.2.0
description:
  - Compares the route tables of a VPC as M(payments.infra.ec2_vpc_resources_info) returns them
    (RV(payments.infra.ec2_vpc_resources_info#module:route_tables)) with the O(wanted) tables of
    M(payments.infra.ec2_route_tables), with that module's own code - the table found by its C(Name) tag, exact tags
    (with O(purge_tags)), the routes created with C(CreateRoute) that have a CIDR destination (with O(purge_routes)),
    the subnet associations (with O(purge_subnets)).
  - A playbook runs the module only when some table's C(differences) is not empty.
options:
  _input:
    description: Every route table of the VPC, as M(payments.infra.ec2_vpc_resources_info) returns them.
    type: list
    elements: dict
    required: true
  wanted:
    description: The O(payments.infra.ec2_route_tables#module:route_tables) option of the module.
    type: list
    elements: dict
    required: true
  purge_routes:
    description: As the module's option.
    type: bool
    default: true
  purge_subnets:
    description: As the module's option.
    type: bool
    default: true
  purge_tags:
    description: As the module's option.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Create or update the route tables only when one differs
  payments.infra.ec2_route_tables:
    vpc_id: "{{ vpc_id }}"
    route_tables: "{{ wanted }}"
  when: >-
    found.route_tables | payments.infra.ec2_route_tables_differences(wanted)
    | map(attribute='differences') | flatten | length > 0
"""

RETURN = r"""
_value:
  description:
    - One item per wanted table, in order - C(name), C(id) (the existing table's ID, empty when it does not exist)
      and C(differences), some of C(missing), C(tags), C(routes), C(subnets); empty when the module would change
      nothing on that table.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.payments.infra.plugins.module_utils.route_table_compare import RouteTablePlanError
from ansible_collections.payments.infra.plugins.module_utils.route_table_compare import route_table_differences


def ec2_route_tables_differences(current, wanted, purge_routes=True, purge_subnets=True, purge_tags=True):
    if not isinstance(current, list) or not all(isinstance(table, dict) for table in current):
        raise AnsibleFilterError("ec2_route_tables_differences: the input must be a list of route tables (dicts)")
    if not isinstance(wanted, list) or not all(isinstance(table, dict) and table.get("name") for table in wanted):
        raise AnsibleFilterError("ec2_route_tables_differences: wanted must be a list of dicts with a name")
    try:
        return route_table_differences(current, wanted, bool(purge_routes), bool(purge_subnets), bool(purge_tags))
    except RouteTablePlanError as e:
        raise AnsibleFilterError(f"ec2_route_tables_differences: {e}") from e


class FilterModule:
    def filters(self):
        return {"ec2_route_tables_differences": ec2_route_tables_differences}
