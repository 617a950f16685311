"""payments.infra.account_limits_info: EC2 account attributes, Elastic IP counts and availability zones."""

from unittest import mock

import pytest
from ansible_collections.payments.infra.plugins.modules import account_limits_info
from botocore.exceptions import ClientError

ATTRIBUTES = [
    {"AttributeName": "max-instances", "AttributeValues": [{"AttributeValue": "20"}]},
    {"AttributeName": "vpc-max-elastic-ips", "AttributeValues": [{"AttributeValue": "5"}]},
]
ZONES = [
    {"ZoneName": "us-east-1b", "State": "available", "ZoneType": "availability-zone"},
    {"ZoneName": "us-east-1a", "State": "available", "ZoneType": "availability-zone"},
    {"ZoneName": "us-east-1c", "State": "impaired", "ZoneType": "availability-zone"},
    {"ZoneName": "us-east-1-bos-1a", "State": "available", "ZoneType": "local-zone"},
]


def ec2_client(attributes=None, addresses=None, zones=None):
    client = mock.MagicMock()
    client.describe_account_attributes.return_value = {
        "AccountAttributes": ATTRIBUTES if attributes is None else attributes
    }
    client.describe_addresses.return_value = {"Addresses": addresses or []}
    client.describe_availability_zones.return_value = {"AvailabilityZones": ZONES if zones is None else zones}
    # run_module answers every module.client() with this one mock: it stands for the STS client too.
    client.get_caller_identity.return_value = {
        "UserId": "AIDAEXAMPLE",
        "Account": "210987654321",
        "Arn": "arn:aws-us-gov:iam::210987654321:user/deployer",
    }
    return client


def test_account_attribute():
    assert account_limits_info.account_attribute(ATTRIBUTES, "vpc-max-elastic-ips") == "5"
    assert account_limits_info.account_attribute(ATTRIBUTES, "missing") is None
    assert account_limits_info.account_attribute([{"AttributeName": "x", "AttributeValues": []}], "x") is None


def test_ec2_limits_counts_vpc_addresses():
    client = ec2_client(
        addresses=[
            {"PublicIp": "192.0.2.1", "Domain": "vpc"},
            {"PublicIp": "192.0.2.2", "Domain": "vpc"},
            {"PublicIp": "192.0.2.3", "Domain": "standard"},
        ]
    )
    assert account_limits_info.ec2_limits(client) == {
        "max_elastic_ips": 5,
        "allocated_elastic_ips": 2,
        "available_elastic_ips": 3,
    }
    client.describe_account_attributes.assert_called_once_with(AttributeNames=["vpc-max-elastic-ips"])


def test_available_elastic_ips_never_negative():
    client = ec2_client(addresses=[{"Domain": "vpc"}] * 7)
    assert account_limits_info.ec2_limits(client)["available_elastic_ips"] == 0


def test_missing_quota_attribute():
    limits = account_limits_info.ec2_limits(ec2_client(attributes=[], addresses=[{"Domain": "vpc"}]))
    assert limits == {"max_elastic_ips": None, "allocated_elastic_ips": 1, "available_elastic_ips": None}


def test_available_zone_names_filters_and_sorts():
    client = ec2_client()
    assert account_limits_info.available_zone_names(client) == ["us-east-1a", "us-east-1b"]
    client.describe_availability_zones.assert_called_once_with(
        Filters=[
            {"Name": "state", "Values": ["available"]},
            {"Name": "zone-type", "Values": ["availability-zone"]},
        ]
    )


@pytest.mark.parametrize("check_mode", [False, True])
def test_main(run_module, check_mode):
    ok, result = run_module(account_limits_info, {"_ansible_check_mode": check_mode}, ec2_client())
    assert ok, result
    assert result["changed"] is False
    assert result["ec2"] == {"max_elastic_ips": 5, "allocated_elastic_ips": 0, "available_elastic_ips": 5}
    assert result["availability_zones"] == ["us-east-1a", "us-east-1b"]
    assert result["account_id"] == "210987654321"
    assert result["partition"] == "aws-us-gov"


def test_main_reports_aws_errors(run_module):
    client = ec2_client()
    client.describe_addresses.side_effect = ClientError(
        {"Error": {"Code": "UnauthorizedOperation", "Message": "not allowed"}}, "DescribeAddresses"
    )
    ok, result = run_module(account_limits_info, {}, client)
    assert not ok
    assert result["msg"].startswith("Failed to describe addresses: ")
    assert result["error"]["code"] == "UnauthorizedOperation"


def test_main_reports_sts_errors(run_module):
    client = ec2_client()
    client.get_caller_identity.side_effect = ClientError(
        {"Error": {"Code": "ExpiredToken", "Message": "expired"}}, "GetCallerIdentity"
    )
    ok, result = run_module(account_limits_info, {}, client)
    assert not ok
    assert result["msg"].startswith("Failed to get caller identity: ")
    assert result["error"]["code"] == "ExpiredToken"
