# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""VPC route tables, several at once: one thin wrapper per EC2 call payments.infra.ec2_route_tables makes, and the
read, plan and writes of the module. The comparison and the plan are in route_table_compare.py, which the
ec2_route_tables_differences filter (compare-first in roles/network) uses too.

Route tables are compared in the shape payments.infra.ec2_vpc_resources_info returns them (normalize_route_table:
snake_case, tags as a dict), so a playbook can compare what that module read with what the module would set, and the
module reads with one DescribeRouteTables (filter vpc-id) and compares with the same code.

What is managed, as amazon.aws.ec2_vpc_route_table (lookup: tag, purge_routes/purge_subnets/purge_tags) manages it:
- a table is found by its Name tag among the VPC's tables, and created with all its tags in one CreateRouteTable
  (TagSpecifications: a table never exists untagged, so an interrupted run's table is found by the next run);
- routes with a destination CIDR block: a wanted route that exists with the same target is kept, one whose
  destination exists with another target is replaced (ReplaceRoute), others are created; with purge_routes the
  routes the table's owner created (origin CreateRoute) that are not wanted are deleted. The local route, propagated
  routes and gateway-endpoint routes (prefix-list destinations) are never touched;
- subnet associations (the main association and gateway associations aside): a wanted subnet associated with another
  table is moved (ReplaceRouteTableAssociation), an unassociated one associated; with purge_subnets the table's other
  subnets are disassociated, unless another table of the same call takes them;
- tags: exactly the given tags plus Name (with purge_tags; aws:* tags are kept).

Eventual consistency on AWS: a table, NAT gateway, internet gateway or subnet just created may not be known yet to the
next call; the writes retry those NotFound codes (AWSRetry catch_extra_error_codes) instead of sleeping.
"""

import copy
from typing import Any
from typing import Dict
from typing import List

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

from ansible_collections.payments.infra.plugins.module_utils import ec2
from ansible_collections.payments.infra.plugins.module_utils.ec2 import PaymentsEC2Error
from ansible_collections.payments.infra.plugins.module_utils.retries import AWSRetry
from ansible_collections.payments.infra.plugins.module_utils.route_table_compare import plan_route_tables
from ansible_collections.payments.infra.plugins.module_utils.vpc_resources import normalize_route_table

# What AWS answers while a resource created moments ago is not visible to every endpoint yet.
NOT_YET_VISIBLE = [
    "InvalidRouteTableID.NotFound",
    "InvalidNatGatewayID.NotFound",
    "InvalidGatewayID.NotFound",
    "InvalidInternetGatewayID.NotFound",
    "InvalidSubnetID.NotFound",
]


class RouteErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsEC2Error

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("InvalidRoute.NotFound")


class AssociationErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsEC2Error

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("InvalidAssociationID.NotFound")


# Writes


@ec2.EC2ErrorHandler.common_error_handler("create route table")
@AWSRetry.jittered_backoff(catch_extra_error_codes=["InvalidVpcID.NotFound"])
def create_route_table(client, vpc_id: str, tags: Dict[str, str]) -> str:
    """The id of a new table of the VPC, created with its tags (one request: never untagged)."""
    response = client.create_route_table(
        VpcId=vpc_id,
        TagSpecifications=[{"ResourceType": "route-table", "Tags": ansible_dict_to_boto3_tag_list(tags)}],
    )
    return response["RouteTable"]["RouteTableId"]


@ec2.EC2ErrorHandler.common_error_handler("create route")
@AWSRetry.jittered_backoff(catch_extra_error_codes=NOT_YET_VISIBLE)
def create_route(client, route_table_id: str, **route: str) -> bool:
    client.create_route(RouteTableId=route_table_id, **route)
    return True


@ec2.EC2ErrorHandler.common_error_handler("replace route")
@AWSRetry.jittered_backoff(catch_extra_error_codes=NOT_YET_VISIBLE)
def replace_route(client, route_table_id: str, **route: str) -> bool:
    client.replace_route(RouteTableId=route_table_id, **route)
    return True


@RouteErrorHandler.deletion_error_handler("delete route")
@AWSRetry.jittered_backoff(catch_extra_error_codes=["InvalidRouteTableID.NotFound"])
def delete_route(client, route_table_id: str, **destination: str) -> bool:
    """True once deleted; False when the route was already gone."""
    client.delete_route(RouteTableId=route_table_id, **destination)
    return True


@ec2.EC2ErrorHandler.common_error_handler("associate route table")
@AWSRetry.jittered_backoff(catch_extra_error_codes=NOT_YET_VISIBLE)
def associate_route_table(client, route_table_id: str, subnet_id: str) -> str:
    return client.associate_route_table(RouteTableId=route_table_id, SubnetId=subnet_id)["AssociationId"]


@ec2.EC2ErrorHandler.common_error_handler("replace route table association")
@AWSRetry.jittered_backoff(catch_extra_error_codes=NOT_YET_VISIBLE + ["InvalidAssociationID.NotFound"])
def replace_route_table_association(client, association_id: str, route_table_id: str) -> str:
    response = client.replace_route_table_association(AssociationId=association_id, RouteTableId=route_table_id)
    return response["NewAssociationId"]


@AssociationErrorHandler.deletion_error_handler("disassociate route table")
@AWSRetry.jittered_backoff()
def disassociate_route_table(client, association_id: str) -> bool:
    """True once disassociated; False when the association was already gone."""
    client.disassociate_route_table(AssociationId=association_id)
    return True


def read_route_tables(client, vpc_id: str) -> List[Dict[str, Any]]:
    """Every route table of the VPC (one paginated DescribeRouteTables), as ec2_vpc_resources_info returns them."""
    found = ec2.describe_route_tables(client, Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    return [normalize_route_table(table) for table in found]


def _camel_route(spec: Dict[str, str]) -> Dict[str, str]:
    """destination_cidr_block -> DestinationCidrBlock, nat_gateway_id -> NatGatewayId (CreateRoute's names)."""
    return {"".join(part.capitalize() for part in key.split("_")): value for key, value in spec.items()}


def apply_plan(client, vpc_id: str, plan: Dict[str, Any]) -> str:
    """Make one table as planned; its id. Creation carries the tags; routes and associations follow."""
    table_id = plan["id"]
    if plan["create"]:
        table_id = create_route_table(client, vpc_id, plan["tags"])
    for spec in plan["routes_delete"]:
        delete_route(client, table_id, **_camel_route(spec))
    for spec in plan["routes_replace"]:
        replace_route(client, table_id, **_camel_route(spec))
    for spec in plan["routes_create"]:
        create_route(client, table_id, **_camel_route(spec))
    if plan["tags_to_set"]:
        ec2.create_tags(client, [table_id], plan["tags_to_set"])
    if plan["tags_to_unset"]:
        ec2.delete_tags(client, [table_id], plan["tags_to_unset"])
    for association_id, _subnet in plan["disassociate"]:
        disassociate_route_table(client, association_id)
    for association_id, _subnet in plan["replace_associations"]:
        replace_route_table_association(client, association_id, table_id)
    for subnet in plan["associate"]:
        associate_route_table(client, table_id, subnet)
    return table_id


def ensure_route_tables(
    client, vpc_id, wanted, *, purge_routes=True, purge_subnets=True, purge_tags=True, check_mode=False
):
    """(results, diff) for the wanted tables, in their order, after one read of the VPC's tables.

    Each result: id (None for a table check mode would create), name, changed, tags, routes ({dest, target}),
    subnets. Nothing is written in check mode.
    """
    plans = plan_route_tables(read_route_tables(client, vpc_id), wanted, purge_routes, purge_subnets, purge_tags)
    results, before, after = [], {}, {}
    for plan in plans:
        changed = bool(plan["differences"] or plan["associate"] or plan["replace_associations"] or plan["disassociate"])
        table = copy.deepcopy(plan["after"])
        if changed and not check_mode:
            table["id"] = apply_plan(client, vpc_id, plan)
        results.append({**table, "changed": changed})
        before[plan["name"]] = plan["before"]
        after[plan["name"]] = table
    return results, {"before": before, "after": after}
