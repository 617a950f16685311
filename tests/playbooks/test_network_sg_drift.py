"""Drift of the security groups on a converged network tier: --check reports it with no write, a rerun corrects
exactly that in one call of payments.infra.ec2_security_groups, and the rerun after it changes nothing.

The network tier reads its groups once (payments.infra.ec2_vpc_resources_info in lookup.yml) and calls
payments.infra.ec2_security_groups only when the security_group_differences filter (the module's own comparison:
missing group, permissions with their descriptions, tags, the default group's rules) finds a difference
(tasks/security_groups.yml): this test is the witness that the comparison sees each kind of drift made by hand.
The drift is made with boto3; what the runs send is read from the emulator's request log.
"""

import boto3
import pytest
from test_tag_drift import run, writes

pytestmark = [pytest.mark.slow, pytest.mark.emulator]

ENV = "local"
PREFIX = f"payment-{ENV}-"
TIER = ("--tags", "network")


def groups(ec2):
    vpc = ec2.describe_vpcs(Filters=[{"Name": "tag:Environment", "Values": [ENV]}])["Vpcs"][0]["VpcId"]
    found = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"]
    return {group["GroupName"]: group for group in found}


def test_security_group_drift_is_corrected(playbook, monkeypatch, record_property):
    for key, value in playbook.emulator.aws_env().items():
        monkeypatch.setenv(key, value)
    run(playbook, *TIER)

    changed, noop = run(playbook, *TIER)
    assert changed == 0 and not writes(noop), writes(noop)
    # One read of the groups (lookup.yml's), no module call.
    assert noop.get("ec2:DescribeSecurityGroups") == 1, noop

    ec2 = boto3.client("ec2", region_name="us-east-1")
    converged = groups(ec2)
    assert len(converged) == 6, sorted(converged)  # five groups and the VPC's default group
    alb, lam, aurora, default = (
        converged[name] for name in (f"{PREFIX}alb", f"{PREFIX}lambda", f"{PREFIX}aurora", "default")
    )
    assert default["IpPermissions"] == [] and default["IpPermissionsEgress"] == []
    vpc_cidr_rule = next(p for p in alb["IpPermissions"] if p["IpRanges"])
    # Drift 1: the description of the ALB's HTTPS-from-the-VPC permission.
    ec2.update_security_group_rule_descriptions_ingress(
        GroupId=alb["GroupId"],
        IpPermissions=[
            dict(
                vpc_cidr_rule,
                IpRanges=[{"CidrIp": vpc_cidr_rule["IpRanges"][0]["CidrIp"], "Description": "drifted"}],
                UserIdGroupPairs=[],
            )
        ],
    )
    # Drift 2: SSH out of the Lambda group.
    ec2.authorize_security_group_egress(
        GroupId=lam["GroupId"],
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    # Drift 3: a tag removed from the Aurora group.
    ec2.delete_tags(Resources=[aurora["GroupId"]], Tags=[{"Key": "CostCenter"}])
    # Drift 4: the default group allows its members again.
    ec2.authorize_security_group_ingress(
        GroupId=default["GroupId"],
        IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": default["GroupId"]}]}],
    )

    changed, check = run(playbook, *TIER, "--check", "--diff")
    assert changed == 1, check  # the one payments.infra.ec2_security_groups task
    assert not writes(check), writes(check)

    changed, fixed = run(playbook, *TIER)
    assert changed == 1
    corrections = writes(fixed)
    assert corrections == {
        "ec2:UpdateSecurityGroupRuleDescriptionsIngress": 1,
        "ec2:RevokeSecurityGroupEgress": 1,
        "ec2:CreateTags": 1,
        "ec2:RevokeSecurityGroupIngress": 1,
    }, corrections
    after = groups(ec2)
    assert {name: group["GroupId"] for name, group in after.items()} == {
        name: group["GroupId"] for name, group in converged.items()
    }
    for name, group in converged.items():
        for key in ("IpPermissions", "IpPermissionsEgress"):
            assert sorted(map(repr, after[name][key])) == sorted(map(repr, group[key])), (name, key)
        assert sorted(map(repr, after[name].get("Tags", []))) == sorted(map(repr, group.get("Tags", []))), name

    changed, again = run(playbook, *TIER)
    assert changed == 0 and not writes(again), writes(again)

    record_property(
        "figure",
        f"network security group drift: no-op --tags network {sum(noop.values())} requests "
        f"(DescribeSecurityGroups {noop['ec2:DescribeSecurityGroups']}, 0 module calls); drift of a rule description, "
        f"an extra egress rule, a tag and a default-group rule: --check changed=1 with 0 writes, rerun changed=1 "
        f"(one ec2_security_groups call) with {sum(corrections.values())} writes, next rerun changed=0",
    )
