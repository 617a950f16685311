"""The build: one zip per function, byte-identical when the sources have not changed."""

import json
import subprocess
import sys
import zipfile

import build_lambdas
import pytest
from lambda_support import LAMBDAS, ROOT


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    """Two complete builds, each installing the dependencies into its own staging directory."""
    first = build_lambdas.build(tmp_path_factory.mktemp("build1"))
    out = tmp_path_factory.mktemp("build2")
    cmd = [sys.executable, str(ROOT / "scripts" / "build_lambdas.py"), "--out", str(out)]
    second = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    return first, second


def test_builds_are_byte_identical(two_builds):
    first, second = two_builds
    assert set(first["functions"]) == set(build_lambdas.FUNCTIONS)
    for name, built in first["functions"].items():
        assert built["sha256"] == second["functions"][name]["sha256"], name
        assert built["sha256"] == build_lambdas.code_sha256(built["path"])


def test_zip_layout_and_normalisation(two_builds):
    functions = two_builds[0]["functions"]
    for name, built in functions.items():
        with zipfile.ZipFile(built["path"]) as archive:
            infos = archive.infolist()
            names = [i.filename for i in infos]
            assert names == sorted(names)
            assert "handler.py" in names and "payments_common/validation.py" in names
            assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".so"))]
            for info in infos:
                assert info.date_time == (1980, 1, 1, 0, 0, 0)
                mode = info.external_attr >> 16
                assert mode in (0o100644, 0o40755), (info.filename, oct(mode))
            has_pg = any(n.startswith("pg8000/") for n in names)
            assert has_pg == build_lambdas.FUNCTIONS[name]
            assert archive.read("handler.py") == (LAMBDAS / name / "handler.py").read_bytes()


def test_handlers_import_from_the_zips(two_builds, tmp_path):
    for name, built in two_builds[0]["functions"].items():
        target = tmp_path / name
        zipfile.ZipFile(built["path"]).extractall(target)
        code = "import handler; assert callable(handler.handler)"
        if build_lambdas.FUNCTIONS[name]:
            code += "; import pg8000.native, scramp"
        subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(target)!r}); {code}"],
                       check=True, cwd=target)  # fmt: skip
