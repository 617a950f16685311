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

from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule
from ansible_collections.payments.infra.plugins.module_utils.sns import PaymentsSNSError
from ansible_collections.payments.infra.plugins.module_utils.sns import ensure_topic_absent
from ansible_collections.payments.infra.plugins.module_utils.sns import ensure_topic_present
from ansible_collections.payments.infra.plugins.module_utils.sns import topic_argument_spec
from ansible_collections.payments.infra.plugins.module_utils.sns import topic_params_error


def main():
    module = PaymentsAWSModule(argument_spec=topic_argument_spec(), supports_check_mode=True)
    error = topic_params_error(module.params)
    if error:
        module.fail_json(msg=error)

    sns = module.client("sns")
    kms = module.client("kms")
    ensure = ensure_topic_present if module.params["state"] == "present" else ensure_topic_absent
    try:
        changed, topic, diff, warnings = ensure(sns, kms, module.params, module.check_mode)
    except PaymentsSNSError as e:
        module.fail_json_aws_error(e)

    module.exit_with_diff({"changed": changed, "topic": topic or {}, "diff": diff}, warnings)


if __name__ == "__main__":
    main()
