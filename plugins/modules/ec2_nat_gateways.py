#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: ec2_nat_gateways
short_description: Create a list of public NAT gateways, one per subnet, each with an Elastic IP of its own
version_added: 0.2.0
description:
  - Ensures in one module run that each subnet of O(nat_gateways) has a public NAT gateway (pending or available)
    with the tags asked for, as M(amazon.aws.ec2_eip) followed by M(amazon.aws.ec2_vpc_nat_gateway)
    (C(if_exist_do_not_create=true)) would per subnet, without their per-item module runs.
  - Reads all the NAT gateways of the subnets with one C(DescribeNatGateways) and all the Elastic IPs named by
    O(nat_gateways[].eip_tags) with one C(DescribeAddresses). A run that changes nothing makes these two requests.
  - A NAT gateway is found by its subnet, in the C(pending) or C(available) state (C(deleting), C(deleted) and
    C(failed) ones are ignored).
  - For a missing NAT gateway, the Elastic IP tagged C(Name=<eip_tags.Name>) is used when one exists (a run
    killed between the allocation and the creation of the NAT gateway left it), else a new one is allocated,
    tagged with O(nat_gateways[].eip_tags) in the C(AllocateAddress) request itself. The NAT gateway is created
    tagged (C(TagSpecifications)) with a C(ClientToken), so a retried request never makes a second one.
  - The tags of an existing NAT gateway are corrected (O(purge_tags)). The tags of an existing Elastic IP are left
    as they are.
  - An existing NAT gateway that is not public, or does not use the Elastic IP named for it while that address
    exists, is reported (a warning and RV(nat_gateways[].differences)), not replaced.
  - Private NAT gateways, deleting NAT gateways and releasing addresses are out of scope (use
    M(amazon.aws.ec2_vpc_nat_gateway)).
author:
  - payments.infra maintainers (@payments-infra)
options:
  nat_gateways:
    description:
      - The NAT gateways, one per subnet. Subnets must be distinct, and so must the Elastic IP names.
      - An empty list does nothing.
    type: list
    elements: dict
    required: true
    suboptions:
      subnet_id:
        description: The subnet of the NAT gateway (a public subnet, with a route to an internet gateway).
        type: str
        required: true
      tags:
        description:
          - Tags of the NAT gateway. Unset leaves the tags of an existing NAT gateway alone.
          - With O(purge_tags=true), tags not listed are removed (C(aws:*) tags are kept).
        type: dict
      eip_tags:
        description:
          - Tags of the Elastic IP allocated for the NAT gateway, set at allocation. They must hold C(Name), the
            tag the address is found again by.
        type: dict
        required: true
      connectivity_type:
        description: Connectivity type of the NAT gateway.
        type: str
        choices: [public]
        default: public
  purge_tags:
    description: Remove the tags of a NAT gateway that O(nat_gateways[].tags) does not list.
    type: bool
    default: true
  wait:
    description:
      - Wait until the NAT gateways this run created are available (boto3's C(nat_gateway_available) waiter).
      - A NAT gateway found pending is not waited for.
    type: bool
    default: false
  wait_timeout:
    description: How long to wait, in seconds, with O(wait=true).
    type: int
    default: 600
  state:
    description: Only C(present) is supported.
    type: str
    choices: [present]
    default: present
notes:
  - Supports check mode (nothing is allocated or created; RV(nat_gateways[].nat_gateway_id) of a NAT gateway to
    create is null) and diff mode (each NAT gateway before and after, by subnet).
  - IAM permissions - C(ec2:DescribeNatGateways), C(ec2:DescribeAddresses), C(ec2:AllocateAddress),
    C(ec2:CreateNatGateway), C(ec2:CreateTags) (also at creation, for C(TagSpecifications)), C(ec2:DeleteTags).
  - A subnet or an address just created may not be visible yet to C(CreateNatGateway); the call is retried on
    C(InvalidSubnetID.NotFound) and C(InvalidAllocationID.NotFound).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: One NAT gateway per public subnet, without waiting
  payments.infra.ec2_nat_gateways:
    nat_gateways:
      - subnet_id: subnet-0a1b2c3d4e5f60001
        tags: {Name: payment-prod-nat-eu-west-1a, Environment: prod}
        eip_tags: {Name: payment-prod-nat-eu-west-1a, Environment: prod, Component: nat-eip}
      - subnet_id: subnet-0a1b2c3d4e5f60002
        tags: {Name: payment-prod-nat-eu-west-1b, Environment: prod}
        eip_tags: {Name: payment-prod-nat-eu-west-1b, Environment: prod, Component: nat-eip}
  register: nats

- name: The NAT gateway ids, in the order of the subnets
  ansible.builtin.debug:
    msg: "{{ nats.nat_gateways | map(attribute='nat_gateway_id') | list }}"

- name: Create and wait until available
  payments.infra.ec2_nat_gateways:
    nat_gateways:
      - subnet_id: subnet-0a1b2c3d4e5f60001
        eip_tags: {Name: payment-dev-nat-eu-west-1a}
    wait: true
"""

RETURN = r"""
nat_gateways:
  description: One entry per item of O(nat_gateways), in their order, after the change (planned in check mode).
  returned: always
  type: list
  elements: dict
  contains:
    subnet_id:
      description: The subnet.
      returned: always
      type: str
      sample: subnet-0a1b2c3d4e5f60001
    nat_gateway_id:
      description: The NAT gateway; null when it would be created (check mode).
      returned: always
      type: str
      sample: nat-0123456789abcdef0
    allocation_id:
      description: The NAT gateway's Elastic IP (for a NAT gateway to create, the address it would reuse, or null).
      returned: always
      type: str
      sample: eipalloc-0123456789abcdef0
    public_ip:
      description: The public address of that Elastic IP.
      returned: always
      type: str
      sample: 203.0.113.10
    connectivity_type:
      description: Connectivity type of the NAT gateway.
      returned: always
      type: str
      sample: public
    state:
      description: State of the NAT gateway (C(pending) for one created, or to create, by this run).
      returned: always
      type: str
      sample: available
    tags:
      description: Tags of the NAT gateway.
      returned: always
      type: dict
      sample: {"Name": "payment-prod-nat-eu-west-1a"}
    differences:
      description:
        - What differed before the run; C(missing), C(tags) (both corrected), C(connectivity_type) and
          C(allocation_id) (reported only).
      returned: always
      type: list
      elements: str
      sample: [tags]
    changed:
      description: Whether this NAT gateway was (or would be) created or its tags changed.
      returned: always
      type: bool
      sample: false
"""

from ansible_collections.payments.infra.plugins.module_utils.ec2 import PaymentsEC2Error
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule
from ansible_collections.payments.infra.plugins.module_utils.nat_gateway_compare import eip_name
from ansible_collections.payments.infra.plugins.module_utils.nat_gateway_compare import item_error
from ansible_collections.payments.infra.plugins.module_utils.nat_gateway_compare import plan_nat_gateways
from ansible_collections.payments.infra.plugins.module_utils.nat_gateways import WAITER_DELAY
from ansible_collections.payments.infra.plugins.module_utils.nat_gateways import describe_addresses_named
from ansible_collections.payments.infra.plugins.module_utils.nat_gateways import describe_nat_gateways_by_id
from ansible_collections.payments.infra.plugins.module_utils.nat_gateways import describe_nat_gateways_in_subnets
from ansible_collections.payments.infra.plugins.module_utils.nat_gateways import ensure_nat_gateway
from ansible_collections.payments.infra.plugins.module_utils.nat_gateways import reported_warnings
from ansible_collections.payments.infra.plugins.module_utils.nat_gateways import wait_available


def _diff_view(result):
    return {key: result[key] for key in ("nat_gateway_id", "allocation_id", "connectivity_type", "tags")}


def ensure_nat_gateways(client, items, purge_tags, check_mode, *, wait=False, wait_timeout=600):
    """(changed, results, diff, warnings): one read of the NAT gateways and one of the addresses, then per item the
    creation or tag correction that plan_nat_gateways finds needed."""
    gateways = describe_nat_gateways_in_subnets(client, [item["subnet_id"] for item in items])
    addresses = describe_addresses_named(client, [eip_name(item) for item in items])
    plans = plan_nat_gateways(items, gateways, addresses, purge_tags)
    results, created, before, after = [], [], {}, {}
    for index, item in enumerate(items):
        plan = plans[index]
        before[item["subnet_id"]] = _diff_view(plan) if plan["nat_gateway_id"] else {}
        _changed, result, created_id = ensure_nat_gateway(client, item, plan, check_mode)
        if created_id:
            created.append(created_id)
        results.append(result)
        after[item["subnet_id"]] = _diff_view(result)
    if wait and created and not check_mode:
        wait_available(client, created, max_attempts=max(1, -(-wait_timeout // WAITER_DELAY)))
        states = {g["nat_gateway_id"]: g.get("state") for g in describe_nat_gateways_by_id(client, created)}
        for result in results:
            result["state"] = states.get(result["nat_gateway_id"], result["state"])
    changed = any(result["changed"] for result in results)
    return changed, results, {"before": before, "after": after}, reported_warnings(plans, items)


def main():
    argument_spec = dict(
        nat_gateways=dict(
            type="list",
            elements="dict",
            required=True,
            options=dict(
                subnet_id=dict(type="str", required=True),
                tags=dict(type="dict"),
                eip_tags=dict(type="dict", required=True),
                connectivity_type=dict(type="str", choices=["public"], default="public"),
            ),
        ),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=600),
        state=dict(type="str", choices=["present"], default="present"),
    )
    module = PaymentsAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    items = module.params["nat_gateways"]
    module.validate_list_option("nat_gateways", [item["subnet_id"] for item in items], "subnets", item_error)
    module.validate_list_option("nat_gateways", [eip_name(item) for item in items], "eip_tags.Name values")

    if not items:
        module.exit_with_diff({"changed": False, "nat_gateways": [], "diff": {"before": {}, "after": {}}})
    try:
        changed, results, diff, warnings = ensure_nat_gateways(
            module.client("ec2"),
            items,
            module.params["purge_tags"],
            module.check_mode,
            wait=module.params["wait"],
            wait_timeout=module.params["wait_timeout"],
        )
    except PaymentsEC2Error as e:
        module.fail_json_aws_error(e)

    module.exit_with_diff({"changed": changed, "nat_gateways": results, "diff": diff}, warnings)


if __name__ == "__main__":
    main()
