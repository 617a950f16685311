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

from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import exit_with_result
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import PaymentsApiGatewayV2Error
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import get_integration
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import list_integrations
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import normalize_integration
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import INTEGRATION_REQUIRED_IF
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import INTEGRATION_REQUIRED_ONE_OF
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import INTEGRATION_REQUIRED_TOGETHER
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import integration_argument_spec
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import match_integration
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import missing_api
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import reconcile_integration_absent
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import reconcile_integration_present
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import with_after
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule


def find_integration(client, params, missing_api_ok=False):
    """The raw integration: by integration_id (GetIntegration), else the one of the API's integrations matching the
    natural key; None when there is none. A missing API is an error, except with missing_api_ok (state=absent)."""
    api_id = params["api_id"]
    if params.get("integration_id"):
        return get_integration(client, api_id, params["integration_id"])
    integrations = list_integrations(client, api_id)
    if integrations is None:
        if missing_api_ok:
            return None
        raise missing_api(api_id)
    return match_integration(integrations, api_id, params)


def ensure_present(client, params, check_mode):
    api_id = params["api_id"]
    raw = find_integration(client, params)
    result, written = reconcile_integration_present(client, api_id, params, raw, check_mode)
    if written:
        result = with_after(
            result, "integration", normalize_integration(get_integration(client, api_id, written["IntegrationId"]))
        )
    return result


def ensure_absent(client, params, check_mode):
    raw = find_integration(client, params, missing_api_ok=True)
    return reconcile_integration_absent(client, params["api_id"], raw, check_mode)


def main():
    argument_spec = dict(api_id=dict(type="str", required=True), **integration_argument_spec())
    module = PaymentsAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_one_of=INTEGRATION_REQUIRED_ONE_OF,
        required_together=INTEGRATION_REQUIRED_TOGETHER,
        required_if=INTEGRATION_REQUIRED_IF,
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
