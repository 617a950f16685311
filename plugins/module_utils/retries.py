# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWSRetry for payments.infra: amazon.aws's, also retrying the throttling codes of every protocol we call.

amazon.aws's AWSRetry.jittered_backoff() retries the EC2 and query-protocol codes (RequestLimitExceeded,
Throttling, TooManyRequestsException, ServiceUnavailable, ...) but not what the JSON-protocol services
(DynamoDB, KMS, Secrets Manager, SSM, CloudWatch, CloudWatch Logs, SQS) answer when they throttle,
ThrottlingException, nor S3's SlowDown, nor a bare HTTP 503 (code "503"). botocore retries those first
(payments_aws_retries); this layer keeps a call alive when botocore gives up or its retries are turned down.
Import AWSRetry from here instead of amazon.aws; its decorators are the same.
"""

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry as _AmazonAWSRetry

THROTTLING_ERROR_CODES = (
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "RequestThrottled",
    "ProvisionedThroughputExceededException",
    "SlowDown",
    "EC2ThrottledException",
    "PriorRequestNotComplete",
    "503",
)


class AWSRetry(_AmazonAWSRetry):
    """amazon.aws's AWSRetry with THROTTLING_ERROR_CODES added to the codes every decorator retries."""

    @staticmethod
    def found(response_code, catch_extra_error_codes=None):
        extra = list(THROTTLING_ERROR_CODES) + list(catch_extra_error_codes or [])
        return _AmazonAWSRetry.found(response_code, extra)
