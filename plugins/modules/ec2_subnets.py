#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: ec2_subnets
short_description: Create or update a list of subnets of one VPC, read in one pass
version_added: 0.2.0
description:
  - Reconciles every subnet of O(subnets) in one module run, each as M(amazon.aws.ec2_vpc_subnet) does for a subnet
    given with C(vpc_id), C(cidr), C(az), C(map_public), C(assign_instances_ipv6), C(tags) and C(purge_tags) and no
    C(ipv6_cidr), with the same AWS end state.
  - Reads the subnets of the VPC with one C(DescribeSubnets) (filter C(vpc-id)) and finds each subnet by its CIDR,
    where M(amazon.aws.ec2_vpc_subnet) reads each subnet, and again after every change, and waits on tag changes.
  - A missing subnet is created with its tags in the same C(CreateSubnet) call (C(TagSpecifications)), so a run
    killed after it leaves a tagged subnet that the next run finds by its CIDR. The new subnets not yet C(available)
    are waited for together with botocore's C(subnet_available) waiter (polled every 5 s, at most 5 minutes).
  - For an existing subnet, or a new one, only what differs is written, in this order - an IPv6 CIDR block
    associated with a subnet that has O(subnets[].assign_ipv6=false) is disassociated (after turning
    C(AssignIpv6AddressOnCreation) off), as M(amazon.aws.ec2_vpc_subnet) without C(ipv6_cidr) does; then
    C(MapPublicIpOnLaunch) and C(AssignIpv6AddressOnCreation) (C(ModifySubnetAttribute)), then the tags
    (C(DeleteTags), C(CreateTags)). The calls on a subnet retry C(InvalidSubnetID.NotFound) (eventual consistency).
  - The availability zone of an existing subnet is not compared (AWS cannot move a subnet; M(amazon.aws.ec2_vpc_subnet)
    does not compare it either). Subnets of the VPC that O(subnets) does not list are left alone.
  - The comparison is the one of the P(payments.infra.subnet_differences#filter) filter, which a playbook uses with
    M(payments.infra.ec2_vpc_resources_info) to call this module only with the subnets that differ.
author:
  - payments.infra maintainers (@payments-infra)
options:
  vpc_id:
    description: ID of the VPC of the subnets.
    type: str
    required: true
  subnets:
    description:
      - The subnets, found in the VPC by their CIDR. CIDRs must be distinct. An empty list does nothing (no AWS call).
    type: list
    elements: dict
    required: true
    suboptions:
      cidr:
        description: IPv4 CIDR block of the subnet, with its host bits zero (C(10.0.8.0/24)).
        type: str
        required: true
      az:
        description: Availability zone of a subnet to create (unset lets AWS choose). Not compared for an existing one.
        type: str
      tags:
        description:
          - Tags of the subnet, a dict of keys and values. Unset leaves the tags of an existing subnet alone.
          - With O(purge_tags=true), tags not listed are removed (C(aws:*) tags are kept).
        type: dict
        aliases: [resource_tags]
      map_public:
        description: Whether instances launched in the subnet get a public IPv4 address (C(MapPublicIpOnLaunch)).
        type: bool
        default: false
      assign_ipv6:
        description:
          - Whether network interfaces created in the subnet get an IPv6 address (C(AssignIpv6AddressOnCreation)).
          - V(true) needs an IPv6 CIDR block already associated with the subnet (this module associates none); the
            module fails before any write when a subnet asking for it has none.
          - With V(false), an IPv6 CIDR block associated with the subnet is disassociated.
        type: bool
        default: false
  purge_tags:
    description: Remove the tags of a subnet that O(subnets[].tags) does not list (only when it is set).
    type: bool
    default: true
  state:
    description: Only V(present) is supported; subnets are deleted with M(amazon.aws.ec2_vpc_subnet).
    type: str
    choices: [present]
    default: present
notes:
  - Supports check mode (reports what would change, writes nothing) and diff mode (each subnet before and after, by
    CIDR).
  - Needs C(ec2:DescribeSubnets), C(ec2:CreateSubnet), C(ec2:CreateTags) (also for C(TagSpecifications)),
    C(ec2:DeleteTags), C(ec2:ModifySubnetAttribute) and C(ec2:DisassociateSubnetCidrBlock).
  - The subnets returned are what this run read and wrote, not read again; EC2 is eventually consistent and a
    C(DescribeSubnets) just after a change may show the old values.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Three private subnets, one per AZ
  payments.infra.ec2_subnets:
    vpc_id: vpc-0123456789abcdef0
    subnets:
      - cidr: 10.0.8.0/24
        az: eu-west-1a
        tags: {Name: payment-prod-private-eu-west-1a, Tier: private}
      - cidr: 10.0.9.0/24
        az: eu-west-1b
        tags: {Name: payment-prod-private-eu-west-1b, Tier: private}
      - cidr: 10.0.10.0/24
        az: eu-west-1c
        tags: {Name: payment-prod-private-eu-west-1c, Tier: private}
  register: private

- name: The subnet ids, in the order given
  ansible.builtin.debug:
    msg: "{{ private.subnets | map(attribute='id') | list }}"

- name: Call it only for the subnets that differ from what one read found
  payments.infra.ec2_subnets:
    vpc_id: "{{ found.vpcs[0].id }}"
    subnets: "{{ wanted | payments.infra.subnet_differences(found.subnets) }}"
  when: wanted | payments.infra.subnet_differences(found.subnets) | length > 0
"""

RETURN = r"""
subnets:
  description:
    - The subnets in the order of O(subnets), as they are after the run (planned in check mode).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: ID of the subnet (null for a subnet that would be created in check mode).
      returned: always
      type: str
      sample: subnet-0123456789abcdef0
    cidr:
      description: IPv4 CIDR block.
      returned: always
      type: str
      sample: 10.0.8.0/24
    az:
      description: Availability zone.
      returned: always
      type: str
      sample: eu-west-1a
    vpc_id:
      description: ID of the VPC.
      returned: always
      type: str
      sample: vpc-0123456789abcdef0
    state:
      description: State of the subnet (C(available)); null for a subnet that would be created in check mode.
      returned: always
      type: str
      sample: available
    map_public:
      description: Whether instances get a public IPv4 address (C(MapPublicIpOnLaunch)).
      returned: always
      type: bool
      sample: false
    assign_ipv6:
      description: Whether network interfaces get an IPv6 address (C(AssignIpv6AddressOnCreation)).
      returned: always
      type: bool
      sample: false
    tags:
      description: Tags of the subnet.
      returned: always
      type: dict
      sample: {"Name": "payment-prod-private-eu-west-1a", "Tier": "private"}
    changed:
      description: Whether this subnet was created or changed (or would be, in check mode).
      returned: always
      type: bool
      sample: true
changed_subnets:
  description: CIDRs of the subnets created or changed (or that would be, in check mode), in O(subnets) order.
  returned: always
  type: list
  elements: str
  sample: [10.0.8.0/24]
"""

from ansible_collections.payments.infra.plugins.module_utils.ec2 import PaymentsEC2Error
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule
from ansible_collections.payments.infra.plugins.module_utils.subnets import ensure_subnets
from ansible_collections.payments.infra.plugins.module_utils.subnets import subnet_params_error


def main():
    argument_spec = dict(
        vpc_id=dict(type="str", required=True),
        subnets=dict(
            type="list",
            elements="dict",
            required=True,
            options=dict(
                cidr=dict(type="str", required=True),
                az=dict(type="str"),
                tags=dict(type="dict", aliases=["resource_tags"]),
                map_public=dict(type="bool", default=False),
                assign_ipv6=dict(type="bool", default=False),
            ),
        ),
        purge_tags=dict(type="bool", default=True),
        state=dict(type="str", choices=["present"], default="present"),
    )
    module = PaymentsAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    subnets = module.params["subnets"]
    module.validate_list_option(
        "subnets", [params["cidr"] for params in subnets], what="CIDRs", item_error=subnet_params_error
    )
    if not subnets:
        module.exit_with_diff(
            {"changed": False, "subnets": [], "changed_subnets": [], "diff": {"before": {}, "after": {}}}
        )

    try:
        results, diff = ensure_subnets(
            module.client("ec2"), module.params["vpc_id"], subnets, module.params["purge_tags"], module.check_mode
        )
    except ValueError as e:
        module.fail_json(msg=str(e))
    except PaymentsEC2Error as e:
        module.fail_json_aws_error(e)

    changed_subnets = [result["cidr"] for result in results if result["changed"]]
    module.exit_with_diff(
        {"changed": bool(changed_subnets), "subnets": results, "changed_subnets": changed_subnets, "diff": diff}
    )


if __name__ == "__main__":
    main()
