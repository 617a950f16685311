#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: s3_bucket_settings_info
short_description: Read the settings of one S3 bucket that a role manages, one request per setting, object lock included
version_added: 0.1.0
description:
  - Reads the settings listed in O(settings) of the bucket O(name) with one S3 request each, and nothing else, so a
    role can compare them with what it sets and run M(amazon.aws.s3_bucket) and M(community.aws.s3_lifecycle) only
    when something differs (M(amazon.aws.s3_bucket) reads every sub-resource of a bucket, about fourteen requests,
    on each run).
  - Unlike M(amazon.aws.s3_bucket_info), it reads one bucket without C(ListBuckets), and it reads the object lock
    configuration.
  - A bucket that does not exist returns RV(exists=false) and an empty RV(bucket), never a failure, so it works in
    check mode on an empty account. A setting the bucket does not have is null (RV(bucket.tags) is empty,
    RV(bucket.lifecycle_rules) is empty).
author:
  - payments.infra maintainers (@payments-infra)
options:
  name:
    description: Name of the bucket.
    type: str
    required: true
  settings:
    description: The settings to read (one request each). The first request also tells whether the bucket exists.
    type: list
    elements: str
    choices:
      - versioning
      - encryption
      - public_access_block
      - ownership_controls
      - policy
      - tags
      - object_lock
      - lifecycle
      - logging
    default:
      - versioning
      - encryption
      - public_access_block
      - ownership_controls
      - policy
      - tags
      - object_lock
      - lifecycle
      - logging
notes:
  - Supports check mode; the module never changes anything.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the audit bucket
  payments.infra.s3_bucket_settings_info:
    name: payment-audit-logs-prod
  register: found

- name: Read what the access log bucket's role sets
  payments.infra.s3_bucket_settings_info:
    name: payment-alb-logs-prod
    settings: [encryption, public_access_block, ownership_controls, policy, tags, lifecycle]
  register: found_logs

- name: Show the default retention of new object versions
  ansible.builtin.debug:
    msg: "{{ found.bucket.object_lock.rule.default_retention | default('none') }}"
"""

RETURN = r"""
exists:
  description: Whether the bucket exists.
  returned: always
  type: bool
  sample: true
bucket:
  description: The settings read, snake_cased (policy and tags as dicts); empty when the bucket does not exist.
  returned: always
  type: dict
  contains:
    name:
      description: Name of the bucket.
      returned: when the bucket exists
      type: str
      sample: payment-audit-logs-prod
    versioning:
      description: C(GetBucketVersioning) (C(status) Enabled or Suspended, C(mfa_delete)); empty if never versioned.
      returned: when O(settings) has C(versioning)
      type: dict
      sample: {"status": "Enabled"}
    encryption:
      description: Default encryption (C(GetBucketEncryption) C(ServerSideEncryptionConfiguration)).
      returned: when O(settings) has C(encryption)
      type: dict
      sample: {"rules": [{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms",
               "kms_master_key_id": "arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e"}, "bucket_key_enabled": true}]}
    public_access_block:
      description: Public access block of the bucket; null when it has none.
      returned: when O(settings) has C(public_access_block)
      type: dict
      sample: {"block_public_acls": true, "ignore_public_acls": true, "block_public_policy": true,
               "restrict_public_buckets": true}
    ownership_controls:
      description: Object ownership controls; null when the bucket has none.
      returned: when O(settings) has C(ownership_controls)
      type: dict
      sample: {"rules": [{"object_ownership": "BucketOwnerEnforced"}]}
    policy:
      description: Bucket policy document; null when the bucket has none.
      returned: when O(settings) has C(policy)
      type: dict
      sample: {"Version": "2012-10-17", "Statement": []}
    tags:
      description: Tags of the bucket.
      returned: when O(settings) has C(tags)
      type: dict
      sample: {"Environment": "prod"}
    object_lock:
      description: Object lock configuration (C(object_lock_enabled), C(rule.default_retention)); null without lock.
      returned: when O(settings) has C(object_lock)
      type: dict
      sample: {"object_lock_enabled": "Enabled", "rule": {"default_retention": {"mode": "GOVERNANCE", "days": 365}}}
    lifecycle_rules:
      description: Lifecycle rules, snake_cased (C(id), C(status), C(filter), C(transitions), ...).
      returned: when O(settings) has C(lifecycle)
      type: list
      elements: dict
      sample: [{"id": "expire-access-logs", "status": "Enabled", "filter": {"prefix": ""}, "expiration": {"days": 400}}]
    logging:
      description: Server access logging (C(target_bucket), C(target_prefix)); null when off.
      returned: when O(settings) has C(logging)
      type: dict
      sample: {"target_bucket": "central-s3-logs", "target_prefix": "s3-access-logs/payment-audit-logs-prod/"}
"""

from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.transformation import camel_dict_to_snake_dict

from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule
from ansible_collections.payments.infra.plugins.module_utils.s3 import PaymentsS3Error
from ansible_collections.payments.infra.plugins.module_utils.s3 import get_bucket_encryption
from ansible_collections.payments.infra.plugins.module_utils.s3 import get_bucket_lifecycle_rules
from ansible_collections.payments.infra.plugins.module_utils.s3 import get_bucket_logging
from ansible_collections.payments.infra.plugins.module_utils.s3 import get_bucket_ownership_controls
from ansible_collections.payments.infra.plugins.module_utils.s3 import get_bucket_policy
from ansible_collections.payments.infra.plugins.module_utils.s3 import get_bucket_tagging
from ansible_collections.payments.infra.plugins.module_utils.s3 import get_bucket_versioning
from ansible_collections.payments.infra.plugins.module_utils.s3 import get_object_lock_configuration
from ansible_collections.payments.infra.plugins.module_utils.s3 import get_public_access_block
from ansible_collections.payments.infra.plugins.module_utils.s3 import is_missing_bucket

SETTINGS = [
    "versioning",
    "encryption",
    "public_access_block",
    "ownership_controls",
    "policy",
    "tags",
    "object_lock",
    "lifecycle",
    "logging",
]


def _snake(value):
    return camel_dict_to_snake_dict(value) if value is not None else None


# setting -> (returned key, reader, normaliser)
READERS = {
    "versioning": ("versioning", get_bucket_versioning, lambda value: _snake(value) or {}),
    "encryption": ("encryption", get_bucket_encryption, _snake),
    "public_access_block": ("public_access_block", get_public_access_block, _snake),
    "ownership_controls": ("ownership_controls", get_bucket_ownership_controls, _snake),
    "policy": ("policy", get_bucket_policy, lambda value: value),
    "tags": ("tags", get_bucket_tagging, lambda value: boto3_tag_list_to_ansible_dict(value or [])),
    "object_lock": ("object_lock", get_object_lock_configuration, _snake),
    "lifecycle": ("lifecycle_rules", get_bucket_lifecycle_rules, lambda value: [_snake(rule) for rule in value or []]),
    "logging": ("logging", get_bucket_logging, _snake),
}


def read(client, name, settings):
    """(exists, bucket): the settings asked for, in SETTINGS order, one request each; (False, {}) without bucket."""
    bucket = {"name": name}
    for setting in [setting for setting in SETTINGS if setting in settings]:
        key, reader, normalise = READERS[setting]
        try:
            bucket[key] = normalise(reader(client, name))
        except PaymentsS3Error as e:
            if is_missing_bucket(e):
                return False, {}
            raise
    return True, bucket


def main():
    module = PaymentsAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            settings=dict(type="list", elements="str", choices=SETTINGS, default=list(SETTINGS)),
        ),
        supports_check_mode=True,
    )
    if not module.params["settings"]:
        module.fail_json(msg="settings must name at least one setting")
    try:
        exists, bucket = read(module.client("s3"), module.params["name"], module.params["settings"])
    except PaymentsS3Error as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=False, exists=exists, bucket=bucket)


if __name__ == "__main__":
    main()
