"""Compare-first rerun of the api tier (issue #8) still corrects drift.

A rerun of the api tier reads the HTTP API with its integrations, routes, stages and the VPC Link in one
payments.infra.apigatewayv2_info call and the access log group in one payments.infra.cloudwatchlogs_log_groups_info
call (run alone; in a play where the network tier ran, its read of the stack's log groups serves), compares them with
payments.infra.apigatewayv2_differences and payments.infra.cloudwatchlogs_log_group_differences (the modules' own
comparison code), and runs an ensuring module only for what is missing or differs.

One converge of the tiers the API needs and of the API, a no-op rerun of --tags api (no ensuring module runs, no write,
the exact read requests), then drifts made with boto3: the $default route's target, an integration's timeout, the
stage's access log format and one of its tags, the API's CORS and one of its tags, the log group's retention. --check
reports exactly those tasks and writes nothing, the rerun corrects exactly those (boto3 sees each one fixed), a further
rerun is changed=0 with no write, and --check on the converged account is changed=0.
"""

import json
import re

import boto3
import pytest

TAGS = "network,secrets,dynamodb,storage,lambda,alb_bluegreen,api"
ENV = "local"
API = f"payment-api-{ENV}"
LOG_GROUP = f"/aws/apigateway/payment-api-{ENV}"
ROLE = "payments.infra.api : "
# The ensuring tasks of the role (each one module call; the integrations and routes ones for every item that differs).
ENSURING = {
    ROLE + "Create or update the access log group (KMS-encrypted, with retention)",
    ROLE + "Create or update the HTTP API",
    ROLE + "Create the VPC Link to the internal ALB (and wait until it is AVAILABLE unless api_wait is false)",
    ROLE + "Proxy the API routes to the payment functions and everything else to the ALB over the VPC Link",
    ROLE + "Route the requests to the integrations",
    ROLE + "Deploy the stage automatically, with JSON access logs and throttling",
}
# The tasks the drifts below must make run and report changed.
EXPECTED = {
    ROLE + "Create or update the access log group (KMS-encrypted, with retention)",
    ROLE + "Create or update the HTTP API",
    ROLE + "Proxy the API routes to the payment functions and everything else to the ALB over the VPC Link",
    ROLE + "Route the requests to the integrations",
    ROLE + "Deploy the stage automatically, with JSON access logs and throttling",
}
# payments.infra.cloudwatchlogs_log_groups writes nothing in check mode: the same tasks report the change.
EXPECTED_CHECK = EXPECTED
# What the no-op reads of API Gateway and CloudWatch Logs are, exactly (the request log names GetIntegrations
# GET /v2/apis/<api>/{id}).
NOOP_API_READS = {
    "apigateway:GET /v2/apis": 1,
    "apigateway:GET /v2/apis/{api}/{id}": 1,
    "apigateway:GET /v2/apis/{api}/routes": 1,
    "apigateway:GET /v2/apis/{api}/stages": 1,
    "apigateway:GET /v2/vpclinks": 1,
    "logs:DescribeLogGroups": 1,
    "logs:ListTagsForResource": 1,
}
WRITE = re.compile(r"^(Create|Put|Delete|Update|Modify|Tag|Untag|Add|Remove|Set|Associate|Attach|Register|Rotate)")
REST_WRITE = re.compile(r"^(PUT|POST|DELETE|PATCH) ")


def _recap(output):
    match = re.search(r"^localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", output, re.M)
    assert match, output[-8000:]
    return dict(zip(("ok", "changed", "unreachable", "failed"), map(int, match.groups()), strict=True))


def _task_lines(output):
    """(task name, result line) for every result line of the run."""
    task = None
    for line in output.splitlines():
        found = re.match(r"^TASK \[(.+)\] \*+", line)
        if found:
            task = found.group(1)
        elif task and re.match(r"^(ok|changed|skipping|fatal): ", line):
            yield task, line


def _changed_tasks(output):
    """Names of the tasks that reported changed (a loop counts once)."""
    return {task for task, line in _task_lines(output) if line.startswith("changed: ")}


def _ran_ensuring(output):
    """The ensuring tasks that ran (did not skip) for at least one item."""
    return {task for task, line in _task_lines(output) if task in ENSURING and not line.startswith("skipping: ")}


def _run(playbook, *args):
    mark = playbook.emulator.mark()
    result = playbook.run(*args)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-10000:]
    log = playbook.emulator.state_dir / "requests.jsonl"
    entries = [json.loads(line) for line in log.read_text().splitlines()[mark:] if line.strip()]
    writes = [e for e in entries if WRITE.match(e["operation"]) or REST_WRITE.match(e["operation"])]
    return output, entries, writes


def _api_reads(entries):
    """The API Gateway and CloudWatch Logs requests of a run, by operation (the API's ID as {api})."""
    counts = {}
    for entry in entries:
        if entry.get("service") in ("apigateway", "logs"):
            kind = entry["service"] + ":" + re.sub(r"/v2/apis/[^/]+", "/v2/apis/{api}", entry["operation"])
            counts[kind] = counts.get(kind, 0) + 1
    return counts


def _clients(playbook):
    env = playbook.emulator.aws_env()
    kwargs = {
        "endpoint_url": env["AWS_ENDPOINT_URL"],
        "region_name": "us-east-1",
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    return {name: boto3.client(name, **kwargs) for name in ("apigatewayv2", "logs")}


def _api(client):
    return next(api for api in client.get_apis()["Items"] if api["Name"] == API)


def _stage_arn(api_id):
    return f"arn:aws:apigateway:us-east-1::/apis/{api_id}/stages/$default"


def _make_drifts(c):
    client = c["apigatewayv2"]
    api = _api(client)
    api_id = api["ApiId"]
    integrations = client.get_integrations(ApiId=api_id)["Items"]
    lambda_integration = next(i for i in integrations if i["IntegrationType"] == "AWS_PROXY")
    routes = {route["RouteKey"]: route["RouteId"] for route in client.get_routes(ApiId=api_id)["Items"]}
    client.update_route(
        ApiId=api_id, RouteId=routes["$default"], Target=f"integrations/{lambda_integration['IntegrationId']}"
    )
    client.update_integration(ApiId=api_id, IntegrationId=lambda_integration["IntegrationId"], TimeoutInMillis=5000)
    stage = client.get_stage(ApiId=api_id, StageName="$default")
    client.update_stage(
        ApiId=api_id,
        StageName="$default",
        AccessLogSettings={
            "DestinationArn": stage["AccessLogSettings"]["DestinationArn"],
            "Format": "$context.requestId $context.status",
        },
    )
    client.tag_resource(ResourceArn=_stage_arn(api_id), Tags={"Component": "drifted"})
    client.update_api(ApiId=api_id, CorsConfiguration={"AllowOrigins": ["https://evil.example.com"], "MaxAge": 5})
    client.untag_resource(ResourceArn=f"arn:aws:apigateway:us-east-1::/apis/{api_id}", TagKeys=["Component"])
    c["logs"].put_retention_policy(logGroupName=LOG_GROUP, retentionInDays=7)


def _drift_state(c):
    """What each drift touched, as boto3 sees it now."""
    client = c["apigatewayv2"]
    api = _api(client)
    api_id = api["ApiId"]
    integrations = {i["IntegrationId"]: i for i in client.get_integrations(ApiId=api_id)["Items"]}
    stage = client.get_stage(ApiId=api_id, StageName="$default")
    group = next(
        g
        for g in c["logs"].describe_log_groups(logGroupNamePrefix=LOG_GROUP)["logGroups"]
        if g["logGroupName"] == LOG_GROUP
    )
    return {
        "routes": {
            route["RouteKey"]: integrations[route["Target"].split("/", 1)[1]]["IntegrationType"]
            for route in client.get_routes(ApiId=api_id)["Items"]
        },
        "timeouts": sorted(i.get("TimeoutInMillis") for i in integrations.values()),
        "log_format": json.loads(stage["AccessLogSettings"]["Format"])
        if stage["AccessLogSettings"]["Format"].startswith("{")
        else stage["AccessLogSettings"]["Format"],
        "stage_component": stage.get("Tags", {}).get("Component"),
        "cors": api.get("CorsConfiguration"),
        "api_component": api.get("Tags", {}).get("Component"),
        "retention": group.get("retentionInDays"),
    }


@pytest.mark.emulator
@pytest.mark.slow
def test_api_rerun_reads_once_and_corrects_every_drift(playbook, record_property):
    converge, _entries, _writes = _run(playbook, "--tags", TAGS)
    assert _recap(converge)["failed"] == 0
    c = _clients(playbook)
    converged = _drift_state(c)
    assert converged["routes"] == {
        "POST /validate": "AWS_PROXY",
        "POST /process": "AWS_PROXY",
        "$default": "HTTP_PROXY",
    }
    assert converged["timeouts"] == [29000, 29000, 29000] and converged["retention"] == 365
    assert converged["cors"] is None and converged["api_component"] == "api" and converged["stage_component"] == "api"
    assert converged["log_format"]["requestId"] == "$context.requestId"

    noop, noop_entries, noop_writes = _run(playbook, "--tags", "api")
    assert _recap(noop)["changed"] == 0, noop[-10000:]
    assert noop_writes == [], noop_writes
    assert _ran_ensuring(noop) == set(), noop[-10000:]
    assert _api_reads(noop_entries) == NOOP_API_READS, _api_reads(noop_entries)

    _make_drifts(c)
    drifted = _drift_state(c)
    assert all(drifted[key] != converged[key] for key in converged), drifted

    check, _entries, check_writes = _run(playbook, "--check", "--tags", "api")
    assert check_writes == [], check_writes
    assert _changed_tasks(check) == EXPECTED_CHECK, check[-10000:]
    assert _drift_state(c) == drifted

    fix, _entries, _writes = _run(playbook, "--tags", "api")
    assert _changed_tasks(fix) == EXPECTED, fix[-10000:]
    assert _recap(fix)["changed"] == len(EXPECTED), fix[-10000:]
    assert _drift_state(c) == converged

    again, again_entries, again_writes = _run(playbook, "--tags", "api")
    assert _recap(again)["changed"] == 0, again[-10000:]
    assert again_writes == [] and _ran_ensuring(again) == set(), again[-10000:]
    converged_check, _entries, check_writes = _run(playbook, "--check", "--tags", "api")
    assert _recap(converged_check)["changed"] == 0, converged_check[-10000:]
    assert check_writes == []

    record_property(
        "figure",
        f"api drift: {len(EXPECTED)} drifted resources (route target, integration timeout, stage log format + tag,"
        f" API CORS + tag, log group retention) corrected by exactly their {len(EXPECTED)} tasks, --check reported"
        f" them writing nothing; no-op --tags api: 2 module calls for the tier (apigatewayv2_info,"
        f" cloudwatchlogs_log_groups_info), no ensuring module, {sum(NOOP_API_READS.values())} API Gateway + Logs"
        f" requests, {len(noop_entries)} requests in all before the drifts, {len(again_entries)} after, 0 writes",
    )
