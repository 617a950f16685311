#!/usr/bin/env python3
"""Build one deterministic zip per Lambda function in files/lambdas.

    scripts/build_lambdas.py [--out build/lambdas] [--deps-cache DIR] [--function NAME ...]

Each zip holds the function's handler.py at its root, the shared payments_common package (bundled,
never copied in the source tree) and, for the functions that talk to PostgreSQL, the pure-Python
dependencies pinned in requirements-lambda.txt (installed with pip into a staging directory for
Python 3.12, wheels only, no dependency resolution beyond the pinned closure).

The bytes depend only on the sources: entries sorted, timestamps 1980-01-01 00:00, permissions
0644 (0755 for directories), no __pycache__/*.pyc, fixed compression level, no extra fields.
amazon.aws.lambda compares CodeSha256, so an unchanged build never redeploys.

Prints a JSON manifest: {"functions": {name: {"path", "sha256" (base64, as Lambda's CodeSha256),
"size", "handler"}}} and writes it to <out>/manifest.json.
"""

import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "files" / "lambdas"
REQUIREMENTS = ROOT / "requirements-lambda.txt"
SHARED = "payments_common"
# function -> does it need the third-party dependencies (pg8000 & co)?
FUNCTIONS = {
    "payment_validation": False,
    "fraud_detection": False,
    "transaction_processing": True,
    "secrets_rotation": True,
}
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
SKIP_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
SKIP_SUFFIXES = (".pyc", ".pyo")
NATIVE_SUFFIXES = (".so", ".pyd", ".dylib")


def _files(base, prefix=""):
    """(archive name, path) of every file under base, skipping caches."""
    found = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in filenames:
            if name.endswith(SKIP_SUFFIXES):
                continue
            path = Path(dirpath) / name
            found.append((prefix + path.relative_to(base).as_posix(), path))
    return found


def install_dependencies(target, cache_dir=None):
    """pip-install the pinned pure-Python closure for CPython 3.12 into target."""
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
        "--no-deps", "--only-binary=:all:", "--python-version", "3.12", "--implementation", "py",
        "--target", str(target), "-r", str(REQUIREMENTS),
    ]  # fmt: skip
    if cache_dir:
        command += ["--cache-dir", str(cache_dir)]
    subprocess.run(command, check=True)
    shutil.rmtree(Path(target) / "bin", ignore_errors=True)
    native = [str(p) for p in Path(target).rglob("*") if p.suffix in NATIVE_SUFFIXES]
    if native:
        raise SystemExit(f"native code in the Lambda dependencies (must be pure Python): {native}")


def _entry(name, is_dir=False):
    info = zipfile.ZipInfo(name + ("/" if is_dir else ""), date_time=FIXED_TIME)
    info.create_system = 3  # unix, so external_attr carries the permissions
    info.external_attr = ((0o40755 if is_dir else 0o100644) << 16) | (0x10 if is_dir else 0)
    info.compress_type = zipfile.ZIP_STORED if is_dir else zipfile.ZIP_DEFLATED
    return info


def write_zip(path, members):
    """members: {archive name: file path}. Directory entries are added for every parent."""
    dirs = set()
    for name in members:
        parts = name.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            dirs.add("/".join(parts[:i]))
    entries = sorted(
        [(d, None) for d in dirs] + list(members.items()), key=lambda e: e[0] + ("/" if e[1] is None else "")
    )
    with zipfile.ZipFile(path, "w") as archive:
        for name, source in entries:
            if source is None:
                archive.writestr(_entry(name, is_dir=True), b"")
            else:
                archive.writestr(_entry(name), Path(source).read_bytes(), compresslevel=9)


def code_sha256(path):
    return base64.b64encode(hashlib.sha256(Path(path).read_bytes()).digest()).decode()


def build(out_dir, functions=None, deps_cache=None, pip_cache=None):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    functions = functions or sorted(FUNCTIONS)
    deps = {}
    with tempfile.TemporaryDirectory(prefix="payments-lambda-deps-") as staging:
        if any(FUNCTIONS[f] for f in functions):
            deps_dir = Path(deps_cache) if deps_cache else Path(staging)
            stamp = deps_dir / ".requirements.sha256"
            wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
            if not (stamp.exists() and stamp.read_text() == wanted):
                shutil.rmtree(deps_dir, ignore_errors=True)
                deps_dir.mkdir(parents=True)
                install_dependencies(deps_dir, pip_cache)
                stamp.write_text(wanted)
            deps = {name: path for name, path in _files(deps_dir) if not name.startswith(".")}
        shared = dict(_files(SOURCE / SHARED, SHARED + "/"))
        manifest = {}
        for function in functions:
            if function not in FUNCTIONS:
                raise SystemExit(f"unknown function {function}; known: {', '.join(sorted(FUNCTIONS))}")
            members = dict(_files(SOURCE / function))
            clash = set(members) & set(shared)
            if clash:
                raise SystemExit(f"{function} shadows shared files: {sorted(clash)}")
            members.update(shared)
            if FUNCTIONS[function]:
                members.update(deps)
            path = out_dir / f"{function}.zip"
            write_zip(path, members)
            manifest[function] = {
                "path": str(path),
                "sha256": code_sha256(path),
                "size": path.stat().st_size,
                "handler": "handler.handler",
                "runtime": "python3.12",
            }
    result = {"functions": manifest}
    (out_dir / "manifest.json").write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(ROOT / "build" / "lambdas"))
    parser.add_argument("--function", action="append", dest="functions", help="build only this function")
    parser.add_argument("--deps-cache", help="reuse installed dependencies from this directory")
    parser.add_argument("--pip-cache", help="pip's --cache-dir")
    args = parser.parse_args(argv)
    print(json.dumps(build(args.out, args.functions, args.deps_cache, args.pip_cache), indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
