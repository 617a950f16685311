"""Tag decisions shared by our modules."""

import pytest
from ansible_collections.payments.infra.plugins.module_utils.tagging import merge_tags, tag_changes


@pytest.mark.parametrize("purge_tags", [True, False])
def test_unset_tags_change_nothing(purge_tags):
    assert tag_changes({"a": "1"}, None, purge_tags) == ({}, [])


def test_equal_tags_change_nothing():
    assert tag_changes({"a": "1", "b": "2"}, {"b": "2", "a": "1"}) == ({}, [])


def test_purge_removes_keys_left_out_and_sets_changed_values():
    assert tag_changes({"a": "1", "b": "2", "c": "3"}, {"a": "9", "d": "4"}) == ({"a": "9", "d": "4"}, ["b", "c"])


def test_without_purge_only_sets():
    assert tag_changes({"a": "1", "b": "2"}, {"a": "9"}, purge_tags=False) == ({"a": "9"}, [])


def test_empty_dict_with_purge_removes_everything_but_aws_tags():
    assert tag_changes({"a": "1", "aws:cloudformation:stack-name": "s"}, {}) == ({}, ["a"])


def test_values_compare_and_set_as_text():
    assert tag_changes({"n": "1"}, {"n": 1}) == ({}, [])
    assert tag_changes({}, {"n": 2, "flag": True}) == ({"n": "2", "flag": "True"}, [])


def test_missing_current_is_empty():
    assert tag_changes(None, {"a": "1"}) == ({"a": "1"}, [])


def test_merge_tags_predicts_the_result():
    current = {"a": "1", "b": "2"}
    assert merge_tags(current, {"a": "9", "c": "3"}, ["b"]) == {"a": "9", "c": "3"}
    assert current == {"a": "1", "b": "2"}
    assert merge_tags(None, {"n": 5}, []) == {"n": "5"}


def test_results_are_sorted_whatever_the_hash_order():
    to_set, to_unset = tag_changes({"z": "1", "y": "1"}, {"b": "1", "a": "1", "C": "1"})
    assert list(to_set) == ["C", "a", "b"]
    assert to_unset == ["y", "z"]
