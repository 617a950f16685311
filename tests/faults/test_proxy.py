"""The fault proxy: boto3 through it parses each service's throttling error, retries it, and gets exact answers.

Runs against the session emulator (tests/conftest.py); no Ansible.
"""

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from proxy import FaultPlan, FaultProxy  # noqa: E402

pytestmark = [pytest.mark.emulator]

NO_RETRIES = {"total_max_attempts": 1}
STANDARD = {"mode": "standard", "max_attempts": 3}

# service -> (a read-only call, the throttling code botocore must parse, the HTTP status), one per protocol the
# stack uses: ec2, query, json (and cloudwatch, whose json is picked over rpc-v2-cbor), rest-json, rest-xml.
CALLS = {
    "ec2": (lambda c: c.describe_vpcs(), "RequestLimitExceeded", 503),
    "iam": (lambda c: c.list_roles(), "Throttling", 400),
    "sts": (lambda c: c.get_caller_identity(), "Throttling", 400),
    "rds": (lambda c: c.describe_db_clusters(), "Throttling", 400),
    "sns": (lambda c: c.list_topics(), "Throttling", 400),
    "elbv2": (lambda c: c.describe_load_balancers(), "Throttling", 400),
    "cloudwatch": (lambda c: c.describe_alarms(), "ThrottlingException", 400),
    "dynamodb": (lambda c: c.list_tables(), "ThrottlingException", 400),
    "kms": (lambda c: c.list_keys(), "ThrottlingException", 400),
    "secretsmanager": (lambda c: c.list_secrets(), "ThrottlingException", 400),
    "logs": (lambda c: c.describe_log_groups(), "ThrottlingException", 400),
    "ssm": (lambda c: c.describe_parameters(), "ThrottlingException", 400),
    "sqs": (lambda c: c.list_queues(), "ThrottlingException", 400),
    "acm": (lambda c: c.list_certificates(), "ThrottlingException", 400),
    "lambda": (lambda c: c.list_functions(), "TooManyRequestsException", 429),
    "apigatewayv2": (lambda c: c.get_apis(), "TooManyRequestsException", 429),
    "s3": (lambda c: c.list_buckets(), "SlowDown", 503),
}


def _client(service, endpoint, retries):
    return boto3.client(
        service,
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries=retries),
    )


@pytest.mark.parametrize("service", sorted(CALLS))
def test_botocore_parses_the_services_throttling_error(emulator, service):
    call, code, status = CALLS[service]
    with FaultProxy(emulator.endpoint, FaultPlan(throttle_share=1.0, bare_share=0.0)) as proxy:
        with pytest.raises(ClientError) as caught:
            call(_client(service, proxy.url, NO_RETRIES))
    assert caught.value.response["Error"]["Code"] == code
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    stats = proxy.stats.snapshot()
    assert stats["throttled_by_code"] == {code: 1}
    assert stats["requests"] == stats["throttled"] == 1


@pytest.mark.parametrize("service", sorted(CALLS))
def test_standard_retries_get_through_throttled_first_attempts(emulator, service):
    call, code, _status = CALLS[service]
    with FaultProxy(emulator.endpoint, FaultPlan(fail_first=2, bare_share=0.0)) as proxy:
        call(_client(service, proxy.url, STANDARD))
    stats = proxy.stats.snapshot()
    assert stats["throttled"] == 2
    assert stats["requests"] == 3
    assert stats["throttled_by_code"] == {code: 2}


@pytest.mark.parametrize("service", ["ec2", "iam", "dynamodb", "lambda", "s3"])
def test_bare_503_is_a_retried_server_error(emulator, service):
    call, _code, _status = CALLS[service]
    with FaultProxy(emulator.endpoint, FaultPlan(throttle_share=1.0, bare_share=1.0)) as proxy:
        with pytest.raises(ClientError) as caught:
            call(_client(service, proxy.url, NO_RETRIES))
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    with FaultProxy(emulator.endpoint, FaultPlan(fail_first=1, bare_share=1.0)) as proxy:
        call(_client(service, proxy.url, STANDARD))
    assert proxy.stats.snapshot()["throttled_by_code"] == {"HTTP 503": 1}


def test_answers_pass_through_unchanged(aws_env):
    body = bytes(range(256)) * 4096  # 1 MiB, every byte value
    with FaultProxy(aws_env.endpoint, FaultPlan()) as proxy:
        s3 = _client("s3", proxy.url, STANDARD)
        s3.create_bucket(Bucket="faults-proxy-roundtrip")
        s3.put_object(Bucket="faults-proxy-roundtrip", Key="blob", Body=body)
        head = s3.head_object(Bucket="faults-proxy-roundtrip", Key="blob")
        got = s3.get_object(Bucket="faults-proxy-roundtrip", Key="blob")["Body"].read()
        s3.delete_object(Bucket="faults-proxy-roundtrip", Key="blob")
        s3.delete_bucket(Bucket="faults-proxy-roundtrip")
    assert got == body
    assert head["ContentLength"] == len(body)
    assert proxy.stats.snapshot() == {
        "requests": 6,
        "throttled": 0,
        "slowed": 0,
        "throttled_share": 0.0,
        "unsigned_requests": 0,
        "requests_by_service": {"s3": 6},
        "throttled_by_service": {},
        "throttled_by_code": {},
    }


def _get(url):
    with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 (http://127.0.0.1 only)
        return answer.status, answer.read()


def test_unsigned_requests_are_never_disturbed(emulator):
    direct = _get(emulator.endpoint + "/moto-api/config")
    with FaultProxy(emulator.endpoint, FaultPlan(throttle_share=1.0)) as proxy:
        assert _get(proxy.url + "/moto-api/config") == direct
    stats = proxy.stats.snapshot()
    assert (stats["requests"], stats["unsigned_requests"]) == (0, 1)


def test_slow_requests_are_delayed_then_answered(emulator):
    with FaultProxy(emulator.endpoint, FaultPlan(slow_share=1.0, slow_seconds=0.4)) as proxy:
        started = time.monotonic()
        _client("sts", proxy.url, NO_RETRIES).get_caller_identity()
        elapsed = time.monotonic() - started
    assert elapsed >= 0.4
    assert proxy.stats.snapshot()["slowed"] == 1


def test_the_draw_is_seeded_and_keeps_its_shares():
    def draws(seed):
        plan = FaultPlan(throttle_share=0.12, slow_share=0.05, seed=seed)
        return [plan.draw() for _n in range(5000)]

    first = draws(7)
    assert first == draws(7)
    assert first != draws(8)
    throttled = sum(d in ("throttle", "bare") for d in first) / len(first)
    slowed = first.count("slow") / len(first)
    assert 0.10 <= throttled <= 0.14
    assert 0.035 <= slowed <= 0.065
    assert 0 < first.count("bare") < first.count("throttle")


def test_shares_must_be_shares():
    with pytest.raises(ValueError):
        FaultPlan(throttle_share=0.9, slow_share=0.2)
    with pytest.raises(ValueError):
        FaultPlan(throttle_share=-0.1)


def test_command_line_proxy_writes_its_stats(emulator, tmp_path):
    stats_path = tmp_path / "stats.json"
    command = [
        sys.executable,
        str(Path(__file__).resolve().parent / "proxy.py"),
        "--upstream",
        emulator.endpoint,
        "--throttle-share",
        "0",
        "--slow-share",
        "0",
        "--fail-first",
        "1",
        "--bare-share",
        "0",
        "--stats",
        str(stats_path),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        url = process.stdout.readline().strip()
        _client("ec2", url, STANDARD).describe_regions()
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert process.returncode == 0
    stats = json.loads(stats_path.read_text())
    assert stats["requests"] == 2
    assert stats["throttled_by_code"] == {"RequestLimitExceeded": 1}
    assert stats["requests_by_service"] == {"ec2": 2}
