#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: cloudwatchlogs_log_group_kms
short_description: Associate (or disassociate) a KMS key with an existing CloudWatch Logs log group
version_added: 0.1.0
description:
  - Makes the KMS key of an existing log group the one given, with C(AssociateKmsKey), or removes it with
    C(DisassociateKmsKey), comparing with C(DescribeLogGroups) first so a rerun changes nothing.
  - M(amazon.aws.cloudwatchlogs_log_group) sets the key only when it creates the group; this module encrypts a
    group that already exists, such as one created before its key or by an AWS service.
  - After an association, CloudWatch Logs encrypts the events it receives from then on; events already stored
    stay as they are. After a disassociation, new events are stored unencrypted (by the service's own key).
  - This module never creates or deletes a log group.
author:
  - payments.infra maintainers (@payments-infra)
options:
  log_group_name:
    description: Name of the log group.
    type: str
    required: true
  kms_key_id:
    description:
      - ARN of the KMS key to associate (C(arn:<partition>:kms:<region>:<account>:key/<id>)); AWS accepts no
        key ID or alias here.
      - Empty or V(null) disassociates the group's key.
      - The key policy must let the C(logs.<region>.amazonaws.com) service principal use the key for the group
        (encryption context C(aws:logs:arn)), or AWS refuses the association.
    type: str
notes:
  - Supports check mode and diff mode.
  - The log group must exist, except in check mode, where a missing group reports the change the real run would
    make (the group may be created by an earlier task of the same play).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Encrypt the VPC flow log group with the logs key
  payments.infra.cloudwatchlogs_log_group_kms:
    log_group_name: /aws/vpc/flow-logs/payment-vpc-prod
    kms_key_id: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab

- name: Remove the key of a log group
  payments.infra.cloudwatchlogs_log_group_kms:
    log_group_name: /aws/vpc/flow-logs/payment-vpc-prod
    kms_key_id: null
"""

RETURN = r"""
log_group_name:
  description: The log group, as given in O(log_group_name).
  returned: always
  type: str
  sample: /aws/vpc/flow-logs/payment-vpc-prod
log_group_arn:
  description: ARN of the log group (without the trailing C(:*)); null when the group does not exist (check mode).
  returned: always
  type: str
  sample: arn:aws:logs:us-east-1:123456789012:log-group:/aws/vpc/flow-logs/payment-vpc-prod
exists:
  description: Whether the log group exists.
  returned: always
  type: bool
  sample: true
kms_key_id:
  description: ARN of the group's key after the task (what it would be, in check mode); null when none.
  returned: always
  type: str
  sample: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
previous_kms_key_id:
  description: ARN of the group's key before the task; null when none (or when the group does not exist).
  returned: always
  type: str
  sample: null
"""

from typing import Any
from typing import Dict
from typing import Optional
from typing import Tuple

from ansible_collections.payments.infra.plugins.module_utils.diff import build_diff
from ansible_collections.payments.infra.plugins.module_utils.logs import PaymentsLogsError
from ansible_collections.payments.infra.plugins.module_utils.logs import describe_log_group
from ansible_collections.payments.infra.plugins.module_utils.logs import KEY_ARN
from ansible_collections.payments.infra.plugins.module_utils.logs import group_arn
from ansible_collections.payments.infra.plugins.module_utils.logs import set_kms_key
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule


def ensure(client, name: str, desired: Optional[str], check_mode: bool) -> Tuple[bool, Dict[str, Any]]:
    """(changed, result) after making the KMS key of log group name equal to desired (None: no key)."""
    group = describe_log_group(client, name)
    if group is None and not check_mode:
        raise PaymentsLogsError(
            message=f"CloudWatch Logs log group {name} does not exist (this module never creates one)"
        )
    before = (group or {}).get("kmsKeyId") or None
    changed = before != desired
    after = desired
    if changed and not check_mode:
        set_kms_key(client, name, desired)
        after = (describe_log_group(client, name) or {}).get("kmsKeyId") or None
    return changed, {
        "log_group_name": name,
        "log_group_arn": group_arn(group),
        "exists": group is not None,
        "kms_key_id": after,
        "previous_kms_key_id": before,
        "diff": build_diff({"kms_key_id": before}, {"kms_key_id": after}),
    }


def main():
    argument_spec = dict(
        log_group_name=dict(type="str", required=True),
        kms_key_id=dict(type="str", no_log=False),
    )
    module = PaymentsAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    desired = module.params["kms_key_id"] or None
    if desired is not None and not KEY_ARN.match(desired):
        module.fail_json(
            msg="kms_key_id must be the ARN of a KMS key (arn:<partition>:kms:<region>:<account>:key/<id>), "
            f"got {desired}"
        )
    client = module.client("logs")
    try:
        changed, result = ensure(client, module.params["log_group_name"], desired, module.check_mode)
    except PaymentsLogsError as e:
        module.fail_json_aws_error(e)
    module.exit_with_diff(dict(result, changed=changed))


if __name__ == "__main__":
    main()
