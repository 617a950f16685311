#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: apigatewayv2_integrations
version_added: 0.2.0
short_description: Create, update or delete a list of integrations of an API Gateway v2 HTTP API in one module run
description:
  - Reconciles every integration of O(integrations) of the HTTP API O(api_id) in one module run, each exactly as
    M(payments.infra.apigatewayv2_integration) does, with the same options, natural key, comparison, changes and
    returned integration - a Lambda proxy (C(AWS_PROXY)) or an HTTP proxy (C(HTTP_PROXY)), for example to an
    Application Load Balancer listener over a VPC link.
  - Reads every integration of the API with one C(GetIntegrations) (paged), instead of one read per integration;
    writes only what differs (C(CreateIntegration), C(UpdateIntegration), C(DeleteIntegration) per integration),
    then reads the integrations again with one C(GetIntegrations) when it wrote any. A rerun that changes nothing
    makes one request.
  - Integrations have no name. Each item has a O(integrations[].name) of the caller's choosing, used only to map
    the results back (RV(integration_ids)); within the API an integration is found by its
    O(integrations[].integration_id) or by its natural key O(integrations[].integration_type) +
    O(integrations[].integration_uri) (+ O(integrations[].connection_id) when set).
  - The integrations are handled in the order given, each seeing what the earlier ones created, updated or deleted;
    an error stops the run at that integration (the earlier ones are done).
  - Options that are not set never cause a change.
author:
  - payments.infra maintainers (@payments-infra)
options:
  api_id:
    description: ID of the HTTP API.
    type: str
    required: true
  integrations:
    description:
      - The integrations, each with the options of M(payments.infra.apigatewayv2_integration) (but O(api_id)) and a
        O(integrations[].name). Names must be distinct, and two items found by natural key must not be able to find
        the same integration.
      - An empty list does nothing (and reads nothing).
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Name of the item, the key of its result in RV(integration_ids) (not sent to AWS).
        type: str
        required: true
      integration_id:
        description:
          - ID of the integration to manage, instead of finding it by its natural key.
          - With O(integrations[].state=present) it must exist; the module never creates an integration under a
            given ID.
        type: str
      state:
        description: Whether the integration exists.
        type: str
        choices: [present, absent]
        default: present
      integration_type:
        description:
          - C(AWS_PROXY) for a Lambda function, C(HTTP_PROXY) for an HTTP endpoint or a load balancer listener.
          - Required unless O(integrations[].integration_id) is given.
        type: str
        choices: [AWS_PROXY, HTTP_PROXY]
      integration_uri:
        description:
          - Lambda function ARN (C(AWS_PROXY)), URL, or with O(integrations[].connection_type=VPC_LINK) the ARN of an
            ALB or NLB listener or a Cloud Map service.
          - Required unless O(integrations[].integration_id) is given.
        type: str
      integration_method:
        description: HTTP method of the call to the backend (C(ANY) passes the client's method through).
        type: str
      connection_type:
        description: C(VPC_LINK) to reach a private backend through O(integrations[].connection_id), else C(INTERNET).
        type: str
        choices: [INTERNET, VPC_LINK]
      connection_id:
        description: ID of the VPC link. Part of the natural key when set.
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
notes:
  - Supports check mode and diff mode. Diff mode shows each integration before and after, by O(integrations[].name).
  - The API must exist, unless every item is O(integrations[].state=absent) (then there is nothing to delete).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Two Lambda proxy integrations and the ALB over a VPC link, in one call
  payments.infra.apigatewayv2_integrations:
    api_id: "{{ payments_api.api_id }}"
    integrations:
      - name: payment_validation
        integration_type: AWS_PROXY
        integration_uri: "{{ validation_function_arn }}"
        payload_format_version: "2.0"
        timeout_in_millis: 10000
      - name: transaction_processing
        integration_type: AWS_PROXY
        integration_uri: "{{ processing_function_arn }}"
        payload_format_version: "2.0"
        timeout_in_millis: 10000
      - name: alb
        integration_type: HTTP_PROXY
        integration_uri: "{{ alb_listener_arn }}"
        integration_method: ANY
        connection_type: VPC_LINK
        connection_id: "{{ vpc_link.vpc_link_id }}"
        payload_format_version: "1.0"
        tls_config:
          server_name_to_verify: payments.internal.example.com
  register: integrations

- name: Route to them by name
  payments.infra.apigatewayv2_routes:
    api_id: "{{ payments_api.api_id }}"
    routes:
      - route_key: POST /validate
        integration_id: "{{ integrations.integration_ids.payment_validation }}"
      - route_key: $default
        integration_id: "{{ integrations.integration_ids.alb }}"

- name: Delete an integration
  payments.infra.apigatewayv2_integrations:
    api_id: "{{ payments_api.api_id }}"
    integrations:
      - name: legacy
        integration_type: AWS_PROXY
        integration_uri: "{{ legacy_function_arn }}"
        state: absent
"""

RETURN = r"""
integrations:
  description:
    - One result per item of O(integrations), in that order, each the integration as
      M(payments.infra.apigatewayv2_integration) returns it (as AWS reports it after the change; planned values in
      check mode) with the item's O(integrations[].name). An absent integration is only its name.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The item's O(integrations[].name).
      returned: always
      type: str
      sample: payment_validation
    integration_id:
      description: ID of the integration (null in check mode before creation).
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
integration_ids:
  description:
    - ID of each integration by O(integrations[].name); null for an absent integration and, in check mode, for one
      that would be created.
  returned: always
  type: dict
  sample: {"payment_validation": "abc123d", "alb": "def456g"}
changed_integrations:
  description: Names of the integrations created, updated or deleted (or that would be, in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: [payment_validation]
"""

from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import PaymentsApiGatewayV2Error
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import list_integrations
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import normalize_integration
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import INTEGRATION_REQUIRED_IF
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import INTEGRATION_REQUIRED_ONE_OF
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import INTEGRATION_REQUIRED_TOGETHER
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import integration_argument_spec
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import integration_keys_overlap
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import match_integration
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import missing_api
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import reconcile_integration_absent
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import reconcile_integration_present
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import replace_item
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_ensure import with_after
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule


def ensure_integrations(client, api_id, items, check_mode):
    """(changed_names, results, diff) for the integration options in `items`, in their order: one read of the API's
    integrations, the compare/act of apigatewayv2_integration for each, one read back when anything was written.
    results are the integrations with their item's name; diff is {before, after} of {name: integration}."""
    found = list_integrations(client, api_id)
    if found is None:
        if any(params["state"] == "present" for params in items):
            raise missing_api(api_id)
        found = []
    changed_names, results, written_ids = [], [], {}
    for index, params in enumerate(items):
        raw = match_integration(found, api_id, params)
        if params["state"] == "present":
            result, written = reconcile_integration_present(client, api_id, params, raw, check_mode)
            if written:
                found = replace_item(found, "IntegrationId", raw, written)
                written_ids[index] = written["IntegrationId"]
        else:
            result = reconcile_integration_absent(client, api_id, raw, check_mode)
            if result["changed"] and not check_mode:
                found = replace_item(found, "IntegrationId", raw, None)
        if result["changed"]:
            changed_names.append(params["name"])
        results.append(result)

    if written_ids:
        reread = {item.get("IntegrationId"): item for item in list_integrations(client, api_id) or []}
        for index, integration_id in written_ids.items():
            after = normalize_integration(reread.get(integration_id))
            results[index] = with_after(results[index], "integration", after)

    diff = {"before": {}, "after": {}}
    integrations = []
    for index, result in enumerate(results):
        params = items[index]
        diff["before"][params["name"]] = result["diff"]["before"]
        diff["after"][params["name"]] = result["diff"]["after"]
        integrations.append(dict(result["integration"] or {}, name=params["name"]))
    return changed_names, integrations, diff


def items_error(module):
    """A message when two items found by natural key could find the same integration (the second would update what
    the first made, on every run), else None."""
    present = [params for params in module.params["integrations"] if params["state"] == "present"]
    for index, first in enumerate(present):
        for second in present[index + 1 :]:
            if integration_keys_overlap(first, second):
                return (
                    f"integrations {first['name']} and {second['name']} have the same type and URI"
                    " (and no distinct connection_id): set integration_id or connection_id to tell them apart"
                )
    return None


def main():
    argument_spec = dict(
        api_id=dict(type="str", required=True),
        integrations=dict(
            type="list",
            elements="dict",
            required=True,
            options=dict(name=dict(type="str", required=True), **integration_argument_spec()),
            required_one_of=INTEGRATION_REQUIRED_ONE_OF,
            required_together=INTEGRATION_REQUIRED_TOGETHER,
            required_if=INTEGRATION_REQUIRED_IF,
        ),
    )
    module = PaymentsAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    items = module.params["integrations"]
    module.validate_list_option("integrations", [params["name"] for params in items])
    error = items_error(module)
    if error:
        module.fail_json(msg=error)
    if not items:
        module.exit_with_diff(
            {
                "changed": False,
                "integrations": [],
                "integration_ids": {},
                "changed_integrations": [],
                "diff": {"before": {}, "after": {}},
            }
        )
    try:
        changed_names, integrations, diff = ensure_integrations(
            module.client("apigatewayv2"), module.params["api_id"], items, module.check_mode
        )
    except PaymentsApiGatewayV2Error as e:
        module.fail_json_aws_error(e)

    module.exit_with_diff(
        {
            "changed": bool(changed_names),
            "integrations": integrations,
            "integration_ids": {item["name"]: item.get("integration_id") for item in integrations},
            "changed_integrations": changed_names,
            "diff": diff,
        }
    )


if __name__ == "__main__":
    main()
