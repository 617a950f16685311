"""Drift of the network tier's subnets on a converged account: --check reports exactly that with no write, a rerun
corrects exactly that with ONE payments.infra.ec2_subnets call given only the drifted subnets, and the rerun after it
changes nothing (no ec2_subnets call: the subnet_differences filter finds nothing after the tier's one read).

The tier compares the subnets read by payments.infra.ec2_vpc_resources_info with the plan through the
subnet_differences filter, which uses the module's own comparison (module_utils/subnet_compare.py): public IP
mapping, IPv6 assignment and association, tags. The drift is made with boto3; what the runs send is read from the
emulator's request log.
"""

import boto3
import pytest
from test_tag_drift import run, writes

pytestmark = [pytest.mark.slow, pytest.mark.emulator]

ENV = "local"
TIERS = ("--tags", "network")


def subnets(ec2):
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [f"payment-vpc-{ENV}"]}])["Vpcs"]
    found = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpcs[0]["VpcId"]]}])["Subnets"]
    return {subnet["CidrBlock"]: subnet for subnet in found}


def tags(subnet):
    return {tag["Key"]: tag["Value"] for tag in subnet.get("Tags", [])}


def test_subnet_drift_is_corrected_with_one_module_call(playbook, monkeypatch, record_property):
    for key, value in playbook.emulator.aws_env().items():
        monkeypatch.setenv(key, value)
    changed, converge = run(playbook, *TIERS)
    assert changed > 0 and converge.get("ec2:CreateSubnet") == 9, converge

    changed, noop = run(playbook, *TIERS)
    assert changed == 0 and not writes(noop), writes(noop)
    # The tier's one read lists the subnets; ec2_subnets is not called on a converged VPC.
    assert noop.get("ec2:DescribeSubnets") == 1, noop

    ec2 = boto3.client("ec2", region_name="us-east-1")
    converged = subnets(ec2)
    assert len(converged) == 9
    public, private, database = "10.0.0.0/24", "10.0.9.0/24", "10.0.18.0/24"
    # Drift 1: public IPs mapped on a public subnet. Drift 2: a tag changed and one added on a private subnet.
    # Drift 3: a tag removed from a database subnet.
    ec2.modify_subnet_attribute(SubnetId=converged[public]["SubnetId"], MapPublicIpOnLaunch={"Value": True})
    ec2.create_tags(
        Resources=[converged[private]["SubnetId"]],
        Tags=[{"Key": "Tier", "Value": "public"}, {"Key": "Owner", "Value": "someone"}],
    )
    ec2.delete_tags(Resources=[converged[database]["SubnetId"]], Tags=[{"Key": "Component"}])

    changed, check = run(playbook, *TIERS, "--check", "--diff")
    assert changed == 1, check  # the one ec2_subnets task
    assert not writes(check), writes(check)

    changed, fixed = run(playbook, *TIERS)
    assert changed == 1
    corrections = writes(fixed)
    # One read by the module (DescribeSubnets) besides the tier's; the attribute and the tags written, nothing else.
    assert corrections == {"ec2:ModifySubnetAttribute": 1, "ec2:CreateTags": 2, "ec2:DeleteTags": 1}, corrections
    assert fixed.get("ec2:DescribeSubnets") == 2, fixed
    now = subnets(ec2)
    assert {cidr: s["SubnetId"] for cidr, s in now.items()} == {cidr: s["SubnetId"] for cidr, s in converged.items()}
    assert now[public]["MapPublicIpOnLaunch"] is False
    for cidr in (public, private, database):
        assert tags(now[cidr]) == tags(converged[cidr]), cidr

    changed, again = run(playbook, *TIERS)
    assert changed == 0 and not writes(again), writes(again)
    assert again.get("ec2:DescribeSubnets") == 1, again

    record_property(
        "figure",
        f"subnet drift: converge --tags network {converge['ec2:CreateSubnet']} CreateSubnet in one ec2_subnets call; "
        f"no-op {sum(noop.values())} requests (DescribeSubnets {noop['ec2:DescribeSubnets']}); drift of 3 subnets "
        f"(public IP mapping, tags): --check changed=1 with 0 writes, rerun changed=1 with "
        f"{sum(corrections.values())} writes ({', '.join(sorted(corrections))}), next rerun changed=0",
    )
