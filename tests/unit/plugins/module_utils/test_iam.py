"""payments.infra module_utils/iam: one-pass reads of IAM roles (against moto's in-process IAM) and the plan of what
payments.infra.iam_roles writes (checked against amazon.aws iam_role / iam_policy in tests/unit/plugins/modules/
test_iam_roles.py)."""

import copy
import json
from urllib.parse import quote

import boto3
import pytest
from ansible_collections.payments.infra.plugins.module_utils import iam
from ansible_collections.payments.infra.plugins.module_utils.iam import (
    PaymentsIAMError,
    common_path,
    create_request,
    normalize_role,
    plan_changes,
    plan_role,
    planned_role,
    policy_document,
    read_roles,
    role_params_error,
)
from aws_fakes import client_error

ACCOUNT = "123456789012"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }
    ],
}
INLINE = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": ["*"]},
        {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::b/a b+c%/*"]},
    ],
}
TAGS = {"Environment": "test", "Name": "r1", "Component": "lambda-role"}


@pytest.fixture
def client(moto_aws):
    yield boto3.client("iam", region_name="us-east-1")


def managed_policy(client, name="extra"):
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}
    return client.create_policy(PolicyName=name, PolicyDocument=json.dumps(document))["Policy"]["Arn"]


def make_role(client, name="r1", *, path="/", description="Execution role", tags=None, managed=()):
    client.create_role(
        RoleName=name,
        Path=path,
        AssumeRolePolicyDocument=json.dumps(TRUST),
        Description=description,
        Tags=[{"Key": k, "Value": v} for k, v in (TAGS if tags is None else tags).items()],
    )
    client.put_role_policy(RoleName=name, PolicyName="least-privilege", PolicyDocument=json.dumps(INLINE))
    for arn in managed:
        client.attach_role_policy(RoleName=name, PolicyArn=arn)


def counting(client, monkeypatch):
    calls = []
    real = client._make_api_call

    def call(operation, params):
        calls.append(operation)
        return real(operation, params)

    monkeypatch.setattr(client, "_make_api_call", call)
    return calls


# ---------------------------------------------------------------- reads


def test_read_roles_normalises_everything_the_modules_set(client):
    extra = managed_policy(client)
    make_role(client, managed=[extra])
    client.create_instance_profile(InstanceProfileName="r1")
    client.add_role_to_instance_profile(InstanceProfileName="r1", RoleName="r1")

    role = read_roles(client, ["r1"])["r1"]

    assert role["role_name"] == "r1"
    assert role["arn"] == f"arn:aws:iam::{ACCOUNT}:role/r1"
    assert role["path"] == "/"
    assert role["description"] == "Execution role"
    assert role["max_session_duration"] == 3600
    assert role["assume_role_policy_document"] == TRUST
    assert role["inline_policies"] == {"least-privilege": INLINE}, "documents are dicts, URL-decoded"
    assert role["managed_policies"] == [extra]
    assert role["attached_managed_policies"] == [{"policy_name": "extra", "policy_arn": extra}]
    assert role["tags"] == TAGS
    assert role["instance_profile_names"] == ["r1"]
    assert role["permissions_boundary_arn"] is None
    assert isinstance(role["create_date"], str)
    json.dumps(role)  # what the module returns must be JSON


def test_missing_and_unasked_roles_are_left_out(client):
    make_role(client, name="r1")
    make_role(client, name="other")
    assert sorted(read_roles(client, ["r1", "gone"])) == ["r1"]
    assert read_roles(client, ["gone"]) == {}


def test_no_names_no_request(client, monkeypatch):
    calls = counting(client, monkeypatch)
    assert read_roles(client, []) == {}
    assert calls == []


def test_one_role_costs_two_requests_get_role_for_the_description(client, monkeypatch):
    make_role(client, name="r1")
    make_role(client, name="r2")
    calls = counting(client, monkeypatch)
    assert list(read_roles(client, ["r1"])) == ["r1"]
    assert calls == ["GetAccountAuthorizationDetails", "GetRole"]


def test_several_roles_cost_two_requests_list_roles_under_their_common_path(client, monkeypatch):
    for index in range(4):
        make_role(client, name=f"fn{index}", path="/payments/lambda/", description=f"role {index}")
    make_role(client, name="elsewhere", path="/other/")
    calls = counting(client, monkeypatch)

    found = read_roles(client, [f"fn{index}" for index in range(4)] + ["absent"])

    assert calls == ["GetAccountAuthorizationDetails", "ListRoles"]
    assert {name: role["description"] for name, role in found.items()} == {f"fn{i}": f"role {i}" for i in range(4)}


def test_list_roles_asks_for_the_common_path_only(client, monkeypatch):
    for index in range(3):
        make_role(client, name=f"fn{index}", path=f"/payments/t{index}/")
    params = []
    real = client._make_api_call

    def call(operation, arguments):
        params.append((operation, arguments))
        return real(operation, arguments)

    monkeypatch.setattr(client, "_make_api_call", call)
    read_roles(client, ["fn0", "fn1", "fn2"])
    assert params[1] == ("ListRoles", {"PathPrefix": "/payments/", "MaxItems": 1000})


def test_get_role_when_the_account_holds_more_pages_than_roles_asked(client, monkeypatch):
    make_role(client, name="a")
    make_role(client, name="b")
    monkeypatch.setattr(iam, "PAGE_SIZE", 1)  # two roles under / = two ListRoles pages: GetRole x2 is not dearer
    calls = counting(client, monkeypatch)
    assert sorted(read_roles(client, ["a", "b"])) == ["a", "b"]
    assert calls.count("GetRole") == 2
    assert "ListRoles" not in calls


def test_a_role_deleted_between_the_reads_is_missing(client, monkeypatch):
    make_role(client, name="r1")
    real = client._make_api_call

    def call(operation, params):
        if operation == "GetRole":
            raise client_error("NoSuchEntity", operation)
        return real(operation, params)

    monkeypatch.setattr(client, "_make_api_call", call)
    assert read_roles(client, ["r1"]) == {}


def test_access_denied_raises_the_module_error(client, monkeypatch):
    def denied(operation, params):
        raise client_error("AccessDenied", operation)

    monkeypatch.setattr(client, "_make_api_call", denied)
    with pytest.raises(PaymentsIAMError, match="get account authorization details"):
        read_roles(client, ["r1"])


def test_throttling_is_retried(client, monkeypatch):
    make_role(client, name="r1")
    real = client._make_api_call
    failures = {"GetAccountAuthorizationDetails": 2}

    def call(operation, params):
        if failures.get(operation):
            failures[operation] -= 1
            raise client_error("Throttling", operation)
        return real(operation, params)

    monkeypatch.setattr(client, "_make_api_call", call)
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    assert list(read_roles(client, ["r1"])) == ["r1"]


def test_policy_document_decodes_what_botocore_left_as_text():
    assert policy_document(INLINE) == INLINE
    assert policy_document(json.dumps(INLINE)) == INLINE
    assert policy_document(quote(json.dumps(INLINE))) == INLINE
    assert policy_document("not json") == "not json"
    assert policy_document(None) is None


@pytest.mark.parametrize(
    "paths, expected",
    [
        (["/"], "/"),
        (["/a/b/", "/a/b/"], "/a/b/"),
        (["/a/b/", "/a/c/"], "/a/"),
        (["/ab/", "/a/"], "/"),
        (["/a/", "/"], "/"),
        ([], "/"),
    ],
)
def test_common_path(paths, expected):
    assert common_path(paths) == expected


def test_normalize_role_without_extra_has_no_description():
    detail = {"RoleName": "r", "AttachedManagedPolicies": [], "Tags": [{"Key": "a", "Value": "b"}]}
    role = normalize_role(detail)
    assert role["description"] is None
    assert role["tags"] == {"a": "b"}
    assert role["inline_policies"] == {}


# ---------------------------------------------------------------- plan (payments.infra.iam_roles compares)


def params(**overrides):
    spec = {
        "name": "r1",
        "description": "Execution role",
        "assume_role_policy_document": copy.deepcopy(TRUST),
        "managed_policy_arns": [],
        "inline_policies": {"least-privilege": copy.deepcopy(INLINE)},
        "tags": dict(TAGS),
    }
    spec.update(overrides)
    return spec


def test_a_missing_role_is_created_with_its_policies():
    plan = plan_role(None, params(managed_policy_arns=[f"arn:aws:iam::{ACCOUNT}:policy/extra"]))
    assert plan["create"] is True
    assert plan["attach"] == [f"arn:aws:iam::{ACCOUNT}:policy/extra"]
    assert plan["put_inline"] == {"least-privilege": INLINE}
    assert plan["tags_to_set"] == {} and plan["update_role"] == {}, "CreateRole carries tags and description"
    assert plan_changes(plan)


def test_a_converged_role_has_nothing_to_write(client):
    make_role(client)
    plan = plan_role(read_roles(client, ["r1"])["r1"], params())
    assert not plan_changes(plan), plan


def test_unset_options_are_not_compared(client):
    make_role(client, description="other", tags={"Other": "x"})
    current = read_roles(client, ["r1"])["r1"]
    assert not plan_changes(plan_role(current, {"name": "r1"}))


def test_every_differing_option_is_planned(client):
    extra = managed_policy(client)
    make_role(client, managed=[extra])
    client.put_role_policy(RoleName="r1", PolicyName="by-hand", PolicyDocument=json.dumps(INLINE))
    current = read_roles(client, ["r1"])["r1"]
    loose = {**TRUST, "Statement": [{**TRUST["Statement"][0], "Condition": {}}]}
    empty = {"Version": "2012-10-17", "Statement": []}
    plan = plan_role(
        current,
        params(
            assume_role_policy_document=loose,
            description="new",
            max_session_duration=7200,
            path="/other/",
            tags={**TAGS, "Name": "new", "Other": "1"},
            managed_policy_arns=[f"arn:aws:iam::{ACCOUNT}:policy/wanted"],
            inline_policies={"least-privilege": empty},
            purge_inline_policies=True,
        ),
    )
    assert plan == {
        "create": False,
        "assume_role_policy_document": loose,
        "update_role": {"Description": "new", "MaxSessionDuration": 7200},
        "tags_to_set": {"Name": "new", "Other": "1"},
        "tags_to_unset": [],
        "attach": [f"arn:aws:iam::{ACCOUNT}:policy/wanted"],
        "detach": [extra],
        "put_inline": {"least-privilege": empty},
        "delete_inline": ["by-hand"],
        "path_warning": "role r1: IAM cannot change the path of a role: current path '/', requested path '/other/'",
    }
    after = planned_role(current, params(), plan)
    assert after["description"] == "new" and after["max_session_duration"] == 7200
    assert after["managed_policies"] == [f"arn:aws:iam::{ACCOUNT}:policy/wanted"]
    assert after["inline_policies"] == {"least-privilege": empty}
    assert after["tags"] == {**TAGS, "Name": "new", "Other": "1"}
    assert after["path"] == "/", "the path does not change"


def test_a_path_warning_alone_writes_nothing(client):
    make_role(client)
    plan = plan_role(read_roles(client, ["r1"])["r1"], params(path="/other/"))
    assert plan["path_warning"] and not plan_changes(plan)


def test_tags_purge_and_reserved_keys():
    current = {"role_name": "r1", "tags": {"a": "1", "aws:cloudformation:stack-name": "s"}}
    assert not plan_changes(plan_role(current, {"name": "r1", "tags": {"a": 1}}))
    current["tags"]["extra"] = "x"
    assert plan_role(current, {"name": "r1", "tags": {"a": "1"}})["tags_to_unset"] == ["extra"]
    assert not plan_changes(plan_role(current, {"name": "r1", "tags": {"a": "1"}, "purge_tags": False}))


def test_managed_policies_with_and_without_purge():
    arn = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
    other = f"arn:aws:iam::{ACCOUNT}:policy/extra"
    current = {"role_name": "r", "managed_policies": [arn, other]}
    assert plan_role(current, {"name": "r", "managed_policy_arns": [arn]})["detach"] == [other]
    assert not plan_changes(
        plan_role(current, {"name": "r", "managed_policy_arns": [arn], "purge_managed_policies": False})
    )
    assert not plan_changes(plan_role(current, {"name": "r", "managed_policy_arns": [other, arn]}))


def test_an_extra_inline_policy_is_kept_unless_purged(client):
    make_role(client)
    client.put_role_policy(RoleName="r1", PolicyName="by-hand", PolicyDocument=json.dumps(INLINE))
    current = read_roles(client, ["r1"])["r1"]
    assert not plan_changes(plan_role(current, params()))
    assert plan_role(current, params(purge_inline_policies=True))["delete_inline"] == ["by-hand"]
    assert plan_role(current, params(inline_policies={"another": INLINE}))["put_inline"] == {"another": INLINE}


def test_creating_needs_a_trust_policy():
    with pytest.raises(PaymentsIAMError, match="role r1 does not exist; creating it needs assume_role_policy_document"):
        create_request({"name": "r1"})
    request = create_request(params(max_session_duration=7200, tags={"b": 2, "a": "1"}))
    assert request == {
        "RoleName": "r1",
        "Path": "/",
        "AssumeRolePolicyDocument": json.dumps(TRUST),
        "Description": "Execution role",
        "MaxSessionDuration": 7200,
        "Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}],
    }


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({}, None),
        ({"name": "a/b"}, "name must be a role name"),
        ({"path": "x/"}, "path must begin and end with /"),
        ({"max_session_duration": 50000}, "max_session_duration must be 3600 to 43200"),
        ({"managed_policy_arns": ["ReadOnlyAccess"]}, "managed_policy_arns must be IAM policy ARNs"),
        ({"assume_role_policy_document": "{nope"}, "assume_role_policy_document is not JSON"),
        ({"inline_policies": {"p": "[]"}}, "inline_policies.p must be a JSON object"),
    ],
)
def test_role_params_error(overrides, error):
    found = role_params_error(params(**overrides))
    assert (found is None) if error is None else (error in found), found
