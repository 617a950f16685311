# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One thin wrapper per CloudWatch Logs API call our modules make, and the read / compare / act code of a log group
that cloudwatchlogs_log_groups, cloudwatchlogs_log_groups_info, cloudwatchlogs_log_group_kms and the
cloudwatchlogs_log_group_differences filter share.

Every wrapper retries throttling with AWSRetry.jittered_backoff() and turns botocore errors into PaymentsLogsError,
which a module's main() hands to module.fail_json_aws_error() in one place. The read of a log group that does not
exist returns None instead of raising.

A normalised log group is snake_case: log_group_name, arn (without the ":*" DescribeLogGroups appends),
retention_in_days (None: kept forever), kms_key_id (None: no key), tags (a dict), creation_time.
"""

import re
from typing import Any
from typing import Dict
from typing import Iterable
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.payments.infra.plugins.module_utils.retries import AWSRetry
from ansible_collections.payments.infra.plugins.module_utils.tag_compare import merge_tags
from ansible_collections.payments.infra.plugins.module_utils.logs_compare import log_group_differences
from ansible_collections.payments.infra.plugins.module_utils.tag_compare import tag_changes

# AssociateKmsKey fails with OperationAbortedException while another change of the same group is in flight.
_GROUP_BUSY = ["OperationAbortedException"]


class PaymentsLogsError(AnsibleAWSError):
    """Any failure of a CloudWatch Logs call made by payments.infra."""


class LogsErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsLogsError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


# The retention periods CloudWatch Logs accepts (PutRetentionPolicy), in days.
RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
# The ARN of a KMS key, the only form AssociateKmsKey and CreateLogGroup take.
KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$")
# What a log group of the modules' options compares: option -> key of the normalised group.
SETTINGS = ("retention", "kms_key_id", "tags")


@LogsErrorHandler.common_error_handler("describe log groups")
@AWSRetry.jittered_backoff()
def describe_log_group(client, log_group_name: str) -> Optional[Dict[str, Any]]:
    """The log group named exactly log_group_name (DescribeLogGroups matches a prefix), or None when absent."""
    paginator = client.get_paginator("describe_log_groups")
    groups = paginator.paginate(logGroupNamePrefix=log_group_name).build_full_result().get("logGroups", [])
    for group in groups:
        if group.get("logGroupName") == log_group_name:
            return group
    return None


@LogsErrorHandler.common_error_handler("associate KMS key")
@AWSRetry.jittered_backoff(catch_extra_error_codes=_GROUP_BUSY)
def associate_kms_key(client, log_group_name: str, kms_key_id: str) -> bool:
    client.associate_kms_key(logGroupName=log_group_name, kmsKeyId=kms_key_id)
    return True


@LogsErrorHandler.common_error_handler("disassociate KMS key")
@AWSRetry.jittered_backoff(catch_extra_error_codes=_GROUP_BUSY)
def disassociate_kms_key(client, log_group_name: str) -> bool:
    client.disassociate_kms_key(logGroupName=log_group_name)
    return True


@LogsErrorHandler.common_error_handler("describe log groups")
@AWSRetry.jittered_backoff()
def describe_log_groups(client, prefix: str) -> List[Dict[str, Any]]:
    """Every log group whose name starts with prefix (one DescribeLogGroups per page of 50)."""
    paginator = client.get_paginator("describe_log_groups")
    return paginator.paginate(logGroupNamePrefix=prefix).build_full_result().get("logGroups", [])


@LogsErrorHandler.list_error_handler("list log group tags", {})
@AWSRetry.jittered_backoff()
def list_log_group_tags(client, arn: str) -> Dict[str, str]:
    return client.list_tags_for_resource(resourceArn=arn).get("tags", {})


@LogsErrorHandler.common_error_handler("create log group")
@AWSRetry.jittered_backoff(catch_extra_error_codes=_GROUP_BUSY)
def create_log_group(client, name: str, kms_key_id: Optional[str], tags: Optional[Dict[str, str]]) -> bool:
    request: Dict[str, Any] = {"logGroupName": name}
    if kms_key_id:
        request["kmsKeyId"] = kms_key_id
    if tags:
        request["tags"] = tags
    client.create_log_group(**request)
    return True


@LogsErrorHandler.deletion_error_handler("delete log group")
@AWSRetry.jittered_backoff(catch_extra_error_codes=_GROUP_BUSY)
def delete_log_group(client, name: str) -> bool:
    client.delete_log_group(logGroupName=name)
    return True


@LogsErrorHandler.common_error_handler("put retention policy")
@AWSRetry.jittered_backoff(catch_extra_error_codes=_GROUP_BUSY + ["ResourceNotFoundException"])
def put_retention_policy(client, name: str, days: int) -> bool:
    # ResourceNotFoundException: a group created a moment ago may not be visible yet (eventual consistency).
    client.put_retention_policy(logGroupName=name, retentionInDays=days)
    return True


@LogsErrorHandler.common_error_handler("tag log group")
@AWSRetry.jittered_backoff(catch_extra_error_codes=_GROUP_BUSY + ["ResourceNotFoundException"])
def tag_log_group(client, arn: str, tags: Dict[str, str]) -> bool:
    client.tag_resource(resourceArn=arn, tags=tags)
    return True


@LogsErrorHandler.common_error_handler("untag log group")
@AWSRetry.jittered_backoff(catch_extra_error_codes=_GROUP_BUSY + ["ResourceNotFoundException"])
def untag_log_group(client, arn: str, tag_keys: List[str]) -> bool:
    client.untag_resource(resourceArn=arn, tagKeys=tag_keys)
    return True


def group_arn(group: Optional[Dict[str, Any]]) -> Optional[str]:
    """A DescribeLogGroups group's ARN without the ":*" it appends; None for no group."""
    if not group:
        return None
    return group.get("logGroupArn") or re.sub(r":\*$", "", group.get("arn", "")) or None


def normalize_log_group(group: Dict[str, Any], tags: Optional[Dict[str, str]]) -> Dict[str, Any]:
    """The snake_case shape every module returns and the comparison reads."""
    return {
        "log_group_name": group["logGroupName"],
        "arn": group_arn(group),
        "retention_in_days": group.get("retentionInDays"),
        "kms_key_id": group.get("kmsKeyId") or None,
        "tags": dict(tags or {}),
        "creation_time": group.get("creationTime"),
    }


def read_log_groups(
    client, names: Iterable[str] = (), prefixes: Iterable[str] = (), with_tags: bool = True
) -> Dict[str, Dict[str, Any]]:
    """The log groups named in names and those whose name starts with one of prefixes, by name, normalised.

    One DescribeLogGroups per prefix (per 50 groups) and per name that no prefix covers, then one
    ListTagsForResource per group found (with_tags). A name that does not exist is absent from the answer.
    """
    prefixes = sorted(set(prefixes))
    wanted = set(names)
    found: Dict[str, Dict[str, Any]] = {}
    for prefix in prefixes + sorted(n for n in wanted if not any(n.startswith(p) for p in prefixes)):
        for group in describe_log_groups(client, prefix):
            name = group["logGroupName"]
            if (name in wanted or any(name.startswith(p) for p in prefixes)) and name not in found:
                found[name] = group
    return {
        name: normalize_log_group(group, list_log_group_tags(client, group_arn(group)) if with_tags else None)
        for name, group in sorted(found.items())
    }


def set_kms_key(client, name: str, desired: Optional[str]) -> None:
    """Make the key of the existing group name desired (None: remove it)."""
    if desired is None:
        disassociate_kms_key(client, name)
    else:
        associate_kms_key(client, name, desired)


def reconcile_present(
    client, desired: Dict[str, Any], current: Optional[Dict[str, Any]], purge_tags: bool, check_mode: bool
) -> Tuple[bool, Dict[str, Any]]:
    """(changed, group after) for one group of cloudwatchlogs_log_groups with state present.

    desired: name, retention, kms_key_id, tags (None: leave alone). A missing group is created with its key and tags
    in one CreateLogGroup (atomic), then its retention is put. An existing group gets PutRetentionPolicy,
    AssociateKmsKey, TagResource / UntagResource only for what differs. Check mode writes nothing and returns the
    group as it would be (arn None for a group it would create).
    """
    name = desired["name"]
    differences = log_group_differences(current, desired, purge_tags)
    if not differences:
        return False, current
    if current is None:
        after = {
            "log_group_name": name,
            "arn": None,
            "retention_in_days": desired.get("retention"),
            "kms_key_id": desired.get("kms_key_id") or None,
            "tags": dict(desired.get("tags") or {}),
            "creation_time": None,
        }
        if not check_mode:
            create_log_group(client, name, desired.get("kms_key_id"), desired.get("tags"))
            if desired.get("retention") is not None:
                put_retention_policy(client, name, int(desired["retention"]))
            created = describe_log_group(client, name)
            if created:
                after.update(arn=group_arn(created), creation_time=created.get("creationTime"))
        return True, after
    after = dict(current)
    if "retention" in differences:
        after["retention_in_days"] = int(desired["retention"])
        if not check_mode:
            put_retention_policy(client, name, after["retention_in_days"])
    if "kms_key_id" in differences:
        after["kms_key_id"] = desired["kms_key_id"]
        if not check_mode:
            set_kms_key(client, name, desired["kms_key_id"])
    if "tags" in differences:
        to_set, to_unset = tag_changes(current.get("tags"), desired.get("tags"), purge_tags)
        after["tags"] = merge_tags(current.get("tags"), to_set, to_unset)
        if not check_mode:
            if to_unset:
                untag_log_group(client, current["arn"], to_unset)
            if to_set:
                tag_log_group(client, current["arn"], to_set)
    return True, after


def reconcile_absent(client, name: str, current: Optional[Dict[str, Any]], check_mode: bool) -> bool:
    """Delete the group name when it exists; whether it did (would, in check mode)."""
    if current is None:
        return False
    if not check_mode:
        delete_log_group(client, name)
    return True
