"""Against the emulator: the transactions table, SNS -> SQS, Secrets Manager, S3 audit, DynamoDB stream.

The customer database is replaced by an in-memory fake here; tests/lambdas/test_lambda_postgres.py
runs the same handlers against a real PostgreSQL.
"""

import json
import time

import boto3
import fraud_detection.handler as fraud_handler
import payment_validation.handler as validation_handler
import pytest
from fakes import FakeCustomers
from lambda_support import CARDS, http_event, payment_request
from payments_common import cards, config, logs, processing, validation
from payments_common.notify import Auditor, Notifier
from payments_common.store import TransactionStore

pytestmark = pytest.mark.emulator


def _processor(stack, customers=None):
    cfg = config.get()
    log = logs.get_logger("test")
    return processing.Processor(
        cfg,
        TransactionStore(stack.table),
        customers or FakeCustomers(),
        Notifier(stack.topic_arn, log),
        Auditor(stack.bucket, "audit/", log),
        log,
    )


def _payment(**overrides):
    payment, errors = validation.validate_payment(payment_request(**overrides), config.get(), lambda: b"k" * 32)
    assert not errors
    return payment


def test_fingerprint_key_from_secrets_manager(aws_env, lambda_env):
    arn = boto3.client("secretsmanager").create_secret(
        Name="payments/test/card-fingerprint", SecretString=json.dumps({"key": "a-secret-hmac-key-0123456789"})
    )["ARN"]
    lambda_env.delenv("CARD_FINGERPRINT_KEY")
    lambda_env.setenv("CARD_FINGERPRINT_KEY_SECRET_ARN", arn)
    config.reset()
    result = validation_handler.handler(http_event(payment_request()), None)
    body = json.loads(result["body"])
    assert result["statusCode"] == 200
    assert body["payment"]["card"]["fingerprint"] == cards.fingerprint(CARDS["visa"], b"a-secret-hmac-key-0123456789")


def test_missing_fingerprint_secret_is_a_503(aws_env, lambda_env):
    lambda_env.delenv("CARD_FINGERPRINT_KEY")
    lambda_env.setenv("CARD_FINGERPRINT_KEY_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:nope")
    config.reset()
    result = validation_handler.handler(http_event(payment_request()), None)
    assert result["statusCode"] in (502, 503)
    assert json.loads(result["body"])["error"]["dependency"] == "secretsmanager"


def test_authorised_record_in_dynamodb_and_audit_in_s3(aws_stack):
    status, body = _processor(aws_stack).process(_payment(), "req-1")
    body = json.loads(body)
    assert status == 200 and body["status"] == "AUTHORIZED"
    [record] = aws_stack.transactions()
    assert record["status"] == "AUTHORIZED" and record["transaction_id"] == body["transaction_id"]
    assert record["expires_at"] > time.time() + 300 * 86400
    assert isinstance(record["timestamp"], int) and json.loads(record["response_body"]) == body
    assert CARDS["visa"] not in json.dumps(record)
    [(key, audit)] = aws_stack.audit_objects().items()
    assert key.endswith(f"{body['transaction_id']}/001-authorized.json") and audit["status"] == "AUTHORIZED"
    assert aws_stack.messages() == []


def test_declines_are_published_to_the_failed_transactions_topic(aws_stack):
    status, body = _processor(aws_stack, FakeCustomers({})).process(_payment(), "req-2")
    body = json.loads(body)
    assert body["status"] == "DECLINED"
    [message] = aws_stack.messages()
    assert message["transaction_id"] == body["transaction_id"] and message["decline_reason"] == "customer_not_found"
    assert message["card"]["last4"] == "1111" and CARDS["visa"] not in json.dumps(message)


def test_table_definition_matches_the_dynamodb_role(aws_env):
    from lambda_support import create_transactions_table

    create_transactions_table("transactions-test")
    ddb = boto3.client("dynamodb")
    table = ddb.describe_table(TableName="transactions-test")["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert {i["IndexName"] for i in table["GlobalSecondaryIndexes"]} == {
        "customer-id-timestamp-index",
        "status-timestamp-index",
    }
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    ttl = ddb.describe_time_to_live(TableName="transactions-test")["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires_at" and ttl["TimeToLiveStatus"] == "ENABLED"


def test_conditional_create_and_history_via_gsi(aws_stack):
    store = TransactionStore(aws_stack.table)
    base = {"record_type": "transaction", "customer_id": "c1", "status": "AUTHORIZED", "amount": 5, "currency": "USD"}
    for i in range(4):
        assert store.create(dict(base, transaction_id=f"t{i}", timestamp=1000 + i))
    assert not store.create(dict(base, transaction_id="t0", timestamp=1))
    assert [h["transaction_id"] for h in store.customer_history("c1", 1001, 10)] == ["t3", "t2", "t1"]
    assert store.add_card_customer("fp", "c1", 99) == 1
    assert store.add_card_customer("fp", "c2", 99) == 2
    assert store.add_card_customer("fp", "c1", 99) == 2
    assert store.card_customer_count("fp") == 2
    assert store.flag_post_auth("t0", {"score": 50}) == {"score": 50}
    assert store.flag_post_auth("t0", {"score": 60}) == {"score": 50}


def test_fraud_direct_invocation(aws_stack):
    result = fraud_handler.handler({"payment": _payment(), "transaction_id": "x"}, None)
    assert result == {"score": 0, "decision": "approve", "reasons": []}
    assert fraud_handler.handler({"payment": {"amount": "x"}}, None)["error"]["code"] == "invalid_payment"
    assert fraud_handler.handler({"what": 1}, None)["error"]["code"] == "unsupported_event"


def _stream_records(table):
    stream_arn = boto3.client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
    streams = boto3.client("dynamodbstreams")
    shards = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
    records = []
    for shard in shards:
        iterator = streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records += streams.get_records(ShardIterator=iterator)["Records"]
    # boto3 gives datetimes; Lambda gives JSON: make them JSON-like
    return json.loads(json.dumps(records, default=str))


def test_stream_consumer_flags_post_authorisation_fraud_once(aws_stack, lambda_env):
    lambda_env.setenv("FRAUD_VELOCITY_MAX", "3")
    lambda_env.setenv("FRAUD_ALERT_THRESHOLD", "30")
    lambda_env.setenv("FRAUD_DECLINE_THRESHOLD", "90")
    config.reset()
    proc = _processor(aws_stack)
    ids = [json.loads(proc.process(_payment(amount=100 + i), "r")[1])["transaction_id"] for i in range(4)]
    records = _stream_records(aws_stack.table)
    assert {r["eventName"] for r in records} >= {"INSERT", "MODIFY"}
    result = fraud_handler.handler({"Records": records}, None)
    assert result == {"batchItemFailures": []}
    alerts = [m for m in aws_stack.messages() if m.get("kind") == "post_authorization_fraud"]
    assert {a["transaction_id"] for a in alerts} == set(ids)  # each sees the 3 others within the window
    assert all(a["fraud"]["reasons"][0]["rule"] == "velocity" for a in alerts)
    flagged = [t for t in aws_stack.transactions() if t.get("post_auth_review")]
    assert len(flagged) == 4
    # redelivery of the same batch (and the MODIFY events of the flags) raises nothing new
    assert fraud_handler.handler({"Records": _stream_records(aws_stack.table)}, None) == {"batchItemFailures": []}
    assert [m for m in aws_stack.messages() if m.get("kind") == "post_authorization_fraud"] == []


def test_stream_consumer_reports_the_failed_record(aws_stack, lambda_env):
    lambda_env.setenv("TRANSACTIONS_TABLE", "no-such-table")
    lambda_env.setenv("FRAUD_ALERT_THRESHOLD", "0")
    config.reset()
    record = {
        "eventName": "INSERT",
        "dynamodb": {
            "SequenceNumber": "111",
            "NewImage": {
                "transaction_id": {"S": "t1"}, "record_type": {"S": "transaction"}, "status": {"S": "AUTHORIZED"},
                "customer_id": {"S": "c1"}, "amount": {"N": "5"}, "currency": {"S": "USD"},
            },
        },
    }  # fmt: skip
    ignored = {"eventName": "REMOVE", "dynamodb": {"SequenceNumber": "110"}}
    assert fraud_handler.handler({"Records": [ignored, record]}, None) == {
        "batchItemFailures": [{"itemIdentifier": "111"}]
    }
