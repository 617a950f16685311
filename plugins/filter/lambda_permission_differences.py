# -*- coding: utf-8 -*-
# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: lambda_permission_differences
short_description: What amazon.aws.lambda_policy would change in a function policy read by lambda_account_info
version_added: 0.2.0
description:
  - Finds the statement C(statement_id) in a function's resource-based policy as
    M(payments.infra.lambda_account_info) returns it (O(payments.infra.lambda_account_info#module:policies=true)),
    flattens it as M(amazon.aws.lambda_policy) does and compares C(action), C(principal), C(source_arn),
    C(source_account) and C(event_source_token) as that module does. An empty list means the module would change
    nothing, so the permission can skip it.
  - Permissions of an alias or version (C(alias), C(version)) are not covered (an error).
options:
  _input:
    description: The policy document (the C(policy) of a function of
      RV(payments.infra.lambda_account_info#module:functions)); null when the function has no policy or does not exist.
    type: dict
    required: true
  desired:
    description: Options of M(amazon.aws.lambda_policy) (C(statement_id), C(action), C(principal), C(source_arn),
      C(source_account), C(event_source_token), C(state); C(function_name) is ignored).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Allow API Gateway to invoke the function only where the statement is missing or differs
  amazon.aws.lambda_policy:
    function_name: fn
    statement_id: apigateway-invoke
    action: lambda:InvokeFunction
    principal: apigateway.amazonaws.com
  when: >-
    (found.functions['fn'].policy | default(None))
    | payments.infra.lambda_permission_differences({'statement_id': 'apigateway-invoke',
        'action': 'lambda:InvokeFunction', 'principal': 'apigateway.amazonaws.com'}) | length > 0
"""

RETURN = r"""
_value:
  description:
    - C([missing]) when the statement is absent (state present); the differing options, in the order C(action),
      C(principal), C(source_arn), C(source_account), C(event_source_token) (the module replaces the statement);
      C([state]) when state is absent and the statement exists; C([]) when nothing differs.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.payments.infra.plugins.module_utils.compare_first import permission_differences


def lambda_permission_differences(policy, desired):
    if policy is not None and not isinstance(policy, dict):
        raise AnsibleFilterError(
            f"lambda_permission_differences: the policy must be a dict or null, got {type(policy).__name__}"
        )
    if not isinstance(desired, dict) or "statement_id" not in desired:
        raise AnsibleFilterError("lambda_permission_differences: desired must be a dict with statement_id")
    try:
        return permission_differences(policy, desired)
    except ValueError as e:
        raise AnsibleFilterError(f"lambda_permission_differences: {e}") from e


class FilterModule:
    def filters(self):
        return {"lambda_permission_differences": lambda_permission_differences}
