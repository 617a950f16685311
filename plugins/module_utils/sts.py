# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One thin wrapper per STS API call our modules make.

Every wrapper retries throttling with AWSRetry.jittered_backoff() and turns botocore errors into PaymentsSTSError,
which a module's main() hands to module.fail_json_aws_error() in one place.
"""

from typing import Any
from typing import Dict

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.payments.infra.plugins.module_utils.retries import AWSRetry


class PaymentsSTSError(AnsibleAWSError):
    """Any failure of an STS call made by payments.infra."""


class STSErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsSTSError


@STSErrorHandler.common_error_handler("get caller identity")
@AWSRetry.jittered_backoff()
def get_caller_identity(client) -> Dict[str, Any]:
    return client.get_caller_identity()


def account_of(identity: Dict[str, Any]) -> Dict[str, str]:
    """The account id and partition of a GetCallerIdentity answer (the partition is the ARN's second field)."""
    return {"account_id": identity["Account"], "partition": identity["Arn"].split(":")[1]}
