"""site.yml killed at seeded points spread over the whole converge, then rerun: the stack ends exactly as a clean
converge makes it (issue #7, "interrupted converge").

One emulator, cumulatively, like a user whose runs keep dying: run 1 is killed at the first point, rerun 2 (from
the first task, as a user reruns) at the second, later point, ... Then a full rerun must succeed, every resource
kind must have exactly the count of tests/stack_state.py's EXPECTED_COUNTS (no duplicate NAT gateway, key, target
group, route, alarm ...; nothing half made), and one more rerun must report changed=0.

The points are task starts: callback_plugins/task_starts.py numbers every task start and the tier (entry of a
play's `roles:` list, network ... parameters) it runs in. One point per group of consecutive tiers, a seeded tier
in each group and a seeded task in it; half the kills are at the boundary (the callback stops the run at the
task start, before the task reaches a worker) and half are mid-call (after the first write request the emulator
receives at or after the target task, plus a seeded delay of at most 0.4 s: the module has created something and
not yet finished). The whole process group (ansible-playbook and its workers and modules, started in a session of
their own) gets SIGKILL. PAYMENTS_INTERRUPT_SEED overrides the seed; PAYMENTS_INTERRUPT_KILLS the number of kills.
"""

import json
import os
import random
import re
import signal
import subprocess
import time
from pathlib import Path

import boto3
import pytest
import yaml
from stack_state import EXPECTED_COUNTS, count_differences, resource_counts

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
DEFAULT_SEED = 20261128
ENV = "local"
MID_CALL_MAX_DELAY = 0.4
RUN_TIMEOUT = 1800
READ_ONLY = ("Describe", "Get", "List", "GET ", "HEAD ")


def converge_tiers():
    """[(role, monitoring_stage or None)] of every `roles:` entry of site.yml, in order."""
    plays = yaml.safe_load((ROOT / "playbooks" / "site.yml").read_text())
    return [
        (entry["role"].rsplit(".", 1)[-1], entry.get("monitoring_stage"))
        for play in plays
        for entry in play.get("roles", [])
    ]


def _tasks(items):
    for item in items or []:
        if not isinstance(item, dict):
            continue
        if "block" in item:
            yield from _tasks(item.get("block"))
            yield from _tasks(item.get("always"))
        else:
            yield item


def tier_size(role, stage):
    """How many task starts the tier makes, counted from its task files: every task of main.yml and of the files
    it includes (include_tasks with a literal file, those of the other monitoring stage left out), the role's
    argument validation included. An estimate: a task file included under a false condition has fewer."""
    tasks_dir = ROOT / "roles" / role / "tasks"

    def count(name, seen):
        path = tasks_dir / name
        if name in seen or not path.is_file():
            return 0
        total = 0
        for task in _tasks(yaml.safe_load(path.read_text())):
            total += 1
            include = task.get("ansible.builtin.include_tasks") or task.get("ansible.builtin.import_tasks")
            if isinstance(include, dict):
                include = include.get("file")
            when = str(task.get("when", ""))
            if stage and "monitoring_stage" in when and f"'{stage}'" not in when:
                continue
            if include and "{{" not in include:
                total += count(include, seen | {name})
        return total

    return 1 + count("main.yml", frozenset())


def kill_plan(seed, kills):
    """[{tier, label, k, kind, delay}]: one kill per group of consecutive tiers, increasing, half at a task
    boundary and half mid-call; the last is at a boundary (a mid-call kill needs a later write to AWS)."""
    rng = random.Random(seed)  # noqa: S311 (a reproducible plan, not a secret)
    tiers = converge_tiers()
    assert len(tiers) >= kills, f"{kills} kills need as many tiers, site.yml has {tiers}"
    kinds = ["boundary"] * (kills - kills // 2 - 1) + ["mid"] * (kills // 2)
    rng.shuffle(kinds)
    kinds.append("boundary")
    plan = []
    for i in range(kills):
        group = range(len(tiers) * i // kills, len(tiers) * (i + 1) // kills)
        tier = rng.choice(list(group))
        role, stage = tiers[tier]
        plan.append(
            {
                "tier": tier + 1,
                "label": role + (f":{stage}" if stage else ""),
                "k": rng.randint(2, max(2, tier_size(role, stage))),
                "kind": kinds[i],
                "delay": round(rng.uniform(0, MID_CALL_MAX_DELAY), 2),
            }
        )
    return plan


class Tail:
    """The JSON lines appended to a file since the last read (a half-written last line waits for the next read)."""

    def __init__(self, path, offset=0):
        self.path = Path(path)
        self.offset = offset

    def read(self):
        if not self.path.exists():
            return []
        with open(self.path, "rb") as stream:
            stream.seek(self.offset)
            data = stream.read()
        end = data.rfind(b"\n") + 1
        self.offset += end
        return [json.loads(line) for line in data[:end].splitlines() if line.strip()]


def _starts(path):
    return [r for r in Tail(path).read() if r["event"] == "start"]


class Runner:
    """ansible-playbook site.yml on the test's emulator, in a session of its own, with the task_starts callback."""

    def __init__(self, playbook, work):
        self.playbook = playbook
        self.work = work
        self.requests_log = Path(playbook.emulator.state_dir) / "requests.jsonl"

    def start(self, name, target=None, pause=False):
        log_path = self.work / f"{name}.jsonl"
        env = dict(self.playbook.env)
        env["ANSIBLE_CALLBACK_PLUGINS"] = str(HERE / "callback_plugins")
        env["ANSIBLE_CALLBACKS_ENABLED"] = "ansible.posix.profile_tasks,task_starts"
        env["TASK_STARTS_LOG"] = str(log_path)
        # One process per module call instead of a temporary file, chmod and removal per task: cheaper.
        env["ANSIBLE_PIPELINING"] = "1"
        env.pop("TASK_STARTS_TARGET", None)
        env.pop("TASK_STARTS_PAUSE", None)
        if target:
            env["TASK_STARTS_TARGET"] = f"{target['tier']}:{target['k']}:{target.get('after', 0)}"
            env["TASK_STARTS_PAUSE"] = "1" if pause else "0"
        output = open(self.work / f"{name}.log", "w", encoding="utf-8")  # noqa: SIM115 (closed after the run)
        process = subprocess.Popen(
            self.playbook.command(), cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        return process, log_path, output

    def run(self, name):
        process, log_path, output = self.start(name)
        try:
            process.wait(timeout=RUN_TIMEOUT)
        finally:
            output.close()
        text = (self.work / f"{name}.log").read_text(encoding="utf-8")
        return process.returncode, text, _starts(log_path)

    def interrupt(self, name, point):
        """Run until the point, kill the process group; what the kill interrupted."""
        requests = Tail(self.requests_log, self.requests_log.stat().st_size if self.requests_log.exists() else 0)
        process, log_path, output = self.start(name, target=point, pause=point["kind"] == "boundary")
        starts = Tail(log_path)
        deadline = time.monotonic() + RUN_TIMEOUT
        killed = None
        target = None
        writes = []
        try:
            while killed is None and time.monotonic() < deadline and process.poll() is None:
                records = starts.read()
                if point["kind"] == "boundary":
                    if any(r["event"] == "paused" for r in records):
                        killed = {"write": None}
                else:
                    if target is None:
                        target = next((r for r in records if r["event"] == "start" and r.get("target")), None)
                    # The writes of the last seconds wait for the target to show; then the first one after its start.
                    now = time.time()
                    writes = [
                        r
                        for r in writes + requests.read()
                        if r.get("ts", now) > now - 10 and not r.get("operation", "").startswith(READ_ONLY)
                    ]
                    write = next(
                        (r["operation"] for r in writes if target is not None and r.get("ts", 0) >= target["t"]), None
                    )
                    if write:
                        time.sleep(point["delay"])
                        killed = {"write": write}
                if killed is not None:
                    os.killpg(process.pid, signal.SIGKILL)
                else:
                    time.sleep(0.01 if target is not None else 0.05)
            process.wait(timeout=60)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=60)
            output.close()
        text = (self.work / f"{name}.log").read_text(encoding="utf-8")
        assert killed is not None, f"{name}: the run ended (rc {process.returncode}) before {point}:\n{text[-3000:]}"
        last = _starts(log_path)[-1]
        return dict(killed, n=last["n"], tier_label=last["tier_label"], name=last["name"])


def _recap_changed(text):
    match = re.search(r"localhost\s+: ok=\d+\s+changed=(\d+)\s+unreachable=0\s+failed=0", text)
    return int(match.group(1)) if match else None


def _account_wide(endpoint):
    """Counts of the kinds an orphan could hide in untagged (killed between create and tag): the emulator's
    account holds only this stack."""
    args = {
        "endpoint_url": endpoint,
        "region_name": "us-east-1",
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    ec2 = boto3.client("ec2", **args)
    kms = boto3.client("kms", **args)
    keys = [
        meta
        for meta in (kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"] for k in kms.list_keys()["Keys"])
        if meta["KeyManager"] == "CUSTOMER" and meta["KeyState"] not in ("PendingDeletion", "PendingReplicaDeletion")
    ]
    aliased = {a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"]}
    nats = [n for n in ec2.describe_nat_gateways()["NatGateways"] if n["State"] not in ("deleted", "deleting")]
    addresses = ec2.describe_addresses()["Addresses"]
    endpoints = ec2.describe_vpc_endpoints()["VpcEndpoints"]
    owned = {address.get("NetworkInterfaceId") for nat in nats for address in nat.get("NatGatewayAddresses", [])}
    owned |= {eni for endpoint in endpoints for eni in endpoint.get("NetworkInterfaceIds", [])}
    return {
        "ec2.nat_gateways": len(nats),
        "ec2.elastic_ips": len(addresses),
        "ec2.elastic_ips: unassociated": sum(1 for a in addresses if not a.get("AssociationId")),
        "ec2.network_interfaces: owned by no NAT gateway or endpoint": len(
            {eni["NetworkInterfaceId"] for eni in ec2.describe_network_interfaces()["NetworkInterfaces"]} - owned
        ),
        "ec2.vpcs (not default)": sum(1 for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")),
        "kms.keys": len(keys),
        "kms.keys: without alias": sum(1 for meta in keys if meta["KeyId"] not in aliased),
        "elbv2.target_groups": len(boto3.client("elbv2", **args).describe_target_groups()["TargetGroups"]),
        "apigatewayv2.apis": len(boto3.client("apigatewayv2", **args).get_apis()["Items"]),
        "secretsmanager.secrets": len(boto3.client("secretsmanager", **args).list_secrets()["SecretList"]),
        "iam.roles": len(boto3.client("iam", **args).list_roles()["Roles"]),
        "acm.certificates": len(boto3.client("acm", **args).list_certificates()["CertificateSummaryList"]),
        "ec2.internet_gateways": len(ec2.describe_internet_gateways()["InternetGateways"]),
    }


def test_kill_plan_is_seeded_and_spread_over_every_tier_group():
    tiers = converge_tiers()
    assert tiers[0] == ("network", None) and tiers[-1] == ("parameters", None)
    plan = kill_plan(DEFAULT_SEED, 6)
    assert plan == kill_plan(DEFAULT_SEED, 6), "the same seed makes the same plan"
    assert plan != kill_plan(DEFAULT_SEED + 1, 6)
    assert [p["tier"] for p in plan] == sorted({p["tier"] for p in plan}), "one kill per tier, in converge order"
    assert plan[0]["tier"] <= len(tiers) // 6 + 1 and plan[-1]["tier"] >= len(tiers) - len(tiers) // 6
    assert {p["kind"] for p in plan} == {"boundary", "mid"} and plan[-1]["kind"] == "boundary"
    for point in plan:
        role, stage = tiers[point["tier"] - 1]
        assert 2 <= point["k"] <= tier_size(role, stage)
        assert 0 <= point["delay"] <= MID_CALL_MAX_DELAY


@pytest.mark.slow
@pytest.mark.emulator
def test_converge_killed_at_seeded_points_heals_to_the_expected_stack(playbook, tmp_path, record_property, monkeypatch):
    for key, value in playbook.emulator.aws_env().items():
        monkeypatch.setenv(key, value)  # for stack_state's boto3 clients
    seed = int(os.environ.get("PAYMENTS_INTERRUPT_SEED", DEFAULT_SEED))
    kills = int(os.environ.get("PAYMENTS_INTERRUPT_KILLS", "6"))
    assert kills >= 5
    plan = kill_plan(seed, kills)
    runner = Runner(playbook, tmp_path)
    began = time.monotonic()

    interrupted = []
    for i, point in enumerate(plan, start=1):
        # Past the previous kill, which a mid-call kill may have moved into a later tier than planned.
        point["after"] = interrupted[-1]["n"] if interrupted else 0
        interrupted.append(runner.interrupt(f"killed-{i}", point))
    for before, after in zip(interrupted, interrupted[1:], strict=False):
        assert after["n"] > before["n"], f"the kills did not move forward through the converge: {interrupted}"

    rc, text, starts = runner.run("rerun")
    assert rc == 0, f"the rerun after {kills} kills failed (seed {seed}, kills {interrupted}):\n{text[-6000:]}"

    counts = resource_counts(ENV, playbook.emulator.endpoint)
    differences = count_differences(counts, EXPECTED_COUNTS)
    assert not differences, f"after {kills} kills (seed {seed}) and a rerun, kinds differ: {differences}; {interrupted}"
    account = _account_wide(playbook.emulator.endpoint)
    expected_account = {kind: 0 if ": " in kind else EXPECTED_COUNTS[kind.split(" ")[0]] for kind in account}
    assert account == expected_account, f"orphans outside the stack's tags (seed {seed}): {account}; {interrupted}"

    rc, again, _starts_again = runner.run("again")
    assert rc == 0, again[-6000:]
    changed = _recap_changed(again)
    assert changed == 0, f"the rerun after the heal changed {changed} tasks (seed {seed}):\n{again[-6000:]}"

    minutes = (time.monotonic() - began) / 60
    points = ", ".join(
        f"{k['n']}{'' if point['kind'] == 'boundary' else '+'}" for k, point in zip(interrupted, plan, strict=True)
    )
    record_property(
        "figure",
        f"interrupted: {kills} kills (seed {seed}) at tasks {points} of {len(starts)} (+ = mid-call, after a write); "
        f"final {sum(counts.values())} resources in {len(counts)} kinds = expected; rerun changed=0; "
        f"{minutes:.0f} min",
    )
    for i, (k, point) in enumerate(zip(interrupted, plan, strict=True), start=1):
        record_property(
            f"kill {i}",
            f"{point['kind']} at task {k['n']} ({k['tier_label']}: {k['name']})"
            + (f" after {k['write']} + {point['delay']} s" if k["write"] else ""),
        )
