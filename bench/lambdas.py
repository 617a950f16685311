#!/usr/bin/env python3
"""Closing figures for the Lambda code (a benchmark, not a test; every target is on 127.0.0.1).

    python bench/lambdas.py [--validations 50000] [--processing 300] [--skip-processing]
                            [--emulator-port N] [--postgres-port N]   (default: free ports)

1. validations per second per core: payment_validation.handler in-process, one thread, CPU time.
2. p50/p99 handler latency: validation in-process; processing against a private emulator
   (moto_server via scripts/emulator) and a throwaway PostgreSQL with TLS (scripts/pg_cluster.py).
3. cold import time of each handler: `python -X importtime`, cumulative microseconds of the
   handler module, median of 7 fresh interpreters, imported the way Lambda does (`import handler`
   with the function's directory first on sys.path).
Goals (issue 4): >= 20,000 validations/s/core, <= 30 ms validation cold import.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAMBDAS = ROOT / "files" / "lambdas"
sys.path[:0] = [str(LAMBDAS), str(ROOT / "scripts")]
FUNCTIONS = ("payment_validation", "fraud_detection", "transaction_processing", "secrets_rotation")


def _request(**overrides):
    body = {
        "amount": 1250,
        "currency": "USD",
        "card": {"number": "4111111111111111", "exp_month": 12, "exp_year": 2035, "cvv": "123"},
        "merchant_id": "merchant-001",
        "customer_id": "cust-active-002",
        "idempotency_key": str(uuid.uuid4()),
        "metadata": {"order": "A-1001"},
    }
    body.update(overrides)
    return {
        "version": "2.0",
        "headers": {"content-type": "application/json"},
        "requestContext": {"requestId": str(uuid.uuid4())},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


def _percentiles(samples_ms):
    ordered = sorted(samples_ms)
    return {
        "p50_ms": round(statistics.median(ordered), 3),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 3),
        "n": len(ordered),
    }


def bench_validation(count):
    os.environ.setdefault("CARD_FINGERPRINT_KEY", "bench-fingerprint-key-0123456789")
    from payment_validation import handler

    event = _request()
    devnull = open(os.devnull, "w")  # noqa: SIM115 (the handler logs one line per request)
    real_stdout, sys.stdout = sys.stdout, devnull
    try:
        for _ in range(1000):
            handler.handler(event, None)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for _ in range(count):
            handler.handler(event, None)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        latencies = []
        for _ in range(min(count, 20000)):
            t = time.perf_counter()
            handler.handler(event, None)
            latencies.append((time.perf_counter() - t) * 1000)
        status = handler.handler(event, None)["statusCode"]
    finally:
        sys.stdout = real_stdout
        devnull.close()
    assert status == 200
    return {
        "validations_per_second_per_core": round(count / cpu),
        "validations_per_second_wall": round(count / wall),
        "latency": _percentiles(latencies),
    }


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_processing(count, emulator_port=0, postgres_port=0):
    import boto3
    import pg_cluster
    from payments_common import aws, config, db, migrations

    state = tempfile.mkdtemp(prefix="bench-emulator-")
    port = emulator_port or _free_port()
    emulator_env = dict(os.environ, PAYMENTS_EMULATOR_DIR=state)
    emulator = [sys.executable, str(ROOT / "scripts" / "emulator")]
    subprocess.run([*emulator, "start", "--port", str(port)], env=emulator_env, check=True, capture_output=True)
    cluster = None
    try:
        os.environ.update(
            AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}", AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",  # noqa: S106 (emulator)
            AWS_DEFAULT_REGION="us-east-1", AWS_REGION="us-east-1",
        )  # fmt: skip
        cluster = pg_cluster.PgCluster(port=postgres_port or None).start()
        admin = db.connect(cluster.admin_secret(), "verify-full", cluster.ca_file)
        admin.run("CREATE DATABASE payments")
        admin.close()
        admin = db.connect(cluster.admin_secret("payments"), "verify-full", cluster.ca_file)
        migrations.apply(admin, ROOT / "files" / "sql")
        admin.run("CREATE ROLE bench_app LOGIN PASSWORD 'bench-password-1' IN ROLE payments_app")
        admin.close()
        sys.path.insert(0, str(ROOT / "tests" / "lambdas"))
        from conftest import create_transactions_table

        create_transactions_table("transactions-bench")
        topic = boto3.client("sns").create_topic(Name="failed-transactions-bench")["TopicArn"]
        secret = dict(cluster.admin_secret("payments"), username="bench_app", password="bench-password-1")  # noqa: S106
        arn = boto3.client("secretsmanager").create_secret(Name="bench-db", SecretString=json.dumps(secret))["ARN"]
        os.environ.update(
            TRANSACTIONS_TABLE="transactions-bench", FAILED_TRANSACTIONS_TOPIC_ARN=topic, DB_SECRET_ARN=arn,
            DB_SSL_ROOT_CERT=cluster.ca_file, LOG_LEVEL="WARNING",
        )  # fmt: skip
        config.reset()
        aws.reset()
        from transaction_processing import handler

        statuses, latencies = {}, []
        for i in range(count + 20):
            event = _request(customer_id=f"cust-active-00{1 + i % 2}", amount=100 + i % 7)
            t = time.perf_counter()
            result = handler.handler(event, None)
            elapsed = (time.perf_counter() - t) * 1000
            if i >= 20:  # the first requests open connections and load models
                latencies.append(elapsed)
                status = json.loads(result["body"]).get("status")
                statuses[status] = statuses.get(status, 0) + 1
        handler.reset()
        return {"latency": _percentiles(latencies), "outcomes": statuses}
    finally:
        if cluster is not None:
            cluster.stop()
        subprocess.run([*emulator, "stop"], env=emulator_env, check=False, capture_output=True)


def bench_imports(runs=7):
    results = {}
    for function in FUNCTIONS:
        code = f"import sys; sys.path[:0] = [{str(LAMBDAS / function)!r}, {str(LAMBDAS)!r}]; import handler"
        samples = []
        for _ in range(runs):
            err = subprocess.run(
                [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, check=True,
                env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"),
            ).stderr  # fmt: skip
            line = next(ln for ln in reversed(err.splitlines()) if ln.rstrip().endswith("| handler"))
            samples.append(int(line.split("|")[1]) / 1000)
        results[function] = {"cold_import_ms_median": round(statistics.median(samples), 1), "runs": runs}
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--validations", type=int, default=50_000)
    parser.add_argument("--processing", type=int, default=300)
    parser.add_argument("--skip-processing", action="store_true")
    parser.add_argument("--emulator-port", type=int, default=0, help="port of the processing emulator (0: free)")
    parser.add_argument("--postgres-port", type=int, default=0, help="port of the PostgreSQL cluster (0: free)")
    args = parser.parse_args(argv)
    report = {"python": sys.version.split()[0], "cpu_count": os.cpu_count()}
    report["imports"] = bench_imports()
    report["validation"] = bench_validation(args.validations)
    if not args.skip_processing:
        report["processing"] = bench_processing(args.processing, args.emulator_port, args.postgres_port)
    report["goals"] = {
        "validations_per_second_per_core>=20000": report["validation"]["validations_per_second_per_core"] >= 20_000,
        "validation_cold_import_ms<=30": report["imports"]["payment_validation"]["cold_import_ms_median"] <= 30,
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
