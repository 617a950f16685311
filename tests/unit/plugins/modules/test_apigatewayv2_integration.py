"""payments.infra.apigatewayv2_integration and apigatewayv2_route decisions, against moto's in-process AWS."""

import boto3
import pytest
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import PaymentsApiGatewayV2Error
from ansible_collections.payments.infra.plugins.modules import apigatewayv2_integration as module

LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:payment-validator"
LISTENER_ARN = (
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/internal/50dc6c495c0c9188/f2f7dc8efc522ab2"
)


@pytest.fixture
def api(moto_aws):
    client = boto3.client("apigatewayv2", region_name="us-east-1")
    yield client, client.create_api(Name="gw", ProtocolType="HTTP")["ApiId"]


def params(api_id, **overrides):
    base = {
        "api_id": api_id,
        "integration_id": None,
        "state": "present",
        "integration_type": "AWS_PROXY",
        "integration_uri": LAMBDA_ARN,
        "integration_method": None,
        "connection_type": None,
        "connection_id": None,
        "payload_format_version": "2.0",
        "timeout_in_millis": 10000,
        "description": None,
        "tls_config": None,
        "request_parameters": None,
    }
    base.update(overrides)
    return base


def vpc_params(api_id, **overrides):
    values = dict(
        integration_type="HTTP_PROXY",
        integration_uri=LISTENER_ARN,
        integration_method="ANY",
        connection_type="VPC_LINK",
        connection_id="vl1",
        payload_format_version="1.0",
        tls_config={"server_name_to_verify": "payments.internal"},
        request_parameters={"overwrite:path": "$request.path"},
    )
    values.update(overrides)
    return params(api_id, **values)


def test_lambda_proxy_check_create_rerun(api):
    client, api_id = api
    checked = module.ensure_present(client, params(api_id), True)
    assert checked["changed"] and checked["integration"]["integration_id"] is None
    assert client.get_integrations(ApiId=api_id)["Items"] == []
    created = module.ensure_present(client, params(api_id), False)
    assert created["changed"]
    assert created["integration"]["payload_format_version"] == "2.0"
    assert created["integration"]["timeout_in_millis"] == 10000
    for check_mode in (True, False):
        again = module.ensure_present(client, params(api_id), check_mode)
        assert not again["changed"]
        assert again["integration"]["integration_id"] == created["integration"]["integration_id"]
    assert len(client.get_integrations(ApiId=api_id)["Items"]) == 1


def test_vpc_link_integration_and_update(api):
    client, api_id = api
    created = module.ensure_present(client, vpc_params(api_id), False)["integration"]
    assert created["tls_config"] == {"server_name_to_verify": "payments.internal"}
    assert created["request_parameters"] == {"overwrite:path": "$request.path"}
    assert not module.ensure_present(client, vpc_params(api_id), False)["changed"]
    updated = module.ensure_present(client, vpc_params(api_id, timeout_in_millis=29000), False)
    assert updated["changed"]
    assert updated["diff"]["before"]["timeout_in_millis"] == 10000
    assert updated["integration"]["timeout_in_millis"] == 29000
    assert updated["integration"]["integration_id"] == created["integration_id"]


def test_connection_id_is_part_of_the_natural_key(api):
    client, api_id = api
    first = module.ensure_present(client, vpc_params(api_id), False)["integration"]["integration_id"]
    second = module.ensure_present(client, vpc_params(api_id, connection_id="vl2"), False)["integration"]
    assert second["integration_id"] != first
    with pytest.raises(PaymentsApiGatewayV2Error, match="2 integrations"):
        module.ensure_present(client, vpc_params(api_id, connection_id=None), False)
    by_id = module.ensure_present(client, vpc_params(api_id, connection_id=None, integration_id=first), False)
    assert by_id["integration"]["integration_id"] == first


def test_missing_api_and_absent(api):
    client, api_id = api
    with pytest.raises(PaymentsApiGatewayV2Error, match="API nope does not exist"):
        module.ensure_present(client, params("nope"), False)
    assert not module.ensure_absent(client, params("nope", state="absent"), False)["changed"]
    module.ensure_present(client, params(api_id), False)
    assert module.ensure_absent(client, params(api_id, state="absent"), True)["changed"]
    assert len(client.get_integrations(ApiId=api_id)["Items"]) == 1
    assert module.ensure_absent(client, params(api_id, state="absent"), False)["changed"]
    assert client.get_integrations(ApiId=api_id)["Items"] == []
