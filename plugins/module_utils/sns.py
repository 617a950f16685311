# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One thin wrapper per SNS (and KMS key lookup) API call our modules make, and the SNS topic shape they return.

Every wrapper retries throttling with AWSRetry.jittered_backoff() and turns botocore errors into PaymentsSNSError,
which a module's main() hands to module.fail_json_aws_error() in one place. Reads of a topic that does not exist
return None instead of raising.
"""

import copy
import json
import re
from typing import Any
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.payments.infra.plugins.module_utils.retries import AWSRetry

# SubscriptionArn of a subscription the endpoint has not confirmed yet (email, http/https). Such a
# subscription cannot be unsubscribed: AWS deletes it when it is not confirmed within 3 days.
PENDING_CONFIRMATION = "PendingConfirmation"
KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[^:]*:[0-9]*:key/")


class PaymentsSNSError(AnsibleAWSError):
    """Any failure of an SNS (or KMS key lookup) call made by payments.infra."""


class SNSErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsSNSError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(["NotFound", "NotFoundException"])


class KMSKeyErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsSNSError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("NotFoundException")


# Topics


@SNSErrorHandler.list_error_handler("list topics", [])
@AWSRetry.jittered_backoff()
def list_topic_arns(client) -> List[str]:
    paginator = client.get_paginator("list_topics")
    return [topic["TopicArn"] for topic in paginator.paginate().build_full_result().get("Topics", [])]


def find_topic_arn(client, name: str) -> Optional[str]:
    """ARN of this account's topic `name` in the client's region, or None. Topic names hold no colon."""
    for arn in list_topic_arns(client):
        if arn.rsplit(":", 1)[-1] == name:
            return arn
    return None


@SNSErrorHandler.list_error_handler("get topic attributes", None)
@AWSRetry.jittered_backoff()
def get_topic_attributes(client, topic_arn: str) -> Optional[Dict[str, str]]:
    return client.get_topic_attributes(TopicArn=topic_arn)["Attributes"]


@SNSErrorHandler.common_error_handler("create topic")
@AWSRetry.jittered_backoff()
def create_topic(client, name: str, attributes: Dict[str, str], tags: Optional[Dict[str, str]]) -> str:
    params = {"Name": name}
    if attributes:
        params["Attributes"] = attributes
    if tags:
        params["Tags"] = ansible_dict_to_boto3_tag_list(tags)
    return client.create_topic(**params)["TopicArn"]


@SNSErrorHandler.common_error_handler("set topic attribute")
@AWSRetry.jittered_backoff()
def set_topic_attribute(client, topic_arn: str, name: str, value: str) -> bool:
    client.set_topic_attributes(TopicArn=topic_arn, AttributeName=name, AttributeValue=value)
    return True


@SNSErrorHandler.deletion_error_handler("delete topic")
@AWSRetry.jittered_backoff()
def delete_topic(client, topic_arn: str) -> bool:
    client.delete_topic(TopicArn=topic_arn)
    return True


# Tags


@SNSErrorHandler.list_error_handler("list topic tags", {})
@AWSRetry.jittered_backoff()
def list_topic_tags(client, topic_arn: str) -> Dict[str, str]:
    return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(ResourceArn=topic_arn).get("Tags") or [])


@SNSErrorHandler.common_error_handler("tag topic")
@AWSRetry.jittered_backoff()
def tag_topic(client, topic_arn: str, tags: Dict[str, str]) -> bool:
    client.tag_resource(ResourceArn=topic_arn, Tags=ansible_dict_to_boto3_tag_list(tags))
    return True


@SNSErrorHandler.common_error_handler("untag topic")
@AWSRetry.jittered_backoff()
def untag_topic(client, topic_arn: str, tag_keys: List[str]) -> bool:
    client.untag_resource(ResourceArn=topic_arn, TagKeys=tag_keys)
    return True


# Subscriptions


@SNSErrorHandler.list_error_handler("list topic subscriptions", [])
@AWSRetry.jittered_backoff()
def list_topic_subscriptions(client, topic_arn: str) -> List[Dict[str, str]]:
    paginator = client.get_paginator("list_subscriptions_by_topic")
    return paginator.paginate(TopicArn=topic_arn).build_full_result().get("Subscriptions", [])


@SNSErrorHandler.common_error_handler("subscribe")
@AWSRetry.jittered_backoff()
def subscribe(client, topic_arn: str, protocol: str, endpoint: str) -> str:
    return client.subscribe(TopicArn=topic_arn, Protocol=protocol, Endpoint=endpoint)["SubscriptionArn"]


@SNSErrorHandler.deletion_error_handler("unsubscribe")
@AWSRetry.jittered_backoff()
def unsubscribe(client, subscription_arn: str) -> bool:
    client.unsubscribe(SubscriptionArn=subscription_arn)
    return True


# KMS


@KMSKeyErrorHandler.list_error_handler("describe KMS key", None)
@AWSRetry.jittered_backoff()
def describe_key(client, key_id: str) -> Optional[Dict[str, Any]]:
    return client.describe_key(KeyId=key_id)["KeyMetadata"]


# Shapes and comparisons (no AWS call)


def canonical_endpoint(protocol: str, endpoint: str) -> str:
    """The endpoint as SNS stores it: phone numbers in E.164 (digits and +), anything else as given."""
    if protocol == "sms":
        return re.sub(r"[^0-9+]", "", endpoint)
    return endpoint


def subscription_key(protocol: str, endpoint: str) -> Tuple[str, str]:
    return protocol, canonical_endpoint(protocol, endpoint)


def normalize_subscription(subscription: Dict[str, str]) -> Dict[str, Any]:
    arn = subscription.get("SubscriptionArn")
    pending = arn == PENDING_CONFIRMATION
    return {
        "protocol": subscription.get("Protocol"),
        "endpoint": subscription.get("Endpoint"),
        "subscription_arn": None if pending else arn,
        "pending_confirmation": pending,
    }


def parse_json(value: Optional[str]) -> Optional[Any]:
    """A JSON attribute as a Python value; None when empty (SNS answers "" for an unset DeliveryPolicy)."""
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return value


def delivery_policy_differs(current: Optional[Dict[str, Any]], desired: Dict[str, Any]) -> bool:
    """Compare delivery policies the way SNS stores them: it adds http.disableSubscriptionOverrides=false."""

    def _normal(policy):
        policy = copy.deepcopy(policy or {})
        if isinstance(policy.get("http"), dict):
            policy["http"].setdefault("disableSubscriptionOverrides", False)
        return policy

    return _normal(current) != _normal(desired)


def normalize_topic(
    attributes: Optional[Dict[str, str]],
    tags: Optional[Dict[str, str]] = None,
    subscriptions: Optional[List[Dict[str, str]]] = None,
    kms_key_arn: Optional[str] = None,
) -> Optional[Dict[str, Any]]:
    """A topic in the shape our modules return (snake_case keys, policies as dicts, tags as a dict)."""
    if attributes is None:
        return None
    arn = attributes.get("TopicArn")
    return {
        "arn": arn,
        "name": arn.rsplit(":", 1)[-1] if arn else None,
        "owner": attributes.get("Owner"),
        "display_name": attributes.get("DisplayName", ""),
        "fifo_topic": attributes.get("FifoTopic", "false").lower() == "true",
        "content_based_deduplication": attributes.get("ContentBasedDeduplication", "false").lower() == "true",
        "kms_master_key_id": attributes.get("KmsMasterKeyId") or None,
        "kms_key_arn": kms_key_arn,
        "policy": parse_json(attributes.get("Policy")),
        "delivery_policy": parse_json(attributes.get("DeliveryPolicy")),
        "subscriptions": sorted(
            (normalize_subscription(item) for item in subscriptions or []),
            key=lambda item: (item["protocol"] or "", item["endpoint"] or ""),
        ),
        "tags": dict(tags or {}),
    }
