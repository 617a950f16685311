#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: cloudwatch_metric_alarms
short_description: Create, update or delete a list of CloudWatch metric alarms with tags, read in one pass
version_added: 0.1.0
description:
  - Reconciles every alarm of O(alarms) in one module run, each exactly as M(payments.infra.cloudwatch_metric_alarm)
    does, with the same options, comparison, changes and returned alarm. Single metric or metric math alarms, tags,
    dimensions and actions compared whatever their order, only the options that are set reconciled.
  - Reads all the alarms with one C(DescribeAlarms) per 100 names and all their tags with one Resource Groups
    Tagging API C(GetResources) per 100 alarms, instead of C(DescribeAlarms) and C(ListTagsForResource) per alarm.
    A rerun that changes nothing makes two requests for up to 100 alarms.
  - Writes only what differs (C(PutMetricAlarm), C(TagResource), C(UntagResource), C(DeleteAlarms) per alarm), then
    reads the changed alarms again with one C(DescribeAlarms).
  - The alarms are handled in the order given; an error stops the run at that alarm (the earlier ones are done).
author:
  - payments.infra maintainers (@payments-infra)
options:
  alarms:
    description:
      - The alarms, each with the options of M(payments.infra.cloudwatch_metric_alarm). Names must be distinct.
      - An empty list does nothing.
    type: list
    elements: dict
    required: true
    suboptions:
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
          description: How the statistic is compared with O(alarms[].threshold). Required to create an alarm.
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
          description:
            - Breaching datapoints among O(alarms[].evaluation_periods) that put the alarm in ALARM (M out of N).
          type: int
        treat_missing_data:
          description: How missing datapoints are treated. A new alarm defaults to C(missing).
          type: str
          choices: [breaching, notBreaching, ignore, missing]
        evaluate_low_sample_count_percentile:
          description:
            - Percentile alarms only. C(ignore) keeps the state when too few samples make a percentile meaningless.
          type: str
          choices: [evaluate, ignore]
        namespace:
          description: Namespace of the single metric (C(AWS/Lambda)...). Exclusive with O(alarms[].metrics).
          type: str
        metric_name:
          description: Name of the single metric. Exclusive with O(alarms[].metrics).
          type: str
          aliases: [metric]
        dimensions:
          description: Dimensions of the single metric, a dict of names and values. Compared whatever their order.
          type: dict
        statistic:
          description: Statistic of the single metric. Exclusive with O(alarms[].extended_statistic).
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
              Exactly one of them returns data (O(alarms[].metrics[].return_data)); that is the value compared with
              the threshold.
          type: list
          elements: dict
          suboptions:
            id:
              description: Identifier of the query (starts with a lowercase letter), used in expressions.
              type: str
              required: true
            expression:
              description:
                - Metric math expression over other queries' ids. Exclusive with O(alarms[].metrics[].metric_stat).
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
        tags:
          description:
            - Tags of the alarm, a dict of keys and values. Unset leaves the tags alone.
            - With O(alarms[].purge_tags=true) (the default), tags not listed are removed (C(aws:*) tags are kept).
          type: dict
          aliases: [resource_tags]
        purge_tags:
          description: Remove the tags that O(alarms[].tags) does not list (only when O(alarms[].tags) is set).
          type: bool
          default: true
notes:
  - Supports check mode and diff mode. Diff mode shows each alarm before and after, by name.
  - Needs the IAM permission C(tag:GetResources) (Resource Groups Tagging API) to read the tags, besides
    C(cloudwatch:DescribeAlarms), C(cloudwatch:PutMetricAlarm), C(cloudwatch:DeleteAlarms), C(cloudwatch:TagResource)
    and C(cloudwatch:UntagResource). M(payments.infra.cloudwatch_metric_alarm) reads tags with
    C(cloudwatch:ListTagsForResource) instead.
  - The Resource Groups Tagging API is eventually consistent. The tags returned for an alarm this run changed are
    the tags it set; a rerun within seconds of a tag change may read the old tags and set them again.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Two alarms, one of them a metric math sum, tagged
  payments.infra.cloudwatch_metric_alarms:
    alarms:
      - name: payment-prod-aurora-cpu
        namespace: AWS/RDS
        metric_name: CPUUtilization
        dimensions:
          DBClusterIdentifier: payment-aurora-prod
        statistic: Average
        period: 300
        evaluation_periods: 3
        comparison_operator: GreaterThanThreshold
        threshold: 80
        alarm_actions: [arn:aws:sns:eu-west-1:123456789012:system-errors-prod]
        tags:
          Environment: prod
      - name: payment-prod-dynamodb-throttled-requests
        comparison_operator: GreaterThanThreshold
        threshold: 0
        evaluation_periods: 1
        treat_missing_data: notBreaching
        metrics:
          - id: total
            expression: SUM(METRICS())
          - id: putitem
            return_data: false
            metric_stat:
              metric:
                namespace: AWS/DynamoDB
                metric_name: ThrottledRequests
                dimensions: {TableName: transactions-prod, Operation: PutItem}
              period: 60
              stat: Sum
        tags:
          Environment: prod
  register: alarms

- name: The ARN of each alarm, by name
  ansible.builtin.debug:
    msg: "{{ dict(alarms.alarms | map(attribute='name') | zip(alarms.alarms | map(attribute='arn'))) }}"

- name: Delete two alarms
  payments.infra.cloudwatch_metric_alarms:
    alarms:
      - {name: payment-dev-aurora-cpu, state: absent}
      - {name: payment-dev-api-p99-latency, state: absent}
"""

RETURN = r"""
alarms:
  description:
    - The alarms in the order of O(alarms), each as M(payments.infra.cloudwatch_metric_alarm) returns its alarm,
      as CloudWatch reports it after the change (planned state in check mode); an empty dict for an absent alarm.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Name of the alarm.
      returned: when the alarm exists (an absent alarm is an empty dict)
      type: str
      sample: payment-prod-aurora-cpu
    arn:
      description: ARN of the alarm (null when it would be created in check mode).
      returned: when the alarm exists (an absent alarm is an empty dict)
      type: str
      sample: arn:aws:cloudwatch:eu-west-1:123456789012:alarm:payment-prod-aurora-cpu
    description:
      description: Description, null when none.
      returned: when the alarm exists (an absent alarm is an empty dict)
      type: str
      sample: Aurora writer CPU above 80%
    actions_enabled:
      description: Whether the actions run.
      returned: when the alarm exists (an absent alarm is an empty dict)
      type: bool
      sample: true
    alarm_actions:
      description: ARNs run on ALARM, sorted.
      returned: when the alarm exists (an absent alarm is an empty dict)
      type: list
      elements: str
      sample: [arn:aws:sns:eu-west-1:123456789012:system-errors-prod]
    ok_actions:
      description: ARNs run on OK, sorted.
      returned: when the alarm exists (an absent alarm is an empty dict)
      type: list
      elements: str
      sample: []
    insufficient_data_actions:
      description: ARNs run on INSUFFICIENT_DATA, sorted.
      returned: when the alarm exists (an absent alarm is an empty dict)
      type: list
      elements: str
      sample: []
    comparison_operator:
      description: Comparison with the threshold.
      returned: when the alarm exists (an absent alarm is an empty dict)
      type: str
      sample: GreaterThanThreshold
    threshold:
      description: Threshold.
      returned: when the alarm exists (an absent alarm is an empty dict)
      type: float
      sample: 80.0
    evaluation_periods:
      description: Periods evaluated.
      returned: when the alarm exists (an absent alarm is an empty dict)
      type: int
      sample: 5
    datapoints_to_alarm:
      description: Breaching datapoints that trigger the alarm, null when not set (all of them).
      returned: when the alarm exists (an absent alarm is an empty dict)
      type: int
      sample: 3
    treat_missing_data:
      description: How missing data is treated.
      returned: when the alarm exists (an absent alarm is an empty dict)
      type: str
      sample: notBreaching
    evaluate_low_sample_count_percentile:
      description: Low sample count handling of percentile alarms, null when not set.
      returned: when the alarm exists (an absent alarm is an empty dict)
      type: str
      sample: ignore
    namespace:
      description: Namespace of the single metric, null for a metric math alarm.
      returned: when the alarm exists (an absent alarm is an empty dict)
      type: str
      sample: AWS/RDS
    metric_name:
      description: Name of the single metric, null for a metric math alarm.
      returned: when the alarm exists (an absent alarm is an empty dict)
      type: str
      sample: CPUUtilization
    dimensions:
      description: Dimensions of the single metric as a dict.
      returned: when the alarm exists (an absent alarm is an empty dict)
      type: dict
      sample: {"DBClusterIdentifier": "payment-aurora-prod"}
    statistic:
      description: Statistic of the single metric, null when an extended statistic is used.
      returned: when the alarm exists (an absent alarm is an empty dict)
      type: str
      sample: Average
    extended_statistic:
      description: Extended statistic of the single metric, null when none.
      returned: when the alarm exists (an absent alarm is an empty dict)
      type: str
      sample: p99
    period:
      description: Period of the single metric in seconds.
      returned: when the alarm exists (an absent alarm is an empty dict)
      type: int
      sample: 300
    unit:
      description: Unit of the single metric, null when none.
      returned: when the alarm exists (an absent alarm is an empty dict)
      type: str
      sample: Percent
    metrics:
      description: Metric math queries (snake_case, dimensions as dicts); empty for a single-metric alarm.
      returned: when the alarm exists (an absent alarm is an empty dict)
      type: list
      elements: dict
      sample: []
    state_value:
      description: State of the alarm (OK, ALARM, INSUFFICIENT_DATA), null when it would be created.
      returned: when the alarm exists (an absent alarm is an empty dict)
      type: str
      sample: OK
    tags:
      description: Tags of the alarm.
      returned: when the alarm exists (an absent alarm is an empty dict)
      type: dict
      sample: {"Environment": "prod"}
changed_alarms:
  description: Names of the alarms created, updated or deleted (or that would be, in check mode), in O(alarms) order.
  returned: always
  type: list
  elements: str
  sample: [payment-prod-aurora-cpu]
"""

from ansible_collections.payments.infra.plugins.module_utils.cloudwatch_alarms import ALARM_MUTUALLY_EXCLUSIVE
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch_alarms import PaymentsCloudWatchAlarmError
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch_alarms import alarm_argument_spec
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch_alarms import alarm_params_error
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch_alarms import describe_metric_alarms
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch_alarms import normalize_alarm
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch_alarms import read_alarms
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch_alarms import reconcile_absent
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch_alarms import reconcile_present
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule
from ansible_collections.payments.infra.plugins.module_utils.tagging import PaymentsTaggingError


def ensure_alarms(client, tagging_client, alarms, check_mode):
    """(changed_names, results, diff) for the alarm parameters in `alarms`, in their order.

    One read of every alarm and its tags, then per alarm the compare/act of cloudwatch_metric_alarm; the alarms
    this run put again are read back with one DescribeAlarms (their tags are the ones just set).
    """
    current = read_alarms(client, tagging_client, [params["name"] for params in alarms])
    changed_names, results, written = [], [], []
    before_by_name, after_by_name = {}, {}
    for params in alarms:
        name = params["name"]
        before = current.get(name)
        if params["state"] == "present":
            changed, after = reconcile_present(client, params, before, check_mode)
        else:
            changed, after = reconcile_absent(client, name, before, check_mode), None
        if changed:
            changed_names.append(name)
            if after is not None and not check_mode:
                written.append(name)
        results.append(after)
        before_by_name[name] = before or {}
        after_by_name[name] = after or {}

    if written:
        reread = describe_metric_alarms(client, written)
        for index, params in enumerate(alarms):
            found = reread.get(params["name"])
            if params["name"] in written and found is not None:
                results[index] = normalize_alarm(found, results[index]["tags"])
                after_by_name[params["name"]] = results[index]
    diff = {"before": before_by_name, "after": after_by_name}
    return changed_names, [alarm or {} for alarm in results], diff


def validate(module):
    names = [params["name"] for params in module.params["alarms"]]
    module.validate_list_option("alarms", names, item_error=alarm_params_error)


def main():
    argument_spec = dict(
        alarms=dict(
            type="list",
            elements="dict",
            required=True,
            options=alarm_argument_spec(),
            mutually_exclusive=ALARM_MUTUALLY_EXCLUSIVE,
        ),
    )
    module = PaymentsAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)

    alarms = module.params["alarms"]
    if not alarms:
        module.exit_with_diff(
            {"changed": False, "alarms": [], "changed_alarms": [], "diff": {"before": {}, "after": {}}}
        )
    try:
        changed_names, results, diff = ensure_alarms(
            module.client("cloudwatch"), module.client("resourcegroupstaggingapi"), alarms, module.check_mode
        )
    except (PaymentsCloudWatchAlarmError, PaymentsTaggingError) as e:
        module.fail_json_aws_error(e)

    module.exit_with_diff(
        {"changed": bool(changed_names), "alarms": results, "changed_alarms": changed_names, "diff": diff}
    )


if __name__ == "__main__":
    main()
