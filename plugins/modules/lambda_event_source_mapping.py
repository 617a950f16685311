#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: lambda_event_source_mapping
short_description: Create, update or delete a Lambda event source mapping, with its error handling options
version_added: 0.1.0
description:
  - Manages the event source mapping that feeds a DynamoDB stream, Kinesis stream or SQS queue to a Lambda
    function. The mapping is found by its function and event source ARN, so a rerun never creates a second one.
  - Unlike M(amazon.aws.lambda_event), the error handling of stream sources is reconciled too - the retry
    limit (O(maximum_retry_attempts)), splitting a failing batch (O(bisect_batch_on_function_error)),
    the maximum record age, the parallelization factor and the on-failure destination
    (O(on_failure_destination_arn)).
  - Only the options that are set are compared and changed; an unset option never changes the mapping.
  - After a create or an update the module waits (up to O(wait_timeout) seconds) until the mapping has left
    the C(Creating), C(Updating), C(Enabling) and C(Disabling) states; after a delete, until it is gone.
author:
  - payments.infra maintainers (@payments-infra)
options:
  function_name:
    description:
      - Name, ARN or partial ARN of the function, optionally with a version or alias qualifier (C(name:alias)).
    type: str
    required: true
  event_source_arn:
    description: ARN of the DynamoDB stream, Kinesis stream or SQS queue.
    type: str
    required: true
  state:
    description: Whether the mapping exists. C(absent) deletes every mapping of the function and the source.
    type: str
    choices: [present, absent]
    default: present
  enabled:
    description: Whether the mapping polls the source (C(Enabled) or C(Disabled) state). Unset leaves it as it is.
    type: bool
  batch_size:
    description: Most records sent to the function in one invocation. Unset leaves it as it is (AWS default on create).
    type: int
  starting_position:
    description:
      - Where a new mapping of a stream starts reading. AWS requires it when a stream mapping is created.
      - It cannot be changed on an existing mapping; a different value is reported as a warning and ignored.
    type: str
    choices: [TRIM_HORIZON, LATEST]
  function_response_types:
    description:
      - C(ReportBatchItemFailures) lets the function return the records that failed, so only those are retried.
      - An empty list turns it off. Unset leaves it as it is.
    type: list
    elements: str
    choices: [ReportBatchItemFailures]
  maximum_retry_attempts:
    description:
      - Streams only. Retries of a failing batch before its records are discarded (or sent to the on-failure
        destination), from V(0) to V(10000); V(-1) retries until the records expire. Unset leaves it as it is.
    type: int
  bisect_batch_on_function_error:
    description: Streams only. Split a failing batch in two and retry each half. Unset leaves it as it is.
    type: bool
  maximum_record_age_in_seconds:
    description:
      - Streams only. Records older than this are discarded (or sent to the on-failure destination), from
        V(60) to V(604800); V(-1) keeps them until the stream drops them. Unset leaves it as it is.
    type: int
  parallelization_factor:
    description: Streams only. Batches processed concurrently per shard, V(1) to V(10). Unset leaves it as it is.
    type: int
  on_failure_destination_arn:
    description:
      - Streams only. ARN of the SQS queue, SNS topic or S3 bucket that receives a record of every discarded
        batch. The function's execution role must be allowed to send to it.
      - An empty string removes the destination. Unset leaves it as it is.
    type: str
  wait:
    description: Wait until the mapping has settled after a change (see the description).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for the mapping to settle before the task fails.
    type: int
    default: 300
notes:
  - Supports check mode and diff mode. In check mode a missing mapping is planned with a null
    RV(event_source_mapping.uuid).
  - When more than one mapping of the function and source exists (made outside this module), the oldest is
    managed and a warning names the others; C(state=absent) deletes all of them.
  - AWS applies its own defaults to stream mappings (retry attempts and record age V(-1), no bisection,
    parallelization V(1)); an unset value reported by the API is compared as that default.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Feed the transactions table stream to the fraud function, failed batches to an SQS queue
  payments.infra.lambda_event_source_mapping:
    function_name: payment-fraud-detection-prod
    event_source_arn: "{{ dynamodb_outputs.stream_arn }}"
    batch_size: 100
    starting_position: TRIM_HORIZON
    enabled: true
    function_response_types: [ReportBatchItemFailures]
    maximum_retry_attempts: 3
    bisect_batch_on_function_error: true
    maximum_record_age_in_seconds: 3600
    on_failure_destination_arn: arn:aws:sqs:eu-west-1:123456789012:payment-stream-dlq-prod

- name: Pause the mapping (nothing else changes)
  payments.infra.lambda_event_source_mapping:
    function_name: payment-fraud-detection-prod
    event_source_arn: "{{ dynamodb_outputs.stream_arn }}"
    enabled: false

- name: Delete the mapping
  payments.infra.lambda_event_source_mapping:
    function_name: payment-fraud-detection-prod
    event_source_arn: "{{ dynamodb_outputs.stream_arn }}"
    state: absent
"""

RETURN = r"""
event_source_mapping:
  description: The mapping after the task (planned in check mode); empty when absent.
  returned: always
  type: dict
  contains:
    uuid:
      description: Identifier of the mapping (null when it would be created in check mode).
      returned: when the mapping exists
      type: str
      sample: 0f3c5e1a-4b2d-4c6e-8f90-1a2b3c4d5e6f
    event_source_mapping_arn:
      description: ARN of the mapping, when AWS reports one.
      returned: when the mapping exists
      type: str
      sample: arn:aws:lambda:eu-west-1:123456789012:event-source-mapping:0f3c5e1a-4b2d-4c6e-8f90-1a2b3c4d5e6f
    function_arn:
      description: ARN of the function (as given in check mode before creation).
      returned: when the mapping exists
      type: str
      sample: arn:aws:lambda:eu-west-1:123456789012:function:payment-fraud-detection-prod
    event_source_arn:
      description: ARN of the source.
      returned: when the mapping exists
      type: str
      sample: arn:aws:dynamodb:eu-west-1:123456789012:table/transactions-prod/stream/2026-01-01T00:00:00.000
    state:
      description: C(Enabled), C(Disabled), or a transition state when O(wait=false).
      returned: when the mapping exists
      type: str
      sample: Enabled
    state_transition_reason:
      description: Why the state last changed.
      returned: when the mapping exists
      type: str
      sample: User action
    enabled:
      description: Whether the mapping is (or is becoming) enabled.
      returned: when the mapping exists
      type: bool
      sample: true
    batch_size:
      description: Records per invocation.
      returned: when the mapping exists
      type: int
      sample: 100
    starting_position:
      description: Where the mapping started reading a stream (null for queues).
      returned: when the mapping exists
      type: str
      sample: TRIM_HORIZON
    function_response_types:
      description: Response types of the function.
      returned: when the mapping exists
      type: list
      elements: str
      sample: [ReportBatchItemFailures]
    maximum_retry_attempts:
      description: Retries of a failing batch (V(-1) until the records expire; null for queues).
      returned: when the mapping exists
      type: int
      sample: 3
    bisect_batch_on_function_error:
      description: Whether a failing batch is split (null for queues).
      returned: when the mapping exists
      type: bool
      sample: true
    maximum_record_age_in_seconds:
      description: Oldest record age sent to the function (V(-1) no limit; null for queues).
      returned: when the mapping exists
      type: int
      sample: 3600
    parallelization_factor:
      description: Concurrent batches per shard (null for queues).
      returned: when the mapping exists
      type: int
      sample: 1
    on_failure_destination_arn:
      description: On-failure destination, null when none.
      returned: when the mapping exists
      type: str
      sample: arn:aws:sqs:eu-west-1:123456789012:payment-stream-dlq-prod
    last_processing_result:
      description: Result of the last invocation, as AWS reports it.
      returned: when the mapping exists
      type: str
      sample: OK
"""

import copy
import time

from ansible_collections.payments.infra.plugins.module_utils.lambda_mappings import SCALAR_OPTIONS
from ansible_collections.payments.infra.plugins.module_utils.lambda_mappings import STREAM_DEFAULTS
from ansible_collections.payments.infra.plugins.module_utils.awslambda import PaymentsLambdaError
from ansible_collections.payments.infra.plugins.module_utils.awslambda import create_event_source_mapping
from ansible_collections.payments.infra.plugins.module_utils.awslambda import delete_event_source_mapping
from ansible_collections.payments.infra.plugins.module_utils.lambda_mappings import desired_changes
from ansible_collections.payments.infra.plugins.module_utils.awslambda import get_event_source_mapping
from ansible_collections.payments.infra.plugins.module_utils.lambda_mappings import is_mapping_of
from ansible_collections.payments.infra.plugins.module_utils.lambda_mappings import is_stream
from ansible_collections.payments.infra.plugins.module_utils.awslambda import list_event_source_mappings
from ansible_collections.payments.infra.plugins.module_utils.lambda_mappings import normalize_mapping
from ansible_collections.payments.infra.plugins.module_utils.lambda_mappings import sort_mappings
from ansible_collections.payments.infra.plugins.module_utils.awslambda import update_event_source_mapping
from ansible_collections.payments.infra.plugins.module_utils.diff import build_diff
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule

SETTLED = ("Enabled", "Disabled")
TRANSITIONS = ("Creating", "Updating", "Enabling", "Disabling", "Deleting")
RANGES = {
    "batch_size": (1, 10000),
    "maximum_retry_attempts": (-1, 10000),
    "parallelization_factor": (1, 10),
}


def find_mappings(client, function_name, event_source_arn):
    """The raw mappings of this function and source, oldest first (a name and its ARN are the same function)."""
    return sort_mappings(
        [
            item
            for item in list_event_source_mappings(client, event_source_arn)
            if is_mapping_of(normalize_mapping(item), function_name, event_source_arn)
        ]
    )


def validate(params):
    """Messages about options outside what AWS accepts (each names the option)."""
    errors = []
    for key, (low, high) in RANGES.items():
        value = params.get(key)
        if value is not None and not low <= value <= high:
            errors.append(f"{key} must be between {low} and {high}, got {value}")
    age = params.get("maximum_record_age_in_seconds")
    if age is not None and age != -1 and not 60 <= age <= 604800:
        errors.append(f"maximum_record_age_in_seconds must be -1 or between 60 and 604800, got {age}")
    if params.get("wait_timeout") is not None and params["wait_timeout"] < 0:
        errors.append(f"wait_timeout must be 0 or more, got {params['wait_timeout']}")
    if not is_stream(params["event_source_arn"]):
        stream_only = [key for key in STREAM_DEFAULTS if params.get(key) is not None]
        if params.get("on_failure_destination_arn"):
            stream_only.append("on_failure_destination_arn")
        if stream_only:
            errors.append(f"{', '.join(stream_only)} apply only to DynamoDB and Kinesis stream sources")
    return errors


def create_parameters(params):
    """CreateEventSourceMapping parameters from the options the user set."""
    request = {"FunctionName": params["function_name"], "EventSourceArn": params["event_source_arn"]}
    for key, api in SCALAR_OPTIONS.items():
        if params.get(key) is not None:
            request[api] = params[key]
    if params.get("enabled") is not None:
        request["Enabled"] = params["enabled"]
    if params.get("starting_position"):
        request["StartingPosition"] = params["starting_position"]
    if params.get("function_response_types"):
        request["FunctionResponseTypes"] = sorted(set(params["function_response_types"]))
    if params.get("on_failure_destination_arn"):
        request["DestinationConfig"] = {"OnFailure": {"Destination": params["on_failure_destination_arn"]}}
    return request


def planned(current, request):
    """The mapping once `request` (create or update parameters) is applied, for check mode and diff."""
    after = (
        copy.deepcopy(current)
        if current
        else {
            "uuid": None,
            "event_source_mapping_arn": None,
            "function_arn": request.get("FunctionName"),
            "event_source_arn": request.get("EventSourceArn"),
            "state": None,
            "state_transition_reason": None,
            "enabled": True,
            "batch_size": None,
            "starting_position": request.get("StartingPosition"),
            "function_response_types": [],
            "maximum_retry_attempts": None,
            "bisect_batch_on_function_error": None,
            "maximum_record_age_in_seconds": None,
            "parallelization_factor": None,
            "on_failure_destination_arn": None,
            "last_processing_result": None,
        }
    )
    if not current and is_stream(after["event_source_arn"] or ""):
        after.update(STREAM_DEFAULTS)
    for key, api in SCALAR_OPTIONS.items():
        if api in request:
            after[key] = request[api]
    if "Enabled" in request:
        after["enabled"] = request["Enabled"]
    if "FunctionResponseTypes" in request:
        after["function_response_types"] = request["FunctionResponseTypes"]
    if "DestinationConfig" in request:
        after["on_failure_destination_arn"] = request["DestinationConfig"]["OnFailure"].get("Destination")
    after["state"] = "Enabled" if after["enabled"] else "Disabled"
    return after


def wait_until_settled(client, uuid, timeout, *, gone=False, sleep=time.sleep, clock=time.monotonic, delay=2):
    """The raw mapping once its state is Enabled or Disabled (None once deleted, when gone); fails after timeout."""
    deadline = clock() + timeout
    while True:
        raw = get_event_source_mapping(client, uuid)
        if gone:
            if raw is None:
                return None
        elif raw is None:
            raise PaymentsLambdaError(message=f"event source mapping {uuid} disappeared while waiting for it")
        elif raw.get("State") not in TRANSITIONS:
            return raw
        if clock() >= deadline:
            state = raw.get("State")
            goal = "to be deleted" if gone else "to settle (Enabled or Disabled)"
            raise PaymentsLambdaError(
                message=f"event source mapping {uuid} still {state} after {timeout} seconds waiting {goal}"
            )
        sleep(delay)


def ensure_present(client, params, check_mode, waiter=wait_until_settled):
    """(changed, mapping, diff, warnings)."""
    found = find_mappings(client, params["function_name"], params["event_source_arn"])
    warnings = []
    if len(found) > 1:
        warnings.append(
            f"{len(found)} mappings of {params['function_name']} and {params['event_source_arn']} exist; managing "
            f"{found[0]['UUID']}, not {', '.join(item['UUID'] for item in found[1:])}"
        )
    wait = params.get("wait", True)
    timeout = params.get("wait_timeout", 300)

    if not found:
        request = create_parameters(params)
        after = planned(None, request)
        if not check_mode:
            created = create_event_source_mapping(client, **request)
            raw = waiter(client, created["UUID"], timeout) if wait else created
            after = normalize_mapping(raw)
        return True, after, build_diff(None, after), warnings

    current = normalize_mapping(found[0])
    updates, position_warnings = desired_changes(current, params)
    warnings.extend(position_warnings)
    if not updates:
        return False, current, build_diff(current, current), warnings
    after = planned(current, updates)
    if not check_mode:
        if wait and current["state"] in TRANSITIONS:
            waiter(client, current["uuid"], timeout)
        updated = update_event_source_mapping(client, current["uuid"], **updates)
        raw = waiter(client, current["uuid"], timeout) if wait else updated
        after = normalize_mapping(raw)
    return True, after, build_diff(current, after), warnings


def ensure_absent(client, params, check_mode, waiter=wait_until_settled):
    """(changed, {}, diff, warnings)."""
    found = find_mappings(client, params["function_name"], params["event_source_arn"])
    if not found:
        return False, {}, build_diff(None, None), []
    before = normalize_mapping(found[0])
    if not check_mode:
        for item in found:
            delete_event_source_mapping(client, item["UUID"])
        if params.get("wait", True):
            for item in found:
                waiter(client, item["UUID"], params.get("wait_timeout", 300), gone=True)
    return True, {}, build_diff(before, None), []


def main():
    argument_spec = dict(
        function_name=dict(type="str", required=True),
        event_source_arn=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        enabled=dict(type="bool"),
        batch_size=dict(type="int"),
        starting_position=dict(type="str", choices=["TRIM_HORIZON", "LATEST"]),
        function_response_types=dict(type="list", elements="str", choices=["ReportBatchItemFailures"]),
        maximum_retry_attempts=dict(type="int"),
        bisect_batch_on_function_error=dict(type="bool"),
        maximum_record_age_in_seconds=dict(type="int"),
        parallelization_factor=dict(type="int"),
        on_failure_destination_arn=dict(type="str"),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=300),
    )
    module = PaymentsAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    if params["state"] == "present":
        errors = validate(params)
        if errors:
            module.fail_json(msg="; ".join(errors))
    client = module.client("lambda")
    try:
        if params["state"] == "present":
            changed, mapping, diff, warnings = ensure_present(client, params, module.check_mode)
        else:
            changed, mapping, diff, warnings = ensure_absent(client, params, module.check_mode)
    except PaymentsLambdaError as e:
        module.fail_json_aws_error(e)
    module.exit_with_diff({"changed": changed, "event_source_mapping": mapping or {}, "diff": diff}, warnings)


if __name__ == "__main__":
    main()
