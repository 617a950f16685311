#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: sns_topic
short_description: Create, update or delete an SNS topic with KMS encryption, policy, subscriptions and tags
version_added: 0.1.0
description:
  - Creates, updates or deletes an Amazon SNS topic found by name in the connection's region.
  - Unlike M(community.aws.sns_topic), server-side encryption with a KMS key (O(kms_master_key_id)) is
    reconciled. SNS echoes the key identifier it was given, so the key is compared by its resolved key ARN
    (aliases are resolved with KMS C(DescribeKey)); an alias and the ARN of the same key are no change.
    A key ARN needs no C(DescribeKey), nor does a O(kms_master_key_id) equal to the identifier the topic
    reports, so a rerun with the key ARN makes no KMS call.
  - Only the options that are set are reconciled; an unset option never changes the topic.
  - The topic policy is compared with C(compare_policies) of the amazon.aws collection (statement order and
    single-item lists do not matter).
  - Subscriptions are identified by protocol and endpoint. Subscriptions waiting for confirmation
    (email, HTTP/S) count as existing; they cannot be removed and expire after 3 days when not confirmed.
author:
  - payments.infra maintainers (@payments-infra)
options:
  name:
    description:
      - Name of the topic (1-256 letters, digits, C(-) and C(_); a FIFO topic's name ends in C(.fifo)).
    type: str
    required: true
  state:
    description: Whether the topic exists. C(absent) deletes the topic and with it its subscriptions.
    type: str
    choices: [present, absent]
    default: present
  topic_type:
    description:
      - Standard or FIFO topic. Set when the topic is created; an existing topic of the other type is an error.
    type: str
    choices: [standard, fifo]
    default: standard
  content_based_deduplication:
    description:
      - FIFO topics only. Deduplicate messages by a hash of their body. Unset leaves it as it is.
    type: bool
  display_name:
    description: Display name (the sender name of SMS and email messages). Unset leaves it as it is.
    type: str
  kms_master_key_id:
    description:
      - KMS key (key ID, key ARN, alias name or alias ARN) that encrypts the messages at rest.
      - Compared by the key's ARN. An empty string turns server-side encryption off. Unset leaves it as it is.
    type: str
  policy:
    description:
      - The complete access policy of the topic. Unset leaves the policy as it is (the SNS default on a new topic).
    type: dict
  delivery_policy:
    description:
      - The delivery (retry) policy of HTTP/S endpoints, as SNS documents it (C(http.defaultHealthyRetryPolicy)...).
      - Unset leaves it as it is.
    type: dict
  subscriptions:
    description:
      - Subscriptions the topic must have. Unset leaves subscriptions as they are.
      - With O(purge_subscriptions=false) other subscriptions are kept.
    type: list
    elements: dict
    suboptions:
      protocol:
        description: Delivery protocol.
        type: str
        required: true
        choices: [http, https, email, email-json, sms, sqs, application, lambda, firehose]
      endpoint:
        description: Endpoint of the subscription (URL, email address, phone number or ARN, by protocol).
        type: str
        required: true
  purge_subscriptions:
    description:
      - Remove the confirmed subscriptions that are not in O(subscriptions). Ignored when O(subscriptions) is unset.
    type: bool
    default: false
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Alarm topic encrypted with a customer-managed key, published to by CloudWatch alarms
  payments.infra.sns_topic:
    name: system-errors-prod
    display_name: payment system errors
    kms_master_key_id: alias/payment-logs-prod
    policy:
      Version: "2012-10-17"
      Statement:
        - Sid: CloudWatchAlarmsPublish
          Effect: Allow
          Principal:
            Service: cloudwatch.amazonaws.com
          Action: sns:Publish
          Resource: arn:aws:sns:eu-west-1:123456789012:system-errors-prod
          Condition:
            StringEquals:
              aws:SourceAccount: "123456789012"
    subscriptions:
      - protocol: email
        endpoint: oncall@example.com
    tags:
      Environment: prod

- name: FIFO topic
  payments.infra.sns_topic:
    name: ledger-events-prod.fifo
    topic_type: fifo
    content_based_deduplication: true

- name: Keep exactly these subscriptions (confirmed others are removed)
  payments.infra.sns_topic:
    name: system-errors-prod
    subscriptions:
      - protocol: sqs
        endpoint: arn:aws:sqs:eu-west-1:123456789012:ops-events
    purge_subscriptions: true

- name: Delete the topic
  payments.infra.sns_topic:
    name: system-errors-dev
    state: absent
"""

RETURN = r"""
topic:
  description: The topic as SNS reports it after the change (planned state in check mode). Empty when absent.
  returned: always
  type: dict
  contains:
    arn:
      description: ARN of the topic (null when it would be created in check mode).
      returned: when the topic exists
      type: str
      sample: arn:aws:sns:eu-west-1:123456789012:system-errors-prod
    name:
      description: Name of the topic.
      returned: when the topic exists
      type: str
      sample: system-errors-prod
    owner:
      description: Account that owns the topic.
      returned: when the topic exists
      type: str
      sample: "123456789012"
    display_name:
      description: Display name of the topic (empty when not set).
      returned: when the topic exists
      type: str
      sample: payment system errors
    fifo_topic:
      description: Whether the topic is a FIFO topic.
      returned: when the topic exists
      type: bool
      sample: false
    content_based_deduplication:
      description: Whether content-based deduplication is on (FIFO topics).
      returned: when the topic exists
      type: bool
      sample: false
    kms_master_key_id:
      description: KMS key as SNS reports it (what was set), null when the topic is not encrypted.
      returned: when the topic exists
      type: str
      sample: alias/payment-logs-prod
    kms_key_arn:
      description: ARN of that KMS key, resolved (the identifier as reported when it cannot be resolved).
      returned: when the topic exists
      type: str
      sample: arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab
    policy:
      description: Access policy of the topic.
      returned: when the topic exists
      type: dict
      sample: {"Version": "2012-10-17", "Statement": []}
    delivery_policy:
      description: Delivery policy that was set, null when none.
      returned: when the topic exists
      type: dict
      sample: {"http": {"defaultHealthyRetryPolicy": {"numRetries": 3}}}
    subscriptions:
      description: Subscriptions of the topic, sorted by protocol and endpoint.
      returned: when the topic exists
      type: list
      elements: dict
      contains:
        protocol:
          description: Delivery protocol.
          returned: always
          type: str
          sample: email
        endpoint:
          description: Endpoint.
          returned: always
          type: str
          sample: oncall@example.com
        subscription_arn:
          description: ARN of the subscription, null while it waits for confirmation or in check mode.
          returned: always
          type: str
          sample: arn:aws:sns:eu-west-1:123456789012:system-errors-prod:7f0c1e4a-0000-4000-8000-000000000000
        pending_confirmation:
          description: Whether the endpoint has not confirmed the subscription yet.
          returned: always
          type: bool
          sample: false
    tags:
      description: Tags of the topic.
      returned: when the topic exists
      type: dict
      sample: {"Environment": "prod"}
"""

import copy
import json
import re

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies

from ansible_collections.payments.infra.plugins.module_utils.diff import build_diff
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule
from ansible_collections.payments.infra.plugins.module_utils.sns import PaymentsSNSError
from ansible_collections.payments.infra.plugins.module_utils.sns import canonical_endpoint
from ansible_collections.payments.infra.plugins.module_utils.sns import create_topic
from ansible_collections.payments.infra.plugins.module_utils.sns import delete_topic
from ansible_collections.payments.infra.plugins.module_utils.sns import delivery_policy_differs
from ansible_collections.payments.infra.plugins.module_utils.sns import KEY_ARN
from ansible_collections.payments.infra.plugins.module_utils.sns import describe_key
from ansible_collections.payments.infra.plugins.module_utils.sns import find_topic_arn
from ansible_collections.payments.infra.plugins.module_utils.sns import get_topic_attributes
from ansible_collections.payments.infra.plugins.module_utils.sns import list_topic_subscriptions
from ansible_collections.payments.infra.plugins.module_utils.sns import list_topic_tags
from ansible_collections.payments.infra.plugins.module_utils.sns import normalize_topic
from ansible_collections.payments.infra.plugins.module_utils.sns import set_topic_attribute
from ansible_collections.payments.infra.plugins.module_utils.sns import subscribe
from ansible_collections.payments.infra.plugins.module_utils.sns import subscription_key
from ansible_collections.payments.infra.plugins.module_utils.sns import tag_topic
from ansible_collections.payments.infra.plugins.module_utils.sns import unsubscribe
from ansible_collections.payments.infra.plugins.module_utils.sns import untag_topic
from ansible_collections.payments.infra.plugins.module_utils.tagging import merge_tags
from ansible_collections.payments.infra.plugins.module_utils.tagging import tag_changes

TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
PROTOCOLS = ["http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose"]


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


def read_topic(sns, kms, name):
    """(ARN, normalised topic) of the topic `name`, (None, None) when it does not exist."""
    arn = find_topic_arn(sns, name)
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


def ensure_present(sns, kms, params, check_mode):
    """(changed, topic, diff, warnings)."""
    name = params["name"]
    warnings = []
    arn, before = read_topic(sns, kms, name)
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


def ensure_absent(sns, kms, params, check_mode):
    arn, before = read_topic(sns, kms, params["name"])
    if before is None:
        return False, {}, build_diff(None, None), []
    if not check_mode:
        delete_topic(sns, arn)
    return True, {}, build_diff(before, None), []


def validate(module):
    params = module.params
    name = params["name"]
    base = name[: -len(".fifo")] if name.endswith(".fifo") else name
    if not TOPIC_NAME.match(base) or len(name) > 256:
        module.fail_json(msg=f"name={name!r} is not a valid topic name (1-256 letters, digits, '-' and '_')")
    if (params["topic_type"] == "fifo") != name.endswith(".fifo"):
        module.fail_json(msg=f"name={name!r}: the name of a FIFO topic ends in .fifo, and only a FIFO topic's")
    if params.get("content_based_deduplication") is not None and params["topic_type"] != "fifo":
        module.fail_json(msg="content_based_deduplication applies to FIFO topics only (topic_type=fifo)")
    for item in params.get("subscriptions") or []:
        if not item["endpoint"]:
            module.fail_json(msg=f"subscriptions: the {item['protocol']} subscription has an empty endpoint")
        if item["protocol"] == "sms" and not canonical_endpoint("sms", item["endpoint"]):
            module.fail_json(msg=f"subscriptions: {item['endpoint']!r} is not a phone number")


def main():
    argument_spec = dict(
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
    module = PaymentsAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)

    sns = module.client("sns")
    kms = module.client("kms")
    try:
        if module.params["state"] == "present":
            changed, topic, diff, warnings = ensure_present(sns, kms, module.params, module.check_mode)
        else:
            changed, topic, diff, warnings = ensure_absent(sns, kms, module.params, module.check_mode)
    except PaymentsSNSError as e:
        module.fail_json_aws_error(e)

    module.exit_with_diff({"changed": changed, "topic": topic or {}, "diff": diff}, warnings)


if __name__ == "__main__":
    main()
