"""EC2 call wrappers: parameters, pagination, retries and error mapping (no network)."""

from unittest import mock

import pytest
from ansible_collections.amazon.aws.plugins.module_utils import cloud
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.payments.infra.plugins.module_utils import ec2
from botocore.exceptions import ClientError


def _error(code, operation="Operation"):
    return ClientError({"Error": {"Code": code, "Message": f"{code} happened"}}, operation)


@pytest.fixture
def client():
    return mock.MagicMock()


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(cloud.time, "sleep", lambda seconds: None)


def test_error_class_is_ours_and_an_ansible_aws_error():
    assert issubclass(ec2.PaymentsEC2Error, AnsibleAWSError)
    assert ec2.EC2ErrorHandler._CUSTOM_EXCEPTION is ec2.PaymentsEC2Error
    assert ec2.EC2FlowLogErrorHandler._CUSTOM_EXCEPTION is ec2.PaymentsEC2Error


def test_describe_flow_logs_paginates(client):
    client.get_paginator.return_value.paginate.return_value.build_full_result.return_value = {
        "FlowLogs": [{"FlowLogId": "fl-1"}]
    }
    filters = [{"Name": "resource-id", "Values": ["vpc-1"]}]
    assert ec2.describe_flow_logs(client, Filters=filters) == [{"FlowLogId": "fl-1"}]
    client.get_paginator.assert_called_once_with("describe_flow_logs")
    client.get_paginator.return_value.paginate.assert_called_once_with(Filters=filters)


def test_describe_flow_logs_missing_is_empty(client):
    client.get_paginator.return_value.paginate.return_value.build_full_result.side_effect = _error(
        "InvalidFlowLogId.NotFound"
    )
    assert ec2.describe_flow_logs(client, FlowLogIds=["fl-1"]) == []


def test_describe_flow_logs_error_is_wrapped(client):
    original = _error("UnauthorizedOperation")
    client.get_paginator.return_value.paginate.return_value.build_full_result.side_effect = original
    with pytest.raises(ec2.PaymentsEC2Error) as raised:
        ec2.describe_flow_logs(client)
    assert raised.value.message == "Failed to describe flow logs"
    assert raised.value.exception is original


def test_throttling_is_retried(client):
    client.describe_account_attributes.side_effect = [_error("Throttling"), {"AccountAttributes": []}]
    assert ec2.describe_account_attributes(client) == []
    assert client.describe_account_attributes.call_count == 2


def test_create_flow_logs_returns_ids(client):
    client.create_flow_logs.return_value = {"FlowLogIds": ["fl-1"], "Unsuccessful": []}
    assert ec2.create_flow_logs(client, ResourceIds=["vpc-1"], ResourceType="VPC") == ["fl-1"]
    client.create_flow_logs.assert_called_once_with(ResourceIds=["vpc-1"], ResourceType="VPC")


def test_create_flow_logs_unsuccessful_items_raise(client):
    client.create_flow_logs.return_value = {
        "FlowLogIds": [],
        "Unsuccessful": [{"ResourceId": "vpc-1", "Error": {"Code": "400", "Message": "LogDestination: b missing"}}],
    }
    with pytest.raises(ec2.PaymentsEC2Error, match="vpc-1: LogDestination: b missing"):
        ec2.create_flow_logs(client, ResourceIds=["vpc-1"])


def test_create_flow_logs_client_error_is_wrapped(client):
    client.create_flow_logs.side_effect = _error("FlowLogAlreadyExists")
    with pytest.raises(ec2.PaymentsEC2Error) as raised:
        ec2.create_flow_logs(client, ResourceIds=["vpc-1"])
    assert raised.value.message == "Failed to create flow log"


def test_delete_flow_logs(client):
    client.delete_flow_logs.return_value = {"Unsuccessful": []}
    assert ec2.delete_flow_logs(client, ["fl-1"]) is True
    client.delete_flow_logs.assert_called_once_with(FlowLogIds=["fl-1"])


def test_delete_flow_logs_unknown_id_as_unsuccessful_item(client):
    client.delete_flow_logs.return_value = {
        "Unsuccessful": [{"ResourceId": "fl-1", "Error": {"Code": "InvalidFlowLogId.NotFound", "Message": "gone"}}]
    }
    assert ec2.delete_flow_logs(client, ["fl-1"]) is False


def test_delete_flow_logs_unknown_id_as_error(client):
    client.delete_flow_logs.side_effect = _error("InvalidFlowLogId.NotFound")
    assert ec2.delete_flow_logs(client, ["fl-1"]) is False


def test_delete_flow_logs_other_unsuccessful_items_raise(client):
    client.delete_flow_logs.return_value = {
        "Unsuccessful": [{"ResourceId": "fl-1", "Error": {"Code": "AccessDenied", "Message": "no"}}]
    }
    with pytest.raises(ec2.PaymentsEC2Error, match="fl-1: no"):
        ec2.delete_flow_logs(client, ["fl-1"])


def test_create_tags_converts_the_dict(client):
    assert ec2.create_tags(client, ["fl-1"], {"Name": "x", "n": 1}) is True
    client.create_tags.assert_called_once_with(
        Resources=["fl-1"], Tags=[{"Key": "Name", "Value": "x"}, {"Key": "n", "Value": "1"}]
    )


def test_delete_tags_by_key(client):
    assert ec2.delete_tags(client, ["fl-1"], ["a", "b"]) is True
    client.delete_tags.assert_called_once_with(Resources=["fl-1"], Tags=[{"Key": "a"}, {"Key": "b"}])


def test_tag_errors_are_wrapped(client):
    client.create_tags.side_effect = _error("InvalidFlowLogId.NotFound")
    with pytest.raises(ec2.PaymentsEC2Error, match="Failed to create tags"):
        ec2.create_tags(client, ["fl-1"], {"a": "b"})


def test_describe_account_attributes_by_name(client):
    client.describe_account_attributes.return_value = {"AccountAttributes": [{"AttributeName": "x"}]}
    assert ec2.describe_account_attributes(client, attribute_names=["x"]) == [{"AttributeName": "x"}]
    client.describe_account_attributes.assert_called_once_with(AttributeNames=["x"])


def test_describe_addresses(client):
    client.describe_addresses.return_value = {"Addresses": [{"PublicIp": "192.0.2.1"}]}
    assert ec2.describe_addresses(client) == [{"PublicIp": "192.0.2.1"}]


def test_describe_availability_zones(client):
    client.describe_availability_zones.return_value = {"AvailabilityZones": [{"ZoneName": "us-east-1a"}]}
    filters = [{"Name": "state", "Values": ["available"]}]
    assert ec2.describe_availability_zones(client, Filters=filters) == [{"ZoneName": "us-east-1a"}]
    client.describe_availability_zones.assert_called_once_with(Filters=filters)
