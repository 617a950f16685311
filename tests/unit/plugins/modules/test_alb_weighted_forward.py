"""payments.infra.alb_weighted_forward decisions, against a fake ELBv2 client (no network)."""

import copy

import pytest
from ansible_collections.payments.infra.plugins.module_utils import elbv2
from ansible_collections.payments.infra.plugins.module_utils.elbv2 import PaymentsELBv2Error
from ansible_collections.payments.infra.plugins.modules import alb_weighted_forward as module
from aws_fakes import Paginator, client_error

LB = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/payment-alb-test/1"
LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/payment-alb-test/1/2"
BLUE = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/payment-blue-test/b"
GREEN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/payment-green-test/g"
NAMES = {BLUE: "payment-blue-test", GREEN: "payment-green-test"}


class FakeELBv2:
    """Just enough of the ELBv2 API for the module: one ALB, one listener, two target groups."""

    def __init__(self, default_actions):
        self.listener = {
            "ListenerArn": LISTENER,
            "LoadBalancerArn": LB,
            "Port": 443,
            "Protocol": "HTTPS",
            "DefaultActions": default_actions,
        }
        self.calls = []

    def describe_listeners(self, ListenerArns=None, LoadBalancerArn=None):
        self.calls.append("DescribeListeners")
        if ListenerArns and ListenerArns != [LISTENER]:
            raise client_error("ListenerNotFound", "DescribeListeners", "ListenerNotFound")
        return {"Listeners": [copy.deepcopy(self.listener)]}

    def describe_load_balancers(self, Names=None, LoadBalancerArns=None):
        if Names and Names != ["payment-alb-test"] or LoadBalancerArns and LoadBalancerArns != [LB]:
            raise client_error("LoadBalancerNotFound", "DescribeLoadBalancers", "LoadBalancerNotFound")
        return {"LoadBalancers": [{"LoadBalancerArn": LB, "LoadBalancerName": "payment-alb-test"}]}

    def describe_target_groups(self, Names=None, TargetGroupArns=None):
        by_name = {name: arn for arn, name in NAMES.items()}
        arns = TargetGroupArns or [by_name.get(name) for name in Names]
        if any(arn not in NAMES for arn in arns):
            raise client_error("TargetGroupNotFound", "DescribeTargetGroups", "TargetGroupNotFound")
        return {"TargetGroups": [{"TargetGroupArn": arn, "TargetGroupName": NAMES[arn]} for arn in arns]}

    def get_paginator(self, name):
        return Paginator(getattr(self, name))

    def modify_listener(self, ListenerArn, DefaultActions):
        self.calls.append("ModifyListener")
        self.listener["DefaultActions"] = copy.deepcopy(DefaultActions)
        return {"Listeners": [copy.deepcopy(self.listener)]}


def weighted(blue, green, sticky=None):
    config = {
        "TargetGroups": [{"TargetGroupArn": BLUE, "Weight": blue}, {"TargetGroupArn": GREEN, "Weight": green}],
        "TargetGroupStickinessConfig": sticky or {"Enabled": False},
    }
    return [{"Type": "forward", "ForwardConfig": config}]


def params(blue=90, green=10, stickiness=None, **overrides):
    base = {
        "listener_arn": None,
        "load_balancer_name": "payment-alb-test",
        "load_balancer_arn": None,
        "port": 443,
        "target_groups": [
            {"name": "payment-blue-test", "arn": None, "weight": blue},
            {"name": "payment-green-test", "arn": None, "weight": green},
        ],
        "stickiness": stickiness,
    }
    base.update(overrides)
    return base


def test_weights_already_set_change_nothing():
    client = FakeELBv2(weighted(90, 10))
    changed, _listener, before, after = module.ensure_weights(client, params(), False)
    assert not changed
    assert before == after
    assert "ModifyListener" not in client.calls
    assert elbv2.weights(after) == {"payment-blue-test": 90, "payment-green-test": 10}


def test_target_groups_in_another_order_or_by_arn_change_nothing():
    client = FakeELBv2(list(reversed(weighted(90, 10))))
    client.listener["DefaultActions"][0]["ForwardConfig"]["TargetGroups"].reverse()
    p = params(listener_arn=LISTENER, load_balancer_name=None, port=None)
    p["target_groups"] = [{"name": None, "arn": GREEN, "weight": 10}, {"name": None, "arn": BLUE, "weight": 90}]
    changed, _listener, _before, _after = module.ensure_weights(client, p, False)
    assert not changed


def test_weight_change_modifies_only_the_weights():
    client = FakeELBv2(weighted(90, 10))
    changed, listener, before, after = module.ensure_weights(client, params(50, 50), False)
    assert changed
    assert client.calls.count("ModifyListener") == 1
    config = listener["DefaultActions"][0]["ForwardConfig"]
    assert {g["TargetGroupArn"]: g["Weight"] for g in config["TargetGroups"]} == {BLUE: 50, GREEN: 50}
    assert config["TargetGroupStickinessConfig"] == {"Enabled": False}
    assert elbv2.summary(before, after) == "payment-blue-test 90→50, payment-green-test 10→50"


def test_check_mode_reports_the_same_change_and_calls_nothing():
    client = FakeELBv2(weighted(90, 10))
    changed, listener, before, after = module.ensure_weights(client, params(50, 50), True)
    assert changed
    assert "ModifyListener" not in client.calls
    assert elbv2.weights(before) == {"payment-blue-test": 90, "payment-green-test": 10}
    assert elbv2.weights(after) == {"payment-blue-test": 50, "payment-green-test": 50}
    assert listener["DefaultActions"] == weighted(90, 10)


def test_unset_stickiness_is_left_alone_and_set_stickiness_is_applied():
    client = FakeELBv2(weighted(90, 10, {"Enabled": True, "DurationSeconds": 600}))
    changed, _listener, _before, after = module.ensure_weights(client, params(), False)
    assert not changed
    assert after["stickiness"] == {"enabled": True, "duration": 600}
    changed, listener, _before, after = module.ensure_weights(client, params(stickiness={"enabled": False}), False)
    assert changed
    assert listener["DefaultActions"][0]["ForwardConfig"]["TargetGroupStickinessConfig"] == {"Enabled": False}


def test_stickiness_enabled_without_duration_gets_the_default():
    client = FakeELBv2(weighted(90, 10))
    stickiness = {"enabled": True, "duration": None}
    changed, _listener, before, after = module.ensure_weights(client, params(stickiness=stickiness), False)
    assert changed
    assert after["stickiness"] == {"enabled": True, "duration": 3600}
    assert elbv2.summary(before, after) == "stickiness off→on 3600s"


def test_single_target_group_forward_is_normalised_and_replaced():
    client = FakeELBv2([{"Type": "forward", "TargetGroupArn": BLUE, "Order": 1}])
    changed, listener, before, _after = module.ensure_weights(client, params(), False)
    assert changed
    assert elbv2.weights(before) == {"payment-blue-test": 1}
    action = listener["DefaultActions"][0]
    assert action["Order"] == 1
    assert "TargetGroupArn" not in action


def test_authentication_actions_are_kept():
    oidc = {"Type": "authenticate-oidc", "Order": 1, "AuthenticateOidcConfig": {"Issuer": "https://idp"}}
    forward = dict(weighted(90, 10)[0], Order=2)
    client = FakeELBv2([oidc, forward])
    _changed, listener, _before, _after = module.ensure_weights(client, params(80, 20), False)
    assert listener["DefaultActions"][0] == oidc
    assert listener["DefaultActions"][1]["Order"] == 2


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"listener_arn": LISTENER + "x", "load_balancer_name": None, "port": None}, "does not exist"),
        ({"load_balancer_name": "nope"}, "load balancer nope does not exist"),
        ({"port": 80}, "no listener on port 80"),
    ],
)
def test_missing_listener_is_an_error(overrides, message):
    client = FakeELBv2(weighted(90, 10))
    with pytest.raises(PaymentsELBv2Error, match=message):
        module.ensure_weights(client, params(**overrides), False)


def test_missing_target_group_or_a_non_forward_listener_is_an_error():
    client = FakeELBv2(weighted(90, 10))
    p = params()
    p["target_groups"][1]["name"] = "payment-red-test"
    with pytest.raises(PaymentsELBv2Error, match="does not exist"):
        module.ensure_weights(client, p, False)
    client = FakeELBv2([{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "503"}}])
    with pytest.raises(PaymentsELBv2Error, match="does not forward"):
        module.ensure_weights(client, params(), False)


def test_same_target_group_twice_is_an_error():
    client = FakeELBv2(weighted(90, 10))
    p = params()
    p["target_groups"][1] = {"name": None, "arn": BLUE, "weight": 10}
    with pytest.raises(PaymentsELBv2Error, match="twice"):
        module.ensure_weights(client, p, False)
