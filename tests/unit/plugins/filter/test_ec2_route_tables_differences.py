"""payments.infra.ec2_route_tables_differences: the module's comparison on what ec2_vpc_resources_info read."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.payments.infra.plugins.filter.ec2_route_tables_differences import (
    ec2_route_tables_differences as differences,
)

IGW = "igw-1"


def table(name, routes=(), subnets=(), tags=None, table_id="rtb-1"):
    """A route table as ec2_vpc_resources_info returns it (normalize_route_table's snake_case)."""
    return {
        "id": table_id,
        "route_table_id": table_id,
        "tags": {"Name": name, **(tags or {})},
        "routes": [
            {"destination_cidr_block": "10.0.0.0/16", "gateway_id": "local", "origin": "CreateRouteTable"},
            {"destination_prefix_list_id": "pl-1", "gateway_id": "vpce-1", "origin": "CreateRoute"},
            *routes,
        ],
        "associations": [
            {"main": False, "subnet_id": s, "route_table_association_id": f"rtbassoc-{s}"} for s in subnets
        ],
    }


WANTED = [
    {
        "name": "rt",
        "tags": {"Tier": "public"},
        "subnets": ["subnet-1"],
        "routes": [{"dest": "0.0.0.0/0", "gateway_id": IGW}],
    }
]
ROUTE = {"destination_cidr_block": "0.0.0.0/0", "gateway_id": IGW, "origin": "CreateRoute"}


def test_a_converged_table_differs_in_nothing():
    current = [table("rt", [ROUTE], ["subnet-1"], {"Tier": "public"}), {"id": "rtb-main", "tags": {}}]
    assert differences(current, WANTED) == [{"name": "rt", "id": "rtb-1", "differences": []}]


@pytest.mark.parametrize(
    "current, expected",
    [
        ([], ["missing"]),
        ([table("rt", [ROUTE], ["subnet-1"], {"Tier": "x"})], ["tags"]),
        ([table("rt", [ROUTE], ["subnet-1"], {"Tier": "public", "Extra": "1"})], ["tags"]),
        ([table("rt", [], ["subnet-1"], {"Tier": "public"})], ["routes"]),
        ([table("rt", [{**ROUTE, "gateway_id": "igw-2"}], ["subnet-1"], {"Tier": "public"})], ["routes"]),
        (
            [table("rt", [ROUTE, {**ROUTE, "destination_cidr_block": "1.0.0.0/8"}], ["subnet-1"], {"Tier": "public"})],
            ["routes"],
        ),
        ([table("rt", [ROUTE], [], {"Tier": "public"})], ["subnets"]),
        ([table("rt", [ROUTE], ["subnet-1", "subnet-2"], {"Tier": "public"})], ["subnets"]),
    ],
)
def test_each_drift_is_reported(current, expected):
    assert differences(current, WANTED)[0]["differences"] == expected


def test_purge_false_ignores_extras():
    current = [
        table(
            "rt",
            [ROUTE, {**ROUTE, "destination_cidr_block": "1.0.0.0/8"}],
            ["subnet-1", "subnet-2"],
            {"Tier": "public", "X": "1"},
        )
    ]
    result = differences(current, WANTED, purge_routes=False, purge_subnets=False, purge_tags=False)
    assert result[0]["differences"] == []


def test_bad_input_raises_a_filter_error():
    with pytest.raises(AnsibleFilterError, match="list of route tables"):
        differences({}, WANTED)
    with pytest.raises(AnsibleFilterError, match="with a name"):
        differences([], [{"tags": {}}])
    with pytest.raises(AnsibleFilterError, match="named rt"):
        differences([table("rt"), table("rt", table_id="rtb-2")], WANTED)
