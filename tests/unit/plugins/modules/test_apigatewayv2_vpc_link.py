"""payments.infra.apigatewayv2_vpc_link decisions, against moto's in-process AWS (no network)."""

import boto3
import pytest
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import PaymentsApiGatewayV2Error
from ansible_collections.payments.infra.plugins.modules import apigatewayv2_vpc_link as module

NAME = "payments-gateway-test"


@pytest.fixture
def client(moto_aws):
    yield boto3.client("apigatewayv2", region_name="us-east-1")


def params(**overrides):
    base = {
        "name": NAME,
        "state": "present",
        "subnet_ids": ["subnet-b", "subnet-a"],
        "security_group_ids": ["sg-1"],
        "wait": True,
        "wait_timeout": 5,
        "tags": {"Environment": "test"},
        "purge_tags": True,
    }
    base.update(overrides)
    return base


def present(client, p, check_mode=False):
    return module.ensure_present(client, p, check_mode, "aws", "us-east-1")


def test_check_create_rerun(client):
    checked = present(client, params(), True)
    assert checked["changed"] and checked["vpc_link"]["subnet_ids"] == ["subnet-a", "subnet-b"]
    assert client.get_vpc_links()["Items"] == []
    created = present(client, params())["vpc_link"]
    assert created["vpc_link_status"] == "AVAILABLE"
    assert created["arn"] == f"arn:aws:apigateway:us-east-1::/vpclinks/{created['vpc_link_id']}"
    for check_mode in (True, False):
        again = present(client, params(subnet_ids=["subnet-a", "subnet-b"]), check_mode)
        assert not again["changed"]
    assert len(client.get_vpc_links()["Items"]) == 1


def test_tags_update(client):
    present(client, params())
    result = present(client, params(tags={"Environment": "prod"}))
    assert result["changed"]
    assert result["vpc_link"]["tags"] == {"Environment": "prod"}


def test_subnet_or_security_group_change_is_refused(client):
    present(client, params())
    with pytest.raises(PaymentsApiGatewayV2Error, match="cannot change its subnet_ids"):
        present(client, params(subnet_ids=["subnet-c"]))
    with pytest.raises(PaymentsApiGatewayV2Error, match="security_group_ids"):
        present(client, params(security_group_ids=["sg-2"]), True)


def test_create_needs_subnets_and_absent_waits_for_deletion(client):
    with pytest.raises(PaymentsApiGatewayV2Error, match="subnet_ids is required"):
        present(client, params(subnet_ids=None))
    present(client, params())
    assert module.ensure_absent(client, params(state="absent"), False, "aws", "us-east-1")["changed"]
    assert client.get_vpc_links()["Items"] == []
    assert not module.ensure_absent(client, params(state="absent"), False, "aws", "us-east-1")["changed"]


def test_wait_times_out_on_a_link_that_stays_pending():
    class Pending:
        def get_vpc_link(self, VpcLinkId):
            return {"VpcLinkId": VpcLinkId, "VpcLinkStatus": "PENDING"}

    with pytest.raises(PaymentsApiGatewayV2Error, match="Timed out after 0s"):
        module.wait_for(Pending(), "vl", 0, delay=0)


def test_wait_fails_on_a_failed_link():
    class Failed:
        def get_vpc_link(self, VpcLinkId):
            return {"VpcLinkId": VpcLinkId, "VpcLinkStatus": "FAILED", "VpcLinkStatusMessage": "no ENI"}

    with pytest.raises(PaymentsApiGatewayV2Error, match="FAILED: no ENI"):
        module.wait_for(Failed(), "vl", 5, delay=0)
