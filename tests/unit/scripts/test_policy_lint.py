"""tests/policy_lint.py: every rule passes the documents our roles render and fails on a bad one.

The pure checks run on documents given here; the last tests read a small account from the emulator
(a role, a key, a bucket, a topic, a queue, a function policy) to show the reader finds what the rules catch.
"""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from policy_lint import Document, check_document, check_key_services, lint, named_services, parse_policy  # noqa: E402

ACCOUNT = "123456789012"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
TABLE = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/transactions-local"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:system-errors-local"


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource, **extra):
    return {"Sid": "S", "Effect": "Allow", "Action": action, "Resource": resource, **extra}


def rules(document):
    findings, _count = check_document(document)
    return sorted({f.rule for f in findings})


GOOD_INLINE = policy(
    allow(["dynamodb:GetItem", "dynamodb:Query"], [TABLE, TABLE + "/index/*"]),
    allow(["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface"], "*"),
    allow(["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "*"),
    allow("secretsmanager:GetRandomPassword", "*"),
    allow(
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/payment-x:*",
    ),
    {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
)
GOOD_TRUST = policy(
    {
        "Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
    }
)
GOOD_KEY = policy(
    {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"},
    {
        "Sid": "Via",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "Resource": "*",
        "Condition": {
            "StringEquals": {
                "kms:CallerAccount": ACCOUNT,
                "kms:ViaService": ["dynamodb.us-east-1.amazonaws.com", "sqs.us-east-1.amazonaws.com"],
            }
        },
    },
    {
        "Sid": "Logs",
        "Effect": "Allow",
        "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
        "Action": ["kms:Encrypt*", "kms:Decrypt*"],
        "Resource": "*",
    },
)
GOOD_TOPIC = policy(
    {"Sid": "Account", "Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "sns:Publish", "Resource": TOPIC},
    {
        "Sid": "Alarms",
        "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": "sns:Publish",
        "Resource": TOPIC,
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
    },
)


def test_the_good_documents_have_no_finding():
    documents = [
        Document("inline", "role", GOOD_INLINE, name="least-privilege"),
        Document("managed", "role", json.dumps(GOOD_INLINE), name="ours"),
        Document("trust", "role", GOOD_TRUST),
        Document("key", "alias/payment-dynamodb-local", json.dumps(GOOD_KEY), resource_arn="arn:key", account=ACCOUNT),
        Document("topic", "system-errors-local", json.dumps(GOOD_TOPIC), resource_arn=TOPIC, account=ACCOUNT),
    ]
    users = {"arn:key": {"dynamodb": [TABLE], "sqs": ["payment-stream-dlq-local"], "logs": ["/aws/lambda/x"]}}
    report = lint(documents, users, roles=1)
    assert report.findings == []
    assert report.statements == 6 + 6 + 1 + 3 + 2
    assert report.figure() == (
        "policy-lint: 5 documents (1 roles: 1 trust + 1 inline + 1 managed; 1 key policies; 0 buckets; 1 topics; "
        "0 queues; 0 function policies; 0 secret policies), 18 statements, 0 findings"
    )


def test_an_iam_wire_form_document_is_read():
    encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D"
    assert parse_policy(encoded) == {"Version": "2012-10-17", "Statement": []}


@pytest.mark.parametrize(
    ("kind", "document", "rule"),
    [
        ("inline", policy(allow("*", TABLE)), "wildcard-action"),
        ("inline", policy(allow("dynamodb:*", TABLE)), "wildcard-action"),
        ("managed", policy(allow(["s3:GetObject", "S3:*"], "arn:aws:s3:::b/*")), "wildcard-action"),
        ("inline", policy(allow("dynamodb:GetItem", "*")), "wildcard-resource"),
        ("inline", policy(allow("logs:CreateLogGroup", "*")), "wildcard-resource"),
        ("inline", policy(allow(["xray:PutTraceSegments", "kms:Decrypt"], "*")), "wildcard-resource"),
        ("inline", policy(allow("logs:PutLogEvents", f"arn:aws:logs:us-east-1:{ACCOUNT}:*")), "resource-breadth"),
        (
            "inline",
            policy(allow("logs:CreateLogGroup", f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:*")),
            "resource-breadth",
        ),
        ("inline", policy(allow("s3:GetObject", "arn:aws:s3:::*")), "resource-breadth"),
        (
            "inline",
            policy(allow("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/transactions-local")),
            "resource-breadth",
        ),
        ("inline", policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": TABLE}), "negation"),
        ("inline", policy({"Effect": "Allow", "Action": "dynamodb:GetItem", "NotResource": TABLE}), "negation"),
        ("inline", {"Version": "2008-10-17", "Statement": [allow("dynamodb:GetItem", TABLE)]}, "structure"),
        ("inline", policy({"Effect": "Permit", "Action": "dynamodb:GetItem", "Resource": TABLE}), "structure"),
        ("inline", {"Version": "2012-10-17", "Statement": []}, "structure"),
        ("inline", "not json", "structure"),
        ("inline", policy(allow("dynamodb:GetItem", TABLE, Principal={"AWS": ROOT})), "structure"),
        ("trust", policy({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}), "wildcard-principal"),
        (
            "trust",
            policy({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:*"}),
            "wildcard-action",
        ),
        (
            "trust",
            policy({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "iam:PassRole"}),
            "trust",
        ),
        ("trust", policy({"Effect": "Allow", "Action": "sts:AssumeRole"}), "structure"),
        (
            "topic",
            policy({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:Publish", "Resource": TOPIC}),
            "wildcard-principal",
        ),
        (
            "topic",
            policy({"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "sns:Publish", "Resource": "*"}),
            "wildcard-resource",
        ),
        (
            "topic",
            policy(
                {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "sns:Publish", "Resource": TOPIC + "-other"}
            ),
            "wildcard-resource",
        ),
        (
            "topic",
            policy({"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "sns:*", "Resource": TOPIC}),
            "wildcard-action",
        ),
        (
            "topic",
            policy({"Effect": "Allow", "NotPrincipal": {"AWS": ROOT}, "Action": "sns:Publish", "Resource": TOPIC}),
            "negation",
        ),
        # kms:* is allowed only to the key's own account root, alone.
        (
            "key",
            policy(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ),
            "wildcard-action",
        ),
        (
            "key",
            policy(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/x"},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ),
            "wildcard-action",
        ),
        (
            "key",
            policy({"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "*", "Resource": "*"}),
            "wildcard-action",
        ),
        (
            "key",
            policy(
                {"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "kms:*", "Resource": "*"}
            ),
            "wildcard-action",
        ),
        (
            "key",
            policy({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"}),
            "wildcard-principal",
        ),
        (
            "key",
            policy(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": "kms:Decrypt",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"kms:ViaService": "sqs.us-east-1.amazonaws.com"}},
                }
            ),
            "wildcard-principal",
        ),
    ],
)
def test_each_rule_fails_on_a_bad_document(kind, document, rule):
    resource = TOPIC if kind == "topic" else ("arn:key" if kind == "key" else "")
    found = rules(Document(kind, "x", document, resource_arn=resource, account=ACCOUNT))
    assert rule in found, found


def test_the_default_key_policy_statement_alone_passes_the_statement_rules():
    root_only = policy({"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"})
    assert rules(Document("key", "k", root_only, resource_arn="arn:key", account=ACCOUNT)) == []


def test_key_services_names_every_service_that_uses_the_key():
    document = Document("key", "alias/payment-dynamodb-local", GOOD_KEY, resource_arn="arn:key", account=ACCOUNT)
    assert named_services(GOOD_KEY) == {"dynamodb": "via", "sqs": "via", "logs": "principal"}
    assert check_key_services(document, {"dynamodb": ["t"], "sqs": ["q"], "logs": ["g"]}) == []
    findings = check_key_services(document, {"dynamodb": ["t"], "ssm": ["/payment-processing/local/a"]})
    assert [f.rule for f in findings] == ["key-services"]
    assert "ssm uses the key (/payment-processing/local/a)" in findings[0].message


def test_a_service_that_uses_the_key_itself_must_be_a_principal():
    via_logs = policy(
        {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"},
        {
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": {
                "StringEquals": {"kms:CallerAccount": ACCOUNT, "kms:ViaService": "logs.us-east-1.amazonaws.com"}
            },
        },
    )
    document = Document("key", "k", via_logs, resource_arn="arn:key", account=ACCOUNT)
    findings = check_key_services(document, {"logs": ["/aws/lambda/x"]})
    assert len(findings) == 1 and "must be a service principal" in findings[0].message


def test_a_key_policy_that_names_no_service_is_a_finding():
    root_only = policy({"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"})
    document = Document("key", "k", root_only, resource_arn="arn:key", account=ACCOUNT)
    findings = check_key_services(document, {})
    assert [f.message for f in findings] == ["the key policy names no service principal"]
    report = lint([document], {"arn:key": {"sqs": ["q"]}})
    assert len(report.findings) == 2 and report.figure().endswith("1 statements, 2 findings")


# -- the reader, on the emulator -----------------------------------------------------------------


@pytest.mark.emulator
def test_the_reader_finds_the_documents_and_key_users_of_an_environment(aws_env):
    import boto3
    from policy_lint import lint_environment

    tags = [{"Key": "Environment", "Value": "unit"}]
    iam, kms, sqs, sns, s3 = (boto3.client(s) for s in ("iam", "kms", "sqs", "sns", "s3"))
    iam.create_role(RoleName="unit-role", AssumeRolePolicyDocument=json.dumps(GOOD_TRUST), Tags=tags)
    iam.put_role_policy(
        RoleName="unit-role", PolicyName="bad", PolicyDocument=json.dumps(policy(allow("dynamodb:*", TABLE)))
    )
    managed = iam.create_policy(
        PolicyName="unit-managed", PolicyDocument=json.dumps(policy(allow("s3:GetObject", "*")))
    )
    iam.attach_role_policy(RoleName="unit-role", PolicyArn=managed["Policy"]["Arn"])
    iam.create_role(RoleName="other-env-role", AssumeRolePolicyDocument=json.dumps(GOOD_TRUST))
    root_only = policy({"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"})
    key = kms.create_key(Policy=json.dumps(root_only), Tags=[{"TagKey": "Environment", "TagValue": "unit"}])[
        "KeyMetadata"
    ]
    kms.create_alias(AliasName="alias/unit-key", TargetKeyId=key["KeyId"])
    sqs.create_queue(
        QueueName="unit-queue", Attributes={"KmsMasterKeyId": "alias/unit-key"}, tags={"Environment": "unit"}
    )
    topic = sns.create_topic(Name="unit-topic", Tags=tags)["TopicArn"]
    sns.set_topic_attributes(
        TopicArn=topic,
        AttributeName="Policy",
        AttributeValue=json.dumps(
            policy({"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": topic})
        ),
    )
    s3.create_bucket(Bucket="unit-bucket")
    s3.put_bucket_tagging(Bucket="unit-bucket", Tagging={"TagSet": tags})
    s3.put_bucket_policy(
        Bucket="unit-bucket",
        Policy=json.dumps(
            policy({"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "s3:GetObject", "Resource": "*"})
        ),
    )

    report = lint_environment("unit")
    kinds = sorted(d.kind for d in report.documents)
    assert kinds == ["bucket", "inline", "key", "managed", "topic", "trust"], kinds
    assert report.roles == 1
    found = sorted((f.document, f.rule) for f in report.findings)
    assert found == [
        ("bucket unit-bucket", "wildcard-resource"),
        ("inline unit-role (bad)", "wildcard-action"),
        ("key alias/unit-key", "key-services"),
        ("key alias/unit-key", "key-services"),
        ("managed unit-role (unit-managed)", "wildcard-resource"),
        ("topic unit-topic", "wildcard-principal"),
    ], found
    messages = " | ".join(f.message for f in report.findings if f.rule == "key-services")
    assert "sqs uses the key (unit-queue)" in messages and "names no service principal" in messages
