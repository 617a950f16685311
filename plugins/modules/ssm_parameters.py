#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: ssm_parameters
short_description: Create, update or delete a list of SSM parameters with tags, read in one pass
version_added: 0.1.0
description:
  - Reconciles every parameter of O(parameters) in one module run, where M(community.aws.ssm_parameter) takes one
    run per parameter and reads each three to six times.
  - Reads the parameters with one C(GetParameters) per 10 names (with decryption, to compare values), the metadata of
    those that exist with one C(DescribeParameters) per 50 names and, when a parameter sets O(parameters[].tags), the
    tags of all of them with one Resource Groups Tagging API C(GetResources) per 100. A rerun that changes nothing
    for 17 parameters makes four requests; a creation of 17 parameters makes two reads and 17 C(PutParameter).
  - Compares the value, type, description, tier, KMS key and tags with what each parameter sets (an option that is
    not set never changes anything), then writes only what differs. One C(PutParameter) when the value, type,
    description, tier or key differ (with C(Overwrite), sending the current value of every option that is not set),
    C(AddTagsToResource) and C(RemoveTagsFromResource) for the tags. The absent parameters that exist are deleted
    together at the end, with one C(DeleteParameters) per 10.
  - "Values are compared, never returned. Diff mode shows each parameter without its value, which reads
    C((hidden)), or C((hidden: value changed)) when it is written."
  - The parameters are handled in the order given; an error stops the run at that parameter (the earlier ones are
    done).
author:
  - payments.infra maintainers (@payments-infra)
options:
  parameters:
    description:
      - The parameters. Names must be distinct.
      - An empty list does nothing.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - Name of the parameter, letters, digits, C(_), C(.) and C(-); a hierarchy starts with C(/)
            (C(/payment-processing/prod/dynamodb/table_name)). Not under C(aws) or C(ssm) (reserved).
        type: str
        required: true
      state:
        description: Whether the parameter exists.
        type: str
        choices: [present, absent]
        default: present
      value:
        description:
          - Value of the parameter (a C(StringList) is one comma-separated string). Required to create a parameter;
            unset keeps the value of an existing one.
          - Never returned nor logged (C(no_log)). Ansible masks any returned text that contains a value.
        type: str
      type:
        description:
          - Type of the parameter. A new parameter defaults to C(String); unset keeps the type of an existing one.
        type: str
        choices: [String, StringList, SecureString]
        aliases: [string_type]
      description:
        description: Description of the parameter. Unset keeps the current one.
        type: str
      tier:
        description:
          - Tier of the parameter. A new parameter defaults to the account's default tier (C(Standard)); unset keeps
            the current one. C(Intelligent-Tiering) lets SSM choose, so it is never a difference on its own.
          - SSM cannot turn an C(Advanced) parameter back into a C(Standard) one (the write fails).
        type: str
        choices: [Standard, Advanced, Intelligent-Tiering]
      key_id:
        description:
          - KMS key of a C(SecureString) (key ID, key ARN, alias name or alias ARN). Unset keeps the current key,
            or for a new C(SecureString) uses the account's default key C(alias/aws/ssm).
          - Compared with the key SSM reports as strings (a key ARN and its key ID match; an alias and the key it
            points to do not), so give it in the form it was written with.
        type: str
      tags:
        description:
          - Tags of the parameter, a dict of keys and values. Unset leaves the tags alone.
          - With O(parameters[].purge_tags=true) (the default), tags not listed are removed (C(aws:*) tags are kept).
        type: dict
        aliases: [resource_tags]
      purge_tags:
        description: Remove the tags that O(parameters[].tags) does not list (only when O(parameters[].tags) is set).
        type: bool
        default: true
notes:
  - Supports check mode and diff mode. Check mode reads, and writes nothing.
  - Needs C(ssm:GetParameters), C(ssm:DescribeParameters), C(ssm:PutParameter), C(ssm:AddTagsToResource),
    C(ssm:RemoveTagsFromResource), C(ssm:DeleteParameters), C(kms:Decrypt) (and C(kms:Encrypt) to write) on the keys of
    the C(SecureString) parameters and, when tags are set, C(tag:GetResources) (Resource Groups Tagging API).
  - The Resource Groups Tagging API and C(DescribeParameters) are eventually consistent. A rerun within seconds of a
    change may read the old tags, description or tier and write them again; values and existence are read with
    C(GetParameters), which is consistent.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Two String parameters and a SecureString under a customer managed key, tagged
  payments.infra.ssm_parameters:
    parameters:
      - name: /payment-processing/prod/dynamodb/table_name
        value: transactions-prod
        description: Name of the DynamoDB transactions table
        tags: {Environment: prod, Component: parameters}
      - name: /payment-processing/prod/aurora/port
        value: "5432"
        description: Port of the Aurora PostgreSQL cluster
        tags: {Environment: prod, Component: parameters}
      - name: /payment-processing/prod/aurora/writer_endpoint
        value: "{{ aurora_endpoint }}"
        type: SecureString
        key_id: arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab
        description: Writer endpoint of the Aurora PostgreSQL cluster
        tier: Standard
        tags: {Environment: prod, Component: parameters}
  register: written

- name: The names of the parameters written
  ansible.builtin.debug:
    msg: "{{ written.parameters | selectattr('changed') | map(attribute='name') | list }}"

- name: Delete two parameters (one DeleteParameters request)
  payments.infra.ssm_parameters:
    parameters:
      - {name: /payment-processing/dev/dynamodb/table_name, state: absent}
      - {name: /payment-processing/dev/aurora/port, state: absent}
"""

RETURN = r"""
parameters:
  description:
    - The parameters in the order of O(parameters), as they are after the run (as planned in check mode), never with
      their values.
    - Ansible masks any returned text that contains one of the values (C(no_log)), so a name may read C(********)
      when a value is part of it; match results to O(parameters) by position.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Name of the parameter.
      returned: always
      type: str
      sample: /payment-processing/prod/dynamodb/table_name
    changed:
      description: Whether the parameter was created, updated or deleted (or would be, in check mode).
      returned: always
      type: bool
      sample: true
    changes:
      description:
        - What differed. C(created) or C(deleted), or among C(value), C(type), C(description), C(tier), C(key_id) and
          C(tags); empty when nothing did.
      returned: always
      type: list
      elements: str
      sample: [value, tags]
    type:
      description: C(String), C(StringList) or C(SecureString).
      returned: when O(parameters[].state=present)
      type: str
      sample: String
    description:
      description: Description, null when none.
      returned: when O(parameters[].state=present)
      type: str
      sample: Name of the DynamoDB transactions table
    tier:
      description: C(Standard) or C(Advanced) (as planned in check mode).
      returned: when O(parameters[].state=present)
      type: str
      sample: Standard
    key_id:
      description: KMS key of a C(SecureString) as SSM reports it; null for other types.
      returned: when O(parameters[].state=present)
      type: str
      sample: arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab
    data_type:
      description: Data type (C(text)).
      returned: when O(parameters[].state=present)
      type: str
      sample: text
    version:
      description: Version of the parameter after the run; in check mode the current one (null for a creation).
      returned: when O(parameters[].state=present)
      type: int
      sample: 2
    tags:
      description: Tags of the parameter; null when no parameter sets O(parameters[].tags) (tags are then not read).
      returned: when O(parameters[].state=present)
      type: dict
      sample: {"Environment": "prod", "Component": "parameters"}
changed_parameters:
  description:
    - Names of the parameters created, updated or deleted (or that would be, in check mode), in O(parameters) order.
    - Masked like RV(parameters[].name) when a value is part of a name.
  returned: always
  type: list
  elements: str
  sample: [/payment-processing/prod/dynamodb/table_name]
"""

from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule
from ansible_collections.payments.infra.plugins.module_utils.ssm import PaymentsSSMError
from ansible_collections.payments.infra.plugins.module_utils.ssm import ensure_parameters
from ansible_collections.payments.infra.plugins.module_utils.ssm import parameter_argument_spec
from ansible_collections.payments.infra.plugins.module_utils.ssm import parameter_params_error
from ansible_collections.payments.infra.plugins.module_utils.tagging import PaymentsTaggingError


def validate(module):
    """Refuse invalid parameter options before any AWS call (messages never quote a value)."""
    names = [params["name"] for params in module.params["parameters"]]
    module.validate_list_option("parameters", names, item_error=parameter_params_error)


def main():
    argument_spec = dict(
        parameters=dict(type="list", elements="dict", required=True, options=parameter_argument_spec()),
    )
    module = PaymentsAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)

    parameters = module.params["parameters"]
    if not parameters:
        module.exit_with_diff(
            {"changed": False, "parameters": [], "changed_parameters": [], "diff": {"before": {}, "after": {}}}
        )
    try:
        results, diff = ensure_parameters(
            module.client("ssm"), module.client("resourcegroupstaggingapi"), parameters, module.check_mode
        )
    except (PaymentsSSMError, PaymentsTaggingError) as e:
        module.fail_json_aws_error(e)

    changed_names = [result["name"] for result in results if result["changed"]]
    module.exit_with_diff(
        {"changed": bool(changed_names), "parameters": results, "changed_parameters": changed_names, "diff": diff}
    )


if __name__ == "__main__":
    main()
