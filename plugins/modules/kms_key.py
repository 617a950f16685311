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
  - M(payments.infra.kms_keys) does the same for a list of keys in one module run, with one C(ListAliases) for all.
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

from ansible_collections.payments.infra.plugins.module_utils.kms import PaymentsKMSError
from ansible_collections.payments.infra.plugins.module_utils.kms import ensure_key as ensure
from ansible_collections.payments.infra.plugins.module_utils.kms import key_argument_spec
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule


def main():
    module = PaymentsAWSModule(argument_spec=key_argument_spec(), supports_check_mode=True)
    client = module.client("kms")
    try:
        changed, result = ensure(client, module.params, module.check_mode)
    except PaymentsKMSError as e:
        module.fail_json_aws_error(e)
    key = result["key"]
    module.exit_with_diff(dict(result, changed=changed, key_id=key["key_id"], key_arn=key["key_arn"]))


if __name__ == "__main__":
    main()
