"""Apply the SQL migrations in files/sql (V<number>__<name>.sql) to PostgreSQL, once each, in order.

Each file runs in its own transaction under an advisory lock (so two runners cannot race) and is
recorded in schema_migrations with its SHA-256; a file changed after it was applied is an error.
"""

import hashlib
import re
from pathlib import Path

_NAME = re.compile(r"V(\d+)__([A-Za-z0-9_]+)\.sql")
_LOCK_ID = 7_312_004  # arbitrary, constant: pg_advisory_lock key of the migration runner


class MigrationError(Exception):
    pass


def discover(sql_dir):
    found = []
    for path in Path(sql_dir).iterdir():
        match = _NAME.fullmatch(path.name)
        if match:
            found.append((int(match.group(1)), path.name, path.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _name, _body in found]
    if len(set(versions)) != len(versions):
        raise MigrationError("two migration files share a version number")
    return found


def apply(conn, sql_dir):
    """Apply pending migrations on a pg8000 native connection. Returns the names applied."""
    conn.run(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "version integer PRIMARY KEY, name text NOT NULL, checksum char(64) NOT NULL, "
        "applied_at timestamptz NOT NULL DEFAULT now())"
    )
    applied_now = []
    conn.run("SELECT pg_advisory_lock(:k)", k=_LOCK_ID)
    try:
        done = {row[0]: (row[1], row[2]) for row in conn.run("SELECT version, name, checksum FROM schema_migrations")}
        for version, name, sql in discover(sql_dir):
            checksum = hashlib.sha256(sql.encode("utf-8")).hexdigest()
            if version in done:
                if done[version][1] != checksum:
                    raise MigrationError(f"{name} changed after it was applied")
                continue
            conn.run("BEGIN")
            try:
                conn.execute_simple(sql)
                conn.run(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES (:v, :n, :c)",
                    v=version,
                    n=name,
                    c=checksum,
                )
                conn.run("COMMIT")
            except BaseException:
                conn.run("ROLLBACK")
                raise
            applied_now.append(name)
    finally:
        conn.run("SELECT pg_advisory_unlock(:k)", k=_LOCK_ID)
    return applied_now
