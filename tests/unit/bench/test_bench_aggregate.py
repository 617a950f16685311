"""bench/aggregate.py on crafted data: medians, per-tier sums, request grouping and attribution, the report."""

import importlib.util
import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[3] / "bench"
sys.path.insert(0, str(BENCH))
import aggregate  # noqa: E402


def _load_run_module():
    spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def task(seq, tier, start, duration, *, module="amazon.aws.ec2_vpc_net", changed=False, status="ok", name=None):
    return {
        "type": "task",
        "seq": seq,
        "tier": tier,
        "name": name or f"task {seq}",
        "path": f"/roles/{tier}/tasks/main.yml:{seq}",
        "module": module,
        "start": start,
        "end": start + duration / 2,
        "wall_end": start + duration,
        "duration": duration,
        "changed": changed,
        "status": "changed" if changed else status,
    }


def req(ts, service="ec2", operation="DescribeVpcs", status=200):
    return {"ts": ts, "service": service, "operation": operation, "status": status}


def stats(changed):
    return {"type": "stats", "hosts": {"localhost": {"ok": 5, "changed": changed, "failures": 0}}}


# One run of a three-tier playbook, starting at t=100: network 2 tasks, monitoring in two stages.
RECORDS = [
    task(1, "play: Validate", 100.0, 1.0, module="ansible.builtin.assert"),
    task(2, "network", 101.0, 4.0, changed=True),
    task(3, "network", 105.0, 2.0, module="amazon.aws.ec2_vpc_subnet", changed=True),
    task(4, "monitoring/topics", 107.0, 1.5, module="payments.infra.sns_topic"),
    task(5, "monitoring/observe", 108.5, 3.0, module="payments.infra.cloudwatch_metric_alarm", changed=True),
    task(6, "monitoring/observe", 111.5, 0.5, module="ansible.builtin.set_fact", status="skipped"),
    stats(3),
]
ENTRIES = [
    req(99.0, "sts", "GetCallerIdentity"),  # before the first task: outside
    req(101.2),
    req(103.0, "ec2", "CreateVpc"),
    req(105.5, "ec2", "CreateSubnet"),
    req(106.0, "ec2", "CreateSubnet", status=400),
    req(107.3, "sns", "CreateTopic"),
    req(109.0, "monitoring", "PutMetricAlarm"),
    req(110.0, "monitoring", "PutMetricAlarm"),
    req(115.0, "sts", "GetCallerIdentity"),  # after the last task's end: outside
]


def test_median_ignores_none_and_rounds():
    assert aggregate.median([3, 1, 2]) == 2
    assert aggregate.median([1, 2, 3, 10]) == 2.5
    assert aggregate.median([None, 4.12345]) == 4.123
    assert aggregate.median([]) is None
    assert isinstance(aggregate.median([6, 6]), int)
    assert aggregate.median([1, 2]) == 1.5


def test_group_requests_by_service_and_operation():
    grouped = aggregate.group_requests(ENTRIES)
    assert grouped["total"] == 9
    assert grouped["errors"] == 1
    assert grouped["by_service"] == {"ec2": 4, "monitoring": 2, "sts": 2, "sns": 1}
    assert list(grouped["by_service"]) == ["ec2", "monitoring", "sts", "sns"]  # largest first, then by name
    assert grouped["by_operation"]["ec2:CreateSubnet"] == 2
    assert grouped["by_operation"]["sts:GetCallerIdentity"] == 2
    assert sum(grouped["by_operation"].values()) == 9


def test_attribute_requests_to_task_intervals():
    tasks = [r for r in RECORDS if r["type"] == "task"]
    counts, outside = aggregate.attribute_requests(tasks, ENTRIES)
    assert counts == [0, 2, 2, 1, 2, 0]
    assert outside == 2


def test_attribute_requests_does_not_depend_on_record_order():
    tasks = [r for r in RECORDS if r["type"] == "task"]
    counts, outside = aggregate.attribute_requests(list(reversed(tasks)), ENTRIES)
    assert counts == [0, 2, 1, 2, 2, 0]
    assert outside == 2


def test_summarize_phase_per_tier_module_and_startup():
    summary = aggregate.summarize_phase(RECORDS, ENTRIES, wall_s=15.0)
    assert summary["tasks"] == 6
    assert summary["tasks_s"] == 12.0
    assert summary["tasks_skipped"] == 1
    assert summary["changed"] == 3  # from the recap
    tiers = summary["tiers"]
    assert list(tiers) == [
        "play: Validate",
        "network",
        "monitoring/topics",
        "monitoring/observe",
        aggregate.STARTUP,
        aggregate.UNATTRIBUTED,
    ]
    assert tiers["network"] == {"seconds": 6.0, "tasks": 2, "changed": 2, "requests": 4}
    assert tiers["monitoring/topics"]["requests"] == 1
    assert tiers["monitoring/observe"] == {"seconds": 3.5, "tasks": 2, "changed": 1, "requests": 2}
    assert tiers[aggregate.STARTUP]["seconds"] == 3.0  # wall time the tasks do not account for
    assert tiers[aggregate.UNATTRIBUTED]["requests"] == 2
    assert sum(t["seconds"] for t in tiers.values()) == 15.0
    assert sum(t["requests"] for t in tiers.values()) == len(ENTRIES)
    assert summary["modules"]["amazon.aws.ec2_vpc_net"] == {"tasks": 1, "calls": 1, "seconds": 4.0, "requests": 2}
    assert summary["modules"]["ansible.builtin.set_fact"]["calls"] == 0  # skipped
    assert summary["requests"]["total"] == 9
    assert summary["requests"]["unattributed"] == 2


def test_module_calls_count_loop_items():
    looped = dict(task(1, "monitoring/observe", 0.0, 8.0, module="payments.infra.cloudwatch_metric_alarm"), items=16)
    plain = task(2, "monitoring/observe", 8.0, 1.0, module="payments.infra.cloudwatch_metric_alarm")
    summary = aggregate.summarize_phase([looped, plain], [], wall_s=9.0)
    assert summary["modules"]["payments.infra.cloudwatch_metric_alarm"] == {
        "tasks": 2,
        "calls": 17,
        "seconds": 9.0,
        "requests": 0,
    }


def test_summarize_phase_without_recap_counts_changed_tasks():
    summary = aggregate.summarize_phase(RECORDS[:-1], [], wall_s=None)
    assert summary["changed"] == 3
    assert aggregate.STARTUP not in summary["tiers"]


def test_summarize_phase_sums_a_task_that_runs_several_times():
    records = [task(1, "lambda", 0.0, 1.0, name="Find the VPC"), task(2, "lambda", 1.0, 2.0, name="Find the VPC")]
    records[1]["path"] = records[0]["path"]
    summary = aggregate.summarize_phase(records, [req(1.5)], wall_s=3.0)
    (only,) = summary["task_times"].values()
    assert only["count"] == 2
    assert only["seconds"] == 3.0
    assert only["requests"] == 1


def _scaled_run(factor, extra_requests=()):
    records = [dict(r) for r in RECORDS]
    for r in records:
        if r["type"] == "task":
            r["duration"] = r["duration"] * factor
    return aggregate.summarize_phase(records, ENTRIES + list(extra_requests), wall_s=15.0 * factor)


def test_combine_runs_takes_medians():
    runs = [_scaled_run(1.0), _scaled_run(3.0, [req(101.5, "ec2", "DescribeTags")] * 4), _scaled_run(2.0)]
    combined = aggregate.combine_runs(runs)
    assert combined["runs"] == 3
    assert combined["wall_s"] == {"median": 30.0, "values": [15.0, 45.0, 30.0]}
    assert combined["tiers"]["network"]["seconds"] == 12.0
    assert combined["tiers"]["network"]["requests"] == 4  # 4, 8, 4
    assert combined["requests"]["total"] == 9
    assert combined["requests"]["values"] == [9, 13, 9]
    # an operation seen in one run only counts as 0 in the others
    assert combined["requests"]["by_operation"]["ec2:DescribeTags"] == 0
    assert combined["requests"]["by_service"]["ec2"] == 4
    assert combined["changed"] == {"median": 3, "values": [3, 3, 3]}
    slowest = combined["slowest_tasks"]
    assert [t["name"] for t in slowest[:2]] == ["task 2", "task 5"]
    assert slowest[0]["seconds"] == 8.0
    assert list(combined["modules"])[0] == "amazon.aws.ec2_vpc_net"  # most seconds first


def test_combine_runs_keeps_only_the_slowest():
    records = [task(i, "network", float(i), float(i)) for i in range(1, 31)]
    combined = aggregate.combine_runs([aggregate.summarize_phase(records, [], wall_s=500.0)], slowest=15)
    assert len(combined["slowest_tasks"]) == 15
    assert combined["slowest_tasks"][0]["seconds"] == 30.0
    assert combined["slowest_tasks"][-1]["seconds"] == 16.0
    assert aggregate.combine_runs([]) is None


def test_idempotence_and_requests_per_resource():
    zero = aggregate.combine_runs([aggregate.summarize_phase([stats(0)], [], wall_s=1.0)] * 3)
    changed = aggregate.combine_runs([aggregate.summarize_phase([stats(n)], [], wall_s=1.0) for n in (0, 1, 0)])
    assert aggregate.idempotence({"noop": zero, "check": zero})["ok"] is True
    result = aggregate.idempotence({"noop": changed, "check": zero})
    assert result["ok"] is False
    assert result["noop"] == {"changed": [0, 1, 0], "ok": False}
    failed_run = aggregate.summarize_phase([], [], wall_s=1.0)
    failed_run["returncode"] = 4
    failed = aggregate.combine_runs([failed_run])
    result = aggregate.idempotence({"noop": failed})
    assert result["noop"] == {"changed": [0], "ok": False, "returncodes": [4]}  # a failed run proves nothing
    assert result["ok"] is False
    phases = {"converge": _scaled_run_combined(), "noop": zero}
    assert aggregate.requests_per_resource(phases, 3) == {"converge": 3.0, "noop": 0.0}
    assert aggregate.requests_per_resource(phases, None) == {"converge": None, "noop": None}


def _scaled_run_combined():
    return aggregate.combine_runs([_scaled_run(1.0)])


def test_format_table_aligns_columns():
    table = aggregate.format_table(["tier", "s"], [["network", 1.5], ["monitoring/observe", 120.25], ["x", None]])
    lines = table.splitlines()
    assert lines[0].split() == ["tier", "s"]
    assert lines[2] == "network              1.50"
    assert lines[3] == "monitoring/observe  120.2"
    assert lines[4].endswith("-")
    assert len({len(line) for line in lines[:4]}) == 1


def _report():
    phases = {"converge": aggregate.combine_runs([_scaled_run(1.0), _scaled_run(2.0)])}
    phases["noop"] = aggregate.combine_runs([aggregate.summarize_phase([stats(0)], [], wall_s=2.0)] * 2)
    phases["check"] = None
    return {
        "meta": {"runs": 2, "tags": None, "cpu_count": 2, "loadavg_start": [1.0, 1, 1], "loadavg_end": [2.0, 1, 1]},
        "phases": phases,
        "managed_resources": {"total": 3, "source": "crafted"},
        "requests_per_resource": aggregate.requests_per_resource(phases, 3),
        "idempotence": aggregate.idempotence(phases),
        "lambdas": {
            "validation": {"validations_per_second_per_core": 25000, "latency": {"p50_ms": 0.03, "p99_ms": 0.1}},
            "imports": {"payment_validation": {"cold_import_ms_median": 12.5}},
            "goals": {"validations_per_second_per_core>=20000": True},
        },
    }


def test_task_label_drops_the_role_prefix():
    assert aggregate.task_label("payments.infra.network : Create the VPC") == "Create the VPC"
    assert aggregate.task_label("Show the end") == "Show the end"
    assert aggregate.task_label("Wait : then go") == "then go"
    assert aggregate.task_label("Wait a bit : then go") == "Wait a bit : then go"


def test_render_report_lists_phases_tiers_and_requests():
    text = aggregate.render_report(_report())
    assert "converge (empty account)" in text
    assert "no-op rerun" in text
    assert "--check" not in text.split("managed resources")[0]  # a phase that was not measured is left out
    assert "idempotence: OK (noop changed=[0, 0])" in text
    assert "monitoring/observe" in text
    assert "slowest tasks, converge" in text
    assert "ec2:CreateSubnet" in text
    assert "validation: 25000 /s/core" in text
    assert "payment_validation 12.5" in text


def test_plot_writes_a_png(tmp_path):
    run = _load_run_module()
    path = tmp_path / "bench.png"
    run.plot(_report(), path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 10_000


def test_render_markdown_tables():
    text = aggregate.render_markdown(_report())
    assert "| phase | wall s | tasks | changed | AWS requests | requests / resource |" in text
    assert "| converge (empty account) | 22.50 | 6 | 3 | 9 | 3.00 |" in text
    assert "| monitoring/observe | 5.25 | - | 2 | - |" in text  # a tier the no-op runs did not reach
    assert "| task 2 | network | amazon.aws.ec2_vpc_net | 6.00 | 2 |" in text
    assert "- validation: 25000 /s/core" in text


def test_reaggregate_recomputes_from_the_run_logs(tmp_path):
    run = _load_run_module()
    for index, factor in ((1, 1.0), (2, 3.0)):
        run_dir = tmp_path / "runs" / str(index)
        run_dir.mkdir(parents=True)
        records = [dict(r, duration=r["duration"] * factor) if r["type"] == "task" else r for r in RECORDS]
        (run_dir / "converge.tasks.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
        (run_dir / "converge.requests.jsonl").write_text("".join(json.dumps(e) + "\n" for e in ENTRIES))
    stale = {
        "meta": {"returncodes": {"converge": [0, 0]}},
        "phases": {"converge": {"wall_s": {"values": [15.0, 45.0]}}, "noop": None, "check": None},
        "managed_resources": {"total": 3},
    }
    report = run.reaggregate(stale, tmp_path / "runs")
    converge = report["phases"]["converge"]
    assert converge["wall_s"] == {"median": 30.0, "values": [15.0, 45.0]}
    assert converge["tiers"]["network"]["seconds"] == 12.0
    assert converge["returncodes"] == [0, 0]
    assert report["requests_per_resource"]["converge"] == 3.0


def test_strategy_environment_selects_mitogen_plugins():
    run = _load_run_module()
    assert run.strategy_environment("linear") == {}
    env = run.strategy_environment("mitogen")  # mitogen is pinned in requirements-dev.txt
    assert env["ANSIBLE_STRATEGY"] == "mitogen_linear"
    assert (Path(env["ANSIBLE_STRATEGY_PLUGINS"]) / "mitogen_linear.py").is_file()


def test_reports_name_their_strategy():
    report = _report()
    report["meta"]["strategy"] = "mitogen"
    assert "strategy mitogen" in aggregate.render_report(report).splitlines()[0]
    assert "strategy mitogen" in aggregate.render_markdown(report).splitlines()[0]
    del report["meta"]["strategy"]  # reports written before the option existed
    assert "strategy linear" in aggregate.render_report(report).splitlines()[0]
