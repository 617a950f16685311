"""payment_validation: POST /validate (API Gateway HTTP API, payload format 2.0).

200 {"valid": true, "payment": {...card reduced to brand/bin/last4/fingerprint...}}
400 {"valid": false, "errors": [{field, code, message}, ...]} (every problem found)
413 body over MAX_BODY_BYTES, 415 not JSON; 503 when the fingerprint key cannot be fetched.
No boto3 on this path unless the HMAC key must be read from Secrets Manager (once per container).
"""

from payments_common import config, httpapi, logs, secrets, validation
from payments_common.errors import ConfigurationError, DependencyError

LOG = logs.get_logger("payment_validation")


def _invalid(status, errors):
    return httpapi.response(status, {"valid": False, "errors": errors})


def validate_event(event, cfg):
    """(status, body dict) for one HTTP event."""
    try:
        document = httpapi.parse_json_body(event, cfg.max_body_bytes)
    except httpapi.HttpError as exc:
        return exc.status, {"valid": False, "errors": exc.body()["errors"]}
    payment, errors = validation.validate_payment(document, cfg, lambda: secrets.fingerprint_key(cfg))
    if errors:
        return 400, {"valid": False, "errors": errors}
    return 200, {"valid": True, "payment": payment}


def handler(event, context):
    logs.bind_request_id(httpapi.request_id(event, context))
    try:
        status, body = validate_event(event, config.get())
    except DependencyError as exc:
        LOG.error("validation_unavailable", error=exc.as_dict())
        return httpapi.response(exc.status, {"valid": False, "error": exc.as_dict()})
    except ConfigurationError as exc:
        LOG.error("configuration_error", error=str(exc))
        return httpapi.response(500, {"valid": False, "error": {"code": "misconfigured", "retryable": False}})
    except Exception as exc:  # never let an input turn into an unhandled error
        LOG.crash("unexpected_error", exc)
        return httpapi.response(500, {"valid": False, "error": {"code": "internal_error", "retryable": False}})
    if status == 200:
        card = body["payment"].get("card")
        LOG.info("payment_valid", brand=card["brand"] if card else "token", currency=body["payment"]["currency"])
    else:
        LOG.info("payment_invalid", status=status, errors=[f"{e['field']}:{e['code']}" for e in body["errors"]])
    return httpapi.response(status, body)
