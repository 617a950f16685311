# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""VPC security groups: the EC2 calls of payments.infra.ec2_security_groups. The comparison it shares with the
compare-first filters (security_group_differences, sg_rules), so a role calls the module only when it would change
something, is in module_utils/security_group_compare.py (no botocore there).

A permission is a key (protocol, from port, to port, peer kind, peer) with its description as value. Peer kinds:
group (a group id), cidr, cidr6, prefix. Rules are given as amazon.aws.ec2_security_group gives them (proto, ports or
from_port/to_port, cidr_ip, cidr_ipv6, ip_prefix, group_id, group_name, rule_desc); what AWS reports is read in the
shape of amazon.aws.ec2_security_group_info (snake_case, as payments.infra.ec2_vpc_resources_info returns it).

Every write is retried on InvalidGroup.NotFound: on AWS a group just created may not be visible to the next call yet
(eventual consistency), so the retry replaces amazon.aws's fixed sleep after a creation.
"""

import copy
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.payments.infra.plugins.module_utils.retries import AWSRetry
from ansible_collections.payments.infra.plugins.module_utils.security_group_compare import DEFAULT_GROUP_NAME
from ansible_collections.payments.infra.plugins.module_utils.security_group_compare import Permissions
from ansible_collections.payments.infra.plugins.module_utils.security_group_compare import desired_permissions
from ansible_collections.payments.infra.plugins.module_utils.security_group_compare import reported_permissions
from ansible_collections.payments.infra.plugins.module_utils.security_group_compare import resolver
from ansible_collections.payments.infra.plugins.module_utils.security_group_compare import rule_changes
from ansible_collections.payments.infra.plugins.module_utils.security_group_compare import strip_differences

GROUP_NOT_FOUND = ["InvalidGroup.NotFound"]
PROTOCOL_NAMES = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "-1": "-1"}
# What AWS gives every new group (and what amazon.aws purges with purge_rules_egress).
DEFAULT_EGRESS = {("-1", -1, -1, "cidr", "0.0.0.0/0"): None}


class PaymentsSecurityGroupError(AnsibleAWSError):
    """Any failure of a security group call made by payments.infra."""


class SecurityGroupErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsSecurityGroupError


# Calls


@SecurityGroupErrorHandler.common_error_handler("describe security groups")
@AWSRetry.jittered_backoff(catch_extra_error_codes=GROUP_NOT_FOUND)
def describe_security_groups(client, **params: Any) -> List[Dict[str, Any]]:
    return client.get_paginator("describe_security_groups").paginate(**params).build_full_result()["SecurityGroups"]


@SecurityGroupErrorHandler.common_error_handler("create security group")
@AWSRetry.jittered_backoff()
def create_security_group(client, name: str, description: str, vpc_id: str, tags: Optional[Dict[str, str]]) -> str:
    """The new group's id. Tags go with the creation (TagSpecifications): a run killed right after it leaves a tagged
    group, found by name by the next run."""
    params = {"GroupName": name, "Description": description, "VpcId": vpc_id}
    if tags:
        params["TagSpecifications"] = [{"ResourceType": "security-group", "Tags": ansible_dict_to_boto3_tag_list(tags)}]
    return client.create_security_group(**params)["GroupId"]


def _write(operation: str):
    @SecurityGroupErrorHandler.common_error_handler(operation.replace("_", " "))
    @AWSRetry.jittered_backoff(catch_extra_error_codes=GROUP_NOT_FOUND)
    def call(client, **params: Any) -> bool:
        getattr(client, operation)(**params)
        return True

    call.__name__ = operation
    return call


authorize_ingress = _write("authorize_security_group_ingress")
authorize_egress = _write("authorize_security_group_egress")
revoke_ingress = _write("revoke_security_group_ingress")
revoke_egress = _write("revoke_security_group_egress")
update_ingress_descriptions = _write("update_security_group_rule_descriptions_ingress")
update_egress_descriptions = _write("update_security_group_rule_descriptions_egress")
create_tags = _write("create_tags")
delete_tags = _write("delete_tags")


def normalize_group(group: Dict[str, Any]) -> Dict[str, Any]:
    """A DescribeSecurityGroups item as amazon.aws.ec2_security_group_info returns it: snake_case, tags as a dict."""
    result = camel_dict_to_snake_dict(group, ignore_list=["Tags"])
    result["tags"] = boto3_tag_list_to_ansible_dict(group.get("Tags") or [])
    return result


# boto3 shapes


def ip_permissions(permissions: Permissions, descriptions: bool = True) -> List[Dict[str, Any]]:
    """boto3 IpPermissions for the permissions, one per protocol and port range (sorted)."""
    grouped = {}
    lists = {"group": "UserIdGroupPairs", "cidr": "IpRanges", "cidr6": "Ipv6Ranges", "prefix": "PrefixListIds"}
    fields = {"group": "GroupId", "cidr": "CidrIp", "cidr6": "CidrIpv6", "prefix": "PrefixListId"}
    for (proto, low, high, kind, peer), description in sorted(permissions.items(), key=lambda i: i[0]):
        permission = grouped.setdefault((proto, low, high), {"IpProtocol": PROTOCOL_NAMES.get(proto, proto)})
        if proto != "-1":
            permission["FromPort"], permission["ToPort"] = low, high
        entry = {fields[kind]: peer}
        if descriptions and description:
            entry["Description"] = description
        permission.setdefault(lists[kind], []).append(entry)
    return list(grouped.values())


# Reconciliation (the module)


def _predicted(group: Dict[str, Any], ingress: Permissions, egress: Permissions, tags: Dict[str, str]):
    """The group as it will be reported after the changes (check mode's result)."""
    result = copy.deepcopy(group)
    result["ip_permissions"] = [camel_dict_to_snake_dict(p) for p in ip_permissions(ingress)]
    result["ip_permissions_egress"] = [camel_dict_to_snake_dict(p) for p in ip_permissions(egress)]
    result["tags"] = tags
    return result


def _apply_rules(client, group_id, direction, changes, check_mode):
    if check_mode or not any(changes.values()):
        return
    authorize, revoke, describe = {
        "ingress": (authorize_ingress, revoke_ingress, update_ingress_descriptions),
        "egress": (authorize_egress, revoke_egress, update_egress_descriptions),
    }[direction]
    # New permissions first, so a changed peer or port is never a moment without access.
    if changes["authorize"]:
        authorize(client, GroupId=group_id, IpPermissions=ip_permissions(changes["authorize"]))
    if changes["revoke"]:
        # With the descriptions read: AWS ignores them when matching, some implementations (moto) require them.
        revoke(client, GroupId=group_id, IpPermissions=ip_permissions(changes["revoke"]))
    if changes["describe"]:
        describe(client, GroupId=group_id, IpPermissions=ip_permissions(changes["describe"]))


def _reconcile_group(client, group, current, created, ids, *, check_mode):
    """(the group as it is after the changes, changed) for one item of groups and the group as read (or created)."""
    changed = created
    rules = {}
    for direction, option, reported in (
        ("ingress", "rules", "ip_permissions"),
        ("egress", "rules_egress", "ip_permissions_egress"),
    ):
        have = reported_permissions(current.get(reported))
        if group.get(option) is None:
            rules[direction] = have
            continue
        want = desired_permissions(group[option], resolver(ids))
        purge = group.get("purge_rules" if direction == "ingress" else "purge_rules_egress", True)
        changes = rule_changes(have, want, purge)
        changed |= any(changes.values())
        _apply_rules(client, current["group_id"], direction, changes, check_mode)
        rules[direction] = {**{k: v for k, v in have.items() if k not in changes["revoke"]}, **want}
    tags = current.get("tags") or {}
    if group.get("tags") is not None:
        to_set, to_unset = compare_aws_tags(tags, group["tags"], group.get("purge_tags", True))
        if to_set or to_unset:
            changed = True
            if not check_mode and to_set:
                create_tags(client, Resources=[current["group_id"]], Tags=ansible_dict_to_boto3_tag_list(to_set))
            if not check_mode and to_unset:
                delete_tags(client, Resources=[current["group_id"]], Tags=[{"Key": key} for key in to_unset])
            tags = {k: v for k, v in {**tags, **to_set}.items() if k not in to_unset}
    return _predicted(current, rules["ingress"], rules["egress"], tags), changed


def reconcile(client, vpc_id: str, groups: List[Dict[str, Any]], default_group: str, check_mode: bool):
    """(results in the order of groups, the default group's result or None, diff) after one read of the VPC's
    groups, creating what is missing, then setting every group's rules and tags. Raises PeerNotFound before any
    write when a group_name peer is neither in the VPC nor in groups."""
    found = {g["GroupName"]: normalize_group(g) for g in describe_security_groups(client, Filters=_vpc(vpc_id))}
    ids = {name: group["group_id"] for name, group in found.items()}
    for group in groups:
        ids.setdefault(group["name"], None)
    for group in groups:
        for option in ("rules", "rules_egress"):
            desired_permissions(group.get(option) or [], resolver(ids))

    results, before, after = [], {}, {}
    for group in groups:
        name = group["name"]
        current = found.get(name)
        before[name] = copy.deepcopy(current) or {}
        changed = current is None
        if current is None:
            group_id = (
                None
                if check_mode
                else create_security_group(client, name, group["description"], vpc_id, group.get("tags"))
            )
            ids[name] = group_id or f"(new:{name})"
            current = {
                "group_id": group_id,
                "group_name": name,
                "description": group["description"],
                "vpc_id": vpc_id,
                "owner_id": None,
                "ip_permissions": [],
                "ip_permissions_egress": [camel_dict_to_snake_dict(p) for p in ip_permissions(DEFAULT_EGRESS)],
                "tags": dict(group.get("tags") or {}),
            }
        results.append((group, current, changed))

    outcome = [
        _reconcile_group(client, group, current, created, ids, check_mode=check_mode)
        for group, current, created in results
    ]
    written = [result["group_id"] for result, changed in outcome if changed and not check_mode]

    default = None
    if default_group == "strip":
        current = found.get(DEFAULT_GROUP_NAME)
        if current is None:
            raise PaymentsSecurityGroupError(message=f"VPC {vpc_id} has no default security group")
        before[DEFAULT_GROUP_NAME] = copy.deepcopy(current)
        changed = bool(strip_differences(current))
        for direction, reported in (("ingress", "ip_permissions"), ("egress", "ip_permissions_egress")):
            changes = rule_changes(reported_permissions(current.get(reported)), {}, True)
            _apply_rules(client, current["group_id"], direction, changes, check_mode)
        default = (_predicted(current, {}, {}, current.get("tags") or {}), changed)
        if changed and not check_mode:
            written.append(current["group_id"])

    if written:
        reread = {g["GroupId"]: normalize_group(g) for g in describe_security_groups(client, GroupIds=written)}
        outcome = [(reread.get(result["group_id"], result), changed) for result, changed in outcome]
        if default is not None:
            default = (reread.get(default[0]["group_id"], default[0]), default[1])
    for result, _changed in outcome:
        after[result["group_name"]] = result
    if default is not None:
        after[DEFAULT_GROUP_NAME] = default[0]
    return outcome, default, {"before": before, "after": after}


def _vpc(vpc_id: str) -> List[Dict[str, Any]]:
    return [{"Name": "vpc-id", "Values": [vpc_id]}]
