"""fraud_detection: one rule engine (payments_common.fraud), two entry points.

- Synchronous scoring (direct invoke): {"payment": {...normalised payment...}, "transaction_id": "..."}
  -> {"score": 0-100, "decision": "approve|review|decline", "reasons": [...]}.
  transaction_processing calls the same engine in-process (no extra network hop).
- DynamoDB stream consumer (NEW_AND_OLD_IMAGES): every transaction that has just become AUTHORIZED
  is re-scored against fresh history; at FRAUD_ALERT_THRESHOLD or above it is flagged once
  (post_auth_review) and an alert goes to the SNS topic. Returns batchItemFailures so that only
  records from the first failed one on are retried.
"""

import time

# imported during init: both entry points need AWS
import boto3  # noqa: F401  # pylint: disable=unused-import
from payments_common import config, fraud, httpapi, logs
from payments_common.errors import ConfigurationError, DependencyError
from payments_common.notify import Notifier
from payments_common.store import TRANSACTION, TransactionStore, from_ddb

LOG = logs.get_logger("fraud_detection")
_PAYMENT_FIELDS = ("amount", "currency", "merchant_id", "customer_id", "card", "card_token", "country")


def _now_ms():
    return int(time.time() * 1000)


def _payment_ok(payment):
    return (
        isinstance(payment, dict)
        and isinstance(payment.get("customer_id"), str)
        and 0 < len(payment["customer_id"]) <= 64
        and isinstance(payment.get("amount"), int)
        and not isinstance(payment.get("amount"), bool)
        and isinstance(payment.get("currency"), str)
        and (payment.get("card") is None or isinstance(payment.get("card"), dict))
        and (payment.get("country") is None or isinstance(payment.get("country"), str))
    )


def score_request(event, cfg, store):
    payment = event.get("payment")
    if not _payment_ok(payment):
        return {"error": {"code": "invalid_payment", "message": "payment needs customer_id, amount and currency"}}
    card = payment.get("card")
    if card is not None:
        card = {k: card.get(k) for k in ("brand", "bin", "last4", "fingerprint") if isinstance(card.get(k), str)}
    clean = {k: payment.get(k) for k in _PAYMENT_FIELDS if k != "card"}
    clean["card"] = card
    txn_id = event.get("transaction_id") if isinstance(event.get("transaction_id"), str) else None
    result = fraud.score_payment(store, clean, txn_id, _now_ms(), cfg.fraud, record_card=False)
    LOG.info("payment_scored", transaction_id=txn_id, score=result["score"], decision=result["decision"])
    return result


def rescore_record(record, cfg, store, notifier):
    """Re-score one stream record; True if it raised an alert."""
    if not isinstance(record, dict) or record.get("eventName") not in ("INSERT", "MODIFY"):
        return False
    images = record.get("dynamodb")
    if not isinstance(images, dict) or not isinstance(images.get("NewImage"), dict):
        return False
    try:
        new = from_ddb(images["NewImage"])
        old = from_ddb(images["OldImage"]) if isinstance(images.get("OldImage"), dict) else {}
    except (TypeError, ValueError, KeyError, AttributeError):
        LOG.warning("stream_record_malformed")
        return False
    if new.get("record_type") != TRANSACTION or new.get("status") != "AUTHORIZED":
        return False
    if old.get("status") == "AUTHORIZED" or new.get("post_auth_review") or not _payment_ok(new):
        return False
    txn_id = new.get("transaction_id")
    payment = {k: new.get(k) for k in _PAYMENT_FIELDS}
    result = fraud.score_payment(store, payment, txn_id, _now_ms(), cfg.fraud, record_card=False)
    if result["score"] < cfg.fraud.alert_threshold:
        LOG.info("post_auth_clean", transaction_id=txn_id, score=result["score"])
        return False
    # Flag first (once, conditionally), then alert, then mark the alert sent: a redelivered record
    # finds the flag and sends nothing; a crash between flag and alert re-sends on retry (at least once).
    review = store.flag_post_auth(txn_id, dict(result, flagged_at=_now_ms(), alert_sent=False))
    if review is None or review.get("alert_sent"):
        return False
    alert = {
        "kind": "post_authorization_fraud",
        "transaction_id": txn_id,
        "status": "AUTHORIZED",
        "customer_id": new.get("customer_id"),
        "merchant_id": new.get("merchant_id"),
        "amount": new.get("amount"),
        "currency": new.get("currency"),
        "card": {k: v for k, v in (new.get("card") or {}).items() if k in ("brand", "bin", "last4", "fingerprint")},
        "fraud": {k: review[k] for k in ("score", "decision", "reasons")},
    }
    if not notifier.publish(alert, kind="post_authorization_fraud") and notifier.topic_arn:
        raise DependencyError("sns", "PublishFailed", "fraud alert not published", True)
    store.mark_alert_sent(txn_id)
    LOG.warning("post_auth_flagged", transaction_id=txn_id, score=review["score"], decision=review["decision"])
    return True


def handle_stream(records, cfg, store, notifier):
    """Re-score a batch. On the first failure stop and report it: Lambda checkpoints at the lowest
    failed sequence number and retries from there (ReportBatchItemFailures)."""
    for record in records:
        try:
            rescore_record(record, cfg, store, notifier)
        except Exception as exc:  # DependencyError, or a bug: either way retry, never skip silently
            ident = ""
            if isinstance(record, dict) and isinstance(record.get("dynamodb"), dict):
                ident = str(record["dynamodb"].get("SequenceNumber") or "")
            if isinstance(exc, DependencyError):
                LOG.error("stream_record_failed", sequence_number=ident, error=exc.as_dict())
            else:
                LOG.crash("stream_record_error", exc, sequence_number=ident)
            return {"batchItemFailures": [{"itemIdentifier": ident}]}
    return {"batchItemFailures": []}


def handler(event, context):
    logs.bind_request_id(httpapi.request_id(event, context))
    try:
        cfg = config.get()
        store = TransactionStore(cfg.transactions_table)
        if isinstance(event, dict) and isinstance(event.get("Records"), list):
            return handle_stream(event["Records"], cfg, store, Notifier(cfg.fraud_alert_topic_arn, LOG))
        if isinstance(event, dict) and "payment" in event:
            return score_request(event, cfg, store)
        return {"error": {"code": "unsupported_event", "message": "expected Records or payment"}}
    except DependencyError as exc:
        LOG.error("dependency_failed", error=exc.as_dict())
        if isinstance(event, dict) and isinstance(event.get("Records"), list):
            raise  # let Lambda retry the whole batch
        return {"error": exc.as_dict()}
    except ConfigurationError as exc:
        LOG.error("configuration_error", error=str(exc))
        return {"error": {"code": "misconfigured", "message": str(exc)}}
