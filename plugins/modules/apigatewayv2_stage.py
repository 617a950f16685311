#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: apigatewayv2_stage
version_added: 0.1.0
short_description: Manage a stage of an API Gateway v2 HTTP API
description:
  - Create, update or delete a stage of an HTTP API (by default the C($default) stage) - automatic
    deployment, access logging, throttling and metrics for all routes and per route key, stage variables and
    tags.
  - Options that are not set never cause a change. Within O(default_route_settings) and O(route_settings),
    only the settings given are compared; route keys not listed in O(route_settings) are left as they are.
  - The access log O(access_log_settings.format) is compared as parsed JSON when it is JSON, so key order and
    whitespace do not cause a change.
author:
  - payments.infra maintainers (@payments-infra)
options:
  api_id:
    description: ID of the HTTP API.
    type: str
    required: true
  name:
    description: Name of the stage.
    type: str
    default: $default
  state:
    description: Whether the stage exists.
    type: str
    choices: [present, absent]
    default: present
  description:
    description: Description of the stage. An empty string removes it.
    type: str
  auto_deploy:
    description: Whether every change of the API is deployed to the stage automatically.
    type: bool
  access_log_settings:
    description: Access logging of the stage.
    type: dict
    suboptions:
      destination_arn:
        description: ARN of the CloudWatch Logs log group.
        type: str
        required: true
      format:
        description: Log line format (usually a JSON object of C($context) variables).
        type: str
        required: true
  default_route_settings:
    description: Settings of every route of the stage.
    type: dict
    suboptions:
      throttling_burst_limit:
        description: Burst limit (requests).
        type: int
      throttling_rate_limit:
        description: Steady-state limit (requests per second).
        type: float
      detailed_metrics_enabled:
        description: Whether per-route CloudWatch metrics are on.
        type: bool
  route_settings:
    description: Settings of single routes, overriding O(default_route_settings).
    type: list
    elements: dict
    suboptions:
      route_key:
        description: Route key the settings apply to, for example C(POST /validate).
        type: str
        required: true
      throttling_burst_limit:
        description: Burst limit (requests).
        type: int
      throttling_rate_limit:
        description: Steady-state limit (requests per second).
        type: float
      detailed_metrics_enabled:
        description: Whether CloudWatch metrics of the route are on.
        type: bool
  stage_variables:
    description: Stage variables, compared as a whole.
    type: dict
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Default stage, auto-deployed, access-logged and throttled
  payments.infra.apigatewayv2_stage:
    api_id: "{{ payments_api.api_id }}"
    auto_deploy: true
    access_log_settings:
      destination_arn: "{{ access_log_group_arn }}"
      format: '{"requestId":"$context.requestId","status":"$context.status","routeKey":"$context.routeKey"}'
    default_route_settings:
      throttling_burst_limit: 200
      throttling_rate_limit: 100
      detailed_metrics_enabled: true
    route_settings:
      - route_key: POST /validate
        throttling_burst_limit: 50
        throttling_rate_limit: 25
    tags:
      Environment: prod
"""

RETURN = r"""
stage:
  description: The stage as it is now (planned values in check mode). Empty after deletion.
  returned: always
  type: dict
  contains:
    stage_name:
      description: Name of the stage.
      returned: when the stage exists
      type: str
      sample: $default
    description:
      description: Description of the stage.
      returned: when the stage exists
      type: str
      sample: null
    auto_deploy:
      description: Whether changes are deployed automatically.
      returned: when the stage exists
      type: bool
      sample: true
    deployment_id:
      description: ID of the deployment the stage serves.
      returned: when the stage exists
      type: str
      sample: d3pl0y1
    access_log_settings:
      description: Access logging, null when off.
      returned: when the stage exists
      type: dict
      sample: {"destination_arn": "arn:aws:logs:eu-west-1:123456789012:log-group:/apigw/payments", "format": "{}"}
    default_route_settings:
      description: Settings of every route (unset values null).
      returned: when the stage exists
      type: dict
      sample: {"throttling_burst_limit": 200, "throttling_rate_limit": 100.0, "detailed_metrics_enabled": true}
    route_settings:
      description: Settings per route key.
      returned: when the stage exists
      type: dict
      sample: {"POST /validate": {"throttling_burst_limit": 50, "throttling_rate_limit": 25.0,
               "detailed_metrics_enabled": null}}
    stage_variables:
      description: Stage variables.
      returned: when the stage exists
      type: dict
      sample: {"environment": "prod"}
    created_date:
      description: When the stage was created (ISO 8601).
      returned: when the stage exists
      type: str
      sample: "2026-11-01T10:00:00+00:00"
    last_updated_date:
      description: When the stage last changed (ISO 8601).
      returned: when the stage exists
      type: str
      sample: "2026-11-01T10:00:00+00:00"
    tags:
      description: Tags of the stage.
      returned: when the stage exists
      type: dict
      sample: {"Environment": "prod"}
"""


from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import PaymentsApiGatewayV2Error
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import apply_tags
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import create_stage
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import delete_stage
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import exit_with_result
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import get_api
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import get_stage
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import normalize_stage
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import route_settings_to_api
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import stage_arn
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import update_stage
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import comparable_stage
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import differences
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import normalize_route_settings
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import planned
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import stage_desired
from ansible_collections.payments.infra.plugins.module_utils.diff import build_diff
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule
from ansible_collections.payments.infra.plugins.module_utils.tag_compare import merge_tags
from ansible_collections.payments.infra.plugins.module_utils.tag_compare import tag_changes


def api_params(desired, keys):
    params = {}
    if "description" in keys:
        params["Description"] = desired["description"] or ""
    if "auto_deploy" in keys:
        params["AutoDeploy"] = desired["auto_deploy"]
    if "access_log_settings" in keys:
        logs = desired["access_log_settings"]
        params["AccessLogSettings"] = {"DestinationArn": logs["destination_arn"], "Format": logs["format"]}
    if "default_route_settings" in keys:
        params["DefaultRouteSettings"] = route_settings_to_api(desired["default_route_settings"])
    if "route_settings" in keys:
        params["RouteSettings"] = {
            key: route_settings_to_api(value) for key, value in sorted(desired["route_settings"].items())
        }
    if "stage_variables" in keys:
        params["StageVariables"] = desired["stage_variables"]
    return params


def empty_stage(name):
    return {
        "stage_name": name,
        "description": None,
        "auto_deploy": False,
        "deployment_id": None,
        "access_log_settings": None,
        "default_route_settings": normalize_route_settings(None),
        "route_settings": {},
        "stage_variables": {},
        "created_date": None,
        "last_updated_date": None,
        "tags": {},
    }


def ensure_present(client, params, check_mode, partition, region):
    api_id, name = params["api_id"], params["name"]
    if get_api(client, api_id) is None:
        raise PaymentsApiGatewayV2Error(message=f"API {api_id} does not exist")
    current = normalize_stage(get_stage(client, api_id, name))
    desired = stage_desired(params, current)

    if current is None:
        tags = tag_changes({}, params.get("tags"), True)[0]
        after = planned(None, empty_stage(name), dict(desired, tags=tags))
        if check_mode:
            return {"changed": True, "stage": after, "diff": build_diff(None, after)}
        create = api_params(desired, list(desired))
        if not desired.get("description"):
            create.pop("Description", None)
        if tags:
            create["Tags"] = tags
        create_stage(client, api_id, StageName=name, **create)
        after = normalize_stage(get_stage(client, api_id, name))
        return {"changed": True, "stage": after, "diff": build_diff(None, after)}

    changes = differences(comparable_stage(current), comparable_stage(desired))
    to_set, to_unset = tag_changes(current["tags"], params.get("tags"), params["purge_tags"])
    if not changes and not to_set and not to_unset:
        return {"changed": False, "stage": current, "diff": build_diff(current, current)}
    after = planned(current, current, {key: desired[key] for key in changes})
    after["tags"] = merge_tags(current["tags"], to_set, to_unset)
    if check_mode:
        return {"changed": True, "stage": after, "diff": build_diff(current, after)}
    if changes:
        update_stage(client, api_id, name, **api_params(desired, changes))
    apply_tags(client, stage_arn(partition, region, api_id, name), to_set, to_unset)
    after = normalize_stage(get_stage(client, api_id, name))
    return {"changed": True, "stage": after, "diff": build_diff(current, after)}


def ensure_absent(client, params, check_mode):
    api_id, name = params["api_id"], params["name"]
    current = normalize_stage(get_stage(client, api_id, name))
    if current is None:
        return {"changed": False, "stage": {}, "diff": build_diff(None, None)}
    if not check_mode:
        delete_stage(client, api_id, name)
    return {"changed": True, "stage": {}, "diff": build_diff(current, None)}


def main():
    setting_options = dict(
        throttling_burst_limit=dict(type="int"),
        throttling_rate_limit=dict(type="float"),
        detailed_metrics_enabled=dict(type="bool"),
    )
    argument_spec = dict(
        api_id=dict(type="str", required=True),
        name=dict(type="str", default="$default"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        description=dict(type="str"),
        auto_deploy=dict(type="bool"),
        access_log_settings=dict(
            type="dict",
            options=dict(destination_arn=dict(type="str", required=True), format=dict(type="str", required=True)),
        ),
        default_route_settings=dict(type="dict", options=setting_options),
        route_settings=dict(
            type="list",
            elements="dict",
            options=dict(route_key=dict(type="str", required=True, no_log=False), **setting_options),
        ),
        stage_variables=dict(type="dict"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = PaymentsAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = module.client("apigatewayv2")

    try:
        if module.params["state"] == "present":
            # The partition of the client's region: no STS call (stage and VPC link ARNs hold no account).
            partition = client.meta.partition
            result = ensure_present(client, module.params, module.check_mode, partition, module.region)
        else:
            result = ensure_absent(client, module.params, module.check_mode)
    except PaymentsApiGatewayV2Error as e:
        module.fail_json_aws_error(e)

    exit_with_result(module, result)


if __name__ == "__main__":
    main()
