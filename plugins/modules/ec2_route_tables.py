#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: ec2_route_tables
short_description: Create or update several route tables of a VPC in one pass
version_added: 0.2.0
description:
  - Reconciles every route table of O(route_tables) in one module run, each as M(amazon.aws.ec2_vpc_route_table)
    does with O(amazon.aws.ec2_vpc_route_table#module:lookup=tag) and the same purge options, to the same end state
    (the table found by its C(Name) tag, its routes with a destination CIDR block, its subnet associations and its
    tags).
  - Reads every route table of the VPC with one C(DescribeRouteTables) (filter C(vpc-id)), then writes only what
    differs, with no fixed sleep (M(amazon.aws.ec2_vpc_route_table) sleeps 5 seconds after every change).
  - A new table is created with its tags in one C(CreateRouteTable) (tag specifications), so it is never untagged
    and a run interrupted after it is created finds it by name.
  - Routes are created (C(CreateRoute)), replaced when their destination exists with another target
    (C(ReplaceRoute)) and, with O(purge_routes=true), deleted (C(DeleteRoute)) when not listed. Only routes created
    with C(CreateRoute) are managed; the local route, propagated routes and gateway endpoint routes (prefix list
    destinations) are left alone, as M(amazon.aws.ec2_vpc_route_table) leaves them.
  - A listed subnet associated with another table is moved to this one (C(ReplaceRouteTableAssociation)), one
    associated with no table is associated (C(AssociateRouteTable)); with O(purge_subnets=true) the table's other
    subnets are disassociated (C(DisassociateRouteTable)) unless another table of O(route_tables) takes them.
  - AWS is eventually consistent; a table, NAT gateway, internet gateway or subnet created moments before may be
    unknown to the next request for a while. Those C(NotFound) answers are retried with backoff. A route may target
    a NAT gateway that is still C(pending).
  - The tables are handled in the order given; an error stops the run at that table (the earlier ones are done).
author:
  - payments.infra maintainers (@payments-infra)
options:
  vpc_id:
    description: ID of the VPC of the route tables.
    type: str
    required: true
  route_tables:
    description:
      - The route tables. Names must be distinct and a subnet may be listed by one table only.
      - An empty list does nothing.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The C(Name) tag of the table, by which it is found among the VPC's tables (it must be unique).
        type: str
        required: true
      tags:
        description:
          - Tags of the table besides C(Name) (which is always O(route_tables[].name)). Unset leaves the other
            tags alone.
        type: dict
      subnets:
        description:
          - IDs of the subnets associated with the table. Unset leaves the associations alone.
        type: list
        elements: str
      routes:
        description:
          - Routes of the table. Unset leaves the routes alone; an empty list (with O(purge_routes=true)) removes
            every route the table's owner created.
        type: list
        elements: dict
        suboptions:
          dest:
            description: Destination CIDR block (IPv4 or IPv6).
            type: str
            required: true
          gateway_id:
            description:
              - ID of an internet gateway (or virtual private gateway).
              - A C(nat-) ID is taken as O(route_tables[].routes[].nat_gateway_id).
            type: str
          nat_gateway_id:
            description: ID of a NAT gateway (it may still be pending).
            type: str
  purge_routes:
    description: Delete the routes created with C(CreateRoute) that O(route_tables[].routes) does not list.
    type: bool
    default: true
  purge_subnets:
    description: Disassociate the subnets that O(route_tables[].subnets) does not list.
    type: bool
    default: true
  purge_tags:
    description:
      - Remove the tags that O(route_tables[].tags) does not list (only when it is set; C(aws:*) tags are kept).
    type: bool
    default: true
notes:
  - Supports check mode (nothing is written; the results are the planned state, with a null id for a table that
    would be created) and diff mode (each table before and after, by name).
  - The filter P(payments.infra.ec2_route_tables_differences#filter) compares with the same code, from what
    M(payments.infra.ec2_vpc_resources_info) read, so a playbook can skip this module when nothing differs.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: A public table and a private one per AZ
  payments.infra.ec2_route_tables:
    vpc_id: vpc-0123456789abcdef0
    route_tables:
      - name: payment-prod-rt-public
        tags: {Environment: prod, Tier: public}
        subnets: [subnet-0aaa, subnet-0bbb]
        routes:
          - dest: 0.0.0.0/0
            gateway_id: igw-0123456789abcdef0
      - name: payment-prod-rt-private-eu-west-1a
        tags: {Environment: prod, Tier: private}
        subnets: [subnet-0ccc]
        routes:
          - dest: 0.0.0.0/0
            nat_gateway_id: nat-0123456789abcdef0
  register: tables

- name: The table ids, by name
  ansible.builtin.debug:
    msg: "{{ dict(tables.route_tables | map(attribute='name') | zip(tables.route_tables | map(attribute='id'))) }}"
"""

RETURN = r"""
route_tables:
  description:
    - The tables in the order of O(route_tables), as they are after the run (as planned in check mode).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: ID of the table; null for a table check mode would create.
      returned: always
      type: str
      sample: rtb-0123456789abcdef0
    name:
      description: The table's C(Name) tag.
      returned: always
      type: str
      sample: payment-prod-rt-public
    changed:
      description: Whether the table was created or changed (or would be, in check mode).
      returned: always
      type: bool
      sample: true
    tags:
      description: Tags of the table.
      returned: always
      type: dict
      sample: {"Name": "payment-prod-rt-public", "Environment": "prod"}
    routes:
      description: The routes created with C(CreateRoute) that have a destination CIDR block, sorted by destination.
      returned: always
      type: list
      elements: dict
      contains:
        dest:
          description: Destination CIDR block.
          returned: always
          type: str
          sample: 0.0.0.0/0
        target:
          description: ID of the target (internet gateway, NAT gateway, ...).
          returned: always
          type: str
          sample: igw-0123456789abcdef0
    subnets:
      description: IDs of the subnets associated with the table, sorted.
      returned: always
      type: list
      elements: str
      sample: [subnet-0aaa, subnet-0bbb]
changed_route_tables:
  description: Names of the tables created or changed (or that would be, in check mode), in O(route_tables) order.
  returned: always
  type: list
  elements: str
  sample: [payment-prod-rt-public]
"""

from ansible_collections.payments.infra.plugins.module_utils.ec2 import PaymentsEC2Error
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule
from ansible_collections.payments.infra.plugins.module_utils.route_table_compare import RouteTablePlanError
from ansible_collections.payments.infra.plugins.module_utils.route_table_compare import plan_route_tables
from ansible_collections.payments.infra.plugins.module_utils.route_tables import ensure_route_tables


def validate(module):
    """Fail before any AWS call on repeated names, a subnet in two tables or a malformed route."""
    tables = module.params["route_tables"]
    module.validate_list_option("route_tables", [table["name"] for table in tables])
    try:
        plan_route_tables([], tables)
    except RouteTablePlanError as e:
        module.fail_json(msg=f"route_tables: {e}")


def main():
    argument_spec = dict(
        vpc_id=dict(type="str", required=True),
        route_tables=dict(
            type="list",
            elements="dict",
            required=True,
            options=dict(
                name=dict(type="str", required=True),
                tags=dict(type="dict"),
                subnets=dict(type="list", elements="str"),
                routes=dict(
                    type="list",
                    elements="dict",
                    options=dict(
                        dest=dict(type="str", required=True),
                        gateway_id=dict(type="str"),
                        nat_gateway_id=dict(type="str"),
                    ),
                    mutually_exclusive=[["gateway_id", "nat_gateway_id"]],
                    required_one_of=[["gateway_id", "nat_gateway_id"]],
                ),
            ),
        ),
        purge_routes=dict(type="bool", default=True),
        purge_subnets=dict(type="bool", default=True),
        purge_tags=dict(type="bool", default=True),
    )
    module = PaymentsAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)

    params = module.params
    if not params["route_tables"]:
        module.exit_with_diff(
            {"changed": False, "route_tables": [], "changed_route_tables": [], "diff": {"before": {}, "after": {}}}
        )
    try:
        results, diff = ensure_route_tables(
            module.client("ec2"),
            params["vpc_id"],
            params["route_tables"],
            purge_routes=params["purge_routes"],
            purge_subnets=params["purge_subnets"],
            purge_tags=params["purge_tags"],
            check_mode=module.check_mode,
        )
    except RouteTablePlanError as e:
        module.fail_json(msg=str(e))
    except PaymentsEC2Error as e:
        module.fail_json_aws_error(e)

    changed = [table["name"] for table in results if table["changed"]]
    module.exit_with_diff(
        {"changed": bool(changed), "route_tables": results, "changed_route_tables": changed, "diff": diff}
    )


if __name__ == "__main__":
    main()
