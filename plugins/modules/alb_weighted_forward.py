#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: alb_weighted_forward
short_description: Set the weights (and stickiness) of an Application Load Balancer listener's forward action
version_added: 0.1.0
description:
  - Manages the weighted C(forward) default action of an existing ALB listener, for blue/green and
    canary traffic shifting. M(amazon.aws.elb_application_lb) drops C(ForwardConfig) when it compares
    listeners, so it rewrites a weighted listener on every run; this module compares the target groups,
    weights and stickiness only, and calls C(ModifyListener) only when they differ.
  - The listener is given by O(listener_arn), or by its load balancer (O(load_balancer_name) or
    O(load_balancer_arn)) and O(port). Its default action must already forward (to any target group).
  - Other default actions (authentication) and the listener's protocol, certificates and TLS policy are
    left as they are.
  - In check mode the module reads the listener and reports the change a real run would make, so it also
    serves to read the current weights.
author:
  - payments.infra maintainers (@payments-infra)
options:
  listener_arn:
    description: ARN of the listener.
    type: str
  load_balancer_name:
    description: Name of the load balancer whose listener on O(port) is managed.
    type: str
  load_balancer_arn:
    description: ARN of the load balancer whose listener on O(port) is managed.
    type: str
  port:
    description: Port of the listener, with O(load_balancer_name) or O(load_balancer_arn).
    type: int
  target_groups:
    description:
      - The target groups the listener forwards to and their weights; exactly these (a group not listed
        is removed from the action). Weights are relative, 0 to 999, and at least one must be above 0.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Name of the target group (exactly one of O(target_groups[].name) and O(target_groups[].arn)).
        type: str
      arn:
        description: ARN of the target group.
        type: str
      weight:
        description: Weight of the target group (0 to 999).
        type: int
        required: true
  stickiness:
    description:
      - Target group stickiness of the forward action (requests of a client keep going to one target group).
      - Unset leaves it as it is.
    type: dict
    suboptions:
      enabled:
        description: Whether stickiness is on.
        type: bool
        required: true
      duration:
        description:
          - Seconds a client sticks to a target group (1 to 604800).
          - Unset keeps the current duration, or 3600 when stickiness was off.
        type: int
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Send 90% of the traffic to blue, 10% to green
  payments.infra.alb_weighted_forward:
    load_balancer_name: payment-alb-prod
    port: 443
    target_groups:
      - name: payment-blue-prod
        weight: 90
      - name: payment-green-prod
        weight: 10

- name: Shift to 50/50 with one hour of stickiness, by listener ARN
  payments.infra.alb_weighted_forward:
    listener_arn: "{{ alb_outputs.listener_arn }}"
    target_groups:
      - arn: "{{ alb_outputs.target_groups.blue.arn }}"
        weight: 50
      - arn: "{{ alb_outputs.target_groups.green.arn }}"
        weight: 50
    stickiness:
      enabled: true
      duration: 3600

- name: Read the current weights (check mode changes nothing)
  payments.infra.alb_weighted_forward:
    load_balancer_name: payment-alb-prod
    port: 443
    target_groups:
      - name: payment-blue-prod
        weight: 90
      - name: payment-green-prod
        weight: 10
  check_mode: true
  register: current
"""

RETURN = r"""
listener:
  description: The listener after the change (in check mode, as it is now), snake_case as DescribeListeners reports it.
  returned: always
  type: dict
  contains:
    listener_arn:
      description: ARN of the listener.
      returned: always
      type: str
      sample: arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/payment-alb-prod/50dc6c49/f2f7dc8e
    load_balancer_arn:
      description: ARN of the load balancer.
      returned: always
      type: str
      sample: arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/payment-alb-prod/50dc6c495c0c9188
    port:
      description: Port of the listener.
      returned: always
      type: int
      sample: 443
    protocol:
      description: Protocol of the listener.
      returned: always
      type: str
      sample: HTTPS
    default_actions:
      description: Default actions of the listener.
      returned: always
      type: list
      elements: dict
      sample: [{"type": "forward", "forward_config": {"target_groups": [{"target_group_arn": "arn:...", "weight": 1}]}}]
forward:
  description: The forward action, normalised (target groups sorted by ARN). In check mode, what a real run would set.
  returned: always
  type: dict
  contains:
    target_groups:
      description: Target groups with their ARN, name and weight.
      returned: always
      type: list
      elements: dict
      sample: [{"arn": "arn:...:targetgroup/payment-blue-prod/6d0ecf83", "name": "payment-blue-prod", "weight": 90}]
    stickiness:
      description: Stickiness (enabled, duration in seconds or null).
      returned: always
      type: dict
      sample: {"enabled": false, "duration": null}
weights:
  description: Weight per target group name (in check mode, what a real run would set).
  returned: always
  type: dict
  sample: {"payment-blue-prod": 90, "payment-green-prod": 10}
current_weights:
  description: Weight per target group name before the module ran.
  returned: always
  type: dict
  sample: {"payment-blue-prod": 100, "payment-green-prod": 0}
summary:
  description: What changed (or would change in check mode), for humans.
  returned: always
  type: str
  sample: "payment-blue-prod 90→50, payment-green-prod 10→50"
"""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.payments.infra.plugins.module_utils.diff import build_diff
from ansible_collections.payments.infra.plugins.module_utils.elbv2 import MAX_STICKINESS_SECONDS
from ansible_collections.payments.infra.plugins.module_utils.elbv2 import MAX_WEIGHT
from ansible_collections.payments.infra.plugins.module_utils.elbv2 import PaymentsELBv2Error
from ansible_collections.payments.infra.plugins.module_utils.elbv2 import describe_listener
from ansible_collections.payments.infra.plugins.module_utils.elbv2 import describe_load_balancer
from ansible_collections.payments.infra.plugins.module_utils.elbv2 import describe_load_balancer_listeners
from ansible_collections.payments.infra.plugins.module_utils.elbv2 import describe_target_groups
from ansible_collections.payments.infra.plugins.module_utils.elbv2 import desired_forward
from ansible_collections.payments.infra.plugins.module_utils.elbv2 import forward_action
from ansible_collections.payments.infra.plugins.module_utils.elbv2 import modify_listener
from ansible_collections.payments.infra.plugins.module_utils.elbv2 import normalize_forward
from ansible_collections.payments.infra.plugins.module_utils.elbv2 import replace_forward
from ansible_collections.payments.infra.plugins.module_utils.elbv2 import summary
from ansible_collections.payments.infra.plugins.module_utils.elbv2 import weights
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule


def find_listener(client, params):
    """The listener the parameters name; PaymentsELBv2Error when it (or its load balancer) does not exist."""
    if params.get("listener_arn"):
        listener = describe_listener(client, params["listener_arn"])
        if listener is None:
            raise PaymentsELBv2Error(message=f"listener {params['listener_arn']} does not exist")
        return listener
    balancer = describe_load_balancer(
        client, name=params.get("load_balancer_name"), arn=params.get("load_balancer_arn")
    )
    label = params.get("load_balancer_name") or params.get("load_balancer_arn")
    if balancer is None:
        raise PaymentsELBv2Error(message=f"load balancer {label} does not exist")
    for listener in describe_load_balancer_listeners(client, balancer["LoadBalancerArn"]) or []:
        if listener.get("Port") == params["port"]:
            return listener
    raise PaymentsELBv2Error(message=f"load balancer {label} has no listener on port {params['port']}")


def resolve_target_groups(client, target_groups, current_arns):
    """The parameters' target groups as [{arn, name, weight}], and {arn: name} of those and the current ones."""
    by_name = [group["name"] for group in target_groups if group.get("name")]
    arns = sorted({group["arn"] for group in target_groups if group.get("arn")} | set(current_arns))
    found = []
    if by_name:
        groups = describe_target_groups(client, names=by_name)
        if groups is None:
            raise PaymentsELBv2Error(message=f"one of the target groups {by_name} does not exist")
        found.extend(groups)
    if arns:
        groups = describe_target_groups(client, arns=arns)
        if groups is None:
            # A current group may be deleted; only those the parameters name must exist.
            groups = [describe_target_groups(client, arns=[arn]) for arn in arns]
            groups = [group[0] for group in groups if group]
        found.extend(groups)
    names = {group["TargetGroupArn"]: group["TargetGroupName"] for group in found}
    arn_by_name = {group["TargetGroupName"]: group["TargetGroupArn"] for group in found}
    resolved = []
    for group in target_groups:
        if group.get("arn"):
            if group["arn"] not in names:
                raise PaymentsELBv2Error(message=f"target group {group['arn']} does not exist")
            resolved.append({"arn": group["arn"], "name": names[group["arn"]], "weight": group["weight"]})
        else:
            resolved.append({"arn": arn_by_name[group["name"]], "name": group["name"], "weight": group["weight"]})
    if len({group["arn"] for group in resolved}) != len(resolved):
        raise PaymentsELBv2Error(message="target_groups names the same target group twice")
    return resolved, names


def ensure_weights(client, params, check_mode):
    listener = find_listener(client, params)
    action = forward_action(listener)
    if action is None:
        raise PaymentsELBv2Error(
            message=f"the default action of listener {listener['ListenerArn']} does not forward; "
            "create it with a forward action (amazon.aws.elb_application_lb) first"
        )
    current_arns = [group["TargetGroupArn"] for group in (action.get("ForwardConfig") or {}).get("TargetGroups") or []]
    if action.get("TargetGroupArn"):
        current_arns.append(action["TargetGroupArn"])
    target_groups, names = resolve_target_groups(client, params["target_groups"], current_arns)

    before = normalize_forward(action, names)
    after = desired_forward(before, target_groups, params.get("stickiness"))
    changed = before != after
    if changed and not check_mode:
        modify_listener(client, listener["ListenerArn"], replace_forward(listener["DefaultActions"], after))
        listener = describe_listener(client, listener["ListenerArn"]) or listener
        after = normalize_forward(forward_action(listener), names)
    return changed, listener, before, after


def main():
    argument_spec = dict(
        listener_arn=dict(type="str"),
        load_balancer_name=dict(type="str"),
        load_balancer_arn=dict(type="str"),
        port=dict(type="int"),
        target_groups=dict(
            type="list",
            elements="dict",
            required=True,
            options=dict(
                name=dict(type="str"),
                arn=dict(type="str"),
                weight=dict(type="int", required=True),
            ),
            mutually_exclusive=[["name", "arn"]],
            required_one_of=[["name", "arn"]],
        ),
        stickiness=dict(
            type="dict",
            options=dict(
                enabled=dict(type="bool", required=True),
                duration=dict(type="int"),
            ),
        ),
    )
    module = PaymentsAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        mutually_exclusive=[["listener_arn", "load_balancer_name", "load_balancer_arn"], ["listener_arn", "port"]],
        required_one_of=[["listener_arn", "load_balancer_name", "load_balancer_arn"]],
        required_by={"load_balancer_name": "port", "load_balancer_arn": "port"},
    )
    params = module.params
    groups = params["target_groups"]
    if not groups:
        module.fail_json(msg="target_groups must name at least one target group")
    bad = [group["weight"] for group in groups if not 0 <= group["weight"] <= MAX_WEIGHT]
    if bad:
        module.fail_json(msg=f"target_groups weights must be 0 to {MAX_WEIGHT}, got {bad}")
    if sum(group["weight"] for group in groups) <= 0:
        module.fail_json(msg="target_groups weights must add up to more than 0 (at least one group must get traffic)")
    duration = (params.get("stickiness") or {}).get("duration")
    if duration is not None and not 1 <= duration <= MAX_STICKINESS_SECONDS:
        module.fail_json(msg=f"stickiness.duration must be 1 to {MAX_STICKINESS_SECONDS} seconds, got {duration}")

    client = module.client("elbv2")
    try:
        changed, listener, before, after = ensure_weights(client, params, module.check_mode)
    except PaymentsELBv2Error as e:
        module.fail_json_aws_error(e)

    result = {
        "changed": changed,
        "listener": camel_dict_to_snake_dict(listener),
        "forward": after,
        "weights": weights(after),
        "current_weights": weights(before),
        "summary": summary(before, after),
    }
    if module._diff:
        result["diff"] = build_diff(before, after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
