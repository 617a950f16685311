# -*- coding: utf-8 -*-
# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: iam_role_differences
short_description: What amazon.aws.iam_role and iam_policy would change on a role read by iam_role_details_info
version_added: 0.2.0
description:
  - Compares a role as M(payments.infra.iam_role_details_info) returns it with the options a role would give
    M(amazon.aws.iam_role) (and the inline policies it would put with M(amazon.aws.iam_policy)), the way those
    modules compare them, and returns the names of the options that differ. An empty list means neither module
    would change anything, so a role can skip them.
  - Trust and inline policy documents compare as amazon.aws compares policies (order of keys and lists, a bare
    value or a one-element list, numbers and booleans as strings, a root ARN or the account ID, a missing
    C(Version)); tags with C(purge_tags) (C(aws:) tags are never purged); managed policy ARNs with
    C(purge_policies); an instance profile named like the role when C(create_instance_profile) is not false.
  - An option that is not set (or null) is not compared, like the modules leave it alone. Managed policies given
    by friendly name instead of ARN always count as different (only the module looks names up), and so does a
    different C(path), which M(amazon.aws.iam_role) cannot change but warns about.
options:
  _input:
    description:
      - The role (one value of RV(payments.infra.iam_role_details_info#module:roles)); null or C({}) when it does
        not exist.
    type: dict
    required: true
  desired:
    description:
      - Options of M(amazon.aws.iam_role) (C(assume_role_policy_document), C(description), C(managed_policies),
        C(purge_policies), C(max_session_duration), C(boundary), C(path), C(tags), C(purge_tags),
        C(create_instance_profile); their defaults are the module's), plus C(inline_policies), a dict of policy
        name to the document M(amazon.aws.iam_policy) puts (C(iam_type=role), C(skip_duplicates=false)).
      - Documents may be dicts or JSON text, as the modules take them. Other keys (C(name)) are ignored.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Read the role
  payments.infra.iam_role_details_info:
    names: [payment-flow-logs]
  register: found

- name: Create or update the role only where it differs
  amazon.aws.iam_role:
    name: payment-flow-logs
    assume_role_policy_document: "{{ trust }}"
    description: Delivers flow logs
    create_instance_profile: false
    tags: "{{ tags }}"
  when: >-
    found.roles['payment-flow-logs'] | default(None)
    | payments.infra.iam_role_differences({'assume_role_policy_document': trust, 'description': 'Delivers flow logs',
                                           'create_instance_profile': false, 'tags': tags})
    | length > 0
"""

RETURN = r"""
_value:
  description:
    - The differing option names, in the order C(assume_role_policy_document), C(boundary), C(create_instance_profile),
      C(description), C(managed_policies), C(max_session_duration), C(path), C(tags), then C(inline_policies) when
      one of the inline policies is missing or differs; C([missing]) when the role does not exist; C([]) when
      nothing differs.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.payments.infra.plugins.module_utils.iam import role_differences


def iam_role_differences(current, desired):
    if current is not None and not isinstance(current, dict):
        raise AnsibleFilterError(f"iam_role_differences: the role must be a dict or null, got {type(current).__name__}")
    if not isinstance(desired, dict):
        raise AnsibleFilterError(f"iam_role_differences: desired must be a dict, got {type(desired).__name__}")
    try:
        return role_differences(current, desired)
    except ValueError as e:  # a policy document in desired that is not JSON
        raise AnsibleFilterError(f"iam_role_differences: {e}") from e


class FilterModule:
    def filters(self):
        return {"iam_role_differences": iam_role_differences}
