"""payments.infra.lambda_event_source_mapping decisions, against moto's in-process AWS (no network)."""

import io
import json
import zipfile

import boto3
import pytest
from ansible_collections.payments.infra.plugins.filter.lambda_event_source_mapping_differences import (
    lambda_event_source_mapping_differences,
)
from ansible_collections.payments.infra.plugins.module_utils.awslambda import PaymentsLambdaError
from ansible_collections.payments.infra.plugins.module_utils.lambda_mappings import function_key
from ansible_collections.payments.infra.plugins.modules import lambda_account_info as info
from ansible_collections.payments.infra.plugins.modules import lambda_event_source_mapping as module

NAME = "payment-test-fraud"
REGION = "us-east-1"


def no_wait(client, uuid, timeout, gone=False):
    """moto settles at once: read the mapping like the real waiter does, without sleeping."""
    return module.wait_until_settled(client, uuid, timeout, gone=gone, sleep=lambda _s: None)


@pytest.fixture
def aws(moto_aws):
    iam = boto3.client("iam", region_name=REGION)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = iam.create_role(RoleName=NAME, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    awslambda = boto3.client("lambda", region_name=REGION)
    function_arn = awslambda.create_function(
        FunctionName=NAME,
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": code.getvalue()},
    )["FunctionArn"]
    table = boto3.client("dynamodb", region_name=REGION).create_table(
        TableName="transactions-test",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]
    sqs = boto3.client("sqs", region_name=REGION)
    queue_url = sqs.create_queue(QueueName="payment-stream-dlq-test")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    yield {
        "client": awslambda,
        "function_arn": function_arn,
        "stream_arn": table["LatestStreamArn"],
        "queue_arn": queue_arn,
    }


def params(aws, **overrides):
    base = {
        "function_name": NAME,
        "event_source_arn": aws["stream_arn"],
        "state": "present",
        "enabled": True,
        "batch_size": 100,
        "starting_position": "TRIM_HORIZON",
        "function_response_types": ["ReportBatchItemFailures"],
        "maximum_retry_attempts": 3,
        "bisect_batch_on_function_error": True,
        "maximum_record_age_in_seconds": 3600,
        "parallelization_factor": None,
        "on_failure_destination_arn": aws["queue_arn"],
        "wait": True,
        "wait_timeout": 30,
    }
    base.update(overrides)
    return base


def mappings(aws):
    return aws["client"].list_event_source_mappings(EventSourceArn=aws["stream_arn"])["EventSourceMappings"]


def test_check_mode_plans_the_mapping_and_creates_nothing(aws):
    changed, mapping, diff, warnings = module.ensure_present(aws["client"], params(aws), True, waiter=no_wait)
    assert changed and not warnings
    assert mapping["uuid"] is None
    assert mapping["maximum_retry_attempts"] == 3
    assert mapping["bisect_batch_on_function_error"] is True
    assert mapping["on_failure_destination_arn"] == aws["queue_arn"]
    assert mapping["parallelization_factor"] == 1  # the AWS default of a stream mapping
    assert diff["before"] == {} and diff["after"] == mapping
    assert mappings(aws) == []


def test_create_then_reruns_change_nothing(aws):
    changed, mapping, diff, _warnings = module.ensure_present(aws["client"], params(aws), False, waiter=no_wait)
    assert changed and mapping["uuid"]
    assert mapping["state"] == "Enabled"
    assert mapping["function_arn"].split(":")[6] == NAME
    stored = aws["client"].get_event_source_mapping(UUID=mapping["uuid"])
    assert stored["MaximumRetryAttempts"] == 3
    assert stored["BisectBatchOnFunctionError"] is True
    assert stored["MaximumRecordAgeInSeconds"] == 3600
    assert stored["DestinationConfig"] == {"OnFailure": {"Destination": aws["queue_arn"]}}
    assert stored["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # the same function named by its ARN is the same mapping
    for check_mode in (True, False):
        for function in (NAME, aws["function_arn"]):
            again = module.ensure_present(
                aws["client"], params(aws, function_name=function), check_mode, waiter=no_wait
            )
            assert again[0] is False, again
            assert again[1]["uuid"] == mapping["uuid"]
    assert len(mappings(aws)) == 1


def test_only_options_set_are_compared_and_changed(aws):
    created = module.ensure_present(aws["client"], params(aws), False, waiter=no_wait)[1]
    unset = {key: None for key in module.SCALAR_OPTIONS}
    unset.update(enabled=None, function_response_types=None, on_failure_destination_arn=None, starting_position=None)
    changed, mapping, _diff, _warnings = module.ensure_present(
        aws["client"], params(aws, **unset), False, waiter=no_wait
    )
    assert not changed and mapping == created

    changed, mapping, diff, _warnings = module.ensure_present(
        aws["client"], params(aws, **dict(unset, maximum_retry_attempts=5, enabled=False)), True, waiter=no_wait
    )
    assert changed
    assert diff["before"]["maximum_retry_attempts"] == 3 and diff["after"]["maximum_retry_attempts"] == 5
    assert diff["after"]["enabled"] is False and diff["after"]["state"] == "Disabled"
    assert aws["client"].get_event_source_mapping(UUID=created["uuid"])["MaximumRetryAttempts"] == 3

    changed, mapping, _diff, _warnings = module.ensure_present(
        aws["client"], params(aws, **dict(unset, maximum_retry_attempts=5, enabled=False)), False, waiter=no_wait
    )
    assert changed and mapping["maximum_retry_attempts"] == 5 and mapping["state"] == "Disabled"
    assert mapping["bisect_batch_on_function_error"] is True
    assert mapping["on_failure_destination_arn"] == aws["queue_arn"]


def test_empty_destination_removes_it(aws):
    module.ensure_present(aws["client"], params(aws), False, waiter=no_wait)
    changed, mapping, _diff, _warnings = module.ensure_present(
        aws["client"], params(aws, on_failure_destination_arn=""), False, waiter=no_wait
    )
    assert changed and mapping["on_failure_destination_arn"] is None
    assert not module.ensure_present(aws["client"], params(aws, on_failure_destination_arn=""), False)[0]


def test_starting_position_cannot_change_and_warns(aws):
    module.ensure_present(aws["client"], params(aws), False, waiter=no_wait)
    changed, mapping, _diff, warnings = module.ensure_present(
        aws["client"], params(aws, starting_position="LATEST"), False, waiter=no_wait
    )
    assert not changed and mapping["starting_position"] == "TRIM_HORIZON"
    assert len(warnings) == 1 and "starting_position LATEST ignored" in warnings[0]


def test_duplicates_are_reported_and_absent_deletes_all(aws):
    for _attempt in range(2):
        aws["client"].create_event_source_mapping(
            FunctionName=NAME, EventSourceArn=aws["stream_arn"], StartingPosition="LATEST"
        )
    changed, mapping, _diff, warnings = module.ensure_present(
        aws["client"], params(aws, starting_position=None), True, waiter=no_wait
    )
    assert changed and mapping["uuid"]
    assert len(warnings) == 1 and "2 mappings" in warnings[0]
    changed, mapping, diff, _warnings = module.ensure_absent(aws["client"], params(aws, state="absent"), True, no_wait)
    assert changed and mapping == {} and diff["before"]["uuid"] and len(mappings(aws)) == 2
    changed, _mapping, _diff, _warnings = module.ensure_absent(
        aws["client"], params(aws, state="absent"), False, no_wait
    )
    assert changed and mappings(aws) == []
    assert module.ensure_absent(aws["client"], params(aws, state="absent"), False, no_wait)[0] is False


def test_other_functions_mappings_are_not_ours(aws):
    role = aws["client"].get_function_configuration(FunctionName=NAME)["Role"]
    other = aws["client"].create_function(
        FunctionName="other", Runtime="python3.12", Role=role, Handler="handler.handler", Code={"ZipFile": _zip()}
    )
    aws["client"].create_event_source_mapping(
        FunctionName=other["FunctionArn"], EventSourceArn=aws["stream_arn"], StartingPosition="LATEST"
    )
    changed, mapping, _diff, _warnings = module.ensure_present(aws["client"], params(aws), False, waiter=no_wait)
    assert changed and mapping["function_arn"].split(":")[6] == NAME
    assert len(mappings(aws)) == 2


def _zip():
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return code.getvalue()


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("fn", ("fn", None)),
        ("fn:live", ("fn", "live")),
        ("arn:aws:lambda:eu-west-1:123456789012:function:fn", ("fn", None)),
        ("arn:aws:lambda:eu-west-1:123456789012:function:fn:$LATEST", ("fn", None)),
        ("arn:aws:lambda:eu-west-1:123456789012:function:fn:3", ("fn", "3")),
        ("123456789012:function:fn", ("fn", None)),
    ],
)
def test_function_key(ref, expected):
    assert function_key(ref) == expected


def test_validate_names_each_bad_option():
    stream = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026"
    queue = "arn:aws:sqs:us-east-1:123456789012:q"
    good = {"event_source_arn": stream, "maximum_record_age_in_seconds": -1, "maximum_retry_attempts": 0}
    assert module.validate(good) == []
    errors = module.validate(
        {"event_source_arn": stream, "batch_size": 0, "maximum_record_age_in_seconds": 30, "parallelization_factor": 11}
    )
    assert any(e.startswith("batch_size") for e in errors)
    assert any(e.startswith("maximum_record_age_in_seconds") for e in errors)
    assert any(e.startswith("parallelization_factor") for e in errors)
    errors = module.validate(
        {"event_source_arn": queue, "maximum_retry_attempts": 3, "on_failure_destination_arn": "x"}
    )
    assert errors == [
        "maximum_retry_attempts, on_failure_destination_arn apply only to DynamoDB and Kinesis stream sources"
    ]


class _SettlingLambda:
    """GetEventSourceMapping answers that walk through the given states (None: the mapping is gone)."""

    def __init__(self, states):
        self.states = list(states)
        self.calls = 0

    def get_event_source_mapping(self, UUID):
        self.calls += 1
        state = self.states.pop(0) if len(self.states) > 1 else self.states[0]
        if state is None:
            from botocore.exceptions import ClientError

            raise ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": "gone"}}, "Get")
        return {"UUID": UUID, "State": state, "EventSourceArn": "arn:aws:sqs:us-east-1:1:q"}


class _Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_wait_until_settled_walks_through_the_transitions():
    fake, clock = _SettlingLambda(["Creating", "Creating", "Enabling", "Enabled"]), _Clock()
    raw = module.wait_until_settled(fake, "u-1", 60, sleep=clock.sleep, clock=clock)
    assert raw["State"] == "Enabled" and fake.calls == 4 and clock.now == 6


def test_wait_until_settled_is_bounded():
    fake, clock = _SettlingLambda(["Updating"]), _Clock()
    with pytest.raises(PaymentsLambdaError, match="still Updating after 10 seconds"):
        module.wait_until_settled(fake, "u-1", 10, sleep=clock.sleep, clock=clock)
    assert clock.now <= 12


def test_wait_for_deletion():
    fake, clock = _SettlingLambda(["Deleting", None]), _Clock()
    assert module.wait_until_settled(fake, "u-1", 60, gone=True, sleep=clock.sleep, clock=clock) is None
    fake, clock = _SettlingLambda(["Deleting"]), _Clock()
    with pytest.raises(PaymentsLambdaError, match="to be deleted"):
        module.wait_until_settled(fake, "u-1", 4, gone=True, sleep=clock.sleep, clock=clock)


def test_account_info_read_compares_as_the_module_does(aws):
    """lambda_account_info's read of the function's mappings, through the filter, says what ensure_present would do."""
    client = aws["client"]
    wanted = params(aws)
    assert info.gather_event_source_mappings(client, [NAME, "payment-test-missing"]) == {
        NAME: [],
        "payment-test-missing": [],
    }
    assert lambda_event_source_mapping_differences([], wanted) == ["missing"]
    module.ensure_present(client, wanted, False, waiter=no_wait)
    read = info.gather_event_source_mappings(client, [NAME])[NAME]
    assert len(read) == 1 and read[0]["batch_size"] == 100
    assert lambda_event_source_mapping_differences(read, wanted) == []
    assert module.ensure_present(client, wanted, True, waiter=no_wait)[0] is False

    client.update_event_source_mapping(UUID=read[0]["uuid"], BatchSize=10, Enabled=False)
    drifted = info.gather_event_source_mappings(client, [NAME])[NAME]
    assert lambda_event_source_mapping_differences(drifted, wanted) == ["batch_size", "enabled"]
    changed, after, _diff, _warnings = module.ensure_present(client, wanted, False, waiter=no_wait)
    assert changed and after["batch_size"] == 100 and after["enabled"] is True
    assert (
        lambda_event_source_mapping_differences(info.gather_event_source_mappings(client, [NAME])[NAME], wanted) == []
    )
    # Another source of the same function is another mapping.
    assert lambda_event_source_mapping_differences(read, dict(wanted, event_source_arn=aws["queue_arn"])) == ["missing"]
