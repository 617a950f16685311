"""payments.infra route_tables module_utils: plan, writes and end state of several route tables (moto in-process)."""

import boto3
import pytest
from ansible_collections.payments.infra.plugins.module_utils import route_table_compare as compare
from ansible_collections.payments.infra.plugins.module_utils import route_tables as rt
from aws_fakes import Recorder, client_error

REGION = "us-east-1"
WRITES = (
    "CreateRouteTable",
    "CreateRoute",
    "ReplaceRoute",
    "DeleteRoute",
    "AssociateRouteTable",
    "ReplaceRouteTableAssociation",
    "DisassociateRouteTable",
    "CreateTags",
    "DeleteTags",
)


@pytest.fixture
def vpc(moto_aws, monkeypatch):
    """A VPC with an internet gateway, two NAT gateways and four subnets; (client, ids, recorder)."""
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    subnets = [ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.0.{i}.0/24")["Subnet"]["SubnetId"] for i in range(4)]
    nats = []
    for subnet in subnets[:2]:
        allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
        nats.append(ec2.create_nat_gateway(SubnetId=subnet, AllocationId=allocation)["NatGateway"]["NatGatewayId"])
    recorder = Recorder(monkeypatch, ec2, writes=WRITES)
    return ec2, {"vpc": vpc_id, "igw": igw, "subnets": subnets, "nats": nats}, recorder


def wanted(ids):
    return [
        {
            "name": "rt-public",
            "tags": {"Tier": "public"},
            "subnets": ids["subnets"][:2],
            "routes": [{"dest": "0.0.0.0/0", "gateway_id": ids["igw"]}],
        },
        {
            "name": "rt-private",
            "tags": {"Tier": "private"},
            "subnets": [ids["subnets"][2]],
            "routes": [{"dest": "0.0.0.0/0", "nat_gateway_id": ids["nats"][0]}],
        },
        {"name": "rt-database", "tags": {"Tier": "database"}, "subnets": [ids["subnets"][3]], "routes": []},
    ]


def ensure(ec2, ids, tables, check_mode=False, **purge):
    options = {"purge_routes": True, "purge_subnets": True, "purge_tags": True, **purge}
    return rt.ensure_route_tables(ec2, ids["vpc"], tables, check_mode=check_mode, **options)


def by_name(ec2, vpc_id):
    tables = rt.read_route_tables(ec2, vpc_id)
    return {t["tags"]["Name"]: compare.summary(t, t["tags"]["Name"]) for t in tables if "Name" in t["tags"]}


def test_creates_every_table_with_one_read_and_tags_at_creation(vpc):
    ec2, ids, recorder = vpc
    results, diff = ensure(ec2, ids, wanted(ids))
    assert [r["name"] for r in results] == ["rt-public", "rt-private", "rt-database"]
    assert all(r["changed"] and r["id"].startswith("rtb-") for r in results)
    assert recorder.count("DescribeRouteTables") == 1
    assert recorder.writes() == sorted(["CreateRouteTable"] * 3 + ["CreateRoute"] * 2 + ["AssociateRouteTable"] * 4)
    creates = [params for operation, params in recorder.calls if operation == "CreateRouteTable"]
    assert creates[0]["TagSpecifications"][0]["Tags"] == [
        {"Key": "Tier", "Value": "public"},
        {"Key": "Name", "Value": "rt-public"},
    ]
    found = by_name(ec2, ids["vpc"])
    assert found["rt-public"]["routes"] == [{"dest": "0.0.0.0/0", "target": ids["igw"]}]
    assert found["rt-public"]["subnets"] == sorted(ids["subnets"][:2])
    assert found["rt-private"]["routes"] == [{"dest": "0.0.0.0/0", "target": ids["nats"][0]}]
    assert found["rt-database"]["routes"] == [] and found["rt-database"]["subnets"] == [ids["subnets"][3]]
    assert found["rt-private"]["tags"] == {"Name": "rt-private", "Tier": "private"}
    for result in results:
        assert {k: v for k, v in result.items() if k != "changed"} == found[result["name"]]
    assert diff["before"] == {"rt-public": {}, "rt-private": {}, "rt-database": {}}
    assert diff["after"]["rt-public"] == found["rt-public"]


def test_a_second_run_reads_once_and_writes_nothing(vpc):
    ec2, ids, recorder = vpc
    ensure(ec2, ids, wanted(ids))
    recorder.clear()
    results, diff = ensure(ec2, ids, wanted(ids))
    assert not any(r["changed"] for r in results)
    assert recorder.operations() == ["DescribeRouteTables"]
    assert diff["before"] == diff["after"]
    differences = compare.route_table_differences(rt.read_route_tables(ec2, ids["vpc"]), wanted(ids))
    assert [d["differences"] for d in differences] == [[], [], []]
    assert [d["id"] for d in differences] == [r["id"] for r in results]


def test_check_mode_writes_nothing_and_reports_the_same_changes(vpc):
    ec2, ids, recorder = vpc
    results, diff = ensure(ec2, ids, wanted(ids), check_mode=True)
    assert recorder.writes() == []
    assert [r["changed"] for r in results] == [True, True, True]
    assert [r["id"] for r in results] == [None, None, None]
    assert diff["after"]["rt-public"]["routes"] == [{"dest": "0.0.0.0/0", "target": ids["igw"]}]
    assert by_name(ec2, ids["vpc"]) == {}


def test_drift_is_corrected_with_exactly_the_writes_it_needs(vpc):
    ec2, ids, recorder = vpc
    results, _diff = ensure(ec2, ids, wanted(ids))
    public, private, database = (r["id"] for r in results)
    # A route's target changed, an extra created route, a tag changed and one added, a subnet moved to another
    # table of the call.
    ec2.replace_route(RouteTableId=private, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=ids["nats"][1])
    ec2.create_route(RouteTableId=public, DestinationCidrBlock="192.168.0.0/16", GatewayId=ids["igw"])
    ec2.create_tags(Resources=[database], Tags=[{"Key": "Tier", "Value": "x"}, {"Key": "Extra", "Value": "y"}])
    association = next(
        a["RouteTableAssociationId"]
        for a in ec2.describe_route_tables(RouteTableIds=[public])["RouteTables"][0]["Associations"]
        if a.get("SubnetId") == ids["subnets"][1]
    )
    ec2.replace_route_table_association(AssociationId=association, RouteTableId=database)

    differences = compare.route_table_differences(rt.read_route_tables(ec2, ids["vpc"]), wanted(ids))
    assert [d["differences"] for d in differences] == [["routes", "subnets"], ["routes"], ["tags", "subnets"]]

    recorder.clear()
    results, _diff = ensure(ec2, ids, wanted(ids))
    assert [r["changed"] for r in results] == [True, True, True]
    assert recorder.writes() == sorted(
        ["DeleteRoute", "ReplaceRouteTableAssociation", "ReplaceRoute", "CreateTags", "DeleteTags"]
    )
    found = by_name(ec2, ids["vpc"])
    assert found["rt-public"]["routes"] == [{"dest": "0.0.0.0/0", "target": ids["igw"]}]
    assert found["rt-public"]["subnets"] == sorted(ids["subnets"][:2])
    assert found["rt-private"]["routes"] == [{"dest": "0.0.0.0/0", "target": ids["nats"][0]}]
    assert found["rt-database"]["tags"] == {"Name": "rt-database", "Tier": "database"}
    assert found["rt-database"]["subnets"] == [ids["subnets"][3]]
    recorder.clear()
    results, _diff = ensure(ec2, ids, wanted(ids))
    assert not any(r["changed"] for r in results) and recorder.writes() == []


def test_a_subnet_of_a_table_outside_the_call_is_moved_and_extra_subnets_purged(vpc):
    ec2, ids, recorder = vpc
    other = ec2.create_route_table(VpcId=ids["vpc"])["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=other, SubnetId=ids["subnets"][3])
    recorder.clear()
    tables = [{"name": "rt-a", "subnets": [ids["subnets"][3]], "routes": None, "tags": None}]
    results, _diff = ensure(ec2, ids, tables)
    assert recorder.writes() == ["CreateRouteTable", "ReplaceRouteTableAssociation"]
    assert by_name(ec2, ids["vpc"])["rt-a"]["subnets"] == [ids["subnets"][3]]
    # purge_subnets=false keeps the table's other subnets; true removes them.
    ec2.associate_route_table(RouteTableId=results[0]["id"], SubnetId=ids["subnets"][2])
    recorder.clear()
    results, _diff = ensure(ec2, ids, tables, purge_subnets=False)
    assert not results[0]["changed"] and recorder.writes() == []
    results, _diff = ensure(ec2, ids, tables)
    assert results[0]["changed"] and recorder.writes() == ["DisassociateRouteTable"]
    assert by_name(ec2, ids["vpc"])["rt-a"]["subnets"] == [ids["subnets"][3]]


def test_unset_options_and_purge_false_leave_things_alone(vpc):
    ec2, ids, recorder = vpc
    results, _diff = ensure(ec2, ids, wanted(ids))
    ec2.create_route(RouteTableId=results[0]["id"], DestinationCidrBlock="192.168.0.0/16", GatewayId=ids["igw"])
    ec2.create_tags(Resources=[results[0]["id"]], Tags=[{"Key": "Extra", "Value": "y"}])
    recorder.clear()
    tables = [{"name": "rt-public", "tags": None, "subnets": None, "routes": None}]
    assert not ensure(ec2, ids, tables)[0][0]["changed"]
    assert not ensure(ec2, ids, wanted(ids)[:1], purge_routes=False, purge_tags=False)[0][0]["changed"]
    assert recorder.writes() == []


def test_the_local_and_endpoint_routes_are_not_ours(vpc):
    ec2, ids, _recorder = vpc
    results, _diff = ensure(ec2, ids, wanted(ids))
    ec2.create_vpc_endpoint(
        VpcId=ids["vpc"], ServiceName="com.amazonaws.us-east-1.s3", RouteTableIds=[results[2]["id"]]
    )
    current = rt.read_route_tables(ec2, ids["vpc"])
    assert [d["differences"] for d in compare.route_table_differences(current, wanted(ids))] == [[], [], []]
    local = [{"dest": "10.0.0.0/16", "gateway_id": "igw-x"}]
    with pytest.raises(compare.RouteTablePlanError, match="CreateRouteTable route"):
        compare.plan_route_tables(current, [{"name": "rt-database", "routes": local}])


def test_plan_errors_name_the_problem():
    with pytest.raises(compare.RouteTablePlanError, match="subnet subnet-1 is wanted by both a and b"):
        compare.plan_route_tables([], [{"name": "a", "subnets": ["subnet-1"]}, {"name": "b", "subnets": ["subnet-1"]}])
    with pytest.raises(compare.RouteTablePlanError, match="not a CIDR"):
        compare.plan_route_tables([], [{"name": "a", "routes": [{"dest": "nowhere", "gateway_id": "igw-1"}]}])
    with pytest.raises(compare.RouteTablePlanError, match="exactly one"):
        compare.plan_route_tables([], [{"name": "a", "routes": [{"dest": "0.0.0.0/0"}]}])
    twins = [{"id": f"rtb-{i}", "tags": {"Name": "a"}, "routes": [], "associations": []} for i in (1, 2)]
    with pytest.raises(compare.RouteTablePlanError, match="2 route tables of the VPC are named a"):
        compare.plan_route_tables(twins, [{"name": "a"}])


def test_a_nat_gateway_id_given_as_gateway_id_is_a_nat_route():
    assert compare.wanted_route({"dest": "0.0.0.0/0", "gateway_id": "nat-1"}) == {
        "destination_cidr_block": "0.0.0.0/0",
        "nat_gateway_id": "nat-1",
    }
    assert compare.wanted_route({"dest": "::/0", "gateway_id": "igw-1"}) == {
        "destination_ipv6_cidr_block": "::/0",
        "gateway_id": "igw-1",
    }


def test_not_yet_visible_resources_are_retried(vpc, monkeypatch):
    ec2, ids, _recorder = vpc
    table = ec2.create_route_table(VpcId=ids["vpc"])["RouteTable"]["RouteTableId"]
    real = ec2.create_route
    answers = iter(
        [client_error("InvalidNatGatewayID.NotFound", "CreateRoute"), client_error("InvalidRouteTableID.NotFound")]
    )

    def flaky(**params):
        error = next(answers, None)
        if error:
            raise error
        return real(**params)

    monkeypatch.setattr(ec2, "create_route", flaky)
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    assert rt.create_route(ec2, table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=ids["nats"][0])
    assert next(answers, None) is None
    routes = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"]
    assert [r.get("NatGatewayId") for r in routes if r.get("Origin") == "CreateRoute"] == [ids["nats"][0]]
