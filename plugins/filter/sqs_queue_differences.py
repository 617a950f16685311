# -*- coding: utf-8 -*-
# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: sqs_queue_differences
short_description: What community.aws.sqs_queue would change on a queue read by lambda_account_info
version_added: 0.2.0
description:
  - Compares a queue as M(payments.infra.lambda_account_info) returns it
    (O(payments.infra.lambda_account_info#module:queue_names)) with the options a task would give
    M(community.aws.sqs_queue) (state present), the way that module compares them - every attribute the queue
    reports that an option sets (as strings, booleans in lower case), C(policy) and C(redrive_policy) as amazon.aws
    compares policies, C(tags) with C(purge_tags) (default true). An empty list means the module would change
    nothing.
options:
  _input:
    description: The queue (one value of RV(payments.infra.lambda_account_info#module:queues)); null when it does
      not exist.
    type: dict
    required: true
  desired:
    description: Options of M(community.aws.sqs_queue).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Create or update the queue only where it differs
  community.aws.sqs_queue:
    name: q
    message_retention_period: 1209600
    tags: {Name: q}
  when: >-
    found.queues['q']
    | payments.infra.sqs_queue_differences({'message_retention_period': 1209600, 'tags': {'Name': 'q'}})
    | length > 0
"""

RETURN = r"""
_value:
  description:
    - C(policy), C(redrive_policy), then the differing SQS attribute names (C(MessageRetentionPeriod),
      C(KmsMasterKeyId), ...), then C(tags); C([missing]) when the queue does not exist; C([]) when nothing differs.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.payments.infra.plugins.module_utils.compare_first import queue_differences


def sqs_queue_differences(current, desired):
    if current is not None and not isinstance(current, dict):
        raise AnsibleFilterError(
            f"sqs_queue_differences: the queue must be a dict or null, got {type(current).__name__}"
        )
    if not isinstance(desired, dict):
        raise AnsibleFilterError(f"sqs_queue_differences: desired must be a dict, got {type(desired).__name__}")
    try:
        return queue_differences(current, desired)
    except ValueError as e:
        raise AnsibleFilterError(f"sqs_queue_differences: {e}") from e


class FilterModule:
    def filters(self):
        return {"sqs_queue_differences": sqs_queue_differences}
