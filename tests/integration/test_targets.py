"""Run every integration target (tests/integration/targets/NAME) against the session emulator.

Each target runs as `ansible-playbook tests/integration/run_target.yml -e target=NAME` from the repository
root, so ansible.cfg resolves payments.infra from this checkout. Only AWS_ENDPOINT_URL is passed on: region
and credentials are removed from the environment, so the targets pass only if the module_defaults group
group/payments.infra.aws of run_target.yml reaches every module they use (amazon.aws, community.aws, ours).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TARGETS = sorted(path.name for path in (ROOT / "tests" / "integration" / "targets").iterdir() if path.is_dir())
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"
# Settings module_defaults must supply; any of them in the environment could hide a missing default.
AWS_SETTINGS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_ACCESS_KEY",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SECRET_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_URL",
)
TIMEOUT = 900


def test_targets_found():
    assert "vpc_flow_logs" in TARGETS
    assert "account_limits_info" in TARGETS


@pytest.mark.emulator
@pytest.mark.slow
@pytest.mark.parametrize("target", TARGETS)
def test_target(emulator, target):
    env = {key: value for key, value in os.environ.items() if key not in AWS_SETTINGS}
    env.update(AWS_ENDPOINT_URL=emulator.endpoint, ANSIBLE_FORCE_COLOR="false", ANSIBLE_NOCOLOR="true")
    env.pop("ANSIBLE_CONFIG", None)
    proc = subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "tests/integration/run_target.yml", "-e", f"target={target}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    if proc.returncode != 0:
        pytest.fail(
            f"target {target}: ansible-playbook exited {proc.returncode}\n"
            f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}",
            pytrace=False,
        )
