#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: cloudwatchlogs_log_groups
short_description: Create, update or delete a list of CloudWatch Logs log groups (retention, KMS key, tags) in one run
version_added: 0.2.0
description:
  - Reconciles every log group of O(log_groups) in one module run, reading them first with one
    C(DescribeLogGroups) per group and one C(ListTagsForResource) per existing group.
  - A missing group is created with its KMS key and tags in one C(CreateLogGroup) (the group never exists
    unencrypted or untagged), then gets its retention with C(PutRetentionPolicy).
  - An existing group gets only what differs - C(PutRetentionPolicy), C(AssociateKmsKey) (as
    M(payments.infra.cloudwatchlogs_log_group_kms) does, with the same code), C(TagResource) and C(UntagResource).
    Unlike M(amazon.aws.cloudwatchlogs_log_group), the key of an existing group is corrected too.
  - Check mode writes nothing (M(amazon.aws.cloudwatchlogs_log_group) puts a differing retention even in check mode)
    and reports the change a real run would make.
  - The comparison is the one of the C(payments.infra.cloudwatchlogs_log_group_differences) filter, so a playbook
    that read the groups with M(payments.infra.cloudwatchlogs_log_groups_info) can call this module only with the
    groups that differ.
author:
  - payments.infra maintainers (@payments-infra)
options:
  log_groups:
    description:
      - The log groups. Names must be distinct. An empty list does nothing.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Name of the log group.
        type: str
        required: true
      retention:
        description:
          - Days the events are kept (one of the values CloudWatch Logs accepts, 1 to 3653). Unset leaves the
            retention of an existing group alone and creates a group that keeps its events forever.
        type: int
      kms_key_id:
        description:
          - ARN of the KMS key that encrypts the group (C(arn:<partition>:kms:<region>:<account>:key/<id>)). Unset
            leaves the key of an existing group alone.
          - The key policy must let C(logs.<region>.amazonaws.com) use the key for the group.
        type: str
      tags:
        description:
          - Tags of the group, a dict of keys and values. Unset leaves the tags alone.
        type: dict
  purge_tags:
    description: Remove the tags of a group that its O(log_groups[].tags) does not list (only when they are set).
    type: bool
    default: true
  state:
    description: Whether the groups exist. V(absent) deletes them (with their events); only their names are used.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Supports check mode and diff mode. Diff mode shows each group before and after, by name.
  - Needs the IAM permissions C(logs:DescribeLogGroups), C(logs:ListTagsForResource), C(logs:CreateLogGroup),
    C(logs:PutRetentionPolicy), C(logs:AssociateKmsKey), C(logs:TagResource), C(logs:UntagResource) and, for
    V(absent), C(logs:DeleteLogGroup).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Two encrypted function log groups, kept 30 days, tagged
  payments.infra.cloudwatchlogs_log_groups:
    log_groups:
      - name: /aws/lambda/payment-validation-prod
        retention: 30
        kms_key_id: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
        tags: {Environment: prod, Component: lambda-logs}
      - name: /aws/lambda/transaction-processing-prod
        retention: 30
        kms_key_id: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
        tags: {Environment: prod, Component: lambda-logs}

- name: Only the groups that differ from one earlier read (a converged account makes no call)
  vars:
    wanted:
      - {name: /aws/lambda/payment-validation-prod, retention: 30, tags: {Environment: prod}}
    differing: "{{ found.log_groups | payments.infra.cloudwatchlogs_log_group_differences(wanted) }}"
  payments.infra.cloudwatchlogs_log_groups:
    log_groups: "{{ differing }}"
  when: differing | length > 0

- name: Delete two log groups
  payments.infra.cloudwatchlogs_log_groups:
    state: absent
    log_groups:
      - name: /aws/lambda/payment-validation-dev
      - name: /aws/lambda/transaction-processing-dev
"""

RETURN = r"""
log_groups:
  description:
    - The groups in the order of O(log_groups), as CloudWatch Logs reports them after the task (as they would be, in
      check mode); an empty dict for a group that is absent.
  returned: always
  type: list
  elements: dict
  contains:
    log_group_name:
      description: Name of the group.
      returned: when the group exists
      type: str
      sample: /aws/lambda/payment-validation-prod
    arn:
      description: ARN of the group, without a trailing C(:*); null for a group check mode would create.
      returned: when the group exists
      type: str
      sample: arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/payment-validation-prod
    retention_in_days:
      description: Retention in days; null when the events are kept forever.
      returned: when the group exists
      type: int
      sample: 30
    kms_key_id:
      description: ARN of the group's KMS key; null when none.
      returned: when the group exists
      type: str
      sample: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
    tags:
      description: Tags of the group.
      returned: when the group exists
      type: dict
      sample: {Environment: prod}
    creation_time:
      description: Creation time in milliseconds since the epoch; null for a group check mode would create.
      returned: when the group exists
      type: int
      sample: 1764300000000
    changed:
      description: Whether this group changed (would change, in check mode).
      returned: always
      type: bool
      sample: true
"""

import re

from ansible_collections.payments.infra.plugins.module_utils.diff import build_diff
from ansible_collections.payments.infra.plugins.module_utils.logs import KEY_ARN
from ansible_collections.payments.infra.plugins.module_utils.logs import RETENTION_DAYS
from ansible_collections.payments.infra.plugins.module_utils.logs import PaymentsLogsError
from ansible_collections.payments.infra.plugins.module_utils.logs import read_log_groups
from ansible_collections.payments.infra.plugins.module_utils.logs import reconcile_absent
from ansible_collections.payments.infra.plugins.module_utils.logs import reconcile_present
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule

NAME = re.compile(r"^[.\-_/#A-Za-z0-9]{1,512}$")


def item_error(item):
    """Why one item of log_groups is wrong, or None."""
    if not NAME.match(item["name"]):
        return "name must be 1-512 characters among letters, digits and . - _ / #"
    if item.get("retention") is not None and item["retention"] not in RETENTION_DAYS:
        return f"retention must be one of {', '.join(str(days) for days in RETENTION_DAYS)}, got {item['retention']}"
    if item.get("kms_key_id") and not KEY_ARN.match(item["kms_key_id"]):
        return (
            "kms_key_id must be the ARN of a KMS key (arn:<partition>:kms:<region>:<account>:key/<id>), "
            f"got {item['kms_key_id']}"
        )
    return None


def run(client, items, purge_tags, state, check_mode):
    """(changed, per-group results in input order, diff) of the whole list."""
    # A deletion needs no tags: one DescribeLogGroups per group.
    current = read_log_groups(client, names=[item["name"] for item in items], with_tags=state == "present")
    results, before, after = [], {}, {}
    for item in items:
        name = item["name"]
        group = current.get(name)
        if state == "absent":
            changed = reconcile_absent(client, name, group, check_mode)
            now = None
        else:
            changed, now = reconcile_present(client, item, group, purge_tags, check_mode)
        before[name], after[name] = group, now
        results.append(dict(now or {}, changed=changed))
    changed = any(result["changed"] for result in results)
    return changed, results, build_diff(before, after)


def main():
    argument_spec = dict(
        log_groups=dict(
            type="list",
            elements="dict",
            required=True,
            options=dict(
                name=dict(type="str", required=True),
                retention=dict(type="int"),
                kms_key_id=dict(type="str", no_log=False),
                tags=dict(type="dict"),
            ),
        ),
        purge_tags=dict(type="bool", default=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = PaymentsAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    items = module.params["log_groups"]
    module.validate_list_option("log_groups", [item["name"] for item in items], item_error=item_error)
    if not items:
        module.exit_with_diff(dict(changed=False, log_groups=[], diff={"before": {}, "after": {}}))
    client = module.client("logs")
    try:
        changed, results, diff = run(
            client, items, module.params["purge_tags"], module.params["state"], module.check_mode
        )
    except PaymentsLogsError as e:
        module.fail_json_aws_error(e)
    module.exit_with_diff(dict(changed=changed, log_groups=results, diff=diff))


if __name__ == "__main__":
    main()
