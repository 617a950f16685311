"""payments.infra.apigatewayv2_routes: a list of routes of one HTTP API in one module run, with the
find/compare/act of apigatewayv2_route (module_utils.apigatewayv2_ensure), against moto's in-process AWS."""

import boto3
import pytest
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import PaymentsApiGatewayV2Error
from ansible_collections.payments.infra.plugins.modules import apigatewayv2_route as singular
from ansible_collections.payments.infra.plugins.modules import apigatewayv2_routes as module
from aws_fakes import Recorder

WRITES = ("CreateRoute", "UpdateRoute", "DeleteRoute")
UNSET = {
    "state": "present",
    "integration_id": None,
    "target": None,
    "authorization_type": None,
    "authorizer_id": None,
    "authorization_scopes": None,
    "operation_name": None,
}
KEYS = ["POST /validate", "POST /process", "$default"]


def route(route_key, integration_id=None, **overrides):
    return dict(UNSET, route_key=route_key, integration_id=integration_id, **overrides)


def wanted(ids=("int1", "int2", "int3")):
    return [route(key, integration_id) for key, integration_id in zip(KEYS, ids, strict=True)]


def given(items):
    """items as a playbook gives them: options that are not set are left out."""
    return [{key: value for key, value in item.items() if value is not None} for item in items]


@pytest.fixture
def api(moto_aws, monkeypatch):
    client = boto3.client("apigatewayv2", region_name="us-east-1")
    api_id = client.create_api(Name="gw", ProtocolType="HTTP")["ApiId"]
    return client, api_id, Recorder(monkeypatch, client, writes=WRITES)


def targets(client, api_id):
    return {item["RouteKey"]: item.get("Target") for item in client.get_routes(ApiId=api_id)["Items"]}


def test_check_mode_reports_every_route_and_writes_nothing(api):
    client, api_id, recorder = api
    changed, routes, diff = module.ensure_routes(client, api_id, wanted(), True)
    assert changed == KEYS
    assert [item["route_key"] for item in routes] == KEYS
    assert [item["target"] for item in routes] == ["integrations/int1", "integrations/int2", "integrations/int3"]
    assert all(item["route_id"] is None for item in routes)
    assert diff["before"] == dict.fromkeys(KEYS, {})
    assert recorder.operations() == ["GetRoutes"]
    assert client.get_routes(ApiId=api_id)["Items"] == []


def test_one_read_creates_all_and_a_rerun_is_one_read(api):
    client, api_id, recorder = api
    changed, routes, diff = module.ensure_routes(client, api_id, wanted(), False)
    assert changed == KEYS
    assert recorder.operations() == ["GetRoutes"] + ["CreateRoute"] * 3 + ["GetRoutes"]
    assert targets(client, api_id) == {
        "POST /validate": "integrations/int1",
        "POST /process": "integrations/int2",
        "$default": "integrations/int3",
    }
    ids = {item["RouteKey"]: item["RouteId"] for item in client.get_routes(ApiId=api_id)["Items"]}
    assert {item["route_key"]: item["route_id"] for item in routes} == ids
    assert diff["after"]["$default"]["route_id"] == ids["$default"]
    for check_mode in (True, False):
        recorder.clear()
        again, again_routes, _diff = module.ensure_routes(client, api_id, wanted(), check_mode)
        assert again == [] and recorder.operations() == ["GetRoutes"]
        assert again_routes == routes


def test_updates_only_what_differs_in_place(api):
    client, api_id, recorder = api
    _changed, created, _diff = module.ensure_routes(client, api_id, wanted(), False)
    recorder.clear()
    changed, routes, diff = module.ensure_routes(client, api_id, wanted(("int1", "int2", "int9")), False)
    assert changed == ["$default"]
    assert recorder.writes() == ["UpdateRoute"]
    assert recorder.calls[1][1]["Target"] == "integrations/int9" and "RouteKey" not in recorder.calls[1][1]
    assert routes[2]["route_id"] == created[2]["route_id"] and routes[2]["integration_id"] == "int9"
    assert diff["before"]["$default"]["integration_id"] == "int3"
    assert diff["before"]["POST /process"] == diff["after"]["POST /process"]


def test_same_results_as_the_singular_module(api):
    client, api_id, _recorder = api
    items = wanted()
    items[0].update(authorization_type="AWS_IAM", operation_name="Validate")
    _changed, routes, _diff = module.ensure_routes(client, api_id, items, False)
    for item, result in zip(items, routes, strict=True):
        single = singular.ensure_present(client, dict(item, api_id=api_id), False)
        assert not single["changed"] and single["route"] == result


def test_the_singular_module_creates_what_the_plural_finds(api):
    client, api_id, recorder = api
    created = singular.ensure_present(client, dict(wanted()[2], api_id=api_id), False)["route"]
    recorder.clear()
    changed, routes, _diff = module.ensure_routes(client, api_id, [wanted()[2]], False)
    assert changed == [] and recorder.writes() == []
    assert routes == [created]


def test_absent(api):
    client, api_id, recorder = api
    module.ensure_routes(client, api_id, wanted(), False)
    absent = [route("POST /process", state="absent"), route("GET /never", state="absent")]
    assert module.ensure_routes(client, api_id, absent, True)[0] == ["POST /process"]
    assert len(targets(client, api_id)) == 3
    recorder.clear()
    changed, routes, diff = module.ensure_routes(client, api_id, absent, False)
    assert changed == ["POST /process"]
    assert routes == [{"route_key": "POST /process"}, {"route_key": "GET /never"}]
    assert diff["before"]["POST /process"]["integration_id"] == "int2"
    assert diff["after"] == {"POST /process": {}, "GET /never": {}}
    assert recorder.operations() == ["GetRoutes", "DeleteRoute"]
    assert set(targets(client, api_id)) == {"POST /validate", "$default"}
    assert module.ensure_routes(client, api_id, absent, False)[0] == []


def test_missing_api_fails_unless_every_item_is_absent(api):
    client, _api_id, _recorder = api
    with pytest.raises(PaymentsApiGatewayV2Error, match="API nope does not exist"):
        module.ensure_routes(client, "nope", wanted(), True)
    assert module.ensure_routes(client, "nope", [route("$default", state="absent")], False)[0] == []


def test_empty_target_detaches_and_a_route_without_target_is_created(api):
    client, api_id, recorder = api
    module.ensure_routes(client, api_id, [route("GET /bare"), route("$default", "int1")], False)
    assert targets(client, api_id) == {"GET /bare": None, "$default": "integrations/int1"}
    recorder.clear()
    changed, _routes, diff = module.ensure_routes(client, api_id, [route("$default", None, target="")], True)
    assert changed == ["$default"] and diff["after"]["$default"]["target"] is None
    # UpdateRoute with an empty Target detaches the route on AWS (moto keeps the old target, so only the request is
    # checked here).
    module.ensure_routes(client, api_id, [route("$default", None, target="")], False)
    assert [params.get("Target") for operation, params in recorder.calls if operation == "UpdateRoute"] == [""]


def test_main_indexes_the_ids_by_route_key(api, run_module):
    client, api_id, _recorder = api
    args = {"api_id": api_id, "routes": given(wanted())}
    ok, result = run_module(module, dict(args, _ansible_check_mode=True), client)
    assert ok and result["changed"] and result["route_ids"] == dict.fromkeys(KEYS)
    ok, result = run_module(module, dict(args, _ansible_diff=True), client)
    assert ok and result["changed"] and result["changed_routes"] == KEYS
    ids = {item["RouteKey"]: item["RouteId"] for item in client.get_routes(ApiId=api_id)["Items"]}
    assert result["route_ids"] == ids and set(result["diff"]["before"]) == set(KEYS)
    ok, result = run_module(module, args, client)
    assert ok and not result["changed"] and "diff" not in result
    ok, result = run_module(module, {"api_id": api_id, "routes": []}, client)
    assert ok and result == {"changed": False, "routes": [], "route_ids": {}, "changed_routes": []}


@pytest.mark.parametrize(
    ("routes", "message"),
    [
        ([route("$default", "a"), route("$default", "b")], "route keys must be distinct, repeated: $default"),
        ([route("$default", "a", target="integrations/a")], "mutually exclusive: integration_id|target"),
    ],
)
def test_bad_items_fail_before_any_request(api, run_module, routes, message):
    client, api_id, recorder = api
    ok, result = run_module(module, {"api_id": api_id, "routes": given(routes)}, client)
    assert not ok and message in result["msg"]
    assert recorder.operations() == []
