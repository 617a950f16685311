# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One thin wrapper per SSM Parameter Store API call our modules make, the parameter shape they return, and the
read/compare/act of a list of parameters (ssm_parameters).

Every wrapper retries throttling with AWSRetry.jittered_backoff() and turns botocore errors into PaymentsSSMError,
which a module's main() hands to module.fail_json_aws_error() in one place. Reads of a path that holds nothing
return an empty list; the tags of a parameter that vanished between two calls are None.

Values are read (and, for a SecureString, decrypted) only to be compared: nothing here returns a value to a
module's result. The public shape of a parameter (public_parameter) has no value; diffs say whether the value
changed, never what it is.
"""

import re
from typing import Any
from typing import Dict
from typing import Iterable
from typing import List
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.payments.infra.plugins.module_utils.retries import AWSRetry
from ansible_collections.payments.infra.plugins.module_utils.tagging import get_resources_tags
from ansible_collections.payments.infra.plugins.module_utils.tag_compare import merge_tags
from ansible_collections.payments.infra.plugins.module_utils.tag_compare import tag_changes

# GetParameters and DeleteParameters take at most 10 names; a DescribeParameters filter takes at most 50 values
# and DescribeParameters answers at most 50 parameters a page (MaxResults).
GET_PARAMETERS_MAX_NAMES = 10
DELETE_PARAMETERS_MAX_NAMES = 10
DESCRIBE_PARAMETERS_MAX_NAMES = 50
DESCRIBE_PARAMETERS_PAGE_SIZE = 50
PARAMETER_TYPES = ["String", "StringList", "SecureString"]
PARAMETER_TIERS = ["Standard", "Advanced", "Intelligent-Tiering"]
# What diffs show for a value (never the value itself).
VALUE_HIDDEN = "(hidden)"
VALUE_CHANGED = "(hidden: value changed)"
# Letters, digits, '_', '.', '-' in '/'-separated parts; a hierarchy starts with '/'.
PARAMETER_NAME = re.compile(r"^(/[A-Za-z0-9_.-]+)+$|^[A-Za-z0-9_.-]+$")
PARAMETER_NAME_MAX_LENGTH = 1011


class PaymentsSSMError(AnsibleAWSError):
    """Any failure of an SSM call made by payments.infra."""


class SSMErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsSSMError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(["ParameterNotFound", "InvalidResourceId"])


@SSMErrorHandler.list_error_handler("get parameters by path", [])
@AWSRetry.jittered_backoff()
def get_parameters_by_path(client, path: str, recursive: bool, decryption: bool) -> List[Dict[str, Any]]:
    paginator = client.get_paginator("get_parameters_by_path")
    pages = paginator.paginate(Path=path, Recursive=recursive, WithDecryption=decryption)
    return pages.build_full_result().get("Parameters", [])


@SSMErrorHandler.list_error_handler("describe parameters", [])
@AWSRetry.jittered_backoff()
def describe_parameters_under(client, path: str, recursive: bool) -> List[Dict[str, Any]]:
    paginator = client.get_paginator("describe_parameters")
    option = "Recursive" if recursive else "OneLevel"
    pages = paginator.paginate(
        ParameterFilters=[{"Key": "Path", "Option": option, "Values": [path]}],
        PaginationConfig={"PageSize": DESCRIBE_PARAMETERS_PAGE_SIZE},
    )
    return pages.build_full_result().get("Parameters", [])


@SSMErrorHandler.list_error_handler("list tags of a parameter", None)
@AWSRetry.jittered_backoff()
def list_parameter_tags(client, name: str) -> Optional[Dict[str, str]]:
    response = client.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)
    return boto3_tag_list_to_ansible_dict(response.get("TagList", []))


def _iso(value: Any) -> Optional[str]:
    return value.isoformat() if hasattr(value, "isoformat") else value


def normalize_parameters(
    values: List[Dict[str, Any]], metadata: List[Dict[str, Any]], decryption: bool
) -> Dict[str, Dict[str, Any]]:
    """Parameters by full name: what GetParametersByPath and DescribeParameters report, snake_case.

    A SecureString's value is returned only when it was read with decryption; otherwise it is None (the
    ciphertext is no use to a caller). A parameter DescribeParameters reported but GetParametersByPath did
    not (created in between) is returned without a value.
    """
    by_name = {item["Name"]: item for item in values}
    result = {}
    for meta in metadata:
        name = meta["Name"]
        found = by_name.get(name, {})
        kind = meta.get("Type") or found.get("Type")
        value = found.get("Value")
        if kind == "SecureString" and not decryption:
            value = None
        result[name] = {
            "name": name,
            "type": kind,
            "value": value,
            "key_id": meta.get("KeyId") if kind == "SecureString" else None,
            "description": meta.get("Description"),
            "tier": meta.get("Tier"),
            "data_type": meta.get("DataType") or found.get("DataType"),
            "version": meta.get("Version") or found.get("Version"),
            "last_modified_date": _iso(meta.get("LastModifiedDate") or found.get("LastModifiedDate")),
        }
    for name, found in by_name.items():
        if name not in result:
            kind = found.get("Type")
            result[name] = {
                "name": name,
                "type": kind,
                "value": None if kind == "SecureString" and not decryption else found.get("Value"),
                "key_id": None,
                "description": None,
                "tier": None,
                "data_type": found.get("DataType"),
                "version": found.get("Version"),
                "last_modified_date": _iso(found.get("LastModifiedDate")),
            }
    return result


def read_parameter_tags(client, tagging_client, names: Iterable[str], items: Iterable[Dict[str, Any]]):
    """{name: tags} of the parameters named: one Resource Groups Tagging API GetResources per 100 parameter ARNs
    (each ARN as an item of GetParameters, GetParametersByPath or DescribeParameters reports it); a parameter no item
    reports with its ARN is read with ListTagsForResource. A parameter without tags (or gone) has {}."""
    arns = {item["Name"]: item["ARN"] for item in items if item.get("ARN")}
    names = list(names)
    tags = get_resources_tags(tagging_client, [arns[name] for name in names if name in arns])
    return {name: tags[arns[name]] if name in arns else (list_parameter_tags(client, name) or {}) for name in names}


# Reads, writes and deletions by name (ssm_parameters)


@SSMErrorHandler.common_error_handler("get parameters")
@AWSRetry.jittered_backoff()
def _get_parameters(client, names: List[str], decryption: bool) -> List[Dict[str, Any]]:
    return client.get_parameters(Names=names, WithDecryption=decryption).get("Parameters") or []


def get_parameters(client, names: Iterable[str], decryption: bool) -> Dict[str, Dict[str, Any]]:
    """{name: GetParameters item} of the names that exist, one GetParameters per GET_PARAMETERS_MAX_NAMES names
    (none for no name). GetParameters is strongly consistent: it sees a parameter written a moment ago."""
    wanted = list(dict.fromkeys(names))
    found = {}
    for start in range(0, len(wanted), GET_PARAMETERS_MAX_NAMES):
        for item in _get_parameters(client, wanted[start : start + GET_PARAMETERS_MAX_NAMES], decryption):
            found[item["Name"]] = item
    return found


@SSMErrorHandler.list_error_handler("describe parameters", [])
@AWSRetry.jittered_backoff()
def _describe_parameters_named(client, names: List[str]) -> List[Dict[str, Any]]:
    paginator = client.get_paginator("describe_parameters")
    pages = paginator.paginate(
        ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": names}],
        PaginationConfig={"PageSize": DESCRIBE_PARAMETERS_PAGE_SIZE},
    )
    return pages.build_full_result().get("Parameters", [])


def describe_parameters_named(client, names: Iterable[str]) -> List[Dict[str, Any]]:
    """The DescribeParameters items (type, KMS key, description, tier, version) of the names that exist, one
    DescribeParameters per DESCRIBE_PARAMETERS_MAX_NAMES names (none for no name)."""
    wanted = list(dict.fromkeys(names))
    found = []
    for start in range(0, len(wanted), DESCRIBE_PARAMETERS_MAX_NAMES):
        found.extend(_describe_parameters_named(client, wanted[start : start + DESCRIBE_PARAMETERS_MAX_NAMES]))
    return found


@SSMErrorHandler.common_error_handler("put parameter")
@AWSRetry.jittered_backoff()
def put_parameter(client, request: Dict[str, Any]) -> Dict[str, Any]:
    return client.put_parameter(**request)


@SSMErrorHandler.common_error_handler("tag parameter")
@AWSRetry.jittered_backoff()
def tag_parameter(client, name: str, tags: Dict[str, str]) -> bool:
    client.add_tags_to_resource(ResourceType="Parameter", ResourceId=name, Tags=ansible_dict_to_boto3_tag_list(tags))
    return True


@SSMErrorHandler.common_error_handler("untag parameter")
@AWSRetry.jittered_backoff()
def untag_parameter(client, name: str, keys: List[str]) -> bool:
    client.remove_tags_from_resource(ResourceType="Parameter", ResourceId=name, TagKeys=keys)
    return True


@SSMErrorHandler.common_error_handler("delete parameters")
@AWSRetry.jittered_backoff()
def _delete_parameters(client, names: List[str]) -> List[str]:
    return client.delete_parameters(Names=names).get("DeletedParameters") or []


def delete_parameters(client, names: Iterable[str]) -> List[str]:
    """Delete the parameters named, one DeleteParameters per DELETE_PARAMETERS_MAX_NAMES names. Returns the names
    deleted (a name already gone is not an error)."""
    wanted = list(dict.fromkeys(names))
    deleted = []
    for start in range(0, len(wanted), DELETE_PARAMETERS_MAX_NAMES):
        deleted.extend(_delete_parameters(client, wanted[start : start + DELETE_PARAMETERS_MAX_NAMES]))
    return deleted


# The options of one parameter, their validation and the comparison


def parameter_argument_spec() -> Dict[str, Any]:
    """The options of one element of ssm_parameters' parameters list."""
    return dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        value=dict(type="str", no_log=True),
        type=dict(type="str", choices=PARAMETER_TYPES, aliases=["string_type"]),
        description=dict(type="str"),
        tier=dict(type="str", choices=PARAMETER_TIERS),
        key_id=dict(type="str", no_log=False),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )


def parameter_params_error(params: Dict[str, Any]) -> Optional[str]:
    """What is wrong with one parameter's options beyond what the argument spec checks; None when nothing.
    Never quotes the value."""
    name = params["name"]
    if len(name) > PARAMETER_NAME_MAX_LENGTH or not PARAMETER_NAME.match(name):
        return (
            "the name must be letters, digits, '_', '.' and '-' (a hierarchy: parts each starting with '/', no"
            f" trailing '/'), at most {PARAMETER_NAME_MAX_LENGTH} characters"
        )
    if re.match(r"^/?(aws|ssm)", name, re.IGNORECASE):
        return "names starting with aws or ssm (any case) are reserved"
    if params.get("state") == "absent":
        return None
    if params.get("value") is not None and not params["value"]:
        return "the value must not be empty"
    if params.get("key_id") is not None and params.get("type") not in (None, "SecureString"):
        return f"key_id applies to a SecureString only (type is {params['type']})"
    return None


def _key_ref(key: Optional[str]) -> Optional[str]:
    """A KMS key reference comparable whatever its form: a key ARN and its key ID give the ID, an alias ARN and its
    alias name give alias/<name>. An alias and the key it points to are not recognised as the same key."""
    if not key:
        return None
    if key.startswith("arn:"):
        resource = key.split(":", 5)[-1]
        return resource.split("/", 1)[1] if resource.startswith("key/") else resource
    return key


def same_key(desired: Optional[str], current: Optional[str]) -> bool:
    """Whether two KMS key references (ID, ARN, alias name, alias ARN) name the same key, as far as the strings tell."""
    return _key_ref(desired) == _key_ref(current)


def public_parameter(parameter: Dict[str, Any]) -> Dict[str, Any]:
    """A normalised parameter without its value (what ssm_parameters returns and shows in diffs); tags null when
    they were not read."""
    result = {key: parameter.get(key) for key in ("name", "type", "description", "tier", "key_id", "data_type")}
    result["version"] = parameter.get("version")
    result["tags"] = None if parameter.get("tags") is None else dict(parameter["tags"])
    return result


def read_parameters(client, tagging_client, params_list: List[Dict[str, Any]]) -> Dict[str, Dict[str, Any]]:
    """{name: normalised parameter, value included, with its tags} of the parameters of params_list that exist.

    The present ones are read with decryption (GetParameters, 10 names a request), then the metadata of those that
    exist with DescribeParameters (50 names a request) and, when a present parameter sets tags, the tags of all of
    them with one GetResources per 100 (otherwise their tags are None: not read). The absent ones are read with
    GetParameters without decryption only (their existence). A converge from empty makes only the GetParameters
    requests.
    """
    present = [params["name"] for params in params_list if params["state"] == "present"]
    absent = [params["name"] for params in params_list if params["state"] == "absent"]
    values = get_parameters(client, present, decryption=True)
    doomed = get_parameters(client, absent, decryption=False)
    existing = [name for name in present if name in values]  # in the order given
    metadata = describe_parameters_named(client, existing) if existing else []
    # Only what GetParameters found: DescribeParameters cannot name another parameter (its filter is the names).
    parameters = {
        name: parameter
        for name, parameter in normalize_parameters(list(values.values()), metadata, decryption=True).items()
        if name in values
    }
    if existing and any(params["state"] == "present" and params.get("tags") is not None for params in params_list):
        tags = read_parameter_tags(client, tagging_client, existing, values.values())
        for name, parameter in parameters.items():
            parameter["tags"] = tags[name]
    for name, item in doomed.items():
        parameters[name] = normalize_parameters([item], [], decryption=False)[name]
    return parameters


def parameter_changes(before: Dict[str, Any], params: Dict[str, Any]) -> List[str]:
    """What differs between an existing parameter (normalised, value and tags included) and what params set, among
    value, type, description, tier, key_id and tags. An option that is not set never differs. A tier of
    Intelligent-Tiering lets SSM choose, so it never differs; a key_id is compared with a SecureString's key only."""
    changes = []
    if params.get("value") is not None and params["value"] != before["value"]:
        changes.append("value")
    if params.get("type") and params["type"] != before["type"]:
        changes.append("type")
    if params.get("description") is not None and (params["description"] or None) != before["description"]:
        changes.append("description")
    if params.get("tier") not in (None, "Intelligent-Tiering") and params["tier"] != before["tier"]:
        changes.append("tier")
    if (
        params.get("key_id")
        and before["type"] == "SecureString"
        and (params.get("type") or before["type"]) == "SecureString"
        and not same_key(params["key_id"], before["key_id"])
    ):
        changes.append("key_id")
    to_set, to_unset = tag_changes(before.get("tags"), params.get("tags"), params["purge_tags"])
    if to_set or to_unset:
        changes.append("tags")
    return changes


def _put_request(params: Dict[str, Any], before: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """The PutParameter request that gives the parameter what params set and keeps the rest of before (None: a
    creation, which carries the tags; an overwrite cannot, AWS refuses tags with Overwrite)."""
    kind = params.get("type") or (before["type"] if before else "String")
    request = {
        "Name": params["name"],
        "Value": params["value"] if params.get("value") is not None else before["value"],
        "Type": kind,
        "Overwrite": before is not None,
    }
    description = params.get("description")
    if description is None:
        description = (before or {}).get("description")
    if description is not None:
        request["Description"] = description
    tier = params.get("tier") or (before or {}).get("tier")
    if tier:
        request["Tier"] = tier
    if kind == "SecureString":
        key = params.get("key_id") or (before["key_id"] if before and before["type"] == "SecureString" else None)
        if key:
            request["KeyId"] = key
    if before is None and params.get("tags"):
        request["Tags"] = ansible_dict_to_boto3_tag_list({key: str(value) for key, value in params["tags"].items()})
    return request


def _planned(params: Dict[str, Any], before: Optional[Dict[str, Any]], request: Dict[str, Any]) -> Dict[str, Any]:
    """The parameter as the write of request will leave it (version as it is, null for a creation)."""
    secure = request["Type"] == "SecureString"
    return {
        "name": params["name"],
        "type": request["Type"],
        "value": request["Value"],
        "description": request.get("Description"),
        "tier": request.get("Tier") or "Standard",
        "key_id": request.get("KeyId", "alias/aws/ssm") if secure else None,
        "data_type": (before or {}).get("data_type") or "text",
        "version": (before or {}).get("version"),
        "tags": (before or {}).get("tags"),
    }


def _written(after: Dict[str, Any], response: Dict[str, Any]) -> None:
    """Set the version and tier PutParameter answered (the tier SSM chose for Intelligent-Tiering)."""
    after["version"] = response.get("Version", after["version"])
    after["tier"] = response.get("Tier") or after["tier"]


def reconcile_present(client, params: Dict[str, Any], before: Optional[Dict[str, Any]], check_mode: bool):
    """Make one parameter match what params set; act only outside check mode.

    Returns (changes, after): changes lists what differed (["created"] for a new parameter, [] for none); after is
    the parameter as it is now (as planned in check mode), value included for the caller's diff only. One
    PutParameter (Overwrite) when the value, type, description, tier or key differ, sending the current value of
    what is not set; tags with AddTagsToResource and RemoveTagsFromResource.
    """
    name = params["name"]
    if before is None:
        if params.get("value") is None:
            raise PaymentsSSMError(message="it does not exist, and creating it needs a value")
        request = _put_request(params, None)
        after = _planned(params, None, request)
        after["tags"] = {key: str(value) for key, value in (params.get("tags") or {}).items()}
        if not check_mode:
            _written(after, put_parameter(client, request))
        return ["created"], after

    changes = parameter_changes(before, params)
    if not changes:
        return [], before
    after = dict(before)
    if set(changes) - {"tags"}:
        request = _put_request(params, before)
        after = _planned(params, before, request)
        if not check_mode:
            _written(after, put_parameter(client, request))
    to_set, to_unset = tag_changes(before.get("tags"), params.get("tags"), params["purge_tags"])
    if to_set or to_unset:
        after["tags"] = merge_tags(before.get("tags"), to_set, to_unset)
    if not check_mode:
        if to_unset:
            untag_parameter(client, name, to_unset)
        if to_set:
            tag_parameter(client, name, to_set)
    return changes, after


def diff_entry(parameter: Optional[Dict[str, Any]], value_changed: bool = False) -> Dict[str, Any]:
    """A parameter as diffs show it: without its value, which only says whether it changed; {} for none."""
    if parameter is None:
        return {}
    return dict(public_parameter(parameter), value=VALUE_CHANGED if value_changed else VALUE_HIDDEN)


def ensure_parameters(client, tagging_client, params_list: List[Dict[str, Any]], check_mode: bool):
    """(results, diff) for the parameter options in params_list, in their order.

    One read of all of them (read_parameters), then per parameter the compare and the writes it needs; the absent
    ones that exist are deleted together at the end, 10 a request. results[i] is {name, changed, changes} and, for
    a present parameter, its public shape (no value); diff is {before, after} by name, values hidden.
    """
    current = read_parameters(client, tagging_client, params_list)
    results, before_by_name, after_by_name, to_delete = [], {}, {}, []
    for params in params_list:
        name = params["name"]
        before = current.get(name)
        if params["state"] == "absent":
            changes = ["deleted"] if before is not None else []
            if before is not None:
                to_delete.append(name)
            results.append({"name": name, "changed": bool(changes), "changes": changes})
            before_by_name[name] = diff_entry(before)
            after_by_name[name] = {}
            continue
        try:
            changes, after = reconcile_present(client, params, before, check_mode)
        except PaymentsSSMError as e:
            raise PaymentsSSMError(message=f"parameter {name}: {e.message}", exception=e.exception) from e
        results.append(dict(public_parameter(after), changed=bool(changes), changes=changes))
        before_by_name[name] = diff_entry(before)
        after_by_name[name] = diff_entry(after, value_changed=bool({"created", "value"} & set(changes)))
    if to_delete and not check_mode:
        delete_parameters(client, to_delete)
    return results, {"before": before_by_name, "after": after_by_name}
