# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the apigatewayv2_* modules compare, shared with the apigatewayv2_differences filter (the compare-first of the
api role): the desired fields of each resource, the normalisation they need and the comparison itself.

Plain Python (no botocore import): ansible-core imports every filter file of the collection in each task that uses
one of our filters, so this module must stay cheap to import. The API calls are in module_utils/apigatewayv2.py.
"""

import copy
import json
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

INTEGRATION_TARGET_PREFIX = "integrations/"


def sorted_list(values: Optional[List[Any]]) -> List[Any]:
    return sorted(values or [])


def normalize_cors(cors: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """A CORS configuration (API shape or module options) as one comparable dict; None when there is none.

    Lists are sets to AWS, so they are sorted; an empty configuration is no configuration.
    """
    if not cors:
        return None
    get = cors.get

    def pick(camel, snake):
        return get(camel) if camel in cors else get(snake)

    result = {
        "allow_credentials": pick("AllowCredentials", "allow_credentials"),
        "allow_headers": sorted_list(pick("AllowHeaders", "allow_headers")),
        "allow_methods": sorted_list(pick("AllowMethods", "allow_methods")),
        "allow_origins": sorted_list(pick("AllowOrigins", "allow_origins")),
        "expose_headers": sorted_list(pick("ExposeHeaders", "expose_headers")),
        "max_age": pick("MaxAge", "max_age"),
    }
    if not any(value for value in result.values()) and result["allow_credentials"] is None:
        return None
    return result


def integration_id_of_target(target: Optional[str]) -> Optional[str]:
    if target and target.startswith(INTEGRATION_TARGET_PREFIX):
        return target[len(INTEGRATION_TARGET_PREFIX) :]
    return None


def parse_log_format(value: Optional[str]) -> Any:
    """An access log format compared by meaning: a JSON format as parsed JSON, anything else as text."""
    if value is None:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return value


def normalize_route_settings(settings: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    settings = settings or {}
    return {
        "throttling_burst_limit": settings.get("ThrottlingBurstLimit"),
        "throttling_rate_limit": settings.get("ThrottlingRateLimit"),
        "detailed_metrics_enabled": settings.get("DetailedMetricsEnabled"),
    }


def differences(current: Optional[Dict[str, Any]], desired: Dict[str, Any]) -> List[str]:
    """The keys of desired (only what the user set) whose value differs from the current normalised resource."""
    current = current or {}
    return sorted(key for key, value in desired.items() if current.get(key) != value)


def planned(current: Optional[Dict[str, Any]], empty: Dict[str, Any], desired: Dict[str, Any]) -> Dict[str, Any]:
    """The normalised resource once desired is applied, as far as it is known without AWS (check mode)."""
    result = copy.deepcopy(current) if current else copy.deepcopy(empty)
    result.update(copy.deepcopy(desired))
    return result


INTEGRATION_API_NAMES = {
    "integration_type": "IntegrationType",
    "integration_uri": "IntegrationUri",
    "integration_method": "IntegrationMethod",
    "connection_type": "ConnectionType",
    "connection_id": "ConnectionId",
    "payload_format_version": "PayloadFormatVersion",
    "timeout_in_millis": "TimeoutInMillis",
    "description": "Description",
    "request_parameters": "RequestParameters",
}

VPC_LINK_IMMUTABLE = ("subnet_ids", "security_group_ids")


def api_desired(params):
    """What apigatewayv2_api compares (shared with the apigatewayv2_differences filter)."""
    # The normalised fields the user set (an unset option is not compared).
    desired = {"name": params["name"]}
    if params.get("description") is not None:
        desired["description"] = params["description"] or None
    if params.get("cors_configuration") is not None:
        desired["cors_configuration"] = normalize_cors(params["cors_configuration"])
    for key in ("disable_execute_api_endpoint", "route_selection_expression"):
        if params.get(key) is not None:
            desired[key] = params[key]
    return desired


def integration_desired(params):
    """What apigatewayv2_integration compares: the fields the user set, normalised."""
    desired = {}
    for key in INTEGRATION_API_NAMES:
        if params.get(key) is not None:
            desired[key] = params[key]
    if "description" in desired:
        desired["description"] = desired["description"] or None
    if params.get("tls_config") is not None:
        desired["tls_config"] = {"server_name_to_verify": params["tls_config"]["server_name_to_verify"]}
    return desired


def route_desired(params):
    """What apigatewayv2_route compares: the fields the user set, normalised."""
    desired = {"route_key": params["route_key"]}
    target = params.get("target")
    if params.get("integration_id"):
        target = INTEGRATION_TARGET_PREFIX + params["integration_id"]
    if target is not None:
        desired["target"] = target or None
        desired["integration_id"] = integration_id_of_target(target)
    for key in ("authorization_type", "authorizer_id", "operation_name"):
        if params.get(key) is not None:
            desired[key] = params[key]
    if params.get("authorization_scopes") is not None:
        desired["authorization_scopes"] = sorted(params["authorization_scopes"])
    return desired


STAGE_SETTING_KEYS = ("throttling_burst_limit", "throttling_rate_limit", "detailed_metrics_enabled")


def _merge_route_settings(current, given):
    """current route settings with the ones the user gave (None = not given) laid over them."""
    merged = dict(current or normalize_route_settings(None))
    for key in STAGE_SETTING_KEYS:
        if given.get(key) is not None:
            merged[key] = float(given[key]) if key == "throttling_rate_limit" else given[key]
    return merged


def stage_desired(params, current):
    """The normalised fields the user set; nested route settings are merged over the current ones."""
    current = current or {}
    desired = {}
    if params.get("description") is not None:
        desired["description"] = params["description"] or None
    if params.get("auto_deploy") is not None:
        desired["auto_deploy"] = params["auto_deploy"]
    if params.get("access_log_settings") is not None:
        desired["access_log_settings"] = dict(params["access_log_settings"])
    if params.get("default_route_settings") is not None:
        desired["default_route_settings"] = _merge_route_settings(
            current.get("default_route_settings"), params["default_route_settings"]
        )
    if params.get("route_settings") is not None:
        route_settings = copy.deepcopy(current.get("route_settings") or {})
        for item in params["route_settings"]:
            route_settings[item["route_key"]] = _merge_route_settings(route_settings.get(item["route_key"]), item)
        desired["route_settings"] = route_settings
    if params.get("stage_variables") is not None:
        desired["stage_variables"] = dict(params["stage_variables"])
    return desired


def comparable_stage(stage):
    """A normalised stage with the access log format parsed, so JSON formats compare by meaning."""
    if not stage:
        return stage
    result = dict(stage)
    if result.get("access_log_settings"):
        logs = dict(result["access_log_settings"])
        logs["format"] = parse_log_format(logs.get("format"))
        result["access_log_settings"] = logs
    return result


def vpc_link_refused_changes(current, params):
    """Messages for subnets / security groups that differ from the existing VPC link's (AWS cannot change them)."""
    problems = []
    for key in VPC_LINK_IMMUTABLE:
        if params.get(key) is not None and sorted(set(params[key])) != current[key]:
            problems.append(f"{key} {current[key]} -> {sorted(set(params[key]))}")
    return problems
