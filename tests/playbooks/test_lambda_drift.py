"""The compare-first skip of the Lambda tier (issue #8): a no-op rerun of --tags lambda reads the functions (with their
tags and policies) and the on-failure queue once, with payments.infra.lambda_account_info, and calls neither
amazon.aws.lambda, payments.infra.lambda_permissions, community.aws.sqs_queue,
payments.infra.lambda_event_source_mapping nor payments.infra.lambda_concurrencies. A drift made with boto3 on a
converged account (a function's memory, an environment variable, a tag, a removed invoke permission, the queue's
retention, the stream mapping's batch size and state, a function's reserved concurrency) is reported by --check
without any write, corrected by a rerun exactly where it was made, and the rerun after that reports changed=0; a
changed source file redeploys exactly its function.

The deployment packages are built from a copy of files/lambdas (lambda_source_root), so the code change never
touches the repository.
"""

import json
import re
import shutil
from pathlib import Path

import boto3
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.emulator]

ROOT = Path(__file__).resolve().parents[2]
ENV = "local"
CONVERGE_TAGS = "network,secrets,dynamodb,storage,lambda"
VALIDATION = f"payment-payment-validation-{ENV}"
PROCESSING = f"payment-transaction-processing-{ENV}"
FRAUD = f"payment-fraud-detection-{ENV}"
QUEUE = f"payment-stream-dlq-{ENV}"
FUNCTIONS_TASK = "payments.infra.lambda : Create or update the functions where they are missing or differ"
# One payments.infra.lambda_permissions call for the API functions' and the rotation function's statements.
PERMISSIONS_TASK = (
    "payments.infra.lambda : Allow API Gateway and Secrets Manager to invoke their functions "
    "where a permission is missing or differs"
)
QUEUE_TASK = (
    "payments.infra.lambda : Create or update the stream mapping's on-failure queue where it is missing or differs"
)
MAPPING_TASK = (
    "payments.infra.lambda : Feed the transactions table stream to fraud_detection where the mapping is missing or "
    "differs"
)
CONCURRENCY_TASK = "payments.infra.lambda : Set the functions' reserved concurrency where it differs"
# The drifts below, as (task, loop item) of the `changed:` lines they must cause.
EXPECTED = {
    (FUNCTIONS_TASK, "payment_validation"),
    (FUNCTIONS_TASK, "transaction_processing"),
    (FUNCTIONS_TASK, "fraud_detection"),
    (PERMISSIONS_TASK, None),
    (QUEUE_TASK, None),
    (MAPPING_TASK, None),
    (CONCURRENCY_TASK, None),
}
TASK = re.compile(r"^TASK \[(.+?)\] \*+$")
CHANGED = re.compile(r"^changed: \[localhost\](?: => \(item=(.+?)\))?\s*$")
RECAP = re.compile(r"^localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)
WRITE = re.compile(
    r"^(Create|Put|Delete|Update|Modify|Tag|Untag|Add|Remove|Set|Associate|Attach|Register|Rotate|Publish)"
)
REST_WRITE = re.compile(r"^(PUT|POST|DELETE|PATCH) ")


def changed_items(output):
    """{(task, item or None)} of every `changed:` line of the default callback's output."""
    task, found = None, set()
    for line in output.splitlines():
        header = TASK.match(line)
        if header:
            task = header.group(1)
            continue
        change = CHANGED.match(line)
        if change:
            found.add((task, change.group(1)))
    return found


def test_changed_items_parses_the_default_callback():
    output = (
        "TASK [payments.infra.lambda : Create things] ***\n"
        "skipping: [localhost] => (item=a)\n"
        "changed: [localhost] => (item=b)\n"
        "TASK [payments.infra.lambda : One] ******\n"
        "changed: [localhost]\n"
        "ok: [localhost]\n"
    )
    assert changed_items(output) == {
        ("payments.infra.lambda : Create things", "b"),
        ("payments.infra.lambda : One", None),
    }


def _recap(output):
    match = RECAP.search(output)
    assert match, output[-8000:]
    return dict(zip(("ok", "changed", "unreachable", "failed"), map(int, match.groups()), strict=True))


def _source_copy(tmp_path):
    """scripts/build_lambdas.py, files/lambdas and requirements-lambda.txt copied: a lambda_source_root to edit."""
    root = tmp_path / "source"
    (root / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / "scripts" / "build_lambdas.py", root / "scripts")
    shutil.copy2(ROOT / "requirements-lambda.txt", root)
    shutil.copytree(
        ROOT / "files" / "lambdas", root / "files" / "lambdas", ignore=shutil.ignore_patterns("__pycache__")
    )
    return root


class Runner:
    def __init__(self, playbook, source):
        self.playbook = playbook
        self.extra = [
            "-e",
            f"lambda_source_root={source}",
            "-e",
            f"lambda_build_deps_cache={ROOT / 'build' / 'lambda-deps'}",
        ]

    def run(self, *args):
        mark = self.playbook.emulator.mark()
        result = self.playbook.run(*self.extra, *args)
        output = result.stdout + result.stderr
        assert result.returncode == 0, output[-10000:]
        log = self.playbook.emulator.state_dir / "requests.jsonl"
        entries = [json.loads(line) for line in log.read_text().splitlines()[mark:] if line.strip()]
        writes = [e for e in entries if WRITE.match(e["operation"]) or REST_WRITE.match(e["operation"])]
        return output, entries, writes


def _clients(playbook):
    env = playbook.emulator.aws_env()
    kwargs = {
        "endpoint_url": env["AWS_ENDPOINT_URL"],
        "region_name": "us-east-1",
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    return boto3.client("lambda", **kwargs), boto3.client("sqs", **kwargs)


def _state(awslambda, sqs):
    """What the drifts touch, as boto3 sees it."""

    def sids(name):
        try:
            return sorted(s["Sid"] for s in json.loads(awslambda.get_policy(FunctionName=name)["Policy"])["Statement"])
        except awslambda.exceptions.ResourceNotFoundException:
            return []

    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    mappings = awslambda.list_event_source_mappings(FunctionName=FRAUD)["EventSourceMappings"]
    return {
        "mappings": [(m["UUID"], m.get("BatchSize"), m.get("State")) for m in mappings],
        "concurrency": {
            name: awslambda.get_function_concurrency(FunctionName=name).get("ReservedConcurrentExecutions")
            for name in (VALIDATION, PROCESSING)
        },
        "memory": awslambda.get_function_configuration(FunctionName=VALIDATION)["MemorySize"],
        "processing_env": awslambda.get_function_configuration(FunctionName=PROCESSING)["Environment"]["Variables"],
        "fraud_tags": awslambda.get_function(FunctionName=FRAUD).get("Tags", {}),
        "validation_sids": sids(VALIDATION),
        "retention": sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["MessageRetentionPeriod"])["Attributes"][
            "MessageRetentionPeriod"
        ],
        "code": {
            name: awslambda.get_function_configuration(FunctionName=name)["CodeSha256"]
            for name in (VALIDATION, PROCESSING, FRAUD)
        },
    }


def _make_drifts(awslambda, sqs, converged):
    awslambda.update_function_configuration(FunctionName=VALIDATION, MemorySize=converged["memory"] + 128)
    env = {**converged["processing_env"], "LOG_LEVEL": "DEBUG"}
    assert env != converged["processing_env"]
    awslambda.update_function_configuration(FunctionName=PROCESSING, Environment={"Variables": env})
    fraud_arn = awslambda.get_function_configuration(FunctionName=FRAUD)["FunctionArn"]
    awslambda.untag_resource(Resource=fraud_arn, TagKeys=["Component"])
    awslambda.remove_permission(FunctionName=VALIDATION, StatementId="apigateway-invoke")
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"MessageRetentionPeriod": "86400"})
    ((uuid, batch_size, _state),) = converged["mappings"]
    awslambda.update_event_source_mapping(UUID=uuid, BatchSize=batch_size + 10, Enabled=False)
    awslambda.put_function_concurrency(
        FunctionName=PROCESSING, ReservedConcurrentExecutions=converged["concurrency"][PROCESSING] + 1
    )


def _module_calls(output):
    """Calls of the lambda role's own AWS module tasks (MODULE_TASKS) in a run: their ok/changed lines, loop items
    one by one (a skipped item is no call)."""
    calls, task = 0, None
    for line in output.splitlines():
        header = TASK.match(line)
        if header:
            task = header.group(1)
            continue
        if task in MODULE_TASKS and re.match(r"^(ok|changed): \[localhost\]", line):
            calls += 1
    return calls


# The lambda role's tasks after its lookups that call an AWS module (IAM, log group and secret tasks left out:
# other compare-first work owns them), by name; a no-op calls only the read.
NOOP_MODULE_CALLS = 1
MODULE_TASKS = {
    FUNCTIONS_TASK,
    PERMISSIONS_TASK,
    QUEUE_TASK,
    "payments.infra.lambda : Read the account's Lambda concurrency, our functions, their policies, the on-failure "
    "queue and the stream mapping",
    MAPPING_TASK,
    CONCURRENCY_TASK,
}


def test_lambda_tier_skips_converged_functions_and_corrects_every_drift(playbook, tmp_path, record_property):
    runner = Runner(playbook, _source_copy(tmp_path))
    converge, _entries, _writes = runner.run("--tags", CONVERGE_TAGS)
    assert _recap(converge)["failed"] == 0
    awslambda, sqs = _clients(playbook)
    converged = _state(awslambda, sqs)
    assert converged["validation_sids"] == ["apigateway-invoke"]
    assert converged["fraud_tags"].get("Component") == "lambda-fraud-detection"
    assert converged["retention"] == str(14 * 86400)
    assert len(converged["mappings"]) == 1 and converged["mappings"][0][1:] == (100, "Enabled")

    noop, noop_entries, noop_writes = runner.run("--tags", "lambda")
    assert _recap(noop)["changed"] == 0, noop[-10000:]
    assert noop_writes == [], noop_writes
    noop_calls = _module_calls(noop)
    assert noop_calls == NOOP_MODULE_CALLS, noop[-10000:]

    _make_drifts(awslambda, sqs, converged)
    drifted = _state(awslambda, sqs)
    assert drifted != converged

    check, _entries, check_writes = runner.run("--check", "--tags", "lambda")
    assert check_writes == [], check_writes
    assert changed_items(check) == EXPECTED, check[-10000:]
    assert _state(awslambda, sqs) == drifted

    fix, _entries, _writes = runner.run("--tags", "lambda")
    assert changed_items(fix) == EXPECTED, fix[-10000:]
    assert _recap(fix)["changed"] == len({task for task, _item in EXPECTED}), fix[-10000:]
    assert _state(awslambda, sqs) == converged

    again, again_entries, again_writes = runner.run("--tags", "lambda")
    assert _recap(again)["changed"] == 0, again[-10000:]
    assert again_writes == [], again_writes
    converged_check, _entries, converged_check_writes = runner.run("--check", "--tags", "lambda")
    assert _recap(converged_check)["changed"] == 0, converged_check[-10000:]
    assert converged_check_writes == []

    # A changed source file: exactly its function is redeployed, then the rerun is a no-op again.
    handler = runner.extra[1].split("=", 1)[1] + "/files/lambdas/fraud_detection/handler.py"
    with open(handler, "a", encoding="utf-8") as f:
        f.write("\n# a code change the drift test makes\n")
    code_check, _entries, code_check_writes = runner.run("--check", "--tags", "lambda")
    assert code_check_writes == []
    assert changed_items(code_check) == {(FUNCTIONS_TASK, "fraud_detection")}, code_check[-10000:]
    redeploy, _entries, _writes = runner.run("--tags", "lambda")
    assert changed_items(redeploy) == {(FUNCTIONS_TASK, "fraud_detection")}, redeploy[-10000:]
    code = _state(awslambda, sqs)["code"]
    assert code[FRAUD] != converged["code"][FRAUD]
    assert {k: v for k, v in code.items() if k != FRAUD} == {k: v for k, v in converged["code"].items() if k != FRAUD}
    last, _entries, last_writes = runner.run("--tags", "lambda")
    assert _recap(last)["changed"] == 0, last[-10000:]
    assert last_writes == []

    record_property(
        "figure",
        f"lambda drift: 7 drifts (memory, env var, tag, removed permission, queue retention, mapping batch size and"
        f" state, reserved concurrency) corrected by exactly"
        f" {len(EXPECTED)} module calls, --check reported them writing nothing, a source change redeployed only its"
        f" function; no-op --tags lambda: {noop_calls} module call in the read/function/permission/queue/mapping/"
        f"concurrency tasks (the read), {len(noop_entries)} requests before"
        f" the drifts, {len(again_entries)} after, changed=0, 0 writes",
    )
