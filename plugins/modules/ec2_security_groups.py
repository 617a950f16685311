#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: ec2_security_groups
short_description: Create a VPC's security groups and set their rules and tags, in one pass
version_added: 0.2.0
description:
  - Reconciles every group of O(groups) in one module run, with one C(DescribeSecurityGroups) read of the VPC's
    groups (filter C(vpc-id)). The groups are what M(amazon.aws.ec2_security_group) makes with C(state=present),
    C(purge_rules), C(purge_rules_egress) and C(purge_tags) - same end state - without its fixed sleeps.
  - Creates the missing groups first (C(CreateSecurityGroup) with C(TagSpecifications), so a run killed right after
    leaves a tagged group, found by name by the next run), then sets every group's ingress and egress permissions
    (C(AuthorizeSecurityGroupIngress/Egress) of what is missing, C(RevokeSecurityGroupIngress/Egress) of what is not
    wanted, C(UpdateSecurityGroupRuleDescriptionsIngress/Egress) of the permissions whose description differs) and
    tags (C(CreateTags), C(DeleteTags)). Rules may name their peer group by name (O(groups[].rules[].group_name)),
    so groups of the same call reference each other whatever their order.
  - A new group has the allow-all egress rule AWS gives every group; with O(groups[].rules_egress) set and
    O(groups[].purge_rules_egress=true) it is revoked when not listed, as M(amazon.aws.ec2_security_group) does.
  - O(default_group=strip) removes every rule of the VPC's C(default) group (the CIS/PCI recommendation).
  - Writes to a group just created are retried on C(InvalidGroup.NotFound) (AWS is eventually consistent); the
    changed groups are read again with one C(DescribeSecurityGroups) at the end.
  - Deleting groups is left to M(amazon.aws.ec2_security_group) with C(state=absent).
  - The comparison is the one of the P(payments.infra.security_group_differences#filter) filter, so a role can call
    this module only when that filter reports a difference.
author:
  - payments.infra maintainers (@payments-infra)
options:
  vpc_id:
    description: The VPC of the groups.
    type: str
    required: true
  default_group:
    description:
      - C(strip) removes every ingress and egress rule of the VPC's C(default) group; C(keep) leaves it alone.
      - The default group cannot be listed in O(groups).
    type: str
    choices: [keep, strip]
    default: keep
  groups:
    description:
      - The groups, handled in this order. Names must be distinct. An empty list only reads (and strips the default
        group with O(default_group=strip)).
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Name of the group (unique in the VPC).
        type: str
        required: true
      description:
        description: Description of a new group. AWS cannot change the description of an existing group; it is not
          compared.
        type: str
        required: true
      rules:
        description:
          - Ingress rules, in the format of O(amazon.aws.ec2_security_group#module:rules). Unset leaves the ingress
            permissions alone; C([]) with O(groups[].purge_rules=true) removes them all.
        type: list
        elements: dict
        suboptions:
          proto:
            description: Protocol (C(tcp), C(udp), C(icmp), C(-1) or C(all), or a number).
            type: str
            default: tcp
          ports:
            description: Ports or port ranges (C(443), C(8000-8080)). Exclusive with O(groups[].rules[].from_port).
            type: list
            elements: str
          from_port:
            description: First port (ICMP type).
            type: int
          to_port:
            description: Last port (ICMP code).
            type: int
          cidr_ip:
            description: IPv4 CIDR peers.
            type: list
            elements: str
          cidr_ipv6:
            description: IPv6 CIDR peers.
            type: list
            elements: str
          ip_prefix:
            description: Managed prefix list peers (C(pl-...)).
            type: list
            elements: str
          group_id:
            description: Peer groups by id.
            type: list
            elements: str
          group_name:
            description: Peer groups by name, in the VPC or in O(groups) (created first when missing).
            type: list
            elements: str
          rule_desc:
            description: Description of the permission. Compared; a different one is updated in place.
            type: str
      rules_egress:
        description:
          - Egress rules, same format as O(groups[].rules). Unset leaves the egress permissions alone (a new group
            keeps AWS's allow-all rule); C([]) with O(groups[].purge_rules_egress=true) removes them all.
        type: list
        elements: dict
        suboptions:
          proto:
            description: Protocol (C(tcp), C(udp), C(icmp), C(-1) or C(all), or a number).
            type: str
            default: tcp
          ports:
            description: Ports or port ranges (C(443), C(8000-8080)). Not with O(groups[].rules_egress[].from_port).
            type: list
            elements: str
          from_port:
            description: First port (ICMP type).
            type: int
          to_port:
            description: Last port (ICMP code).
            type: int
          cidr_ip:
            description: IPv4 CIDR peers.
            type: list
            elements: str
          cidr_ipv6:
            description: IPv6 CIDR peers.
            type: list
            elements: str
          ip_prefix:
            description: Managed prefix list peers (C(pl-...)).
            type: list
            elements: str
          group_id:
            description: Peer groups by id.
            type: list
            elements: str
          group_name:
            description: Peer groups by name, in the VPC or in O(groups) (created first when missing).
            type: list
            elements: str
          rule_desc:
            description: Description of the permission. Compared; a different one is updated in place.
            type: str
      purge_rules:
        description: Revoke the ingress permissions O(groups[].rules) does not list.
        type: bool
        default: true
      purge_rules_egress:
        description: Revoke the egress permissions O(groups[].rules_egress) does not list.
        type: bool
        default: true
      tags:
        description:
          - Tags of the group, a dict. A new group gets them with its creation. Unset leaves the tags alone.
        type: dict
        aliases: [resource_tags]
      purge_tags:
        description: Remove the tags O(groups[].tags) does not list (only when O(groups[].tags) is set).
        type: bool
        default: true
notes:
  - Supports check mode (nothing is written; new groups have no id yet and peers by name that do not exist yet show
    as C((new:<name>))) and diff mode (each group before and after, by name).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: An ALB group reachable from the VPC link group, and the VPC's default group stripped
  payments.infra.ec2_security_groups:
    vpc_id: vpc-0123456789abcdef0
    default_group: strip
    groups:
      - name: payment-prod-alb
        description: Internal ALB
        rules:
          - proto: tcp
            ports: [443]
            group_name: [payment-prod-vpclink]
            rule_desc: HTTPS from the API Gateway VPC Link
        rules_egress:
          - proto: tcp
            ports: [8443]
            cidr_ip: [10.0.8.0/24, 10.0.9.0/24]
            rule_desc: To the targets
        tags:
          Name: payment-prod-alb
      - name: payment-prod-vpclink
        description: API Gateway VPC Link
        rules: []
        rules_egress:
          - proto: tcp
            ports: [443]
            group_name: [payment-prod-alb]
        tags:
          Name: payment-prod-vpclink
  register: groups

- name: The group ids by name
  ansible.builtin.debug:
    msg: "{{ groups.security_group_ids }}"
"""

RETURN = r"""
security_groups:
  description: The groups, in O(groups) order, as M(amazon.aws.ec2_security_group_info) reports them, plus C(changed).
  returned: always
  type: list
  elements: dict
  contains:
    group_id:
      description: Id of the group; null in check mode for a group that would be created.
      returned: always
      type: str
      sample: sg-0123456789abcdef0
    group_name:
      description: Name of the group.
      returned: always
      type: str
      sample: payment-prod-alb
    description:
      description: Description of the group.
      returned: always
      type: str
      sample: Internal ALB
    vpc_id:
      description: VPC of the group.
      returned: always
      type: str
      sample: vpc-0123456789abcdef0
    ip_permissions:
      description: Ingress permissions (snake_case C(IpPermissions)).
      returned: always
      type: list
      elements: dict
      sample: [{"ip_protocol": "tcp", "from_port": 443, "to_port": 443, "ip_ranges": [{"cidr_ip": "10.0.0.0/16"}]}]
    ip_permissions_egress:
      description: Egress permissions (snake_case C(IpPermissionsEgress)).
      returned: always
      type: list
      elements: dict
      sample: []
    owner_id:
      description: Account of the group; null in check mode for a group that would be created.
      returned: always
      type: str
      sample: "123456789012"
    tags:
      description: Tags of the group.
      returned: always
      type: dict
      sample: {"Name": "payment-prod-alb"}
    changed:
      description: Whether this group was created or changed (or would be, in check mode).
      returned: always
      type: bool
      sample: true
default_group:
  description: The VPC's default group as above, after stripping; null with O(default_group=keep).
  returned: always
  type: dict
  sample: {"group_id": "sg-0fedcba9876543210", "group_name": "default", "changed": false}
security_group_ids:
  description: Ids of the groups by name (the default group included when stripped); null for a group check mode
    would create.
  returned: always
  type: dict
  sample: {"payment-prod-alb": "sg-0123456789abcdef0"}
changed_groups:
  description: Names of the groups created or changed (or that would be), in O(groups) order, then C(default).
  returned: always
  type: list
  elements: str
  sample: [payment-prod-alb]
"""

from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule
from ansible_collections.payments.infra.plugins.module_utils.security_group_compare import DEFAULT_GROUP_NAME
from ansible_collections.payments.infra.plugins.module_utils.security_group_compare import PeerNotFound
from ansible_collections.payments.infra.plugins.module_utils.security_groups import PaymentsSecurityGroupError
from ansible_collections.payments.infra.plugins.module_utils.security_groups import reconcile

RULE_OPTIONS = dict(
    proto=dict(type="str", default="tcp"),
    ports=dict(type="list", elements="str"),
    from_port=dict(type="int"),
    to_port=dict(type="int"),
    cidr_ip=dict(type="list", elements="str"),
    cidr_ipv6=dict(type="list", elements="str"),
    ip_prefix=dict(type="list", elements="str"),
    group_id=dict(type="list", elements="str"),
    group_name=dict(type="list", elements="str"),
    rule_desc=dict(type="str"),
)
PEERS = ("cidr_ip", "cidr_ipv6", "ip_prefix", "group_id", "group_name")


def rule_error(rule):
    if not any(rule.get(peer) for peer in PEERS):
        return f"a rule needs a peer ({', '.join(PEERS)})"
    if rule.get("ports") is not None and (rule.get("from_port") is not None or rule.get("to_port") is not None):
        return "ports and from_port/to_port are mutually exclusive"
    for port in rule.get("ports") or []:
        low, _sep, high = port.partition("-") if not port.startswith("-") else (port, "", "")
        try:
            int(low), int(high or low)
        except ValueError:
            return f"port {port!r} is not a number or range"
    return None


def group_error(group):
    if group["name"] == DEFAULT_GROUP_NAME:
        return "the default group is handled by default_group, not listed"
    for option in ("rules", "rules_egress"):
        for index, rule in enumerate(group.get(option) or []):
            error = rule_error(rule)
            if error:
                return f"{option}[{index}]: {error}"
    return None


def main():
    argument_spec = dict(
        vpc_id=dict(type="str", required=True),
        default_group=dict(type="str", choices=["keep", "strip"], default="keep"),
        groups=dict(
            type="list",
            elements="dict",
            required=True,
            options=dict(
                name=dict(type="str", required=True),
                description=dict(type="str", required=True),
                rules=dict(type="list", elements="dict", options=RULE_OPTIONS),
                rules_egress=dict(type="list", elements="dict", options=RULE_OPTIONS),
                purge_rules=dict(type="bool", default=True),
                purge_rules_egress=dict(type="bool", default=True),
                tags=dict(type="dict", aliases=["resource_tags"]),
                purge_tags=dict(type="bool", default=True),
            ),
        ),
    )
    module = PaymentsAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    groups = module.params["groups"]
    module.validate_list_option("groups", [group["name"] for group in groups], item_error=group_error)

    try:
        outcome, default, diff = reconcile(
            module.client("ec2"), module.params["vpc_id"], groups, module.params["default_group"], module.check_mode
        )
    except PeerNotFound as e:
        module.fail_json(msg=f"security group {e} (a rule's group_name) is neither in the VPC nor in groups")
    except PaymentsSecurityGroupError as e:
        module.fail_json_aws_error(e)

    results = [dict(group, changed=changed) for group, changed in outcome]
    changed_groups = [group["group_name"] for group in results if group["changed"]]
    ids = {group["group_name"]: group["group_id"] for group in results}
    default_result = None
    if default is not None:
        default_result = dict(default[0], changed=default[1])
        ids[DEFAULT_GROUP_NAME] = default_result["group_id"]
        if default[1]:
            changed_groups.append(DEFAULT_GROUP_NAME)
    module.exit_with_diff(
        {
            "changed": bool(changed_groups),
            "security_groups": results,
            "default_group": default_result,
            "security_group_ids": ids,
            "changed_groups": changed_groups,
            "diff": diff,
        }
    )


if __name__ == "__main__":
    main()
