"""payments.infra.ec2_nat_gateways and the filter ec2_nat_gateways_plan: NAT gateways with their own Elastic IPs,
read once (DescribeNatGateways + DescribeAddresses), created or tag-corrected only where they differ, against moto's
in-process AWS (no network)."""

import boto3
import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.payments.infra.plugins.filter.ec2_nat_gateways_plan import ec2_nat_gateways_plan
from ansible_collections.payments.infra.plugins.module_utils import nat_gateways
from ansible_collections.payments.infra.plugins.module_utils.ec2 import PaymentsEC2Error
from ansible_collections.payments.infra.plugins.module_utils.vpc_resources import read
from ansible_collections.payments.infra.plugins.modules import ec2_nat_gateways
from aws_fakes import Recorder, client_error

REGION = "us-east-1"
WRITES = ("AllocateAddress", "CreateNatGateway", "CreateTags", "DeleteTags")


@pytest.fixture
def aws(moto_aws, monkeypatch):
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in enumerate("abc")
    ]
    return ec2, subnets, Recorder(monkeypatch, ec2, writes=WRITES)


def items(subnets, **extra_tags):
    return [
        {
            "subnet_id": subnet,
            "tags": {"Name": f"payment-test-nat-{az}", "Component": "nat", **extra_tags},
            "eip_tags": {"Name": f"payment-test-nat-{az}", "Component": "nat-eip"},
            "connectivity_type": "public",
        }
        for subnet, az in zip(subnets, "abc", strict=True)
    ]


def module_args(nat_items, **options):
    return {"nat_gateways": nat_items, "region": REGION, **options}


def live_nats(ec2, subnets=None):
    """The NAT gateways pending or available, in the order of subnets when given."""
    found = ec2.describe_nat_gateways(Filter=[{"Name": "state", "Values": ["pending", "available"]}])["NatGateways"]
    if subnets is None:
        return sorted(found, key=lambda n: n["SubnetId"])
    return sorted(found, key=lambda n: subnets.index(n["SubnetId"]))


def tags_of(resource):
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def found(ec2):
    """What the network role's lookup reads (ec2_vpc_resources_info), for the filter."""
    vpc_id = ec2.describe_vpcs()["Vpcs"][-1]["VpcId"]
    result = read(
        ec2, {"vpc-id": vpc_id}, ["nat_gateways"], vpc_attributes=False, address_filters={"tag:Component": "nat-eip"}
    )
    return result["nat_gateways"], result["addresses"]


def test_check_mode_creates_nothing_and_reports_every_gateway(run_module, aws):
    ec2, subnets, calls = aws
    ok, result = run_module(ec2_nat_gateways, module_args(items(subnets), _ansible_check_mode=True), ec2)
    assert ok and result["changed"], result
    assert calls.writes() == []
    assert calls.operations() == ["DescribeNatGateways", "DescribeAddresses"]
    assert [r["nat_gateway_id"] for r in result["nat_gateways"]] == [None, None, None]
    assert [r["differences"] for r in result["nat_gateways"]] == [["missing"]] * 3
    assert live_nats(ec2) == [] and ec2.describe_addresses()["Addresses"] == []


def test_creates_tagged_addresses_and_gateways_in_input_order_then_changes_nothing(run_module, aws):
    ec2, subnets, calls = aws
    ok, result = run_module(ec2_nat_gateways, module_args(items(subnets), _ansible_diff=True), ec2)
    assert ok and result["changed"], result
    assert calls.writes() == ["AllocateAddress"] * 3 + ["CreateNatGateway"] * 3
    # Tagged in the AllocateAddress and CreateNatGateway requests themselves: no CreateTags.
    for operation, params in calls.calls:
        if operation == "AllocateAddress":
            assert params["TagSpecifications"][0]["ResourceType"] == "elastic-ip"
        if operation == "CreateNatGateway":
            assert params["TagSpecifications"][0]["ResourceType"] == "natgateway"
            assert params["ClientToken"]
    nats = live_nats(ec2)
    assert [r["subnet_id"] for r in result["nat_gateways"]] == subnets
    assert sorted(r["nat_gateway_id"] for r in result["nat_gateways"]) == sorted(n["NatGatewayId"] for n in nats)
    for entry, item in zip(result["nat_gateways"], items(subnets), strict=True):
        assert set(entry) == {
            "subnet_id",
            "nat_gateway_id",
            "allocation_id",
            "public_ip",
            "connectivity_type",
            "state",
            "tags",
            "differences",
            "changed",
        }
        assert entry["changed"] and entry["allocation_id"].startswith("eipalloc-") and entry["public_ip"]
        assert entry["tags"] == item["tags"]
    addresses = {tags_of(a)["Name"]: a for a in ec2.describe_addresses()["Addresses"]}
    assert sorted(addresses) == ["payment-test-nat-a", "payment-test-nat-b", "payment-test-nat-c"]
    assert tags_of(addresses["payment-test-nat-a"])["Component"] == "nat-eip"
    assert result["diff"]["before"] == {s: {} for s in subnets}
    assert result["diff"]["after"][subnets[0]]["tags"]["Component"] == "nat"

    calls.clear()
    ok, again = run_module(ec2_nat_gateways, module_args(items(subnets)), ec2)
    assert ok and not again["changed"], again
    assert calls.operations() == ["DescribeNatGateways", "DescribeAddresses"]
    assert [r["nat_gateway_id"] for r in again["nat_gateways"]] == [r["nat_gateway_id"] for r in result["nat_gateways"]]
    assert [r["differences"] for r in again["nat_gateways"]] == [[], [], []]
    # The filter, on what the role's lookup reads, agrees: nothing differs.
    nats_read, addresses_read = found(ec2)
    plan = ec2_nat_gateways_plan(items(subnets), nats_read, addresses_read)
    assert [p["differences"] for p in plan] == [[], [], []]
    assert [p["nat_gateway_id"] for p in plan] == [r["nat_gateway_id"] for r in result["nat_gateways"]]


def test_an_address_left_by_a_killed_run_is_reused_not_leaked(run_module, aws):
    ec2, subnets, calls = aws
    left = ec2.allocate_address(
        Domain="vpc",
        TagSpecifications=[
            {"ResourceType": "elastic-ip", "Tags": [{"Key": "Name", "Value": "payment-test-nat-b"}]},
        ],
    )["AllocationId"]
    nats_read, addresses_read = found(ec2)
    # The role's lookup reads addresses by Component: this one has only its Name; the module reads by Name.
    plan = ec2_nat_gateways_plan(items(subnets), nats_read, addresses_read)
    assert [p["differences"] for p in plan] == [["missing"]] * 3
    calls.clear()
    ok, result = run_module(ec2_nat_gateways, module_args(items(subnets)), ec2)
    assert ok and result["changed"]
    assert calls.writes() == ["AllocateAddress"] * 2 + ["CreateNatGateway"] * 3
    assert result["nat_gateways"][1]["allocation_id"] == left
    assert len(ec2.describe_addresses()["Addresses"]) == 3
    nat_b = [n for n in live_nats(ec2) if n["SubnetId"] == subnets[1]][0]
    assert nat_b["NatGatewayAddresses"][0]["AllocationId"] == left


def test_tag_drift_is_corrected_in_place_with_purge(run_module, aws):
    ec2, subnets, calls = aws
    run_module(ec2_nat_gateways, module_args(items(subnets)), ec2)
    ids = [n["NatGatewayId"] for n in live_nats(ec2, subnets)]
    nat = live_nats(ec2, subnets)[1]
    ec2.create_tags(Resources=[nat["NatGatewayId"]], Tags=[{"Key": "Component", "Value": "drifted"}])
    ec2.create_tags(Resources=[nat["NatGatewayId"]], Tags=[{"Key": "Extra", "Value": "x"}])
    nats_read, addresses_read = found(ec2)
    plan = ec2_nat_gateways_plan(items(subnets), nats_read, addresses_read)
    assert [p["differences"] for p in plan] == [[], ["tags"], []]

    calls.clear()
    ok, check = run_module(ec2_nat_gateways, module_args(items(subnets), _ansible_check_mode=True), ec2)
    assert ok and check["changed"] and calls.writes() == []
    assert [r["changed"] for r in check["nat_gateways"]] == [False, True, False]
    ok, fixed = run_module(ec2_nat_gateways, module_args(items(subnets)), ec2)
    assert ok and fixed["changed"]
    assert calls.writes() == ["CreateTags", "DeleteTags"]
    assert tags_of(live_nats(ec2, subnets)[1]) == items(subnets)[1]["tags"]
    assert [n["NatGatewayId"] for n in live_nats(ec2, subnets)] == ids

    # purge_tags=false: the tag Extra is added to every NAT gateway, the one it drifted on keeps its other tags.
    ec2.create_tags(Resources=[nat["NatGatewayId"]], Tags=[{"Key": "Kept", "Value": "k"}])
    calls.clear()
    ok, kept = run_module(ec2_nat_gateways, module_args(items(subnets, Extra="y"), purge_tags=False), ec2)
    assert ok and kept["changed"] and calls.writes() == ["CreateTags"] * 3
    assert tags_of(live_nats(ec2, subnets)[1])["Kept"] == "k"


def test_a_gateway_with_another_address_is_reported_not_replaced(run_module, aws):
    ec2, subnets, calls = aws
    other = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat_id = ec2.create_nat_gateway(SubnetId=subnets[0], AllocationId=other)["NatGateway"]["NatGatewayId"]
    ec2.create_tags(Resources=[nat_id], Tags=[{"Key": k, "Value": v} for k, v in items(subnets)[0]["tags"].items()])
    ec2.allocate_address(
        Domain="vpc",
        TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": [{"Key": "Name", "Value": "payment-test-nat-a"}]}],
    )
    calls.clear()
    ok, result = run_module(ec2_nat_gateways, module_args(items(subnets)[:1]), ec2)
    assert ok and not result["changed"], result
    assert calls.writes() == []
    assert result["nat_gateways"][0]["differences"] == ["allocation_id"]
    assert result["nat_gateways"][0]["nat_gateway_id"] == nat_id
    assert result["nat_gateways"][0]["allocation_id"] == other
    assert any("not replaced" in w for w in result["warnings"])


def test_failed_and_deleted_gateways_are_ignored(aws):
    _ec2, subnets, _calls = aws
    gateways = [
        {"nat_gateway_id": "nat-1", "subnet_id": subnets[0], "state": "failed"},
        {"nat_gateway_id": "nat-2", "subnet_id": subnets[0], "state": "deleted"},
    ]
    plan = ec2_nat_gateways_plan(items(subnets)[:1], gateways, [])
    assert plan[0]["differences"] == ["missing"] and plan[0]["nat_gateway_id"] is None


def test_bad_items_fail_before_any_aws_call(run_module, aws):
    ec2, subnets, calls = aws
    repeated = items(subnets)[:1] * 2
    ok, result = run_module(ec2_nat_gateways, module_args(repeated), ec2)
    assert not ok and "subnets must be distinct" in result["msg"]
    no_name = [dict(items(subnets)[0], eip_tags={"Component": "nat-eip"})]
    ok, result = run_module(ec2_nat_gateways, module_args(no_name), ec2)
    assert not ok and "eip_tags must hold a Name tag" in result["msg"]
    assert calls.operations() == []
    with pytest.raises(AnsibleFilterError, match="Name tag"):
        ec2_nat_gateways_plan(no_name, [], [])
    with pytest.raises(AnsibleFilterError, match="list of dicts"):
        ec2_nat_gateways_plan(items(subnets), None, [])


def test_empty_list_does_nothing(run_module):
    ok, result = run_module(ec2_nat_gateways, module_args([]), None)
    assert ok and not result["changed"] and result["nat_gateways"] == []


def test_wait_uses_the_available_waiter_for_the_created_gateways(run_module, aws, monkeypatch):
    ec2, subnets, _calls = aws
    waited = []
    monkeypatch.setattr(nat_gateways, "WAITER_DELAY", 1)

    class Waiter:
        def wait(self, NatGatewayIds, WaiterConfig):
            waited.append(NatGatewayIds)

    real = ec2.get_waiter
    monkeypatch.setattr(ec2, "get_waiter", lambda name: Waiter() if name == "nat_gateway_available" else real(name))
    ok, result = run_module(ec2_nat_gateways, module_args(items(subnets)[:2], wait=True), ec2)
    assert ok
    assert waited == [[r["nat_gateway_id"] for r in result["nat_gateways"]]]
    waited.clear()
    ok, again = run_module(ec2_nat_gateways, module_args(items(subnets)[:2], wait=True), ec2)
    assert ok and not again["changed"] and waited == []


def test_create_retries_an_allocation_not_visible_yet(aws, monkeypatch):
    ec2, subnets, _calls = aws
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    real = ec2.create_nat_gateway
    answers = [client_error("InvalidAllocationID.NotFound", "CreateNatGateway")]
    tokens = []

    def flaky(**params):
        tokens.append(params["ClientToken"])
        if answers:
            raise answers.pop()
        return real(**params)

    monkeypatch.setattr(ec2, "create_nat_gateway", flaky)
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    gateway = nat_gateways.create_nat_gateway(
        ec2, SubnetId=subnets[0], AllocationId=allocation, ConnectivityType="public", ClientToken="t-1"
    )
    assert gateway["NatGatewayId"].startswith("nat-") and tokens == ["t-1", "t-1"]


def test_aws_errors_become_the_service_error(aws, monkeypatch):
    ec2, subnets, _calls = aws

    def refused(**params):
        raise client_error("AddressLimitExceeded", "AllocateAddress")

    monkeypatch.setattr(ec2, "allocate_address", refused)
    with pytest.raises(PaymentsEC2Error):
        nat_gateways.allocate_address(ec2, {"Name": "x"})
