"""payments.infra.iam_role_differences: the filter face of module_utils/iam.role_differences (tested with the
amazon.aws modules themselves in tests/unit/plugins/module_utils/test_iam.py; through Ansible's templating in the
iam_role_details_info integration target and the roles)."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.payments.infra.plugins.filter.iam_role_differences import FilterModule, iam_role_differences

CURRENT = {
    "role_name": "r",
    "description": "d",
    "assume_role_policy_document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "a:b"}]},
    "inline_policies": {"p": {"Version": "2012-10-17", "Statement": []}},
    "managed_policies": [],
    "instance_profile_names": [],
    "tags": {"Name": "r"},
}
DESIRED = {
    "name": "r",
    "description": "d",
    "assume_role_policy_document": {"Version": "2012-10-17", "Statement": {"Action": ["a:b"], "Effect": "Allow"}},
    "create_instance_profile": False,
    "managed_policies": [],
    "tags": {"Name": "r"},
    "inline_policies": {"p": '{"Version": "2012-10-17", "Statement": []}'},
}


def test_registered():
    assert FilterModule().filters() == {"iam_role_differences": iam_role_differences}


def test_equal_missing_and_different():
    assert iam_role_differences(CURRENT, DESIRED) == []
    assert iam_role_differences(None, DESIRED) == ["missing"]
    assert iam_role_differences(CURRENT, {**DESIRED, "description": "e", "tags": {}}) == ["description", "tags"]


@pytest.mark.parametrize("current, desired", [("text", DESIRED), (CURRENT, ["not", "a", "dict"])])
def test_wrong_types_are_filter_errors(current, desired):
    with pytest.raises(AnsibleFilterError, match="iam_role_differences"):
        iam_role_differences(current, desired)


def test_a_desired_document_that_is_not_json_is_a_filter_error():
    with pytest.raises(AnsibleFilterError, match="iam_role_differences"):
        iam_role_differences(CURRENT, {**DESIRED, "inline_policies": {"p": "{not json"}})
