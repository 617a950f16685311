#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: vpc_flow_logs
version_added: 0.1.0
short_description: Manage VPC flow logs
description:
  - Create, tag, replace or delete a flow log of a VPC, subnet, network interface, transit gateway or
    transit gateway attachment.
  - A flow log is identified by O(resource_id), its destination (O(log_group_name) or O(log_destination))
    and O(traffic_type).
  - Flow logs cannot be modified in AWS except for their tags. When O(max_aggregation_interval),
    O(log_format) or O(deliver_logs_permission_arn) is set and differs from the existing flow log, the flow
    log is B(replaced) - a new one is created, then the old one is deleted - and its flow log ID changes.
    The replacement keeps the existing values of the attributes that are not set, and the existing tags
    unless O(tags) is set. Where AWS refuses to create the new flow log next to the old one
    (C(FlowLogAlreadyExists)), the old one is deleted first, which leaves a short gap in the logs.
  - Options that are not set never cause a change.
author:
  - payments.infra maintainers (@payments-infra)
options:
  state:
    description:
      - Whether the flow log should exist.
      - V(absent) deletes every flow log with the same O(resource_id), destination and O(traffic_type).
    type: str
    default: present
    choices: ['present', 'absent']
  resource_type:
    description:
      - The type of the resource O(resource_id) names.
    type: str
    default: VPC
    choices: ['VPC', 'Subnet', 'NetworkInterface', 'TransitGateway', 'TransitGatewayAttachment']
  resource_id:
    description:
      - The ID of the resource to monitor, for example V(vpc-0123456789abcdef0).
    type: str
    required: true
  traffic_type:
    description:
      - The type of traffic to log.
      - Ignored for V(TransitGateway) and V(TransitGatewayAttachment), which always log all traffic.
    type: str
    default: ALL
    choices: ['ALL', 'ACCEPT', 'REJECT']
  log_destination_type:
    description:
      - Where the flow log publishes its records.
    type: str
    default: cloud-watch-logs
    choices: ['cloud-watch-logs', 's3', 'kinesis-data-firehose']
  log_group_name:
    description:
      - The name of the CloudWatch Logs log group that receives the records.
      - Only with O(log_destination_type=cloud-watch-logs). Mutually exclusive with O(log_destination).
    type: str
  log_destination:
    description:
      - The ARN of the destination - a CloudWatch Logs log group, an S3 bucket (optionally with a folder,
        C(arn:aws:s3:::bucket/folder/)) or a Kinesis Data Firehose delivery stream.
      - Required when O(log_destination_type) is V(s3) or V(kinesis-data-firehose).
      - Mutually exclusive with O(log_group_name).
    type: str
  deliver_logs_permission_arn:
    description:
      - The ARN of the IAM role that allows the flow log to publish to CloudWatch Logs (or to a Kinesis Data
        Firehose delivery stream in another account).
      - Required when O(state=present) and O(log_destination_type=cloud-watch-logs); not used with
        O(log_destination_type=s3).
      - Changing it replaces the flow log.
    type: str
  max_aggregation_interval:
    description:
      - The maximum interval, in seconds, during which a flow of packets is captured into one record.
      - AWS uses V(600) when it is not set; transit gateway flow logs require V(60).
      - Changing it replaces the flow log.
    type: int
    choices: [60, 600]
  log_format:
    description:
      - The fields of a flow log record, for example C(${version} ${srcaddr} ${dstaddr} ${action}).
      - AWS uses its default format when it is not set.
      - Changing it replaces the flow log.
    type: str
notes:
  - Supports check mode and diff mode. In check mode a flow log that would be created has no ID yet, so
    RV(flow_log.flow_log_id) is V(null).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.

- name: Log all traffic of a VPC to CloudWatch Logs, every minute
  payments.infra.vpc_flow_logs:
    resource_id: vpc-0123456789abcdef0
    log_group_name: /payments/vpc-flow-logs
    deliver_logs_permission_arn: arn:aws:iam::123456789012:role/vpc-flow-logs
    max_aggregation_interval: 60
    tags:
      Name: payments-vpc-flow-logs
  register: flow_log

- name: Log rejected traffic of a subnet to S3
  payments.infra.vpc_flow_logs:
    resource_type: Subnet
    resource_id: subnet-0123456789abcdef0
    traffic_type: REJECT
    log_destination_type: s3
    log_destination: arn:aws:s3:::payments-flow-logs/subnets/
    log_format: "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${action}"

- name: Delete the VPC flow log
  payments.infra.vpc_flow_logs:
    state: absent
    resource_id: vpc-0123456789abcdef0
    log_group_name: /payments/vpc-flow-logs
"""

RETURN = r"""
flow_log:
  description:
    - The flow log, as AWS describes it once the module is done.
    - In check mode, the flow log as it would be; values that only AWS can tell are V(null).
  returned: when O(state=present)
  type: dict
  contains:
    flow_log_id:
      description: The ID of the flow log. V(null) in check mode when the flow log would be created.
      returned: always
      type: str
      sample: fl-0123456789abcdef0
    resource_id:
      description: The ID of the monitored resource.
      returned: always
      type: str
      sample: vpc-0123456789abcdef0
    traffic_type:
      description: The type of traffic logged. V(null) for transit gateway flow logs.
      returned: always
      type: str
      sample: ALL
    log_destination_type:
      description: The type of destination.
      returned: always
      type: str
      sample: cloud-watch-logs
    log_group_name:
      description: The name of the CloudWatch Logs log group. V(null) for other destination types.
      returned: always
      type: str
      sample: /payments/vpc-flow-logs
    log_destination:
      description:
        - The ARN of the destination.
        - For CloudWatch Logs, AWS reports the log group ARN; it is V(null) where it is not reported.
      returned: always
      type: str
      sample: arn:aws:s3:::payments-flow-logs/subnets/
    deliver_logs_permission_arn:
      description: The ARN of the IAM role used to publish the records, or V(null).
      returned: always
      type: str
      sample: arn:aws:iam::123456789012:role/vpc-flow-logs
    deliver_logs_status:
      description: Whether AWS can publish the records (V(SUCCESS) or V(FAILED)).
      returned: always
      type: str
      sample: SUCCESS
    max_aggregation_interval:
      description: The maximum aggregation interval, in seconds.
      returned: always
      type: int
      sample: 60
    log_format:
      description: The fields of a flow log record.
      returned: always
      type: str
      sample: "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${action}"
    flow_log_status:
      description: The status of the flow log.
      returned: always
      type: str
      sample: ACTIVE
    creation_time:
      description: When the flow log was created (ISO 8601).
      returned: always
      type: str
      sample: "2025-01-31T12:00:00+00:00"
    tags:
      description: The tags of the flow log.
      returned: always
      type: dict
      sample: {"Name": "payments-vpc-flow-logs"}
flow_log_ids:
  description: The IDs of the flow logs deleted (in check mode, that would be deleted).
  returned: when O(state=absent)
  type: list
  elements: str
  sample: ["fl-0123456789abcdef0"]
"""

import time
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import is_ansible_aws_error_code
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_specifications

from ansible_collections.payments.infra.plugins.module_utils.diff import build_diff
from ansible_collections.payments.infra.plugins.module_utils.ec2 import FLOW_LOG_CLOUDWATCH as CLOUDWATCH
from ansible_collections.payments.infra.plugins.module_utils.ec2 import FLOW_LOG_KEYS
from ansible_collections.payments.infra.plugins.module_utils.ec2 import PaymentsEC2Error
from ansible_collections.payments.infra.plugins.module_utils.ec2 import create_flow_logs
from ansible_collections.payments.infra.plugins.module_utils.ec2 import create_tags
from ansible_collections.payments.infra.plugins.module_utils.ec2 import delete_flow_logs
from ansible_collections.payments.infra.plugins.module_utils.ec2 import delete_tags
from ansible_collections.payments.infra.plugins.module_utils.ec2 import describe_flow_logs
from ansible_collections.payments.infra.plugins.module_utils.ec2 import log_group_name_from_arn
from ansible_collections.payments.infra.plugins.module_utils.ec2 import normalize_flow_log
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule
from ansible_collections.payments.infra.plugins.module_utils.tag_compare import merge_tags
from ansible_collections.payments.infra.plugins.module_utils.tag_compare import tag_changes

RESOURCE_TYPES = ["VPC", "Subnet", "NetworkInterface", "TransitGateway", "TransitGatewayAttachment"]
# Transit gateway flow logs take no TrafficType (AWS CreateFlowLogs: "not supported for transit gateway
# resource types") and always log all traffic.
NO_TRAFFIC_TYPE = ("TransitGateway", "TransitGatewayAttachment")
# Attributes AWS cannot modify: setting one to a new value replaces the flow log.
IMMUTABLE = ("max_aggregation_interval", "log_format", "deliver_logs_permission_arn")
# DescribeFlowLogs is eventually consistent: how long to wait for a change to show.
WAIT_DELAY = 2
WAIT_ATTEMPTS = 30


def desired_log_group_name(params: Dict[str, Any]) -> Optional[str]:
    if params["log_destination_type"] != CLOUDWATCH:
        return None
    return params.get("log_group_name") or log_group_name_from_arn(params.get("log_destination"))


def matches(flow_log: Dict[str, Any], params: Dict[str, Any]) -> bool:
    """Whether a normalised flow log is the one params describe: same resource, destination and traffic."""
    if flow_log["resource_id"] != params["resource_id"]:
        return False
    if flow_log["log_destination_type"] != params["log_destination_type"]:
        return False
    if params["resource_type"] not in NO_TRAFFIC_TYPE and flow_log["traffic_type"] != params["traffic_type"]:
        return False
    group_name = desired_log_group_name(params)
    if group_name is not None:
        return flow_log["log_group_name"] == group_name
    return flow_log["log_destination"] == params.get("log_destination")


def replacement_reasons(flow_log: Dict[str, Any], params: Dict[str, Any]) -> List[str]:
    """The immutable attributes the user set to a value the flow log does not have."""
    return [key for key in IMMUTABLE if params.get(key) is not None and params[key] != flow_log.get(key)]


def find_flow_logs(client, params: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Every existing flow log params identify, normalised, oldest first."""
    found = describe_flow_logs(client, Filters=[{"Name": "resource-id", "Values": [params["resource_id"]]}])
    flow_logs = [normalize_flow_log(flow_log) for flow_log in found]
    return sorted(
        (flow_log for flow_log in flow_logs if matches(flow_log, params)),
        key=lambda flow_log: (flow_log["creation_time"] or "", flow_log["flow_log_id"] or ""),
    )


def get_flow_log(client, flow_log_id: str) -> Optional[Dict[str, Any]]:
    found = describe_flow_logs(client, FlowLogIds=[flow_log_id])
    return normalize_flow_log(found[0]) if found else None


def wait_for_flow_log(client, flow_log_id: str, condition, description: str) -> Optional[Dict[str, Any]]:
    """Re-read a flow log until condition(flow_log or None) holds; the last read is returned."""
    for attempt in range(WAIT_ATTEMPTS):
        flow_log = get_flow_log(client, flow_log_id)
        if condition(flow_log):
            return flow_log
        if attempt < WAIT_ATTEMPTS - 1:
            time.sleep(WAIT_DELAY)
    raise PaymentsEC2Error(
        message=f"Timed out after {WAIT_DELAY * WAIT_ATTEMPTS}s waiting for flow log {flow_log_id} {description}"
    )


def planned_flow_log(params: Dict[str, Any], current: Optional[Dict[str, Any]], tags: Dict[str, str]):
    """The flow log a create (current=None) or a replacement of current would give, as far as it is known."""
    current = current or {}
    planned = {key: None for key in FLOW_LOG_KEYS}
    planned.update(
        resource_id=params["resource_id"],
        traffic_type=None if params["resource_type"] in NO_TRAFFIC_TYPE else params["traffic_type"],
        log_destination_type=params["log_destination_type"],
        log_group_name=desired_log_group_name(params),
        log_destination=params.get("log_destination") or current.get("log_destination"),
        tags=tags,
    )
    for key in IMMUTABLE:
        planned[key] = params.get(key) if params.get(key) is not None else current.get(key)
    return planned


def create_params(planned: Dict[str, Any], params: Dict[str, Any]) -> Dict[str, Any]:
    """CreateFlowLogs arguments for a planned flow log."""
    api_params = {
        "ResourceIds": [params["resource_id"]],
        "ResourceType": params["resource_type"],
        "LogDestinationType": params["log_destination_type"],
    }
    if planned["traffic_type"]:
        api_params["TrafficType"] = planned["traffic_type"]
    if params.get("log_group_name"):
        api_params["LogGroupName"] = params["log_group_name"]
    if params.get("log_destination"):
        api_params["LogDestination"] = params["log_destination"]
    if planned["deliver_logs_permission_arn"]:
        api_params["DeliverLogsPermissionArn"] = planned["deliver_logs_permission_arn"]
    if planned["max_aggregation_interval"]:
        api_params["MaxAggregationInterval"] = planned["max_aggregation_interval"]
    if planned["log_format"]:
        api_params["LogFormat"] = planned["log_format"]
    # Reserved aws:* tags are AWS's to set.
    tags = {key: value for key, value in planned["tags"].items() if not key.startswith("aws:")}
    if tags:
        api_params["TagSpecifications"] = boto3_tag_specifications(tags, types="vpc-flow-log")
    return api_params


def create_flow_log(client, planned: Dict[str, Any], params: Dict[str, Any]) -> Dict[str, Any]:
    flow_log_ids = create_flow_logs(client, **create_params(planned, params))
    if len(flow_log_ids) != 1:
        raise PaymentsEC2Error(message=f"Expected CreateFlowLogs to return one flow log ID, got {flow_log_ids}")
    return wait_for_flow_log(client, flow_log_ids[0], lambda flow_log: flow_log is not None, "to exist")


def delete_flow_log(client, flow_log_id: str) -> None:
    delete_flow_logs(client, [flow_log_id])
    wait_for_flow_log(client, flow_log_id, lambda flow_log: flow_log is None, "to be deleted")


def replace_flow_log(client, current: Dict[str, Any], planned: Dict[str, Any], params: Dict[str, Any]):
    """Create the new flow log, then delete the old one; delete first where AWS refuses the overlap."""
    try:
        created = create_flow_log(client, planned, params)
    except is_ansible_aws_error_code("FlowLogAlreadyExists"):
        delete_flow_log(client, current["flow_log_id"])
        return create_flow_log(client, planned, params)
    delete_flow_log(client, current["flow_log_id"])
    return created


def ensure_present(client, params: Dict[str, Any], check_mode: bool) -> Dict[str, Any]:
    existing = find_flow_logs(client, params)
    # Several flow logs may share an identity (AWS keeps duplicates that differ in an immutable
    # attribute): keep the oldest one that needs no replacement.
    current = next((flow_log for flow_log in existing if not replacement_reasons(flow_log, params)), None)
    if current is None and existing:
        current = existing[0]

    if current is None:
        planned = planned_flow_log(params, None, tag_changes({}, params.get("tags"), True)[0])
        after = planned if check_mode else create_flow_log(client, planned, params)
        return {"changed": True, "flow_log": after, "diff": build_diff(None, after)}

    to_set, to_unset = tag_changes(current["tags"], params.get("tags"), params["purge_tags"])
    tags = merge_tags(current["tags"], to_set, to_unset)

    if replacement_reasons(current, params):
        planned = planned_flow_log(params, current, tags)
        after = planned if check_mode else replace_flow_log(client, current, planned, params)
        return {"changed": True, "flow_log": after, "diff": build_diff(current, after)}

    if not (to_set or to_unset):
        return {"changed": False, "flow_log": current, "diff": build_diff(current, current)}

    after = dict(current, tags=tags)
    if not check_mode:
        flow_log_id = current["flow_log_id"]
        if to_unset:
            delete_tags(client, [flow_log_id], to_unset)
        if to_set:
            create_tags(client, [flow_log_id], to_set)
        after = wait_for_flow_log(
            client, flow_log_id, lambda flow_log: flow_log is not None and flow_log["tags"] == tags, "to be tagged"
        )
    return {"changed": True, "flow_log": after, "diff": build_diff(current, after)}


def ensure_absent(client, params: Dict[str, Any], check_mode: bool) -> Dict[str, Any]:
    existing = find_flow_logs(client, params)
    flow_log_ids = [flow_log["flow_log_id"] for flow_log in existing]
    if existing and not check_mode:
        for flow_log_id in flow_log_ids:
            delete_flow_log(client, flow_log_id)
    if len(existing) > 1:
        before = {flow_log["flow_log_id"]: flow_log for flow_log in existing}
    else:
        before = existing[0] if existing else None
    return {"changed": bool(existing), "flow_log_ids": flow_log_ids, "diff": build_diff(before, None)}


def validate_params(module: PaymentsAWSModule) -> None:
    # log_group_name with another destination type is already refused: required_if wants log_destination,
    # which is mutually exclusive with log_group_name.
    params = module.params
    if params["deliver_logs_permission_arn"] and params["log_destination_type"] == "s3":
        module.fail_json(msg="deliver_logs_permission_arn cannot be used with log_destination_type=s3")
    if (
        params["state"] == "present"
        and params["log_destination_type"] == CLOUDWATCH
        and not params["deliver_logs_permission_arn"]
    ):
        module.fail_json(
            msg="deliver_logs_permission_arn is required when state=present and log_destination_type=cloud-watch-logs"
        )


def main():
    argument_spec = dict(
        state=dict(type="str", default="present", choices=["present", "absent"]),
        resource_type=dict(type="str", default="VPC", choices=RESOURCE_TYPES),
        resource_id=dict(type="str", required=True),
        traffic_type=dict(type="str", default="ALL", choices=["ALL", "ACCEPT", "REJECT"]),
        log_destination_type=dict(type="str", default=CLOUDWATCH, choices=[CLOUDWATCH, "s3", "kinesis-data-firehose"]),
        log_group_name=dict(type="str"),
        log_destination=dict(type="str"),
        deliver_logs_permission_arn=dict(type="str"),
        max_aggregation_interval=dict(type="int", choices=[60, 600]),
        log_format=dict(type="str"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = PaymentsAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        mutually_exclusive=[["log_group_name", "log_destination"]],
        required_one_of=[["log_group_name", "log_destination"]],
        required_if=[
            ["log_destination_type", "s3", ["log_destination"]],
            ["log_destination_type", "kinesis-data-firehose", ["log_destination"]],
        ],
    )
    validate_params(module)
    client = module.client("ec2")

    try:
        if module.params["state"] == "present":
            result = ensure_present(client, module.params, module.check_mode)
        else:
            result = ensure_absent(client, module.params, module.check_mode)
    except PaymentsEC2Error as e:
        module.fail_json_aws_error(e)

    module.exit_with_diff(result)


if __name__ == "__main__":
    main()
