# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The comparison of VPC route tables that payments.infra.ec2_route_tables (through module_utils/route_tables.py) and
the ec2_route_tables_differences filter share: what differs and the plan of the writes that make the tables as
wanted. Plain Python (no botocore import), so the filter costs the controller next to nothing; what it manages and
how is described in module_utils/route_tables.py.
"""

import ipaddress
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

CREATED_ROUTE = "CreateRoute"
# The targets a route may have; ids are prefixed (igw-, nat-, ...), so the first one set names the target.
ROUTE_TARGET_KEYS = (
    "gateway_id",
    "nat_gateway_id",
    "transit_gateway_id",
    "network_interface_id",
    "instance_id",
    "vpc_peering_connection_id",
    "carrier_gateway_id",
    "local_gateway_id",
    "egress_only_internet_gateway_id",
    "core_network_arn",
)
# The targets this module sets (option name = snake_case CreateRoute parameter).
WANTED_TARGET_KEYS = ("gateway_id", "nat_gateway_id")
DESTINATION_KEYS = ("destination_cidr_block", "destination_ipv6_cidr_block")


class RouteTablePlanError(ValueError):
    """The wanted tables cannot be reconciled (a Name tag on two tables, a route conflicting with the local route)."""


def route_destination(dest: str) -> Dict[str, str]:
    """{destination_cidr_block: ...} or {destination_ipv6_cidr_block: ...} for a CIDR (ValueError if it is none)."""
    network = ipaddress.ip_network(dest, strict=False)
    key = "destination_cidr_block" if network.version == 4 else "destination_ipv6_cidr_block"
    return {key: str(network)}


def wanted_route(route: Dict[str, Any]) -> Dict[str, str]:
    """A route option ({dest, gateway_id | nat_gateway_id}) as CreateRoute's snake_case parameters.

    As amazon.aws.ec2_vpc_route_table does, a gateway_id naming a NAT gateway (nat-...) is a nat_gateway_id.
    """
    targets = {key: route[key] for key in WANTED_TARGET_KEYS if route.get(key)}
    if len(targets) != 1:
        raise RouteTablePlanError(f"route to {route.get('dest')}: give exactly one of gateway_id, nat_gateway_id")
    if str(targets.get("gateway_id", "")).startswith("nat-"):
        targets = {"nat_gateway_id": targets["gateway_id"]}
    try:
        destination = route_destination(route["dest"])
    except (KeyError, TypeError, ValueError) as e:
        raise RouteTablePlanError(f"route dest {route.get('dest')!r} is not a CIDR block") from e
    return {**destination, **targets}


def _destination(route: Dict[str, Any]) -> Optional[str]:
    return next((route[key] for key in DESTINATION_KEYS if route.get(key)), None)


def _target(route: Dict[str, Any]) -> Optional[str]:
    return next((route[key] for key in ROUTE_TARGET_KEYS if route.get(key)), None)


def _created_routes(table: Optional[Dict[str, Any]]) -> List[Dict[str, str]]:
    """The routes with a CIDR destination the table's owner created, as {dest, target}, sorted."""
    routes = [
        {"dest": _destination(route), "target": _target(route)}
        for route in (table or {}).get("routes") or []
        if route.get("origin") == CREATED_ROUTE and _destination(route)
    ]
    return sorted(routes, key=lambda route: (route["dest"], route["target"] or ""))


def _subnet_associations(table: Dict[str, Any]) -> List[Dict[str, Any]]:
    return [
        association
        for association in table.get("associations") or []
        if not association.get("main")
        and association.get("subnet_id")
        and (association.get("association_state") or {}).get("state", "associated") in ("associated", "associating")
    ]


def summary(table: Optional[Dict[str, Any]], name: str) -> Dict[str, Any]:
    """What the module manages of a table, for diff and results: id, name, tags, created routes, subnets."""
    if not table:
        return {}
    return {
        "id": table.get("id") or table.get("route_table_id"),
        "name": name,
        "tags": dict(table.get("tags") or {}),
        "routes": _created_routes(table),
        "subnets": sorted(association["subnet_id"] for association in _subnet_associations(table)),
    }


def _find_by_name(current: List[Dict[str, Any]], name: str) -> Optional[Dict[str, Any]]:
    found = [table for table in current if (table.get("tags") or {}).get("Name") == name]
    if len(found) > 1:
        ids = ", ".join(table.get("id") or table.get("route_table_id") for table in found)
        raise RouteTablePlanError(f"{len(found)} route tables of the VPC are named {name} ({ids}): remove the extra")
    return found[0] if found else None


def _plan_routes(name, table, routes, purge_routes):
    """(create, replace, delete) lists of CreateRoute-style snake_case parameters for one table."""
    remaining = list((table or {}).get("routes") or [])
    create, replace = [], []
    for route in routes:
        spec = wanted_route(route)
        dest, target = _destination(spec), _target(spec)
        exact = next((r for r in remaining if _destination(r) == dest and _target(r) == target), None)
        if exact is not None:
            remaining.remove(exact)
            continue
        same_dest = next((r for r in remaining if _destination(r) == dest), None)
        if same_dest is None:
            create.append(spec)
        elif same_dest.get("origin") == CREATED_ROUTE:
            remaining.remove(same_dest)
            replace.append(spec)
        else:
            raise RouteTablePlanError(
                f"{name}: the route to {dest} is the table's {same_dest.get('origin')} route, not one this module"
                " creates (the local route, a propagated route)"
            )
    delete = []
    if purge_routes:
        for route in remaining:
            dest = _destination(route)
            if route.get("origin") == CREATED_ROUTE and dest:
                key = next(key for key in DESTINATION_KEYS if route.get(key))
                delete.append({key: dest})
    return create, replace, delete


def plan_route_tables(
    current: List[Dict[str, Any]],
    wanted: List[Dict[str, Any]],
    purge_routes: bool = True,
    purge_subnets: bool = True,
    purge_tags: bool = True,
) -> List[Dict[str, Any]]:
    """One plan per wanted table, in order: what differs and the writes that make the VPC's tables as wanted.

    current: every route table of the VPC (normalize_route_table shape). wanted: the module's route_tables items
    ({name, tags, subnets, routes}; None for an option leaves that aspect alone). Each plan has name, id (None when
    the table is to be created), create, tags (all its tags after the run), tags_to_set, tags_to_unset,
    routes_create, routes_replace, routes_delete, associate (subnet ids), replace_associations and disassociate
    ([association id, subnet id] pairs), differences (some of missing, tags, routes, subnets) and before/after (the
    summary of the table: id, name, tags, routes, subnets).
    """
    by_subnet = {}
    for table in current:
        for association in _subnet_associations(table):
            by_subnet[association["subnet_id"]] = (table, association)
    taken = {}
    for table in wanted:
        for subnet in table.get("subnets") or []:
            if subnet in taken and taken[subnet] != table["name"]:
                raise RouteTablePlanError(f"subnet {subnet} is wanted by both {taken[subnet]} and {table['name']}")
            taken[subnet] = table["name"]

    plans = []
    for table in wanted:
        name = table["name"]
        found = _find_by_name(current, name)
        found_id = (found or {}).get("id") or (found or {}).get("route_table_id")
        plan = {
            "name": name,
            "id": found_id,
            "create": found is None,
            "differences": ["missing"] if found is None else [],
        }

        have_tags = dict((found or {}).get("tags") or {})
        want_tags = {**(table.get("tags") or {}), "Name": name}
        if found is None:
            plan["tags_to_set"], plan["tags_to_unset"] = {}, []
            plan["tags"] = want_tags
        else:
            to_set, to_unset = compare_aws_tags(
                have_tags, want_tags, purge_tags=purge_tags and table.get("tags") is not None
            )
            plan["tags_to_set"], plan["tags_to_unset"] = to_set, sorted(to_unset)
            plan["tags"] = {k: v for k, v in {**have_tags, **to_set}.items() if k not in to_unset}
            if to_set or to_unset:
                plan["differences"].append("tags")

        if table.get("routes") is not None:
            create, replace, delete = _plan_routes(name, found, table["routes"], purge_routes)
        else:
            create, replace, delete = [], [], []
        plan["routes_create"], plan["routes_replace"], plan["routes_delete"] = create, replace, delete
        if found is not None and (create or replace or delete):
            plan["differences"].append("routes")

        associate, moved, disassociate = [], [], []
        have_subnets = [a["subnet_id"] for a in _subnet_associations(found)] if found else []
        if table.get("subnets") is not None:
            for subnet in table["subnets"]:
                owner = by_subnet.get(subnet)
                if owner is None:
                    associate.append(subnet)
                elif found is None or owner[0] is not found:
                    moved.append([owner[1]["route_table_association_id"], subnet])
            if purge_subnets and found is not None:
                for association in _subnet_associations(found):
                    subnet = association["subnet_id"]
                    if subnet not in table["subnets"] and taken.get(subnet) is None:
                        disassociate.append([association["route_table_association_id"], subnet])
            want_subnets = set(table["subnets"]) | (set(have_subnets) if not purge_subnets else set())
            if found is not None and want_subnets != set(have_subnets):
                plan["differences"].append("subnets")
        else:
            want_subnets = set(have_subnets)
        plan["associate"], plan["replace_associations"], plan["disassociate"] = associate, moved, disassociate

        after_routes = _after_routes(found, create, replace, delete)
        plan["before"] = summary(found, name)
        plan["after"] = {
            "id": found_id,
            "name": name,
            "tags": plan["tags"],
            "routes": after_routes,
            "subnets": sorted(want_subnets),
        }
        plans.append(plan)
    return plans


def _after_routes(found, create, replace, delete):
    routes = {route["dest"]: route["target"] for route in _created_routes(found)}
    for spec in delete:
        routes.pop(_destination(spec), None)
    for spec in replace + create:
        routes[_destination(spec)] = _target(spec)
    return sorted(({"dest": dest, "target": target} for dest, target in routes.items()), key=lambda r: r["dest"])


def route_table_differences(current, wanted, purge_routes=True, purge_subnets=True, purge_tags=True):
    """[{name, id, differences}] per wanted table, in order: what ec2_route_tables would change (differences empty:
    nothing). id is the existing table's id, '' when the table does not exist."""
    plans = plan_route_tables(current, wanted, purge_routes, purge_subnets, purge_tags)
    return [{"name": p["name"], "id": p["id"] or "", "differences": p["differences"]} for p in plans]
