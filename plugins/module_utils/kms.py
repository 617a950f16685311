# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One thin wrapper per KMS key and alias API call our modules make, and the read/compare/act of one key found by its
alias that payments.infra.kms_key (one key) and payments.infra.kms_keys (a list of keys) share.

Every wrapper retries throttling with AWSRetry.jittered_backoff() and turns botocore errors into PaymentsKMSError,
which a module's main() hands to module.fail_json_aws_error() in one place.
"""

import copy
import json
from typing import Any
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.payments.infra.plugins.module_utils.diff import build_diff
from ansible_collections.payments.infra.plugins.module_utils.retries import AWSRetry
from ansible_collections.payments.infra.plugins.module_utils.tag_compare import merge_tags
from ansible_collections.payments.infra.plugins.module_utils.tag_compare import tag_changes


class PaymentsKMSError(AnsibleAWSError):
    """Any failure of a KMS call made by payments.infra."""


class KMSErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsKMSError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("NotFoundException")


def alias_name(name: str) -> str:
    """The alias name with its alias/ prefix."""
    return name if name.startswith("alias/") else "alias/" + name


@KMSErrorHandler.list_error_handler("list aliases", [])
@AWSRetry.jittered_backoff()
def list_aliases(client) -> List[Dict[str, Any]]:
    """Every AliasListEntry of the region (AliasName, AliasArn, TargetKeyId)."""
    paginator = client.get_paginator("list_aliases")
    return paginator.paginate().build_full_result().get("Aliases", [])


def find_alias(aliases: List[Dict[str, Any]], name: str) -> Optional[Dict[str, Any]]:
    """The AliasListEntry of alias `name` among `aliases` (what list_aliases returned), or None."""
    for alias in aliases:
        if alias["AliasName"] == name:
            return alias
    return None


def get_alias(client, name: str) -> Optional[Dict[str, Any]]:
    """The AliasListEntry of alias `name` (AliasName, AliasArn, TargetKeyId), or None when it does not exist."""
    return find_alias(list_aliases(client), name)


@KMSErrorHandler.list_error_handler("list keys", [])
@AWSRetry.jittered_backoff()
def list_keys(client) -> List[Dict[str, Any]]:
    """Every KeyListEntry of the region (KeyId, KeyArn)."""
    paginator = client.get_paginator("list_keys")
    return paginator.paginate().build_full_result().get("Keys", [])


@KMSErrorHandler.common_error_handler("describe key")
@AWSRetry.jittered_backoff()
def get_key_id(client, key: str) -> str:
    """The key ID of a key given by ID, ARN, alias name or alias ARN."""
    return client.describe_key(KeyId=key)["KeyMetadata"]["KeyId"]


@KMSErrorHandler.common_error_handler("create alias")
@AWSRetry.jittered_backoff()
def create_alias(client, name: str, key_id: str) -> bool:
    client.create_alias(AliasName=name, TargetKeyId=key_id)
    return True


@KMSErrorHandler.common_error_handler("update alias")
@AWSRetry.jittered_backoff()
def update_alias(client, name: str, key_id: str) -> bool:
    client.update_alias(AliasName=name, TargetKeyId=key_id)
    return True


@KMSErrorHandler.deletion_error_handler("delete alias")
@AWSRetry.jittered_backoff()
def delete_alias(client, name: str) -> bool:
    client.delete_alias(AliasName=name)
    return True


# Keys (payments.infra.kms_key): one read of a key is DescribeKey, GetKeyPolicy, GetKeyRotationStatus and
# ListResourceTags; the alias is found with one ListAliases.


@KMSErrorHandler.list_error_handler("describe key", None)
@AWSRetry.jittered_backoff()
def describe_key(client, key: str) -> Optional[Dict[str, Any]]:
    """KeyMetadata of a key given by ID, ARN or alias, or None when it does not exist."""
    return client.describe_key(KeyId=key)["KeyMetadata"]


@KMSErrorHandler.common_error_handler("get key policy")
@AWSRetry.jittered_backoff()
def get_key_policy(client, key_id: str) -> Dict[str, Any]:
    """The key's default policy, parsed."""
    return json.loads(client.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])


@KMSErrorHandler.common_error_handler("get key rotation status")
@AWSRetry.jittered_backoff()
def get_key_rotation(client, key_id: str) -> bool:
    return bool(client.get_key_rotation_status(KeyId=key_id).get("KeyRotationEnabled"))


@KMSErrorHandler.common_error_handler("list key tags")
@AWSRetry.jittered_backoff()
def list_key_tags(client, key_id: str) -> Dict[str, str]:
    paginator = client.get_paginator("list_resource_tags")
    tags = paginator.paginate(KeyId=key_id).build_full_result().get("Tags", [])
    return boto3_tag_list_to_ansible_dict(tags, "TagKey", "TagValue")


@KMSErrorHandler.common_error_handler("create key")
@AWSRetry.jittered_backoff()
def create_key(client, description: str, policy: Optional[Dict[str, Any]], tags: Dict[str, str]) -> Dict[str, Any]:
    params = dict(Description=description, KeyUsage="ENCRYPT_DECRYPT", KeySpec="SYMMETRIC_DEFAULT")
    if policy is not None:
        params["Policy"] = json.dumps(policy)
    if tags:
        params["Tags"] = ansible_dict_to_boto3_tag_list(tags, "TagKey", "TagValue")
    return client.create_key(**params)["KeyMetadata"]


@KMSErrorHandler.common_error_handler("put key policy")
@AWSRetry.jittered_backoff()
def put_key_policy(client, key_id: str, policy: Dict[str, Any]) -> bool:
    client.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(policy))
    return True


@KMSErrorHandler.common_error_handler("update key description")
@AWSRetry.jittered_backoff()
def update_key_description(client, key_id: str, description: str) -> bool:
    client.update_key_description(KeyId=key_id, Description=description)
    return True


@KMSErrorHandler.common_error_handler("set key rotation")
@AWSRetry.jittered_backoff()
def set_key_rotation(client, key_id: str, enabled: bool) -> bool:
    if enabled:
        client.enable_key_rotation(KeyId=key_id)
    else:
        client.disable_key_rotation(KeyId=key_id)
    return True


@KMSErrorHandler.common_error_handler("cancel key deletion")
@AWSRetry.jittered_backoff()
def cancel_key_deletion(client, key_id: str) -> bool:
    client.cancel_key_deletion(KeyId=key_id)
    return True


@KMSErrorHandler.common_error_handler("enable or disable key")
@AWSRetry.jittered_backoff()
def set_key_enabled(client, key_id: str, enabled: bool) -> bool:
    if enabled:
        client.enable_key(KeyId=key_id)
    else:
        client.disable_key(KeyId=key_id)
    return True


@KMSErrorHandler.common_error_handler("tag key")
@AWSRetry.jittered_backoff()
def tag_key(client, key_id: str, tags: Dict[str, str]) -> bool:
    client.tag_resource(KeyId=key_id, Tags=ansible_dict_to_boto3_tag_list(tags, "TagKey", "TagValue"))
    return True


@KMSErrorHandler.common_error_handler("untag key")
@AWSRetry.jittered_backoff()
def untag_key(client, key_id: str, keys: List[str]) -> bool:
    client.untag_resource(KeyId=key_id, TagKeys=keys)
    return True


# One key found by its alias: the options, read, compare and act of payments.infra.kms_key, run for each element of
# payments.infra.kms_keys' O(keys) with the alias list read once for all of them.


def key_argument_spec() -> Dict[str, Any]:
    """The options of one key: kms_key's arguments, and each element of kms_keys' O(keys)."""
    return dict(
        alias=dict(type="str", required=True),
        description=dict(type="str"),
        policy=dict(type="json"),
        enable_key_rotation=dict(type="bool"),
        enabled=dict(type="bool", default=True),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )


def read_key_by_id(client, name: str, key_id: str) -> Optional[Dict[str, Any]]:
    """Key `key_id` (that alias `name` points at), normalised: DescribeKey, then GetKeyRotationStatus, GetKeyPolicy
    and ListResourceTags; None when it does not exist."""
    metadata = describe_key(client, key_id)
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


def read_key(client, name: str, aliases: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The key alias `name` points at (found in `aliases`, what list_aliases returned), normalised, or None when the
    alias does not exist."""
    alias = find_alias(aliases, name)
    if not alias or not alias.get("TargetKeyId"):
        return None
    return read_key_by_id(client, name, alias["TargetKeyId"])


class UnnamedKeys:
    """The customer keys that no alias points at, for adoption: what a run killed between CreateKey and CreateAlias
    leaves. Adopting such a key keeps a rerun from making a second key (an orphan billed monthly that nothing would
    ever find again).

    Read lazily, at most once per module run whatever the number of keys looked for: ListKeys, DescribeKey of each
    key no alias names, ListResourceTags of those whose description matches. A key found, created or adopted is
    taken: no other key of the run can adopt it.
    """

    def __init__(self, client, aliases: List[Dict[str, Any]]):
        self.client = client
        self.taken = {alias["TargetKeyId"] for alias in aliases if alias.get("TargetKeyId")}
        self._candidates: Optional[List[Dict[str, Any]]] = None
        self._tags: Dict[str, Dict[str, str]] = {}

    def take(self, key_id: str) -> None:
        self.taken.add(key_id)

    def _read_candidates(self) -> List[Dict[str, Any]]:
        if self._candidates is None:
            self._candidates = []
            for entry in list_keys(self.client):
                if entry["KeyId"] in self.taken:
                    continue
                metadata = describe_key(self.client, entry["KeyId"])
                if (
                    metadata
                    and metadata.get("KeyManager") == "CUSTOMER"
                    and metadata.get("KeyState") in ("Enabled", "Disabled")
                ):
                    self._candidates.append(metadata)
        return self._candidates

    def find(self, description: str, tags: Dict[str, str]) -> Optional[str]:
        """The ID of a key no alias points at, with this description and (at least) these tags, now taken; None
        when there is none. Needs a description to tell keys apart."""
        if not description:
            return None
        for metadata in self._read_candidates():
            key_id = metadata["KeyId"]
            if key_id in self.taken or metadata.get("Description", "") != description:
                continue
            if key_id not in self._tags:
                self._tags[key_id] = list_key_tags(self.client, key_id)
            if all(self._tags[key_id].get(key) == str(value) for key, value in (tags or {}).items()):
                self.take(key_id)
                return key_id
        return None


def ensure_key(
    client,
    params: Dict[str, Any],
    check_mode: bool,
    aliases: Optional[List[Dict[str, Any]]] = None,
    unnamed: Optional[UnnamedKeys] = None,
) -> Tuple[bool, Dict[str, Any]]:
    """(changed, {key, diff}) after making the key of alias params['alias'] match params (key_argument_spec()).

    aliases: what list_aliases returned (read here when None); unnamed: the UnnamedKeys of the run (made here when
    None). Only the options set are compared; only what differs is written, unless in check mode; a key written is
    read again (without ListAliases).
    """
    name = alias_name(params["alias"])
    policy = params["policy"]
    if isinstance(policy, str):
        policy = json.loads(policy)
    if aliases is None:
        aliases = list_aliases(client)
    if unnamed is None:
        unnamed = UnnamedKeys(client, aliases)
    current = read_key(client, name, aliases)
    before = copy.deepcopy(current) or {}
    adopted = None
    if current is None:
        adopted = unnamed.find(params["description"] or "", params["tags"] or {})
        if adopted is not None and not check_mode:
            create_alias(client, name, adopted)
            current = read_key_by_id(client, name, adopted)

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
            unnamed.take(key_id)
            create_alias(client, name, key_id)
            if params["enable_key_rotation"]:
                set_key_rotation(client, key_id, True)
            if not params["enabled"]:
                set_key_enabled(client, key_id, False)
            after = read_key_by_id(client, name, key_id)
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
        after = read_key_by_id(client, name, key_id)
    return changed, {"key": after, "diff": build_diff(before, after)}
