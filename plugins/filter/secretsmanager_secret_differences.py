# -*- coding: utf-8 -*-
# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: secretsmanager_secret_differences
short_description: What payments.infra.secretsmanager_secret would change on a secret that was read
version_added: 0.2.0
description:
  - Compares a secret as M(payments.infra.secretsmanager_secrets_info) returns it with the options a task would give
    M(payments.infra.secretsmanager_secret) (state present), with that module's own comparison code, and returns the
    names of what differs. An empty list means the module would change nothing, so the task can be skipped.
  - A secret scheduled for deletion (C(deleted)), C(description), C(kms_key_id) (compared by key ARN; an identifier
    that is neither a key ARN nor the one the secret reports counts as different, the module resolves it),
    C(merge_values) (compared by the digests of the read's C(value_digests), never by value), C(tags) with
    C(purge_tags), and rotation (C(rotation_lambda_arn), C(rotation_days)). An option not set (or null) is not
    compared, like the module leaves it alone.
  - C(initial_value), C(generate), C(recovery_window), C(rotate_immediately) and C(read_json_keys) change nothing on
    a secret that exists. An option the module does not have is an error, and so is C(merge_values) when the read
    has no C(value_digests) (read the secret with
    O(payments.infra.secretsmanager_secrets_info#module:secrets[].value_keys)).
options:
  _input:
    description: The secret (one value of RV(payments.infra.secretsmanager_secrets_info#module:secrets)); null when it
      does not exist.
    type: dict
    required: true
  desired:
    description: Options of M(payments.infra.secretsmanager_secret).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Create the secret or correct it only where it differs
  payments.infra.secretsmanager_secret: &secret
    name: payment-card-fingerprint-key-prod
    description: Card-fingerprint HMAC key
    kms_key_id: arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab
    generate:
      - key: key
    tags: {Environment: prod}
  vars:
    secret: *secret
  when: found.secrets[secret.name] | payments.infra.secretsmanager_secret_differences(secret) | length > 0
"""

RETURN = r"""
_value:
  description:
    - What differs, in the order C(deleted), C(description), C(kms_key_id), C(merge_values), C(tags), C(rotation);
      C([missing]) when the secret does not exist; C([]) when nothing differs.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.payments.infra.plugins.module_utils.secretsmanager_compare import secret_differences


def secretsmanager_secret_differences(current, desired):
    if current is not None and not isinstance(current, dict):
        raise AnsibleFilterError(
            f"secretsmanager_secret_differences: the secret must be a dict or null, got {type(current).__name__}"
        )
    if not isinstance(desired, dict):
        raise AnsibleFilterError(
            f"secretsmanager_secret_differences: desired must be a dict, got {type(desired).__name__}"
        )
    try:
        return secret_differences(current, desired)
    except (ValueError, TypeError) as e:
        raise AnsibleFilterError(f"secretsmanager_secret_differences: {e}") from e


class FilterModule:
    def filters(self):
        return {"secretsmanager_secret_differences": secretsmanager_secret_differences}
