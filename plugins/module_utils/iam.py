# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""IAM roles read in one pass, normalised, and compared with what amazon.aws.iam_role / iam_policy would set.

The wrappers (one per IAM API call) retry throttling with AWSRetry.jittered_backoff() and turn botocore errors
into PaymentsIAMError, which a module's main() hands to module.fail_json_aws_error() in one place.

read_roles() reads the roles it is asked for with GetAccountAuthorizationDetails (Filter=[Role]: trust policy,
inline policy documents, attached managed policies, instance profiles, tags, path, boundary) plus what that call
lacks (description, maximum session duration) with whichever costs fewer requests: one GetRole per found role, or
ListRoles under the roles' common path (1000 roles a page).

role_differences() tells which of the options of amazon.aws.iam_role (and the inline policies that
amazon.aws.iam_policy puts) would change a role, comparing exactly what those modules compare, the same way.
"""

import json
from typing import Any
from typing import Dict
from typing import Iterable
from typing import List
from typing import Optional
from urllib.parse import unquote

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.amazon.aws.plugins.module_utils.arn import validate_aws_arn
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.payments.infra.plugins.module_utils.retries import AWSRetry

# The largest MaxItems GetAccountAuthorizationDetails and ListRoles accept.
PAGE_SIZE = 1000

# role_differences() reports a role that does not exist as this one difference.
MISSING = "missing"

# Options of amazon.aws.iam_role role_differences() compares, and the key it uses for iam_policy's inline policies.
ROLE_OPTIONS = (
    "assume_role_policy_document",
    "boundary",
    "create_instance_profile",
    "description",
    "managed_policies",
    "max_session_duration",
    "path",
    "tags",
)
INLINE_POLICIES = "inline_policies"


class PaymentsIAMError(AnsibleAWSError):
    """Any failure of an IAM call made by payments.infra."""


class IAMErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsIAMError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("NoSuchEntity")


@IAMErrorHandler.common_error_handler("get account authorization details (roles)")
@AWSRetry.jittered_backoff()
def get_role_details(client) -> List[Dict[str, Any]]:
    """Every RoleDetail of the account (GetAccountAuthorizationDetails with Filter=[Role], all pages)."""
    paginator = client.get_paginator("get_account_authorization_details")
    pages = paginator.paginate(Filter=["Role"], PaginationConfig={"PageSize": PAGE_SIZE})
    return pages.build_full_result().get("RoleDetailList", [])


@IAMErrorHandler.common_error_handler("list roles")
@AWSRetry.jittered_backoff()
def list_roles(client, path_prefix: str) -> List[Dict[str, Any]]:
    """Every role under path_prefix (ListRoles, all pages; no tags, boundary or last use: AWS leaves them out)."""
    paginator = client.get_paginator("list_roles")
    pages = paginator.paginate(PathPrefix=path_prefix, PaginationConfig={"PageSize": PAGE_SIZE})
    return pages.build_full_result().get("Roles", [])


@IAMErrorHandler.list_error_handler("get role", None)
@AWSRetry.jittered_backoff()
def get_role(client, name: str) -> Optional[Dict[str, Any]]:
    """The role (GetRole), or None when it does not exist."""
    return client.get_role(RoleName=name)["Role"]


def policy_document(value: Any) -> Any:
    """A policy document as a dict.

    botocore already URL-decodes and parses the documents IAM returns; a document it could not parse (still a
    string, maybe URL-encoded) is decoded here. A string that is no JSON either is returned as it is.
    """
    if not isinstance(value, str):
        return value
    for text in (value, unquote(value)):
        try:
            return json.loads(text)
        except ValueError:
            continue
    return value


def common_path(paths: Iterable[str]) -> str:
    """The longest IAM path (/a/b/) that is a prefix of every path in paths, at least /."""
    split = [[part for part in path.split("/") if part] for path in paths]
    common: List[str] = []
    if split:
        for parts in zip(*split, strict=False):
            if len(set(parts)) != 1:
                break
            common.append(parts[0])
    return "/" + "".join(part + "/" for part in common)


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def normalize_role(detail: Dict[str, Any], extra: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """A RoleDetail of GetAccountAuthorizationDetails, with Description and MaxSessionDuration from extra (the
    role as GetRole or ListRoles report it), as the snake_case dict iam_role_details_info returns."""
    extra = extra or {}
    boundary = detail.get("PermissionsBoundary") or extra.get("PermissionsBoundary") or {}
    inline = {
        policy["PolicyName"]: policy_document(policy.get("PolicyDocument"))
        for policy in detail.get("RolePolicyList", [])
    }
    attached = sorted(
        (
            {"policy_name": p.get("PolicyName"), "policy_arn": p["PolicyArn"]}
            for p in detail.get("AttachedManagedPolicies", [])
        ),
        key=lambda policy: policy["policy_arn"],
    )
    return {
        "role_name": detail["RoleName"],
        "role_id": detail.get("RoleId"),
        "arn": detail.get("Arn"),
        "path": detail.get("Path"),
        "create_date": _iso(detail.get("CreateDate")),
        "description": extra.get("Description"),
        "max_session_duration": extra.get("MaxSessionDuration"),
        "assume_role_policy_document": policy_document(detail.get("AssumeRolePolicyDocument")),
        "inline_policies": {name: inline[name] for name in sorted(inline)},
        "attached_managed_policies": attached,
        "managed_policies": [policy["policy_arn"] for policy in attached],
        "permissions_boundary_arn": boundary.get("PermissionsBoundaryArn"),
        "instance_profile_names": sorted(
            profile["InstanceProfileName"] for profile in detail.get("InstanceProfileList", [])
        ),
        "tags": boto3_tag_list_to_ansible_dict(detail.get("Tags", [])),
    }


def read_roles(client, names: Iterable[str]) -> Dict[str, Dict[str, Any]]:
    """The roles named in names that exist, by name, normalised (normalize_role).

    One paginated GetAccountAuthorizationDetails, then the descriptions and session durations of the roles found
    with the cheaper of: one GetRole per found role, or the pages of ListRoles under their common path (counted
    from the roles GetAccountAuthorizationDetails returned). A tie goes to GetRole, whose answer does not grow
    with the account. A role deleted between the two reads is left out.
    """
    wanted = set(names)
    if not wanted:
        return {}
    details = get_role_details(client)
    found = {detail["RoleName"]: detail for detail in details if detail["RoleName"] in wanted}
    if not found:
        return {}
    prefix = common_path(detail.get("Path") or "/" for detail in found.values())
    listed = sum(1 for detail in details if (detail.get("Path") or "/").startswith(prefix))
    list_pages = max(1, -(-listed // PAGE_SIZE))
    extras: Dict[str, Optional[Dict[str, Any]]]
    if len(found) <= list_pages:
        extras = {name: get_role(client, name) for name in sorted(found)}
    else:
        by_name = {role["RoleName"]: role for role in list_roles(client, prefix)}
        extras = {name: by_name.get(name) for name in found}
    return {name: normalize_role(found[name], extras[name]) for name in sorted(found) if extras.get(name) is not None}


def _desired_document(value: Any) -> Any:
    """A desired policy document, given as the modules take it (a dict, or JSON text)."""
    return json.loads(value) if isinstance(value, str) else value


def _default_true(value: Any) -> bool:
    """A boolean option of the modules whose default is true (None: unset)."""
    return True if value is None else bool(value)


def _managed_policies_differ(current: Dict[str, Any], desired: List[Any], purge: bool) -> bool:
    wanted = [policy for policy in desired if policy is not None]
    if not all(validate_aws_arn(policy, service="iam") for policy in wanted):
        # iam_role looks friendly names up (ListPolicies): only the module can tell what they are.
        return True
    attached = set(current.get("managed_policies") or [])
    if set(wanted) - attached:
        return True
    return bool(purge and attached - set(wanted))


def role_differences(current: Optional[Dict[str, Any]], desired: Dict[str, Any]) -> List[str]:
    """Which options amazon.aws.iam_role (and amazon.aws.iam_policy) would change; [] when neither would.

    current: the role as read_roles() returns it, or None/{} when it does not exist ([MISSING] then).
    desired: options of amazon.aws.iam_role (name, path, description, assume_role_policy_document,
    managed_policies, purge_policies, max_session_duration, boundary, tags, purge_tags, create_instance_profile),
    with the module defaults (purge_policies, purge_tags and create_instance_profile true), plus
    inline_policies: {policy_name: document} for amazon.aws.iam_policy (iam_type=role, skip_duplicates=false,
    state=present). An option that is unset or None is not compared, as the modules leave it alone. Policy
    documents compare as amazon.aws compares them (compare_policies: key and list order, a bare or list value,
    numbers or booleans as strings, a root ARN or the account ID, a missing Version). iam_role only warns about a
    different path; it is reported so the module runs and warns. Managed policies given by friendly name (not
    ARN) are reported as different: only the module looks names up.
    """
    if not current:
        return [MISSING]
    differences = []
    trust = desired.get("assume_role_policy_document")
    if trust is not None and compare_policies(current.get("assume_role_policy_document"), _desired_document(trust)):
        differences.append("assume_role_policy_document")
    boundary = desired.get("boundary")
    if boundary is not None and boundary != (current.get("permissions_boundary_arn") or ""):
        differences.append("boundary")
    if _default_true(desired.get("create_instance_profile")):
        if current["role_name"] not in (current.get("instance_profile_names") or []):
            differences.append("create_instance_profile")
    description = desired.get("description")
    if description is not None and to_text(description) != current.get("description"):
        differences.append("description")
    managed = desired.get("managed_policies")
    if managed is not None and _managed_policies_differ(current, managed, _default_true(desired.get("purge_policies"))):
        differences.append("managed_policies")
    duration = desired.get("max_session_duration")
    if duration is not None and int(duration) != current.get("max_session_duration"):
        differences.append("max_session_duration")
    path = desired.get("path")
    if path is not None and path != current.get("path"):
        differences.append("path")
    tags = desired.get("tags")
    if tags is not None:
        purge = _default_true(desired.get("purge_tags"))
        to_set, to_unset = compare_aws_tags(current.get("tags") or {}, tags, purge_tags=purge)
        if to_set or to_unset:
            differences.append("tags")
    inline = current.get("inline_policies") or {}
    for name, document in (desired.get(INLINE_POLICIES) or {}).items():
        if name not in inline or compare_policies(inline[name], _desired_document(document)):
            differences.append(INLINE_POLICIES)
            break
    return differences
