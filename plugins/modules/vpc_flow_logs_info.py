#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: vpc_flow_logs_info
short_description: Read the flow logs of VPCs, subnets or network interfaces
version_added: 0.1.0
description:
  - Reads flow logs with C(DescribeFlowLogs) only (read-only credentials are enough), in the shape
    M(payments.infra.vpc_flow_logs) returns a flow log.
  - Without O(resource_ids) and O(flow_log_ids), every flow log of the region is returned.
author:
  - payments.infra maintainers (@payments-infra)
options:
  resource_ids:
    description: Return only the flow logs of these resources (VPC, subnet, network interface ... IDs).
    type: list
    elements: str
  flow_log_ids:
    description: Return only these flow logs.
    type: list
    elements: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the flow logs of the payment VPC
  payments.infra.vpc_flow_logs_info:
    resource_ids: [vpc-0123456789abcdef0]
  register: flow_logs

- name: The VPC logs all its traffic
  ansible.builtin.assert:
    that:
      - flow_logs.flow_logs | selectattr('flow_log_status', 'eq', 'ACTIVE')
        | selectattr('traffic_type', 'eq', 'ALL') | list | length > 0
"""

RETURN = r"""
flow_logs:
  description: The flow logs found, sorted by resource and creation time.
  returned: always
  type: list
  elements: dict
  contains:
    flow_log_id:
      description: ID of the flow log.
      returned: always
      type: str
      sample: fl-0123456789abcdef0
    resource_id:
      description: The resource it monitors.
      returned: always
      type: str
      sample: vpc-0123456789abcdef0
    traffic_type:
      description: C(ALL), C(ACCEPT) or C(REJECT) (null for transit gateways).
      returned: always
      type: str
      sample: ALL
    log_destination_type:
      description: C(cloud-watch-logs), C(s3) or C(kinesis-data-firehose).
      returned: always
      type: str
      sample: cloud-watch-logs
    log_group_name:
      description: The log group that receives the records (CloudWatch Logs destinations).
      returned: always
      type: str
      sample: /aws/vpc/flow-logs/payment-vpc-prod
    log_destination:
      description: ARN of the destination.
      returned: always
      type: str
      sample: arn:aws:logs:eu-west-1:123456789012:log-group:/aws/vpc/flow-logs/payment-vpc-prod
    deliver_logs_permission_arn:
      description: Role that delivers the records.
      returned: always
      type: str
      sample: arn:aws:iam::123456789012:role/payment-prod-flow-logs
    deliver_logs_status:
      description: C(SUCCESS) or C(FAILED).
      returned: always
      type: str
      sample: SUCCESS
    max_aggregation_interval:
      description: Seconds records are aggregated over (60 or 600).
      returned: always
      type: int
      sample: 600
    log_format:
      description: Format of the records.
      returned: always
      type: str
      sample: "${version} ${account-id} ${interface-id}"
    flow_log_status:
      description: C(ACTIVE) when it is delivering.
      returned: always
      type: str
      sample: ACTIVE
    creation_time:
      description: When it was created (ISO 8601).
      returned: always
      type: str
      sample: "2026-11-01T10:00:00+00:00"
    tags:
      description: Tags of the flow log.
      returned: always
      type: dict
      sample: {"Environment": "prod"}
"""

from ansible_collections.payments.infra.plugins.module_utils.ec2 import PaymentsEC2Error
from ansible_collections.payments.infra.plugins.module_utils.ec2 import describe_flow_logs
from ansible_collections.payments.infra.plugins.module_utils.ec2 import flow_log_info
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule


# Shared with payments.infra.ec2_vpc_resources_info (resources flow_logs).
normalize = flow_log_info


def read(client, resource_ids=None, flow_log_ids=None):
    params = {}
    if resource_ids:
        params["Filters"] = [{"Name": "resource-id", "Values": list(resource_ids)}]
    if flow_log_ids:
        params["FlowLogIds"] = list(flow_log_ids)
    flow_logs = [normalize(flow_log) for flow_log in describe_flow_logs(client, **params)]
    return sorted(flow_logs, key=lambda f: (f["resource_id"] or "", f["creation_time"] or "", f["flow_log_id"] or ""))


def main():
    module = PaymentsAWSModule(
        argument_spec=dict(
            resource_ids=dict(type="list", elements="str"),
            flow_log_ids=dict(type="list", elements="str"),
        ),
        supports_check_mode=True,
    )
    client = module.client("ec2")
    try:
        flow_logs = read(client, module.params["resource_ids"], module.params["flow_log_ids"])
    except PaymentsEC2Error as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=False, flow_logs=flow_logs)


if __name__ == "__main__":
    main()
