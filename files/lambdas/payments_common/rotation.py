"""Secrets Manager rotation of the Aurora PostgreSQL credential (the four-step protocol).

Strategy, as AWS's own PostgreSQL rotation functions choose it:
- single user (the secret has no `masterarn`): the user's own password is changed with ALTER USER.
  Between setSecret and finishSecret only AWSPENDING works; db.Database falls back to AWSPENDING
  when AWSCURRENT is rejected, so the application keeps working through that window.
- alternating users (the secret has `masterarn`): the master secret creates/updates `<user>_clone`
  (or back), so AWSCURRENT keeps working until finishSecret moves the label.

Every step is idempotent: createSecret keeps an existing AWSPENDING, setSecret first tries the
pending password, finishSecret does nothing once the token is AWSCURRENT. The new password is sent
as a SCRAM-SHA-256 verifier computed here, so the plaintext never reaches the server or its logs,
and every connection uses TLS (DB_SSLMODE, DB_SSL_ROOT_CERT).
"""

import base64
import hashlib
import hmac
import json
import os

from . import aws, db, secrets
from .errors import DependencyError

STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")
_CLONE = "_clone"
_SCRAM_ITERATIONS = 4096


class RotationError(Exception):
    """A step failed; Secrets Manager will retry the step (the message never holds a credential)."""


def scram_verifier(password, salt=None, iterations=_SCRAM_ITERATIONS):
    """PostgreSQL's stored form of a SCRAM-SHA-256 password (what `\\password` sends)."""
    salt = salt if salt is not None else os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    b64 = base64.b64encode
    return f"SCRAM-SHA-256${iterations}:{b64(salt).decode()}${b64(stored_key).decode()}:{b64(server_key).decode()}"


def alternate_username(username):
    if username.endswith(_CLONE):
        return username[: -len(_CLONE)]
    return username[: 63 - len(_CLONE)] + _CLONE


class Rotator:
    def __init__(self, config, log, connect=db.connect):
        self.config = config
        self.log = log
        self._connect_fn = connect

    # -- helpers --------------------------------------------------------------------------------
    def _connect(self, secret):
        return self._connect_fn(
            secret,
            self.config.db_sslmode,
            self.config.db_ssl_root_cert,
            self.config.db_connect_timeout,
            application_name="secrets_rotation",
        )

    def _try_login(self, secret):
        """An open connection, or None when the credential is rejected / the database unreachable."""
        if not secret:
            return None
        try:
            return self._connect(secret)
        except Exception as exc:  # auth failure, TLS or network error: the caller decides
            self.log.info(
                "login_failed",
                username=secret.get("username"),
                error_type=type(exc).__name__,
                auth_failure=db.is_auth_failure(exc),
            )
            return None

    def _pending(self, arn, token):
        secret = secrets.get_secret_dict(arn, stage="AWSPENDING", version_id=token)
        if secret is None:
            raise RotationError(f"no AWSPENDING value for version {token}")
        return secret

    @staticmethod
    def _set_password(conn, username, password):
        ident = conn.run("SELECT quote_ident(:u)", u=username)[0][0]
        literal = conn.run("SELECT quote_literal(:v)", v=scram_verifier(password))[0][0]
        conn.run(f"ALTER USER {ident} WITH PASSWORD {literal}")

    # -- the protocol ---------------------------------------------------------------------------
    def run(self, arn, token, step):
        if step not in STEPS:
            raise RotationError(f"unknown step {step!r}")
        metadata = aws.call("secretsmanager", "describe_secret", SecretId=arn)
        versions = metadata.get("VersionIdsToStages", {})
        stages = versions.get(token)
        if step != "createSecret" and stages is None:
            raise RotationError(f"version {token} is not a version of the secret")
        if step != "finishSecret" and stages and "AWSCURRENT" in stages:
            self.log.info("rotation_step_skipped", step=step, reason="version is already AWSCURRENT")
            return
        if step in ("setSecret", "testSecret") and "AWSPENDING" not in stages:
            raise RotationError(f"version {token} is not AWSPENDING")
        getattr(self, "_" + step[: -len("Secret")] + "_secret")(arn, token, versions)
        self.log.info("rotation_step_done", step=step, version=token)

    def _create_secret(self, arn, token, versions):
        current = secrets.get_secret_dict(arn)
        if token in versions and secrets.get_secret_dict(arn, stage="AWSPENDING", version_id=token) is not None:
            return  # already created: a retried createSecret changes nothing
        pending = dict(current)
        if current.get("masterarn"):
            pending["username"] = alternate_username(current["username"])
        pending["password"] = aws.call(
            "secretsmanager",
            "get_random_password",
            PasswordLength=self.config.rotation_password_length,
            ExcludeCharacters=self.config.rotation_exclude_characters,
        )["RandomPassword"]
        try:
            aws.call(
                "secretsmanager",
                "put_secret_value",
                SecretId=arn,
                ClientRequestToken=token,
                SecretString=json.dumps(pending),
                VersionStages=["AWSPENDING"],
            )
        except DependencyError as exc:
            if exc.code != "ResourceExistsException":
                raise

    def _set_secret(self, arn, token, versions):
        pending = self._pending(arn, token)
        current = secrets.get_secret_dict(arn)
        conn = self._try_login(pending)
        if conn is not None:  # already set by an earlier attempt
            conn.close()
            return
        if current.get("masterarn"):
            master = secrets.get_secret_dict(current["masterarn"])
            admin = dict(pending, username=master["username"], password=master["password"])
            conn = self._try_login(admin)
            if conn is None:
                raise RotationError("could not log in with the master credential")
            try:
                exists = conn.run("SELECT 1 FROM pg_roles WHERE rolname = :u", u=pending["username"])
                if not exists:
                    ident = conn.run("SELECT quote_ident(:u)", u=pending["username"])[0][0]
                    template = conn.run("SELECT quote_ident(:u)", u=current["username"])[0][0]
                    conn.run(f"CREATE ROLE {ident} WITH LOGIN IN ROLE {template}")
                self._set_password(conn, pending["username"], pending["password"])
            finally:
                conn.close()
            return
        if pending.get("username") != current.get("username"):
            raise RotationError("single-user rotation: AWSPENDING and AWSCURRENT name different users")
        conn = self._try_login(current)
        if conn is None:
            previous = secrets.get_secret_dict(arn, stage="AWSPREVIOUS")
            conn = self._try_login(previous) if previous else None
        if conn is None:
            raise RotationError("could not log in with AWSCURRENT or AWSPREVIOUS")
        try:
            self._set_password(conn, pending["username"], pending["password"])
        finally:
            conn.close()

    def _test_secret(self, arn, token, versions):
        pending = self._pending(arn, token)
        try:
            conn = self._connect(pending)
        except Exception as exc:
            raise RotationError(f"AWSPENDING credential does not log in ({type(exc).__name__})") from None
        try:
            conn.run("SELECT now()")
        finally:
            conn.close()

    def _finish_secret(self, arn, token, versions):
        current_version = next((v for v, stages in versions.items() if "AWSCURRENT" in stages), None)
        if current_version != token:
            aws.call(
                "secretsmanager",
                "update_secret_version_stage",
                SecretId=arn,
                VersionStage="AWSCURRENT",
                MoveToVersionId=token,
                RemoveFromVersionId=current_version,
            )
        if "AWSPENDING" in versions.get(token, []):
            aws.call(
                "secretsmanager",
                "update_secret_version_stage",
                SecretId=arn,
                VersionStage="AWSPENDING",
                RemoveFromVersionId=token,
            )
