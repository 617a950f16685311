"""payments.infra.apigatewayv2_differences against the modules themselves, on moto's in-process AWS.

Each resource is created by its module's ensure_present with the options the api role gives, read back with
apigatewayv2_info's read, and compared by the filter: nothing differs. Then drifts are made with boto3, and for every
kind the filter reports a difference exactly when the module (in check mode) would change something.
"""

import json

import boto3
import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.payments.infra.plugins.filter.apigatewayv2_differences import (
    FilterModule,
    apigatewayv2_differences,
)
from ansible_collections.payments.infra.plugins.modules import apigatewayv2_api as api_module
from ansible_collections.payments.infra.plugins.modules import apigatewayv2_info as info_module
from ansible_collections.payments.infra.plugins.modules import apigatewayv2_integration as integration_module
from ansible_collections.payments.infra.plugins.modules import apigatewayv2_route as route_module
from ansible_collections.payments.infra.plugins.modules import apigatewayv2_stage as stage_module
from ansible_collections.payments.infra.plugins.modules import apigatewayv2_vpc_link as link_module
from moto.apigatewayv2.models import apigatewayv2_backends

PARTITION, REGION, ACCOUNT = "aws", "us-east-1", "123456789012"
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:payment-validation"
LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/alb/1/2"
TAGS = {"Environment": "test", "Component": "api"}
LOG_FORMAT = json.dumps({"requestId": "$context.requestId", "status": "$context.status"})

API = {
    "name": "payment-api-test",
    "description": "Payment API",
    "cors_configuration": {},
    "tags": dict(TAGS, Name="payment-api-test"),
    "purge_tags": True,
}
LINK = {
    "name": "payment-vpclink-test",
    "subnet_ids": ["subnet-b", "subnet-a"],
    "security_group_ids": ["sg-1"],
    "wait": False,
    "tags": dict(TAGS, Name="payment-vpclink-test"),
    "purge_tags": True,
}
LAMBDA = {
    "integration_type": "AWS_PROXY",
    "integration_uri": FUNCTION,
    "payload_format_version": "2.0",
    "timeout_in_millis": 29000,
    "description": "POST /validate to payment_validation",
}
STAGE = {
    "name": "$default",
    "auto_deploy": True,
    "access_log_settings": {
        "destination_arn": "arn:aws:logs:us-east-1:123456789012:log-group:/api",
        "format": LOG_FORMAT,
    },
    "default_route_settings": {
        "throttling_burst_limit": 500,
        "throttling_rate_limit": 1000.0,
        "detailed_metrics_enabled": True,
    },
    "route_settings": [{"route_key": "POST /validate", "throttling_burst_limit": 300, "throttling_rate_limit": 600.0}],
    "tags": dict(TAGS, Name="payment-api-test/$default"),
    "purge_tags": True,
}

# The options each module's argument spec would fill in (None = not given).
ALL = {
    "api": dict.fromkeys(
        (
            "api_id",
            "description",
            "cors_configuration",
            "disable_execute_api_endpoint",
            "route_selection_expression",
            "tags",
        )
    ),
    "vpc_link": dict.fromkeys(("subnet_ids", "security_group_ids", "tags"), None) | {"wait_timeout": 600},
    "integration": dict.fromkeys(
        (
            "integration_id",
            "integration_method",
            "connection_type",
            "connection_id",
            "description",
            "tls_config",
            "request_parameters",
            "payload_format_version",
            "timeout_in_millis",
        )
    ),
    "route": dict.fromkeys(
        ("integration_id", "target", "authorization_type", "authorizer_id", "authorization_scopes", "operation_name")
    ),
    "stage": dict.fromkeys(
        ("description", "auto_deploy", "access_log_settings", "default_route_settings", "route_settings", "tags")
    )
    | {"stage_variables": None},
}
CORS_KEYS = ("allow_origins", "allow_methods", "allow_headers", "expose_headers", "max_age", "allow_credentials")
SETTING_KEYS = ("throttling_burst_limit", "throttling_rate_limit", "detailed_metrics_enabled")


def module_params(kind, options, api_id=None):
    """options as the module's argument spec hands them to it: every option present, sub-options filled in."""
    params = dict(ALL[kind], **options)
    if kind == "api" and params["cors_configuration"] is not None:
        params["cors_configuration"] = dict(dict.fromkeys(CORS_KEYS), **params["cors_configuration"])
    if kind == "stage":
        for key in ("default_route_settings",):
            params[key] = dict(dict.fromkeys(SETTING_KEYS), **params[key])
        params["route_settings"] = [dict(dict.fromkeys(SETTING_KEYS), **item) for item in params["route_settings"]]
    if api_id:
        params["api_id"] = api_id
    return params


def run_module(client, kind, options, api_id=None, check_mode=False):
    """ensure_present of the module for kind; returns its result."""
    params = module_params(kind, options, api_id)
    if kind == "api":
        return api_module.ensure_present(client, params, check_mode, api_module.Context(PARTITION, REGION, ACCOUNT))
    if kind == "vpc_link":
        return link_module.ensure_present(client, params, check_mode, PARTITION, REGION)
    if kind == "integration":
        return integration_module.ensure_present(client, params, check_mode)
    if kind == "route":
        return route_module.ensure_present(client, params, check_mode)
    return stage_module.ensure_present(client, params, check_mode, PARTITION, REGION)


def read(client):
    params = {"name": API["name"], "api_id": None, "vpc_link_name": LINK["name"]}
    return info_module.read(client, params, PARTITION, REGION, ACCOUNT)


@pytest.fixture
def stack(moto_aws):
    """The api role's resources made by the modules: (client, options by kind, api_id)."""
    client = boto3.client("apigatewayv2", region_name=REGION)
    api_id = run_module(client, "api", API)["api"]["api_id"]
    link_id = run_module(client, "vpc_link", LINK)["vpc_link"]["vpc_link_id"]
    alb = {
        "integration_type": "HTTP_PROXY",
        "integration_uri": LISTENER,
        "integration_method": "ANY",
        "connection_type": "VPC_LINK",
        "connection_id": link_id,
        "payload_format_version": "1.0",
        "timeout_in_millis": 29000,
        "tls_config": {"server_name_to_verify": "alb.internal"},
        "description": "$default to the internal ALB",
    }
    lambda_id = run_module(client, "integration", LAMBDA, api_id)["integration"]["integration_id"]
    alb_id = run_module(client, "integration", alb, api_id)["integration"]["integration_id"]
    routes = {
        "validate": {"route_key": "POST /validate", "integration_id": lambda_id},
        "default": {"route_key": "$default", "integration_id": alb_id},
    }
    for route in routes.values():
        run_module(client, "route", route, api_id)
    run_module(client, "stage", STAGE, api_id)
    options = {
        "api": API,
        "vpc_link": LINK,
        "lambda": LAMBDA,
        "alb": alb,
        "validate": routes["validate"],
        "default": routes["default"],
        "stage": STAGE,
    }
    return client, options, api_id


def backend_stage(api_id):
    """moto's own $default stage object (moto has no UpdateStage)."""
    return apigatewayv2_backends[ACCOUNT][REGION].apis[api_id].stages["$default"]


KIND = {"lambda": "integration", "alb": "integration", "validate": "route", "default": "route"}


def kind_of(name):
    return KIND.get(name, name)


def agree(client, options, api_id):
    """The differences the filter finds for each resource, after checking the module agrees on each."""
    info = read(client)
    found = {}
    for name, wanted in options.items():
        result = apigatewayv2_differences(info, kind_of(name), wanted)
        module_changed = run_module(client, kind_of(name), wanted, api_id, check_mode=True)["changed"]
        assert bool(result["differences"]) == module_changed, (name, result, module_changed)
        found[name] = result["differences"]
    return found


def test_registered():
    assert FilterModule().filters() == {"apigatewayv2_differences": apigatewayv2_differences}


def test_nothing_exists_is_missing():
    empty = {"api": None, "integrations": [], "routes": [], "stages": [], "vpc_link": None}
    for kind in ("api", "vpc_link", "integration", "route", "stage"):
        assert apigatewayv2_differences(empty, kind, {"name": "x", "route_key": "$default"}) == {
            "current": None,
            "differences": ["missing"],
        }


def test_converged_resources_do_not_differ(stack):
    client, options, api_id = stack
    assert agree(client, options, api_id) == dict.fromkeys(options, [])
    info = read(client)
    assert apigatewayv2_differences(info, "route", options["validate"])["current"]["route_key"] == "POST /validate"


def test_a_json_access_log_format_compares_by_meaning(stack):
    client, options, api_id = stack
    reordered = json.dumps(dict(reversed(json.loads(LOG_FORMAT).items())), indent=1)
    options["stage"] = dict(STAGE, access_log_settings=dict(STAGE["access_log_settings"], format=reordered))
    assert agree(client, options, api_id)["stage"] == []


def test_every_drift_is_found_where_the_module_finds_it(stack):
    client, options, api_id = stack
    info = read(client)
    ids = {
        name: apigatewayv2_differences(info, "integration", options[name])["current"]["integration_id"]
        for name in ("lambda", "alb")
    }
    route_ids = {route["route_key"]: route["route_id"] for route in info["routes"]}
    api_arn = info["api"]["arn"]

    client.update_api(ApiId=api_id, CorsConfiguration={"AllowOrigins": ["https://evil.example.com"]})
    client.untag_resource(ResourceArn=api_arn, TagKeys=["Component"])
    client.tag_resource(ResourceArn=info["vpc_link"]["arn"], Tags={"Extra": "x"})
    client.update_integration(ApiId=api_id, IntegrationId=ids["lambda"], TimeoutInMillis=5000)
    client.update_route(ApiId=api_id, RouteId=route_ids["$default"], Target=f"integrations/{ids['lambda']}")
    client.update_route(ApiId=api_id, RouteId=route_ids["POST /validate"], AuthorizationType="AWS_IAM")
    # moto has no UpdateStage, and keeps a stage's tags apart from TagResource's: drift the stage in its backend.
    stage = backend_stage(api_id)
    stage.access_log_settings = dict(stage.access_log_settings, format="$context.requestId")
    stage.tags = dict(stage.tags, Environment="prod")

    found = agree(client, options, api_id)
    assert found == {
        "api": ["cors_configuration", "tags"],
        "vpc_link": ["tags"],
        "lambda": ["timeout_in_millis"],
        "alb": [],
        "validate": [],
        "default": ["integration_id", "target"],
        "stage": ["access_log_settings", "tags"],
    }
    # The role does not set authorization: like the module, the filter leaves it alone unless it is given.
    validate = dict(options["validate"], authorization_type="NONE")
    assert apigatewayv2_differences(read(client), "route", validate)["differences"] == ["authorization_type"]
    assert run_module(client, "route", validate, api_id, check_mode=True)["changed"]


def test_route_settings_merge_over_the_current_ones(stack):
    client, options, api_id = stack
    stage = backend_stage(api_id)
    stage.route_settings = {"POST /validate": {"throttlingBurstLimit": 1, "throttlingRateLimit": 600.0}}
    assert agree(client, options, api_id)["stage"] == ["route_settings"]


def test_a_vpc_link_on_other_subnets_or_not_available_yet_makes_the_module_run(stack):
    client, options, _api_id = stack
    info = read(client)
    assert apigatewayv2_differences(info, "vpc_link", dict(LINK, subnet_ids=["subnet-c"]))["differences"] == [
        "subnet_ids"
    ]
    pending = dict(info, vpc_link=dict(info["vpc_link"], vpc_link_status="PENDING"))
    assert apigatewayv2_differences(pending, "vpc_link", LINK)["differences"] == []
    assert apigatewayv2_differences(pending, "vpc_link", dict(LINK, wait=True))["differences"] == ["vpc_link_status"]


def test_several_matching_integrations_are_ambiguous(stack):
    client, options, api_id = stack
    client.create_integration(
        ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=FUNCTION, PayloadFormatVersion="2.0"
    )
    assert apigatewayv2_differences(read(client), "integration", LAMBDA) == {
        "current": None,
        "differences": ["ambiguous"],
    }


@pytest.mark.parametrize(
    "info, kind, options",
    [("text", "api", {}), ({}, "deployment", {}), ({}, "api", ["not", "a", "dict"])],
)
def test_wrong_input_is_a_filter_error(info, kind, options):
    with pytest.raises(AnsibleFilterError, match="apigatewayv2_differences"):
        apigatewayv2_differences(info, kind, options)
