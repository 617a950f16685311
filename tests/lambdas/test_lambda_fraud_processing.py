"""Unit tests: every fraud rule and decision; the processing pipeline's paths with in-memory fakes."""

import json
import threading

import pytest
from fakes import FakeCustomers, FakeStore, Recorder, unavailable
from lambda_support import payment_request
from payments_common import config, fraud, logs, processing, validation
from payments_common.errors import DependencyError

NOW = 1_900_000_000_000
KEY = b"k" * 32
CFG = config.FraudConfig()


def _payment(**overrides):
    cfg = config.Config.from_env({"ALLOWED_CURRENCIES": "USD,EUR"})
    payment, errors = validation.validate_payment(payment_request(**overrides), cfg, lambda: KEY)
    assert not errors
    return payment


def _hist(n, minutes_ago=1, status="AUTHORIZED", amount=1000, currency="USD"):
    return [
        {"transaction_id": f"h{i}-{status}", "timestamp": NOW - minutes_ago * 60_000 - i, "status": status,
         "amount": amount, "currency": currency}
        for i in range(n)
    ]  # fmt: skip


# -- rules -------------------------------------------------------------------------------------


def test_clean_payment_is_approved():
    result = fraud.evaluate(_payment(), _hist(2, minutes_ago=120), 1, NOW, CFG)
    assert result == {"score": 0, "decision": "approve", "reasons": []}


def test_velocity():
    cfg = CFG.replace(velocity_max=3, velocity_window_minutes=10)
    assert fraud.velocity(_payment(), _hist(2), 1, NOW, cfg) is None
    assert fraud.velocity(_payment(), _hist(3, minutes_ago=11), 1, NOW, cfg) is None
    reason = fraud.velocity(_payment(), _hist(3), 1, NOW, cfg)
    assert reason.rule == "velocity" and reason.points == cfg.velocity_points and "3 transactions" in reason.detail


def test_amount_spike():
    cfg = CFG.replace(spike_multiplier=3.0, spike_min_history=3)
    history = _hist(3, minutes_ago=600, amount=1000)
    assert fraud.amount_spike(_payment(amount=3000), history, 1, NOW, cfg) is None
    assert fraud.amount_spike(_payment(amount=3001), history, 1, NOW, cfg).rule == "amount_spike"
    assert fraud.amount_spike(_payment(amount=9000), history[:2], 1, NOW, cfg) is None  # too little history
    eur = _hist(3, minutes_ago=600, amount=10, currency="EUR")
    assert fraud.amount_spike(_payment(amount=9000), eur, 1, NOW, cfg) is None  # other currency
    declined = _hist(3, minutes_ago=600, amount=10, status="DECLINED")
    assert fraud.amount_spike(_payment(amount=9000), declined, 1, NOW, cfg) is None


def test_repeated_declines():
    cfg = CFG.replace(declines_max=2, declines_window_minutes=30)
    assert fraud.repeated_declines(_payment(), _hist(1, status="DECLINED"), 1, NOW, cfg) is None
    assert fraud.repeated_declines(_payment(), _hist(2, minutes_ago=31, status="DECLINED"), 1, NOW, cfg) is None
    assert fraud.repeated_declines(_payment(), _hist(2, status="DECLINED"), 1, NOW, cfg).points == cfg.declines_points


def test_shared_card():
    cfg = CFG.replace(card_customers_max=2)
    assert fraud.shared_card(_payment(), [], 2, NOW, cfg) is None
    assert fraud.shared_card(_payment(), [], 3, NOW, cfg).rule == "shared_card"


def test_high_risk_bin_and_country():
    cfg = CFG.replace(high_risk_bins=("4111",), high_risk_countries=("NG",))
    assert fraud.high_risk_bin(_payment(), [], 1, NOW, cfg).rule == "high_risk_bin"
    assert fraud.high_risk_bin(_payment(card=None, card_token="tok_12345678"), [], 1, NOW, cfg) is None
    assert fraud.high_risk_country(_payment(country="NG"), [], 1, NOW, cfg).rule == "high_risk_country"
    assert fraud.high_risk_country(_payment(country="FR"), [], 1, NOW, cfg) is None
    assert fraud.high_risk_country(_payment(), [], 1, NOW, cfg) is None


@pytest.mark.parametrize(
    ("score", "decision"),
    [(0, "approve"), (39, "approve"), (40, "review"), (69, "review"), (70, "decline"), (100, "decline")],
)
def test_decision_thresholds(score, decision):
    assert fraud.decide(score, CFG) == decision


def test_score_is_capped_and_explained():
    cfg = CFG.replace(high_risk_bins=("411111",), high_risk_countries=("NG",), velocity_max=1, declines_max=1)
    history = _hist(2, status="DECLINED")
    result = fraud.evaluate(_payment(country="NG"), history, 9, NOW, cfg)
    assert result["score"] == 100 and result["decision"] == "decline"
    assert {r["rule"] for r in result["reasons"]} == {
        "velocity", "repeated_declines", "shared_card", "high_risk_bin", "high_risk_country",
    }  # fmt: skip
    json.dumps(result)


def test_zero_weight_rules_do_not_count():
    cfg = CFG.replace(high_risk_bins=("4",), high_risk_bin_points=0)
    assert fraud.evaluate(_payment(), [], 1, NOW, cfg)["reasons"] == []


def test_gather_excludes_the_transaction_itself_and_card_usage_items():
    store = FakeStore()
    store.items = {
        "me": {"transaction_id": "me", "customer_id": "cust-active-001", "timestamp": NOW, "status": "PENDING"},
        "other": {"transaction_id": "other", "customer_id": "cust-active-001", "timestamp": NOW - 5, "status": "X"},
    }
    history, customers = fraud.gather(store, _payment(), "me", NOW, CFG)
    assert [h["transaction_id"] for h in history] == ["other"] and customers == 1


# -- processing with fakes ---------------------------------------------------------------------


class Clock:
    def __init__(self, now=NOW / 1000):
        self.now = now

    def __call__(self):
        return self.now


def _processor(store=None, customers=None, recorder=None, clock=None, **env):
    cfg = config.Config.from_env(dict({"IDEMPOTENCY_WAIT_SECONDS": "0.3", "PROCESSING_LEASE_SECONDS": "30"}, **env))
    recorder = recorder or Recorder()
    return processing.Processor(
        cfg, store or FakeStore(), customers or FakeCustomers(), recorder, recorder, logs.get_logger("test"),
        clock=clock or Clock(), sleep=lambda s: None,
    )  # fmt: skip


def _run(proc, payment):
    status, body = proc.process(payment, "req-1")
    return status, json.loads(body)


def test_authorized_path():
    proc = _processor()
    status, body = _run(proc, _payment())
    assert status == 200 and body["status"] == "AUTHORIZED" and body["fraud"]["decision"] == "approve"
    item = proc.store.items[body["transaction_id"]]
    assert item["status"] == "AUTHORIZED" and item["authorized_at"] and "lease_owner" not in item
    assert [h["status"] for h in item["status_history"]] == ["PENDING", "AUTHORIZED"]
    assert proc.notifier.published == []  # nothing failed
    assert proc.auditor.audited[0]["event"] == "authorized"


@pytest.mark.parametrize(
    ("customers", "customer_id", "reason"),
    [
        ({}, "cust-active-001", "customer_not_found"),
        ({"cust-active-001": ("SUSPENDED", 10**6)}, "cust-active-001", "customer_inactive"),
        ({"cust-active-001": ("ACTIVE", 100)}, "cust-active-001", "daily_limit_exceeded"),
    ],
)
def test_customer_declines(customers, customer_id, reason):
    recorder = Recorder()
    proc = _processor(customers=FakeCustomers(customers or {"nobody": ("ACTIVE", 1)}), recorder=recorder)
    status, body = _run(proc, _payment(customer_id=customer_id))
    assert status == 200 and body["status"] == "DECLINED" and body["decline_reason"] == reason
    kind, message = recorder.published[0]
    assert kind == "transaction_declined" and message["decline_reason"] == reason


def test_fraud_decline():
    proc = _processor(FRAUD_HIGH_RISK_BINS="411111", FRAUD_HIGH_RISK_BIN_POINTS="80")
    status, body = _run(proc, _payment())
    assert body["status"] == "DECLINED" and body["decline_reason"] == "fraud_suspected"
    assert body["fraud"]["reasons"][0]["rule"] == "high_risk_bin"


def test_review_is_authorised_and_flagged():
    proc = _processor(FRAUD_HIGH_RISK_BINS="411111", FRAUD_HIGH_RISK_BIN_POINTS="50")
    body = _run(proc, _payment())[1]
    assert body["status"] == "AUTHORIZED" and body["review_required"] is True


def test_replay_returns_the_stored_answer_and_conflict_on_other_body():
    proc = _processor()
    payment = _payment()
    first = proc.process(payment, "a")
    assert proc.process(payment, "b") == first
    assert proc.customers.calls == 1
    changed = dict(payment, amount=payment["amount"] + 1)
    status, body = _run(proc, changed)
    assert status == 409 and body["error"]["code"] == "idempotency_key_reused"


def test_dependency_failure_is_recorded_failed_and_retryable_then_retried():
    customers = FakeCustomers()
    customers.fail = unavailable("postgresql")
    recorder = Recorder()
    proc = _processor(customers=customers, recorder=recorder)
    payment = _payment()
    status, body = _run(proc, payment)
    assert status == 503 and body["status"] == "FAILED" and body["error"]["retryable"] is True
    assert recorder.published[0][0] == "transaction_failed"
    customers.fail = None
    status, body = _run(proc, payment)  # same request again: takes the FAILED record over
    assert status == 200 and body["status"] == "AUTHORIZED"
    item = proc.store.items[body["transaction_id"]]
    assert item["attempt"] == 2 and "failure" not in item


def test_non_retryable_failure_is_final():
    customers = FakeCustomers()
    customers.fail = DependencyError("postgresql", "SQLSTATE 42P01", "database error", retryable=False)
    proc = _processor(customers=customers)
    payment = _payment()
    first = proc.process(payment, "a")
    assert first[0] == 502
    customers.fail = None
    assert proc.process(payment, "b") == first


@pytest.mark.parametrize("operation", ["customer_history", "add_card_customer"])
def test_fraud_data_failure_fails_cleanly(operation):
    store = FakeStore()
    store.fail[operation] = unavailable()
    status, body = _run(_processor(store=store), _payment())
    assert status == 503 and body["status"] == "FAILED"


def test_store_unavailable_at_create_records_nothing():
    store = FakeStore()
    store.fail["create"] = unavailable()
    status, body = _run(_processor(store=store), _payment())
    assert status == 503 and body["status"] is None and body["error"]["retryable"] is True
    assert store.items == {}


def test_store_unavailable_at_finalize_leaves_a_lease_that_a_retry_settles():
    store = FakeStore()
    store.fail["finalize"] = unavailable()
    clock = Clock()
    proc = _processor(store=store, clock=clock)
    payment = _payment()
    status, body = _run(proc, payment)
    assert status == 503 and body["error"]["retryable"] is True
    item = next(iter(store.items.values()))
    assert item["status"] == "PENDING" and item["lease_expires_at"] == item["timestamp"] + 30_000
    del store.fail["finalize"]
    status, body = _run(proc, payment)  # lease still held: waits, then answers "in progress"
    assert status == 409 and body["error"]["code"] == "request_in_progress" and body["error"]["retryable"]
    clock.now += 31
    status, body = _run(proc, payment)
    assert status == 200 and body["status"] == "AUTHORIZED"
    assert len(proc.customers.spend) == 1  # reserved once although the pipeline ran twice


def test_unexpected_error_becomes_failed_not_pending():
    customers = FakeCustomers()
    customers.fail = ZeroDivisionError("boom 4111111111111111")
    status, body = _run(_processor(customers=customers), _payment())
    assert status == 500 and body["status"] == "FAILED" and body["error"]["retryable"] is True


def test_concurrent_deliveries_with_fakes_give_one_answer():
    proc = _processor()
    proc.sleep = lambda s: threading.Event().wait(0.001)
    payment = _payment()
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(proc.process(payment, "x"))) for _i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(answers)) == 1 and len(proc.store.items) == 1 and proc.customers.calls == 1


def test_transaction_id_is_derived_from_merchant_and_key():
    a = _payment()
    assert processing.transaction_id(a) == processing.transaction_id(dict(a, amount=5))
    assert processing.transaction_id(a) != processing.transaction_id(dict(a, merchant_id="other"))
