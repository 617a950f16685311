"""payments.infra.lambda_event_source_mapping_differences: lambda_event_source_mapping's own comparison
(module_utils awslambda desired_changes) on the mappings lambda_account_info reads (no AWS)."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.payments.infra.plugins.filter.lambda_event_source_mapping_differences import (
    lambda_event_source_mapping_differences as differences,
)
from ansible_collections.payments.infra.plugins.module_utils.lambda_mappings import normalize_mapping

FUNCTION = "payment-fraud-detection-test"
FUNCTION_ARN = f"arn:aws:lambda:us-east-1:123456789012:function:{FUNCTION}"
STREAM = "arn:aws:dynamodb:us-east-1:123456789012:table/transactions-test/stream/2026-01-01T00:00:00.000"
QUEUE = "arn:aws:sqs:us-east-1:123456789012:payment-stream-dlq-test"
WANTED = {
    "function_name": FUNCTION,
    "event_source_arn": STREAM,
    "enabled": True,
    "batch_size": 100,
    "starting_position": "LATEST",
    "function_response_types": ["ReportBatchItemFailures"],
    "maximum_retry_attempts": 3,
    "bisect_batch_on_function_error": True,
    "maximum_record_age_in_seconds": 3600,
    "parallelization_factor": 1,
    "on_failure_destination_arn": QUEUE,
}


def mapping(uuid="u1", **overrides):
    raw = {
        "UUID": uuid,
        "FunctionArn": FUNCTION_ARN,
        "EventSourceArn": STREAM,
        "State": "Enabled",
        "BatchSize": 100,
        "StartingPosition": "LATEST",
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "MaximumRetryAttempts": 3,
        "BisectBatchOnFunctionError": True,
        "MaximumRecordAgeInSeconds": 3600,
        "DestinationConfig": {"OnFailure": {"Destination": QUEUE}},
    }
    raw.update(overrides)
    return normalize_mapping(raw)


def test_nothing_differs():
    # parallelization_factor unset by AWS (moto) is its default 1, as the module compares it.
    assert differences([mapping()], WANTED) == []


def test_missing_when_no_mapping_joins_the_function_to_the_source():
    assert differences([], WANTED) == ["missing"]
    assert differences(None, WANTED) == ["missing"]
    assert differences([mapping(EventSourceArn=STREAM.replace("2026", "2025"))], WANTED) == ["missing"]
    assert differences([mapping(FunctionArn=FUNCTION_ARN + "-other")], WANTED) == ["missing"]


def test_a_function_name_and_its_arn_are_the_same_function():
    assert differences([mapping()], dict(WANTED, function_name=FUNCTION_ARN)) == []


def test_duplicates_run_the_module_so_it_warns():
    assert differences([mapping("u1"), mapping("u2")], WANTED) == ["duplicates"]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"BatchSize": 10}, ["batch_size"]),
        ({"State": "Disabled"}, ["enabled"]),
        ({"MaximumRetryAttempts": -1}, ["maximum_retry_attempts"]),
        ({"BisectBatchOnFunctionError": False}, ["bisect_batch_on_function_error"]),
        ({"MaximumRecordAgeInSeconds": 60}, ["maximum_record_age_in_seconds"]),
        ({"ParallelizationFactor": 2}, ["parallelization_factor"]),
        ({"FunctionResponseTypes": []}, ["function_response_types"]),
        ({"DestinationConfig": {}}, ["on_failure_destination_arn"]),
        ({"StartingPosition": "TRIM_HORIZON"}, ["starting_position"]),
        (
            {"BatchSize": 10, "State": "Disabled", "DestinationConfig": {}},
            ["batch_size", "enabled", "on_failure_destination_arn"],
        ),
    ],
)
def test_each_option_the_module_sets_is_compared(overrides, expected):
    assert differences([mapping(**overrides)], WANTED) == expected


def test_unset_options_are_not_compared():
    assert differences([mapping(BatchSize=10)], {"function_name": FUNCTION, "event_source_arn": STREAM}) == []


def test_unknown_option_or_bad_input_fails():
    with pytest.raises(AnsibleFilterError, match="options not compared: tumbling_window"):
        differences([mapping()], dict(WANTED, tumbling_window=5))
    with pytest.raises(AnsibleFilterError, match="only state=present"):
        differences([mapping()], dict(WANTED, state="absent"))
    with pytest.raises(AnsibleFilterError, match="must be a list"):
        differences({"uuid": "u1"}, WANTED)
    with pytest.raises(AnsibleFilterError, match="function_name and event_source_arn"):
        differences([mapping()], {"function_name": FUNCTION})
