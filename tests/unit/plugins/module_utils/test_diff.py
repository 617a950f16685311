"""diff mode helper."""

from ansible_collections.payments.infra.plugins.module_utils.diff import build_diff


def test_missing_resources_show_as_empty_dicts():
    assert build_diff(None, {"a": 1}) == {"before": {}, "after": {"a": 1}}
    assert build_diff({"a": 1}, None) == {"before": {"a": 1}, "after": {}}


def test_diff_is_a_copy():
    before = {"tags": {"a": "1"}}
    diff = build_diff(before, before)
    diff["after"]["tags"]["a"] = "2"
    assert before == {"tags": {"a": "1"}}
    assert diff["before"] == {"tags": {"a": "1"}}
