#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: cloudwatchlogs_log_groups_info
short_description: Read several CloudWatch Logs log groups, by names and name prefixes, with their tags, in one run
version_added: 0.2.0
description:
  - Reads the log groups named in O(names) and those whose name starts with one of O(prefixes), with one
    C(DescribeLogGroups) per prefix and per name that no prefix covers (per 50 groups), then one
    C(ListTagsForResource) per group found.
  - Returns them in the shape M(payments.infra.cloudwatchlogs_log_groups) returns and the
    C(payments.infra.cloudwatchlogs_log_group_differences) filter compares, so that one read can serve several
    tasks, or several roles of a play.
author:
  - payments.infra maintainers (@payments-infra)
options:
  names:
    description: Exact names of log groups. A name that does not exist is left out of the answer.
    type: list
    elements: str
    default: []
  prefixes:
    description: Name prefixes; every group whose name starts with one of them is returned.
    type: list
    elements: str
    default: []
notes:
  - Needs the IAM permissions C(logs:DescribeLogGroups) and C(logs:ListTagsForResource).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the flow log group and every function's log group
  payments.infra.cloudwatchlogs_log_groups_info:
    names: [/aws/vpc/flow-logs/payment-vpc-prod]
    prefixes: [/aws/lambda/payment-]
  register: found

- name: The retention of each group, by name
  ansible.builtin.debug:
    msg: >-
      {{ dict(found.log_groups | map(attribute='log_group_name')
              | zip(found.log_groups | map(attribute='retention_in_days'))) }}
"""

RETURN = r"""
log_groups:
  description: The groups found, sorted by name.
  returned: always
  type: list
  elements: dict
  contains:
    log_group_name:
      description: Name of the group.
      returned: always
      type: str
      sample: /aws/lambda/payment-validation-prod
    arn:
      description: ARN of the group, without a trailing C(:*).
      returned: always
      type: str
      sample: arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/payment-validation-prod
    retention_in_days:
      description: Retention in days; null when the events are kept forever.
      returned: always
      type: int
      sample: 30
    kms_key_id:
      description: ARN of the group's KMS key; null when none.
      returned: always
      type: str
      sample: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
    tags:
      description: Tags of the group.
      returned: always
      type: dict
      sample: {Environment: prod}
    creation_time:
      description: Creation time in milliseconds since the epoch.
      returned: always
      type: int
      sample: 1764300000000
"""

from ansible_collections.payments.infra.plugins.module_utils.logs import PaymentsLogsError
from ansible_collections.payments.infra.plugins.module_utils.logs import read_log_groups
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule


def main():
    argument_spec = dict(
        names=dict(type="list", elements="str", default=[]),
        prefixes=dict(type="list", elements="str", default=[]),
    )
    module = PaymentsAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    if any(not prefix for prefix in module.params["prefixes"]):
        module.fail_json(msg="prefixes: an empty prefix would read every log group of the account")
    client = module.client("logs")
    try:
        groups = read_log_groups(client, names=module.params["names"], prefixes=module.params["prefixes"])
    except PaymentsLogsError as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=False, log_groups=list(groups.values()))


if __name__ == "__main__":
    main()
