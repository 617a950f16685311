"""Fixtures for playbook tests: a dedicated emulator per test module and an ansible-playbook runner."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from emulator_support import ROOT, running_emulator  # noqa: E402


class Playbook:
    def __init__(self, emulator):
        self.emulator = emulator
        self.env = dict(os.environ)
        self.env.update(emulator.aws_env())
        self.env["PAYMENTS_EMULATOR_DIR"] = str(emulator.state_dir)
        self.env["ANSIBLE_CONFIG"] = str(ROOT / "ansible.cfg")
        self.env["ANSIBLE_NOCOLOR"] = "1"
        self.env.pop("ANSIBLE_STDOUT_CALLBACK", None)

    def command(self, *args, playbook="playbooks/site.yml", inventory="inventories/local"):
        return [str(Path(sys.executable).parent / "ansible-playbook"), playbook, "-i", inventory, *args]

    def run(self, *args, **kwargs):
        return subprocess.run(
            self.command(*args, **kwargs), cwd=ROOT, env=self.env, capture_output=True, text=True, check=False
        )

    def popen(self, *args, log_path, **kwargs):
        log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 (closed by the caller through the process)
        return subprocess.Popen(self.command(*args, **kwargs), cwd=ROOT, env=self.env, stdout=log, stderr=log)


@pytest.fixture(scope="module")
def stack_emulator(tmp_path_factory):
    with running_emulator(tmp_path_factory.mktemp("stack-emulator")) as emu:
        yield emu


@pytest.fixture
def playbook(stack_emulator):
    stack_emulator.reset()
    return Playbook(stack_emulator)
