"""Property-based tests: arbitrary and malformed events into every handler.

For each: no unhandled exception (the rotation handler may only raise RotationError, which is how
a step reports failure to Secrets Manager), a well-formed response, every log line a JSON object,
and no PAN or CVV in any response or log line. AWS and PostgreSQL are replaced by in-memory fakes
(no network), so hypothesis can run hundreds of examples quickly.
"""

import base64
import contextlib
import io
import json
import re

import fraud_detection.handler as fraud_handler
import payment_validation.handler as validation_handler
import pytest
import secrets_rotation.handler as rotation_handler
import transaction_processing.handler as processing_handler
from fakes import FakeCustomers, FakeStore, Recorder
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lambda_support import CARDS, http_event
from payments_common import cards, config, logs, processing, rotation
from payments_common.errors import DependencyError

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def luhn_pans(draw):
    prefix = draw(st.sampled_from(["4", "51", "55", "34", "37", "6011", "35", "9"]))
    length = draw(st.integers(min_value=13, max_value=19))
    body = prefix + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=length - len(prefix) - 1,
                                          max_size=length - len(prefix) - 1)))  # fmt: skip
    for check in "0123456789":
        if cards.luhn_valid(body + check):
            return body + check
    raise AssertionError("unreachable")


pans = st.one_of(st.sampled_from(list(CARDS.values())), luhn_pans())
cvvs = st.sampled_from(["7391", "8264", "739", "826"])
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**20), max_value=10**20), st.floats(allow_nan=False),
    st.text(max_size=30),
)  # fmt: skip
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=12,
)


@st.composite
def payment_documents(draw):
    """Mostly-plausible payment requests with random corruption and PANs/CVVs in odd places."""
    pan = draw(pans)
    cvv = draw(cvvs)
    doc = {
        "amount": draw(st.one_of(st.integers(min_value=-5, max_value=2_000_000), json_scalars)),
        "currency": draw(st.sampled_from(["USD", "eur", "JPY", "CHF", "", 1, None])),
        "card": {
            "number": draw(st.sampled_from([pan, " ".join([pan[:4], pan[4:8], pan[8:]]), pan[:-1], pan + "0"])),
            "exp_month": draw(st.one_of(st.integers(min_value=-1, max_value=14), json_scalars)),
            "exp_year": draw(st.one_of(st.integers(min_value=2000, max_value=2060), json_scalars)),
            "cvv": cvv,
        },
        "merchant_id": draw(st.one_of(st.just("merchant-1"), st.just(pan), json_scalars)),
        "customer_id": draw(st.one_of(st.just("cust-active-001"), st.just("cust-" + pan), json_scalars)),
        "idempotency_key": draw(st.one_of(st.uuids().map(str), json_scalars)),
    }
    if draw(st.booleans()):
        doc["metadata"] = draw(st.one_of(st.dictionaries(st.text(max_size=12), st.one_of(json_scalars, st.just(pan)),
                                                         max_size=5), json_values))  # fmt: skip
    if draw(st.booleans()):
        doc["card_token"] = draw(st.one_of(st.just(pan), st.text(max_size=20)))
    if draw(st.booleans()):
        doc[draw(st.text(max_size=8))] = draw(st.one_of(json_values, st.just(pan), st.just(cvv)))
    for key in draw(st.lists(st.sampled_from(sorted(doc)), max_size=2)):
        doc.pop(key, None)
    return pan, cvv, doc


@st.composite
def http_events(draw):
    pan, cvv, doc = draw(payment_documents())
    shape = draw(st.sampled_from(["json", "base64", "text", "bytes", "odd"]))
    if shape == "json":
        event = http_event(doc)
    elif shape == "base64":
        event = http_event(doc, base64_body=True)
    elif shape == "text":
        content_type = draw(st.sampled_from([None, "text/plain", "application/json"]))
        event = http_event(draw(st.text(max_size=60)) + pan, content_type=content_type)
    elif shape == "bytes":
        event = http_event(draw(st.binary(max_size=40)), base64_body=True)
    else:
        keys = st.sampled_from(["body", "headers", "isBase64Encoded", "requestContext"])
        event = draw(st.one_of(json_values, st.dictionaries(keys, json_values)))
        if isinstance(event, dict) and draw(st.booleans()):
            event["body"] = json.dumps(doc) if draw(st.booleans()) else base64.b64encode(pan.encode()).decode()
    return pan, cvv, event


def _digits_variants(pan):
    return {pan, " ".join([pan[:4], pan[4:8], pan[8:12], pan[12:]]).strip(), "-".join([pan[:4], pan[4:8], pan[8:]])}


def _walk_keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _walk_keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk_keys(item)


SENSITIVE_KEYS = {"cvv", "cvc", "cvv2", "pan", "card_number", "number"}


def _walk_items(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, item
            yield from _walk_items(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk_items(item)


def _check_clean(text, pan, cvv, where):
    for variant in _digits_variants(pan):
        assert variant not in text, f"PAN in {where}: {text[:500]}"
    assert not re.search(rf"(?i)(cvv|cvc)\W{{0,6}}{cvv}", text), f"CVV in {where}: {text[:500]}"
    assert f'"{cvv}"' not in text and f":{cvv}," not in text and f":{cvv}}}" not in text, where


def _check_logs(out, pan, cvv):
    for line in out.splitlines():
        record = json.loads(line)
        assert isinstance(record, dict) and {"timestamp", "level", "service", "event"} <= set(record)
        for key, value in _walk_items(record):
            if key.lower() in SENSITIVE_KEYS:
                assert not re.fullmatch(r"\d{3,19}", str(value)), f"{key}={value!r} logged in clear: {line[:500]}"
        _check_clean(line, pan, cvv, "log")


def _check_http(result, pan, cvv, allowed):
    assert set(result) == {"statusCode", "headers", "body", "isBase64Encoded"}
    assert result["statusCode"] in allowed, result
    body = json.loads(result["body"])
    assert isinstance(body, dict)
    assert "cvv" not in set(_walk_keys(body)) and "number" not in set(_walk_keys(body))
    if "errors" in body:
        for error in body["errors"]:
            assert set(error) == {"field", "code", "message"}
    _check_clean(result["body"], pan, cvv, "response")
    return body


def _run(fn, *args):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = fn(*args)
    return result, out.getvalue()


@SETTINGS
@given(http_events())
def test_validation_handler_on_arbitrary_events(case):
    pan, cvv, event = case
    result, out = _run(validation_handler.handler, event, None)
    body = _check_http(result, pan, cvv, {200, 400, 413, 415})
    if result["statusCode"] == 200:
        assert set(body["payment"].get("card", {})) <= {"brand", "bin", "last4", "fingerprint", "exp_month", "exp_year"}
    _check_logs(out, pan, cvv)


@st.composite
def valid_events(draw):
    """Valid requests (so the deep paths run), with PANs and CVVs that must not come back."""
    brand = draw(st.sampled_from(sorted(CARDS)))
    pan = CARDS[brand]
    cvv = "7391" if brand == "amex" else "739"
    doc = {
        "amount": draw(st.integers(min_value=1, max_value=1_000_000)),
        "currency": draw(st.sampled_from(["USD", "EUR", "GBP", "JPY"])),
        "card": {"number": pan, "exp_month": draw(st.integers(1, 12)), "exp_year": draw(st.integers(2031, 2040)),
                 "cvv": cvv},
        "merchant_id": draw(st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True)),
        "customer_id": draw(st.sampled_from(["cust-active-001", "cust-unknown"])),
        "idempotency_key": str(draw(st.uuids())),
        "metadata": draw(st.dictionaries(st.from_regex(r"[a-z]{1,10}", fullmatch=True), st.text(max_size=40),
                                         max_size=4)),
    }  # fmt: skip
    return pan, cvv, http_event(doc, base64_body=draw(st.booleans()))


@SETTINGS
@given(valid_events())
def test_validation_handler_on_valid_events(case):
    pan, cvv, event = case
    result, out = _run(validation_handler.handler, event, None)
    body = _check_http(result, pan, cvv, {200})
    assert body["payment"]["card"]["last4"] == pan[-4:]
    _check_logs(out, pan, cvv)


@pytest.fixture
def fake_processor(lambda_env):
    cfg = config.get()
    recorder = Recorder()
    proc = processing.Processor(cfg, FakeStore(), FakeCustomers(), recorder, recorder,
                                logs.get_logger("transaction_processing"))  # fmt: skip
    processing_handler._PROCESSOR = proc
    yield proc
    processing_handler._PROCESSOR = None


@SETTINGS
@given(
    case=st.one_of(http_events(), valid_events()),
    fail=st.sampled_from([None, "create", "get", "finalize", "customer_history", "customers"]),
)
def test_processing_handler_on_arbitrary_events(fake_processor, case, fail):
    pan, cvv, event = case
    fake_processor.store.fail = (
        {fail: DependencyError("dynamodb", "Throttling", "x")} if fail and fail != "customers" else {}
    )
    fake_processor.customers.fail = DependencyError("postgresql", "Unavailable", "x") if fail == "customers" else None
    result, out = _run(processing_handler.handler, event, None)
    body = _check_http(result, pan, cvv, {200, 400, 409, 413, 415, 502, 503})
    if result["statusCode"] in (502, 503):
        assert body["error"]["retryable"] in (True, False)
    if result["statusCode"] == 200:
        assert body["status"] in ("AUTHORIZED", "DECLINED")
    _check_logs(out, pan, cvv)
    _check_clean(json.dumps(fake_processor.store.items, default=str), pan, cvv, "stored record")
    _check_clean(json.dumps(fake_processor.notifier.published, default=str), pan, cvv, "notification")


@st.composite
def stream_events(draw):
    pan, cvv, doc = draw(payment_documents())
    image = {
        "transaction_id": {"S": draw(st.text(max_size=10))},
        "record_type": {"S": draw(st.sampled_from(["transaction", "card_usage", "x"]))},
        "status": {"S": draw(st.sampled_from(["AUTHORIZED", "PENDING", "DECLINED"]))},
        "customer_id": draw(st.sampled_from([{"S": "c1"}, {"N": "1"}, {"S": pan}, {"BOGUS": 1}])),
        "amount": draw(st.sampled_from([{"N": "5"}, {"S": "5"}, {"N": "x"}])),
        "currency": {"S": "USD"},
        "card": {"M": {"bin": {"S": pan[:6]}, "last4": {"S": pan[-4:]}, "fingerprint": {"S": "ab"}}},
    }
    record = {"eventName": draw(st.sampled_from(["INSERT", "MODIFY", "REMOVE", None])),
              "dynamodb": {"SequenceNumber": str(draw(st.integers(0, 10**6))), "NewImage": image}}  # fmt: skip
    if draw(st.booleans()):
        record["dynamodb"]["OldImage"] = draw(st.one_of(json_values, st.just({"status": {"S": "PENDING"}})))
    records = draw(st.lists(st.one_of(st.just(record), json_values), max_size=3))
    scoring = {"payment": {"customer_id": "c", "amount": 1, "currency": "USD"}}
    event = draw(st.sampled_from([{"Records": records}, {"payment": doc}, scoring]))
    if draw(st.booleans()):
        event = draw(st.one_of(json_values, st.just(event)))
    return pan, cvv, event


@SETTINGS
@given(stream_events())
def test_fraud_handler_on_arbitrary_events(monkeypatch, case):
    pan, cvv, event = case
    recorder = Recorder()
    monkeypatch.setenv("FRAUD_ALERT_THRESHOLD", "0")
    config.reset()
    monkeypatch.setattr(fraud_handler, "TransactionStore", lambda table: FakeStore())
    monkeypatch.setattr(fraud_handler, "Notifier", lambda topic, log: recorder)
    result, out = _run(fraud_handler.handler, event, None)
    assert isinstance(result, dict)
    assert set(result) <= {"batchItemFailures", "score", "decision", "reasons", "error"}
    text = json.dumps(result)
    _check_clean(text, pan, cvv, "response")
    _check_logs(out, pan, cvv)
    _check_clean(json.dumps(recorder.published, default=str), pan, cvv, "alert")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(event=st.one_of(json_values, st.fixed_dictionaries({
    "SecretId": st.one_of(st.text(max_size=20), json_scalars),
    "ClientRequestToken": st.one_of(st.uuids().map(str), json_scalars),
    "Step": st.one_of(st.sampled_from(list(rotation.STEPS)), st.text(max_size=12)),
})))  # fmt: skip
def test_rotation_handler_on_arbitrary_events(monkeypatch, event):
    def unavailable(*args, **kwargs):
        raise DependencyError("secretsmanager", "ServiceUnavailable", "unavailable")

    monkeypatch.setattr(rotation.aws, "call", unavailable)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            result = rotation_handler.handler(event, None)
            assert result["status"] == "ok"
        except rotation_handler.RotationError:
            pass
    for line in out.getvalue().splitlines():
        assert isinstance(json.loads(line), dict)
