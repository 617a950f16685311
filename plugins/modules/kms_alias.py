#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: kms_alias
short_description: Point a KMS alias at a key, or remove the alias
version_added: 0.1.0
description:
  - Creates or moves a KMS alias (C(CreateAlias), C(UpdateAlias)) or deletes it (C(DeleteAlias)), reading
    C(ListAliases) first so a rerun changes nothing.
  - M(amazon.aws.kms_key) sets an alias when it creates a key but never removes one; a key scheduled for deletion
    keeps its alias until it is gone, and M(amazon.aws.kms_key) run with that alias again cancels the deletion
    instead of creating a new key. Removing the alias when the key is scheduled for deletion avoids that.
author:
  - payments.infra maintainers (@payments-infra)
options:
  name:
    description: Name of the alias, with or without its C(alias/) prefix.
    type: str
    required: true
  state:
    description: Whether the alias exists.
    type: str
    choices: [present, absent]
    default: present
  target_key_id:
    description:
      - Key the alias points at (key ID, key ARN, alias name or alias ARN). Required with O(state=present).
    type: str
notes:
  - Supports check mode and diff mode.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Remove the alias of a key scheduled for deletion
  payments.infra.kms_alias:
    name: alias/payment-s3-dev
    state: absent

- name: Point an alias at a key
  payments.infra.kms_alias:
    name: alias/payment-s3-dev
    target_key_id: 1234abcd-12ab-34cd-56ef-1234567890ab
"""

RETURN = r"""
alias:
  description: The alias after the task (what it would be, in check mode); empty when it does not exist.
  returned: always
  type: dict
  contains:
    alias_name:
      description: Name of the alias.
      returned: when the alias exists
      type: str
      sample: alias/payment-s3-dev
    alias_arn:
      description: ARN of the alias (missing in check mode for an alias not created yet).
      returned: when the alias exists
      type: str
      sample: arn:aws:kms:us-east-1:123456789012:alias/payment-s3-dev
    target_key_id:
      description: ID of the key the alias points at.
      returned: when the alias exists
      type: str
      sample: 1234abcd-12ab-34cd-56ef-1234567890ab
"""

from typing import Any
from typing import Dict
from typing import Optional
from typing import Tuple

from ansible_collections.amazon.aws.plugins.module_utils.transformation import boto3_resource_to_ansible_dict

from ansible_collections.payments.infra.plugins.module_utils.diff import build_diff
from ansible_collections.payments.infra.plugins.module_utils.kms import PaymentsKMSError
from ansible_collections.payments.infra.plugins.module_utils.kms import alias_name
from ansible_collections.payments.infra.plugins.module_utils.kms import create_alias
from ansible_collections.payments.infra.plugins.module_utils.kms import delete_alias
from ansible_collections.payments.infra.plugins.module_utils.kms import get_alias
from ansible_collections.payments.infra.plugins.module_utils.kms import get_key_id
from ansible_collections.payments.infra.plugins.module_utils.kms import update_alias
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule


def normalise(alias: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    if not alias:
        return {}
    kept = {key: alias[key] for key in ("AliasName", "AliasArn", "TargetKeyId") if alias.get(key)}
    return boto3_resource_to_ansible_dict(kept)


def ensure(client, name: str, state: str, target_key: Optional[str], check_mode: bool) -> Tuple[bool, Dict[str, Any]]:
    """(changed, result) after making alias `name` absent, or present and pointing at `target_key`."""
    name = alias_name(name)
    current = get_alias(client, name)
    before = normalise(current)
    if state == "absent":
        changed = current is not None
        if changed and not check_mode:
            delete_alias(client, name)
        after = {}
    else:
        key_id = get_key_id(client, target_key)
        changed = current is None or current.get("TargetKeyId") != key_id
        after = dict(before, alias_name=name, target_key_id=key_id)
        if changed and not check_mode:
            if current is None:
                create_alias(client, name, key_id)
            else:
                update_alias(client, name, key_id)
            after = normalise(get_alias(client, name))
    return changed, {"alias": after, "diff": build_diff(before, after)}


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        target_key_id=dict(type="str"),
    )
    module = PaymentsAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("state", "present", ["target_key_id"])],
    )
    client = module.client("kms")
    try:
        changed, result = ensure(
            client, module.params["name"], module.params["state"], module.params["target_key_id"], module.check_mode
        )
    except PaymentsKMSError as e:
        module.fail_json_aws_error(e)
    module.exit_with_diff(dict(result, changed=changed))


if __name__ == "__main__":
    main()
