"""bench/run.py end to end, kept short enough for CI: a tag no tier has, so only the always-tagged plays run.

The plays that validate the inputs and check the account run in all three phases (converge, no-op, --check)
on an emulator the harness starts on a free port and stops by its PID, so every stage of the harness is
exercised against the real site.yml: snapshot, callback, request log attribution, resource count, medians,
JSON, Markdown, text and PNG output, exit status. A full measurement (python bench/run.py) is too slow for CI.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.emulator]


def test_bench_harness_end_to_end(tmp_path, record_property):
    out = tmp_path / "bench"
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--runs", "1", "--tags", "bench_smoke_no_tier",
         "--skip-lambdas", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads((out / "bench.json").read_text())
    assert report["ok"] is True
    assert report["idempotence"]["ok"] is True
    for name in ("converge", "noop", "check"):
        phase = report["phases"][name]
        assert phase["returncodes"] == [0]
        assert phase["tasks"] > 0
        assert phase["changed"]["values"] == [0]
        tiers = phase["tiers"]
        assert "startup" in tiers
        assert any(tier.startswith("play: ") for tier in tiers)
        # the tiers add up to the wall time, and every request is attributed to a task
        assert sum(t["seconds"] for t in tiers.values()) == pytest.approx(phase["wall_s"]["median"], abs=0.05)
        assert phase["requests"]["total"] > 0  # the account check reads the limits
        assert phase["requests"]["unattributed"] == 0
        assert sum(t["requests"] for t in tiers.values()) == phase["requests"]["total"]
        assert phase["slowest_tasks"]
    assert report["managed_resources"]["total"] == 0  # nothing was converged
    assert (out / "bench.png").read_bytes()[:4] == b"\x89PNG"
    assert "| phase | wall s |" in (out / "bench.md").read_text()
    assert (out / "runs" / "1" / "noop.tasks.jsonl").exists()
    status = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "emulator"), "status"],
        env={"PATH": "/usr/bin:/bin", "PAYMENTS_EMULATOR_DIR": str(out / "emulator")},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert status.returncode == 3, status.stdout  # the harness stopped its emulator
    record_property(
        "figure",
        f"bench smoke: harness end to end in {elapsed:.0f} s (always-tagged plays only; "
        f"{report['phases']['converge']['tasks']} tasks, {report['phases']['converge']['requests']['total']} "
        "requests per phase, changed=0)",
    )
