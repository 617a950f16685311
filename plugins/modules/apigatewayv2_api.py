#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: apigatewayv2_api
version_added: 0.1.0
short_description: Manage an API Gateway v2 HTTP API
description:
  - Create, update or delete an Amazon API Gateway v2 HTTP API (protocol C(HTTP)) - description, CORS
    configuration, the default C(execute-api) endpoint and tags.
  - The API is found by O(name) among the HTTP APIs of the region, so a rerun never creates a second one.
    When several HTTP APIs share the name the module fails, unless O(api_id) names the one to manage.
  - Options that are not set never cause a change.
  - Routes, integrations and stages have modules of their own (M(payments.infra.apigatewayv2_route),
    M(payments.infra.apigatewayv2_integration), M(payments.infra.apigatewayv2_stage)).
author:
  - payments.infra maintainers (@payments-infra)
options:
  name:
    description:
      - Name of the API. Identifies the API unless O(api_id) is given; with O(api_id), a different name renames it.
    type: str
    required: true
  api_id:
    description:
      - ID of the API to manage, when its name is not unique (or to rename it).
      - With O(state=present) the API must exist; the module never creates an API under a given ID.
    type: str
  state:
    description: Whether the API exists.
    type: str
    choices: [present, absent]
    default: present
  description:
    description: Description of the API. Unset leaves it as it is; an empty string removes it.
    type: str
  cors_configuration:
    description:
      - CORS configuration of the API, compared as a whole (lists as sets). Unset leaves it as it is;
        an empty dict (C({})) removes it.
    type: dict
    suboptions:
      allow_origins:
        description: Allowed origins, for example C(https://checkout.example.com).
        type: list
        elements: str
      allow_methods:
        description: Allowed methods, for example C(POST) or C(*).
        type: list
        elements: str
      allow_headers:
        description: Allowed request headers.
        type: list
        elements: str
      expose_headers:
        description: Response headers exposed to the browser.
        type: list
        elements: str
      max_age:
        description: Seconds a browser caches the preflight answer.
        type: int
      allow_credentials:
        description: Whether credentials (cookies, authorization headers) are allowed.
        type: bool
  disable_execute_api_endpoint:
    description:
      - Whether the default C(https://<api_id>.execute-api.<region>.amazonaws.com) endpoint is turned off, so
        clients must come through a custom domain. Unset leaves it as it is (on for a new API).
    type: bool
  route_selection_expression:
    description:
      - Route selection expression. HTTP APIs support only C($request.method $request.path), which AWS sets
        when it is not given. Unset leaves it as it is.
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: HTTP API of the payment gateway
  payments.infra.apigatewayv2_api:
    name: payments-gateway-prod
    description: Card payment validation API
    cors_configuration:
      allow_origins: ["https://checkout.example.com"]
      allow_methods: [POST, OPTIONS]
      allow_headers: [content-type, authorization]
      max_age: 300
    tags:
      Environment: prod
  register: payments_api

- name: Turn the default endpoint off once the custom domain serves the API
  payments.infra.apigatewayv2_api:
    name: payments-gateway-prod
    disable_execute_api_endpoint: true

- name: Delete the API
  payments.infra.apigatewayv2_api:
    name: payments-gateway-dev
    state: absent
"""

RETURN = r"""
api_id:
  description: ID of the API (null in check mode before creation, and after deletion).
  returned: always
  type: str
  sample: a1b2c3d4e5
api:
  description: The API as it is now (planned values in check mode). Empty after deletion.
  returned: always
  type: dict
  contains:
    api_id:
      description: ID of the API.
      returned: when the API exists
      type: str
      sample: a1b2c3d4e5
    name:
      description: Name of the API.
      returned: when the API exists
      type: str
      sample: payments-gateway-prod
    arn:
      description: ARN of the API as an API Gateway resource (what tagging takes).
      returned: when the API exists
      type: str
      sample: arn:aws:apigateway:eu-west-1::/apis/a1b2c3d4e5
    execution_arn:
      description:
        - Prefix of the C(execute-api) ARNs of the API, for Lambda permissions and IAM policies
          (append C(/<stage>/<method>/<path>)).
      returned: when the API exists
      type: str
      sample: arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5
    api_endpoint:
      description: Default endpoint of the API.
      returned: when the API exists
      type: str
      sample: https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com
    protocol_type:
      description: Protocol of the API.
      returned: when the API exists
      type: str
      sample: HTTP
    description:
      description: Description of the API.
      returned: when the API exists
      type: str
      sample: Card payment validation API
    cors_configuration:
      description: CORS configuration (lists sorted), null when there is none.
      returned: when the API exists
      type: dict
      sample:
        allow_credentials: null
        allow_headers: [authorization, content-type]
        allow_methods: [OPTIONS, POST]
        allow_origins: ["https://checkout.example.com"]
        expose_headers: []
        max_age: 300
    disable_execute_api_endpoint:
      description: Whether the default endpoint is turned off.
      returned: when the API exists
      type: bool
      sample: false
    route_selection_expression:
      description: Route selection expression.
      returned: when the API exists
      type: str
      sample: $request.method $request.path
    api_key_selection_expression:
      description: API key selection expression.
      returned: when the API exists
      type: str
      sample: $request.header.x-api-key
    created_date:
      description: When the API was created (ISO 8601).
      returned: when the API exists
      type: str
      sample: "2026-11-01T10:00:00+00:00"
    tags:
      description: Tags of the API.
      returned: when the API exists
      type: dict
      sample: {"Environment": "prod"}
"""

from ansible_collections.amazon.aws.plugins.module_utils.iam import get_aws_account_info

from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import PaymentsApiGatewayV2Error
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import apply_tags
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import cors_to_api
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import create_api
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import delete_api
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import delete_cors_configuration
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import exit_with_result
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import find_one
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import get_api
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import list_apis
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import normalize_api
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import update_api
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import api_desired
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import differences
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import planned
from ansible_collections.payments.infra.plugins.module_utils.diff import build_diff
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule
from ansible_collections.payments.infra.plugins.module_utils.tag_compare import merge_tags
from ansible_collections.payments.infra.plugins.module_utils.tag_compare import tag_changes

PROTOCOL = "HTTP"
DEFAULT_ROUTE_SELECTION = "$request.method $request.path"


class Context:
    """Where the module runs: what the ARNs it returns are made of."""

    def __init__(self, partition, region, account_id):
        self.partition = partition
        self.region = region
        self.account_id = account_id

    def normalize(self, api):
        return normalize_api(api, self.partition, self.region, self.account_id)


def find_api(client, name, api_id):
    """The raw API: by ID when api_id is given (None when missing), else the one HTTP API called name."""
    if api_id:
        api = get_api(client, api_id)
        if api is not None and api.get("ProtocolType") != PROTOCOL:
            raise PaymentsApiGatewayV2Error(message=f"API {api_id} is a {api.get('ProtocolType')} API, not HTTP")
        return api
    return find_one(
        list_apis(client),
        lambda api: api.get("Name") == name and api.get("ProtocolType") == PROTOCOL,
        f"HTTP APIs named {name}",
        "set api_id to the one to manage",
    )


def update_params(desired, changes):
    """UpdateApi arguments for the changed fields (CORS removal is a call of its own)."""
    mapping = {
        "name": "Name",
        "description": "Description",
        "disable_execute_api_endpoint": "DisableExecuteApiEndpoint",
        "route_selection_expression": "RouteSelectionExpression",
    }
    params = {mapping[key]: desired[key] for key in changes if key in mapping}
    if "Description" in params and params["Description"] is None:
        params["Description"] = ""
    if "cors_configuration" in changes and desired["cors_configuration"] is not None:
        params["CorsConfiguration"] = cors_to_api(desired["cors_configuration"])
    return params


def create_params(desired, tags):
    params = {"Name": desired["name"], "ProtocolType": PROTOCOL}
    if desired.get("description"):
        params["Description"] = desired["description"]
    if desired.get("cors_configuration"):
        params["CorsConfiguration"] = cors_to_api(desired["cors_configuration"])
    if "disable_execute_api_endpoint" in desired:
        params["DisableExecuteApiEndpoint"] = desired["disable_execute_api_endpoint"]
    if "route_selection_expression" in desired:
        params["RouteSelectionExpression"] = desired["route_selection_expression"]
    if tags:
        params["Tags"] = tags
    return params


def empty_api(name):
    return {
        "api_id": None,
        "name": name,
        "arn": None,
        "execution_arn": None,
        "api_endpoint": None,
        "protocol_type": PROTOCOL,
        "description": None,
        "cors_configuration": None,
        "disable_execute_api_endpoint": False,
        "route_selection_expression": DEFAULT_ROUTE_SELECTION,
        "api_key_selection_expression": None,
        "created_date": None,
        "tags": {},
    }


def ensure_present(client, params, check_mode, context):
    raw = find_api(client, params["name"], params.get("api_id"))
    if raw is None and params.get("api_id"):
        raise PaymentsApiGatewayV2Error(message=f"API {params['api_id']} does not exist")
    current = context.normalize(raw)
    desired = api_desired(params)

    if current is None:
        tags = tag_changes({}, params.get("tags"), True)[0]
        after = planned(None, empty_api(params["name"]), dict(desired, tags=tags))
        if check_mode:
            return {"changed": True, "api": after, "diff": build_diff(None, after)}
        created = create_api(client, **create_params(desired, tags))
        after = context.normalize(get_api(client, created["ApiId"]))
        return {"changed": True, "api": after, "diff": build_diff(None, after)}

    changes = differences(current, desired)
    to_set, to_unset = tag_changes(current["tags"], params.get("tags"), params["purge_tags"])
    if not changes and not to_set and not to_unset:
        return {"changed": False, "api": current, "diff": build_diff(current, current)}
    if check_mode:
        after = planned(current, current, {key: desired[key] for key in changes})
        after["tags"] = merge_tags(current["tags"], to_set, to_unset)
        return {"changed": True, "api": after, "diff": build_diff(current, after)}
    api_id = current["api_id"]
    if "cors_configuration" in changes and desired["cors_configuration"] is None:
        delete_cors_configuration(client, api_id)
    update = update_params(desired, changes)
    if update:
        update_api(client, api_id, **update)
    apply_tags(client, current["arn"], to_set, to_unset)
    after = context.normalize(get_api(client, api_id))
    return {"changed": True, "api": after, "diff": build_diff(current, after)}


def ensure_absent(client, params, check_mode, context):
    current = context.normalize(find_api(client, params["name"], params.get("api_id")))
    if current is None:
        return {"changed": False, "api": {}, "diff": build_diff(None, None)}
    if not check_mode:
        delete_api(client, current["api_id"])
    return {"changed": True, "api": {}, "diff": build_diff(current, None)}


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        api_id=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        description=dict(type="str"),
        cors_configuration=dict(
            type="dict",
            options=dict(
                allow_origins=dict(type="list", elements="str"),
                allow_methods=dict(type="list", elements="str"),
                allow_headers=dict(type="list", elements="str"),
                expose_headers=dict(type="list", elements="str"),
                max_age=dict(type="int"),
                allow_credentials=dict(type="bool"),
            ),
        ),
        disable_execute_api_endpoint=dict(type="bool"),
        route_selection_expression=dict(type="str"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = PaymentsAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = module.client("apigatewayv2")

    try:
        account_id, partition = get_aws_account_info(module)
        context = Context(partition, module.region, account_id)
        if module.params["state"] == "present":
            result = ensure_present(client, module.params, module.check_mode, context)
        else:
            result = ensure_absent(client, module.params, module.check_mode, context)
    except PaymentsApiGatewayV2Error as e:
        module.fail_json_aws_error(e)

    exit_with_result(module, result, "api", "api_id")


if __name__ == "__main__":
    main()
