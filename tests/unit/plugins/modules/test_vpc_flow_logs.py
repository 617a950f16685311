"""payments.infra.vpc_flow_logs: normalisation, matching and the create/no-op/replace/tag/absent decisions."""

import datetime

import pytest
from ansible_collections.payments.infra.plugins.module_utils.ec2 import PaymentsEC2Error
from ansible_collections.payments.infra.plugins.modules import vpc_flow_logs
from botocore.exceptions import ClientError

VPC = "vpc-0123456789abcdef0"
ROLE = "arn:aws:iam::123456789012:role/flow-logs"
OTHER_ROLE = "arn:aws:iam::123456789012:role/other"
GROUP = "/payments/flow-logs"
GROUP_ARN = f"arn:aws:logs:us-east-1:123456789012:log-group:{GROUP}"
BUCKET_ARN = "arn:aws:s3:::payments-flow-logs/vpc/"


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(vpc_flow_logs.time, "sleep", lambda seconds: None)


def params(**overrides):
    """Module parameters as AnsibleModule hands them over: every option present, unset ones None."""
    result = {
        "state": "present",
        "resource_type": "VPC",
        "resource_id": VPC,
        "traffic_type": "ALL",
        "log_destination_type": "cloud-watch-logs",
        "log_group_name": GROUP,
        "log_destination": None,
        "deliver_logs_permission_arn": ROLE,
        "max_aggregation_interval": None,
        "log_format": None,
        "tags": None,
        "purge_tags": True,
    }
    result.update(overrides)
    return result


def add_cwl_flow_log(fake, **overrides):
    attributes = {
        "ResourceId": VPC,
        "LogGroupName": GROUP,
        "LogDestination": GROUP_ARN,
        "DeliverLogsPermissionArn": ROLE,
        "MaxAggregationInterval": 60,
    }
    attributes.update(overrides)
    return fake.add_flow_log(**attributes)


def tag_list(tags):
    return [{"Key": key, "Value": value} for key, value in tags.items()]


# ---------------------------------------------------------------- normalisation


def test_normalize_flow_log_returns_every_key_in_snake_case():
    raw = {
        "FlowLogId": "fl-1",
        "CreationTime": datetime.datetime(2025, 1, 31, 12, tzinfo=datetime.UTC),
        "DeliverLogsPermissionArn": ROLE,
        "DeliverLogsStatus": "SUCCESS",
        "FlowLogStatus": "ACTIVE",
        "LogGroupName": GROUP,
        "ResourceId": VPC,
        "TrafficType": "ALL",
        "LogDestinationType": "cloud-watch-logs",
        "LogDestination": GROUP_ARN,
        "LogFormat": "${version}",
        "MaxAggregationInterval": 60,
        "Tags": [{"Key": "CamelKey", "Value": "v"}],
    }
    assert vpc_flow_logs.normalize_flow_log(raw) == {
        "flow_log_id": "fl-1",
        "resource_id": VPC,
        "traffic_type": "ALL",
        "log_destination_type": "cloud-watch-logs",
        "log_group_name": GROUP,
        "log_destination": GROUP_ARN,
        "deliver_logs_permission_arn": ROLE,
        "deliver_logs_status": "SUCCESS",
        "max_aggregation_interval": 60,
        "log_format": "${version}",
        "flow_log_status": "ACTIVE",
        "creation_time": "2025-01-31T12:00:00+00:00",
        "tags": {"CamelKey": "v"},
    }


def test_normalize_flow_log_fills_missing_keys_and_group_name_from_arn():
    normalized = vpc_flow_logs.normalize_flow_log(
        {"FlowLogId": "fl-1", "ResourceId": VPC, "LogDestinationType": "cloud-watch-logs", "LogDestination": GROUP_ARN}
    )
    assert set(normalized) == set(vpc_flow_logs.FLOW_LOG_KEYS)
    assert normalized["log_group_name"] == GROUP
    assert normalized["tags"] == {}
    assert normalized["log_format"] is None
    assert vpc_flow_logs.normalize_flow_log(None) is None


@pytest.mark.parametrize(
    "arn, name",
    [
        (GROUP_ARN, GROUP),
        (GROUP_ARN + ":*", GROUP),
        ("arn:aws:s3:::bucket", None),
        (None, None),
    ],
)
def test_log_group_name_from_arn(arn, name):
    assert vpc_flow_logs.log_group_name_from_arn(arn) == name


# ---------------------------------------------------------------- matching


def normalized(**attributes):
    base = {"FlowLogId": "fl-1", "ResourceId": VPC, "TrafficType": "ALL", "LogDestinationType": "cloud-watch-logs"}
    base.update(attributes)
    return vpc_flow_logs.normalize_flow_log(base)


def test_match_by_resource_group_and_traffic():
    flow_log = normalized(LogGroupName=GROUP)
    assert vpc_flow_logs.matches(flow_log, params())
    assert not vpc_flow_logs.matches(flow_log, params(resource_id="vpc-other"))
    assert not vpc_flow_logs.matches(flow_log, params(log_group_name="/other"))
    assert not vpc_flow_logs.matches(flow_log, params(traffic_type="REJECT"))


def test_match_cloudwatch_by_arn_or_name_whichever_aws_reports():
    by_arn = params(log_group_name=None, log_destination=GROUP_ARN)
    assert vpc_flow_logs.matches(normalized(LogGroupName=GROUP), by_arn)
    assert vpc_flow_logs.matches(normalized(LogDestination=GROUP_ARN + ":*"), params())


def test_match_s3_by_destination_and_type():
    flow_log = normalized(LogDestinationType="s3", LogDestination=BUCKET_ARN)
    s3 = params(log_destination_type="s3", log_group_name=None, log_destination=BUCKET_ARN)
    assert vpc_flow_logs.matches(flow_log, s3)
    assert not vpc_flow_logs.matches(flow_log, dict(s3, log_destination="arn:aws:s3:::other"))
    assert not vpc_flow_logs.matches(flow_log, dict(s3, log_destination_type="kinesis-data-firehose"))


def test_transit_gateway_match_ignores_traffic_type():
    flow_log = normalized(ResourceId="tgw-1", TrafficType=None, LogGroupName=GROUP)
    assert vpc_flow_logs.matches(flow_log, params(resource_type="TransitGateway", resource_id="tgw-1"))


def test_replacement_reasons_only_for_set_attributes():
    flow_log = normalized(
        LogGroupName=GROUP, MaxAggregationInterval=600, LogFormat="${a}", DeliverLogsPermissionArn=ROLE
    )
    assert vpc_flow_logs.replacement_reasons(flow_log, params(deliver_logs_permission_arn=None)) == []
    assert vpc_flow_logs.replacement_reasons(flow_log, params(max_aggregation_interval=600, log_format="${a}")) == []
    assert vpc_flow_logs.replacement_reasons(
        flow_log, params(max_aggregation_interval=60, log_format="${b}", deliver_logs_permission_arn=OTHER_ROLE)
    ) == ["max_aggregation_interval", "log_format", "deliver_logs_permission_arn"]


def test_find_flow_logs_filters_by_resource_and_matches(fake_ec2):
    wanted = add_cwl_flow_log(fake_ec2)
    add_cwl_flow_log(fake_ec2, TrafficType="REJECT")
    add_cwl_flow_log(fake_ec2, ResourceId="vpc-other")
    found = vpc_flow_logs.find_flow_logs(fake_ec2, params())
    assert [flow_log["flow_log_id"] for flow_log in found] == [wanted]
    assert fake_ec2.calls[0] == (
        "describe_flow_logs",
        {"FlowLogIds": None, "Filters": [{"Name": "resource-id", "Values": [VPC]}]},
    )


# ---------------------------------------------------------------- create


def test_create(fake_ec2):
    result = vpc_flow_logs.ensure_present(
        fake_ec2, params(max_aggregation_interval=60, tags={"Name": "fl", "n": 1}), check_mode=False
    )
    assert result["changed"] is True
    [(name, api_params)] = fake_ec2.mutating_calls()
    assert name == "create_flow_logs"
    assert api_params == {
        "ResourceIds": [VPC],
        "ResourceType": "VPC",
        "LogDestinationType": "cloud-watch-logs",
        "TrafficType": "ALL",
        "LogGroupName": GROUP,
        "DeliverLogsPermissionArn": ROLE,
        "MaxAggregationInterval": 60,
        "TagSpecifications": [
            {"ResourceType": "vpc-flow-log", "Tags": [{"Key": "Name", "Value": "fl"}, {"Key": "n", "Value": "1"}]}
        ],
    }
    flow_log = result["flow_log"]
    assert flow_log["flow_log_id"] in fake_ec2.flow_logs
    assert flow_log["tags"] == {"Name": "fl", "n": "1"}
    assert flow_log["max_aggregation_interval"] == 60
    assert result["diff"] == {"before": {}, "after": flow_log}


def test_create_sends_only_what_is_set(fake_ec2):
    vpc_flow_logs.ensure_present(fake_ec2, params(), check_mode=False)
    [(_name, api_params)] = fake_ec2.mutating_calls()
    assert "MaxAggregationInterval" not in api_params
    assert "LogFormat" not in api_params
    assert "TagSpecifications" not in api_params


def test_create_check_mode_changes_nothing(fake_ec2):
    result = vpc_flow_logs.ensure_present(fake_ec2, params(max_aggregation_interval=60, tags={"a": "b"}), True)
    assert result["changed"] is True
    assert fake_ec2.mutating_calls() == []
    assert result["flow_log"]["flow_log_id"] is None
    assert result["flow_log"]["max_aggregation_interval"] == 60
    assert result["flow_log"]["tags"] == {"a": "b"}
    assert set(result["flow_log"]) == set(vpc_flow_logs.FLOW_LOG_KEYS)
    assert result["diff"]["before"] == {}


def test_create_transit_gateway_sends_no_traffic_type(fake_ec2):
    result = vpc_flow_logs.ensure_present(
        fake_ec2,
        params(resource_type="TransitGateway", resource_id="tgw-1", max_aggregation_interval=60),
        check_mode=False,
    )
    [(_name, api_params)] = fake_ec2.mutating_calls()
    assert "TrafficType" not in api_params
    assert result["flow_log"]["traffic_type"] is None
    rerun = vpc_flow_logs.ensure_present(
        fake_ec2, params(resource_type="TransitGateway", resource_id="tgw-1", traffic_type="REJECT"), False
    )
    assert rerun["changed"] is False


def test_create_waits_until_the_flow_log_shows(fake_ec2, monkeypatch):
    real_describe = fake_ec2.describe_flow_logs
    hidden = {"reads": 2}

    def lagging_describe(FlowLogIds=None, Filters=None):
        if FlowLogIds and hidden["reads"]:
            hidden["reads"] -= 1
            return {"FlowLogs": []}
        return real_describe(FlowLogIds=FlowLogIds, Filters=Filters)

    monkeypatch.setattr(fake_ec2, "describe_flow_logs", lagging_describe)
    result = vpc_flow_logs.ensure_present(fake_ec2, params(), check_mode=False)
    assert result["flow_log"]["flow_log_id"] in fake_ec2.flow_logs
    assert hidden["reads"] == 0


def test_wait_times_out_with_an_error(fake_ec2, monkeypatch):
    monkeypatch.setattr(vpc_flow_logs, "WAIT_ATTEMPTS", 3)
    with pytest.raises(PaymentsEC2Error, match="fl-missing to exist"):
        vpc_flow_logs.wait_for_flow_log(fake_ec2, "fl-missing", lambda flow_log: flow_log is not None, "to exist")
    assert len(fake_ec2.calls) == 3


# ---------------------------------------------------------------- no-op


@pytest.mark.parametrize("check_mode", [False, True])
def test_no_change_when_everything_matches(fake_ec2, check_mode):
    flow_log_id = add_cwl_flow_log(fake_ec2, LogFormat="${version}", Tags=tag_list({"a": "b"}))
    result = vpc_flow_logs.ensure_present(
        fake_ec2, params(max_aggregation_interval=60, log_format="${version}", tags={"a": "b"}), check_mode
    )
    assert result["changed"] is False
    assert result["flow_log"]["flow_log_id"] == flow_log_id
    assert result["diff"]["before"] == result["diff"]["after"]
    assert fake_ec2.mutating_calls() == []


def test_unset_options_never_change_anything(fake_ec2):
    add_cwl_flow_log(fake_ec2, LogFormat="${custom}", Tags=tag_list({"keep": "me"}))
    result = vpc_flow_logs.ensure_present(fake_ec2, params(deliver_logs_permission_arn=None), check_mode=False)
    assert result["changed"] is False
    assert result["flow_log"]["tags"] == {"keep": "me"}
    assert fake_ec2.mutating_calls() == []


def test_an_other_traffic_type_is_another_flow_log(fake_ec2):
    add_cwl_flow_log(fake_ec2, TrafficType="REJECT")
    result = vpc_flow_logs.ensure_present(fake_ec2, params(), check_mode=False)
    assert result["changed"] is True
    assert len(fake_ec2.flow_logs) == 2


# ---------------------------------------------------------------- tags


def test_tag_only_update(fake_ec2):
    flow_log_id = add_cwl_flow_log(fake_ec2, Tags=tag_list({"a": "1", "b": "2", "aws:reserved": "x"}))
    result = vpc_flow_logs.ensure_present(fake_ec2, params(tags={"a": "9", "c": "3"}), check_mode=False)
    assert result["changed"] is True
    assert fake_ec2.mutating_calls() == [
        ("delete_tags", {"Resources": [flow_log_id], "Tags": [{"Key": "b"}]}),
        ("create_tags", {"Resources": [flow_log_id], "Tags": tag_list({"a": "9", "c": "3"})}),
    ]
    assert result["flow_log"]["flow_log_id"] == flow_log_id
    assert result["flow_log"]["tags"] == {"a": "9", "c": "3", "aws:reserved": "x"}
    assert result["diff"]["before"]["tags"] == {"a": "1", "b": "2", "aws:reserved": "x"}
    assert result["diff"]["after"]["tags"] == result["flow_log"]["tags"]


def test_tag_update_without_purge_only_adds(fake_ec2):
    flow_log_id = add_cwl_flow_log(fake_ec2, Tags=tag_list({"a": "1"}))
    result = vpc_flow_logs.ensure_present(fake_ec2, params(tags={"b": "2"}, purge_tags=False), check_mode=False)
    assert fake_ec2.mutating_calls() == [("create_tags", {"Resources": [flow_log_id], "Tags": tag_list({"b": "2"})})]
    assert result["flow_log"]["tags"] == {"a": "1", "b": "2"}


def test_tag_update_check_mode(fake_ec2):
    add_cwl_flow_log(fake_ec2, Tags=tag_list({"a": "1"}))
    result = vpc_flow_logs.ensure_present(fake_ec2, params(tags={}), check_mode=True)
    assert result["changed"] is True
    assert fake_ec2.mutating_calls() == []
    assert result["flow_log"]["tags"] == {}
    assert result["diff"]["before"]["tags"] == {"a": "1"}


def test_unset_tags_with_purge_leave_tags_alone(fake_ec2):
    add_cwl_flow_log(fake_ec2, Tags=tag_list({"a": "1"}))
    assert vpc_flow_logs.ensure_present(fake_ec2, params(purge_tags=True), check_mode=False)["changed"] is False
    assert fake_ec2.mutating_calls() == []


# ---------------------------------------------------------------- replace


def test_replace_creates_then_deletes_keeping_unset_attributes_and_tags(fake_ec2):
    old = add_cwl_flow_log(fake_ec2, LogFormat="${custom}", Tags=tag_list({"a": "1", "aws:reserved": "x"}))
    result = vpc_flow_logs.ensure_present(fake_ec2, params(max_aggregation_interval=600), check_mode=False)
    assert result["changed"] is True
    calls = fake_ec2.mutating_calls()
    assert [name for name, _params in calls] == ["create_flow_logs", "delete_flow_logs"]
    assert calls[0][1]["MaxAggregationInterval"] == 600
    assert calls[0][1]["LogFormat"] == "${custom}"
    assert calls[0][1]["DeliverLogsPermissionArn"] == ROLE
    assert calls[0][1]["TagSpecifications"] == [{"ResourceType": "vpc-flow-log", "Tags": tag_list({"a": "1"})}]
    assert calls[1][1] == {"FlowLogIds": [old]}
    new = result["flow_log"]
    assert new["flow_log_id"] != old
    assert list(fake_ec2.flow_logs) == [new["flow_log_id"]]
    assert new["max_aggregation_interval"] == 600
    assert result["diff"]["before"]["flow_log_id"] == old
    assert result["diff"]["after"]["flow_log_id"] == new["flow_log_id"]


def test_replace_applies_the_new_tags(fake_ec2):
    add_cwl_flow_log(fake_ec2, Tags=tag_list({"a": "1"}))
    result = vpc_flow_logs.ensure_present(
        fake_ec2, params(deliver_logs_permission_arn=OTHER_ROLE, tags={"b": "2"}), check_mode=False
    )
    assert result["flow_log"]["deliver_logs_permission_arn"] == OTHER_ROLE
    assert result["flow_log"]["tags"] == {"b": "2"}


def test_replace_deletes_first_where_the_overlap_is_refused(fake_ec2_factory):
    fake = fake_ec2_factory(reject_same_destination=True)
    old = add_cwl_flow_log(fake, LogDestination=None)  # as moto reports it: no log group ARN
    result = vpc_flow_logs.ensure_present(fake, params(log_format="${version} ${action}"), check_mode=False)
    calls = [name for name, _params in fake.mutating_calls()]
    assert calls == ["create_flow_logs", "delete_flow_logs", "create_flow_logs"]
    assert old not in fake.flow_logs
    assert result["flow_log"]["log_format"] == "${version} ${action}"


def test_replace_check_mode(fake_ec2):
    old = add_cwl_flow_log(fake_ec2)
    result = vpc_flow_logs.ensure_present(fake_ec2, params(max_aggregation_interval=600), check_mode=True)
    assert result["changed"] is True
    assert fake_ec2.mutating_calls() == []
    assert result["diff"]["before"]["max_aggregation_interval"] == 60
    assert result["diff"]["after"]["max_aggregation_interval"] == 600
    assert result["flow_log"]["flow_log_id"] is None
    assert list(fake_ec2.flow_logs) == [old]


def test_duplicates_keep_the_one_that_needs_no_replacement(fake_ec2):
    add_cwl_flow_log(fake_ec2, MaxAggregationInterval=600)
    keep = add_cwl_flow_log(fake_ec2, MaxAggregationInterval=60)
    result = vpc_flow_logs.ensure_present(fake_ec2, params(max_aggregation_interval=60), check_mode=False)
    assert result["changed"] is False
    assert result["flow_log"]["flow_log_id"] == keep


# ---------------------------------------------------------------- absent


def test_absent_deletes_matching_flow_logs_only(fake_ec2):
    doomed = add_cwl_flow_log(fake_ec2)
    other = add_cwl_flow_log(fake_ec2, TrafficType="REJECT")
    result = vpc_flow_logs.ensure_absent(fake_ec2, params(state="absent"), check_mode=False)
    assert result["changed"] is True
    assert result["flow_log_ids"] == [doomed]
    assert list(fake_ec2.flow_logs) == [other]
    assert result["diff"]["before"]["flow_log_id"] == doomed
    assert result["diff"]["after"] == {}


def test_absent_deletes_every_duplicate(fake_ec2):
    first = add_cwl_flow_log(fake_ec2, MaxAggregationInterval=600)
    second = add_cwl_flow_log(fake_ec2)
    result = vpc_flow_logs.ensure_absent(fake_ec2, params(state="absent"), check_mode=False)
    assert result["flow_log_ids"] == [first, second]
    assert fake_ec2.flow_logs == {}
    assert sorted(result["diff"]["before"]) == [first, second]


def test_absent_check_mode(fake_ec2):
    doomed = add_cwl_flow_log(fake_ec2)
    result = vpc_flow_logs.ensure_absent(fake_ec2, params(state="absent"), check_mode=True)
    assert result["changed"] is True
    assert result["flow_log_ids"] == [doomed]
    assert fake_ec2.mutating_calls() == []


def test_absent_when_missing(fake_ec2):
    result = vpc_flow_logs.ensure_absent(fake_ec2, params(state="absent"), check_mode=False)
    assert result == {"changed": False, "flow_log_ids": [], "diff": {"before": {}, "after": {}}}


def test_absent_tolerates_a_flow_log_deleted_meanwhile(fake_ec2_factory, monkeypatch):
    fake = fake_ec2_factory(missing_delete_raises=True)
    doomed = add_cwl_flow_log(fake)
    real_delete = fake.delete_flow_logs

    def racing_delete(FlowLogIds):
        del fake.flow_logs[doomed]
        return real_delete(FlowLogIds=FlowLogIds)

    monkeypatch.setattr(fake, "delete_flow_logs", racing_delete)
    assert vpc_flow_logs.ensure_absent(fake, params(state="absent"), check_mode=False)["changed"] is True


# ---------------------------------------------------------------- main()


def test_main_present_with_diff(run_module, fake_ec2):
    ok, result = run_module(
        vpc_flow_logs,
        {"resource_id": VPC, "log_group_name": GROUP, "deliver_logs_permission_arn": ROLE, "_ansible_diff": True},
        fake_ec2,
    )
    assert ok, result
    assert result["changed"] is True
    assert result["flow_log"]["flow_log_id"] in fake_ec2.flow_logs
    assert result["diff"]["after"]["flow_log_id"] == result["flow_log"]["flow_log_id"]


def test_main_check_mode_without_diff(run_module, fake_ec2):
    ok, result = run_module(
        vpc_flow_logs,
        {"resource_id": VPC, "log_group_name": GROUP, "deliver_logs_permission_arn": ROLE, "_ansible_check_mode": True},
        fake_ec2,
    )
    assert ok, result
    assert result["changed"] is True
    assert "diff" not in result
    assert fake_ec2.flow_logs == {}


def test_main_absent_needs_no_role(run_module, fake_ec2):
    add_cwl_flow_log(fake_ec2)
    ok, result = run_module(vpc_flow_logs, {"state": "absent", "resource_id": VPC, "log_group_name": GROUP}, fake_ec2)
    assert ok, result
    assert result["changed"] is True
    assert fake_ec2.flow_logs == {}


@pytest.mark.parametrize(
    "args, message",
    [
        ({"log_group_name": GROUP}, "deliver_logs_permission_arn is required"),
        ({"log_destination_type": "s3", "log_group_name": GROUP, "log_destination": BUCKET_ARN}, "mutually exclusive"),
        ({"log_destination_type": "s3", "log_group_name": GROUP}, "missing: log_destination"),
        ({"log_destination_type": "s3"}, "one of the following is required"),
        (
            {"log_destination_type": "s3", "log_destination": BUCKET_ARN, "deliver_logs_permission_arn": ROLE},
            "cannot be used with log_destination_type=s3",
        ),
        ({"log_group_name": GROUP, "deliver_logs_permission_arn": ROLE, "max_aggregation_interval": 30}, "60, 600"),
    ],
)
def test_main_rejects_invalid_arguments(run_module, fake_ec2, args, message):
    ok, result = run_module(vpc_flow_logs, dict(args, resource_id=VPC), fake_ec2)
    assert not ok
    assert message in result["msg"]
    assert fake_ec2.calls == []


def test_main_reports_aws_errors(run_module, fake_ec2, monkeypatch):
    def denied(**params):
        raise ClientError({"Error": {"Code": "UnauthorizedOperation", "Message": "not allowed"}}, "DescribeFlowLogs")

    monkeypatch.setattr(fake_ec2, "describe_flow_logs", denied)
    ok, result = run_module(
        vpc_flow_logs, {"resource_id": VPC, "log_group_name": GROUP, "deliver_logs_permission_arn": ROLE}, fake_ec2
    )
    assert not ok
    assert result["msg"].startswith("Failed to describe flow logs: ")
    assert result["msg"].endswith("(UnauthorizedOperation) when calling the DescribeFlowLogs operation: not allowed")
    assert result["error"]["code"] == "UnauthorizedOperation"
