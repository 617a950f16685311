# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One thin wrapper per Lambda API call our modules make.

Every wrapper retries throttling with AWSRetry.jittered_backoff() and turns botocore errors into
PaymentsLambdaError, which a module's main() hands to module.fail_json_aws_error() in one place.
Reads of a function that does not exist return None instead of raising.
"""

import json
import re
from typing import Any
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.payments.infra.plugins.module_utils.compare_first import PERMISSION_OPTIONS
from ansible_collections.payments.infra.plugins.module_utils.compare_first import extract_statement
from ansible_collections.payments.infra.plugins.module_utils.compare_first import permission_differences
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
def get_policy(client, function_name: str, qualifier: Optional[str] = None) -> Optional[Dict[str, Any]]:
    """The resource-based policy of the function (of its alias or version `qualifier`) as a dict, or None when it has
    none (or does not exist)."""
    params = {"FunctionName": function_name}
    if qualifier:
        params["Qualifier"] = qualifier
    response = client.get_policy(**params)
    return json.loads(response.get("Policy") or "{}")


# ResourceNotFoundException: a function created moments ago may not be visible to AddPermission yet (eventual
# consistency); ResourceConflictException: the function is being updated, or a statement just removed (replaced) is
# still seen. A few short retries let both settle; a function that really does not exist fails after ~20 s.
@LambdaErrorHandler.common_error_handler("add permission")
@AWSRetry.jittered_backoff(
    retries=6, delay=1, max_delay=8, catch_extra_error_codes=["ResourceNotFoundException", "ResourceConflictException"]
)
def add_permission(client, **params: Any) -> Dict[str, Any]:
    """AddPermission with the API's parameters; the statement Lambda added, as a dict."""
    response = client.add_permission(**params)
    return json.loads(response.get("Statement") or "{}")


@LambdaFunctionErrorHandler.deletion_error_handler("remove permission")
@AWSRetry.jittered_backoff(catch_extra_error_codes=["ResourceConflictException"])
def remove_permission(client, function_name: str, statement_id: str, qualifier: Optional[str] = None) -> bool:
    """RemovePermission; False when the statement (or the function) is already gone."""
    params = {"FunctionName": function_name, "StatementId": statement_id}
    if qualifier:
        params["Qualifier"] = qualifier
    client.remove_permission(**params)
    return True


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


# Invoke permissions (resource-based policy statements): the read/compare/act of lambda_permissions. The comparison
# is compare_first.permission_differences, the one of the lambda_permission_differences filter, which mirrors
# amazon.aws.lambda_policy (a statement that differs is removed and added again).

# The API parameter of each option AddPermission takes (as amazon.aws.lambda_policy's set_api_params makes them).
PERMISSION_API_PARAMS = {
    "function_name": "FunctionName",
    "statement_id": "StatementId",
    "action": "Action",
    "principal": "Principal",
    "source_arn": "SourceArn",
    "source_account": "SourceAccount",
    "event_source_token": "EventSourceToken",
}
# amazon.aws.lambda_policy's validate_params.
_FUNCTION_NAME = re.compile(r"^[\w\-]+$")
_FUNCTION_ARN = re.compile(r"^[\w\-:]+$")


def permission_argument_spec() -> Dict[str, Any]:
    """The options of one statement (each item of lambda_permissions), named as amazon.aws.lambda_policy names them."""
    return dict(
        function_name=dict(type="str", required=True, aliases=["lambda_function_arn", "function_arn"]),
        statement_id=dict(type="str", required=True, aliases=["sid"]),
        action=dict(type="str"),
        principal=dict(type="str"),
        source_arn=dict(type="str"),
        source_account=dict(type="str"),
        event_source_token=dict(type="str", no_log=False),
        alias=dict(type="str"),
        version=dict(type="int"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )


def permission_qualifier(params: Dict[str, Any]) -> Optional[str]:
    """The alias or version (as a string) the statement belongs to; None for the unqualified function."""
    if params.get("version") is not None:
        return str(params["version"])
    return params.get("alias") or None


def permission_key(params: Dict[str, Any]) -> str:
    """<function>[:<qualifier>]/<statement_id>: what makes a statement distinct (and its key in the diff)."""
    qualifier = permission_qualifier(params)
    target = f"{params['function_name']}:{qualifier}" if qualifier else params["function_name"]
    return f"{target}/{params['statement_id']}"


def permission_params_error(params: Dict[str, Any]) -> Optional[str]:
    """What is wrong with one statement's options (before any AWS call), None when they are fine."""
    name = params["function_name"]
    if name.startswith("arn:"):
        if not _FUNCTION_ARN.match(name):
            return f"function_name: the ARN {name} must contain only letters, digits, _, hyphens and colons"
        if len(name) > 140:
            return f"function_name: the ARN {name} exceeds 140 characters"
    else:
        if not _FUNCTION_NAME.match(name):
            return f"function_name: {name} must contain only letters, digits, _ and hyphens"
        if len(name) > 64:
            return f"function_name: {name} exceeds 64 characters"
    if params.get("alias") and params.get("version") is not None:
        return "alias and version are mutually exclusive"
    if params.get("event_source_token") and (params.get("source_arn") or params.get("source_account")):
        return "event_source_token is mutually exclusive with source_arn and source_account"
    if params["state"] == "present":
        missing = [option for option in ("action", "principal") if not params.get(option)]
        if missing:
            return f"state is present but {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing"
    return None


def _wanted_statement(params: Dict[str, Any]) -> Dict[str, Any]:
    """The statement the options ask for, flattened as extract_statement flattens a policy's statement."""
    return {option: params[option] for option in PERMISSION_OPTIONS if params.get(option) is not None}


def ensure_permission(
    client, params: Dict[str, Any], policy: Optional[Dict[str, Any]], check_mode: bool
) -> Tuple[bool, Dict[str, Any]]:
    """(changed, result) after making statement params["statement_id"] of `policy` (the function's policy as get_policy
    read it; None when it has none) what params ask for, as amazon.aws.lambda_policy does: a missing statement is
    added, one that differs in what the options compare is removed and added again, state absent removes it.

    result: function_name, qualifier, statement_id, state, action_taken (added, updated, deleted, none), differences
    (compare_first.permission_differences), statement and previous_statement (flattened; {} when absent)."""
    sid = params["statement_id"]
    qualifier = permission_qualifier(params)
    compared = {option: params.get(option) for option in ("statement_id", "state", *PERMISSION_OPTIONS)}
    differences = permission_differences(policy, compared)
    current = extract_statement(policy, sid)
    present = params["state"] == "present"
    now, action_taken = current, "none"
    if differences:
        action_taken = "deleted" if not present else ("added" if differences == ["missing"] else "updated")
        now = _wanted_statement(params) if present else {}
        if not check_mode:
            if current:
                remove_permission(client, params["function_name"], sid, qualifier)
            if present:
                api_params = {api: params[o] for o, api in PERMISSION_API_PARAMS.items() if params.get(o) is not None}
                if qualifier:
                    api_params["Qualifier"] = qualifier
                added = add_permission(client, **api_params)
                now = extract_statement({"Statement": [added]}, sid) or now
    return bool(differences), {
        "function_name": params["function_name"],
        "qualifier": qualifier,
        "statement_id": sid,
        "state": params["state"],
        "action_taken": action_taken,
        "differences": differences,
        "statement": now,
        "previous_statement": current,
    }


def ensure_permissions(client, items: List[Dict[str, Any]], check_mode: bool):
    """(changed, results, diff) for the statements `items` (options of permission_argument_spec), in their order:
    one GetPolicy per function (and qualifier), then ensure_permission for each. diff is {before, after} of
    {permission_key: flattened statement or None}."""
    policies: Dict[Tuple[str, Optional[str]], Optional[Dict[str, Any]]] = {}
    results, before, after = [], {}, {}
    for params in items:
        target = (params["function_name"], permission_qualifier(params))
        if target not in policies:
            policies[target] = get_policy(client, *target)
        changed, result = ensure_permission(client, params, policies[target], check_mode)
        key = permission_key(params)
        before[key] = result["previous_statement"] or None
        after[key] = result["statement"] or None
        results.append(dict(result, changed=changed))
    return any(result["changed"] for result in results), results, build_diff(before, after)


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
