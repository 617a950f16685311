"""payments.infra.apigatewayv2_route decisions, against moto's in-process AWS (no network)."""

import boto3
import pytest
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import PaymentsApiGatewayV2Error
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import route_desired
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import route_api_params
from ansible_collections.payments.infra.plugins.modules import apigatewayv2_route as module


@pytest.fixture
def api(moto_aws):
    client = boto3.client("apigatewayv2", region_name="us-east-1")
    yield client, client.create_api(Name="gw", ProtocolType="HTTP")["ApiId"]


def params(api_id, **overrides):
    base = {
        "api_id": api_id,
        "route_key": "POST /validate",
        "state": "present",
        "integration_id": "int1",
        "target": None,
        "authorization_type": "AWS_IAM",
        "authorizer_id": None,
        "authorization_scopes": None,
        "operation_name": None,
    }
    base.update(overrides)
    return base


def test_check_create_rerun(api):
    client, api_id = api
    checked = module.ensure_present(client, params(api_id), True)
    assert checked["changed"]
    assert checked["route"]["target"] == "integrations/int1"
    assert client.get_routes(ApiId=api_id)["Items"] == []
    created = module.ensure_present(client, params(api_id), False)["route"]
    assert created["integration_id"] == "int1"
    assert created["authorization_type"] == "AWS_IAM"
    for check_mode in (True, False):
        assert not module.ensure_present(client, params(api_id), check_mode)["changed"]
    assert not module.ensure_present(client, params(api_id, integration_id=None, authorization_type=None), False)[
        "changed"
    ]


def test_target_and_integration_id_are_the_same_thing(api):
    client, api_id = api
    module.ensure_present(client, params(api_id), False)
    same = params(api_id, integration_id=None, target="integrations/int1")
    assert not module.ensure_present(client, same, False)["changed"]
    moved = module.ensure_present(client, params(api_id, integration_id="int2"), False)
    assert moved["changed"]
    assert moved["diff"]["before"]["integration_id"] == "int1"
    assert moved["route"]["target"] == "integrations/int2"


def test_default_route_and_absent(api):
    client, api_id = api
    module.ensure_present(client, params(api_id, route_key="$default", authorization_type=None), False)
    assert [route["RouteKey"] for route in client.get_routes(ApiId=api_id)["Items"]] == ["$default"]
    assert module.ensure_absent(client, params(api_id, route_key="$default"), False)["changed"]
    assert not module.ensure_absent(client, params(api_id, route_key="$default"), False)["changed"]
    assert not module.ensure_absent(client, params("nope"), False)["changed"]
    with pytest.raises(PaymentsApiGatewayV2Error, match="API nope does not exist"):
        module.ensure_present(client, params("nope"), False)


def test_build_desired_compares_scopes_as_a_set_and_empty_target_detaches():
    desired = route_desired(params("a", integration_id=None, target="", authorization_scopes=["b", "a"]))
    assert desired["target"] is None
    assert desired["authorization_scopes"] == ["a", "b"]
    assert route_api_params(desired, ["target"]) == {"Target": ""}
