"""payments.infra module_utils/iam: one-pass reads of IAM roles (against moto's in-process IAM) and the comparison
with what amazon.aws.iam_role / iam_policy would set (checked against those modules themselves, in check mode)."""

import copy
import json
from urllib.parse import quote

import boto3
import pytest
from ansible_collections.amazon.aws.plugins.modules import iam_policy as amazon_iam_policy
from ansible_collections.amazon.aws.plugins.modules import iam_role as amazon_iam_role
from ansible_collections.payments.infra.plugins.module_utils import iam
from ansible_collections.payments.infra.plugins.module_utils.iam import (
    MISSING,
    PaymentsIAMError,
    common_path,
    normalize_role,
    policy_document,
    read_roles,
    role_differences,
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


def desired(**overrides):
    spec = {
        "name": "r1",
        "description": "Execution role",
        "assume_role_policy_document": copy.deepcopy(TRUST),
        "create_instance_profile": False,
        "managed_policies": [],
        "purge_policies": True,
        "tags": dict(TAGS),
        "purge_tags": True,
        "inline_policies": {"least-privilege": copy.deepcopy(INLINE)},
    }
    spec.update(overrides)
    return spec


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


# ---------------------------------------------------------------- comparison


def test_a_missing_role_is_one_difference():
    assert role_differences(None, desired()) == [MISSING]
    assert role_differences({}, desired()) == [MISSING]


def test_a_converged_role_has_no_difference(client):
    make_role(client)
    assert role_differences(read_roles(client, ["r1"])["r1"], desired()) == []


def test_unset_options_are_not_compared(client):
    make_role(client, description="other", tags={"Other": "x"})
    current = read_roles(client, ["r1"])["r1"]
    assert role_differences(current, {"name": "r1", "create_instance_profile": False}) == []


def test_every_differing_option_is_named(client):
    make_role(client)
    current = read_roles(client, ["r1"])["r1"]
    wanted = desired(
        assume_role_policy_document={**TRUST, "Statement": [{**TRUST["Statement"][0], "Condition": {}}]},
        boundary=f"arn:aws:iam::{ACCOUNT}:policy/boundary",
        create_instance_profile=True,
        description="new",
        managed_policies=[f"arn:aws:iam::{ACCOUNT}:policy/extra"],
        max_session_duration=7200,
        path="/other/",
        tags={**TAGS, "Name": "new"},
        inline_policies={"least-privilege": {"Version": "2012-10-17", "Statement": []}},
    )
    assert role_differences(current, wanted) == [
        "assume_role_policy_document",
        "boundary",
        "create_instance_profile",
        "description",
        "managed_policies",
        "max_session_duration",
        "path",
        "tags",
        "inline_policies",
    ]


def test_documents_compare_semantically_and_may_be_json_text(client):
    make_role(client)
    current = read_roles(client, ["r1"])["r1"]
    reordered = {
        "Statement": [
            {
                "Action": ["sts:AssumeRole"],
                "Condition": {"StringEquals": {"aws:SourceAccount": int(ACCOUNT)}},
                "Principal": {"Service": ["lambda.amazonaws.com"]},
                "Effect": "Allow",
            }
        ],
        "Version": "2012-10-17",
    }
    inline = {"Version": "2012-10-17", "Statement": list(reversed(INLINE["Statement"]))}
    wanted = desired(assume_role_policy_document=json.dumps(reordered), inline_policies={"least-privilege": inline})
    assert role_differences(current, wanted) == []


def test_an_extra_inline_policy_is_left_alone_a_missing_one_differs(client):
    make_role(client)
    client.put_role_policy(RoleName="r1", PolicyName="by-hand", PolicyDocument=json.dumps(INLINE))
    current = read_roles(client, ["r1"])["r1"]
    assert role_differences(current, desired()) == []
    assert role_differences(current, desired(inline_policies={"another": INLINE})) == ["inline_policies"]


def test_tags_purge_and_reserved_keys():
    current = {"role_name": "r1", "tags": {"a": "1", "aws:cloudformation:stack-name": "s"}}
    assert role_differences(current, {"tags": {"a": 1}, "create_instance_profile": False}) == []
    current["tags"]["extra"] = "x"
    assert role_differences(current, {"tags": {"a": "1"}, "create_instance_profile": False}) == ["tags"]
    spec = {"tags": {"a": "1"}, "purge_tags": False, "create_instance_profile": False}
    assert role_differences(current, spec) == []


def test_managed_policies_with_and_without_purge():
    arn = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
    other = f"arn:aws:iam::{ACCOUNT}:policy/extra"
    current = {"role_name": "r", "managed_policies": [arn, other]}
    base = {"create_instance_profile": False}
    assert role_differences(current, {**base, "managed_policies": [arn]}) == ["managed_policies"]
    assert role_differences(current, {**base, "managed_policies": [arn], "purge_policies": False}) == []
    assert role_differences(current, {**base, "managed_policies": [other, arn]}) == []
    assert role_differences({"role_name": "r", "managed_policies": []}, {**base, "managed_policies": [None]}) == []
    # a friendly name is looked up by the module only
    assert role_differences(current, {**base, "managed_policies": ["extra", arn]}) == ["managed_policies"]


def test_instance_profile_default_is_the_modules():
    current = {"role_name": "r", "instance_profile_names": []}
    assert role_differences(current, {}) == ["create_instance_profile"]
    assert role_differences({**current, "instance_profile_names": ["r"]}, {}) == []
    assert role_differences(current, {"create_instance_profile": None}) == ["create_instance_profile"]


def test_an_invalid_json_document_raises():
    with pytest.raises(ValueError):
        role_differences({"role_name": "r"}, {"assume_role_policy_document": "{nope", "create_instance_profile": False})


# ---------------------------------------------------------------- the same answer as amazon.aws


def run_amazon(run_module, module, args):
    exited, result = run_module(module, {**args, "region": "us-east-1", "_ansible_check_mode": True})
    assert exited, result
    return result


@pytest.fixture
def amazon_modules(run_module):
    """amazon.aws iam_role / iam_policy in check mode against moto (their own clients)."""

    def changed(spec):
        role_args = {
            key: value
            for key, value in spec.items()
            if key in iam.ROLE_OPTIONS + ("name", "purge_policies", "purge_tags") and value is not None
        }
        if isinstance(role_args.get("assume_role_policy_document"), dict):
            role_args["assume_role_policy_document"] = json.dumps(role_args["assume_role_policy_document"])
        results = {"iam_role": run_amazon(run_module, amazon_iam_role, role_args)["changed"]}
        for name, document in spec.get("inline_policies", {}).items():
            policy_args = {
                "iam_type": "role",
                "iam_name": spec["name"],
                "policy_name": name,
                "policy_json": document if isinstance(document, str) else json.dumps(document),
            }
            results[f"iam_policy {name}"] = run_amazon(run_module, amazon_iam_policy, policy_args)["changed"]
        return results

    return changed


DRIFTS = {
    "none": (lambda c: None, {}),
    "trust": (
        lambda c: c.update_assume_role_policy(
            RoleName="r1",
            PolicyDocument=json.dumps({**TRUST, "Statement": [{**TRUST["Statement"][0], "Condition": {}}]}),
        ),
        {},
    ),
    "description": (lambda c: c.update_role(RoleName="r1", Description="changed by hand"), {}),
    "tag value": (lambda c: c.tag_role(RoleName="r1", Tags=[{"Key": "Name", "Value": "x"}]), {}),
    "extra tag": (lambda c: c.tag_role(RoleName="r1", Tags=[{"Key": "Owner", "Value": "x"}]), {}),
    "extra tag kept": (
        lambda c: c.tag_role(RoleName="r1", Tags=[{"Key": "Owner", "Value": "x"}]),
        {"purge_tags": False},
    ),
    "tag removed": (lambda c: c.untag_role(RoleName="r1", TagKeys=["Component"]), {}),
    "inline policy": (
        lambda c: c.put_role_policy(
            RoleName="r1",
            PolicyName="least-privilege",
            PolicyDocument=json.dumps({**INLINE, "Statement": INLINE["Statement"][:1]}),
        ),
        {},
    ),
    "inline policy deleted": (lambda c: c.delete_role_policy(RoleName="r1", PolicyName="least-privilege"), {}),
    "another inline policy": (
        lambda c: c.put_role_policy(RoleName="r1", PolicyName="by-hand", PolicyDocument=json.dumps(INLINE)),
        {},
    ),
    "managed policy attached": (lambda c: c.attach_role_policy(RoleName="r1", PolicyArn=managed_policy(c)), {}),
    "managed policy kept": (
        lambda c: c.attach_role_policy(RoleName="r1", PolicyArn=managed_policy(c)),
        {"purge_policies": False},
    ),
    "managed policy unset": (
        lambda c: c.attach_role_policy(RoleName="r1", PolicyArn=managed_policy(c)),
        {"managed_policies": None},
    ),
    "session duration": (
        lambda c: c.update_role(RoleName="r1", MaxSessionDuration=7200),
        {"max_session_duration": 3600},
    ),
    "instance profile": (lambda c: None, {"create_instance_profile": True}),
    "reordered documents": (
        lambda c: None,
        {
            "assume_role_policy_document": json.dumps({"Statement": TRUST["Statement"], "Version": "2012-10-17"}),
            "inline_policies": {"least-privilege": {**INLINE, "Statement": list(reversed(INLINE["Statement"]))}},
        },
    ),
}


@pytest.mark.parametrize("drift", sorted(DRIFTS))
def test_no_difference_exactly_when_amazon_aws_would_change_nothing(client, amazon_modules, drift):
    make_role(client)
    make_drift, overrides = DRIFTS[drift]
    make_drift(client)
    spec = desired(**overrides)

    differences = role_differences(read_roles(client, ["r1"])["r1"], spec)
    modules_changed = amazon_modules(spec)

    assert (differences == []) == (not any(modules_changed.values())), (differences, modules_changed)
    assert ("inline_policies" in differences) == modules_changed["iam_policy least-privilege"], modules_changed
    assert ([d for d in differences if d != "inline_policies"] != []) == modules_changed["iam_role"], modules_changed
