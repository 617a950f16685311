# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: cloudwatchlogs_log_group_differences
short_description: The log groups that payments.infra.cloudwatchlogs_log_groups would change
version_added: 0.2.0
description:
  - Compares log groups as M(payments.infra.cloudwatchlogs_log_groups_info) returns them with the O(desired) items
    of M(payments.infra.cloudwatchlogs_log_groups) (state present), with that module's own code - missing group,
    retention, KMS key, tags with O(purge_tags); an option an item leaves unset is not compared.
  - Returns the items of O(desired) that differ, in their order, unchanged, so a task can give them to the module
    and be skipped when the list is empty.
options:
  _input:
    description: The groups read (RV(payments.infra.cloudwatchlogs_log_groups_info#module:log_groups)), a list of
      groups or a dict of groups by name.
    type: raw
    required: true
  desired:
    description: Items of O(payments.infra.cloudwatchlogs_log_groups#module:log_groups).
    type: list
    elements: dict
    required: true
  purge_tags:
    description: O(payments.infra.cloudwatchlogs_log_groups#module:purge_tags) of the task.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Create or correct only the function log groups that differ
  vars:
    differing: "{{ found.log_groups | payments.infra.cloudwatchlogs_log_group_differences(wanted) }}"
  payments.infra.cloudwatchlogs_log_groups:
    log_groups: "{{ differing }}"
  when: differing | length > 0
"""

RETURN = r"""
_value:
  description: The items of O(desired) whose group is missing or differs; C([]) when the module would change nothing.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.payments.infra.plugins.module_utils.logs_compare import log_group_differences


def cloudwatchlogs_log_group_differences(found, desired, purge_tags=True):
    if isinstance(found, dict):
        groups = found
    elif isinstance(found, list):
        groups = {group.get("log_group_name"): group for group in found}
    else:
        raise AnsibleFilterError(
            "cloudwatchlogs_log_group_differences: the groups read must be a list or a dict, "
            f"got {type(found).__name__}"
        )
    if not isinstance(desired, list) or not all(isinstance(item, dict) and item.get("name") for item in desired):
        raise AnsibleFilterError("cloudwatchlogs_log_group_differences: desired must be a list of dicts with a name")
    unknown = sorted({key for item in desired for key in item} - {"name", "retention", "kms_key_id", "tags"})
    if unknown:
        raise AnsibleFilterError(f"cloudwatchlogs_log_group_differences: options not compared: {', '.join(unknown)}")
    return [item for item in desired if log_group_differences(groups.get(item["name"]), item, purge_tags)]


class FilterModule:
    def filters(self):
        return {"cloudwatchlogs_log_group_differences": cloudwatchlogs_log_group_differences}
