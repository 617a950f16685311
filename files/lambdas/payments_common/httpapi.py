"""API Gateway HTTP API (payload format 2.0) events in, proxy responses out.

`parse_json_body` never raises: any event, however malformed, gives either the decoded JSON
document or an HttpError with the status (400, 413, 415) and a stable error code.
"""

import base64
import binascii
import json

_HEADERS = {
    "content-type": "application/json",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
}


class HttpError(Exception):
    def __init__(self, status, code, message, field="body"):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field

    def body(self):
        return {"errors": [{"field": self.field, "code": self.code, "message": self.message}]}


def _reject_constant(_name):
    raise ValueError("NaN and Infinity are not JSON")


def request_id(event, context=None):
    """API Gateway's request id, else the Lambda request id, else a new UUID (always a str)."""
    if isinstance(event, dict):
        ctx = event.get("requestContext")
        if isinstance(ctx, dict):
            rid = ctx.get("requestId")
            if isinstance(rid, str) and 0 < len(rid) <= 128:
                return rid
    rid = getattr(context, "aws_request_id", None)
    if isinstance(rid, str) and rid:
        return rid[:128]
    import uuid

    return str(uuid.uuid4())


def _content_type(headers):
    if not isinstance(headers, dict):
        return None
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == "content-type":
            return value if isinstance(value, str) else ""
    return None


def _is_json_media_type(value):
    media = value.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def parse_json_body(event, max_bytes):
    """The JSON document in an HTTP API event's body. Raises HttpError."""
    if not isinstance(event, dict):
        raise HttpError(400, "invalid_event", "The event is not an API Gateway HTTP request.")
    content_type = _content_type(event.get("headers"))
    if content_type is not None and not _is_json_media_type(content_type):
        raise HttpError(415, "unsupported_media_type", "Content-Type must be application/json.")
    body = event.get("body")
    if body is None or body == "":
        raise HttpError(400, "missing_body", "The request has no body.")
    if not isinstance(body, str):
        raise HttpError(400, "invalid_body", "The request body is not text.")
    # A cheap bound before any decoding: base64 inflates by 4/3, UTF-8 by at most 4 bytes per char.
    if len(body) > max_bytes * 4:
        raise HttpError(413, "body_too_large", f"The request body exceeds {max_bytes} bytes.")
    if event.get("isBase64Encoded") is True:
        try:
            raw = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise HttpError(400, "invalid_body_encoding", "The base64 request body is malformed.") from None
    else:
        try:
            raw = body.encode("utf-8")
        except UnicodeEncodeError:
            raise HttpError(400, "invalid_body_encoding", "The request body is not valid UTF-8.") from None
    if len(raw) > max_bytes:
        raise HttpError(413, "body_too_large", f"The request body exceeds {max_bytes} bytes.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise HttpError(400, "invalid_body_encoding", "The request body is not valid UTF-8.") from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        if content_type is None and text.lstrip()[:1] not in ("{", "["):
            raise HttpError(415, "unsupported_media_type", "The request body is not JSON.") from None
        raise HttpError(400, "invalid_json", "The request body is not valid JSON.") from None


def response(status, body):
    return {
        "statusCode": status,
        "headers": dict(_HEADERS),
        "body": body if isinstance(body, str) else dumps(body),
        "isBase64Encoded": False,
    }


def dumps(body):
    """Compact JSON; key order is the (deterministic) insertion order."""
    return json.dumps(body, separators=(",", ":"))
