# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One thin wrapper per CloudWatch alarm API call our modules make, and the alarm shape they return.

Every wrapper retries throttling with AWSRetry.jittered_backoff() and turns botocore errors into
PaymentsCloudWatchAlarmError, which a module's main() hands to module.fail_json_aws_error() in one place.
Reads of an alarm that does not exist return None instead of raising.

The normalised alarm is snake_case; dimensions are a {name: value} dict (in the single-metric form and in
each metric of a metric math alarm) and actions are sorted lists, so that two alarms compare equal whatever
order AWS lists them in.
"""

import copy
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
