"""In-memory stand-ins for the transactions table and the customer database (unit tests only)."""

import copy
import threading

from payments_common.customers import CustomerCheck
from payments_common.errors import DependencyError


class FakeStore:
    def __init__(self):
        self.items = {}
        self.cards = {}
        self.lock = threading.Lock()
        self.fail = {}  # operation -> DependencyError to raise

    def _maybe_fail(self, operation):
        if operation in self.fail:
            raise self.fail[operation]

    def create(self, item):
        self._maybe_fail("create")
        with self.lock:
            if item["transaction_id"] in self.items:
                return False
            self.items[item["transaction_id"]] = copy.deepcopy(item)
            return True

    def get(self, transaction_id):
        self._maybe_fail("get")
        return copy.deepcopy(self.items.get(transaction_id))

    def take_over(self, transaction_id, expected_status, expected_attempt, owner, lease_until_ms, now_ms, event):  # noqa: PLR0917
        self._maybe_fail("take_over")
        with self.lock:
            item = self.items[transaction_id]
            if item["status"] != expected_status or item["attempt"] != expected_attempt:
                return False
            item.update(
                status="PENDING", lease_owner=owner, lease_expires_at=lease_until_ms, attempt=expected_attempt + 1
            )
            item.pop("failure", None)
            item["status_history"].append(event)
            return True

    def finalize(self, transaction_id, owner, fields, event):
        self._maybe_fail("finalize")
        with self.lock:
            item = self.items[transaction_id]
            if item["status"] != "PENDING" or item.get("lease_owner") != owner:
                return False
            item.update({k: v for k, v in fields.items() if v is not None})
            item.pop("lease_owner", None)
            item.pop("lease_expires_at", None)
            item["status_history"].append(event)
            return True

    def customer_history(self, customer_id, since_ms, limit):
        self._maybe_fail("customer_history")
        found = [i for i in self.items.values() if i.get("customer_id") == customer_id and i["timestamp"] >= since_ms]
        return sorted(found, key=lambda i: -i["timestamp"])[:limit]

    def add_card_customer(self, fingerprint, customer_id, expires_at):
        self._maybe_fail("add_card_customer")
        self.cards.setdefault(fingerprint, set()).add(customer_id)
        return len(self.cards[fingerprint])

    def card_customer_count(self, fingerprint):
        return len(self.cards.get(fingerprint, ())) or 1


class FakeCustomers:
    def __init__(self, customers=None):
        self.customers = {"cust-active-001": ("ACTIVE", 500_000)} if customers is None else customers
        self.spend = {}
        self.fail = None
        self.calls = 0

    def _check(self, customer_id, amount, transaction_id):
        if self.fail:
            raise self.fail  # pylint: disable=raising-bad-type
        if customer_id not in self.customers:
            return CustomerCheck(False, "customer_not_found")
        status, limit = self.customers[customer_id]
        if status != "ACTIVE":
            return CustomerCheck(False, "customer_inactive")
        spent = sum(a for (c, t), a in self.spend.items() if c == customer_id and t != transaction_id)
        if spent + amount > limit:
            return CustomerCheck(False, "daily_limit_exceeded")
        return CustomerCheck(True)

    def check(self, customer_id, amount, currency, day, transaction_id):  # noqa: PLR0917
        self.calls += 1
        return self._check(customer_id, amount, transaction_id)

    def reserve(self, customer_id, amount, currency, day, transaction_id):  # noqa: PLR0917
        result = self._check(customer_id, amount, transaction_id)
        if result.ok:
            self.spend[(customer_id, transaction_id)] = amount
        return result


class Recorder:
    """Notifier/Auditor stand-in."""

    def __init__(self):
        self.published = []
        self.audited = []
        self.topic_arn = "arn:fake"

    def publish(self, message, kind):
        self.published.append((kind, message))
        return True

    def record(self, event):
        self.audited.append(event)
        return True


def unavailable(dependency="dynamodb"):
    return DependencyError(dependency, "ServiceUnavailable", f"{dependency} unavailable", retryable=True)
