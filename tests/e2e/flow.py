"""End-to-end flow of a deployed stack on the emulator, with the functions' own code run in-process.

    AWS_ENDPOINT_URL=http://127.0.0.1:5100 python tests/e2e/flow.py --inventory-env local

1. Reads the configuration of payment-{payment-validation,transaction-processing,fraud-detection}-<env>
   back from the emulator (GetFunctionConfiguration) and runs each handler (files/lambdas) in this process
   with exactly that function's environment variables.
2. Subscribes a temporary SQS queue to the failed-transactions topic the processing function names.
3. Sends API Gateway v2 (payload 2.0) events through POST /validate and POST /process: a valid payment,
   a declined one (suspended customer) and the valid one again (a duplicate delivery).
4. Asserts the records in the transactions table, the messages the topic published (the declined one
   only) and that the duplicate got the same answer and made no second record.
5. Reads the new items' records from the table's DynamoDB stream and sends them to fraud_detection
   in-process, as the stream mapping would; no record may fail.

The emulator has no database behind the Aurora endpoint: a throwaway PostgreSQL (scripts/pg_cluster.py)
gets the schema (files/sql) and the login of the deployed database secret, and only the host and port
of connections made with that secret are pointed at it (plus DB_SSL_ROOT_CERT, the throwaway cluster's
CA, to keep verify-full TLS). The output says so. Prints one figures line; exits non-zero on any failure.
"""

import argparse
import contextlib
import json
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAMBDAS = ROOT / "files" / "lambdas"
SQL_DIR = ROOT / "files" / "sql"
for _path in (str(LAMBDAS), str(ROOT / "scripts")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import boto3  # noqa: E402

# Environment variables a function's configuration may set; cleared before each handler runs.
CONFIG_PREFIXES = (
    "PAYMENTS_", "CARD_FINGERPRINT", "ALLOWED_CURRENCIES", "CURRENCY_LIMITS", "DEFAULT_AMOUNT_LIMIT", "MAX_BODY",
    "METADATA_", "TRANSACTIONS_TABLE", "FAILED_TRANSACTIONS", "FRAUD_", "DB_", "SECRET_CACHE", "TRANSACTION_TTL",
    "PROCESSING_LEASE", "IDEMPOTENCY_WAIT", "AUDIT_", "ROTATION_", "LOG_LEVEL",
)  # fmt: skip
FUNCTIONS = ("payment_validation", "transaction_processing", "fraud_detection")
VISA = "4111111111111111"


class FlowError(AssertionError):
    pass


def check(condition, message):
    if not condition:
        raise FlowError(message)


def function_name(key, env):
    return f"payment-{key.replace('_', '-')}-{env}"


def read_environments(env):
    """{function key: its environment variables}, as the emulator reports them."""
    client = boto3.client("lambda")
    found = {}
    for key in FUNCTIONS:
        config = client.get_function_configuration(FunctionName=function_name(key, env))
        found[key] = dict(config.get("Environment", {}).get("Variables", {}))
    return found


def use_environment(variables, extra=None):
    """Make os.environ hold exactly `variables` (+ extra) among the configuration keys; reset every cache."""
    from payments_common import aws, config, secrets

    for key in list(os.environ):
        if key.startswith(CONFIG_PREFIXES):
            del os.environ[key]
    os.environ.update(variables)
    os.environ.update(extra or {})
    config.reset()
    aws.reset()
    secrets.reset()
    if "transaction_processing.handler" in sys.modules:
        sys.modules["transaction_processing.handler"].reset()


def http_event(route, body):
    path = route.split(" ", 1)[1]
    return {
        "version": "2.0",
        "routeKey": route,
        "rawPath": path,
        "headers": {"content-type": "application/json"},
        "requestContext": {"requestId": str(uuid.uuid4()), "http": {"method": "POST", "path": path}},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


def payment(customer_id, amount):
    return {
        "amount": amount,
        "currency": "USD",
        "card": {"number": VISA, "exp_month": 12, "exp_year": 2035, "cvv": "123"},
        "merchant_id": "merchant-e2e",
        "customer_id": customer_id,
        "idempotency_key": str(uuid.uuid4()),
    }


def call(handler, route, body):
    result = handler.handler(http_event(route, body), None)
    return result["statusCode"], json.loads(result["body"])


@contextlib.contextmanager
def failed_topic_reader(topic_arn):
    """A temporary SQS queue subscribed (raw delivery) to the topic; yields a function reading its messages."""
    sqs, sns = boto3.client("sqs"), boto3.client("sns")
    url = sqs.create_queue(QueueName=f"e2e-failed-transactions-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    subscription = sns.subscribe(
        TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"}
    )["SubscriptionArn"]

    def read():
        found = []
        while True:
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
            if not batch:
                return found
            for message in batch:
                found.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    try:
        yield read
    finally:
        sns.unsubscribe(SubscriptionArn=subscription)
        sqs.delete_queue(QueueUrl=url)


@contextlib.contextmanager
def throwaway_database(secret_arn):
    """A PostgreSQL with the schema and the deployed secret's login; connections made with that secret go to it.

    Yields the extra environment (DB_SSL_ROOT_CERT) and a description for the output.
    """
    import pg_cluster
    from payments_common import db, migrations
    from pg8000.native import identifier, literal

    secret = json.loads(boto3.client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"])
    cluster = pg_cluster.PgCluster().start()
    original_connect = db.connect
    try:
        admin = db.connect(cluster.admin_secret(), "verify-full", cluster.ca_file)
        try:
            admin.run(f"CREATE DATABASE {identifier(secret['dbname'])}")
        finally:
            admin.close()
        admin = db.connect(cluster.admin_secret(secret["dbname"]), "verify-full", cluster.ca_file)
        try:
            migrations.apply(admin, SQL_DIR)
            user, password = identifier(secret["username"]), literal(secret["password"])
            admin.run(f"CREATE ROLE {user} LOGIN PASSWORD {password} IN ROLE payments_app")
        finally:
            admin.close()

        def redirected(conn_secret, *args, **kwargs):
            if conn_secret.get("host") == secret["host"]:
                conn_secret = dict(conn_secret, host="127.0.0.1", port=cluster.port)
            return original_connect(conn_secret, *args, **kwargs)

        db.connect = redirected
        yield (
            {"DB_SSL_ROOT_CERT": cluster.ca_file},
            f"Aurora {secret['host']}:{secret['port']} replaced by throwaway PostgreSQL 127.0.0.1:{cluster.port}",
        )
    finally:
        db.connect = original_connect
        cluster.stop()


def stream_records(table, transaction_ids):
    """The table stream's records of the given transactions, oldest first, shaped as Lambda receives them."""
    streams = boto3.client("dynamodbstreams")
    stream_arn = boto3.client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
    records = []
    for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator, Limit=1000)
            records.extend(page["Records"])
            iterator = page.get("NextShardIterator") if page["Records"] else None
    ours = []
    for record in records:
        key = record["dynamodb"].get("Keys", {}).get("transaction_id", {}).get("S")
        if key in transaction_ids:
            images = {k: v for k, v in record["dynamodb"].items() if k != "ApproximateCreationDateTime"}
            ours.append(dict(record, dynamodb=images, eventSourceARN=stream_arn))
    return ours


def raw_items(table, transaction_ids):
    """{transaction id: the item as DynamoDB holds it (attribute-value JSON)}."""
    client = boto3.client("dynamodb")
    found = {}
    for txn in transaction_ids:
        item = client.get_item(TableName=table, Key={"transaction_id": {"S": txn}}, ConsistentRead=True).get("Item")
        if item:
            found[txn] = item
    return found


def records_from_items(table, items):
    """INSERT stream records (Lambda's shape) carrying the items' current images.

    moto hands its stream records to its own invocation of the mapped function and then drops them, so
    GetRecords finds none once the stack's mapping exists; the images are the same the stream would carry.
    """
    stream_arn = boto3.client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
    region = stream_arn.split(":")[3]
    return [
        {
            "eventID": uuid.uuid4().hex,
            "eventName": "INSERT",
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": region,
            "dynamodb": {
                "Keys": {"transaction_id": {"S": txn}},
                "NewImage": item,
                "SequenceNumber": str(100000000000000000000 + number),
                "SizeBytes": len(json.dumps(item)),
                "StreamViewType": "NEW_AND_OLD_IMAGES",
            },
            "eventSourceARN": stream_arn,
        }
        for number, (txn, item) in enumerate(sorted(items.items()))
    ]


def run(env):
    started = time.monotonic()
    environments = read_environments(env)
    processing_env = environments["transaction_processing"]
    for name in ("TRANSACTIONS_TABLE", "FAILED_TRANSACTIONS_TOPIC_ARN", "DB_SECRET_ARN"):
        check(processing_env.get(name), f"{function_name('transaction_processing', env)} has no {name}")
    table = processing_env["TRANSACTIONS_TABLE"]

    import fraud_detection.handler as fraud_handler
    import payment_validation.handler as validation_handler
    import transaction_processing.handler as processing_handler

    valid = payment("cust-active-001", 2500)
    declined = payment("cust-suspended", 1500)
    with failed_topic_reader(processing_env["FAILED_TRANSACTIONS_TOPIC_ARN"]) as read_published:
        use_environment(environments["payment_validation"])
        status, answer = call(validation_handler, "POST /validate", valid)
        check(status == 200, f"POST /validate of a valid payment answered {status}: {answer}")

        with throwaway_database(processing_env["DB_SECRET_ARN"]) as (db_env, db_note):
            print(f"flow: {db_note} (only host and port; DB_SSL_ROOT_CERT set to its CA)", flush=True)
            use_environment(processing_env, db_env)
            status, first = call(processing_handler, "POST /process", valid)
            check(status == 200 and first.get("status") == "AUTHORIZED", f"valid payment: {status} {first}")
            status, refused = call(processing_handler, "POST /process", declined)
            check(status == 200 and refused.get("status") == "DECLINED", f"declined payment: {status} {refused}")
            check(refused.get("decline_reason") == "customer_inactive", f"decline reason: {refused}")
            status, again = call(processing_handler, "POST /process", valid)
            check(status == 200 and again == first, f"duplicate delivery answered {status} {again}, first {first}")
            use_environment({})

        ids = {first["transaction_id"], refused["transaction_id"]}
        check(len(ids) == 2, f"two payments got one transaction id: {ids}")
        from payments_common.store import from_ddb

        raw = raw_items(table, ids)
        items = {txn: from_ddb(item) for txn, item in raw.items()}
        check(set(items) == ids, f"{table} holds {sorted(items)} of {sorted(ids)}")
        check(items[first["transaction_id"]]["status"] == "AUTHORIZED", f"record {items[first['transaction_id']]}")
        check(items[first["transaction_id"]].get("attempt") == 1, "the duplicate made a second processing attempt")
        check(items[refused["transaction_id"]]["status"] == "DECLINED", f"record {items[refused['transaction_id']]}")
        check(VISA not in json.dumps(items, default=str), "a stored record holds the card number")

        published = [m for m in read_published() if m.get("transaction_id") in ids]
        check(
            [m["transaction_id"] for m in published] == [refused["transaction_id"]],
            f"failed-transactions topic published {published}, expected only {refused['transaction_id']}",
        )

        records, source = stream_records(table, ids), "stream"
        if not records:
            records, source = records_from_items(table, raw), "items (moto consumed the stream records)"
        print(
            "flow: audit archive not checked (moto applies the bucket policy's conditional Deny statements "
            "unconditionally, so the emulator refuses every PutObject)",
            flush=True,
        )
        print(f"flow: {len(records)} stream records for fraud_detection from the {source}", flush=True)
        use_environment(environments["fraud_detection"])
        result = fraud_handler.handler({"Records": records}, None)
        check(result == {"batchItemFailures": []}, f"fraud_detection failed stream records: {result}")
        alerts = [m for m in read_published() if m.get("transaction_id") in ids]
        use_environment({})

    print(
        f"flow: env={env} functions={len(environments)} requests=4 authorized=1 declined=1 duplicate=same-answer "
        f"table_records={len(items)} sns_failed={len(published)} stream_records={len(records)} "
        "audit=unchecked "
        f"fraud_failures=0 fraud_alerts={len(alerts)} seconds={time.monotonic() - started:.1f}",
        flush=True,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inventory-env", default="local", help="environment_suffix of the stack (default local)")
    parser.add_argument("--region", default=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"))
    args = parser.parse_args(argv)
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    if not endpoint:
        parser.error("set AWS_ENDPOINT_URL to the emulator (this script writes payments and a database)")
    os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"] = args.region or "us-east-1"
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    try:
        run(args.inventory_env)
    except FlowError as exc:
        print(f"flow: FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
