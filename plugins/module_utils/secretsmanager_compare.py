# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The comparisons of payments.infra.secretsmanager_secret, shared with the secretsmanager_secret_differences filter.

The module decides with these functions what it changes on a secret it read; the filter decides with the same functions,
on a read made by payments.infra.secretsmanager_secrets_info, whether the module has anything to change. No AWS SDK
import here: a filter imports this module in every task that uses it, and botocore would cost each of them its import.
"""

import hashlib
import json
import re
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[^:]*:[0-9]*:key/")

# Options of payments.infra.secretsmanager_secret that secret_differences() understands (every option of the module).
# An option outside this set raises, so a task cannot grow an option that the comparison silently leaves out.
# initial_value, generate, recovery_window, rotate_immediately and read_json_keys change nothing on a secret that
# exists (they shape a creation, a deletion, a rotation being turned on and the module's output).
SECRET_OPTIONS = (
    "name",
    "state",
    "description",
    "kms_key_id",
    "initial_value",
    "generate",
    "merge_values",
    "recovery_window",
    "rotation_lambda_arn",
    "rotation_days",
    "rotate_immediately",
    "read_json_keys",
    "tags",
    "purge_tags",
)


def tags_differ(current: Optional[Dict[str, str]], desired: Optional[Dict[str, str]], purge_tags: bool = True) -> bool:
    """Whether tags that are set differ (the module's tag_changes() is not empty); unset tags never differ."""
    if desired is None:
        return False
    to_set, to_unset = compare_aws_tags(current or {}, desired, purge_tags=purge_tags)
    return bool(to_set or to_unset)


def known_key_arn(before: Optional[Dict[str, Any]], key_id: Optional[str]) -> Optional[str]:
    """The ARN of the desired key `key_id` when it is known without a KMS call: the identifier the secret reports
    (already resolved in `before`), or a key ARN. None when only DescribeKey can tell."""
    if not key_id:
        return None
    if before and key_id == before.get("kms_key_id") and before.get("kms_key_arn"):
        return before["kms_key_arn"]
    if KEY_ARN.match(key_id):
        return key_id
    return None


def value_digest(value: Any) -> str:
    """SHA-256 (hex) of one JSON value in canonical form. A read compares a key of a secret's value with what a task
    would set through this digest, so the value itself never leaves the module that read it."""
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode("utf-8")).hexdigest()


def value_digests(secret_string: Optional[str], keys: List[str]) -> Optional[Dict[str, str]]:
    """The digests of `keys` in a JSON object secret (a missing key digests as null); None when the value is not a
    JSON object."""
    try:
        value = json.loads(secret_string) if secret_string is not None else None
    except ValueError:
        value = None
    if not isinstance(value, dict):
        return None
    return {key: value_digest(value.get(key)) for key in keys}


def merge_values_differences(current_digests: Dict[str, str], merge_values: Optional[Dict[str, Any]]) -> List[str]:
    """The keys of merge_values whose value differs from the current one (sorted), compared by digest."""
    return sorted(key for key, value in (merge_values or {}).items() if current_digests.get(key) != value_digest(value))


def description_differs(before: Dict[str, Any], description: Optional[str]) -> bool:
    """Whether a description that is set differs from the secret's (a secret without one has "")."""
    current = before.get("description")
    return description is not None and description != (current if current is not None else "")


def kms_key_differs(before: Dict[str, Any], desired_key_arn: Optional[str]) -> bool:
    return bool(desired_key_arn) and desired_key_arn != before.get("kms_key_arn")


def rotation_changes(before: Optional[Dict[str, Any]], params: Dict[str, Any]) -> Dict[str, Any]:
    """The rotation fields that differ from what the user SET ({} when rotation is not managed or already right)."""
    if not params.get("rotation_lambda_arn"):
        return {}
    desired = {
        "rotation_enabled": True,
        "rotation_lambda_arn": params["rotation_lambda_arn"],
        "rotation_days": params["rotation_days"],
    }
    current = before or {}
    return {key: value for key, value in desired.items() if current.get(key) != value}


def secret_differences(current: Optional[Dict[str, Any]], params: Dict[str, Any]) -> List[str]:
    """What payments.infra.secretsmanager_secret (state present) would change on a secret that was read, with the
    module's own comparisons: [] when it would change nothing, ["missing"] when the secret does not exist, else the
    names of what differs in the order deleted, description, kms_key_id, merge_values, tags, rotation.

    current: the secret in normalize_secret's shape (None when it does not exist), plus "value_digests" (the digests
    of the merge_values keys, None when the value could not be read as a JSON object) when params sets merge_values.
    A kms_key_id that is neither the identifier the secret reports nor a key ARN counts as different (the module
    resolves it with DescribeKey).
    """
    unknown = set(params) - set(SECRET_OPTIONS)
    if unknown:
        raise ValueError(f"options the comparison does not cover: {', '.join(sorted(unknown))}")
    if params.get("state", "present") != "present":
        raise ValueError("only state=present is compared")
    if params.get("rotation_lambda_arn") and not params.get("rotation_days"):
        raise ValueError("rotation_lambda_arn needs rotation_days")
    if params.get("rotation_days") is not None:
        # The module's argument spec makes an int of it.
        params = dict(params, rotation_days=int(params["rotation_days"]))
    if not current:
        return ["missing"]
    differences = ["deleted"] if current.get("deleted_date") else []
    if description_differs(current, params.get("description")):
        differences.append("description")
    key_id = params.get("kms_key_id")
    if key_id and (known_key_arn(current, key_id) is None or kms_key_differs(current, known_key_arn(current, key_id))):
        differences.append("kms_key_id")
    if params.get("merge_values"):
        if "value_digests" not in current:
            raise ValueError("the read has no value_digests for merge_values (secretsmanager_secrets_info value_keys)")
        digests = current["value_digests"]
        if digests is None or merge_values_differences(digests, params["merge_values"]):
            differences.append("merge_values")
    if tags_differ(current.get("tags"), params.get("tags"), params.get("purge_tags", True)):
        differences.append("tags")
    if rotation_changes(current, params):
        differences.append("rotation")
    return differences
