"""The emulator patches restore the AWS behaviour they name (checked against moto in-process)."""

import sys
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
import emulator_patches  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def patched():
    return emulator_patches.apply_patches()


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield


def test_every_patch_is_applied(patched):
    assert patched == [
        "nat-gateway-tag-resource-type",
        "kms-schedule-key-deletion-by-arn",
        "cluster-parameter-group-family-defaults",
    ]


def test_nat_gateway_tags_are_reported_as_natgateway(aws):
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.0.0/24")["Subnet"]["SubnetId"]
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(
        SubnetId=subnet,
        AllocationId=eip,
        TagSpecifications=[{"ResourceType": "natgateway", "Tags": [{"Key": "Name", "Value": "n"}]}],
    )["NatGateway"]["NatGatewayId"]
    tags = ec2.describe_tags(Filters=[{"Name": "resource-type", "Values": ["natgateway"]}])["Tags"]
    assert [(t["ResourceId"], t["ResourceType"]) for t in tags] == [(nat, "natgateway")]


def test_schedule_key_deletion_accepts_the_key_arn(aws):
    kms = boto3.client("kms", region_name="us-east-1")
    arn = kms.create_key()["KeyMetadata"]["Arn"]
    kms.schedule_key_deletion(KeyId=arn, PendingWindowInDays=7)
    assert kms.describe_key(KeyId=arn)["KeyMetadata"]["KeyState"] == "PendingDeletion"


def test_new_aurora_postgresql_cluster_parameter_group_lists_family_parameters(aws):
    rds = boto3.client("rds", region_name="us-east-1")
    rds.create_db_cluster_parameter_group(
        DBClusterParameterGroupName="pg", DBParameterGroupFamily="aurora-postgresql16", Description="d"
    )
    params = {
        p["ParameterName"]: p
        for p in rds.describe_db_cluster_parameters(DBClusterParameterGroupName="pg")["Parameters"]
    }
    assert params["rds.force_ssl"]["ParameterValue"] == "0"
    rds.modify_db_cluster_parameter_group(
        DBClusterParameterGroupName="pg",
        Parameters=[{"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "immediate"}],
    )
    params = {
        p["ParameterName"]: p
        for p in rds.describe_db_cluster_parameters(DBClusterParameterGroupName="pg")["Parameters"]
    }
    assert params["rds.force_ssl"]["ParameterValue"] == "1"
