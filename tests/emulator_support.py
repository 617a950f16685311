"""The emulator used by tests: a moto_server of its own, started through scripts/emulator."""

import contextlib
import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EMULATOR = ROOT / "scripts" / "emulator"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Emulator:
    def __init__(self, state_dir, port):
        self.state_dir = Path(state_dir)
        self.port = port
        self.endpoint = f"http://127.0.0.1:{port}"
        self.env = dict(os.environ, PAYMENTS_EMULATOR_DIR=str(self.state_dir))

    def run(self, *args):
        return subprocess.run(
            [sys.executable, str(EMULATOR), *args], env=self.env, check=True, capture_output=True, text=True
        ).stdout

    def start(self):
        self.run("start", "--port", str(self.port))

    def stop(self):
        self.run("stop")

    def reset(self):
        self.run("reset")

    def mark(self):
        return int(self.run("mark").strip())

    def aws_env(self):
        """Environment variables that point boto3 / Ansible at this emulator."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
        }


@contextlib.contextmanager
def running_emulator(state_dir):
    """An emulator of its own in state_dir on a free port, stopped (by its PID) on exit."""
    emu = Emulator(state_dir, free_port())
    emu.start()
    try:
        yield emu
    finally:
        emu.stop()
