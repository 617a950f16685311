"""Transaction processing: idempotency gate -> customer check -> fraud -> reserve -> final state.

Invariants:
- One record per (merchant_id, idempotency_key): the transaction id is a UUIDv5 of both and the
  record is created with a conditional put. Concurrent deliveries wait for the owner's answer and
  return the stored response byte for byte.
- A record is PENDING only while an owner holds its lease; every path ends in AUTHORIZED,
  DECLINED or FAILED, or (DynamoDB itself unreachable) leaves a PENDING record whose lease expires,
  after which the next delivery of the same request takes over and settles it.
- FAILED with retryable=true is not final: a later delivery of the same request takes it over.
- The daily-limit reservation is idempotent per transaction id, so take-overs never double count.
"""

import hashlib
import time
import uuid

from . import fraud, httpapi
from .errors import DependencyError

NAMESPACE = uuid.UUID("6f6c0d0e-5a3b-4b8e-9d0c-2a1f7e4c9b55")
FINAL_STATUSES = ("AUTHORIZED", "DECLINED")


def transaction_id(payment):
    """Deterministic id: the same merchant + idempotency key always name the same transaction."""
    return str(uuid.uuid5(NAMESPACE, f"{payment['merchant_id']}/{payment['idempotency_key']}"))


def request_hash(payment):
    return hashlib.sha256(httpapi.dumps(payment).encode("utf-8")).hexdigest()


def _iso(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000)) + f".{ms % 1000:03d}Z"


_PAYMENT_FIELDS = (
    "amount",
    "currency",
    "merchant_id",
    "customer_id",
    "idempotency_key",
    "card",
    "card_token",
    "metadata",
    "country",
)


class Processor:
    def __init__(self, config, store, customers, notifier, auditor, log, *, clock=time.time, sleep=time.sleep):  # noqa: PLR0917
        self.config = config
        self.store = store
        self.customers = customers
        self.notifier = notifier
        self.auditor = auditor
        self.log = log
        self.clock = clock
        self.sleep = sleep

    def _now_ms(self):
        return int(self.clock() * 1000)

    # -- entry point -------------------------------------------------------------------------
    def process(self, payment, request_id=None):
        """(http status, response body as a JSON string) for a validated payment."""
        txn_id = transaction_id(payment)
        rhash = request_hash(payment)
        owner = str(uuid.uuid4())
        now_ms = self._now_ms()
        record = {field: payment.get(field) for field in _PAYMENT_FIELDS}
        record.update(
            transaction_id=txn_id,
            record_type="transaction",
            request_hash=rhash,
            status="PENDING",
            timestamp=now_ms,
            created_at=_iso(now_ms),
            updated_at=now_ms,
            expires_at=now_ms // 1000 + self.config.transaction_ttl_days * 86_400,
            attempt=1,
            lease_owner=owner,
            lease_expires_at=now_ms + self.config.lease_seconds * 1000,
            request_id=request_id,
            status_history=[{"status": "PENDING", "at": now_ms, "attempt": 1}],
        )
        try:
            created = self.store.create(record)
        except DependencyError as exc:
            self.log.error("transaction_not_recorded", transaction_id=txn_id, error=exc.as_dict())
            return self._error(exc.status, txn_id, exc.as_dict())
        if created:
            self.log.info("transaction_created", transaction_id=txn_id)
            return self._run(record, owner)
        return self._existing(txn_id, rhash, owner, waited=False)

    # -- replays and concurrent deliveries ------------------------------------------------------
    def _existing(self, txn_id, rhash, owner, waited):
        deadline = time.monotonic() + self.config.idempotency_wait_seconds
        delay = 0.02
        while True:
            try:
                record = self.store.get(txn_id)
            except DependencyError as exc:
                return self._error(exc.status, txn_id, exc.as_dict())
            if record is None:
                return self._error(409, txn_id, _err("record_expired", "The transaction record has expired.", False))
            if record.get("request_hash") != rhash:
                return self._error(
                    409, txn_id, _err("idempotency_key_reused", "idempotency_key was used for another request.", False)
                )
            status = record["status"]
            failure = record.get("failure") or {}
            if status in FINAL_STATUSES or (status == "FAILED" and (waited or not failure.get("retryable"))):
                self.log.info("transaction_replayed", transaction_id=txn_id, status=status)
                return int(record["response_status"]), record["response_body"]
            now_ms = self._now_ms()
            stale = status == "PENDING" and record.get("lease_expires_at", 0) < now_ms
            if status == "FAILED" or stale:
                event = {"status": "PENDING", "at": now_ms, "attempt": record["attempt"] + 1, "takeover_from": status}
                try:
                    taken = self.store.take_over(
                        txn_id,
                        status,
                        record["attempt"],
                        owner,
                        now_ms + self.config.lease_seconds * 1000,
                        now_ms,
                        event,
                    )
                except DependencyError as exc:
                    return self._error(exc.status, txn_id, exc.as_dict())
                if taken:
                    self.log.info("transaction_taken_over", transaction_id=txn_id, previous_status=status)
                    record.update(status="PENDING", attempt=record["attempt"] + 1, lease_owner=owner)
                    return self._run(record, owner)
                continue
            waited = True
            if time.monotonic() >= deadline:
                return self._error(
                    409, txn_id, _err("request_in_progress", "The same request is being processed; retry.", True)
                )
            self.sleep(delay)
            delay = min(delay * 1.5, 0.25)

    # -- the pipeline ---------------------------------------------------------------------------
    def _run(self, record, owner):
        txn_id = record["transaction_id"]
        payment = {k: record[k] for k in _PAYMENT_FIELDS if record.get(k) is not None}
        day = time.strftime("%Y-%m-%d", time.gmtime(record["timestamp"] / 1000))
        args = (payment["customer_id"], payment["amount"], payment["currency"], day, txn_id)
        try:
            check = self.customers.check(*args)
            if not check.ok:
                return self._finish(record, owner, "DECLINED", decline_reason=check.reason)
            score = fraud.score_payment(self.store, payment, txn_id, self._now_ms(), self.config.fraud)
            if score["decision"] == "decline":
                return self._finish(record, owner, "DECLINED", decline_reason="fraud_suspected", fraud_result=score)
            reserved = self.customers.reserve(*args)
            if not reserved.ok:
                return self._finish(record, owner, "DECLINED", decline_reason=reserved.reason, fraud_result=score)
            return self._finish(record, owner, "AUTHORIZED", fraud_result=score)
        except DependencyError as exc:
            self.log.error("dependency_failed", transaction_id=txn_id, error=exc.as_dict())
            return self._finish(record, owner, "FAILED", failure=exc)
        except Exception as exc:  # a bug must not leave the record PENDING until its lease expires
            self.log.crash("processing_error", exc, transaction_id=txn_id)
            failure = DependencyError("transaction_processing", "InternalError", "unexpected error", True, 500)
            return self._finish(record, owner, "FAILED", failure=failure)

    def _finish(self, record, owner, status, *, decline_reason=None, fraud_result=None, failure=None):
        txn_id = record["transaction_id"]
        now_ms = self._now_ms()
        body = {
            "transaction_id": txn_id,
            "status": status,
            "amount": record["amount"],
            "currency": record["currency"],
            "merchant_id": record["merchant_id"],
            "customer_id": record["customer_id"],
            "idempotency_key": record["idempotency_key"],
            "created_at": record["created_at"],
        }
        if record.get("card"):
            body["card"] = {k: record["card"][k] for k in ("brand", "bin", "last4", "fingerprint")}
        else:
            body["card_token"] = record.get("card_token")
        if fraud_result is not None:
            body["fraud"] = fraud_result
            body["review_required"] = fraud_result["decision"] == "review"
        if decline_reason:
            body["decline_reason"] = decline_reason
        http_status = 200
        if failure is not None:
            body["error"] = failure.as_dict()
            http_status = failure.status
        body_text = httpapi.dumps(body)
        fields = {
            "status": status,
            "updated_at": now_ms,
            f"{status.lower()}_at": now_ms,
            "decline_reason": decline_reason,
            "fraud": fraud_result,
            "review_required": body.get("review_required"),
            "failure": failure.as_dict() if failure is not None else None,
            "response_status": http_status,
            "response_body": body_text,
        }
        event = {"status": status, "at": now_ms, "attempt": record["attempt"]}
        if decline_reason:
            event["reason"] = decline_reason
        try:
            applied = self.store.finalize(txn_id, owner, fields, event)
        except DependencyError as exc:
            # The record stays PENDING under our lease; the next delivery after the lease settles it.
            self.log.error("transaction_state_not_saved", transaction_id=txn_id, status=status, error=exc.as_dict())
            return self._error(exc.status, txn_id, exc.as_dict())
        if not applied:
            self.log.warning("transaction_lease_lost", transaction_id=txn_id)
            return self._existing(txn_id, record["request_hash"], owner, waited=True)
        self.log.info(
            "transaction_" + status.lower(),
            transaction_id=txn_id,
            attempt=record["attempt"],
            decline_reason=decline_reason,
            fraud_score=(fraud_result or {}).get("score"),
            failure=(failure.as_dict() if failure else None),
        )
        summary = {
            "transaction_id": txn_id,
            "status": status,
            "attempt": record["attempt"],
            "merchant_id": record["merchant_id"],
            "customer_id": record["customer_id"],
            "amount": record["amount"],
            "currency": record["currency"],
            "decline_reason": decline_reason,
            "failure": failure.as_dict() if failure else None,
            "fraud_score": (fraud_result or {}).get("score"),
        }
        if status != "AUTHORIZED":
            self.notifier.publish(dict(summary, card=body.get("card")), kind="transaction_" + status.lower())
        self.auditor.record(dict(summary, event=status.lower(), at=now_ms, request_id=record.get("request_id")))
        return http_status, body_text

    def _error(self, status, txn_id, error):
        return status, httpapi.dumps({"transaction_id": txn_id, "status": None, "error": error})


def _err(code, message, retryable):
    return {"code": code, "message": message, "retryable": retryable}
