#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: kms_keys
short_description: Create or update a list of symmetric KMS keys found by their aliases, in one module run
version_added: 0.2.0
description:
  - Reconciles every key of O(keys) in one module run, each exactly as M(payments.infra.kms_key) does, with the same
    options, comparison, changes and returned key. Alias, description, key policy, rotation, enabled state and
    tags; only the options that are set are compared.
  - Reads the aliases with one C(ListAliases) for all the keys, then per key C(DescribeKey), C(GetKeyRotationStatus),
    C(GetKeyPolicy) and C(ListResourceTags). A rerun that changes nothing makes 1 + 4 per key requests
    (M(payments.infra.kms_key) in a loop makes 5 per key).
  - Writes only what differs, then reads the written keys again (without C(ListAliases)).
  - A key scheduled for deletion is recovered (C(CancelKeyDeletion)) and enabled.
  - When an alias does not exist, a customer key that no alias points at and that has the same
    O(keys[].description) and (at least) the O(keys[].tags) is adopted (the alias is created for it) instead of
    creating a second key (what a run interrupted between C(CreateKey) and C(CreateAlias) leaves behind). The keys
    no alias points at are read once for the whole list (C(ListKeys), C(DescribeKey) of each), and only when an
    alias is missing. A key is adopted by one element at most.
  - The keys are handled in the order given; an error stops the run at that key (the earlier ones are done).
  - Deleting keys is left to M(amazon.aws.kms_key) with O(amazon.aws.kms_key#module:state=absent).
author:
  - payments.infra maintainers (@payments-infra)
options:
  keys:
    description:
      - The keys, each with the options of M(payments.infra.kms_key). Aliases must be distinct.
      - An empty list does nothing.
    type: list
    elements: dict
    required: true
    suboptions:
      alias:
        description: Alias of the key, with or without its C(alias/) prefix. It identifies the key.
        type: str
        required: true
      description:
        description: Description of the key. Not changed when not set.
        type: str
      policy:
        description:
          - The key policy (the C(default) policy). Not changed when not set; a new key then gets the KMS default.
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
        description: Remove the tags not in O(keys[].tags).
        type: bool
        default: true
notes:
  - Supports check mode and diff mode. Diff mode shows each key before and after, by alias.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Two keys, rotated, with their own policies
  payments.infra.kms_keys:
    keys:
      - alias: alias/payment-s3-prod
        description: "payment-prod: S3 audit archive"
        enable_key_rotation: true
        policy: "{{ lookup('ansible.builtin.template', 's3_key_policy.json.j2') | from_json }}"
        tags:
          Environment: prod
      - alias: alias/payment-logs-prod
        description: "payment-prod: CloudWatch Logs"
        enable_key_rotation: true
        tags:
          Environment: prod
  register: kms

- name: The ARN of each key, by alias
  ansible.builtin.debug:
    msg: "{{ dict(kms.kms_keys | map(attribute='alias') | zip(kms.kms_keys | map(attribute='key_arn'))) }}"
"""

RETURN = r"""
kms_keys:
  description:
    - The keys in the order of O(keys), each as M(payments.infra.kms_key) returns its key, after the task (what it
      would be, in check mode); C(key_id) and C(key_arn) are null for a key check mode would create.
  returned: always
  type: list
  elements: dict
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
changed_keys:
  description: Aliases (with their C(alias/) prefix) of the keys created, adopted or updated (or that would be, in
    check mode), in O(keys) order.
  returned: always
  type: list
  elements: str
  sample: [alias/payment-s3-prod]
"""

from ansible_collections.payments.infra.plugins.module_utils.kms import PaymentsKMSError
from ansible_collections.payments.infra.plugins.module_utils.kms import UnnamedKeys
from ansible_collections.payments.infra.plugins.module_utils.kms import alias_name
from ansible_collections.payments.infra.plugins.module_utils.kms import ensure_key
from ansible_collections.payments.infra.plugins.module_utils.kms import key_argument_spec
from ansible_collections.payments.infra.plugins.module_utils.kms import list_aliases
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule


def ensure_keys(client, keys, check_mode):
    """(changed_aliases, results, diff) for the key parameters in `keys`, in their order.

    One ListAliases for all the keys and one read of the keys no alias names (only if an alias is missing), then per
    key the read/compare/act of kms_key.
    """
    aliases = list_aliases(client)
    unnamed = UnnamedKeys(client, aliases)
    changed_aliases, results = [], []
    diff = {"before": {}, "after": {}}
    for params in keys:
        changed, result = ensure_key(client, params, check_mode, aliases=aliases, unnamed=unnamed)
        alias = result["key"]["alias"]
        if changed:
            changed_aliases.append(alias)
        results.append(result["key"])
        diff["before"][alias] = result["diff"]["before"]
        diff["after"][alias] = result["diff"]["after"]
    return changed_aliases, results, diff


def validate(module):
    aliases = [alias_name(params["alias"]) for params in module.params["keys"]]
    module.validate_list_option("keys", aliases, what="aliases")


def main():
    # keys are KMS keys (aliases, policies, tags), not secrets: no_log=False says so to the no-log-needed check.
    argument_spec = dict(
        keys=dict(type="list", elements="dict", required=True, no_log=False, options=key_argument_spec()),
    )
    module = PaymentsAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)

    keys = module.params["keys"]
    if not keys:
        module.exit_with_diff(
            {"changed": False, "kms_keys": [], "changed_keys": [], "diff": {"before": {}, "after": {}}}
        )
    try:
        changed_aliases, results, diff = ensure_keys(module.client("kms"), keys, module.check_mode)
    except PaymentsKMSError as e:
        module.fail_json_aws_error(e)

    module.exit_with_diff(
        {"changed": bool(changed_aliases), "kms_keys": results, "changed_keys": changed_aliases, "diff": diff}
    )


if __name__ == "__main__":
    main()
