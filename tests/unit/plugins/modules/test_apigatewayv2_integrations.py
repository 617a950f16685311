"""payments.infra.apigatewayv2_integrations: a list of integrations of one HTTP API in one module run, with the
find/compare/act of apigatewayv2_integration (module_utils.apigatewayv2_ensure), against moto's in-process AWS."""

import boto3
import pytest
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import PaymentsApiGatewayV2Error
from ansible_collections.payments.infra.plugins.modules import apigatewayv2_integration as singular
from ansible_collections.payments.infra.plugins.modules import apigatewayv2_integrations as module
from aws_fakes import Recorder

VALIDATION = "arn:aws:lambda:us-east-1:123456789012:function:payment-validation"
PROCESSING = "arn:aws:lambda:us-east-1:123456789012:function:payment-processing"
LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/internal/50dc6c495c0c9188/f2f7dc8efc522ab2"
WRITES = ("CreateIntegration", "UpdateIntegration", "DeleteIntegration")
UNSET = {
    "integration_id": None,
    "state": "present",
    "integration_type": None,
    "integration_uri": None,
    "integration_method": None,
    "connection_type": None,
    "connection_id": None,
    "payload_format_version": None,
    "timeout_in_millis": None,
    "description": None,
    "tls_config": None,
    "request_parameters": None,
}


def lambda_item(name, uri, **overrides):
    values = dict(
        UNSET,
        name=name,
        integration_type="AWS_PROXY",
        integration_uri=uri,
        payload_format_version="2.0",
        timeout_in_millis=29000,
        description=f"to {name}",
    )
    values.update(overrides)
    return values


def alb_item(**overrides):
    values = dict(
        UNSET,
        name="alb",
        integration_type="HTTP_PROXY",
        integration_uri=LISTENER,
        integration_method="ANY",
        connection_type="VPC_LINK",
        connection_id="vl1",
        payload_format_version="1.0",
        timeout_in_millis=29000,
        tls_config={"server_name_to_verify": "payments.internal"},
    )
    values.update(overrides)
    return values


def given(items):
    """items as a playbook gives them: options that are not set are left out."""
    return [{key: value for key, value in item.items() if value is not None} for item in items]


def wanted():
    return [lambda_item("validation", VALIDATION), lambda_item("processing", PROCESSING), alb_item()]


@pytest.fixture
def api(moto_aws, monkeypatch):
    client = boto3.client("apigatewayv2", region_name="us-east-1")
    api_id = client.create_api(Name="gw", ProtocolType="HTTP")["ApiId"]
    return client, api_id, Recorder(monkeypatch, client, writes=WRITES)


def test_check_mode_reports_every_integration_and_writes_nothing(api):
    client, api_id, recorder = api
    changed, integrations, diff = module.ensure_integrations(client, api_id, wanted(), True)
    assert changed == ["validation", "processing", "alb"]
    assert [item["name"] for item in integrations] == ["validation", "processing", "alb"]
    assert all(item["integration_id"] is None for item in integrations)
    assert integrations[2]["connection_id"] == "vl1"
    assert diff["before"] == {"validation": {}, "processing": {}, "alb": {}}
    assert diff["after"]["validation"]["integration_uri"] == VALIDATION
    assert recorder.operations() == ["GetIntegrations"]
    assert client.get_integrations(ApiId=api_id)["Items"] == []


def test_one_read_creates_all_and_a_rerun_is_one_read(api):
    client, api_id, recorder = api
    changed, integrations, diff = module.ensure_integrations(client, api_id, wanted(), False)
    assert changed == ["validation", "processing", "alb"]
    assert recorder.operations() == ["GetIntegrations"] + ["CreateIntegration"] * 3 + ["GetIntegrations"]
    ids = {item["name"]: item["integration_id"] for item in integrations}
    assert all(ids.values()) and len(set(ids.values())) == 3
    by_id = {item["IntegrationId"]: item for item in client.get_integrations(ApiId=api_id)["Items"]}
    assert by_id[ids["validation"]]["IntegrationUri"] == VALIDATION
    assert by_id[ids["alb"]]["TlsConfig"] == {"ServerNameToVerify": "payments.internal"}
    assert diff["after"]["alb"]["integration_id"] == ids["alb"]
    for check_mode in (True, False):
        recorder.clear()
        again, again_integrations, _diff = module.ensure_integrations(client, api_id, wanted(), check_mode)
        assert again == [] and recorder.operations() == ["GetIntegrations"]
        assert {item["name"]: item["integration_id"] for item in again_integrations} == ids


def test_updates_only_what_differs_in_place(api):
    client, api_id, recorder = api
    _changed, created, _diff = module.ensure_integrations(client, api_id, wanted(), False)
    recorder.clear()
    items = wanted()
    items[1]["timeout_in_millis"] = 5000
    changed, integrations, diff = module.ensure_integrations(client, api_id, items, False)
    assert changed == ["processing"]
    assert recorder.writes() == ["UpdateIntegration"]
    assert recorder.calls[1][1]["TimeoutInMillis"] == 5000 and "IntegrationUri" not in recorder.calls[1][1]
    assert integrations[1]["integration_id"] == created[1]["integration_id"]
    assert integrations[1]["timeout_in_millis"] == 5000
    assert diff["before"]["processing"]["timeout_in_millis"] == 29000
    assert diff["before"]["validation"] == diff["after"]["validation"]


def test_same_results_as_the_singular_module(api):
    client, api_id, _recorder = api
    _changed, integrations, _diff = module.ensure_integrations(client, api_id, wanted(), False)
    for item, result in zip(wanted(), integrations, strict=True):
        params = {key: value for key, value in item.items() if key != "name"}
        single = singular.ensure_present(client, dict(params, api_id=api_id), False)
        assert not single["changed"]
        assert dict(single["integration"], name=item["name"]) == result


def test_the_singular_module_creates_what_the_plural_finds(api):
    client, api_id, recorder = api
    item = wanted()[2]
    params = {key: value for key, value in item.items() if key != "name"}
    created = singular.ensure_present(client, dict(params, api_id=api_id), False)["integration"]
    recorder.clear()
    changed, integrations, _diff = module.ensure_integrations(client, api_id, [item], False)
    assert changed == [] and recorder.writes() == []
    assert integrations[0]["integration_id"] == created["integration_id"]


def test_absent_by_natural_key_and_by_id(api):
    client, api_id, recorder = api
    _changed, created, _diff = module.ensure_integrations(client, api_id, wanted(), False)
    absent = [
        lambda_item("validation", VALIDATION, state="absent"),
        dict(UNSET, name="by-id", integration_id=created[2]["integration_id"], state="absent"),
    ]
    changed, integrations, diff = module.ensure_integrations(client, api_id, absent, True)
    assert changed == ["validation", "by-id"] and len(client.get_integrations(ApiId=api_id)["Items"]) == 3
    recorder.clear()
    changed, integrations, diff = module.ensure_integrations(client, api_id, absent, False)
    assert changed == ["validation", "by-id"]
    assert integrations == [{"name": "validation"}, {"name": "by-id"}]
    assert diff["after"] == {"validation": {}, "by-id": {}}
    assert diff["before"]["by-id"]["integration_uri"] == LISTENER
    assert recorder.operations() == ["GetIntegrations", "DeleteIntegration", "DeleteIntegration"]
    left = client.get_integrations(ApiId=api_id)["Items"]
    assert [item["IntegrationUri"] for item in left] == [PROCESSING]
    assert module.ensure_integrations(client, api_id, absent, False)[0] == []


def test_later_items_see_what_earlier_ones_made(api):
    client, api_id, recorder = api
    items = [lambda_item("new", VALIDATION), lambda_item("gone", VALIDATION, state="absent")]
    changed, _integrations, _diff = module.ensure_integrations(client, api_id, items, False)
    assert changed == ["new", "gone"]
    assert recorder.writes() == ["CreateIntegration", "DeleteIntegration"]
    assert client.get_integrations(ApiId=api_id)["Items"] == []


def test_missing_api_fails_unless_every_item_is_absent(api):
    client, _api_id, _recorder = api
    with pytest.raises(PaymentsApiGatewayV2Error, match="API nope does not exist"):
        module.ensure_integrations(client, "nope", wanted(), True)
    absent = [lambda_item("validation", VALIDATION, state="absent")]
    assert module.ensure_integrations(client, "nope", absent, False)[0] == []


def test_a_given_integration_id_must_exist(api):
    client, api_id, _recorder = api
    with pytest.raises(PaymentsApiGatewayV2Error, match="Integration nope of API"):
        module.ensure_integrations(client, api_id, [dict(UNSET, name="x", integration_id="nope")], False)


def test_main_indexes_the_ids_by_name(api, run_module):
    client, api_id, _recorder = api
    args = {"api_id": api_id, "integrations": given(wanted())}
    ok, result = run_module(module, dict(args, _ansible_check_mode=True), client)
    assert ok and result["changed"] and result["integration_ids"] == dict.fromkeys(["validation", "processing", "alb"])
    assert "diff" not in result
    ok, result = run_module(module, dict(args, _ansible_diff=True), client)
    assert ok and result["changed"] and result["changed_integrations"] == ["validation", "processing", "alb"]
    ids = {item["IntegrationUri"]: item["IntegrationId"] for item in client.get_integrations(ApiId=api_id)["Items"]}
    assert result["integration_ids"] == {
        "validation": ids[VALIDATION],
        "processing": ids[PROCESSING],
        "alb": ids[LISTENER],
    }
    assert set(result["diff"]["after"]) == {"validation", "processing", "alb"}
    ok, result = run_module(module, args, client)
    assert ok and not result["changed"] and result["changed_integrations"] == []
    ok, result = run_module(module, {"api_id": api_id, "integrations": []}, client)
    assert ok and result == {"changed": False, "integrations": [], "integration_ids": {}, "changed_integrations": []}


@pytest.mark.parametrize(
    ("integrations", "message"),
    [
        ([lambda_item("a", VALIDATION), lambda_item("a", PROCESSING)], "names must be distinct, repeated: a"),
        ([lambda_item("a", VALIDATION), lambda_item("b", VALIDATION)], "integrations a and b have the same type"),
        (
            [alb_item(name="a"), alb_item(name="b", connection_type=None, connection_id=None)],
            "integrations a and b have the same type",
        ),
        ([alb_item(name="a", connection_type="VPC_LINK", connection_id=None)], "connection_id"),
        ([dict(UNSET, name="a", timeout_in_millis=50)], "integration_id, integration_uri"),
        ([dict(UNSET, name="a", integration_type="AWS_PROXY")], "integration_type, integration_uri"),
    ],
)
def test_bad_items_fail_before_any_request(api, run_module, integrations, message):
    client, api_id, recorder = api
    ok, result = run_module(module, {"api_id": api_id, "integrations": given(integrations)}, client)
    assert not ok and message in result["msg"]
    assert recorder.operations() == []


def test_distinct_connection_ids_or_an_id_tell_items_apart(api):
    client, api_id, _recorder = api
    items = [alb_item(name="a"), alb_item(name="b", connection_id="vl2")]
    changed, integrations, _diff = module.ensure_integrations(client, api_id, items, False)
    assert changed == ["a", "b"] and integrations[0]["integration_id"] != integrations[1]["integration_id"]
