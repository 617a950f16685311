"""The network tier's async jobs (issue #8): amazon.aws ec2_vpc_route_table sleeps 5 s after every table it changes
and ec2_security_group 3 s after every group it creates, so roles/network runs those loops as async jobs collected
by one async_status task each (routes.yml, security_groups.yml), and a run first waits for the jobs a killed run
left running (jobs.yml).

- A converge of --tags network on an empty account: the sleeps overlap (the emulator receives the creations closer
  together than the modules' sleeps allow one after the other), the collecting tasks report the modules' changes and
  the outputs carry the ids the jobs returned, every job's status file is gone at the end; a rerun is changed=0 and
  starts no job; a job that fails fails its collecting task under the table's name.
- A converge killed while the route table jobs run, rerun at once: the rerun waits for those jobs before it reads
  what exists, and makes no second route table or security group.
"""

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import boto3
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.emulator]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ENV = "local"
RUN_TIMEOUT = 900
ROUTE_TABLES = 7  # public + private and database per AZ (3 AZs)
GROUPS = 5
RT_SLEEP = 5  # amazon.aws ec2_vpc_route_table: sleep(5) after a change
SG_SLEEP = 3  # amazon.aws ec2_security_group: sleep(3) after a create
RT_START = "Start creating or updating the route tables that differ"
RT_WAIT = "Wait for the route tables to be created or updated"
SG_START = "Start creating the security groups that do not exist yet (rules follow)"
SG_WAIT = "Wait for the security groups to be created"
KILLED_WAIT = "Wait for the jobs an interrupted run left running"
RECAP = re.compile(r"localhost\s+: ok=\d+\s+changed=(\d+)\s+unreachable=0\s+failed=(\d+)")


def jobs_root(endpoint):
    """roles/network/vars/main.yml network__jobs_dir for inventories/local on this emulator."""
    key = hashlib.sha1(endpoint.encode()).hexdigest()[:8]  # noqa: S324 (a directory name, not security)
    return Path.home() / ".ansible_async" / "payments.infra.network" / f"{ENV}-us-east-1-{key}"


def _request_times(emulator, operation, since):
    """Epoch times of the emulator's requests of one operation (CreateRouteTable) since a time."""
    log = Path(emulator.state_dir) / "requests.jsonl"
    records = (json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip())
    return sorted(r["ts"] for r in records if r.get("operation") == operation and r.get("ts", 0) >= since)


def _ec2(emulator):
    return boto3.client(
        "ec2",
        region_name="us-east-1",
        endpoint_url=emulator.endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # moto's documented dummy credentials
    )


def _network(ec2):
    """(route tables tagged by the tier, security groups other than default) of the environment's VPCs."""
    vpcs = [v["VpcId"] for v in ec2.describe_vpcs(Filters=[{"Name": "tag:Environment", "Values": [ENV]}])["Vpcs"]]
    if not vpcs:
        return [], []
    tables = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": vpcs}, {"Name": "tag:Component", "Values": ["route-table"]}]
    )["RouteTables"]
    groups = [
        g
        for g in ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": vpcs}])["SecurityGroups"]
        if g["GroupName"] != "default"
    ]
    return tables, groups


class Run:
    """ansible-playbook site.yml --tags network in a session of its own, logging task starts and results."""

    def __init__(self, playbook, work, name, *args):
        self.log = work / f"{name}.log"
        self.starts = work / f"{name}.jsonl"
        env = dict(playbook.env)
        env["ANSIBLE_CALLBACK_PLUGINS"] = str(HERE / "callback_plugins")
        env["ANSIBLE_CALLBACKS_ENABLED"] = "ansible.posix.profile_tasks,task_starts"
        env["TASK_STARTS_LOG"] = str(self.starts)
        for key in ("TASK_STARTS_TARGET", "TASK_STARTS_PAUSE"):
            env.pop(key, None)
        self.output = open(self.log, "w", encoding="utf-8")  # noqa: SIM115 (closed in wait)
        self.process = subprocess.Popen(
            playbook.command("--tags", "network", *args),
            cwd=ROOT,
            env=env,
            stdout=self.output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def records(self):
        if not self.starts.exists():
            return []
        return [json.loads(line) for line in self.starts.read_text(encoding="utf-8").splitlines() if line.strip()]

    def wait(self):
        try:
            self.process.wait(timeout=RUN_TIMEOUT)
        finally:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=60)
            self.output.close()
        return self.process.returncode, self.log.read_text(encoding="utf-8")

    def kill_at(self, task_name):
        """SIGKILL the whole process group when task_name starts (the task before it has ended)."""
        deadline = time.monotonic() + RUN_TIMEOUT
        try:
            while time.monotonic() < deadline and self.process.poll() is None:
                if any(r["event"] == "start" and r["name"].endswith(task_name) for r in self.records()):
                    os.killpg(self.process.pid, signal.SIGKILL)
                    break
                time.sleep(0.02)
            killed = self.process.poll() is None or self.process.returncode == -signal.SIGKILL
            self.process.wait(timeout=60)
        finally:
            self.output.close()
        return killed, self.log.read_text(encoding="utf-8")

    def tasks(self):
        """{task name: (seconds, status)} from the callback's start and result records."""
        starts, out = {}, {}
        for record in self.records():
            if record["event"] == "start":
                starts[record["n"]] = record
            elif record["event"] == "result" and record["n"] in starts:
                start = starts[record["n"]]
                name = start["name"].split(" : ", 1)[-1]
                out[name] = (record["t"] - start["t"], record["status"])
        return out


def _recap(text):
    match = RECAP.search(text)
    assert match, text[-3000:]
    return int(match.group(1)), int(match.group(2))


def _section(text, task_name):
    """The output of one task: from its banner to the next banner."""
    parts = text.split(f": {task_name}]", 1)
    assert len(parts) == 2, f"no task {task_name!r} in the output"
    return parts[1].split("\nTASK [", 1)[0]


@pytest.fixture(autouse=True)
def _remove_job_files(playbook):
    """The tests leave no job status files behind (a killed or failed run leaves its own, by design)."""
    yield
    shutil.rmtree(jobs_root(playbook.emulator.endpoint), ignore_errors=True)


def test_network_jobs_overlap_report_changes_and_fail_under_the_table_name(playbook, tmp_path, record_property):
    ec2 = _ec2(playbook.emulator)
    began = time.monotonic()
    since = time.time()
    converge = Run(playbook, tmp_path, "converge")
    rc, text = converge.wait()
    seconds = time.monotonic() - began
    assert rc == 0, text[-6000:]
    tasks = converge.tasks()
    rt_seconds = tasks[RT_START][0] + tasks[RT_WAIT][0]
    sg_seconds = tasks[SG_START][0] + tasks[SG_WAIT][0]
    # One module after the other, each creation would come at least one sleep after the previous one.
    spreads = {}
    for operation, count, sleep in (
        ("CreateRouteTable", ROUTE_TABLES, RT_SLEEP),
        ("CreateSecurityGroup", GROUPS, SG_SLEEP),
    ):
        times = _request_times(playbook.emulator, operation, since)
        assert len(times) == count, (operation, times)
        spread = times[-1] - times[0]
        assert spread < (count - 1) * sleep, f"{operation}: {count} in {spread:.1f} s, the jobs did not overlap"
        spreads[operation] = spread
    # The launches report nothing; the collecting tasks report what the modules did.
    assert tasks[RT_START][1] == "ok" and tasks[SG_START][1] == "ok", tasks
    assert tasks[RT_WAIT][1] == "changed" and tasks[SG_WAIT][1] == "changed", tasks
    for name, count in ((RT_WAIT, ROUTE_TABLES), (SG_WAIT, GROUPS)):
        assert len(re.findall(r"^changed: \[localhost\] => \(item=payment-local-", _section(text, name), re.M)) == count
    tables, groups = _network(ec2)
    assert len(tables) == ROUTE_TABLES and len(groups) == GROUPS, (tables, groups)
    # The outputs carry the ids the jobs returned.
    outputs = json.loads(re.search(r'"network_outputs": (\{.*?\n    \})', text, re.S).group(1))
    assert sorted(sum(outputs["route_table_ids"].values(), [])) == sorted(t["RouteTableId"] for t in tables)
    assert sorted(outputs["security_group_ids"].values()) == sorted(g["GroupId"] for g in groups)
    root = jobs_root(playbook.emulator.endpoint)
    assert not root.exists(), f"job status files left behind: {list(root.rglob('*'))}"

    rerun = Run(playbook, tmp_path, "rerun")
    rc, again = rerun.wait()
    assert rc == 0, again[-6000:]
    assert _recap(again) == (0, 0), again[-3000:]
    statuses = {name: status for name, (_seconds, status) in rerun.tasks().items()}
    assert {statuses[n] for n in (RT_START, RT_WAIT, SG_START, SG_WAIT)} == {"skipped"}, statuses

    # A job that fails: the public table differs (a tag), and two more tables carry exactly its tags, so
    # ec2_vpc_route_table (lookup: tag) finds no unique table and fails in its job.
    public = next(t for t in tables if t["Tags"] and {"Key": "Tier", "Value": "public"} in t["Tags"])
    vpc_id = public["VpcId"]
    for _dummy in range(2):
        ec2.create_route_table(
            VpcId=vpc_id, TagSpecifications=[{"ResourceType": "route-table", "Tags": public["Tags"]}]
        )
    ec2.create_tags(Resources=[public["RouteTableId"]], Tags=[{"Key": "Tier", "Value": "drifted"}])
    failing = Run(playbook, tmp_path, "failing")
    rc, failed = failing.wait()
    assert rc != 0, failed[-6000:]
    section = _section(failed, RT_WAIT)
    assert re.search(r"^failed: \[localhost\] \(item=payment-local-rt-public\) => ", section, re.M), section
    assert "Tags provided do not identify a unique route table" in section, section
    assert failing.tasks()[RT_WAIT][1] == "failed"

    record_property(
        "figure",
        f"network-jobs: converge --tags network {seconds:.0f} s; {ROUTE_TABLES} route tables created within "
        f"{spreads['CreateRouteTable']:.1f} s (one after the other >= {(ROUTE_TABLES - 1) * RT_SLEEP} s), start + "
        f"collect {rt_seconds:.1f} s; {GROUPS} groups within {spreads['CreateSecurityGroup']:.1f} s "
        f"(>= {(GROUPS - 1) * SG_SLEEP} s), {sg_seconds:.1f} s; rerun changed=0, no job; a failed job fails under "
        "its table's name",
    )


def test_a_rerun_waits_for_the_jobs_of_a_killed_run_and_makes_no_duplicate(playbook, tmp_path, record_property):
    ec2 = _ec2(playbook.emulator)
    killed_run = Run(playbook, tmp_path, "killed")
    # Right after the route table jobs started (they are collected after the security groups' rules).
    killed, text = killed_run.kill_at(SG_WAIT)
    assert killed, f"the run ended before its route table jobs were collected:\n{text[-3000:]}"
    started = [r for r in killed_run.records() if r["event"] == "start" and r["name"].endswith(RT_START)]
    assert started, text[-3000:]
    assert jobs_root(playbook.emulator.endpoint).is_dir(), "the killed run left no job status file"

    rerun = Run(playbook, tmp_path, "rerun")
    rc, healed = rerun.wait()
    assert rc == 0, healed[-6000:]
    waited = re.findall(r"^ok: \[localhost\] => \(item=(j\d+\.\d+)\)", _section(healed, KILLED_WAIT), re.M)
    assert len(waited) >= 1, _section(healed, KILLED_WAIT)
    tables, groups = _network(ec2)
    assert len(tables) == ROUTE_TABLES, [t["Tags"] for t in tables]
    assert len({tuple(sorted((t["Key"], t["Value"]) for t in table["Tags"])) for table in tables}) == ROUTE_TABLES
    assert len(groups) == GROUPS, [g["GroupName"] for g in groups]
    assert not jobs_root(playbook.emulator.endpoint).exists(), "the rerun left job status files"

    again = Run(playbook, tmp_path, "again")
    rc, text = again.wait()
    assert rc == 0, text[-6000:]
    assert _recap(text) == (0, 0), text[-3000:]

    record_property(
        "figure",
        f"network-jobs-killed: killed as its route table jobs started, the rerun waited for {len(waited)} jobs: "
        f"{len(tables)} route tables, {len(groups)} groups (no duplicate), next run changed=0",
    )
