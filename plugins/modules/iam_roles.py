#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: iam_roles
short_description: Create or update a list of IAM roles with their managed and inline policies, read in one pass
version_added: 0.2.0
description:
  - Makes every role of O(roles) match its options in one module run, as M(amazon.aws.iam_role) (trust policy,
    description, maximum session duration, tags, managed policies) and M(amazon.aws.iam_policy) (inline policies,
    C(iam_type=role)) would, comparing the same way. Only the options that are set are compared and changed.
  - Reads all the roles with one paginated C(GetAccountAuthorizationDetails) (C(Filter=[Role])) plus their
    descriptions and session durations with one C(GetRole) per role or one C(ListRoles) under their common path,
    whichever costs fewer requests. A rerun that changes nothing makes two requests for any number of roles;
    the two amazon.aws modules make four to eight per role.
  - Writes only what differs. A missing role is created with C(CreateRole) (then the C(role_exists) waiter, as
    M(amazon.aws.iam_role) does) and gets its policies; an existing role gets C(UpdateAssumeRolePolicy),
    C(UpdateRole), C(UntagRole), C(TagRole), C(DetachRolePolicy), C(AttachRolePolicy), C(DeleteRolePolicy) or
    C(PutRolePolicy) only for what differs.
  - The roles are handled in the order given; an error stops the run at that role (the earlier ones are done).
  - Roles are never deleted and instance profiles never created (use M(amazon.aws.iam_role) for those).
author:
  - payments.infra maintainers (@payments-infra)
options:
  roles:
    description:
      - The roles. Names must be distinct. An empty list does nothing.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Name of the role (no path, not an ARN).
        type: str
        required: true
      path:
        description:
          - Path of a new role; C(/) when not set.
          - IAM cannot move a role to another path; a different path of an existing role is a warning.
        type: str
      description:
        description: Description of the role.
        type: str
      assume_role_policy_document:
        description:
          - Trust policy, a dict or JSON text. Required to create a role.
          - Compared as amazon.aws compares policies (order of keys and lists, a bare value or a one-element list,
            numbers as strings, a missing C(Version)).
        type: json
      max_session_duration:
        description: Maximum session duration in seconds (3600 to 43200). A new role gets 3600 when not set.
        type: int
      managed_policy_arns:
        description:
          - ARNs of the managed policies attached to the role. Not set, the attached policies are left alone.
          - Friendly names are not accepted (M(amazon.aws.iam_role) looks them up with C(ListPolicies)).
        type: list
        elements: str
      purge_managed_policies:
        description: Detach the managed policies not in O(roles[].managed_policy_arns) (when it is set).
        type: bool
        default: true
      inline_policies:
        description:
          - Inline policies by name, each document a dict or JSON text, put when missing or different
            (M(amazon.aws.iam_policy) with C(state=present)).
        type: dict
      purge_inline_policies:
        description:
          - Delete the inline policies not in O(roles[].inline_policies) (when it is set). M(amazon.aws.iam_policy)
            leaves them alone, hence the default.
        type: bool
        default: false
      tags:
        description: Tags of the role. Not set, the tags are left alone.
        type: dict
      purge_tags:
        description: Remove the tags not in O(roles[].tags) (when it is set); C(aws:) tags are never removed.
        type: bool
        default: true
notes:
  - Supports check mode and diff mode. Diff mode shows each role before and after, by name.
  - The returned role of a change is the role as planned, not read again; a role created in check mode has a null
    RV(roles[].arn).
  - Needs C(iam:GetAccountAuthorizationDetails) and C(iam:GetRole) or C(iam:ListRoles), and for changes
    C(iam:CreateRole), C(iam:UpdateAssumeRolePolicy), C(iam:UpdateRole), C(iam:TagRole), C(iam:UntagRole),
    C(iam:AttachRolePolicy), C(iam:DetachRolePolicy), C(iam:PutRolePolicy), C(iam:DeleteRolePolicy).
  - C(GetAccountAuthorizationDetails) returns every role of the account; its answer grows with the account.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Execution roles of two functions, with their least-privilege inline policy
  payments.infra.iam_roles:
    roles:
      - name: payment-validation-prod
        description: Execution role of the Lambda function payment-validation-prod
        assume_role_policy_document:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal:
                Service: lambda.amazonaws.com
              Action: sts:AssumeRole
        managed_policy_arns: []
        inline_policies:
          least-privilege: "{{ lookup('ansible.builtin.template', 'validation.json.j2') | from_json }}"
        tags:
          Environment: prod
      - name: payment-aurora-prod-monitoring
        description: RDS Enhanced Monitoring of payment-aurora-prod
        assume_role_policy_document:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal:
                Service: monitoring.rds.amazonaws.com
              Action: sts:AssumeRole
        managed_policy_arns:
          - arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole
  register: roles

- name: ARN of the monitoring role
  ansible.builtin.debug:
    msg: "{{ roles.roles[1].arn }}"
"""

RETURN = r"""
roles:
  description: The roles of O(roles), in their order, as they are after the run (or would be, in check mode).
  returned: always
  type: list
  elements: dict
  contains:
    changed:
      description: Whether the run changed the role (or would, in check mode).
      returned: always
      type: bool
      sample: false
    role_name:
      description: Name of the role.
      returned: always
      type: str
      sample: payment-validation-prod
    role_id:
      description: Stable ID of the role; null for a role created in check mode.
      returned: always
      type: str
      sample: AROAEXAMPLEID1234567
    arn:
      description: ARN of the role; null for a role created in check mode.
      returned: always
      type: str
      sample: arn:aws:iam::123456789012:role/payment-validation-prod
    path:
      description: Path of the role.
      returned: always
      type: str
      sample: /
    create_date:
      description: Creation time (ISO 8601); null for a role created in check mode.
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
      description: ARNs of the attached managed policies, sorted.
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
changed_roles:
  description: Names of the roles created or updated (or that would be, in check mode), in O(roles) order.
  returned: always
  type: list
  elements: str
  sample: [payment-validation-prod]
"""

from ansible_collections.payments.infra.plugins.module_utils.iam import PaymentsIAMError
from ansible_collections.payments.infra.plugins.module_utils.iam import read_roles
from ansible_collections.payments.infra.plugins.module_utils.iam import reconcile_role
from ansible_collections.payments.infra.plugins.module_utils.iam import role_argument_spec
from ansible_collections.payments.infra.plugins.module_utils.iam import role_params_error
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule


def ensure_roles(client, roles, check_mode):
    """(changed_names, results, diff, warnings) for the role options in `roles`, in their order: one read of every
    role, then the compare/act of reconcile_role() per role."""
    current = read_roles(client, [params["name"] for params in roles])
    changed_names, results, warnings = [], [], []
    diff = {"before": {}, "after": {}}
    for params in roles:
        name = params["name"]
        changed, after, role_warnings = reconcile_role(client, params, current.get(name), check_mode)
        warnings.extend(role_warnings)
        if changed:
            changed_names.append(name)
        results.append(dict(after, changed=changed))
        diff["before"][name] = current.get(name) or {}
        diff["after"][name] = after
    return changed_names, results, diff, warnings


def validate(module):
    names = [params["name"] for params in module.params["roles"]]
    module.validate_list_option("roles", names, item_error=role_params_error)


def main():
    argument_spec = dict(roles=dict(type="list", elements="dict", required=True, options=role_argument_spec()))
    module = PaymentsAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)

    roles = module.params["roles"]
    if not roles:
        module.exit_with_diff({"changed": False, "roles": [], "changed_roles": [], "diff": {"before": {}, "after": {}}})
    try:
        changed_names, results, diff, warnings = ensure_roles(module.client("iam"), roles, module.check_mode)
    except PaymentsIAMError as e:
        module.fail_json_aws_error(e)

    module.exit_with_diff(
        {"changed": bool(changed_names), "roles": results, "changed_roles": changed_names, "diff": diff}, warnings
    )


if __name__ == "__main__":
    main()
