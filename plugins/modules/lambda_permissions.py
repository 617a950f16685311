#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: lambda_permissions
short_description: Add, replace or remove a list of Lambda permission statements (on one or more functions) in one run
version_added: 0.2.0
description:
  - Ensures every statement of O(permissions) in the resource-based policy of its function in one module run, each as
    M(amazon.aws.lambda_policy) does (same options, same comparison, same end state) - one C(GetPolicy) per function
    (and alias or version), then C(AddPermission) for a missing statement, C(RemovePermission) and C(AddPermission)
    for one that differs in O(permissions[].action), O(permissions[].principal), O(permissions[].source_arn),
    O(permissions[].source_account) or O(permissions[].event_source_token), C(RemovePermission) for
    O(permissions[].state=absent).
  - One module run instead of one per statement, which is what a playbook looping over M(amazon.aws.lambda_policy)
    pays for (module start, boto3 import, client creation).
  - The comparison is the one of the C(payments.infra.lambda_permission_differences) filter, so a playbook that read
    the policies with M(payments.infra.lambda_account_info) (O(payments.infra.lambda_account_info#module:policies=true))
    can call this module only when a statement differs.
  - Check mode writes nothing and reports the change a real run would make (M(amazon.aws.lambda_policy) reports no
    change in check mode).
  - The statements are handled in the order given; an error stops the run at that statement (the earlier ones are
    done).
author:
  - payments.infra maintainers (@payments-infra)
options:
  permissions:
    description:
      - The statements, each with the options of M(amazon.aws.lambda_policy). A statement is identified by its
        function, alias or version and statement ID; these must be distinct. An empty list does nothing.
    type: list
    elements: dict
    required: true
    suboptions:
      function_name:
        description:
          - Name, ARN or partial ARN of the function (a name of at most 64 characters, an ARN of at most 140).
        type: str
        required: true
        aliases: [lambda_function_arn, function_arn]
      statement_id:
        description: The statement identifier (C(Sid)), unique in the function's policy.
        type: str
        required: true
        aliases: [sid]
      action:
        description:
          - The action allowed, for example V(lambda:InvokeFunction).
          - Required when O(permissions[].state=present).
        type: str
      principal:
        description:
          - The principal allowed, a service principal (V(apigateway.amazonaws.com)) or an account.
          - Required when O(permissions[].state=present).
        type: str
      source_arn:
        description:
          - The ARN (or ARN pattern) of the resource allowed to invoke the function (condition C(AWS:SourceArn)).
        type: str
      source_account:
        description: The account that must own the source (condition C(AWS:SourceAccount)).
        type: str
      event_source_token:
        description:
          - Token of an Alexa Smart Home source. Mutually exclusive with O(permissions[].source_arn) and
            O(permissions[].source_account).
        type: str
      alias:
        description:
          - The statement belongs to the policy of this alias.
          - Mutually exclusive with O(permissions[].version).
        type: str
      version:
        description:
          - The statement belongs to the policy of this version.
          - Mutually exclusive with O(permissions[].alias).
        type: int
      state:
        description: Whether the statement exists. V(absent) uses only the function, qualifier and statement ID.
        type: str
        choices: [present, absent]
        default: present
notes:
  - Supports check mode and diff mode. Diff mode shows each statement before and after, by
    C(<function>[:<qualifier>]/<statement_id>).
  - A principal given as an account ID is reported by Lambda as an IAM ARN, so such a statement is replaced on every
    run, exactly as M(amazon.aws.lambda_policy) does; use service principals or the ARN.
  - C(AddPermission) is retried for a short while on C(ResourceNotFoundException) (a function created moments ago) and
    C(ResourceConflictException) (the function is being updated); a function that does not exist fails after about
    20 seconds. In check mode a missing function reports the statements a real run would add.
  - Needs the IAM permissions C(lambda:GetPolicy), C(lambda:AddPermission) and C(lambda:RemovePermission).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Let API Gateway invoke two functions and Secrets Manager invoke the rotation function
  payments.infra.lambda_permissions:
    permissions:
      - function_name: payment-payment-validation-prod
        statement_id: apigateway-invoke
        action: lambda:InvokeFunction
        principal: apigateway.amazonaws.com
        source_arn: arn:aws:execute-api:us-east-1:123456789012:*/*/*/validate
        source_account: "123456789012"
      - function_name: payment-transaction-processing-prod
        statement_id: apigateway-invoke
        action: lambda:InvokeFunction
        principal: apigateway.amazonaws.com
        source_arn: arn:aws:execute-api:us-east-1:123456789012:*/*/*/process
        source_account: "123456789012"
      - function_name: payment-secrets-rotation-prod
        statement_id: secretsmanager-rotate
        action: lambda:InvokeFunction
        principal: secretsmanager.amazonaws.com
        source_arn: arn:aws:secretsmanager:us-east-1:123456789012:secret:payment-db-prod-AbCdEf
        source_account: "123456789012"

- name: Only when the statement differs from one earlier read of the policies (a converged account makes no call)
  vars:
    wanted:
      function_name: payment-payment-validation-prod
      statement_id: apigateway-invoke
      action: lambda:InvokeFunction
      principal: apigateway.amazonaws.com
  payments.infra.lambda_permissions:
    permissions: ["{{ wanted }}"]
  when: >-
    (found.functions[wanted.function_name] | default({}, true)).policy | default(None)
    | payments.infra.lambda_permission_differences(wanted) | length > 0

- name: Remove a statement
  payments.infra.lambda_permissions:
    permissions:
      - function_name: payment-payment-validation-dev
        statement_id: apigateway-invoke
        state: absent
"""

RETURN = r"""
permissions:
  description: One result per item of O(permissions), in that order.
  returned: always
  type: list
  elements: dict
  contains:
    function_name:
      description: The function, as given.
      returned: always
      type: str
      sample: payment-payment-validation-prod
    qualifier:
      description: The alias or version (a string) of the statement; null for the function itself.
      returned: always
      type: str
      sample: null
    statement_id:
      description: The statement identifier.
      returned: always
      type: str
      sample: apigateway-invoke
    state:
      description: The state asked for.
      returned: always
      type: str
      sample: present
    action_taken:
      description:
        - V(added), V(updated) (removed and added again), V(deleted) or V(none), as the C(lambda_policy_action) of
          M(amazon.aws.lambda_policy); what would be done, in check mode.
      returned: always
      type: str
      sample: added
    differences:
      description:
        - What differed, as the C(payments.infra.lambda_permission_differences) filter names it - V([missing]), the
          differing options, V([state]) for a statement to remove, V([]) when nothing differed.
      returned: always
      type: list
      elements: str
      sample: [missing]
    statement:
      description:
        - The statement after the task (what it would be, in check mode), flattened as M(amazon.aws.lambda_policy)
          flattens it (C(action), C(principal), C(source_arn), C(source_account), C(event_source_token) as set);
          an empty dict when absent.
      returned: always
      type: dict
      sample: {action: lambda:InvokeFunction, principal: apigateway.amazonaws.com}
    previous_statement:
      description: The statement before the task, flattened likewise; an empty dict when it did not exist.
      returned: always
      type: dict
      sample: {}
    changed:
      description: Whether this statement changed (would change, in check mode).
      returned: always
      type: bool
      sample: true
"""

from ansible_collections.payments.infra.plugins.module_utils.awslambda import PaymentsLambdaError
from ansible_collections.payments.infra.plugins.module_utils.awslambda import ensure_permissions
from ansible_collections.payments.infra.plugins.module_utils.awslambda import permission_argument_spec
from ansible_collections.payments.infra.plugins.module_utils.awslambda import permission_key
from ansible_collections.payments.infra.plugins.module_utils.awslambda import permission_params_error
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule


def main():
    argument_spec = dict(
        permissions=dict(type="list", elements="dict", required=True, options=permission_argument_spec()),
    )
    module = PaymentsAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    items = module.params["permissions"]
    module.validate_list_option(
        "permissions",
        [permission_key(params) for params in items],
        what="statements",
        item_error=permission_params_error,
    )
    if not items:
        module.exit_with_diff(dict(changed=False, permissions=[], diff={"before": {}, "after": {}}))
    try:
        changed, results, diff = ensure_permissions(module.client("lambda"), items, module.check_mode)
    except PaymentsLambdaError as e:
        module.fail_json_aws_error(e)
    module.exit_with_diff(dict(changed=changed, permissions=results, diff=diff))


if __name__ == "__main__":
    main()
