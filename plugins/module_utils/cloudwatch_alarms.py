# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One thin wrapper per CloudWatch alarm API call our modules make, the alarm shape they return, and the
compare/act logic of one alarm that cloudwatch_metric_alarm (one alarm) and cloudwatch_metric_alarms (a list of
alarms, read in one pass) share: their argument spec, validation, desired state and reconciliation.

Every wrapper retries throttling with AWSRetry.jittered_backoff() and turns botocore errors into
PaymentsCloudWatchAlarmError, which a module's main() hands to module.fail_json_aws_error() in one place.
Reads of an alarm that does not exist return None instead of raising.

The normalised alarm is snake_case; dimensions are a {name: value} dict (in the single-metric form and in
each metric of a metric math alarm) and actions are sorted lists, so that two alarms compare equal whatever
order AWS lists them in.
"""

import copy
import re
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
from ansible_collections.payments.infra.plugins.module_utils.tagging import get_resources_tags
from ansible_collections.payments.infra.plugins.module_utils.tag_compare import merge_tags
from ansible_collections.payments.infra.plugins.module_utils.tag_compare import tag_changes

# Settings of the alarm (snake_case name -> PutMetricAlarm parameter), other than the metric and the tags.
ALARM_SETTINGS = {
    "description": "AlarmDescription",
    "actions_enabled": "ActionsEnabled",
    "alarm_actions": "AlarmActions",
    "ok_actions": "OKActions",
    "insufficient_data_actions": "InsufficientDataActions",
    "comparison_operator": "ComparisonOperator",
    "threshold": "Threshold",
    "evaluation_periods": "EvaluationPeriods",
    "datapoints_to_alarm": "DatapointsToAlarm",
    "treat_missing_data": "TreatMissingData",
    "evaluate_low_sample_count_percentile": "EvaluateLowSampleCountPercentile",
}
# The single metric an alarm watches (exclusive with `metrics`).
SINGLE_METRIC = {
    "namespace": "Namespace",
    "metric_name": "MetricName",
    "dimensions": "Dimensions",
    "statistic": "Statistic",
    "extended_statistic": "ExtendedStatistic",
    "period": "Period",
    "unit": "Unit",
}
ACTION_LISTS = ("alarm_actions", "ok_actions", "insufficient_data_actions")
# DescribeAlarms takes at most 100 names in AlarmNames.
DESCRIBE_ALARMS_MAX_NAMES = 100


class PaymentsCloudWatchAlarmError(AnsibleAWSError):
    """Any failure of a CloudWatch alarm call made by payments.infra."""


class CloudWatchAlarmErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsCloudWatchAlarmError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFound")


@CloudWatchAlarmErrorHandler.list_error_handler("describe alarm", None)
@AWSRetry.jittered_backoff()
def describe_metric_alarm(client, name: str) -> Optional[Dict[str, Any]]:
    alarms = client.describe_alarms(AlarmNames=[name], AlarmTypes=["MetricAlarm"]).get("MetricAlarms") or []
    return alarms[0] if alarms else None


@CloudWatchAlarmErrorHandler.list_error_handler("describe alarms", [])
@AWSRetry.jittered_backoff()
def _describe_metric_alarms(client, names: List[str]) -> List[Dict[str, Any]]:
    paginator = client.get_paginator("describe_alarms")
    pages = paginator.paginate(AlarmNames=names, AlarmTypes=["MetricAlarm"])
    return pages.build_full_result().get("MetricAlarms") or []


def describe_metric_alarms(client, names: List[str]) -> Dict[str, Dict[str, Any]]:
    """{name: MetricAlarm} of the alarms among names that exist, one DescribeAlarms per DESCRIBE_ALARMS_MAX_NAMES."""
    wanted = list(dict.fromkeys(names))
    found = {}
    for start in range(0, len(wanted), DESCRIBE_ALARMS_MAX_NAMES):
        for alarm in _describe_metric_alarms(client, wanted[start : start + DESCRIBE_ALARMS_MAX_NAMES]):
            found[alarm["AlarmName"]] = alarm
    return found


@CloudWatchAlarmErrorHandler.common_error_handler("put metric alarm")
@AWSRetry.jittered_backoff()
def put_metric_alarm(client, request: Dict[str, Any]) -> bool:
    client.put_metric_alarm(**request)
    return True


@CloudWatchAlarmErrorHandler.deletion_error_handler("delete alarm")
@AWSRetry.jittered_backoff()
def delete_alarm(client, name: str) -> bool:
    client.delete_alarms(AlarmNames=[name])
    return True


@CloudWatchAlarmErrorHandler.list_error_handler("list alarm tags", {})
@AWSRetry.jittered_backoff()
def list_alarm_tags(client, arn: str) -> Dict[str, str]:
    return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(ResourceARN=arn).get("Tags") or [])


@CloudWatchAlarmErrorHandler.common_error_handler("tag alarm")
@AWSRetry.jittered_backoff()
def tag_alarm(client, arn: str, tags: Dict[str, str]) -> bool:
    client.tag_resource(ResourceARN=arn, Tags=ansible_dict_to_boto3_tag_list(tags))
    return True


@CloudWatchAlarmErrorHandler.common_error_handler("untag alarm")
@AWSRetry.jittered_backoff()
def untag_alarm(client, arn: str, tag_keys: List[str]) -> bool:
    client.untag_resource(ResourceARN=arn, TagKeys=tag_keys)
    return True


# Shapes


def _dimensions(items: Optional[List[Dict[str, str]]]) -> Dict[str, str]:
    return {item["Name"]: item["Value"] for item in items or []}


def _normalize_query(query: Dict[str, Any]) -> Dict[str, Any]:
    """One MetricDataQuery of a metric math alarm, snake_case, with unset fields as None."""
    stat = query.get("MetricStat")
    metric_stat = None
    if stat:
        metric = stat.get("Metric") or {}
        metric_stat = {
            "metric": {
                "namespace": metric.get("Namespace"),
                "metric_name": metric.get("MetricName"),
                "dimensions": _dimensions(metric.get("Dimensions")),
            },
            "period": stat.get("Period"),
            "stat": stat.get("Stat"),
            "unit": stat.get("Unit"),
        }
    return {
        "id": query.get("Id"),
        "expression": query.get("Expression"),
        "label": query.get("Label"),
        # AWS treats an unset ReturnData as true.
        "return_data": True if query.get("ReturnData") is None else bool(query["ReturnData"]),
        "period": query.get("Period"),
        "account_id": query.get("AccountId"),
        "metric_stat": metric_stat,
    }


def normalize_alarm(alarm: Dict[str, Any], tags: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
    """DescribeAlarms' MetricAlarm as the snake_case dict our modules compare and return."""
    result = {
        "name": alarm.get("AlarmName"),
        "arn": alarm.get("AlarmArn"),
        "description": alarm.get("AlarmDescription") or None,
        "actions_enabled": alarm.get("ActionsEnabled", True),
        "alarm_actions": sorted(alarm.get("AlarmActions") or []),
        "ok_actions": sorted(alarm.get("OKActions") or []),
        "insufficient_data_actions": sorted(alarm.get("InsufficientDataActions") or []),
        "comparison_operator": alarm.get("ComparisonOperator"),
        "threshold": float(alarm["Threshold"]) if alarm.get("Threshold") is not None else None,
        "evaluation_periods": alarm.get("EvaluationPeriods"),
        "datapoints_to_alarm": alarm.get("DatapointsToAlarm"),
        # Alarms created before TreatMissingData existed, and alarms that never set it, behave as "missing".
        "treat_missing_data": alarm.get("TreatMissingData") or "missing",
        "evaluate_low_sample_count_percentile": alarm.get("EvaluateLowSampleCountPercentile") or None,
        "namespace": alarm.get("Namespace"),
        "metric_name": alarm.get("MetricName"),
        "dimensions": _dimensions(alarm.get("Dimensions")),
        "statistic": alarm.get("Statistic"),
        "extended_statistic": alarm.get("ExtendedStatistic"),
        "period": alarm.get("Period"),
        "unit": alarm.get("Unit"),
        "metrics": [_normalize_query(query) for query in alarm.get("Metrics") or []],
        "state_value": alarm.get("StateValue"),
        "tags": dict(tags or {}),
    }
    if result["metrics"]:
        # A metric math alarm has no single metric (AWS may echo empty values for it).
        for key in SINGLE_METRIC:
            result[key] = {} if key == "dimensions" else None
    return result


def _query_request(query: Dict[str, Any]) -> Dict[str, Any]:
    request = {"Id": query["id"], "ReturnData": bool(query["return_data"])}
    for key, name in (("expression", "Expression"), ("label", "Label"), ("period", "Period")):
        if query.get(key) is not None:
            request[name] = query[key]
    if query.get("account_id"):
        request["AccountId"] = query["account_id"]
    stat = query.get("metric_stat")
    if stat:
        metric = stat["metric"]
        request["MetricStat"] = {
            "Metric": {
                "Namespace": metric["namespace"],
                "MetricName": metric["metric_name"],
                "Dimensions": [
                    {"Name": key, "Value": value} for key, value in (metric.get("dimensions") or {}).items()
                ],
            },
            "Period": stat["period"],
            "Stat": stat["stat"],
        }
        if stat.get("unit"):
            request["MetricStat"]["Unit"] = stat["unit"]
    return request


def alarm_request(alarm: Dict[str, Any]) -> Dict[str, Any]:
    """The PutMetricAlarm parameters that configure `alarm` (a normalised alarm), tags excluded."""
    request = {"AlarmName": alarm["name"]}
    for key, name in ALARM_SETTINGS.items():
        value = alarm.get(key)
        if key in ACTION_LISTS:
            request[name] = list(value or [])
        elif value is not None:
            request[name] = value
    if alarm.get("metrics"):
        request["Metrics"] = [_query_request(query) for query in alarm["metrics"]]
    else:
        for key, name in SINGLE_METRIC.items():
            value = alarm.get(key)
            if key == "dimensions":
                request[name] = [{"Name": dim, "Value": dim_value} for dim, dim_value in (value or {}).items()]
            elif value is not None:
                request[name] = value
    return request


def comparable(alarm: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The configuration part of a normalised alarm (what PutMetricAlarm sets), for comparison."""
    if alarm is None:
        return None
    result = copy.deepcopy(alarm)
    for key in ("arn", "state_value", "tags"):
        result.pop(key, None)
    return result


# Reads


def read_alarm(client, name: str) -> Optional[Dict[str, Any]]:
    """One alarm, normalised with its tags (DescribeAlarms + CloudWatch ListTagsForResource); None when missing."""
    alarm = describe_metric_alarm(client, name)
    if alarm is None:
        return None
    return normalize_alarm(alarm, list_alarm_tags(client, alarm["AlarmArn"]))


def read_alarms(client, tagging_client, names: List[str]) -> Dict[str, Dict[str, Any]]:
    """{name: normalised alarm with its tags} of the alarms among names that exist.

    One DescribeAlarms and one Resource Groups Tagging API GetResources (tagging_client) per 100 alarms, whatever
    their number, instead of one DescribeAlarms and one ListTagsForResource per alarm.
    """
    found = describe_metric_alarms(client, names)
    tags = get_resources_tags(tagging_client, [alarm["AlarmArn"] for alarm in found.values()])
    return {name: normalize_alarm(alarm, tags.get(alarm["AlarmArn"])) for name, alarm in found.items()}


# The options of one alarm, their validation and the desired state they describe

QUERY_ID = re.compile(r"^[a-z][A-Za-z0-9_]*$")
NEW_ALARM = {
    "name": None,
    "arn": None,
    "description": None,
    "actions_enabled": True,
    "alarm_actions": [],
    "ok_actions": [],
    "insufficient_data_actions": [],
    "comparison_operator": None,
    "threshold": None,
    "evaluation_periods": None,
    "datapoints_to_alarm": None,
    "treat_missing_data": "missing",
    "evaluate_low_sample_count_percentile": None,
    "namespace": None,
    "metric_name": None,
    "dimensions": {},
    "statistic": None,
    "extended_statistic": None,
    "period": None,
    "unit": None,
    "metrics": [],
    "state_value": None,
    "tags": {},
}
# Options exclusive with each other (a single metric or metric math; a statistic or an extended statistic).
ALARM_MUTUALLY_EXCLUSIVE = [
    ["statistic", "extended_statistic"],
    ["metrics", "namespace"],
    ["metrics", "metric_name"],
    ["metrics", "dimensions"],
    ["metrics", "statistic"],
    ["metrics", "extended_statistic"],
    ["metrics", "period"],
    ["metrics", "unit"],
]


def alarm_argument_spec() -> Dict[str, Any]:
    """The options of one alarm: cloudwatch_metric_alarm's arguments, each element of cloudwatch_metric_alarms'."""
    metric_spec = dict(
        namespace=dict(type="str", required=True),
        metric_name=dict(type="str", required=True),
        dimensions=dict(type="dict"),
    )
    return dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        description=dict(type="str"),
        actions_enabled=dict(type="bool"),
        alarm_actions=dict(type="list", elements="str"),
        ok_actions=dict(type="list", elements="str"),
        insufficient_data_actions=dict(type="list", elements="str"),
        comparison_operator=dict(
            type="str",
            aliases=["comparison"],
            choices=[
                "GreaterThanOrEqualToThreshold",
                "GreaterThanThreshold",
                "LessThanThreshold",
                "LessThanOrEqualToThreshold",
            ],
        ),
        threshold=dict(type="float"),
        evaluation_periods=dict(type="int"),
        datapoints_to_alarm=dict(type="int"),
        treat_missing_data=dict(type="str", choices=["breaching", "notBreaching", "ignore", "missing"]),
        evaluate_low_sample_count_percentile=dict(type="str", choices=["evaluate", "ignore"]),
        namespace=dict(type="str"),
        metric_name=dict(type="str", aliases=["metric"]),
        dimensions=dict(type="dict"),
        statistic=dict(type="str", choices=["SampleCount", "Average", "Sum", "Minimum", "Maximum"]),
        extended_statistic=dict(type="str"),
        period=dict(type="int"),
        unit=dict(type="str"),
        metrics=dict(
            type="list",
            elements="dict",
            options=dict(
                id=dict(type="str", required=True),
                expression=dict(type="str"),
                label=dict(type="str"),
                return_data=dict(type="bool", default=True),
                period=dict(type="int"),
                account_id=dict(type="str"),
                metric_stat=dict(
                    type="dict",
                    options=dict(
                        metric=dict(type="dict", required=True, options=metric_spec),
                        period=dict(type="int", required=True),
                        stat=dict(type="str", required=True),
                        unit=dict(type="str"),
                    ),
                ),
            ),
        ),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )


def alarm_params_error(params: Dict[str, Any]) -> Optional[str]:
    """What is wrong with one alarm's options beyond what the argument spec checks; None when nothing."""
    name = params["name"]
    if not 1 <= len(name) <= 255:
        return f"name={name!r} must be 1-255 characters long"
    for key in ("evaluation_periods", "datapoints_to_alarm"):
        if params.get(key) is not None and params[key] < 1:
            return f"{key} must be 1 or more (got {params[key]})"
    if (
        params.get("datapoints_to_alarm") is not None
        and params.get("evaluation_periods") is not None
        and params["datapoints_to_alarm"] > params["evaluation_periods"]
    ):
        return (
            f"datapoints_to_alarm={params['datapoints_to_alarm']} exceeds "
            f"evaluation_periods={params['evaluation_periods']}"
        )
    period = params.get("period")
    if period is not None and not (period in (10, 30) or (period > 0 and period % 60 == 0)):
        return f"period={period} must be 10, 30 or a multiple of 60"
    if params.get("extended_statistic") is not None and not params["extended_statistic"]:
        return "extended_statistic must not be empty"
    metrics = params.get("metrics")
    if metrics is not None:
        if not metrics:
            return "metrics must list at least one query"
        ids = [query["id"] for query in metrics]
        bad = [query_id for query_id in ids if not QUERY_ID.match(query_id)]
        if bad or len(set(ids)) != len(ids):
            return f"metrics: ids {ids} must be distinct and start with a lowercase letter"
        returning = [query["id"] for query in metrics if query.get("return_data") is not False]
        if len(returning) != 1:
            return f"metrics: exactly one query must return data (return_data), not {returning}"
        for query in metrics:
            if bool(query.get("expression")) == bool(query.get("metric_stat")):
                return f"metrics: query {query['id']} needs either expression or metric_stat"
    return None


def desired_query(query: Dict[str, Any]) -> Dict[str, Any]:
    """A metrics[] option as normalize_alarm shapes a reported query."""
    stat = query.get("metric_stat")
    metric_stat = None
    if stat:
        metric_stat = {
            "metric": {
                "namespace": stat["metric"]["namespace"],
                "metric_name": stat["metric"]["metric_name"],
                "dimensions": {key: str(value) for key, value in (stat["metric"].get("dimensions") or {}).items()},
            },
            "period": stat["period"],
            "stat": stat["stat"],
            "unit": stat.get("unit"),
        }
    return {
        "id": query["id"],
        "expression": query.get("expression"),
        "label": query.get("label"),
        "return_data": True if query.get("return_data") is None else bool(query["return_data"]),
        "period": query.get("period"),
        "account_id": query.get("account_id"),
        "metric_stat": metric_stat,
    }


def desired_alarm(current: Optional[Dict[str, Any]], params: Dict[str, Any]) -> Dict[str, Any]:
    """The alarm's configuration once what the user set is applied to `current` (None: a new alarm)."""
    desired = comparable(current) if current is not None else comparable(NEW_ALARM)
    desired["name"] = params["name"]
    for key in ALARM_SETTINGS:
        value = params.get(key)
        if value is None:
            continue
        if key in ACTION_LISTS:
            value = sorted(set(value))
        elif key == "description":
            value = value or None
        elif key == "threshold":
            value = float(value)
        desired[key] = value
    if params.get("metrics"):
        desired["metrics"] = [desired_query(query) for query in params["metrics"]]
        for key in SINGLE_METRIC:
            desired[key] = {} if key == "dimensions" else None
    single = {key: params.get(key) for key in SINGLE_METRIC if params.get(key) is not None}
    if single:
        desired["metrics"] = []
        if "statistic" in single:
            desired["extended_statistic"] = None
        if "extended_statistic" in single:
            desired["statistic"] = None
        for key, value in single.items():
            desired[key] = {name: str(item) for name, item in value.items()} if key == "dimensions" else value
    return desired


def missing_on_create(desired: Dict[str, Any]) -> List[str]:
    """Names of the options a new alarm needs and the parameters do not give."""
    missing = [key for key in ("comparison_operator", "threshold", "evaluation_periods") if desired[key] is None]
    if not desired["metrics"]:
        missing += [key for key in ("namespace", "metric_name", "period") if desired[key] is None]
        if desired["statistic"] is None and desired["extended_statistic"] is None:
            missing.append("statistic or extended_statistic")
    return missing


# Compare and act, one alarm


def reconcile_present(client, params: Dict[str, Any], before: Optional[Dict[str, Any]], check_mode: bool):
    """Make one alarm match what params set (unset options keep their value); act only outside check mode.

    before: the alarm as read (normalised with its tags), None when it does not exist. Returns (changed, after):
    after is the alarm as planned (arn and state_value null for a creation); a caller that acted reads it again for
    what AWS reports. PutMetricAlarm replaces the whole alarm, so a change sends the current value of every
    option that is not set; a tag-only change tags and untags without putting the alarm again.
    """
    desired = desired_alarm(before, params)
    if before is None:
        missing = missing_on_create(desired)
        if missing:
            raise PaymentsCloudWatchAlarmError(
                message=f"alarm {params['name']} does not exist; creating it needs {', '.join(missing)}"
            )
        after = dict(copy.deepcopy(desired), arn=None, state_value=None, tags=dict(params.get("tags") or {}))
        if not check_mode:
            request = alarm_request(desired)
            if params.get("tags"):
                request["Tags"] = [{"Key": key, "Value": str(value)} for key, value in sorted(params["tags"].items())]
            put_metric_alarm(client, request)
        return True, after

    to_set, to_unset = tag_changes(before["tags"], params.get("tags"), params.get("purge_tags"))
    reconfigure = desired != comparable(before)
    if not (reconfigure or to_set or to_unset):
        return False, before
    after = dict(copy.deepcopy(desired), arn=before["arn"], state_value=before["state_value"])
    after["tags"] = merge_tags(before["tags"], to_set, to_unset)
    if not check_mode:
        if reconfigure:
            put_metric_alarm(client, alarm_request(desired))
        if to_unset:
            untag_alarm(client, before["arn"], to_unset)
        if to_set:
            tag_alarm(client, before["arn"], to_set)
    return True, after


def reconcile_absent(client, name: str, before: Optional[Dict[str, Any]], check_mode: bool) -> bool:
    """Delete one alarm that exists (before is not None) unless in check mode. Returns changed."""
    if before is None:
        return False
    if not check_mode:
        delete_alarm(client, name)
    return True
