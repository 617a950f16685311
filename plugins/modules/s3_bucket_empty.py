#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: s3_bucket_empty
short_description: Delete every object version and delete marker of an S3 bucket
version_added: 0.1.0
description:
  - Lists every object version and delete marker of a bucket (C(ListObjectVersions)) and deletes them with
    C(DeleteObjects), 1000 at a time, so that the bucket itself can then be deleted (with
    M(amazon.aws.s3_bucket) C(state=absent)).
  - Unlike O(amazon.aws.s3_bucket#module:force), it can bypass S3 Object Lock retention in C(GOVERNANCE) mode when
    O(bypass_governance_retention=true) (the caller needs C(s3:BypassGovernanceRetention)), and it fails naming the
    versions it could not delete (retention in C(COMPLIANCE) mode, legal holds, or governance retention without the
    bypass) instead of retrying them.
  - A bucket that does not exist is already empty (not changed).
author:
  - payments.infra maintainers (@payments-infra)
options:
  name:
    description: Name of the bucket.
    type: str
    required: true
  bypass_governance_retention:
    description:
      - Delete versions still under Object Lock retention in C(GOVERNANCE) mode. C(COMPLIANCE) retention and legal
        holds cannot be bypassed.
    type: bool
    default: false
notes:
  - Supports check mode, which counts what would be deleted and deletes nothing.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Empty the access log bucket, then delete it
  payments.infra.s3_bucket_empty:
    name: payment-alb-logs-dev

- name: Empty an audit bucket whose versions are under governance retention
  payments.infra.s3_bucket_empty:
    name: payment-audit-logs-dev
    bypass_governance_retention: true
"""

RETURN = r"""
bucket_exists:
  description: Whether the bucket exists.
  returned: always
  type: bool
  sample: true
deleted_count:
  description: Object versions and delete markers deleted (that would be deleted, in check mode).
  returned: always
  type: int
  sample: 42
"""

from typing import Any
from typing import Dict
from typing import List
from typing import Tuple

from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule
from ansible_collections.payments.infra.plugins.module_utils.s3 import DELETE_BATCH
from ansible_collections.payments.infra.plugins.module_utils.s3 import PaymentsS3Error
from ansible_collections.payments.infra.plugins.module_utils.s3 import delete_object_versions
from ansible_collections.payments.infra.plugins.module_utils.s3 import list_object_versions

# How many undeletable versions a failure names.
SHOWN_ERRORS = 10


def describe_errors(bucket: str, errors: List[Dict[str, Any]], bypass: bool) -> str:
    shown = ", ".join(f"{e.get('Key')}@{e.get('VersionId')} ({e.get('Code')})" for e in errors[:SHOWN_ERRORS])
    more = f" and {len(errors) - SHOWN_ERRORS} more" if len(errors) > SHOWN_ERRORS else ""
    hint = (
        "COMPLIANCE retention and legal holds cannot be lifted: wait until the retention ends or remove the holds"
        if bypass
        else "versions under GOVERNANCE retention need bypass_governance_retention=true; COMPLIANCE retention and "
        "legal holds cannot be lifted"
    )
    return f"Could not empty bucket {bucket}: {len(errors)} version(s) were not deleted: {shown}{more}. {hint}."


def empty(client, bucket: str, bypass: bool, check_mode: bool) -> Tuple[bool, Dict[str, Any]]:
    """(changed, result) after deleting every version and delete marker of `bucket`."""
    versions = list_object_versions(client, bucket)
    if versions is None:
        return False, {"bucket_exists": False, "deleted_count": 0}
    if check_mode or not versions:
        return bool(versions), {"bucket_exists": True, "deleted_count": len(versions)}
    errors = []
    for start in range(0, len(versions), DELETE_BATCH):
        errors.extend(delete_object_versions(client, bucket, versions[start : start + DELETE_BATCH], bypass))
    if errors:
        raise PaymentsS3Error(message=describe_errors(bucket, errors, bypass))
    return True, {"bucket_exists": True, "deleted_count": len(versions)}


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        bypass_governance_retention=dict(type="bool", default=False),
    )
    module = PaymentsAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = module.client("s3")
    try:
        changed, result = empty(
            client, module.params["name"], module.params["bypass_governance_retention"], module.check_mode
        )
    except PaymentsS3Error as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=changed, **result)


if __name__ == "__main__":
    main()
