"""The check-mode contract of site.yml: on an EMPTY account, `site.yml --check --diff` completes, and every request
it sends is a read. The emulator's request log (`scripts/emulator requests --json`, by operation) is the witness:
each operation is classified, and anything that is not a read fails the test by name.

Query/JSON-protocol services log the operation name (DescribeVpcs, ListKeys, GetCallerIdentity); REST services
(S3, Lambda, API Gateway v2) log "METHOD /path", where GET and HEAD are the reads.
"""

import json
import re
import time
from collections import Counter

import pytest
from stack_state import resource_counts

pytestmark = [pytest.mark.slow, pytest.mark.emulator]

ENV = "local"
READ_PREFIXES = ("Describe", "List", "Get", "Head", "Search", "Lookup")
REST_READ_METHODS = ("GET", "HEAD")
RECAP = re.compile(r"^localhost\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.MULTILINE)


def classify(operation):
    """("read", kind) or ("write", kind) for one logged operation ("sts:GetCallerIdentity", "s3:GET /bucket")."""
    name = operation.partition(":")[2]
    method, path = (name.split(" ", 1) + [""])[:2]
    if path.startswith("/"):
        return ("read" if method in REST_READ_METHODS else "write"), f"REST {method}"
    prefix = next((p for p in READ_PREFIXES if name.startswith(p) and name[len(p) : len(p) + 1].isupper()), None)
    if prefix:
        return "read", prefix
    return "write", name


@pytest.mark.parametrize(
    ("operation", "expected"),
    [
        ("ec2:DescribeVpcs", ("read", "Describe")),
        ("kms:ListAliases", ("read", "List")),
        ("sts:GetCallerIdentity", ("read", "Get")),
        ("s3:HEAD /payment-audit-local", ("read", "REST HEAD")),
        ("lambda:GET /2015-03-31/functions/{id}", ("read", "REST GET")),
        ("ec2:CreateVpc", ("write", "CreateVpc")),
        ("ssm:PutParameter", ("write", "PutParameter")),
        ("elasticloadbalancing:ModifyListener", ("write", "ModifyListener")),
        ("s3:PUT /payment-audit-local", ("write", "REST PUT")),
        ("lambda:POST /2015-03-31/functions", ("write", "REST POST")),
        ("apigateway:DELETE /v2/apis/{id}", ("write", "REST DELETE")),
        ("ec2:Getaway", ("write", "Getaway")),
    ],
)
def test_classify(operation, expected):
    assert classify(operation) == expected


def live_resources(emulator, monkeypatch):
    """{kind: count} of the environment's resources that exist (tests/stack_state.py), failing on a read error."""
    for key, value in emulator.aws_env().items():
        monkeypatch.setenv(key, value)
    counts = resource_counts(ENV, emulator.endpoint)
    errors = [kind for kind in counts if kind.endswith(".error")]
    assert not errors, f"stack_state could not read {errors}"
    return {kind: count for kind, count in counts.items() if count}


def test_site_check_mode_on_an_empty_account_only_reads(playbook, monkeypatch, record_property):
    assert not live_resources(playbook.emulator, monkeypatch), "the emulator is not empty"
    mark = playbook.emulator.mark()
    started = time.monotonic()
    result = playbook.run("--check", "--diff")
    seconds = time.monotonic() - started
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]
    recap = RECAP.search(result.stdout)
    assert recap, result.stdout[-3000:]
    assert recap.group(3) == "0" and recap.group(4) == "0", recap.group(0)

    by_operation = json.loads(playbook.emulator.run("requests", "--json", "--since", str(mark)))["by_operation"]
    total = sum(by_operation.values())
    assert total > 0, "site.yml --check sent no request at all: the emulator was not reached"
    kinds = Counter()
    writes = {}
    for operation, count in by_operation.items():
        verdict, kind = classify(operation)
        if verdict == "write":
            writes[operation] = count
        else:
            kinds[kind] += count
    assert not writes, f"site.yml --check sent write requests to an empty account: {writes}"

    left = live_resources(playbook.emulator, monkeypatch)
    assert not left, f"site.yml --check created resources: {left}"

    record_property(
        "figure",
        f"check-mode: site.yml --check --diff on empty in {seconds:.0f} s, {total} requests, 0 writes "
        f"({', '.join(f'{kind} {count}' for kind, count in kinds.most_common())}), 0 resources created",
    )
