"""payments.infra.ec2_subnets: the subnets of one VPC read with one DescribeSubnets and reconciled as
amazon.aws.ec2_vpc_subnet does, against moto's in-process AWS (no network)."""

import ast

import boto3
import pytest
from ansible_collections.payments.infra.plugins.module_utils import subnet_compare
from ansible_collections.payments.infra.plugins.module_utils import subnets as subnets_utils
from ansible_collections.payments.infra.plugins.module_utils.ec2 import PaymentsEC2Error
from ansible_collections.payments.infra.plugins.module_utils.vpc_resources import normalize_subnet as info_subnet
from ansible_collections.payments.infra.plugins.modules import ec2_subnets
from aws_fakes import Recorder, client_error

REGION = "us-east-1"
WRITES = (
    "CreateSubnet",
    "ModifySubnetAttribute",
    "CreateTags",
    "DeleteTags",
    "DisassociateSubnetCidrBlock",
    "AssociateSubnetCidrBlock",
)


@pytest.fixture
def aws(moto_aws, monkeypatch):
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    return ec2, vpc_id, Recorder(monkeypatch, ec2, writes=WRITES)


def wanted(tier="private", cidrs=("10.0.8.0/24", "10.0.9.0/24", "10.0.10.0/24"), **overrides):
    azs = ("us-east-1a", "us-east-1b", "us-east-1c")
    result = []
    for cidr, az in zip(cidrs, azs, strict=False):
        subnet = {"cidr": cidr, "az": az, "tags": {"Name": f"payment-test-{tier}-{az}", "Tier": tier}}
        subnet.update(overrides)
        result.append(subnet)
    return result


def ensure(ec2, vpc_id, subnets, purge_tags=True, check_mode=False):
    return subnets_utils.ensure_subnets(ec2, vpc_id, subnets, purge_tags, check_mode)


def described(ec2, vpc_id):
    found = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    return {subnet["CidrBlock"]: subnet for subnet in found}


def test_check_mode_on_an_empty_vpc_plans_every_subnet_and_writes_nothing(aws):
    ec2, vpc_id, recorder = aws
    results, diff = ensure(ec2, vpc_id, wanted(), check_mode=True)
    assert recorder.operations() == ["DescribeSubnets"]
    assert [r["cidr"] for r in results] == ["10.0.8.0/24", "10.0.9.0/24", "10.0.10.0/24"]
    assert all(r["changed"] and r["id"] is None for r in results)
    assert results[1]["tags"] == {"Name": "payment-test-private-us-east-1b", "Tier": "private"}
    assert diff["before"] == {"10.0.8.0/24": {}, "10.0.9.0/24": {}, "10.0.10.0/24": {}}
    assert described(ec2, vpc_id) == {}


def test_create_tags_in_the_creation_and_a_rerun_is_one_read(aws):
    ec2, vpc_id, recorder = aws
    results, _diff = ensure(ec2, vpc_id, wanted())
    assert recorder.operations() == ["DescribeSubnets", "CreateSubnet", "CreateSubnet", "CreateSubnet"]
    create = [params for operation, params in recorder.calls if operation == "CreateSubnet"][0]
    assert create["TagSpecifications"][0]["ResourceType"] == "subnet"
    assert create["AvailabilityZone"] == "us-east-1a"
    now = described(ec2, vpc_id)
    for result in results:
        subnet = now[result["cidr"]]
        assert result["id"] == subnet["SubnetId"] and result["az"] == subnet["AvailabilityZone"]
        assert result["tags"] == {tag["Key"]: tag["Value"] for tag in subnet["Tags"]}
        assert result["changed"] and result["state"] == "available" and result["vpc_id"] == vpc_id
        assert result["map_public"] is False and result["assign_ipv6"] is False
    recorder.clear()
    again, diff = ensure(ec2, vpc_id, wanted())
    assert recorder.operations() == ["DescribeSubnets"]
    assert not any(r["changed"] for r in again)
    assert [r["id"] for r in again] == [r["id"] for r in results]
    assert diff["before"] == diff["after"]


def test_only_what_drifted_is_written(aws):
    ec2, vpc_id, recorder = aws
    ids = [r["id"] for r in ensure(ec2, vpc_id, wanted())[0]]
    ec2.modify_subnet_attribute(SubnetId=ids[0], MapPublicIpOnLaunch={"Value": True})
    ec2.create_tags(Resources=[ids[1]], Tags=[{"Key": "Tier", "Value": "public"}, {"Key": "Extra", "Value": "x"}])
    recorder.clear()
    results, diff = ensure(ec2, vpc_id, wanted())
    assert [r["changed"] for r in results] == [True, True, False]
    assert recorder.writes() == ["CreateTags", "DeleteTags", "ModifySubnetAttribute"]
    assert ("ModifySubnetAttribute", {"SubnetId": ids[0], "MapPublicIpOnLaunch": {"Value": False}}) in recorder.calls
    assert ("DeleteTags", {"Resources": [ids[1]], "Tags": [{"Key": "Extra"}]}) in recorder.calls
    assert diff["before"]["10.0.8.0/24"]["map_public"] is True and diff["after"]["10.0.8.0/24"]["map_public"] is False
    now = described(ec2, vpc_id)
    assert now["10.0.8.0/24"]["MapPublicIpOnLaunch"] is False
    assert {t["Key"]: t["Value"] for t in now["10.0.9.0/24"]["Tags"]} == wanted()[1]["tags"]
    recorder.clear()
    assert not any(r["changed"] for r in ensure(ec2, vpc_id, wanted())[0])
    assert recorder.writes() == []


def test_check_mode_on_a_drift_reports_it_and_writes_nothing(aws):
    ec2, vpc_id, recorder = aws
    ids = [r["id"] for r in ensure(ec2, vpc_id, wanted())[0]]
    ec2.delete_tags(Resources=[ids[2]], Tags=[{"Key": "Tier"}])
    recorder.clear()
    results, diff = ensure(ec2, vpc_id, wanted(), check_mode=True)
    assert [r["changed"] for r in results] == [False, False, True]
    assert recorder.operations() == ["DescribeSubnets"]
    assert diff["after"]["10.0.10.0/24"]["tags"]["Tier"] == "private"
    assert "Tier" not in {t["Key"] for t in described(ec2, vpc_id)["10.0.10.0/24"]["Tags"]}


def test_unset_tags_stay_and_purge_tags_false_keeps_extra_tags(aws):
    ec2, vpc_id, recorder = aws
    ids = [r["id"] for r in ensure(ec2, vpc_id, wanted())[0]]
    ec2.create_tags(Resources=[ids[0]], Tags=[{"Key": "Owner", "Value": "ops"}])
    recorder.clear()
    untagged = [dict(subnet, tags=None) for subnet in wanted()]
    assert not any(r["changed"] for r in ensure(ec2, vpc_id, untagged)[0])
    assert not any(r["changed"] for r in ensure(ec2, vpc_id, wanted(), purge_tags=False)[0])
    assert recorder.writes() == []
    assert ensure(ec2, vpc_id, wanted())[0][0]["changed"]
    assert recorder.writes() == ["DeleteTags"]


def repair_moto_ipv6_state(monkeypatch, ec2):
    """moto 5 reports a subnet's IPv6 association state in DescribeSubnets as the text of a dict
    ("{'State': 'associated'}") instead of the state: answer as AWS does (moto gap, worked around here)."""
    real = ec2._make_api_call

    def describe(operation, params):
        response = real(operation, params)
        if operation == "DescribeSubnets":
            for subnet in response.get("Subnets", []):
                for association in subnet.get("Ipv6CidrBlockAssociationSet", []):
                    state = association["Ipv6CidrBlockState"]["State"]
                    if state.startswith("{"):
                        association["Ipv6CidrBlockState"]["State"] = ast.literal_eval(state)["State"]
        return response

    monkeypatch.setattr(ec2, "_make_api_call", describe)


def test_an_associated_ipv6_block_is_disassociated(aws, monkeypatch):
    ec2, vpc_id, recorder = aws
    repair_moto_ipv6_state(monkeypatch, ec2)
    ids = [r["id"] for r in ensure(ec2, vpc_id, wanted())[0]]
    vpc_block = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
    subnet_block = vpc_block.replace("/56", "/64")
    ec2.associate_subnet_cidr_block(SubnetId=ids[1], Ipv6CidrBlock=subnet_block)
    ec2.modify_subnet_attribute(SubnetId=ids[1], AssignIpv6AddressOnCreation={"Value": True})
    current = [info_subnet(subnet) for subnet in described(ec2, vpc_id).values()]
    assert subnet_compare.subnet_differences(
        [s for s in current if s["cidr_block"] == "10.0.9.0/24"][0], wanted()[1]
    ) == ["ipv6_association", "assign_ipv6"]
    recorder.clear()
    results, _diff = ensure(ec2, vpc_id, wanted())
    assert [r["changed"] for r in results] == [False, True, False]
    # AssignIpv6AddressOnCreation off first (AWS refuses to disassociate a block in use for it), then disassociate.
    assert recorder.operations()[1:] == ["ModifySubnetAttribute", "DisassociateSubnetCidrBlock"]
    subnet = described(ec2, vpc_id)["10.0.9.0/24"]
    assert subnet["AssignIpv6AddressOnCreation"] is False
    states = [a["Ipv6CidrBlockState"]["State"] for a in subnet.get("Ipv6CidrBlockAssociationSet", [])]
    assert not [state for state in states if state in ("associated", "associating")]
    recorder.clear()
    assert not any(r["changed"] for r in ensure(ec2, vpc_id, wanted())[0])
    assert recorder.writes() == []


def test_assign_ipv6_without_an_ipv6_block_fails_before_any_write(aws):
    ec2, vpc_id, recorder = aws
    with pytest.raises(ValueError, match="10.0.9.0/24: assign_ipv6=true needs an IPv6 CIDR block"):
        ensure(ec2, vpc_id, [wanted()[0], dict(wanted()[1], assign_ipv6=True)])
    assert recorder.operations() == ["DescribeSubnets"]


def test_a_subnet_an_interrupted_run_created_is_found_by_its_cidr(aws):
    ec2, vpc_id, recorder = aws
    first = wanted()[0]
    ec2.create_subnet(
        VpcId=vpc_id,
        CidrBlock=first["cidr"],
        AvailabilityZone=first["az"],
        TagSpecifications=[
            {"ResourceType": "subnet", "Tags": [{"Key": k, "Value": v} for k, v in first["tags"].items()]}
        ],
    )
    recorder.clear()
    results, _diff = ensure(ec2, vpc_id, wanted())
    assert [r["changed"] for r in results] == [False, True, True]
    assert recorder.writes() == ["CreateSubnet", "CreateSubnet"]
    assert len(described(ec2, vpc_id)) == 3


def test_new_subnets_not_yet_available_are_waited_for_together(aws, monkeypatch):
    ec2, vpc_id, recorder = aws
    real = ec2._make_api_call

    def pending(operation, params):
        response = real(operation, params)
        if operation == "CreateSubnet":
            response["Subnet"]["State"] = "pending"
        return response

    monkeypatch.setattr(ec2, "_make_api_call", pending)
    results, _diff = ensure(ec2, vpc_id, wanted())
    assert recorder.operations() == [
        "DescribeSubnets",
        "CreateSubnet",
        "CreateSubnet",
        "CreateSubnet",
        "DescribeSubnets",
    ]
    wait = recorder.calls[-1][1]
    assert wait["Filters"] == [{"Name": "subnet-id", "Values": [r["id"] for r in results]}]
    assert [r["state"] for r in results] == ["available"] * 3


def test_a_subnet_not_found_yet_is_retried(aws, monkeypatch):
    ec2, vpc_id, _recorder = aws
    ids = [r["id"] for r in ensure(ec2, vpc_id, wanted())[0]]
    ec2.modify_subnet_attribute(SubnetId=ids[0], MapPublicIpOnLaunch={"Value": True})
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    real = ec2.modify_subnet_attribute
    answers = [client_error("InvalidSubnetID.NotFound", "ModifySubnetAttribute")]

    def eventually(**params):
        if answers:
            raise answers.pop()
        return real(**params)

    monkeypatch.setattr(ec2, "modify_subnet_attribute", eventually)
    assert ensure(ec2, vpc_id, wanted())[0][0]["changed"]
    assert described(ec2, vpc_id)["10.0.8.0/24"]["MapPublicIpOnLaunch"] is False


def test_an_unknown_vpc_raises_the_ec2_error(aws):
    ec2, _vpc_id, _recorder = aws
    with pytest.raises(PaymentsEC2Error):
        ensure(ec2, "vpc-00000000000000000", wanted())


def module_args(vpc_id, subnets, **extra):
    return dict(vpc_id=vpc_id, subnets=subnets, region=REGION, **extra)


def test_main_returns_subnets_changed_subnets_and_diff(run_module, aws):
    ec2, vpc_id, _recorder = aws
    ok, result = run_module(ec2_subnets, module_args(vpc_id, wanted(), _ansible_diff=True), ec2)
    assert ok and result["changed"], result
    assert result["changed_subnets"] == ["10.0.8.0/24", "10.0.9.0/24", "10.0.10.0/24"]
    assert set(result["subnets"][0]) == {
        "id",
        "cidr",
        "az",
        "vpc_id",
        "state",
        "map_public",
        "assign_ipv6",
        "tags",
        "changed",
    }
    assert result["diff"]["before"]["10.0.8.0/24"] == {}
    ok, result = run_module(ec2_subnets, module_args(vpc_id, wanted(), _ansible_check_mode=True), ec2)
    assert ok and not result["changed"] and result["changed_subnets"] == [] and "diff" not in result


def test_main_check_mode_on_an_empty_vpc(run_module, aws):
    ec2, vpc_id, recorder = aws
    ok, result = run_module(ec2_subnets, module_args(vpc_id, wanted(), _ansible_check_mode=True), ec2)
    assert ok and result["changed"] and [s["id"] for s in result["subnets"]] == [None, None, None]
    assert recorder.writes() == []


def test_main_with_no_subnet_does_nothing(run_module):
    ok, result = run_module(ec2_subnets, module_args("vpc-1", []), None)
    assert ok and not result["changed"] and result["subnets"] == [] and result["changed_subnets"] == []


def test_main_fails_on_assign_ipv6_without_a_block(run_module, aws):
    ec2, vpc_id, recorder = aws
    ok, result = run_module(ec2_subnets, module_args(vpc_id, [dict(wanted()[0], assign_ipv6=True)]), ec2)
    assert not ok and "needs an IPv6 CIDR block" in result["msg"]
    assert recorder.writes() == []


@pytest.mark.parametrize(
    "subnets, message",
    [
        ([{"cidr": "10.0.8.0/24"}, {"cidr": "10.0.8.0/24"}], "CIDRs must be distinct, repeated: 10.0.8.0/24"),
        ([{"cidr": "10.0.8.1/24"}], "subnets[0] (10.0.8.1/24): cidr='10.0.8.1/24' is not an IPv4 network"),
        ([{"cidr": "10.0.8.0/024"}], "must be written 10.0.8.0/24"),
        ([{"cidr": "banana"}], "is not an IPv4 network"),
    ],
)
def test_main_refuses_bad_subnets_before_any_call(run_module, subnets, message):
    ok, result = run_module(ec2_subnets, module_args("vpc-1", subnets), None)
    assert not ok
    assert message in result["msg"]
