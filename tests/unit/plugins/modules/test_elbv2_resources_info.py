"""payments.infra.elbv2_resources_info: the shapes of elb_application_lb_info / elb_target_group_info (moto)."""

import boto3
import pytest
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.modules import elb_application_lb_info
from ansible_collections.community.aws.plugins.modules import elb_target_group_info, wafv2_web_acl_info
from ansible_collections.payments.infra.plugins.modules import elbv2_resources_info as module

REGION = "us-east-1"
ALB = "payment-alb-test"
BLUE = "payment-blue-test"
GREEN = "payment-green-test"
WAF_OPERATIONS = {"get_web_acl_for_resource", "list_tags_for_resource"}


class Clients:
    """One object for module.client(): WAFv2 operations go to the wafv2 client, everything else to elbv2.

    run_module makes module.client() return one object whatever the service; the module asks for both."""

    def __init__(self, elbv2, wafv2):
        self.elbv2, self.wafv2 = elbv2, wafv2

    def __getattr__(self, name):
        return getattr(self.wafv2 if name in WAF_OPERATIONS else self.elbv2, name)


@pytest.fixture
def clients(moto_aws):
    yield {name: boto3.client(name, region_name=REGION) for name in ("ec2", "elbv2", "wafv2")}


def _tags(**tags):
    return [{"Key": k, "Value": v} for k, v in tags.items()]


@pytest.fixture
def stack(clients):
    """An internal ALB with an HTTP listener forwarding blue/green by weight, two tagged target groups, a web ACL."""
    ec2, elbv2, wafv2 = clients["ec2"], clients["elbv2"], clients["wafv2"]
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ab")
    ]
    group = ec2.create_security_group(GroupName="alb", Description="ALB", VpcId=vpc)["GroupId"]
    alb = elbv2.create_load_balancer(
        Name=ALB, Subnets=subnets, SecurityGroups=[group], Scheme="internal", Tags=_tags(Name=ALB, Component="edge")
    )["LoadBalancers"][0]["LoadBalancerArn"]
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=alb, Attributes=[{"Key": "idle_timeout.timeout_seconds", "Value": "120"}]
    )
    arns = {}
    for name, colour in ((BLUE, "blue"), (GREEN, "green")):
        arns[colour] = elbv2.create_target_group(
            Name=name,
            Protocol="HTTP",
            Port=8080,
            VpcId=vpc,
            HealthCheckPath="/health",
            Tags=_tags(Name=name, Color=colour),
        )["TargetGroups"][0]["TargetGroupArn"]
    elbv2.create_target_group(Name="someone-else", Protocol="HTTP", Port=80, VpcId=vpc)
    forward = {
        "Type": "forward",
        "ForwardConfig": {
            "TargetGroups": [
                {"TargetGroupArn": arns["blue"], "Weight": 90},
                {"TargetGroupArn": arns["green"], "Weight": 10},
            ],
            "TargetGroupStickinessConfig": {"Enabled": True, "DurationSeconds": 600},
        },
    }
    elbv2.create_listener(LoadBalancerArn=alb, Protocol="HTTP", Port=8443, DefaultActions=[forward])
    visibility = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "waf"}
    web_acl = wafv2.create_web_acl(
        Name="payment-waf-test",
        Scope="REGIONAL",
        DefaultAction={"Allow": {}},
        VisibilityConfig=visibility,
        Description="test",
        Rules=[
            {
                "Name": "rate-limit-per-ip",
                "Priority": 0,
                "Action": {"Block": {}},
                "Statement": {"RateBasedStatement": {"Limit": 1000, "AggregateKeyType": "IP"}},
                "VisibilityConfig": dict(visibility, MetricName="rate-limit-per-ip"),
            }
        ],
        Tags=_tags(Name="payment-waf-test", Component="edge"),
    )["Summary"]["ARN"]
    return {"alb": alb, "web_acl": web_acl, **arns}


@pytest.fixture
def community(run_module, monkeypatch, clients):
    """Run an amazon.aws / community.aws info module with the same elbv2 client."""
    monkeypatch.setattr(AnsibleAWSModule, "client", lambda self, service, **kwargs: clients["elbv2"])

    def _run(info_module, args):
        ok, result = run_module(info_module, args, clients["elbv2"])
        assert ok, result
        return result

    return _run


def operations(*clients):
    calls = []
    for client in clients:
        client.meta.events.register("before-call", lambda model, **_kwargs: calls.append(model.name))
    return calls


ARGS = {"load_balancer_names": [ALB], "target_group_names": [BLUE, GREEN], "include_web_acl": True}


def test_shapes_are_those_of_the_info_modules_it_replaces(stack, clients, run_module, community):
    ok, ours = run_module(module, ARGS, Clients(clients["elbv2"], clients["wafv2"]))
    assert ok, ours
    assert ours["changed"] is False
    theirs = community(elb_application_lb_info, {"names": [ALB], "include_listener_rules": False})
    assert ours["load_balancers"] == theirs["load_balancers"]
    assert community(elb_target_group_info, {"names": [BLUE, GREEN]})["target_groups"] == ours["target_groups"]
    # The comparisons above compared the parts the role reads.
    (balancer,) = ours["load_balancers"]
    assert balancer["idle_timeout_timeout_seconds"] == "120" and balancer["tags"] == {"Name": ALB, "Component": "edge"}
    (listener,) = balancer["listeners"]
    config = listener["default_actions"][0]["forward_config"]
    assert [group["weight"] for group in config["target_groups"]] == [90, 10]
    assert config["target_group_stickiness_config"] == {"enabled": True, "duration_seconds": 600}
    groups = {group["target_group_name"]: group for group in ours["target_groups"]}
    assert sorted(groups) == [BLUE, GREEN]
    assert groups[GREEN]["tags"] == {"Name": GREEN, "Color": "green"}
    assert "deregistration_delay_timeout_seconds" in groups[BLUE]
    assert ours["web_acls"] == {ALB: None}  # not associated


def test_without_attributes_like_the_info_module(stack, clients, run_module, community):
    args = {"load_balancer_names": [ALB], "include_attributes": False}
    ok, ours = run_module(module, args, Clients(clients["elbv2"], clients["wafv2"]))
    assert ok, ours
    theirs = community(
        elb_application_lb_info, {"names": [ALB], "include_listener_rules": False, "include_attributes": False}
    )
    assert ours["load_balancers"] == theirs["load_balancers"]
    assert "idle_timeout_timeout_seconds" not in ours["load_balancers"][0]
    assert ours["target_groups"] == [] and "web_acls" not in ours


def test_associated_web_acl_has_the_shape_of_wafv2_web_acl_info(stack, clients, run_module, monkeypatch):
    clients["wafv2"].associate_web_acl(WebACLArn=stack["web_acl"], ResourceArn=stack["alb"])
    calls = operations(clients["elbv2"], clients["wafv2"])
    ok, result = run_module(module, ARGS, Clients(clients["elbv2"], clients["wafv2"]))
    assert ok, result
    requests = list(calls)
    web_acl = result["web_acls"][ALB]
    monkeypatch.setattr(AnsibleAWSModule, "client", lambda self, service, **kwargs: clients["wafv2"])
    ok, theirs = run_module(wafv2_web_acl_info, {"name": "payment-waf-test", "scope": "REGIONAL"}, clients["wafv2"])
    assert ok, theirs
    theirs.pop("changed", None)
    assert web_acl == theirs
    assert web_acl["arn"] == stack["web_acl"] and web_acl["tags"] == {"Name": "payment-waf-test", "Component": "edge"}
    assert web_acl["rules"][0]["statement"]["rate_based_statement"]["limit"] == 1000
    assert requests == [
        "DescribeLoadBalancers",
        "DescribeLoadBalancerAttributes",
        "DescribeListeners",
        "DescribeTargetGroups",
        "DescribeTargetGroupAttributes",
        "DescribeTargetGroupAttributes",
        "DescribeTags",
        "GetWebACLForResource",
        "ListTagsForResource",
    ]


def test_missing_resources_are_left_out(stack, clients, run_module):
    calls = operations(clients["elbv2"], clients["wafv2"])
    args = {"load_balancer_names": ["nope"], "target_group_names": [BLUE, "missing"], "include_web_acl": True}
    ok, result = run_module(module, args, Clients(clients["elbv2"], clients["wafv2"]))
    assert ok, result
    assert result["load_balancers"] == [] and result["web_acls"] == {}
    assert [group["target_group_arn"] for group in result["target_groups"]] == [stack["blue"]]
    # Both names fail together, then each alone; no web ACL request without a load balancer.
    assert calls == [
        "DescribeLoadBalancers",
        "DescribeTargetGroups",
        "DescribeTargetGroups",
        "DescribeTargetGroups",
        "DescribeTargetGroupAttributes",
        "DescribeTags",
    ]


def test_empty_account_reads_nothing_more(clients, run_module):
    calls = operations(clients["elbv2"], clients["wafv2"])
    ok, result = run_module(module, ARGS, Clients(clients["elbv2"], clients["wafv2"]))
    assert ok, result
    assert result == {"changed": False, "load_balancers": [], "target_groups": [], "web_acls": {}}
    assert calls == ["DescribeLoadBalancers", "DescribeTargetGroups", "DescribeTargetGroups", "DescribeTargetGroups"]


def test_errors_fail_the_module(stack, clients, run_module, monkeypatch):
    from botocore.exceptions import ClientError

    def denied(*args, **kwargs):
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "DescribeTags")

    monkeypatch.setattr(clients["elbv2"], "describe_tags", denied)
    ok, result = run_module(module, ARGS, Clients(clients["elbv2"], clients["wafv2"]))
    assert not ok
    assert "describe tags" in result["msg"]
