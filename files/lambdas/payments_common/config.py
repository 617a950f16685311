"""Configuration from environment variables (set by the lambda role; see files/lambdas/README.md).

`get()` builds the configuration once per container; tests call `reset()` after changing the
environment. Parsing problems raise ConfigurationError naming the variable.
"""

import _thread  # a builtin: threading would cost ~5 ms of cold start
import os

from .errors import ConfigurationError

_DEFAULT_CURRENCIES = "USD,EUR,GBP,CAD,AUD,JPY,CHF"
_DEFAULT_LIMIT = 1_000_000  # minor units: 10,000.00 in a two-decimal currency


def _str(env, name, default=None):
    value = env.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def _int(env, name, default, minimum=None, maximum=None):
    raw = _str(env, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be an integer") from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ConfigurationError(f"{name} must be between {minimum} and {maximum}")
    return value


def _float(env, name, default, minimum=0.0):
    raw = _str(env, name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number") from None
    if value < minimum:
        raise ConfigurationError(f"{name} must be >= {minimum}")
    return value


def _csv(env, name, default=""):
    raw = _str(env, name, default) or ""
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def _limits(env, name):
    """`USD=1000000,JPY=100000000` -> {"USD": 1000000, "JPY": 100000000}."""
    limits = {}
    for item in _csv(env, name):
        code, sep, amount = item.partition("=")
        if not sep:
            raise ConfigurationError(f"{name} entries must look like CODE=AMOUNT")
        try:
            limits[code.strip().upper()] = int(amount)
        except ValueError:
            raise ConfigurationError(f"{name}: amount for {code.strip()} must be an integer") from None
    return limits


class _Settings:
    """A plain settings object (no dataclasses: they cost milliseconds of cold start)."""

    _DEFAULTS = {}

    def __init__(self, **values):
        unknown = set(values) - set(self._DEFAULTS)
        if unknown:
            raise TypeError(f"unknown settings: {sorted(unknown)}")
        for name, default in self._DEFAULTS.items():
            value = values.get(name, default)
            setattr(self, name, value() if callable(value) and name not in values else value)

    def replace(self, **values):
        current = {name: getattr(self, name) for name in self._DEFAULTS}
        current.update(values)
        return type(self)(**current)

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{n}={getattr(self, n)!r}' for n in self._DEFAULTS)})"


class FraudConfig(_Settings):
    """Thresholds and weights of the fraud rules (FRAUD_* variables)."""

    _DEFAULTS = {
        "review_threshold": 40,
        "decline_threshold": 70,
        "alert_threshold": 40,
        "history_limit": 50,
        "history_days": 30,
        "velocity_window_minutes": 10,
        "velocity_max": 5,
        "velocity_points": 30,
        "spike_multiplier": 5.0,
        "spike_min_history": 3,
        "spike_points": 25,
        "declines_window_minutes": 60,
        "declines_max": 3,
        "declines_points": 30,
        "card_customers_max": 3,
        "card_customers_points": 35,
        "high_risk_bins": (),
        "high_risk_bin_points": 40,
        "high_risk_countries": (),
        "high_risk_country_points": 30,
    }

    @classmethod
    def from_env(cls, env):
        review = _int(env, "FRAUD_REVIEW_THRESHOLD", 40, 0, 100)
        decline = _int(env, "FRAUD_DECLINE_THRESHOLD", 70, 0, 100)
        if decline < review:
            raise ConfigurationError("FRAUD_DECLINE_THRESHOLD must be >= FRAUD_REVIEW_THRESHOLD")
        return cls(
            review_threshold=review,
            decline_threshold=decline,
            alert_threshold=_int(env, "FRAUD_ALERT_THRESHOLD", review, 0, 100),
            history_limit=_int(env, "FRAUD_HISTORY_LIMIT", 50, 1, 1000),
            history_days=_int(env, "FRAUD_HISTORY_DAYS", 30, 1, 400),
            velocity_window_minutes=_int(env, "FRAUD_VELOCITY_WINDOW_MINUTES", 10, 1),
            velocity_max=_int(env, "FRAUD_VELOCITY_MAX", 5, 0),
            velocity_points=_int(env, "FRAUD_VELOCITY_POINTS", 30, 0, 100),
            spike_multiplier=_float(env, "FRAUD_SPIKE_MULTIPLIER", 5.0, 1.0),
            spike_min_history=_int(env, "FRAUD_SPIKE_MIN_HISTORY", 3, 1),
            spike_points=_int(env, "FRAUD_SPIKE_POINTS", 25, 0, 100),
            declines_window_minutes=_int(env, "FRAUD_DECLINES_WINDOW_MINUTES", 60, 1),
            declines_max=_int(env, "FRAUD_DECLINES_MAX", 3, 0),
            declines_points=_int(env, "FRAUD_DECLINES_POINTS", 30, 0, 100),
            card_customers_max=_int(env, "FRAUD_CARD_CUSTOMERS_MAX", 3, 1),
            card_customers_points=_int(env, "FRAUD_CARD_CUSTOMERS_POINTS", 35, 0, 100),
            high_risk_bins=_csv(env, "FRAUD_HIGH_RISK_BINS"),
            high_risk_bin_points=_int(env, "FRAUD_HIGH_RISK_BIN_POINTS", 40, 0, 100),
            high_risk_countries=tuple(c.upper() for c in _csv(env, "FRAUD_HIGH_RISK_COUNTRIES")),
            high_risk_country_points=_int(env, "FRAUD_HIGH_RISK_COUNTRY_POINTS", 30, 0, 100),
        )


class Config(_Settings):
    _DEFAULTS = {
        "environment": "dev",
        # validation
        "allowed_currencies": frozenset(_DEFAULT_CURRENCIES.split(",")),
        "default_amount_limit": _DEFAULT_LIMIT,
        "currency_limits": dict,
        "max_body_bytes": 16_384,
        "metadata_max_keys": 20,
        "metadata_max_key_length": 40,
        "metadata_max_value_length": 256,
        "metadata_max_bytes": 2_048,
        "fingerprint_key": None,
        "fingerprint_key_secret_id": None,
        # processing
        "transactions_table": "transactions-dev",
        "failed_topic_arn": None,
        "fraud_alert_topic_arn": None,
        "db_secret_id": None,
        "db_sslmode": "verify-full",
        "db_ssl_root_cert": None,
        "db_connect_timeout": 5,
        "secret_cache_seconds": 300,
        "transaction_ttl_days": 400,
        "lease_seconds": 30,
        "idempotency_wait_seconds": 8.0,
        "audit_bucket": None,
        "audit_prefix": "audit/",
        # rotation
        "rotation_password_length": 32,
        "rotation_exclude_characters": "/@\"'\\:;`$%&",
        "fraud": FraudConfig,
    }

    def amount_limit(self, currency):
        return self.currency_limits.get(currency, self.default_amount_limit)

    @classmethod
    def from_env(cls, env=None):
        env = os.environ if env is None else env
        environment = _str(env, "PAYMENTS_ENV", "dev")
        sslmode = _str(env, "DB_SSLMODE", "verify-full")
        if sslmode not in ("require", "verify-ca", "verify-full"):
            raise ConfigurationError("DB_SSLMODE must be one of require, verify-ca, verify-full")
        currencies = frozenset(c.upper() for c in _csv(env, "ALLOWED_CURRENCIES", _DEFAULT_CURRENCIES))
        if not currencies or any(len(c) != 3 or not c.isalpha() for c in currencies):
            raise ConfigurationError("ALLOWED_CURRENCIES must be a list of ISO 4217 codes")
        failed_topic = _str(env, "FAILED_TRANSACTIONS_TOPIC_ARN")
        return cls(
            environment=environment,
            allowed_currencies=currencies,
            default_amount_limit=_int(env, "DEFAULT_AMOUNT_LIMIT", _DEFAULT_LIMIT, 1),
            currency_limits=_limits(env, "CURRENCY_LIMITS"),
            max_body_bytes=_int(env, "MAX_BODY_BYTES", 16_384, 256, 1_048_576),
            metadata_max_keys=_int(env, "METADATA_MAX_KEYS", 20, 0, 100),
            metadata_max_key_length=_int(env, "METADATA_MAX_KEY_LENGTH", 40, 1, 256),
            metadata_max_value_length=_int(env, "METADATA_MAX_VALUE_LENGTH", 256, 1, 4096),
            metadata_max_bytes=_int(env, "METADATA_MAX_BYTES", 2_048, 2, 65_536),
            fingerprint_key=_str(env, "CARD_FINGERPRINT_KEY"),
            fingerprint_key_secret_id=_str(env, "CARD_FINGERPRINT_KEY_SECRET_ARN"),
            transactions_table=_str(env, "TRANSACTIONS_TABLE", f"transactions-{environment}"),
            failed_topic_arn=failed_topic,
            fraud_alert_topic_arn=_str(env, "FRAUD_ALERTS_TOPIC_ARN", failed_topic),
            db_secret_id=_str(env, "DB_SECRET_ARN"),
            db_sslmode=sslmode,
            db_ssl_root_cert=_str(env, "DB_SSL_ROOT_CERT"),
            db_connect_timeout=_int(env, "DB_CONNECT_TIMEOUT", 5, 1, 60),
            secret_cache_seconds=_int(env, "SECRET_CACHE_SECONDS", 300, 0),
            transaction_ttl_days=_int(env, "TRANSACTION_TTL_DAYS", 400, 1),
            lease_seconds=_int(env, "PROCESSING_LEASE_SECONDS", 30, 1, 900),
            idempotency_wait_seconds=_float(env, "IDEMPOTENCY_WAIT_SECONDS", 8.0),
            audit_bucket=_str(env, "AUDIT_BUCKET"),
            audit_prefix=_str(env, "AUDIT_PREFIX", "audit/"),
            rotation_password_length=_int(env, "ROTATION_PASSWORD_LENGTH", 32, 16, 99),
            rotation_exclude_characters=_str(env, "ROTATION_EXCLUDE_CHARACTERS", "/@\"'\\:;`$%&"),
            fraud=FraudConfig.from_env(env),
        )


_CONFIG = None
_LOCK = _thread.allocate_lock()


def get():
    """The configuration of this container, parsed once."""
    global _CONFIG  # noqa: PLW0603 (per-container cache)
    if _CONFIG is None:
        with _LOCK:
            if _CONFIG is None:
                _CONFIG = Config.from_env()
    return _CONFIG


def reset():
    global _CONFIG  # noqa: PLW0603
    with _LOCK:
        _CONFIG = None
