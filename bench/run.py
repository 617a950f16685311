#!/usr/bin/env python3
"""Where the time and the AWS API requests of site.yml go: one command, on an emulator of its own.

    python bench/run.py [--runs 3] [--out build/bench] [--tags network] [--skip-converge] [--skip-lambdas]

Each run resets the emulator (so the converge starts from an empty account), then measures
  converge   site.yml on the empty account,
  noop       site.yml again (must report changed=0),
  check      site.yml --check on the converged account (must report changed=0),
with the wall time of ansible-playbook, the tasks it ran, the AWS API requests it sent (the emulator's request
log, by service and operation) and, through bench/callback_plugins/payments_bench.py (enabled for these runs
only), the wall time, requests and tasks of each tier, the slowest tasks and each module's calls and cost.
After the first converge it counts the managed resources (tests/stack_state.py) for requests per resource.
Then it runs bench/lambdas.py for the Lambda hot-path figures.

Figures are medians over the runs. Output: a table on stdout (also build/bench/bench.txt), build/bench/bench.json,
build/bench/bench.md (the main tables as Markdown), build/bench/bench.png (per-tier time and requests of each
phase) and, per run, the task and request logs and the ansible-playbook output under build/bench/runs/<n>/.
It measures a copy of the work tree taken at the start (build/bench/snapshot; --no-snapshot: the tree itself),
so edits made while it runs do not change what it measures. --render prints an earlier bench.json again.

The emulator is started through scripts/emulator with its own PAYMENTS_EMULATOR_DIR (--emulator-dir) on
--port (default: a free port) and stopped by its PID at the end. Exit status: 0 when every playbook run
succeeded and the no-op rerun and the --check run reported changed=0, 1 otherwise.
"""

import argparse
import configparser
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import aggregate  # noqa: E402

PHASES = {"converge": [], "noop": [], "check": ["--check"]}
CALLBACK = "payments_bench"
AWS_DUMMY = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",  # moto's documented dummy credentials
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _loadavg():
    return [round(v, 2) for v in os.getloadavg()]


class Emulator:
    """The benchmark's own moto_server, driven through scripts/emulator."""

    def __init__(self, state_dir, port, tree=ROOT):
        self.script = tree / "scripts" / "emulator"
        self.state_dir = Path(state_dir).resolve()
        self.port = port
        self.endpoint = f"http://127.0.0.1:{port}"
        self.env = dict(os.environ, PAYMENTS_EMULATOR_DIR=str(self.state_dir))

    def _run(self, *args):
        return subprocess.run(
            [sys.executable, str(self.script), *args], env=self.env, check=True, capture_output=True, text=True
        ).stdout

    def start(self):
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._run("start", "--port", str(self.port))
        running = self._run("endpoint").strip()
        if running != self.endpoint:
            self.endpoint = running
            self.port = int(running.rsplit(":", 1)[1])

    def stop(self):
        self._run("stop")

    def reset(self):
        self._run("reset")

    def mark(self):
        return int(self._run("mark").strip())

    def requests_summary(self, since):
        return json.loads(self._run("requests", "--since", str(since), "--json"))

    def entries(self, since):
        return aggregate.load_jsonl(self.state_dir / "requests.jsonl")[since:]


# What a snapshot leaves out: the venv, VCS data, caches, outputs and emulator state.
SNAPSHOT_IGNORE = shutil.ignore_patterns(
    ".venv", ".git", "build", ".emulator", ".cache", ".ansible", ".pytest_cache", ".ruff_cache", ".hypothesis",
    ".molecule", "__pycache__", "output", "*.tar.gz",
)  # fmt: skip


def snapshot(dest):
    """Copy the work tree to dest, so edits made while the benchmark runs do not change what it measures.

    collections/ansible_collections/payments/infra is a relative link to the root, so it follows the copy.
    """
    dest = dest.resolve()

    def ignore(directory, names):
        skipped = set(SNAPSHOT_IGNORE(directory, names))
        return skipped | {n for n in names if (Path(directory) / n).resolve() == dest}

    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(ROOT, dest, symlinks=True, ignore=ignore)
    return dest


def _ansible_playbook():
    """ansible-playbook of this interpreter's venv (the project's .venv), else the one on PATH."""
    beside = Path(sys.executable).parent / "ansible-playbook"
    found = str(beside) if beside.exists() else shutil.which("ansible-playbook")
    if not found:
        raise SystemExit("bench: ansible-playbook not found; activate the project venv (. .venv/bin/activate)")
    return found


def _callbacks_enabled(tree):
    """ansible.cfg's callbacks_enabled plus ours (ANSIBLE_CALLBACKS_ENABLED replaces the ini value)."""
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(tree / "ansible.cfg")
    enabled = [c.strip() for c in cfg.get("defaults", "callbacks_enabled", fallback="").split(",") if c.strip()]
    return ",".join([*enabled, CALLBACK])


def strategy_environment(strategy):
    """Environment that selects the strategy: {} for linear, Mitogen's strategy plugins for mitogen."""
    if strategy == "linear":
        return {}
    try:
        import ansible_mitogen  # pylint: disable=import-outside-toplevel
    except ImportError as exc:
        raise SystemExit(
            "bench: --strategy mitogen needs the mitogen package (pip install -r requirements-dev.txt)"
        ) from exc
    plugins = Path(ansible_mitogen.__file__).parent / "plugins" / "strategy"
    return {"ANSIBLE_STRATEGY_PLUGINS": str(plugins), "ANSIBLE_STRATEGY": "mitogen_linear"}


def run_phase(name, emulator, run_dir, args):
    """One ansible-playbook run of site.yml: its summary (bench/aggregate.py) plus return code and load."""
    task_log = run_dir / f"{name}.tasks.jsonl"
    task_log.unlink(missing_ok=True)
    env = dict(os.environ)
    env.update(AWS_DUMMY)
    env.update(
        AWS_ENDPOINT_URL=emulator.endpoint,
        PAYMENTS_EMULATOR_DIR=str(emulator.state_dir),
        ANSIBLE_CONFIG=str(args.tree / "ansible.cfg"),
        ANSIBLE_CALLBACK_PLUGINS=str(args.tree / "bench" / "callback_plugins"),
        ANSIBLE_CALLBACKS_ENABLED=_callbacks_enabled(args.tree),
        ANSIBLE_NOCOLOR="1",
        BENCH_TASK_LOG=str(task_log),
    )
    env.update(strategy_environment(args.strategy))
    command = [_ansible_playbook(), "playbooks/site.yml", "-i", "inventories/local"]
    command += PHASES[name]
    if args.tags:
        command += ["--tags", args.tags]
    mark = emulator.mark()
    load_before = _loadavg()
    with open(run_dir / f"{name}.log", "w", encoding="utf-8") as log:
        started = time.perf_counter()
        proc = subprocess.run(command, cwd=args.tree, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
        wall = time.perf_counter() - started
    entries = emulator.entries(mark)
    with open(run_dir / f"{name}.requests.jsonl", "w", encoding="utf-8") as out:
        out.writelines(json.dumps(e) + "\n" for e in entries)
    logged = emulator.requests_summary(mark)["total"]
    if logged != len(entries):
        raise RuntimeError(f"{name}: request log slice has {len(entries)} entries, scripts/emulator counts {logged}")
    summary = aggregate.summarize_phase(aggregate.load_jsonl(task_log), entries, round(wall, 3))
    summary.update(returncode=proc.returncode, loadavg_before=load_before, loadavg_after=_loadavg())
    print(
        f"bench: {run_dir.name} {name:<8} {wall:7.1f} s  rc={proc.returncode}  tasks={summary['tasks']}  "
        f"changed={summary['changed']}  requests={len(entries)}  load={summary['loadavg_after'][0]}",
        flush=True,
    )
    return summary


def managed_resources(env_name, endpoint, tree):
    """Resources of the environment after a converge: tests/stack_state.py, else the Resource Groups Tagging API."""
    previous = {k: os.environ.get(k) for k in AWS_DUMMY}
    os.environ.update(AWS_DUMMY)
    try:
        try:
            sys.path.insert(0, str(tree / "tests"))
            import stack_state  # pylint: disable=import-outside-toplevel
        except ImportError:
            stack_state = None
        if stack_state is not None:
            counts = stack_state.resource_counts(env_name, endpoint)
            return {"total": sum(counts.values()), "source": "tests/stack_state.py", "by_kind": counts}
        import boto3  # pylint: disable=import-outside-toplevel

        client = boto3.client("resourcegroupstaggingapi", endpoint_url=endpoint)
        arns = []
        for page in client.get_paginator("get_resources").paginate(
            TagFilters=[{"Key": "Environment", "Values": [env_name]}]
        ):
            arns += [r["ResourceARN"] for r in page["ResourceTagMappingList"]]
        kinds = {}
        for arn in arns:
            kind = arn.split(":")[2]
            kinds[kind] = kinds.get(kind, 0) + 1
        return {"total": len(arns), "source": "resourcegroupstaggingapi Environment tag", "by_kind": kinds}
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_lambdas(args):
    """bench/lambdas.py's JSON report (processing only where the PostgreSQL server binaries are installed)."""
    sys.path.insert(0, str(args.tree / "scripts"))
    import pg_cluster  # pylint: disable=import-outside-toplevel

    command = [sys.executable, str(args.tree / "bench" / "lambdas.py"), "--validations", str(args.lambda_validations)]
    if args.lambdas_skip_processing or pg_cluster.find_bindir() is None:
        command.append("--skip-processing")
    if args.lambda_emulator_port:
        command += ["--emulator-port", str(args.lambda_emulator_port)]
    if args.lambda_postgres_port:
        command += ["--postgres-port", str(args.lambda_postgres_port)]
    print(f"bench: {' '.join(Path(c).name if c == sys.executable else c for c in command[1:])}", flush=True)
    proc = subprocess.run(command, cwd=args.tree, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {"error": f"bench/lambdas.py exited {proc.returncode}: {proc.stderr.strip()[-500:]}"}
    report = json.loads(proc.stdout)
    if "--skip-processing" in command:
        report["processing_skipped"] = True
    return report


def plot(report, path):
    """Per-tier median wall time and requests of each phase, as horizontal grouped bars (PNG, Agg backend)."""
    import matplotlib  # pylint: disable=import-outside-toplevel

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel

    phases = {k: v for k, v in report["phases"].items() if v}
    tiers = []
    for phase in phases.values():
        tiers.extend(t for t in phase["tiers"] if t not in tiers)
    height = 0.8 / max(1, len(phases))
    fig, (time_ax, req_ax) = plt.subplots(1, 2, figsize=(15, 1.5 + 0.42 * len(tiers)), sharey=True)
    for j, (name, phase) in enumerate(phases.items()):
        ys = [i + (j - (len(phases) - 1) / 2) * height for i in range(len(tiers))]
        label = f"{aggregate.PHASE_LABELS.get(name, name)}: {phase['wall_s']['median']:.1f} s"
        seconds = [phase["tiers"].get(t, {}).get("seconds") or 0 for t in tiers]
        requests = [phase["tiers"].get(t, {}).get("requests") or 0 for t in tiers]
        time_ax.barh(ys, seconds, height, label=label)
        req_ax.barh(ys, requests, height, label=f"{name}: {phase['requests']['total']} requests")
    time_ax.set_yticks(range(len(tiers)), [aggregate.shorten(t, 40) for t in tiers])
    time_ax.invert_yaxis()
    time_ax.set_xlabel("seconds (median over runs)")
    req_ax.set_xlabel("AWS API requests (median over runs)")
    meta = report["meta"]
    time_ax.set_title(f"site.yml time per tier ({meta['runs']} run(s), load {meta['loadavg_start'][0]})")
    req_ax.set_title("AWS API requests per tier")
    for ax in (time_ax, req_ax):
        ax.grid(axis="x", alpha=0.3)
        ax.legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _versions():
    versions = {"python": platform.python_version()}
    for dist in ("ansible-core", "ansible", "moto", "boto3", "mitogen"):
        try:
            from importlib.metadata import version  # pylint: disable=import-outside-toplevel

            versions[dist] = version(dist)
        except Exception:  # pylint: disable=broad-except  # noqa: BLE001
            versions[dist] = None
    return versions


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs per phase; figures are medians (default 3)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench", help="output directory")
    parser.add_argument("--tags", default="", help="passed to ansible-playbook --tags (e.g. network)")
    parser.add_argument(
        "--skip-converge",
        action="store_true",
        help="converge once to set up, then measure only the no-op rerun and --check, --runs times",
    )
    parser.add_argument("--skip-check", action="store_true", help="do not measure --check")
    parser.add_argument("--skip-lambdas", action="store_true", help="do not run bench/lambdas.py")
    parser.add_argument("--lambdas-skip-processing", action="store_true", help="bench/lambdas.py --skip-processing")
    parser.add_argument("--lambda-validations", type=int, default=50_000)
    parser.add_argument("--lambda-emulator-port", type=int, default=0, help="bench/lambdas.py --emulator-port")
    parser.add_argument("--lambda-postgres-port", type=int, default=0, help="bench/lambdas.py --postgres-port")
    parser.add_argument("--no-plot", action="store_true", help="skip the PNG")
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("PAYMENTS_BENCH_PORT", "0")) or None,
        help="emulator port (default: $PAYMENTS_BENCH_PORT, else a free port)",
    )
    parser.add_argument(
        "--emulator-dir", type=Path, default=None, help="PAYMENTS_EMULATOR_DIR (default <out>/emulator)"
    )
    parser.add_argument(
        "--no-snapshot",
        action="store_true",
        help="run from the work tree itself instead of a copy taken at the start (<out>/snapshot)",
    )
    parser.add_argument(
        "--render",
        type=Path,
        metavar="BENCH_JSON",
        help="measure nothing: print the tables of an earlier bench.json and redraw its plot beside it",
    )
    parser.add_argument(
        "--reaggregate",
        action="store_true",
        help="with --render: recompute the figures from the runs/ logs beside the JSON and rewrite it",
    )
    parser.add_argument("--markdown", action="store_true", help="with --render: print Markdown tables (bench.md)")
    parser.add_argument("--env", default="local", help="environment_suffix of inventories/local (default local)")
    parser.add_argument(
        "--strategy",
        choices=["linear", "mitogen"],
        default="linear",
        help="Ansible strategy of the measured runs: linear (ansible.cfg's default) or mitogen (mitogen_linear; "
        "needs the mitogen package of requirements-dev.txt)",
    )
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    if args.runs < 1:
        parser.error("--runs must be >= 1")
    return args


def measure(args):
    """Run the phases on a fresh emulator; return {phase: [summary per run]} and the managed-resource count."""
    runs = {name: [] for name in PHASES}
    runs["setup"] = []
    managed = None
    emulator = Emulator(args.emulator_dir or args.out / "emulator", args.port or _free_port(), args.tree)
    emulator.start()
    print(f"bench: emulator {emulator.endpoint} (PAYMENTS_EMULATOR_DIR={emulator.state_dir})", flush=True)
    try:
        for index in range(1, args.runs + 1):
            run_dir = args.out / "runs" / str(index)
            run_dir.mkdir(parents=True, exist_ok=True)
            if not args.skip_converge or index == 1:
                emulator.reset()
                converge = run_phase("converge", emulator, run_dir, args)
                runs["setup" if args.skip_converge else "converge"].append(converge)
                if converge["returncode"] != 0:
                    break
                if managed is None:
                    try:
                        managed = managed_resources(args.env, emulator.endpoint, args.tree)
                    except Exception as exc:  # pylint: disable=broad-except  # noqa: BLE001 (a figure, not the run)
                        managed = {"total": None, "error": f"{type(exc).__name__}: {exc}"}
            noop = run_phase("noop", emulator, run_dir, args)
            runs["noop"].append(noop)
            if not args.skip_check:
                runs["check"].append(run_phase("check", emulator, run_dir, args))
            if any(s["returncode"] != 0 for phase in runs.values() for s in phase):
                break
    finally:
        emulator.stop()
    return runs, managed


def build_report(args, runs, managed, lambdas, context):
    phases = {name: aggregate.combine_runs(runs[name]) for name in PHASES}
    returncodes = {name: [s["returncode"] for s in summaries] for name, summaries in runs.items() if summaries}
    report = {
        "meta": {
            "started": context["started"],
            "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "runs": args.runs,
            "tags": args.tags or None,
            "skip_converge": args.skip_converge,
            "strategy": args.strategy,
            "tree": str(args.tree),
            "command": " ".join(["python bench/run.py", *args.argv]),
            "cpu_count": os.cpu_count(),
            "loadavg_start": context["loadavg_start"],
            "loadavg_end": _loadavg(),
            "versions": _versions(),
            "returncodes": returncodes,
        },
        "phases": phases,
        "setup": aggregate.combine_runs(runs["setup"]),
        "managed_resources": managed,
        "requests_per_resource": aggregate.requests_per_resource(phases, (managed or {}).get("total")),
        "idempotence": aggregate.idempotence(phases),
        "lambdas": lambdas,
    }
    report["ok"] = all(rc == 0 for codes in returncodes.values() for rc in codes) and report["idempotence"]["ok"]
    return report


def reaggregate(report, runs_dir):
    """The report with its phases computed again from the task and request logs kept under runs/<n>/."""
    returncodes = report["meta"].get("returncodes", {})
    phases = {}
    for name in PHASES:
        previous = report["phases"].get(name)
        if not previous:
            phases[name] = None
            continue
        summaries = []
        for index, wall in enumerate(previous["wall_s"]["values"], start=1):
            run_dir = runs_dir / str(index)
            summary = aggregate.summarize_phase(
                aggregate.load_jsonl(run_dir / f"{name}.tasks.jsonl"),
                aggregate.load_jsonl(run_dir / f"{name}.requests.jsonl"),
                wall,
            )
            codes = returncodes.get(name, [])
            summary["returncode"] = codes[index - 1] if index <= len(codes) else None
            summaries.append(summary)
        phases[name] = aggregate.combine_runs(summaries)
    managed = (report.get("managed_resources") or {}).get("total")
    return dict(
        report,
        phases=phases,
        requests_per_resource=aggregate.requests_per_resource(phases, managed),
        idempotence=aggregate.idempotence(phases),
    )


def main(argv=None):
    args = parse_args(argv)
    if args.render:
        report = json.loads(args.render.read_text(encoding="utf-8"))
        if args.reaggregate:
            report = reaggregate(report, args.render.parent / "runs")
            args.render.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(aggregate.render_markdown(report) if args.markdown else aggregate.render_report(report))
        if not args.no_plot:
            plot(report, args.render.with_suffix(".png"))
        return 0 if report.get("ok") else 1
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    args.tree = ROOT if args.no_snapshot else snapshot(args.out / "snapshot")
    print(f"bench: measuring {args.tree}", flush=True)
    context = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "loadavg_start": _loadavg()}
    runs, managed = measure(args)
    lambdas = None if args.skip_lambdas else run_lambdas(args)
    report = build_report(args, runs, managed, lambdas, context)
    (args.out / "bench.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    text = aggregate.render_report(report)
    (args.out / "bench.txt").write_text(text + "\n", encoding="utf-8")
    (args.out / "bench.md").write_text(aggregate.render_markdown(report), encoding="utf-8")
    print(text)
    if not args.no_plot and any(report["phases"].values()):
        plot(report, args.out / "bench.png")
    print(f"\nbench: wrote {args.out / 'bench.json'}, bench.txt, bench.md" + ("" if args.no_plot else ", bench.png"))
    if not report["ok"]:
        print("bench: FAILED (a playbook run failed, or a no-op / --check run reported changes)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
