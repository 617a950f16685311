"""Card-number rules and PAN handling: Luhn, brand, masking, keyed fingerprint, scrubbing.

The PAN only ever exists inside `summarise()`'s caller; what leaves this module is the brand,
the BIN (first 6), the last 4 and an HMAC-SHA256 fingerprint.
"""

import hashlib
import hmac
import re

_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)

# (brand, prefixes as (low, high) ranges on the first N digits, allowed lengths, cvv length)
_BRANDS = (
    ("amex", 2, ((34, 34), (37, 37)), (15,), 4),
    ("visa", 1, ((4, 4),), (13, 16, 19), 3),
    ("mastercard", 2, ((51, 55),), (16,), 3),
    ("mastercard", 4, ((2221, 2720),), (16,), 3),
    ("discover", 4, ((6011, 6011),), (16, 17, 18, 19), 3),
    ("discover", 3, ((644, 649),), (16, 17, 18, 19), 3),
    ("discover", 2, ((65, 65),), (16, 17, 18, 19), 3),
    ("unionpay", 2, ((62, 62),), (16, 17, 18, 19), 3),
    ("jcb", 4, ((3528, 3589),), (16, 17, 18, 19), 3),
    ("diners", 3, ((300, 305),), (14, 16, 17, 18, 19), 3),
    ("diners", 2, ((36, 36), (38, 39)), (14, 16, 17, 18, 19), 3),
)
_UNKNOWN = ("unknown", None, None, tuple(range(12, 20)), 3)

# 12-19 digits, optionally grouped by single spaces or dashes, not glued to other digits.
PAN_LIKE = re.compile(r"(?<![0-9])[0-9](?:[ -]?[0-9]){11,18}(?![0-9])")
_SEPARATORS = str.maketrans("", "", " -")
# "cvv": "123", cvv=1234, 'cvc': '123' ... inside free text (a dumped dict, an exception message)
CVV_LIKE = re.compile(r"(?i)(cvv2?|cvc2?|cid|security_code)(\W{0,6})[0-9]{3,4}(?![0-9])")
_THREE_DIGITS = re.compile(r"[0-9]{3}").search
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def luhn_valid(digits):
    """Luhn check of a string of ASCII digits."""
    total = 0
    double = False
    for ch in reversed(digits):
        value = ord(ch) - 48
        total += _DOUBLED[value] if double else value
        double = not double
    return total % 10 == 0


def brand_rule(digits):
    """(brand, allowed lengths, cvv length) for a PAN's leading digits."""
    for brand, width, ranges, lengths, cvv_length in _BRANDS:
        if len(digits) < width:
            continue
        head = int(digits[:width])
        for low, high in ranges:
            if low <= head <= high:
                return brand, lengths, cvv_length
    return _UNKNOWN[0], _UNKNOWN[3], _UNKNOWN[4]


def fingerprint(digits, key):
    """Keyed fingerprint of a PAN: same card -> same value, useless without the key."""
    return hmac.new(key, digits.encode("ascii"), hashlib.sha256).hexdigest()


def summarise(digits, key, brand=None):
    """The only representation of a card that may be stored, logged or returned."""
    if brand is None:
        brand = brand_rule(digits)[0]
    return {
        "brand": brand,
        "bin": digits[:6],
        "last4": digits[-4:],
        "fingerprint": fingerprint(digits, key),
    }


def mask(digits):
    """4111111111111111 -> 411111******1111 (first 6, last 4)."""
    if len(digits) < 12:
        return "*" * len(digits)
    return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]


def _mask_match(match):
    digits = match.group(0).translate(_SEPARATORS)
    return "[PAN:" + mask(digits) + "]"


def contains_pan_like(text):
    """True when a string carries a run of 12-19 digits that passes Luhn (a probable card number)."""
    for match in PAN_LIKE.finditer(text):
        if luhn_valid(match.group(0).translate(_SEPARATORS)):
            return True
    return False


def scrub(text):
    """Mask every 12-19 digit run in free text (Luhn or not: a mistyped PAN is still card data).

    A string that is exactly a UUID is returned as it is (request and transaction ids)."""
    if len(text) == 36 and _UUID.fullmatch(text):
        return text
    if _THREE_DIGITS(text) is None:  # nothing that could be a PAN or a CVV
        return text
    text = PAN_LIKE.sub(_mask_match, text)
    if "c" in text or "C" in text or "s" in text:
        text = CVV_LIKE.sub(r"\1\2***", text)
    return text
