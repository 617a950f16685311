"""site.yml against the emulator: bad input stops before any AWS call; an interrupted converge heals.
(No secret value in any output at -vvvv nor in any file: test_secret_hygiene.py.)

The happy path (converge, idempotence, check mode, what exists) is the Molecule scenario's job; these
are the failure paths it does not cover.
"""

import json
import re
import signal
import time
from collections import Counter
from pathlib import Path

import boto3
import pytest
import yaml

pytestmark = [pytest.mark.slow, pytest.mark.emulator]

ROOT = Path(__file__).resolve().parents[2]


def _role_default_with(role, variable, key, **settings):
    """-e <variable> as the role's defaults set it (a dict given with -e replaces the whole default), with one
    entry's settings changed."""
    defaults = yaml.safe_load((ROOT / "roles" / role / "defaults" / "main.yml").read_text())
    value = defaults[variable]
    value[key].update(settings)
    return {variable: value}


def _monitoring_alarms(purpose, **settings):
    return _role_default_with("monitoring", "monitoring_alarms", purpose, **settings)


def _lambda_functions(function, **settings):
    return _role_default_with("lambda", "lambda_functions", function, **settings)


BAD_INPUTS = [
    ({"network_vpc_cidr": "10.0.0.0/33"}, "network_vpc_cidr"),
    ({"network_vpc_cidr": "10.0.0.1/16"}, "network_vpc_cidr"),
    ({"network_vpc_cidr": "10.0.0.0/8"}, "network_vpc_cidr"),
    ({"environment_suffix": "Prod"}, "environment_suffix"),
    ({"environment_suffix": "my env"}, "environment_suffix"),
    ({"environment_suffix": "averyveryverylongname"}, "environment_suffix"),
    ({"network_az_count": 2}, "network_az_count"),
    ({"network_subnets": {"private": ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]}}, "network_subnets"),
    ({"network_subnets": {"public": ["10.1.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]}}, "network_subnets.public[0]"),
    ({"network_subnet_prefix": 20}, "network_subnet_prefix"),
    ({"network_nat_gateway_mode": "sometimes"}, "network_nat_gateway_mode"),
    ({"network_alb_extra_ingress_cidrs": ["300.1.1.0/24"]}, "network_alb_extra_ingress_cidrs"),
    ({"secrets_db_username": "postgres"}, "secrets_db_username"),
    ({"secrets_kms_pending_window_days": 3}, "secrets_kms_pending_window_days"),
    ({"aurora_backup_retention_days": 0}, "aurora_backup_retention_days"),
    ({"aurora_backup_retention_days": 36}, "aurora_backup_retention_days"),
    ({"aurora_engine_version": "sixteen"}, "aurora_engine_version"),
    ({"aurora_instance_class": "r6g.large"}, "aurora_instance_class"),
    ({"storage_bucket_suffix": "x" * 50}, "storage_bucket_suffix"),
    ({"storage_expire_after_days": 60}, "storage_expire_after_days"),
    ({"dynamodb_table_name": "a"}, "dynamodb_table_name"),
    ({"alb_blue_weight": 80, "alb_green_weight": 30}, "alb_blue_weight"),
    ({"alb_blue_weight": -10, "alb_green_weight": 110}, "alb_green_weight"),
    ({"alb_bluegreen_tls_policy": "ELBSecurityPolicy-2008"}, "alb_bluegreen_tls_policy"),
    ({"api_throttling_burst_limit": -1}, "api_throttling_burst_limit"),
    ({"api_throttling_rate_limit": 20000}, "api_throttling_rate_limit"),
    (
        {
            "api_route_throttling": [
                {"route_key": "POST /validate", "throttling_burst_limit": -5, "throttling_rate_limit": 1}
            ]
        },
        "api_route_throttling",
    ),
    (
        {"api_route_throttling": [{"route_key": "GET /x", "throttling_burst_limit": 5, "throttling_rate_limit": 1}]},
        "api_route_throttling",
    ),
    ({"api_cors_allow_origins": ["*"]}, "api_cors_allow_origins"),
    ({"api_cors_allow_origins": ["http://checkout.example.com"]}, "api_cors_allow_origins"),
    ({"api_cors_allow_origins": ["https://checkout.example.com/pay"]}, "api_cors_allow_origins"),
    ({"api_log_retention_days": 42}, "api_log_retention_days"),
    ({"api_integration_timeout_ms": 31000}, "api_integration_timeout_ms"),
    ({"api_alb_tls_server_name": "https://alb.internal"}, "api_alb_tls_server_name"),
    ({"api_access_log_format": {"status": "$context.status"}}, "api_access_log_format"),
    ({"api_access_log_format": {"requestId": "$context.requestId", "body": "$input.body"}}, "api_access_log_format"),
    ({"lambda_rotation_days": 0}, "lambda_rotation_days"),
    (
        {"monitoring_subscriptions": [{"topic": "system_errors", "protocol": "email", "endpoint": "https://x"}]},
        "monitoring_subscriptions",
    ),
    (
        {"monitoring_subscriptions": [{"topic": "system_errors", "protocol": "sms", "endpoint": "+15555550100"}]},
        "monitoring_subscriptions",
    ),
    ({"monitoring_stage": "later"}, "monitoring_stage"),
    (_monitoring_alarms("aurora_cpu", threshold=-1), "monitoring_alarms.aurora_cpu"),
    (_monitoring_alarms("aurora_cpu", threshold=120), "monitoring_alarms.aurora_cpu"),
    (_monitoring_alarms("lambda_errors", treat_missing_data="sometimes"), "monitoring_alarms.lambda_errors"),
    (_monitoring_alarms("api_p99_latency", period=45), "monitoring_alarms.api_p99_latency"),
    (
        _monitoring_alarms("alb_target_5xx", evaluation_periods=2, datapoints_to_alarm=3),
        "monitoring_alarms.alb_target_5xx",
    ),
    (_monitoring_alarms("lambda_throttles", period=3600, evaluation_periods=25), "monitoring_alarms.lambda_throttles"),
    ({"monitoring_dynamodb_operations": ["PutItem", "PutItem"]}, "monitoring_dynamodb_operations"),
    ({"monitoring_dynamodb_operations": ["Upsert"]}, "monitoring_dynamodb_operations"),
    ({"monitoring_dashboard_name": "payment processing"}, "monitoring_dashboard_name"),
    # Bucket names: invalid characters or case in the parts, not only the length.
    ({"storage_bucket_suffix": "Audit_Logs"}, "storage_bucket_suffix"),
    ({"storage_bucket_base_name": "Payment-Audit"}, "storage_bucket_base_name"),
    ({"storage_bucket_base_name": "payment..audit"}, "storage_bucket_base_name"),
    ({"storage_bucket_base_name": "xn--payment-audit"}, "storage_bucket_base_name"),
    # Lambda: memory and timeout out of range, reservations above the account's headroom.
    (_lambda_functions("payment_validation", memory_size=64), "lambda_functions.payment_validation"),
    (_lambda_functions("fraud_detection", memory_size=20480), "lambda_functions.fraud_detection"),
    (_lambda_functions("transaction_processing", timeout=901), "lambda_functions.transaction_processing"),
    (_lambda_functions("payment_validation", timeout=0), "lambda_functions.payment_validation"),
    (
        _lambda_functions("transaction_processing", reserved_concurrent_executions=900),
        "lambda_functions.*.reserved_concurrent_executions",
    ),
    ({"lambda_account_concurrency_limit": 150}, "lambda_account_concurrency_limit"),
    ({"lambda_min_unreserved_concurrency": 50}, "lambda_min_unreserved_concurrency"),
    # ALB: no certificate outside the local environment, a malformed one, weights that add up to 0.
    ({"environment_suffix": "staging"}, "alb_certificate_arn"),
    ({"alb_certificate_arn": "arn:aws:iam::123456789012:server-certificate/payments"}, "alb_certificate_arn"),
    ({"alb_blue_weight": 0, "alb_green_weight": 0}, "alb_blue_weight"),
    ({"alb_bluegreen_stickiness_seconds": 604801}, "alb_bluegreen_stickiness_seconds"),
    # Parameters.
    ({"parameters_path": "/aws/payment-processing"}, "parameters_path"),
    ({"parameters_path": "payment-processing/local/"}, "parameters_path"),
    ({"parameters_secure_strings": ["db/admin_password"]}, "parameters_secure_strings"),
    ({"parameters_aurora_database_name": "9payments"}, "parameters_aurora_database_name"),
    # DynamoDB and secrets: one more each.
    ({"dynamodb_table_name": "payment transactions"}, "dynamodb_table_name"),
    ({"secrets_kms_keys": {"aurora": {"via_services": ["rds"]}}}, "secrets_kms_keys"),
]

# What each bad-input case saw, in the order they ran; test_bad_input_summary turns it into the suite's figure.
# With pytest-xdist's --dist loadfile every test of this file runs on one worker, in file order.
BAD_INPUT_RESULTS = []
VALIDATED_ROLES = [
    task["ansible.builtin.include_role"]["name"].rsplit(".", 1)[-1]
    for task in yaml.safe_load((ROOT / "playbooks" / "site.yml").read_text())[0]["tasks"]
    if task.get("ansible.builtin.include_role", {}).get("tasks_from") == "validate"
]


def _failed_task(output):
    """(role, message) of the task that stopped the run: the last TASK header before the first failure line, and
    the `msg` of every failure line (each item of a loop), with argument-spec paths written `a -> b` as `a.b`."""
    failures = list(re.finditer(r"^(?:fatal|failed): \[[^\]]+\].*? => (\{.*\})$", output, re.MULTILINE))
    assert failures, "no failed task in the output: " + output
    header = re.findall(
        r"^TASK \[(?:payments\.infra\.(\w+) : )?([^\]]*)\]", output[: failures[0].start()], re.MULTILINE
    )
    assert header, "no task header before the failure: " + output
    messages = [str(json.loads(failure.group(1)).get("msg", "")) for failure in failures]
    return header[-1][0], "\n".join(messages).replace(" -> ", ".")


@pytest.mark.parametrize(("extra_vars", "named"), BAD_INPUTS, ids=[json.dumps(v) for v, _named in BAD_INPUTS])
def test_bad_input_fails_in_first_play_before_any_aws_call(playbook, extra_vars, named):
    mark = playbook.emulator.mark()
    result = playbook.run("-e", json.dumps(extra_vars))
    output = result.stdout + result.stderr
    requests = playbook.emulator.mark() - mark
    assert result.returncode != 0, output
    first_play = output.split("PLAY [", 2)
    assert len(first_play) >= 2 and first_play[1].startswith("Validate the inputs"), output
    assert "PLAY [Check the account" not in output, "failed too late: " + output
    role, message = _failed_task(output)
    assert role in VALIDATED_ROLES, f"failed outside the roles' validation ({role}): " + output
    assert named in message, f"the failure does not name {named}: " + message
    assert requests == 0, f"{requests} AWS requests were sent before the input was rejected"
    BAD_INPUT_RESULTS.append({"vars": extra_vars, "named": named, "role": role, "requests": requests})


def test_bad_input_summary(record_property):
    """The suite's figure: every case of BAD_INPUTS ran above and passed, and every role play 1 validates has one."""
    if not BAD_INPUT_RESULTS:
        pytest.skip("no bad-input case ran in this process (the summary needs the cases selected with it)")
    passed = {json.dumps(r["vars"], sort_keys=True) for r in BAD_INPUT_RESULTS}
    missing = [named for extra_vars, named in BAD_INPUTS if json.dumps(extra_vars, sort_keys=True) not in passed]
    assert not missing, f"bad-input cases that did not pass (or were not selected): {missing}"
    assert len(BAD_INPUT_RESULTS) >= 15
    roles = sorted({r["role"] for r in BAD_INPUT_RESULTS})
    uncovered = sorted(set(VALIDATED_ROLES) - set(roles))
    assert not uncovered, f"roles validated in play 1 without a bad-input case: {uncovered}"
    requests = sum(r["requests"] for r in BAD_INPUT_RESULTS)
    per_role = Counter(r["role"] for r in BAD_INPUT_RESULTS)
    record_property(
        "figure",
        f"bad-input: {len(BAD_INPUT_RESULTS)} cases across {len(roles)}/{len(VALIDATED_ROLES)} roles "
        f"({', '.join(f'{role} {per_role[role]}' for role in roles)}), "
        f"all failed in play 1 naming the variable, {requests} AWS requests",
    )


def _counts(emulator):
    ec2 = boto3.client("ec2", region_name="us-east-1", **_client_args(emulator))
    nats = [n for n in ec2.describe_nat_gateways()["NatGateways"] if n["State"] in ("pending", "available")]
    eips = ec2.describe_addresses()["Addresses"]
    return nats, eips


def _client_args(emulator):
    return {"endpoint_url": emulator.endpoint, "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def _allocations(emulator):
    """How many AllocateAddress requests the emulator has answered (its request log)."""
    path = Path(emulator.state_dir) / "requests.jsonl"
    if not path.exists():
        return 0
    return sum(1 for line in path.read_text().splitlines() if '"AllocateAddress"' in line)


def test_converge_killed_while_creating_nat_gateways_heals_without_duplicates(playbook, tmp_path):
    # One call of payments.infra.ec2_nat_gateways allocates the Elastic IPs (tagged in the AllocateAddress request)
    # and creates the NAT gateways: the converge is killed as soon as the emulator has answered the first
    # AllocateAddress, i.e. after an allocation and before that task ends (the module may still finish its work).
    log_path = tmp_path / "killed.log"
    allocated_before = _allocations(playbook.emulator)
    process = playbook.popen("--tags", "network", log_path=log_path)
    deadline = time.monotonic() + 300
    killed_at = None
    while time.monotonic() < deadline and process.poll() is None:
        if _allocations(playbook.emulator) > allocated_before:
            process.send_signal(signal.SIGKILL)
            killed_at = log_path.read_text()
            break
        time.sleep(0.02)
    process.wait(timeout=60)
    assert killed_at is not None, "the converge ended before an Elastic IP was allocated: " + log_path.read_text()
    assert "Create the NAT gateways and their Elastic IPs" in killed_at and "Record the gateway ids" not in killed_at
    nats, eips = _counts(playbook.emulator)
    assert 1 <= len(eips) <= 3 and len(nats) <= 3, (nats, eips)

    rerun = playbook.run("--tags", "network")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    nats, eips = _counts(playbook.emulator)
    assert len(nats) == 3, nats
    assert len({n["SubnetId"] for n in nats}) == 3
    assert len(eips) == 3, eips
    assert all(e.get("AssociationId") for e in eips), "an Elastic IP was left unassociated"

    again = playbook.run("--tags", "network")
    assert again.returncode == 0
    assert re.search(r"localhost\s+: ok=\d+\s+changed=0\s", again.stdout), again.stdout
