# -*- coding: utf-8 -*-
# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: lambda_function_differences
short_description: What amazon.aws.lambda would change on a function read by lambda_account_info
version_added: 0.2.0
description:
  - Compares a function as M(payments.infra.lambda_account_info) returns it with the options a task would give
    M(amazon.aws.lambda) (state present), the way that module compares them, and returns the names of what differs.
    An empty list means the module would change nothing, so the function can skip it.
  - Configuration (C(role), C(handler), C(description), C(timeout), C(memory_size), C(runtime),
    C(environment_variables), C(dead_letter_arn), C(tracing_mode), C(vpc_config), C(layers)), C(tags) with
    C(purge_tags), C(architecture), and the code (C(code_sha256), or the SHA-256 of C(zip_file) computed as the
    module does). The module's defaults apply (C(timeout=3), C(memory_size=128)); an option not set (or null) is
    not compared, like the module leaves it alone.
  - C(kms_key_arn) counts as different only when the function has another key; amazon.aws.lambda sends it (and
    reports changed) on every run, so pass it to the module only when this filter reports it or C(missing).
  - An option the comparison does not cover (C(s3_bucket), C(image_uri), a layer by name, ...) is an error, so a
    task cannot grow an option that the comparison silently ignores.
options:
  _input:
    description: The function (one value of RV(payments.infra.lambda_account_info#module:functions)); null when it
      does not exist.
    type: dict
    required: true
  desired:
    description: Options of M(amazon.aws.lambda), plus C(code_sha256) (the package's CodeSha256, base64).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Create or update the function only where it differs
  amazon.aws.lambda:
    name: "{{ function.name }}"
    runtime: "{{ function.runtime }}"
    handler: "{{ function.handler }}"
    role: "{{ function.role }}"
    zip_file: "{{ package_path }}"
  vars:
    function: {name: fn, runtime: python3.12, handler: app.handler, role: "arn:aws:iam::123456789012:role/fn",
               code_sha256: "{{ package_sha256 }}"}
  when: found.functions['fn'] | payments.infra.lambda_function_differences(function) | length > 0
"""

RETURN = r"""
_value:
  description:
    - The differing options, in the order C(role), C(handler), C(description), C(timeout), C(memory_size),
      C(runtime), C(environment_variables), C(dead_letter_arn), C(tracing_mode), C(kms_key_arn), C(vpc_config),
      C(layers), C(tags), C(architecture), C(code); C([missing]) when the function does not exist; C([]) when
      nothing differs.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.payments.infra.plugins.module_utils.compare_first import function_differences


def lambda_function_differences(current, desired):
    if current is not None and not isinstance(current, dict):
        raise AnsibleFilterError(
            f"lambda_function_differences: the function must be a dict or null, got {type(current).__name__}"
        )
    if not isinstance(desired, dict):
        raise AnsibleFilterError(f"lambda_function_differences: desired must be a dict, got {type(desired).__name__}")
    try:
        return function_differences(current, desired)
    except (ValueError, OSError) as e:
        raise AnsibleFilterError(f"lambda_function_differences: {e}") from e


class FilterModule:
    def filters(self):
        return {"lambda_function_differences": lambda_function_differences}
