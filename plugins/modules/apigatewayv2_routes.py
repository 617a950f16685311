#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: apigatewayv2_routes
version_added: 0.2.0
short_description: Create, update or delete a list of routes of an API Gateway v2 HTTP API in one module run
description:
  - Reconciles every route of O(routes) of the HTTP API O(api_id) in one module run, each exactly as
    M(payments.infra.apigatewayv2_route) does, with the same options, comparison, changes and returned route; a
    route is found by its O(routes[].route_key) (unique within an API) and pointed at an integration.
  - Reads every route of the API with one C(GetRoutes) (paged), instead of one read per route; writes only what
    differs (C(CreateRoute), C(UpdateRoute), C(DeleteRoute) per route), then reads the routes again with one
    C(GetRoutes) when it wrote any. A rerun that changes nothing makes one request.
  - The routes are handled in the order given; an error stops the run at that route (the earlier ones are done).
  - Options that are not set never cause a change.
  - Throttling is set per route key on the stage (M(payments.infra.apigatewayv2_stage)), not on the route.
author:
  - payments.infra maintainers (@payments-infra)
options:
  api_id:
    description: ID of the HTTP API.
    type: str
    required: true
  routes:
    description:
      - The routes, each with the options of M(payments.infra.apigatewayv2_route) (but O(api_id)). Route keys must
        be distinct.
      - An empty list does nothing (and reads nothing).
    type: list
    elements: dict
    required: true
    suboptions:
      route_key:
        description: Route key, C(<METHOD> <path>) (for example C(POST /validate), C(ANY /{proxy+})) or C($default).
        type: str
        required: true
      state:
        description: Whether the route exists.
        type: str
        choices: [present, absent]
        default: present
      integration_id:
        description: ID of the integration the route sends requests to (sets the target C(integrations/<id>)).
        type: str
      target:
        description: Target of the route in API form, C(integrations/<id>). An empty string detaches the route.
        type: str
      authorization_type:
        description: How callers are authorized.
        type: str
        choices: [NONE, AWS_IAM, JWT, CUSTOM]
      authorizer_id:
        description:
          - ID of the authorizer, with O(routes[].authorization_type=JWT) or O(routes[].authorization_type=CUSTOM).
        type: str
      authorization_scopes:
        description: OAuth scopes a JWT must carry (compared as a set).
        type: list
        elements: str
      operation_name:
        description: Operation name of the route.
        type: str
notes:
  - Supports check mode and diff mode. Diff mode shows each route before and after, by route key.
  - The API must exist, unless every item is O(routes[].state=absent) (then there is nothing to delete).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Route card validation to its Lambda integration and everything else to the ALB
  payments.infra.apigatewayv2_routes:
    api_id: "{{ payments_api.api_id }}"
    routes:
      - route_key: POST /validate
        integration_id: "{{ integrations.integration_ids.payment_validation }}"
        authorization_type: AWS_IAM
      - route_key: $default
        integration_id: "{{ integrations.integration_ids.alb }}"
  register: routes

- name: Remove a route
  payments.infra.apigatewayv2_routes:
    api_id: "{{ payments_api.api_id }}"
    routes:
      - route_key: GET /legacy
        state: absent
"""

RETURN = r"""
routes:
  description:
    - One result per item of O(routes), in that order, each the route as M(payments.infra.apigatewayv2_route) returns
      it (as AWS reports it after the change; planned values in check mode). An absent route is only its route key.
  returned: always
  type: list
  elements: dict
  contains:
    route_id:
      description: ID of the route (null in check mode before creation).
      returned: when the route exists
      type: str
      sample: r4nd0m1
    route_key:
      description: Route key.
      returned: always
      type: str
      sample: POST /validate
    target:
      description: Target of the route.
      returned: when the route exists
      type: str
      sample: integrations/abc123d
    integration_id:
      description: ID of the integration in the target, null when the target is not an integration.
      returned: when the route exists
      type: str
      sample: abc123d
    authorization_type:
      description: Authorization type.
      returned: when the route exists
      type: str
      sample: AWS_IAM
    authorizer_id:
      description: ID of the authorizer.
      returned: when the route exists
      type: str
      sample: null
    authorization_scopes:
      description: OAuth scopes (sorted).
      returned: when the route exists
      type: list
      elements: str
      sample: []
    api_key_required:
      description: Whether an API key is required (always false for HTTP APIs).
      returned: when the route exists
      type: bool
      sample: false
    operation_name:
      description: Operation name.
      returned: when the route exists
      type: str
      sample: null
route_ids:
  description:
    - ID of each route by route key; null for an absent route and, in check mode, for one that would be created.
  returned: always
  type: dict
  sample: {"POST /validate": "r4nd0m1", "$default": "r4nd0m2"}
changed_routes:
  description: Route keys of the routes created, updated or deleted (or that would be, in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: [POST /validate]
"""

from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import PaymentsApiGatewayV2Error
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import list_routes
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import normalize_route
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import ROUTE_MUTUALLY_EXCLUSIVE
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import match_route
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import missing_api
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import reconcile_route_absent
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import reconcile_route_present
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import replace_item
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import route_argument_spec
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import with_after
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule


def ensure_routes(client, api_id, items, check_mode):
    """(changed_keys, results, diff) for the route options in `items`, in their order: one read of the API's routes,
    the compare/act of apigatewayv2_route for each, one read back when anything was written.
    results are the routes (an absent one is only its route key); diff is {before, after} of {route_key: route}."""
    found = list_routes(client, api_id)
    if found is None:
        if any(params["state"] == "present" for params in items):
            raise missing_api(api_id)
        found = []
    changed_keys, results, written_ids = [], [], {}
    for index, params in enumerate(items):
        raw = match_route(found, api_id, params["route_key"])
        if params["state"] == "present":
            result, written = reconcile_route_present(client, api_id, params, raw, check_mode)
            if written:
                found = replace_item(found, "RouteId", raw, written)
                written_ids[index] = written["RouteId"]
        else:
            result = reconcile_route_absent(client, api_id, raw, check_mode)
            if result["changed"] and not check_mode:
                found = replace_item(found, "RouteId", raw, None)
        if result["changed"]:
            changed_keys.append(params["route_key"])
        results.append(result)

    if written_ids:
        reread = {item.get("RouteId"): item for item in list_routes(client, api_id) or []}
        for index, route_id in written_ids.items():
            results[index] = with_after(results[index], "route", normalize_route(reread.get(route_id)))

    diff = {"before": {}, "after": {}}
    routes = []
    for index, result in enumerate(results):
        route_key = items[index]["route_key"]
        diff["before"][route_key] = result["diff"]["before"]
        diff["after"][route_key] = result["diff"]["after"]
        routes.append(result["route"] or {"route_key": route_key})
    return changed_keys, routes, diff


def main():
    argument_spec = dict(
        api_id=dict(type="str", required=True),
        routes=dict(
            type="list",
            elements="dict",
            required=True,
            options=route_argument_spec(),
            mutually_exclusive=ROUTE_MUTUALLY_EXCLUSIVE,
        ),
    )
    module = PaymentsAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    items = module.params["routes"]
    module.validate_list_option("routes", [params["route_key"] for params in items], what="route keys")
    if not items:
        module.exit_with_diff(
            {
                "changed": False,
                "routes": [],
                "route_ids": {},
                "changed_routes": [],
                "diff": {"before": {}, "after": {}},
            }
        )
    try:
        changed_keys, routes, diff = ensure_routes(
            module.client("apigatewayv2"), module.params["api_id"], items, module.check_mode
        )
    except PaymentsApiGatewayV2Error as e:
        module.fail_json_aws_error(e)

    module.exit_with_diff(
        {
            "changed": bool(changed_keys),
            "routes": routes,
            "route_ids": {route["route_key"]: route.get("route_id") for route in routes},
            "changed_routes": changed_keys,
            "diff": diff,
        }
    )


if __name__ == "__main__":
    main()
