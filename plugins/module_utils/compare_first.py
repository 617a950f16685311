# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What amazon.aws.lambda, amazon.aws.lambda_policy and community.aws.sqs_queue would change, computed from one read
(payments.infra.lambda_account_info) the way those modules compare, so a playbook calls them only where something
differs. Each function mirrors the module's own comparison (amazon.aws / community.aws 10); the filters
lambda_function_differences, lambda_permission_differences and sqs_queue_differences are their faces.

Every function returns the names of what differs, in a fixed order; ["missing"] when the resource does not exist;
[] when the module would change nothing.
"""

import base64
import hashlib
import json
import re
from collections import Counter

from ansible.module_utils.common.dict_transformations import snake_dict_to_camel_dict

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

# amazon.aws.lambda options the comparison understands, with the module's defaults. A key outside this set raises,
# so an option added to a playbook's task cannot be silently left out of the comparison.
FUNCTION_OPTIONS = {
    "name": None,
    "runtime": None,
    "handler": None,
    "role": None,
    "description": "",
    "timeout": 3,
    "memory_size": 128,
    "zip_file": None,
    "code_sha256": None,
    "architecture": None,
    "vpc_subnet_ids": None,
    "vpc_security_group_ids": None,
    "environment_variables": None,
    "dead_letter_arn": None,
    "tracing_mode": None,
    "kms_key_arn": None,
    "layers": None,
    "tags": None,
    "purge_tags": True,
}
PERMISSION_OPTIONS = ("action", "principal", "source_arn", "source_account", "event_source_token")
ROLE_ARN = re.compile(r"^arn:aws(-([a-z\-]+))?:iam")


def _sha256(path):
    """The CodeSha256 Lambda reports for a zip (base64 of the SHA-256), as amazon.aws.lambda computes it."""
    with open(path, "rb") as f:
        return base64.b64encode(hashlib.sha256(f.read()).digest()).decode("utf-8")


def _role_differs(current_role, role):
    if ROLE_ARN.match(role):
        return current_role != role
    # amazon.aws.lambda makes arn:<partition>:iam::<account>:role/<name> of a bare name (path /).
    return not (current_role or "").endswith(":role/" + role)


def function_differences(current, desired):
    """What amazon.aws.lambda (state=present) would change on the function read by lambda_account_info.

    current: one value of lambda_account_info's functions (None when the function does not exist). desired: the
    module's options (plus code_sha256, the package's CodeSha256, instead of or besides zip_file).
    kms_key_arn counts as different only when the function has another key: the module itself sends it on every
    run, so a playbook should pass it to the module only when this reports it (or the function is missing).
    """
    unknown = set(desired) - set(FUNCTION_OPTIONS)
    if unknown:
        raise ValueError(f"options the comparison does not cover: {', '.join(sorted(unknown))}")
    if not current:
        return ["missing"]
    want = {**FUNCTION_OPTIONS, **{k: v for k, v in desired.items() if v is not None}}
    differences = []

    def differs(option, value, current_value):
        if value and current_value != value:
            differences.append(option)

    if want["role"] and _role_differs(current.get("role"), want["role"]):
        differences.append("role")
    differs("handler", want["handler"], current.get("handler"))
    differs("description", want["description"], current.get("description"))
    differs("timeout", int(want["timeout"]), current.get("timeout"))
    differs("memory_size", int(want["memory_size"]), current.get("memory_size"))
    differs("runtime", want["runtime"], current.get("runtime"))
    if (
        want["environment_variables"] is not None
        and (current.get("environment") or {}) != want["environment_variables"]
    ):
        differences.append("environment_variables")
    dead_letter = want["dead_letter_arn"]
    if dead_letter is not None and (current.get("dead_letter_arn") or "") != dead_letter:
        if current.get("dead_letter_arn") or dead_letter != "":
            differences.append("dead_letter_arn")
    if want["tracing_mode"] and (current.get("tracing_mode") or "PassThrough") != want["tracing_mode"]:
        differences.append("tracing_mode")
    if want["kms_key_arn"] and current.get("kms_key_arn") != want["kms_key_arn"]:
        differences.append("kms_key_arn")
    vpc = current.get("vpc_config")
    if want["vpc_subnet_ids"]:
        if (
            vpc is None
            or sorted(vpc.get("subnet_ids") or []) != sorted(want["vpc_subnet_ids"])
            or sorted(vpc.get("security_group_ids") or []) != sorted(want["vpc_security_group_ids"] or [])
        ):
            differences.append("vpc_config")
    elif vpc and vpc.get("vpc_id"):
        differences.append("vpc_config")
    if want["layers"]:
        arns = [layer if isinstance(layer, str) else layer.get("layer_version_arn") for layer in want["layers"]]
        if None in arns:
            raise ValueError("layers must be given by layer_version_arn (the comparison looks no layer up)")
        if Counter(arns) != Counter(current.get("layers") or []):
            differences.append("layers")
    if want["tags"] is not None:
        to_add, to_remove = compare_aws_tags(current.get("tags") or {}, want["tags"], purge_tags=want["purge_tags"])
        if to_add or to_remove:
            differences.append("tags")
    if want["architecture"] and current.get("architectures") != [want["architecture"]]:
        differences.append("architecture")
    sha = want["code_sha256"] or (_sha256(want["zip_file"]) if want["zip_file"] else None)
    if sha and current.get("code_sha256") != sha:
        differences.append("code")
    return differences


def extract_statement(policy, sid):
    """The statement sid of the policy flattened as amazon.aws.lambda_policy's extract_statement does; {} if none."""
    for statement in (policy or {}).get("Statement", []):
        if statement.get("Sid") != sid:
            continue
        flat = {"action": statement.get("Action")}
        principal = statement.get("Principal")
        if isinstance(principal, dict):
            for key in ("Service", "AWS"):
                if key in principal:
                    flat["principal"] = principal[key]
        elif principal is not None:
            flat["principal"] = principal
        condition = statement.get("Condition") or {}
        if "AWS:SourceArn" in condition.get("ArnLike", {}):
            flat["source_arn"] = condition["ArnLike"]["AWS:SourceArn"]
        equals = condition.get("StringEquals", {})
        if "AWS:SourceAccount" in equals:
            flat["source_account"] = equals["AWS:SourceAccount"]
        if "lambda:EventSourceToken" in equals:
            flat["event_source_token"] = equals["lambda:EventSourceToken"]
        return flat
    return {}


def permission_differences(policy, desired):
    """What amazon.aws.lambda_policy would change: policy is the function's policy document (None when it has none
    or the function does not exist), desired the module's options (statement_id, action, principal, source_arn,
    source_account, event_source_token, state). Qualified permissions (alias, version) are not covered.

    ["missing"] when the statement is absent and state is present; the differing options when it differs (the
    module replaces it); ["state"] when state is absent and the statement exists.
    """
    unknown = set(desired) - {"function_name", "statement_id", "state", *PERMISSION_OPTIONS}
    if unknown:
        raise ValueError(f"options the comparison does not cover: {', '.join(sorted(unknown))}")
    current = extract_statement(policy, desired["statement_id"])
    if desired.get("state", "present") == "absent":
        return ["state"] if current else []
    if not current:
        return ["missing"]
    return [option for option in PERMISSION_OPTIONS if desired.get(option) != current.get(option)]


def queue_differences(current, desired):
    """What community.aws.sqs_queue (state=present) would change on the queue read by lambda_account_info.

    current: one value of lambda_account_info's queues (None when the queue does not exist); desired: the module's
    options. Like the module, only attributes the queue reports are compared (as strings, booleans lower case);
    policies as amazon.aws compares policies; tags with purge_tags (default true).
    """
    if not current:
        return ["missing"]
    existing = current.get("attributes") or {}
    wanted = snake_dict_to_camel_dict(
        {k: v for k, v in desired.items() if k not in ("tags", "purge_tags", "policy", "redrive_policy")},
        capitalize_first=True,
    )
    differences = []
    for attribute, option in (("Policy", "policy"), ("RedrivePolicy", "redrive_policy")):
        if desired.get(option) is not None:
            if compare_policies(json.loads(existing.get(attribute, "{}")), desired[option]):
                differences.append(option)
    for attribute, current_value in existing.items():
        if attribute in ("Policy", "RedrivePolicy") or wanted.get(attribute) is None:
            continue
        new_value, value = wanted[attribute], current_value
        if isinstance(new_value, bool):
            new_value, value = str(new_value).lower(), str(value).lower()
        if str(new_value) != str(value):
            differences.append(attribute)
    if desired.get("tags") is not None:
        to_add, to_remove = compare_aws_tags(
            current.get("tags") or {}, desired["tags"], purge_tags=desired.get("purge_tags", True)
        )
        if to_add or to_remove:
            differences.append("tags")
    return differences
