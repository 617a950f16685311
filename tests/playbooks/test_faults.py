"""site.yml through a proxy that throttles and slows a seeded share of the AWS requests still converges, to the
same stack as a clean converge (issue #7, "fault injection").

tests/faults/proxy.py sits between Ansible and the emulator: >= 10 % of the signed AWS requests get the throttling
error of their service, in its protocol (RequestLimitExceeded, Throttling, ThrottlingException,
TooManyRequestsException, SlowDown, or a bare HTTP 503), and a few more are delayed. Every module retries them
(payments_aws_retries reaches amazon.aws, community.aws and our modules and lookups as aws_config.retries; our
module_utils also wrap each call in AWSRetry.jittered_backoff). Then, without the proxy, every resource kind must
have exactly the count of tests/stack_state.py's EXPECTED_COUNTS and a rerun must report changed=0.

PAYMENTS_FAULTS_SEED overrides the seed, PAYMENTS_FAULTS_THROTTLE_SHARE the throttled share.
"""

import json
import os
import re
import sys
import time
from pathlib import Path

import pytest
from stack_state import EXPECTED_COUNTS, count_differences, resource_counts

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "faults"))
from proxy import FaultPlan, FaultProxy  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.emulator]

ENV = "local"
DEFAULT_SEED = 7
THROTTLE_SHARE = float(os.environ.get("PAYMENTS_FAULTS_THROTTLE_SHARE", "0.12"))
SLOW_SHARE = 0.05
SLOW_SECONDS = 1.5
MIN_REQUESTS = 300
MIN_THROTTLED_SHARE = 0.10
RUN_TIMEOUT = 3600


def _recap_changed(text):
    match = re.search(r"localhost\s+: ok=\d+\s+changed=(\d+)\s+unreachable=0\s+failed=0", text)
    return int(match.group(1)) if match else None


def _run(playbook, name, tmp_path):
    log_path = tmp_path / f"{name}.log"
    process = playbook.popen(log_path=log_path)
    try:
        rc = process.wait(timeout=RUN_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=60)
    return rc, log_path.read_text(encoding="utf-8")


def test_converge_under_throttling_and_slow_answers_equals_a_clean_converge(
    playbook, tmp_path, record_property, monkeypatch
):
    assert THROTTLE_SHARE >= MIN_THROTTLED_SHARE
    for key, value in playbook.emulator.aws_env().items():  # stack_state's boto3 clients, straight to the emulator
        monkeypatch.setenv(key, value)
    seed = int(os.environ.get("PAYMENTS_FAULTS_SEED", DEFAULT_SEED))
    plan = FaultPlan(THROTTLE_SHARE, SLOW_SHARE, slow_seconds=SLOW_SECONDS, seed=seed)
    emulator_endpoint = playbook.emulator.endpoint

    with FaultProxy(emulator_endpoint, plan) as proxy:
        playbook.env["AWS_ENDPOINT_URL"] = proxy.url
        began = time.monotonic()
        rc, text = _run(playbook, "faulty", tmp_path)
        seconds = time.monotonic() - began
    stats = proxy.stats.snapshot()
    (tmp_path / "stats.json").write_text(json.dumps(stats, indent=2))
    record_property("faults stats", json.dumps(stats, sort_keys=True))
    assert rc == 0, f"the converge failed under faults (seed {seed}, {json.dumps(stats)}):\n{text[-8000:]}"
    assert stats["requests"] >= MIN_REQUESTS, stats
    assert stats["throttled"] / stats["requests"] >= MIN_THROTTLED_SHARE, stats
    assert stats["slowed"] > 0, stats
    # Every protocol the stack speaks got its throttling error, not only one service.
    assert {"RequestLimitExceeded", "Throttling", "ThrottlingException", "TooManyRequestsException"} <= set(
        stats["throttled_by_code"]
    ), stats
    assert stats["unsigned_requests"] == 0, stats

    playbook.env["AWS_ENDPOINT_URL"] = emulator_endpoint
    counts = resource_counts(ENV, emulator_endpoint)
    differences = count_differences(counts, EXPECTED_COUNTS)
    assert not differences, f"the stack made under faults (seed {seed}) differs from a clean converge: {differences}"

    rc, again = _run(playbook, "clean-rerun", tmp_path)
    assert rc == 0, again[-8000:]
    changed = _recap_changed(again)
    assert changed == 0, f"a clean rerun after the converge under faults changed {changed} tasks:\n{again[-8000:]}"

    record_property(
        "figure",
        f"faults: {stats['requests']} requests, {stats['throttled']} throttled "
        f"({100 * stats['throttled'] / stats['requests']:.1f} %), {stats['slowed']} slowed, "
        f"converge ok in {seconds:.0f} s, state identical ({sum(counts.values())} resources), clean rerun changed=0",
    )
