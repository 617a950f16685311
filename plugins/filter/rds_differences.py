# -*- coding: utf-8 -*-
# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: rds_differences
short_description: What amazon.aws.rds_cluster, rds_instance or rds_subnet_group would change on an existing resource
version_added: 0.2.0
description:
  - Compares a resource already read with the options a task would give the amazon.aws module
    that ensures it (state present), the way that module (amazon.aws 10) compares them, so that the module runs only
    when it would change something.
  - O(kind=cluster) compares a cluster as M(amazon.aws.rds_cluster_info) returns it with the options of
    M(amazon.aws.rds_cluster) - C(engine_version), C(port), C(db_cluster_parameter_group_name),
    C(backup_retention_period), C(preferred_backup_window), C(preferred_maintenance_window), C(deletion_protection),
    C(copy_tags_to_snapshot), C(enable_iam_database_authentication) by value, C(vpc_security_group_ids) (always
    sent when C(purge_security_groups) is true, as the module does), C(enable_cloudwatch_logs_exports) as sets (with
    C(purge_cloudwatch_logs_exports), default true), C(tags) (with C(purge_tags), default true). The master password
    is never compared (rotation owns it) and is refused as an option.
  - O(kind=instance) compares an instance as M(amazon.aws.rds_instance_info) returns it with the options
    of M(amazon.aws.rds_instance) - pending modified values first, as the module does; options that
    modify_db_instance does not take (C(availability_zone), C(db_cluster_identifier)) are ignored like the module
    ignores them on an existing instance.
  - O(kind=subnet_group) compares a subnet group as M(payments.infra.rds_cluster_resources_info) returns it in
    C(db_subnet_groups) (read as M(amazon.aws.rds_subnet_group) reads it) with the options of
    M(amazon.aws.rds_subnet_group) - name, description, subnets (as sorted lists), tags.
  - Returns the names of the options that differ, C([missing]) when the resource does not exist (null or
    empty), C([]) when the module would change nothing.
options:
  _input:
    description: The resource as read (snake_case, C(tags) a dict); null or empty when it does not exist.
    type: dict
    required: true
  kind:
    description: What the resource is.
    type: str
    choices: [cluster, instance, subnet_group]
    required: true
  desired:
    description: The options the task gives the module; an option that is null is not compared (the module
      does not get it; give such an option null rather than omit, which is not a value a filter can see).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Update the cluster only where it differs
  amazon.aws.rds_cluster:
    db_cluster_identifier: db
    backup_retention_period: 7
    tags: {Name: db}
  when: >-
    found.clusters[0]
    | payments.infra.rds_differences('cluster', {'backup_retention_period': 7, 'tags': {'Name': 'db'}})
    | length > 0

- name: Update an instance only where it differs
  amazon.aws.rds_instance:
    db_instance_identifier: db-1
    db_instance_class: db.r6g.large
  when: >-
    found.instances[0]
    | payments.infra.rds_differences('instance', {'db_instance_class': 'db.r6g.large'})
    | length > 0
"""

RETURN = r"""
_value:
  description: The names of the options that differ (C(tags) for tags), C([missing]) when the resource does not exist,
    C([]) when nothing differs.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text

# rds_cluster options compared by value with the cluster key that reports them (rds_cluster get_modify_options and
# changing_cluster_options).
CLUSTER_BY_VALUE = {
    "engine_version": "engine_version",
    "port": "port",
    "backup_retention_period": "backup_retention_period",
    "preferred_backup_window": "preferred_backup_window",
    "preferred_maintenance_window": "preferred_maintenance_window",
    "deletion_protection": "deletion_protection",
    "copy_tags_to_snapshot": "copy_tags_to_snapshot",
    "db_cluster_parameter_group_name": "db_cluster_parameter_group",
    "enable_iam_database_authentication": "iam_database_authentication_enabled",
}
# Options rds_cluster does not modify on an existing cluster, or that steer the module rather than the cluster.
CLUSTER_IGNORED = {
    "db_cluster_identifier",
    "engine",
    "engine_mode",
    "apply_immediately",
    "purge_security_groups",
    "purge_cloudwatch_logs_exports",
    "purge_tags",
    "wait",
    "state",
    "db_subnet_group_name",
    "storage_encrypted",
    "kms_key_id",
    "database_name",
    "master_username",
}
# rds_instance options that modify_db_instance takes with the same key as describe_db_instances (compared with the
# pending value first: get_changing_options_with_consistent_keys).
INSTANCE_CONSISTENT = {
    "db_instance_class",
    "engine",
    "promotion_tier",
    "publicly_accessible",
    "auto_minor_version_upgrade",
    "performance_insights_retention_period",
    "monitoring_interval",
    "monitoring_role_arn",
    "backup_retention_period",
    "preferred_backup_window",
    "preferred_maintenance_window",
    "deletion_protection",
    "copy_tags_to_snapshot",
    "ca_certificate_identifier",
}
# Options modify_db_instance does not take (the module drops them on an existing instance) or that steer the module.
INSTANCE_IGNORED = {
    "db_instance_identifier",
    "db_cluster_identifier",
    "availability_zone",
    "apply_immediately",
    "purge_tags",
    "wait",
    "state",
    "storage_encrypted",
    "kms_key_id",
}
SUBNET_GROUP_OPTIONS = {"name", "description", "subnets", "tags", "purge_tags", "state"}


def _check(name, current, desired, allowed):
    if current is not None and not isinstance(current, dict):
        raise AnsibleFilterError(f"{name}: the resource must be a dict or null, got {type(current).__name__}")
    if not isinstance(desired, dict):
        raise AnsibleFilterError(f"{name}: desired must be a dict, got {type(desired).__name__}")
    if "master_user_password" in desired or "force_update_password" in desired:
        raise AnsibleFilterError(f"{name}: the master password is never compared (rotation owns it)")
    unknown = sorted(set(desired) - allowed)
    if unknown:
        raise AnsibleFilterError(f"{name}: options it cannot compare: {', '.join(unknown)}")
    # An option set to null is one the module does not get (amazon.aws drops None parameters): not compared.
    return {key: value for key, value in desired.items() if value is not None}


def tags_differ(current, desired, purge=True):
    """amazon.aws compare_aws_tags: a value compared as text, aws:* tags never purged."""
    if desired is None:
        return False
    current = current or {}
    if purge and any(key not in desired and not key.startswith("aws:") for key in current):
        return True
    return any(to_text(value) != current.get(key) for key, value in desired.items())


def rds_cluster_differences(current, desired):
    allowed = set(CLUSTER_BY_VALUE) | CLUSTER_IGNORED | {"vpc_security_group_ids", "enable_cloudwatch_logs_exports"}
    desired = _check("rds_cluster_differences", current, desired, allowed | {"tags"})
    if not current:
        return ["missing"]
    differences = []
    for option, key in CLUSTER_BY_VALUE.items():
        if option in desired and desired[option] != current.get(key):
            differences.append(option)
    groups = desired.get("vpc_security_group_ids")
    if groups:
        found = {group["vpc_security_group_id"] for group in current.get("vpc_security_groups", [])}
        # With purge the module sends the groups on every run; without, only when one is missing.
        if desired.get("purge_security_groups", True) or set(groups) - found:
            differences.append("vpc_security_group_ids")
    exports = desired.get("enable_cloudwatch_logs_exports")
    if exports is not None:
        enabled = set(current.get("enabled_cloudwatch_logs_exports", []))
        if set(exports) - enabled or (desired.get("purge_cloudwatch_logs_exports", True) and enabled - set(exports)):
            differences.append("enable_cloudwatch_logs_exports")
    if tags_differ(current.get("tags"), desired.get("tags"), desired.get("purge_tags", True)):
        differences.append("tags")
    return differences


def rds_instance_differences(current, desired):
    allowed = INSTANCE_CONSISTENT | INSTANCE_IGNORED | {"db_subnet_group_name", "enable_performance_insights"}
    desired = _check(
        "rds_instance_differences", current, desired, allowed | {"performance_insights_kms_key_id", "tags"}
    )
    if not current:
        return ["missing"]
    pending = current.get("pending_modified_values") or {}
    differences = []
    for option in sorted(INSTANCE_CONSISTENT & set(desired)):
        found = pending.get(option)
        if found is None:
            found = current.get(option)
        if desired[option] != found:
            differences.append(option)
    if "db_subnet_group_name" in desired:
        found = pending.get("db_subnet_group_name") or (current.get("db_subnet_group") or {}).get(
            "db_subnet_group_name"
        )
        if desired["db_subnet_group_name"] != found:
            differences.append("db_subnet_group_name")
    if "enable_performance_insights" in desired and desired["enable_performance_insights"] != current.get(
        "performance_insights_enabled", False
    ):
        differences.append("enable_performance_insights")
    key = desired.get("performance_insights_kms_key_id")
    if key is not None:
        found = current.get("performance_insights_kms_key_id") or ""
        if key not in (found, found.split("/")[-1]):
            differences.append("performance_insights_kms_key_id")
    if tags_differ(current.get("tags"), desired.get("tags"), desired.get("purge_tags", True)):
        differences.append("tags")
    return differences


def rds_subnet_group_differences(current, desired):
    desired = _check("rds_subnet_group_differences", current, desired, SUBNET_GROUP_OPTIONS)
    if not current:
        return ["missing"]
    differences = []
    if "name" in desired and desired["name"].lower() != current.get("db_subnet_group_name"):
        differences.append("name")
    if desired.get("description") != current.get("db_subnet_group_description"):
        differences.append("description")
    found = sorted(subnet.get("subnet_identifier") for subnet in current.get("subnets", []))
    if sorted(desired.get("subnets") or []) != found:
        differences.append("subnets")
    if tags_differ(current.get("tags"), desired.get("tags"), desired.get("purge_tags", True)):
        differences.append("tags")
    return differences


KINDS = {
    "cluster": rds_cluster_differences,
    "instance": rds_instance_differences,
    "subnet_group": rds_subnet_group_differences,
}


def rds_differences(current, kind, desired):
    if kind not in KINDS:
        raise AnsibleFilterError(f"rds_differences: kind must be one of {', '.join(KINDS)}, got {kind!r}")
    return KINDS[kind](current, desired)


class FilterModule:
    def filters(self):
        return {"rds_differences": rds_differences}
