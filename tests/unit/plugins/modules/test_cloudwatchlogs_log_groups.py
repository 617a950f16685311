"""payments.infra.cloudwatchlogs_log_groups, cloudwatchlogs_log_groups_info and the cloudwatchlogs_log_group_differences
filter: one read / compare / act code (plugins/module_utils/logs.py), against moto's in-process AWS (no network)."""

import importlib.util
import pathlib

import boto3
import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.payments.infra.plugins.filter.cloudwatchlogs_log_group_differences import (
    cloudwatchlogs_log_group_differences,
)
from ansible_collections.payments.infra.plugins.module_utils import logs
from ansible_collections.payments.infra.plugins.modules import cloudwatchlogs_log_groups as module
from ansible_collections.payments.infra.plugins.modules import cloudwatchlogs_log_groups_info as info_module
from aws_fakes import Recorder

REGION = "us-east-1"
KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
OTHER_KEY = "arn:aws:kms:us-east-1:123456789012:key/66666666-7777-8888-9999-000000000000"
WRITES = (
    "CreateLogGroup",
    "PutRetentionPolicy",
    "AssociateKmsKey",
    "DisassociateKmsKey",
    "TagResource",
    "UntagResource",
    "DeleteLogGroup",
)
FUNCTIONS = [f"/aws/lambda/payment-{name}-test" for name in ("a", "b", "c", "d")]
PATCHES = pathlib.Path(__file__).resolve().parents[4] / "scripts" / "emulator_patches.py"


def wanted(name, retention=30, key=KEY, tags=None):
    return {"name": name, "retention": retention, "kms_key_id": key, "tags": tags or {"Component": "lambda-logs"}}


@pytest.fixture
def aws(moto_aws, monkeypatch):
    # moto answers AssociateKmsKey with HTTP 500: the emulator's patch (scripts/emulator_patches.py) implements it.
    from moto.logs.responses import LogsResponse

    spec = importlib.util.spec_from_file_location("emulator_patches_for_logs", PATCHES)
    patches = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(patches)
    for operation in ("associate_kms_key", "disassociate_kms_key"):
        monkeypatch.setattr(LogsResponse, operation, getattr(LogsResponse, operation, None), raising=False)
    patches.patch_logs_associate_kms_key()
    client = boto3.client("logs", region_name=REGION)
    return client, Recorder(monkeypatch, client, writes=WRITES)


def run(client, items, state="present", check_mode=False, purge_tags=True):
    return module.run(client, items, purge_tags, state, check_mode)


def test_check_mode_on_nothing_reports_creations_and_writes_nothing(aws):
    client, calls = aws
    changed, results, diff = run(client, [wanted(name) for name in FUNCTIONS], check_mode=True)
    assert changed and [result["changed"] for result in results] == [True] * 4
    assert [result["log_group_name"] for result in results] == FUNCTIONS
    assert results[0]["arn"] is None and results[0]["retention_in_days"] == 30 and results[0]["kms_key_id"] == KEY
    assert diff["before"] == dict.fromkeys(FUNCTIONS) and diff["after"][FUNCTIONS[0]]["tags"] == {
        "Component": "lambda-logs"
    }
    assert calls.writes() == []
    assert client.describe_log_groups()["logGroups"] == []


def test_create_is_atomic_then_reruns_change_nothing(aws):
    client, calls = aws
    changed, results, _diff = run(client, [wanted(name) for name in FUNCTIONS])
    assert changed
    creates = [params for operation, params in calls.calls if operation == "CreateLogGroup"]
    assert creates[0] == {"logGroupName": FUNCTIONS[0], "kmsKeyId": KEY, "tags": {"Component": "lambda-logs"}}
    assert calls.writes() == sorted(["CreateLogGroup"] * 4 + ["PutRetentionPolicy"] * 4)
    found = logs.read_log_groups(client, prefixes=["/aws/lambda/payment-"])
    assert [dict(result, changed=False) for result in results] == [
        dict(found[name], changed=False) for name in FUNCTIONS
    ]
    assert [found[name]["retention_in_days"] for name in FUNCTIONS] == [30] * 4
    assert {found[name]["kms_key_id"] for name in FUNCTIONS} == {KEY}
    assert found[FUNCTIONS[0]]["arn"] == f"arn:aws:logs:{REGION}:123456789012:log-group:{FUNCTIONS[0]}"
    calls.clear()
    for check_mode in (True, False):
        changed, results, _diff = run(client, [wanted(name) for name in FUNCTIONS], check_mode=check_mode)
        assert not changed and results[2] == dict(found[FUNCTIONS[2]], changed=False)
    assert calls.writes() == []
    assert cloudwatchlogs_log_group_differences(list(found.values()), [wanted(name) for name in FUNCTIONS]) == []


def test_only_the_drift_is_corrected(aws):
    client, calls = aws
    run(client, [wanted(name) for name in FUNCTIONS])
    client.put_retention_policy(logGroupName=FUNCTIONS[0], retentionInDays=7)
    client.associate_kms_key(logGroupName=FUNCTIONS[1], kmsKeyId=OTHER_KEY)
    arn = f"arn:aws:logs:{REGION}:123456789012:log-group:{FUNCTIONS[2]}"
    client.tag_resource(resourceArn=arn, tags={"Extra": "x", "Component": "other"})
    desired = [wanted(name) for name in FUNCTIONS]
    found = info_read(client)
    differing = cloudwatchlogs_log_group_differences(found, desired)
    assert [item["name"] for item in differing] == FUNCTIONS[:3]
    calls.clear()
    for check_mode in (True, False):
        changed, results, diff = run(client, differing, check_mode=check_mode)
        assert changed and [result["changed"] for result in results] == [True] * 3
        assert diff["before"][FUNCTIONS[0]]["retention_in_days"] == 7
        assert diff["after"][FUNCTIONS[0]]["retention_in_days"] == 30
    assert calls.writes() == ["AssociateKmsKey", "PutRetentionPolicy", "TagResource", "UntagResource"]
    assert cloudwatchlogs_log_group_differences(info_read(client), desired) == []
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == {"Component": "lambda-logs"}


def test_unset_options_are_left_alone_and_purge_false_keeps_tags(aws):
    client, calls = aws
    run(client, [wanted(FUNCTIONS[0], tags={"A": "1", "B": "2"})])
    calls.clear()
    changed, results, _diff = run(client, [{"name": FUNCTIONS[0], "retention": None, "kms_key_id": None, "tags": None}])
    assert not changed and results[0]["tags"] == {"A": "1", "B": "2"}
    changed, results, _diff = run(
        client, [{"name": FUNCTIONS[0], "retention": None, "kms_key_id": None, "tags": {"C": "3"}}], purge_tags=False
    )
    assert changed and results[0]["tags"] == {"A": "1", "B": "2", "C": "3"}
    assert calls.writes() == ["TagResource"]


def test_absent_deletes_existing_groups_only(aws):
    client, calls = aws
    run(client, [wanted(FUNCTIONS[0])])
    calls.clear()
    items = [{"name": name} for name in FUNCTIONS[:2]]
    changed, results, _diff = run(client, items, state="absent", check_mode=True)
    assert changed and [result["changed"] for result in results] == [True, False] and calls.writes() == []
    changed, results, _diff = run(client, items, state="absent")
    assert changed and results == [{"changed": True}, {"changed": False}]
    assert calls.writes() == ["DeleteLogGroup"]
    assert not run(client, items, state="absent")[0]


def info_read(client):
    return list(logs.read_log_groups(client, prefixes=["/aws/lambda/payment-"]).values())


def test_read_is_one_describe_per_prefix_or_uncovered_name_and_one_tag_read_per_group(aws):
    client, calls = aws
    run(client, [wanted(name) for name in FUNCTIONS + ["/aws/apigateway/payment-api-test", "/aws/other"]])
    calls.clear()
    found = logs.read_log_groups(
        client, names=["/aws/apigateway/payment-api-test", FUNCTIONS[0], "/aws/missing"], prefixes=["/aws/lambda/"]
    )
    assert sorted(found) == sorted(FUNCTIONS + ["/aws/apigateway/payment-api-test"])
    assert calls.count("DescribeLogGroups") == 3 and calls.count("ListTagsForResource") == 5


def test_module_main_and_validation(aws, run_module):
    client, _calls = aws
    args = {"region": REGION, "log_groups": [wanted(FUNCTIONS[0])]}
    ok, result = run_module(module, args, client)
    assert ok and result["changed"] and result["log_groups"][0]["log_group_name"] == FUNCTIONS[0]
    ok, result = run_module(module, args, client)
    assert ok and not result["changed"] and "diff" not in result
    ok, result = run_module(info_module, {"region": REGION, "prefixes": ["/aws/lambda/"]}, client)
    assert ok and [group["log_group_name"] for group in result["log_groups"]] == [FUNCTIONS[0]]
    for item, message in (
        (wanted(FUNCTIONS[1], retention=31), "retention must be one of"),
        (wanted(FUNCTIONS[1], key="alias/logs"), "kms_key_id must be the ARN"),
        (wanted("bad name"), "name must be"),
    ):
        ok, result = run_module(module, {"region": REGION, "log_groups": [item]}, client)
        assert not ok and message in result["msg"]
    ok, result = run_module(module, {"region": REGION, "log_groups": [wanted(FUNCTIONS[1])] * 2}, client)
    assert not ok and "repeated" in result["msg"]
    ok, result = run_module(info_module, {"region": REGION, "prefixes": [""]}, client)
    assert not ok and "empty prefix" in result["msg"]


def test_filter_rejects_what_it_cannot_compare():
    with pytest.raises(AnsibleFilterError, match="not compared: retention_days"):
        cloudwatchlogs_log_group_differences([], [{"name": "g", "retention_days": 3}])
    with pytest.raises(AnsibleFilterError, match="list or a dict"):
        cloudwatchlogs_log_group_differences("x", [])
    assert cloudwatchlogs_log_group_differences({}, [{"name": "g"}]) == [{"name": "g"}]


def test_figure(record_property):
    record_property("figure", "cloudwatchlogs_log_groups: 4 groups created in 1 call, 0 writes on rerun and check")
