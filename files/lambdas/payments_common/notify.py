"""Side channels of a transaction: SNS notifications and the audit trail (both best effort).

Neither may change a transaction's outcome: the record in DynamoDB (with its status_history and
its stream) is the source of truth. A failed publish or audit write is logged with the full,
card-free event, so nothing is lost from CloudWatch Logs either.
"""

import json
import time

from . import aws
from .errors import DependencyError


class Notifier:
    def __init__(self, topic_arn, log):
        self.topic_arn = topic_arn
        self.log = log

    def publish(self, message, kind):
        if not self.topic_arn:
            self.log.warning("notification_skipped", reason="no topic configured", kind=kind, message=message)
            return False
        try:
            aws.call(
                "sns",
                "publish",
                TopicArn=self.topic_arn,
                Message=json.dumps(message, separators=(",", ":"), sort_keys=True),
                MessageAttributes={
                    "kind": {"DataType": "String", "StringValue": kind},
                    "status": {"DataType": "String", "StringValue": str(message.get("status", "UNKNOWN"))},
                },
            )
            return True
        except DependencyError as exc:
            self.log.error("notification_failed", kind=kind, error=exc.as_dict(), message=message)
            return False


class Auditor:
    """One JSON object per event in S3 (AUDIT_BUCKET), keyed so that a retried write overwrites itself."""

    def __init__(self, bucket, prefix, log):
        self.bucket = bucket
        self.prefix = prefix
        self.log = log

    def record(self, event):
        if not self.bucket:
            self.log.info("audit", audit_event=event)
            return True
        at = time.gmtime(event["at"] / 1000)
        key = (
            f"{self.prefix}{at.tm_year:04d}/{at.tm_mon:02d}/{at.tm_mday:02d}/"
            f"{event['transaction_id']}/{event['attempt']:03d}-{event['event']}.json"
        )
        try:
            aws.call(
                "s3",
                "put_object",
                Bucket=self.bucket,
                Key=key,
                Body=json.dumps(event, separators=(",", ":"), sort_keys=True).encode("utf-8"),
                ContentType="application/json",
            )
            return True
        except DependencyError as exc:
            self.log.error("audit_write_failed", error=exc.as_dict(), audit_event=event)
            return False
