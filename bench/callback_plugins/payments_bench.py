# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Benchmark-only callback: one JSON line per task (tier, role, name, module, start/end, changed) in $BENCH_TASK_LOG.

Enabled by bench/run.py for its own runs only (ANSIBLE_CALLBACK_PLUGINS=bench/callback_plugins,
ANSIBLE_CALLBACKS_ENABLED=...,payments_bench); never by ansible.cfg.

A task's wall time is the time from its start to the start of the next task (or the end of the play), the way
ansible.posix.profile_tasks measures it: it includes the strategy's own work (templating, includes) around the
module call, so the tasks of a run add up to the playbook's time. The tier of a task is the outermost role its
block chain leads to when that role comes from a play's `roles:` list (a `tasks_from: find` included by the
lambda tier counts as lambda time), plus that role's `<role>_stage` parameter when it has one
(`monitoring/topics`, `monitoring/observe`); tasks outside such a role are counted under their play.
Nothing here depends on the names of the tasks.
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: payments_bench
type: aggregate
short_description: Record each task's tier, module, wall time and outcome as JSON lines (benchmarks only)
description:
  - Writes one JSON object per task to the file named by the BENCH_TASK_LOG environment variable, and one
    final object with the play recap counts of every host.
requirements:
  - enabled in callbacks_enabled, and BENCH_TASK_LOG set
"""

_STATUS_RANK = {None: 0, "skipped": 1, "ok": 2, "changed": 3, "unreachable": 4, "failed": 5}


def _short_role_name(role):
    return role.get_name(include_role_fqcn=False)


def _role_params(role):
    params = getattr(role, "_role_params", None)
    return params if isinstance(params, dict) else {}


def tier_of(task, play_name):
    """(tier, role) of a task: the tier is the outermost play-level role above it, with its stage when set."""
    role = getattr(task, "_role", None)
    outer = None
    node = task
    root = task
    while node is not None:
        if getattr(node, "_role", None) is not None:
            outer = node._role
        root = node
        node = getattr(node, "_parent", None)
    immediate = _short_role_name(role) if role is not None else None
    if outer is None or getattr(root, "_role", None) is None:
        # a play-level task (or a role included by one): counted under the play
        return f"play: {play_name}", immediate
    name = _short_role_name(outer)
    stage = _role_params(outer).get(f"{name}_stage")
    return (f"{name}/{stage}" if stage else name), immediate


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "payments_bench"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._path = os.environ.get("BENCH_TASK_LOG")
        self._play_name = ""
        self._play_index = 0
        self._current = None
        self._seq = 0

    def _write(self, record):
        if not self._path:
            return
        with open(self._path, "a", encoding="utf-8") as log:
            log.write(json.dumps(record, sort_keys=True) + "\n")

    def _close_current(self):
        if self._current is not None:
            self._current["wall_end"] = time.time()
            self._current["duration"] = round(self._current["wall_end"] - self._current["start"], 6)
            self._write(self._current)
            self._current = None

    def _start(self, task, handler=False):
        self._close_current()
        self._seq += 1
        tier, role = tier_of(task, self._play_name)
        self._current = {
            "type": "task",
            "seq": self._seq,
            "play": self._play_name,
            "play_index": self._play_index,
            "tier": tier,
            "role": role,
            "name": task.get_name(),
            "path": task.get_path(),
            "module": task.action,
            "handler": handler,
            "start": time.time(),
            "end": None,
            "status": None,
            "changed": False,
            "hosts": 0,
            "items": 0,
        }

    def _result(self, result, status):
        if self._current is None:
            return
        record = self._current
        record["end"] = time.time()
        record["hosts"] += 1
        res = result.result if hasattr(result, "result") else result._result
        changed = bool(res.get("changed"))
        if status == "ok" and changed:
            status = "changed"
        record["changed"] = record["changed"] or changed
        if _STATUS_RANK[status] > _STATUS_RANK[record["status"]]:
            record["status"] = status
        if isinstance(res.get("results"), list):  # a loop: count the items that ran the module
            record["items"] += sum(1 for item in res["results"] if not item.get("skipped"))

    def v2_playbook_on_play_start(self, play):
        self._close_current()
        self._play_index += 1
        self._play_name = play.get_name().strip()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._start(task)

    def v2_playbook_on_handler_task_start(self, task):
        self._start(task, handler=True)

    def v2_runner_on_ok(self, result):
        self._result(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result(result, "failed")
        if ignore_errors and self._current is not None:
            self._current["ignored_errors"] = True

    def v2_runner_on_skipped(self, result):
        self._result(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._result(result, "unreachable")

    def v2_playbook_on_stats(self, stats):
        self._close_current()
        hosts = {host: stats.summarize(host) for host in sorted(stats.processed)}
        self._write({"type": "stats", "end": time.time(), "hosts": hosts})
