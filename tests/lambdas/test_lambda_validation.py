"""Unit tests: card rules, PAN scrubbing, request validation, HTTP parsing, the validation handler."""

import base64
import json

import pytest
from lambda_support import CARDS, FINGERPRINT_KEY, TEST_ENV, http_event, payment_request
from payment_validation import handler as validation_handler
from payments_common import cards, config, httpapi, validation
from payments_common.errors import ConfigurationError

KEY = FINGERPRINT_KEY.encode()


def _validate(body, now=None, **env):
    cfg = config.Config.from_env(dict(TEST_ENV, **env))
    return validation.validate_payment(body, cfg, lambda: KEY, now=now)


def _codes(errors):
    return {(e["field"], e["code"]) for e in errors}


# -- cards -------------------------------------------------------------------------------------


@pytest.mark.parametrize("number", list(CARDS.values()) + ["4012888888881881", "3530111333300000", "30569309025904"])
def test_luhn_accepts_test_cards(number):
    assert cards.luhn_valid(number)


@pytest.mark.parametrize("number", ["4111111111111112", "5555555555554440", "378282246310006"])
def test_luhn_rejects_wrong_check_digit(number):
    assert not cards.luhn_valid(number)


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("4111111111111111", "visa"),
        ("5555555555554444", "mastercard"),
        ("2221000000000009", "mastercard"),
        ("378282246310005", "amex"),
        ("6011111111111117", "discover"),
        ("3530111333300000", "jcb"),
        ("30569309025904", "diners"),
        ("6200000000000005", "unionpay"),
        ("9999999999999995", "unknown"),
    ],
)
def test_brand(number, brand):
    assert cards.brand_rule(number)[0] == brand


def test_summary_has_no_pan_and_a_keyed_fingerprint():
    summary = cards.summarise(CARDS["visa"], KEY)
    assert summary["bin"] == "411111" and summary["last4"] == "1111" and summary["brand"] == "visa"
    assert CARDS["visa"] not in json.dumps(summary)
    assert summary["fingerprint"] == cards.summarise(CARDS["visa"], KEY)["fingerprint"]
    assert summary["fingerprint"] != cards.summarise(CARDS["visa"], b"another-key-0123456")["fingerprint"]


def test_mask_and_scrub():
    assert cards.mask("4111111111111111") == "411111******1111"
    text = "card 4111 1111 1111 1111 and 4111-1111-1111-1111 and 5555555555554444 end"
    scrubbed = cards.scrub(text)
    for raw in ("4111 1111 1111 1111", "4111-1111-1111-1111", "5555555555554444"):
        assert raw not in scrubbed
    assert "[PAN:555555******4444]" in scrubbed
    uuid_with_digits = "123e4567-e89b-12d3-a456-426614174000"
    assert cards.scrub(uuid_with_digits) == uuid_with_digits
    assert cards.scrub("amount 12345") == "amount 12345"
    assert (
        cards.scrub("{'cvv': '7391', \"cvc\":123, security_code=999}")
        == "{'cvv': '***', \"cvc\":***, security_code=***}"
    )


def test_contains_pan_like_only_for_luhn_valid_runs():
    assert cards.contains_pan_like("note 4111111111111111")
    assert not cards.contains_pan_like("order 123456789012")
    assert not cards.contains_pan_like("short 4111")


# -- validation rules --------------------------------------------------------------------------


def test_valid_card_request_is_normalised():
    body = payment_request(currency="usd", metadata={"order": "A-1", "n": 3, "gift": True})
    body["card"]["number"] = "4111 1111 1111 1111"
    body["idempotency_key"] = body["idempotency_key"].upper()
    payment, errors = _validate(body)
    assert errors == []
    assert payment["currency"] == "USD"
    assert payment["idempotency_key"] == body["idempotency_key"].lower()
    assert payment["card"] == {
        "brand": "visa",
        "bin": "411111",
        "last4": "1111",
        "fingerprint": cards.fingerprint(CARDS["visa"], KEY),
        "exp_month": 12,
        "exp_year": 2035,
    }
    assert payment["metadata"] == {"order": "A-1", "n": 3, "gift": True}
    assert "cvv" not in json.dumps(payment)


def test_valid_token_request():
    body = payment_request(card=None, card_token="tok_abcdef123456")
    payment, errors = _validate(body)
    assert errors == [] and payment["card_token"] == "tok_abcdef123456" and "card" not in payment


def test_every_problem_is_reported():
    body = {
        "amount": 0,
        "currency": "XXX",
        "card": {"number": "4111111111111112", "exp_month": 13, "exp_year": 1999, "cvv": "12"},
        "merchant_id": "",
        "idempotency_key": "not-a-uuid",
        "metadata": [],
        "country": "usa",
    }
    payment, errors = _validate(body)
    assert payment is None
    assert _codes(errors) == {
        ("amount", "not_positive"),
        ("currency", "unsupported_currency"),
        ("card.number", "failed_luhn"),
        ("card.exp_month", "invalid_value"),
        ("card.exp_year", "invalid_value"),
        ("card.cvv", "invalid_format"),
        ("merchant_id", "invalid_format"),
        ("customer_id", "required"),
        ("idempotency_key", "invalid_format"),
        ("metadata", "invalid_type"),
        ("country", "invalid_format"),
    }
    for error in errors:
        assert set(error) == {"field", "code", "message"}


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"amount": 1.5}, ("amount", "invalid_type")),
        ({"amount": True}, ("amount", "invalid_type")),
        ({"amount": "100"}, ("amount", "invalid_type")),
        ({"amount": -5}, ("amount", "not_positive")),
        ({"amount": 1_000_001}, ("amount", "over_limit")),
        ({"currency": "JPY", "amount": 100_000_001}, ("amount", "over_limit")),
        ({"currency": "CHF"}, ("currency", "unsupported_currency")),
        ({"currency": "US"}, ("currency", "invalid_format")),
        ({"currency": 840}, ("currency", "invalid_format")),
        ({"card": None}, ("card", "required")),
        ({"card_token": "tok_abcdef123456"}, ("card", "conflict")),
        ({"card": "4111111111111111"}, ("card", "invalid_type")),
        ({"card": None, "card_token": "x"}, ("card_token", "invalid_format")),
        ({"card": None, "card_token": "4111111111111111"}, ("card_token", "card_data_not_allowed")),
        ({"merchant_id": "m" * 65}, ("merchant_id", "invalid_format")),
        ({"customer_id": "4111111111111111"}, ("customer_id", "card_data_not_allowed")),
        ({"idempotency_key": 12}, ("idempotency_key", "invalid_format")),
        ({"idempotency_key": None}, ("idempotency_key", "required")),
        ({"metadata": {f"k{i}": i for i in range(21)}}, ("metadata", "too_many_keys")),
        ({"metadata": {"bad key": "x"}}, ("metadata", "invalid_key")),
        ({"metadata": {"k": "x" * 257}}, ("metadata", "value_too_long")),
        ({"metadata": {"k": [1]}}, ("metadata", "invalid_value")),
        ({"metadata": {"k": 10**12}}, ("metadata", "invalid_value")),
        ({"metadata": {"note": "pan 4111111111111111"}}, ("metadata", "card_data_not_allowed")),
        ({"metadata": {f"k{i}": "v" * 200 for i in range(15)}}, ("metadata", "too_large")),
        ({"country": "us"}, ("country", "invalid_format")),
    ],
)
def test_field_rules(overrides, expected):
    payment, errors = _validate(payment_request(**overrides))
    assert payment is None
    assert expected in _codes(errors)


@pytest.mark.parametrize(
    ("card", "expected"),
    [
        ({"number": "41111111111111111111"}, ("card.number", "invalid_format")),
        ({"number": "41111111111"}, ("card.number", "invalid_format")),
        ({"number": "4111x11111111111"}, ("card.number", "invalid_format")),
        ({"number": 4111111111111111}, ("card.number", "invalid_type")),
        ({"number": "411111111111111"}, ("card.number", "failed_luhn")),
        ({"number": "5555555555554444000"}, ("card.number", "invalid_length")),
        ({"number": "37828224631000"}, ("card.number", "failed_luhn")),
        ({"number": None}, ("card.number", "required")),
        ({"exp_month": 0}, ("card.exp_month", "invalid_value")),
        ({"exp_month": "ab"}, ("card.exp_month", "invalid_value")),
        ({"exp_month": None}, ("card.exp_month", "required")),
        ({"exp_year": None}, ("card.exp_year", "required")),
        ({"exp_year": 2020}, ("card.exp_year", "card_expired")),
        ({"exp_year": 2999}, ("card.exp_year", "invalid_value")),
        ({"exp_year": 2150}, ("card.exp_year", "invalid_value")),
        ({"cvv": 123}, ("card.cvv", "invalid_format")),
        ({"cvv": "12a"}, ("card.cvv", "invalid_format")),
        ({"cvv": "1234"}, ("card.cvv", "only_amex_has_4_digits")),
        ({"cvv": None}, ("card.cvv", "required")),
        ({"number": CARDS["amex"], "cvv": "123"}, ("card.cvv", "amex_requires_4_digits")),
    ],
)
def test_card_rules(card, expected):
    body = payment_request()
    body["card"].update(card)
    payment, errors = _validate(body)
    assert payment is None
    assert expected in _codes(errors), errors


def test_brand_length_rule():
    body = payment_request()
    number = next(n for n in (f"3782822463100{d}" for d in range(10)) if cards.luhn_valid(n))
    body["card"]["number"] = number
    assert ("card.number", "invalid_length") in _codes(_validate(body)[1])


def test_amex_with_four_digit_cvv_and_two_digit_year():
    body = payment_request()
    body["card"] = {"number": CARDS["amex"], "exp_month": "7", "exp_year": 35, "cvv": "1234"}
    payment, errors = _validate(body)
    assert errors == [] and payment["card"]["brand"] == "amex" and payment["card"]["exp_year"] == 2035


def test_expiry_is_end_of_month(monkeypatch):
    body = payment_request()
    body["card"].update(exp_month=6, exp_year=2030)
    june_2030 = 1907000000  # 2030-06-12
    assert _validate(body, now=june_2030)[1] == []
    body["card"]["exp_month"] = 5
    assert ("card.exp_year", "card_expired") in _codes(_validate(body, now=june_2030)[1])


def test_not_an_object():
    for document in ([], "x", 3, None):
        payment, errors = _validate(document)
        assert payment is None and errors[0]["code"] == "invalid_type"


def test_fingerprint_key_is_only_needed_for_valid_cards():
    cfg = config.Config.from_env({})

    def no_key():
        raise AssertionError("key fetched")

    assert validation.validate_payment({"amount": 1}, cfg, no_key)[1]
    assert validation.validate_payment(payment_request(card=None, card_token="tok_12345678"), cfg, no_key)[1] == []


# -- configuration -----------------------------------------------------------------------------


def test_config_parsing():
    cfg = config.Config.from_env(
        {"ALLOWED_CURRENCIES": "usd, eur", "CURRENCY_LIMITS": "USD=5,EUR=7", "FRAUD_HIGH_RISK_COUNTRIES": "ng,ru"}
    )
    assert cfg.allowed_currencies == frozenset({"USD", "EUR"})
    assert cfg.amount_limit("USD") == 5 and cfg.amount_limit("GBP") == cfg.default_amount_limit
    assert cfg.fraud.high_risk_countries == ("NG", "RU")
    assert cfg.transactions_table == "transactions-dev"
    assert config.FraudConfig(velocity_max=2).replace(spike_points=1).velocity_max == 2


@pytest.mark.parametrize(
    "env",
    [
        {"MAX_BODY_BYTES": "ten"},
        {"CURRENCY_LIMITS": "USD"},
        {"CURRENCY_LIMITS": "USD=x"},
        {"ALLOWED_CURRENCIES": "DOLLARS"},
        {"DB_SSLMODE": "disable"},
        {"FRAUD_REVIEW_THRESHOLD": "80", "FRAUD_DECLINE_THRESHOLD": "50"},
        {"FRAUD_SPIKE_MULTIPLIER": "x"},
        {"FRAUD_VELOCITY_POINTS": "500"},
    ],
)
def test_config_errors_name_the_variable(env):
    with pytest.raises(ConfigurationError) as raised:
        config.Config.from_env(env)
    assert next(iter(env)).split("_")[0] in str(raised.value)


# -- HTTP parsing ------------------------------------------------------------------------------


def test_http_errors():
    limit = 1000
    cases = [
        (None, 400, "invalid_event"),
        ({"body": None}, 400, "missing_body"),
        ({"body": 5}, 400, "invalid_body"),
        ({"headers": {"Content-Type": "text/plain"}, "body": "x"}, 415, "unsupported_media_type"),
        ({"headers": {"content-type": "application/json"}, "body": "{x"}, 400, "invalid_json"),
        ({"headers": {"content-type": "application/json"}, "body": "NaN"}, 400, "invalid_json"),
        ({"body": "hello world"}, 415, "unsupported_media_type"),
        ({"body": "x" * (limit + 1)}, 413, "body_too_large"),
        ({"body": "not base64!", "isBase64Encoded": True}, 400, "invalid_body_encoding"),
        ({"body": base64.b64encode(b"\xff\xfe").decode(), "isBase64Encoded": True}, 400, "invalid_body_encoding"),
        ({"body": base64.b64encode(b"{" * 2000).decode(), "isBase64Encoded": True}, 413, "body_too_large"),
        ({"body": "[" * 400 + "]" * 400}, 200, None),
        ({"body": "\ud800"}, 400, "invalid_body_encoding"),
    ]
    for event, status, code in cases:
        try:
            httpapi.parse_json_body(event, limit)
            assert status == 200, event
        except httpapi.HttpError as exc:
            assert (exc.status, exc.code) == (status, code), event


def test_deep_nesting_is_a_400_not_a_crash():
    body = "[" * 100_000 + "]" * 100_000
    with pytest.raises(httpapi.HttpError) as raised:
        httpapi.parse_json_body({"body": body}, 10**6)
    assert raised.value.status == 400


def test_base64_body_and_json_suffix_media_type():
    doc = {"a": 1}
    event = {"headers": {"CONTENT-TYPE": "application/merge-patch+json; charset=utf-8"}}
    event.update(body=base64.b64encode(json.dumps(doc).encode()).decode(), isBase64Encoded=True)
    assert httpapi.parse_json_body(event, 100) == doc


# -- handler -----------------------------------------------------------------------------------


def _call(event):
    result = validation_handler.handler(event, None)
    assert set(result) == {"statusCode", "headers", "body", "isBase64Encoded"}
    assert result["headers"]["content-type"] == "application/json"
    return result["statusCode"], json.loads(result["body"])


def test_handler_200_has_card_summary_only(capsys):
    status, body = _call(http_event(payment_request()))
    assert status == 200 and body["valid"] is True
    assert set(body["payment"]["card"]) == {"brand", "bin", "last4", "fingerprint", "exp_month", "exp_year"}
    out = capsys.readouterr().out
    assert CARDS["visa"] not in out and '"cvv"' not in out
    line = json.loads(out.strip().splitlines()[-1])
    assert line["event"] == "payment_valid" and line["service"] == "payment_validation" and line["request_id"]


def test_handler_400_lists_errors(capsys):
    body = payment_request(amount=-1)
    body["card"]["number"] = "4111111111111112"
    status, result = _call(http_event(body))
    assert status == 400 and result["valid"] is False
    assert {("amount", "not_positive"), ("card.number", "failed_luhn")} <= _codes(result["errors"])
    assert "4111111111111112" not in capsys.readouterr().out


def test_handler_413_415_and_base64():
    assert _call(http_event("x" * 20_000))[0] == 413
    assert _call(http_event("a=b", content_type="application/x-www-form-urlencoded"))[0] == 415
    assert _call(http_event(payment_request(), base64_body=True))[0] == 200


def test_handler_without_a_key_is_a_clean_error(lambda_env):
    lambda_env.delenv("CARD_FINGERPRINT_KEY")
    config.reset()
    status, body = _call(http_event(payment_request()))
    assert status == 500 and body["error"]["code"] == "misconfigured"
    assert _call(http_event({"amount": 1}))[0] == 400  # invalid requests never need the key


def test_validation_path_does_not_import_boto3():
    import subprocess
    import sys

    from lambda_support import LAMBDAS

    code = (
        "import sys, json; import payment_validation.handler as h;"
        "ev={'body': json.dumps({'amount': 1}), 'headers': {}};"
        "h.handler(ev, None); print('boto3' in sys.modules, 'botocore' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=LAMBDAS, capture_output=True, text=True, check=True, env={"PATH": "/usr/bin"}
    ).stdout
    assert out.strip().splitlines()[-1] == "False False"
