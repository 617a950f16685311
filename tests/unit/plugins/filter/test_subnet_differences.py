"""subnet_differences: the subnets payments.infra.ec2_subnets would change, from the subnets as
payments.infra.ec2_vpc_resources_info returns them, with the module's own comparison
(module_utils/subnet_compare.py)."""

import boto3
import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.payments.infra.plugins.filter.subnet_differences import FilterModule, subnet_differences
from ansible_collections.payments.infra.plugins.module_utils.subnet_compare import subnet_differences as diff
from ansible_collections.payments.infra.plugins.module_utils.subnets import ensure_subnets
from ansible_collections.payments.infra.plugins.module_utils.vpc_resources import normalize_subnet

REGION = "us-east-1"


def info_subnet(cidr, map_public=False, assign_ipv6=False, tags=None, ipv6_states=()):
    """One subnet in the shape of ec2_vpc_resources_info (amazon.aws ec2_vpc_subnet_info)."""
    return {
        "id": f"subnet-{abs(hash(cidr)) % 10**8:08d}",
        "cidr_block": cidr,
        "availability_zone": "us-east-1a",
        "vpc_id": "vpc-1",
        "state": "available",
        "map_public_ip_on_launch": map_public,
        "assign_ipv6_address_on_creation": assign_ipv6,
        "ipv6_cidr_block_association_set": [
            {
                "association_id": f"subnet-cidr-assoc-{index}",
                "ipv6_cidr_block": f"2600:1f18::{index}/64",
                "ipv6_cidr_block_state": {"state": state},
            }
            for index, state in enumerate(ipv6_states)
        ],
        "tags": dict(tags or {"Name": "a", "Tier": "private"}),
    }


WANTED = [
    {"cidr": "10.0.8.0/24", "az": "us-east-1a", "map_public": False, "tags": {"Name": "a", "Tier": "private"}},
    {"cidr": "10.0.9.0/24", "az": "us-east-1b", "tags": {"Name": "a", "Tier": "private"}},
]


def test_registered():
    assert FilterModule().filters()["subnet_differences"] is subnet_differences


def test_a_converged_vpc_has_no_difference():
    current = [info_subnet("10.0.8.0/24"), info_subnet("10.0.9.0/24"), info_subnet("10.0.99.0/24")]
    assert subnet_differences(WANTED, current) == []


@pytest.mark.parametrize(
    "drifted, reasons",
    [
        (None, ["missing"]),
        (info_subnet("10.0.9.0/24", map_public=True), ["map_public"]),
        (info_subnet("10.0.9.0/24", tags={"Name": "a"}), ["tags"]),
        (info_subnet("10.0.9.0/24", tags={"Name": "a", "Tier": "private", "Extra": "x"}), ["tags"]),
        (info_subnet("10.0.9.0/24", ipv6_states=["associated"]), ["ipv6_association"]),
        (
            info_subnet("10.0.9.0/24", ipv6_states=["associating"], assign_ipv6=True),
            ["ipv6_association", "assign_ipv6"],
        ),
        (info_subnet("10.0.9.0/24", ipv6_states=["disassociated", "failed"]), []),
    ],
)
def test_each_difference_the_module_corrects_is_found(drifted, reasons):
    current = [info_subnet("10.0.8.0/24")] + ([drifted] if drifted else [])
    assert diff(drifted, WANTED[1]) == reasons
    assert subnet_differences(WANTED, current) == ([WANTED[1]] if reasons else [])


def test_purge_tags_false_and_unset_tags_ignore_extra_tags():
    current = [info_subnet("10.0.8.0/24", tags={"Name": "a", "Tier": "private", "Extra": "x"})]
    assert subnet_differences(WANTED[:1], current, purge_tags=False) == []
    assert subnet_differences([dict(WANTED[0], tags=None)], current) == []
    assert subnet_differences(WANTED[:1], current) == WANTED[:1]


def test_the_availability_zone_of_an_existing_subnet_is_not_compared():
    assert subnet_differences([dict(WANTED[0], az="us-east-1c")], [info_subnet("10.0.8.0/24")]) == []


@pytest.mark.parametrize(
    "desired, current, message",
    [
        ("x", [], "the desired subnets must be a list of dicts"),
        ([{"cidr": "10.0.8.0/24"}], None, "current must be a list of subnets"),
        ([{"cidr": "10.0.8.0/24", "ipv6_cidr": "::/64"}], [], "options the comparison does not cover: ipv6_cidr"),
        ([{"az": "us-east-1a"}], [], "every subnet needs a cidr"),
    ],
)
def test_bad_input_raises_a_filter_error(desired, current, message):
    with pytest.raises(AnsibleFilterError, match=message):
        subnet_differences(desired, current)


def test_the_filter_agrees_with_the_module_on_what_aws_reports(moto_aws):
    """After the module converged the subnets, the filter on the DescribeSubnets read (as ec2_vpc_resources_info
    normalises it) finds nothing; after a drift it finds exactly the drifted subnet."""
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    results, _diff = ensure_subnets(ec2, vpc_id, WANTED, True, False)

    def read():
        found = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
        return [normalize_subnet(subnet) for subnet in found]

    assert subnet_differences(WANTED, read()) == []
    ec2.modify_subnet_attribute(SubnetId=results[0]["id"], MapPublicIpOnLaunch={"Value": True})
    assert subnet_differences(WANTED, read()) == WANTED[:1]
    ensure_subnets(ec2, vpc_id, subnet_differences(WANTED, read()), True, False)
    assert subnet_differences(WANTED, read()) == []
