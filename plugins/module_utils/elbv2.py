# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One thin wrapper per Elastic Load Balancing v2 call our modules make, and the weighted forward action.

Every wrapper retries throttling with AWSRetry.jittered_backoff() and turns botocore errors into
PaymentsELBv2Error, which a module's main() hands to module.fail_json_aws_error() in one place.
Reads of a listener, load balancer or target group that does not exist return None instead of raising.
"""

import copy
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.payments.infra.plugins.module_utils.retries import AWSRetry

NOT_FOUND = ["ListenerNotFound", "LoadBalancerNotFound", "TargetGroupNotFound"]
# AWS limits of a weighted forward action (ELBv2 API reference, TargetGroupTuple, TargetGroupStickinessConfig).
MAX_WEIGHT = 999
MAX_STICKINESS_SECONDS = 604800
DEFAULT_STICKINESS_SECONDS = 3600


class PaymentsELBv2Error(AnsibleAWSError):
    """Any failure of an Elastic Load Balancing v2 call made by payments.infra."""


class ELBv2ErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsELBv2Error

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(NOT_FOUND)


@ELBv2ErrorHandler.list_error_handler("describe listener", None)
@AWSRetry.jittered_backoff()
def describe_listener(client, listener_arn: str) -> Optional[Dict[str, Any]]:
    """The listener as DescribeListeners reports it, or None when it does not exist."""
    listeners = client.describe_listeners(ListenerArns=[listener_arn])["Listeners"]
    return listeners[0] if listeners else None


@ELBv2ErrorHandler.list_error_handler("describe listeners", None)
@AWSRetry.jittered_backoff()
def describe_load_balancer_listeners(client, load_balancer_arn: str) -> Optional[List[Dict[str, Any]]]:
    """Every listener of a load balancer, or None when the load balancer does not exist."""
    paginator = client.get_paginator("describe_listeners")
    return paginator.paginate(LoadBalancerArn=load_balancer_arn).build_full_result()["Listeners"]


@ELBv2ErrorHandler.list_error_handler("describe load balancer", None)
@AWSRetry.jittered_backoff()
def describe_load_balancer(client, name: Optional[str] = None, arn: Optional[str] = None) -> Optional[Dict[str, Any]]:
    """The load balancer given by name or ARN, or None when it does not exist."""
    params = {"LoadBalancerArns": [arn]} if arn else {"Names": [name]}
    balancers = client.describe_load_balancers(**params)["LoadBalancers"]
    return balancers[0] if balancers else None


@ELBv2ErrorHandler.list_error_handler("describe target groups", None)
@AWSRetry.jittered_backoff()
def describe_target_groups(
    client, names: Optional[List[str]] = None, arns: Optional[List[str]] = None
) -> Optional[List[Dict[str, Any]]]:
    """The target groups given by names or ARNs, or None when one of them does not exist."""
    params = {"TargetGroupArns": arns} if arns else {"Names": names}
    paginator = client.get_paginator("describe_target_groups")
    return paginator.paginate(**params).build_full_result()["TargetGroups"]


@ELBv2ErrorHandler.common_error_handler("modify listener")
@AWSRetry.jittered_backoff()
def modify_listener(client, listener_arn: str, default_actions: List[Dict[str, Any]]) -> Dict[str, Any]:
    return client.modify_listener(ListenerArn=listener_arn, DefaultActions=default_actions)["Listeners"][0]


# The weighted forward action


def forward_action(listener: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """The listener's default forward action, or None when its default action does not forward."""
    for action in listener.get("DefaultActions") or []:
        if action.get("Type") == "forward":
            return action
    return None


def normalize_forward(action: Optional[Dict[str, Any]], names: Dict[str, str]) -> Optional[Dict[str, Any]]:
    """A forward action as {target_groups: [{arn, name, weight}] sorted by ARN, stickiness: {enabled, duration}}.

    A forward to a single TargetGroupArn (no ForwardConfig) is a weight of 1 on that group, stickiness off.
    names maps target group ARN to name (unknown ARNs keep a null name).
    """
    if action is None:
        return None
    config = action.get("ForwardConfig") or {}
    groups = config.get("TargetGroups")
    if not groups and action.get("TargetGroupArn"):
        groups = [{"TargetGroupArn": action["TargetGroupArn"], "Weight": 1}]
    target_groups = sorted(
        (
            {
                "arn": group["TargetGroupArn"],
                "name": names.get(group["TargetGroupArn"]),
                "weight": int(group.get("Weight", 1)),
            }
            for group in groups or []
        ),
        key=lambda group: group["arn"],
    )
    stickiness = config.get("TargetGroupStickinessConfig") or {}
    enabled = bool(stickiness.get("Enabled", False))
    return {
        "target_groups": target_groups,
        "stickiness": {"enabled": enabled, "duration": stickiness.get("DurationSeconds") if enabled else None},
    }


def desired_forward(
    current: Optional[Dict[str, Any]], target_groups: List[Dict[str, Any]], stickiness: Optional[Dict[str, Any]]
) -> Dict[str, Any]:
    """The forward action the parameters ask for: the given groups and weights; stickiness only when set."""
    groups = sorted(
        ({"arn": group["arn"], "name": group["name"], "weight": group["weight"]} for group in target_groups),
        key=lambda group: group["arn"],
    )
    current_stickiness = (current or {}).get("stickiness") or {"enabled": False, "duration": None}
    wanted = copy.deepcopy(current_stickiness)
    if stickiness is not None:
        wanted["enabled"] = stickiness["enabled"]
        if not stickiness["enabled"]:
            wanted["duration"] = None
        elif stickiness.get("duration") is not None:
            wanted["duration"] = stickiness["duration"]
        elif wanted["duration"] is None:
            wanted["duration"] = DEFAULT_STICKINESS_SECONDS
    return {"target_groups": groups, "stickiness": wanted}


def forward_to_api(forward: Dict[str, Any]) -> Dict[str, Any]:
    """The normalised forward action as the ModifyListener DefaultActions entry."""
    stickiness = {"Enabled": forward["stickiness"]["enabled"]}
    if forward["stickiness"]["enabled"]:
        stickiness["DurationSeconds"] = forward["stickiness"]["duration"]
    return {
        "Type": "forward",
        "ForwardConfig": {
            "TargetGroups": [
                {"TargetGroupArn": group["arn"], "Weight": group["weight"]} for group in forward["target_groups"]
            ],
            "TargetGroupStickinessConfig": stickiness,
        },
    }


def replace_forward(default_actions: List[Dict[str, Any]], forward: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The listener's default actions with its forward action replaced (authentication actions and Order kept)."""
    actions = []
    for action in default_actions:
        if action.get("Type") == "forward":
            new = forward_to_api(forward)
            if "Order" in action:
                new["Order"] = action["Order"]
            actions.append(new)
        else:
            actions.append(copy.deepcopy(action))
    return actions


def weights(forward: Optional[Dict[str, Any]]) -> Dict[str, int]:
    """{target group name (or ARN when unnamed): weight}."""
    return {group["name"] or group["arn"]: group["weight"] for group in (forward or {}).get("target_groups") or []}


def _stickiness_text(stickiness: Dict[str, Any]) -> str:
    return f"on {stickiness.get('duration')}s" if stickiness.get("enabled") else "off"


def summary(before: Optional[Dict[str, Any]], after: Dict[str, Any]) -> str:
    """A human summary of a weight / stickiness change, like 'blue 90→50, green 10→50'."""
    old, new = weights(before), weights(after)
    parts = []
    for name in sorted(set(old) | set(new)):
        if old.get(name) != new.get(name):
            parts.append(f"{name} {old.get(name, '-')}→{new.get(name, '-')}")
    old_sticky = (before or {}).get("stickiness") or {}
    new_sticky = after.get("stickiness") or {}
    if old_sticky != new_sticky:
        parts.append(f"stickiness {_stickiness_text(old_sticky)}→{_stickiness_text(new_sticky)}")
    return ", ".join(parts) if parts else "no change"


# Reads of payments.infra.elbv2_resources_info


@ELBv2ErrorHandler.list_error_handler("describe load balancers", [])
@AWSRetry.jittered_backoff()
def describe_load_balancers_named(client, names: List[str]) -> List[Dict[str, Any]]:
    """The load balancers of these names, [] when one of them does not exist (DescribeLoadBalancers fails then)."""
    paginator = client.get_paginator("describe_load_balancers")
    return paginator.paginate(Names=names).build_full_result()["LoadBalancers"]


@ELBv2ErrorHandler.list_error_handler("describe load balancer attributes", None)
@AWSRetry.jittered_backoff()
def describe_load_balancer_attributes(client, load_balancer_arn: str) -> Optional[List[Dict[str, str]]]:
    return client.describe_load_balancer_attributes(LoadBalancerArn=load_balancer_arn)["Attributes"]


@ELBv2ErrorHandler.list_error_handler("describe target group attributes", None)
@AWSRetry.jittered_backoff()
def describe_target_group_attributes(client, target_group_arn: str) -> Optional[List[Dict[str, str]]]:
    return client.describe_target_group_attributes(TargetGroupArn=target_group_arn)["Attributes"]


@ELBv2ErrorHandler.list_error_handler("describe tags", None)
@AWSRetry.jittered_backoff()
def describe_tags(client, resource_arns: List[str]) -> Optional[List[Dict[str, Any]]]:
    """DescribeTags of up to 20 load balancers and target groups in one request (TagDescriptions)."""
    return client.describe_tags(ResourceArns=resource_arns)["TagDescriptions"]
