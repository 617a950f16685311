# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Event source mappings: the shape and the comparison of lambda_event_source_mapping, shared with lambda_account_info
(which reads a function's mappings) and the lambda_event_source_mapping_differences filter.

No AWS call and no boto3/botocore import here: the filter runs on the controller, where importing botocore would
cost more than the module call the comparison saves. The API calls are in awslambda.py.
"""

from typing import Any
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

# What AWS applies to a stream mapping when the option is not given (moto reports nothing).
STREAM_DEFAULTS = {
    "maximum_retry_attempts": -1,
    "bisect_batch_on_function_error": False,
    "maximum_record_age_in_seconds": -1,
    "parallelization_factor": 1,
}
# Module option -> API parameter of the options compared one to one.
SCALAR_OPTIONS = {
    "batch_size": "BatchSize",
    "maximum_retry_attempts": "MaximumRetryAttempts",
    "bisect_batch_on_function_error": "BisectBatchOnFunctionError",
    "maximum_record_age_in_seconds": "MaximumRecordAgeInSeconds",
    "parallelization_factor": "ParallelizationFactor",
}
# UpdateEventSourceMapping parameter -> the module option it comes from (the order of mapping_differences).
UPDATE_OPTIONS = dict(
    {api: option for option, api in SCALAR_OPTIONS.items()},
    Enabled="enabled",
    FunctionResponseTypes="function_response_types",
    DestinationConfig="on_failure_destination_arn",
)
# Options of lambda_event_source_mapping that mapping_differences understands (state present); any other key raises,
# so an option added to a playbook's task cannot be silently left out of the comparison.
MAPPING_OPTIONS = frozenset(
    ["function_name", "event_source_arn", "state", "starting_position", "wait", "wait_timeout"]
    + list(UPDATE_OPTIONS.values())
)


def function_key(ref: str) -> Tuple[str, Optional[str]]:
    """(name, qualifier) of a function given as name, name:qualifier, full or partial ARN (qualified or not)."""
    parts = ref.split(":")
    if ref.startswith("arn:"):
        parts = parts[6:]
    elif len(parts) >= 3 and parts[1] == "function":
        parts = parts[2:]
    return parts[0], parts[1] if len(parts) > 1 and parts[1] != "$LATEST" else None


def is_stream(event_source_arn: str) -> bool:
    service = event_source_arn.split(":")[2] if event_source_arn.count(":") >= 2 else ""
    return service in ("dynamodb", "kinesis")


def sort_mappings(raw_mappings: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Raw mappings oldest first (the one lambda_event_source_mapping manages when there are several)."""
    return sorted(raw_mappings, key=lambda item: (str(item.get("LastModified") or ""), item.get("UUID") or ""))


def normalize_mapping(raw: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The API's mapping in the module's snake_case shape, AWS stream defaults filled in."""
    if not raw:
        return None
    source = raw.get("EventSourceArn", "")
    state = raw.get("State")
    enabled = raw.get("Enabled")
    if enabled is None:
        enabled = state in ("Enabled", "Enabling", "Creating", "Updating") if state else None
    mapping = {
        "uuid": raw.get("UUID"),
        "event_source_mapping_arn": raw.get("EventSourceMappingArn"),
        "function_arn": raw.get("FunctionArn"),
        "event_source_arn": source,
        "state": state,
        "state_transition_reason": raw.get("StateTransitionReason"),
        "enabled": enabled,
        "batch_size": raw.get("BatchSize"),
        "starting_position": raw.get("StartingPosition"),
        "function_response_types": sorted(raw.get("FunctionResponseTypes") or []),
        "maximum_retry_attempts": raw.get("MaximumRetryAttempts"),
        "bisect_batch_on_function_error": raw.get("BisectBatchOnFunctionError"),
        "maximum_record_age_in_seconds": raw.get("MaximumRecordAgeInSeconds"),
        "parallelization_factor": raw.get("ParallelizationFactor"),
        "on_failure_destination_arn": ((raw.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        or None,
        "last_processing_result": raw.get("LastProcessingResult"),
    }
    if is_stream(source):
        for key, default in STREAM_DEFAULTS.items():
            if mapping[key] is None:
                mapping[key] = default
    return mapping


def is_mapping_of(mapping: Dict[str, Any], function_name: str, event_source_arn: str) -> bool:
    """Whether a normalised mapping joins this function (a name and its ARN are the same function) to this source."""
    return mapping.get("event_source_arn") == event_source_arn and function_key(
        mapping.get("function_arn") or ""
    ) == function_key(function_name)


def desired_changes(current: Dict[str, Any], params: Dict[str, Any]) -> Tuple[Dict[str, Any], List[str]]:
    """(API parameters UpdateEventSourceMapping must send, warnings) for the options the user set."""
    updates = {}
    warnings = []
    for key, api in SCALAR_OPTIONS.items():
        value = params.get(key)
        if value is not None and value != current[key]:
            updates[api] = value
    if params.get("enabled") is not None and params["enabled"] != current["enabled"]:
        updates["Enabled"] = params["enabled"]
    types = params.get("function_response_types")
    if types is not None and sorted(set(types)) != current["function_response_types"]:
        updates["FunctionResponseTypes"] = sorted(set(types))
    destination = params.get("on_failure_destination_arn")
    if destination is not None and (destination or None) != current["on_failure_destination_arn"]:
        updates["DestinationConfig"] = {"OnFailure": {"Destination": destination} if destination else {}}
    position = params.get("starting_position")
    if position is not None and current["starting_position"] and position != current["starting_position"]:
        warnings.append(
            f"starting_position {position} ignored: the mapping {current['uuid']} started at "
            f"{current['starting_position']} and AWS cannot change it (delete the mapping to start elsewhere)"
        )
    return updates, warnings


def mapping_differences(mappings: Optional[List[Dict[str, Any]]], params: Dict[str, Any]) -> List[str]:
    """What lambda_event_source_mapping (state present) would do with params, from the function's normalised mappings
    (oldest first, as lambda_account_info returns them): ["missing"] when no mapping joins the function to the source,
    ["duplicates"] when several do (the module warns), else the options that differ in UPDATE_OPTIONS order, then
    "starting_position" when it differs (the module warns that AWS cannot change it); [] when nothing differs."""
    unknown = sorted(set(params) - MAPPING_OPTIONS)
    if unknown:
        raise ValueError(f"options not compared: {', '.join(unknown)}")
    if params.get("state", "present") != "present":
        raise ValueError("only state=present is compared")
    found = [
        item for item in mappings or [] if is_mapping_of(item, params["function_name"], params["event_source_arn"])
    ]
    if not found:
        return ["missing"]
    if len(found) > 1:
        return ["duplicates"]
    updates, warnings = desired_changes(found[0], params)
    differences = [option for api, option in UPDATE_OPTIONS.items() if api in updates]
    if warnings:
        differences.append("starting_position")
    return differences
