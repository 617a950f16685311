"""Secret hygiene and policy lint of a converged stack (one converge per module, at -vvvv).

1. test_policy_lint_of_the_converged_stack: tests/policy_lint.py over every policy document of the environment
   (IAM trust/inline/managed, KMS key, bucket, topic, queue, function, secret policies): 0 findings, through the
   library and the CLI.
2. test_no_secret_value_in_any_output_or_file: a rotation of the database secret (the rotation function's code,
   in-process, against a throwaway PostgreSQL standing in for Aurora: a full rotation, then a second one left at
   createSecret so that an AWSPENDING password exists; createSecret only when the PostgreSQL binaries are
   absent), then report.yml, a shift_traffic.yml release (bake 1 s) and teardown.yml (--check, then for real),
   all at -vvvv. Every byte they printed, every file of the repository (excluding .git, .venv and collections/,
   including build/ and the members of every zip/tar archive there) and every file of the test's temporary
   directories (Ansible's local and remote temp, the run logs, the emulator's state directory) is scanned for
   every secret value: the generated database password, the card-fingerprint HMAC key and the rotation
   passwords; as they are, JSON-escaped, hex, base64 (each alignment, standard and URL-safe), and every
   8-character window. 0 hits.
"""

import base64
import contextlib
import gzip
import json
import os
import subprocess
import sys
import tarfile
import time
import uuid
import zipfile
from pathlib import Path

import boto3
import pytest
from conftest import Playbook
from emulator_support import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.emulator]

ENV = "local"
DB_SECRET = f"db-credentials-{ENV}"
FINGERPRINT_SECRET = f"payment-card-fingerprint-key-{ENV}"
ROTATION_FUNCTION = f"payment-secrets-rotation-{ENV}"
WINDOW = 8
EXCLUDED_TOP = {".git", ".venv", "collections"}
GATE_ALARMS = [
    f"payment-{ENV}-alb-green-target-5xx",
    f"payment-{ENV}-alb-green-unhealthy-hosts",
    f"payment-{ENV}-api-p99-latency",
]

sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "e2e"))


class Runs:
    """ansible-playbook runs whose output (bytes) is kept, with Ansible's temp directories under `work`."""

    def __init__(self, emulator, work):
        self.emulator = emulator
        self.work = Path(work)
        self.playbook = Playbook(emulator)
        self.env = dict(self.playbook.env)
        for name in ("ANSIBLE_LOCAL_TEMP", "ANSIBLE_REMOTE_TEMP"):
            path = self.work / name.lower()
            path.mkdir(parents=True, exist_ok=True)
            self.env[name] = str(path)
        self.outputs = {}

    def run(self, label, *args, playbook="playbooks/site.yml"):
        command = self.playbook.command("-vvvv", *args, playbook=playbook)
        result = subprocess.run(command, cwd=ROOT, env=self.env, capture_output=True, check=False)
        output = result.stdout + result.stderr
        self.outputs[label] = output
        (self.work / "runs").mkdir(exist_ok=True)
        (self.work / "runs" / f"{label}.log").write_bytes(output)
        assert result.returncode == 0, f"{label}: " + output[-5000:].decode("utf-8", "replace")
        assert b"<localhost> EXEC" in output, f"{label} did not run at -vvvv"
        return output

    def client(self, service):
        return boto3.client(service, region_name="us-east-1", **_credentials(self.emulator))


def _credentials(emulator):
    return {"endpoint_url": emulator.endpoint, "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="module")
def stack(stack_emulator, tmp_path_factory):
    stack_emulator.reset()
    runs = Runs(stack_emulator, tmp_path_factory.mktemp("hygiene"))
    runs.run("converge")
    return runs


# -- 1. policy lint ------------------------------------------------------------------------------


def test_policy_lint_of_the_converged_stack(stack, record_property):
    import policy_lint

    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    report = policy_lint.lint_environment(ENV, endpoint=stack.emulator.endpoint, session=session)
    kinds = {
        kind: sum(1 for d in report.documents if d.kind == kind)
        for kind in ("trust", "inline", "key", "topic", "bucket")
    }
    # The four function roles, the flow-log role and the Enhanced Monitoring role; the five keys; both topics;
    # the audit and ALB access-log buckets.
    assert report.roles >= 6 and kinds["trust"] == report.roles, kinds
    assert kinds["inline"] >= 5 and kinds["key"] == 5 and kinds["topic"] == 2 and kinds["bucket"] == 2, kinds
    assert report.findings == [], "\n".join(str(f) for f in report.findings)

    cli = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "policy_lint.py"), "--env", ENV, "--endpoint", stack.emulator.endpoint],
        cwd=ROOT,
        env=dict(os.environ, **stack.emulator.aws_env()),
        capture_output=True,
        text=True,
        check=False,
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert cli.stdout.strip().splitlines()[-1] == report.figure()
    record_property("figure", report.figure())


# -- 2. secret hygiene ---------------------------------------------------------------------------


def needles(value):
    """Every byte string whose presence would leak `value` (or a part of it)."""
    forms = {value, json.dumps(value)[1:-1]}
    found = set()
    for form in forms:
        data = form.encode("utf-8")
        found.add(data)
        found.update(data[i : i + WINDOW] for i in range(len(data) - WINDOW + 1))
    data = value.encode("utf-8")
    found.add(data.hex().encode())
    for offset in range(3):  # base64 of the value at any alignment inside a larger encoded text
        part = data[offset:]
        part = part[: len(part) - len(part) % 3]
        found.add(base64.b64encode(part))
        found.add(base64.urlsafe_b64encode(part))
    return found


class Scanner:
    def __init__(self, secrets):
        self.needles = {name: needles(value) for name, value in secrets.items()}
        self.hits = []
        self.files = 0
        self.members = 0
        self.bytes = 0

    def scan(self, where, data):
        self.bytes += len(data)
        for name, patterns in self.needles.items():
            if any(pattern in data for pattern in patterns):
                self.hits.append(f"{where}: {name}")

    def scan_file(self, path):
        try:
            data = path.read_bytes()
        except (FileNotFoundError, IsADirectoryError, PermissionError):
            return  # gone meanwhile (another process's temporary file)
        self.files += 1
        self.scan(str(path), data)
        for member, content in _members(path, data):
            self.members += 1
            self.scan(f"{path}!{member}", content)

    def scan_tree(self, top, exclude=()):
        for dirpath, dirnames, filenames in os.walk(top):
            if Path(dirpath) == Path(top):
                dirnames[:] = [d for d in dirnames if d not in exclude]
            for filename in filenames:
                path = Path(dirpath) / filename
                if not path.is_symlink():
                    self.scan_file(path)


def _members(path, data):
    """(name, bytes) of every member of a zip, tar or gzip file (nested zips inside tars included)."""
    name = path.name
    try:
        if data[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    if not info.is_dir():
                        yield info.filename, archive.read(info)
        elif name.endswith((".tar.gz", ".tgz", ".tar")):
            with tarfile.open(path) as archive:
                for member in archive.getmembers():
                    if member.isfile():
                        yield member.name, archive.extractfile(member).read()
        elif name.endswith(".gz"):
            yield name[:-3], gzip.decompress(data)
    except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError) as exc:
        raise AssertionError(f"{path}: unreadable archive ({exc})") from exc


@contextlib.contextmanager
def _function_environment(stack, monkeypatch):
    """The rotation function's deployed environment in this process, boto3 on the emulator; restored after."""
    import flow

    for key, value in stack.emulator.aws_env().items():
        monkeypatch.setenv(key, value)
    variables = stack.client("lambda").get_function_configuration(FunctionName=ROTATION_FUNCTION)["Environment"][
        "Variables"
    ]
    saved = dict(os.environ)
    try:
        yield lambda extra=None: flow.use_environment(variables, extra)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        flow.use_environment({})


def rotate(stack, monkeypatch):
    """Rotation passwords: a full rotation (PostgreSQL) and a second one left at createSecret; returns what ran."""
    import flow
    import pg_cluster

    with _function_environment(stack, monkeypatch) as use:
        use()
        import secrets_rotation.handler as rotation_handler
        from payments_common import config, db, logs, rotation

        arn = stack.client("secretsmanager").describe_secret(SecretId=DB_SECRET)["ARN"]
        first, second = str(uuid.uuid4()), str(uuid.uuid4())
        if pg_cluster.find_bindir() is None:
            assert rotation_handler.handler(
                {"SecretId": arn, "ClientRequestToken": first, "Step": "createSecret"}, None
            )
            return "createSecret only (no PostgreSQL server binaries)"
        with flow.throwaway_database(arn) as (extra, _description):
            use(extra)
            assert rotation_handler.handler(
                {"SecretId": arn, "ClientRequestToken": first, "Step": "createSecret"}, None
            )
            # db.connect is redirected to the throwaway cluster; Rotator's default was bound at import time.
            rotator = rotation.Rotator(config.get(), logs.get_logger("secrets_rotation"), connect=db.connect)
            for step in ("setSecret", "testSecret", "finishSecret"):
                rotator.run(arn, first, step)
        assert rotation_handler.handler({"SecretId": arn, "ClientRequestToken": second, "Step": "createSecret"}, None)
        return "full rotation + createSecret"


def secret_values(stack):
    """{label: value} of every distinct secret value: each database password of any version (the generated one,
    the rotation's new and pending ones; versions that only changed the host repeat a password) and the key."""
    sm = stack.client("secretsmanager")
    labels = {}
    for version in sm.list_secret_version_ids(SecretId=DB_SECRET, IncludeDeprecated=True)["Versions"]:
        value = json.loads(sm.get_secret_value(SecretId=DB_SECRET, VersionId=version["VersionId"])["SecretString"])
        labels.setdefault(value["password"], []).extend(version.get("VersionStages") or ["no stage"])
    values = {f"{DB_SECRET} password ({'/'.join(sorted(set(stages)))})": value for value, stages in labels.items()}
    key = json.loads(sm.get_secret_value(SecretId=FINGERPRINT_SECRET)["SecretString"])["key"]
    values[f"{FINGERPRINT_SECRET} key"] = key
    return values


def prepare_release(stack):
    """Healthy targets in both target groups and every gate alarm OK (moto runs no health checks or alarms)."""
    elbv2, cloudwatch = stack.client("elbv2"), stack.client("cloudwatch")
    for colour, address in (("blue", "10.0.8.11"), ("green", "10.0.8.21")):
        group = elbv2.describe_target_groups(Names=[f"payment-{colour}-{ENV}"])["TargetGroups"][0]
        elbv2.register_targets(TargetGroupArn=group["TargetGroupArn"], Targets=[{"Id": address, "Port": 8080}])
    for name in GATE_ALARMS:
        cloudwatch.set_alarm_state(AlarmName=name, StateValue="OK", StateReason="secret hygiene test")


def test_no_secret_value_in_any_output_or_file(stack, tmp_path, capfd, monkeypatch, record_property):
    rotation_run = rotate(stack, monkeypatch)
    captured = capfd.readouterr()
    rotation_output = (captured.out + captured.err).encode("utf-8")
    assert b"rotation_step_done" in rotation_output, "the rotation logged nothing: its output would prove nothing"
    values = secret_values(stack)
    # Distinct values: the generated password, the rotation's new (and pending) ones, the fingerprint key.
    expected = 4 if rotation_run.startswith("full") else 3
    assert len(values) == expected, sorted(values)
    assert all(len(v) >= 32 for v in values.values())

    started = time.monotonic()
    stack.run("report", playbook="playbooks/report.yml")
    prepare_release(stack)
    stack.run(
        "release",
        "-e",
        json.dumps({"traffic_shift_steps": [50, 100], "traffic_shift_bake_seconds": 1}),
        playbook="playbooks/shift_traffic.yml",
    )
    stack.run(
        "teardown-check", "--check", "-e", "teardown_lift_deletion_protection=true", playbook="playbooks/teardown.yml"
    )
    stack.run("teardown", "-e", "teardown_lift_deletion_protection=true", playbook="playbooks/teardown.yml")
    runs_seconds = time.monotonic() - started

    scanner = Scanner(values)
    # The scanner itself: each value, a window of it, and its base64 inside other text are found.
    for name, value in values.items():
        for probe in (value, value[3 : 3 + WINDOW], base64.b64encode(b"x" + value.encode()).decode()):
            control = Scanner({name: value})
            control.scan("control", f"...{probe}...".encode())
            assert control.hits, (name, probe)

    for label, output in stack.outputs.items():
        scanner.scan(f"ansible-playbook {label} output", output)
    scanner.scan("rotation output", rotation_output)
    output_bytes = scanner.bytes
    scanner.scan_tree(ROOT, exclude=EXCLUDED_TOP)
    for directory in (stack.work, tmp_path, stack.emulator.state_dir):
        scanner.scan_tree(directory)
    assert scanner.files > 100 and scanner.members > 0, (scanner.files, scanner.members)
    assert scanner.hits == [], "\n".join(scanner.hits)

    figure = (
        f"hygiene: {len(values)} secret values ({rotation_run}), {len(stack.outputs)} runs at -vvvv "
        f"({output_bytes / 1e6:.1f} MB), {scanner.files} files + {scanner.members} archive members scanned, "
        f"{len(scanner.hits)} hits"
    )
    print(f"{figure} (report, release, teardown --check, teardown: {runs_seconds:.0f} s)")
    record_property("figure", figure)
