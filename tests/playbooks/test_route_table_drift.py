"""Drift of the network tier's route tables on a converged account: --check reports it with no write, a rerun corrects
exactly that with one call of payments.infra.ec2_route_tables, and the rerun after it changes nothing.

The network tier reads its route tables once (payments.infra.ec2_vpc_resources_info in lookup.yml); the
payments.infra.ec2_route_tables_differences filter compares them with the plan using the module's own code, and the
module runs (one call for all seven tables) only when a table differs (tasks/routes.yml). This test is the witness
that the comparison sees a route's target, a tag and a subnet association changed by hand. The drift is made with
boto3; what the runs send is read from the emulator's request log.
"""

import boto3
import pytest
from test_tag_drift import run, writes

pytestmark = [pytest.mark.slow, pytest.mark.emulator]

ENV = "local"
PREFIX = f"payment-{ENV}-rt-"
TIER = ("--tags", "network")
TABLES = 7  # public + private and database per AZ (3 AZs)


def tables_by_name(ec2):
    found = ec2.describe_route_tables(Filters=[{"Name": "tag:Component", "Values": ["route-table"]}])["RouteTables"]
    return {tag["Value"]: table for table in found for tag in table.get("Tags", []) if tag["Key"] == "Name"}


def created_routes(table):
    return sorted(
        (route["DestinationCidrBlock"], route.get("NatGatewayId") or route.get("GatewayId"))
        for route in table["Routes"]
        if route.get("Origin") == "CreateRoute" and route.get("DestinationCidrBlock")
    )


def subnets(table):
    return sorted(a["SubnetId"] for a in table.get("Associations", []) if not a.get("Main") and a.get("SubnetId"))


def state(ec2):
    return {
        name: (table["RouteTableId"], created_routes(table), subnets(table), sorted(map(str, table.get("Tags", []))))
        for name, table in tables_by_name(ec2).items()
    }


def test_route_table_drift_is_corrected(playbook, monkeypatch, record_property):
    for key, value in playbook.emulator.aws_env().items():
        monkeypatch.setenv(key, value)
    run(playbook, *TIER)

    changed, noop = run(playbook, *TIER)
    assert changed == 0 and not writes(noop), writes(noop)
    # The lookup's one read of the route tables; the module is not called.
    assert noop.get("ec2:DescribeRouteTables") == 1, noop

    ec2 = boto3.client("ec2", region_name="us-east-1")
    converged = state(ec2)
    assert len(converged) == TABLES, sorted(converged)
    tables = tables_by_name(ec2)
    private_a, private_b = tables[f"{PREFIX}private-us-east-1a"], tables[f"{PREFIX}private-us-east-1b"]
    public, database_c = tables[f"{PREFIX}public"], tables[f"{PREFIX}database-us-east-1c"]
    other_nat = created_routes(private_b)[0][1]
    # Drift 1: the first private table's default route sent to another AZ's NAT gateway.
    ec2.replace_route(RouteTableId=private_a["RouteTableId"], DestinationCidrBlock="0.0.0.0/0", NatGatewayId=other_nat)
    # Drift 2: a route added by hand to the public table.
    igw = created_routes(public)[0][1]
    ec2.create_route(RouteTableId=public["RouteTableId"], DestinationCidrBlock="192.168.0.0/16", GatewayId=igw)
    # Drift 3: a tag changed on a database table.
    ec2.create_tags(Resources=[database_c["RouteTableId"]], Tags=[{"Key": "Tier", "Value": "drifted"}])
    # Drift 4: a private subnet moved to the public table.
    moved = subnets(private_b)[0]
    association = next(a for a in private_b["Associations"] if a.get("SubnetId") == moved)
    ec2.replace_route_table_association(
        AssociationId=association["RouteTableAssociationId"], RouteTableId=public["RouteTableId"]
    )

    changed, check = run(playbook, *TIER, "--check", "--diff")
    assert changed == 1, check  # the one ec2_route_tables task
    assert not writes(check), writes(check)

    changed, fixed = run(playbook, *TIER)
    assert changed == 1
    corrections = writes(fixed)
    assert corrections == {
        "ec2:ReplaceRoute": 1,
        "ec2:DeleteRoute": 1,
        "ec2:CreateTags": 1,
        "ec2:ReplaceRouteTableAssociation": 1,
    }, corrections
    # The module's one read besides the lookup's.
    assert fixed.get("ec2:DescribeRouteTables") == 2, fixed
    assert state(ec2) == converged  # corrected in place: same ids, routes, subnets and tags

    changed, again = run(playbook, *TIER)
    assert changed == 0 and not writes(again), writes(again)

    record_property(
        "figure",
        f"route table drift: no-op --tags network {sum(noop.values())} requests (DescribeRouteTables "
        f"{noop['ec2:DescribeRouteTables']}, no module call); 4 drifts on 4 of {TABLES} tables: --check changed=1 "
        f"with 0 writes, rerun changed=1 with {sum(corrections.values())} writes ({', '.join(sorted(corrections))}), "
        "next rerun changed=0",
    )
