"""Helpers and constants shared by the Lambda tests (fixtures are in conftest.py).

Importing it puts files/lambdas and scripts/ on sys.path, as the Lambda runtime and the tools see them.
"""

import json
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAMBDAS = ROOT / "files" / "lambdas"
SQL_DIR = ROOT / "files" / "sql"
for _path in (str(LAMBDAS), str(ROOT / "scripts")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from payments_common import aws, config, secrets  # noqa: E402

FINGERPRINT_KEY = "test-fingerprint-key-0123456789"
TEST_ENV = {
    "PAYMENTS_ENV": "test",
    "CARD_FINGERPRINT_KEY": FINGERPRINT_KEY,
    "ALLOWED_CURRENCIES": "USD,EUR,GBP,JPY",
    "CURRENCY_LIMITS": "USD=1000000,EUR=1000000,GBP=1000000,JPY=100000000",
    "LOG_LEVEL": "DEBUG",
    "IDEMPOTENCY_WAIT_SECONDS": "20",
}
CONFIG_PREFIXES = (
    "PAYMENTS_", "CARD_FINGERPRINT", "ALLOWED_CURRENCIES", "CURRENCY_LIMITS", "DEFAULT_AMOUNT_LIMIT", "MAX_BODY",
    "METADATA_", "TRANSACTIONS_TABLE", "FAILED_TRANSACTIONS", "FRAUD_", "DB_", "SECRET_CACHE", "TRANSACTION_TTL",
    "PROCESSING_LEASE", "IDEMPOTENCY_WAIT", "AUDIT_", "ROTATION_", "LOG_LEVEL",
)  # fmt: skip
SEED_CUSTOMERS = ("cust-active-001", "cust-active-002", "cust-low-limit", "cust-suspended", "cust-closed")

CARDS = {
    "visa": "4111111111111111",
    "mastercard": "5555555555554444",
    "amex": "378282246310005",
    "discover": "6011111111111117",
}


def reset_caches():
    config.reset()
    aws.reset()
    secrets.reset()
    if "transaction_processing.handler" in sys.modules:
        sys.modules["transaction_processing.handler"].reset()


def payment_request(**overrides):
    """A valid /validate or /process request body (a dict); overrides replace top-level keys."""
    body = {
        "amount": 1250,
        "currency": "USD",
        "card": {"number": CARDS["visa"], "exp_month": 12, "exp_year": 2035, "cvv": "123"},
        "merchant_id": "merchant-001",
        "customer_id": "cust-active-001",
        "idempotency_key": str(uuid.uuid4()),
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def http_event(body, content_type="application/json", base64_body=False, request_id=None):
    """An API Gateway HTTP API (payload 2.0) event carrying `body` (dict -> JSON, str/bytes as is)."""
    import base64

    if isinstance(body, dict | list):
        body = json.dumps(body)
    if isinstance(body, bytes):
        body = base64.b64encode(body).decode() if base64_body else body.decode("utf-8", "replace")
    elif base64_body and isinstance(body, str):
        body = base64.b64encode(body.encode()).decode()
    headers = {} if content_type is None else {"content-type": content_type}
    return {
        "version": "2.0",
        "routeKey": "POST /validate",
        "rawPath": "/validate",
        "headers": headers,
        "requestContext": {"requestId": request_id or str(uuid.uuid4()), "http": {"method": "POST"}},
        "body": body,
        "isBase64Encoded": base64_body,
    }


class Stack:
    def __init__(self, table, topic_arn, queue_url, bucket):
        self.table = table
        self.topic_arn = topic_arn
        self.queue_url = queue_url
        self.bucket = bucket

    def messages(self, wait=0):
        """Every message the SNS topic delivered to the SQS subscriber so far (raw delivery), parsed."""
        import boto3

        sqs = boto3.client("sqs")
        found = []
        while True:
            resp = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait)
            batch = resp.get("Messages", [])
            if not batch:
                return found
            for message in batch:
                found.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])

    def transactions(self):
        import boto3
        from payments_common.store import from_ddb

        items = boto3.client("dynamodb").scan(TableName=self.table)["Items"]
        return [r for r in (from_ddb(i) for i in items) if r.get("record_type") == "transaction"]

    def audit_objects(self):
        import boto3

        s3 = boto3.client("s3")
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=self.bucket).get("Contents", [])]
        return {k: json.loads(s3.get_object(Bucket=self.bucket, Key=k)["Body"].read()) for k in keys}


def create_transactions_table(name, ttl=True):
    """The table exactly as the dynamodb role defines it. (`ttl=False` skips UpdateTimeToLive, which
    takes ~0.7 s in moto and changes nothing the emulator does: moto never expires items.)"""
    import boto3

    ddb = boto3.client("dynamodb")
    ddb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "transaction_id", "AttributeType": "S"},
            {"AttributeName": "customer_id", "AttributeType": "S"},
            {"AttributeName": "status", "AttributeType": "S"},
            {"AttributeName": "timestamp", "AttributeType": "N"},
        ],
        KeySchema=[{"AttributeName": "transaction_id", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "customer-id-timestamp-index",
                "KeySchema": [
                    {"AttributeName": "customer_id", "KeyType": "HASH"},
                    {"AttributeName": "timestamp", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                "IndexName": "status-timestamp-index",
                "KeySchema": [
                    {"AttributeName": "status", "KeyType": "HASH"},
                    {"AttributeName": "timestamp", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
        ],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    if ttl:
        ddb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
        )


# -- PostgreSQL --------------------------------------------------------------------------------


def admin_connect(cluster, dbname="postgres"):
    from payments_common import db

    return db.connect(cluster.admin_secret(dbname), "verify-full", cluster.ca_file)


class PgDatabase:
    def __init__(self, cluster, dbname):
        self.cluster = cluster
        self.dbname = dbname
        self.ca_file = cluster.ca_file

    def admin(self):
        return admin_connect(self.cluster, self.dbname)

    def create_login(self, prefix="app"):
        """A new login role in payments_app with a random password; its secret dict."""
        username = f"{prefix}_{uuid.uuid4().hex[:10]}"
        password = uuid.uuid4().hex
        conn = self.admin()
        try:
            conn.run(f"CREATE ROLE {username} LOGIN PASSWORD '{password}' IN ROLE payments_app")
        finally:
            conn.close()
        return {
            "engine": "postgres",
            "host": "127.0.0.1",
            "port": self.cluster.port,
            "dbname": self.dbname,
            "username": username,
            "password": password,
        }

    def reset_data(self):
        conn = self.admin()
        try:
            conn.run("TRUNCATE customer_daily_spend")
            conn.run("DELETE FROM customers WHERE NOT (customer_id = ANY(:seed))", seed=list(SEED_CUSTOMERS))
        finally:
            conn.close()
