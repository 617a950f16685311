#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: lambda_account_info
short_description: Read the account's Lambda concurrency limits and some functions, their policies and queues
version_added: 0.1.0
description:
  - Read-only preflight facts for playbooks to assert on before they reserve Lambda concurrency.
  - The account limit and usage of the region from C(GetAccountSettings) (concurrent executions, unreserved
    concurrent executions, code size quotas).
  - For each function named in O(function_names), one C(GetFunction) that gives its reserved concurrency (so a playbook
    can tell how much of the reserved total is already its own), its configuration and its tags, so a playbook can
    compare them with what M(amazon.aws.lambda) would set (P(payments.infra.lambda_function_differences#filter))
    and call that module only for a function that differs. A function that does not exist is reported as null
    rather than failing, unlike M(amazon.aws.lambda_info).
  - With O(policies=true), also each existing function's resource-based policy (C(GetPolicy)), to compare with the
    statements M(amazon.aws.lambda_policy) would add (P(payments.infra.lambda_permission_differs#filter)).
  - For each function named in O(event_source_mapping_functions), its event source mappings (one
    C(ListEventSourceMappings) by function name), to compare with what M(payments.infra.lambda_event_source_mapping)
    would set (P(payments.infra.lambda_event_source_mapping_differences#filter)).
  - The SQS queues named in O(queue_names) (the functions' on-failure destinations), their attributes and tags
    (C(GetQueueUrl), C(GetQueueAttributes), C(ListQueueTags)), to compare with what M(community.aws.sqs_queue)
    would set (P(payments.infra.sqs_queue_differences#filter)).
author:
  - payments.infra maintainers (@payments-infra)
options:
  function_names:
    description: Functions whose reserved concurrency to report. A function that does not exist is reported as null.
    type: list
    elements: str
    default: []
  policies:
    description: Also read the resource-based policy of each function of O(function_names) that exists.
    type: bool
    default: false
  queue_names:
    description: SQS queues to report (by name). A queue that does not exist is reported as null.
    type: list
    elements: str
    default: []
  event_source_mapping_functions:
    description:
      - Functions (names) whose event source mappings to report. A function that does not exist, or has none, is
        reported with an empty list.
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
  description: The configuration and tags of each function of O(function_names) ($LATEST); null when it does not exist.
  returned: always
  type: dict
  sample:
    payment-payment-validation-prod:
      function_arn: arn:aws:lambda:eu-west-1:123456789012:function:payment-payment-validation-prod
      role: arn:aws:iam::123456789012:role/payment-payment-validation-prod
      code_sha256: oUEnGYgRTE9rv90rQciJukGZbZEQpOZq7U2K2fzA6YA=
      kms_key_arn: arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab
      handler: handler.handler
      runtime: python3.12
      description: Validates payment requests
      memory_size: 256
      timeout: 10
      package_type: Zip
      architectures: [x86_64]
      environment: {PAYMENTS_ENV: prod}
      vpc_config: {subnet_ids: [subnet-0a1b2c3d], security_group_ids: [sg-0a1b2c3d], vpc_id: vpc-0a1b2c3d}
      tracing_mode: Active
      dead_letter_arn: null
      layers: []
      tags: {Name: payment-payment-validation-prod}
      policy: {Version: "2012-10-17", Id: default, Statement: []}
  contains:
    environment:
      description: The environment variables (names as set, not converted).
      returned: when the function exists
      type: dict
    vpc_config:
      description: Subnets, security groups and VPC of the function; null when it is not in a VPC.
      returned: when the function exists
      type: dict
    tags:
      description: The function's tags (keys as set, not converted).
      returned: when the function exists
      type: dict
    policy:
      description: The resource-based policy document; null when the function has none.
      returned: when O(policies=true) and the function exists
      type: dict
functions_found:
  description: The functions of O(function_names) that exist.
  returned: always
  type: list
  elements: str
  sample: ["payment-payment-validation-prod"]
queues:
  description: Each queue of O(queue_names); null when it does not exist.
  returned: when O(queue_names) is not empty
  type: dict
  sample:
    payment-stream-dlq-prod:
      queue_url: https://sqs.eu-west-1.amazonaws.com/123456789012/payment-stream-dlq-prod
      queue_arn: arn:aws:sqs:eu-west-1:123456789012:payment-stream-dlq-prod
      attributes: {MessageRetentionPeriod: "1209600", KmsMasterKeyId: alias/payment-dynamodb-prod}
      tags: {Name: payment-stream-dlq-prod}
  contains:
    attributes:
      description: Every attribute of the queue, as SQS returns them (C(AttributeNames=All); values are strings).
      returned: when the queue exists
      type: dict
    tags:
      description: The queue's tags.
      returned: when the queue exists
      type: dict
event_source_mappings:
  description:
    - The event source mappings of each function of O(event_source_mapping_functions), oldest first, each in the
      shape RV(payments.infra.lambda_event_source_mapping#module:event_source_mapping) has (snake_case, AWS stream
      defaults filled in); an empty list when the function has none or does not exist.
  returned: when O(event_source_mapping_functions) is not empty
  type: dict
  sample:
    payment-fraud-detection-prod:
      - uuid: 0f3c5e1a-4b2d-4c6e-8f90-1a2b3c4d5e6f
        function_arn: arn:aws:lambda:eu-west-1:123456789012:function:payment-fraud-detection-prod
        event_source_arn: arn:aws:dynamodb:eu-west-1:123456789012:table/transactions-prod/stream/2026-01-01T00:00:00.000
        state: Enabled
        enabled: true
        batch_size: 100
        starting_position: LATEST
        function_response_types: [ReportBatchItemFailures]
        maximum_retry_attempts: 3
        bisect_batch_on_function_error: true
        maximum_record_age_in_seconds: 3600
        parallelization_factor: 1
        on_failure_destination_arn: arn:aws:sqs:eu-west-1:123456789012:payment-stream-dlq-prod
"""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.payments.infra.plugins.module_utils.awslambda import PaymentsLambdaError
from ansible_collections.payments.infra.plugins.module_utils.awslambda import get_account_settings
from ansible_collections.payments.infra.plugins.module_utils.awslambda import get_function
from ansible_collections.payments.infra.plugins.module_utils.awslambda import get_policy
from ansible_collections.payments.infra.plugins.module_utils.awslambda import list_function_event_source_mappings
from ansible_collections.payments.infra.plugins.module_utils.lambda_mappings import normalize_mapping
from ansible_collections.payments.infra.plugins.module_utils.lambda_mappings import sort_mappings
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule
from ansible_collections.payments.infra.plugins.module_utils.sqs import PaymentsSQSError
from ansible_collections.payments.infra.plugins.module_utils.sqs import get_queue_attributes
from ansible_collections.payments.infra.plugins.module_utils.sqs import get_queue_url
from ansible_collections.payments.infra.plugins.module_utils.sqs import list_queue_tags


def function_facts(response):
    """The snake_case view of one GetFunction response (environment variables and tags keep their keys)."""
    config = response.get("Configuration") or {}
    vpc = config.get("VpcConfig")
    return {
        "function_arn": config.get("FunctionArn"),
        "role": config.get("Role"),
        "code_sha256": config.get("CodeSha256"),
        "kms_key_arn": config.get("KMSKeyArn"),
        "handler": config.get("Handler"),
        "runtime": config.get("Runtime"),
        "description": config.get("Description"),
        "memory_size": config.get("MemorySize"),
        "timeout": config.get("Timeout"),
        "package_type": config.get("PackageType"),
        "architectures": config.get("Architectures"),
        "environment": (config.get("Environment") or {}).get("Variables", {}),
        "vpc_config": None
        if vpc is None
        else {
            "subnet_ids": vpc.get("SubnetIds", []),
            "security_group_ids": vpc.get("SecurityGroupIds", []),
            "vpc_id": vpc.get("VpcId"),
        },
        "tracing_mode": (config.get("TracingConfig") or {}).get("Mode"),
        "dead_letter_arn": (config.get("DeadLetterConfig") or {}).get("TargetArn"),
        "layers": [layer.get("Arn") for layer in config.get("Layers") or []],
        "tags": response.get("Tags") or {},
    }


def read_functions(client, function_names, policies=False):
    """({name: function_facts or None}, {name: reserved concurrency or None}, [names found]): one GetFunction per
    function (and one GetPolicy per existing function with policies)."""
    functions, reserved, found = {}, {}, []
    for name in function_names:
        response = get_function(client, name)
        functions[name] = None
        reserved[name] = None
        if response is None:
            continue
        found.append(name)
        functions[name] = function_facts(response)
        if policies:
            functions[name]["policy"] = get_policy(client, name)
        reserved[name] = (response.get("Concurrency") or {}).get("ReservedConcurrentExecutions")
    return functions, reserved, found


def gather(client, function_names, policies=False):
    settings = get_account_settings(client)
    functions, reserved, found = read_functions(client, function_names, policies)
    return {
        "account_limit": camel_dict_to_snake_dict(settings.get("AccountLimit") or {}),
        "account_usage": camel_dict_to_snake_dict(settings.get("AccountUsage") or {}),
        "reserved_concurrency": reserved,
        "functions": functions,
        "functions_found": found,
    }


def gather_event_source_mappings(client, function_names):
    """{name: [mapping, ...]}: each function's event source mappings in lambda_event_source_mapping's shape, oldest
    first; one ListEventSourceMappings per function."""
    return {
        name: [normalize_mapping(raw) for raw in sort_mappings(list_function_event_source_mappings(client, name))]
        for name in function_names
    }


def gather_queues(client, queue_names):
    """{name: {"queue_url", "queue_arn", "attributes", "tags"} or None} of the SQS queues."""
    queues = {}
    for name in queue_names:
        queues[name] = None
        url = get_queue_url(client, name)
        attributes = None if url is None else get_queue_attributes(client, url)
        if attributes is None:
            continue
        queues[name] = {
            "queue_url": url,
            "queue_arn": attributes.get("QueueArn"),
            "attributes": attributes,
            "tags": list_queue_tags(client, url) or {},
        }
    return queues


def main():
    argument_spec = dict(
        function_names=dict(type="list", elements="str", default=[]),
        policies=dict(type="bool", default=False),
        queue_names=dict(type="list", elements="str", default=[]),
        event_source_mapping_functions=dict(type="list", elements="str", default=[]),
    )
    module = PaymentsAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        client = module.client("lambda")
        result = gather(client, module.params["function_names"], module.params["policies"])
        if module.params["event_source_mapping_functions"]:
            result["event_source_mappings"] = gather_event_source_mappings(
                client, module.params["event_source_mapping_functions"]
            )
        if module.params["queue_names"]:
            result["queues"] = gather_queues(module.client("sqs"), module.params["queue_names"])
    except (PaymentsLambdaError, PaymentsSQSError) as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
