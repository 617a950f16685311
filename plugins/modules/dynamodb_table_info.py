#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: dynamodb_table_info
version_added: 0.1.0
short_description: Describe a DynamoDB table, with its backups, time to live and tags
description:
  - Reports a DynamoDB table as AWS describes it - DescribeTable, DescribeContinuousBackups,
    DescribeTimeToLive and ListTagsOfResource - in the shape M(payments.infra.dynamodb_table) returns.
  - Unlike M(community.aws.dynamodb_table_info), it reports point-in-time recovery and time to live.
  - A KMS key AWS does not report as a key ARN is resolved to one with KMS DescribeKey.
author:
  - payments.infra maintainers (@payments-infra)
options:
  name:
    description:
      - The name of the table.
    type: str
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.

- name: Read the transactions table
  payments.infra.dynamodb_table_info:
    name: transactions-prod
  register: transactions

- name: Check point-in-time recovery is on
  ansible.builtin.assert:
    that:
      - transactions.exists
      - transactions.table.point_in_time_recovery
"""

RETURN = r"""
exists:
  description: Whether the table exists.
  returned: always
  type: bool
  sample: true
table:
  description:
    - The table, with the keys RV(payments.infra.dynamodb_table#module:table) has; V({}) when it does not exist.
    - See M(payments.infra.dynamodb_table) for the description of every key.
  returned: always
  type: dict
  sample: {
    "table_name": "transactions-prod",
    "table_arn": "arn:aws:dynamodb:us-east-1:123456789012:table/transactions-prod",
    "hash_key": {"name": "transaction_id", "type": "S"},
    "range_key": null,
    "billing_mode": "PAY_PER_REQUEST",
    "global_secondary_indexes": [],
    "sse": {"enabled": true, "sse_type": "KMS", "kms_key_arn": "arn:aws:kms:us-east-1:123456789012:key/0a1b",
            "status": "ENABLED"},
    "point_in_time_recovery": true,
    "stream": {"enabled": true, "view_type": "NEW_AND_OLD_IMAGES", "arn": "arn:aws:dynamodb:...", "label": "2025"},
    "ttl": {"enabled": true, "attribute_name": "expires_at", "status": "ENABLED"},
    "deletion_protection": true,
    "table_class": "STANDARD",
    "tags": {"Name": "transactions-prod"}
  }
"""

from ansible_collections.payments.infra.plugins.module_utils.dynamodb import PaymentsDynamoDBError
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule
from ansible_collections.payments.infra.plugins.module_utils.dynamodb import key_resolver
from ansible_collections.payments.infra.plugins.module_utils.dynamodb import read_table


def main():
    module = PaymentsAWSModule(argument_spec=dict(name=dict(type="str", required=True)), supports_check_mode=True)
    client = module.client("dynamodb")
    try:
        table = read_table(client, module.params["name"], key_resolver(module))
    except PaymentsDynamoDBError as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=False, exists=table is not None, table=table or {})


if __name__ == "__main__":
    main()
