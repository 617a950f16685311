"""The emulator patches restore the AWS behaviour they name (checked against moto in-process)."""

import io
import json
import sys
import time
import zipfile
from pathlib import Path
from types import SimpleNamespace

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
        "creation-delays",
        "logs-associate-kms-key",
        "tagging-get-resources-arn-list-in-one-page",
        "apigatewayv2-update-stage-and-stage-tags",
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


def test_creation_delays_default_to_real_aws_times_over_the_scale():
    delays = emulator_patches.creation_delays('{"scale": 4, "db_instance": 7}')
    assert delays["nat_gateway"] == emulator_patches.REAL_AWS_CREATE_SECONDS["nat_gateway"] / 4
    assert delays["db_instance"] == 7
    assert emulator_patches.creation_delays("{}")["db_cluster"] == (
        emulator_patches.REAL_AWS_CREATE_SECONDS["db_cluster"] / emulator_patches.DEFAULT_DELAY_SCALE
    )
    with pytest.raises(ValueError, match="nat_gateways"):
        emulator_patches.creation_delays('{"nat_gateways": 1}')


def test_slow_resources_report_their_in_progress_state_until_their_delay(aws, monkeypatch):
    delays = {"nat_gateway": 600, "db_cluster": 600, "db_instance": 600, "load_balancer": 600, "vpc_link": 600}
    monkeypatch.setattr(emulator_patches, "_CREATE_DELAYS", delays)
    clock = {"offset": 0}
    monkeypatch.setattr(emulator_patches, "time", SimpleNamespace(time=lambda: time.time() + clock["offset"]))
    ec2 = boto3.client("ec2", region_name="us-east-1")
    rds = boto3.client("rds", region_name="us-east-1")
    elbv2 = boto3.client("elbv2", region_name="us-east-1")
    apigw = boto3.client("apigatewayv2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=f"us-east-1{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in enumerate("ab")
    ]
    nat = ec2.create_nat_gateway(SubnetId=subnets[0], AllocationId=ec2.allocate_address(Domain="vpc")["AllocationId"])
    nat_id = nat["NatGateway"]["NatGatewayId"]
    rds.create_db_cluster(
        DBClusterIdentifier="c", Engine="aurora-postgresql", MasterUsername="u", MasterUserPassword="password1"
    )
    rds.create_db_instance(
        DBInstanceIdentifier="c-1", DBClusterIdentifier="c", Engine="aurora-postgresql", DBInstanceClass="db.r6g.large"
    )
    alb = elbv2.create_load_balancer(Name="alb", Subnets=subnets, Scheme="internal")["LoadBalancers"][0]
    link = apigw.create_vpc_link(Name="l", SubnetIds=subnets)["VpcLinkId"]

    def states():
        return (
            ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"][0]["State"],
            rds.describe_db_clusters(DBClusterIdentifier="c")["DBClusters"][0]["Status"],
            rds.describe_db_instances(DBInstanceIdentifier="c-1")["DBInstances"][0]["DBInstanceStatus"],
            elbv2.describe_load_balancers(LoadBalancerArns=[alb["LoadBalancerArn"]])["LoadBalancers"][0]["State"][
                "Code"
            ],
            apigw.get_vpc_link(VpcLinkId=link)["VpcLinkStatus"],
        )

    assert states() == ("pending", "creating", "creating", "provisioning", "PENDING")
    assert ec2.describe_nat_gateways(Filters=[{"Name": "state", "Values": ["pending"]}])["NatGateways"]
    clock["offset"] = 601
    assert states() == ("available", "available", "available", "active", "AVAILABLE")


def test_no_creation_delay_without_the_environment_variable(aws, monkeypatch):
    monkeypatch.delenv("PAYMENTS_EMULATOR_DELAYS", raising=False)
    emulator_patches.patch_creation_delays()
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.0.0/24")["Subnet"]["SubnetId"]
    nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=ec2.allocate_address(Domain="vpc")["AllocationId"])
    assert ec2.describe_nat_gateways(NatGatewayIds=[nat["NatGateway"]["NatGatewayId"]])["NatGateways"][0]["State"] == (
        "available"
    )


def test_logs_associate_and_disassociate_kms_key(aws):
    logs = boto3.client("logs", region_name="us-east-1")
    key = boto3.client("kms", region_name="us-east-1").create_key()["KeyMetadata"]["Arn"]
    logs.create_log_group(logGroupName="/aws/vpc/flow-logs/test")
    logs.associate_kms_key(logGroupName="/aws/vpc/flow-logs/test", kmsKeyId=key)
    groups = logs.describe_log_groups(logGroupNamePrefix="/aws/vpc/flow-logs/test")["logGroups"]
    assert [group.get("kmsKeyId") for group in groups] == [key]
    logs.disassociate_kms_key(logGroupName="/aws/vpc/flow-logs/test")
    groups = logs.describe_log_groups(logGroupNamePrefix="/aws/vpc/flow-logs/test")["logGroups"]
    assert [group.get("kmsKeyId") for group in groups] == [None]
    for call in (
        lambda: logs.associate_kms_key(logGroupName="/missing", kmsKeyId=key),
        lambda: logs.disassociate_kms_key(logGroupName="/missing"),
    ):
        with pytest.raises(logs.exceptions.ResourceNotFoundException):
            call()


def test_get_resources_answers_an_arn_list_in_one_page(aws):
    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
    tags = [{"Key": f"k{index}", "Value": "v"} for index in range(7)]
    arns = []
    for index in range(60):  # more than moto's 50 resources and 100 tags a page
        name = f"alarm-{index:02d}"
        cloudwatch.put_metric_alarm(
            AlarmName=name,
            Namespace="AWS/Lambda",
            MetricName="Errors",
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=0,
            ComparisonOperator="GreaterThanThreshold",
            Tags=tags,
        )
        arns.append(cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["AlarmArn"])
    tagging = boto3.client("resourcegroupstaggingapi", region_name="us-east-1")
    answer = tagging.get_resources(ResourceARNList=arns[:55])
    assert not answer.get("PaginationToken")
    assert sorted(item["ResourceARN"] for item in answer["ResourceTagMappingList"]) == sorted(arns[:55])
    # Without an ARN list, GetResources still pages.
    assert tagging.get_resources(ResourceTypeFilters=["cloudwatch:alarm"]).get("PaginationToken")


def test_apigatewayv2_update_stage_and_stage_tags(aws):
    client = boto3.client("apigatewayv2", region_name="us-east-1")
    api_id = client.create_api(Name="a", ProtocolType="HTTP")["ApiId"]
    client.create_stage(ApiId=api_id, StageName="$default", Tags={"Name": "s", "Old": "x"})
    client.update_stage(
        ApiId=api_id,
        StageName="$default",
        AutoDeploy=True,
        AccessLogSettings={
            "DestinationArn": "arn:aws:logs:us-east-1:123456789012:log-group:g",
            "Format": "$context.requestId",
        },
    )
    arn = f"arn:aws:apigateway:us-east-1::/apis/{api_id}/stages/$default"
    client.tag_resource(ResourceArn=arn, Tags={"Name": "t"})
    client.untag_resource(ResourceArn=arn, TagKeys=["Old"])
    stage = client.get_stage(ApiId=api_id, StageName="$default")
    assert stage["AutoDeploy"] is True and stage["AccessLogSettings"]["Format"] == "$context.requestId"
    assert stage["Tags"] == {"Name": "t"} == client.get_stages(ApiId=api_id)["Items"][0]["Tags"]
