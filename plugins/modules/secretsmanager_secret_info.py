#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: secretsmanager_secret_info
short_description: Read a Secrets Manager secret's metadata, and the keys of its JSON value, never the value
version_added: 0.1.0
description:
  - Returns what Secrets Manager reports about a secret (KMS key, rotation, versions, tags) without
    its value, for lookups by later tiers, verification and audits.
  - With O(json_keys=true), also reads the current value to list the keys of its JSON object; the
    value itself is discarded in the module and never returned.
author:
  - payments.infra maintainers (@payments-infra)
options:
  name:
    description: Name or ARN of the secret.
    type: str
    required: true
  json_keys:
    description: Also list the keys of the current JSON value (needs C(secretsmanager:GetSecretValue)).
    type: bool
    default: false
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Check the database secret without reading its password
  payments.infra.secretsmanager_secret_info:
    name: db-credentials-prod
    json_keys: true
  register: db_secret

- name: Assert its shape
  ansible.builtin.assert:
    that:
      - db_secret.exists
      - db_secret.json_keys == ['dbname', 'engine', 'host', 'password', 'port', 'username']
"""

RETURN = r"""
exists:
  description: Whether the secret exists (a secret scheduled for deletion exists, with RV(secret.deleted_date) set).
  returned: always
  type: bool
  sample: true
secret:
  description:
    - Metadata of the secret, as M(payments.infra.secretsmanager_secret) returns it.
    - Empty when it does not exist.
  returned: always
  type: dict
  contains:
    arn:
      description: ARN of the secret.
      returned: when it exists
      type: str
      sample: arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-credentials-prod-AbCdEf
    name:
      description: Name of the secret.
      returned: when it exists
      type: str
      sample: db-credentials-prod
    kms_key_arn:
      description: ARN of the KMS key that encrypts it (null for the AWS managed key).
      returned: when it exists
      type: str
      sample: arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab
    deleted_date:
      description: When its deletion was scheduled (ISO 8601), null when it is not.
      returned: when it exists
      type: str
      sample: null
    rotation_enabled:
      description: Whether rotation is on.
      returned: when it exists
      type: bool
      sample: true
    rotation_days:
      description: Days between rotations.
      returned: when it exists
      type: int
      sample: 30
    created_date:
      description: When the secret was created (ISO 8601).
      returned: when it exists
      type: str
      sample: "2026-10-01T09:00:00+00:00"
    last_rotated_date:
      description: Last rotation (ISO 8601).
      returned: when it exists
      type: str
      sample: "2026-11-01T10:00:00+00:00"
    tags:
      description: Tags of the secret.
      returned: when it exists
      type: dict
      sample: {"Environment": "prod"}
json_keys:
  description: Keys of the current JSON value; null when the value is not a JSON object.
  returned: when O(json_keys=true) and the secret exists and is not scheduled for deletion
  type: list
  elements: str
  sample: ["dbname", "engine", "host", "password", "port", "username"]
"""

from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule
from ansible_collections.payments.infra.plugins.module_utils.secretsmanager import PaymentsSecretsManagerError
from ansible_collections.payments.infra.plugins.module_utils.secretsmanager import describe_key
from ansible_collections.payments.infra.plugins.module_utils.secretsmanager import describe_secret
from ansible_collections.payments.infra.plugins.module_utils.secretsmanager import get_secret_string
from ansible_collections.payments.infra.plugins.module_utils.secretsmanager import json_keys
from ansible_collections.payments.infra.plugins.module_utils.secretsmanager import normalize_secret


def gather(sm, kms, name, with_keys):
    current = describe_secret(sm, name)
    if current is None:
        return {"exists": False, "secret": {}}
    key = describe_key(kms, current["KmsKeyId"]) if current.get("KmsKeyId") else None
    result = {"exists": True, "secret": normalize_secret(current, (key or {}).get("Arn"))}
    if with_keys and not current.get("DeletedDate"):
        result["json_keys"] = json_keys(get_secret_string(sm, name))
    return result


def main():
    module = PaymentsAWSModule(
        argument_spec=dict(name=dict(type="str", required=True), json_keys=dict(type="bool", default=False)),
        supports_check_mode=True,
    )
    try:
        result = gather(
            module.client("secretsmanager"), module.client("kms"), module.params["name"], module.params["json_keys"]
        )
    except PaymentsSecretsManagerError as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
