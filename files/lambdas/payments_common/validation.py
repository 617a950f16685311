"""Payment request validation: every problem is reported, none of them echoes the input.

`validate_payment(document, config, fingerprint_key)` returns (payment, errors). `payment` is the
normalised request with the card reduced to brand / BIN / last 4 / keyed fingerprint (the PAN and
CVV never leave this function); `errors` is a list of {field, code, message}. Pure Python, no AWS.
"""

import json
import re
import time

from . import cards

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{8,128}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_META_KEY = re.compile(r"[A-Za-z0-9_.-]+")
_COUNTRY = re.compile(r"[A-Z]{2}")
_CURRENCY = re.compile(r"[A-Z]{3}")
_CARD_SEPARATORS = str.maketrans("", "", " -")
MAX_CARD_YEARS_AHEAD = 20


def _err(field, code, message):
    return {"field": field, "code": code, "message": message}


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _small_int(value):
    """An int, or a short string of digits, as int; None otherwise."""
    if _is_int(value):
        return value
    if isinstance(value, str) and 0 < len(value) <= 4 and value.isascii() and value.isdigit():
        return int(value)
    return None


def _check_id(doc, name, errors):
    value = doc.get(name)
    if value is None:
        errors.append(_err(name, "required", f"{name} is required."))
        return None
    if not isinstance(value, str) or not _ID.fullmatch(value):
        errors.append(_err(name, "invalid_format", f"{name} must be 1-64 letters, digits or _ . : -"))
        return None
    if cards.contains_pan_like(value):
        errors.append(_err(name, "card_data_not_allowed", f"{name} must not contain a card number."))
        return None
    return value


def _check_amount_currency(doc, config, errors):
    currency = doc.get("currency")
    if currency is None:
        errors.append(_err("currency", "required", "currency is required."))
        currency = None
    elif not isinstance(currency, str) or not _CURRENCY.fullmatch(currency.upper()) or not currency.isascii():
        errors.append(_err("currency", "invalid_format", "currency must be an ISO 4217 code."))
        currency = None
    else:
        currency = currency.upper()
        if currency not in config.allowed_currencies:
            errors.append(_err("currency", "unsupported_currency", "currency is not accepted."))
            currency = None
    amount = doc.get("amount")
    if amount is None:
        errors.append(_err("amount", "required", "amount is required."))
        return None, currency
    if not _is_int(amount):
        errors.append(_err("amount", "invalid_type", "amount must be an integer number of minor units."))
        return None, currency
    if amount <= 0:
        errors.append(_err("amount", "not_positive", "amount must be greater than zero."))
        return None, currency
    limit = config.amount_limit(currency) if currency else config.default_amount_limit
    if amount > limit:
        errors.append(_err("amount", "over_limit", "amount exceeds the limit for the currency."))
        return None, currency
    return amount, currency


def _check_card(card, errors, now):
    """(digits, brand, exp_month, exp_year) of a valid card; appends errors otherwise."""
    if not isinstance(card, dict):
        errors.append(_err("card", "invalid_type", "card must be an object."))
        return None
    ok = True
    digits = None
    brand, lengths, cvv_length = "unknown", (), 3
    number = card.get("number")
    if number is None:
        errors.append(_err("card.number", "required", "card.number is required."))
        ok = False
    elif not isinstance(number, str):
        errors.append(_err("card.number", "invalid_type", "card.number must be a string of digits."))
        ok = False
    else:
        digits = number.translate(_CARD_SEPARATORS) if len(number) <= 40 else ""
        if not (12 <= len(digits) <= 19 and digits.isascii() and digits.isdigit()):
            errors.append(_err("card.number", "invalid_format", "card.number must be 12 to 19 digits."))
            ok = False
            digits = None
        else:
            brand, lengths, cvv_length = cards.brand_rule(digits)
            if not cards.luhn_valid(digits):
                errors.append(_err("card.number", "failed_luhn", "card.number is not a valid card number."))
                ok = False
            elif len(digits) not in lengths:
                message = "card.number has the wrong length for its brand."
                errors.append(_err("card.number", "invalid_length", message))
                ok = False
    month = _small_int(card.get("exp_month"))
    year = _small_int(card.get("exp_year"))
    if card.get("exp_month") is None:
        errors.append(_err("card.exp_month", "required", "card.exp_month is required."))
    elif month is None or not 1 <= month <= 12:
        errors.append(_err("card.exp_month", "invalid_value", "card.exp_month must be 1 to 12."))
        month = None
    if card.get("exp_year") is None:
        errors.append(_err("card.exp_year", "required", "card.exp_year is required."))
    elif year is None or not (0 <= year <= 99 or 2000 <= year <= 2199):
        errors.append(_err("card.exp_year", "invalid_value", "card.exp_year must be a year (YYYY)."))
        year = None
    elif year <= 99:
        year += 2000
    if month is None or year is None:
        ok = False
    elif (year, month) < (now.tm_year, now.tm_mon):
        errors.append(_err("card.exp_year", "card_expired", "The card has expired."))
        ok = False
    elif year > now.tm_year + MAX_CARD_YEARS_AHEAD:
        errors.append(_err("card.exp_year", "invalid_value", "card.exp_year is too far in the future."))
        ok = False
    cvv = card.get("cvv")
    if cvv is None:
        errors.append(_err("card.cvv", "required", "card.cvv is required."))
        ok = False
    elif not isinstance(cvv, str) or not cvv.isascii() or not cvv.isdigit() or len(cvv) not in (3, 4):
        errors.append(_err("card.cvv", "invalid_format", "card.cvv must be a string of 3 or 4 digits."))
        ok = False
    elif digits is not None and len(cvv) != cvv_length:
        code = "amex_requires_4_digits" if brand == "amex" else "only_amex_has_4_digits"
        errors.append(_err("card.cvv", code, "card.cvv has the wrong length for the card brand."))
        ok = False
    if not ok:
        return None
    return digits, brand, month, year


def _json_size(flat):
    """Size of a flat dict's compact JSON; json.dumps only when escaping could matter."""
    size = 2 + max(len(flat) - 1, 0)
    for key, item in flat.items():
        size += len(key) + 3
        if isinstance(item, str):
            if not item.isascii() or '"' in item or "\\" in item or not item.isprintable():
                return len(json.dumps(flat, separators=(",", ":")))
            size += len(item) + 2
        else:
            size += len(json.dumps(item))
    return size


def _check_metadata(value, config, errors):
    if value is None:
        return None
    if not isinstance(value, dict):
        errors.append(_err("metadata", "invalid_type", "metadata must be an object."))
        return None
    if len(value) > config.metadata_max_keys:
        errors.append(_err("metadata", "too_many_keys", f"metadata allows at most {config.metadata_max_keys} keys."))
        return None
    clean = {}
    for key, item in value.items():
        if len(key) > config.metadata_max_key_length or not _META_KEY.fullmatch(key):
            message = "metadata keys must be short names (letters, digits, _ . -)."
            errors.append(_err("metadata", "invalid_key", message))
            return None
        if isinstance(item, str):
            if len(item) > config.metadata_max_value_length:
                errors.append(_err("metadata", "value_too_long", "a metadata value is too long."))
                return None
            if cards.contains_pan_like(item) or cards.contains_pan_like(key):
                errors.append(_err("metadata", "card_data_not_allowed", "metadata must not contain card numbers."))
                return None
        elif _is_int(item):
            if abs(item) >= 10**11:
                errors.append(_err("metadata", "invalid_value", "metadata numbers must be below 10^11."))
                return None
        elif not (isinstance(item, bool) or item is None):
            errors.append(_err("metadata", "invalid_value", "metadata values must be strings, integers or booleans."))
            return None
        clean[key] = item
    if _json_size(clean) > config.metadata_max_bytes:
        errors.append(_err("metadata", "too_large", f"metadata exceeds {config.metadata_max_bytes} bytes."))
        return None
    return clean


def validate_payment(doc, config, fingerprint_key, now=None):
    """Validate a payment request. `fingerprint_key` is a callable giving the HMAC key (bytes),
    called only when the request is valid and carries a card."""
    if not isinstance(doc, dict):
        return None, [_err("body", "invalid_type", "The request body must be a JSON object.")]
    errors = []
    now = time.gmtime(now)
    amount, currency = _check_amount_currency(doc, config, errors)
    card = doc.get("card")
    token = doc.get("card_token")
    card_result = None
    if card is not None and token is not None:
        errors.append(_err("card", "conflict", "Send either card or card_token, not both."))
    elif card is None and token is None:
        errors.append(_err("card", "required", "card or card_token is required."))
    elif card is not None:
        card_result = _check_card(card, errors, now)
    elif not isinstance(token, str) or not _TOKEN.fullmatch(token):
        errors.append(_err("card_token", "invalid_format", "card_token must be 8-128 letters, digits, _ or -."))
        token = None
    elif cards.contains_pan_like(token):
        errors.append(_err("card_token", "card_data_not_allowed", "card_token must not be a card number."))
        token = None
    merchant_id = _check_id(doc, "merchant_id", errors)
    customer_id = _check_id(doc, "customer_id", errors)
    key = doc.get("idempotency_key")
    if key is None:
        errors.append(_err("idempotency_key", "required", "idempotency_key is required."))
    elif not isinstance(key, str) or not _UUID.fullmatch(key):
        errors.append(_err("idempotency_key", "invalid_format", "idempotency_key must be a UUID."))
    metadata = _check_metadata(doc.get("metadata"), config, errors)
    country = doc.get("country")
    if country is not None and (not isinstance(country, str) or not _COUNTRY.fullmatch(country)):
        errors.append(_err("country", "invalid_format", "country must be an ISO 3166-1 alpha-2 code."))
    if errors:
        return None, errors
    payment = {
        "amount": amount,
        "currency": currency,
        "merchant_id": merchant_id,
        "customer_id": customer_id,
        "idempotency_key": key.lower(),
    }
    if card_result is not None:
        digits, brand, month, year = card_result
        summary = cards.summarise(digits, fingerprint_key(), brand)
        summary["exp_month"] = month
        summary["exp_year"] = year
        payment["card"] = summary
    else:
        payment["card_token"] = token
    if metadata is not None:
        payment["metadata"] = metadata
    if country is not None:
        payment["country"] = country
    return payment, []
