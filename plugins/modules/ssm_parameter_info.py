#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: ssm_parameter_info
short_description: Read every SSM parameter under a path, with its type, KMS key, description and tags, in one pass
version_added: 0.1.0
description:
  - Reads the parameters under O(path) with one paginated GetParametersByPath (values) and one paginated
    DescribeParameters (type, KMS key, description, tier), plus with O(tags=true) one Resource Groups Tagging API
    GetResources per 100 parameters (their tags), so a role can compare what it wants with what exists and write
    only what differs (M(community.aws.ssm_parameter) reads each parameter three to six times per call).
  - A path that holds nothing returns an empty RV(parameters), never a failure, so it works in check mode on an
    empty account.
  - The value of a SecureString parameter is returned only with O(decryption=true); use C(no_log) on the task
    when such values are secrets.
author:
  - payments.infra maintainers (@payments-infra)
options:
  path:
    description: Path of the parameters, starting with C(/) (a trailing C(/) is ignored).
    type: str
    required: true
  recursive:
    description: Also read the parameters below the path's sub-paths.
    type: bool
    default: true
  decryption:
    description: Decrypt SecureString values (needs C(kms:Decrypt) on their keys) and return them.
    type: bool
    default: false
  tags:
    description:
      - Read the parameters' tags, with one Resource Groups Tagging API GetResources per 100 parameters (by ARN).
      - A parameter without tags has an empty RV(parameters.tags).
    type: bool
    default: true
notes:
  - Supports check mode; the module never changes anything.
  - With O(tags=true) it needs the IAM permission C(tag:GetResources) (Resource Groups Tagging API) besides
    C(ssm:GetParametersByPath) and C(ssm:DescribeParameters). The Resource Groups Tagging API is eventually
    consistent; tags changed in the seconds before the read may show their old values.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the parameters of the payment stack
  payments.infra.ssm_parameter_info:
    path: /payment-processing/prod
  register: found

- name: Show the DynamoDB table name
  ansible.builtin.debug:
    msg: "{{ found.parameters['/payment-processing/prod/dynamodb/table_name'].value }}"
"""

RETURN = r"""
parameters:
  description: The parameters under the path, by full name; empty when there is none.
  returned: always
  type: dict
  contains:
    name:
      description: Full name of the parameter.
      returned: always
      type: str
      sample: /payment-processing/prod/dynamodb/table_name
    type:
      description: C(String), C(StringList) or C(SecureString).
      returned: always
      type: str
      sample: String
    value:
      description: Value; null for a SecureString read without O(decryption).
      returned: always
      type: str
      sample: transactions-prod
    key_id:
      description: KMS key of a SecureString as SSM reports it (key ID, ARN or alias); null for other types.
      returned: always
      type: str
      sample: arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab
    description:
      description: Description of the parameter.
      returned: always
      type: str
      sample: Name of the DynamoDB transactions table
    tier:
      description: C(Standard), C(Advanced) or C(Intelligent-Tiering).
      returned: always
      type: str
      sample: Standard
    data_type:
      description: Data type (C(text), C(aws:ec2:image)).
      returned: always
      type: str
      sample: text
    version:
      description: Version of the parameter (incremented by each write).
      returned: always
      type: int
      sample: 1
    last_modified_date:
      description: Last write (ISO 8601).
      returned: always
      type: str
      sample: "2026-11-28T02:24:25.123000+00:00"
    tags:
      description: Tags of the parameter.
      returned: when O(tags=true)
      type: dict
      sample: {"Environment": "prod", "Component": "parameters"}
"""

from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule
from ansible_collections.payments.infra.plugins.module_utils.ssm import PaymentsSSMError
from ansible_collections.payments.infra.plugins.module_utils.ssm import describe_parameters_under
from ansible_collections.payments.infra.plugins.module_utils.ssm import get_parameters_by_path
from ansible_collections.payments.infra.plugins.module_utils.ssm import normalize_parameters
from ansible_collections.payments.infra.plugins.module_utils.ssm import read_parameter_tags
from ansible_collections.payments.infra.plugins.module_utils.tagging import PaymentsTaggingError


def read_tags(client, tagging_client, parameters, values, metadata):
    """Set each parameter's tags: one GetResources per 100 parameter ARNs (ARN as GetParametersByPath or
    DescribeParameters report it); a parameter neither reported with its ARN is read with ListTagsForResource."""
    tags = read_parameter_tags(client, tagging_client, list(parameters), list(metadata) + list(values))
    for name, parameter in parameters.items():
        parameter["tags"] = tags[name]


def read(client, path, recursive, decryption, tagging_client=None):
    """The parameters under path by full name, normalised (see RETURN); with their tags when tagging_client (a
    Resource Groups Tagging API client) is given."""
    path = "/" + path.strip("/") if path.strip("/") else "/"
    values = get_parameters_by_path(client, path, recursive, decryption)
    metadata = describe_parameters_under(client, path, recursive)
    parameters = normalize_parameters(values, metadata, decryption)
    if tagging_client is not None:
        read_tags(client, tagging_client, parameters, values, metadata)
    return parameters


def main():
    module = PaymentsAWSModule(
        argument_spec=dict(
            path=dict(type="str", required=True),
            recursive=dict(type="bool", default=True),
            decryption=dict(type="bool", default=False),
            tags=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    if not module.params["path"].startswith("/"):
        module.fail_json(msg=f"path must start with '/': {module.params['path']!r}")
    try:
        parameters = read(
            module.client("ssm"),
            module.params["path"],
            module.params["recursive"],
            module.params["decryption"],
            module.client("resourcegroupstaggingapi") if module.params["tags"] else None,
        )
    except (PaymentsSSMError, PaymentsTaggingError) as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=False, parameters=parameters)


if __name__ == "__main__":
    main()
