#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: elbv2_resources_info
short_description: Read Application Load Balancers (listeners, attributes, tags, web ACL) and target groups at once
version_added: 0.1.0
description:
  - Reads the load balancers named in O(load_balancer_names) with their listeners, attributes and tags, and the target
    groups named in O(target_group_names) with their attributes and tags, in one module call, so a role can compare
    them with what it sets (one module call instead of M(amazon.aws.elb_application_lb_info) and
    M(community.aws.elb_target_group_info), whose shapes RV(load_balancers) and RV(target_groups) are).
  - The tags of every load balancer and target group are read with one C(DescribeTags) request (up to 20 resources).
  - With O(include_web_acl), also the web ACL associated with each load balancer (C(GetWebACLForResource) and the web
    ACL's C(ListTagsForResource), one request each per load balancer), in the shape of
    M(community.aws.wafv2_web_acl_info), so a role can tell whether M(community.aws.wafv2_resources) has anything to
    do and, when the load balancer is associated with its web ACL, needs no M(community.aws.wafv2_web_acl_info).
  - A load balancer or target group that does not exist is left out of the result, never a failure, so it works in
    check mode on an empty account.
author:
  - payments.infra maintainers (@payments-infra)
options:
  load_balancer_names:
    description: Names of the load balancers to read.
    type: list
    elements: str
    default: []
  target_group_names:
    description: Names of the target groups to read.
    type: list
    elements: str
    default: []
  include_attributes:
    description:
      - Whether to read the attributes of the load balancers (one request each), merged into each load balancer like
        M(amazon.aws.elb_application_lb_info) does. The target groups' attributes are always read.
    type: bool
    default: true
  include_web_acl:
    description: Whether to read the web ACL associated with each load balancer found (RV(web_acls)).
    type: bool
    default: false
notes:
  - Supports check mode; the module never changes anything.
  - Listener rules are not read (like M(amazon.aws.elb_application_lb_info) with C(include_listener_rules=false)).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the blue/green load balancer, its target groups and its web ACL
  payments.infra.elbv2_resources_info:
    load_balancer_names: [payment-alb-prod]
    target_group_names: [payment-blue-prod, payment-green-prod]
    include_web_acl: true
  register: found

- name: Show the HTTPS listener's weights
  ansible.builtin.debug:
    msg: >-
      {{ (found.load_balancers | first).listeners | selectattr('port', 'eq', 443) | map(attribute='default_actions')
         | first }}
"""

RETURN = r"""
load_balancers:
  description:
    - The load balancers found, as M(amazon.aws.elb_application_lb_info) returns them (snake_case, attributes merged
      with C(.) replaced by C(_), C(listeners) without rules, C(tags) as a dict).
  returned: always
  type: list
  elements: dict
  sample:
    - load_balancer_name: payment-alb-prod
      load_balancer_arn: arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/payment-alb-prod/50dc6c49
      scheme: internal
      idle_timeout_timeout_seconds: "60"
      listeners: [{"port": 443, "protocol": "HTTPS", "default_actions": [{"type": "forward"}]}]
      tags: {"Environment": "prod"}
target_groups:
  description:
    - The target groups found, as M(community.aws.elb_target_group_info) returns them (snake_case, attributes merged
      with C(.) replaced by C(_), C(tags) as a dict).
  returned: always
  type: list
  elements: dict
  sample:
    - target_group_name: payment-blue-prod
      target_group_arn: arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/payment-blue-prod/6d0ecf83
      health_check_path: /health
      deregistration_delay_timeout_seconds: "30"
      tags: {"Color": "blue"}
web_acls:
  description:
    - The web ACL associated with each load balancer found, by load balancer name, as
      M(community.aws.wafv2_web_acl_info) returns it (snake_case C(GetWebACL) C(WebACL) with C(tags) as a dict); null
      when the load balancer has none.
  returned: when O(include_web_acl=true)
  type: dict
  sample:
    payment-alb-prod:
      name: payment-waf-prod
      arn: arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/payment-waf-prod/a1b2c3
      default_action: {"allow": {}}
      rules: []
      tags: {"Environment": "prod"}
"""

from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.transformation import camel_dict_to_snake_dict

from ansible_collections.payments.infra.plugins.module_utils.elbv2 import PaymentsELBv2Error
from ansible_collections.payments.infra.plugins.module_utils.elbv2 import describe_load_balancer_attributes
from ansible_collections.payments.infra.plugins.module_utils.elbv2 import describe_load_balancer_listeners
from ansible_collections.payments.infra.plugins.module_utils.elbv2 import describe_load_balancers_named
from ansible_collections.payments.infra.plugins.module_utils.elbv2 import describe_tags
from ansible_collections.payments.infra.plugins.module_utils.elbv2 import describe_target_group_attributes
from ansible_collections.payments.infra.plugins.module_utils.elbv2 import describe_target_groups
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule
from ansible_collections.payments.infra.plugins.module_utils.wafv2 import PaymentsWAFv2Error
from ansible_collections.payments.infra.plugins.module_utils.wafv2 import get_web_acl_for_resource
from ansible_collections.payments.infra.plugins.module_utils.wafv2 import list_tags_for_resource

# DescribeTags takes at most 20 resource ARNs.
TAGS_PER_REQUEST = 20


def _attributes(attributes):
    """Attributes as the amazon.aws / community.aws info modules merge them: keys with '.' replaced by '_'."""
    return {key.replace(".", "_"): value for key, value in boto3_tag_list_to_ansible_dict(attributes or []).items()}


def read_load_balancers(client, names, include_attributes):
    """The load balancers of these names (those that exist), camelCase, with attributes and listeners."""
    found = describe_load_balancers_named(client, names) if names else []
    if names and not found and len(names) > 1:
        # DescribeLoadBalancers fails when one name does not exist: then each alone.
        found = [balancer for name in names for balancer in describe_load_balancers_named(client, [name])]
    balancers = []
    for read_balancer in found:
        balancer = dict(read_balancer)
        if include_attributes:
            balancer.update(_attributes(describe_load_balancer_attributes(client, balancer["LoadBalancerArn"])))
        balancer["listeners"] = describe_load_balancer_listeners(client, balancer["LoadBalancerArn"]) or []
        balancers.append(balancer)
    return balancers


def read_target_groups(client, names):
    """The target groups of these names (those that exist), camelCase, with attributes."""
    found = describe_target_groups(client, names=names) if names else []
    if found is None:
        # DescribeTargetGroups fails when one name does not exist: then each alone.
        found = [group for name in names for group in describe_target_groups(client, names=[name]) or []]
    groups = []
    for read_group in found:
        group = dict(read_group)
        group.update(_attributes(describe_target_group_attributes(client, group["TargetGroupArn"])))
        groups.append(group)
    return groups


def read_tags(client, arns):
    """{ARN: tags dict} of load balancers and target groups, 20 per DescribeTags request."""
    tags = {}
    for start in range(0, len(arns), TAGS_PER_REQUEST):
        for description in describe_tags(client, arns[start : start + TAGS_PER_REQUEST]) or []:
            tags[description["ResourceArn"]] = boto3_tag_list_to_ansible_dict(description.get("Tags") or [])
    return tags


def read_web_acl(client, resource_arn):
    """The web ACL associated with the resource as community.aws.wafv2_web_acl_info returns it, or None."""
    web_acl = get_web_acl_for_resource(client, resource_arn)
    if not web_acl:
        return None
    snaked = camel_dict_to_snake_dict(web_acl)
    snaked["tags"] = boto3_tag_list_to_ansible_dict(list_tags_for_resource(client, web_acl["ARN"]) or [])
    return snaked


def read(module):
    params = module.params
    client = module.client("elbv2")
    balancers = read_load_balancers(client, params["load_balancer_names"], params["include_attributes"])
    groups = read_target_groups(client, params["target_group_names"])
    tags = read_tags(client, [b["LoadBalancerArn"] for b in balancers] + [g["TargetGroupArn"] for g in groups])
    result = {"load_balancers": [], "target_groups": []}
    for balancer in balancers:
        snaked = camel_dict_to_snake_dict(balancer)
        snaked["tags"] = tags.get(balancer["LoadBalancerArn"], {})
        result["load_balancers"].append(snaked)
    for group in groups:
        snaked = camel_dict_to_snake_dict(group)
        snaked["tags"] = tags.get(group["TargetGroupArn"], {})
        result["target_groups"].append(snaked)
    if params["include_web_acl"]:
        wafv2 = module.client("wafv2") if balancers else None
        result["web_acls"] = {}
        for balancer in balancers:
            result["web_acls"][balancer["LoadBalancerName"]] = read_web_acl(wafv2, balancer["LoadBalancerArn"])
    return result


def main():
    module = PaymentsAWSModule(
        argument_spec=dict(
            load_balancer_names=dict(type="list", elements="str", default=[]),
            target_group_names=dict(type="list", elements="str", default=[]),
            include_attributes=dict(type="bool", default=True),
            include_web_acl=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    try:
        result = read(module)
    except (PaymentsELBv2Error, PaymentsWAFv2Error) as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
