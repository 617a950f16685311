#!/usr/bin/env python3
"""A throwaway PostgreSQL cluster on 127.0.0.1 with TLS, for tests and local experiments.

    scripts/pg_cluster.py start [--dir DIR]   init + start, print connection JSON (stays running)
    scripts/pg_cluster.py stop --dir DIR      stop (by the cluster's own postmaster.pid) and delete

Needs the PostgreSQL server binaries (Debian: `apt-get install postgresql`, which also brings
`initdb`/`pg_ctl` under /usr/lib/postgresql/<version>/bin and creates the `postgres` OS user).
PostgreSQL refuses to run as root: when we are root the cluster runs as the `postgres` user
(through `runuser -u postgres --`), or as `payments-pg` (created with useradd) if `postgres` is
missing. The harness writes a self-signed CA and a server certificate for 127.0.0.1/localhost
(Python `cryptography`), turns ssl on and lets clients in over TLS only (pg_hba: hostssl
scram-sha-256, host ... reject), so every test connection and every ALTER USER runs over TLS.
Durability is off (fsync, synchronous_commit, full_page_writes) to keep tests fast.
"""

import argparse
import datetime
import glob
import ipaddress
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

FALLBACK_USER = "payments-pg"


def find_bindir():
    """Directory holding initdb and pg_ctl, or None."""
    candidates = []
    env_dir = os.environ.get("PG_BINDIR")
    if env_dir:
        candidates.append(env_dir)
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True)
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(str(Path(initdb).resolve().parent))
    for candidate in candidates:
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return candidate
    return None


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_user():
    """(name, uid, gid) of the OS user that runs the cluster; None when we are not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", FALLBACK_USER):
        try:
            entry = pwd.getpwnam(name)
            return name, entry.pw_uid, entry.pw_gid
        except KeyError:
            continue
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", FALLBACK_USER], check=True
    )
    entry = pwd.getpwnam(FALLBACK_USER)
    return FALLBACK_USER, entry.pw_uid, entry.pw_gid


def write_certificates(directory):
    """A CA and a server certificate for 127.0.0.1 / localhost. Returns (ca, cert, key) paths."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "payments test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    directory = Path(directory)
    ca_path, cert_path, key_path = directory / "ca.crt", directory / "server.crt", directory / "server.key"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    return ca_path, cert_path, key_path


class PgCluster:
    def __init__(self, base_dir=None, port=None, bindir=None):
        self.bindir = bindir or find_bindir()
        if self.bindir is None:
            raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql")
        self.base = Path(base_dir or tempfile.mkdtemp(prefix="payments-pg-"))
        self.data = self.base / "data"
        self.port = port or _free_port()
        self.user = _run_user()
        self.superuser = "postgres"
        self.password = secrets.token_urlsafe(24)
        self.ca_file = str(self.base / "ca.crt")

    def _cmd(self, *args):
        command = [str(Path(self.bindir) / args[0]), *args[1:]]
        if self.user:
            command = ["runuser", "-u", self.user[0], "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True)

    def _chown(self, path):
        if self.user:
            os.chown(path, self.user[1], self.user[2])

    def start(self):
        self.base.mkdir(parents=True, exist_ok=True)
        self.base.chmod(0o755)
        self._chown(self.base)
        pwfile = self.base / "pwfile"
        pwfile.write_text(self.password + "\n")
        self._chown(pwfile)
        self._cmd(
            "initdb", "-D", str(self.data), "-U", self.superuser, "--pwfile", str(pwfile),
            "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        pwfile.unlink()
        ca, cert, key = write_certificates(self.data)
        shutil.copyfile(ca, self.ca_file)
        for path in (cert, key):
            self._chown(path)
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(
                f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\nunix_socket_directories = '{self.base}'\n"
                "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n"
                "password_encryption = 'scram-sha-256'\nfsync = off\nsynchronous_commit = off\n"
                "full_page_writes = off\nmax_connections = 60\nshared_buffers = 32MB\n"
            )
        (self.data / "pg_hba.conf").write_text(
            "# TLS only: every client connection is encrypted\n"
            "hostssl all all 127.0.0.1/32 scram-sha-256\n"
            "hostnossl all all 127.0.0.1/32 reject\n"
            "local all all scram-sha-256\n"
        )
        self._chown(self.data / "pg_hba.conf")
        self._cmd("pg_ctl", "-D", str(self.data), "-l", str(self.base / "server.log"), "-w", "-t", "60", "start")
        return self

    def stop(self):
        if (self.data / "postmaster.pid").exists():
            self._cmd("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.base, ignore_errors=True)

    def admin_secret(self, dbname="postgres"):
        return {
            "engine": "postgres",
            "host": "127.0.0.1",
            "port": self.port,
            "dbname": dbname,
            "username": self.superuser,
            "password": self.password,
        }

    def info(self):
        return dict(self.admin_secret(), base_dir=str(self.base), ca_file=self.ca_file)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--dir")
    args = parser.parse_args(argv)
    if args.action == "start":
        cluster = PgCluster(args.dir).start()
        print(json.dumps(cluster.info()))
    else:
        if not args.dir:
            parser.error("stop needs --dir")
        cluster = PgCluster.__new__(PgCluster)
        cluster.bindir, cluster.base = find_bindir(), Path(args.dir)
        cluster.data, cluster.user = cluster.base / "data", _run_user()
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
