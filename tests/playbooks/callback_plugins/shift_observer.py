# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Test-only callback: after every "Set the listener weights" task of payments.infra.traffic_shift, read the
listener's weights from the emulator (boto3, not the task's result) and append them to $SHIFT_OBSERVER_LOG.

With $SHIFT_OBSERVER_ALARM_AT="<n>:<alarm name>" it puts that alarm into ALARM right after the n-th weight
change, while the step bakes: what a real alarm firing during a canary step looks like to the playbook.
The linear strategy hands a task's result to the callbacks before it starts the next task, so each read
happens between steps.
"""

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: shift_observer
type: aggregate
short_description: Record the ALB listener weights after each traffic shift task (tests only)
description:
  - Reads the listener weights from the AWS endpoint after each weight change and logs them as JSON lines.
requirements:
  - enabled in callbacks_enabled
"""

TASK_NAME = "Set the listener weights"


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "shift_observer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.count = 0

    def _clients(self):
        import boto3  # pylint: disable=import-outside-toplevel

        return boto3.client("elbv2"), boto3.client("cloudwatch")

    def v2_runner_on_ok(self, result):
        if not result.task_name.endswith(TASK_NAME):
            return
        log_path = os.environ.get("SHIFT_OBSERVER_LOG")
        if not log_path:
            return
        listener_arn = result.result["listener"]["listener_arn"]
        elbv2, cloudwatch = self._clients()
        listener = elbv2.describe_listeners(ListenerArns=[listener_arn])["Listeners"][0]
        groups = {
            group["TargetGroupArn"]: group["TargetGroupName"]
            for group in elbv2.describe_target_groups()["TargetGroups"]
        }
        forward = next(action for action in listener["DefaultActions"] if action["Type"] == "forward")
        weights = {
            groups[group["TargetGroupArn"]]: group["Weight"] for group in forward["ForwardConfig"]["TargetGroups"]
        }
        self.count += 1
        with open(log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps({"n": self.count, "changed": result.result.get("changed"), "weights": weights}) + "\n")
        trigger = os.environ.get("SHIFT_OBSERVER_ALARM_AT", "")
        if trigger:
            at, alarm = trigger.split(":", 1)
            if int(at) == self.count:
                cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="shift_observer test")
