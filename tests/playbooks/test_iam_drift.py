"""The IAM roles (network flow logs, Aurora monitoring, the four Lambda roles), one payments.infra.iam_roles call per
tier: a no-op rerun reads the roles once per tier (2 requests) and writes nothing; a drift made with boto3 on a
converged account is reported by --check without any write, then corrected by a rerun of those tiers, exactly
where it was made and with exactly the writes it needs, and the rerun after that reports changed=0.

The tiers that own IAM roles (and those they need) are converged with --tags, not the whole site.yml.
"""

import copy
import json
import re
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import boto3
import pytest
from test_check_mode import classify

pytestmark = [pytest.mark.slow, pytest.mark.emulator]

ROOT = Path(__file__).resolve().parents[2]
ENV = "local"
CONVERGE_TAGS = "network,secrets,aurora,dynamodb,storage,lambda"
IAM_TAGS = "network,aurora,lambda"
IAM_MODULE = "payments.infra.iam_roles"
IAM_MODULES = (IAM_MODULE, "amazon.aws.iam_role", "amazon.aws.iam_policy")
RECAP = re.compile(r"^localhost\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.MULTILINE)
TASK = re.compile(r"^TASK \[(.+?)\] \*+$")
# -v: a changed result is followed by its JSON on the same line
CHANGED = re.compile(r"^changed: \[localhost\](?: => \(item=(.+?)\))?(?: => (\{.*\}))?\s*$")

VALIDATION = f"payment-payment-validation-{ENV}"
PROCESSING = f"payment-transaction-processing-{ENV}"
FRAUD = f"payment-fraud-detection-{ENV}"
FLOW_LOGS = f"payment-{ENV}-flow-logs"
MONITORING = f"payment-aurora-{ENV}-monitoring"
MONITORING_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"

LAMBDA_ROLES_TASK = (
    "payments.infra.lambda : Create or update the functions' IAM roles and inline policies where they differ"
)
FLOW_LOGS_ROLE_TASK = (
    "payments.infra.network : Create or update the role that delivers flow logs and its inline policy where they differ"
)
MONITORING_ROLE_TASK = "payments.infra.aurora : Create or update the Enhanced Monitoring role where it differs"


def changed_items(output):
    """[(task, item or None)] of every `changed:` line of the default callback's output (-v), in order; a
    payments.infra.iam_roles result counts once per role it changed, with the role's name as the item."""
    task = None
    found = []
    for line in output.splitlines():
        header = TASK.match(line)
        if header:
            task = header.group(1)
            continue
        change = CHANGED.match(line)
        if change:
            result = json.loads(change.group(2)) if change.group(2) else {}
            if result.get("changed_roles") is not None:
                found.extend((task, role) for role in result["changed_roles"])
            else:
                found.append((task, change.group(1)))
    return found


def test_changed_items_parses_the_default_callback():
    output = (
        "TASK [payments.infra.lambda : Create things] ***\n"
        "skipping: [localhost] => (item=a)\n"
        "changed: [localhost] => (item=b)\n"
        "TASK [payments.infra.network : One] ******\n"
        "changed: [localhost]\n"
        "ok: [localhost]\n"
        "TASK [payments.infra.aurora : Roles] ******\n"
        'changed: [localhost] => {"changed": true, "changed_roles": ["r1", "r2"], "roles": []}\n'
        "TASK [payments.infra.lambda : Loop -v] ***\n"
        'changed: [localhost] => (item=c) => {"changed": true, "item": "c"}\n'
    )
    assert changed_items(output) == [
        ("payments.infra.lambda : Create things", "b"),
        ("payments.infra.network : One", None),
        ("payments.infra.aurora : Roles", "r1"),
        ("payments.infra.aurora : Roles", "r2"),
        ("payments.infra.lambda : Loop -v", "c"),
    ]


class Run(NamedTuple):
    changes: list  # [(task, item or None)] that reported changed
    changed: int  # changed tasks in the play recap
    iam_calls: Counter  # IAM module calls by module (loop items counted one by one)
    operations: Counter  # requests by "service:Operation"


class Runner:
    def __init__(self, playbook, tmp_path):
        self.playbook = playbook
        self.task_log = tmp_path / "tasks.jsonl"
        playbook.env.update(
            ANSIBLE_CALLBACK_PLUGINS=str(ROOT / "bench" / "callback_plugins"),
            ANSIBLE_CALLBACKS_ENABLED="ansible.posix.profile_tasks,payments_bench",
            BENCH_TASK_LOG=str(self.task_log),
        )

    def run(self, *args):
        """One site.yml run, which must succeed."""
        self.task_log.unlink(missing_ok=True)
        mark = self.playbook.emulator.mark()
        result = self.playbook.run(*args)
        output = result.stdout + result.stderr
        assert result.returncode == 0, output[-8000:]
        recap = RECAP.search(result.stdout)
        assert recap, result.stdout[-3000:]
        tasks = [json.loads(line) for line in self.task_log.read_text().splitlines()]
        iam_calls = Counter()
        for task in tasks:
            if task.get("type") == "task" and task["module"] in IAM_MODULES and task["status"] not in (None, "skipped"):
                iam_calls[task["module"]] += task["items"] or 1
        by_operation = json.loads(self.playbook.emulator.run("requests", "--json", "--since", str(mark)))[
            "by_operation"
        ]
        return Run(changed_items(result.stdout), int(recap.group(2)), iam_calls, Counter(by_operation))


def iam_operations(by_operation):
    return Counter({op.partition(":")[2]: n for op, n in by_operation.items() if op.startswith("iam:")})


def writes(by_operation):
    return {op: n for op, n in by_operation.items() if classify(op)[0] == "write"}


def drift(iam):
    """Five drifts, each on what one of the amazon.aws IAM modules sets. Returns what each role held before."""
    before = {
        name: {
            "role": iam.get_role(RoleName=name)["Role"],
            "policies": {
                policy: iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"]
                for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]
            },
            "managed": sorted(
                p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
            ),
        }
        for name in (VALIDATION, PROCESSING, FRAUD, FLOW_LOGS, MONITORING)
    }
    # trust policy: drop the confused-deputy condition
    trust = copy.deepcopy(before[VALIDATION]["role"]["AssumeRolePolicyDocument"])
    assert trust["Statement"][0].pop("Condition")
    iam.update_assume_role_policy(RoleName=VALIDATION, PolicyDocument=json.dumps(trust))
    # tag: another value
    iam.tag_role(RoleName=PROCESSING, Tags=[{"Key": "Component", "Value": "changed-by-hand"}])
    # inline policy: a wider statement added
    widened = copy.deepcopy(before[FRAUD]["policies"]["least-privilege"])
    widened["Statement"].append({"Sid": "ByHand", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]})
    iam.put_role_policy(RoleName=FRAUD, PolicyName="least-privilege", PolicyDocument=json.dumps(widened))
    # another role's inline policy deleted, another's managed policy detached
    iam.delete_role_policy(RoleName=FLOW_LOGS, PolicyName="write-flow-logs")
    iam.detach_role_policy(RoleName=MONITORING, PolicyArn=MONITORING_POLICY)
    return before


EXPECTED_CHANGES = sorted(
    [
        (LAMBDA_ROLES_TASK, VALIDATION),
        (LAMBDA_ROLES_TASK, PROCESSING),
        (LAMBDA_ROLES_TASK, FRAUD),
        (FLOW_LOGS_ROLE_TASK, FLOW_LOGS),
        (MONITORING_ROLE_TASK, MONITORING),
    ],
    key=str,
)
# one write per drift: trust policy, tag, inline policy put back twice, managed policy attached again
EXPECTED_FIX_WRITES = {"UpdateAssumeRolePolicy": 1, "TagRole": 1, "PutRolePolicy": 2, "AttachRolePolicy": 1}
# one payments.infra.iam_roles call per tier (network, aurora, lambda), no amazon.aws IAM module
EXPECTED_IAM_CALLS = Counter({IAM_MODULE: 3})


def state(iam, name):
    role = iam.get_role(RoleName=name)["Role"]
    return {
        "trust": role["AssumeRolePolicyDocument"],
        "description": role.get("Description"),
        "tags": {tag["Key"]: tag["Value"] for tag in role.get("Tags", [])},
        "policies": {
            policy: iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"]
            for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]
        },
        "managed": sorted(p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]),
    }


def test_iam_drift_is_corrected_exactly_and_the_noop_reads_once(playbook, tmp_path, record_property):
    runner = Runner(playbook, tmp_path)
    runner.run("--tags", CONVERGE_TAGS)

    # no-op: one iam_roles call (one read) per tier, changed=0
    noop = runner.run("--tags", IAM_TAGS)
    assert noop.changed == 0, noop.changes
    noop_iam = iam_operations(noop.operations)
    assert noop.iam_calls == EXPECTED_IAM_CALLS, noop.iam_calls
    # one GetAccountAuthorizationDetails per tier, plus GetRole (one role) or ListRoles (the four Lambda roles);
    # ListAccountAliases is amazon.aws.aws_caller_info's, not a role read
    role_reads = {op: n for op, n in noop_iam.items() if op != "ListAccountAliases"}
    assert role_reads == {"GetAccountAuthorizationDetails": 3, "GetRole": 2, "ListRoles": 1}, noop_iam
    assert not writes(noop.operations), writes(noop.operations)

    aws = playbook.emulator.aws_env()
    iam = boto3.client(
        "iam",
        endpoint_url=aws["AWS_ENDPOINT_URL"],
        region_name=aws["AWS_REGION"],
        aws_access_key_id=aws["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=aws["AWS_SECRET_ACCESS_KEY"],
    )
    before = drift(iam)
    drifted = {name: state(iam, name) for name in before}
    assert drifted[VALIDATION]["trust"] != before[VALIDATION]["role"]["AssumeRolePolicyDocument"]

    # check mode: the same changes reported, nothing written
    check = runner.run("--tags", IAM_TAGS, "--check", "-v")
    assert sorted(check.changes, key=str) == EXPECTED_CHANGES
    assert not writes(check.operations), writes(check.operations)
    assert {name: state(iam, name) for name in before} == drifted

    # the rerun corrects exactly the drifts
    fix = runner.run("--tags", IAM_TAGS, "-v")
    assert sorted(fix.changes, key=str) == EXPECTED_CHANGES
    assert fix.changed == 3, "the iam_roles task of each tier, 5 roles"
    assert fix.iam_calls == EXPECTED_IAM_CALLS, fix.iam_calls
    after = {name: state(iam, name) for name in before}
    for name, held in before.items():
        assert after[name]["trust"] == held["role"]["AssumeRolePolicyDocument"], name
        assert after[name]["description"] == held["role"].get("Description"), name
        assert after[name]["tags"] == {tag["Key"]: tag["Value"] for tag in held["role"].get("Tags", [])}, name
        assert after[name]["policies"] == held["policies"], name
        assert after[name]["managed"] == held["managed"], name
    fix_writes = {op.partition(":")[2]: n for op, n in writes(fix.operations).items() if op.startswith("iam:")}
    assert fix_writes == EXPECTED_FIX_WRITES, fix_writes

    # and the next rerun is a no-op again
    again = runner.run("--tags", IAM_TAGS)
    assert again.changed == 0, again.changes
    assert again.iam_calls == EXPECTED_IAM_CALLS, again.iam_calls
    assert iam_operations(again.operations) == noop_iam, "the no-op reads as before the drift"

    record_property(
        "figure",
        f"iam-drift: no-op {IAM_TAGS} {sum(role_reads.values())} IAM role requests for 6 roles "
        f"({', '.join(f'{op} {n}' for op, n in sorted(role_reads.items()))}), "
        f"{sum(noop.iam_calls.values())} IAM module calls (iam_roles); "
        f"5 drifts (trust, tag, inline x2, managed) -> --check reported {len(check.changes)}, 0 writes; "
        f"rerun corrected exactly {len(fix.changes)} with {sum(fix.iam_calls.values())} module calls "
        f"({', '.join(f'{op} {n}' for op, n in sorted(fix_writes.items()))}); next rerun changed=0",
    )
