#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: sns_topics
short_description: Create, update or delete a list of SNS topics (KMS encryption, policy, subscriptions, tags) at once
version_added: 0.1.0
description:
  - Reconciles every topic of O(topics) in one module run, each exactly as M(payments.infra.sns_topic) does, with the
    same options, comparison (KMS key by its resolved ARN, policy with C(compare_policies), subscriptions by protocol
    and endpoint, tags), changes and returned topic.
  - Lists the region's topics once (C(ListTopics)) for all of them instead of once per topic, then per topic
    C(GetTopicAttributes), C(ListTagsForResource) and C(ListSubscriptionsByTopic); writes only what differs.
  - One module run instead of one per topic, which is what a playbook looping over M(payments.infra.sns_topic) pays
    for (module start, boto3 import, client creation).
  - The topics are handled in the order given; an error stops the run at that topic (the earlier ones are done).
author:
  - payments.infra maintainers (@payments-infra)
options:
  topics:
    description:
      - The topics, each with the options of M(payments.infra.sns_topic). Names must be distinct.
      - An empty list does nothing.
    type: list
    elements: dict
    required: true
    suboptions:
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
          - With O(topics[].purge_subscriptions=false) other subscriptions are kept.
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
          - Remove the confirmed subscriptions that are not in O(topics[].subscriptions).
            Ignored when O(topics[].subscriptions) is unset.
        type: bool
        default: false
      tags:
        description:
          - Tags of the topic. Unset leaves the tags as they are.
        type: dict
        aliases: [resource_tags]
      purge_tags:
        description:
          - Remove the tags that are not in O(topics[].tags). Ignored when O(topics[].tags) is unset.
        type: bool
        default: true
notes:
  - Supports check mode and diff mode (the diff is keyed by topic name).
  - Subscriptions waiting for confirmation (email, HTTP/S) cannot be removed; a warning names each one kept.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The alert topics, encrypted with a customer-managed key, in one module run
  payments.infra.sns_topics:
    topics:
      - name: system-errors-prod
        display_name: payment system errors
        kms_master_key_id: arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab
        subscriptions:
          - protocol: email
            endpoint: oncall@example.com
        purge_subscriptions: true
        tags:
          Environment: prod
      - name: failed-transactions-prod
        kms_master_key_id: arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab
        tags:
          Environment: prod
  register: topics

- name: The ARN of each topic, by name
  ansible.builtin.debug:
    msg: "{{ dict(topics.topics | map(attribute='name') | zip(topics.topics | map(attribute='arn'))) }}"

- name: Delete two topics (and their subscriptions)
  payments.infra.sns_topics:
    topics:
      - {name: system-errors-dev, state: absent}
      - {name: failed-transactions-dev, state: absent}
"""

RETURN = r"""
topics:
  description:
    - The topics in the order of O(topics), each as M(payments.infra.sns_topic) returns its topic, as SNS reports it
      after the change (planned state in check mode); an empty dict for an absent topic.
  returned: always
  type: list
  elements: dict
  contains:
    arn:
      description: ARN of the topic (null when it would be created in check mode).
      returned: when the topic exists (an absent topic is an empty dict)
      type: str
      sample: arn:aws:sns:eu-west-1:123456789012:system-errors-prod
    name:
      description: Name of the topic.
      returned: when the topic exists (an absent topic is an empty dict)
      type: str
      sample: system-errors-prod
    owner:
      description: Account that owns the topic.
      returned: when the topic exists (an absent topic is an empty dict)
      type: str
      sample: "123456789012"
    display_name:
      description: Display name of the topic (empty when not set).
      returned: when the topic exists (an absent topic is an empty dict)
      type: str
      sample: payment system errors
    fifo_topic:
      description: Whether the topic is a FIFO topic.
      returned: when the topic exists (an absent topic is an empty dict)
      type: bool
      sample: false
    content_based_deduplication:
      description: Whether content-based deduplication is on (FIFO topics).
      returned: when the topic exists (an absent topic is an empty dict)
      type: bool
      sample: false
    kms_master_key_id:
      description: KMS key as SNS reports it (what was set), null when the topic is not encrypted.
      returned: when the topic exists (an absent topic is an empty dict)
      type: str
      sample: alias/payment-logs-prod
    kms_key_arn:
      description: ARN of that KMS key, resolved (the identifier as reported when it cannot be resolved).
      returned: when the topic exists (an absent topic is an empty dict)
      type: str
      sample: arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab
    policy:
      description: Access policy of the topic.
      returned: when the topic exists (an absent topic is an empty dict)
      type: dict
      sample: {"Version": "2012-10-17", "Statement": []}
    delivery_policy:
      description: Delivery policy that was set, null when none.
      returned: when the topic exists (an absent topic is an empty dict)
      type: dict
      sample: {"http": {"defaultHealthyRetryPolicy": {"numRetries": 3}}}
    subscriptions:
      description: Subscriptions of the topic, sorted by protocol and endpoint.
      returned: when the topic exists (an absent topic is an empty dict)
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
      returned: when the topic exists (an absent topic is an empty dict)
      type: dict
      sample: {"Environment": "prod"}
changed_topics:
  description: Names of the topics created, updated or deleted (or that would be, in check mode), in O(topics) order.
  returned: always
  type: list
  elements: str
  sample: [system-errors-prod]
"""

from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule
from ansible_collections.payments.infra.plugins.module_utils.sns import PaymentsSNSError
from ansible_collections.payments.infra.plugins.module_utils.sns import ensure_topic_absent
from ansible_collections.payments.infra.plugins.module_utils.sns import ensure_topic_present
from ansible_collections.payments.infra.plugins.module_utils.sns import list_topic_arns
from ansible_collections.payments.infra.plugins.module_utils.sns import topic_argument_spec
from ansible_collections.payments.infra.plugins.module_utils.sns import topic_params_error


def ensure_topics(sns, kms, topics, check_mode):
    """(changed_names, results, diff, warnings) for the topic options in `topics`, in their order.

    One ListTopics for all, then per topic the read/compare/act of sns_topic. diff is {before, after} keyed by name."""
    topic_arns = list_topic_arns(sns)
    changed_names, results, warnings = [], [], []
    diff = {"before": {}, "after": {}}
    for params in topics:
        ensure = ensure_topic_present if params["state"] == "present" else ensure_topic_absent
        changed, topic, topic_diff, topic_warnings = ensure(sns, kms, params, check_mode, topic_arns)
        if changed:
            changed_names.append(params["name"])
        results.append(topic or {})
        diff["before"][params["name"]] = topic_diff["before"]
        diff["after"][params["name"]] = topic_diff["after"]
        warnings.extend(f"{params['name']}: {warning}" for warning in topic_warnings)
    return changed_names, results, diff, warnings


def main():
    argument_spec = dict(
        topics=dict(type="list", elements="dict", required=True, options=topic_argument_spec()),
    )
    module = PaymentsAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    topics = module.params["topics"]
    module.validate_list_option("topics", [params["name"] for params in topics], item_error=topic_params_error)
    if not topics:
        module.exit_with_diff(
            {"changed": False, "topics": [], "changed_topics": [], "diff": {"before": {}, "after": {}}}
        )
    try:
        changed_names, results, diff, warnings = ensure_topics(
            module.client("sns"), module.client("kms"), topics, module.check_mode
        )
    except PaymentsSNSError as e:
        module.fail_json_aws_error(e)
    module.exit_with_diff(
        {"changed": bool(changed_names), "topics": results, "changed_topics": changed_names, "diff": diff}, warnings
    )


if __name__ == "__main__":
    main()
