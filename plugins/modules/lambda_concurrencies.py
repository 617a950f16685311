#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: lambda_concurrencies
short_description: Reserve (or release) concurrency for a list of Lambda functions in one module run
version_added: 0.1.0
description:
  - Sets the reserved concurrency of every function of O(functions) in one module run, each exactly as
    M(payments.infra.lambda_concurrency) does (same options, comparison and result) - C(GetFunctionConcurrency) first,
    then C(PutFunctionConcurrency) or C(DeleteFunctionConcurrency) only where the reservation differs, and
    C(GetFunctionConcurrency) again after a change.
  - One module run instead of one per function, which is what a playbook looping over
    M(payments.infra.lambda_concurrency) pays for (module start, boto3 import, client creation).
  - The functions are handled in the order given; an error stops the run at that function (the earlier ones are done).
  - Reserved concurrency is both a guarantee (the function can always scale to it) and a cap (it never
    scales beyond it). V(0) stops every invocation of the function.
author:
  - payments.infra maintainers (@payments-infra)
options:
  functions:
    description:
      - The functions, each with the options of M(payments.infra.lambda_concurrency). Names must be distinct.
      - An empty list does nothing.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Name or ARN of the function.
        type: str
        required: true
        aliases: [function_name]
      reserved_concurrent_executions:
        description:
          - Concurrent executions reserved for the function (V(0) or more).
          - V(null) (unset) removes the reservation, so the function uses the account's unreserved pool.
        type: int
      state:
        description:
          - C(present) sets the reservation to O(functions[].reserved_concurrent_executions) (or removes it when that
            is null).
          - C(absent) removes the reservation whatever O(functions[].reserved_concurrent_executions) says.
        type: str
        choices: [present, absent]
        default: present
notes:
  - Supports check mode and diff mode. The functions must exist, except in check mode, where a missing
    function reports the change the real run would make.
  - AWS refuses a reservation that would leave the account fewer than 100 unreserved concurrent executions;
    read them first with M(payments.infra.lambda_account_info).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Reserve concurrency for the API functions and release the batch function's
  payments.infra.lambda_concurrencies:
    functions:
      - name: payment-payment-validation-prod
        reserved_concurrent_executions: 10
      - name: payment-transaction-processing-prod
        reserved_concurrent_executions: 20
      - name: payment-fraud-detection-prod
        state: absent
  register: reservations

- name: The reservation of each function, by name
  ansible.builtin.debug:
    msg: >-
      {{ dict(reservations.functions | map(attribute='function_name')
              | zip(reservations.functions | map(attribute='reserved_concurrent_executions'))) }}
"""

RETURN = r"""
functions:
  description: One result per item of O(functions), in that order, as M(payments.infra.lambda_concurrency) returns it.
  returned: always
  type: list
  elements: dict
  contains:
    function_name:
      description: The function, as given in O(functions[].name).
      returned: always
      type: str
      sample: payment-payment-validation-prod
    reserved_concurrent_executions:
      description: The reservation after the task (what it would be, in check mode); null when none.
      returned: always
      type: int
      sample: 10
    previous_reserved_concurrent_executions:
      description: The reservation before the task; null when none (or when the function does not exist).
      returned: always
      type: int
      sample: null
changed_functions:
  description: Names of the functions whose reservation changed (or would, in check mode), in O(functions) order.
  returned: always
  type: list
  elements: str
  sample: [payment-payment-validation-prod]
"""

from ansible_collections.payments.infra.plugins.module_utils.awslambda import PaymentsLambdaError
from ansible_collections.payments.infra.plugins.module_utils.awslambda import concurrency_argument_spec
from ansible_collections.payments.infra.plugins.module_utils.awslambda import concurrency_params_error
from ansible_collections.payments.infra.plugins.module_utils.awslambda import desired_reservation
from ansible_collections.payments.infra.plugins.module_utils.awslambda import ensure_reservation
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule


def ensure_reservations(client, functions, check_mode):
    """(changed_names, results, diff) for the function options in `functions`, in their order: the compare/act of
    lambda_concurrency for each. diff is {before, after} of {name: {reserved_concurrent_executions}}."""
    changed_names, results = [], []
    diff = {"before": {}, "after": {}}
    for params in functions:
        name = params["name"]
        changed, result = ensure_reservation(client, name, desired_reservation(params), check_mode)
        item_diff = result.pop("diff")
        diff["before"][name] = item_diff["before"]
        diff["after"][name] = item_diff["after"]
        if changed:
            changed_names.append(name)
        results.append(result)
    return changed_names, results, diff


def main():
    argument_spec = dict(
        functions=dict(type="list", elements="dict", required=True, options=concurrency_argument_spec()),
    )
    module = PaymentsAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    functions = module.params["functions"]
    module.validate_list_option(
        "functions", [params["name"] for params in functions], item_error=concurrency_params_error
    )
    if not functions:
        module.exit_with_diff(
            {"changed": False, "functions": [], "changed_functions": [], "diff": {"before": {}, "after": {}}}
        )
    try:
        changed_names, results, diff = ensure_reservations(module.client("lambda"), functions, module.check_mode)
    except PaymentsLambdaError as e:
        module.fail_json_aws_error(e)
    module.exit_with_diff(
        {"changed": bool(changed_names), "functions": results, "changed_functions": changed_names, "diff": diff}
    )


if __name__ == "__main__":
    main()
