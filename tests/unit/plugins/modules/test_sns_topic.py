"""payments.infra.sns_topic: comparison and the create/no-op/update/delete decisions, against a fake SNS/KMS client."""

import copy
import itertools
import json

import pytest
from ansible_collections.payments.infra.plugins.module_utils import sns as sns_utils
from ansible_collections.payments.infra.plugins.module_utils.sns import PENDING_CONFIRMATION, PaymentsSNSError
from ansible_collections.payments.infra.plugins.modules import sns_topic
from aws_fakes import Paginator, client_error

ACCOUNT = "123456789012"
REGION = "us-east-1"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
OTHER_KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/ffffffff-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
ALIAS = "alias/payment-logs-test"
NAME = "system-errors-test"
ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:{NAME}"
QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:ops"
MUTATING = (
    "create_topic",
    "set_topic_attributes",
    "delete_topic",
    "tag_resource",
    "untag_resource",
    "subscribe",
    "unsubscribe",
)
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "CloudWatchAlarmsPublish",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": ARN,
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }
    ],
}


class FakeSNS:
    """An in-memory SNS and KMS (DescribeKey) client shaped like the AWS answers.

    Like AWS, it echoes KmsMasterKeyId as it was set (alias or ARN), answers "" for an unset DeliveryPolicy and
    adds http.disableSubscriptionOverrides to a delivery policy; email and http/https subscriptions stay
    PendingConfirmation (what moto never does).
    """

    def __init__(self):
        self.topics = {}
        self.calls = []
        self.keys = {ALIAS: KEY_ARN, KEY_ARN: KEY_ARN, OTHER_KEY_ARN: OTHER_KEY_ARN}
        self._ids = itertools.count(1)

    def mutating_calls(self):
        return [name for name, _params in self.calls if name in MUTATING]

    def _topic(self, arn, operation):
        if arn not in self.topics:
            raise client_error("NotFound", operation, "Topic does not exist")
        return self.topics[arn]

    def get_paginator(self, name):
        return Paginator(getattr(self, name))

    def list_topics(self):
        self.calls.append(("list_topics", {}))
        return {"Topics": [{"TopicArn": arn} for arn in self.topics]}

    def create_topic(self, Name, Attributes=None, Tags=None):
        self.calls.append(("create_topic", {"Name": Name, "Attributes": Attributes, "Tags": Tags}))
        arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:{Name}"
        attributes = {
            "TopicArn": arn,
            "Owner": ACCOUNT,
            "DisplayName": "",
            "DeliveryPolicy": "",
            "Policy": json.dumps({"Version": "2008-10-17", "Statement": [{"Sid": "__default_statement_ID"}]}),
        }
        self.topics[arn] = {"attributes": attributes, "tags": {}, "subscriptions": []}
        for key, value in (Attributes or {}).items():
            self._set(arn, key, value)
        self.topics[arn]["tags"] = {tag["Key"]: tag["Value"] for tag in Tags or []}
        return {"TopicArn": arn}

    def _set(self, arn, name, value):
        attributes = self.topics[arn]["attributes"]
        if name == "DeliveryPolicy" and value:
            policy = json.loads(value)
            policy.get("http", {}).setdefault("disableSubscriptionOverrides", False)
            value = json.dumps(policy)
        if name == "KmsMasterKeyId" and not value:
            attributes.pop(name, None)
            return
        attributes[name] = value

    def get_topic_attributes(self, TopicArn):
        self.calls.append(("get_topic_attributes", {"TopicArn": TopicArn}))
        return {"Attributes": copy.deepcopy(self._topic(TopicArn, "GetTopicAttributes")["attributes"])}

    def set_topic_attributes(self, TopicArn, AttributeName, AttributeValue):
        self.calls.append(("set_topic_attributes", {AttributeName: AttributeValue}))
        self._topic(TopicArn, "SetTopicAttributes")
        self._set(TopicArn, AttributeName, AttributeValue)

    def delete_topic(self, TopicArn):
        self.calls.append(("delete_topic", {"TopicArn": TopicArn}))
        self.topics.pop(TopicArn, None)

    def list_tags_for_resource(self, ResourceArn):
        tags = self._topic(ResourceArn, "ListTagsForResource")["tags"]
        return {"Tags": [{"Key": key, "Value": value} for key, value in tags.items()]}

    def tag_resource(self, ResourceArn, Tags):
        self.calls.append(("tag_resource", {"Tags": Tags}))
        self._topic(ResourceArn, "TagResource")["tags"].update({tag["Key"]: tag["Value"] for tag in Tags})

    def untag_resource(self, ResourceArn, TagKeys):
        self.calls.append(("untag_resource", {"TagKeys": TagKeys}))
        for key in TagKeys:
            self._topic(ResourceArn, "UntagResource")["tags"].pop(key, None)

    def list_subscriptions_by_topic(self, TopicArn):
        return {"Subscriptions": copy.deepcopy(self._topic(TopicArn, "ListSubscriptionsByTopic")["subscriptions"])}

    def subscribe(self, TopicArn, Protocol, Endpoint):
        self.calls.append(("subscribe", {"Protocol": Protocol, "Endpoint": Endpoint}))
        pending = Protocol in ("email", "email-json", "http", "https")
        arn = PENDING_CONFIRMATION if pending else f"{TopicArn}:{next(self._ids):08d}"
        self._topic(TopicArn, "Subscribe")["subscriptions"].append(
            {"SubscriptionArn": arn, "Protocol": Protocol, "Endpoint": Endpoint, "TopicArn": TopicArn, "Owner": ACCOUNT}
        )
        return {"SubscriptionArn": "pending confirmation" if pending else arn}

    def unsubscribe(self, SubscriptionArn):
        self.calls.append(("unsubscribe", {"SubscriptionArn": SubscriptionArn}))
        for topic in self.topics.values():
            topic["subscriptions"] = [s for s in topic["subscriptions"] if s["SubscriptionArn"] != SubscriptionArn]

    # KMS
    def describe_key(self, KeyId):
        if KeyId not in self.keys:
            raise client_error("NotFoundException", "DescribeKey")
        return {"KeyMetadata": {"Arn": self.keys[KeyId], "KeyId": self.keys[KeyId].rsplit("/", 1)[-1]}}


@pytest.fixture
def fake():
    return FakeSNS()


def params(**overrides):
    base = {
        "name": NAME,
        "state": "present",
        "topic_type": "standard",
        "content_based_deduplication": None,
        "display_name": "system errors",
        "kms_master_key_id": ALIAS,
        "policy": POLICY,
        "delivery_policy": None,
        "subscriptions": None,
        "purge_subscriptions": False,
        "tags": {"Environment": "test"},
        "purge_tags": True,
    }
    base.update(overrides)
    return base


def present(fake, check_mode=False, **overrides):
    return sns_utils.ensure_topic_present(fake, fake, params(**overrides), check_mode)


def test_check_mode_plans_the_creation_and_calls_nothing(fake):
    changed, topic, diff, _warnings = present(fake, check_mode=True)
    assert changed
    assert fake.mutating_calls() == []
    assert topic["arn"] is None and topic["name"] == NAME
    assert topic["kms_key_arn"] == KEY_ARN
    assert topic["policy"] == POLICY
    assert topic["tags"] == {"Environment": "test"}
    assert diff["before"] == {}


def test_create_then_rerun_changes_nothing(fake):
    changed, topic, _diff, _warnings = present(fake)
    assert changed
    assert topic["arn"] == ARN
    assert topic["kms_master_key_id"] == ALIAS
    assert topic["kms_key_arn"] == KEY_ARN
    assert topic["display_name"] == "system errors"
    assert topic["tags"] == {"Environment": "test"}
    assert set(topic) == {
        "arn", "name", "owner", "display_name", "fifo_topic", "content_based_deduplication", "kms_master_key_id",
        "kms_key_arn", "policy", "delivery_policy", "subscriptions", "tags",
    }  # fmt: skip
    fake.calls.clear()
    assert not present(fake, check_mode=True)[0]
    assert not present(fake)[0]
    assert fake.mutating_calls() == []


def test_kms_key_compared_by_arn_alias_or_arn_is_no_change(fake):
    present(fake)
    assert not present(fake, kms_master_key_id=KEY_ARN)[0]
    changed, topic, diff, _warnings = present(fake, kms_master_key_id=OTHER_KEY_ARN)
    assert changed
    assert topic["kms_key_arn"] == OTHER_KEY_ARN
    assert diff["before"]["kms_key_arn"] == KEY_ARN
    changed, topic, _diff, _warnings = present(fake, kms_master_key_id="")
    assert changed and topic["kms_master_key_id"] is None and topic["kms_key_arn"] is None
    assert not present(fake, kms_master_key_id="")[0]


def test_unknown_kms_key_fails_clearly(fake):
    with pytest.raises(PaymentsSNSError, match="alias/missing"):
        present(fake, check_mode=True, kms_master_key_id="alias/missing")


def test_unset_options_change_nothing(fake):
    present(fake)
    fake.calls.clear()
    unset = dict(display_name=None, kms_master_key_id=None, policy=None, tags=None, subscriptions=None)
    assert not present(fake, **unset)[0]
    assert fake.mutating_calls() == []


def test_policy_compared_semantically(fake):
    present(fake)
    reordered = copy.deepcopy(POLICY)
    reordered["Statement"][0]["Action"] = ["sns:Publish"]
    assert not present(fake, policy=reordered)[0]
    changed_policy = copy.deepcopy(POLICY)
    changed_policy["Statement"][0]["Condition"]["StringEquals"]["aws:SourceAccount"] = "210987654321"
    changed, topic, _diff, _warnings = present(fake, check_mode=True, policy=changed_policy)
    assert changed and topic["policy"] == changed_policy
    assert fake.mutating_calls() == ["create_topic"]
    assert present(fake, policy=changed_policy)[0]
    assert not present(fake, policy=changed_policy)[0]


def test_delivery_policy_ignores_what_sns_adds(fake):
    delivery = {"http": {"defaultHealthyRetryPolicy": {"numRetries": 5, "minDelayTarget": 20, "maxDelayTarget": 20}}}
    assert present(fake, delivery_policy=delivery)[0]
    assert not present(fake, delivery_policy=delivery)[0]


def test_tags_set_and_purged(fake):
    present(fake)
    changed, topic, _diff, _warnings = present(fake, tags={"Team": "payments"}, purge_tags=False)
    assert changed and topic["tags"] == {"Environment": "test", "Team": "payments"}
    changed, topic, _diff, _warnings = present(fake, tags={"Team": "payments"})
    assert changed and topic["tags"] == {"Team": "payments"}


def test_subscriptions_added_pending_count_and_purge_keeps_pending(fake):
    email = {"protocol": "email", "endpoint": "oncall@example.com"}
    queue = {"protocol": "sqs", "endpoint": QUEUE}
    changed, topic, _diff, _warnings = present(fake, subscriptions=[email, queue])
    assert changed
    assert [s["pending_confirmation"] for s in topic["subscriptions"]] == [True, False]
    assert topic["subscriptions"][0]["subscription_arn"] is None
    # the pending email subscription counts as existing: no second Subscribe
    assert not present(fake, subscriptions=[email, queue])[0]
    # without purge, subscriptions not listed stay
    assert not present(fake, subscriptions=[queue])[0]
    # with purge, the confirmed queue goes, the pending email cannot and is reported
    changed, topic, _diff, warnings = present(fake, subscriptions=[], purge_subscriptions=True)
    assert changed
    assert [s["protocol"] for s in topic["subscriptions"]] == ["email"]
    assert warnings and "oncall@example.com" in warnings[0]


def test_subscription_check_mode_plans_without_calls(fake):
    present(fake)
    fake.calls.clear()
    changed, topic, _diff, _warnings = present(
        fake, check_mode=True, subscriptions=[{"protocol": "sms", "endpoint": "+1 (555) 010-0000"}]
    )
    assert changed
    assert topic["subscriptions"] == [
        {"protocol": "sms", "endpoint": "+15550100000", "subscription_arn": None, "pending_confirmation": False}
    ]
    assert fake.mutating_calls() == []


def test_fifo_topic_created_and_type_cannot_change(fake):
    changed, topic, _diff, _warnings = present(
        fake, name="ledger.fifo", topic_type="fifo", content_based_deduplication=True
    )
    assert changed and topic["fifo_topic"] and topic["content_based_deduplication"]
    assert not present(fake, name="ledger.fifo", topic_type="fifo", content_based_deduplication=True)[0]
    assert present(fake, name="ledger.fifo", topic_type="fifo", content_based_deduplication=False)[0]
    fake.topics[ARN] = copy.deepcopy(fake.topics[f"arn:aws:sns:{REGION}:{ACCOUNT}:ledger.fifo"])
    fake.topics[ARN]["attributes"]["TopicArn"] = ARN
    with pytest.raises(PaymentsSNSError, match="cannot change"):
        present(fake)


def test_absent_deletes_once(fake):
    present(fake)
    assert sns_utils.ensure_topic_absent(fake, fake, params(state="absent"), True)[0]
    assert ARN in fake.topics
    changed, topic, diff, _warnings = sns_utils.ensure_topic_absent(fake, fake, params(state="absent"), False)
    assert changed and topic == {} and diff["before"]["arn"] == ARN
    assert not sns_utils.ensure_topic_absent(fake, fake, params(state="absent"), False)[0]


def test_find_topic_arn_matches_the_whole_name(fake):
    fake.create_topic(Name="x-system-errors-test")
    assert sns_utils.find_topic_arn(fake, NAME) is None
    present(fake)
    assert sns_utils.find_topic_arn(fake, NAME) == ARN


def test_errors_become_the_one_error_class(fake, monkeypatch):
    def denied(**_kwargs):
        raise client_error("AuthorizationError", "CreateTopic")

    monkeypatch.setattr(fake, "create_topic", denied)
    with pytest.raises(PaymentsSNSError, match="create topic"):
        present(fake)


@pytest.mark.parametrize(
    "args, message",
    [
        ({"name": "bad name"}, "not a valid topic name"),
        ({"name": "events.fifo"}, "ends in .fifo"),
        ({"name": "events", "topic_type": "fifo"}, "ends in .fifo"),
        ({"name": "events", "content_based_deduplication": True}, "FIFO topics only"),
        ({"name": "events", "subscriptions": [{"protocol": "sms", "endpoint": "call me"}]}, "not a phone number"),
    ],
)
def test_main_refuses_invalid_arguments(run_module, fake, args, message):
    ok, result = run_module(sns_topic, dict(args, region=REGION), fake)
    assert not ok
    assert message in result["msg"]
    assert fake.calls == []


def test_main_returns_topic_and_diff(run_module, fake):
    ok, result = run_module(
        sns_topic, {"name": NAME, "region": REGION, "kms_master_key_id": ALIAS, "_ansible_diff": True}, fake
    )
    assert ok and result["changed"]
    assert result["topic"]["kms_key_arn"] == KEY_ARN
    assert result["diff"]["before"] == {}
    ok, result = run_module(sns_topic, {"name": NAME, "region": REGION, "kms_master_key_id": KEY_ARN}, fake)
    assert ok and not result["changed"]


def _record_describe_key(fake):
    original = fake.describe_key

    def describe_key(KeyId):
        fake.calls.append(("describe_key", {"KeyId": KeyId}))
        return original(KeyId=KeyId)

    fake.describe_key = describe_key


def test_rerun_with_the_key_arn_calls_no_kms(fake):
    present(fake, kms_master_key_id=KEY_ARN)
    _record_describe_key(fake)
    fake.calls.clear()
    changed, topic, _diff, _warnings = present(fake, kms_master_key_id=KEY_ARN)
    assert not changed
    assert topic["kms_key_arn"] == KEY_ARN
    assert "describe_key" not in [name for name, _params in fake.calls]


def test_a_drifted_key_arn_is_resolved_and_corrected(fake):
    present(fake, kms_master_key_id=KEY_ARN)
    fake.topics[ARN]["attributes"]["KmsMasterKeyId"] = OTHER_KEY_ARN
    _record_describe_key(fake)
    fake.calls.clear()
    changed, topic, diff, _warnings = present(fake, kms_master_key_id=KEY_ARN)
    assert changed
    assert ("describe_key", {"KeyId": KEY_ARN}) in fake.calls
    assert (diff["before"]["kms_key_arn"], topic["kms_key_arn"]) == (OTHER_KEY_ARN, KEY_ARN)
