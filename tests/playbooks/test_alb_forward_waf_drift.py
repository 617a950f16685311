"""alb_bluegreen compare-first (issue #8): the weighted forward and the web ACL association are not rerun on a no-op.

The role reads the load balancer (listeners, attributes, tags, the web ACL it is associated with) and the target groups
with one call of payments.infra.elbv2_resources_info, and runs payments.infra.alb_weighted_forward only when the HTTPS
listener's weights or stickiness differ from what it would set, community.aws.wafv2_resources only when the load
balancer is not associated with the tier's web ACL, and community.aws.wafv2_web_acl_info only when the association did
not return the web ACL.

One converge of the network and ALB tiers; a no-op rerun of --tags alb_bluegreen makes exactly NOOP_MODULE_CALLS module
calls and no write; then two drifts made with boto3 (the weights and stickiness changed with ModifyListener, the web
ACL disassociated): --check reports exactly their two tasks and writes nothing, the rerun corrects exactly those (and
boto3 sees both fixed), a further rerun is changed=0 with no write, and --check on the converged account is changed=0.
"""

import json
import re

import boto3
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.emulator]

ENV = "local"
ALB = f"payment-alb-{ENV}"
BLUE = f"payment-blue-{ENV}"
GREEN = f"payment-green-{ENV}"
WAF = f"payment-waf-{ENV}"
ROLE = "payments.infra.alb_bluegreen : "
FORWARD_TASK = ROLE + "Forward blue and green by weight"
ASSOCIATE_TASK = ROLE + "Associate the web ACL with the load balancer"
# Every task of the role that calls an AWS module on a run of a converged account.
MODULE_TASKS = {
    ROLE + "Identify the account",
    ROLE + "Read the load balancer, its listeners and web ACL, and the target groups",
    ROLE + "Read the web ACL",
    ROLE + "Find the imported certificate",
    ROLE + "Read the access log bucket",
    ROLE + "Create or update the access log bucket (SSE-S3, no public access, delivery policy)",
    ROLE + "Expire old access logs",
    ROLE + "Create or update the blue and green target groups",
    ROLE + "Create or update the internal load balancer (private subnets, ALB security group, access logs)",
    FORWARD_TASK,
    ROLE + "Wait until the load balancer is active",
    ROLE + "Create or update the web ACL",
    ASSOCIATE_TASK,
}
# The no-op reads: elbv2_resources_info, acm_certificate_info, s3_bucket_settings_info (was 8: aws_caller_info,
# elb_application_lb_info, elb_target_group_info, wafv2_web_acl_info, acm_certificate_info, s3_bucket_settings_info,
# alb_weighted_forward, wafv2_resources).
NOOP_MODULE_CALLS = 3
WRITE = re.compile(
    r"^(\w+:)?(Create|Put|Delete|Update|Modify|Tag|Untag|Add|Remove|Set|Associate|Disassociate|Attach|Register)"
)
TASK = re.compile(r"^TASK \[(.+)\] \*+")


def _recap(output):
    match = re.search(r"^localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", output, re.M)
    assert match, output[-8000:]
    return dict(zip(("ok", "changed", "unreachable", "failed"), map(int, match.groups()), strict=True))


def _tasks(output, status):
    """Names of the tasks with a line of this status (ok|changed), a loop counting once."""
    found, task = set(), None
    for line in output.splitlines():
        header = TASK.match(line)
        if header:
            task = header.group(1)
        elif task and re.match(rf"^({status}): ", line):
            found.add(task)
    return found


def _module_calls(output):
    calls, task = 0, None
    for line in output.splitlines():
        header = TASK.match(line)
        if header:
            task = header.group(1)
        elif task in MODULE_TASKS and re.match(r"^(ok|changed): \[localhost\]", line):
            calls += 1
    return calls


def _run(playbook, *args):
    mark = playbook.emulator.mark()
    result = playbook.run(*args)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-10000:]
    log = playbook.emulator.state_dir / "requests.jsonl"
    entries = [json.loads(line) for line in log.read_text().splitlines()[mark:] if line.strip()]
    writes = [e["operation"] for e in entries if WRITE.match(e["operation"])]
    return output, entries, writes


def _clients(playbook):
    env = playbook.emulator.aws_env()
    kwargs = {
        "endpoint_url": env["AWS_ENDPOINT_URL"],
        "region_name": "us-east-1",
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    return boto3.client("elbv2", **kwargs), boto3.client("wafv2", **kwargs)


def _state(elbv2, wafv2):
    """The HTTPS listener's forward config (weights by target group name, stickiness) and the ALB's web ACL name."""
    alb = elbv2.describe_load_balancers(Names=[ALB])["LoadBalancers"][0]["LoadBalancerArn"]
    (listener,) = [lst for lst in elbv2.describe_listeners(LoadBalancerArn=alb)["Listeners"] if lst["Port"] == 443]
    names = {
        group["TargetGroupArn"]: group["TargetGroupName"]
        for group in elbv2.describe_target_groups(Names=[BLUE, GREEN])["TargetGroups"]
    }
    config = listener["DefaultActions"][0]["ForwardConfig"]
    web_acl = wafv2.get_web_acl_for_resource(ResourceArn=alb).get("WebACL")
    return {
        "weights": {names[group["TargetGroupArn"]]: group["Weight"] for group in config["TargetGroups"]},
        "stickiness": config.get("TargetGroupStickinessConfig", {}).get("Enabled", False),
        "web_acl": web_acl["Name"] if web_acl else None,
        "listener": listener,
        "alb": alb,
    }


def test_forward_and_web_acl_association_are_compared_first(playbook, record_property):
    converge, _entries, _writes = _run(playbook, "--tags", "network,alb_bluegreen")
    assert _recap(converge)["failed"] == 0
    elbv2, wafv2 = _clients(playbook)
    converged = _state(elbv2, wafv2)
    assert converged["weights"] == {BLUE: 90, GREEN: 10} and converged["web_acl"] == WAF
    assert converged["stickiness"] is False

    noop, noop_entries, noop_writes = _run(playbook, "--tags", "alb_bluegreen")
    assert _recap(noop)["changed"] == 0, noop[-10000:]
    assert noop_writes == [], noop_writes
    assert _module_calls(noop) == NOOP_MODULE_CALLS, sorted(_tasks(noop, "ok") & MODULE_TASKS)
    assert not {FORWARD_TASK, ASSOCIATE_TASK} & _tasks(noop, "ok|changed")

    # The drifts: 50/50 with stickiness on, and the web ACL taken off the load balancer.
    forward = {
        "Type": "forward",
        "ForwardConfig": {
            "TargetGroups": [
                {"TargetGroupArn": group["TargetGroupArn"], "Weight": 50}
                for group in converged["listener"]["DefaultActions"][0]["ForwardConfig"]["TargetGroups"]
            ],
            "TargetGroupStickinessConfig": {"Enabled": True, "DurationSeconds": 300},
        },
    }
    elbv2.modify_listener(ListenerArn=converged["listener"]["ListenerArn"], DefaultActions=[forward])
    wafv2.disassociate_web_acl(ResourceArn=converged["alb"])
    drifted = _state(elbv2, wafv2)
    assert drifted["weights"] == {BLUE: 50, GREEN: 50} and drifted["stickiness"] is True and drifted["web_acl"] is None

    # The role keeps the listener's own weights unless enforced: the stickiness alone is corrected by default.
    check, _entries, check_writes = _run(playbook, "--check", "--tags", "alb_bluegreen")
    assert check_writes == [], check_writes
    assert _tasks(check, "changed") == {FORWARD_TASK, ASSOCIATE_TASK}, check[-10000:]
    assert {k: v for k, v in _state(elbv2, wafv2).items() if k != "listener"} == {
        k: v for k, v in drifted.items() if k != "listener"
    }

    fix, _entries, _writes = _run(playbook, "--tags", "alb_bluegreen", "-e", "alb_bluegreen_enforce_weights=true")
    assert _tasks(fix, "changed") == {FORWARD_TASK, ASSOCIATE_TASK}, fix[-10000:]
    assert _recap(fix)["changed"] == 2, fix[-10000:]
    fixed = _state(elbv2, wafv2)
    assert (fixed["weights"], fixed["stickiness"], fixed["web_acl"]) == ({BLUE: 90, GREEN: 10}, False, WAF)

    again, again_entries, again_writes = _run(playbook, "--tags", "alb_bluegreen")
    assert _recap(again)["changed"] == 0 and again_writes == [], again[-10000:]
    assert _module_calls(again) == NOOP_MODULE_CALLS
    converged_check, _entries, check_writes = _run(playbook, "--check", "--tags", "alb_bluegreen")
    assert _recap(converged_check)["changed"] == 0 and check_writes == [], converged_check[-10000:]

    record_property(
        "figure",
        f"alb forward/WAF compare-first: no-op --tags alb_bluegreen {_module_calls(noop)} module calls of the role,"
        f" {len(noop_entries)} requests, 0 writes (rerun after the fix: {len(again_entries)}); weights+stickiness"
        f" drift and web ACL disassociation reported by --check (0 writes) and corrected by exactly their 2 tasks",
    )
