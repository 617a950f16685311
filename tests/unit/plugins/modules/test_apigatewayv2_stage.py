"""payments.infra.apigatewayv2_stage decisions, against moto's in-process AWS (no network).

moto 5.2.5 does not implement UpdateStage (and keeps CreateStage tags apart from TagResource ones), so the
update path is checked with update_stage replaced by a recorder.
"""

import json

import boto3
import pytest
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import PaymentsApiGatewayV2Error
from ansible_collections.payments.infra.plugins.modules import apigatewayv2_stage as module

LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:/apigw/payments"
FORMAT = {"requestId": "$context.requestId", "status": "$context.status"}


@pytest.fixture
def api(moto_aws):
    client = boto3.client("apigatewayv2", region_name="us-east-1")
    yield client, client.create_api(Name="gw", ProtocolType="HTTP")["ApiId"]


def settings(burst=None, rate=None, metrics=None, **extra):
    return dict(throttling_burst_limit=burst, throttling_rate_limit=rate, detailed_metrics_enabled=metrics, **extra)


def params(api_id, **overrides):
    base = {
        "api_id": api_id,
        "name": "$default",
        "state": "present",
        "description": None,
        "auto_deploy": True,
        "access_log_settings": {"destination_arn": LOG_GROUP, "format": json.dumps(FORMAT)},
        "default_route_settings": settings(200, 100, True),
        "route_settings": [settings(50, 25, route_key="POST /validate")],
        "stage_variables": {"environment": "test"},
        "tags": {"Environment": "test"},
        "purge_tags": True,
    }
    base.update(overrides)
    return base


def present(client, p, check_mode=False):
    return module.ensure_present(client, p, check_mode, "aws", "us-east-1")


def test_check_create_rerun(api):
    client, api_id = api
    checked = present(client, params(api_id), True)
    assert checked["changed"]
    assert checked["stage"]["route_settings"]["POST /validate"]["throttling_rate_limit"] == 25.0
    assert client.get_stages(ApiId=api_id)["Items"] == []
    created = present(client, params(api_id))
    assert created["changed"]
    stage = created["stage"]
    assert stage["auto_deploy"] is True
    assert stage["default_route_settings"] == {
        "throttling_burst_limit": 200,
        "throttling_rate_limit": 100.0,
        "detailed_metrics_enabled": True,
    }
    assert stage["tags"] == {"Environment": "test"}
    for check_mode in (True, False):
        assert not present(client, params(api_id), check_mode)["changed"]


def test_log_format_compares_as_json_and_partial_settings_compare_only_what_is_set(api):
    client, api_id = api
    present(client, params(api_id))
    reordered = json.dumps(dict(reversed(list(FORMAT.items()))), indent=2)
    partial = params(
        api_id,
        access_log_settings={"destination_arn": LOG_GROUP, "format": reordered},
        default_route_settings=settings(burst=200),
        route_settings=[settings(rate=25, route_key="POST /validate")],
        stage_variables=None,
        tags=None,
    )
    assert not present(client, partial)["changed"]


def test_update_sends_only_the_changes_merged_over_current_settings(api, monkeypatch):
    client, api_id = api
    present(client, params(api_id))
    calls = []
    monkeypatch.setattr(module, "update_stage", lambda c, a, n, **kw: calls.append((a, n, kw)))
    changed = params(api_id, route_settings=[settings(burst=10, route_key="POST /validate")], tags=None)
    checked = present(client, changed, True)
    assert checked["changed"] and calls == []
    assert checked["stage"]["route_settings"]["POST /validate"] == {
        "throttling_burst_limit": 10,
        "throttling_rate_limit": 25.0,
        "detailed_metrics_enabled": None,
    }
    assert present(client, changed)["changed"]
    assert calls == [
        (
            api_id,
            "$default",
            {"RouteSettings": {"POST /validate": {"ThrottlingBurstLimit": 10, "ThrottlingRateLimit": 25.0}}},
        )
    ]


def test_missing_api_and_absent(api):
    client, api_id = api
    with pytest.raises(PaymentsApiGatewayV2Error, match="API nope does not exist"):
        present(client, params("nope"))
    present(client, params(api_id))
    assert module.ensure_absent(client, params(api_id), True)["changed"]
    assert len(client.get_stages(ApiId=api_id)["Items"]) == 1
    assert module.ensure_absent(client, params(api_id), False)["changed"]
    assert not module.ensure_absent(client, params(api_id), False)["changed"]
