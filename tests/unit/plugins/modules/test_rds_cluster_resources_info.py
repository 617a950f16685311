"""payments.infra.rds_cluster_resources_info: one call reads what the Aurora role compares, in the shapes of the
amazon.aws modules it replaces (rds_cluster_info, rds_instance_info, rds_cluster_param_group_info, and the subnet
group as amazon.aws.rds_subnet_group reads it), against moto's in-process AWS (no network)."""

import boto3
import pytest
from ansible_collections.amazon.aws.plugins.modules import (
    rds_cluster_info,
    rds_cluster_param_group_info,
    rds_instance_info,
)
from ansible_collections.payments.infra.plugins.filter.rds_differences import rds_differences
from ansible_collections.payments.infra.plugins.module_utils import rds as rds_utils
from ansible_collections.payments.infra.plugins.module_utils.rds import PaymentsRDSError
from ansible_collections.payments.infra.plugins.modules import rds_cluster_resources_info as module
from aws_fakes import client_error
from botocore.stub import Stubber

CLUSTER = "payment-aurora-test"
TAGS = {"Environment": "test", "Name": CLUSTER, "Component": "aurora-cluster"}
PARAMETERS = {"rds.force_ssl": "1", "log_connections": "1", "log_disconnections": "0", "work_mem": "4096"}
ALL = {"db_cluster_identifier": CLUSTER, "region": "us-east-1"}
NAMED = {**ALL, "db_cluster_parameter_group_name": CLUSTER, "db_subnet_group_name": CLUSTER}


@pytest.fixture
def client(moto_aws):
    yield boto3.client("rds", region_name="us-east-1")


def calls_of(client):
    """Operation names the client sends from now on, in order."""
    calls = []
    client.meta.events.register("before-call", lambda model, **_kwargs: calls.append(model.name))
    return calls


def make_groups(client):
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in enumerate("ab")
    ]
    client.create_db_subnet_group(
        DBSubnetGroupName=CLUSTER,
        DBSubnetGroupDescription="database subnets",
        SubnetIds=subnets,
        Tags=[{"Key": "Name", "Value": CLUSTER}, {"Key": "Component", "Value": "aurora-subnet-group"}],
    )
    client.create_db_cluster_parameter_group(
        DBClusterParameterGroupName=CLUSTER,
        DBParameterGroupFamily="aurora-postgresql16",
        Description="TLS only",
        Tags=[{"Key": "Name", "Value": CLUSTER}, {"Key": "Component", "Value": "aurora-parameter-group"}],
    )
    client.modify_db_cluster_parameter_group(
        DBClusterParameterGroupName=CLUSTER,
        Parameters=[
            {"ParameterName": name, "ParameterValue": value, "ApplyMethod": "immediate"}
            for name, value in PARAMETERS.items()
        ],
    )
    return subnets


def make_cluster(client, instances=2):
    make_groups(client)
    client.create_db_cluster(
        DBClusterIdentifier=CLUSTER,
        Engine="aurora-postgresql",
        EngineVersion="16.4",
        MasterUsername="payments",
        MasterUserPassword="never-read-1",
        DBSubnetGroupName=CLUSTER,
        DBClusterParameterGroupName=CLUSTER,
        BackupRetentionPeriod=30,
        StorageEncrypted=True,
        EnableCloudwatchLogsExports=["postgresql"],
        Tags=[{"Key": key, "Value": value} for key, value in TAGS.items()],
    )
    for index in range(1, instances + 1):
        client.create_db_instance(
            DBInstanceIdentifier=f"{CLUSTER}-{index}",
            DBClusterIdentifier=CLUSTER,
            Engine="aurora-postgresql",
            DBInstanceClass="db.r6g.large",
            PromotionTier=index - 1,
            Tags=[{"Key": "Name", "Value": f"{CLUSTER}-{index}"}],
        )
    # An instance of another cluster is never returned.
    client.create_db_cluster(
        DBClusterIdentifier="other",
        Engine="aurora-postgresql",
        MasterUsername="other",
        MasterUserPassword="never-read-2",
    )
    client.create_db_instance(
        DBInstanceIdentifier="other-1",
        DBClusterIdentifier="other",
        Engine="aurora-postgresql",
        DBInstanceClass="db.t4g.medium",
    )


def _stable(resources):
    """Without the clock (moto answers LatestRestorableTime with the time of the request)."""
    return [
        {key: value for key, value in resource.items() if key != "latest_restorable_time"} for resource in resources
    ]


def test_everything_is_read_in_seven_requests_in_the_info_modules_shapes(run_module, client):
    make_cluster(client)
    calls = calls_of(client)
    ok, result = run_module(module, NAMED, client)
    assert ok and not result["changed"], result
    assert calls == [
        "DescribeDBClusters",
        "DescribeDBInstances",
        "DescribeDBClusterParameterGroups",
        "ListTagsForResource",
        "DescribeDBClusterParameters",
        "DescribeDBSubnetGroups",
        "ListTagsForResource",
    ]
    # The amazon.aws info modules on the same account return the same (they run with their own boto3 client).
    ok, cluster_info = run_module(rds_cluster_info, ALL)
    assert ok and _stable(result["clusters"]) == _stable(cluster_info["clusters"])
    assert result["clusters"][0]["tags"] == TAGS
    ok, instance_info = run_module(rds_instance_info, {"filters": {"db-cluster-id": CLUSTER}, "region": "us-east-1"})
    assert ok and _stable(result["instances"]) == _stable(instance_info["instances"])
    assert [i["db_instance_identifier"] for i in result["instances"]] == [f"{CLUSTER}-1", f"{CLUSTER}-2"]
    ok, group_info = run_module(
        rds_cluster_param_group_info, {"name": CLUSTER, "include_parameters": "all", "region": "us-east-1"}
    )
    assert ok and result["db_cluster_parameter_groups"] == group_info["db_cluster_parameter_groups"]
    group = result["db_cluster_parameter_groups"][0]
    assert group["tags"] == {"Name": CLUSTER, "Component": "aurora-parameter-group"}
    # AWS lists every parameter of the family (scripts/emulator_patches.py makes moto do so too, and a test that
    # applied it in this process leaves it applied); the ones set hold their values.
    values = {p["parameter_name"]: p.get("parameter_value") for p in group["db_parameters"]}
    assert {name: values.get(name) for name in PARAMETERS} == PARAMETERS
    # The subnet group as amazon.aws.rds_subnet_group reads it (and the filter compares it).
    assert result["db_subnet_groups"] == [rds_utils.read_db_subnet_group(client, CLUSTER)]
    subnet_group = result["db_subnet_groups"][0]
    assert subnet_group["tags"] == {"Name": CLUSTER, "Component": "aurora-subnet-group"}
    options = {
        "name": CLUSTER,
        "description": "database subnets",
        "subnets": [s["subnet_identifier"] for s in subnet_group["subnets"]],
        "tags": {"Name": CLUSTER, "Component": "aurora-subnet-group"},
    }
    assert rds_differences(subnet_group, "subnet_group", options) == []
    assert rds_differences(result["clusters"][0], "cluster", {"backup_retention_period": 30, "tags": TAGS}) == []


def test_the_groups_default_to_the_clusters(run_module, client):
    make_cluster(client, instances=1)
    ok, result = run_module(module, ALL, client)
    assert ok
    assert result["db_cluster_parameter_groups"][0]["db_cluster_parameter_group_name"] == CLUSTER
    assert result["db_subnet_groups"][0]["db_subnet_group_name"] == CLUSTER


def test_only_the_named_parameters_are_returned(run_module, client):
    make_groups(client)
    ok, result = run_module(
        module, {**NAMED, "parameter_names": ["rds.force_ssl", "log_connections", "absent"]}, client
    )
    assert ok
    found = result["db_cluster_parameter_groups"][0]["db_parameters"]
    assert {p["parameter_name"]: p["parameter_value"] for p in found} == {"rds.force_ssl": "1", "log_connections": "1"}
    calls = calls_of(client)
    ok, result = run_module(module, {**NAMED, "resources": ["parameter_group"], "include_parameters": False}, client)
    assert ok and "db_parameters" not in result["db_cluster_parameter_groups"][0]
    assert calls == ["DescribeDBClusterParameterGroups", "ListTagsForResource"]


def test_an_empty_account_is_empty_lists_after_three_requests(run_module, client):
    calls = calls_of(client)
    ok, result = run_module(module, NAMED, client)
    assert ok and not result["changed"]
    assert result == {
        "changed": False,
        "clusters": [],
        "instances": [],
        "db_cluster_parameter_groups": [],
        "db_subnet_groups": [],
    }
    # No instances are asked for without their cluster.
    assert calls == ["DescribeDBClusters", "DescribeDBClusterParameterGroups", "DescribeDBSubnetGroups"]
    # Without the groups' names and without a cluster nothing but the cluster is read.
    calls.clear()
    ok, result = run_module(module, ALL, client)
    assert ok and calls == ["DescribeDBClusters"]


def test_groups_without_a_cluster_are_read(run_module, client):
    make_groups(client)
    ok, result = run_module(module, NAMED, client)
    assert ok and result["clusters"] == [] and result["instances"] == []
    assert len(result["db_cluster_parameter_groups"]) == 1 and len(result["db_subnet_groups"]) == 1


def test_only_the_cluster(run_module, client):
    make_cluster(client)
    calls = calls_of(client)
    ok, result = run_module(module, {**NAMED, "resources": ["cluster"]}, client)
    assert ok and calls == ["DescribeDBClusters"]
    assert result["clusters"][0]["db_cluster_identifier"] == CLUSTER
    assert (
        result["instances"] == [] and result["db_cluster_parameter_groups"] == [] and result["db_subnet_groups"] == []
    )


def _page(names, marker=None):
    page = {"Parameters": [{"ParameterName": name, "ParameterValue": "1", "ApplyType": "dynamic"} for name in names]}
    if marker:
        page["Marker"] = marker
    return page


def test_the_parameter_listing_stops_at_the_page_of_the_last_name_asked_for(moto_aws):
    client = boto3.client("rds", region_name="us-east-1")
    pages = [_page(["a", "b"], "m1"), _page(["c", "rds.force_ssl"], "m2"), _page(["z"])]
    with Stubber(client) as stubber:
        stubber.add_response(
            "describe_db_cluster_parameters", pages[0], {"DBClusterParameterGroupName": "g", "MaxRecords": 100}
        )
        stubber.add_response(
            "describe_db_cluster_parameters",
            pages[1],
            {"DBClusterParameterGroupName": "g", "MaxRecords": 100, "Marker": "m1"},
        )
        found = rds_utils.describe_db_cluster_parameters(client, "g", ["b", "rds.force_ssl"])
        stubber.assert_no_pending_responses()
    assert [p["ParameterName"] for p in found] == ["b", "rds.force_ssl"]
    # Every page without names.
    with Stubber(client) as stubber:
        for page, marker in zip(pages, [None, "m1", "m2"], strict=True):
            expected = {"DBClusterParameterGroupName": "g", "MaxRecords": 100}
            if marker:
                expected["Marker"] = marker
            stubber.add_response("describe_db_cluster_parameters", page, expected)
        found = rds_utils.describe_db_cluster_parameters(client, "g")
        stubber.assert_no_pending_responses()
    assert [p["ParameterName"] for p in found] == ["a", "b", "c", "rds.force_ssl", "z"]


class _Failing:
    def __init__(self, code):
        self.code = code

    def describe_db_clusters(self, **_kwargs):
        raise client_error(self.code, "DescribeDBClusters")


def test_an_error_fails_the_module_with_its_description(run_module):
    ok, result = run_module(module, ALL, _Failing("AccessDenied"))
    assert not ok and "describe the DB cluster" in result["msg"]
    with pytest.raises(PaymentsRDSError):
        rds_utils.read_db_cluster(_Failing("AccessDenied"), CLUSTER)
    assert rds_utils.read_db_cluster(_Failing("DBClusterNotFoundFault"), CLUSTER) is None


def test_an_empty_resources_list_is_refused(run_module, client):
    ok, result = run_module(module, {**ALL, "resources": []}, client)
    assert not ok and "resources" in result["msg"]
