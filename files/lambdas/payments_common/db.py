"""PostgreSQL (Aurora) access with pg8000 (pure Python) over TLS.

`Database.run(fn)` runs `fn(connection)` in a transaction on a connection kept for the
container's lifetime. Credentials come from the Secrets Manager secret (CredentialCache); when
the server rejects them the secret is re-read once, and if AWSCURRENT is still rejected the
AWSPENDING credential is tried (the window of a single-user rotation between setSecret and
finishSecret), so a rotation never causes an outage.
"""

import ssl
import threading

from .errors import DependencyError

AUTH_FAILURE_CODES = frozenset({"28P01", "28000"})
_RETRYABLE_CLASSES = ("08", "40", "53", "57")


def ssl_context(sslmode="verify-full", root_cert=None):
    """TLS settings like libpq's sslmode: require (encrypt only), verify-ca, verify-full."""
    context = ssl.create_default_context(cafile=root_cert) if root_cert else ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if sslmode in ("require", "verify-ca"):
        context.check_hostname = False
    if sslmode == "require":
        context.verify_mode = ssl.CERT_NONE
    return context


def connect(secret, sslmode="verify-full", root_cert=None, timeout=5, application_name="payments"):
    """Open a pg8000 native connection from a secret dict {host, port, dbname, username, password}."""
    import pg8000.native

    return pg8000.native.Connection(
        user=secret["username"],
        password=secret["password"],
        host=secret["host"],
        port=int(secret.get("port") or 5432),
        database=secret.get("dbname") or "postgres",
        ssl_context=ssl_context(sslmode, root_cert),
        timeout=timeout,
        application_name=application_name,
    )


def sqlstate(exc):
    arg = exc.args[0] if getattr(exc, "args", None) else None
    return arg.get("C") if isinstance(arg, dict) else None


def is_auth_failure(exc):
    return sqlstate(exc) in AUTH_FAILURE_CODES


def _database_error(exc):
    code = sqlstate(exc) or "DatabaseError"
    if code in AUTH_FAILURE_CODES:
        return DependencyError("postgresql", "AuthenticationFailed", "database rejected the credential", True)
    retryable = code.startswith(_RETRYABLE_CLASSES)
    return DependencyError("postgresql", f"SQLSTATE {code}", "database error", retryable=retryable)


class Database:
    def __init__(self, credentials, sslmode="verify-full", root_cert=None, timeout=5, application_name="payments"):
        self.credentials = credentials
        self.sslmode = sslmode
        self.root_cert = root_cert
        self.timeout = timeout
        self.application_name = application_name
        self._conn = None
        self._lock = threading.Lock()

    def _open(self, secret):
        return connect(secret, self.sslmode, self.root_cert, self.timeout, self.application_name)

    def _connect(self):
        from pg8000.exceptions import DatabaseError

        secret = self.credentials.current()
        try:
            return self._open(secret)
        except DatabaseError as exc:
            if not is_auth_failure(exc):
                raise
        secret = self.credentials.current(force=True)
        try:
            return self._open(secret)
        except DatabaseError as exc:
            if not is_auth_failure(exc):
                raise
            pending = self.credentials.pending()
            if not pending or pending.get("password") == secret.get("password"):
                raise
        return self._open(pending)

    def close(self):
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: S110 (closing a broken connection)
                pass

    def run(self, fn):
        """fn(connection) inside BEGIN/COMMIT. Errors come out as DependencyError."""
        from pg8000.exceptions import DatabaseError

        with self._lock:
            for attempt in (1, 2):
                reused = self._conn is not None
                try:
                    if self._conn is None:
                        self._conn = self._connect()
                    conn = self._conn
                    conn.run("BEGIN")
                    try:
                        result = fn(conn)
                        conn.run("COMMIT")
                        return result
                    except BaseException:
                        try:
                            conn.run("ROLLBACK")
                        except Exception:
                            self.close()
                        raise
                except DependencyError:
                    raise
                except DatabaseError as exc:
                    if sqlstate(exc) is None or sqlstate(exc).startswith("08"):
                        self.close()
                    if is_auth_failure(exc):
                        self.close()
                    raise _database_error(exc) from exc
                except Exception as exc:  # connection-level: InterfaceError, OSError, ssl.SSLError, timeouts
                    self.close()
                    if reused and attempt == 1:
                        continue  # a connection kept from an earlier invocation went stale: reconnect once
                    raise DependencyError("postgresql", "Unavailable", "database could not be reached", True) from exc
        raise DependencyError("postgresql", "Unavailable", "database could not be reached", True)
