# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One thin wrapper per SSM Parameter Store API call our modules make, and the parameter shape they return.

Every wrapper retries throttling with AWSRetry.jittered_backoff() and turns botocore errors into PaymentsSSMError,
which a module's main() hands to module.fail_json_aws_error() in one place. Reads of a path that holds nothing
return an empty list; the tags of a parameter that vanished between two calls are None.
"""

from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.payments.infra.plugins.module_utils.retries import AWSRetry


class PaymentsSSMError(AnsibleAWSError):
    """Any failure of an SSM call made by payments.infra."""


class SSMErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsSSMError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(["ParameterNotFound", "InvalidResourceId"])


@SSMErrorHandler.list_error_handler("get parameters by path", [])
@AWSRetry.jittered_backoff()
def get_parameters_by_path(client, path: str, recursive: bool, decryption: bool) -> List[Dict[str, Any]]:
    paginator = client.get_paginator("get_parameters_by_path")
    pages = paginator.paginate(Path=path, Recursive=recursive, WithDecryption=decryption)
    return pages.build_full_result().get("Parameters", [])


@SSMErrorHandler.list_error_handler("describe parameters", [])
@AWSRetry.jittered_backoff()
def describe_parameters_under(client, path: str, recursive: bool) -> List[Dict[str, Any]]:
    paginator = client.get_paginator("describe_parameters")
    option = "Recursive" if recursive else "OneLevel"
    pages = paginator.paginate(ParameterFilters=[{"Key": "Path", "Option": option, "Values": [path]}])
    return pages.build_full_result().get("Parameters", [])


@SSMErrorHandler.list_error_handler("list tags of a parameter", None)
@AWSRetry.jittered_backoff()
def list_parameter_tags(client, name: str) -> Optional[Dict[str, str]]:
    response = client.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)
    return boto3_tag_list_to_ansible_dict(response.get("TagList", []))


def _iso(value: Any) -> Optional[str]:
    return value.isoformat() if hasattr(value, "isoformat") else value


def normalize_parameters(
    values: List[Dict[str, Any]], metadata: List[Dict[str, Any]], decryption: bool
) -> Dict[str, Dict[str, Any]]:
    """Parameters by full name: what GetParametersByPath and DescribeParameters report, snake_case.

    A SecureString's value is returned only when it was read with decryption; otherwise it is None (the
    ciphertext is no use to a caller). A parameter DescribeParameters reported but GetParametersByPath did
    not (created in between) is returned without a value.
    """
    by_name = {item["Name"]: item for item in values}
    result = {}
    for meta in metadata:
        name = meta["Name"]
        found = by_name.get(name, {})
        kind = meta.get("Type") or found.get("Type")
        value = found.get("Value")
        if kind == "SecureString" and not decryption:
            value = None
        result[name] = {
            "name": name,
            "type": kind,
            "value": value,
            "key_id": meta.get("KeyId") if kind == "SecureString" else None,
            "description": meta.get("Description"),
            "tier": meta.get("Tier"),
            "data_type": meta.get("DataType") or found.get("DataType"),
            "version": meta.get("Version") or found.get("Version"),
            "last_modified_date": _iso(meta.get("LastModifiedDate") or found.get("LastModifiedDate")),
        }
    for name, found in by_name.items():
        if name not in result:
            kind = found.get("Type")
            result[name] = {
                "name": name,
                "type": kind,
                "value": None if kind == "SecureString" and not decryption else found.get("Value"),
                "key_id": None,
                "description": None,
                "tier": None,
                "data_type": found.get("DataType"),
                "version": found.get("Version"),
                "last_modified_date": _iso(found.get("LastModifiedDate")),
            }
    return result
