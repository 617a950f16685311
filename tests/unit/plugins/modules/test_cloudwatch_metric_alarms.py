"""payments.infra.cloudwatch_metric_alarms: a list of alarms read in one pass (DescribeAlarms + tag:GetResources) and
reconciled with the compare/act of cloudwatch_metric_alarm, against moto's in-process AWS (no network)."""

import boto3
import pytest
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch_alarms import (
    PaymentsCloudWatchAlarmError,
    alarm_argument_spec,
)
from ansible_collections.payments.infra.plugins.module_utils.tagging import PaymentsTaggingError
from ansible_collections.payments.infra.plugins.modules import cloudwatch_metric_alarm, cloudwatch_metric_alarms
from aws_fakes import Recorder
from botocore.exceptions import ClientError

REGION = "us-east-1"
TOPIC = f"arn:aws:sns:{REGION}:123456789012:system-errors-test"
WRITES = ("PutMetricAlarm", "DeleteAlarms", "TagResource", "UntagResource")

# Every option of one alarm at the value Ansible gives it when the task leaves it out, from the argument spec
# the modules share.
UNSET = {key: spec.get("default") for key, spec in alarm_argument_spec().items() if key not in ("name",)}


@pytest.fixture
def aws(moto_aws, monkeypatch):
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    tagging = boto3.client("resourcegroupstaggingapi", region_name=REGION)
    return cloudwatch, tagging, Recorder(monkeypatch, cloudwatch, tagging, writes=WRITES)


def lambda_alarm(name, **overrides):
    alarm = dict(
        UNSET,
        name=name,
        description=f"Errors of {name}",
        namespace="AWS/Lambda",
        metric_name="Errors",
        dimensions={"FunctionName": name},
        statistic="Sum",
        period=60,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        comparison_operator="GreaterThanThreshold",
        threshold=0.0,
        treat_missing_data="notBreaching",
        actions_enabled=True,
        alarm_actions=[TOPIC],
        ok_actions=[TOPIC],
        insufficient_data_actions=[],
        tags={"Environment": "test", "Name": name},
    )
    alarm.update(overrides)
    return alarm


def p99_alarm(name="payment-test-api-p99-latency", **overrides):
    return lambda_alarm(
        name,
        namespace="AWS/ApiGateway",
        metric_name="IntegrationLatency",
        dimensions={"ApiId": "abc123"},
        statistic=None,
        extended_statistic="p99",
        evaluate_low_sample_count_percentile="ignore",
        evaluation_periods=5,
        datapoints_to_alarm=3,
        threshold=1000.0,
        treat_missing_data="ignore",
        **overrides,
    )


def math_alarm(name="payment-test-dynamodb-throttled-requests", **overrides):
    queries = [{"id": "total", "expression": "SUM(METRICS())", "label": "throttled", "return_data": True}]
    for index, operation in enumerate(["GetItem", "PutItem"], start=1):
        queries.append(
            {
                "id": f"op{index}",
                "label": operation,
                "return_data": False,
                "metric_stat": {
                    "metric": {
                        "namespace": "AWS/DynamoDB",
                        "metric_name": "ThrottledRequests",
                        "dimensions": {"TableName": "transactions-test", "Operation": operation},
                    },
                    "period": 60,
                    "stat": "Sum",
                },
            }
        )
    return lambda_alarm(
        name,
        namespace=None,
        metric_name=None,
        dimensions=None,
        statistic=None,
        period=None,
        metrics=queries,
        **overrides,
    )


def stack():
    return [p99_alarm(), math_alarm(), lambda_alarm("payment-test-validation-errors")]


def test_check_mode_on_an_empty_account_plans_every_alarm_and_writes_nothing(aws):
    cloudwatch, tagging, recorder = aws
    names, alarms, diff = cloudwatch_metric_alarms.ensure_alarms(cloudwatch, tagging, stack(), True)
    assert names == [alarm["name"] for alarm in stack()]
    assert recorder.writes() == []
    # Nothing exists: one DescribeAlarms, and no alarm ARN to read tags of.
    assert recorder.operations() == ["DescribeAlarms"]
    assert [alarm["arn"] for alarm in alarms] == [None, None, None]
    assert alarms[0]["extended_statistic"] == "p99" and alarms[0]["tags"]["Name"] == names[0]
    assert len(alarms[1]["metrics"]) == 3
    assert diff["before"] == {name: {} for name in names}
    assert diff["after"][names[2]]["threshold"] == 0.0
    assert cloudwatch.describe_alarms()["MetricAlarms"] == []


def test_create_then_a_rerun_reads_everything_with_two_requests_and_changes_nothing(aws):
    cloudwatch, tagging, recorder = aws
    names, created, _diff = cloudwatch_metric_alarms.ensure_alarms(cloudwatch, tagging, stack(), False)
    assert len(names) == 3
    # One PutMetricAlarm per alarm (tags included), then one DescribeAlarms reads the three back.
    assert recorder.operations() == ["DescribeAlarms", "PutMetricAlarm", "PutMetricAlarm", "PutMetricAlarm"] + [
        "DescribeAlarms"
    ]
    assert all(alarm["arn"].endswith(":alarm:" + alarm["name"]) for alarm in created)
    assert created[2]["tags"] == {"Environment": "test", "Name": "payment-test-validation-errors"}

    recorder.clear()
    names, again, diff = cloudwatch_metric_alarms.ensure_alarms(cloudwatch, tagging, stack(), False)
    assert names == []
    assert recorder.operations() == ["DescribeAlarms", "GetResources"]
    assert again == created
    assert diff["before"] == diff["after"]
    recorder.clear()
    assert cloudwatch_metric_alarms.ensure_alarms(cloudwatch, tagging, stack(), True)[0] == []
    assert recorder.writes() == []


def test_each_alarm_is_the_one_cloudwatch_metric_alarm_returns(aws):
    cloudwatch, tagging, _recorder = aws
    _names, alarms, _diff = cloudwatch_metric_alarms.ensure_alarms(cloudwatch, tagging, stack(), False)
    for params, alarm in zip(stack(), alarms, strict=True):
        changed, single, _diff = cloudwatch_metric_alarm.ensure_present(cloudwatch, params, False)
        assert not changed
        assert single == alarm


def test_the_singular_module_sees_no_change_after_the_list_and_the_other_way_round(aws):
    cloudwatch, tagging, recorder = aws
    for params in stack():
        assert cloudwatch_metric_alarm.ensure_present(cloudwatch, params, False)[0]
    recorder.clear()
    assert cloudwatch_metric_alarms.ensure_alarms(cloudwatch, tagging, stack(), False)[0] == []
    assert recorder.writes() == []


def test_only_the_drifted_alarms_are_written(aws):
    cloudwatch, tagging, recorder = aws
    cloudwatch_metric_alarms.ensure_alarms(cloudwatch, tagging, stack(), False)
    p99, math, errors = (alarm["name"] for alarm in stack())
    # Drift: the p99 threshold changed by hand, a tag removed from the errors alarm, a stray tag on the math alarm.
    current = cloudwatch.describe_alarms(AlarmNames=[p99])["MetricAlarms"][0]
    put = {key: current[key] for key in ("AlarmName", "Namespace", "MetricName", "Dimensions", "ExtendedStatistic")}
    put.update(Period=60, EvaluationPeriods=5, Threshold=5000.0, ComparisonOperator="GreaterThanThreshold")
    cloudwatch.put_metric_alarm(**put)
    errors_arn = cloudwatch.describe_alarms(AlarmNames=[errors])["MetricAlarms"][0]["AlarmArn"]
    cloudwatch.untag_resource(ResourceARN=errors_arn, TagKeys=["Name"])
    math_arn = cloudwatch.describe_alarms(AlarmNames=[math])["MetricAlarms"][0]["AlarmArn"]
    cloudwatch.tag_resource(ResourceARN=math_arn, Tags=[{"Key": "Stray", "Value": "x"}])

    recorder.clear()
    names, alarms, diff = cloudwatch_metric_alarms.ensure_alarms(cloudwatch, tagging, stack(), True)
    assert names == [p99, math, errors]
    assert recorder.writes() == []
    assert diff["before"][p99]["threshold"] == 5000.0 and diff["after"][p99]["threshold"] == 1000.0

    recorder.clear()
    names, alarms, diff = cloudwatch_metric_alarms.ensure_alarms(cloudwatch, tagging, stack(), False)
    assert names == [p99, math, errors]
    # The p99 alarm is put again whole; the others are only tagged or untagged.
    assert recorder.writes() == ["PutMetricAlarm", "TagResource", "UntagResource"]
    put_again = [params for operation, params in recorder.calls if operation == "PutMetricAlarm"][0]
    assert put_again["AlarmName"] == p99 and put_again["DatapointsToAlarm"] == 3
    assert alarms[0]["threshold"] == 1000.0
    assert alarms[1]["tags"] == {"Environment": "test", "Name": math}
    assert alarms[2]["tags"] == {"Environment": "test", "Name": errors}
    assert diff["before"][errors]["tags"] == {"Environment": "test"}

    recorder.clear()
    assert cloudwatch_metric_alarms.ensure_alarms(cloudwatch, tagging, stack(), False)[0] == []
    assert recorder.writes() == []


def test_unset_options_and_unset_tags_keep_their_value(aws):
    cloudwatch, tagging, recorder = aws
    cloudwatch_metric_alarms.ensure_alarms(cloudwatch, tagging, stack(), False)
    recorder.clear()
    bare = [dict(UNSET, name=alarm["name"]) for alarm in stack()]
    names, alarms, _diff = cloudwatch_metric_alarms.ensure_alarms(cloudwatch, tagging, bare, False)
    assert names == [] and recorder.writes() == []
    assert alarms[0]["datapoints_to_alarm"] == 3 and alarms[0]["tags"]["Environment"] == "test"


def test_absent_deletes_what_exists_and_ignores_what_does_not(aws):
    cloudwatch, tagging, recorder = aws
    cloudwatch_metric_alarms.ensure_alarms(cloudwatch, tagging, stack(), False)
    gone = [dict(UNSET, name="payment-test-api-p99-latency", state="absent"), dict(UNSET, name="never", state="absent")]
    recorder.clear()
    names, alarms, diff = cloudwatch_metric_alarms.ensure_alarms(cloudwatch, tagging, gone, True)
    assert names == ["payment-test-api-p99-latency"] and recorder.writes() == []
    names, alarms, diff = cloudwatch_metric_alarms.ensure_alarms(cloudwatch, tagging, gone, False)
    assert names == ["payment-test-api-p99-latency"]
    assert alarms == [{}, {}]
    assert diff["after"] == {"payment-test-api-p99-latency": {}, "never": {}}
    assert diff["before"]["payment-test-api-p99-latency"]["name"] == "payment-test-api-p99-latency"
    assert [a["AlarmName"] for a in cloudwatch.describe_alarms()["MetricAlarms"]] == [
        "payment-test-dynamodb-throttled-requests",
        "payment-test-validation-errors",
    ]
    assert cloudwatch_metric_alarms.ensure_alarms(cloudwatch, tagging, gone, False)[0] == []


def test_an_untagged_alarm_reads_as_no_tags(aws):
    cloudwatch, tagging, _recorder = aws
    untagged = lambda_alarm("payment-test-untagged", tags=None)
    cloudwatch_metric_alarms.ensure_alarms(cloudwatch, tagging, [untagged], False)
    _names, alarms, _diff = cloudwatch_metric_alarms.ensure_alarms(cloudwatch, tagging, [untagged], False)
    assert alarms[0]["tags"] == {}
    names, alarms, _diff = cloudwatch_metric_alarms.ensure_alarms(
        cloudwatch, tagging, [dict(untagged, tags={"Team": "payments"})], False
    )
    assert names == ["payment-test-untagged"] and alarms[0]["tags"] == {"Team": "payments"}


def test_more_than_100_alarms_are_read_100_at_a_time(aws):
    cloudwatch, tagging, recorder = aws
    alarms = [lambda_alarm(f"payment-test-fn{index:03d}-errors", tags={"N": str(index)}) for index in range(130)]
    cloudwatch_metric_alarms.ensure_alarms(cloudwatch, tagging, alarms, False)
    recorder.clear()
    names, found, _diff = cloudwatch_metric_alarms.ensure_alarms(cloudwatch, tagging, alarms, False)
    assert names == [] and len(found) == 130
    described = [params["AlarmNames"] for operation, params in recorder.calls if operation == "DescribeAlarms"]
    assert [len(chunk) for chunk in described] == [100, 30]
    # One GetResources per 100 ARNs (a further page, should the API return a token, carries PaginationToken).
    tag_reads = [
        p["ResourceARNList"] for op, p in recorder.calls if op == "GetResources" and "PaginationToken" not in p
    ]
    assert [len(chunk) for chunk in tag_reads] == [100, 30]
    assert found[129]["tags"] == {"N": "129"}


def test_a_creation_without_the_required_options_fails_naming_the_alarm(aws):
    cloudwatch, tagging, recorder = aws
    with pytest.raises(PaymentsCloudWatchAlarmError, match="alarm incomplete does not exist; creating it needs"):
        cloudwatch_metric_alarms.ensure_alarms(cloudwatch, tagging, [dict(UNSET, name="incomplete")], False)
    assert recorder.writes() == []


def test_a_denied_tag_read_raises_the_tagging_error(aws, monkeypatch):
    cloudwatch, tagging, _recorder = aws
    cloudwatch_metric_alarms.ensure_alarms(cloudwatch, tagging, stack(), False)

    def denied(operation, params):
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, operation)

    monkeypatch.setattr(tagging, "_make_api_call", denied)
    with pytest.raises(PaymentsTaggingError, match="get the tags of resources"):
        cloudwatch_metric_alarms.ensure_alarms(cloudwatch, tagging, stack(), False)


class Clients:
    """What module.client() answers in main(): the CloudWatch client, except for the tagging API's calls."""

    def __init__(self, cloudwatch, tagging):
        self._cloudwatch = cloudwatch
        self._tagging = tagging

    def get_paginator(self, name):
        return (self._tagging if name == "get_resources" else self._cloudwatch).get_paginator(name)

    def __getattr__(self, name):
        return getattr(self._cloudwatch, name)


def module_args(alarms, **extra):
    return dict(alarms=alarms, region=REGION, **extra)


def test_main_returns_alarms_changed_alarms_and_diff(run_module, aws):
    cloudwatch, tagging, _recorder = aws
    alarms = [
        {
            "name": "payment-test-aurora-cpu",
            "namespace": "AWS/RDS",
            "metric_name": "CPUUtilization",
            "dimensions": {"DBClusterIdentifier": "payment-aurora-test"},
            "statistic": "Average",
            "period": 300,
            "comparison_operator": "GreaterThanThreshold",
            "threshold": 80,
            "evaluation_periods": 3,
            "tags": {"Environment": "test"},
        }
    ]
    ok, result = run_module(
        cloudwatch_metric_alarms, module_args(alarms, _ansible_diff=True), Clients(cloudwatch, tagging)
    )
    assert ok and result["changed"], result
    assert result["changed_alarms"] == ["payment-test-aurora-cpu"]
    assert result["alarms"][0]["threshold"] == 80.0 and result["alarms"][0]["tags"] == {"Environment": "test"}
    assert result["diff"]["before"] == {"payment-test-aurora-cpu": {}}
    ok, result = run_module(cloudwatch_metric_alarms, module_args(alarms), Clients(cloudwatch, tagging))
    assert ok and not result["changed"] and result["changed_alarms"] == []
    assert "diff" not in result


def test_main_with_no_alarm_does_nothing(run_module):
    ok, result = run_module(cloudwatch_metric_alarms, module_args([]), None)
    assert ok and not result["changed"] and result["alarms"] == [] and result["changed_alarms"] == []


@pytest.mark.parametrize(
    "alarms, message",
    [
        ([{"name": "a"}, {"name": "b"}, {"name": "a"}], "names must be distinct, repeated: a"),
        ([{"name": "a"}, {"name": "b", "period": 45}], "alarms[1] (b): period=45 must be 10, 30 or a multiple of 60"),
        ([{"name": "x" * 256}], "1-255 characters"),
        ([{"name": "a", "evaluation_periods": 2, "datapoints_to_alarm": 3}], "exceeds"),
        ([{"name": "a", "metrics": [{"id": "m1"}]}], "either expression or metric_stat"),
        ([{"name": "a", "statistic": "Sum", "extended_statistic": "p99"}], "mutually exclusive"),
        ([{"name": "a", "metric_name": "Errors", "metrics": [{"id": "m1", "expression": "1"}]}], "mutually exclusive"),
    ],
)
def test_main_refuses_invalid_alarms_before_any_call(run_module, alarms, message):
    ok, result = run_module(cloudwatch_metric_alarms, module_args(alarms), None)
    assert not ok
    assert message in result["msg"]
