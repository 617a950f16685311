"""Drift of the alarms and of a parameter's tags on a converged account: a rerun of the monitoring and parameters tiers
corrects exactly that drift, and the rerun after it changes nothing.

Both tiers read their resources' tags in one Resource Groups Tagging API GetResources (the alarms through
payments.infra.cloudwatch_metric_alarms, the parameters through payments.infra.ssm_parameters), instead of one
ListTagsForResource per resource: this test is the witness that a tag read in bulk still sees a tag changed by hand.
The drift is made with boto3; what the reruns send is read from the emulator's request log.
"""

import json
import re

import boto3
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.emulator]

ENV = "local"
PREFIX = f"payment-{ENV}-"
PATH = f"/payment-processing/{ENV}"
RECAP = re.compile(r"^localhost\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.MULTILINE)
READ_PREFIXES = ("Describe", "List", "Get")
TIERS = ("--tags", "monitoring,parameters")


def is_read(operation):
    """Whether a logged operation ("monitoring:DescribeAlarms", "lambda:GET /2015-03-31/functions/{id}") reads."""
    name = operation.partition(":")[2]
    method, _space, path = name.partition(" ")
    if path.startswith("/"):
        return method in ("GET", "HEAD")
    return name.startswith(READ_PREFIXES)


def writes(by_operation):
    """The requests that are not reads ({"monitoring:PutMetricAlarm": 1, ...})."""
    return {operation: count for operation, count in by_operation.items() if not is_read(operation)}


def run(playbook, *args):
    """(changed count of the play recap, requests by operation) of one site.yml run."""
    mark = playbook.emulator.mark()
    result = playbook.run(*args)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]
    recap = RECAP.search(result.stdout)
    assert recap, result.stdout[-3000:]
    by_operation = json.loads(playbook.emulator.run("requests", "--json", "--since", str(mark)))["by_operation"]
    return int(recap.group(2)), by_operation


def alarm(cloudwatch, name):
    return cloudwatch.describe_alarms(AlarmNames=[PREFIX + name])["MetricAlarms"][0]


def test_alarm_and_parameter_tag_drift_is_corrected(playbook, monkeypatch, record_property):
    for key, value in playbook.emulator.aws_env().items():
        monkeypatch.setenv(key, value)
    run(playbook)

    changed, noop = run(playbook, *TIERS)
    assert changed == 0 and not writes(noop), writes(noop)
    # Every alarm in one DescribeAlarms, no tag read per alarm or per parameter.
    assert noop.get("monitoring:DescribeAlarms") == 1, noop
    assert "monitoring:ListTagsForResource" not in noop and "ssm:ListTagsForResource" not in noop, noop
    assert noop.get("tagging:GetResources", 0) >= 2, noop
    # The 17 parameters in one payments.infra.ssm_parameters call: GetParameters 10 names a request.
    assert noop.get("ssm:GetParameters") == 2 and "ssm:GetParametersByPath" not in noop, noop

    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
    ssm = boto3.client("ssm", region_name="us-east-1")
    # Drift 1: the Aurora CPU threshold changed by hand (the alarm is put again whole).
    cpu = alarm(cloudwatch, "aurora-cpu")
    settings = (
        "AlarmName", "AlarmDescription", "ActionsEnabled", "OKActions", "AlarmActions", "InsufficientDataActions",
        "MetricName", "Namespace", "Statistic", "Dimensions", "Period", "EvaluationPeriods", "DatapointsToAlarm",
        "ComparisonOperator", "TreatMissingData",
    )  # fmt: skip
    cloudwatch.put_metric_alarm(**{key: cpu[key] for key in settings if key in cpu}, Threshold=cpu["Threshold"] + 15)
    # Drift 2: a tag removed from a release gate alarm.
    gate = alarm(cloudwatch, "alb-blue-target-5xx")
    gate_tags = {
        tag["Key"]: tag["Value"] for tag in cloudwatch.list_tags_for_resource(ResourceARN=gate["AlarmArn"])["Tags"]
    }
    assert "CostCenter" in gate_tags
    cloudwatch.untag_resource(ResourceARN=gate["AlarmArn"], TagKeys=["CostCenter"])
    # Drift 3: a parameter's Component tag changed.
    parameter = sorted(
        item["Name"]
        for page in ssm.get_paginator("get_parameters_by_path").paginate(Path=PATH, Recursive=True)
        for item in page["Parameters"]
    )[0]
    ssm.add_tags_to_resource(
        ResourceType="Parameter", ResourceId=parameter, Tags=[{"Key": "Component", "Value": "drifted"}]
    )

    changed, check = run(playbook, *TIERS, "--check", "--diff")
    assert changed == 2, check  # the alarms task and the parameters task
    assert not writes(check), writes(check)

    changed, fixed = run(playbook, *TIERS)
    assert changed == 2
    corrections = writes(fixed)
    # The CPU alarm put again, the gate alarm's tag set again, the parameter's tag set again: nothing else.
    assert corrections == {
        "monitoring:PutMetricAlarm": 1,
        "monitoring:TagResource": 1,
        "ssm:AddTagsToResource": 1,
    }, corrections
    assert alarm(cloudwatch, "aurora-cpu")["Threshold"] == cpu["Threshold"]
    now = cloudwatch.list_tags_for_resource(ResourceARN=gate["AlarmArn"])["Tags"]
    assert {tag["Key"]: tag["Value"] for tag in now} == gate_tags
    tags = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=parameter)["TagList"]
    assert {tag["Key"]: tag["Value"] for tag in tags}["Component"] == "parameters"

    changed, again = run(playbook, *TIERS)
    assert changed == 0 and not writes(again), writes(again)

    record_property(
        "figure",
        f"tag drift: no-op --tags monitoring,parameters {sum(noop.values())} requests "
        f"(DescribeAlarms {noop['monitoring:DescribeAlarms']}, GetResources {noop['tagging:GetResources']}, "
        "no ListTagsForResource); drift of 2 alarms + 1 parameter tag: --check changed=2 with 0 writes, "
        f"rerun changed=2 with {sum(corrections.values())} writes ({', '.join(sorted(corrections))}), "
        "next rerun changed=0",
    )
