"""Structured JSON logging, one line per event on stdout (CloudWatch Logs picks it up).

Every line carries the service, the level, an ISO timestamp and the request id bound for the
current invocation. As a second line of defence (the code never passes card data here) every
string is scrubbed of 12-19 digit runs and keys that name card data are redacted.
"""

import contextvars
import json
import os
import sys
import time

from .cards import scrub

_LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40}
_REDACTED_KEYS = frozenset({"number", "pan", "card_number", "cvv", "cvc", "cvv2", "security_code", "password"})
_request_id = contextvars.ContextVar("request_id", default=None)
_clock = [0, ""]  # last whole second and its ISO text


def bind_request_id(request_id):
    """Set the request id for the log lines of the current invocation (and thread)."""
    _request_id.set(request_id)


def _clean(value, depth=0):
    # exact check, the common case
    if type(value) is str:  # noqa: E721  # pylint: disable=unidiomatic-typecheck
        return scrub(value)
    if isinstance(value, bool) or value is None or isinstance(value, int | float):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**11:
            return scrub(str(value))
        return value
    if depth > 6:
        return "[truncated]"
    if isinstance(value, dict):
        return {
            str(k): ("[REDACTED]" if str(k).lower() in _REDACTED_KEYS else _clean(v, depth + 1))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [_clean(v, depth + 1) for v in value]
    return scrub(str(value))


class JsonLogger:
    def __init__(self, service, level=None):
        self.service = service
        self.fixed_level = level

    @property
    def level(self):
        """LOG_LEVEL, read on each call (a dict lookup) so that tests and reconfiguration apply at once."""
        return _LEVELS.get((self.fixed_level or os.environ.get("LOG_LEVEL") or "INFO").upper(), 20)

    def _emit(self, level_name, level, event, fields):
        if level < self.level:
            return
        now = time.time()
        second = int(now)
        if second != _clock[0]:
            _clock[0], _clock[1] = second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        record = {
            "timestamp": f"{_clock[1]}.{int(now % 1 * 1000):03d}Z",
            "level": level_name,
            "service": self.service,
            "request_id": _request_id.get(),
            "event": event,
        }
        if fields:
            record.update(_clean(fields))
        sys.stdout.write(json.dumps(record, separators=(",", ":"), default=str) + "\n")

    def debug(self, event, **fields):
        self._emit("DEBUG", 10, event, fields)

    def info(self, event, **fields):
        self._emit("INFO", 20, event, fields)

    def warning(self, event, **fields):
        self._emit("WARNING", 30, event, fields)

    def error(self, event, **fields):
        self._emit("ERROR", 40, event, fields)

    def crash(self, event, exc, **fields):
        """Log an unexpected exception by type and scrubbed message only (no traceback locals)."""
        tb = exc.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        where = f"{tb.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{tb.tb_lineno}" if tb else None
        self._emit("ERROR", 40, event, dict(fields, error_type=type(exc).__name__, error=str(exc)[:300], where=where))


def get_logger(service):
    return JsonLogger(service)
