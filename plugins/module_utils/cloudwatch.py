# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One thin wrapper per CloudWatch dashboard API call our modules make, and the dashboard shape they return.

Every wrapper retries throttling with AWSRetry.jittered_backoff() and turns botocore errors into
PaymentsCloudWatchError, which a module's main() hands to module.fail_json_aws_error() in one place. Reads of a
dashboard that does not exist return None instead of raising.

Dashboard bodies are compared as parsed JSON in one canonical form (see canonical_body): key order, whitespace and
1 versus 1.0 never make a difference; a string is never equal to a number and true is never equal to 1.
"""

import json
import math
import re
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible.module_utils.common.yaml import HAS_YAML
from ansible.module_utils.common.yaml import yaml_load

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.payments.infra.plugins.module_utils.retries import AWSRetry

# GetDashboard / DeleteDashboards of a dashboard that does not exist (DashboardNotFoundError in the API model).
NOT_FOUND = ["ResourceNotFound", "ResourceNotFoundException"]
# PutDashboard refused the body (DashboardInvalidInputError); the reasons are in dashboardValidationMessages.
INVALID_INPUT = "InvalidParameterInput"
# PutDashboard / GetDashboard: 1-255 of A-Z, a-z, 0-9, "-" and "_".
DASHBOARD_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")


class PaymentsCloudWatchError(AnsibleAWSError):
    """Any failure of a CloudWatch call made by payments.infra, or a dashboard body CloudWatch refused."""


class CloudWatchErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsCloudWatchError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(NOT_FOUND)


# Dashboards


@CloudWatchErrorHandler.list_error_handler("get dashboard", None)
@AWSRetry.jittered_backoff()
def get_dashboard(client, name: str) -> Optional[Dict[str, str]]:
    """GetDashboard's answer (DashboardName, DashboardArn, DashboardBody), or None when it does not exist."""
    response = client.get_dashboard(DashboardName=name)
    return {key: response.get(key) for key in ("DashboardName", "DashboardArn", "DashboardBody")}


@CloudWatchErrorHandler.list_error_handler("list dashboards", [])
@AWSRetry.jittered_backoff()
def list_dashboards(client, prefix: Optional[str] = None) -> List[Dict[str, Any]]:
    """Every DashboardEntry (DashboardName, DashboardArn, LastModified, Size) whose name starts with `prefix`."""
    params = {"DashboardNamePrefix": prefix} if prefix else {}
    paginator = client.get_paginator("list_dashboards")
    return paginator.paginate(**params).build_full_result().get("DashboardEntries", [])


@CloudWatchErrorHandler.common_error_handler("put dashboard")
@AWSRetry.jittered_backoff()
def put_dashboard(client, name: str, body: str) -> List[Dict[str, str]]:
    """Create or replace the dashboard; its DashboardValidationMessages (warnings when the body was accepted).

    A body CloudWatch refuses (InvalidParameterInput) raises PaymentsCloudWatchError naming every validation
    message, so the failure says which part of the body is wrong.
    """
    try:
        response = client.put_dashboard(DashboardName=name, DashboardBody=body)
    except is_boto3_error_code(INVALID_INPUT) as e:
        messages = e.response.get("dashboardValidationMessages") or e.response.get("DashboardValidationMessages")
        reasons = format_validation_messages(messages) or e.response.get("Error", {}).get("Message", "")
        raise PaymentsCloudWatchError(
            message=f"CloudWatch refused the body of dashboard {name}: {reasons}", exception=e
        ) from e
    return response.get("DashboardValidationMessages") or []


@CloudWatchErrorHandler.deletion_error_handler("delete dashboard")
@AWSRetry.jittered_backoff()
def delete_dashboard(client, name: str) -> bool:
    """Delete one dashboard; False when it did not exist."""
    client.delete_dashboards(DashboardNames=[name])
    return True


# Shapes and comparisons (no AWS call)


def format_validation_messages(messages: Optional[List[Dict[str, str]]]) -> str:
    """DashboardValidationMessages as one line: "<DataPath>: <Message>; ..." (the message alone without a path)."""
    parts = []
    for item in messages or []:
        path, text = item.get("DataPath"), item.get("Message") or ""
        parts.append(f"{path}: {text}" if path else text)
    return "; ".join(parts)


def _canonical(value: Any, path: str) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{path}: {value} is not a JSON number")
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise ValueError(f"{path}: the key {key!r} is not a string")
        return {key: _canonical(item, f"{path}.{key}") for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(item, f"{path}[{index}]") for index, item in enumerate(value)]
    raise ValueError(f"{path}: a {type(value).__name__} ({value!r}) is not a JSON value")


def canonical_body(body: Any) -> Dict[str, Any]:
    """The body in the form it is compared and sent in: a dict of JSON values, integral floats as integers.

    1.0 and 1 become 1 (CloudWatch reads both as the same number); 1.5 stays 1.5; "1" stays a string; booleans
    stay booleans. Raises ValueError naming the path of a value JSON cannot hold (NaN, infinity, a date).
    """
    if not isinstance(body, dict):
        raise ValueError(f"the dashboard body must be a JSON object, not a {type(body).__name__}")
    return _canonical(body, "body")


def parse_body(value: Any) -> Dict[str, Any]:
    """A dashboard body given as a dict, or as a JSON or YAML string, in canonical form (see canonical_body)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as json_error:
            if not HAS_YAML:
                raise ValueError(f"the dashboard body is not valid JSON: {json_error}") from json_error
            try:
                value = yaml_load(value)
            except Exception as yaml_error:  # pylint: disable=broad-exception-caught
                raise ValueError(f"the dashboard body is neither valid JSON nor YAML: {yaml_error}") from yaml_error
    return canonical_body(value)


def serialize_body(body: Dict[str, Any]) -> str:
    """The compact JSON PutDashboard receives; sorted keys, so equal bodies serialise to the same string."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)


def bodies_equal(left: Optional[Dict[str, Any]], right: Optional[Dict[str, Any]]) -> bool:
    """Whether two canonical bodies are the same dashboard (type-exact: true is not 1, "1" is not 1)."""
    return serialize_body(left or {}) == serialize_body(right or {})


def body_size(body: str) -> int:
    """Size in bytes of a dashboard body as stored (UTF-8)."""
    return len(body.encode("utf-8"))


def read_stored_body(text: Optional[str]) -> Any:
    """The stored DashboardBody parsed and in canonical form; the raw text when it is not a JSON object."""
    try:
        return canonical_body(json.loads(text or "{}"))
    except ValueError:
        return text


def normalize_dashboard(raw: Optional[Dict[str, str]]) -> Optional[Dict[str, Any]]:
    """GetDashboard's answer in the shape our modules return: name, arn, body (parsed), size (bytes)."""
    if raw is None:
        return None
    text = raw.get("DashboardBody") or ""
    return {
        "name": raw.get("DashboardName"),
        "arn": raw.get("DashboardArn"),
        "body": read_stored_body(text),
        "size": body_size(text),
    }


def normalize_dashboard_entry(entry: Dict[str, Any]) -> Dict[str, Any]:
    """A ListDashboards DashboardEntry as name, arn, size (bytes) and last_modified (ISO 8601)."""
    last_modified = entry.get("LastModified")
    return {
        "name": entry.get("DashboardName"),
        "arn": entry.get("DashboardArn"),
        "size": entry.get("Size"),
        "last_modified": last_modified.isoformat() if hasattr(last_modified, "isoformat") else last_modified,
    }
