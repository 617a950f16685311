# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: rds_subnet_group
short_description: Read a DB subnet group and its tags without a module call
version_added: 0.2.0
description:
  - Returns each named DB subnet group as M(amazon.aws.rds_subnet_group) reads it before it compares (snake_case
    keys of DescribeDBSubnetGroups, C(db_subnet_group_name), C(db_subnet_group_description), C(subnets),
    C(db_subnet_group_arn) ... - and C(tags) as a dict), or an empty dict when the group does not exist.
  - Two requests a group (DescribeDBSubnetGroups, ListTagsForResource), run on the controller, so that a role
    compares the group with P(payments.infra.rds_differences#filter) and runs M(amazon.aws.rds_subnet_group) only
    when it differs.
options:
  _terms:
    description: Names of the DB subnet groups.
    required: true
    type: list
    elements: str
extends_documentation_fragment:
  - amazon.aws.boto3
  - amazon.aws.common.plugins
  - amazon.aws.region.plugins
"""

EXAMPLES = r"""
- name: Read the subnet group
  ansible.builtin.set_fact:
    found_group: "{{ lookup('payments.infra.rds_subnet_group', 'payment-aurora-local', region='us-east-1') }}"
"""

RETURN = r"""
_raw:
  description: One dict a name (empty when the group does not exist).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleLookupError

from ansible_collections.amazon.aws.plugins.plugin_utils.lookup import AWSLookupBase

try:
    import botocore
except ImportError:
    pass  # handled by AWSLookupBase.run (require_aws_sdk)

from ansible_collections.payments.infra.plugins.module_utils.rds import read_db_subnet_group


class LookupModule(AWSLookupBase):
    def run(self, terms, variables, **kwargs):
        super().run(terms, variables, **kwargs)
        client = self.client("rds")
        try:
            return [read_db_subnet_group(client, term) or {} for term in terms]
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            raise AnsibleLookupError(f"Failed to read the DB subnet groups {', '.join(terms)}: {e}") from e
