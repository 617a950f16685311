"""Fraud scoring: a small rule engine with explainable reasons.

`evaluate()` is pure (payment, the customer's recent history, how many customers used the card,
now, FraudConfig) -> {score 0-100, decision approve|review|decline, reasons[]}. `score_payment()`
gathers the inputs from the transactions table. Both entry points of the fraud_detection function
(synchronous scoring, DynamoDB-stream re-scoring) and transaction_processing use these.
"""

from dataclasses import dataclass

MINUTE_MS = 60_000
DAY_MS = 86_400_000


@dataclass(frozen=True)
class Reason:
    rule: str
    points: int
    detail: str

    def as_dict(self):
        return {"rule": self.rule, "points": self.points, "detail": self.detail}


def velocity(payment, history, card_customers, now_ms, cfg):
    since = now_ms - cfg.velocity_window_minutes * MINUTE_MS
    count = sum(1 for h in history if h.get("timestamp", 0) >= since)
    if count >= cfg.velocity_max:
        return Reason(
            "velocity",
            cfg.velocity_points,
            f"{count} transactions in the last {cfg.velocity_window_minutes} minutes (limit {cfg.velocity_max})",
        )
    return None


def amount_spike(payment, history, card_customers, now_ms, cfg):
    amounts = [
        h["amount"]
        for h in history
        if h.get("status") == "AUTHORIZED"
        and h.get("currency") == payment["currency"]
        and isinstance(h.get("amount"), int)
    ]
    if len(amounts) < cfg.spike_min_history:
        return None
    mean = sum(amounts) / len(amounts)
    if mean > 0 and payment["amount"] > cfg.spike_multiplier * mean:
        return Reason(
            "amount_spike",
            cfg.spike_points,
            f"amount is {payment['amount'] / mean:.1f}x the mean of the last {len(amounts)} authorised payments",
        )
    return None


def repeated_declines(payment, history, card_customers, now_ms, cfg):
    since = now_ms - cfg.declines_window_minutes * MINUTE_MS
    count = sum(1 for h in history if h.get("status") == "DECLINED" and h.get("timestamp", 0) >= since)
    if count >= cfg.declines_max:
        return Reason(
            "repeated_declines",
            cfg.declines_points,
            f"{count} declined transactions in the last {cfg.declines_window_minutes} minutes",
        )
    return None


def shared_card(payment, history, card_customers, now_ms, cfg):
    if card_customers > cfg.card_customers_max:
        return Reason(
            "shared_card",
            cfg.card_customers_points,
            f"card used by {card_customers} customers (limit {cfg.card_customers_max})",
        )
    return None


def high_risk_bin(payment, history, card_customers, now_ms, cfg):
    card_bin = (payment.get("card") or {}).get("bin")
    if card_bin and any(card_bin.startswith(prefix) for prefix in cfg.high_risk_bins):
        return Reason("high_risk_bin", cfg.high_risk_bin_points, "card BIN is on the high-risk list")
    return None


def high_risk_country(payment, history, card_customers, now_ms, cfg):
    country = payment.get("country")
    if country and country in cfg.high_risk_countries:
        return Reason("high_risk_country", cfg.high_risk_country_points, f"country {country} is on the high-risk list")
    return None


RULES = (velocity, amount_spike, repeated_declines, shared_card, high_risk_bin, high_risk_country)


def decide(score, cfg):
    if score >= cfg.decline_threshold:
        return "decline"
    if score >= cfg.review_threshold:
        return "review"
    return "approve"


def evaluate(payment, history, card_customers, now_ms, cfg, *, rules=RULES):
    reasons = [r for r in (rule(payment, history, card_customers, now_ms, cfg) for rule in rules) if r and r.points]
    score = min(100, sum(r.points for r in reasons))
    return {"score": score, "decision": decide(score, cfg), "reasons": [r.as_dict() for r in reasons]}


def gather(store, payment, transaction_id, now_ms, cfg, *, card_expires_at=None, record_card=True):  # noqa: PLR0917
    """(history without this transaction, distinct customers of the card) from DynamoDB."""
    since = now_ms - cfg.history_days * DAY_MS
    history = [
        h
        for h in store.customer_history(payment["customer_id"], since, cfg.history_limit + 1)
        if h.get("transaction_id") != transaction_id and h.get("record_type", "transaction") == "transaction"
    ][: cfg.history_limit]
    card_customers = 1
    fingerprint = (payment.get("card") or {}).get("fingerprint")
    if fingerprint and record_card:
        expires = card_expires_at or (now_ms // 1000 + cfg.history_days * 86_400)
        card_customers = store.add_card_customer(fingerprint, payment["customer_id"], expires)
    elif fingerprint:
        card_customers = store.card_customer_count(fingerprint)
    return history, card_customers


def score_payment(store, payment, transaction_id, now_ms, cfg, *, record_card=True):  # noqa: PLR0917
    history, card_customers = gather(store, payment, transaction_id, now_ms, cfg, record_card=record_card)
    return evaluate(payment, history, card_customers, now_ms, cfg)
