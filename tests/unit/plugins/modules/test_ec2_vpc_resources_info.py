"""payments.infra.ec2_vpc_resources_info: the shapes of the amazon.aws info modules, one request per type (moto)."""

import boto3
import pytest
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.modules import (
    ec2_eip_info,
    ec2_security_group_info,
    ec2_vpc_endpoint_info,
    ec2_vpc_igw_info,
    ec2_vpc_nat_gateway_info,
    ec2_vpc_net_info,
    ec2_vpc_route_table_info,
    ec2_vpc_subnet_info,
)
from ansible_collections.payments.infra.plugins.module_utils.vpc_resources import internet_gateway_selected
from ansible_collections.payments.infra.plugins.modules import ec2_vpc_resources_info as module

REGION = "us-east-1"
VPC_FILTERS = {"tag:Name": "payment-vpc-test", "tag:Environment": "test"}
IGW_NAME = "payment-test-igw"
EIP_FILTERS = {"tag:Environment": "test", "tag:Component": "nat-eip"}


def tag_spec(resource_type, **tags):
    return [{"ResourceType": resource_type, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]


@pytest.fixture
def ec2(moto_aws):
    yield boto3.client("ec2", region_name=REGION)


@pytest.fixture
def stack(ec2):
    """A VPC like the network tier's: subnet, group, table, NAT (with its EIP), IGW, endpoint; plus other things."""
    vpc = ec2.create_vpc(
        CidrBlock="10.0.0.0/16", TagSpecifications=tag_spec("vpc", Name="payment-vpc-test", Environment="test")
    )["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    other_vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(
        VpcId=vpc, CidrBlock="10.0.0.0/24", TagSpecifications=tag_spec("subnet", Name="payment-test-public-a")
    )["Subnet"]["SubnetId"]
    ec2.create_subnet(VpcId=other_vpc, CidrBlock="10.1.0.0/24")
    ec2.create_security_group(
        GroupName="payment-test-alb", Description="ALB", VpcId=vpc, TagSpecifications=tag_spec("security-group", A="b")
    )
    table = ec2.create_route_table(VpcId=vpc, TagSpecifications=tag_spec("route-table", Name="payment-test-rt"))
    table = table["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    igw = ec2.create_internet_gateway(TagSpecifications=tag_spec("internet-gateway", Name=IGW_NAME))
    igw = igw["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    detached = ec2.create_internet_gateway(TagSpecifications=tag_spec("internet-gateway", Name=IGW_NAME))
    ec2.create_internet_gateway(TagSpecifications=tag_spec("internet-gateway", Name="someone-else"))
    other_igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=other_igw, VpcId=other_vpc)
    eip = ec2.allocate_address(
        Domain="vpc", TagSpecifications=tag_spec("elastic-ip", Environment="test", Component="nat-eip")
    )["AllocationId"]
    ec2.allocate_address(Domain="vpc", TagSpecifications=tag_spec("elastic-ip", Environment="other"))
    ec2.create_nat_gateway(
        SubnetId=subnet, AllocationId=eip, TagSpecifications=tag_spec("natgateway", Name="payment-test-nat-a")
    )
    ec2.create_vpc_endpoint(
        VpcId=vpc,
        ServiceName=f"com.amazonaws.{REGION}.s3",
        RouteTableIds=[table],
        TagSpecifications=tag_spec("vpc-endpoint", Name="payment-test-vpce-s3"),
    )
    return {"vpc": vpc, "igw": igw, "detached": detached["InternetGateway"]["InternetGatewayId"], "eip": eip}


@pytest.fixture
def amazon_aws(run_module, monkeypatch, ec2):
    """Run an amazon.aws info module with the same client (run_module patches PaymentsAWSModule.client only)."""
    monkeypatch.setattr(AnsibleAWSModule, "client", lambda self, service, **kwargs: ec2)

    def _run(info_module, args):
        ok, result = run_module(info_module, args, ec2)
        assert ok, result
        return result

    return _run


def operations(client):
    calls = []
    client.meta.events.register("before-call", lambda model, **_kwargs: calls.append(model.name))
    return calls


ALL_ARGS = {"filters": VPC_FILTERS, "internet_gateway_name": IGW_NAME, "address_filters": EIP_FILTERS}


def test_every_list_has_the_shape_of_the_amazon_aws_info_module(stack, ec2, run_module, amazon_aws):
    ok, ours = run_module(module, ALL_ARGS, ec2)
    assert ok, ours
    assert ours["changed"] is False
    in_vpc = {"filters": {"vpc-id": stack["vpc"]}}
    assert ours["vpcs"] == amazon_aws(ec2_vpc_net_info, {"filters": VPC_FILTERS})["vpcs"]
    assert ours["vpcs"][0]["enable_dns_hostnames"] is True and ours["vpcs"][0]["enable_dns_support"] is True
    assert ours["subnets"] == amazon_aws(ec2_vpc_subnet_info, in_vpc)["subnets"]
    assert ours["security_groups"] == amazon_aws(ec2_security_group_info, in_vpc)["security_groups"]
    assert ours["route_tables"] == amazon_aws(ec2_vpc_route_table_info, in_vpc)["route_tables"]
    nat_args = {"filters": {"vpc-id": stack["vpc"], "state": ["pending", "available"]}}
    assert ours["nat_gateways"] == amazon_aws(ec2_vpc_nat_gateway_info, nat_args)["result"]
    assert ours["vpc_endpoints"] == amazon_aws(ec2_vpc_endpoint_info, in_vpc)["vpc_endpoints"]
    assert ours["addresses"] == amazon_aws(ec2_eip_info, {"filters": EIP_FILTERS})["addresses"]
    attached = amazon_aws(ec2_vpc_igw_info, {"filters": {"attachment.vpc-id": stack["vpc"]}})["internet_gateways"]
    named = amazon_aws(ec2_vpc_igw_info, {"filters": {"tag:Name": IGW_NAME}})["internet_gateways"]
    expected = {igw["internet_gateway_id"]: igw for igw in attached + named}
    assert {igw["internet_gateway_id"]: igw for igw in ours["internet_gateways"]} == expected
    assert sorted(expected) == sorted([stack["igw"], stack["detached"]])
    # Every list holds something: the comparisons above compared real items.
    for key in ("subnets", "security_groups", "route_tables", "nat_gateways", "vpc_endpoints", "addresses"):
        assert ours[key], key
    assert ours["addresses"][0]["allocation_id"] == stack["eip"]


def test_one_request_per_resource_type(stack, ec2, run_module):
    calls = operations(ec2)
    ok, result = run_module(module, ALL_ARGS, ec2)
    assert ok, result
    assert calls == [
        "DescribeVpcs",
        "DescribeVpcAttribute",
        "DescribeVpcAttribute",
        "DescribeSubnets",
        "DescribeSecurityGroups",
        "DescribeRouteTables",
        "DescribeNatGateways",
        "DescribeInternetGateways",
        "DescribeVpcEndpoints",
        "DescribeAddresses",
    ]


def test_reads_only_the_types_asked_for(stack, ec2, run_module):
    calls = operations(ec2)
    args = {"filters": VPC_FILTERS, "vpc_attributes": False, "resources": ["subnets", "route_tables"]}
    ok, result = run_module(module, args, ec2)
    assert ok, result
    assert calls == ["DescribeVpcs", "DescribeSubnets", "DescribeRouteTables"]
    assert sorted(result) == ["changed", "route_tables", "subnets", "vpcs"]
    assert "enable_dns_support" not in result["vpcs"][0]


def test_no_vpc_reads_nothing_else_but_the_addresses(ec2, run_module):
    calls = operations(ec2)
    ok, result = run_module(module, {"filters": VPC_FILTERS, "address_filters": EIP_FILTERS}, ec2)
    assert ok, result
    assert calls == ["DescribeVpcs", "DescribeAddresses"]
    assert result["vpcs"] == [] and result["subnets"] == [] and result["internet_gateways"] == []
    assert result["addresses"] == []


def test_two_vpcs_are_reported_and_nothing_is_read_in_them(ec2, run_module):
    for cidr in ("10.0.0.0/16", "10.2.0.0/16"):
        ec2.create_vpc(CidrBlock=cidr, TagSpecifications=tag_spec("vpc", Name="payment-vpc-test", Environment="test"))
    calls = operations(ec2)
    ok, result = run_module(module, {"filters": VPC_FILTERS, "vpc_attributes": False}, ec2)
    assert ok, result
    assert calls == ["DescribeVpcs"]
    assert len(result["vpcs"]) == 2
    assert result["nat_gateways"] == [] and result["vpc_endpoints"] == []


@pytest.mark.parametrize(
    "attachments, tags, name, selected",
    [
        ([{"VpcId": "vpc-1", "State": "available"}], [], None, True),
        ([{"VpcId": "vpc-2", "State": "available"}], [{"Key": "Name", "Value": "n"}], "n", False),
        ([], [{"Key": "Name", "Value": "n"}], "n", True),
        ([], [{"Key": "Name", "Value": "n"}], None, False),
        ([], [{"Key": "Name", "Value": "other"}], "n", False),
        ([], [], "n", False),
    ],
)
def test_internet_gateway_selection(attachments, tags, name, selected):
    gateway = {"InternetGatewayId": "igw-1", "Attachments": attachments, "Tags": tags}
    assert internet_gateway_selected(gateway, "vpc-1", name) is selected


def test_errors_fail_the_module(ec2, run_module, monkeypatch):
    from botocore.exceptions import ClientError

    def denied(*args, **kwargs):
        raise ClientError({"Error": {"Code": "UnauthorizedOperation", "Message": "no"}}, "DescribeVpcs")

    monkeypatch.setattr(ec2, "get_paginator", denied)
    ok, result = run_module(module, {"filters": VPC_FILTERS}, ec2)
    assert not ok
    assert "describe vpcs" in result["msg"]


def test_flow_logs_of_the_vpc_only_as_vpc_flow_logs_info_returns_them(stack, ec2, run_module):
    from ansible_collections.payments.infra.plugins.modules import vpc_flow_logs_info

    boto3.client("logs", region_name=REGION).create_log_group(logGroupName="/aws/vpc/flow-logs/payment-vpc-test")
    subnet = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [stack["vpc"]]}])["Subnets"][0]["SubnetId"]
    for resource_type, resource_id in (("VPC", stack["vpc"]), ("Subnet", subnet)):
        ec2.create_flow_logs(
            ResourceIds=[resource_id],
            ResourceType=resource_type,
            TrafficType="ALL",
            LogDestinationType="cloud-watch-logs",
            LogGroupName="/aws/vpc/flow-logs/payment-vpc-test",
            DeliverLogsPermissionArn="arn:aws:iam::123456789012:role/payment-test-flow-logs",
            MaxAggregationInterval=600,
            TagSpecifications=tag_spec("vpc-flow-log", Name=f"payment-test-{resource_type}"),
        )
    calls = operations(ec2)
    args = {"filters": VPC_FILTERS, "vpc_attributes": False, "resources": ["flow_logs"]}
    ok, ours = run_module(module, args, ec2)
    assert ok, ours
    assert calls == ["DescribeVpcs", "DescribeFlowLogs"]
    ok, info = run_module(vpc_flow_logs_info, {"resource_ids": [stack["vpc"]]}, ec2)
    assert ok, info
    assert ours["flow_logs"] == info["flow_logs"]
    assert [flow_log["resource_id"] for flow_log in ours["flow_logs"]] == [stack["vpc"]]
    assert ours["flow_logs"][0]["tags"] == {"Name": "payment-test-VPC"}
    assert ours["flow_logs"][0]["max_aggregation_interval"] == 600


def test_flow_logs_are_not_read_by_default(stack, ec2, run_module):
    calls = operations(ec2)
    ok, result = run_module(module, {"filters": VPC_FILTERS, "vpc_attributes": False}, ec2)
    assert ok, result
    assert "flow_logs" not in result
    assert "DescribeFlowLogs" not in calls
