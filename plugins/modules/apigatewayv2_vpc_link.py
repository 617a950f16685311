#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: apigatewayv2_vpc_link
version_added: 0.1.0
short_description: Manage an API Gateway v2 VPC link
description:
  - Create or delete a VPC link of API Gateway v2, through which HTTP API integrations reach private load
    balancers, and keep its tags in line.
  - The VPC link is found by O(name), so a rerun never creates a second one. When several share the name the
    module fails.
  - The subnets and security groups of a VPC link cannot change (AWS updates only the name). A difference is
    B(refused) with an error naming both lists; create a VPC link under a new name instead.
author:
  - payments.infra maintainers (@payments-infra)
options:
  name:
    description: Name of the VPC link.
    type: str
    required: true
  state:
    description: Whether the VPC link exists.
    type: str
    choices: [present, absent]
    default: present
  subnet_ids:
    description: Subnets the VPC link places its network interfaces in. Required to create it; compared as a set.
    type: list
    elements: str
  security_group_ids:
    description: Security groups of those network interfaces. Compared as a set.
    type: list
    elements: str
  wait:
    description: Wait until the VPC link is C(AVAILABLE) (or, with O(state=absent), gone).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 600
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: VPC link to the internal ALB
  payments.infra.apigatewayv2_vpc_link:
    name: payments-gateway-prod
    subnet_ids: "{{ private_subnet_ids }}"
    security_group_ids: ["{{ vpc_link_sg_id }}"]
    tags:
      Environment: prod
  register: vpc_link

- name: Delete it
  payments.infra.apigatewayv2_vpc_link:
    name: payments-gateway-dev
    state: absent
"""

RETURN = r"""
vpc_link_id:
  description: ID of the VPC link (null in check mode before creation, and after deletion).
  returned: always
  type: str
  sample: vl0abc1
vpc_link:
  description: The VPC link as it is now (planned values in check mode). Empty after deletion.
  returned: always
  type: dict
  contains:
    vpc_link_id:
      description: ID of the VPC link.
      returned: when the VPC link exists
      type: str
      sample: vl0abc1
    name:
      description: Name of the VPC link.
      returned: when the VPC link exists
      type: str
      sample: payments-gateway-prod
    arn:
      description: ARN of the VPC link as an API Gateway resource.
      returned: when the VPC link exists
      type: str
      sample: arn:aws:apigateway:eu-west-1::/vpclinks/vl0abc1
    subnet_ids:
      description: Subnets (sorted).
      returned: when the VPC link exists
      type: list
      elements: str
      sample: ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
    security_group_ids:
      description: Security groups (sorted).
      returned: when the VPC link exists
      type: list
      elements: str
      sample: ["sg-0a1b2c3d"]
    vpc_link_status:
      description: Status, C(PENDING), C(AVAILABLE), C(DELETING), C(FAILED) or C(INACTIVE).
      returned: when the VPC link exists
      type: str
      sample: AVAILABLE
    vpc_link_status_message:
      description: Message that goes with the status.
      returned: when the VPC link exists
      type: str
      sample: VPC link is ready to route traffic
    vpc_link_version:
      description: Version of the VPC link.
      returned: when the VPC link exists
      type: str
      sample: V2
    created_date:
      description: When the VPC link was created (ISO 8601).
      returned: when the VPC link exists
      type: str
      sample: "2026-11-01T10:00:00+00:00"
    tags:
      description: Tags of the VPC link.
      returned: when the VPC link exists
      type: dict
      sample: {"Environment": "prod"}
"""

import time


from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import PaymentsApiGatewayV2Error
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import apply_tags
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import create_vpc_link
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import delete_vpc_link
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import exit_with_result
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import find_one
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import get_vpc_link
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import list_vpc_links
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2 import normalize_vpc_link
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import vpc_link_refused_changes
from ansible_collections.payments.infra.plugins.module_utils.diff import build_diff
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule
from ansible_collections.payments.infra.plugins.module_utils.tag_compare import merge_tags
from ansible_collections.payments.infra.plugins.module_utils.tag_compare import tag_changes

WAIT_DELAY = 5


def find_vpc_link(client, name):
    return find_one(
        list_vpc_links(client),
        lambda link: link.get("Name") == name,
        f"VPC links named {name}",
        "delete the extra ones or rename them",
    )


def wait_for(client, link_id, timeout, gone=False, delay=WAIT_DELAY):
    """The raw VPC link once AVAILABLE (or None once gone=True and it no longer exists)."""
    deadline = time.monotonic() + timeout
    while True:
        link = get_vpc_link(client, link_id)
        if gone and link is None:
            return None
        if not gone:
            if link is None:
                raise PaymentsApiGatewayV2Error(message=f"VPC link {link_id} disappeared while waiting for it")
            status = link.get("VpcLinkStatus")
            if status == "AVAILABLE":
                return link
            if status in ("FAILED", "INACTIVE"):
                raise PaymentsApiGatewayV2Error(
                    message=f"VPC link {link_id} is {status}: {link.get('VpcLinkStatusMessage')}"
                )
        if time.monotonic() >= deadline:
            state = "deleted" if gone else "AVAILABLE"
            raise PaymentsApiGatewayV2Error(
                message=f"Timed out after {timeout}s waiting for VPC link {link_id} to be {state}"
            )
        time.sleep(delay)


def ensure_present(client, params, check_mode, partition, region):
    name = params["name"]
    current = normalize_vpc_link(find_vpc_link(client, name), partition, region)

    if current is None:
        if not params.get("subnet_ids"):
            raise PaymentsApiGatewayV2Error(message=f"subnet_ids is required to create VPC link {name}")
        tags = tag_changes({}, params.get("tags"), True)[0]
        if check_mode:
            after = {
                "vpc_link_id": None,
                "name": name,
                "arn": None,
                "subnet_ids": sorted(set(params["subnet_ids"])),
                "security_group_ids": sorted(set(params.get("security_group_ids") or [])),
                "vpc_link_status": None,
                "vpc_link_status_message": None,
                "vpc_link_version": None,
                "created_date": None,
                "tags": tags,
            }
            return {"changed": True, "vpc_link": after, "diff": build_diff(None, after)}
        create = {"Name": name, "SubnetIds": params["subnet_ids"]}
        if params.get("security_group_ids"):
            create["SecurityGroupIds"] = params["security_group_ids"]
        if tags:
            create["Tags"] = tags
        link_id = create_vpc_link(client, **create)["VpcLinkId"]
        raw = wait_for(client, link_id, params["wait_timeout"]) if params["wait"] else get_vpc_link(client, link_id)
        after = normalize_vpc_link(raw, partition, region)
        return {"changed": True, "vpc_link": after, "diff": build_diff(None, after)}

    problems = vpc_link_refused_changes(current, params)
    if problems:
        raise PaymentsApiGatewayV2Error(
            message=f"VPC link {name} ({current['vpc_link_id']}) cannot change its "
            + "; ".join(problems)
            + ": AWS allows only name and tag updates. Create a VPC link under a new name instead."
        )
    to_set, to_unset = tag_changes(current["tags"], params.get("tags"), params["purge_tags"])
    changed = bool(to_set or to_unset)
    if changed and check_mode:
        after = dict(current, tags=merge_tags(current["tags"], to_set, to_unset))
        return {"changed": True, "vpc_link": after, "diff": build_diff(current, after)}
    if changed:
        apply_tags(client, current["arn"], to_set, to_unset)
    if params["wait"] and not check_mode and current["vpc_link_status"] != "AVAILABLE":
        wait_for(client, current["vpc_link_id"], params["wait_timeout"])
    after = normalize_vpc_link(get_vpc_link(client, current["vpc_link_id"]), partition, region) if changed else current
    return {"changed": changed, "vpc_link": after, "diff": build_diff(current, after)}


def ensure_absent(client, params, check_mode, partition, region):
    current = normalize_vpc_link(find_vpc_link(client, params["name"]), partition, region)
    if current is None:
        return {"changed": False, "vpc_link": {}, "diff": build_diff(None, None)}
    if not check_mode:
        delete_vpc_link(client, current["vpc_link_id"])
        if params["wait"]:
            wait_for(client, current["vpc_link_id"], params["wait_timeout"], gone=True)
    return {"changed": True, "vpc_link": {}, "diff": build_diff(current, None)}


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        subnet_ids=dict(type="list", elements="str"),
        security_group_ids=dict(type="list", elements="str"),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = PaymentsAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = module.client("apigatewayv2")

    try:
        # The partition of the client's region: no STS call (stage and VPC link ARNs hold no account).
        partition = client.meta.partition
        if module.params["state"] == "present":
            result = ensure_present(client, module.params, module.check_mode, partition, module.region)
        else:
            result = ensure_absent(client, module.params, module.check_mode, partition, module.region)
    except PaymentsApiGatewayV2Error as e:
        module.fail_json_aws_error(e)

    exit_with_result(module, result, "vpc_link", "vpc_link_id")


if __name__ == "__main__":
    main()
