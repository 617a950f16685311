# -*- coding: utf-8 -*-
# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: sg_rules
short_description: Security group rules as comparable strings, from module options or from what AWS reports
version_added: 0.2.0
description:
  - Turns the O(amazon.aws.ec2_security_group#module:rules) (or C(rules_egress)) list of that module into a sorted
    list of strings, one per permission (protocol, port range, peer, description), so a role can tell whether
    a group already has exactly these rules without calling the module.
  - With O(reported=true) it turns C(ip_permissions) or C(ip_permissions_egress) of
    M(amazon.aws.ec2_security_group_info) into the same strings.
  - The two lists are equal exactly when M(amazon.aws.ec2_security_group) with C(purge_rules=true) (or
    C(purge_rules_egress=true)) would change nothing.
options:
  _input:
    description: The rules (module options), or the reported permissions with O(reported=true).
    type: list
    elements: dict
    required: true
  reported:
    description: Whether the input is what M(amazon.aws.ec2_security_group_info) reports.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Set the rules of a group only when they differ
  amazon.aws.ec2_security_group:
    name: payment-dev-alb
    description: Internal ALB
    vpc_id: "{{ vpc_id }}"
    rules: "{{ rules }}"
    purge_rules: true
  when: >-
    (found.ip_permissions | payments.infra.sg_rules(reported=true)) != (rules | payments.infra.sg_rules)
"""

RETURN = r"""
_value:
  description: Sorted strings C(<protocol>|<from port>|<to port>|<peer>|<description>).
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.payments.infra.plugins.module_utils.security_group_compare import desired_permissions
from ansible_collections.payments.infra.plugins.module_utils.security_group_compare import permission_strings
from ansible_collections.payments.infra.plugins.module_utils.security_group_compare import reported_permissions


def _no_names(name):
    raise AnsibleFilterError("sg_rules compares group_id peers only, not group_name")


def sg_rules(rules, reported=False):
    """The comparison of payments.infra.ec2_security_groups (module_utils/security_group_compare.py), as strings."""
    if not isinstance(rules, list):
        raise AnsibleFilterError("sg_rules expects a list, got %s" % type(rules).__name__)
    return permission_strings(reported_permissions(rules) if reported else desired_permissions(rules, _no_names))


class FilterModule:
    def filters(self):
        return {"sg_rules": sg_rules}
