# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One thin wrapper per CloudWatch Logs API call our modules make.

Every wrapper retries throttling with AWSRetry.jittered_backoff() and turns botocore errors into PaymentsLogsError,
which a module's main() hands to module.fail_json_aws_error() in one place. The read of a log group that does not
exist returns None instead of raising.
"""

from typing import Any
from typing import Dict
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.payments.infra.plugins.module_utils.retries import AWSRetry

# AssociateKmsKey fails with OperationAbortedException while another change of the same group is in flight.
_GROUP_BUSY = ["OperationAbortedException"]


class PaymentsLogsError(AnsibleAWSError):
    """Any failure of a CloudWatch Logs call made by payments.infra."""


class LogsErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsLogsError


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
