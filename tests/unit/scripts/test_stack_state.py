"""tests/stack_state.py: the differences it reports, and that its expectation covers every kind it counts."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from stack_state import EXPECTED_COUNTS, count_differences  # noqa: E402


def test_equal_counts_have_no_differences():
    assert count_differences(dict(EXPECTED_COUNTS)) == []


def test_a_duplicate_and_a_missing_kind_are_both_named():
    actual = dict(EXPECTED_COUNTS)
    actual["ec2.nat_gateways"] += 1
    del actual["apigatewayv2.routes"]
    assert count_differences(actual) == [
        f"apigatewayv2.routes: 0, expected {EXPECTED_COUNTS['apigatewayv2.routes']}",
        f"ec2.nat_gateways: {EXPECTED_COUNTS['ec2.nat_gateways'] + 1}, expected {EXPECTED_COUNTS['ec2.nat_gateways']}",
    ]


def test_an_unexpected_kind_is_a_difference():
    assert count_differences({**EXPECTED_COUNTS, "ec2.vpc_peering": 1}) == ["ec2.vpc_peering: 1, expected 0"]


def test_the_kinds_the_issue_names_are_expected():
    named = {
        "ec2.vpcs",
        "ec2.subnets",
        "ec2.nat_gateways",
        "ec2.elastic_ips",
        "ec2.security_groups",
        "ec2.route_tables",
        "dynamodb.tables",
        "rds.db_clusters",
        "lambda.functions",
        "apigatewayv2.apis",
        "apigatewayv2.routes",
        "apigatewayv2.integrations",
        "elbv2.target_groups",
        "elbv2.listeners",
        "cloudwatch.alarms",
        "sns.topics",
        "kms.keys",
        "secretsmanager.secrets",
    }
    assert named <= set(EXPECTED_COUNTS)
