"""payments.infra.audit_controls: every control passes on a compliant environment and fails, alone, when broken."""

import copy
import json

import pytest
from ansible_collections.payments.infra.plugins.filter.audit_controls import (
    CONTROL_IDS,
    AuditInputError,
    FilterModule,
    audit_controls,
)

ACCOUNT = "123456789012"
PREFIX = f"arn:aws:kms:us-east-1:{ACCOUNT}"
PURPOSES = ("aurora", "dynamodb", "s3", "secrets", "logs")
KEY_IDS = {purpose: f"0000000{index}-aaaa-bbbb-cccc-0123456789ab" for index, purpose in enumerate(PURPOSES)}
KEYS = {purpose: f"{PREFIX}:key/{key_id}" for purpose, key_id in KEY_IDS.items()}
FOREIGN_KEY = f"{PREFIX}:key/99999999-aaaa-bbbb-cccc-0123456789ab"
ALB_ARN = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/payment-alb-test/50dc6c495c0c9188"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:system-errors-test"
NOW = "2026-11-28T06:00:00"
SETTINGS = {
    "tls_policies": ["ELBSecurityPolicy-TLS13-1-2-2021-06"],
    "min_log_retention_days": 365,
    "rotation_slack_days": 2,
    "waivers": [],
}
TLS_ONLY_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
)
PUBLIC_ACCESS_BLOCK = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


def kms_encryption(key_ref):
    return {
        "ServerSideEncryptionConfiguration": {
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_ref}}]
        }
    }


def compliant():
    """The facts of a compliant environment, shaped like what roles/audit/tasks/gather.yml records."""
    return {
        "environment": "test",
        "protected": True,
        "now": NOW,
        "kms_keys": [
            {
                "key_arn": KEYS[p],
                "key_id": KEY_IDS[p],
                "aliases": [f"payment-{p}-test"],
                "key_manager": "CUSTOMER",
                "key_state": "Enabled",
                "enable_key_rotation": True,
            }
            for p in PURPOSES
        ],
        "aurora_cluster_identifier": "payment-aurora-test",
        "aurora_cluster": {
            "db_cluster_identifier": "payment-aurora-test",
            "storage_encrypted": True,
            "kms_key_id": KEYS["aurora"],
            "deletion_protection": True,
        },
        "aurora_instances": [
            {
                "db_instance_identifier": f"payment-aurora-test-{n}",
                "publicly_accessible": False,
                "performance_insights_enabled": True,
                "performance_insights_kms_key_id": KEYS["aurora"],
            }
            for n in (1, 2)
        ],
        "table_name": "transactions-test",
        "table_kms_key_arn": KEYS["dynamodb"],
        "table": {
            "table_name": "transactions-test",
            "sse": {"enabled": True, "sse_type": "KMS", "kms_key_arn": KEYS["dynamodb"], "status": "ENABLED"},
            "point_in_time_recovery": True,
            "deletion_protection": True,
        },
        "buckets": [
            {
                "name": "payment-audit-logs-test",
                "exists": True,
                "kms_required": True,
                # S3 may report the key by ID, alias or ARN.
                "bucket_encryption": kms_encryption(KEY_IDS["s3"]),
                "public_access_block": {"PublicAccessBlockConfiguration": dict(PUBLIC_ACCESS_BLOCK)},
                "bucket_policy": TLS_ONLY_POLICY,
            },
            {
                "name": "payment-alb-logs-test",
                "exists": True,
                "kms_required": False,
                "bucket_encryption": {
                    "ServerSideEncryptionConfiguration": {
                        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
                    }
                },
                "public_access_block": dict(PUBLIC_ACCESS_BLOCK),
                "bucket_policy": json.loads(TLS_ONLY_POLICY),
            },
        ],
        "secrets": [
            {"name": "db-credentials-test", "secret": {"name": "db-credentials-test", "kms_key_arn": KEYS["secrets"]}},
            {"name": "card-key-test", "secret": {"name": "card-key-test", "kms_key_arn": KEYS["secrets"]}},
        ],
        "rotated_secrets": [
            {
                "name": "db-credentials-test",
                "secret": {
                    "name": "db-credentials-test",
                    "rotation_enabled": True,
                    "rotation_days": 30,
                    "last_rotated_date": "2026-11-10T09:00:00+00:00",
                    "created_date": "2026-01-01T09:00:00+00:00",
                },
            }
        ],
        "log_groups": [
            {"log_group_name": name, "kms_key_id": KEYS["logs"], "retention_in_days": 365}
            for name in ("/aws/lambda/payment-fraud-detection-test", "/aws/vpc/flow-logs/payment-vpc-test")
        ],
        "topics": [
            {"name": "system_errors", "arn": TOPIC, "attributes": {"kms_master_key_id": KEYS["logs"]}},
            {
                "name": "failed_transactions",
                "arn": TOPIC.replace("system-errors", "failed-transactions"),
                "attributes": {"kms_master_key_id": "alias/payment-logs-test"},
            },
        ],
        "queues": [
            {
                "name": "payment-stream-dlq-test",
                "exists": True,
                "arn": "arn:aws:sqs:us-east-1:123456789012:payment-stream-dlq-test",
                "kms_master_key_id": KEYS["dynamodb"],
            }
        ],
        "functions": [
            {
                "name": f"payment-{name}-test",
                "config": {
                    "function_name": f"payment-{name}-test",
                    "kms_key_arn": KEYS["secrets"],
                    "environment": {"variables": {"TABLE": "transactions-test"}},
                },
            }
            for name in ("payment-validation", "fraud-detection")
        ],
        "vpc_id": "vpc-1",
        "database_subnets": [{"subnet_id": "subnet-db-a"}, {"subnet_id": "subnet-db-b"}],
        "route_tables": [
            {
                "route_table_id": "rtb-main",
                "associations": [{"main": True}],
                "routes": [{"destination_cidr_block": "10.0.0.0/16", "gateway_id": "local", "state": "active"}],
            },
            {
                "route_table_id": "rtb-public",
                "associations": [{"subnet_id": "subnet-public-a", "main": False}],
                "routes": [{"destination_cidr_block": "0.0.0.0/0", "gateway_id": "igw-1", "state": "active"}],
            },
            {
                "route_table_id": "rtb-db-a",
                "associations": [{"subnet_id": "subnet-db-a", "main": False}],
                "routes": [{"destination_cidr_block": "10.0.0.0/16", "gateway_id": "local", "state": "active"}],
            },
        ],
        "flow_logs": [
            {
                "flow_log_id": "fl-1",
                "resource_id": "vpc-1",
                "traffic_type": "ALL",
                "flow_log_status": "ACTIVE",
                "deliver_logs_status": "SUCCESS",
                "log_group_name": "/aws/vpc/flow-logs/payment-vpc-test",
            }
        ],
        "load_balancer_name": "payment-alb-test",
        "load_balancer": {
            "load_balancer_name": "payment-alb-test",
            "load_balancer_arn": ALB_ARN,
            "deletion_protection_enabled": "true",
            "listeners": [
                {
                    "listener_arn": ALB_ARN.replace(":loadbalancer/", ":listener/") + "/1",
                    "port": 443,
                    "protocol": "HTTPS",
                    "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                    "default_actions": [{"type": "forward"}],
                },
                {
                    "listener_arn": ALB_ARN.replace(":loadbalancer/", ":listener/") + "/2",
                    "port": 80,
                    "protocol": "HTTP",
                    "default_actions": [{"type": "redirect", "redirect_config": {"protocol": "HTTPS", "port": "443"}}],
                },
            ],
        },
        "web_acl_name": "payment-waf-test",
        "web_acl_resources": [ALB_ARN],
        "alarms": [
            {"alarm_name": "payment-test-aurora-cpu", "alarm_actions": [TOPIC], "actions_enabled": True},
            {"alarm_name": "payment-test-api-p99-latency", "alarm_actions": [TOPIC, "arn:other"]},
        ],
        "alarm_topic_arn": TOPIC,
    }


def run(facts, settings=None):
    return {r["id"]: r for r in audit_controls(facts, SETTINGS if settings is None else settings)}


def statuses(results):
    return {control_id: result["status"] for control_id, result in results.items()}


def failing(results):
    return sorted(control_id for control_id, result in results.items() if result["status"] == "fail")


# ------------------------------------------------------------------------------------------- breakers
# Each breaks one control on the compliant facts; the control must fail alone, naming the resource.


def _set(path, value):
    def mutate(facts):
        target = facts
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _remove_igw_route_isolation(facts):
    facts["route_tables"][2]["routes"].append(
        {"destination_cidr_block": "0.0.0.0/0", "gateway_id": "igw-1", "state": "active"}
    )


def _bucket_policy_allows_http(facts):
    facts["buckets"][1]["bucket_policy"] = json.dumps(
        {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}]}
    )


BREAKERS = {
    "aurora-storage-kms": (_set(("aurora_cluster", "kms_key_id"), FOREIGN_KEY), "payment-aurora-test"),
    "aurora-performance-insights-kms": (
        _set(("aurora_instances", 1, "performance_insights_kms_key_id"), None),
        "payment-aurora-test-2",
    ),
    "dynamodb-sse-kms": (_set(("table", "sse", "kms_key_arn"), KEYS["s3"]), "transactions-test"),
    "s3-sse-kms": (_set(("buckets", 0, "bucket_encryption"), {}), "payment-audit-logs-test"),
    "secrets-kms": (_set(("secrets", 1, "secret", "kms_key_arn"), None), "card-key-test"),
    "log-groups-kms": (_set(("log_groups", 1, "kms_key_id"), None), "/aws/vpc/flow-logs/payment-vpc-test"),
    "sns-topics-kms": (_set(("topics", 0, "attributes"), {}), TOPIC),
    "sqs-dlq-kms": (
        _set(("queues", 0, "kms_master_key_id"), "alias/aws/sqs"),
        "arn:aws:sqs:us-east-1:123456789012:payment-stream-dlq-test",
    ),
    "lambda-env-kms": (_set(("functions", 0, "config", "kms_key_arn"), None), "payment-payment-validation-test"),
    "kms-key-rotation": (_set(("kms_keys", 4, "enable_key_rotation"), False), KEYS["logs"]),
    "s3-tls-only": (_bucket_policy_allows_http, "payment-alb-logs-test"),
    "s3-public-access-block": (
        _set(("buckets", 0, "public_access_block", "PublicAccessBlockConfiguration", "RestrictPublicBuckets"), False),
        "payment-audit-logs-test",
    ),
    "aurora-not-public": (_set(("aurora_instances", 0, "publicly_accessible"), True), "payment-aurora-test-1"),
    "db-subnets-private": (_remove_igw_route_isolation, "subnet-db-a"),
    "secret-rotation": (_set(("rotated_secrets", 0, "secret", "rotation_enabled"), False), "db-credentials-test"),
    "log-retention": (_set(("log_groups", 0, "retention_in_days"), None), "/aws/lambda/payment-fraud-detection-test"),
    "vpc-flow-logs": (_set(("flow_logs", 0, "flow_log_status"), "INACTIVE"), "vpc-1"),
    "alb-tls-policy": (
        _set(("load_balancer", "listeners", 0, "ssl_policy"), "ELBSecurityPolicy-2016-08"),
        ALB_ARN.replace(":loadbalancer/", ":listener/") + "/1",
    ),
    "alb-https-only": (
        _set(("load_balancer", "listeners", 1, "default_actions"), [{"type": "forward"}]),
        ALB_ARN.replace(":loadbalancer/", ":listener/") + "/2",
    ),
    "alb-waf": (_set(("web_acl_resources",), []), ALB_ARN),
    "alarms-notify": (_set(("alarms", 0, "alarm_actions"), ["arn:other"]), "payment-test-aurora-cpu"),
    "deletion-protection": (_set(("load_balancer", "deletion_protection_enabled"), "false"), "payment-alb-test"),
    "dynamodb-pitr": (_set(("table", "point_in_time_recovery"), False), "transactions-test"),
}


def test_every_control_has_a_breaker():
    assert sorted(BREAKERS) == sorted(CONTROL_IDS)
    assert len(CONTROL_IDS) == len(set(CONTROL_IDS))


def test_compliant_environment_passes_every_control(record_property):
    results = run(compliant())
    assert list(results) == list(CONTROL_IDS)
    assert failing(results) == []
    assert set(statuses(results).values()) == {"pass"}
    for result in results.values():
        assert result["requirement"].startswith("PCI DSS v4.0 ")
        assert result["evidence"], result["id"]
        assert all(item["ok"] for item in result["evidence"])
    broken = {}
    for control_id, (mutate, _resource) in BREAKERS.items():
        facts = compliant()
        mutate(facts)
        broken[control_id] = failing(run(facts))
    alone = sum(1 for control_id, failed in broken.items() if failed == [control_id])
    record_property(
        "figure",
        f"audit_controls: {len(CONTROL_IDS)} controls pass on a compliant environment; "
        f"{alone}/{len(BREAKERS)} single breakages fail exactly their control",
    )


@pytest.mark.parametrize("control_id", sorted(BREAKERS))
def test_breaking_one_control_fails_it_alone(control_id):
    mutate, resource = BREAKERS[control_id]
    facts = compliant()
    mutate(facts)
    results = run(facts)
    assert failing(results) == [control_id]
    result = results[control_id]
    assert result["failed"] == [resource]
    assert resource in result["summary"]
    assert [item["resource"] for item in result["evidence"] if not item["ok"]] == [resource]


def test_result_is_json_serialisable():
    assert json.loads(json.dumps(audit_controls(compliant(), SETTINGS)))


# ------------------------------------------------------------------------------------------- not applicable


def test_deletion_protection_not_applicable_when_not_protected():
    facts = compliant()
    facts["protected"] = False
    facts["aurora_cluster"]["deletion_protection"] = False
    facts["table"]["deletion_protection"] = False
    results = run(facts)
    assert results["deletion-protection"]["status"] == "not_applicable"
    assert "not protected" in results["deletion-protection"]["summary"]
    assert failing(results) == []


@pytest.mark.parametrize(
    "path, value",
    [
        (("aurora_cluster", "deletion_protection"), False),
        (("table", "deletion_protection"), False),
        (("load_balancer", "deletion_protection_enabled"), "false"),
    ],
)
def test_deletion_protection_checks_each_store_when_protected(path, value):
    facts = compliant()
    _set(path, value)(facts)
    assert failing(run(facts)) == ["deletion-protection"]


def test_alb_deletion_protection_from_attributes_dict():
    facts = compliant()
    del facts["load_balancer"]["deletion_protection_enabled"]
    facts["load_balancer"]["attributes"] = {"deletion_protection.enabled": "true"}
    assert failing(run(facts)) == []
    facts["load_balancer"]["attributes"] = {"deletion_protection.enabled": "false"}
    assert failing(run(facts)) == ["deletion-protection"]


def test_performance_insights_not_applicable_when_disabled_everywhere():
    facts = compliant()
    for instance in facts["aurora_instances"]:
        instance["performance_insights_enabled"] = False
        instance["performance_insights_kms_key_id"] = None
    result = run(facts)["aurora-performance-insights-kms"]
    assert result["status"] == "not_applicable"
    assert "payment-aurora-test-1, payment-aurora-test-2" in result["summary"]


def test_performance_insights_checks_only_enabled_instances():
    facts = compliant()
    facts["aurora_instances"][0]["performance_insights_enabled"] = False
    facts["aurora_instances"][0]["performance_insights_kms_key_id"] = None
    assert run(facts)["aurora-performance-insights-kms"]["status"] == "pass"


# ------------------------------------------------------------------------------------------- absent resources


@pytest.mark.parametrize(
    "key, empty, controls",
    [
        (
            "aurora_cluster",
            None,
            ["aurora-not-public", "aurora-performance-insights-kms", "aurora-storage-kms", "deletion-protection"],
        ),
        ("table", None, ["deletion-protection", "dynamodb-pitr", "dynamodb-sse-kms"]),
        ("load_balancer", None, ["alb-https-only", "alb-tls-policy", "alb-waf", "deletion-protection"]),
        ("vpc_id", None, ["db-subnets-private", "vpc-flow-logs"]),
        ("log_groups", [], ["log-groups-kms", "log-retention"]),
        ("alarms", [], ["alarms-notify"]),
        ("kms_keys", [], None),
    ],
)
def test_absent_resources_fail_their_controls(key, empty, controls):
    facts = compliant()
    facts[key] = empty
    results = run(facts)
    if controls is None:  # without keys nothing encrypted is ours
        assert "kms-key-rotation" in failing(results)
        assert "s3-sse-kms" in failing(results)
        return
    assert failing(results) == controls
    for control_id in controls:
        assert any(item.get("absent") for item in results[control_id]["evidence"]), control_id


def test_absent_secret_bucket_queue_topic_function():
    facts = compliant()
    facts["secrets"][0]["secret"] = None
    facts["rotated_secrets"][0]["secret"] = None
    facts["buckets"][0]["exists"] = False
    facts["queues"][0]["exists"] = False
    facts["topics"][1]["arn"] = None
    facts["functions"][1]["config"] = None
    assert failing(run(facts)) == [
        "lambda-env-kms",
        "s3-public-access-block",
        "s3-sse-kms",
        "s3-tls-only",
        "secret-rotation",
        "secrets-kms",
        "sns-topics-kms",
        "sqs-dlq-kms",
    ]


# ------------------------------------------------------------------------------------------- details


def test_key_references_resolve_by_arn_id_and_alias():
    facts = compliant()
    facts["queues"][0]["kms_master_key_id"] = "alias/payment-dynamodb-test"
    facts["topics"][0]["attributes"] = {"kms_master_key_id": f"{PREFIX}:alias/payment-logs-test"}
    facts["secrets"][0]["secret"] = {"name": "db-credentials-test", "kms_key_id": KEY_IDS["secrets"]}
    results = run(facts)
    assert failing(results) == []
    assert results["sqs-dlq-kms"]["evidence"][0]["kms_alias"] == "alias/payment-dynamodb-test"


def test_topic_attributes_as_sns_topic_info_returns_them():
    facts = compliant()
    facts["topics"][0]["attributes"] = {"sns_arn": TOPIC, "sns_topic": {"kms_master_key_id": KEYS["logs"]}}
    facts["topics"][1]["attributes"] = [{"sns_topic": {"kms_master_key_id": None}}]
    result = run(facts)["sns-topics-kms"]
    assert result["failed"] == [facts["topics"][1]["arn"]]
    assert result["evidence"][0]["kms_alias"] == "alias/payment-logs-test"


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"key_state": "Disabled"}, "key state Disabled"),
        ({"key_manager": "AWS"}, "key is AWS managed"),
    ],
)
def test_disabled_or_aws_managed_key_is_not_a_cmk(change, reason):
    facts = compliant()
    facts["kms_keys"][0].update(change)
    result = run(facts)["aurora-storage-kms"]
    assert result["status"] == "fail"
    assert result["evidence"][0]["reason"] == reason


def test_dynamodb_must_use_the_tables_key():
    facts = compliant()
    facts["table"]["sse"]["kms_key_arn"] = KEYS["aurora"]  # a CMK of the environment, but not the table's
    result = run(facts)["dynamodb-sse-kms"]
    assert result["status"] == "fail"
    assert "not the table's key" in result["evidence"][0]["reason"]


def test_dynamodb_aws_owned_encryption_fails():
    facts = compliant()
    facts["table"]["sse"] = {"enabled": False, "sse_type": None, "kms_key_arn": None, "status": None}
    assert failing(run(facts)) == ["dynamodb-sse-kms"]


def test_aurora_unencrypted_storage_fails_even_with_a_key():
    facts = compliant()
    facts["aurora_cluster"]["storage_encrypted"] = False
    assert failing(run(facts)) == ["aurora-storage-kms"]


@pytest.mark.parametrize(
    "secret, ok",
    [
        ({"last_rotated_date": "2026-10-27T06:00:00+00:00"}, True),  # 32 days: period 30 + slack 2
        ({"last_rotated_date": "2026-10-26T05:00:00+00:00"}, False),  # 33 days
        ({"last_rotated_date": None, "created_date": "2026-11-20T00:00:00Z"}, True),  # new secret, never rotated
        ({"last_rotated_date": None, "created_date": "2026-01-01T00:00:00Z"}, False),  # old and never rotated
        ({"last_rotated_date": None, "created_date": None}, False),
        ({"rotation_days": None}, False),
        ({"last_rotated_date": "2026-11-28 05:00:00"}, True),  # naive times are UTC
    ],
)
def test_secret_rotation_window(secret, ok):
    facts = compliant()
    facts["rotated_secrets"][0]["secret"].update(secret)
    assert run(facts)["secret-rotation"]["status"] == ("pass" if ok else "fail")


def test_secret_rotation_slack_is_a_setting():
    facts = compliant()
    facts["rotated_secrets"][0]["secret"]["last_rotated_date"] = "2026-10-20T06:00:00+00:00"  # 39 days
    assert run(facts)["secret-rotation"]["status"] == "fail"
    assert run(facts, dict(SETTINGS, rotation_slack_days=10))["secret-rotation"]["status"] == "pass"


def test_log_retention_minimum_is_a_setting():
    facts = compliant()
    facts["log_groups"][0]["retention_in_days"] = 90
    assert failing(run(facts)) == ["log-retention"]
    assert failing(run(facts, dict(SETTINGS, min_log_retention_days=90))) == []


@pytest.mark.parametrize(
    "statement, ok",
    [
        ({"Principal": {"AWS": "*"}, "Action": ["s3:*"]}, True),
        ({"Condition": {"BoolIfExists": {"aws:SecureTransport": ["false"]}}}, True),
        ({"Condition": {"Bool": {"aws:SecureTransport": "true"}}}, False),
        ({"Action": "s3:GetObject"}, False),
        ({"Principal": {"AWS": "arn:aws:iam::123456789012:root"}}, False),
        ({"Effect": "Allow"}, False),
    ],
)
def test_tls_only_policy_shapes(statement, ok):
    facts = compliant()
    policy = json.loads(TLS_ONLY_POLICY)
    policy["Statement"][0].update(statement)
    facts["buckets"][0]["bucket_policy"] = policy
    assert run(facts)["s3-tls-only"]["status"] == ("pass" if ok else "fail")


def test_tls_only_policy_as_get_bucket_policy_returns_it():
    facts = compliant()
    facts["buckets"][0]["bucket_policy"] = {"Policy": TLS_ONLY_POLICY}
    result = run(facts)["s3-tls-only"]
    assert result["status"] == "pass"
    assert result["evidence"][0]["deny_insecure_transport_statements"] == ["DenyInsecureTransport"]


def test_missing_bucket_policy_fails_tls_only():
    facts = compliant()
    facts["buckets"][0]["bucket_policy"] = None
    assert failing(run(facts)) == ["s3-tls-only"]


def test_database_subnet_on_the_main_route_table():
    facts = compliant()  # subnet-db-b has no explicit association: the main table applies (no IGW route)
    assert run(facts)["db-subnets-private"]["evidence"][1]["route_table"] == "rtb-main"
    facts["route_tables"][0]["routes"].append({"destination_cidr_block": "0.0.0.0/0", "gateway_id": "igw-1"})
    assert run(facts)["db-subnets-private"]["failed"] == ["subnet-db-b"]


def test_flow_log_of_rejected_traffic_only_fails():
    facts = compliant()
    facts["flow_logs"][0]["traffic_type"] = "REJECT"
    assert failing(run(facts)) == ["vpc-flow-logs"]


def test_flow_log_of_another_vpc_does_not_count():
    facts = compliant()
    facts["flow_logs"][0]["resource_id"] = "vpc-2"
    assert failing(run(facts)) == ["vpc-flow-logs"]


def test_web_acl_missing_fails_waf():
    facts = compliant()
    facts["web_acl_resources"] = None
    result = run(facts)["alb-waf"]
    assert result["status"] == "fail"
    assert result["evidence"][0]["reason"] == "web ACL not found"


def test_alarm_with_actions_disabled_fails():
    facts = compliant()
    facts["alarms"][1]["actions_enabled"] = False
    assert run(facts)["alarms-notify"]["failed"] == ["payment-test-api-p99-latency"]


def test_alb_without_https_listener_fails_tls_policy():
    facts = compliant()
    facts["load_balancer"]["listeners"] = facts["load_balancer"]["listeners"][1:]
    assert failing(run(facts)) == ["alb-tls-policy"]


# ------------------------------------------------------------------------------------------- waivers


def test_waiver_accepts_one_failing_resource():
    facts = compliant()
    facts["log_groups"][1]["kms_key_id"] = None
    facts["log_groups"][0]["kms_key_id"] = None
    waiver = {"control": "log-groups-kms", "resource": "/aws/vpc/flow-logs/payment-vpc-test", "reason": "RISK-1"}
    result = run(facts, dict(SETTINGS, waivers=[waiver]))["log-groups-kms"]
    assert result["status"] == "fail"
    assert result["failed"] == ["/aws/lambda/payment-fraud-detection-test"]
    assert result["waived"] == ["/aws/vpc/flow-logs/payment-vpc-test"]
    facts["log_groups"][0]["kms_key_id"] = KEYS["logs"]
    result = run(facts, dict(SETTINGS, waivers=[waiver]))["log-groups-kms"]
    assert result["status"] == "pass"
    assert "1 waived" in result["summary"]
    assert result["evidence"][1]["waived"] == "RISK-1"


@pytest.mark.parametrize(
    "waiver, message",
    [
        ({"control": "no-such-control", "resource": "x", "reason": "y"}, "unknown control"),
        ({"control": "log-retention", "resource": "", "reason": "y"}, "needs a resource and a reason"),
        ({"control": "log-retention", "resource": "x", "reason": ""}, "needs a resource and a reason"),
    ],
)
def test_bad_waivers_are_refused(waiver, message):
    with pytest.raises(AuditInputError, match=message):
        audit_controls(compliant(), dict(SETTINGS, waivers=[waiver]))


# ------------------------------------------------------------------------------------------- inputs


def test_bad_inputs_are_refused():
    with pytest.raises(AuditInputError, match="a dict"):
        audit_controls([], SETTINGS)
    facts = compliant()
    facts["now"] = None
    with pytest.raises(AuditInputError, match="now is required"):
        audit_controls(facts, SETTINGS)
    facts["now"] = "yesterday"
    with pytest.raises(AuditInputError, match="ISO 8601"):
        audit_controls(facts, SETTINGS)


def test_inputs_are_not_modified():
    facts = compliant()
    before = copy.deepcopy(facts)
    audit_controls(facts, SETTINGS)
    assert facts == before


def test_filter_is_registered():
    assert FilterModule().filters()["audit_controls"] is audit_controls
