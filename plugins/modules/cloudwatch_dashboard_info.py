#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: cloudwatch_dashboard_info
short_description: Read one CloudWatch dashboard with its body, or list dashboards
version_added: 0.1.0
description:
  - With O(name), reads that dashboard (C(GetDashboard)) in the shape M(payments.infra.cloudwatch_dashboard)
    returns, its body parsed.
  - Without O(name), lists the dashboards (C(ListDashboards)), optionally those whose name starts with
    O(name_prefix); the list holds no bodies (read a dashboard by name for its body).
author:
  - payments.infra maintainers (@payments-infra)
options:
  name:
    description: Name of the dashboard to read.
    type: str
  name_prefix:
    description: List only the dashboards whose name starts with this. Mutually exclusive with O(name).
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the payment dashboard
  payments.infra.cloudwatch_dashboard_info:
    name: payment-processing-prod
  register: dashboard

- name: The dashboard shows the p99 latency
  ansible.builtin.assert:
    that:
      - dashboard.exists
      - dashboard.dashboard.body.widgets | selectattr('properties.title', 'defined')
        | map(attribute='properties.title') | select('search', 'p99') | list | length > 0

- name: List the payment dashboards
  payments.infra.cloudwatch_dashboard_info:
    name_prefix: payment-
  register: dashboards
"""

RETURN = r"""
exists:
  description: Whether the dashboard O(name) exists.
  returned: when O(name) is set
  type: bool
  sample: true
dashboard:
  description:
    - The dashboard, with the keys RV(payments.infra.cloudwatch_dashboard#module:dashboard) has; V({}) when it
      does not exist.
  returned: when O(name) is set
  type: dict
  sample: {"name": "payment-processing-prod",
           "arn": "arn:aws:cloudwatch::123456789012:dashboard/payment-processing-prod",
           "body": {"widgets": []}, "size": 14}
dashboards:
  description: The dashboards, sorted by name.
  returned: when O(name) is not set
  type: list
  elements: dict
  contains:
    name:
      description: Name of the dashboard.
      returned: always
      type: str
      sample: payment-processing-prod
    arn:
      description: ARN of the dashboard.
      returned: always
      type: str
      sample: arn:aws:cloudwatch::123456789012:dashboard/payment-processing-prod
    size:
      description: Size of the dashboard body in bytes, as CloudWatch reports it.
      returned: always
      type: int
      sample: 104
    last_modified:
      description: When the dashboard was last changed (ISO 8601).
      returned: always
      type: str
      sample: "2025-01-31T12:00:00+00:00"
"""

from ansible_collections.payments.infra.plugins.module_utils.cloudwatch import PaymentsCloudWatchError
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch import get_dashboard
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch import list_dashboards
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch import normalize_dashboard
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch import normalize_dashboard_entry
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule


def read(client, name=None, name_prefix=None):
    """The module's result without `changed`: {exists, dashboard} for a name, {dashboards} otherwise."""
    if name is not None:
        dashboard = normalize_dashboard(get_dashboard(client, name))
        return {"exists": dashboard is not None, "dashboard": dashboard or {}}
    entries = [normalize_dashboard_entry(entry) for entry in list_dashboards(client, name_prefix)]
    return {"dashboards": sorted(entries, key=lambda item: item["name"] or "")}


def main():
    module = PaymentsAWSModule(
        argument_spec=dict(name=dict(type="str"), name_prefix=dict(type="str")),
        mutually_exclusive=[("name", "name_prefix")],
        supports_check_mode=True,
    )
    client = module.client("cloudwatch")
    try:
        result = read(client, module.params["name"], module.params["name_prefix"])
    except PaymentsCloudWatchError as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
