"""payments.infra.cloudwatch_metric_alarm: comparison and the create/no-op/update/delete decisions, against a fake
CloudWatch client shaped like the AWS answers."""

import copy

import pytest
from ansible_collections.payments.infra.plugins.module_utils import cloudwatch_alarms
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch_alarms import PaymentsCloudWatchAlarmError
from ansible_collections.payments.infra.plugins.modules import cloudwatch_metric_alarm
from aws_fakes import client_error

ACCOUNT = "123456789012"
REGION = "us-east-1"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:system-errors-test"
OTHER_TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:failed-transactions-test"
NAME = "payment-test-api-p99-latency"
MUTATING = ("put_metric_alarm", "delete_alarms", "tag_resource", "untag_resource")


class FakeCloudWatch:
    """An in-memory CloudWatch alarm client. Like AWS, DescribeAlarms omits unset optional fields, lists
    dimensions in the order they were put, and answers TreatMissingData only when it was set."""

    def __init__(self):
        self.alarms = {}
        self.tags = {}
        self.calls = []

    def mutating_calls(self):
        return [name for name, _params in self.calls if name in MUTATING]

    def _arn(self, name):
        return f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}"

    def describe_alarms(self, AlarmNames, AlarmTypes):
        self.calls.append(("describe_alarms", {"AlarmNames": AlarmNames}))
        assert AlarmTypes == ["MetricAlarm"]
        return {"MetricAlarms": [copy.deepcopy(self.alarms[name]) for name in AlarmNames if name in self.alarms]}

    def put_metric_alarm(self, **request):
        self.calls.append(("put_metric_alarm", copy.deepcopy(request)))
        tags = request.pop("Tags", None)
        name = request["AlarmName"]
        alarm = {key: value for key, value in request.items() if value not in (None, [])}
        alarm.setdefault("ActionsEnabled", True)
        for key in ("AlarmActions", "OKActions", "InsufficientDataActions"):
            alarm.setdefault(key, [])
        alarm.update(AlarmArn=self._arn(name), StateValue="INSUFFICIENT_DATA")
        if "Metrics" not in alarm:
            alarm.setdefault("Dimensions", [])
        self.alarms[name] = alarm
        if tags and self._arn(name) not in self.tags:
            self.tags[self._arn(name)] = {tag["Key"]: tag["Value"] for tag in tags}

    def delete_alarms(self, AlarmNames):
        self.calls.append(("delete_alarms", {"AlarmNames": AlarmNames}))
        for name in AlarmNames:
            self.alarms.pop(name, None)

    def list_tags_for_resource(self, ResourceARN):
        return {"Tags": [{"Key": key, "Value": value} for key, value in self.tags.get(ResourceARN, {}).items()]}

    def tag_resource(self, ResourceARN, Tags):
        self.calls.append(("tag_resource", {"Tags": Tags}))
        self.tags.setdefault(ResourceARN, {}).update({tag["Key"]: tag["Value"] for tag in Tags})

    def untag_resource(self, ResourceARN, TagKeys):
        self.calls.append(("untag_resource", {"TagKeys": TagKeys}))
        for key in TagKeys:
            self.tags.get(ResourceARN, {}).pop(key, None)


@pytest.fixture
def fake():
    return FakeCloudWatch()


# Every option of one alarm at the value Ansible gives it when the task leaves it out, from the argument spec
# the modules share.
UNSET = {
    key: spec.get("default")
    for key, spec in cloudwatch_alarms.alarm_argument_spec().items()
    if key not in ("name", "state")
}


def params(**overrides):
    base = dict(
        UNSET,
        name=NAME,
        state="present",
        description="p99 latency above 1 s",
        alarm_actions=[TOPIC],
        ok_actions=[TOPIC],
        comparison_operator="GreaterThanThreshold",
        threshold=1000.0,
        evaluation_periods=5,
        datapoints_to_alarm=3,
        treat_missing_data="ignore",
        namespace="AWS/ApiGateway",
        metric_name="IntegrationLatency",
        dimensions={"ApiId": "abc123", "Stage": "$default"},
        extended_statistic="p99",
        period=60,
        tags={"Environment": "test"},
    )
    base.update(overrides)
    return base


def math_params(**overrides):
    metric = {
        "metric": {
            "namespace": "AWS/DynamoDB",
            "metric_name": "ThrottledRequests",
            "dimensions": {"TableName": "transactions-test", "Operation": "PutItem"},
        },
        "period": 60,
        "stat": "Sum",
        "unit": None,
    }
    queries = [
        {
            "id": "total",
            "expression": "SUM(METRICS())",
            "label": "throttled",
            "return_data": True,
            "period": None,
            "account_id": None,
            "metric_stat": None,
        },
        {
            "id": "op1",
            "expression": None,
            "label": "PutItem",
            "return_data": False,
            "period": None,
            "account_id": None,
            "metric_stat": metric,
        },
    ]
    base = dict(
        UNSET,
        name="payment-test-dynamodb-throttled-requests",
        state="present",
        comparison_operator="GreaterThanThreshold",
        threshold=0.0,
        evaluation_periods=1,
        treat_missing_data="notBreaching",
        alarm_actions=[TOPIC],
        metrics=queries,
    )
    base.update(overrides)
    return base


def present(fake, check_mode=False, **overrides):
    return cloudwatch_metric_alarm.ensure_present(fake, params(**overrides), check_mode)


def test_check_mode_plans_the_creation_and_calls_nothing(fake):
    changed, alarm, diff = present(fake, check_mode=True)
    assert changed
    assert fake.mutating_calls() == []
    assert alarm["arn"] is None
    assert alarm["extended_statistic"] == "p99" and alarm["statistic"] is None
    assert alarm["tags"] == {"Environment": "test"}
    assert diff["before"] == {}


def test_create_then_rerun_changes_nothing(fake):
    changed, alarm, _diff = present(fake)
    assert changed
    assert fake.mutating_calls() == ["put_metric_alarm"]
    put = [p for n, p in fake.calls if n == "put_metric_alarm"][0]
    assert put["Tags"] == [{"Key": "Environment", "Value": "test"}]
    assert alarm["arn"].endswith(":alarm:" + NAME)
    assert alarm["dimensions"] == {"ApiId": "abc123", "Stage": "$default"}
    assert alarm["threshold"] == 1000.0
    assert alarm["tags"] == {"Environment": "test"}
    fake.calls.clear()
    changed, again, diff = present(fake)
    assert not changed
    assert fake.mutating_calls() == []
    assert again == alarm and diff["before"] == diff["after"]
    assert not present(fake, check_mode=True)[0]


def test_dimension_and_action_order_do_not_matter(fake):
    present(fake)
    fake.alarms[NAME]["Dimensions"].reverse()
    changed, _alarm, _diff = present(fake, dimensions={"Stage": "$default", "ApiId": "abc123"})
    assert not changed
    changed, _alarm, _diff = present(fake, alarm_actions=[TOPIC, TOPIC])
    assert not changed


def test_unset_options_keep_their_value(fake):
    present(fake)
    fake.calls.clear()
    changed, alarm, _diff = cloudwatch_metric_alarm.ensure_present(fake, dict(UNSET, name=NAME, state="present"), False)
    assert not changed
    assert alarm["datapoints_to_alarm"] == 3


def test_a_changed_setting_puts_the_whole_alarm_again(fake):
    present(fake)
    fake.calls.clear()
    changed, alarm, diff = cloudwatch_metric_alarm.ensure_present(
        fake, dict(UNSET, name=NAME, state="present", threshold=2000), False
    )
    assert changed
    put = [p for n, p in fake.calls if n == "put_metric_alarm"]
    assert len(put) == 1
    # Options that were not set are sent with their current value (PutMetricAlarm replaces the whole alarm).
    assert put[0]["ExtendedStatistic"] == "p99" and put[0]["DatapointsToAlarm"] == 3
    assert put[0]["AlarmActions"] == [TOPIC]
    assert alarm["threshold"] == 2000.0
    assert diff["before"]["threshold"] == 1000.0 and diff["after"]["threshold"] == 2000.0


def test_statistic_replaces_extended_statistic(fake):
    present(fake)
    changed, alarm, _diff = present(fake, extended_statistic=None, statistic="Average")
    assert changed
    assert alarm["statistic"] == "Average" and alarm["extended_statistic"] is None
    assert "ExtendedStatistic" not in fake.alarms[NAME]


def test_check_mode_update_plans_without_calls(fake):
    present(fake)
    fake.calls.clear()
    changed, alarm, diff = present(fake, check_mode=True, threshold=5.0, tags={"Environment": "prod"})
    assert changed
    assert fake.mutating_calls() == []
    assert alarm["threshold"] == 5.0 and alarm["tags"] == {"Environment": "prod"}
    assert diff["before"]["threshold"] == 1000.0


def test_tags_set_and_purged_without_reputting_the_alarm(fake):
    present(fake)
    fake.calls.clear()
    changed, alarm, _diff = present(fake, tags={"Team": "payments"})
    assert changed
    assert sorted(fake.mutating_calls()) == ["tag_resource", "untag_resource"]
    assert alarm["tags"] == {"Team": "payments"}
    fake.calls.clear()
    changed, _alarm, _diff = present(fake, tags=None)
    assert not changed


def test_metric_math_alarm_is_idempotent(fake):
    changed, alarm, _diff = cloudwatch_metric_alarm.ensure_present(fake, math_params(), False)
    assert changed
    put = [p for n, p in fake.calls if n == "put_metric_alarm"][0]
    assert "MetricName" not in put and "Period" not in put
    assert put["Metrics"][1]["MetricStat"]["Metric"]["Dimensions"] == [
        {"Name": "TableName", "Value": "transactions-test"},
        {"Name": "Operation", "Value": "PutItem"},
    ]
    assert alarm["metrics"][1]["metric_stat"]["metric"]["dimensions"]["Operation"] == "PutItem"
    fake.calls.clear()
    changed, again, _diff = cloudwatch_metric_alarm.ensure_present(fake, math_params(), False)
    assert not changed and again == alarm
    assert fake.mutating_calls() == []


def test_metric_math_query_change_is_a_change(fake):
    cloudwatch_metric_alarm.ensure_present(fake, math_params(), False)
    changed_params = math_params()
    changed_params["metrics"][1]["metric_stat"]["metric"]["dimensions"]["Operation"] = "UpdateItem"
    changed, alarm, _diff = cloudwatch_metric_alarm.ensure_present(fake, changed_params, False)
    assert changed
    assert alarm["metrics"][1]["metric_stat"]["metric"]["dimensions"]["Operation"] == "UpdateItem"


def test_single_metric_replaces_metrics(fake):
    cloudwatch_metric_alarm.ensure_present(fake, math_params(name=NAME), False)
    changed, alarm, _diff = present(fake)
    assert changed
    assert alarm["metrics"] == [] and alarm["metric_name"] == "IntegrationLatency"
    assert "Metrics" not in fake.alarms[NAME]


def test_creation_without_the_required_options_fails_clearly(fake):
    with pytest.raises(PaymentsCloudWatchAlarmError, match="comparison_operator, threshold"):
        cloudwatch_metric_alarm.ensure_present(fake, dict(UNSET, name=NAME, state="present", metric_name="x"), False)
    assert fake.mutating_calls() == []


def test_absent_deletes_once(fake):
    present(fake)
    changed, alarm, diff = cloudwatch_metric_alarm.ensure_absent(fake, {"name": NAME}, False)
    assert changed and alarm == {} and diff["after"] == {}
    assert NAME not in fake.alarms
    assert cloudwatch_metric_alarm.ensure_absent(fake, {"name": NAME}, False)[0] is False


def test_treat_missing_data_unset_in_aws_reads_as_missing():
    alarm = cloudwatch_alarms.normalize_alarm({"AlarmName": "a", "AlarmArn": "arn", "Dimensions": []})
    assert alarm["treat_missing_data"] == "missing"
    assert alarm["alarm_actions"] == [] and alarm["metrics"] == []


def test_errors_become_the_one_error_class(fake, monkeypatch):
    def denied(**_kwargs):
        raise client_error("AccessDenied", "PutMetricAlarm")

    monkeypatch.setattr(fake, "put_metric_alarm", denied)
    with pytest.raises(PaymentsCloudWatchAlarmError, match="put metric alarm"):
        present(fake)


@pytest.mark.parametrize(
    "args, message",
    [
        ({"name": "x" * 256}, "1-255 characters"),
        ({"name": "a", "period": 45}, "multiple of 60"),
        ({"name": "a", "evaluation_periods": 2, "datapoints_to_alarm": 3}, "exceeds"),
        ({"name": "a", "evaluation_periods": 0}, "1 or more"),
        (
            {"name": "a", "metrics": [{"id": "m1", "expression": "m1"}, {"id": "m2", "expression": "m1"}]},
            "exactly one query",
        ),
        ({"name": "a", "metrics": [{"id": "Bad", "expression": "1"}]}, "lowercase"),
        ({"name": "a", "metrics": [{"id": "m1"}]}, "either expression or metric_stat"),
    ],
)
def test_main_refuses_invalid_arguments(run_module, fake, args, message):
    ok, result = run_module(cloudwatch_metric_alarm, dict(args, region=REGION), fake)
    assert not ok
    assert message in result["msg"]
    assert fake.calls == []


def test_main_returns_alarm_and_diff(run_module, fake):
    args = {
        "name": NAME,
        "region": REGION,
        "namespace": "AWS/Lambda",
        "metric_name": "Errors",
        "dimensions": {"FunctionName": "payment-validation-test"},
        "statistic": "Sum",
        "period": 60,
        "comparison_operator": "GreaterThanThreshold",
        "threshold": 0,
        "evaluation_periods": 1,
        "treat_missing_data": "notBreaching",
        "alarm_actions": [OTHER_TOPIC],
        "_ansible_diff": True,
    }
    ok, result = run_module(cloudwatch_metric_alarm, args, fake)
    assert ok and result["changed"]
    assert result["alarm"]["alarm_actions"] == [OTHER_TOPIC]
    assert result["diff"]["before"] == {}
    ok, result = run_module(cloudwatch_metric_alarm, dict(args, _ansible_diff=False), fake)
    assert ok and not result["changed"]
