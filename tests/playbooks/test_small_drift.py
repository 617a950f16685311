"""Drift of the network tier's flow log group and flow log, and of the group's KMS key, on a converged account:
--check reports exactly that with no write, a rerun corrects exactly that, and the rerun after it changes nothing.

The network tier reads its flow logs with the tier's one read (payments.infra.ec2_vpc_resources_info, resources
flow_logs) and the flow log group once (payments.infra.cloudwatchlogs_log_groups_info); it runs
payments.infra.cloudwatchlogs_log_groups and payments.infra.vpc_flow_logs only for what is missing or differs
(compare-first, tasks/flow_logs.yml). The secrets tier associates its logs key with the group from the network
tier's read (network_outputs.flow_log_group_kms_key_id) and takes the account id from the network preflight
(network_account) instead of amazon.aws.aws_caller_info. This test is the witness that those comparisons still see a
change made by hand. The drift is made with boto3; what the runs send is read from the emulator's request log.
"""

import boto3
import pytest
from test_tag_drift import run, writes

pytestmark = [pytest.mark.slow, pytest.mark.emulator]

ENV = "local"
TIERS = ("--tags", "network,secrets")
GROUP = f"/aws/vpc/flow-logs/payment-vpc-{ENV}"


def flow_log(ec2):
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [f"payment-vpc-{ENV}"]}])["Vpcs"]
    found = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpcs[0]["VpcId"]]}])["FlowLogs"]
    assert len(found) == 1, found
    return found[0]


def group(logs):
    found = [g for g in logs.describe_log_groups(logGroupNamePrefix=GROUP)["logGroups"] if g["logGroupName"] == GROUP]
    assert len(found) == 1, found
    return found[0], logs.list_tags_log_group(logGroupName=GROUP)["tags"]


def test_check_mode_on_an_empty_account_writes_nothing(playbook, monkeypatch):
    for key, value in playbook.emulator.aws_env().items():
        monkeypatch.setenv(key, value)
    changed, check = run(playbook, *TIERS, "--check")
    assert changed > 0
    assert not writes(check), writes(check)


def test_flow_log_group_flow_log_and_key_drift_is_corrected(playbook, monkeypatch, record_property):
    for key, value in playbook.emulator.aws_env().items():
        monkeypatch.setenv(key, value)
    run(playbook, *TIERS)

    changed, noop = run(playbook, *TIERS)
    assert changed == 0 and not writes(noop), writes(noop)
    # One read of the group (the network tier's, shared with the secrets tier), the flow logs with the tier's read,
    # the account with the preflight's (no aws_caller_info: no iam:ListAccountAliases).
    assert noop.get("logs:DescribeLogGroups") == 1, noop
    assert noop.get("ec2:DescribeFlowLogs") == 1, noop
    assert noop.get("sts:GetCallerIdentity") == 1, noop
    assert "iam:ListAccountAliases" not in noop, noop

    ec2 = boto3.client("ec2", region_name="us-east-1")
    logs = boto3.client("logs", region_name="us-east-1")
    converged_log = flow_log(ec2)
    log_tags = {tag["Key"]: tag["Value"] for tag in converged_log["Tags"]}
    converged_group, group_tags = group(logs)
    assert converged_group["kmsKeyId"].startswith("arn:") and group_tags["Component"] == "flow-logs"
    retention = converged_group["retentionInDays"]
    # Drift 1: the group's retention and one of its tags changed by hand.
    logs.put_retention_policy(logGroupName=GROUP, retentionInDays=1 if retention != 1 else 3)
    logs.untag_log_group(logGroupName=GROUP, tags=["Component"])
    # Drift 2: a tag removed from the flow log.
    ec2.delete_tags(Resources=[converged_log["FlowLogId"]], Tags=[{"Key": "Component"}])
    # Drift 3: the logs key taken off the group.
    logs.disassociate_kms_key(logGroupName=GROUP)

    changed, check = run(playbook, *TIERS, "--check", "--diff")
    # The group's check-mode report, the flow log task and the key association task.
    assert changed == 3, check
    assert not writes(check), writes(check)

    changed, fixed = run(playbook, *TIERS)
    assert changed == 3
    corrections = writes(fixed)
    # The retention, the group's tag, the flow log's tag and the key set again: nothing else.
    assert corrections == {
        "logs:PutRetentionPolicy": 1,
        "logs:TagResource": 1,
        "ec2:CreateTags": 1,
        "logs:AssociateKmsKey": 1,
    }, corrections
    fixed_group, fixed_tags = group(logs)
    assert fixed_group["retentionInDays"] == retention
    assert fixed_group["kmsKeyId"] == converged_group["kmsKeyId"]
    assert fixed_tags == group_tags
    fixed_log = flow_log(ec2)
    assert fixed_log["FlowLogId"] == converged_log["FlowLogId"]  # corrected in place, not replaced
    assert {tag["Key"]: tag["Value"] for tag in fixed_log["Tags"]} == log_tags

    changed, again = run(playbook, *TIERS)
    assert changed == 0 and not writes(again), writes(again)

    record_property(
        "figure",
        f"small drift (flow log group, flow log, logs key): no-op --tags network,secrets {sum(noop.values())} "
        f"requests (DescribeLogGroups {noop['logs:DescribeLogGroups']}, "
        f"DescribeFlowLogs {noop['ec2:DescribeFlowLogs']}, GetCallerIdentity {noop['sts:GetCallerIdentity']}); "
        f"drift of the group's retention + tag, the flow log's "
        f"tag and the group's key: --check changed=3 with 0 writes, rerun changed=3 with "
        f"{sum(corrections.values())} writes ({', '.join(sorted(corrections))}), next rerun changed=0",
    )
