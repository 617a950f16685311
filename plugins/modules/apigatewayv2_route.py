#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: apigatewayv2_route
version_added: 0.1.0
short_description: Manage a route of an API Gateway v2 HTTP API
description:
  - Create, update or delete a route of an HTTP API, found by its O(route_key) (unique within an API), and
    point it at an integration.
  - Options that are not set never cause a change.
  - Throttling is set per route key on the stage (M(payments.infra.apigatewayv2_stage)), not on the route.
author:
  - payments.infra maintainers (@payments-infra)
options:
  api_id:
    description: ID of the HTTP API.
    type: str
    required: true
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
    description: ID of the authorizer, with O(authorization_type=JWT) or O(authorization_type=CUSTOM).
    type: str
  authorization_scopes:
    description: OAuth scopes a JWT must carry (compared as a set).
    type: list
    elements: str
  operation_name:
    description: Operation name of the route.
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Route card validation requests to the validator Lambda
  payments.infra.apigatewayv2_route:
    api_id: "{{ payments_api.api_id }}"
    route_key: POST /validate
    integration_id: "{{ validator_integration.integration_id }}"
    authorization_type: AWS_IAM

- name: Everything else goes to the ALB
  payments.infra.apigatewayv2_route:
    api_id: "{{ payments_api.api_id }}"
    route_key: $default
    integration_id: "{{ alb_integration.integration_id }}"

- name: Remove a route
  payments.infra.apigatewayv2_route:
    api_id: "{{ payments_api.api_id }}"
    route_key: GET /legacy
    state: absent
"""

RETURN = r"""
route_id:
  description: ID of the route (null in check mode before creation, and after deletion).
  returned: always
  type: str
  sample: r4nd0m1
route:
  description: The route as it is now (planned values in check mode). Empty after deletion.
  returned: always
  type: dict
  contains:
    route_id:
      description: ID of the route.
      returned: when the route exists
      type: str
      sample: r4nd0m1
    route_key:
      description: Route key.
      returned: when the route exists
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
"""

from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import exit_with_result
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import PaymentsApiGatewayV2Error
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import list_routes
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import normalize_route
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import ROUTE_MUTUALLY_EXCLUSIVE
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import match_route
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import missing_api
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import reconcile_route_absent
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import reconcile_route_present
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import route_argument_spec
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import with_after
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule


def find_route(client, api_id, route_key, missing_api_ok=False):
    """The raw route with route_key, None when there is none. A missing API is an error, except with
    missing_api_ok (state=absent)."""
    routes = list_routes(client, api_id)
    if routes is None:
        if missing_api_ok:
            return None
        raise missing_api(api_id)
    return match_route(routes, api_id, route_key)


def ensure_present(client, params, check_mode):
    api_id = params["api_id"]
    raw = find_route(client, api_id, params["route_key"])
    result, written = reconcile_route_present(client, api_id, params, raw, check_mode)
    if written:
        result = with_after(result, "route", normalize_route(find_route(client, api_id, params["route_key"])))
    return result


def ensure_absent(client, params, check_mode):
    raw = find_route(client, params["api_id"], params["route_key"], missing_api_ok=True)
    return reconcile_route_absent(client, params["api_id"], raw, check_mode)


def main():
    argument_spec = dict(api_id=dict(type="str", required=True), **route_argument_spec())
    module = PaymentsAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        mutually_exclusive=ROUTE_MUTUALLY_EXCLUSIVE,
    )
    client = module.client("apigatewayv2")

    try:
        if module.params["state"] == "present":
            result = ensure_present(client, module.params, module.check_mode)
        else:
            result = ensure_absent(client, module.params, module.check_mode)
    except PaymentsApiGatewayV2Error as e:
        module.fail_json_aws_error(e)

    exit_with_result(module, result, "route", "route_id")


if __name__ == "__main__":
    main()
