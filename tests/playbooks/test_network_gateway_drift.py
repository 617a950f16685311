"""Drift of the internet gateway's and a NAT gateway's tags on a converged network tier: --check reports exactly that
with no write, a rerun corrects exactly that, and the rerun after it changes nothing.

The network tier reads its gateways once (payments.infra.ec2_vpc_resources_info in lookup.yml) and runs
amazon.aws.ec2_vpc_igw only for a gateway that is missing or differs in what it sets, and
payments.infra.ec2_nat_gateways only when the filter payments.infra.ec2_nat_gateways_plan (the module's own
comparison) finds a NAT gateway missing or differing (compare-first, tasks/gateways.yml): this test is the witness
that the comparison still sees a tag changed by hand. The drift is made with boto3; what the runs send is read from
the emulator's request log.
"""

import boto3
import pytest
from test_tag_drift import run, writes

pytestmark = [pytest.mark.slow, pytest.mark.emulator]

ENV = "local"
PREFIX = f"payment-{ENV}-"
TIER = ("--tags", "network")


def tags_of(resource):
    return {tag["Key"]: tag["Value"] for tag in resource.get("Tags", [])}


def igw(ec2):
    found = ec2.describe_internet_gateways(Filters=[{"Name": "tag:Name", "Values": [f"{PREFIX}igw"]}])
    return found["InternetGateways"][0]


def nats(ec2):
    found = ec2.describe_nat_gateways(Filter=[{"Name": "state", "Values": ["pending", "available"]}])["NatGateways"]
    return sorted(found, key=lambda nat: tags_of(nat)["Name"])


def test_gateway_tag_drift_is_corrected(playbook, monkeypatch, record_property):
    for key, value in playbook.emulator.aws_env().items():
        monkeypatch.setenv(key, value)
    run(playbook, *TIER)

    changed, noop = run(playbook, *TIER)
    assert changed == 0 and not writes(noop), writes(noop)
    # One read of the gateways (lookup.yml's), no ensuring module reading them again.
    assert noop.get("ec2:DescribeInternetGateways") == 1, noop
    assert noop.get("ec2:DescribeNatGateways") == 1, noop
    # The NAT Elastic IPs (lookup.yml) and the account's Elastic IP count (account_limits_info, preflight.yml).
    assert noop.get("ec2:DescribeAddresses") == 2, noop

    ec2 = boto3.client("ec2", region_name="us-east-1")
    gateway = igw(ec2)
    igw_tags = tags_of(gateway)
    nat_ids = [n["NatGatewayId"] for n in nats(ec2)]
    assert len(nat_ids) == 3, nat_ids
    nat = nats(ec2)[1]
    nat_tags = tags_of(nat)
    assert igw_tags["Component"] == "igw" and nat_tags["Component"] == "nat"
    # Drift 1: the internet gateway's Component tag changed by hand.
    ec2.create_tags(Resources=[gateway["InternetGatewayId"]], Tags=[{"Key": "Component", "Value": "drifted"}])
    # Drift 2: a tag removed from the second NAT gateway.
    ec2.delete_tags(Resources=[nat["NatGatewayId"]], Tags=[{"Key": "CostCenter"}])

    changed, check = run(playbook, *TIER, "--check", "--diff")
    assert changed == 2, check  # the internet gateway task and the NAT gateways task
    assert not writes(check), writes(check)

    changed, fixed = run(playbook, *TIER)
    assert changed == 2
    corrections = writes(fixed)
    # The internet gateway's tag and the NAT gateway's tag set again: nothing else.
    assert corrections == {"ec2:CreateTags": 2}, corrections
    assert tags_of(igw(ec2)) == igw_tags
    assert tags_of(nats(ec2)[1]) == nat_tags
    assert [n["NatGatewayId"] for n in nats(ec2)] == nat_ids  # corrected in place, none replaced

    changed, again = run(playbook, *TIER)
    assert changed == 0 and not writes(again), writes(again)

    record_property(
        "figure",
        f"network gateway drift: no-op --tags network {sum(noop.values())} requests "
        f"(DescribeInternetGateways {noop['ec2:DescribeInternetGateways']}, "
        f"DescribeNatGateways {noop['ec2:DescribeNatGateways']}); drift of the IGW tag + 1 NAT tag: "
        f"--check changed=2 with 0 writes, rerun changed=2 with {sum(corrections.values())} writes "
        f"({', '.join(sorted(corrections))}), next rerun changed=0",
    )
