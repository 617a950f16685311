#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: secretsmanager_secrets_info
short_description: Read several Secrets Manager secrets' metadata in one run, and digests of chosen keys, never a value
version_added: 0.2.0
description:
  - Reads each secret of O(secrets) with one C(DescribeSecret), and returns its metadata in the shape
    M(payments.infra.secretsmanager_secret) returns, so that one read can serve several tasks, or several roles of a
    play, and the C(payments.infra.secretsmanager_secret_differences) filter can tell whether that module would
    change anything.
  - For a secret with O(secrets[].value_keys), also reads its current value (C(GetSecretValue)) and returns, for each
    of those keys, the SHA-256 digest of its value in canonical JSON (RV(secrets.value_digests)), enough to compare
    the value with what a task would set (O(payments.infra.secretsmanager_secret#module:merge_values)) without the
    value leaving the module. The value itself is discarded in the module and never returned.
  - KMS C(DescribeKey) is called only when a secret reports its key by something other than a key ARN.
author:
  - payments.infra maintainers (@payments-infra)
options:
  secrets:
    description: The secrets to read. A name given twice is read once (the value keys of both are digested).
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Name or ARN of the secret.
        type: str
        required: true
      value_keys:
        description:
          - Keys of the secret's JSON value to return digests of.
          - Name only keys that are not secret (a host, a port); a digest is not the value, but it is not meant to
            stand in for a generated password either.
        type: list
        elements: str
        default: []
notes:
  - Needs C(secretsmanager:DescribeSecret), and C(secretsmanager:GetSecretValue) (plus C(kms:Decrypt) on the secret's
    key) for the secrets with O(secrets[].value_keys).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the database secret (with digests of its host and port) and the card-fingerprint secret
  payments.infra.secretsmanager_secrets_info:
    secrets:
      - name: db-credentials-prod
        value_keys: [host, port]
      - name: payment-card-fingerprint-key-prod
  register: found

- name: Point the secret at the cluster only when host or port differs
  payments.infra.secretsmanager_secret: &pointed
    name: db-credentials-prod
    merge_values:
      host: payments.cluster-abc.eu-west-1.rds.amazonaws.com
      port: 5432
  vars:
    pointed: *pointed
  when: found.secrets['db-credentials-prod'] | payments.infra.secretsmanager_secret_differences(pointed) | length > 0
"""

RETURN = r"""
secrets:
  description:
    - Each secret asked for, by the name given, in the shape RV(payments.infra.secretsmanager_secret#module:secret)
      (never its value), plus RV(secrets.value_digests) when O(secrets[].value_keys) is set.
    - null for a secret that does not exist.
  returned: always
  type: dict
  sample:
    db-credentials-prod:
      arn: arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-credentials-prod-AbCdEf
      name: db-credentials-prod
      description: Aurora PostgreSQL master credential
      kms_key_id: arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab
      kms_key_arn: arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab
      rotation_enabled: true
      rotation_lambda_arn: arn:aws:lambda:eu-west-1:123456789012:function:payment-secrets-rotation-prod
      rotation_days: 30
      rotation_schedule_expression: null
      created_date: "2026-10-01T09:00:00+00:00"
      last_rotated_date: null
      last_changed_date: "2026-10-01T09:00:00+00:00"
      next_rotation_date: "2026-10-31T09:00:00+00:00"
      deleted_date: null
      version_stages: {"7b3c...": ["AWSCURRENT"]}
      tags: {"Environment": "prod"}
      value_digests:
        host: 5f2b...e1
        port: 9a41...07
    payment-card-fingerprint-key-prod: null
  contains:
    value_digests:
      description:
        - SHA-256 (hex) of the canonical JSON of each of O(secrets[].value_keys) in the current value (a missing key
          digests as C(null)).
        - null when the value is not a JSON object or the secret is scheduled for deletion (not read).
      returned: when O(secrets[].value_keys) is set and the secret exists
      type: dict
names:
  description: The names read, in the order given, without repeats.
  returned: always
  type: list
  elements: str
  sample: [db-credentials-prod, payment-card-fingerprint-key-prod]
"""

from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule
from ansible_collections.payments.infra.plugins.module_utils.secretsmanager import PaymentsSecretsManagerError
from ansible_collections.payments.infra.plugins.module_utils.secretsmanager import describe_secret
from ansible_collections.payments.infra.plugins.module_utils.secretsmanager import get_secret_string
from ansible_collections.payments.infra.plugins.module_utils.secretsmanager import key_arn
from ansible_collections.payments.infra.plugins.module_utils.secretsmanager import normalize_secret
from ansible_collections.payments.infra.plugins.module_utils.secretsmanager_compare import KEY_ARN
from ansible_collections.payments.infra.plugins.module_utils.secretsmanager_compare import value_digests


def wanted(secrets):
    """{name: [value keys]} in the order given, a repeated name's keys merged."""
    result = {}
    for item in secrets:
        keys = result.setdefault(item["name"], [])
        keys.extend(key for key in item.get("value_keys") or [] if key not in keys)
    return result


def gather(sm, kms_client, secrets):
    """Read each secret once. kms_client is a callable that makes the KMS client, only when a key must be resolved."""
    found = {}
    for name, keys in wanted(secrets).items():
        current = describe_secret(sm, name)
        if current is None:
            found[name] = None
            continue
        key_id = current.get("KmsKeyId")
        resolved = key_id if not key_id or KEY_ARN.match(key_id) else key_arn(kms_client(), key_id)
        secret = normalize_secret(current, resolved)
        if keys:
            # The value is read, digested and dropped here: only the digests leave the module.
            secret["value_digests"] = (
                None if current.get("DeletedDate") else value_digests(get_secret_string(sm, name), keys)
            )
        found[name] = secret
    return found


def main():
    module = PaymentsAWSModule(
        argument_spec=dict(
            secrets=dict(
                type="list",
                elements="dict",
                required=True,
                no_log=False,
                options=dict(
                    name=dict(type="str", required=True),
                    value_keys=dict(type="list", elements="str", default=[], no_log=False),
                ),
            ),
        ),
        supports_check_mode=True,
    )
    clients = {}

    def kms():
        if "kms" not in clients:
            clients["kms"] = module.client("kms")
        return clients["kms"]

    try:
        found = gather(module.client("secretsmanager"), kms, module.params["secrets"])
    except PaymentsSecretsManagerError as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=False, secrets=found, names=list(found))


if __name__ == "__main__":
    main()
