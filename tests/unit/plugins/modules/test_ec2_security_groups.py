"""payments.infra.ec2_security_groups (moto): one read, creates with tags, peers by name, default egress purged,
descriptions updated in place, the default group stripped, check mode writes nothing, and the compare-first filter
security_group_differences agrees with what the module does."""

import boto3
import pytest
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.amazon.aws.plugins.modules import ec2_security_group
from ansible_collections.payments.infra.plugins.filter.security_group_differences import security_group_differences
from ansible_collections.payments.infra.plugins.filter.sg_rules import sg_rules
from ansible_collections.payments.infra.plugins.module_utils.vpc_resources import normalize_security_group
from ansible_collections.payments.infra.plugins.modules import ec2_security_groups as module
from aws_fakes import Recorder, client_error

WRITES = (
    "CreateSecurityGroup",
    "AuthorizeSecurityGroupIngress",
    "AuthorizeSecurityGroupEgress",
    "RevokeSecurityGroupIngress",
    "RevokeSecurityGroupEgress",
    "UpdateSecurityGroupRuleDescriptionsIngress",
    "UpdateSecurityGroupRuleDescriptionsEgress",
    "CreateTags",
    "DeleteTags",
)


@pytest.fixture
def ec2(moto_aws):
    yield boto3.client("ec2", region_name="us-east-1")


@pytest.fixture
def vpc(ec2):
    return ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]


@pytest.fixture
def recorder(monkeypatch, ec2):
    return Recorder(monkeypatch, ec2, writes=WRITES)


def groups():
    """Three groups like the network tier's: SG -> SG rules by name in both directions, CIDRs, no egress."""
    return [
        {
            "name": "alb",
            "description": "ALB",
            "rules": [
                {"proto": "tcp", "ports": [443], "group_name": "link", "rule_desc": "HTTPS from the link"},
                {"proto": "tcp", "ports": [443], "cidr_ip": ["10.0.0.0/16", "192.168.0.0/24"], "rule_desc": "VPC"},
            ],
            "rules_egress": [{"proto": "tcp", "ports": ["8443"], "cidr_ip": "10.0.8.0/24", "rule_desc": "targets"}],
            "tags": {"Name": "alb", "Component": "alb-sg"},
        },
        {
            "name": "link",
            "description": "VPC link",
            "rules": [],
            "rules_egress": [{"proto": "tcp", "ports": [443], "group_name": ["alb"], "rule_desc": "to the ALB"}],
            "tags": {"Name": "link"},
        },
        {
            "name": "db",
            "description": "Aurora",
            "rules": [{"proto": "tcp", "ports": ["5432"], "group_name": "link"}],
            "rules_egress": [],
            "tags": {"Name": "db"},
        },
    ]


def args(vpc, items, **extra):
    return {"vpc_id": vpc, "groups": items, "default_group": "strip", **extra}


def found(ec2, vpc):
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"]
    return [normalize_security_group(group) for group in groups]


def by_name(ec2, vpc):
    return {group["group_name"]: group for group in found(ec2, vpc)}


def test_converge_then_rerun(ec2, vpc, recorder, run_module):
    assert security_group_differences(found(ec2, vpc), groups(), "strip") == ["alb", "link", "db", "default"]
    recorder.clear()
    ok, result = run_module(module, args(vpc, groups()), ec2)
    assert ok, result
    assert result["changed"] is True
    assert result["changed_groups"] == ["alb", "link", "db", "default"]
    assert [group["group_name"] for group in result["security_groups"]] == ["alb", "link", "db"]
    assert recorder.count("DescribeSecurityGroups") == 2  # the read and the re-read of what changed
    assert recorder.count("CreateSecurityGroup") == 3 and recorder.count("CreateTags") == 0
    state = by_name(ec2, vpc)
    ids = {name: group["group_id"] for name, group in state.items()}
    assert result["security_group_ids"] == ids
    for returned in result["security_groups"]:
        assert {k: v for k, v in returned.items() if k != "changed"} == state[returned["group_name"]]
    assert state["alb"]["tags"] == {"Name": "alb", "Component": "alb-sg"}
    assert sg_rules(state["alb"]["ip_permissions"], reported=True) == [
        "6|443|443|cidr:10.0.0.0/16|VPC",
        "6|443|443|cidr:192.168.0.0/24|VPC",
        f"6|443|443|group:{ids['link']}|HTTPS from the link",
    ]
    # AWS's allow-all egress of a new group is gone where egress is set.
    assert sg_rules(state["alb"]["ip_permissions_egress"], reported=True) == ["6|8443|8443|cidr:10.0.8.0/24|targets"]
    assert state["db"]["ip_permissions_egress"] == []
    assert sg_rules(state["db"]["ip_permissions"], reported=True) == [f"6|5432|5432|group:{ids['link']}|"]
    assert state["default"]["ip_permissions"] == [] and state["default"]["ip_permissions_egress"] == []

    assert security_group_differences(found(ec2, vpc), groups(), "strip") == []
    recorder.clear()
    ok, again = run_module(module, args(vpc, groups()), ec2)
    assert ok, again
    assert again["changed"] is False and again["changed_groups"] == []
    assert recorder.operations() == ["DescribeSecurityGroups"]
    assert again["security_group_ids"] == ids


def test_same_end_state_as_amazon_aws(ec2, recorder, run_module, monkeypatch):
    """What amazon.aws.ec2_security_group makes (purge rules, egress, tags) is what this module makes."""
    ours, theirs = (ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"] for _vpc in range(2))
    ok, result = run_module(module, args(ours, groups(), default_group="keep"), ec2)
    assert ok, result
    clients = {"ec2": ec2, "sts": boto3.client("sts", region_name="us-east-1")}

    def client(self, service, retry_decorator=None, **kwargs):
        conn = clients[service]
        return conn if retry_decorator is None else RetryingBotoClientWrapper(conn, retry_decorator)

    monkeypatch.setattr(AnsibleAWSModule, "client", client)
    monkeypatch.setattr(ec2_security_group, "sleep", lambda seconds: None)
    for item in groups():
        ok, made = run_module(ec2_security_group, {"name": item["name"], "description": "x", "vpc_id": theirs}, ec2)
        assert ok, made
    ids = {group["group_name"]: group["group_id"] for group in found(ec2, theirs)}
    for item in groups():
        options = {"name": item["name"], "description": item["description"], "vpc_id": theirs, "tags": item["tags"]}
        for option in ("rules", "rules_egress"):
            options[option] = [
                dict(
                    {k: v for k, v in rule.items() if k != "group_name"},
                    group_id=[
                        ids[name]
                        for name in (
                            [rule["group_name"]] if isinstance(rule["group_name"], str) else rule["group_name"]
                        )
                    ],
                )
                if "group_name" in rule
                else rule
                for rule in item[option]
            ]
        ok, made = run_module(ec2_security_group, options, ec2)
        assert ok, made
    ours_state, theirs_state = by_name(ec2, ours), by_name(ec2, theirs)
    our_ids = {name: group["group_id"] for name, group in ours_state.items()}
    swap = {our_ids[name]: ids[name] for name in ids}
    for item in groups():
        for key in ("ip_permissions", "ip_permissions_egress"):
            mine = sorted(
                next((text.replace(k, v) for k, v in swap.items() if k in text), text)
                for text in sg_rules(ours_state[item["name"]][key], reported=True)
            )
            assert mine == sg_rules(theirs_state[item["name"]][key], reported=True), (item["name"], key)
        assert ours_state[item["name"]]["tags"] == theirs_state[item["name"]]["tags"]


def test_check_mode_on_empty_writes_nothing(ec2, vpc, recorder, run_module):
    ok, result = run_module(module, dict(args(vpc, groups()), _ansible_check_mode=True, _ansible_diff=True), ec2)
    assert ok, result
    assert result["changed"] is True and result["changed_groups"] == ["alb", "link", "db", "default"]
    assert recorder.writes() == [] and recorder.operations() == ["DescribeSecurityGroups"]
    assert result["security_group_ids"]["alb"] is None
    assert sorted(result["diff"]["after"]) == ["alb", "db", "default", "link"]
    assert result["diff"]["before"]["alb"] == {}
    assert sorted(by_name(ec2, vpc)) == ["default"]
    after = result["diff"]["after"]["alb"]
    assert sg_rules(after["ip_permissions_egress"], reported=True) == ["6|8443|8443|cidr:10.0.8.0/24|targets"]
    assert "6|443|443|group:(new:link)|HTTPS from the link" in sg_rules(after["ip_permissions"], reported=True)


def test_drift_is_corrected_exactly(ec2, vpc, recorder, run_module):
    ok, result = run_module(module, args(vpc, groups()), ec2)
    assert ok, result
    ids = result["security_group_ids"]
    # alb: a rule's description changed; link: an extra ingress rule; db: a tag changed.
    ec2.update_security_group_rule_descriptions_ingress(
        GroupId=ids["alb"],
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "10.0.0.0/16", "Description": "x"}],
            }
        ],
    )
    ec2.authorize_security_group_ingress(
        GroupId=ids["link"],
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    ec2.create_tags(Resources=[ids["db"]], Tags=[{"Key": "Name", "Value": "other"}, {"Key": "Extra", "Value": "1"}])
    assert security_group_differences(found(ec2, vpc), groups(), "strip") == ["alb", "link", "db"]
    recorder.clear()
    ok, check = run_module(module, dict(args(vpc, groups()), _ansible_check_mode=True), ec2)
    assert ok and check["changed_groups"] == ["alb", "link", "db"] and recorder.writes() == []
    recorder.clear()
    ok, fixed = run_module(module, args(vpc, groups()), ec2)
    assert ok, fixed
    assert fixed["changed_groups"] == ["alb", "link", "db"]
    assert [g["changed"] for g in fixed["security_groups"]] == [True, True, True]
    assert recorder.writes() == [
        "CreateTags",
        "DeleteTags",
        "RevokeSecurityGroupIngress",
        "UpdateSecurityGroupRuleDescriptionsIngress",
    ]
    assert security_group_differences(found(ec2, vpc), groups(), "strip") == []
    assert by_name(ec2, vpc)["db"]["tags"] == {"Name": "db"}


def test_unknown_peer_fails_before_any_write(ec2, vpc, recorder, run_module):
    items = groups()
    items[2]["rules"][0]["group_name"] = "nowhere"
    ok, result = run_module(module, args(vpc, items), ec2)
    assert not ok and "nowhere" in result["msg"]
    assert recorder.writes() == []


def test_bad_input_fails_before_any_call(ec2, vpc, recorder, run_module):
    for items, message in (
        ([groups()[0], groups()[0]], "repeated: alb"),
        ([{"name": "default", "description": "d"}], "default_group"),
        ([{"name": "a", "description": "d", "rules": [{"ports": [443]}]}], "needs a peer"),
        ([{"name": "a", "description": "d", "rules": [{"ports": ["x"], "cidr_ip": ["10.0.0.0/8"]}]}], "'x'"),
    ):
        ok, result = run_module(module, args(vpc, items), ec2)
        assert not ok and message in result["msg"], result
    assert recorder.operations() == []


def test_new_group_not_visible_yet_is_retried(ec2, vpc, run_module, monkeypatch):
    """AWS is eventually consistent: the first write to a new group may answer InvalidGroup.NotFound."""
    real = ec2._make_api_call
    failures = []

    def flaky(operation, params):
        if operation == "AuthorizeSecurityGroupEgress" and not failures:
            failures.append(operation)
            raise client_error("InvalidGroup.NotFound", operation)
        return real(operation, params)

    monkeypatch.setattr(ec2, "_make_api_call", flaky)
    ok, result = run_module(module, args(vpc, groups()), ec2)
    assert ok, result
    assert failures == ["AuthorizeSecurityGroupEgress"]
    assert security_group_differences(found(ec2, vpc), groups(), "strip") == []


def test_keep_leaves_default_and_unset_rules_alone(ec2, vpc, recorder, run_module):
    items = [{"name": "open", "description": "d", "rules": [{"proto": "all", "cidr_ip": ["10.0.0.0/8"]}]}]
    ok, result = run_module(module, args(vpc, items, default_group="keep"), ec2)
    assert ok, result
    state = by_name(ec2, vpc)
    assert result["default_group"] is None and state["default"]["ip_permissions_egress"]
    assert sg_rules(state["open"]["ip_permissions_egress"], reported=True) == ["-1|-1|-1|cidr:0.0.0.0/0|"]
    assert sg_rules(state["open"]["ip_permissions"], reported=True) == ["-1|-1|-1|cidr:10.0.0.0/8|"]
    assert security_group_differences(found(ec2, vpc), items) == []
    recorder.clear()
    ok, again = run_module(module, args(vpc, items, default_group="keep"), ec2)
    assert ok and not again["changed"] and recorder.writes() == []


def test_a_peer_rule_removed_is_revoked(ec2, vpc, recorder, run_module):
    ok, result = run_module(module, args(vpc, groups()), ec2)
    assert ok, result
    items = groups()
    items[0]["rules"] = items[0]["rules"][1:]  # alb: no more HTTPS from the link group
    assert security_group_differences(found(ec2, vpc), items, "strip") == ["alb"]
    recorder.clear()
    ok, fixed = run_module(module, args(vpc, items), ec2)
    assert ok, fixed
    assert fixed["changed_groups"] == ["alb"] and recorder.writes() == ["RevokeSecurityGroupIngress"]
    assert security_group_differences(found(ec2, vpc), items, "strip") == []
    assert sg_rules(by_name(ec2, vpc)["alb"]["ip_permissions"], reported=True) == [
        "6|443|443|cidr:10.0.0.0/16|VPC",
        "6|443|443|cidr:192.168.0.0/24|VPC",
    ]


def test_a_run_stopped_after_some_creations_is_finished_by_the_next(ec2, vpc, recorder, run_module, monkeypatch):
    """A run that dies after creating the first group (killed, or failing as here) leaves a tagged group: the next
    run finds it by name, creates only the others and sets every group's rules; no duplicate."""
    real = ec2._make_api_call
    created = []

    def dies_at_second_create(operation, params):
        if operation == "CreateSecurityGroup":
            if created:
                raise client_error("InternalError", operation)
            created.append(params["GroupName"])
        return real(operation, params)

    monkeypatch.setattr(ec2, "_make_api_call", dies_at_second_create)
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    ok, result = run_module(module, args(vpc, groups()), ec2)
    assert not ok and "create security group" in result["msg"].lower(), result
    left = by_name(ec2, vpc)
    assert sorted(left) == ["alb", "default"] and left["alb"]["tags"] == groups()[0]["tags"]
    assert security_group_differences(found(ec2, vpc), groups(), "strip") == ["alb", "link", "db", "default"]

    monkeypatch.setattr(ec2, "_make_api_call", real)
    ok, result = run_module(module, args(vpc, groups()), ec2)
    assert ok, result
    assert sorted(by_name(ec2, vpc)) == ["alb", "db", "default", "link"]
    assert result["security_group_ids"]["alb"] == left["alb"]["group_id"]
    assert security_group_differences(found(ec2, vpc), groups(), "strip") == []
