#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: rds_cluster_resources_info
short_description: Read an Aurora cluster, its instances, its cluster parameter group and its DB subnet group at once
version_added: 0.2.0
description:
  - Reads, in one module call, what a role needs to compare an Aurora cluster with what it sets, in the shapes of the
    amazon.aws modules that read each resource - RV(clusters) as M(amazon.aws.rds_cluster_info), RV(instances) as
    M(amazon.aws.rds_instance_info) with the filter C(db-cluster-id), RV(db_cluster_parameter_groups) as
    M(amazon.aws.rds_cluster_param_group_info) with C(include_parameters=all), RV(db_subnet_groups) as
    M(amazon.aws.rds_subnet_group) reads the group before it compares (and the lookup
    P(payments.infra.rds_subnet_group#lookup) returns it).
  - The cluster's tags come from the C(TagList) that C(DescribeDBClusters) returns (M(amazon.aws.rds_cluster_info)
    asks C(ListTagsForResource) for them again). The instances are read only when the cluster exists.
  - With O(parameter_names), only those parameters of the cluster parameter group are returned, and the paged
    listing stops at the page where the last of them is found.
  - A resource that does not exist is left out of its list (an empty list), never a failure, so the module works in
    check mode on an empty account.
author:
  - payments.infra maintainers (@payments-infra)
options:
  db_cluster_identifier:
    description: Identifier of the cluster.
    type: str
    required: true
  resources:
    description:
      - What to read. C(instances) are read only when C(cluster) is read and exists.
      - C(parameter_group) and C(subnet_group) read the groups named by O(db_cluster_parameter_group_name) and
        O(db_subnet_group_name), else the ones the cluster uses (nothing when the cluster is not read or does not
        exist).
    type: list
    elements: str
    choices: [cluster, instances, parameter_group, subnet_group]
    default: [cluster, instances, parameter_group, subnet_group]
  db_cluster_parameter_group_name:
    description: Name of the cluster parameter group to read; default the cluster's.
    type: str
  db_subnet_group_name:
    description: Name of the DB subnet group to read; default the cluster's.
    type: str
  include_parameters:
    description: Whether to read the parameters of the cluster parameter group (C(db_parameters) of
      RV(db_cluster_parameter_groups)).
    type: bool
    default: true
  parameter_names:
    description: Return only these parameters of the cluster parameter group (all of them when not set).
    type: list
    elements: str
notes:
  - Supports check mode; the module never changes anything.
  - Requests - C(DescribeDBClusters); C(DescribeDBInstances) (a page of 100); C(DescribeDBClusterParameterGroups),
    C(ListTagsForResource) and C(DescribeDBClusterParameters) (a page of 100); C(DescribeDBSubnetGroups) and
    C(ListTagsForResource). IAM permissions - C(rds:DescribeDBClusters), C(rds:DescribeDBInstances),
    C(rds:DescribeDBClusterParameterGroups), C(rds:DescribeDBClusterParameters), C(rds:DescribeDBSubnetGroups),
    C(rds:ListTagsForResource).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the cluster, its instances, its groups and the parameters the role sets
  payments.infra.rds_cluster_resources_info:
    db_cluster_identifier: payment-aurora-prod
    db_cluster_parameter_group_name: payment-aurora-prod
    db_subnet_group_name: payment-aurora-prod
    parameter_names: [rds.force_ssl, log_connections]
  register: found

- name: Show the writer
  ansible.builtin.debug:
    msg: "{{ found.clusters[0].db_cluster_members | selectattr('is_cluster_writer') | first }}"
  when: found.clusters | length > 0

- name: Read only the cluster
  payments.infra.rds_cluster_resources_info:
    db_cluster_identifier: payment-aurora-prod
    resources: [cluster]
  register: cluster_found
"""

RETURN = r"""
clusters:
  description: The cluster as M(amazon.aws.rds_cluster_info) returns it (snake_case keys of C(DescribeDBClusters),
    C(tags) a dict); empty when it does not exist or O(resources) has no C(cluster).
  returned: always
  type: list
  elements: dict
  sample: [{"db_cluster_identifier": "payment-aurora-prod", "engine": "aurora-postgresql", "status": "available",
            "endpoint": "payment-aurora-prod.cluster-abc.eu-west-1.rds.amazonaws.com", "port": 5432,
            "db_cluster_members": [{"db_instance_identifier": "payment-aurora-prod-1", "is_cluster_writer": true}],
            "db_subnet_group": "payment-aurora-prod", "db_cluster_parameter_group": "payment-aurora-prod",
            "tags": {"Name": "payment-aurora-prod"}}]
instances:
  description: The instances of the cluster as M(amazon.aws.rds_instance_info) returns them (snake_case keys of
    C(DescribeDBInstances), C(tags) a dict); empty when the cluster does not exist or is not read.
  returned: always
  type: list
  elements: dict
  sample: [{"db_instance_identifier": "payment-aurora-prod-1", "db_instance_class": "db.r6g.large",
            "db_instance_status": "available", "db_cluster_identifier": "payment-aurora-prod",
            "pending_modified_values": {}, "tags": {"Name": "payment-aurora-prod-1"}}]
db_cluster_parameter_groups:
  description: The cluster parameter group as M(amazon.aws.rds_cluster_param_group_info) returns it (C(tags) a
    dict; C(db_parameters) with O(include_parameters), only O(parameter_names) when set); empty when it does not
    exist.
  returned: always
  type: list
  elements: dict
  sample: [{"db_cluster_parameter_group_name": "payment-aurora-prod",
            "db_parameter_group_family": "aurora-postgresql16",
            "db_cluster_parameter_group_arn": "arn:aws:rds:eu-west-1:123456789012:cluster-pg:payment-aurora-prod",
            "description": "TLS only", "tags": {"Name": "payment-aurora-prod"},
            "db_parameters": [{"parameter_name": "rds.force_ssl", "parameter_value": "1", "apply_type": "dynamic"}]}]
db_subnet_groups:
  description: The DB subnet group as M(amazon.aws.rds_subnet_group) reads it (snake_case keys of
    C(DescribeDBSubnetGroups), C(tags) a dict); empty when it does not exist.
  returned: always
  type: list
  elements: dict
  sample: [{"db_subnet_group_name": "payment-aurora-prod", "db_subnet_group_description": "database subnets",
            "subnets": [{"subnet_identifier": "subnet-0123456789abcdef0"}], "tags": {"Name": "payment-aurora-prod"}}]
"""

from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule
from ansible_collections.payments.infra.plugins.module_utils.rds import PaymentsRDSError
from ansible_collections.payments.infra.plugins.module_utils.rds import read_cluster_db_instances
from ansible_collections.payments.infra.plugins.module_utils.rds import read_db_cluster
from ansible_collections.payments.infra.plugins.module_utils.rds import read_db_cluster_parameter_group
from ansible_collections.payments.infra.plugins.module_utils.rds import read_db_subnet_group

RESOURCES = ["cluster", "instances", "parameter_group", "subnet_group"]


def read(client, params):
    """What the module returns (without changed), read in the order of RESOURCES."""
    resources = params["resources"]
    cluster = read_db_cluster(client, params["db_cluster_identifier"]) if "cluster" in resources else None
    result = {"clusters": [cluster] if cluster else [], "instances": []}
    if cluster and "instances" in resources:
        result["instances"] = read_cluster_db_instances(client, cluster["db_cluster_identifier"])
    group = None
    name = params["db_cluster_parameter_group_name"] or (cluster or {}).get("db_cluster_parameter_group")
    if "parameter_group" in resources and name:
        group = read_db_cluster_parameter_group(client, name, params["include_parameters"], params["parameter_names"])
    result["db_cluster_parameter_groups"] = [group] if group else []
    subnet_group = None
    name = params["db_subnet_group_name"] or (cluster or {}).get("db_subnet_group")
    if "subnet_group" in resources and name:
        subnet_group = read_db_subnet_group(client, name)
    result["db_subnet_groups"] = [subnet_group] if subnet_group else []
    return result


def main():
    module = PaymentsAWSModule(
        argument_spec=dict(
            db_cluster_identifier=dict(type="str", required=True),
            resources=dict(type="list", elements="str", choices=RESOURCES, default=list(RESOURCES)),
            db_cluster_parameter_group_name=dict(type="str"),
            db_subnet_group_name=dict(type="str"),
            include_parameters=dict(type="bool", default=True),
            parameter_names=dict(type="list", elements="str"),
        ),
        supports_check_mode=True,
    )
    if not module.params["resources"]:
        module.fail_json(msg="resources must name at least one resource")
    try:
        result = read(module.client("rds"), module.params)
    except PaymentsRDSError as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
