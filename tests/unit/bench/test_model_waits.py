"""bench/model_waits.py replays a measured task timeline with the real-AWS creation times."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
import model_waits  # noqa: E402

DELAYS = {"nat_gateway": 12, "db_cluster": 12, "db_instance": 60, "load_balancer": 18, "vpc_link": 18}
REAL = {kind: seconds * 10 for kind, seconds in DELAYS.items()}


def test_a_wait_in_place_is_stretched_to_the_real_delay():
    tasks = [
        ("aws : Create the VPC", 0.0, 5.0),
        ("payments.infra.aurora : Create the cluster with the master credential from Secrets Manager", 5.0, 25.0),
        ("payments.infra.aurora : Create or update the instances", 25.0, 27.0),
        ("payments.infra.aurora : Wait until every instance is available", 27.0, 90.0),
        ("payments.infra.parameters : Write", 90.0, 100.0),
    ]
    created = [(5.5, "db_cluster"), (26.0, "db_instance")]
    # Cluster: 19.5 s of its 20 s task waited 12 s (7.5 s overhead) -> 7.5 + 120. Instances: created at 26 + shift,
    # ready 600 s later; the wait keeps its 2 s of polling overhead. Parameters keep their 10 s.
    total = model_waits.replay(tasks, created, DELAYS, REAL)
    cluster_end = 5.0 + 7.5 + 120.5
    instance_created = 26.0 + (cluster_end - 25.0)
    assert total == pytest.approx(instance_created + 600 + (90.0 - 27.0 - (86.0 - 27.0)) + 10.0)


def test_a_resource_started_early_overlaps_with_the_other_tasks():
    tasks = [
        ("payments.infra.network : Create the NAT gateways (without waiting)", 0.0, 1.0),
        ("payments.infra.lambda : Create the functions", 1.0, 300.0),
        ("payments.infra.network : Wait until every NAT gateway is available", 300.0, 300.5),
    ]
    created = [(0.5, "nat_gateway")]
    # Ready at 120.5 s in real AWS, long before the wait: nothing is added.
    assert model_waits.replay(tasks, created, DELAYS, REAL) == pytest.approx(300.5)


def test_a_create_task_that_did_not_wait_keeps_its_duration():
    tasks = [
        ("payments.infra.api : Create the VPC Link to the internal ALB (and wait until it is AVAILABLE)", 0.0, 2.0),
        ("payments.infra.api : Wait until the VPC Link is AVAILABLE", 2.0, 19.5),
    ]
    created = [(1.0, "vpc_link")]
    # The create task ended before the link was ready (no wait); the wait task then waits for the real 180 s and
    # keeps its 0.5 s of polling overhead.
    assert model_waits.replay(tasks, created, DELAYS, REAL) == pytest.approx(1.0 + 180 + 0.5)
