#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: account_limits_info
version_added: 0.1.0
short_description: Gather the account limits a deployment must fit in
description:
  - Read-only preflight facts about the AWS account in one region, for playbooks to assert on before they
    create anything.
  - The Elastic IP quota of the account (the C(vpc-max-elastic-ips) account attribute), how many Elastic IPs
    are allocated and how many are left.
  - The names of the availability zones of the region that are available to the account.
  - The account id and partition of the caller (STS C(GetCallerIdentity)), so that a playbook that runs this
    preflight does not need M(amazon.aws.aws_caller_info) as well.
author:
  - payments.infra maintainers (@payments-infra)
notes:
  - Supports check mode; the module never changes anything.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.

- name: Read the account limits of the region
  payments.infra.account_limits_info:
    region: eu-west-1
  register: limits

- name: Fail early when the NAT gateways would not get their Elastic IPs
  ansible.builtin.assert:
    that:
      - limits.ec2.available_elastic_ips >= 3
      - limits.availability_zones | length >= 3
    fail_msg: "Need 3 free Elastic IPs and 3 zones: {{ limits.ec2 }} / {{ limits.availability_zones }}"
"""

RETURN = r"""
ec2:
  description: EC2 limits of the account in the region.
  returned: always
  type: dict
  contains:
    max_elastic_ips:
      description:
        - How many Elastic IPs the account may allocate in the region (C(vpc-max-elastic-ips)).
        - V(null) when AWS does not report the attribute.
      returned: always
      type: int
      sample: 5
    allocated_elastic_ips:
      description: How many Elastic IPs the account has allocated in the region.
      returned: always
      type: int
      sample: 2
    available_elastic_ips:
      description:
        - How many more Elastic IPs the account can allocate (RV(ec2.max_elastic_ips) minus
          RV(ec2.allocated_elastic_ips), never below V(0)).
        - V(null) when RV(ec2.max_elastic_ips) is.
      returned: always
      type: int
      sample: 3
availability_zones:
  description: The names of the availability zones of the region in state C(available), sorted.
  returned: always
  type: list
  elements: str
  sample: ["us-east-1a", "us-east-1b", "us-east-1c"]
account_id:
  description: The id of the account of the credentials (STS C(GetCallerIdentity)).
  returned: always
  type: str
  sample: "123456789012"
partition:
  description: The partition of the account, the second field of the caller's ARN.
  returned: always
  type: str
  sample: aws
"""

from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.payments.infra.plugins.module_utils.ec2 import PaymentsEC2Error
from ansible_collections.payments.infra.plugins.module_utils.ec2 import describe_account_attributes
from ansible_collections.payments.infra.plugins.module_utils.ec2 import describe_addresses
from ansible_collections.payments.infra.plugins.module_utils.ec2 import describe_availability_zones
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule
from ansible_collections.payments.infra.plugins.module_utils.sts import PaymentsSTSError
from ansible_collections.payments.infra.plugins.module_utils.sts import account_of
from ansible_collections.payments.infra.plugins.module_utils.sts import get_caller_identity

MAX_ELASTIC_IPS_ATTRIBUTE = "vpc-max-elastic-ips"


def account_attribute(attributes: List[Dict[str, Any]], name: str) -> Optional[str]:
    """The first value of the named DescribeAccountAttributes attribute, or None."""
    for attribute in attributes:
        if attribute.get("AttributeName") == name:
            values = attribute.get("AttributeValues") or []
            return values[0].get("AttributeValue") if values else None
    return None


def ec2_limits(client) -> Dict[str, Optional[int]]:
    # Filter by name here too: not every implementation honours AttributeNames.
    attributes = describe_account_attributes(client, attribute_names=[MAX_ELASTIC_IPS_ATTRIBUTE])
    value = account_attribute(attributes, MAX_ELASTIC_IPS_ATTRIBUTE)
    max_elastic_ips = int(value) if value is not None else None
    # Every Elastic IP is a VPC one today; EC2-Classic addresses (domain "standard") do not count here.
    allocated = len([address for address in describe_addresses(client) if address.get("Domain", "vpc") == "vpc"])
    available = None if max_elastic_ips is None else max(max_elastic_ips - allocated, 0)
    return {
        "max_elastic_ips": max_elastic_ips,
        "allocated_elastic_ips": allocated,
        "available_elastic_ips": available,
    }


def available_zone_names(client) -> List[str]:
    zones = describe_availability_zones(
        client,
        Filters=[
            {"Name": "state", "Values": ["available"]},
            {"Name": "zone-type", "Values": ["availability-zone"]},
        ],
    )
    return sorted(
        zone["ZoneName"]
        for zone in zones
        if zone.get("State") == "available" and zone.get("ZoneType", "availability-zone") == "availability-zone"
    )


def gather_limits(ec2_client) -> Dict[str, Any]:
    return {
        "ec2": ec2_limits(ec2_client),
        "availability_zones": available_zone_names(ec2_client),
    }


def main():
    module = PaymentsAWSModule(argument_spec={}, supports_check_mode=True)
    ec2_client = module.client("ec2")
    sts_client = module.client("sts")
    try:
        result = gather_limits(ec2_client)
        result.update(account_of(get_caller_identity(sts_client)))
    except (PaymentsEC2Error, PaymentsSTSError) as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
