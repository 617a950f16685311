#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: iam_role_details_info
short_description: Read IAM roles with their trust policy, inline and managed policies and tags in one or two requests
version_added: 0.2.0
description:
  - Reads the roles named in O(names) with one paginated C(GetAccountAuthorizationDetails) with C(Filter=[Role])
    (trust policy, inline policy documents, attached managed policies, instance profiles, tags, path, permissions
    boundary), plus their description and maximum session duration, which that call does not return, with
    whichever costs fewer requests, one C(GetRole) per role found or C(ListRoles) under the roles' common path
    (1000 roles a page). M(amazon.aws.iam_role) and M(amazon.aws.iam_policy) make four to eight requests per
    role to find out that nothing changes.
  - Policy documents are returned as dicts (URL-decoded), tags as a dict, so a role can compare them with what it
    wants (the P(payments.infra.iam_role_differences#filter) filter compares them as those two modules do) and run
    the modules only for a role that is missing or differs.
  - A role that does not exist is left out of RV(roles) and listed in RV(missing), never a failure, so it works in
    check mode on an empty account.
  - C(GetAccountAuthorizationDetails) returns every role of the account; its answer grows with the account.
author:
  - payments.infra maintainers (@payments-infra)
options:
  names:
    description: Names of the roles to read (not ARNs, no path).
    type: list
    elements: str
    required: true
notes:
  - Supports check mode; the module never changes anything.
  - Needs C(iam:GetAccountAuthorizationDetails) and C(iam:GetRole) or C(iam:ListRoles).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the execution roles of two functions
  payments.infra.iam_role_details_info:
    names:
      - payment-validation-prod
      - payment-fraud-detection-prod
  register: found

- name: Show the inline policy of one of them
  ansible.builtin.debug:
    msg: "{{ found.roles['payment-validation-prod'].inline_policies['least-privilege'] }}"
"""

RETURN = r"""
roles:
  description: The roles of O(names) that exist, by name.
  returned: always
  type: dict
  contains:
    role_name:
      description: Name of the role.
      returned: always
      type: str
      sample: payment-validation-prod
    role_id:
      description: Stable ID of the role.
      returned: always
      type: str
      sample: AROAEXAMPLEID1234567
    arn:
      description: ARN of the role.
      returned: always
      type: str
      sample: arn:aws:iam::123456789012:role/payment-validation-prod
    path:
      description: Path of the role.
      returned: always
      type: str
      sample: /
    create_date:
      description: Creation time (ISO 8601).
      returned: always
      type: str
      sample: "2026-11-28T09:10:21.632935+00:00"
    description:
      description: Description of the role; null when it has none.
      returned: always
      type: str
      sample: Execution role of the Lambda function payment-validation-prod
    max_session_duration:
      description: Maximum session duration in seconds.
      returned: always
      type: int
      sample: 3600
    assume_role_policy_document:
      description: Trust policy, as a dict.
      returned: always
      type: dict
      sample: {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
               "Principal": {"Service": "lambda.amazonaws.com"}}]}
    inline_policies:
      description: Inline policies by name, each document as a dict.
      returned: always
      type: dict
      sample: {"least-privilege": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
               "Action": ["xray:PutTraceSegments"], "Resource": "*"}]}}
    attached_managed_policies:
      description: Managed policies attached to the role, sorted by ARN.
      returned: always
      type: list
      elements: dict
      contains:
        policy_name:
          description: Name of the policy.
          returned: always
          type: str
          sample: AmazonRDSEnhancedMonitoringRole
        policy_arn:
          description: ARN of the policy.
          returned: always
          type: str
          sample: arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole
    managed_policies:
      description:
        - ARNs of the attached managed policies, sorted (what O(amazon.aws.iam_role#module:managed_policies) takes).
      returned: always
      type: list
      elements: str
      sample: ["arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"]
    permissions_boundary_arn:
      description: ARN of the permissions boundary; null when there is none.
      returned: always
      type: str
      sample: null
    instance_profile_names:
      description: Names of the instance profiles that hold the role, sorted.
      returned: always
      type: list
      elements: str
      sample: []
    tags:
      description: Tags of the role.
      returned: always
      type: dict
      sample: {"Environment": "prod", "Component": "lambda-role"}
missing:
  description: The names of O(names) that no role has, sorted.
  returned: always
  type: list
  elements: str
  sample: ["payment-fraud-detection-prod"]
"""

from ansible_collections.payments.infra.plugins.module_utils.iam import PaymentsIAMError
from ansible_collections.payments.infra.plugins.module_utils.iam import read_roles
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule


def main():
    module = PaymentsAWSModule(
        argument_spec=dict(names=dict(type="list", elements="str", required=True)),
        supports_check_mode=True,
    )
    names = module.params["names"]
    bad = [name for name in names if not name or "/" in name or name.startswith("arn:")]
    if bad:
        module.fail_json(msg=f"names must be role names, without path or ARN: {bad!r}")
    try:
        roles = read_roles(module.client("iam"), names)
    except PaymentsIAMError as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=False, roles=roles, missing=sorted(set(names) - set(roles)))


if __name__ == "__main__":
    main()
