"""Customer checks against the customers schema in files/sql (exists, ACTIVE, daily limit).

The daily limit is per customer, in minor units, applied per currency (no FX conversion) over the
UTC day. `check` is a read; `reserve` re-checks under a row lock and records the amount against
the transaction id, so concurrent transactions cannot overshoot the limit and a retried
transaction is never counted twice.
"""

from dataclasses import dataclass

_CHECK_SQL = (
    "SELECT c.status, c.daily_limit_minor, "
    "COALESCE((SELECT SUM(s.amount_minor) FROM customer_daily_spend s WHERE s.customer_id = c.customer_id "
    "AND s.spend_date = CAST(:day AS date) AND s.currency = :currency AND s.transaction_id <> CAST(:txn AS uuid)), 0) "
    "FROM customers c WHERE c.customer_id = :customer_id"
)


_INSERT_SQL = (
    "INSERT INTO customer_daily_spend (transaction_id, customer_id, spend_date, currency, amount_minor) "
    "VALUES (CAST(:txn AS uuid), :c, CAST(:day AS date), :currency, :amount) "
    "ON CONFLICT (transaction_id) DO NOTHING"
)


@dataclass(frozen=True)
class CustomerCheck:
    ok: bool
    reason: str | None = None
    daily_limit: int | None = None
    spent_today: int | None = None


def _evaluate(row, amount):
    if row is None:
        return CustomerCheck(False, "customer_not_found")
    status, limit, spent = row[0], int(row[1]), int(row[2])
    if status != "ACTIVE":
        return CustomerCheck(False, "customer_inactive", limit, spent)
    if spent + amount > limit:
        return CustomerCheck(False, "daily_limit_exceeded", limit, spent)
    return CustomerCheck(True, None, limit, spent)


class CustomerRepository:
    def __init__(self, database):
        self.database = database

    def check(self, customer_id, amount, currency, day, transaction_id):  # noqa: PLR0917
        """Exists, ACTIVE, and amount + today's other spend within the daily limit (a read)."""

        def _check(conn):
            rows = conn.run(_CHECK_SQL, customer_id=customer_id, day=day, currency=currency, txn=transaction_id)
            return _evaluate(rows[0] if rows else None, amount)

        return self.database.run(_check)

    def reserve(self, customer_id, amount, currency, day, transaction_id):  # noqa: PLR0917
        """Record the amount against today's limit (idempotent per transaction id)."""

        def _reserve(conn):
            done = "SELECT 1 FROM customer_daily_spend WHERE transaction_id = CAST(:txn AS uuid)"
            if conn.run(done, txn=transaction_id):
                return CustomerCheck(True)
            locked = conn.run("SELECT 1 FROM customers WHERE customer_id = :c FOR UPDATE", c=customer_id)
            if not locked:
                return CustomerCheck(False, "customer_not_found")
            rows = conn.run(_CHECK_SQL, customer_id=customer_id, day=day, currency=currency, txn=transaction_id)
            result = _evaluate(rows[0] if rows else None, amount)
            if result.ok:
                conn.run(
                    _INSERT_SQL,
                    txn=transaction_id,
                    c=customer_id,
                    day=day,
                    currency=currency,
                    amount=amount,
                )
            return result

        return self.database.run(_reserve)
