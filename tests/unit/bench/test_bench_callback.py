"""bench/callback_plugins/payments_bench.py in a real ansible-playbook run of a small local playbook (no AWS).

The playbook has what site.yml has: a play-level include_role, a role listed twice with different
`<role>_stage` parameters, a role that includes another one's tasks (`tasks_from`), changed, skipped and
looped tasks, and a play after the roles.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench"

PLAYBOOK = """
- name: Validate
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Validate the stage role
      ansible.builtin.include_role:
        name: staged
        tasks_from: validate

- name: Converge
  hosts: localhost
  gather_facts: false
  roles:
    - role: staged
      staged_stage: first
    - role: consumer
    - role: staged
      staged_stage: second

- name: Show
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Show the end
      ansible.builtin.debug:
        msg: done
"""

STAGED_MAIN = """
- name: Run a command that changes something
  ansible.builtin.command: /bin/true
  changed_when: true
  when: staged_stage == 'first'

- name: Wait a little
  ansible.builtin.command: sleep 0.3
  changed_when: false

- name: Loop over three items
  ansible.builtin.debug:
    msg: "{{ item }}"
  loop: [1, 2, 3]
"""

STAGED_VALIDATE = """
- name: Assert the stage
  ansible.builtin.assert:
    that: staged_stage in ['first', 'second']
  vars:
    staged_stage: first
"""

STAGED_FIND = """
- name: Loop with one item skipped
  ansible.builtin.debug:
    msg: "{{ item }}"
  loop: [1, 2, 3]
  when: item != 2

- name: Find what the stage made
  ansible.builtin.set_fact:
    staged__found: true
"""

CONSUMER_MAIN = """
- name: Find the staged outputs
  ansible.builtin.include_role:
    name: staged
    tasks_from: find

- name: Use them
  ansible.builtin.debug:
    var: staged__found
"""


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    base = tmp_path_factory.mktemp("bench-callback")
    files = {
        "site.yml": PLAYBOOK,
        "roles/staged/tasks/main.yml": STAGED_MAIN,
        "roles/staged/tasks/validate.yml": STAGED_VALIDATE,
        "roles/staged/tasks/find.yml": STAGED_FIND,
        "roles/consumer/tasks/main.yml": CONSUMER_MAIN,
        "ansible.cfg": "[defaults]\nroles_path = ./roles\ngathering = explicit\n",
    }
    for name, text in files.items():
        (base / name).parent.mkdir(parents=True, exist_ok=True)
        (base / name).write_text(text)
    log = base / "tasks.jsonl"
    env = dict(os.environ)
    env.update(
        ANSIBLE_CONFIG=str(base / "ansible.cfg"),
        ANSIBLE_CALLBACK_PLUGINS=str(BENCH / "callback_plugins"),
        ANSIBLE_CALLBACKS_ENABLED="payments_bench",
        BENCH_TASK_LOG=str(log),
        ANSIBLE_NOCOLOR="1",
    )
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-playbook"), "site.yml", "-i", "localhost,", "-c", "local",
         "-e", f"ansible_python_interpreter={sys.executable}"],
        cwd=base, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return [json.loads(line) for line in log.read_text().splitlines()]


def _tasks(records, name):
    return [r for r in records if r["type"] == "task" and r["name"].endswith(name)]


def test_tiers_follow_play_level_roles_and_stages(records):
    tiers = [r["tier"] for r in records if r["type"] == "task"]
    assert tiers[0] == "play: Validate"
    assert {r["tier"] for r in _tasks(records, "Assert the stage")} == {"play: Validate"}
    # the role listed twice is told apart by its staged_stage parameter
    assert [r["tier"] for r in _tasks(records, "Wait a little")] == ["staged/first", "staged/second"]
    # a role's tasks included by another role count for the including tier
    (found,) = _tasks(records, "Find what the stage made")
    assert found["tier"] == "consumer"
    assert found["role"] == "staged"
    assert {r["tier"] for r in _tasks(records, "Show the end")} == {"play: Show"}
    order = list(dict.fromkeys(tiers))
    assert order == ["play: Validate", "staged/first", "consumer", "staged/second", "play: Show"]


def test_module_status_changed_and_items(records):
    first, second = _tasks(records, "Run a command that changes something")
    assert (first["module"], first["status"], first["changed"]) == ("ansible.builtin.command", "changed", True)
    assert (second["status"], second["changed"]) == ("skipped", False)
    loops = _tasks(records, "Loop over three items")
    assert [r["items"] for r in loops] == [3, 3]
    assert all(r["status"] == "ok" for r in loops)
    (partly,) = _tasks(records, "Loop with one item skipped")
    assert (partly["items"], partly["status"]) == (2, "ok")


def test_times_are_contiguous_and_cover_the_work(records):
    tasks = [r for r in records if r["type"] == "task"]
    for task in tasks:
        assert task["start"] <= task["wall_end"]
        assert task["duration"] >= 0
    for previous, following in zip(tasks, tasks[1:], strict=False):
        assert previous["wall_end"] <= following["start"] + 0.05
    assert all(r["duration"] >= 0.3 for r in _tasks(records, "Wait a little"))
    assert [r["seq"] for r in tasks] == list(range(1, len(tasks) + 1))


def test_recap_is_the_last_record(records):
    stats = records[-1]
    assert stats["type"] == "stats"
    assert stats["hosts"]["localhost"]["changed"] == 1
    assert stats["hosts"]["localhost"]["failures"] == 0
