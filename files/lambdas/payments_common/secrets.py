"""Secrets: the card-fingerprint HMAC key and the database credential, cached per container.

The database credential is re-read from Secrets Manager when the cache is older than
SECRET_CACHE_SECONDS or when the database rejects it (see db.Database), so a rotation never
causes an outage.
"""

import _thread  # a builtin: threading would cost ~5 ms of cold start
import base64
import json
import time

from . import aws
from .errors import ConfigurationError, DependencyError

_KEY_CACHE = {}
_LOCK = _thread.allocate_lock()


def _decode_key(text):
    if text.startswith("base64:"):
        return base64.b64decode(text[7:])
    return text.encode("utf-8")


def fingerprint_key(config):
    """HMAC key for card fingerprints: CARD_FINGERPRINT_KEY, else the secret it names (fetched once)."""
    if config.fingerprint_key:
        return _decode_key(config.fingerprint_key)
    secret_id = config.fingerprint_key_secret_id
    if not secret_id:
        raise ConfigurationError("set CARD_FINGERPRINT_KEY_SECRET_ARN (or CARD_FINGERPRINT_KEY)")
    key = _KEY_CACHE.get(secret_id)
    if key is None:
        with _LOCK:
            key = _KEY_CACHE.get(secret_id)
            if key is None:
                value = aws.call("secretsmanager", "get_secret_value", SecretId=secret_id)
                text = value.get("SecretString")
                if text is None:
                    key = value["SecretBinary"]
                else:
                    try:
                        text = json.loads(text).get("key", text)
                    except (ValueError, AttributeError):
                        pass
                    key = _decode_key(text)
                if len(key) < 16:
                    raise DependencyError("secretsmanager", "WeakKey", "fingerprint key shorter than 16 bytes", False)
                _KEY_CACHE[secret_id] = key
    return key


def get_secret_dict(secret_id, stage="AWSCURRENT", version_id=None):
    """A JSON secret as a dict (None when the stage does not exist)."""
    from botocore.exceptions import BotoCoreError, ClientError

    kwargs = {"SecretId": secret_id}
    if version_id:
        kwargs["VersionId"] = version_id
    if stage:
        kwargs["VersionStage"] = stage
    try:
        value = aws.client("secretsmanager").get_secret_value(**kwargs)
    except ClientError as exc:
        if aws.error_code(exc) == "ResourceNotFoundException" and stage != "AWSCURRENT":
            return None
        raise aws.dependency_error("secretsmanager", exc) from exc
    except BotoCoreError as exc:
        raise aws.dependency_error("secretsmanager", exc) from exc
    try:
        secret = json.loads(value["SecretString"])
    except (KeyError, ValueError, TypeError):
        raise DependencyError("secretsmanager", "InvalidSecret", "secret is not a JSON object", False) from None
    if not isinstance(secret, dict):
        raise DependencyError("secretsmanager", "InvalidSecret", "secret is not a JSON object", False)
    return secret


class CredentialCache:
    """AWSCURRENT of the database secret, cached for `max_age` seconds."""

    def __init__(self, secret_id, max_age=300, clock=time.monotonic):
        self.secret_id = secret_id
        self.max_age = max_age
        self.clock = clock
        self._value = None
        self._fetched = 0.0
        self._lock = _thread.allocate_lock()

    def current(self, force=False):
        with self._lock:
            if force or self._value is None or self.clock() - self._fetched > self.max_age:
                self._value = get_secret_dict(self.secret_id)
                self._fetched = self.clock()
            return self._value

    def pending(self):
        """AWSPENDING, if a rotation is under way (single-user rotation's password-changed window)."""
        return get_secret_dict(self.secret_id, stage="AWSPENDING")


def reset():
    _KEY_CACHE.clear()
