#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: apigatewayv2_info
version_added: 0.1.0
short_description: Read an API Gateway v2 HTTP API with its integrations, routes and stages, and a VPC link
description:
  - Read-only facts about one HTTP API, found by O(name) or O(api_id), with its integrations, routes and
    stages, in the same normalised shape that M(payments.infra.apigatewayv2_api),
    M(payments.infra.apigatewayv2_integration), M(payments.infra.apigatewayv2_route) and
    M(payments.infra.apigatewayv2_stage) return; and one VPC link found by O(vpc_link_name), as
    M(payments.infra.apigatewayv2_vpc_link) returns it.
  - Something that does not exist is reported as null (or an empty list), never as a failure, so a playbook can
    use it in check mode on an empty account. Several HTTP APIs or VPC links with the same name are refused.
author:
  - payments.infra maintainers (@payments-infra)
options:
  name:
    description: Name of the HTTP API to read.
    type: str
  api_id:
    description: ID of the HTTP API to read, instead of its name.
    type: str
  vpc_link_name:
    description: Name of a VPC link to read as well.
    type: str
notes:
  - Supports check mode; the module never changes anything.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the payment API and its VPC link
  payments.infra.apigatewayv2_info:
    name: payment-api-prod
    vpc_link_name: payment-vpclink-prod
  register: payment_api

- name: The API has exactly the routes it should
  ansible.builtin.assert:
    that:
      - payment_api.routes | map(attribute='route_key') | sort == ['$default', 'POST /process', 'POST /validate']
"""

RETURN = r"""
api:
  description:
    - The HTTP API (as M(payments.infra.apigatewayv2_api) returns it), null when it does not exist.
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
      sample: payment-api-prod
    arn:
      description: ARN of the API as an API Gateway resource.
      returned: when the API exists
      type: str
      sample: arn:aws:apigateway:eu-west-1::/apis/a1b2c3d4e5
    execution_arn:
      description: Prefix of the C(execute-api) ARNs of the API.
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
      sample: Payment API
    cors_configuration:
      description: CORS configuration (lists sorted), null when there is none.
      returned: when the API exists
      type: dict
      sample: null
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
integrations:
  description:
    - The integrations of the API (as M(payments.infra.apigatewayv2_integration) returns them), sorted by ID;
      empty when the API does not exist.
  returned: always
  type: list
  elements: dict
  sample:
    - integration_id: abc123d
      integration_type: HTTP_PROXY
      integration_uri: arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/payment-alb-prod/1/2
      integration_method: ANY
      connection_type: VPC_LINK
      connection_id: vl1234
      payload_format_version: "1.0"
      timeout_in_millis: 29000
      description: null
      tls_config:
        server_name_to_verify: api.internal.example.com
      request_parameters: {}
routes:
  description:
    - The routes of the API (as M(payments.infra.apigatewayv2_route) returns them), sorted by route key; empty
      when the API does not exist.
  returned: always
  type: list
  elements: dict
  sample:
    - route_id: r1
      route_key: POST /validate
      target: integrations/abc123d
      integration_id: abc123d
      authorization_type: NONE
      authorizer_id: null
      authorization_scopes: []
      api_key_required: false
      operation_name: null
stages:
  description:
    - The stages of the API (as M(payments.infra.apigatewayv2_stage) returns them), sorted by name; empty when
      the API does not exist.
  returned: always
  type: list
  elements: dict
  sample:
    - stage_name: $default
      description: null
      auto_deploy: true
      deployment_id: d1
      access_log_settings:
        destination_arn: arn:aws:logs:eu-west-1:123456789012:log-group:/aws/apigateway/payment-api-prod
        format: '{"requestId":"$context.requestId"}'
      default_route_settings:
        throttling_burst_limit: 200
        throttling_rate_limit: 100.0
        detailed_metrics_enabled: true
      route_settings: {}
      stage_variables: {}
      created_date: "2026-11-01T10:00:00+00:00"
      last_updated_date: "2026-11-01T10:00:00+00:00"
      tags: {}
vpc_link:
  description:
    - The VPC link named O(vpc_link_name) (as M(payments.infra.apigatewayv2_vpc_link) returns it), null when it
      does not exist or O(vpc_link_name) is not set.
  returned: always
  type: dict
  sample:
    vpc_link_id: vl1234
    name: payment-vpclink-prod
    arn: arn:aws:apigateway:eu-west-1::/vpclinks/vl1234
    subnet_ids: [subnet-1, subnet-2]
    security_group_ids: [sg-1]
    vpc_link_status: AVAILABLE
    vpc_link_status_message: null
    vpc_link_version: V2
    created_date: "2026-11-01T10:00:00+00:00"
    tags: {}
"""

from ansible_collections.amazon.aws.plugins.module_utils.iam import get_aws_account_info

from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import PaymentsApiGatewayV2Error
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import find_one
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import get_api
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import list_apis
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import list_integrations
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import list_routes
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import list_stages
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import list_vpc_links
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import normalize_api
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import normalize_integration
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import normalize_route
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import normalize_stage
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import normalize_vpc_link
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule

PROTOCOL = "HTTP"


def find_api(client, name, api_id):
    """The raw HTTP API by ID or by name, None when there is none."""
    if api_id:
        api = get_api(client, api_id)
        return api if api and api.get("ProtocolType") == PROTOCOL else None
    return find_one(
        list_apis(client),
        lambda api: api.get("Name") == name and api.get("ProtocolType") == PROTOCOL,
        f"HTTP APIs named {name}",
        "read the one you mean with api_id",
    )


def read(client, params, partition, region, account_id):
    """Everything the parameters name, normalised; what does not exist is None or []."""
    result = {"api": None, "integrations": [], "routes": [], "stages": [], "vpc_link": None}
    if params.get("name") or params.get("api_id"):
        api = normalize_api(find_api(client, params.get("name"), params.get("api_id")), partition, region, account_id)
        if api:
            api_id = api["api_id"]
            result["api"] = api
            result["integrations"] = sorted(
                (normalize_integration(item) for item in list_integrations(client, api_id) or []),
                key=lambda item: item["integration_id"],
            )
            result["routes"] = sorted(
                (normalize_route(item) for item in list_routes(client, api_id) or []),
                key=lambda item: item["route_key"],
            )
            result["stages"] = sorted(
                (normalize_stage(item) for item in list_stages(client, api_id) or []),
                key=lambda item: item["stage_name"],
            )
    if params.get("vpc_link_name"):
        name = params["vpc_link_name"]
        link = find_one(
            list_vpc_links(client),
            lambda item: item.get("Name") == name,
            f"VPC links named {name}",
            "delete the extra ones or rename them",
        )
        result["vpc_link"] = normalize_vpc_link(link, partition, region)
    return result


def main():
    argument_spec = dict(
        name=dict(type="str"),
        api_id=dict(type="str"),
        vpc_link_name=dict(type="str"),
    )
    module = PaymentsAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        mutually_exclusive=[("name", "api_id")],
        required_one_of=[("name", "api_id", "vpc_link_name")],
    )
    client = module.client("apigatewayv2")

    try:
        account_id, partition = get_aws_account_info(module)
        result = read(client, module.params, partition, module.region, account_id)
    except PaymentsApiGatewayV2Error as e:
        module.fail_json_aws_error(e)

    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
