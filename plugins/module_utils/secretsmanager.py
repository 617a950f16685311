# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One thin wrapper per Secrets Manager (and KMS key lookup) call our modules make.

Every wrapper retries throttling with AWSRetry.jittered_backoff() and turns botocore errors into
PaymentsSecretsManagerError, which a module's main() hands to module.fail_json_aws_error() in one place.
Secret values pass through these functions but are never logged or returned to Ansible by our modules.
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
from ansible_collections.payments.infra.plugins.module_utils.secretsmanager_compare import KEY_ARN

# Characters RDS refuses in a master password, plus quotes and backslash that break naive JSON/shell use.
DEFAULT_EXCLUDE_CHARACTERS = " \"'/@\\`"


class PaymentsSecretsManagerError(AnsibleAWSError):
    """Any failure of a Secrets Manager or KMS call made by payments.infra."""


class SecretsManagerErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsSecretsManagerError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


class KMSErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsSecretsManagerError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("NotFoundException")


@SecretsManagerErrorHandler.list_error_handler("describe secret")
@AWSRetry.jittered_backoff()
def describe_secret(client, secret_id: str) -> Optional[Dict[str, Any]]:
    """The secret's metadata (never its value), or None when it does not exist."""
    return client.describe_secret(SecretId=secret_id)


@SecretsManagerErrorHandler.list_error_handler("get secret value")
@AWSRetry.jittered_backoff()
def get_secret_string(client, secret_id: str, version_stage: str = "AWSCURRENT") -> Optional[str]:
    return client.get_secret_value(SecretId=secret_id, VersionStage=version_stage).get("SecretString")


@SecretsManagerErrorHandler.common_error_handler("generate a random password")
@AWSRetry.jittered_backoff()
def get_random_password(client, length: int, exclude_characters: str) -> str:
    return client.get_random_password(
        PasswordLength=length, ExcludeCharacters=exclude_characters, RequireEachIncludedType=True
    )["RandomPassword"]


@SecretsManagerErrorHandler.common_error_handler("create secret")
@AWSRetry.jittered_backoff()
def create_secret(
    client,
    name: str,
    secret_string: str,
    *,
    description: Optional[str],
    kms_key_id: Optional[str],
    tags: Optional[Dict[str, str]],
) -> Dict[str, Any]:
    params = {"Name": name, "SecretString": secret_string}
    if description is not None:
        params["Description"] = description
    if kms_key_id:
        params["KmsKeyId"] = kms_key_id
    if tags:
        params["Tags"] = ansible_dict_to_boto3_tag_list(tags)
    return client.create_secret(**params)


@SecretsManagerErrorHandler.common_error_handler("update secret")
@AWSRetry.jittered_backoff()
def update_secret(client, secret_id: str, **params: Any) -> Dict[str, Any]:
    """Description and KMS key only: UpdateSecret without a value creates no new version."""
    return client.update_secret(SecretId=secret_id, **params)


@SecretsManagerErrorHandler.common_error_handler("put secret value")
@AWSRetry.jittered_backoff()
def put_secret_string(client, secret_id: str, secret_string: str) -> Dict[str, Any]:
    return client.put_secret_value(SecretId=secret_id, SecretString=secret_string)


@SecretsManagerErrorHandler.common_error_handler("rotate secret")
@AWSRetry.jittered_backoff()
def rotate_secret(client, secret_id: str, lambda_arn: str, days: int, rotate_immediately: bool) -> Dict[str, Any]:
    """Turn rotation on (or change it). RotateImmediately=False only tests the function (its testSecret step)."""
    return client.rotate_secret(
        SecretId=secret_id,
        RotationLambdaARN=lambda_arn,
        RotationRules={"AutomaticallyAfterDays": days},
        RotateImmediately=rotate_immediately,
    )


@SecretsManagerErrorHandler.common_error_handler("restore secret")
@AWSRetry.jittered_backoff()
def restore_secret(client, secret_id: str) -> Dict[str, Any]:
    return client.restore_secret(SecretId=secret_id)


@SecretsManagerErrorHandler.deletion_error_handler("delete secret")
@AWSRetry.jittered_backoff()
def delete_secret(client, secret_id: str, recovery_window: int) -> bool:
    if recovery_window == 0:
        client.delete_secret(SecretId=secret_id, ForceDeleteWithoutRecovery=True)
    else:
        client.delete_secret(SecretId=secret_id, RecoveryWindowInDays=recovery_window)
    return True


@SecretsManagerErrorHandler.common_error_handler("tag secret")
@AWSRetry.jittered_backoff()
def tag_secret(client, secret_id: str, tags: Dict[str, str]) -> bool:
    client.tag_resource(SecretId=secret_id, Tags=ansible_dict_to_boto3_tag_list(tags))
    return True


@SecretsManagerErrorHandler.common_error_handler("untag secret")
@AWSRetry.jittered_backoff()
def untag_secret(client, secret_id: str, tag_keys: List[str]) -> bool:
    client.untag_resource(SecretId=secret_id, TagKeys=tag_keys)
    return True


@KMSErrorHandler.list_error_handler("describe KMS key")
@AWSRetry.jittered_backoff()
def describe_key(client, key_id: str) -> Optional[Dict[str, Any]]:
    return client.describe_key(KeyId=key_id)["KeyMetadata"]


def secret_tags(secret: Optional[Dict[str, Any]]) -> Dict[str, str]:
    return boto3_tag_list_to_ansible_dict((secret or {}).get("Tags") or [])


def json_keys(secret_string: Optional[str]) -> Optional[List[str]]:
    """The top-level keys of a JSON object secret (sorted), None when the value is not a JSON object."""
    if secret_string is None:
        return None
    try:
        value = json.loads(secret_string)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    return sorted(value)


def normalize_secret(secret: Optional[Dict[str, Any]], kms_key_arn: Optional[str] = None) -> Optional[Dict[str, Any]]:
    """Metadata of a secret in the shape our modules return (snake_case keys, tags as a dict). No value."""
    if not secret:
        return None
    rules = secret.get("RotationRules") or {}
    return {
        "arn": secret.get("ARN"),
        "name": secret.get("Name"),
        "description": secret.get("Description"),
        "kms_key_id": secret.get("KmsKeyId"),
        "kms_key_arn": kms_key_arn,
        "rotation_enabled": bool(secret.get("RotationEnabled", False)),
        "rotation_lambda_arn": secret.get("RotationLambdaARN"),
        "rotation_days": rules.get("AutomaticallyAfterDays"),
        "rotation_schedule_expression": rules.get("ScheduleExpression"),
        "created_date": _iso(secret.get("CreatedDate")),
        "last_rotated_date": _iso(secret.get("LastRotatedDate")),
        "last_changed_date": _iso(secret.get("LastChangedDate")),
        "next_rotation_date": _iso(secret.get("NextRotationDate")),
        "deleted_date": _iso(secret.get("DeletedDate")),
        "version_stages": {
            version: sorted(stages) for version, stages in (secret.get("VersionIdsToStages") or {}).items()
        },
        "tags": secret_tags(secret),
    }


def _iso(value: Any) -> Optional[str]:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def key_arn(kms, key_id: Optional[str], required: bool = False) -> Optional[str]:
    """ARN of the KMS key `key_id` names. A key ARN (what the secret reports) is its own ARN and needs no call;
    `required` resolves every identifier with DescribeKey, so a key that does not exist fails clearly."""
    if not key_id:
        return None
    if not required and KEY_ARN.match(key_id):
        return key_id
    metadata = describe_key(kms, key_id)
    if metadata is None:
        if required:
            raise PaymentsSecretsManagerError(message=f"KMS key {key_id} does not exist")
        return None
    return metadata.get("Arn")
