# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One thin wrapper per KMS alias API call our modules make.

Every wrapper retries throttling with AWSRetry.jittered_backoff() and turns botocore errors into PaymentsKMSError,
which a module's main() hands to module.fail_json_aws_error() in one place.
"""

from typing import Any
from typing import Dict
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry


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


@KMSErrorHandler.list_error_handler("list aliases", None)
@AWSRetry.jittered_backoff()
def get_alias(client, name: str) -> Optional[Dict[str, Any]]:
    """The AliasListEntry of alias `name` (AliasName, AliasArn, TargetKeyId), or None when it does not exist."""
    paginator = client.get_paginator("list_aliases")
    for alias in paginator.paginate().build_full_result().get("Aliases", []):
        if alias["AliasName"] == name:
            return alias
    return None


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
