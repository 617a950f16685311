"""The transactions table (`transactions-<env>`, defined by the dynamodb role).

Item kinds, told apart by `record_type`:
- "transaction": one per payment, hash key = transaction id; `customer_id`/`status` + `timestamp`
  (epoch ms) feed the customer-id-timestamp-index and status-timestamp-index GSIs.
- "card_usage": hash key `card#<fingerprint>`, the set of customers that used the card (for the
  shared-card fraud rule). It has no customer_id/status, so it stays out of both GSIs.
"""

from . import aws

TRANSACTION = "transaction"
CARD_USAGE = "card_usage"
_CUSTOMER_INDEX = "customer-id-timestamp-index"

_serializer = None
_deserializer = None


def _types():
    global _serializer, _deserializer  # noqa: PLW0603 (created once, lazily)
    if _serializer is None:
        from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

        _serializer, _deserializer = TypeSerializer(), TypeDeserializer()
    return _serializer, _deserializer


def to_ddb(item):
    ser = _types()[0]
    return {k: ser.serialize(v) for k, v in item.items() if v is not None}


def from_ddb(image):
    des = _types()[1]
    return {k: _plain(des.deserialize(v)) for k, v in image.items()}


def _plain(value):
    """Decimals back to int (we only store integers), sets to sorted lists."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(_plain(v) for v in value)
    return value


def _conditional(operation, **kwargs):
    """Run a conditional write: True if applied, False if the condition failed."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        getattr(aws.client("dynamodb"), operation)(**kwargs)
        return True
    except ClientError as exc:
        if aws.error_code(exc) == "ConditionalCheckFailedException":
            return False
        raise aws.dependency_error("dynamodb", exc) from exc
    except BotoCoreError as exc:
        raise aws.dependency_error("dynamodb", exc) from exc


class TransactionStore:
    def __init__(self, table):
        self.table = table

    def create(self, item):
        """Put a new transaction only if its id is unused (the idempotency gate)."""
        return _conditional(
            "put_item",
            TableName=self.table,
            Item=to_ddb(item),
            ConditionExpression="attribute_not_exists(transaction_id)",
        )

    def get(self, transaction_id):
        result = aws.call(
            "dynamodb",
            "get_item",
            TableName=self.table,
            Key={"transaction_id": {"S": transaction_id}},
            ConsistentRead=True,
        )
        item = result.get("Item")
        return from_ddb(item) if item else None

    def take_over(self, transaction_id, expected_status, expected_attempt, owner, lease_until_ms, now_ms, event):  # noqa: PLR0917
        """Become the owner of a stale PENDING or a retryable FAILED record (compare-and-set on attempt)."""
        return _conditional(
            "update_item",
            TableName=self.table,
            Key={"transaction_id": {"S": transaction_id}},
            UpdateExpression=(
                "SET #status = :pending, lease_owner = :owner, lease_expires_at = :lease, attempt = :next, "
                "updated_at = :now, status_history = list_append(status_history, :event) REMOVE failure"
            ),
            ConditionExpression="#status = :expected AND attempt = :attempt",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues=to_ddb(
                {
                    ":pending": "PENDING",
                    ":owner": owner,
                    ":lease": lease_until_ms,
                    ":next": expected_attempt + 1,
                    ":now": now_ms,
                    ":event": [event],
                    ":expected": expected_status,
                    ":attempt": expected_attempt,
                }
            ),
        )

    def finalize(self, transaction_id, owner, fields, event):
        """Move PENDING -> final state, only while we still own the lease. `fields` become attributes."""
        names = {"#status": "status"}
        values = {":pending": "PENDING", ":owner": owner, ":event": [event]}
        sets = ["status_history = list_append(status_history, :event)"]
        for i, (name, value) in enumerate(sorted(fields.items())):
            if value is None:
                continue
            names[f"#f{i}"] = name
            values[f":f{i}"] = value
            sets.append(f"#f{i} = :f{i}")
        return _conditional(
            "update_item",
            TableName=self.table,
            Key={"transaction_id": {"S": transaction_id}},
            UpdateExpression="SET " + ", ".join(sets) + " REMOVE lease_owner, lease_expires_at",
            ConditionExpression="#status = :pending AND lease_owner = :owner",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=to_ddb(values),
        )

    def customer_history(self, customer_id, since_ms, limit):
        """The customer's most recent transactions (newest first) via the customer-id-timestamp GSI."""
        result = aws.call(
            "dynamodb",
            "query",
            TableName=self.table,
            IndexName=_CUSTOMER_INDEX,
            KeyConditionExpression="customer_id = :c AND #ts >= :since",
            ExpressionAttributeNames={"#ts": "timestamp"},
            ExpressionAttributeValues={":c": {"S": customer_id}, ":since": {"N": str(since_ms)}},
            ScanIndexForward=False,
            Limit=limit,
        )
        return [from_ddb(item) for item in result.get("Items", [])]

    def add_card_customer(self, card_fingerprint, customer_id, expires_at):
        """Record that a customer used a card; returns how many distinct customers used it."""
        result = aws.call(
            "dynamodb",
            "update_item",
            TableName=self.table,
            Key={"transaction_id": {"S": f"card#{card_fingerprint}"}},
            UpdateExpression="ADD customers :c SET record_type = :t, expires_at = :e",
            ExpressionAttributeValues={
                ":c": {"SS": [customer_id]},
                ":t": {"S": CARD_USAGE},
                ":e": {"N": str(expires_at)},
            },
            ReturnValues="ALL_NEW",
        )
        customers = result.get("Attributes", {}).get("customers", {}).get("SS", [])
        return len(customers)

    def card_customer_count(self, card_fingerprint):
        result = aws.call(
            "dynamodb",
            "get_item",
            TableName=self.table,
            Key={"transaction_id": {"S": f"card#{card_fingerprint}"}},
            ProjectionExpression="customers",
        )
        return len(result.get("Item", {}).get("customers", {}).get("SS", [])) or 1

    def flag_post_auth(self, transaction_id, review):
        """Attach a post-authorisation fraud review once. Returns the review now on the record:
        `review` if this call set it, the earlier one otherwise."""
        if _conditional(
            "update_item",
            TableName=self.table,
            Key={"transaction_id": {"S": transaction_id}},
            UpdateExpression="SET post_auth_review = :r",
            ConditionExpression="attribute_exists(transaction_id) AND attribute_not_exists(post_auth_review)",
            ExpressionAttributeValues=to_ddb({":r": review}),
        ):
            return review
        existing = self.get(transaction_id) or {}
        return existing.get("post_auth_review")

    def mark_alert_sent(self, transaction_id):
        aws.call(
            "dynamodb",
            "update_item",
            TableName=self.table,
            Key={"transaction_id": {"S": transaction_id}},
            UpdateExpression="SET post_auth_review.alert_sent = :t",
            ExpressionAttributeValues={":t": {"BOOL": True}},
        )
