"""payments.infra.sns_topics: a list of topics reconciled in one module run with the read/compare/act of sns_topic
(module_utils.sns), one ListTopics for all, against moto's in-process AWS (no network)."""

import json

import boto3
import pytest
from ansible_collections.payments.infra.plugins.module_utils.sns import (
    ensure_topic_present,
    topic_argument_spec,
    topic_params_error,
)
from ansible_collections.payments.infra.plugins.modules import sns_topics as module
from aws_fakes import Recorder

REGION = "us-east-1"
NAMES = ["system-errors-test", "failed-transactions-test"]
WRITES = (
    "CreateTopic",
    "DeleteTopic",
    "SetTopicAttributes",
    "TagResource",
    "UntagResource",
    "Subscribe",
    "Unsubscribe",
)
# Every option of one topic at the value Ansible gives it when the task leaves it out.
UNSET = {key: spec.get("default") for key, spec in topic_argument_spec().items() if key != "name"}


@pytest.fixture
def aws(moto_aws, monkeypatch):
    sns = boto3.client("sns", region_name=REGION)
    kms = boto3.client("kms", region_name=REGION)
    key_arn = kms.create_key(Description="topics")["KeyMetadata"]["Arn"]
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="ops-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return sns, kms, key_arn, queue_arn, Recorder(monkeypatch, sns, kms, writes=WRITES)


def topic(name, key_arn, **overrides):
    arn = f"arn:aws:sns:{REGION}:123456789012:{name}"
    params = dict(
        UNSET,
        name=name,
        display_name=name,
        kms_master_key_id=key_arn,
        policy={
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "CloudWatchAlarmsPublish",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": "sns:Publish",
                    "Resource": arn,
                }
            ],
        },
        subscriptions=[],
        purge_subscriptions=True,
        tags={"Environment": "test", "Name": name},
    )
    params.update(overrides)
    return params


def test_check_mode_plans_every_topic_and_writes_nothing(aws):
    sns, kms, key_arn, _queue, recorder = aws
    topics = [topic(name, key_arn) for name in NAMES]
    changed, results, diff, warnings = module.ensure_topics(sns, kms, topics, True)
    assert changed == NAMES
    assert [result["name"] for result in results] == NAMES
    assert all(result["arn"] is None and result["kms_key_arn"] == key_arn for result in results)
    assert diff["before"] == {name: {} for name in NAMES}
    assert diff["after"][NAMES[0]]["tags"] == {"Environment": "test", "Name": NAMES[0]}
    assert warnings == []
    assert recorder.writes() == []
    assert sns.list_topics()["Topics"] == []


def test_one_run_creates_all_then_a_rerun_changes_nothing_with_one_list(aws):
    sns, kms, key_arn, queue_arn, recorder = aws
    subscription = [{"protocol": "sqs", "endpoint": queue_arn}]
    topics = [topic(NAMES[0], key_arn, subscriptions=subscription), topic(NAMES[1], key_arn)]
    changed, results, _diff, _warnings = module.ensure_topics(sns, kms, topics, False)
    assert changed == NAMES
    assert results[0]["subscriptions"][0]["endpoint"] == queue_arn
    assert results[1]["policy"]["Statement"][0]["Sid"] == "CloudWatchAlarmsPublish"
    assert sorted(t["TopicArn"].rsplit(":", 1)[-1] for t in sns.list_topics()["Topics"]) == sorted(NAMES)
    recorder.clear()
    for check_mode in (True, False):
        changed, again, diff, _warnings = module.ensure_topics(sns, kms, topics, check_mode)
        assert changed == []
        assert again == results
        assert diff["before"] == diff["after"]
    assert recorder.writes() == []
    # One ListTopics per run for both topics, no KMS call (the key ARN is its own ARN).
    assert recorder.count("ListTopics") == 2
    assert recorder.count("DescribeKey") == 0


def test_corrects_only_the_topic_that_drifted(aws):
    sns, kms, key_arn, queue_arn, recorder = aws
    topics = [topic(name, key_arn, subscriptions=[{"protocol": "sqs", "endpoint": queue_arn}]) for name in NAMES]
    module.ensure_topics(sns, kms, topics, False)
    arn = next(t["TopicArn"] for t in sns.list_topics()["Topics"] if t["TopicArn"].endswith(NAMES[1]))
    sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=json.dumps({"Statement": []}))
    sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "Stray", "Value": "x"}])
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn.replace("ops-events", "stray"))
    recorder.clear()
    changed, _results, diff, _warnings = module.ensure_topics(sns, kms, topics, True)
    assert changed == [NAMES[1]] and recorder.writes() == []
    assert diff["before"][NAMES[1]]["tags"]["Stray"] == "x" and "Stray" not in diff["after"][NAMES[1]]["tags"]
    changed, results, _diff, _warnings = module.ensure_topics(sns, kms, topics, False)
    assert changed == [NAMES[1]]
    assert recorder.writes() == ["SetTopicAttributes", "Unsubscribe", "UntagResource"]
    assert "Stray" not in results[1]["tags"]
    assert [item["endpoint"] for item in results[1]["subscriptions"]] == [queue_arn]
    assert module.ensure_topics(sns, kms, topics, False)[0] == []


def test_same_topic_as_the_singular_module(aws):
    sns, kms, key_arn, _queue, _recorder = aws
    params = topic(NAMES[0], key_arn)
    _changed, single, _diff, _warnings = ensure_topic_present(sns, kms, params, True)
    _changed, results, _diff, _warnings = module.ensure_topics(sns, kms, [params], True)
    assert results == [single]


def test_absent_deletes_once(aws):
    sns, kms, key_arn, _queue, recorder = aws
    module.ensure_topics(sns, kms, [topic(name, key_arn) for name in NAMES], False)
    absent = [dict(UNSET, name=name, state="absent") for name in NAMES]
    recorder.clear()
    changed, results, diff, _warnings = module.ensure_topics(sns, kms, absent, True)
    assert changed == NAMES and recorder.writes() == []
    changed, results, diff, _warnings = module.ensure_topics(sns, kms, absent, False)
    assert changed == NAMES and results == [{}, {}]
    assert diff["after"] == {name: {} for name in NAMES}
    assert recorder.writes() == ["DeleteTopic", "DeleteTopic"]
    assert sns.list_topics()["Topics"] == []
    assert module.ensure_topics(sns, kms, absent, False)[0] == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": "bad name"}, "not a valid topic name"),
        ({"name": "events.fifo"}, "ends in .fifo"),
        ({"content_based_deduplication": True}, "FIFO topics only"),
        ({"subscriptions": [{"protocol": "sms", "endpoint": "call me"}]}, "not a phone number"),
        ({}, None),
    ],
)
def test_params_error(overrides, message):
    error = topic_params_error(
        dict(UNSET, name="events", **overrides) if "name" not in overrides else dict(UNSET, **overrides)
    )
    assert (error is None) if message is None else (message in error)
