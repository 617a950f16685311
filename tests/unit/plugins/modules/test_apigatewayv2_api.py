"""payments.infra.apigatewayv2_api decisions, against moto's in-process AWS (no network)."""

import boto3
import pytest
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import PaymentsApiGatewayV2Error
from ansible_collections.payments.infra.plugins.modules import apigatewayv2_api as module

NAME = "payments-gateway-test"
CONTEXT = module.Context("aws", "us-east-1", "123456789012")


@pytest.fixture
def client(moto_aws):
    yield boto3.client("apigatewayv2", region_name="us-east-1")


def params(**overrides):
    base = {
        "name": NAME,
        "api_id": None,
        "state": "present",
        "description": "card validation",
        "cors_configuration": {
            "allow_origins": ["https://checkout.example.com"],
            "allow_methods": ["POST", "OPTIONS"],
            "allow_headers": None,
            "expose_headers": None,
            "max_age": 300,
            "allow_credentials": None,
        },
        "disable_execute_api_endpoint": None,
        "route_selection_expression": None,
        "tags": {"Environment": "test"},
        "purge_tags": True,
    }
    base.update(overrides)
    return base


def test_check_mode_creates_nothing(client):
    result = module.ensure_present(client, params(), True, CONTEXT)
    assert result["changed"]
    assert result["api"]["api_id"] is None
    assert result["api"]["cors_configuration"]["allow_methods"] == ["OPTIONS", "POST"]
    assert result["diff"]["before"] == {}
    assert client.get_apis()["Items"] == []


def test_create_then_rerun_changes_nothing(client):
    created = module.ensure_present(client, params(), False, CONTEXT)
    api = created["api"]
    assert created["changed"]
    assert api["execution_arn"] == f"arn:aws:execute-api:us-east-1:123456789012:{api['api_id']}"
    assert api["tags"] == {"Environment": "test"}
    assert api["protocol_type"] == "HTTP"
    for check_mode in (True, False):
        again = module.ensure_present(client, params(), check_mode, CONTEXT)
        assert not again["changed"]
        assert again["api"] == api
    assert len(client.get_apis()["Items"]) == 1


def test_unset_options_change_nothing(client):
    module.ensure_present(client, params(), False, CONTEXT)
    result = module.ensure_present(client, params(description=None, cors_configuration=None, tags=None), False, CONTEXT)
    assert not result["changed"]


def test_update_in_check_mode_then_for_real(client):
    module.ensure_present(client, params(), False, CONTEXT)
    update = params(description="v2", disable_execute_api_endpoint=True, tags={"Environment": "prod"})
    checked = module.ensure_present(client, update, True, CONTEXT)
    assert checked["changed"]
    assert checked["api"]["description"] == "v2"
    assert checked["api"]["tags"] == {"Environment": "prod"}
    assert module.ensure_present(client, params(), False, CONTEXT)["changed"] is False
    real = module.ensure_present(client, update, False, CONTEXT)
    assert real["changed"]
    assert real["api"]["disable_execute_api_endpoint"] is True
    assert real["api"]["tags"] == {"Environment": "prod"}
    assert real["diff"]["before"]["description"] == "card validation"


def test_empty_cors_removes_the_configuration(client):
    module.ensure_present(client, params(), False, CONTEXT)
    result = module.ensure_present(client, params(cors_configuration={}), False, CONTEXT)
    assert result["changed"]
    assert result["api"]["cors_configuration"] is None
    assert not module.ensure_present(client, params(cors_configuration={}), False, CONTEXT)["changed"]


def test_duplicate_names_are_refused_unless_api_id_is_given(client):
    first = client.create_api(Name=NAME, ProtocolType="HTTP")["ApiId"]
    client.create_api(Name=NAME, ProtocolType="HTTP")
    client.create_api(Name=NAME, ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")
    with pytest.raises(PaymentsApiGatewayV2Error, match="2 HTTP APIs named"):
        module.ensure_present(client, params(), False, CONTEXT)
    result = module.ensure_present(client, params(api_id=first), False, CONTEXT)
    assert result["api"]["api_id"] == first
    assert len(client.get_apis()["Items"]) == 3


def test_unknown_api_id_is_an_error(client):
    with pytest.raises(PaymentsApiGatewayV2Error, match="does not exist"):
        module.ensure_present(client, params(api_id="nope"), False, CONTEXT)


def test_absent(client):
    module.ensure_present(client, params(), False, CONTEXT)
    assert module.ensure_absent(client, params(state="absent"), True, CONTEXT)["changed"]
    assert len(client.get_apis()["Items"]) == 1
    assert module.ensure_absent(client, params(state="absent"), False, CONTEXT)["changed"]
    assert client.get_apis()["Items"] == []
    assert not module.ensure_absent(client, params(state="absent"), False, CONTEXT)["changed"]
