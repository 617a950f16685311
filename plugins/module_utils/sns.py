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
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.payments.infra.plugins.module_utils.diff import build_diff
from ansible_collections.payments.infra.plugins.module_utils.retries import AWSRetry
from ansible_collections.payments.infra.plugins.module_utils.tag_compare import merge_tags
from ansible_collections.payments.infra.plugins.module_utils.tag_compare import tag_changes

# SubscriptionArn of a subscription the endpoint has not confirmed yet (email, http/https). Such a
# subscription cannot be unsubscribed: AWS deletes it when it is not confirmed within 3 days.
PENDING_CONFIRMATION = "PendingConfirmation"
KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[^:]*:[0-9]*:key/")
TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
PROTOCOLS = ["http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose"]


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


def find_topic_arn(client, name: str, topic_arns: Optional[List[str]] = None) -> Optional[str]:
    """ARN of this account's topic `name` in the client's region, or None. Topic names hold no colon.

    topic_arns: what list_topic_arns returned, when the caller listed the topics already (no request then)."""
    for arn in list_topic_arns(client) if topic_arns is None else topic_arns:
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


# Reconciling one topic: the read/compare/act shared by sns_topic and sns_topics.


def key_arn(kms, key_id, required=False):
    """ARN of the KMS key `key_id` names; the identifier itself when it cannot be resolved (unless required).

    A key ARN (what the topic reports when it was given one) is its own ARN and needs no call; `required` resolves
    every identifier with DescribeKey, so a key that does not exist fails clearly."""
    if not key_id:
        return None
    if not required and KEY_ARN.match(key_id):
        return key_id
    metadata = describe_key(kms, key_id)
    if metadata is None:
        if required:
            raise PaymentsSNSError(message=f"KMS key {key_id} does not exist")
        return key_id
    return metadata.get("Arn")


def describe_topic(sns, kms, arn):
    """The normalised topic with ARN `arn`, None when it does not exist."""
    attributes = get_topic_attributes(sns, arn)
    if attributes is None:
        return None
    attributes.setdefault("TopicArn", arn)
    return normalize_topic(
        attributes,
        tags=list_topic_tags(sns, arn),
        subscriptions=list_topic_subscriptions(sns, arn),
        kms_key_arn=key_arn(kms, attributes.get("KmsMasterKeyId")),
    )


def read_topic(sns, kms, name, topic_arns=None):
    """(ARN, normalised topic) of the topic `name`, (None, None) when it does not exist.

    topic_arns: the region's topic ARNs when the caller listed them already (one ListTopics for many topics)."""
    arn = find_topic_arn(sns, name, topic_arns)
    topic = describe_topic(sns, kms, arn) if arn else None
    return (arn, topic) if topic else (None, None)


def reread_topic(sns, kms, arn):
    """The topic we just created or changed, read by ARN (ListTopics may lag behind CreateTopic)."""
    topic = describe_topic(sns, kms, arn)
    if topic is None:
        raise PaymentsSNSError(message=f"topic {arn} is not readable after the change")
    return topic


def attribute_updates(current, params, desired_key_arn):
    """{AttributeName: value} SetTopicAttributes must apply so that the topic matches what the user set."""
    updates = {}
    if params.get("display_name") is not None and params["display_name"] != current["display_name"]:
        updates["DisplayName"] = params["display_name"]
    key_id = params.get("kms_master_key_id")
    if key_id is not None:
        if key_id == "" and current["kms_master_key_id"]:
            updates["KmsMasterKeyId"] = ""
        elif key_id and desired_key_arn != current["kms_key_arn"]:
            updates["KmsMasterKeyId"] = key_id
    if params.get("policy") is not None and compare_policies(current["policy"] or {}, params["policy"]):
        updates["Policy"] = json.dumps(params["policy"], sort_keys=True)
    if params.get("delivery_policy") is not None and delivery_policy_differs(
        current["delivery_policy"], params["delivery_policy"]
    ):
        updates["DeliveryPolicy"] = json.dumps(params["delivery_policy"], sort_keys=True)
    dedup = params.get("content_based_deduplication")
    if dedup is not None and current["fifo_topic"] and dedup != current["content_based_deduplication"]:
        updates["ContentBasedDeduplication"] = str(dedup).lower()
    return updates


def subscription_changes(current, desired, purge):
    """(to add [{protocol, endpoint}], to remove [subscription], pending kept) for the subscriptions the user set."""
    if desired is None:
        return [], [], []
    wanted = {}
    for item in desired:
        wanted.setdefault(subscription_key(item["protocol"], item["endpoint"]), item)
    existing = {subscription_key(item["protocol"], item["endpoint"]) for item in current}
    to_add = [{"protocol": key[0], "endpoint": key[1]} for key in sorted(wanted) if key not in existing]
    to_remove, pending_kept = [], []
    if purge:
        for item in current:
            if subscription_key(item["protocol"], item["endpoint"]) in wanted:
                continue
            (pending_kept if item["pending_confirmation"] else to_remove).append(item)
    return to_add, to_remove, pending_kept


def planned_topic(before, params, *, updates, desired_key_arn, to_set, to_unset, to_add, to_remove):
    """The topic once the changes are applied, for check mode (nothing is called)."""
    after = copy.deepcopy(before)
    if "DisplayName" in updates:
        after["display_name"] = updates["DisplayName"]
    if "KmsMasterKeyId" in updates:
        after["kms_master_key_id"] = updates["KmsMasterKeyId"] or None
        after["kms_key_arn"] = desired_key_arn if updates["KmsMasterKeyId"] else None
    if "Policy" in updates:
        after["policy"] = params["policy"]
    if "DeliveryPolicy" in updates:
        after["delivery_policy"] = params["delivery_policy"]
    if "ContentBasedDeduplication" in updates:
        after["content_based_deduplication"] = params["content_based_deduplication"]
    after["tags"] = merge_tags(before["tags"], to_set, to_unset)
    removed = {item["subscription_arn"] for item in to_remove}
    subscriptions = [item for item in after["subscriptions"] if item["subscription_arn"] not in removed]
    subscriptions += [dict(item, subscription_arn=None, pending_confirmation=False) for item in to_add]
    after["subscriptions"] = sorted(subscriptions, key=lambda item: (item["protocol"], item["endpoint"]))
    return after


def create_attributes(params):
    attributes = {}
    if params["topic_type"] == "fifo":
        attributes["FifoTopic"] = "true"
        if params.get("content_based_deduplication") is not None:
            attributes["ContentBasedDeduplication"] = str(params["content_based_deduplication"]).lower()
    if params.get("display_name"):
        attributes["DisplayName"] = params["display_name"]
    if params.get("kms_master_key_id"):
        attributes["KmsMasterKeyId"] = params["kms_master_key_id"]
    if params.get("policy") is not None:
        attributes["Policy"] = json.dumps(params["policy"], sort_keys=True)
    if params.get("delivery_policy") is not None:
        attributes["DeliveryPolicy"] = json.dumps(params["delivery_policy"], sort_keys=True)
    return attributes


def ensure_topic_present(sns, kms, params, check_mode, topic_arns=None):
    """(changed, topic, diff, warnings) after making the topic match the options the user set (params)."""
    name = params["name"]
    warnings = []
    arn, before = read_topic(sns, kms, name, topic_arns)
    key_id = params.get("kms_master_key_id")
    if key_id and before and key_id == before["kms_master_key_id"] and before["kms_key_arn"]:
        # The identifier the topic reports: the same key, already resolved (or a key ARN, its own).
        desired_key_arn = before["kms_key_arn"]
    else:
        desired_key_arn = key_arn(kms, key_id, required=True)

    if before is None:
        to_add, _to_remove, _pending = subscription_changes([], params.get("subscriptions"), False)
        if check_mode:
            empty = {
                "arn": None,
                "name": name,
                "owner": None,
                "display_name": "",
                "fifo_topic": params["topic_type"] == "fifo",
                "content_based_deduplication": False,
                "kms_master_key_id": None,
                "kms_key_arn": None,
                "policy": None,
                "delivery_policy": None,
                "subscriptions": [],
                "tags": {},
            }
            to_set, to_unset = tag_changes({}, params.get("tags"), True)
            after = planned_topic(
                empty,
                params,
                updates=create_attributes(params),
                desired_key_arn=desired_key_arn,
                to_set=to_set,
                to_unset=to_unset,
                to_add=to_add,
                to_remove=[],
            )
            return True, after, build_diff(None, after), warnings
        arn = create_topic(sns, name, create_attributes(params), params.get("tags"))
        for item in to_add:
            subscribe(sns, arn, item["protocol"], item["endpoint"])
        after = reread_topic(sns, kms, arn)
        return True, after, build_diff(None, after), warnings

    if before["fifo_topic"] != (params["topic_type"] == "fifo"):
        raise PaymentsSNSError(
            message=f"topic {name} is a {'FIFO' if before['fifo_topic'] else 'standard'} topic; "
            f"topic_type={params['topic_type']} cannot change an existing topic"
        )
    updates = attribute_updates(before, params, desired_key_arn)
    to_set, to_unset = tag_changes(before["tags"], params.get("tags"), params.get("purge_tags"))
    to_add, to_remove, pending_kept = subscription_changes(
        before["subscriptions"], params.get("subscriptions"), params.get("purge_subscriptions")
    )
    for item in pending_kept:
        warnings.append(
            f"subscription {item['protocol']}:{item['endpoint']} waits for confirmation and cannot be removed; "
            "SNS deletes it if it is not confirmed within 3 days"
        )
    changed = bool(updates or to_set or to_unset or to_add or to_remove)
    if not changed:
        return False, before, build_diff(before, before), warnings
    if check_mode:
        after = planned_topic(
            before,
            params,
            updates=updates,
            desired_key_arn=desired_key_arn,
            to_set=to_set,
            to_unset=to_unset,
            to_add=to_add,
            to_remove=to_remove,
        )
        return True, after, build_diff(before, after), warnings

    for attribute in sorted(updates):
        set_topic_attribute(sns, arn, attribute, updates[attribute])
    if to_unset:
        untag_topic(sns, arn, to_unset)
    if to_set:
        tag_topic(sns, arn, to_set)
    for item in to_remove:
        unsubscribe(sns, item["subscription_arn"])
    for item in to_add:
        subscribe(sns, arn, item["protocol"], item["endpoint"])
    after = reread_topic(sns, kms, arn)
    return True, after, build_diff(before, after), warnings


def ensure_topic_absent(sns, kms, params, check_mode, topic_arns=None):
    """(changed, {}, diff, []) after deleting the topic params["name"] (with its subscriptions) when it exists."""
    arn, before = read_topic(sns, kms, params["name"], topic_arns)
    if before is None:
        return False, {}, build_diff(None, None), []
    if not check_mode:
        delete_topic(sns, arn)
    return True, {}, build_diff(before, None), []


def topic_params_error(params):
    """What is wrong with one topic's options (before any AWS call), None when they are fine."""
    name = params["name"]
    base = name[: -len(".fifo")] if name.endswith(".fifo") else name
    if not TOPIC_NAME.match(base) or len(name) > 256:
        return f"name={name!r} is not a valid topic name (1-256 letters, digits, '-' and '_')"
    if (params["topic_type"] == "fifo") != name.endswith(".fifo"):
        return f"name={name!r}: the name of a FIFO topic ends in .fifo, and only a FIFO topic's"
    if params.get("content_based_deduplication") is not None and params["topic_type"] != "fifo":
        return "content_based_deduplication applies to FIFO topics only (topic_type=fifo)"
    for item in params.get("subscriptions") or []:
        if not item["endpoint"]:
            return f"subscriptions: the {item['protocol']} subscription has an empty endpoint"
        if item["protocol"] == "sms" and not canonical_endpoint("sms", item["endpoint"]):
            return f"subscriptions: {item['endpoint']!r} is not a phone number"
    return None


def topic_argument_spec():
    """The options of one topic (sns_topic; each item of sns_topics)."""
    return dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        topic_type=dict(type="str", choices=["standard", "fifo"], default="standard"),
        content_based_deduplication=dict(type="bool"),
        display_name=dict(type="str"),
        kms_master_key_id=dict(type="str", no_log=False),
        policy=dict(type="dict"),
        delivery_policy=dict(type="dict"),
        subscriptions=dict(
            type="list",
            elements="dict",
            options=dict(
                protocol=dict(type="str", required=True, choices=PROTOCOLS),
                endpoint=dict(type="str", required=True),
            ),
        ),
        purge_subscriptions=dict(type="bool", default=False),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
