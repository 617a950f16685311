"""payments.infra.apigatewayv2_info reads, against moto's in-process AWS (no network)."""

import boto3
import pytest
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import PaymentsApiGatewayV2Error
from ansible_collections.payments.infra.plugins.modules import apigatewayv2_info as module

PARTITION = "aws"
REGION = "us-east-1"
ACCOUNT = "123456789012"


@pytest.fixture
def client(moto_aws):
    yield boto3.client("apigatewayv2", region_name=REGION)


def read(client, name=None, api_id=None, vpc_link_name=None):
    params = {"name": name, "api_id": api_id, "vpc_link_name": vpc_link_name}
    return module.read(client, params, PARTITION, REGION, ACCOUNT)


def build_api(client):
    api_id = client.create_api(Name="gw", ProtocolType="HTTP", Tags={"Environment": "test"})["ApiId"]
    lam = client.create_integration(
        ApiId=api_id,
        IntegrationType="AWS_PROXY",
        IntegrationUri="arn:aws:lambda:us-east-1:123456789012:function:f",
        PayloadFormatVersion="2.0",
    )["IntegrationId"]
    client.create_route(ApiId=api_id, RouteKey="POST /validate", Target=f"integrations/{lam}")
    client.create_route(ApiId=api_id, RouteKey="$default", Target=f"integrations/{lam}")
    client.create_stage(
        ApiId=api_id,
        StageName="$default",
        AutoDeploy=True,
        DefaultRouteSettings={"ThrottlingBurstLimit": 20, "ThrottlingRateLimit": 10.0},
    )
    return api_id, lam


def test_nothing_exists_is_null_not_a_failure(client):
    assert read(client, name="gw", vpc_link_name="link") == {
        "api": None,
        "integrations": [],
        "routes": [],
        "stages": [],
        "vpc_link": None,
    }
    assert read(client, api_id="nope")["api"] is None


def test_api_with_integrations_routes_and_stages(client):
    api_id, lam = build_api(client)
    by_name = read(client, name="gw")
    assert by_name == read(client, api_id=api_id)
    assert by_name["api"]["api_id"] == api_id
    assert by_name["api"]["execution_arn"] == f"arn:aws:execute-api:us-east-1:123456789012:{api_id}"
    assert by_name["api"]["tags"] == {"Environment": "test"}
    assert [route["route_key"] for route in by_name["routes"]] == ["$default", "POST /validate"]
    assert {route["integration_id"] for route in by_name["routes"]} == {lam}
    assert by_name["integrations"][0]["integration_type"] == "AWS_PROXY"
    assert by_name["integrations"][0]["payload_format_version"] == "2.0"
    stage = by_name["stages"][0]
    assert stage["stage_name"] == "$default"
    assert stage["auto_deploy"] is True
    assert stage["default_route_settings"]["throttling_burst_limit"] == 20
    assert by_name["vpc_link"] is None


def test_only_http_apis_and_duplicates_refused(client):
    client.create_api(Name="gw", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")
    assert read(client, name="gw")["api"] is None
    client.create_api(Name="gw", ProtocolType="HTTP")
    client.create_api(Name="gw", ProtocolType="HTTP")
    with pytest.raises(PaymentsApiGatewayV2Error, match="2 HTTP APIs named gw match"):
        read(client, name="gw")


def test_vpc_link_by_name(client):
    link_id = client.create_vpc_link(Name="link", SubnetIds=["subnet-b", "subnet-a"], SecurityGroupIds=["sg-1"])[
        "VpcLinkId"
    ]
    link = read(client, vpc_link_name="link")["vpc_link"]
    assert link["vpc_link_id"] == link_id
    assert link["subnet_ids"] == ["subnet-a", "subnet-b"]
    assert link["arn"] == f"arn:aws:apigateway:us-east-1::/vpclinks/{link_id}"
    assert read(client, vpc_link_name="other")["vpc_link"] is None
