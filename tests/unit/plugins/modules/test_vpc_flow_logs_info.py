"""payments.infra.vpc_flow_logs_info: read-only, normalised like vpc_flow_logs, filtered by resource or ID."""

import datetime

from ansible_collections.payments.infra.plugins.modules import vpc_flow_logs_info
from botocore.exceptions import ClientError

VPC = "vpc-0123456789abcdef0"
OTHER_VPC = "vpc-0fedcba9876543210"
ROLE = "arn:aws:iam::123456789012:role/flow-logs"
GROUP = "/payments/flow-logs"
GROUP_ARN = f"arn:aws:logs:us-east-1:123456789012:log-group:{GROUP}"
KEYS = [
    "creation_time",
    "deliver_logs_permission_arn",
    "deliver_logs_status",
    "flow_log_id",
    "flow_log_status",
    "log_destination",
    "log_destination_type",
    "log_format",
    "log_group_name",
    "max_aggregation_interval",
    "resource_id",
    "tags",
    "traffic_type",
]


def add(fake_ec2, resource_id=VPC, **attributes):
    values = {
        "ResourceId": resource_id,
        "LogGroupName": GROUP,
        "LogDestination": GROUP_ARN,
        "DeliverLogsPermissionArn": ROLE,
        "Tags": [{"Key": "Environment", "Value": "test"}],
    }
    values.update(attributes)
    return fake_ec2.add_flow_log(**values)


def test_reads_the_flow_logs_of_a_resource(run_module, fake_ec2):
    flow_log_id = add(fake_ec2)
    add(fake_ec2, resource_id=OTHER_VPC)
    ok, result = run_module(vpc_flow_logs_info, {"resource_ids": [VPC]}, fake_ec2)
    assert ok, result
    assert result["changed"] is False
    assert len(result["flow_logs"]) == 1
    flow_log = result["flow_logs"][0]
    assert sorted(flow_log) == KEYS
    assert flow_log["flow_log_id"] == flow_log_id
    assert flow_log["resource_id"] == VPC
    assert flow_log["traffic_type"] == "ALL"
    assert flow_log["log_group_name"] == GROUP
    assert flow_log["flow_log_status"] == "ACTIVE"
    assert flow_log["tags"] == {"Environment": "test"}
    datetime.datetime.fromisoformat(flow_log["creation_time"])
    assert fake_ec2.calls == [
        ("describe_flow_logs", {"FlowLogIds": None, "Filters": [{"Name": "resource-id", "Values": [VPC]}]})
    ]
    assert fake_ec2.mutating_calls() == []


def test_reads_by_id_in_check_mode(run_module, fake_ec2):
    add(fake_ec2)
    wanted = add(fake_ec2, resource_id=OTHER_VPC)
    ok, result = run_module(vpc_flow_logs_info, {"flow_log_ids": [wanted], "_ansible_check_mode": True}, fake_ec2)
    assert ok, result
    assert [f["flow_log_id"] for f in result["flow_logs"]] == [wanted]
    assert fake_ec2.mutating_calls() == []


def test_without_filters_every_flow_log_sorted_by_resource(run_module, fake_ec2):
    second = add(fake_ec2, resource_id=OTHER_VPC)
    first = add(fake_ec2)
    ok, result = run_module(vpc_flow_logs_info, {}, fake_ec2)
    assert ok, result
    assert [f["flow_log_id"] for f in result["flow_logs"]] == [first, second]
    assert fake_ec2.calls == [("describe_flow_logs", {"FlowLogIds": None, "Filters": None})]


def test_no_flow_log_is_an_empty_list(run_module, fake_ec2):
    ok, result = run_module(vpc_flow_logs_info, {"resource_ids": [VPC]}, fake_ec2)
    assert ok, result
    assert result == {"changed": False, "flow_logs": []}


def test_log_group_name_taken_from_the_destination_arn(run_module, fake_ec2):
    add(fake_ec2, LogGroupName=None, LogDestination=GROUP_ARN + ":*")
    ok, result = run_module(vpc_flow_logs_info, {"resource_ids": [VPC]}, fake_ec2)
    assert ok, result
    assert result["flow_logs"][0]["log_group_name"] == GROUP


def test_s3_flow_log_has_no_log_group(run_module, fake_ec2):
    add(fake_ec2, LogDestinationType="s3", LogGroupName=None, LogDestination="arn:aws:s3:::bucket/vpc/")
    ok, result = run_module(vpc_flow_logs_info, {"resource_ids": [VPC]}, fake_ec2)
    assert ok, result
    assert result["flow_logs"][0]["log_group_name"] is None
    assert result["flow_logs"][0]["log_destination"] == "arn:aws:s3:::bucket/vpc/"


def test_aws_errors_fail_the_module(run_module, fake_ec2, monkeypatch):
    def denied(**params):
        raise ClientError({"Error": {"Code": "UnauthorizedOperation", "Message": "not allowed"}}, "DescribeFlowLogs")

    monkeypatch.setattr(fake_ec2, "describe_flow_logs", denied)
    ok, result = run_module(vpc_flow_logs_info, {"resource_ids": [VPC]}, fake_ec2)
    assert not ok
    assert "describe flow logs" in result["msg"]
