"""playbooks/teardown.yml: the protected-environment guard, an empty account, and a half-finished converge.

The full stack's teardown (check mode, real, leftovers in every service, second run changed=0) is the cleanup
step of the molecule scenario (molecule/default/cleanup.yml).
"""

import datetime
import re
import subprocess
import sys

import boto3
import pytest
from conftest import ROOT

LEFTOVERS = ROOT / "tests" / "teardown_leftovers.py"


def _recap(output):
    match = re.search(r"^localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", output, re.M)
    assert match, output
    ok, changed, unreachable, failed = map(int, match.groups())
    return {"ok": ok, "changed": changed, "unreachable": unreachable, "failed": failed}


def _leftovers(playbook, env="local"):
    result = subprocess.run(
        [sys.executable, str(LEFTOVERS), "--env", env],
        cwd=ROOT,
        env=playbook.env,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("extra_args", "named"),
    [
        ((), "teardown_confirm is not set"),
        (("-e", "teardown_confirm=dev"), 'teardown_confirm="dev" does not match'),
        (("-e", "teardown_confirm=PROD"), 'teardown_confirm="PROD" does not match'),
    ],
    ids=["no-confirmation", "other-environment", "wrong-case"],
)
def test_protected_environment_is_refused_before_any_aws_call(playbook, extra_args, named):
    mark = playbook.emulator.mark()
    result = playbook.run(*extra_args, playbook="playbooks/teardown.yml", inventory="inventories/prod")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert named in output and "prod is a protected environment" in output, output
    assert "-e teardown_confirm=prod" in output, output
    plays = output.split("PLAY [")
    assert plays[1].startswith("Validate the inputs and the confirmation"), output
    assert "PLAY [Tear down the payment stack]" not in output, "failed too late: " + output
    assert playbook.emulator.mark() == mark, "AWS requests were sent before the teardown was refused"


def test_teardown_of_an_empty_account_changes_nothing(playbook):
    result = playbook.run(playbook="playbooks/teardown.yml")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    recap = _recap(output)
    assert recap["changed"] == 0 and recap["failed"] == 0, output


def test_teardown_after_a_half_finished_converge_leaves_nothing(playbook):
    converge = playbook.run("--tags", "network,secrets", "-e", "network_nat_gateway_mode=single")
    assert converge.returncode == 0, converge.stdout + converge.stderr
    code, found = _leftovers(playbook)
    assert code == 1 and "ec2.vpcs: 1" in found and "kms.keys: 5" in found, found

    # The secrets tier's window for its keys is the teardown's default (teardown_kms_pending_window_days unset).
    started = datetime.datetime.now(datetime.UTC)
    result = playbook.run("-e", "secrets_kms_pending_window_days=9", playbook="playbooks/teardown.yml")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert _recap(output)["changed"] > 0, output
    code, found = _leftovers(playbook)
    assert code == 0, found
    assert "0 resource(s) of environment local left" in found, found
    env = playbook.env
    kms = boto3.client(
        "kms",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    keys = [kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"] for key in kms.list_keys()["Keys"]]
    pending = [key for key in keys if key["KeyState"] == "PendingDeletion"]
    assert len(pending) == 5, keys
    windows = {round((key["DeletionDate"] - started).total_seconds() / 86400) for key in pending}
    assert windows == {9}, windows
