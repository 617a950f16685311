"""Failure paths of the lambda and alb_bluegreen tiers a user hits, against an emulator of this module.

Each test runs site.yml with --tags on a partly converged account, asserts the message names what to fix,
and reads from the emulator that nothing was created (or half-created) by the failed run:

- lambda alone (--tags lambda) where the DynamoDB tier was never run -> fails naming the missing tier;
- lambda when the account's unreserved concurrency cannot cover our reservations (another function holds
  most of it) -> the preflight fails naming lambda_functions.*.reserved_concurrent_executions, before any
  IAM role, secret or function exists;
- alb_bluegreen with a certificate ARN that does not exist in ACM -> fails naming the certificate, and
  leaves no load balancer, target group or listener behind.

One converge of the network, secrets and storage tiers per module (~2 min); each test adds what it needs.
"""

import io
import json
import re
import zipfile

import boto3
import pytest
from conftest import Playbook

pytestmark = [pytest.mark.slow, pytest.mark.emulator]

ENV = "local"
FUNCTION_KEYS = ("fraud-detection", "payment-validation", "secrets-rotation", "transaction-processing")
FUNCTIONS = [f"payment-{name}-{ENV}" for name in FUNCTION_KEYS]
TABLE = f"transactions-{ENV}"
MISSING_CERT = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-4000-8000-000000000000"


def client(emulator, service):
    return boto3.client(
        service,
        region_name="us-east-1",
        endpoint_url=emulator.endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def output_of(result):
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def base(stack_emulator):
    """The emulator with the network, secrets and storage tiers converged (no DynamoDB, no Lambda, no ALB)."""
    stack_emulator.reset()
    playbook = Playbook(stack_emulator)
    result = playbook.run("--tags", "network,secrets,storage")
    assert result.returncode == 0, output_of(result)[-5000:]
    return playbook


def lambda_tier_resources(emulator):
    """What the lambda tier creates, as the emulator lists it."""
    iam = client(emulator, "iam")
    sm = client(emulator, "secretsmanager")
    sqs = client(emulator, "sqs")
    return {
        "functions": sorted(
            f["FunctionName"]
            for f in client(emulator, "lambda").list_functions()["Functions"]
            if f["FunctionName"] in FUNCTIONS
        ),  # fmt: skip
        "roles": sorted(r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"] in FUNCTIONS),
        "log_groups": [
            g["logGroupName"]
            for g in client(emulator, "logs").describe_log_groups(logGroupNamePrefix="/aws/lambda/payment-")[
                "logGroups"
            ]
        ],
        "secrets": [s["Name"] for s in sm.list_secrets()["SecretList"] if s["Name"].startswith("payment-card")],
        "queues": sqs.list_queues(QueueNamePrefix="payment-stream-dlq").get("QueueUrls", []),
    }


NOTHING = {"functions": [], "roles": [], "log_groups": [], "secrets": [], "queues": []}


def test_lambda_alone_without_the_dynamodb_tier_names_it_and_creates_nothing(base):
    ddb = client(base.emulator, "dynamodb")
    assert TABLE not in ddb.list_tables()["TableNames"], "precondition: the DynamoDB tier must not have run"
    result = base.run("--tags", "lambda")
    output = output_of(result)
    assert result.returncode != 0, output[-3000:]
    assert "transactions table (dynamodb tier)" in output, output[-3000:]
    assert "transactions table stream (dynamodb tier)" in output
    assert "Run site.yml without --tags" in output
    # exactly the DynamoDB tier's resources are named missing, not those of the tiers that exist
    missing = re.search(r"have not created: (.*?)\.\s+Run site\.yml", output, re.S)
    assert missing, output[-3000:]
    assert [item.strip() for item in " ".join(missing.group(1).split()).split(";")] == [
        "transactions table (dynamodb tier)",
        "transactions table stream (dynamodb tier)",
    ]
    assert lambda_tier_resources(base.emulator) == NOTHING


def test_lambda_reservations_beyond_the_account_headroom_fail_before_anything_is_created(base):
    result = base.run("--tags", "dynamodb")
    assert result.returncode == 0, output_of(result)[-3000:]
    awslambda = client(base.emulator, "lambda")
    iam = client(base.emulator, "iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = iam.create_role(RoleName="other-team-batch", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    awslambda.create_function(
        FunctionName="other-team-batch",
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": code.getvalue()},
    )
    # Another workload holds 850 of the account's 1000: 150 unreserved, our 82 would leave 68 (< 100).
    awslambda.put_function_concurrency(FunctionName="other-team-batch", ReservedConcurrentExecutions=850)
    unreserved = awslambda.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"]
    assert unreserved == 150
    try:
        result = base.run("--tags", "lambda")
        output = output_of(result)
        assert result.returncode != 0, output[-3000:]
        assert "lambda_functions.*.reserved_concurrent_executions" in output, output[-3000:]
        assert re.search(r"Reserving 82 concurrent executions .* would leave 68 unreserved", output, re.S), output
        assert "lambda_min_unreserved_concurrency=100" in output
        assert lambda_tier_resources(base.emulator) == NOTHING
        assert (
            awslambda.get_function_concurrency(FunctionName="other-team-batch")["ReservedConcurrentExecutions"] == 850
        )
    finally:
        awslambda.delete_function(FunctionName="other-team-batch")
        iam.delete_role(RoleName="other-team-batch")


def alb_tier_resources(emulator):
    elb = client(emulator, "elbv2")
    balancers = [b for b in elb.describe_load_balancers()["LoadBalancers"] if b["LoadBalancerName"].endswith(ENV)]
    groups = [g["TargetGroupName"] for g in elb.describe_target_groups()["TargetGroups"]]
    listeners = [
        listener["ListenerArn"]
        for b in balancers
        for listener in elb.describe_listeners(LoadBalancerArn=b["LoadBalancerArn"])["Listeners"]
    ]
    return {
        "load_balancers": [b["LoadBalancerName"] for b in balancers],
        "target_groups": groups,
        "listeners": listeners,
    }


# alb_bluegreen reads the certificate before creating anything: a wrong ARN fails naming alb_certificate_arn
# and leaves no bucket-less half of the tier (no target group, load balancer or listener).
def test_alb_with_a_certificate_that_does_not_exist_fails_and_leaves_no_half_made_balancer(base):
    result = base.run("--tags", "alb_bluegreen", "-e", f"alb_certificate_arn={MISSING_CERT}")
    output = output_of(result)
    assert result.returncode != 0, output[-3000:]
    left = alb_tier_resources(base.emulator)
    assert "alb_certificate_arn" in output, f"the failure does not name alb_certificate_arn; left behind: {left}"
    assert left == {"load_balancers": [], "target_groups": [], "listeners": []}, left
