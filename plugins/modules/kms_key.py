#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: kms_key
short_description: Create or update a symmetric KMS key found by its alias, reading it once
version_added: 0.2.0
description:
  - Creates a symmetric encryption KMS key with its alias, description, key policy, rotation and tags, or updates
    an existing one to match.
  - The key is found by its alias. One read per run (C(ListAliases), C(DescribeKey), C(GetKeyPolicy),
    C(GetKeyRotationStatus), C(ListResourceTags)) is compared with the options given; only what differs is written.
    M(amazon.aws.kms_key) reads a key about twenty times per run.
  - A key scheduled for deletion is recovered (C(CancelKeyDeletion)) and enabled, as M(amazon.aws.kms_key) does.
  - When the alias does not exist, a customer key that no alias points at and that has the same O(description)
    and (at least) the O(tags) is adopted (the alias is created for it) instead of creating a second key (what a
    run interrupted between C(CreateKey) and C(CreateAlias) leaves behind). This needs a non-empty O(description).
  - Deleting keys is left to M(amazon.aws.kms_key) with O(amazon.aws.kms_key#module:state=absent).
author:
  - payments.infra maintainers (@payments-infra)
options:
  alias:
    description: Alias of the key, with or without its C(alias/) prefix. It identifies the key.
    type: str
    required: true
  description:
    description: Description of the key. Not changed when not set.
    type: str
  policy:
    description: The key policy (the C(default) policy). Not changed when not set; a new key then gets the KMS default.
    type: json
  enable_key_rotation:
    description: Whether KMS rotates the key material every year. Not changed when not set.
    type: bool
  enabled:
    description: Whether the key is enabled.
    type: bool
    default: true
  tags:
    description: Tags of the key. Not changed when not set.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description: Remove the tags not in O(tags).
    type: bool
    default: true
notes:
  - Supports check mode and diff mode.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Key of the audit archive, rotated, with a service-scoped policy
  payments.infra.kms_key:
    alias: alias/payment-s3-prod
    description: "payment-prod: S3 audit archive"
    enable_key_rotation: true
    policy: "{{ lookup('ansible.builtin.template', 'key_policy.json.j2') | from_json }}"
    tags:
      Environment: prod
"""

RETURN = r"""
key:
  description: The key after the task (what it would be, in check mode); C(key_id) and C(key_arn) are null for a key
    check mode would create.
  returned: always
  type: dict
  contains:
    key_id:
      description: ID of the key.
      returned: always
      type: str
      sample: 1234abcd-12ab-34cd-56ef-1234567890ab
    key_arn:
      description: ARN of the key.
      returned: always
      type: str
      sample: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
    alias:
      description: The alias, with its C(alias/) prefix.
      returned: always
      type: str
      sample: alias/payment-s3-prod
    description:
      description: Description of the key.
      returned: always
      type: str
      sample: "payment-prod: S3 audit archive"
    enabled:
      description: Whether the key is enabled.
      returned: always
      type: bool
      sample: true
    key_state:
      description: State of the key (C(Enabled), C(Disabled), C(PendingDeletion)...).
      returned: always
      type: str
      sample: Enabled
    enable_key_rotation:
      description: Whether the key material is rotated every year.
      returned: always
      type: bool
      sample: true
    policy:
      description: The key policy.
      returned: always
      type: dict
      sample: {"Version": "2012-10-17", "Statement": []}
    tags:
      description: Tags of the key.
      returned: always
      type: dict
      sample: {"Environment": "prod"}
key_id:
  description: ID of the key (null for a key check mode would create), as M(amazon.aws.kms_key) returns it.
  returned: always
  type: str
  sample: 1234abcd-12ab-34cd-56ef-1234567890ab
key_arn:
  description: ARN of the key (null for a key check mode would create), as M(amazon.aws.kms_key) returns it.
  returned: always
  type: str
  sample: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
"""

import copy
import json
from typing import Any
from typing import Dict
from typing import Optional
from typing import Tuple

from ansible_collections.payments.infra.plugins.module_utils.diff import build_diff
from ansible_collections.payments.infra.plugins.module_utils.kms import PaymentsKMSError
from ansible_collections.payments.infra.plugins.module_utils.kms import alias_name
from ansible_collections.payments.infra.plugins.module_utils.kms import cancel_key_deletion
from ansible_collections.payments.infra.plugins.module_utils.kms import create_alias
from ansible_collections.payments.infra.plugins.module_utils.kms import create_key
from ansible_collections.payments.infra.plugins.module_utils.kms import describe_key
from ansible_collections.payments.infra.plugins.module_utils.kms import get_alias
from ansible_collections.payments.infra.plugins.module_utils.kms import get_key_policy
from ansible_collections.payments.infra.plugins.module_utils.kms import get_key_rotation
from ansible_collections.payments.infra.plugins.module_utils.kms import list_aliases
from ansible_collections.payments.infra.plugins.module_utils.kms import list_key_tags
from ansible_collections.payments.infra.plugins.module_utils.kms import list_keys
from ansible_collections.payments.infra.plugins.module_utils.kms import put_key_policy
from ansible_collections.payments.infra.plugins.module_utils.kms import set_key_enabled
from ansible_collections.payments.infra.plugins.module_utils.kms import set_key_rotation
from ansible_collections.payments.infra.plugins.module_utils.kms import tag_key
from ansible_collections.payments.infra.plugins.module_utils.kms import untag_key
from ansible_collections.payments.infra.plugins.module_utils.kms import update_key_description
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule
from ansible_collections.payments.infra.plugins.module_utils.tagging import merge_tags
from ansible_collections.payments.infra.plugins.module_utils.tagging import tag_changes


def read_key(client, name: str) -> Optional[Dict[str, Any]]:
    """The key alias `name` points at, normalised, or None when the alias does not exist."""
    alias = get_alias(client, name)
    if not alias or not alias.get("TargetKeyId"):
        return None
    metadata = describe_key(client, alias["TargetKeyId"])
    if metadata is None:
        return None
    key_id = metadata["KeyId"]
    # A key pending deletion answers neither its policy nor its rotation: they are read after recovery.
    pending = metadata.get("KeyState") == "PendingDeletion"
    return {
        "key_id": key_id,
        "key_arn": metadata["Arn"],
        "alias": name,
        "description": metadata.get("Description", ""),
        "enabled": bool(metadata.get("Enabled")),
        "key_state": metadata.get("KeyState"),
        "enable_key_rotation": None if pending else get_key_rotation(client, key_id),
        "policy": None if pending else get_key_policy(client, key_id),
        "tags": list_key_tags(client, key_id),
    }


def find_unnamed_key(client, description: str, tags: Dict[str, str]) -> Optional[str]:
    """The ID of a customer key that no alias points at, with this description and (at least) these tags: what a
    run killed between CreateKey and CreateAlias leaves. Adopting it keeps a rerun from making a second key (an
    orphan billed monthly that nothing would ever find again). Needs a description to tell keys apart."""
    if not description:
        return None
    named = {alias.get("TargetKeyId") for alias in list_aliases(client)}
    for entry in list_keys(client):
        if entry["KeyId"] in named:
            continue
        metadata = describe_key(client, entry["KeyId"])
        if (
            not metadata
            or metadata.get("KeyManager") != "CUSTOMER"
            or metadata.get("KeyState") not in ("Enabled", "Disabled")
            or metadata.get("Description", "") != description
        ):
            continue
        key_tags = list_key_tags(client, entry["KeyId"])
        if all(key_tags.get(key) == str(value) for key, value in (tags or {}).items()):
            return metadata["KeyId"]
    return None


def ensure(client, params: Dict[str, Any], check_mode: bool) -> Tuple[bool, Dict[str, Any]]:
    """(changed, result) after making the key of alias params['alias'] match params."""
    name = alias_name(params["alias"])
    policy = params["policy"]
    if isinstance(policy, str):
        policy = json.loads(policy)
    current = read_key(client, name)
    before = copy.deepcopy(current) or {}
    adopted = None
    if current is None:
        adopted = find_unnamed_key(client, params["description"] or "", params["tags"] or {})
        if adopted is not None and not check_mode:
            create_alias(client, name, adopted)
            current = read_key(client, name)

    if current is None:
        after = {
            "key_id": None,
            "key_arn": None,
            "alias": name,
            "description": params["description"] or "",
            "enabled": params["enabled"],
            "key_state": "Enabled" if params["enabled"] else "Disabled",
            "enable_key_rotation": bool(params["enable_key_rotation"]),
            "policy": policy,
            "tags": dict(params["tags"] or {}),
        }
        if adopted is not None:
            after["key_id"] = adopted
        if not check_mode:
            metadata = create_key(client, params["description"] or "", policy, params["tags"] or {})
            key_id = metadata["KeyId"]
            create_alias(client, name, key_id)
            if params["enable_key_rotation"]:
                set_key_rotation(client, key_id, True)
            if not params["enabled"]:
                set_key_enabled(client, key_id, False)
            after = read_key(client, name)
        return True, {"key": after, "diff": build_diff(before, after)}

    key_id = current["key_id"]
    after = copy.deepcopy(current)
    actions = []
    if current["key_state"] == "PendingDeletion":
        actions.append((cancel_key_deletion, (key_id,)))
        after["key_state"] = "Disabled"
        after["enabled"] = False
    if params["enabled"] != after["enabled"]:
        actions.append((set_key_enabled, (key_id, params["enabled"])))
        after["enabled"] = params["enabled"]
        after["key_state"] = "Enabled" if params["enabled"] else "Disabled"
    if params["description"] is not None and params["description"] != current["description"]:
        actions.append((update_key_description, (key_id, params["description"])))
        after["description"] = params["description"]
    if policy is not None and policy != current["policy"]:
        actions.append((put_key_policy, (key_id, policy)))
        after["policy"] = policy
    rotation = params["enable_key_rotation"]
    if rotation is not None and rotation != current["enable_key_rotation"]:
        actions.append((set_key_rotation, (key_id, rotation)))
        after["enable_key_rotation"] = rotation
    to_set, to_unset = tag_changes(current["tags"], params["tags"], params["purge_tags"])
    if to_unset:
        actions.append((untag_key, (key_id, to_unset)))
    if to_set:
        actions.append((tag_key, (key_id, to_set)))
    after["tags"] = merge_tags(current["tags"], to_set, to_unset)

    changed = bool(actions) or adopted is not None
    if actions and not check_mode:
        for action, args in actions:
            action(client, *args)
        after = read_key(client, name)
    return changed, {"key": after, "diff": build_diff(before, after)}


def main():
    argument_spec = dict(
        alias=dict(type="str", required=True),
        description=dict(type="str"),
        policy=dict(type="json"),
        enable_key_rotation=dict(type="bool"),
        enabled=dict(type="bool", default=True),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = PaymentsAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = module.client("kms")
    try:
        changed, result = ensure(client, module.params, module.check_mode)
    except PaymentsKMSError as e:
        module.fail_json_aws_error(e)
    key = result["key"]
    module.exit_with_diff(dict(result, changed=changed, key_id=key["key_id"], key_arn=key["key_arn"]))


if __name__ == "__main__":
    main()
