"""payments.infra.ec2_route_tables: main() over moto (validation before any call, results, diff, check mode)."""

import boto3
import pytest
from ansible_collections.payments.infra.plugins.modules import ec2_route_tables
from aws_fakes import Recorder

REGION = "us-east-1"


@pytest.fixture
def vpc(moto_aws, monkeypatch):
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
    recorder = Recorder(monkeypatch, ec2, writes=("CreateRouteTable", "CreateRoute", "AssociateRouteTable"))
    return ec2, vpc_id, igw, subnet, recorder


def args(vpc_id, tables, **extra):
    return dict(vpc_id=vpc_id, route_tables=tables, region=REGION, **extra)


def public(igw, subnet):
    return {
        "name": "payment-test-rt-public",
        "tags": {"Environment": "test"},
        "subnets": [subnet],
        "routes": [{"dest": "0.0.0.0/0", "gateway_id": igw}],
    }


def test_main_check_real_and_idempotent(run_module, vpc):
    ec2, vpc_id, igw, subnet, recorder = vpc
    tables = [public(igw, subnet)]
    ok, result = run_module(ec2_route_tables, args(vpc_id, tables, _ansible_check_mode=True, _ansible_diff=True), ec2)
    assert ok and result["changed"] and result["changed_route_tables"] == ["payment-test-rt-public"], result
    assert result["route_tables"][0]["id"] is None and recorder.writes() == []
    assert result["diff"]["before"] == {"payment-test-rt-public": {}}

    ok, result = run_module(ec2_route_tables, args(vpc_id, tables), ec2)
    assert ok and result["changed"], result
    table = result["route_tables"][0]
    assert table["id"].startswith("rtb-") and table["changed"] and table["subnets"] == [subnet]
    assert table["tags"] == {"Environment": "test", "Name": "payment-test-rt-public"}
    assert table["routes"] == [{"dest": "0.0.0.0/0", "target": igw}]
    assert "diff" not in result
    assert recorder.writes() == ["AssociateRouteTable", "CreateRoute", "CreateRouteTable"]

    for check_mode in (True, False):
        recorder.clear()
        ok, result = run_module(ec2_route_tables, args(vpc_id, tables, _ansible_check_mode=check_mode), ec2)
        assert ok and not result["changed"] and result["changed_route_tables"] == [], result
        assert result["route_tables"][0]["id"] == table["id"] and not result["route_tables"][0]["changed"]
        assert recorder.operations() == ["DescribeRouteTables"]


def test_main_with_no_table_does_nothing(run_module):
    ok, result = run_module(ec2_route_tables, args("vpc-1", []), None)
    assert ok and not result["changed"] and result["route_tables"] == []


@pytest.mark.parametrize(
    "tables, message",
    [
        ([{"name": "a"}, {"name": "a"}], "route_tables: names must be distinct, repeated: a"),
        ([{"name": "a", "subnets": ["subnet-1"]}, {"name": "b", "subnets": ["subnet-1"]}], "wanted by both a and b"),
        ([{"name": "a", "routes": [{"dest": "10.0.0.300/8", "gateway_id": "igw-1"}]}], "is not a CIDR block"),
        ([{"name": "a", "routes": [{"dest": "0.0.0.0/0"}]}], "one of the following is required"),
        (
            [{"name": "a", "routes": [{"dest": "0.0.0.0/0", "gateway_id": "igw-1", "nat_gateway_id": "nat-1"}]}],
            "mutually exclusive",
        ),
    ],
)
def test_bad_input_fails_before_any_call(run_module, tables, message):
    ok, result = run_module(ec2_route_tables, args("vpc-1", tables), None)
    assert not ok and message in result["msg"], result


def test_two_tables_with_the_name_fail_naming_them(run_module, vpc):
    ec2, vpc_id, igw, subnet, _recorder = vpc
    spec = [{"ResourceType": "route-table", "Tags": [{"Key": "Name", "Value": "payment-test-rt-public"}]}]
    ids = [ec2.create_route_table(VpcId=vpc_id, TagSpecifications=spec)["RouteTable"]["RouteTableId"] for _name in "ab"]
    ok, result = run_module(ec2_route_tables, args(vpc_id, [public(igw, subnet)]), ec2)
    assert not ok and "2 route tables of the VPC are named payment-test-rt-public" in result["msg"], result
    assert all(table_id in result["msg"] for table_id in ids)
