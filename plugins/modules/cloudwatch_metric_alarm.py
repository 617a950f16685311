#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: cloudwatch_metric_alarm
short_description: Create, update or delete a CloudWatch metric alarm (single metric or metric math) with tags
version_added: 0.1.0
description:
  - Creates, updates or deletes an Amazon CloudWatch metric alarm found by name.
  - Unlike M(amazon.aws.cloudwatch_metric_alarm), a metric math alarm (O(metrics)) is compared with what
    CloudWatch reports (that module reports a change on every run for such alarms), tags are reconciled,
    dimensions and actions are compared whatever their order, and diff mode is supported.
  - Only the options that are set are reconciled; an unset option keeps its current value (C(PutMetricAlarm)
    replaces the whole alarm, so the module sends the current value of every option that is not set).
    Setting O(metrics) replaces a single metric and setting O(metric_name) replaces metrics; setting
    O(statistic) clears O(extended_statistic) and the other way round.
author:
  - payments.infra maintainers (@payments-infra)
options:
  name:
    description: Name of the alarm (1-255 characters).
    type: str
    required: true
  state:
    description: Whether the alarm exists.
    type: str
    choices: [present, absent]
    default: present
  description:
    description: Description of the alarm. An empty string removes it.
    type: str
  actions_enabled:
    description: Whether the alarm runs its actions when its state changes. A new alarm defaults to C(true).
    type: bool
  alarm_actions:
    description: ARNs of the actions (SNS topics...) run when the alarm enters the ALARM state.
    type: list
    elements: str
  ok_actions:
    description: ARNs of the actions run when the alarm returns to the OK state.
    type: list
    elements: str
  insufficient_data_actions:
    description: ARNs of the actions run when the alarm enters the INSUFFICIENT_DATA state.
    type: list
    elements: str
  comparison_operator:
    description: How the statistic is compared with O(threshold). Required to create an alarm.
    type: str
    choices:
      - GreaterThanOrEqualToThreshold
      - GreaterThanThreshold
      - LessThanThreshold
      - LessThanOrEqualToThreshold
    aliases: [comparison]
  threshold:
    description: The value the statistic is compared with. Required to create an alarm.
    type: float
  evaluation_periods:
    description: Number of most recent periods the alarm evaluates. Required to create an alarm.
    type: int
  datapoints_to_alarm:
    description: Breaching datapoints among O(evaluation_periods) that put the alarm in ALARM (M out of N).
    type: int
  treat_missing_data:
    description: How missing datapoints are treated. A new alarm defaults to C(missing).
    type: str
    choices: [breaching, notBreaching, ignore, missing]
  evaluate_low_sample_count_percentile:
    description: Percentile alarms only. C(ignore) keeps the state when too few samples make a percentile meaningless.
    type: str
    choices: [evaluate, ignore]
  namespace:
    description: Namespace of the single metric (C(AWS/Lambda)...). Exclusive with O(metrics).
    type: str
  metric_name:
    description: Name of the single metric. Exclusive with O(metrics).
    type: str
    aliases: [metric]
  dimensions:
    description: Dimensions of the single metric, a dict of names and values. Compared whatever their order.
    type: dict
  statistic:
    description: Statistic of the single metric. Exclusive with O(extended_statistic).
    type: str
    choices: [SampleCount, Average, Sum, Minimum, Maximum]
  extended_statistic:
    description: Percentile or other extended statistic of the single metric (C(p99), C(tm90)).
    type: str
  period:
    description: Length in seconds of a period of the single metric (10, 30 or a multiple of 60).
    type: int
  unit:
    description: Unit of the single metric. Unset watches the metric whatever its unit.
    type: str
  metrics:
    description:
      - The metric math queries of the alarm (CloudWatch C(MetricDataQuery) structures, snake_case).
        Exactly one of them returns data (O(metrics[].return_data)); that is the value compared with the threshold.
    type: list
    elements: dict
    suboptions:
      id:
        description: Identifier of the query (starts with a lowercase letter), used in expressions.
        type: str
        required: true
      expression:
        description: Metric math expression over other queries' ids. Exclusive with O(metrics[].metric_stat).
        type: str
      label:
        description: Label of the query's time series.
        type: str
      return_data:
        description: Whether this query is the alarm's value. Exactly one query returns data.
        type: bool
        default: true
      period:
        description: Period of an expression query, in seconds.
        type: int
      account_id:
        description: Account of the metric (cross-account alarms).
        type: str
      metric_stat:
        description: A metric and the statistic of it to return.
        type: dict
        suboptions:
          metric:
            description: The metric.
            type: dict
            required: true
            suboptions:
              namespace:
                description: Namespace of the metric.
                type: str
                required: true
              metric_name:
                description: Name of the metric.
                type: str
                required: true
              dimensions:
                description: Dimensions of the metric, as a dict of dimension names and values.
                type: dict
          period:
            description: Period in seconds.
            type: int
            required: true
          stat:
            description: Statistic (C(Sum), C(Average), C(p99)...).
            type: str
            required: true
          unit:
            description: Unit of the metric.
            type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: p99 latency of an HTTP API above one second for 3 of 5 minutes
  payments.infra.cloudwatch_metric_alarm:
    name: payment-prod-api-p99-latency
    namespace: AWS/ApiGateway
    metric_name: IntegrationLatency
    dimensions:
      ApiId: a1b2c3d4e5
    extended_statistic: p99
    period: 60
    evaluation_periods: 5
    datapoints_to_alarm: 3
    comparison_operator: GreaterThanThreshold
    threshold: 1000
    treat_missing_data: ignore
    alarm_actions: [arn:aws:sns:eu-west-1:123456789012:system-errors-prod]
    tags:
      Environment: prod

- name: Any throttled request on a table, summed over the operations the application uses
  payments.infra.cloudwatch_metric_alarm:
    name: payment-prod-dynamodb-throttled-requests
    comparison_operator: GreaterThanThreshold
    threshold: 0
    evaluation_periods: 1
    treat_missing_data: notBreaching
    metrics:
      - id: total
        expression: SUM(METRICS())
        label: throttled requests
      - id: putitem
        return_data: false
        metric_stat:
          metric:
            namespace: AWS/DynamoDB
            metric_name: ThrottledRequests
            dimensions: {TableName: transactions-prod, Operation: PutItem}
          period: 60
          stat: Sum

- name: Delete an alarm
  payments.infra.cloudwatch_metric_alarm:
    name: payment-dev-aurora-cpu
    state: absent
"""

RETURN = r"""
alarm:
  description: The alarm as CloudWatch reports it after the change (planned state in check mode). Empty when absent.
  returned: always
  type: dict
  contains:
    name:
      description: Name of the alarm.
      returned: when the alarm exists
      type: str
      sample: payment-prod-aurora-cpu
    arn:
      description: ARN of the alarm (null when it would be created in check mode).
      returned: when the alarm exists
      type: str
      sample: arn:aws:cloudwatch:eu-west-1:123456789012:alarm:payment-prod-aurora-cpu
    description:
      description: Description, null when none.
      returned: when the alarm exists
      type: str
      sample: Aurora writer CPU above 80%
    actions_enabled:
      description: Whether the actions run.
      returned: when the alarm exists
      type: bool
      sample: true
    alarm_actions:
      description: ARNs run on ALARM, sorted.
      returned: when the alarm exists
      type: list
      elements: str
      sample: [arn:aws:sns:eu-west-1:123456789012:system-errors-prod]
    ok_actions:
      description: ARNs run on OK, sorted.
      returned: when the alarm exists
      type: list
      elements: str
      sample: []
    insufficient_data_actions:
      description: ARNs run on INSUFFICIENT_DATA, sorted.
      returned: when the alarm exists
      type: list
      elements: str
      sample: []
    comparison_operator:
      description: Comparison with the threshold.
      returned: when the alarm exists
      type: str
      sample: GreaterThanThreshold
    threshold:
      description: Threshold.
      returned: when the alarm exists
      type: float
      sample: 80.0
    evaluation_periods:
      description: Periods evaluated.
      returned: when the alarm exists
      type: int
      sample: 5
    datapoints_to_alarm:
      description: Breaching datapoints that trigger the alarm, null when not set (all of them).
      returned: when the alarm exists
      type: int
      sample: 3
    treat_missing_data:
      description: How missing data is treated.
      returned: when the alarm exists
      type: str
      sample: notBreaching
    evaluate_low_sample_count_percentile:
      description: Low sample count handling of percentile alarms, null when not set.
      returned: when the alarm exists
      type: str
      sample: ignore
    namespace:
      description: Namespace of the single metric, null for a metric math alarm.
      returned: when the alarm exists
      type: str
      sample: AWS/RDS
    metric_name:
      description: Name of the single metric, null for a metric math alarm.
      returned: when the alarm exists
      type: str
      sample: CPUUtilization
    dimensions:
      description: Dimensions of the single metric as a dict.
      returned: when the alarm exists
      type: dict
      sample: {"DBClusterIdentifier": "payment-aurora-prod"}
    statistic:
      description: Statistic of the single metric, null when an extended statistic is used.
      returned: when the alarm exists
      type: str
      sample: Average
    extended_statistic:
      description: Extended statistic of the single metric, null when none.
      returned: when the alarm exists
      type: str
      sample: p99
    period:
      description: Period of the single metric in seconds.
      returned: when the alarm exists
      type: int
      sample: 300
    unit:
      description: Unit of the single metric, null when none.
      returned: when the alarm exists
      type: str
      sample: Percent
    metrics:
      description: Metric math queries (snake_case, dimensions as dicts); empty for a single-metric alarm.
      returned: when the alarm exists
      type: list
      elements: dict
      sample: []
    state_value:
      description: State of the alarm (OK, ALARM, INSUFFICIENT_DATA), null when it would be created.
      returned: when the alarm exists
      type: str
      sample: OK
    tags:
      description: Tags of the alarm.
      returned: when the alarm exists
      type: dict
      sample: {"Environment": "prod"}
"""

from ansible_collections.payments.infra.plugins.module_utils.cloudwatch_alarms import ALARM_MUTUALLY_EXCLUSIVE
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch_alarms import PaymentsCloudWatchAlarmError
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch_alarms import alarm_argument_spec
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch_alarms import alarm_params_error
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch_alarms import read_alarm
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch_alarms import reconcile_absent
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch_alarms import reconcile_present
from ansible_collections.payments.infra.plugins.module_utils.diff import build_diff
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule


def ensure_present(client, params, check_mode):
    """(changed, alarm, diff)."""
    before = read_alarm(client, params["name"])
    changed, after = reconcile_present(client, params, before, check_mode)
    if changed and not check_mode:
        after = read_alarm(client, params["name"]) or after
    return changed, after, build_diff(before, after)


def ensure_absent(client, params, check_mode):
    before = read_alarm(client, params["name"])
    changed = reconcile_absent(client, params["name"], before, check_mode)
    return changed, {}, build_diff(before, None)


def main():
    module = PaymentsAWSModule(
        argument_spec=alarm_argument_spec(),
        supports_check_mode=True,
        mutually_exclusive=ALARM_MUTUALLY_EXCLUSIVE,
    )
    error = alarm_params_error(module.params)
    if error:
        module.fail_json(msg=error)

    client = module.client("cloudwatch")
    try:
        if module.params["state"] == "present":
            changed, alarm, diff = ensure_present(client, module.params, module.check_mode)
        else:
            changed, alarm, diff = ensure_absent(client, module.params, module.check_mode)
    except PaymentsCloudWatchAlarmError as e:
        module.fail_json_aws_error(e)

    module.exit_with_diff({"changed": changed, "alarm": alarm or {}, "diff": diff})


if __name__ == "__main__":
    main()
