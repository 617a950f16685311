"""payments.infra.iam_roles: a list of IAM roles read in one pass and made to match with only the writes that differ,
against moto's in-process IAM (no network); checked against amazon.aws iam_role / iam_policy themselves."""

import copy
import json

import boto3
import pytest
from ansible_collections.amazon.aws.plugins.modules import iam_policy as amazon_iam_policy
from ansible_collections.amazon.aws.plugins.modules import iam_role as amazon_iam_role
from ansible_collections.payments.infra.plugins.module_utils.iam import role_argument_spec
from ansible_collections.payments.infra.plugins.modules import iam_roles as module
from aws_fakes import client_error

ACCOUNT = "123456789012"
REGION = "us-east-1"
# moto in-process has no AWS managed policies: a customer managed one stands in for AmazonRDSEnhancedMonitoringRole
MONITORING_POLICY = f"arn:aws:iam::{ACCOUNT}:policy/service-role/EnhancedMonitoring"
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
WRITES = {
    "CreateRole",
    "UpdateAssumeRolePolicy",
    "UpdateRole",
    "TagRole",
    "UntagRole",
    "AttachRolePolicy",
    "DetachRolePolicy",
    "PutRolePolicy",
    "DeleteRolePolicy",
}
# Every option of one role at the value Ansible gives it when the task leaves it out.
UNSET = {key: spec.get("default") for key, spec in role_argument_spec().items() if key != "name"}


class Recorder:
    """The operations the module's IAM client sends, in order."""

    def __init__(self, client, monkeypatch):
        self.calls = []
        real = client._make_api_call

        def call(operation, params):
            self.calls.append(operation)
            return real(operation, params)

        monkeypatch.setattr(client, "_make_api_call", call)

    def writes(self):
        return sorted(operation for operation in self.calls if operation in WRITES)

    def clear(self):
        self.calls.clear()


@pytest.fixture
def client(moto_aws):
    iam = boto3.client("iam", region_name=REGION)
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}
    iam.create_policy(PolicyName="EnhancedMonitoring", Path="/service-role/", PolicyDocument=json.dumps(document))
    yield iam


@pytest.fixture
def recorder(client, monkeypatch):
    return Recorder(client, monkeypatch)


def lambda_role(name="r1", **overrides):
    """A role as the lambda tier sets it (no managed policy, one inline policy, tags purged)."""
    role = dict(
        name=name,
        description="Execution role",
        assume_role_policy_document=copy.deepcopy(TRUST),
        managed_policy_arns=[],
        inline_policies={"least-privilege": copy.deepcopy(INLINE)},
        tags=dict(TAGS, Name=name),
        purge_tags=True,
    )
    role.update(overrides)
    return role


def monitoring_role(name="monitoring"):
    """A role as the aurora tier sets it (one AWS managed policy, no inline policy)."""
    trust = {"Version": "2012-10-17", "Statement": [dict(TRUST["Statement"][0], Condition={})]}
    trust["Statement"][0].pop("Condition")
    trust["Statement"][0]["Principal"] = {"Service": "monitoring.rds.amazonaws.com"}
    return dict(
        name=name,
        description="RDS Enhanced Monitoring",
        assume_role_policy_document=trust,
        managed_policy_arns=[MONITORING_POLICY],
        tags={"Component": "aurora-monitoring-role"},
    )


def run(run_module, client, roles, check_mode=False, diff=False):
    args = {"roles": roles, "region": REGION, "_ansible_check_mode": check_mode, "_ansible_diff": diff}
    ok, result = run_module(module, args, client)
    assert ok, result
    return result


def state(client, name):
    role = client.get_role(RoleName=name)["Role"]
    return {
        "trust": role["AssumeRolePolicyDocument"],
        "description": role.get("Description"),
        "duration": role.get("MaxSessionDuration"),
        "path": role["Path"],
        "tags": {tag["Key"]: tag["Value"] for tag in role.get("Tags", [])},
        "inline": {
            policy: client.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"]
            for policy in client.list_role_policies(RoleName=name)["PolicyNames"]
        },
        "managed": sorted(
            p["PolicyArn"] for p in client.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
        ),
    }


# ---------------------------------------------------------------- create, rerun, check mode


def test_check_mode_on_an_empty_account_plans_every_role_and_writes_nothing(client, recorder, run_module):
    roles = [lambda_role("r1"), lambda_role("r2"), monitoring_role()]
    result = run(run_module, client, roles, check_mode=True)

    assert result["changed"] is True
    assert result["changed_roles"] == ["r1", "r2", "monitoring"]
    assert [role["changed"] for role in result["roles"]] == [True, True, True]
    assert result["roles"][0]["arn"] is None
    assert result["roles"][0]["inline_policies"] == {"least-privilege": INLINE}
    assert result["roles"][2]["managed_policies"] == [MONITORING_POLICY]
    assert recorder.writes() == []
    assert recorder.calls == ["GetAccountAuthorizationDetails"]
    assert client.list_roles()["Roles"] == []


def test_create_then_a_rerun_reads_with_two_requests_and_changes_nothing(client, recorder, run_module):
    roles = [lambda_role("r1"), lambda_role("r2"), monitoring_role()]
    created = run(run_module, client, roles)

    assert created["changed_roles"] == ["r1", "r2", "monitoring"]
    assert recorder.writes() == sorted(["CreateRole"] * 3 + ["PutRolePolicy"] * 2 + ["AttachRolePolicy"])
    assert recorder.calls.count("GetRole") == 3, "the role_exists waiter, once per new role"
    for result in created["roles"]:
        assert result["arn"] == f"arn:aws:iam::{ACCOUNT}:role/{result['role_name']}"
        assert result["role_id"] and result["create_date"]
    assert state(client, "r1") == {
        "trust": TRUST,
        "description": "Execution role",
        "duration": 3600,
        "path": "/",
        "tags": dict(TAGS, Name="r1"),
        "inline": {"least-privilege": INLINE},
        "managed": [],
    }
    assert state(client, "monitoring")["managed"] == [MONITORING_POLICY]

    recorder.clear()
    again = run(run_module, client, roles)
    assert again["changed"] is False and again["changed_roles"] == []
    assert recorder.calls == ["GetAccountAuthorizationDetails", "ListRoles"]
    # the planned result of the creation is what a read returns
    for planned, read in zip(created["roles"], again["roles"], strict=True):
        assert dict(planned, changed=False) == read

    recorder.clear()
    single = run(run_module, client, [monitoring_role()], check_mode=True)
    assert single["changed"] is False
    assert recorder.calls == ["GetAccountAuthorizationDetails", "GetRole"]


def test_an_empty_list_does_nothing(client, recorder, run_module):
    result = run(run_module, client, [])
    assert result == {"changed": False, "roles": [], "changed_roles": []}
    assert recorder.calls == []


def test_diff_mode_shows_each_role_before_and_after(client, run_module):
    created = run(run_module, client, [lambda_role()], diff=True)
    assert created["diff"]["before"] == {"r1": {}}
    assert created["diff"]["after"]["r1"]["tags"] == dict(TAGS, Name="r1")
    client.tag_role(RoleName="r1", Tags=[{"Key": "Name", "Value": "by-hand"}])
    fixed = run(run_module, client, [lambda_role()], diff=True)
    assert fixed["diff"]["before"]["r1"]["tags"]["Name"] == "by-hand"
    assert fixed["diff"]["after"]["r1"]["tags"]["Name"] == "r1"
    assert "diff" not in run(run_module, client, [lambda_role()])


# ---------------------------------------------------------------- only what differs is written


DRIFT_WRITES = {
    "trust": (
        lambda c: c.update_assume_role_policy(
            RoleName="r1",
            PolicyDocument=json.dumps({**TRUST, "Statement": [{**TRUST["Statement"][0], "Condition": {}}]}),
        ),
        ["UpdateAssumeRolePolicy"],
    ),
    "description": (lambda c: c.update_role(RoleName="r1", Description="by hand"), ["UpdateRole"]),
    "tag value": (lambda c: c.tag_role(RoleName="r1", Tags=[{"Key": "Name", "Value": "x"}]), ["TagRole"]),
    "extra tag": (lambda c: c.tag_role(RoleName="r1", Tags=[{"Key": "Owner", "Value": "x"}]), ["UntagRole"]),
    "tag removed": (lambda c: c.untag_role(RoleName="r1", TagKeys=["Component"]), ["TagRole"]),
    "inline policy": (
        lambda c: c.put_role_policy(
            RoleName="r1",
            PolicyName="least-privilege",
            PolicyDocument=json.dumps({**INLINE, "Statement": INLINE["Statement"][:1]}),
        ),
        ["PutRolePolicy"],
    ),
    "inline policy deleted": (
        lambda c: c.delete_role_policy(RoleName="r1", PolicyName="least-privilege"),
        ["PutRolePolicy"],
    ),
    "another inline policy": (
        lambda c: c.put_role_policy(RoleName="r1", PolicyName="by-hand", PolicyDocument=json.dumps(INLINE)),
        [],
    ),
    "managed policy attached": (
        lambda c: c.attach_role_policy(RoleName="r1", PolicyArn=MONITORING_POLICY),
        ["DetachRolePolicy"],
    ),
}


@pytest.mark.parametrize("drift", sorted(DRIFT_WRITES))
def test_only_the_drift_is_written_and_the_next_run_changes_nothing(client, recorder, run_module, drift):
    roles = [lambda_role("r1"), lambda_role("r2")]
    run(run_module, client, roles)
    converged = state(client, "r1")
    make_drift, expected_writes = DRIFT_WRITES[drift]
    make_drift(client)
    drifted = state(client, "r1")

    recorder.clear()
    check = run(run_module, client, roles, check_mode=True)
    assert recorder.writes() == []
    assert state(client, "r1") == drifted
    assert check["changed_roles"] == (["r1"] if expected_writes else [])

    recorder.clear()
    fixed = run(run_module, client, roles)
    assert recorder.writes() == expected_writes
    assert fixed["changed_roles"] == check["changed_roles"]
    assert fixed["roles"] == check["roles"], "check mode plans what the real run does"
    if expected_writes:
        assert state(client, "r1") == converged
    assert run(run_module, client, roles)["changed"] is False


def test_description_and_session_duration_share_one_update_role(client, recorder, run_module):
    run(run_module, client, [lambda_role()])
    recorder.clear()
    result = run(run_module, client, [lambda_role(description="new", max_session_duration=7200)])
    assert recorder.writes() == ["UpdateRole"]
    assert result["roles"][0]["description"] == "new" and result["roles"][0]["max_session_duration"] == 7200
    assert state(client, "r1")["duration"] == 7200


def test_unset_options_leave_the_role_alone(client, recorder, run_module):
    run(run_module, client, [lambda_role()])
    client.tag_role(RoleName="r1", Tags=[{"Key": "Owner", "Value": "x"}])
    client.attach_role_policy(RoleName="r1", PolicyArn=MONITORING_POLICY)
    before = state(client, "r1")
    recorder.clear()
    result = run(run_module, client, [dict(UNSET, name="r1")])
    assert result["changed"] is False
    assert recorder.writes() == []
    assert state(client, "r1") == before


def test_purge_switches(client, recorder, run_module):
    run(run_module, client, [lambda_role()])
    client.tag_role(RoleName="r1", Tags=[{"Key": "Owner", "Value": "x"}])
    client.attach_role_policy(RoleName="r1", PolicyArn=MONITORING_POLICY)
    client.put_role_policy(RoleName="r1", PolicyName="by-hand", PolicyDocument=json.dumps(INLINE))
    recorder.clear()
    kept = lambda_role(purge_tags=False, purge_managed_policies=False)
    assert run(run_module, client, [kept])["changed"] is False
    purged = lambda_role(purge_inline_policies=True)
    result = run(run_module, client, [purged])
    assert recorder.writes() == ["DeleteRolePolicy", "DetachRolePolicy", "UntagRole"]
    assert result["roles"][0]["inline_policies"] == {"least-privilege": INLINE}
    assert state(client, "r1")["inline"] == {"least-privilege": INLINE}
    assert state(client, "r1")["managed"] == [] and "Owner" not in state(client, "r1")["tags"]


def test_documents_compare_semantically_and_may_be_json_text(client, recorder, run_module):
    run(run_module, client, [lambda_role()])
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
    same = lambda_role(assume_role_policy_document=json.dumps(reordered), inline_policies={"least-privilege": inline})
    same["inline_policies"]["least-privilege"] = json.dumps(inline)
    recorder.clear()
    assert run(run_module, client, [same])["changed"] is False
    assert recorder.writes() == []


def test_a_different_path_is_a_warning_not_a_change(client, run_module):
    run(run_module, client, [lambda_role(path="/service/")])
    assert client.get_role(RoleName="r1")["Role"]["Path"] == "/service/"
    result = run(run_module, client, [lambda_role(path="/other/")])
    assert result["changed"] is False
    assert any("cannot change the path" in warning for warning in result.get("warnings", []))


# ---------------------------------------------------------------- the same answer as amazon.aws


def amazon_changed(run_module, role):
    """Whether amazon.aws iam_role / iam_policy (check mode, their own clients) would change the role."""
    role_args = {
        "name": role["name"],
        "description": role["description"],
        "assume_role_policy_document": json.dumps(role["assume_role_policy_document"]),
        "create_instance_profile": False,
        "managed_policies": role["managed_policy_arns"],
        "purge_policies": True,
        "tags": role["tags"],
        "purge_tags": role.get("purge_tags", True),
        "region": REGION,
        "_ansible_check_mode": True,
    }
    if role.get("max_session_duration"):
        role_args["max_session_duration"] = role["max_session_duration"]
    ok, result = run_module(amazon_iam_role, role_args)
    assert ok, result
    changed = {"iam_role": result["changed"]}
    for name, document in role["inline_policies"].items():
        policy_args = {
            "iam_type": "role",
            "iam_name": role["name"],
            "policy_name": name,
            "policy_json": json.dumps(document),
            "region": REGION,
            "_ansible_check_mode": True,
        }
        ok, result = run_module(amazon_iam_policy, policy_args)
        assert ok, result
        changed[f"iam_policy {name}"] = result["changed"]
    return changed


AMAZON_DRIFTS = dict(
    {name: (make, {}) for name, (make, _writes) in DRIFT_WRITES.items()},
    **{
        "extra tag kept": (
            lambda c: c.tag_role(RoleName="r1", Tags=[{"Key": "Owner", "Value": "x"}]),
            {"purge_tags": False},
        ),
        "session duration": (
            lambda c: c.update_role(RoleName="r1", MaxSessionDuration=7200),
            {"max_session_duration": 3600},
        ),
    },
)


@pytest.mark.parametrize("drift", sorted(AMAZON_DRIFTS))
def test_changed_exactly_when_amazon_aws_would_change_and_after_the_run_it_would_not(client, run_module, drift):
    run(run_module, client, [lambda_role()])
    make_drift, overrides = AMAZON_DRIFTS[drift]
    make_drift(client)
    role = lambda_role(**overrides)

    ours = run(run_module, client, [role], check_mode=True)["changed"]
    theirs = amazon_changed(run_module, role)
    assert ours == any(theirs.values()), theirs

    run(run_module, client, [role])
    assert not any(amazon_changed(run_module, role).values())


def test_a_role_created_by_amazon_aws_is_converged_for_the_module(client, run_module):
    role = lambda_role()
    ok, result = run_module(
        amazon_iam_role,
        {
            "name": "r1",
            "description": role["description"],
            "assume_role_policy_document": json.dumps(TRUST),
            "create_instance_profile": False,
            "tags": role["tags"],
            "region": REGION,
        },
    )
    assert ok, result
    client.put_role_policy(RoleName="r1", PolicyName="least-privilege", PolicyDocument=json.dumps(INLINE))
    assert run(run_module, client, [role])["changed"] is False


# ---------------------------------------------------------------- failures


@pytest.mark.parametrize(
    ("roles", "message"),
    [
        ([lambda_role("a"), lambda_role("a")], "names must be distinct, repeated: a"),
        ([lambda_role("arn:aws:iam::123456789012:role/x")], "must be a role name"),
        ([lambda_role("p/x")], "must be a role name"),
        ([lambda_role(path="service")], "path must begin and end with /"),
        ([lambda_role(max_session_duration=60)], "max_session_duration must be 3600 to 43200"),
        ([lambda_role(managed_policy_arns=["AmazonRDSEnhancedMonitoringRole"])], "must be IAM policy ARNs"),
        ([lambda_role(inline_policies={"p": "{nope"})], "inline_policies.p is not JSON"),
        ([lambda_role(assume_role_policy_document="[1]")], "assume_role_policy_document must be a JSON object"),
    ],
)
def test_invalid_roles_fail_before_any_call(client, recorder, run_module, roles, message):
    ok, result = run_module(module, {"roles": roles, "region": REGION}, client)
    assert not ok
    assert message in result["msg"]
    assert recorder.calls == []


@pytest.mark.parametrize("check_mode", [True, False])
def test_creating_without_a_trust_policy_fails_naming_the_role(client, recorder, run_module, check_mode):
    role = lambda_role("new")
    del role["assume_role_policy_document"]
    ok, result = run_module(module, {"roles": [role], "region": REGION, "_ansible_check_mode": check_mode}, client)
    assert not ok
    assert "role new does not exist; creating it needs assume_role_policy_document" in result["msg"]
    assert recorder.writes() == []


def test_an_aws_error_fails_with_its_code_and_keeps_the_earlier_roles(client, run_module, monkeypatch):
    real = client._make_api_call

    def denied(operation, params):
        if operation == "CreateRole" and params["RoleName"] == "r2":
            raise client_error("AccessDenied", operation, "not authorized to CreateRole")
        return real(operation, params)

    monkeypatch.setattr(client, "_make_api_call", denied)
    ok, result = run_module(module, {"roles": [lambda_role("r1"), lambda_role("r2")], "region": REGION}, client)
    assert not ok
    assert "create role" in result["msg"]
    assert result["error"]["code"] == "AccessDenied"
    assert [role["RoleName"] for role in client.list_roles()["Roles"]] == ["r1"]
