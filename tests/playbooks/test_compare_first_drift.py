"""Compare-first skips (issue #8) still correct drift: secrets, aurora, storage and alb_bluegreen tiers.

A rerun of these tiers now reads each resource once and runs the writing module only for what differs: the DB
secret's KMS key is compared by ARN without DescribeKey, the cluster parameter group module runs only when its tags
(or family) differ, the audit bucket and the ALB access log bucket are read with payments.infra.s3_bucket_settings_info
and s3_bucket / s3_lifecycle / the retention task run only for a setting that differs, and elb_target_group,
elb_application_lb and wafv2_web_acl run only when what lookup.yml read differs from what they would set.

One converge of the four tiers (and the network), then one drift of each skipped kind made with boto3: --check
reports them and writes nothing, the rerun corrects exactly those (the changed tasks are exactly the modules that
own the drifts, and boto3 sees each one fixed), a further rerun is changed=0 and sends no write, and --check on the
converged account is changed=0.
"""

import json
import re

import boto3
import pytest

TAGS = "network,secrets,aurora,storage,alb_bluegreen"
RERUN_TAGS = "secrets,aurora,storage,alb_bluegreen"
ENV = "local"
AUDIT_BUCKET = f"payment-audit-logs-{ENV}"
LOGS_BUCKET = f"payment-alb-logs-{ENV}"
DB_SECRET = f"db-credentials-{ENV}"
CLUSTER = f"payment-aurora-{ENV}"
ALB = f"payment-alb-{ENV}"
GREEN = f"payment-green-{ENV}"
WAF = f"payment-waf-{ENV}"
# The tasks each drift below must make run (and report changed), by role.
EXPECTED = {
    "payments.infra.secrets : Create the Aurora master credential secret",
    "payments.infra.aurora : Create the cluster parameter group",
    "payments.infra.storage : Create or update the audit bucket "
    "(object lock, versioning, SSE-KMS, no public access, TLS only)",
    "payments.infra.storage : Set the default object lock retention of new object versions",
    "payments.infra.storage : Set the lifecycle of the audit archive "
    "(Glacier, expiry, noncurrent versions, aborted uploads)",
    "payments.infra.alb_bluegreen : Create or update the access log bucket (SSE-S3, no public access, delivery policy)",
    "payments.infra.alb_bluegreen : Expire old access logs",
    "payments.infra.alb_bluegreen : Create or update the blue and green target groups",
    "payments.infra.alb_bluegreen : Create or update the internal load balancer "
    "(private subnets, ALB security group, access logs)",
    "payments.infra.alb_bluegreen : Create or update the web ACL",
}
# What check mode reports for the same drifts (s3_bucket, s3_lifecycle and elb_target_group do not run in check mode).
EXPECTED_CHECK = {
    "payments.infra.secrets : Create the Aurora master credential secret",
    "payments.infra.aurora : Create the cluster parameter group",
    "payments.infra.storage : Report what a real run would change",
    "payments.infra.alb_bluegreen : Report what a real run would change in the access log bucket",
    "payments.infra.alb_bluegreen : Create or update the internal load balancer "
    "(private subnets, ALB security group, access logs)",
    "payments.infra.alb_bluegreen : Create or update the web ACL",
}
WRITE = re.compile(r"^(Create|Put|Delete|Update|Modify|Tag|Untag|Add|Remove|Set|Associate|Attach|Register|Rotate)")
REST_WRITE = re.compile(r"^(PUT|POST|DELETE|PATCH) ")


def _recap(output):
    match = re.search(r"^localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", output, re.M)
    assert match, output[-8000:]
    return dict(zip(("ok", "changed", "unreachable", "failed"), map(int, match.groups()), strict=True))


def _changed_tasks(output):
    """Names of the tasks that reported changed (a loop counts once)."""
    changed, task = set(), None
    for line in output.splitlines():
        found = re.match(r"^TASK \[(.+)\] \*+", line)
        if found:
            task = found.group(1)
        elif line.startswith("changed: ") and task:
            changed.add(task)
    return changed


def _writes(playbook, mark):
    log = playbook.emulator.state_dir / "requests.jsonl"
    entries = [json.loads(line) for line in log.read_text().splitlines()[mark:] if line.strip()]
    return entries, [e for e in entries if WRITE.match(e["operation"]) or REST_WRITE.match(e["operation"])]


def _run(playbook, *args):
    mark = playbook.emulator.mark()
    result = playbook.run(*args)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-10000:]
    entries, writes = _writes(playbook, mark)
    return output, entries, writes


def _clients(playbook):
    env = playbook.emulator.aws_env()
    kwargs = {
        "endpoint_url": env["AWS_ENDPOINT_URL"],
        "region_name": "us-east-1",
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    return {name: boto3.client(name, **kwargs) for name in ("s3", "elbv2", "wafv2", "rds", "secretsmanager", "kms")}


def _key_arn(kms, alias):
    return kms.describe_key(KeyId=alias)["KeyMetadata"]["Arn"]


def _waf(wafv2):
    summary = next(acl for acl in wafv2.list_web_acls(Scope="REGIONAL")["WebACLs"] if acl["Name"] == WAF)
    return summary


def _make_drifts(c):
    """One drift of each kind the reruns now skip; returns nothing, _assert_corrected checks each one."""
    dynamodb_key = _key_arn(c["kms"], f"alias/payment-dynamodb-{ENV}")
    c["secretsmanager"].update_secret(SecretId=DB_SECRET, KmsKeyId=dynamodb_key)

    group = c["rds"].describe_db_cluster_parameter_groups(DBClusterParameterGroupName=CLUSTER)
    c["rds"].remove_tags_from_resource(
        ResourceName=group["DBClusterParameterGroups"][0]["DBClusterParameterGroupArn"], TagKeys=["Component"]
    )

    s3 = c["s3"]
    s3.put_bucket_tagging(Bucket=AUDIT_BUCKET, Tagging={"TagSet": [{"Key": "Environment", "Value": ENV}]})
    s3.put_object_lock_configuration(
        Bucket=AUDIT_BUCKET,
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 30}},
        },
    )
    s3.delete_bucket_lifecycle(Bucket=AUDIT_BUCKET)
    s3.delete_bucket_policy(Bucket=LOGS_BUCKET)
    s3.delete_bucket_lifecycle(Bucket=LOGS_BUCKET)

    elbv2 = c["elbv2"]
    green = elbv2.describe_target_groups(Names=[GREEN])["TargetGroups"][0]["TargetGroupArn"]
    elbv2.modify_target_group(TargetGroupArn=green, HealthCheckPath="/drifted")
    alb = elbv2.describe_load_balancers(Names=[ALB])["LoadBalancers"][0]["LoadBalancerArn"]
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=alb, Attributes=[{"Key": "idle_timeout.timeout_seconds", "Value": "300"}]
    )
    c["wafv2"].untag_resource(ResourceARN=_waf(c["wafv2"])["ARN"], TagKeys=["Component"])


def _drift_state(c):
    """What each drift touched, as boto3 sees it now."""
    s3, elbv2, rds = c["s3"], c["elbv2"], c["rds"]
    group = rds.describe_db_cluster_parameter_groups(DBClusterParameterGroupName=CLUSTER)["DBClusterParameterGroups"][0]
    green = elbv2.describe_target_groups(Names=[GREEN])["TargetGroups"][0]
    alb = elbv2.describe_load_balancers(Names=[ALB])["LoadBalancers"][0]["LoadBalancerArn"]
    attributes = {
        a["Key"]: a["Value"] for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=alb)["Attributes"]
    }
    waf_arn = _waf(c["wafv2"])["ARN"]
    waf_tags = c["wafv2"].list_tags_for_resource(ResourceARN=waf_arn)["TagInfoForResource"].get("TagList", [])
    lock = s3.get_object_lock_configuration(Bucket=AUDIT_BUCKET)["ObjectLockConfiguration"]

    def lifecycle(bucket):
        try:
            return [rule["ID"] for rule in s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]]
        except s3.exceptions.ClientError:
            return []

    def has_policy(bucket):
        try:
            return bool(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        except s3.exceptions.ClientError:
            return False

    return {
        "secret_key": c["secretsmanager"].describe_secret(SecretId=DB_SECRET).get("KmsKeyId"),
        "group_tags": {
            t["Key"] for t in rds.list_tags_for_resource(ResourceName=group["DBClusterParameterGroupArn"])["TagList"]
        },
        "audit_tags": {t["Key"] for t in s3.get_bucket_tagging(Bucket=AUDIT_BUCKET)["TagSet"]},
        "audit_retention_days": lock["Rule"]["DefaultRetention"].get("Days"),
        "audit_lifecycle": lifecycle(AUDIT_BUCKET),
        "logs_policy": has_policy(LOGS_BUCKET),
        "logs_lifecycle": lifecycle(LOGS_BUCKET),
        "green_health_check_path": green["HealthCheckPath"],
        "idle_timeout": attributes["idle_timeout.timeout_seconds"],
        "waf_tags": {t["Key"] for t in waf_tags},
    }


@pytest.mark.emulator
@pytest.mark.slow
def test_compare_first_skips_still_correct_every_drift(playbook, record_property):
    converge, _entries, _writes = _run(playbook, "--tags", TAGS)
    assert _recap(converge)["failed"] == 0
    c = _clients(playbook)
    converged = _drift_state(c)
    assert converged["secret_key"] == _key_arn(c["kms"], f"alias/payment-secrets-{ENV}")
    assert "Component" in converged["group_tags"] and "Component" in converged["waf_tags"]
    assert converged["audit_retention_days"] == 365 and converged["audit_lifecycle"] == ["audit-archive"]
    assert converged["logs_policy"] and converged["logs_lifecycle"] == ["expire-access-logs"]
    assert converged["green_health_check_path"] == "/health" and converged["idle_timeout"] == "60"

    noop, noop_entries, noop_writes = _run(playbook, "--tags", RERUN_TAGS)
    assert _recap(noop)["changed"] == 0, noop[-10000:]
    assert noop_writes == [], noop_writes

    _make_drifts(c)
    drifted = _drift_state(c)
    assert drifted != converged

    check, _entries, check_writes = _run(playbook, "--check", "--tags", RERUN_TAGS)
    assert check_writes == [], check_writes
    assert _changed_tasks(check) == EXPECTED_CHECK, check[-10000:]
    assert _drift_state(c) == drifted

    fix, _entries, _writes = _run(playbook, "--tags", RERUN_TAGS)
    assert _changed_tasks(fix) == EXPECTED, fix[-10000:]
    assert _recap(fix)["changed"] == len(EXPECTED), fix[-10000:]
    assert _drift_state(c) == converged

    again, again_entries, again_writes = _run(playbook, "--tags", RERUN_TAGS)
    assert _recap(again)["changed"] == 0, again[-10000:]
    assert again_writes == [], again_writes
    converged_check, _entries, _writes = _run(playbook, "--check", "--tags", RERUN_TAGS)
    assert _recap(converged_check)["changed"] == 0, converged_check[-10000:]

    redirect_runs = _http_redirect_is_compared_first(playbook, c)

    record_property(
        "figure",
        f"compare-first drift: {len(EXPECTED)} drifts (secret key, parameter group tags, audit bucket tags + retention"
        f" + lifecycle, log bucket policy + lifecycle, target group, ALB attribute, web ACL tags) all corrected by"
        f" exactly their {len(EXPECTED)} tasks, --check reported them writing nothing;"
        f" no-op --tags {RERUN_TAGS}: {len(noop_entries)} requests before the drifts, {len(again_entries)} after,"
        f" changed=0, 0 writes; HTTP redirect listener: {redirect_runs}",
    )


def _redirect(elbv2):
    """The HTTP listener's default actions, [] when the load balancer has no listener on port 80."""
    alb = elbv2.describe_load_balancers(Names=[ALB])["LoadBalancers"][0]
    listeners = elbv2.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]
    return [listener for listener in listeners if listener["Port"] == 80]


def _http_redirect_is_compared_first(playbook, c):
    """alb_bluegreen_http_redirect: elb_application_lb runs to create the redirect listener or to correct it, and not
    on a rerun where it is as configured (it used to run on every rerun)."""
    alb_task = (
        "payments.infra.alb_bluegreen : Create or update the internal load balancer "
        "(private subnets, ALB security group, access logs)"
    )
    args = ("--tags", "alb_bluegreen", "-e", "alb_bluegreen_http_redirect=true")
    assert _redirect(c["elbv2"]) == []
    create, _entries, _writes = _run(playbook, *args)
    assert _changed_tasks(create) == {alb_task}, create[-10000:]
    (listener,) = _redirect(c["elbv2"])
    assert listener["DefaultActions"][0]["RedirectConfig"]["StatusCode"] == "HTTP_301"

    noop, _entries, noop_writes = _run(playbook, *args)
    assert _recap(noop)["changed"] == 0 and noop_writes == [], noop[-10000:]

    action = dict(listener["DefaultActions"][0])
    action["RedirectConfig"] = dict(action["RedirectConfig"], StatusCode="HTTP_302")
    action.pop("Order", None)
    c["elbv2"].modify_listener(ListenerArn=listener["ListenerArn"], DefaultActions=[action])
    fix, _entries, _writes = _run(playbook, *args)
    assert _changed_tasks(fix) == {alb_task}, fix[-10000:]
    assert _redirect(c["elbv2"])[0]["DefaultActions"][0]["RedirectConfig"]["StatusCode"] == "HTTP_301"

    again, _entries, again_writes = _run(playbook, *args)
    assert _recap(again)["changed"] == 0 and again_writes == [], again[-10000:]
    return "created by the ALB task, rerun changed=0 with 0 writes, a 302 drift corrected by that task alone"
