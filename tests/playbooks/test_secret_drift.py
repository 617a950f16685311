"""Drift of the stack's secrets on a converged account: --check reports exactly that with no write, a rerun corrects
exactly that, and the rerun after it changes nothing.

The secrets tier reads the stack's secrets once for the play (payments.infra.secretsmanager_secrets_info: the database
secret, with digests of its host and port, and the card-fingerprint secret; never a value) and shares the read with the
aurora and lambda tiers (secrets_secrets_found). Each of the four payments.infra.secretsmanager_secret tasks runs only
when the secretsmanager_secret_differences filter, the module's own comparison, finds a difference: the database
secret (description, key, tags), its host and port (aurora), the card-fingerprint secret (description, key, tags) and
the database secret's rotation (lambda). This test is the witness that the read and the filter still see a change
made by hand, and that no secret value reaches the output. The drift is made with boto3; what the runs send is read
from the emulator's request log.
"""

import json

import boto3
import pytest
from test_tag_drift import RECAP, writes

pytestmark = [pytest.mark.slow, pytest.mark.emulator]

ENV = "local"
TIERS = ("--tags", "secrets,aurora,lambda")
DB_SECRET = f"db-credentials-{ENV}"
KEY_SECRET = f"payment-card-fingerprint-key-{ENV}"


def run(playbook, *args):
    """(changed count of the play recap, requests by operation, output) of one site.yml run."""
    mark = playbook.emulator.mark()
    result = playbook.run(*args)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]
    recap = RECAP.search(result.stdout)
    assert recap, result.stdout[-3000:]
    by_operation = json.loads(playbook.emulator.run("requests", "--json", "--since", str(mark)))["by_operation"]
    return int(recap.group(2)), by_operation, output


def assert_no_secret_in(output, sm):
    value = json.loads(sm.get_secret_value(SecretId=DB_SECRET)["SecretString"])
    key = json.loads(sm.get_secret_value(SecretId=KEY_SECRET)["SecretString"])
    for secret in (value["password"], key["key"]):
        assert len(secret) >= 16 and secret not in output


def test_secret_drift_is_corrected(playbook, monkeypatch, record_property):
    for key, value in playbook.emulator.aws_env().items():
        monkeypatch.setenv(key, value)
    run(playbook)

    changed, noop, output = run(playbook, *TIERS)
    assert changed == 0 and not writes(noop), writes(noop)
    # One read of both secrets for the three tiers: a DescribeSecret each, one GetSecretValue (the host and port
    # digests for the aurora tier).
    assert noop.get("secretsmanager:DescribeSecret") == 2, noop
    assert noop.get("secretsmanager:GetSecretValue") == 1, noop
    sm = boto3.client("secretsmanager", region_name="us-east-1")
    assert_no_secret_in(output, sm)

    db = sm.describe_secret(SecretId=DB_SECRET)
    fingerprint = sm.describe_secret(SecretId=KEY_SECRET)
    db_value = json.loads(sm.get_secret_value(SecretId=DB_SECRET)["SecretString"])
    days = db["RotationRules"]["AutomaticallyAfterDays"]
    assert db["RotationEnabled"] and db_value["host"]
    # Drift 1 (secrets tier): a tag taken off the database secret.
    sm.untag_resource(SecretId=DB_SECRET, TagKeys=["Component"])
    # Drift 2 (aurora tier): the database secret's host changed by hand (the password kept).
    sm.put_secret_value(SecretId=DB_SECRET, SecretString=json.dumps(dict(db_value, host="elsewhere.example")))
    # Drift 3 (lambda tier): the card-fingerprint secret's description.
    sm.update_secret(SecretId=KEY_SECRET, Description="changed by hand")
    # Drift 4 (lambda tier): the rotation schedule of the database secret.
    sm.rotate_secret(
        SecretId=DB_SECRET,
        RotationLambdaARN=db["RotationLambdaARN"],
        RotationRules={"AutomaticallyAfterDays": days + 1},
        RotateImmediately=False,
    )

    changed, check, output = run(playbook, *TIERS, "--check", "--diff")
    assert changed == 4, check
    assert not writes(check), writes(check)
    assert_no_secret_in(output, sm)

    changed, fixed, output = run(playbook, *TIERS)
    assert changed == 4
    corrections = writes(fixed)
    # The tag, the host, the description and the schedule set again: nothing else.
    assert corrections == {
        "secretsmanager:TagResource": 1,
        "secretsmanager:PutSecretValue": 1,
        "secretsmanager:UpdateSecret": 1,
        "secretsmanager:RotateSecret": 1,
    }, corrections
    assert_no_secret_in(output, sm)
    fixed_db = sm.describe_secret(SecretId=DB_SECRET)
    assert {t["Key"]: t["Value"] for t in fixed_db["Tags"]} == {t["Key"]: t["Value"] for t in db["Tags"]}
    assert fixed_db["RotationRules"]["AutomaticallyAfterDays"] == days
    fixed_value = json.loads(sm.get_secret_value(SecretId=DB_SECRET)["SecretString"])
    assert fixed_value == db_value  # the host back, the password kept
    assert sm.describe_secret(SecretId=KEY_SECRET)["Description"] == fingerprint["Description"]

    changed, again, output = run(playbook, *TIERS)
    assert changed == 0 and not writes(again), writes(again)

    record_property(
        "figure",
        f"secret drift: no-op --tags secrets,aurora,lambda {sum(noop.values())} requests "
        f"(secretsmanager {sum(v for k, v in noop.items() if k.startswith('secretsmanager:'))}: DescribeSecret 2, "
        f"GetSecretValue 1); drift of the db secret's tag and host, the fingerprint secret's description and the "
        f"rotation days: --check changed=4 with 0 writes, rerun changed=4 with {sum(corrections.values())} writes "
        f"({', '.join(sorted(corrections))}), next rerun changed=0",
    )
