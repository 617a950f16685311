# -*- coding: utf-8 -*-
# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: security_group_differences
short_description: The security groups payments.infra.ec2_security_groups would change, from one read
version_added: 0.2.0
description:
  - Compares the security groups of a VPC as M(payments.infra.ec2_vpc_resources_info) (or
    M(amazon.aws.ec2_security_group_info)) reports them with the O(payments.infra.ec2_security_groups#module:groups)
    option of M(payments.infra.ec2_security_groups), with that module's own comparison code (missing group, ingress
    and egress permissions with their descriptions, tags with C(purge_tags)), so a role calls the module only when
    the list is not empty.
  - Peers given by C(group_name) are resolved among the groups reported; a peer that does not exist yet counts as a
    difference.
options:
  _input:
    description: The VPC's security groups (snake_case, C(tags) as a dict).
    type: list
    elements: dict
    required: true
  groups:
    description: The O(payments.infra.ec2_security_groups#module:groups) option.
    type: list
    elements: dict
    required: true
  default_group:
    description: The O(payments.infra.ec2_security_groups#module:default_group) option.
    type: str
    default: keep
    choices: [keep, strip]
"""

EXAMPLES = r"""
- name: Create the groups and set their rules and tags where they differ
  payments.infra.ec2_security_groups:
    vpc_id: "{{ vpc_id }}"
    groups: "{{ groups }}"
    default_group: strip
  when: found.security_groups | payments.infra.security_group_differences(groups, 'strip') | length > 0
"""

RETURN = r"""
_value:
  description: Names of the groups the module would create or change, in O(groups) order, then C(default) when it
    would strip the default group; C([]) when nothing differs.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.payments.infra.plugins.module_utils.security_group_compare import differences


def security_group_differences(found, groups, default_group="keep"):
    if not isinstance(found, list) or not isinstance(groups, list):
        raise AnsibleFilterError("security_group_differences: the groups found and groups must be lists")
    if default_group not in ("keep", "strip"):
        raise AnsibleFilterError(
            f"security_group_differences: default_group must be keep or strip, not {default_group}"
        )
    try:
        return differences(found, groups, default_group)
    except (KeyError, TypeError, ValueError) as e:
        raise AnsibleFilterError(f"security_group_differences: {e!r}") from e


class FilterModule:
    def filters(self):
        return {"security_group_differences": security_group_differences}
