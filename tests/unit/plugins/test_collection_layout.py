"""The import layout unit tests rely on: our collection and amazon.aws share the ansible_collections package."""

from pathlib import Path

import ansible_collections

ROOT = Path(__file__).resolve().parents[3]


def test_payments_infra_resolves_to_this_checkout():
    from ansible_collections.payments.infra.plugins.module_utils import common

    assert Path(common.__file__).resolve() == ROOT / "plugins" / "module_utils" / "common.py"


def test_amazon_aws_still_importable_from_the_venv():
    from ansible_collections.amazon.aws.plugins.module_utils import modules

    assert "site-packages" in Path(modules.__file__).resolve().parts


def test_ansible_collections_is_one_namespace_package_over_both_directories():
    paths = [Path(path).resolve() for path in ansible_collections.__path__]
    assert ROOT / "collections" / "ansible_collections" in paths
    assert any("site-packages" in path.parts for path in paths)
