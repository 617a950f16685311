#!/usr/bin/env python3
"""Apply files/sql migrations to the payments database.

    scripts/db_migrate.py --secret-id ARN [--sslmode verify-full] [--sslrootcert FILE] [--sql-dir files/sql]

Connection details come from the Secrets Manager secret ({host, port, dbname, username, password});
AWS settings (region, AWS_ENDPOINT_URL) from the environment, as for boto3.
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "files" / "lambdas"))

from payments_common import db, migrations, secrets  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--secret-id", required=True)
    parser.add_argument("--sslmode", default="verify-full", choices=["require", "verify-ca", "verify-full"])
    parser.add_argument("--sslrootcert")
    parser.add_argument("--sql-dir", default=str(ROOT / "files" / "sql"))
    args = parser.parse_args(argv)
    secret = secrets.get_secret_dict(args.secret_id)
    conn = db.connect(secret, args.sslmode, args.sslrootcert, application_name="payments-migrate")
    try:
        applied = migrations.apply(conn, args.sql_dir)
    finally:
        conn.close()
    print(json.dumps({"changed": bool(applied), "applied": applied}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
