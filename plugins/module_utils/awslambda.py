# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One thin wrapper per Lambda API call our modules make.

Every wrapper retries throttling with AWSRetry.jittered_backoff() and turns botocore errors into
PaymentsLambdaError, which a module's main() hands to module.fail_json_aws_error() in one place.
Reads of a function that does not exist return None instead of raising.
"""

import json
from typing import Any
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.payments.infra.plugins.module_utils.diff import build_diff
from ansible_collections.payments.infra.plugins.module_utils.retries import AWSRetry


class PaymentsLambdaError(AnsibleAWSError):
    """Any failure of a Lambda call made by payments.infra."""


class LambdaErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsLambdaError


class LambdaFunctionErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsLambdaError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


@LambdaFunctionErrorHandler.list_error_handler("get function configuration", None)
@AWSRetry.jittered_backoff()
def get_function_configuration(client, function_name: str) -> Optional[Dict[str, Any]]:
    """The $LATEST configuration of the function, or None when it does not exist."""
    response = client.get_function_configuration(FunctionName=function_name)
    response.pop("ResponseMetadata", None)
    return response


@LambdaFunctionErrorHandler.list_error_handler("get function", None)
@AWSRetry.jittered_backoff()
def get_function(client, function_name: str) -> Optional[Dict[str, Any]]:
    """GetFunction of $LATEST: {"Configuration", "Code", "Tags", "Concurrency"} in one request, or None when the
    function does not exist. "Tags" and "Concurrency" are absent when the function has none."""
    response = client.get_function(FunctionName=function_name)
    response.pop("ResponseMetadata", None)
    return response


@LambdaFunctionErrorHandler.list_error_handler("get function policy", None)
@AWSRetry.jittered_backoff()
def get_policy(client, function_name: str) -> Optional[Dict[str, Any]]:
    """The resource-based policy of the function as a dict, or None when it has none (or does not exist)."""
    response = client.get_policy(FunctionName=function_name)
    return json.loads(response.get("Policy") or "{}")


@LambdaFunctionErrorHandler.list_error_handler("get function concurrency", None)
@AWSRetry.jittered_backoff()
def get_function_concurrency(client, function_name: str) -> Optional[Dict[str, Any]]:
    """{"reserved": int or None} for an existing function, None when the function does not exist."""
    response = client.get_function_concurrency(FunctionName=function_name)
    return {"reserved": response.get("ReservedConcurrentExecutions")}


@LambdaErrorHandler.common_error_handler("put function concurrency")
@AWSRetry.jittered_backoff(catch_extra_error_codes=["ResourceConflictException"])
def put_function_concurrency(client, function_name: str, reserved: int) -> Optional[int]:
    # ResourceConflictException: the function is still being updated; retrying lets it settle.
    response = client.put_function_concurrency(FunctionName=function_name, ReservedConcurrentExecutions=reserved)
    return response.get("ReservedConcurrentExecutions")


@LambdaErrorHandler.common_error_handler("delete function concurrency")
@AWSRetry.jittered_backoff(catch_extra_error_codes=["ResourceConflictException"])
def delete_function_concurrency(client, function_name: str) -> bool:
    client.delete_function_concurrency(FunctionName=function_name)
    return True


# Reserved concurrency: the read/compare/act shared by lambda_concurrency and lambda_concurrencies.


def concurrency_argument_spec() -> Dict[str, Any]:
    """The options of one function's reservation (lambda_concurrency; each item of lambda_concurrencies)."""
    return dict(
        name=dict(type="str", required=True, aliases=["function_name"]),
        reserved_concurrent_executions=dict(type="int"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )


def desired_reservation(params: Dict[str, Any]) -> Optional[int]:
    """The reservation the options ask for; None for no reservation."""
    if params["state"] == "absent":
        return None
    return params.get("reserved_concurrent_executions")


def concurrency_params_error(params: Dict[str, Any]) -> Optional[str]:
    """What is wrong with one function's options (before any AWS call), None when they are fine."""
    desired = desired_reservation(params)
    if desired is not None and desired < 0:
        return f"reserved_concurrent_executions must be 0 or more, got {desired}"
    return None


def ensure_reservation(client, name: str, desired: Optional[int], check_mode: bool) -> Tuple[bool, Dict[str, Any]]:
    """(changed, result) after making the reservation of function name equal to desired (None: no reservation).

    result holds function_name, reserved_concurrent_executions, previous_reserved_concurrent_executions and the
    before/after of the reservation (diff). A missing function fails, except in check mode (reported as a change)."""
    current = get_function_concurrency(client, name)
    if current is None:
        if not check_mode:
            raise PaymentsLambdaError(message=f"Lambda function {name} does not exist")
        before = None
    else:
        before = current["reserved"]
    changed = before != desired
    after = desired
    if changed and not check_mode:
        if desired is None:
            delete_function_concurrency(client, name)
        else:
            put_function_concurrency(client, name, desired)
        after = get_function_concurrency(client, name)["reserved"]
    return changed, {
        "function_name": name,
        "reserved_concurrent_executions": after,
        "previous_reserved_concurrent_executions": before,
        "diff": build_diff({"reserved_concurrent_executions": before}, {"reserved_concurrent_executions": after}),
    }


@LambdaErrorHandler.common_error_handler("get account settings")
@AWSRetry.jittered_backoff()
def get_account_settings(client) -> Dict[str, Any]:
    response = client.get_account_settings()
    response.pop("ResponseMetadata", None)
    return response


# Event source mappings


class EventSourceMappingErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsLambdaError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


# ResourceInUseException: the mapping is still Creating/Updating/Enabling; a retry lets it settle.
_MAPPING_BUSY = ["ResourceInUseException", "ResourceConflictException"]


@EventSourceMappingErrorHandler.list_error_handler("list event source mappings", [])
@AWSRetry.jittered_backoff()
def list_event_source_mappings(client, event_source_arn: str) -> List[Dict[str, Any]]:
    """Every mapping of the event source (any function); an unknown source has none."""
    paginator = client.get_paginator("list_event_source_mappings")
    result = paginator.paginate(EventSourceArn=event_source_arn).build_full_result()
    return result.get("EventSourceMappings", [])


@EventSourceMappingErrorHandler.list_error_handler("list event source mappings", [])
@AWSRetry.jittered_backoff()
def list_function_event_source_mappings(client, function_name: str) -> List[Dict[str, Any]]:
    """Every mapping of the function (any source); a function that does not exist has none."""
    paginator = client.get_paginator("list_event_source_mappings")
    result = paginator.paginate(FunctionName=function_name).build_full_result()
    return result.get("EventSourceMappings", [])


@EventSourceMappingErrorHandler.list_error_handler("get event source mapping", None)
@AWSRetry.jittered_backoff()
def get_event_source_mapping(client, uuid: str) -> Optional[Dict[str, Any]]:
    """The mapping with this UUID, or None when it does not exist (any more)."""
    response = client.get_event_source_mapping(UUID=uuid)
    response.pop("ResponseMetadata", None)
    return response


@LambdaErrorHandler.common_error_handler("create event source mapping")
@AWSRetry.jittered_backoff()
def create_event_source_mapping(client, **params: Any) -> Dict[str, Any]:
    response = client.create_event_source_mapping(**params)
    response.pop("ResponseMetadata", None)
    return response


@LambdaErrorHandler.common_error_handler("update event source mapping")
@AWSRetry.jittered_backoff(catch_extra_error_codes=_MAPPING_BUSY)
def update_event_source_mapping(client, uuid: str, **params: Any) -> Dict[str, Any]:
    response = client.update_event_source_mapping(UUID=uuid, **params)
    response.pop("ResponseMetadata", None)
    return response


@EventSourceMappingErrorHandler.deletion_error_handler("delete event source mapping")
@AWSRetry.jittered_backoff(catch_extra_error_codes=_MAPPING_BUSY)
def delete_event_source_mapping(client, uuid: str) -> bool:
    client.delete_event_source_mapping(UUID=uuid)
    return True
