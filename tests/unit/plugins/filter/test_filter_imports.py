"""Every filter file of payments.infra must load without botocore or boto3.

For a collection filter (payments.infra.X), ansible-core's Jinja2Loader imports EVERY file of plugins/filter, in every
task worker that uses one of them: a filter file importing a boto-based module_utils (directly or through another
module_utils) makes each such task pay the botocore/boto3 import (~100 ms). The comparison code the filters share with
the modules lives in boto-free module_utils (*_compare.py, tag_compare.py, ...).

The check runs in a fresh interpreter (this pytest process has botocore loaded already), loads one of our filters
through ansible's filter loader and collection loader as a worker does, imports any filter file the loader did not
(so every file is covered whatever ansible-core does), and reports which of our files pulled botocore/boto3 in.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
FILTER_DIR = ROOT / "plugins" / "filter"

CHILD = r"""
import importlib
import json
import sys
import traceback

root, first = sys.argv[1], sys.argv[2]
blame = {}


class Watch:
    # Records, for the first import of botocore / boto3, the files of this collection on the import stack.
    def find_spec(self, name, path=None, target=None):
        if name in ("botocore", "boto3") and name not in blame:
            blame[name] = [
                f"{frame.filename}:{frame.lineno}"
                for frame in traceback.extract_stack()
                if "/ansible_collections/payments/infra/plugins/" in frame.filename
                or frame.filename.startswith(root + "/plugins/")
            ]
        return None


from ansible.plugins.loader import filter_loader, init_plugin_loader  # noqa: E402

init_plugin_loader([root + "/collections"])
already = sorted(name for name in ("botocore", "boto3") if name in sys.modules)
sys.meta_path.insert(0, Watch())
found = filter_loader.get_with_context("payments.infra." + first).object is not None
prefix = "ansible_collections.payments.infra.plugins.filter."
by_loader = sorted(name[len(prefix):] for name in sys.modules if name.startswith(prefix))
for stem in sys.argv[3:]:
    importlib.import_module(prefix + stem)
print(json.dumps({
    "already": already,
    "found": found,
    "by_loader": by_loader,
    "loaded": sorted(name for name in ("botocore", "boto3") if name in sys.modules),
    "blame": blame,
}))
"""


def test_loading_every_filter_imports_no_botocore_nor_boto3(record_property):
    stems = sorted(path.stem for path in FILTER_DIR.glob("*.py") if path.stem != "__init__")
    assert "rds_differences" in stems
    completed = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT), "rds_differences", *stems],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    # The check means something only if ansible itself has not imported them before our filters load.
    assert result["already"] == []
    assert result["found"], "payments.infra.rds_differences was not found by the filter loader"
    record_property(
        "figure",
        f"filter imports: {len(stems)} filter files ({len(result['by_loader'])} imported by the filter loader), "
        f"botocore/boto3 loaded: {result['loaded'] or 'none'}",
    )
    assert result["loaded"] == [], (
        "loading the payments.infra filters imported "
        + ", ".join(result["loaded"])
        + "; first import of each from:\n"
        + "\n".join(f"{name}: {' -> '.join(stack)}" for name, stack in result["blame"].items())
    )
