"""Fixtures for the Lambda code in files/lambdas (shared helpers and constants: lambda_support.py).

- `lambda_env` (autouse): a known configuration environment, and every per-container cache reset.
- `aws_stack`: the emulator (tests/conftest.py `aws_env`) with the transactions table exactly as the
  dynamodb role defines it, the failed-transactions SNS topic with an SQS subscriber, an audit bucket.
- `pg_cluster` (session): a throwaway PostgreSQL with TLS on 127.0.0.1 (scripts/pg_cluster.py),
  skipped with a reason when the server binaries are absent; `pg_database` (session) applies
  files/sql to a `payments` database; `payments_db` adds the app user's secret to the emulator.
"""

import json
import os

import pytest
from lambda_support import (  # lambda_support also puts files/lambdas and scripts on sys.path
    CONFIG_PREFIXES,
    SQL_DIR,
    TEST_ENV,
    PgDatabase,
    Stack,
    admin_connect,
    create_transactions_table,
    reset_caches,
)

# isort: split
import pg_cluster as pg_harness  # noqa: E402 (found through the sys.path lambda_support sets)


@pytest.fixture(autouse=True)
def lambda_env(monkeypatch):
    for key in list(os.environ):
        if key.startswith(CONFIG_PREFIXES):
            monkeypatch.delenv(key)
    for key, value in TEST_ENV.items():
        monkeypatch.setenv(key, value)
    reset_caches()
    yield monkeypatch
    reset_caches()


@pytest.fixture
def aws_stack(aws_env, lambda_env):
    import boto3

    table = "transactions-test"
    create_transactions_table(table, ttl=False)
    topic_arn = boto3.client("sns").create_topic(Name="failed-transactions-test")["TopicArn"]
    sqs = boto3.client("sqs")
    queue_url = sqs.create_queue(QueueName="failed-transactions-reader")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    boto3.client("sns").subscribe(
        TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"}
    )
    bucket = "payments-audit-test"
    boto3.client("s3").create_bucket(Bucket=bucket)
    lambda_env.setenv("TRANSACTIONS_TABLE", table)
    lambda_env.setenv("FAILED_TRANSACTIONS_TOPIC_ARN", topic_arn)
    lambda_env.setenv("AUDIT_BUCKET", bucket)
    reset_caches()
    return Stack(table, topic_arn, queue_url, bucket)


@pytest.fixture(scope="session")
def pg_cluster():
    if pg_harness.find_bindir() is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql")
    cluster = pg_harness.PgCluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def pg_database(pg_cluster):
    from payments_common import migrations

    conn = admin_connect(pg_cluster)
    try:
        conn.run("CREATE DATABASE payments")
    finally:
        conn.close()
    database = PgDatabase(pg_cluster, "payments")
    conn = database.admin()
    try:
        migrations.apply(conn, SQL_DIR)
    finally:
        conn.close()
    return database


@pytest.fixture
def payments_db(aws_stack, pg_database, lambda_env):
    """The emulator stack plus a database secret for a fresh app login; env points the handlers at both."""
    import boto3

    pg_database.reset_data()
    app_secret = pg_database.create_login()
    arn = boto3.client("secretsmanager").create_secret(
        Name="payments/test/aurora-app", SecretString=json.dumps(app_secret)
    )["ARN"]
    lambda_env.setenv("DB_SECRET_ARN", arn)
    lambda_env.setenv("DB_SSLMODE", "verify-full")
    lambda_env.setenv("DB_SSL_ROOT_CERT", pg_database.ca_file)
    reset_caches()
    return {"secret_arn": arn, "secret": app_secret, "database": pg_database, "stack": aws_stack}
