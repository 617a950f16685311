# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The find -> compare -> act of one integration and one route of an HTTP API.

Shared by apigatewayv2_integration and apigatewayv2_integrations, apigatewayv2_route and apigatewayv2_routes: the
singular modules read the one resource they manage, the plural ones read every integration (or route) of the API
once; both then hand what they found to the same reconcile_* function, which compares it with the options (only
what the user set) and writes only what differs unless in check mode. A reconcile_* function returns the planned
state and the raw resource its write returned; the caller reads the written resources back (the singular module
each one, the plural one all of them with one list call).
"""

from typing import Any
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import PaymentsApiGatewayV2Error
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import create_integration
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import create_route
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import delete_integration
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import delete_route
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import find_one
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import normalize_integration
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import normalize_route
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import update_integration
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import update_route
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import route_desired
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import planned
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import integration_desired
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import differences
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import INTEGRATION_API_NAMES
from ansible_collections.payments.infra.plugins.module_utils.diff import build_diff

Raw = Optional[Dict[str, Any]]


def missing_api(api_id: str) -> PaymentsApiGatewayV2Error:
    return PaymentsApiGatewayV2Error(message=f"API {api_id} does not exist")


# ---------------------------------------------------------------- integrations

# The options of one integration (apigatewayv2_integration, and each item of apigatewayv2_integrations).
INTEGRATION_REQUIRED_ONE_OF = [["integration_id", "integration_uri"]]
INTEGRATION_REQUIRED_TOGETHER = [["integration_type", "integration_uri"]]
INTEGRATION_REQUIRED_IF = [["connection_type", "VPC_LINK", ["connection_id"]]]


def integration_argument_spec() -> Dict[str, Dict[str, Any]]:
    return dict(
        integration_id=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        integration_type=dict(type="str", choices=["AWS_PROXY", "HTTP_PROXY"]),
        integration_uri=dict(type="str"),
        integration_method=dict(type="str"),
        connection_type=dict(type="str", choices=["INTERNET", "VPC_LINK"]),
        connection_id=dict(type="str"),
        payload_format_version=dict(type="str", choices=["1.0", "2.0"]),
        timeout_in_millis=dict(type="int"),
        description=dict(type="str"),
        tls_config=dict(type="dict", options=dict(server_name_to_verify=dict(type="str", required=True))),
        request_parameters=dict(type="dict"),
    )


def match_integration(integrations: List[Dict[str, Any]], api_id: str, params: Dict[str, Any]) -> Raw:
    """The raw integration of `integrations` (GetIntegrations items) that params manage: the one with
    params' integration_id, else the one matching the natural key type + URI (+ connection_id when set)."""
    if params.get("integration_id"):
        return find_one(
            integrations,
            lambda item: item.get("IntegrationId") == params["integration_id"],
            f"integrations {params['integration_id']} of API {api_id}",
            "integration IDs are unique",
        )

    def matches(item):
        if item.get("IntegrationType") != params["integration_type"]:
            return False
        if item.get("IntegrationUri") != params["integration_uri"]:
            return False
        return not params.get("connection_id") or item.get("ConnectionId") == params["connection_id"]

    return find_one(
        integrations,
        matches,
        f"integrations of API {api_id} with type {params['integration_type']} and URI {params['integration_uri']}",
        "set connection_id or integration_id to tell them apart",
    )


def integration_keys_overlap(first: Dict[str, Any], second: Dict[str, Any]) -> bool:
    """Whether two integrations found by natural key (no integration_id) could find the same integration."""
    if first.get("integration_id") or second.get("integration_id"):
        return False
    if (first["integration_type"], first["integration_uri"]) != (second["integration_type"], second["integration_uri"]):
        return False
    return (
        not first.get("connection_id")
        or not second.get("connection_id")
        or (first["connection_id"] == second["connection_id"])
    )


def integration_api_params(desired: Dict[str, Any], keys: List[str]) -> Dict[str, Any]:
    """CreateIntegration/UpdateIntegration parameters for the desired fields named in keys."""
    params = {INTEGRATION_API_NAMES[key]: desired[key] for key in keys if key in INTEGRATION_API_NAMES}
    if "Description" in params and params["Description"] is None:
        params["Description"] = ""
    if "tls_config" in keys:
        params["TlsConfig"] = {"ServerNameToVerify": desired["tls_config"]["server_name_to_verify"]}
    return params


def empty_integration() -> Dict[str, Any]:
    return {
        "integration_id": None,
        "integration_type": None,
        "integration_uri": None,
        "integration_method": None,
        "connection_type": "INTERNET",
        "connection_id": None,
        "payload_format_version": None,
        "timeout_in_millis": None,
        "description": None,
        "tls_config": None,
        "request_parameters": {},
    }


def reconcile_integration_present(
    client, api_id: str, params: Dict[str, Any], raw: Raw, check_mode: bool
) -> Tuple[Dict[str, Any], Raw]:
    """({changed, integration, diff}, raw integration the write returned or None) for the integration params
    describe, given the raw one found (None: it does not exist). integration is the planned state."""
    if raw is None and params.get("integration_id"):
        raise PaymentsApiGatewayV2Error(
            message=f"Integration {params['integration_id']} of API {api_id} does not exist"
        )
    current = normalize_integration(raw)
    desired = integration_desired(params)

    if current is None:
        after = planned(None, empty_integration(), desired)
        written = None
        if not check_mode:
            written = create_integration(client, api_id, **integration_api_params(desired, list(desired)))
        return {"changed": True, "integration": after, "diff": build_diff(None, after)}, written

    changes = differences(current, desired)
    if not changes:
        return {"changed": False, "integration": current, "diff": build_diff(current, current)}, None
    after = planned(current, current, {key: desired[key] for key in changes})
    written = None
    if not check_mode:
        written = update_integration(
            client, api_id, current["integration_id"], **integration_api_params(desired, changes)
        )
    return {"changed": True, "integration": after, "diff": build_diff(current, after)}, written


def reconcile_integration_absent(client, api_id: str, raw: Raw, check_mode: bool) -> Dict[str, Any]:
    """{changed, integration: {}, diff}: deletes the raw integration found (None: nothing to delete)."""
    current = normalize_integration(raw)
    if current is None:
        return {"changed": False, "integration": {}, "diff": build_diff(None, None)}
    if not check_mode:
        delete_integration(client, api_id, current["integration_id"])
    return {"changed": True, "integration": {}, "diff": build_diff(current, None)}


def with_after(result: Dict[str, Any], key: str, after: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """result with the resource read back after the write (resource and diff after)."""
    result[key] = after
    result["diff"] = build_diff(result["diff"]["before"] or None, after)
    return result


# ---------------------------------------------------------------- routes

ROUTE_API_NAMES = {
    "route_key": "RouteKey",
    "target": "Target",
    "authorization_type": "AuthorizationType",
    "authorizer_id": "AuthorizerId",
    "authorization_scopes": "AuthorizationScopes",
    "operation_name": "OperationName",
}

# The options of one route (apigatewayv2_route, and each item of apigatewayv2_routes).
ROUTE_MUTUALLY_EXCLUSIVE = [["integration_id", "target"]]


def route_argument_spec() -> Dict[str, Dict[str, Any]]:
    return dict(
        route_key=dict(type="str", required=True, no_log=False),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        integration_id=dict(type="str"),
        target=dict(type="str"),
        authorization_type=dict(type="str", choices=["NONE", "AWS_IAM", "JWT", "CUSTOM"]),
        authorizer_id=dict(type="str"),
        authorization_scopes=dict(type="list", elements="str"),
        operation_name=dict(type="str"),
    )


def match_route(routes: List[Dict[str, Any]], api_id: str, route_key: str) -> Raw:
    """The raw route of `routes` (GetRoutes items) with route_key (unique within an API)."""
    return find_one(
        routes, lambda route: route.get("RouteKey") == route_key, f"routes {route_key} of API {api_id}", "delete one"
    )


def route_api_params(desired: Dict[str, Any], keys: List[str]) -> Dict[str, Any]:
    """CreateRoute/UpdateRoute parameters for the desired fields named in keys (an empty target detaches)."""
    params = {ROUTE_API_NAMES[key]: desired[key] for key in keys if key in ROUTE_API_NAMES}
    if "Target" in params and params["Target"] is None:
        params["Target"] = ""
    return params


def empty_route(route_key: str) -> Dict[str, Any]:
    return {
        "route_id": None,
        "route_key": route_key,
        "target": None,
        "integration_id": None,
        "authorization_type": "NONE",
        "authorizer_id": None,
        "authorization_scopes": [],
        "api_key_required": False,
        "operation_name": None,
    }


def reconcile_route_present(
    client, api_id: str, params: Dict[str, Any], raw: Raw, check_mode: bool
) -> Tuple[Dict[str, Any], Raw]:
    """({changed, route, diff}, raw route the write returned or None) for the route params describe, given the raw
    one found (None: it does not exist). route is the planned state."""
    current = normalize_route(raw)
    desired = route_desired(params)

    if current is None:
        after = planned(None, empty_route(params["route_key"]), desired)
        written = None
        if not check_mode:
            create = route_api_params(desired, list(desired))
            if not create.get("Target"):
                create.pop("Target", None)
            written = create_route(client, api_id, **create)
        return {"changed": True, "route": after, "diff": build_diff(None, after)}, written

    changes = differences(current, desired)
    if not changes:
        return {"changed": False, "route": current, "diff": build_diff(current, current)}, None
    after = planned(current, current, {key: desired[key] for key in changes})
    written = None
    if not check_mode:
        written = update_route(client, api_id, current["route_id"], **route_api_params(desired, changes))
    return {"changed": True, "route": after, "diff": build_diff(current, after)}, written


def reconcile_route_absent(client, api_id: str, raw: Raw, check_mode: bool) -> Dict[str, Any]:
    """{changed, route: {}, diff}: deletes the raw route found (None: nothing to delete)."""
    current = normalize_route(raw)
    if current is None:
        return {"changed": False, "route": {}, "diff": build_diff(None, None)}
    if not check_mode:
        delete_route(client, api_id, current["route_id"])
    return {"changed": True, "route": {}, "diff": build_diff(current, None)}


# ---------------------------------------------------------------- working copy of a list read (plural modules)


def replace_item(items: List[Dict[str, Any]], id_key: str, old: Raw, new: Raw) -> List[Dict[str, Any]]:
    """items (a list call's raw items) with `old` replaced by `new` (either may be None: created or deleted), so the
    next item of a plural module finds what the earlier ones made, as a sequence of singular runs would."""
    old_id = (old or {}).get(id_key)
    result = [item for item in items if not old_id or item.get(id_key) != old_id]
    if new:
        result.append(new)
    return result
