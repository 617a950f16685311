#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: lambda_account_info
short_description: Read the account's Lambda concurrency limits and the reservations of some functions
version_added: 0.1.0
description:
  - Read-only preflight facts for playbooks to assert on before they reserve Lambda concurrency.
  - The account limit and usage of the region from C(GetAccountSettings) (concurrent executions, unreserved
    concurrent executions, code size quotas).
  - The reserved concurrency of each function named in O(function_names) (C(GetFunctionConcurrency)), so a
    playbook can tell how much of the reserved total is already its own, and a few fields of its configuration
    (C(GetFunctionConfiguration)); a function that does not exist is reported as null rather than failing,
    unlike M(amazon.aws.lambda_info).
author:
  - payments.infra maintainers (@payments-infra)
options:
  function_names:
    description: Functions whose reserved concurrency to report. A function that does not exist is reported as null.
    type: list
    elements: str
    default: []
notes:
  - Supports check mode; the module never changes anything.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the Lambda concurrency of the account
  payments.infra.lambda_account_info:
    function_names: [payment-payment-validation-prod]
  register: lambda_account

- name: Keep 100 unreserved after reserving 10 more
  ansible.builtin.assert:
    that:
      - lambda_account.account_limit.unreserved_concurrent_executions - 10 >= 100
"""

RETURN = r"""
account_limit:
  description: Limits of the account in the region (C(AccountLimit) of C(GetAccountSettings)).
  returned: always
  type: dict
  contains:
    concurrent_executions:
      description: Maximum concurrent executions of the account in the region.
      returned: always
      type: int
      sample: 1000
    unreserved_concurrent_executions:
      description: Concurrent executions not reserved by any function.
      returned: always
      type: int
      sample: 990
    total_code_size:
      description: Storage for deployment packages and layers (bytes).
      returned: when AWS reports it
      type: int
      sample: 80530636800
    code_size_unzipped:
      description: Maximum unzipped size of a deployment package and its layers (bytes).
      returned: when AWS reports it
      type: int
      sample: 262144000
    code_size_zipped:
      description: Maximum size of a deployment package uploaded directly (bytes).
      returned: when AWS reports it
      type: int
      sample: 52428800
account_usage:
  description: Usage of the account in the region (C(AccountUsage)).
  returned: always
  type: dict
  contains:
    total_code_size:
      description: Storage used by deployment packages and layers (bytes).
      returned: when AWS reports it
      type: int
      sample: 3145728
    function_count:
      description: Number of functions.
      returned: when AWS reports it
      type: int
      sample: 4
reserved_concurrency:
  description: Reserved concurrency of each function of O(function_names); null when none or when it does not exist.
  returned: always
  type: dict
  sample: {"payment-payment-validation-prod": 10}
functions:
  description: A few configuration fields of each function of O(function_names); null when it does not exist.
  returned: always
  type: dict
  sample:
    payment-payment-validation-prod:
      function_arn: arn:aws:lambda:eu-west-1:123456789012:function:payment-payment-validation-prod
      role: arn:aws:iam::123456789012:role/payment-payment-validation-prod
      code_sha256: oUEnGYgRTE9rv90rQciJukGZbZEQpOZq7U2K2fzA6YA=
      kms_key_arn: arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab
functions_found:
  description: The functions of O(function_names) that exist.
  returned: always
  type: list
  elements: str
  sample: ["payment-payment-validation-prod"]
"""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.payments.infra.plugins.module_utils.awslambda import PaymentsLambdaError
from ansible_collections.payments.infra.plugins.module_utils.awslambda import get_account_settings
from ansible_collections.payments.infra.plugins.module_utils.awslambda import get_function_concurrency
from ansible_collections.payments.infra.plugins.module_utils.awslambda import get_function_configuration
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule


def gather(client, function_names):
    settings = get_account_settings(client)
    reserved = {}
    functions = {}
    found = []
    for name in function_names:
        config = get_function_configuration(client, name)
        functions[name] = None
        reserved[name] = None
        if config is None:
            continue
        found.append(name)
        functions[name] = {
            "function_arn": config.get("FunctionArn"),
            "role": config.get("Role"),
            "code_sha256": config.get("CodeSha256"),
            "kms_key_arn": config.get("KMSKeyArn"),
        }
        current = get_function_concurrency(client, name)
        reserved[name] = current["reserved"] if current else None
    return {
        "account_limit": camel_dict_to_snake_dict(settings.get("AccountLimit") or {}),
        "account_usage": camel_dict_to_snake_dict(settings.get("AccountUsage") or {}),
        "reserved_concurrency": reserved,
        "functions": functions,
        "functions_found": found,
    }


def main():
    argument_spec = dict(function_names=dict(type="list", elements="str", default=[]))
    module = PaymentsAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = module.client("lambda")
    try:
        result = gather(client, module.params["function_names"])
    except PaymentsLambdaError as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
