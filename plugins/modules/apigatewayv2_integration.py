#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: apigatewayv2_integration
version_added: 0.1.0
short_description: Manage an integration of an API Gateway v2 HTTP API
description:
  - Create, update or delete an integration of an HTTP API - a Lambda proxy (C(AWS_PROXY)) or an HTTP proxy
    (C(HTTP_PROXY)), for example to an Application Load Balancer listener over a VPC link.
  - Integrations have no name. Within O(api_id) the integration is found by its natural key
    O(integration_type) + O(integration_uri) (+ O(connection_id) when set), so a rerun never creates a second
    one. When several match the module fails, unless O(integration_id) names the one to manage; with
    O(integration_id), a different type or URI updates that integration.
  - Options that are not set never cause a change.
author:
  - payments.infra maintainers (@payments-infra)
options:
  api_id:
    description: ID of the HTTP API.
    type: str
    required: true
  integration_id:
    description:
      - ID of the integration to manage, instead of finding it by its natural key.
      - With O(state=present) it must exist; the module never creates an integration under a given ID.
    type: str
  state:
    description: Whether the integration exists.
    type: str
    choices: [present, absent]
    default: present
  integration_type:
    description:
      - C(AWS_PROXY) for a Lambda function, C(HTTP_PROXY) for an HTTP endpoint or a load balancer listener.
      - Required unless O(integration_id) is given.
    type: str
    choices: [AWS_PROXY, HTTP_PROXY]
  integration_uri:
    description:
      - Lambda function ARN (C(AWS_PROXY)), URL, or with O(connection_type=VPC_LINK) the ARN of an ALB or NLB
        listener or a Cloud Map service.
      - Required unless O(integration_id) is given.
    type: str
  integration_method:
    description: HTTP method of the call to the backend (C(ANY) passes the client's method through).
    type: str
  connection_type:
    description: C(VPC_LINK) to reach a private backend through O(connection_id), else C(INTERNET).
    type: str
    choices: [INTERNET, VPC_LINK]
  connection_id:
    description: ID of the VPC link (see M(payments.infra.apigatewayv2_vpc_link)). Part of the natural key when set.
    type: str
  payload_format_version:
    description: Payload format of a Lambda proxy integration; C(2.0) for new functions.
    type: str
    choices: ["1.0", "2.0"]
  timeout_in_millis:
    description: Integration timeout, 50 to 30000 milliseconds.
    type: int
  description:
    description: Description of the integration. An empty string removes it.
    type: str
  tls_config:
    description: TLS settings of a private integration.
    type: dict
    suboptions:
      server_name_to_verify:
        description: Host name the backend's certificate must carry (SNI).
        type: str
        required: true
  request_parameters:
    description:
      - Parameter mappings of the request to the backend, for example C(overwrite:path=$request.path).
        Compared as a whole.
    type: dict
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Lambda proxy integration
  payments.infra.apigatewayv2_integration:
    api_id: "{{ payments_api.api_id }}"
    integration_type: AWS_PROXY
    integration_uri: "{{ validator_lambda.configuration.function_arn }}"
    payload_format_version: "2.0"
    timeout_in_millis: 10000
  register: validator_integration

- name: Private integration with the internal ALB over a VPC link
  payments.infra.apigatewayv2_integration:
    api_id: "{{ payments_api.api_id }}"
    integration_type: HTTP_PROXY
    integration_uri: "{{ alb_listener_arn }}"
    integration_method: ANY
    connection_type: VPC_LINK
    connection_id: "{{ vpc_link.vpc_link_id }}"
    payload_format_version: "1.0"
    tls_config:
      server_name_to_verify: payments.internal.example.com
    request_parameters:
      "overwrite:path": "$request.path"
"""

RETURN = r"""
integration_id:
  description: ID of the integration (null in check mode before creation, and after deletion).
  returned: always
  type: str
  sample: abc123d
integration:
  description: The integration as it is now (planned values in check mode). Empty after deletion.
  returned: always
  type: dict
  contains:
    integration_id:
      description: ID of the integration.
      returned: when the integration exists
      type: str
      sample: abc123d
    integration_type:
      description: Type of the integration.
      returned: when the integration exists
      type: str
      sample: AWS_PROXY
    integration_uri:
      description: URI of the backend.
      returned: when the integration exists
      type: str
      sample: arn:aws:lambda:eu-west-1:123456789012:function:payment-validator
    integration_method:
      description: HTTP method of the call to the backend.
      returned: when the integration exists
      type: str
      sample: POST
    connection_type:
      description: C(INTERNET) or C(VPC_LINK).
      returned: when the integration exists
      type: str
      sample: INTERNET
    connection_id:
      description: ID of the VPC link, null for C(INTERNET).
      returned: when the integration exists
      type: str
      sample: null
    payload_format_version:
      description: Payload format version.
      returned: when the integration exists
      type: str
      sample: "2.0"
    timeout_in_millis:
      description: Integration timeout in milliseconds.
      returned: when the integration exists
      type: int
      sample: 30000
    description:
      description: Description of the integration.
      returned: when the integration exists
      type: str
      sample: null
    tls_config:
      description: TLS settings, null when there are none.
      returned: when the integration exists
      type: dict
      sample: {"server_name_to_verify": "payments.internal.example.com"}
    request_parameters:
      description: Parameter mappings.
      returned: when the integration exists
      type: dict
      sample: {"overwrite:path": "$request.path"}
"""

from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import PaymentsApiGatewayV2Error
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import create_integration
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import delete_integration
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import exit_with_result
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import find_one
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import get_integration
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import list_integrations
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import normalize_integration
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import update_integration
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import INTEGRATION_API_NAMES
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import differences
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import integration_desired
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import planned
from ansible_collections.payments.infra.plugins.module_utils.diff import build_diff
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule


def _missing_api(api_id):
    return PaymentsApiGatewayV2Error(message=f"API {api_id} does not exist")


def find_integration(client, params, missing_api_ok=False):
    """The raw integration: by integration_id, else the one matching the natural key; None when there is none.

    A missing API is an error, except with missing_api_ok (state=absent: nothing left to delete).
    """
    api_id = params["api_id"]
    if params.get("integration_id"):
        return get_integration(client, api_id, params["integration_id"])
    integrations = list_integrations(client, api_id)
    if integrations is None:
        if missing_api_ok:
            return None
        raise _missing_api(api_id)

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


def api_params(desired, keys):
    params = {INTEGRATION_API_NAMES[key]: desired[key] for key in keys if key in INTEGRATION_API_NAMES}
    if "Description" in params and params["Description"] is None:
        params["Description"] = ""
    if "tls_config" in keys:
        params["TlsConfig"] = {"ServerNameToVerify": desired["tls_config"]["server_name_to_verify"]}
    return params


def empty_integration():
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


def ensure_present(client, params, check_mode):
    api_id = params["api_id"]
    raw = find_integration(client, params)
    if raw is None and params.get("integration_id"):
        raise PaymentsApiGatewayV2Error(
            message=f"Integration {params['integration_id']} of API {api_id} does not exist"
        )
    current = normalize_integration(raw)
    desired = integration_desired(params)

    if current is None:
        after = planned(None, empty_integration(), desired)
        if check_mode:
            return {"changed": True, "integration": after, "diff": build_diff(None, after)}
        created = create_integration(client, api_id, **api_params(desired, list(desired)))
        after = normalize_integration(get_integration(client, api_id, created["IntegrationId"]))
        return {"changed": True, "integration": after, "diff": build_diff(None, after)}

    changes = differences(current, desired)
    if not changes:
        return {"changed": False, "integration": current, "diff": build_diff(current, current)}
    after = planned(current, current, {key: desired[key] for key in changes})
    if check_mode:
        return {"changed": True, "integration": after, "diff": build_diff(current, after)}
    update_integration(client, api_id, current["integration_id"], **api_params(desired, changes))
    after = normalize_integration(get_integration(client, api_id, current["integration_id"]))
    return {"changed": True, "integration": after, "diff": build_diff(current, after)}


def ensure_absent(client, params, check_mode):
    current = normalize_integration(find_integration(client, params, missing_api_ok=True))
    if current is None:
        return {"changed": False, "integration": {}, "diff": build_diff(None, None)}
    if not check_mode:
        delete_integration(client, params["api_id"], current["integration_id"])
    return {"changed": True, "integration": {}, "diff": build_diff(current, None)}


def main():
    argument_spec = dict(
        api_id=dict(type="str", required=True),
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
    module = PaymentsAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_one_of=[["integration_id", "integration_uri"]],
        required_together=[["integration_type", "integration_uri"]],
        required_if=[["connection_type", "VPC_LINK", ["connection_id"]]],
    )
    client = module.client("apigatewayv2")

    try:
        if module.params["state"] == "present":
            result = ensure_present(client, module.params, module.check_mode)
        else:
            result = ensure_absent(client, module.params, module.check_mode)
    except PaymentsApiGatewayV2Error as e:
        module.fail_json_aws_error(e)

    exit_with_result(module, result, "integration", "integration_id")


if __name__ == "__main__":
    main()
