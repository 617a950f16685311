"""payments.infra.ssm_parameters: a list of SSM parameters read in one pass (GetParameters by 10 names,
DescribeParameters by 50, tag:GetResources by 100), compared locally and written only where they differ, against
moto's in-process AWS (no network). Values, SecureString ones above all, never reach a result or a diff."""

import json

import boto3
import pytest
from ansible_collections.payments.infra.plugins.module_utils import ssm as ssm_utils
from ansible_collections.payments.infra.plugins.module_utils.ssm import (
    VALUE_CHANGED,
    VALUE_HIDDEN,
    PaymentsSSMError,
    ensure_parameters,
    parameter_argument_spec,
    same_key,
)
from ansible_collections.payments.infra.plugins.module_utils.tagging import PaymentsTaggingError
from ansible_collections.payments.infra.plugins.modules import ssm_parameters
from aws_fakes import Recorder
from botocore.exceptions import ClientError

REGION = "us-east-1"
PATH = "/payment-processing/test"
WRITES = ("PutParameter", "AddTagsToResource", "RemoveTagsFromResource", "DeleteParameters", "DeleteParameter")
TAGS = {"Environment": "test", "ManagedBy": "ansible", "Component": "parameters"}
SECRET = "writer.cluster-secret-4f1d.us-east-1.rds.amazonaws.com"

# Every option of one parameter at the value Ansible gives it when the task leaves it out.
UNSET = {key: spec.get("default") for key, spec in parameter_argument_spec().items() if key != "name"}


@pytest.fixture
def aws(moto_aws, monkeypatch):
    ssm = boto3.client("ssm", region_name=REGION)
    tagging = boto3.client("resourcegroupstaggingapi", region_name=REGION)
    kms = boto3.client("kms", region_name=REGION)
    return ssm, tagging, kms, Recorder(monkeypatch, ssm, tagging, writes=WRITES)


def parameter(name, value, **overrides):
    params = dict(UNSET, name=f"{PATH}/{name}", value=value, type="String", description=f"the {name}", tags=TAGS)
    params.update(overrides)
    return params


def stack(key_arn=None):
    """What the parameters role sends: Strings and a SecureString under the secrets key, all tagged."""
    return [
        parameter("dynamodb/table_name", "transactions-test", tier="Standard"),
        parameter("aurora/port", "5432", tier="Standard"),
        parameter("aurora/writer_endpoint", SECRET, type="SecureString", key_id=key_arn, tier="Standard"),
        parameter("sns/topics", "a,b,c", type="StringList", tier="Standard"),
    ]


def run(aws, params_list, check_mode=False):
    ssm, tagging, _kms, _recorder = aws
    return ensure_parameters(ssm, tagging, params_list, check_mode)


def current(ssm, name):
    found = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [name]}])["Parameters"]
    item = found[0] if found else None
    if item is None:
        return None
    value = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
    tags = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)["TagList"]
    return dict(item, Value=value, Tags={tag["Key"]: tag["Value"] for tag in tags})


def test_check_mode_on_an_empty_account_plans_every_parameter_and_writes_nothing(aws):
    ssm, _tagging, kms, recorder = aws
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    results, diff = run(aws, stack(key_arn), check_mode=True)
    assert [result["changes"] for result in results] == [["created"]] * 4
    assert all(result["changed"] and result["version"] is None for result in results)
    assert results[2]["type"] == "SecureString" and results[2]["key_id"] == key_arn
    assert results[0]["tags"] == TAGS
    assert recorder.writes() == []
    # Nothing exists: one GetParameters for the 4 names, no metadata or tag read.
    assert recorder.operations() == ["GetParameters"]
    assert diff["before"] == {params["name"]: {} for params in stack()}
    assert diff["after"][f"{PATH}/aurora/writer_endpoint"]["value"] == VALUE_CHANGED
    assert ssm.describe_parameters()["Parameters"] == []


def test_create_then_a_rerun_reads_with_three_requests_and_writes_nothing(aws):
    ssm, _tagging, kms, recorder = aws
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    results, _diff = run(aws, stack(key_arn))
    assert all(result["changes"] == ["created"] and result["version"] == 1 for result in results)
    # One write per parameter, the tags in the creation request.
    assert recorder.writes() == ["PutParameter"] * 4
    assert recorder.operations() == ["GetParameters"] + ["PutParameter"] * 4
    puts = [params for operation, params in recorder.calls if operation == "PutParameter"]
    assert all(put["Overwrite"] is False and len(put["Tags"]) == 3 for put in puts)
    secure = current(ssm, f"{PATH}/aurora/writer_endpoint")
    assert secure["Type"] == "SecureString" and secure["KeyId"] == key_arn and secure["Value"] == SECRET
    assert secure["Tags"] == TAGS and secure["Description"] == "the aurora/writer_endpoint"
    assert current(ssm, f"{PATH}/sns/topics")["Value"] == "a,b,c"

    recorder.clear()
    results, diff = run(aws, stack(key_arn))
    assert [result["changed"] for result in results] == [False] * 4
    assert recorder.operations() == ["GetParameters", "DescribeParameters", "GetResources"]
    assert results[0]["tags"] == TAGS and results[0]["version"] == 1 and results[0]["tier"] == "Standard"
    assert diff["before"] == diff["after"]
    assert diff["after"][f"{PATH}/aurora/port"]["value"] == VALUE_HIDDEN


def test_one_request_of_each_read_per_batch(aws):
    """23 parameters: GetParameters 10 names at a time, DescribeParameters 50 names a request and 50 a page (one
    request in AWS; moto pages by 10 whatever MaxResults says), one GetResources for all 23 ARNs."""
    ssm, _tagging, _kms, recorder = aws
    params_list = [parameter(f"n{index:02d}", str(index)) for index in range(23)]
    run(aws, params_list)
    recorder.clear()
    results, _diff = run(aws, params_list)
    assert not any(result["changed"] for result in results)
    gets = [params for operation, params in recorder.calls if operation == "GetParameters"]
    assert [len(params["Names"]) for params in gets] == [10, 10, 3]
    assert all(params["WithDecryption"] for params in gets)
    describes = [params for operation, params in recorder.calls if operation == "DescribeParameters"]
    first = [params for params in describes if "NextToken" not in params]
    assert len(first) == 1 and first[0]["MaxResults"] == 50
    assert first[0]["ParameterFilters"] == [
        {"Key": "Name", "Option": "Equals", "Values": [params["name"] for params in params_list]}
    ]
    assert recorder.count("GetResources") == 1
    assert "ListTagsForResource" not in recorder.operations()


def test_more_than_50_names_are_described_50_at_a_time(aws, monkeypatch):
    ssm, _tagging, _kms, _recorder = aws
    seen = []
    real = ssm_utils._describe_parameters_named
    monkeypatch.setattr(
        ssm_utils, "_describe_parameters_named", lambda client, names: seen.append(names) or real(client, names)
    )
    params_list = [parameter(f"n{index:03d}", str(index)) for index in range(61)]
    run(aws, params_list)
    run(aws, params_list)
    assert [len(names) for names in seen] == [50, 11]


@pytest.mark.parametrize(
    "change, expected_changes, expected_writes",
    [
        ({"value": "transactions-other"}, ["value"], ["PutParameter"]),
        ({"type": "StringList"}, ["type"], ["PutParameter"]),
        ({"description": "another"}, ["description"], ["PutParameter"]),
        ({"tier": "Advanced"}, ["tier"], ["PutParameter"]),
        ({"tags": dict(TAGS, Component="other")}, ["tags"], ["AddTagsToResource"]),
        ({"tags": {"Environment": "test"}}, ["tags"], ["RemoveTagsFromResource"]),
        ({"tags": dict(TAGS, Extra="1"), "purge_tags": False}, ["tags"], ["AddTagsToResource"]),
        ({"value": "x", "tags": {"Environment": "test", "New": "1"}}, ["value", "tags"],
         ["AddTagsToResource", "PutParameter", "RemoveTagsFromResource"]),
    ],
)  # fmt: skip
def test_only_what_differs_is_written_and_check_mode_writes_nothing(aws, change, expected_changes, expected_writes):
    ssm, _tagging, _kms, recorder = aws
    base = parameter("dynamodb/table_name", "transactions-test", tier="Standard")
    run(aws, [base, parameter("aurora/port", "5432")])
    wanted = dict(base, **change)

    recorder.clear()
    results, diff = run(aws, [wanted, parameter("aurora/port", "5432")], check_mode=True)
    assert results[0]["changes"] == expected_changes and not results[1]["changed"]
    assert recorder.writes() == []

    results, _diff = run(aws, [wanted, parameter("aurora/port", "5432")])
    assert results[0]["changes"] == expected_changes and not results[1]["changed"]
    assert recorder.writes() == expected_writes
    after = current(ssm, base["name"])
    assert after["Value"] == wanted["value"]
    assert after["Type"] == wanted["type"]
    assert after["Description"] == wanted["description"]
    assert after["Tier"] == wanted["tier"]
    expected_tags = dict(TAGS, **wanted["tags"]) if change.get("purge_tags") is False else wanted["tags"]
    assert after["Tags"] == expected_tags
    assert results[0]["tags"] == expected_tags
    assert results[0]["version"] == (2 if "PutParameter" in expected_writes else 1)
    if "value" in expected_changes:
        assert diff["before"][base["name"]]["value"] == VALUE_HIDDEN
        assert diff["after"][base["name"]]["value"] == VALUE_CHANGED

    recorder.clear()
    results, _diff = run(aws, [wanted, parameter("aurora/port", "5432")])
    assert not any(result["changed"] for result in results) and recorder.writes() == []


def test_an_overwrite_keeps_what_is_not_set(aws):
    ssm, _tagging, kms, recorder = aws
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    run(aws, [parameter("aurora/writer_endpoint", SECRET, type="SecureString", key_id=key_arn, tier="Advanced")])
    recorder.clear()
    name = f"{PATH}/aurora/writer_endpoint"
    results, _diff = run(aws, [dict(UNSET, name=name, value="new.endpoint")])
    assert results[0]["changes"] == ["value"]
    put = [params for operation, params in recorder.calls if operation == "PutParameter"][0]
    assert put == {
        "Name": name,
        "Value": "new.endpoint",
        "Type": "SecureString",
        "Overwrite": True,
        "Description": "the aurora/writer_endpoint",
        "Tier": "Advanced",
        "KeyId": key_arn,
    }
    # Tags unset: not read, not touched, returned as null.
    assert "GetResources" not in recorder.operations() and results[0]["tags"] is None
    after = current(ssm, name)
    assert (after["Value"], after["KeyId"], after["Tier"], after["Tags"]) == ("new.endpoint", key_arn, "Advanced", TAGS)


def test_unset_options_never_differ(aws):
    _ssm, _tagging, _kms, recorder = aws
    run(aws, [parameter("dynamodb/table_name", "transactions-test", tier="Advanced")])
    recorder.clear()
    results, _diff = run(aws, [dict(UNSET, name=f"{PATH}/dynamodb/table_name")])
    assert results[0]["changes"] == [] and recorder.writes() == []
    assert results[0]["description"] == "the dynamodb/table_name" and results[0]["tier"] == "Advanced"


def test_a_securestring_under_another_key_is_encrypted_again(aws):
    ssm, _tagging, kms, recorder = aws
    old_key = kms.create_key()["KeyMetadata"]
    new_key = kms.create_key()["KeyMetadata"]
    name = f"{PATH}/aurora/writer_endpoint"
    run(aws, [parameter("aurora/writer_endpoint", SECRET, type="SecureString", key_id=old_key["Arn"])])
    # The same key by ID is the same key.
    recorder.clear()
    results, _diff = run(
        aws, [parameter("aurora/writer_endpoint", SECRET, type="SecureString", key_id=old_key["KeyId"])]
    )
    assert results[0]["changes"] == [] and recorder.writes() == []
    results, _diff = run(aws, [parameter("aurora/writer_endpoint", SECRET, type="SecureString", key_id=new_key["Arn"])])
    assert results[0]["changes"] == ["key_id"] and recorder.writes() == ["PutParameter"]
    assert current(ssm, name)["KeyId"] == new_key["Arn"]


def test_a_string_becomes_a_securestring_and_back(aws):
    ssm, _tagging, kms, _recorder = aws
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    name = f"{PATH}/alb/dns_name"
    run(aws, [parameter("alb/dns_name", "internal-alb")])
    results, _diff = run(aws, [parameter("alb/dns_name", "internal-alb", type="SecureString", key_id=key_arn)])
    assert results[0]["changes"] == ["type"]
    assert (current(ssm, name)["Type"], current(ssm, name)["KeyId"]) == ("SecureString", key_arn)
    results, _diff = run(aws, [parameter("alb/dns_name", "internal-alb")])
    assert results[0]["changes"] == ["type"] and current(ssm, name)["Type"] == "String"


def test_intelligent_tiering_is_never_a_difference(aws):
    _ssm, _tagging, _kms, recorder = aws
    results, _diff = run(aws, [parameter("a", "1", tier="Intelligent-Tiering")])
    assert results[0]["tier"] in ("Standard", "Intelligent-Tiering")
    recorder.clear()
    results, _diff = run(aws, [parameter("a", "1", tier="Intelligent-Tiering")])
    assert results[0]["changes"] == [] and recorder.writes() == []


def test_no_value_reaches_a_result_or_a_diff(aws):
    _ssm, _tagging, kms, _recorder = aws
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    outputs = [run(aws, stack(key_arn), check_mode=True), run(aws, stack(key_arn)), run(aws, stack(key_arn))]
    changed = [
        dict(params, value=SECRET[::-1]) if params["type"] == "SecureString" else params for params in stack(key_arn)
    ]
    outputs += [run(aws, changed, check_mode=True), run(aws, changed)]
    outputs.append(run(aws, [dict(UNSET, name=params["name"], state="absent") for params in stack()]))
    text = json.dumps(outputs, default=str)
    for secret in (SECRET, SECRET[::-1], "transactions-test", "a,b,c"):
        assert secret not in text
    assert "value" not in outputs[1][0][2]


def test_absent_deletes_what_exists_in_one_request_and_ignores_what_does_not(aws):
    ssm, _tagging, _kms, recorder = aws
    run(aws, [parameter(f"n{index}", str(index)) for index in range(3)])
    doomed = [dict(UNSET, name=f"{PATH}/n{index}", state="absent") for index in (0, 1, 7)]
    recorder.clear()
    results, diff = run(aws, doomed, check_mode=True)
    assert [result["changes"] for result in results] == [["deleted"], ["deleted"], []]
    assert recorder.writes() == [] and recorder.operations() == ["GetParameters"]
    assert diff["before"][f"{PATH}/n0"]["name"] == f"{PATH}/n0" and diff["after"][f"{PATH}/n0"] == {}
    assert diff["before"][f"{PATH}/n7"] == {}

    recorder.clear()
    results, _diff = run(aws, doomed)
    assert [result["changed"] for result in results] == [True, True, False]
    assert recorder.operations() == ["GetParameters", "DeleteParameters"]
    get = recorder.calls[0][1]
    assert get["WithDecryption"] is False
    assert [item["Name"] for item in ssm.describe_parameters()["Parameters"]] == [f"{PATH}/n2"]
    results, _diff = run(aws, doomed)
    assert not any(result["changed"] for result in results)


def test_eleven_deletions_take_two_requests(aws):
    _ssm, _tagging, _kms, recorder = aws
    run(aws, [parameter(f"n{index:02d}", str(index)) for index in range(11)])
    recorder.clear()
    run(aws, [dict(UNSET, name=f"{PATH}/n{index:02d}", state="absent") for index in range(11)])
    assert recorder.count("DeleteParameters") == 2


def test_a_creation_without_a_value_fails_naming_the_parameter_and_writes_nothing(aws):
    _ssm, _tagging, _kms, recorder = aws
    with pytest.raises(PaymentsSSMError, match=f"parameter {PATH}/missing: it does not exist"):
        run(aws, [dict(UNSET, name=f"{PATH}/missing", description="no value")])
    assert recorder.writes() == []


def test_a_denied_write_names_the_parameter(aws, monkeypatch):
    ssm, _tagging, _kms, _recorder = aws
    real = ssm._make_api_call

    def denied(operation, params):
        if operation == "PutParameter":
            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, operation)
        return real(operation, params)

    monkeypatch.setattr(ssm, "_make_api_call", denied)
    with pytest.raises(PaymentsSSMError, match=f"parameter {PATH}/a: Failed to put parameter") as error:
        run(aws, [parameter("a", SECRET)])
    assert SECRET not in str(error.value)


def test_a_denied_tag_read_raises_the_tagging_error(aws, monkeypatch):
    _ssm, tagging, _kms, _recorder = aws
    run(aws, [parameter("a", "1")])

    def denied(operation, params):
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, operation)

    monkeypatch.setattr(tagging, "_make_api_call", denied)
    with pytest.raises(PaymentsTaggingError):
        run(aws, [parameter("a", "1")])


@pytest.mark.parametrize(
    "desired, current, same",
    [
        ("arn:aws:kms:us-east-1:123456789012:key/abc", "abc", True),
        ("abc", "arn:aws:kms:us-east-1:123456789012:key/abc", True),
        ("alias/aws/ssm", "arn:aws:kms:us-east-1:123456789012:alias/aws/ssm", True),
        ("alias/payment-secrets-test", "abc", False),
        ("arn:aws:kms:us-east-1:123456789012:key/abc", "arn:aws:kms:us-east-1:123456789012:key/def", False),
    ],
)
def test_same_key_compares_ids_arns_and_aliases(desired, current, same):
    assert same_key(desired, current) is same


# main(): the module as Ansible runs it


class Clients:
    """What module.client() answers in main(): the SSM client, except for the tagging API's calls."""

    def __init__(self, ssm, tagging):
        self._ssm = ssm
        self._tagging = tagging

    def get_paginator(self, name):
        return (self._tagging if name == "get_resources" else self._ssm).get_paginator(name)

    def __getattr__(self, name):
        return getattr(self._ssm, name)


def module_args(parameters, **extra):
    return dict(parameters=parameters, region=REGION, **extra)


def test_the_value_option_is_no_log():
    assert parameter_argument_spec()["value"]["no_log"] is True


def test_main_returns_parameters_changed_parameters_and_a_diff_without_values(run_module, aws):
    ssm, tagging, kms, _recorder = aws
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    wanted = [
        {"name": f"{PATH}/dynamodb/table_name", "value": "transactions-test", "tags": TAGS},
        {"name": f"{PATH}/aurora/writer_endpoint", "value": SECRET, "type": "SecureString", "key_id": key_arn},
    ]
    ok, result = run_module(ssm_parameters, module_args(wanted, _ansible_diff=True), Clients(ssm, tagging))
    assert ok and result["changed"], result
    assert result["changed_parameters"] == [item["name"] for item in wanted]
    assert result["parameters"][0]["tags"] == TAGS and result["parameters"][1]["key_id"] == key_arn
    assert result["diff"]["before"] == {item["name"]: {} for item in wanted}
    assert result["diff"]["after"][wanted[1]["name"]]["value"] == VALUE_CHANGED
    assert SECRET not in json.dumps(result) and "transactions-test" not in json.dumps(result)

    ok, result = run_module(ssm_parameters, module_args(wanted), Clients(ssm, tagging))
    assert ok and not result["changed"] and result["changed_parameters"] == []
    assert "diff" not in result


def test_main_with_no_parameter_does_nothing(run_module):
    ok, result = run_module(ssm_parameters, module_args([]), None)
    assert ok and not result["changed"] and result["parameters"] == [] and result["changed_parameters"] == []


@pytest.mark.parametrize(
    "parameters, message",
    [
        ([{"name": "/a", "value": "1"}, {"name": "/b", "value": "2"}, {"name": "/a", "value": "3"}],
         "names must be distinct, repeated: /a"),
        ([{"name": "/a", "value": "1"}, {"name": "/b/", "value": "2"}], "parameters[1] (/b/): the name must be"),
        ([{"name": "a/b", "value": "1"}], "the name must be"),
        ([{"name": "/a b", "value": "1"}], "the name must be"),
        ([{"name": "/" + "x" * 1011, "value": "1"}], "at most 1011 characters"),
        ([{"name": "/aws/x", "value": "1"}], "reserved"),
        ([{"name": "/SSM-x", "value": "1"}], "reserved"),
        ([{"name": "/a", "value": ""}], "the value must not be empty"),
        ([{"name": "/a", "value": "1", "type": "String", "key_id": "alias/k"}], "key_id applies to a SecureString"),
        ([{"name": "/a", "value": "1", "type": "Secret"}], "value of type must be one of"),
        ([{"name": "/a", "value": "1", "tier": "Cheap"}], "value of tier must be one of"),
    ],
)  # fmt: skip
def test_main_refuses_invalid_parameters_before_any_call(run_module, parameters, message):
    ok, result = run_module(ssm_parameters, module_args(parameters), None)
    assert not ok
    assert message in result["msg"]
