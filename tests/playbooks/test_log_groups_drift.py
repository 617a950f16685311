"""Drift of the functions' log groups on a converged account (issue #8, compare-first).

The network tier reads the stack's log groups once for the play (payments.infra.cloudwatchlogs_log_groups_info, the
fact network_log_groups_found); the lambda tier compares its four log groups with that read
(payments.infra.cloudwatchlogs_log_group_differences) and calls payments.infra.cloudwatchlogs_log_groups only with
the groups that differ. Run alone (--tags lambda) it reads its own groups. This test is the witness that the
comparison still sees a change made by hand: a retention, a removed KMS key and a removed tag on three different
groups. --check reports it and writes nothing; the rerun corrects exactly that; the next rerun changes nothing.
"""

import boto3
import pytest
from test_tag_drift import run, writes

pytestmark = [pytest.mark.slow, pytest.mark.emulator]

ENV = "local"
TIERS = ("--tags", "network,secrets,dynamodb,storage,lambda")
PREFIX = "/aws/lambda/payment-"


def groups(logs):
    found = logs.describe_log_groups(logGroupNamePrefix=PREFIX)["logGroups"]
    return {
        group["logGroupName"]: dict(group, tags=logs.list_tags_for_resource(resourceArn=group["logGroupArn"])["tags"])
        for group in found
        if group["logGroupName"].endswith("-" + ENV)
    }


def test_function_log_group_drift_is_corrected(playbook, monkeypatch, record_property):
    for key, value in playbook.emulator.aws_env().items():
        monkeypatch.setenv(key, value)
    run(playbook, *TIERS)

    changed, noop = run(playbook, *TIERS)
    assert changed == 0 and not writes(noop), writes(noop)
    # One read for the play: the flow log group by name, the functions' groups by prefix; a tag read per group.
    assert noop.get("logs:DescribeLogGroups") == 2, noop
    assert noop.get("logs:ListTagsForResource") == 5, noop

    changed, alone = run(playbook, "--tags", "lambda")
    assert changed == 0 and not writes(alone), writes(alone)
    # The lambda tier alone reads its own groups: one DescribeLogGroups, a tag read per group.
    assert alone.get("logs:DescribeLogGroups") == 1 and alone.get("logs:ListTagsForResource") == 4, alone

    logs = boto3.client("logs", region_name="us-east-1")
    converged = groups(logs)
    assert len(converged) == 4
    first, second, third, _fourth = sorted(converged)
    assert {group["retentionInDays"] for group in converged.values()} == {converged[first]["retentionInDays"]}
    logs.put_retention_policy(logGroupName=first, retentionInDays=1)
    logs.disassociate_kms_key(logGroupName=second)
    logs.untag_resource(resourceArn=converged[third]["logGroupArn"], tagKeys=["Component"])

    changed, check = run(playbook, *TIERS, "--check", "--diff")
    assert changed == 1, check  # the one log group task
    assert not writes(check), writes(check)

    changed, fixed = run(playbook, *TIERS)
    assert changed == 1
    corrections = writes(fixed)
    assert corrections == {
        "logs:PutRetentionPolicy": 1,
        "logs:AssociateKmsKey": 1,
        "logs:TagResource": 1,
    }, corrections
    assert groups(logs) == converged

    changed, again = run(playbook, *TIERS)
    assert changed == 0 and not writes(again), writes(again)

    record_property(
        "figure",
        f"log groups drift: no-op {TIERS[1]} DescribeLogGroups {noop['logs:DescribeLogGroups']} + "
        f"ListTagsForResource {noop['logs:ListTagsForResource']} (lambda alone: {alone['logs:DescribeLogGroups']} + "
        f"{alone['logs:ListTagsForResource']}); drift of a retention, a key and a tag on 3 function groups: --check "
        f"changed=1 with 0 writes, rerun changed=1 with {sum(corrections.values())} writes, next rerun changed=0",
    )
