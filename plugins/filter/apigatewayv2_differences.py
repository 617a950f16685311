# -*- coding: utf-8 -*-
# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: apigatewayv2_differences
short_description: What an apigatewayv2_* module would change on an HTTP API read by apigatewayv2_info
version_added: 0.2.0
description:
  - Finds, in what M(payments.infra.apigatewayv2_info) returned, the resource one of
    M(payments.infra.apigatewayv2_api), M(payments.infra.apigatewayv2_vpc_link),
    M(payments.infra.apigatewayv2_integration), M(payments.infra.apigatewayv2_route) or
    M(payments.infra.apigatewayv2_stage) would manage with the given options (C(state=present)), the way that module
    finds it, and compares it with those options the way that module compares them; what it would set is built by the
    code the modules use (module_utils/apigatewayv2_compare.py), with their normalisation, tag and access log format
    comparison.
  - An option that is not set (or null) is not compared, like the modules leave it alone; C(purge_tags) defaults to
    true as in the modules. An empty list of differences means the module would change nothing, so a role can skip it.
options:
  _input:
    description:
      - The registered result of M(payments.infra.apigatewayv2_info) (its C(api), C(integrations), C(routes),
        C(stages) and C(vpc_link)); C(api) null (or the keys missing) when the API does not exist.
    type: dict
    required: true
  kind:
    description: Which module the options are for.
    type: str
    choices: [api, vpc_link, integration, route, stage]
    required: true
  options:
    description:
      - The options of that module, as the role gives them (typed as the module's argument spec types them,
        so integers, floats and booleans, not strings). C(api_id) and C(state) are ignored.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Read the API once
  payments.infra.apigatewayv2_info:
    name: payment-api-prod
  register: found

- name: Create or update the route only when it is missing or differs
  payments.infra.apigatewayv2_route:
    api_id: "{{ found.api.api_id }}"
    route_key: POST /validate
    integration_id: abc123d
  when: >-
    (found | payments.infra.apigatewayv2_differences('route', {'route_key': 'POST /validate',
                                                               'integration_id': 'abc123d'})).differences
    | length > 0
"""

RETURN = r"""
_value:
  description: The resource found and what differs.
  type: dict
  contains:
    current:
      description: The normalised resource the module would manage (as apigatewayv2_info returns it), null when none.
      type: dict
    differences:
      description:
        - The differing field names, sorted (C(tags) when tags would be set or removed); C([missing]) when the resource
          (or, for the other kinds, the API) does not exist; C([ambiguous]) when several resources match, which the
          module refuses; for a VPC link, C(subnet_ids) or C(security_group_ids) (which the module refuses to change)
          and C(vpc_link_status) when O(options.wait) is true and the link is not AVAILABLE; C([]) when nothing
          differs.
      type: list
      elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import VPC_LINK_IMMUTABLE
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import api_desired
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import comparable_stage
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import differences
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import integration_desired
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import route_desired
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import stage_desired
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import vpc_link_refused_changes
from ansible_collections.payments.infra.plugins.module_utils.tag_compare import tag_changes

KINDS = ("api", "vpc_link", "integration", "route", "stage")
MISSING = ["missing"]
AMBIGUOUS = ["ambiguous"]


def _tag_differences(current, options):
    to_set, to_unset = tag_changes(current.get("tags"), options.get("tags"), options.get("purge_tags", True))
    return ["tags"] if to_set or to_unset else []


def _one(items, matches):
    found = [item for item in items or [] if matches(item)]
    if len(found) > 1:
        return None, AMBIGUOUS
    return (found[0], None) if found else (None, MISSING)


def _find(info, kind, options):
    """The current resource as the module finds it (its natural key), or (None, [missing|ambiguous])."""
    if kind == "vpc_link":
        link = info.get("vpc_link")
        return (link, None) if link else (None, MISSING)
    api = info.get("api")
    if not api:
        return None, MISSING
    if kind == "api":
        return api, None
    if kind == "integration":
        if options.get("integration_id"):
            return _one(info.get("integrations"), lambda item: item["integration_id"] == options["integration_id"])

        def matches(item):
            return (
                item["integration_type"] == options.get("integration_type")
                and item["integration_uri"] == options.get("integration_uri")
                and (not options.get("connection_id") or item["connection_id"] == options["connection_id"])
            )

        return _one(info.get("integrations"), matches)
    if kind == "route":
        return _one(info.get("routes"), lambda item: item["route_key"] == options["route_key"])
    name = options.get("name") or "$default"
    return _one(info.get("stages"), lambda item: item["stage_name"] == name)


def _compare(kind, current, options):
    if kind == "api":
        return differences(current, api_desired(options)) + _tag_differences(current, options)
    if kind == "vpc_link":
        # The module refuses to change these (it fails): differing, they make it run and say why.
        found = [key for key in VPC_LINK_IMMUTABLE if vpc_link_refused_changes(current, {key: options.get(key)})]
        if options.get("wait") and current.get("vpc_link_status") != "AVAILABLE":
            found.append("vpc_link_status")
        return found + _tag_differences(current, options)
    if kind == "integration":
        return differences(current, integration_desired(options))
    if kind == "route":
        return differences(current, route_desired(options))
    desired = stage_desired(options, current)
    found = differences(comparable_stage(current), comparable_stage(desired))
    return found + _tag_differences(current, options)


def apigatewayv2_differences(info, kind, options):
    if not isinstance(info, dict):
        raise AnsibleFilterError(
            f"apigatewayv2_differences: the input must be what apigatewayv2_info returned, got {type(info).__name__}"
        )
    if kind not in KINDS:
        raise AnsibleFilterError(f"apigatewayv2_differences: kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if not isinstance(options, dict):
        raise AnsibleFilterError(f"apigatewayv2_differences: options must be a dict, got {type(options).__name__}")
    current, problem = _find(info, kind, options)
    if problem:
        return {"current": None, "differences": list(problem)}
    return {"current": current, "differences": sorted(_compare(kind, current, dict(options)))}


class FilterModule:
    def filters(self):
        return {"apigatewayv2_differences": apigatewayv2_differences}
