# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""IAM roles read in one pass, normalised, compared with what a role should be, and changed where they differ.

The wrappers (one per IAM API call) retry throttling with AWSRetry.jittered_backoff() and turn botocore errors
into PaymentsIAMError, which a module's main() hands to module.fail_json_aws_error() in one place.

read_roles() reads the roles it is asked for with GetAccountAuthorizationDetails (Filter=[Role]: trust policy,
inline policy documents, attached managed policies, instance profiles, tags, path, boundary) plus what that call
lacks (description, maximum session duration) with whichever costs fewer requests: one GetRole per found role, or
ListRoles under the roles' common path (1000 roles a page).

plan_role() tells what to write so a role matches the options of payments.infra.iam_roles, comparing as
amazon.aws.iam_role and amazon.aws.iam_policy compare; reconcile_role() writes it (nothing in check mode).
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
    role as GetRole or ListRoles report it), as the snake_case dict payments.infra.iam_roles returns."""
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


# ---------------------------------------------------------------- writes (payments.infra.iam_roles)


@IAMErrorHandler.common_error_handler("create role")
@AWSRetry.jittered_backoff()
def create_role(client, request: Dict[str, Any]) -> Dict[str, Any]:
    """CreateRole; the role as IAM returns it."""
    return client.create_role(**request)["Role"]


@IAMErrorHandler.common_error_handler("wait for role creation")
def wait_role_exists(client, name: str) -> None:
    """The role_exists waiter (GetRole until the role is visible), as amazon.aws.iam_role waits."""
    client.get_waiter("role_exists").wait(RoleName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})


@IAMErrorHandler.common_error_handler("update assume role policy for role")
@AWSRetry.jittered_backoff()
def update_assume_role_policy(client, name: str, document: Dict[str, Any]) -> None:
    client.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(document))


@IAMErrorHandler.common_error_handler("update role")
@AWSRetry.jittered_backoff()
def update_role(client, name: str, settings: Dict[str, Any]) -> None:
    """UpdateRole with Description and/or MaxSessionDuration."""
    client.update_role(RoleName=name, **settings)


@IAMErrorHandler.common_error_handler("tag role")
@AWSRetry.jittered_backoff()
def tag_role(client, name: str, tags: Dict[str, Any]) -> None:
    client.tag_role(RoleName=name, Tags=[{"Key": key, "Value": to_text(tags[key])} for key in sorted(tags)])


@IAMErrorHandler.common_error_handler("untag role")
@AWSRetry.jittered_backoff()
def untag_role(client, name: str, keys: List[str]) -> None:
    client.untag_role(RoleName=name, TagKeys=sorted(keys))


@IAMErrorHandler.common_error_handler("attach policy to role")
@AWSRetry.jittered_backoff()
def attach_role_policy(client, name: str, arn: str) -> None:
    client.attach_role_policy(RoleName=name, PolicyArn=arn)


@IAMErrorHandler.deletion_error_handler("detach policy from role")
@AWSRetry.jittered_backoff()
def detach_role_policy(client, name: str, arn: str) -> None:
    client.detach_role_policy(RoleName=name, PolicyArn=arn)


@IAMErrorHandler.common_error_handler("put policy embedded in role")
@AWSRetry.jittered_backoff()
def put_role_policy(client, name: str, policy_name: str, document: Dict[str, Any]) -> None:
    client.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=json.dumps(document))


@IAMErrorHandler.deletion_error_handler("delete policy embedded in role")
@AWSRetry.jittered_backoff()
def delete_role_policy(client, name: str, policy_name: str) -> None:
    client.delete_role_policy(RoleName=name, PolicyName=policy_name)


# ---------------------------------------------------------------- compare and act (payments.infra.iam_roles)


def role_argument_spec() -> Dict[str, Any]:
    """The options of one role of payments.infra.iam_roles (the suboptions of its `roles` list)."""
    return dict(
        name=dict(type="str", required=True),
        path=dict(type="str"),
        description=dict(type="str"),
        assume_role_policy_document=dict(type="json"),
        max_session_duration=dict(type="int"),
        managed_policy_arns=dict(type="list", elements="str"),
        purge_managed_policies=dict(type="bool", default=True),
        inline_policies=dict(type="dict"),
        purge_inline_policies=dict(type="bool", default=False),
        tags=dict(type="dict"),
        purge_tags=dict(type="bool", default=True),
    )


def role_params_error(params: Dict[str, Any]) -> Optional[str]:
    """What is wrong with one role's options (before any AWS call), or None."""
    name = params["name"]
    if not name or "/" in name or name.startswith("arn:"):
        return "name must be a role name, without path or ARN"
    path = params.get("path")
    if path is not None and not (path.startswith("/") and path.endswith("/")):
        return f"path must begin and end with /, got {path!r}"
    duration = params.get("max_session_duration")
    if duration is not None and not 3600 <= duration <= 43200:
        return f"max_session_duration must be 3600 to 43200 seconds, got {duration}"
    bad = [arn for arn in params.get("managed_policy_arns") or [] if not validate_aws_arn(arn, service="iam")]
    if bad:
        return f"managed_policy_arns must be IAM policy ARNs, got {bad!r}"
    documents = [("assume_role_policy_document", params.get("assume_role_policy_document"))]
    documents += [(f"inline_policies.{key}", value) for key, value in (params.get("inline_policies") or {}).items()]
    for option, document in documents:
        if document is None:
            continue
        try:
            parsed = _desired_document(document)
        except ValueError:
            return f"{option} is not JSON"
        if not isinstance(parsed, dict):
            return f"{option} must be a JSON object"
    return None


def plan_role(current: Optional[Dict[str, Any]], params: Dict[str, Any]) -> Dict[str, Any]:
    """What to change so the role matches params (options unset or None are left alone).

    current: the role as read_roles() returns it, None when it does not exist. Returns a dict with create (bool),
    assume_role_policy_document (the document to set, or None), update_role (UpdateRole arguments, {} for none),
    tags_to_set, tags_to_unset, attach, detach (managed policy ARNs), put_inline ({name: document}),
    delete_inline (names) and path_warning (None, or why the path is not changed: IAM cannot move a role).
    Documents compare as amazon.aws compares policies (compare_policies), tags as compare_aws_tags (aws: tags
    are never purged), descriptions as text.
    """
    current = current or {}
    create = not current
    trust = params.get("assume_role_policy_document")
    trust = None if trust is None else _desired_document(trust)
    plan: Dict[str, Any] = {
        "create": create,
        "assume_role_policy_document": None,
        "update_role": {},
        "tags_to_set": {},
        "tags_to_unset": [],
        "attach": [],
        "detach": [],
        "put_inline": {},
        "delete_inline": [],
        "path_warning": None,
    }
    if not create:
        if trust is not None and compare_policies(current.get("assume_role_policy_document"), trust):
            plan["assume_role_policy_document"] = trust
        description = params.get("description")
        if description is not None and to_text(description) != (current.get("description") or ""):
            plan["update_role"]["Description"] = to_text(description)
        duration = params.get("max_session_duration")
        if duration is not None and int(duration) != current.get("max_session_duration"):
            plan["update_role"]["MaxSessionDuration"] = int(duration)
        path = params.get("path")
        if path is not None and path != current.get("path"):
            plan["path_warning"] = (
                f"role {current['role_name']}: IAM cannot change the path of a role: current path "
                f"{current.get('path')!r}, requested path {path!r}"
            )
        if params.get("tags") is not None:
            to_set, to_unset = compare_aws_tags(
                current.get("tags") or {}, params["tags"], purge_tags=_default_true(params.get("purge_tags"))
            )
            plan["tags_to_set"], plan["tags_to_unset"] = to_set, sorted(to_unset)
    attached = set(current.get("managed_policies") or [])
    wanted = params.get("managed_policy_arns")
    if wanted is not None:
        plan["attach"] = sorted(set(wanted) - attached)
        if _default_true(params.get("purge_managed_policies")):
            plan["detach"] = sorted(attached - set(wanted))
    inline = current.get("inline_policies") or {}
    desired_inline = {key: _desired_document(value) for key, value in (params.get("inline_policies") or {}).items()}
    for key in sorted(desired_inline):
        if key not in inline or compare_policies(inline[key], desired_inline[key]):
            plan["put_inline"][key] = desired_inline[key]
    if params.get("inline_policies") is not None and params.get("purge_inline_policies"):
        plan["delete_inline"] = sorted(set(inline) - set(desired_inline))
    return plan


def plan_changes(plan: Dict[str, Any]) -> bool:
    """Whether a plan of plan_role() writes anything (a path warning alone does not)."""
    return any(value for key, value in plan.items() if key != "path_warning")


def planned_role(current: Optional[Dict[str, Any]], params: Dict[str, Any], plan: Dict[str, Any]) -> Dict[str, Any]:
    """The role as it is once the plan is applied, in the shape of read_roles() (a new role: arn, role_id and
    create_date null, until create_role() tells them)."""
    if current:
        after = json.loads(json.dumps(current))
    else:
        after = {
            "role_name": params["name"],
            "role_id": None,
            "arn": None,
            "path": params.get("path") or "/",
            "create_date": None,
            "description": None if params.get("description") is None else to_text(params["description"]),
            "max_session_duration": int(params.get("max_session_duration") or 3600),
            "assume_role_policy_document": _desired_document(params.get("assume_role_policy_document")),
            "inline_policies": {},
            "attached_managed_policies": [],
            "managed_policies": [],
            "permissions_boundary_arn": None,
            "instance_profile_names": [],
            "tags": {key: to_text(value) for key, value in (params.get("tags") or {}).items()},
        }
    if plan["assume_role_policy_document"] is not None:
        after["assume_role_policy_document"] = plan["assume_role_policy_document"]
    if "Description" in plan["update_role"]:
        after["description"] = plan["update_role"]["Description"]
    if "MaxSessionDuration" in plan["update_role"]:
        after["max_session_duration"] = plan["update_role"]["MaxSessionDuration"]
    tags = {key: value for key, value in after["tags"].items() if key not in plan["tags_to_unset"]}
    tags.update({key: to_text(value) for key, value in plan["tags_to_set"].items()})
    after["tags"] = {key: tags[key] for key in sorted(tags)}
    names = {p["policy_arn"]: p["policy_name"] for p in after["attached_managed_policies"]}
    arns = (set(after["managed_policies"]) - set(plan["detach"])) | set(plan["attach"])
    after["attached_managed_policies"] = [
        {"policy_name": names.get(arn, arn.rpartition("/")[2]), "policy_arn": arn} for arn in sorted(arns)
    ]
    after["managed_policies"] = sorted(arns)
    inline = {key: value for key, value in after["inline_policies"].items() if key not in plan["delete_inline"]}
    inline.update(plan["put_inline"])
    after["inline_policies"] = {key: inline[key] for key in sorted(inline)}
    return after


def create_request(params: Dict[str, Any]) -> Dict[str, Any]:
    """The CreateRole request of a role's options, as amazon.aws.iam_role builds it."""
    if params.get("assume_role_policy_document") is None:
        raise PaymentsIAMError(
            message=f"role {params['name']} does not exist; creating it needs assume_role_policy_document"
        )
    request: Dict[str, Any] = {
        "RoleName": params["name"],
        "Path": params.get("path") or "/",
        "AssumeRolePolicyDocument": json.dumps(_desired_document(params["assume_role_policy_document"])),
    }
    if params.get("description") is not None:
        request["Description"] = to_text(params["description"])
    if params.get("max_session_duration") is not None:
        request["MaxSessionDuration"] = int(params["max_session_duration"])
    if params.get("tags"):
        request["Tags"] = [{"Key": key, "Value": to_text(params["tags"][key])} for key in sorted(params["tags"])]
    return request


def reconcile_role(client, params: Dict[str, Any], current: Optional[Dict[str, Any]], check_mode: bool):
    """Make one role match params; write only outside check mode. Returns (changed, after, warnings).

    A new role: CreateRole (path, trust policy, description, session duration, tags), the role_exists waiter,
    then its managed and inline policies. An existing role: UpdateAssumeRolePolicy, one UpdateRole (description
    and session duration), UntagRole/TagRole, Detach/AttachRolePolicy, Delete/PutRolePolicy, each only when
    it differs. after is the role as planned (not read again).
    """
    plan = plan_role(current, params)
    if plan["create"]:
        request = create_request(params)  # also in check mode: the same failure the real run would have
    warnings = [plan["path_warning"]] if plan["path_warning"] else []
    after = planned_role(current, params, plan)
    changed = plan_changes(plan)
    if not changed or check_mode:
        return changed, after, warnings
    name = params["name"]
    if plan["create"]:
        created = create_role(client, request)
        after.update(
            role_id=created.get("RoleId"),
            arn=created.get("Arn"),
            path=created.get("Path", after["path"]),
            create_date=_iso(created.get("CreateDate")),
        )
        wait_role_exists(client, name)
    if plan["assume_role_policy_document"] is not None:
        update_assume_role_policy(client, name, plan["assume_role_policy_document"])
    if plan["update_role"]:
        update_role(client, name, plan["update_role"])
    if plan["tags_to_unset"]:
        untag_role(client, name, plan["tags_to_unset"])
    if plan["tags_to_set"]:
        tag_role(client, name, plan["tags_to_set"])
    for arn in plan["detach"]:
        detach_role_policy(client, name, arn)
    for arn in plan["attach"]:
        attach_role_policy(client, name, arn)
    for policy_name in plan["delete_inline"]:
        delete_role_policy(client, name, policy_name)
    for policy_name, document in plan["put_inline"].items():
        put_role_policy(client, name, policy_name, document)
    return True, after, warnings
