# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One thin wrapper per SQS API call our modules make.

Every wrapper retries throttling with AWSRetry.jittered_backoff() and turns botocore errors into PaymentsSQSError,
which a module's main() hands to module.fail_json_aws_error() in one place. Reads of a queue that does not exist
return None instead of raising.
"""

from typing import Dict
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.payments.infra.plugins.module_utils.retries import AWSRetry

# The query protocol's code and the JSON protocol's (botocore >= 1.34.9 talks JSON to SQS).
_MISSING = ["AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"]


class PaymentsSQSError(AnsibleAWSError):
    """Any failure of an SQS call made by payments.infra."""


class SQSQueueErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsSQSError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(_MISSING)


@SQSQueueErrorHandler.list_error_handler("get queue url", None)
@AWSRetry.jittered_backoff()
def get_queue_url(client, name: str) -> Optional[str]:
    """The URL of the queue, or None when it does not exist."""
    return client.get_queue_url(QueueName=name)["QueueUrl"]


@SQSQueueErrorHandler.list_error_handler("get queue attributes", None)
@AWSRetry.jittered_backoff()
def get_queue_attributes(client, queue_url: str) -> Optional[Dict[str, str]]:
    """Every attribute of the queue (strings, as SQS returns them), or None when it is gone."""
    return client.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"]).get("Attributes", {})


@SQSQueueErrorHandler.list_error_handler("list queue tags", None)
@AWSRetry.jittered_backoff()
def list_queue_tags(client, queue_url: str) -> Optional[Dict[str, str]]:
    """The tags of the queue as a dict, or None when it is gone."""
    return client.list_queue_tags(QueueUrl=queue_url).get("Tags", {})
