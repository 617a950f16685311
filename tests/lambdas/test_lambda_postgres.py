"""Against a real PostgreSQL (TLS only) and the emulator: migrations, customer checks, the full
/process pipeline, 20 concurrent deliveries, credential refresh, and secret rotation."""

import json
import shutil
import threading
import uuid

import boto3
import pg8000.native
import pytest
import secrets_rotation.handler as rotation_handler
import transaction_processing.handler as processing_handler
from lambda_support import SQL_DIR, http_event, payment_request
from payments_common import config, db, logs, migrations, rotation, secrets
from payments_common.customers import CustomerRepository
from payments_common.errors import DependencyError

pytestmark = [pytest.mark.postgres, pytest.mark.emulator]
DAY = "2030-01-15"


def _login(secret, ca_file):
    conn = db.connect(secret, "verify-full", ca_file)
    try:
        return conn.run("SELECT current_user, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")[0]
    finally:
        conn.close()


def _rejected(secret, ca_file):
    try:
        _login(secret, ca_file)
    except Exception as exc:
        return db.is_auth_failure(exc)
    return False


# -- migrations and TLS ------------------------------------------------------------------------


def test_only_tls_connections_are_accepted(pg_database):
    secret = pg_database.cluster.admin_secret("payments")
    assert _login(secret, pg_database.ca_file) == ["postgres", True]
    with pytest.raises(Exception) as raised:  # plaintext: pg_hba rejects it
        pg8000.native.Connection(
            user=secret["username"], password=secret["password"], host="127.0.0.1", port=secret["port"],
            database="payments", ssl_context=False,
        )  # fmt: skip
    assert "no encryption" in str(raised.value) or "pg_hba" in str(raised.value)


def test_migrations_are_applied_once_and_guarded(pg_database, tmp_path):
    conn = pg_database.admin()
    try:
        assert migrations.apply(conn, SQL_DIR) == []  # the session fixture applied them
        versions = [r[0] for r in conn.run("SELECT version FROM schema_migrations ORDER BY version")]
        assert versions == [1, 2, 3]
        assert conn.run("SELECT count(*) FROM customers WHERE customer_id LIKE 'cust-%'")[0][0] >= 5
        changed = tmp_path / "sql"
        shutil.copytree(SQL_DIR, changed)
        (changed / "V002__seed_customers.sql").write_text("SELECT 1;")
        with pytest.raises(migrations.MigrationError, match="changed after it was applied"):
            migrations.apply(conn, changed)
    finally:
        conn.close()


def test_migrate_script_against_a_fresh_database(pg_database, aws_env):
    import subprocess
    import sys

    from lambda_support import ROOT

    conn = pg_database.admin()
    try:
        conn.run("CREATE DATABASE migrate_check")
    finally:
        conn.close()
    secret = dict(pg_database.cluster.admin_secret("migrate_check"))
    arn = boto3.client("secretsmanager").create_secret(Name="m", SecretString=json.dumps(secret))["ARN"]
    env = dict(aws_env.aws_env(), PATH="/usr/bin:/bin")
    cmd = [sys.executable, str(ROOT / "scripts" / "db_migrate.py"), "--secret-id", arn,
           "--sslrootcert", pg_database.ca_file]  # fmt: skip
    first = json.loads(subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout)
    second = json.loads(subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout)
    assert first["changed"] and len(first["applied"]) == 3 and second == {"changed": False, "applied": []}


# -- customer checks ---------------------------------------------------------------------------


class _Creds:
    def __init__(self, secret):
        self.secret = secret

    def current(self, force=False):
        return self.secret

    def pending(self):
        return None


@pytest.fixture
def repo(pg_database):
    pg_database.reset_data()
    database = db.Database(_Creds(pg_database.create_login()), "verify-full", pg_database.ca_file)
    yield CustomerRepository(database)
    database.close()


def test_customer_checks(repo):
    txn = str(uuid.uuid4())
    assert repo.check("nobody", 1, "USD", DAY, txn).reason == "customer_not_found"
    assert repo.check("cust-suspended", 1, "USD", DAY, txn).reason == "customer_inactive"
    assert repo.check("cust-closed", 1, "USD", DAY, txn).reason == "customer_inactive"
    assert repo.check("cust-low-limit", 10_001, "USD", DAY, txn).reason == "daily_limit_exceeded"
    assert repo.check("cust-low-limit", 10_000, "USD", DAY, txn).ok


def test_daily_limit_reservation_is_idempotent_and_per_day_and_currency(repo):
    t1, t2, t3 = (str(uuid.uuid4()) for _i in range(3))
    assert repo.reserve("cust-low-limit", 6_000, "USD", DAY, t1).ok
    assert repo.reserve("cust-low-limit", 6_000, "USD", DAY, t1).ok  # retried: counted once
    assert repo.check("cust-low-limit", 4_000, "USD", DAY, t2).ok
    assert repo.reserve("cust-low-limit", 4_001, "USD", DAY, t2).reason == "daily_limit_exceeded"
    assert repo.reserve("cust-low-limit", 9_000, "EUR", DAY, t2).ok
    assert repo.reserve("cust-low-limit", 9_000, "USD", "2030-01-16", t3).ok
    assert repo.reserve("nobody", 1, "USD", DAY, str(uuid.uuid4())).reason == "customer_not_found"


def test_concurrent_reservations_cannot_overshoot_the_limit(repo, pg_database):
    results = []
    secret = repo.database.credentials.secret

    def worker():
        database = db.Database(_Creds(secret), "verify-full", pg_database.ca_file)
        try:
            results.append(CustomerRepository(database).reserve("cust-low-limit", 3_000, "USD", DAY, str(uuid.uuid4())))
        finally:
            database.close()

    threads = [threading.Thread(target=worker) for _i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.ok for r in results) == 3  # 3 x 3,000 <= 10,000 < 4 x 3,000


def test_database_unreachable_is_a_retryable_dependency_error(pg_database):
    secret = dict(pg_database.create_login(), port=1)
    database = db.Database(_Creds(secret), "verify-full", pg_database.ca_file, timeout=2)
    with pytest.raises(DependencyError) as raised:
        CustomerRepository(database).check("cust-active-001", 1, "USD", DAY, str(uuid.uuid4()))
    assert raised.value.retryable and raised.value.status == 503


# -- /process end to end -----------------------------------------------------------------------


def _process(body):
    result = processing_handler.handler(http_event(body), None)
    assert set(result) == {"statusCode", "headers", "body", "isBase64Encoded"}
    return result["statusCode"], json.loads(result["body"])


def test_process_end_to_end(payments_db, capsys):
    stack = payments_db["stack"]
    status, body = _process(payment_request(amount=2500))
    assert status == 200 and body["status"] == "AUTHORIZED", body
    status, declined = _process(payment_request(customer_id="cust-suspended"))
    assert declined["status"] == "DECLINED" and declined["decline_reason"] == "customer_inactive"
    status, over = _process(payment_request(customer_id="cust-low-limit", amount=20_000))
    assert over["decline_reason"] == "daily_limit_exceeded"
    status, invalid = _process({"amount": "x"})
    assert status == 400 and invalid["errors"]
    records = {r["transaction_id"]: r for r in stack.transactions()}
    assert records[body["transaction_id"]]["status"] == "AUTHORIZED"
    assert len(records) == 3
    published = stack.messages()
    assert {m["transaction_id"] for m in published} == {declined["transaction_id"], over["transaction_id"]}
    assert len(stack.audit_objects()) == 3
    conn = payments_db["database"].admin()
    try:
        spent = conn.run("SELECT customer_id, amount_minor FROM customer_daily_spend")
    finally:
        conn.close()
    assert spent == [["cust-active-001", 2500]]
    assert "4111111111111111" not in capsys.readouterr().out


def test_twenty_concurrent_deliveries_make_one_record_and_one_answer(payments_db):
    body = payment_request(amount=777)
    event = http_event(body)
    answers = []
    barrier = threading.Barrier(20)

    def deliver():
        barrier.wait()
        result = processing_handler.handler(dict(event), None)
        answers.append((result["statusCode"], result["body"]))

    threads = [threading.Thread(target=deliver) for _i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 20 and len(set(answers)) == 1, set(answers)
    status, text = answers[0]
    assert status == 200 and json.loads(text)["status"] == "AUTHORIZED"
    records = payments_db["stack"].transactions()
    assert len(records) == 1 and records[0]["attempt"] == 1
    conn = payments_db["database"].admin()
    try:
        assert conn.run("SELECT count(*) FROM customer_daily_spend")[0][0] == 1
    finally:
        conn.close()


def test_database_down_gives_503_failed_and_a_retry_succeeds(payments_db, lambda_env):
    good = payments_db["secret"]
    sm = boto3.client("secretsmanager")
    sm.put_secret_value(SecretId=payments_db["secret_arn"], SecretString=json.dumps(dict(good, port=1)))
    lambda_env.setenv("DB_CONNECT_TIMEOUT", "2")
    config.reset()
    processing_handler.reset()
    body = payment_request()
    status, failed = _process(body)
    assert status == 503 and failed["status"] == "FAILED" and failed["error"]["retryable"] is True
    [message] = payments_db["stack"].messages()
    assert message["status"] == "FAILED"
    sm.put_secret_value(SecretId=payments_db["secret_arn"], SecretString=json.dumps(good))
    processing_handler.reset()
    status, ok = _process(body)
    assert status == 200 and ok["status"] == "AUTHORIZED" and ok["transaction_id"] == failed["transaction_id"]


def test_cached_credential_is_refreshed_once_on_authentication_failure(payments_db):
    assert _process(payment_request())[1]["status"] == "AUTHORIZED"
    secret = payments_db["secret"]
    new = dict(secret, password=uuid.uuid4().hex)
    conn = payments_db["database"].admin()
    try:
        conn.run(f"ALTER USER {secret['username']} WITH PASSWORD '{new['password']}'")
        conn.run("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :u", u=secret["username"])
    finally:
        conn.close()
    boto3.client("secretsmanager").put_secret_value(SecretId=payments_db["secret_arn"], SecretString=json.dumps(new))
    status, body = _process(payment_request())  # stale connection + stale cached password
    assert status == 200 and body["status"] == "AUTHORIZED"


# -- rotation ----------------------------------------------------------------------------------


def _rotate(arn, token, *steps, connect=None):
    log = logs.get_logger("secrets_rotation")
    rotator = rotation.Rotator(config.get(), log, connect=connect or db.connect)
    for step in steps:
        rotator.run(arn, token, step)


def _stages(arn):
    versions = boto3.client("secretsmanager").describe_secret(SecretId=arn)["VersionIdsToStages"]
    return {stage: v for v, stages in versions.items() for stage in stages}


def _value(arn, stage):
    return secrets.get_secret_dict(arn, stage=stage)


def _refused(*args, **kwargs):
    raise ConnectionRefusedError("database unreachable (injected)")


def test_single_user_rotation(payments_db, capsys):
    arn, ca = payments_db["secret_arn"], payments_db["database"].ca_file
    old = _value(arn, "AWSCURRENT")
    old_version = _stages(arn)["AWSCURRENT"]
    token = str(uuid.uuid4())
    event = {"SecretId": arn, "ClientRequestToken": token}
    for step in (
        "createSecret",
        "createSecret",
        "setSecret",
        "setSecret",
        "testSecret",
        "finishSecret",
        "finishSecret",
    ):
        assert rotation_handler.handler(dict(event, Step=step), None) == {"step": step, "status": "ok"}
    new = _value(arn, "AWSCURRENT")
    assert new["username"] == old["username"] and new["password"] != old["password"]
    assert _login(new, ca) == [old["username"], True]
    assert _rejected(old, ca)
    assert _stages(arn) == {"AWSCURRENT": token, "AWSPREVIOUS": old_version}
    assert _value(arn, "AWSPREVIOUS") == old
    out = capsys.readouterr().out
    assert new["password"] not in out and old["password"] not in out
    assert _process(payment_request())[1]["status"] == "AUTHORIZED"


def test_single_user_failure_at_set_secret_leaves_current_working(payments_db):
    arn, ca = payments_db["secret_arn"], payments_db["database"].ca_file
    old = _value(arn, "AWSCURRENT")
    token = str(uuid.uuid4())
    _rotate(arn, token, "createSecret")
    with pytest.raises(rotation.RotationError):
        _rotate(arn, token, "setSecret", connect=_refused)
    assert _login(old, ca)[0] == old["username"]
    assert _value(arn, "AWSCURRENT") == old
    _rotate(arn, token, "setSecret", "testSecret", "finishSecret")  # Secrets Manager's retry
    assert _rejected(old, ca) and _login(_value(arn, "AWSCURRENT"), ca)


def test_single_user_failure_at_test_secret_causes_no_outage(payments_db):
    arn = payments_db["secret_arn"]
    assert _process(payment_request())[1]["status"] == "AUTHORIZED"  # warm: cached AWSCURRENT
    processing_handler.reset()
    token = str(uuid.uuid4())
    _rotate(arn, token, "createSecret", "setSecret")
    with pytest.raises(rotation.RotationError):
        _rotate(arn, token, "testSecret", connect=_refused)
    assert _stages(arn)["AWSCURRENT"] != token
    # Between setSecret and finishSecret the application falls back to AWSPENDING: no outage.
    status, body = _process(payment_request())
    assert status == 200 and body["status"] == "AUTHORIZED"
    _rotate(arn, token, "testSecret", "finishSecret")
    assert _stages(arn)["AWSCURRENT"] == token


@pytest.fixture
def alternating(payments_db, pg_database):
    """An app secret with `masterarn` (alternating users), the master being a CREATEROLE admin."""
    sm = boto3.client("secretsmanager")
    master = pg_database.create_login("master")
    conn = pg_database.admin()
    try:
        conn.run(f"ALTER ROLE {master['username']} CREATEROLE")
        conn.run(f"GRANT payments_app TO {master['username']} WITH ADMIN OPTION")
        app = pg_database.create_login()
        conn.run(f"GRANT {app['username']} TO {master['username']} WITH ADMIN OPTION")
    finally:
        conn.close()
    master_arn = sm.create_secret(Name="payments/test/aurora-master", SecretString=json.dumps(master))["ARN"]
    app["masterarn"] = master_arn
    arn = sm.create_secret(Name="payments/test/aurora-app-alt", SecretString=json.dumps(app))["ARN"]
    return arn, app


def test_alternating_users_rotation_and_failure_at_test_secret(alternating, payments_db):
    arn, app = alternating
    ca = payments_db["database"].ca_file
    token = str(uuid.uuid4())
    _rotate(arn, token, "createSecret", "setSecret")
    with pytest.raises(rotation.RotationError):
        _rotate(arn, token, "testSecret", connect=_refused)
    assert _login(app, ca)[0] == app["username"]  # AWSCURRENT untouched and still working
    _rotate(arn, token, "testSecret", "finishSecret")
    new = _value(arn, "AWSCURRENT")
    assert new["username"] == app["username"] + "_clone" and _login(new, ca)[0] == new["username"]
    repo = CustomerRepository(db.Database(_Creds(new), "verify-full", ca))
    assert repo.check("cust-active-001", 1, "USD", DAY, str(uuid.uuid4())).ok  # clone has the app's grants
    repo.database.close()
    token2 = str(uuid.uuid4())
    _rotate(arn, token2, "createSecret", "setSecret", "testSecret", "finishSecret")
    back = _value(arn, "AWSCURRENT")
    assert back["username"] == app["username"] and back["password"] != app["password"]
    assert _rejected(app, ca) and _login(back, ca)[0] == app["username"]
    assert _stages(arn) == {"AWSCURRENT": token2, "AWSPREVIOUS": token}


def test_rotation_rejects_bad_events_and_unknown_versions(payments_db):
    arn = payments_db["secret_arn"]
    for event in (None, {}, {"SecretId": arn, "ClientRequestToken": "t", "Step": "dropSecret"}):
        with pytest.raises(rotation.RotationError):
            rotation_handler.handler(event, None)
    with pytest.raises(rotation.RotationError):
        rotation_handler.handler({"SecretId": arn, "ClientRequestToken": str(uuid.uuid4()), "Step": "setSecret"}, None)
