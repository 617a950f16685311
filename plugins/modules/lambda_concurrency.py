#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: lambda_concurrency
short_description: Reserve (or release) concurrency for a Lambda function
version_added: 0.1.0
description:
  - Sets the reserved concurrency of a Lambda function with C(PutFunctionConcurrency), or removes it with
    C(DeleteFunctionConcurrency), comparing with C(GetFunctionConcurrency) first so a rerun changes nothing.
  - amazon.aws has no module for it.
  - Reserved concurrency is both a guarantee (the function can always scale to it) and a cap (it never
    scales beyond it). V(0) stops every invocation of the function.
author:
  - payments.infra maintainers (@payments-infra)
options:
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
      - C(present) sets the reservation to O(reserved_concurrent_executions) (or removes it when that is null).
      - C(absent) removes the reservation whatever O(reserved_concurrent_executions) says.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Supports check mode and diff mode. The function must exist, except in check mode, where a missing
    function reports the change the real run would make.
  - AWS refuses a reservation that would leave the account fewer than 100 unreserved concurrent executions;
    read them first with M(payments.infra.lambda_account_info).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Reserve 10 concurrent executions for the validation function
  payments.infra.lambda_concurrency:
    name: payment-payment-validation-prod
    reserved_concurrent_executions: 10

- name: Give the function back to the unreserved pool
  payments.infra.lambda_concurrency:
    name: payment-payment-validation-prod
    reserved_concurrent_executions: null
"""

RETURN = r"""
function_name:
  description: The function, as given in O(name).
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
"""

from ansible_collections.payments.infra.plugins.module_utils.awslambda import PaymentsLambdaError
from ansible_collections.payments.infra.plugins.module_utils.awslambda import concurrency_argument_spec
from ansible_collections.payments.infra.plugins.module_utils.awslambda import concurrency_params_error
from ansible_collections.payments.infra.plugins.module_utils.awslambda import desired_reservation
from ansible_collections.payments.infra.plugins.module_utils.awslambda import ensure_reservation
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule


def main():
    module = PaymentsAWSModule(argument_spec=concurrency_argument_spec(), supports_check_mode=True)
    error = concurrency_params_error(module.params)
    if error:
        module.fail_json(msg=error)
    client = module.client("lambda")
    try:
        changed, result = ensure_reservation(
            client, module.params["name"], desired_reservation(module.params), module.check_mode
        )
    except PaymentsLambdaError as e:
        module.fail_json_aws_error(e)
    module.exit_with_diff(dict(result, changed=changed))


if __name__ == "__main__":
    main()
