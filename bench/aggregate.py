"""Aggregation of benchmark runs: per-task JSON lines and emulator request logs -> per-phase, per-tier figures.

Pure functions (no AWS, no Ansible): bench/run.py feeds them what one ansible-playbook run recorded
(bench/callback_plugins/payments_bench.py) and the slice of the emulator's request log it caused;
tests/unit/bench/test_bench_aggregate.py feeds them crafted data.

Terms:
- a *phase* is one kind of run (converge on an empty account, no-op rerun, --check on a converged account);
- a *tier* is a role of site.yml's `roles:` list (`monitoring/topics` and `monitoring/observe` apart) or
  `play: <name>` for the tasks of the other plays; `startup` is the time ansible-playbook spent before its first
  task and after its last (interpreter, inventory, playbook parsing), so the tiers add up to the wall time;
- a request belongs to the task whose interval [start, next task's start) contains its log timestamp.
"""

import bisect
import json
import statistics
from collections import Counter
from pathlib import Path

STARTUP = "startup"
UNATTRIBUTED = "(outside tasks)"
SLOWEST = 15
# The emulator logs a request's time rounded to the millisecond when its response is done.
TS_TOLERANCE = 0.001


def median(values):
    """Median of the numbers given (None when there are none), rounded to 3 decimals; counts stay integers."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    result = statistics.median(values)
    if all(isinstance(v, int) for v in values) and result == int(result):
        return int(result)
    return round(result, 3)


def load_jsonl(path):
    """The JSON objects of a JSON-lines file (blank lines skipped); [] when the file does not exist."""
    path = Path(path)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _sorted_counter(counter):
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def group_requests(entries):
    """Totals of emulator request-log entries by service and by `service:operation`; errors are HTTP >= 400."""
    by_service = Counter(e["service"] for e in entries)
    by_operation = Counter(f"{e['service']}:{e['operation']}" for e in entries)
    errors = sum(1 for e in entries if (e.get("status") or 0) >= 400)
    return {
        "total": len(entries),
        "errors": errors,
        "by_service": _sorted_counter(by_service),
        "by_operation": _sorted_counter(by_operation),
    }


def attribute_requests(tasks, entries):
    """Requests per task (a list parallel to `tasks`) and the number that fall outside every task interval.

    A task's interval runs from its `start` to its `wall_end` (the next task's start); tasks must not overlap,
    which holds for the linear strategy the stack uses.
    """
    order = sorted(range(len(tasks)), key=lambda i: tasks[i]["start"])
    starts = [tasks[i]["start"] for i in order]
    counts = [0] * len(tasks)
    outside = 0
    for entry in entries:
        ts = entry["ts"]
        pos = bisect.bisect_right(starts, ts + TS_TOLERANCE) - 1
        if pos >= 0:
            task = tasks[order[pos]]
            if ts <= _end(task) + TS_TOLERANCE:
                counts[order[pos]] += 1
                continue
        outside += 1
    return counts, outside


def _end(task):
    return task.get("wall_end") or task.get("end") or task["start"]


def _duration(task):
    if task.get("duration") is not None:
        return task["duration"]
    return max(0.0, _end(task) - task["start"])


def _recap_changed(stats):
    if not stats:
        return None
    return sum(counts.get("changed", 0) for counts in stats["hosts"].values())


def summarize_phase(records, entries, wall_s=None):
    """Figures of one run: `records` from the callback's JSON lines, `entries` the run's request-log slice."""
    tasks = [r for r in records if r.get("type") == "task"]
    stats = next((r for r in reversed(records) if r.get("type") == "stats"), None)
    counts, outside = attribute_requests(tasks, entries)
    tasks_s = sum(_duration(t) for t in tasks)
    tiers, modules, per_task = {}, {}, {}
    for task, requests in zip(tasks, counts, strict=True):
        seconds = _duration(task)
        tier = tiers.setdefault(task["tier"], {"seconds": 0.0, "tasks": 0, "changed": 0, "requests": 0})
        tier["seconds"] += seconds
        tier["tasks"] += 1
        tier["changed"] += int(bool(task.get("changed")))
        tier["requests"] += requests
        module = modules.setdefault(task["module"], {"tasks": 0, "calls": 0, "seconds": 0.0, "requests": 0})
        module["tasks"] += 1
        module["calls"] += module_calls(task)
        module["seconds"] += seconds
        module["requests"] += requests
        key = task_key(task)
        entry = per_task.setdefault(
            key, {"tier": task["tier"], "name": task["name"], "module": task["module"], "path": task.get("path")}
        )
        entry["seconds"] = entry.get("seconds", 0.0) + seconds
        entry["count"] = entry.get("count", 0) + 1
        entry["requests"] = entry.get("requests", 0) + requests
    if wall_s is not None:
        tiers[STARTUP] = {"seconds": max(0.0, wall_s - tasks_s), "tasks": 0, "changed": 0, "requests": 0}
    if outside:
        tiers.setdefault(UNATTRIBUTED, {"seconds": 0.0, "tasks": 0, "changed": 0, "requests": 0})
        tiers[UNATTRIBUTED]["requests"] += outside
    changed_tasks = sum(1 for t in tasks if t.get("changed"))
    recap = _recap_changed(stats)
    return {
        "wall_s": wall_s,
        "tasks_s": round(tasks_s, 3),
        "tasks": len(tasks),
        "tasks_skipped": sum(1 for t in tasks if t.get("status") == "skipped"),
        "tasks_failed": sum(1 for t in tasks if t.get("status") == "failed" and not t.get("ignored_errors")),
        "changed": recap if recap is not None else changed_tasks,
        "recap": stats["hosts"] if stats else None,
        "tiers": tiers,
        "modules": modules,
        "task_times": per_task,
        "requests": dict(group_requests(entries), unattributed=outside),
    }


def module_calls(task):
    """How many times a task ran its module: once per loop item that ran, once without a loop, never when skipped."""
    if task.get("status") in ("skipped", None):
        return 0
    return task.get("items") or 1


def task_key(task):
    """What identifies one task of the playbook across runs: its tier, file:line and name."""
    return f"{task['tier']}|{task.get('path') or ''}|{task['name']}"


def median_dict(dicts):
    """Key-wise median of dicts of numbers (a key missing from a dict counts as 0), largest first."""
    keys = []
    for d in dicts:
        keys.extend(k for k in d if k not in keys)
    result = {k: median([d.get(k, 0) for d in dicts]) for k in keys}
    return dict(sorted(result.items(), key=lambda kv: (-kv[1], kv[0])))


def _median_nested(dicts, fields, keep_order=True):
    keys = []
    for d in dicts:
        keys.extend(k for k in d if k not in keys)
    result = {}
    for key in keys:
        result[key] = {f: median([d.get(key, {}).get(f, 0) for d in dicts]) for f in fields}
    if not keep_order:
        result = dict(sorted(result.items(), key=lambda kv: -(kv[1]["seconds"] or 0)))
    return result


def combine_runs(summaries, slowest=SLOWEST):
    """Medians over the runs of one phase (each a summarize_phase result); the values of each run are kept too."""
    if not summaries:
        return None
    walls = [s["wall_s"] for s in summaries]
    tiers = _median_nested([s["tiers"] for s in summaries], ("seconds", "tasks", "changed", "requests"))
    modules = _median_nested(
        [s["modules"] for s in summaries], ("tasks", "calls", "seconds", "requests"), keep_order=False
    )
    task_infos = {}
    for s in summaries:
        for key, info in s["task_times"].items():
            task_infos.setdefault(key, info)
    task_medians = []
    for key, info in task_infos.items():
        row = {k: info.get(k) for k in ("tier", "name", "module", "path")}
        row["seconds"] = median([s["task_times"].get(key, {}).get("seconds", 0.0) for s in summaries])
        row["count"] = median([s["task_times"].get(key, {}).get("count", 0) for s in summaries])
        row["requests"] = median([s["task_times"].get(key, {}).get("requests", 0) for s in summaries])
        task_medians.append(row)
    task_medians.sort(key=lambda r: (-r["seconds"], r["name"]))
    return {
        "runs": len(summaries),
        "returncodes": [s.get("returncode") for s in summaries],
        "wall_s": {"median": median(walls), "values": [round(w, 3) if w is not None else None for w in walls]},
        "tasks_s": median([s["tasks_s"] for s in summaries]),
        "tasks": median([s["tasks"] for s in summaries]),
        "tasks_skipped": median([s["tasks_skipped"] for s in summaries]),
        "tasks_failed": max(s["tasks_failed"] for s in summaries),
        "changed": {"median": median([s["changed"] for s in summaries]), "values": [s["changed"] for s in summaries]},
        "requests": {
            "total": median([s["requests"]["total"] for s in summaries]),
            "errors": median([s["requests"]["errors"] for s in summaries]),
            "unattributed": median([s["requests"]["unattributed"] for s in summaries]),
            "values": [s["requests"]["total"] for s in summaries],
            "by_service": median_dict([s["requests"]["by_service"] for s in summaries]),
            "by_operation": median_dict([s["requests"]["by_operation"] for s in summaries]),
        },
        "tiers": tiers,
        "modules": modules,
        "slowest_tasks": task_medians[:slowest],
    }


def requests_per_resource(phases, managed):
    """Median requests of each phase divided by the number of managed resources (None without a count)."""
    if not managed:
        return {name: None for name in phases}
    return {name: (round(phase["requests"]["total"] / managed, 2) if phase else None) for name, phase in phases.items()}


def idempotence(phases):
    """The changed counts that must be 0 (no-op rerun, --check on a converged account) and whether they are.

    A run that failed (non-zero return code) proves nothing, so it counts as not idempotent.
    """
    result = {}
    for name in ("noop", "check"):
        phase = phases.get(name)
        if phase:
            values = phase["changed"]["values"]
            failed = [rc for rc in phase.get("returncodes", []) if rc not in (0, None)]
            result[name] = {"changed": values, "ok": not failed and all(v == 0 for v in values)}
            if failed:
                result[name]["returncodes"] = phase["returncodes"]
    result["ok"] = all(v["ok"] for v in result.values())
    return result


# ---------------------------------------------------------------------------------------------------------------
# Text rendering


def format_table(headers, rows):
    """A plain-text table: text columns left-aligned, numeric ones (numbers, None) right-aligned."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in cells)) if cells else len(str(h)) for i, h in enumerate(headers)]
    numeric = [
        i > 0 and all(isinstance(row[i], int | float) or row[i] is None or row[i] == "" for row in rows)
        for i in range(len(headers))
    ]

    def line(values):
        out = [str(v).rjust(w) if num else str(v).ljust(w) for v, w, num in zip(values, widths, numeric, strict=True)]
        return "  ".join(out).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in cells)])


def _cell(value):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) < 100 else f"{value:.1f}"
    return str(value)


def task_label(name):
    """A task's name without the `namespace.collection.role : ` prefix Ansible puts before role tasks."""
    prefix, sep, rest = name.partition(" : ")
    return rest if sep and prefix and " " not in prefix else name


def shorten(text, width):
    text = str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


PHASE_LABELS = {"converge": "converge (empty account)", "noop": "no-op rerun", "check": "--check (converged)"}


def render_report(report):
    """The report as text tables (what bench/run.py prints)."""
    phases = {k: v for k, v in report["phases"].items() if v}
    names = list(phases)
    out = []
    meta = report.get("meta", {})
    out.append(
        f"payments.infra benchmark: {meta.get('runs')} run(s), tags {meta.get('tags') or 'all'}, "
        f"strategy {meta.get('strategy') or 'linear'}, {meta.get('cpu_count')} CPUs, "
        f"load average {meta.get('loadavg_start')} -> {meta.get('loadavg_end')}"
    )
    managed = report.get("managed_resources") or {}
    per_resource = report.get("requests_per_resource") or {}
    rows = []
    for name, phase in phases.items():
        rows.append(
            [
                PHASE_LABELS.get(name, name),
                phase["wall_s"]["median"],
                " ".join(_cell(v) for v in phase["wall_s"]["values"]),
                phase["tasks"],
                phase["changed"]["median"],
                phase["requests"]["total"],
                phase["requests"]["errors"],
                per_resource.get(name),
                " ".join(str(rc) for rc in phase.get("returncodes", [])) or "-",
            ]
        )
    out += [
        "",
        format_table(["phase", "wall s", "runs (s)", "tasks", "changed", "requests", "4xx/5xx", "req/res", "rc"], rows),
    ]
    if managed:
        out.append(f"managed resources: {managed.get('total')} ({managed.get('source') or managed.get('error')})")
    idem = report.get("idempotence") or {}
    if idem:
        parts = [
            f"{k} changed={v['changed']}" + (f" rc={v['returncodes']}" if "returncodes" in v else "")
            for k, v in idem.items()
            if k != "ok"
        ]
        out.append(f"idempotence: {'OK' if idem.get('ok') else 'FAILED'} ({', '.join(parts)})")

    tiers = []
    for phase in phases.values():
        tiers.extend(t for t in phase["tiers"] if t not in tiers)
    rows = []
    for tier in tiers:
        row = [shorten(tier, 44)]
        row += [phases[n]["tiers"].get(tier, {}).get("seconds") for n in names]
        row += [phases[n]["tiers"].get(tier, {}).get("requests") for n in names]
        row += [phases[n]["tiers"].get(tier, {}).get("tasks") for n in names[:1]]
        rows.append(row)
    headers = ["tier", *(f"{n} s" for n in names), *(f"{n} req" for n in names), *(f"{n} tasks" for n in names[:1])]
    out += ["", "per tier (median seconds, requests, tasks):", format_table(headers, rows)]

    for name, phase in phases.items():
        if not phase["slowest_tasks"]:
            continue
        rows = [
            [
                shorten(task_label(t["name"]), 60),
                shorten(t["tier"], 22),
                shorten(t["module"], 40),
                t["count"],
                t["seconds"],
                t["requests"],
            ]
            for t in phase["slowest_tasks"]
        ]
        out += [
            "",
            f"{len(rows)} slowest tasks, {PHASE_LABELS.get(name, name)} (median s per run):",
            format_table(["task", "tier", "module", "runs", "s", "req"], rows),
        ]

    modules = []
    for phase in phases.values():
        modules.extend(m for m in phase["modules"] if m not in modules)
    first = phases[names[0]]["modules"]
    modules.sort(key=lambda m: -(first.get(m, {}).get("seconds") or 0))
    rows = []
    for module in modules:
        row = [shorten(module, 52)]
        for n in names:
            m = phases[n]["modules"].get(module, {})
            row += [m.get("calls"), m.get("seconds"), m.get("requests")]
        rows.append(row)
    headers = ["module"] + [f"{n} {h}" for n in names for h in ("calls", "s", "req")]
    out += ["", "per module (median calls, seconds, requests):", format_table(headers, rows)]

    services = []
    for phase in phases.values():
        services.extend(s for s in phase["requests"]["by_service"] if s not in services)
    rows = [[s, *(phases[n]["requests"]["by_service"].get(s, 0) for n in names)] for s in services]
    out += ["", "requests by service (median):", format_table(["service", *names], rows)]

    operations = []
    for phase in phases.values():
        operations.extend(o for o in phase["requests"]["by_operation"] if o not in operations)
    operations.sort(key=lambda o: -sum(phases[n]["requests"]["by_operation"].get(o, 0) for n in names))
    rows = [[shorten(o, 60), *(phases[n]["requests"]["by_operation"].get(o, 0) for n in names)] for o in operations]
    out += ["", "requests by operation (median):", format_table(["operation", *names], rows)]

    lambdas = report.get("lambdas")
    if lambdas:
        out += ["", "Lambda hot path (bench/lambdas.py):", *render_lambdas(lambdas)]
    return "\n".join(out)


def render_lambdas(lambdas):
    if "error" in lambdas or "skipped" in lambdas:
        return [f"  {lambdas.get('error') or lambdas.get('skipped')}"]
    lines = []
    validation = lambdas.get("validation") or {}
    if validation:
        lat = validation.get("latency", {})
        lines.append(
            f"  validation: {validation.get('validations_per_second_per_core')} /s/core (CPU time), "
            f"p50 {lat.get('p50_ms')} ms, p99 {lat.get('p99_ms')} ms"
        )
    processing = lambdas.get("processing") or {}
    if processing:
        lat = processing.get("latency", {})
        lines.append(
            f"  processing: p50 {lat.get('p50_ms')} ms, p99 {lat.get('p99_ms')} ms over {lat.get('n')} requests"
        )
    imports = lambdas.get("imports") or {}
    if imports:
        lines.append(
            "  cold import (median ms): "
            + ", ".join(f"{name} {v.get('cold_import_ms_median')}" for name, v in imports.items())
        )
    goals = lambdas.get("goals") or {}
    if goals:
        lines.append("  goals: " + ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in goals.items()))
    return lines


# ---------------------------------------------------------------------------------------------------------------
# Markdown (bench.md: the tables docs/performance.md quotes)


def markdown_table(headers, rows):
    def esc(value):
        return _cell(value).replace("|", "\\|")

    lines = ["| " + " | ".join(str(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(esc(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def render_markdown(report):
    """The main figures of a report as Markdown tables: phases, tiers, slowest tasks, services, Lambda."""
    phases = {k: v for k, v in report["phases"].items() if v}
    names = list(phases)
    meta = report.get("meta", {})
    per_resource = report.get("requests_per_resource") or {}
    managed = report.get("managed_resources") or {}
    out = [
        f"Measured {meta.get('finished')} with `{meta.get('command') or 'python bench/run.py'}`: "
        f"{meta.get('runs')} run(s), strategy {meta.get('strategy') or 'linear'}, {meta.get('cpu_count')} CPUs, "
        "load average (1/5/15 min) "
        f"{meta.get('loadavg_start')} at the start, {meta.get('loadavg_end')} at the end; "
        f"{managed.get('total')} managed resources.",
        "",
    ]
    rows = [
        [PHASE_LABELS.get(n, n), p["wall_s"]["median"], p["tasks"], p["changed"]["median"], p["requests"]["total"],
         per_resource.get(n)]
        for n, p in phases.items()
    ]  # fmt: skip
    out += [markdown_table(["phase", "wall s", "tasks", "changed", "AWS requests", "requests / resource"], rows), ""]
    tiers = []
    for phase in phases.values():
        tiers.extend(t for t in phase["tiers"] if t not in tiers)
    rows = [
        [tier, *(phases[n]["tiers"].get(tier, {}).get("seconds") for n in names),
         *(phases[n]["tiers"].get(tier, {}).get("requests") for n in names)]
        for tier in tiers
    ]  # fmt: skip
    headers = ["tier", *(f"{n} s" for n in names), *(f"{n} requests" for n in names)]
    out += [markdown_table(headers, rows), ""]
    for name, phase in phases.items():
        if phase["slowest_tasks"]:
            rows = [
                [task_label(t["name"]), t["tier"], t["module"], t["seconds"], t["requests"]]
                for t in phase["slowest_tasks"]
            ]
            out += [f"Slowest tasks, {PHASE_LABELS.get(name, name)}:", ""]
            out += [markdown_table(["task", "tier", "module", "s", "requests"], rows), ""]
    modules = list(phases[names[0]]["modules"])[:SLOWEST]
    rows = []
    for module in modules:
        row = [module]
        for n in names:
            m = phases[n]["modules"].get(module, {})
            row += [m.get("calls"), m.get("seconds"), m.get("requests")]
        rows.append(row)
    headers = ["module", *(f"{n} {h}" for n in names for h in ("calls", "s", "requests"))]
    out += [f"Modules by {names[0]} time (calls: module runs, one per loop item):", ""]
    out += [markdown_table(headers, rows), ""]
    services = []
    for phase in phases.values():
        services.extend(s for s in phase["requests"]["by_service"] if s not in services)
    rows = [[s, *(phases[n]["requests"]["by_service"].get(s, 0) for n in names)] for s in services]
    out += [markdown_table(["service", *(f"{n} requests" for n in names)], rows), ""]
    lambdas = report.get("lambdas")
    if lambdas:
        out += ["Lambda hot path (bench/lambdas.py):", "", *(f"- {line.strip()}" for line in render_lambdas(lambdas))]
    return "\n".join(out).rstrip() + "\n"
