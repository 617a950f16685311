# -*- coding: utf-8 -*-
# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: lambda_event_source_mapping_differences
short_description: What payments.infra.lambda_event_source_mapping would change, from lambda_account_info's read
version_added: 0.2.0
description:
  - Compares the event source mappings of a function as M(payments.infra.lambda_account_info) returns them
    (O(payments.infra.lambda_account_info#module:event_source_mapping_functions)) with the options a task would give
    M(payments.infra.lambda_event_source_mapping) (state present), with that module's own comparison code
    (module_utils lambda_mappings C(desired_changes)). An empty list means the module would change nothing.
  - An option the comparison does not know fails the filter, so an option added to the task cannot be left out.
options:
  _input:
    description:
      - The function's mappings (one value of RV(payments.infra.lambda_account_info#module:event_source_mappings)).
      - An empty list or null when it has none (or does not exist).
    type: list
    elements: dict
    required: true
  desired:
    description: Options of M(payments.infra.lambda_event_source_mapping) (C(function_name) and C(event_source_arn)
      required).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Create or update the stream mapping only where it differs
  payments.infra.lambda_event_source_mapping: "{{ mapping }}"
  vars:
    mapping:
      function_name: fraud-detection
      event_source_arn: "{{ stream_arn }}"
      batch_size: 100
  when: >-
    found.event_source_mappings['fraud-detection']
    | payments.infra.lambda_event_source_mapping_differences(mapping) | length > 0
"""

RETURN = r"""
_value:
  description:
    - C([missing]) when no mapping joins the function to the source; C([duplicates]) when several do (the module
      manages the oldest and warns); else the differing options (C(batch_size), C(maximum_retry_attempts),
      C(bisect_batch_on_function_error), C(maximum_record_age_in_seconds), C(parallelization_factor), C(enabled),
      C(function_response_types), C(on_failure_destination_arn)), then C(starting_position) when it differs (AWS
      cannot change it; the module warns); C([]) when nothing differs.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.payments.infra.plugins.module_utils.lambda_mappings import mapping_differences


def lambda_event_source_mapping_differences(mappings, desired):
    if mappings is not None and not isinstance(mappings, list):
        raise AnsibleFilterError(
            "lambda_event_source_mapping_differences: the mappings must be a list or null, "
            f"got {type(mappings).__name__}"
        )
    if not isinstance(desired, dict) or not desired.get("function_name") or not desired.get("event_source_arn"):
        raise AnsibleFilterError(
            "lambda_event_source_mapping_differences: desired must be a dict with function_name and event_source_arn"
        )
    try:
        return mapping_differences(mappings, desired)
    except ValueError as e:
        raise AnsibleFilterError(f"lambda_event_source_mapping_differences: {e}") from e


class FilterModule:
    def filters(self):
        return {"lambda_event_source_mapping_differences": lambda_event_source_mapping_differences}
