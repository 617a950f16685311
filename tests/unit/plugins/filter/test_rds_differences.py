"""payments.infra.rds_differences (the Aurora compare-first filter) and the subnet group read of module_utils/rds.py
(what payments.infra.rds_cluster_resources_info returns as db_subnet_groups).

The resources are made with moto and read the way amazon.aws.rds_cluster_info / rds_instance_info /
rds_subnet_group read them (snake_case, tags as a dict); each verdict of the filter is checked against the
comparison code of the amazon.aws module itself (rds_cluster.changing_cluster_options,
rds_instance.get_changing_options_with_*_keys, rds_subnet_group's own test, compare_aws_tags).
"""

import types

import boto3
import pytest
from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict, compare_aws_tags
from ansible_collections.amazon.aws.plugins.modules import rds_cluster, rds_instance
from ansible_collections.payments.infra.plugins.filter.rds_differences import FilterModule, rds_differences
from ansible_collections.payments.infra.plugins.module_utils.rds import read_db_subnet_group
from moto import mock_aws

CLUSTER = "payment-aurora-test"
TAGS = {"Environment": "test", "Name": CLUSTER, "Component": "aurora-cluster"}


@pytest.fixture
def rds():
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{az}")["Subnet"][
                "SubnetId"
            ]
            for i, az in enumerate("ab")
        ]
        group = ec2.create_security_group(GroupName="aurora", Description="aurora", VpcId=vpc)["GroupId"]
        client = boto3.client("rds", region_name="us-east-1")
        client.create_db_subnet_group(
            DBSubnetGroupName=CLUSTER,
            DBSubnetGroupDescription="database subnets",
            SubnetIds=subnets,
            Tags=[{"Key": "Name", "Value": CLUSTER}, {"Key": "Component", "Value": "aurora-subnet-group"}],
        )
        client.create_db_cluster_parameter_group(
            DBClusterParameterGroupName=CLUSTER, DBParameterGroupFamily="aurora-postgresql16", Description="p"
        )
        client.create_db_cluster(
            DBClusterIdentifier=CLUSTER,
            Engine="aurora-postgresql",
            EngineVersion="16.4",
            MasterUsername="payments",
            MasterUserPassword="not-compared-1",
            DBSubnetGroupName=CLUSTER,
            VpcSecurityGroupIds=[group],
            DBClusterParameterGroupName=CLUSTER,
            BackupRetentionPeriod=7,
            PreferredBackupWindow="03:00-04:00",
            PreferredMaintenanceWindow="sun:05:00-sun:06:00",
            DeletionProtection=False,
            CopyTagsToSnapshot=True,
            EnableCloudwatchLogsExports=["postgresql"],
            Tags=[{"Key": k, "Value": v} for k, v in TAGS.items()],
        )
        client.create_db_instance(
            DBInstanceIdentifier=f"{CLUSTER}-1",
            DBClusterIdentifier=CLUSTER,
            Engine="aurora-postgresql",
            DBInstanceClass="db.r6g.large",
            DBSubnetGroupName=CLUSTER,
            PromotionTier=0,
            PubliclyAccessible=False,
            AutoMinorVersionUpgrade=True,
            MonitoringInterval=0,
            Tags=[{"Key": "Name", "Value": f"{CLUSTER}-1"}],
        )
        yield types.SimpleNamespace(client=client, subnets=subnets, group=group)


def _cluster(client):
    """As amazon.aws.rds_cluster_info returns it."""
    cluster = client.describe_db_clusters(DBClusterIdentifier=CLUSTER)["DBClusters"][0]
    cluster["Tags"] = boto3_tag_list_to_ansible_dict(
        client.list_tags_for_resource(ResourceName=cluster["DBClusterArn"])["TagList"]
    )
    return cluster, camel_dict_to_snake_dict(cluster, ignore_list=["Tags"])


def _instance(client, name=f"{CLUSTER}-1"):
    """As amazon.aws.rds_instance_info returns it."""
    instance = client.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]
    instance["Tags"] = boto3_tag_list_to_ansible_dict(
        client.list_tags_for_resource(ResourceName=instance["DBInstanceArn"])["TagList"]
    )
    return instance, camel_dict_to_snake_dict(instance, ignore_list=["Tags"])


def _cluster_options(rds, **changes):
    options = {
        "db_cluster_identifier": CLUSTER,
        "engine": "aurora-postgresql",
        "port": 5432,
        "vpc_security_group_ids": [rds.group],
        "purge_security_groups": False,
        "db_cluster_parameter_group_name": CLUSTER,
        "backup_retention_period": 7,
        "preferred_backup_window": "03:00-04:00",
        "preferred_maintenance_window": "sun:05:00-sun:06:00",
        "deletion_protection": False,
        "copy_tags_to_snapshot": True,
        "enable_cloudwatch_logs_exports": ["postgresql"],
        "purge_cloudwatch_logs_exports": True,
        "apply_immediately": False,
        "tags": dict(TAGS),
        "purge_tags": True,
    }
    options.update(changes)
    return options


def _module_changes_cluster(options, raw):
    """What amazon.aws.rds_cluster would modify (changing_cluster_options) and whether its tags would change."""
    camel = {
        "ApplyImmediately": options["apply_immediately"],
        "DBClusterIdentifier": CLUSTER,
        "Port": options["port"],
        "VpcSecurityGroupIds": options["vpc_security_group_ids"],
        "DBClusterParameterGroupName": options["db_cluster_parameter_group_name"],
        "BackupRetentionPeriod": options["backup_retention_period"],
        "PreferredBackupWindow": options["preferred_backup_window"],
        "PreferredMaintenanceWindow": options["preferred_maintenance_window"],
        "DeletionProtection": options["deletion_protection"],
        "CopyTagsToSnapshot": options["copy_tags_to_snapshot"],
        "EnableCloudwatchLogsExports": options["enable_cloudwatch_logs_exports"],
    }
    if "engine_version" in options:
        camel["EngineVersion"] = options["engine_version"]
    rds_cluster.module = types.SimpleNamespace(
        params={
            "purge_cloudwatch_logs_exports": options["purge_cloudwatch_logs_exports"],
            "purge_security_groups": options["purge_security_groups"],
            "state": "present",
        }
    )
    changing = rds_cluster.changing_cluster_options(camel, raw)
    add, remove = compare_aws_tags(raw["Tags"], options["tags"], options["purge_tags"])
    return bool(changing) or bool(add or remove)


def test_a_converged_cluster_has_no_differences_and_the_module_agrees(rds):
    raw, cluster = _cluster(rds.client)
    options = _cluster_options(rds)
    assert rds_differences(cluster, "cluster", options) == []
    assert not _module_changes_cluster(options, raw)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"backup_retention_period": 14}, ["backup_retention_period"]),
        ({"preferred_backup_window": "02:00-03:00"}, ["preferred_backup_window"]),
        ({"preferred_maintenance_window": "mon:05:00-mon:06:00"}, ["preferred_maintenance_window"]),
        ({"deletion_protection": True}, ["deletion_protection"]),
        ({"copy_tags_to_snapshot": False}, ["copy_tags_to_snapshot"]),
        ({"port": 5433}, ["port"]),
        ({"engine_version": "16.6"}, ["engine_version"]),
        ({"db_cluster_parameter_group_name": "other"}, ["db_cluster_parameter_group_name"]),
        ({"enable_cloudwatch_logs_exports": []}, ["enable_cloudwatch_logs_exports"]),
        ({"enable_cloudwatch_logs_exports": ["postgresql", "upgrade"]}, ["enable_cloudwatch_logs_exports"]),
        ({"purge_security_groups": True}, ["vpc_security_group_ids"]),
        ({"vpc_security_group_ids": ["sg-0123456789abcdef0"]}, ["vpc_security_group_ids"]),
        ({"tags": {**TAGS, "Component": "other"}}, ["tags"]),
        ({"tags": {"Name": CLUSTER}}, ["tags"]),
        ({"tags": {**TAGS, "Owner": "payments"}}, ["tags"]),
    ],
)
def test_each_cluster_setting_the_module_would_change_is_a_difference(rds, changes, expected):
    raw, cluster = _cluster(rds.client)
    options = _cluster_options(rds, **changes)
    assert rds_differences(cluster, "cluster", options) == expected
    assert _module_changes_cluster(options, raw)


def test_cluster_tags_compared_as_text_and_unpurged_tags_kept(rds):
    raw, cluster = _cluster(rds.client)
    options = _cluster_options(rds, tags={"Name": CLUSTER}, purge_tags=False)
    assert rds_differences(cluster, "cluster", options) == []
    assert not _module_changes_cluster(options, raw)
    rds.client.add_tags_to_resource(ResourceName=raw["DBClusterArn"], Tags=[{"Key": "Count", "Value": "2"}])
    raw, cluster = _cluster(rds.client)
    options = _cluster_options(rds, tags={**TAGS, "Count": 2})
    assert rds_differences(cluster, "cluster", options) == []
    assert not _module_changes_cluster(options, raw)


def test_a_drift_made_with_boto3_is_found(rds):
    rds.client.modify_db_cluster(DBClusterIdentifier=CLUSTER, BackupRetentionPeriod=3, ApplyImmediately=True)
    raw, cluster = _cluster(rds.client)
    assert rds_differences(cluster, "cluster", _cluster_options(rds)) == ["backup_retention_period"]
    assert _module_changes_cluster(_cluster_options(rds), raw)


def _instance_options(**changes):
    options = {
        "db_instance_identifier": f"{CLUSTER}-1",
        "db_cluster_identifier": CLUSTER,
        "engine": "aurora-postgresql",
        "db_instance_class": "db.r6g.large",
        "db_subnet_group_name": CLUSTER,
        "availability_zone": "us-east-1a",
        "promotion_tier": 0,
        "publicly_accessible": False,
        "auto_minor_version_upgrade": True,
        "monitoring_interval": 0,
        "apply_immediately": False,
        "tags": {"Name": f"{CLUSTER}-1"},
        "purge_tags": True,
        "wait": False,
    }
    options.update(changes)
    return options


CAMEL = {
    "engine": "Engine",
    "db_instance_class": "DBInstanceClass",
    "db_subnet_group_name": "DBSubnetGroupName",
    "promotion_tier": "PromotionTier",
    "publicly_accessible": "PubliclyAccessible",
    "auto_minor_version_upgrade": "AutoMinorVersionUpgrade",
    "monitoring_interval": "MonitoringInterval",
    "monitoring_role_arn": "MonitoringRoleArn",
    "enable_performance_insights": "EnablePerformanceInsights",
    "performance_insights_retention_period": "PerformanceInsightsRetentionPeriod",
}


def _module_changes_instance(options, raw):
    """What amazon.aws.rds_instance would modify (its two comparisons) and whether its tags would change."""
    params = {CAMEL[k]: v for k, v in options.items() if k in CAMEL}
    params["DBInstanceIdentifier"] = options["db_instance_identifier"]
    changing = rds_instance.get_changing_options_with_inconsistent_keys(dict(params), raw, True, True)
    inconsistent = rds_instance.get_current_attributes_with_inconsistent_keys(raw)
    consistent = {k: v for k, v in params.items() if k not in inconsistent}
    changing.update(rds_instance.get_changing_options_with_consistent_keys(consistent, raw))
    changing.pop("DBInstanceIdentifier", None)
    add, remove = compare_aws_tags(raw["Tags"], options["tags"], options["purge_tags"])
    return bool(changing) or bool(add or remove)


def test_a_converged_instance_has_no_differences_and_the_module_agrees(rds):
    raw, instance = _instance(rds.client)
    assert rds_differences(instance, "instance", _instance_options()) == []
    assert not _module_changes_instance(_instance_options(), raw)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"db_instance_class": "db.r6g.xlarge"}, ["db_instance_class"]),
        ({"promotion_tier": 1}, ["promotion_tier"]),
        ({"publicly_accessible": True}, ["publicly_accessible"]),
        ({"auto_minor_version_upgrade": False}, ["auto_minor_version_upgrade"]),
        ({"monitoring_interval": 60}, ["monitoring_interval"]),
        ({"monitoring_role_arn": "arn:aws:iam::123456789012:role/m"}, ["monitoring_role_arn"]),
        ({"db_subnet_group_name": "other"}, ["db_subnet_group_name"]),
        ({"enable_performance_insights": True}, ["enable_performance_insights"]),
        ({"tags": {"Name": f"{CLUSTER}-1", "Component": "aurora-instance"}}, ["tags"]),
        ({"tags": {}}, ["tags"]),
    ],
)
def test_each_instance_setting_the_module_would_change_is_a_difference(rds, changes, expected):
    raw, instance = _instance(rds.client)
    options = _instance_options(**changes)
    assert rds_differences(instance, "instance", options) == expected
    assert _module_changes_instance(options, raw)


def test_options_modify_db_instance_does_not_take_are_not_differences(rds):
    raw, instance = _instance(rds.client)
    options = _instance_options(availability_zone="us-east-1c", db_cluster_identifier="another")
    assert rds_differences(instance, "instance", options) == []
    assert not _module_changes_instance(options, raw)


def test_a_pending_instance_change_counts_as_made():
    pending = {
        "db_instance_identifier": "i",
        "db_instance_class": "db.r6g.large",
        "pending_modified_values": {"db_instance_class": "db.r6g.xlarge"},
        "db_subnet_group": {"db_subnet_group_name": "g"},
        "tags": {},
    }
    assert rds_differences(pending, "instance", {"db_instance_class": "db.r6g.xlarge"}) == []
    assert rds_differences(pending, "instance", {"db_instance_class": "db.r6g.large"}) == ["db_instance_class"]


def test_the_performance_insights_key_matches_by_arn_or_id():
    instance = {"performance_insights_kms_key_id": "arn:aws:kms:us-east-1:123456789012:key/abc", "tags": {}}
    assert rds_differences(instance, "instance", {"performance_insights_kms_key_id": "abc"}) == []
    assert (
        rds_differences(
            instance, "instance", {"performance_insights_kms_key_id": instance["performance_insights_kms_key_id"]}
        )
        == []
    )
    assert rds_differences(instance, "instance", {"performance_insights_kms_key_id": "other"}) == [
        "performance_insights_kms_key_id"
    ]


def _subnet_group_options(rds, **changes):
    options = {
        "state": "present",
        "name": CLUSTER,
        "description": "database subnets",
        "subnets": list(reversed(rds.subnets)),
        "tags": {"Name": CLUSTER, "Component": "aurora-subnet-group"},
        "purge_tags": True,
    }
    options.update(changes)
    return options


def test_the_subnet_group_read_matches_what_rds_subnet_group_reads(rds):
    group = read_db_subnet_group(rds.client, CLUSTER.upper())
    assert group["db_subnet_group_name"] == CLUSTER
    assert group["tags"] == {"Name": CLUSTER, "Component": "aurora-subnet-group"}
    assert sorted(s["subnet_identifier"] for s in group["subnets"]) == sorted(rds.subnets)
    assert read_db_subnet_group(rds.client, "missing") is None
    assert rds_differences(group, "subnet_group", _subnet_group_options(rds)) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"description": "other"}, ["description"]),
        ({"subnets": ["subnet-1"]}, ["subnets"]),
        ({"tags": {"Name": CLUSTER}}, ["tags"]),
        ({"tags": {"Name": CLUSTER, "Component": "x"}}, ["tags"]),
    ],
)
def test_each_subnet_group_setting_is_compared(rds, changes, expected):
    group = read_db_subnet_group(rds.client, CLUSTER)
    assert rds_differences(group, "subnet_group", _subnet_group_options(rds, **changes)) == expected


def test_a_subnet_group_drift_made_with_boto3_is_found(rds):
    # A tag: moto 5.2's ModifyDBSubnetGroup drops the group it modifies (a description drift cannot be made).
    group = read_db_subnet_group(rds.client, CLUSTER)
    rds.client.remove_tags_from_resource(ResourceName=group["db_subnet_group_arn"], TagKeys=["Component"])
    group = read_db_subnet_group(rds.client, CLUSTER)
    assert rds_differences(group, "subnet_group", _subnet_group_options(rds)) == ["tags"]


def test_a_null_option_is_not_compared(rds):
    raw, cluster = _cluster(rds.client)
    options = _cluster_options(rds, engine_version=None, port=None)
    assert rds_differences(cluster, "cluster", options) == []
    _raw, instance = _instance(rds.client)
    options = _instance_options(enable_performance_insights=None, performance_insights_kms_key_id=None)
    assert rds_differences(instance, "instance", options) == []
    # The same options with a value that differs are compared.
    options = _instance_options(performance_insights_kms_key_id="arn:aws:kms:us-east-1:123456789012:key/other")
    assert rds_differences(instance, "instance", options) != []


@pytest.mark.parametrize("kind", ["cluster", "instance", "subnet_group"])
def test_a_missing_resource_is_missing(kind):
    assert rds_differences(None, kind, {}) == ["missing"]
    assert rds_differences({}, kind, {}) == ["missing"]


@pytest.mark.parametrize(
    ("current", "kind", "desired", "message"),
    [
        ({}, "db", {}, "kind must be one of"),
        ([], "cluster", {}, "must be a dict or null"),
        ({}, "cluster", [], "desired must be a dict"),
        ({}, "cluster", {"master_user_password": "x"}, "never compared"),
        ({}, "cluster", {"force_update_password": True}, "never compared"),
        ({}, "instance", {"iops": 3000}, "cannot compare: iops"),
        ({}, "subnet_group", {"subnet_ids": []}, "cannot compare: subnet_ids"),
    ],
)
def test_bad_input_fails(current, kind, desired, message):
    with pytest.raises(AnsibleFilterError, match=message):
        rds_differences(current, kind, desired)


def test_the_filter_is_registered():
    assert FilterModule().filters() == {"rds_differences": rds_differences}
