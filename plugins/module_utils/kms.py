# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One thin wrapper per KMS key and alias API call our modules make.

Every wrapper retries throttling with AWSRetry.jittered_backoff() and turns botocore errors into PaymentsKMSError,
which a module's main() hands to module.fail_json_aws_error() in one place.
"""

import json
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.payments.infra.plugins.module_utils.retries import AWSRetry


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


def get_alias(client, name: str) -> Optional[Dict[str, Any]]:
    """The AliasListEntry of alias `name` (AliasName, AliasArn, TargetKeyId), or None when it does not exist."""
    for alias in list_aliases(client):
        if alias["AliasName"] == name:
            return alias
    return None


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
