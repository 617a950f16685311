#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: cloudwatch_dashboard
short_description: Create, update or delete a CloudWatch dashboard, comparing its body as parsed JSON
version_added: 0.1.0
description:
  - Creates, replaces or deletes an Amazon CloudWatch dashboard found by name.
  - The body is compared as parsed JSON, so key order and whitespace never cause a change, and a number is
    compared by value (V(1) and V(1.0) are the same). A string is never equal to a number (V("1") is not V(1)),
    and V(true) is not V(1).
  - C(PutDashboard) replaces the whole body, so the whole body is reconciled; there is no partial update.
  - CloudWatch validates the body when it is put. A body it refuses fails the task with every validation message
    (data path and message). Validation messages of a body it accepts are returned as warnings. Check mode cannot
    ask CloudWatch to validate, so only the shape of the body (a JSON object with a C(widgets) list of objects) is
    checked there.
  - Dashboards are global to the account; the module uses the connection's region endpoint.
  - Use M(payments.infra.cloudwatch_dashboard_info) to read a dashboard without changing it.
author:
  - payments.infra maintainers (@payments-infra)
options:
  name:
    description:
      - Name of the dashboard (1-255 letters, digits, C(-) and C(_)).
    type: str
    required: true
  body:
    description:
      - The dashboard body, as AWS documents it in I(Dashboard Body Structure and Syntax) - an object with a
        C(widgets) list (and optional C(start), C(end), C(periodOverride), C(variables)...).
      - A dict, or a string holding JSON or YAML.
      - Required when O(state=present). Floats with an integral value are sent as integers.
    type: raw
  state:
    description: Whether the dashboard exists.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Diff mode (C(--diff)) shows the parsed bodies before and after the change.
"""

EXAMPLES = r"""
- name: Dashboard from a dict
  payments.infra.cloudwatch_dashboard:
    name: payment-processing-prod
    body:
      start: -PT3H
      widgets:
        - type: metric
          x: 0
          y: 0
          width: 12
          height: 6
          properties:
            title: API p99 latency
            region: eu-west-1
            stat: p99
            period: 60
            metrics:
              - [AWS/ApiGateway, Latency, ApiId, a1b2c3d4e5]

- name: Dashboard from a JSON template
  payments.infra.cloudwatch_dashboard:
    name: payment-processing-prod
    body: "{{ lookup('ansible.builtin.template', 'dashboard.json.j2') }}"

- name: Delete the dashboard
  payments.infra.cloudwatch_dashboard:
    name: payment-processing-dev
    state: absent
"""

RETURN = r"""
dashboard:
  description: The dashboard as CloudWatch reports it after the change (planned in check mode). Empty when absent.
  returned: always
  type: dict
  contains:
    name:
      description: Name of the dashboard.
      returned: when the dashboard exists
      type: str
      sample: payment-processing-prod
    arn:
      description: ARN of the dashboard (null when it would be created in check mode).
      returned: when the dashboard exists
      type: str
      sample: arn:aws:cloudwatch::123456789012:dashboard/payment-processing-prod
    body:
      description: The body, parsed (floats with an integral value as integers).
      returned: when the dashboard exists
      type: dict
      sample: {"widgets": [{"type": "text", "x": 0, "y": 0, "width": 24, "height": 2,
               "properties": {"markdown": "Managed by Ansible"}}]}
    size:
      description: Size in bytes of the body as stored (as it would be sent, in check mode).
      returned: when the dashboard exists
      type: int
      sample: 104
diff:
  description: The parsed bodies before and after the change; V({}) for a dashboard that does not exist.
  returned: in diff mode
  type: dict
  contains:
    before:
      description: Body before the change.
      returned: in diff mode
      type: dict
      sample: {}
    after:
      description: Body after the change.
      returned: in diff mode
      type: dict
      sample: {"widgets": []}
"""

from ansible_collections.payments.infra.plugins.module_utils.cloudwatch import DASHBOARD_NAME
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch import PaymentsCloudWatchError
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch import bodies_equal
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch import body_size
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch import delete_dashboard
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch import format_validation_messages
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch import get_dashboard
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch import normalize_dashboard
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch import parse_body
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch import put_dashboard
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch import serialize_body
from ansible_collections.payments.infra.plugins.module_utils.diff import build_diff
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule


def read_dashboard(client, name):
    """The normalised dashboard `name`, None when it does not exist."""
    return normalize_dashboard(get_dashboard(client, name))


def ensure_present(client, name, body, check_mode):
    """(changed, dashboard, diff, warnings) for a canonical `body` (see module_utils.cloudwatch.parse_body)."""
    before = read_dashboard(client, name)
    before_body = before["body"] if before else None
    if before is not None and bodies_equal(before_body, body):
        return False, before, build_diff(before_body, before_body), []

    text = serialize_body(body)
    if check_mode:
        after = {"name": name, "arn": before["arn"] if before else None, "body": body, "size": body_size(text)}
        return True, after, build_diff(before_body, body), []

    messages = put_dashboard(client, name, text)
    after = read_dashboard(client, name)
    if after is None or not bodies_equal(after["body"], body):
        # PutDashboard answered without an error but did not store the body: its messages say why.
        reasons = format_validation_messages(messages) or "no validation message"
        raise PaymentsCloudWatchError(message=f"CloudWatch did not store the body of dashboard {name}: {reasons}")
    warnings = [f"dashboard {name}: {format_validation_messages([item])}" for item in messages]
    return True, after, build_diff(before_body, after["body"]), warnings


def ensure_absent(client, name, check_mode):
    """(changed, dashboard, diff, warnings)."""
    before = read_dashboard(client, name)
    if before is None:
        return False, {}, build_diff(None, None), []
    if not check_mode:
        delete_dashboard(client, name)
    return True, {}, build_diff(before["body"], None), []


def validate_body(body):
    """Why `body` (canonical) is not a dashboard body, or None. Checks only the shape CloudWatch requires."""
    widgets = body.get("widgets")
    if not isinstance(widgets, list):
        return "body.widgets must be a list of widgets (use [] for an empty dashboard)"
    for index, widget in enumerate(widgets):
        if not isinstance(widget, dict):
            return f"body.widgets[{index}] must be an object, not a {type(widget).__name__}"
    return None


def desired_body(module):
    """The body option in canonical form; fails the module when it is not a dashboard body."""
    try:
        body = parse_body(module.params["body"])
    except ValueError as e:
        module.fail_json(msg=f"body: {e}")
    problem = validate_body(body)
    if problem:
        module.fail_json(msg=problem)
    return body


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        body=dict(type="raw"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = PaymentsAWSModule(
        argument_spec=argument_spec,
        required_if=[("state", "present", ["body"])],
        supports_check_mode=True,
    )
    name = module.params["name"]
    if not DASHBOARD_NAME.match(name):
        module.fail_json(msg=f"name={name!r} is not a valid dashboard name (1-255 letters, digits, '-' and '_')")
    body = desired_body(module) if module.params["state"] == "present" else None

    client = module.client("cloudwatch")
    try:
        if module.params["state"] == "present":
            changed, dashboard, diff, warnings = ensure_present(client, name, body, module.check_mode)
        else:
            changed, dashboard, diff, warnings = ensure_absent(client, name, module.check_mode)
    except PaymentsCloudWatchError as e:
        module.fail_json_aws_error(e)

    module.exit_with_diff({"changed": changed, "dashboard": dashboard or {}, "diff": diff}, warnings)


if __name__ == "__main__":
    main()
