"""The Aurora tier's compare-first (issue #8): rds_subnet_group, rds_cluster and rds_instance run only for a drift.

A no-op rerun of the tier used to call the three ensuring modules every run; it now reads the cluster, its instances,
its parameter group and its subnet group in one call of payments.infra.rds_cluster_resources_info (instead of
rds_cluster_info, rds_cluster_param_group_info, rds_instance_info and a lookup) and compares them with
payments.infra.rds_differences. One converge of network, secrets and aurora, then drifts made
with boto3 - the cluster's backup retention and a cluster tag, an instance's class and another instance's tag, a
subnet group tag - : --check reports exactly the three tasks that own them and writes nothing, the rerun corrects
exactly those (boto3 sees each one fixed), a further rerun is changed=0 with no write and --check is changed=0.
"""

import boto3
import pytest
from test_compare_first_drift import _changed_tasks, _recap, _run

TAGS = "network,secrets,aurora"
ENV = "local"
CLUSTER = f"payment-aurora-{ENV}"
WRITER, READER = f"{CLUSTER}-1", f"{CLUSTER}-2"
SUBNET_GROUP_TASK = (
    "payments.infra.aurora : Create or update the DB subnet group on the database subnets where it differs"
)
CLUSTER_TASK = "payments.infra.aurora : Update the cluster where it differs (never the password, which rotation owns)"
INSTANCES_TASK = (
    "payments.infra.aurora : Create or update the instances where they differ "
    "(writer first, then readers in the other AZs)"
)
EXPECTED = {SUBNET_GROUP_TASK, CLUSTER_TASK, INSTANCES_TASK}
ENSURING = ("ModifyDBCluster", "ModifyDBInstance", "ModifyDBSubnetGroup", "AddTagsToResource")
READ_TASK = "payments.infra.aurora : Read the cluster, its instances, its parameter group and its subnet group"
# The RDS requests of a no-op rerun of the tier: that one read (the cluster's tags come with DescribeDBClusters).
NOOP_RDS_REQUESTS = {
    "DescribeDBClusters": 1,
    "DescribeDBInstances": 1,
    "DescribeDBClusterParameterGroups": 1,
    "DescribeDBClusterParameters": 1,
    "DescribeDBSubnetGroups": 1,
    "ListTagsForResource": 2,
}


def _rds(playbook):
    env = playbook.emulator.aws_env()
    return boto3.client(
        "rds",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _tags(rds, arn):
    return {t["Key"]: t["Value"] for t in rds.list_tags_for_resource(ResourceName=arn)["TagList"]}


def _state(rds):
    """What the drifts touch, as boto3 sees it."""
    cluster = rds.describe_db_clusters(DBClusterIdentifier=CLUSTER)["DBClusters"][0]
    instances = {
        i["DBInstanceIdentifier"]: i
        for i in rds.describe_db_instances(Filters=[{"Name": "db-cluster-id", "Values": [CLUSTER]}])["DBInstances"]
    }
    group = rds.describe_db_subnet_groups(DBSubnetGroupName=CLUSTER)["DBSubnetGroups"][0]
    return {
        "backup_retention": cluster["BackupRetentionPeriod"],
        "cluster_tags": _tags(rds, cluster["DBClusterArn"]),
        "reader_class": instances[READER]["DBInstanceClass"],
        "writer_tags": _tags(rds, instances[WRITER]["DBInstanceArn"]),
        "subnet_group_tags": _tags(rds, group["DBSubnetGroupArn"]),
    }


def _make_drifts(rds):
    cluster = rds.describe_db_clusters(DBClusterIdentifier=CLUSTER)["DBClusters"][0]
    rds.modify_db_cluster(DBClusterIdentifier=CLUSTER, BackupRetentionPeriod=3, ApplyImmediately=True)
    rds.add_tags_to_resource(ResourceName=cluster["DBClusterArn"], Tags=[{"Key": "Component", "Value": "drifted"}])
    rds.modify_db_instance(DBInstanceIdentifier=READER, DBInstanceClass="db.r6g.xlarge", ApplyImmediately=True)
    writer = rds.describe_db_instances(DBInstanceIdentifier=WRITER)["DBInstances"][0]
    rds.remove_tags_from_resource(ResourceName=writer["DBInstanceArn"], TagKeys=["Component"])
    # A tag, not the description: moto 5.2's ModifyDBSubnetGroup drops the group it modifies.
    group = rds.describe_db_subnet_groups(DBSubnetGroupName=CLUSTER)["DBSubnetGroups"][0]
    rds.add_tags_to_resource(ResourceName=group["DBSubnetGroupArn"], Tags=[{"Key": "Owner", "Value": "someone"}])


def _module_calls(output, tasks=None):
    """Invocations of the modules of tasks (default the three ensuring ones; a loop item counts once)."""
    tasks = EXPECTED if tasks is None else tasks
    calls, task = 0, None
    for line in output.splitlines():
        if line.startswith("TASK ["):
            task = line[6 : line.index("]")]
        elif task in tasks and line.startswith(("ok: ", "changed: ")):
            calls += 1
    return calls


def _rds_requests(entries):
    counts = {}
    for entry in entries:
        if entry["service"] == "rds":
            counts[entry["operation"]] = counts.get(entry["operation"], 0) + 1
    return counts


@pytest.mark.emulator
@pytest.mark.slow
def test_aurora_compare_first_corrects_exactly_the_drift(playbook, record_property):
    converge, _entries, _writes = _run(playbook, "--tags", TAGS)
    assert _recap(converge)["failed"] == 0
    rds = _rds(playbook)
    converged = _state(rds)
    assert converged["backup_retention"] == 30 and converged["reader_class"] == "db.r6g.large"
    assert converged["cluster_tags"]["Component"] == "aurora-cluster"
    assert converged["writer_tags"]["Component"] == "aurora-instance"
    assert "Owner" not in converged["subnet_group_tags"]

    noop, noop_entries, noop_writes = _run(playbook, "--tags", "aurora")
    assert _recap(noop)["changed"] == 0, noop[-10000:]
    assert noop_writes == [], noop_writes
    assert _module_calls(noop) == 0, noop[-10000:]
    # One read module call (no amazon.aws rds_*_info task left in the tier) and its 7 RDS requests.
    assert _module_calls(noop, {READ_TASK}) == 1, noop[-10000:]
    assert _rds_requests(noop_entries) == NOOP_RDS_REQUESTS

    _make_drifts(rds)
    drifted = _state(rds)
    assert all(drifted[key] != converged[key] for key in converged), drifted

    check, _entries, check_writes = _run(playbook, "--check", "--tags", "aurora")
    assert check_writes == [], check_writes
    assert _changed_tasks(check) == EXPECTED, check[-10000:]
    assert _state(rds) == drifted

    fix, fix_entries, _writes = _run(playbook, "--tags", "aurora")
    assert _changed_tasks(fix) == EXPECTED, fix[-10000:]
    assert _recap(fix)["changed"] == len(EXPECTED), fix[-10000:]
    # Only the drifted instance is modified (the writer only re-tagged), and the cluster never gets a password.
    modified = [e for e in fix_entries if e["operation"] in ENSURING]
    assert [e["operation"] for e in modified].count("ModifyDBInstance") == 1, modified
    assert _module_calls(fix) == 4, fix[-10000:]
    assert _state(rds) == converged

    again, again_entries, again_writes = _run(playbook, "--tags", "aurora")
    assert _recap(again)["changed"] == 0, again[-10000:]
    assert again_writes == [], again_writes
    assert _module_calls(again) == 0
    assert _module_calls(again, {READ_TASK}) == 1
    assert _rds_requests(again_entries) == NOOP_RDS_REQUESTS
    converged_check, _entries, check_writes = _run(playbook, "--check", "--tags", "aurora")
    assert _recap(converged_check)["changed"] == 0, converged_check[-10000:]
    assert check_writes == []

    record_property(
        "figure",
        f"aurora drift: 5 drifts (backup retention, cluster tag, reader class, writer tag, subnet group tag) corrected"
        f" by exactly the {len(EXPECTED)} tasks that own them (4 module calls), --check reported them writing"
        f" nothing; no-op --tags aurora: 0 calls of rds_subnet_group/rds_cluster/rds_instance, 1 read call"
        f" (rds_cluster_resources_info, {sum(NOOP_RDS_REQUESTS.values())} RDS requests),"
        f" {len(noop_entries)} requests before the drifts, {len(again_entries)} after, changed=0, 0 writes",
    )
