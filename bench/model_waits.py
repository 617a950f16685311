#!/usr/bin/env python3
"""Model the real-AWS converge time of site.yml: waits in place (sequential) vs started early and awaited together.

    python bench/model_waits.py [--scale 10] [--port N] [--emulator-dir DIR] [--modes sequential,overlapped]

moto creates everything at once, so a converge against it says nothing about the minutes AWS takes to bring up a
NAT gateway, an Aurora cluster and its instances, an ALB or a VPC Link. This runs site.yml on an empty account of
its own emulator in slow mode (PAYMENTS_EMULATOR_DELAYS, scripts/emulator_patches.py): each of those resources
reports its in-progress state for its typical real-AWS creation time (REAL_AWS_CREATE_SECONDS) divided by --scale,
so every wait of the playbooks really waits. Two runs, the emulator reset before each:

  sequential  -e network_wait=true aurora_wait=true alb_bluegreen_wait=true api_wait=true: each role waits for its
              own resources in place (the behaviour before the overlap; the ALB wait is new in both modes)
  overlapped  site.yml as it is: slow resources started without waiting, waited for together at the end

Measured: the wall time of each run and the Aurora critical path (cluster + instance delay: the instances can only
be created in an available cluster, so no converge can be shorter). Modelled real AWS: each run's task timeline
(task start times read from ansible-playbook's output as it runs) replayed with the real delays: a task that waited
for a resource kind (NAT, cluster, instances, ALB, VPC Link) is stretched or shortened to the real ready time of the
resources it waited for (their creation time, from the emulator's request log, shifted like the timeline, plus the
real delay); every other task keeps its measured duration (the emulator answers faster than AWS, and a loaded
machine runs ansible slower: neither is corrected). Prints, e.g. (2 cores, load average 8-13):

  model (1/10 scale, measured): sequential 849 s, overlapped 602 s, aurora critical path 72 s, ratio 8.35
  model: sequential 1929 s, overlapped 1042 s, aurora critical path 720 s, ratio 1.45

(the second line is the real-AWS model; ratio = overlapped / aurora critical path). Exit status 0 when every run
succeeded. The emulator is started through scripts/emulator on --port (default: a free one) with its own
PAYMENTS_EMULATOR_DIR and stopped by its PID at the end.
"""

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import emulator_patches  # noqa: E402

SEQUENTIAL_VARS = {"network_wait": True, "aurora_wait": True, "alb_bluegreen_wait": True, "api_wait": True}

# Tasks that wait (or may wait) for a resource kind, by "<role> : <task name>". A task counts as a wait only when it
# ended after its resources were ready: a create task that did not wait (wait: false), or a skipped wait, did not.
WAIT_TASKS = [
    (re.compile(r"network : Wait until every NAT gateway is available"), "nat_gateway"),
    (re.compile(r"aurora : Create the cluster with the master credential"), "db_cluster"),
    (re.compile(r"aurora : Wait until every instance is available"), "db_instance"),
    (re.compile(r"alb_bluegreen : Wait until the load balancer is active"), "load_balancer"),
    (re.compile(r"api : Create the VPC Link to the internal ALB"), "vpc_link"),
    (re.compile(r"api : Wait until the VPC Link is AVAILABLE"), "vpc_link"),
]
# Requests that create a resource of each kind (service operation names as scripts/emulator logs them).
CREATE_OPERATIONS = {
    "CreateNatGateway": "nat_gateway",
    "CreateDBCluster": "db_cluster",
    "CreateDBInstance": "db_instance",
    "CreateLoadBalancer": "load_balancer",
    "POST /v2/vpclinks": "vpc_link",
}
TASK_LINE = re.compile(r"^TASK \[(?P<name>.*)\] \**$")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def emulator(env, *args):
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "emulator"), *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def run_playbook(env, extra_vars):
    """Run site.yml; return (rc, wall seconds, epoch at start, [(task name, start s, end s)], recap line)."""
    command = [str(ROOT / ".venv" / "bin" / "ansible-playbook"), "playbooks/site.yml", "-i", "inventories/local"]
    if extra_vars:
        command += ["-e", json.dumps(extra_vars)]
    started_epoch = time.time()
    started = time.monotonic()
    tasks = []
    recap = ""
    with subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    ) as proc:
        for line in proc.stdout:
            now = time.monotonic() - started
            match = TASK_LINE.match(line.rstrip())
            if match:
                if tasks:
                    tasks[-1][2] = now
                tasks.append([match.group("name"), now, None])
            if line.startswith("localhost") and "failed=" in line:
                recap = line.strip()
        rc = proc.wait()
    wall = time.monotonic() - started
    if tasks:
        tasks[-1][2] = wall
    return rc, wall, started_epoch, [tuple(task) for task in tasks], recap


def creations(log_path, since, started_epoch):
    """(seconds after the run started, kind) of every creation request in the emulator log after line `since`."""
    found = []
    with open(log_path, encoding="utf-8") as log:
        for number, line in enumerate(log):
            if number < since:
                continue
            entry = json.loads(line)
            kind = CREATE_OPERATIONS.get(entry.get("operation"))
            if kind and entry.get("status", 200) < 300:
                found.append((entry["ts"] - started_epoch, kind))
    return found


def replay(tasks, created, delays, real):
    """Wall time of the task timeline with the real delays instead of the scaled ones (see the module docstring)."""
    shift = 0.0
    shifts = []  # (measured end of a task, shift of everything after it)

    def shift_at(at):
        before = [after for ended, after in shifts if ended <= at]
        return before[-1] if before else 0.0

    for name, start, end in tasks:
        kind = next((kind for pattern, kind in WAIT_TASKS if pattern.search(name)), None)
        resources = [at for at, k in created if k == kind and at <= end] if kind else []
        if resources:
            ready = max(at + delays[kind] for at in resources)
            if end >= ready:
                ready_real = max(at + shift_at(at) + real[kind] for at in resources)
                duration = end - start
                overhead = max(0.0, duration - max(0.0, ready - start))
                shift += overhead + max(0.0, ready_real - (start + shift)) - duration
        shifts.append((end, shift))
    return (tasks[-1][2] if tasks else 0.0) + shift


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--scale", type=float, default=emulator_patches.DEFAULT_DELAY_SCALE)
    parser.add_argument("--port", type=int, default=0, help="emulator port (default: a free one)")
    parser.add_argument(
        "--emulator-dir", default="", help="PAYMENTS_EMULATOR_DIR of the emulator (default: a temp dir)"
    )
    parser.add_argument("--modes", default="sequential,overlapped")
    parser.add_argument("--out", default="", help="write the figures and timelines as JSON here")
    args = parser.parse_args()

    real = {kind: float(seconds) for kind, seconds in emulator_patches.REAL_AWS_CREATE_SECONDS.items()}
    delays = emulator_patches.creation_delays({"scale": args.scale})
    emulator_dir = Path(args.emulator_dir or tempfile.mkdtemp(prefix="model-waits-"))
    port = args.port or free_port()
    env = dict(os.environ)
    env.update(
        PAYMENTS_EMULATOR_DIR=str(emulator_dir),
        PAYMENTS_EMULATOR_DELAYS=json.dumps({"scale": args.scale}),
        AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}",
        PYTHONUNBUFFERED="1",
        ANSIBLE_FORCE_COLOR="0",
    )
    emulator(env, "start", "--port", str(port))
    results = {}
    ok = True
    try:
        for mode in args.modes.split(","):
            emulator(env, "reset")
            since = int(emulator(env, "mark").strip())
            rc, wall, started_epoch, tasks, recap = run_playbook(env, SEQUENTIAL_VARS if mode == "sequential" else {})
            created = creations(emulator_dir / "requests.jsonl", since, started_epoch)
            results[mode] = {
                "rc": rc,
                "recap": recap,
                "measured_s": round(wall, 1),
                "real_model_s": round(replay(tasks, created, delays, real), 1),
                "created": created,
                "tasks": tasks,
            }
            ok = ok and rc == 0
            print(f"{mode}: rc={rc} {wall:.0f} s measured; {recap}", flush=True)
    finally:
        emulator(env, "stop")
    critical = delays["db_cluster"] + delays["db_instance"]
    critical_real = real["db_cluster"] + real["db_instance"]
    seq, ovl = results.get("sequential", {}), results.get("overlapped", {})
    if seq and ovl:
        print(
            f"model (1/{args.scale:g} scale, measured): sequential {seq['measured_s']:.0f} s, overlapped "
            f"{ovl['measured_s']:.0f} s, aurora critical path {critical:.0f} s, "
            f"ratio {ovl['measured_s'] / critical:.2f}"
        )
        print(
            f"model: sequential {seq['real_model_s']:.0f} s, overlapped {ovl['real_model_s']:.0f} s, aurora critical "
            f"path {critical_real:.0f} s, ratio {ovl['real_model_s'] / critical_real:.2f}"
        )
    if args.out:
        Path(args.out).write_text(
            json.dumps({"scale": args.scale, "delays": delays, "real": real, "results": results}, indent=1),
            encoding="utf-8",
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
