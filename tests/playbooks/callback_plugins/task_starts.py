# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Test-only callback: append every task start of a playbook run to $TASK_STARTS_LOG as JSON lines, so a test
can interrupt the run at a chosen task boundary (tests/playbooks/test_interrupted.py).

Each line: {"event": "start", "n": <task start number in the run, from 1>, "play": <play number, from 1>,
"tier": <tier number, from 1, or null>, "tier_label": "<role>[:<monitoring_stage>]", "k": <task start number
within the tier, from 1>, "role": <role of the task>, "name": <task name>, "path": <roles/... file:line>,
"action": <module>, "t": <epoch>}. A tier is one entry of a play's `roles:` list (site.yml: network ... parameters),
counted across plays; a task belongs to the entry whose role it runs in, through any include_tasks/include_role.
Results are appended as {"event": "result", "n": ..., "status": "ok|changed|failed|skipped", "t": ...}.

$TASK_STARTS_TARGET="<tier>:<k>[:<n>]" marks the first task start at or after task k of that tier and after task
start n of the run ("target": true on its line; when the tier has fewer tasks, the first task start after it).
With $TASK_STARTS_PAUSE=1 the callback then also writes {"event": "paused", "n": n} and sleeps (up to a bound)
before the strategy queues the task: the test kills the process group exactly at the boundary between two tasks,
before the target has sent anything to AWS. Callbacks run in the strategy's process, synchronously, before the
task reaches a worker.
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: task_starts
type: aggregate
short_description: Log every task start and result as JSON lines; optionally pause at one task start (tests only)
description:
  - Appends each task start (number, play, role, name, file:line, action) and each task result to $TASK_STARTS_LOG.
  - With $TASK_STARTS_PAUSE_AT set, stops the run at that task start until the test kills it.
requirements:
  - enabled in callbacks_enabled
"""

PAUSE_BOUND_SECONDS = 300


def _role_key(role):
    """A `roles:` entry: its name and monitoring_stage (the one role site.yml lists twice, with two stages)."""
    params = role._role_params or {}  # pylint: disable=protected-access
    return role.get_name(include_role_fqcn=False), params.get("monitoring_stage")


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "task_starts"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.count = 0
        self.plays = 0
        self.play_roles = []
        self.tier = 0
        self.tier_key = None
        self.k = 0
        self.log_path = os.environ.get("TASK_STARTS_LOG")
        target = os.environ.get("TASK_STARTS_TARGET", "")
        parts = [int(part) for part in target.split(":")] if target else []
        self.target = tuple(parts[:2]) if parts else None
        self.after = parts[2] if len(parts) > 2 else 0
        self.pause = os.environ.get("TASK_STARTS_PAUSE") == "1"
        self.reached = False

    def _write(self, record):
        if not self.log_path:
            return
        with open(self.log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps(record) + "\n")
            log.flush()

    def v2_playbook_on_play_start(self, play):
        self.plays += 1
        self.play_roles = [_role_key(role) for role in play.roles or []]

    def _tier(self, task):
        """(tier number, label) of the `roles:` entry this task runs in, or (None, None)."""
        outer = None
        node = task
        while node is not None:
            role = getattr(node, "_role", None)
            if role is not None:
                outer = role
            node = getattr(node, "_parent", None)
        if outer is None or _role_key(outer) not in self.play_roles:
            return None, None
        key = (self.plays, _role_key(outer))
        if key != self.tier_key:
            self.tier_key = key
            self.tier += 1
            self.k = 0
        self.k += 1
        name, stage = key[1]
        return self.tier, name + (f":{stage}" if stage else "")

    def _start(self, task):
        self.count += 1
        path = task.get_path() or ""
        if "/roles/" in path:
            path = "roles/" + path.rsplit("/roles/", 1)[1]
        role = task._role.get_name(include_role_fqcn=False) if task._role else None  # pylint: disable=protected-access
        tier, label = self._tier(task)
        target = False
        if self.target and not self.reached and self.count > self.after:
            if tier is not None:
                target = (tier, self.k) >= self.target
            else:
                target = self.tier >= self.target[0]  # past the last tier: the first task after it
            self.reached = target
        self._write(
            {
                "event": "start",
                "n": self.count,
                "play": self.plays,
                "tier": tier,
                "tier_label": label,
                "k": self.k if tier is not None else None,
                "target": target,
                "role": role,
                "name": task.get_name(),
                "path": path,
                "action": task.action,
                "t": time.time(),
            }
        )
        if target and self.pause:
            self._write({"event": "paused", "n": self.count, "t": time.time()})
            time.sleep(PAUSE_BOUND_SECONDS)

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._start(task)

    def v2_playbook_on_handler_task_start(self, task):
        self._start(task)

    def _result(self, result, status):
        if status == "ok" and result._result.get("changed"):  # pylint: disable=protected-access
            status = "changed"
        self._write({"event": "result", "n": self.count, "status": status, "t": time.time()})

    def v2_runner_on_ok(self, result):
        self._result(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._result(result, "skipped")
