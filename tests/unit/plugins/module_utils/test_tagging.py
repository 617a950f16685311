"""Tag decisions shared by our modules, and the tags of many resources with one GetResources per 100 ARNs."""

import boto3
import pytest
from ansible_collections.payments.infra.plugins.module_utils.tag_compare import merge_tags, tag_changes
from ansible_collections.payments.infra.plugins.module_utils.tagging import PaymentsTaggingError, get_resources_tags
from aws_fakes import Paginator, client_error


@pytest.mark.parametrize("purge_tags", [True, False])
def test_unset_tags_change_nothing(purge_tags):
    assert tag_changes({"a": "1"}, None, purge_tags) == ({}, [])


def test_equal_tags_change_nothing():
    assert tag_changes({"a": "1", "b": "2"}, {"b": "2", "a": "1"}) == ({}, [])


def test_purge_removes_keys_left_out_and_sets_changed_values():
    assert tag_changes({"a": "1", "b": "2", "c": "3"}, {"a": "9", "d": "4"}) == ({"a": "9", "d": "4"}, ["b", "c"])


def test_without_purge_only_sets():
    assert tag_changes({"a": "1", "b": "2"}, {"a": "9"}, purge_tags=False) == ({"a": "9"}, [])


def test_empty_dict_with_purge_removes_everything_but_aws_tags():
    assert tag_changes({"a": "1", "aws:cloudformation:stack-name": "s"}, {}) == ({}, ["a"])


def test_values_compare_and_set_as_text():
    assert tag_changes({"n": "1"}, {"n": 1}) == ({}, [])
    assert tag_changes({}, {"n": 2, "flag": True}) == ({"n": "2", "flag": "True"}, [])


def test_missing_current_is_empty():
    assert tag_changes(None, {"a": "1"}) == ({"a": "1"}, [])


def test_merge_tags_predicts_the_result():
    current = {"a": "1", "b": "2"}
    assert merge_tags(current, {"a": "9", "c": "3"}, ["b"]) == {"a": "9", "c": "3"}
    assert current == {"a": "1", "b": "2"}
    assert merge_tags(None, {"n": 5}, []) == {"n": "5"}


def test_results_are_sorted_whatever_the_hash_order():
    to_set, to_unset = tag_changes({"z": "1", "y": "1"}, {"b": "1", "a": "1", "C": "1"})
    assert list(to_set) == ["C", "a", "b"]
    assert to_unset == ["y", "z"]


class FakeTagging:
    """A Resource Groups Tagging API client: GetResources answers the listed ARNs that have tags, in one page."""

    def __init__(self, tags):
        self.tags = tags
        self.requests = []

    def get_paginator(self, name):
        assert name == "get_resources"
        return Paginator(self.get_resources)

    def get_resources(self, ResourceARNList):
        assert 1 <= len(ResourceARNList) <= 100
        self.requests.append(list(ResourceARNList))
        return {
            "ResourceTagMappingList": [
                {"ResourceARN": arn, "Tags": [{"Key": k, "Value": v} for k, v in self.tags[arn].items()]}
                for arn in ResourceARNList
                if self.tags.get(arn)
            ]
        }


def test_get_resources_tags_reads_100_arns_per_request_and_answers_every_arn():
    arns = [f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:a{index:03d}" for index in range(250)]
    fake = FakeTagging({arn: {"N": arn[-3:]} for arn in arns[:200]})
    found = get_resources_tags(fake, arns + arns[:5])
    assert [len(chunk) for chunk in fake.requests] == [100, 100, 50]
    assert found[arns[0]] == {"N": "000"} and found[arns[199]] == {"N": "199"}
    assert found[arns[200]] == {} and len(found) == 250


def test_get_resources_tags_of_no_arn_sends_nothing():
    fake = FakeTagging({})
    assert get_resources_tags(fake, []) == {}
    assert fake.requests == []


def test_get_resources_tags_errors_become_the_tagging_error():
    class Denied(FakeTagging):
        def get_resources(self, ResourceARNList):
            raise client_error("AccessDeniedException", "GetResources")

    with pytest.raises(PaymentsTaggingError, match="get the tags of resources"):
        get_resources_tags(Denied({}), ["arn:aws:ssm:us-east-1:123456789012:parameter/p"])


def test_get_resources_tags_of_alarms_and_parameters_in_moto(moto_aws):
    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
    ssm = boto3.client("ssm", region_name="us-east-1")
    cloudwatch.put_metric_alarm(
        AlarmName="payment-test-aurora-cpu",
        Namespace="AWS/RDS",
        MetricName="CPUUtilization",
        Statistic="Average",
        Period=300,
        EvaluationPeriods=1,
        Threshold=80,
        ComparisonOperator="GreaterThanThreshold",
        Tags=[{"Key": "Environment", "Value": "test"}],
    )
    alarm_arn = cloudwatch.describe_alarms(AlarmNames=["payment-test-aurora-cpu"])["MetricAlarms"][0]["AlarmArn"]
    ssm.put_parameter(Name="/payment-processing/test/a", Value="1", Type="String", Tags=[{"Key": "C", "Value": "p"}])
    ssm.put_parameter(Name="/payment-processing/test/untagged", Value="2", Type="String")
    arns = {
        item["Name"]: item["ARN"] for item in ssm.get_parameters_by_path(Path="/payment-processing/test")["Parameters"]
    }
    gone = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:gone"
    found = get_resources_tags(
        boto3.client("resourcegroupstaggingapi", region_name="us-east-1"), [alarm_arn, *arns.values(), gone]
    )
    assert found == {
        alarm_arn: {"Environment": "test"},
        arns["/payment-processing/test/a"]: {"C": "p"},
        arns["/payment-processing/test/untagged"]: {},
        gone: {},
    }
