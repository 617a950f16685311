"""Shared pytest fixtures: a throwaway AWS emulator (moto_server via scripts/emulator) on 127.0.0.1.

Every test session that asks for `emulator` gets its own moto_server on a free port, with its own
state directory, started through the project's launcher (so the same patches and request log
apply) and stopped by PID at the end.
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from emulator_support import running_emulator  # noqa: E402


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    with running_emulator(tmp_path_factory.mktemp("emulator")) as emu:
        yield emu


@pytest.fixture
def aws_env(emulator, monkeypatch):
    """Point boto3 in this process at the session emulator, with an empty account."""
    emulator.reset()
    for key, value in emulator.aws_env().items():
        monkeypatch.setenv(key, value)
    return emulator


def pytest_terminal_summary(terminalreporter):
    """Print every figure line the tests recorded (record_property("figure", "faults: ...")), one per line.

    The figures travel in each report's user_properties, so they reach this summary from xdist workers too.
    """
    lines = []
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, "when", None) != "call":
                continue
            lines.extend(value for name, value in getattr(report, "user_properties", ()) if name == "figure")
    if lines:
        terminalreporter.section("figures")
        for line in sorted(set(lines)):
            terminalreporter.write_line(line)
