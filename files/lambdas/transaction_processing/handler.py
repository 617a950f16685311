"""transaction_processing: POST /process (API Gateway HTTP API, payload format 2.0).

validate -> idempotency gate (conditional write) -> customer check (Aurora PostgreSQL) -> fraud
score -> final record (AUTHORIZED / DECLINED / FAILED) -> SNS on failure -> audit event.
Answers: 200 with the transaction (authorised or declined), 400/413/415 invalid request, 409 the
idempotency key was used for a different request (or the same one is still in progress),
502/503 with error.retryable when a dependency failed. The logic lives in payments_common.processing.
"""

import threading

# imported during init, where Lambda gives the CPU boost; every request needs it
import boto3  # noqa: F401  # pylint: disable=unused-import
from payments_common import config, db, httpapi, logs, secrets, validation
from payments_common.customers import CustomerRepository
from payments_common.errors import ConfigurationError, DependencyError
from payments_common.notify import Auditor, Notifier
from payments_common.processing import Processor
from payments_common.store import TransactionStore

LOG = logs.get_logger("transaction_processing")
_PROCESSOR = None
_LOCK = threading.Lock()


def build_processor(cfg):
    if not cfg.db_secret_id:
        raise ConfigurationError("DB_SECRET_ARN is not set")
    credentials = secrets.CredentialCache(cfg.db_secret_id, cfg.secret_cache_seconds)
    database = db.Database(
        credentials, cfg.db_sslmode, cfg.db_ssl_root_cert, cfg.db_connect_timeout, "transaction_processing"
    )
    return Processor(
        cfg,
        TransactionStore(cfg.transactions_table),
        CustomerRepository(database),
        Notifier(cfg.failed_topic_arn, LOG),
        Auditor(cfg.audit_bucket, cfg.audit_prefix, LOG),
        LOG,
    )


def processor():
    global _PROCESSOR  # noqa: PLW0603 (one per container)
    if _PROCESSOR is None:
        with _LOCK:
            if _PROCESSOR is None:
                _PROCESSOR = build_processor(config.get())
    return _PROCESSOR


def reset():
    """Drop the per-container processor (tests)."""
    global _PROCESSOR  # noqa: PLW0603
    with _LOCK:
        if _PROCESSOR is not None:
            _PROCESSOR.customers.database.close()
        _PROCESSOR = None


def handler(event, context):
    request_id = httpapi.request_id(event, context)
    logs.bind_request_id(request_id)
    try:
        cfg = config.get()
        try:
            document = httpapi.parse_json_body(event, cfg.max_body_bytes)
        except httpapi.HttpError as exc:
            LOG.info("request_rejected", status=exc.status, code=exc.code)
            return httpapi.response(exc.status, exc.body())
        payment, errors = validation.validate_payment(document, cfg, lambda: secrets.fingerprint_key(cfg))
        if errors:
            LOG.info("payment_invalid", errors=[f"{e['field']}:{e['code']}" for e in errors])
            return httpapi.response(400, {"errors": errors})
        status, body = processor().process(payment, request_id)
        return httpapi.response(status, body)
    except DependencyError as exc:
        LOG.error("dependency_failed", error=exc.as_dict())
        return httpapi.response(exc.status, {"status": None, "error": exc.as_dict()})
    except ConfigurationError as exc:
        LOG.error("configuration_error", error=str(exc))
        return httpapi.response(500, {"status": None, "error": {"code": "misconfigured", "retryable": False}})
    except Exception as exc:
        LOG.crash("unexpected_error", exc)
        return httpapi.response(500, {"status": None, "error": {"code": "internal_error", "retryable": True}})
