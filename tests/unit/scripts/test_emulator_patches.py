"""The emulator patches restore the AWS behaviour they name (checked against moto in-process)."""

import io
import json
import sys
import zipfile
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
        "wafv2-list-resources-for-web-acl",
        "lambda-get-account-settings",
        "alb-attribute-defaults",
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


def test_list_resources_for_web_acl_lists_the_associated_load_balancer(aws):
    ec2 = boto3.client("ec2", region_name="us-east-1")
    elbv2 = boto3.client("elbv2", region_name="us-east-1")
    wafv2 = boto3.client("wafv2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=f"us-east-1{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in enumerate("ab")
    ]
    alb = elbv2.create_load_balancer(Name="alb", Subnets=subnets, Scheme="internal")["LoadBalancers"][0][
        "LoadBalancerArn"
    ]
    visibility = {"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "acl"}
    acl = wafv2.create_web_acl(Name="acl", Scope="REGIONAL", DefaultAction={"Allow": {}}, VisibilityConfig=visibility)
    arn = acl["Summary"]["ARN"]
    assert wafv2.list_resources_for_web_acl(WebACLArn=arn)["ResourceArns"] == []
    wafv2.associate_web_acl(WebACLArn=arn, ResourceArn=alb)
    assert wafv2.list_resources_for_web_acl(WebACLArn=arn, ResourceType="APPLICATION_LOAD_BALANCER")[
        "ResourceArns"
    ] == [alb]


def test_lambda_account_settings_count_reserved_concurrency(aws):
    iam = boto3.client("iam", region_name="us-east-1")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    awslambda = boto3.client("lambda", region_name="us-east-1")
    before = awslambda.get_account_settings()["AccountLimit"]
    assert before["ConcurrentExecutions"] == 1000
    assert before["UnreservedConcurrentExecutions"] == 1000
    awslambda.create_function(
        FunctionName="fn", Runtime="python3.12", Role=role, Handler="handler.handler", Code={"ZipFile": code.getvalue()}
    )
    awslambda.put_function_concurrency(FunctionName="fn", ReservedConcurrentExecutions=25)
    settings = awslambda.get_account_settings()
    assert settings["AccountLimit"]["UnreservedConcurrentExecutions"] == 975
    assert settings["AccountUsage"]["FunctionCount"] == 1


def test_new_alb_reports_the_attribute_defaults(aws):
    ec2 = boto3.client("ec2", region_name="us-east-1")
    elbv2 = boto3.client("elbv2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=f"us-east-1{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in enumerate("ab")
    ]
    alb = elbv2.create_load_balancer(Name="alb", Subnets=subnets, Scheme="internal")["LoadBalancers"][0][
        "LoadBalancerArn"
    ]
    attributes = {
        a["Key"]: a["Value"] for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=alb)["Attributes"]
    }
    assert attributes["access_logs.s3.enabled"] == "false"
    assert attributes["idle_timeout.timeout_seconds"] == "60"
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "false"
