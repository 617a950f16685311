"""payments.infra.cloudwatchlogs_log_group_kms decisions, against an in-memory CloudWatch Logs client."""

import pytest
from ansible_collections.payments.infra.plugins.module_utils import logs
from ansible_collections.payments.infra.plugins.module_utils.logs import PaymentsLogsError
from ansible_collections.payments.infra.plugins.modules import cloudwatchlogs_log_group_kms as module
from aws_fakes import Paginator, client_error

NAME = "/aws/vpc/flow-logs/payment-vpc-test"
ARN = "arn:aws:logs:us-east-1:123456789012:log-group:" + NAME
KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
OTHER_KEY = "arn:aws:kms:us-east-1:123456789012:key/66666666-7777-8888-9999-000000000000"
MUTATING = ("associate_kms_key", "disassociate_kms_key")


class FakeLogs:
    """Log groups as DescribeLogGroups answers them (prefix match, ARN with ':*', kmsKeyId only when set)."""

    def __init__(self, groups):
        self.groups = dict(groups)
        self.calls = []

    def get_paginator(self, operation):
        assert operation == "describe_log_groups"
        return Paginator(self.describe_log_groups, "logGroups")

    def describe_log_groups(self, logGroupNamePrefix=""):  # noqa: N803 (boto3 parameter name)
        self.calls.append("describe_log_groups")
        answer = []
        for name in sorted(self.groups):
            if name.startswith(logGroupNamePrefix):
                group = {"logGroupName": name, "arn": f"{ARN.rsplit(':', 1)[0]}:{name}:*", "storedBytes": 0}
                if self.groups[name]:
                    group["kmsKeyId"] = self.groups[name]
                answer.append(group)
        return {"logGroups": answer}

    def _existing(self, name, operation):
        if name not in self.groups:
            raise client_error("ResourceNotFoundException", operation, "The specified log group does not exist.")

    def associate_kms_key(self, logGroupName, kmsKeyId):  # noqa: N803 (boto3 parameter names)
        self.calls.append("associate_kms_key")
        self._existing(logGroupName, "AssociateKmsKey")
        self.groups[logGroupName] = kmsKeyId
        return {}

    def disassociate_kms_key(self, logGroupName):  # noqa: N803 (boto3 parameter name)
        self.calls.append("disassociate_kms_key")
        self._existing(logGroupName, "DisassociateKmsKey")
        self.groups[logGroupName] = None
        return {}

    def writes(self):
        return [call for call in self.calls if call in MUTATING]


def test_exact_name_match_ignores_groups_sharing_the_prefix():
    client = FakeLogs({NAME + "-old": KEY, NAME: None})
    assert logs.describe_log_group(client, NAME)["logGroupName"] == NAME
    assert logs.describe_log_group(client, NAME + "-o") is None


def test_check_mode_reports_the_association_and_writes_nothing():
    client = FakeLogs({NAME: None})
    changed, result = module.ensure(client, NAME, KEY, True)
    assert changed
    assert result == {
        "log_group_name": NAME,
        "log_group_arn": ARN,
        "exists": True,
        "kms_key_id": KEY,
        "previous_kms_key_id": None,
        "diff": {"before": {"kms_key_id": None}, "after": {"kms_key_id": KEY}},
    }
    assert client.writes() == [] and client.groups[NAME] is None


def test_associate_then_reruns_change_nothing():
    client = FakeLogs({NAME: None})
    changed, result = module.ensure(client, NAME, KEY, False)
    assert changed and result["kms_key_id"] == KEY and client.groups[NAME] == KEY
    assert client.writes() == ["associate_kms_key"]
    for check_mode in (True, False):
        changed, result = module.ensure(client, NAME, KEY, check_mode)
        assert not changed
        assert result["previous_kms_key_id"] == KEY and result["kms_key_id"] == KEY
    assert client.writes() == ["associate_kms_key"]


def test_another_key_is_replaced():
    client = FakeLogs({NAME: OTHER_KEY})
    changed, result = module.ensure(client, NAME, KEY, False)
    assert changed
    assert result["diff"] == {"before": {"kms_key_id": OTHER_KEY}, "after": {"kms_key_id": KEY}}
    assert client.groups[NAME] == KEY


def test_no_key_disassociates_once():
    client = FakeLogs({NAME: KEY})
    changed, result = module.ensure(client, NAME, None, False)
    assert changed and result["kms_key_id"] is None and result["previous_kms_key_id"] == KEY
    assert client.groups[NAME] is None
    changed, _result = module.ensure(client, NAME, None, False)
    assert not changed
    assert client.writes() == ["disassociate_kms_key"]


def test_missing_group_fails_except_in_check_mode():
    client = FakeLogs({})
    changed, result = module.ensure(client, NAME, KEY, True)
    assert changed and result["exists"] is False and result["log_group_arn"] is None
    changed, _result = module.ensure(client, NAME, None, True)
    assert not changed
    with pytest.raises(PaymentsLogsError, match="does not exist"):
        module.ensure(client, NAME, KEY, False)
    assert client.writes() == []


def test_aws_errors_become_payments_logs_errors():
    client = FakeLogs({})
    with pytest.raises(PaymentsLogsError):
        logs.associate_kms_key(client, NAME, KEY)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        (KEY, True),
        ("arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/abcd-12", True),
        ("alias/payment-logs-test", False),
        ("11111111-2222-3333-4444-555555555555", False),
        ("arn:aws:kms:us-east-1:123456789012:alias/payment-logs-test", False),
    ],
)
def test_only_key_arns_are_accepted(value, valid):
    assert bool(module.KEY_ARN.match(value)) is valid


def test_figure(record_property):
    client = FakeLogs({NAME: None})
    module.ensure(client, NAME, KEY, False)
    module.ensure(client, NAME, KEY, False)
    module.ensure(client, NAME, None, False)
    record_property("figure", f"cloudwatchlogs_log_group_kms unit: 3 runs, {len(client.writes())} writes")
    assert client.writes() == ["associate_kms_key", "disassociate_kms_key"]
