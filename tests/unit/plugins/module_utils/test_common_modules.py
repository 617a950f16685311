"""payments.infra identity constants and the PaymentsAWSModule base class."""

from pathlib import Path

import yaml
from ansible_collections.amazon.aws.plugins.module_utils import common as amazon_common
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.payments.infra.plugins.module_utils import common
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule

ROOT = Path(__file__).resolve().parents[4]


def test_constants_match_galaxy_yml():
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text())
    assert common.PAYMENTS_INFRA_COLLECTION_NAME == f"{galaxy['namespace']}.{galaxy['name']}"
    assert common.PAYMENTS_INFRA_COLLECTION_VERSION == galaxy["version"]


def test_base_class_sets_collection_info(monkeypatch):
    from ansible.module_utils.testing import patch_module_args

    monkeypatch.setattr(amazon_common, "_collection_info_context", dict(amazon_common._collection_info_context))
    with patch_module_args({}):
        module = PaymentsAWSModule(argument_spec={}, supports_check_mode=True)
    assert isinstance(module, AnsibleAWSModule)
    assert amazon_common.get_collection_info() == {"name": "payments.infra", "version": "0.1.0"}
