#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: dynamodb_table
version_added: 0.1.0
short_description: Manage a DynamoDB table, its indexes, encryption, backups, stream and time to live
description:
  - Create, update or delete a DynamoDB table and everything that defines it - key schema, billing mode,
    global secondary indexes, server-side encryption with a KMS key, point-in-time recovery, stream, time to
    live, deletion protection, table class and tags.
  - Options that are not set never cause a change.
  - The key schema of an existing table (O(hash_key), O(range_key)) cannot change. A difference is
    B(refused) with an error naming the table and the difference; the table is never replaced, since that
    would mean dropping its data.
  - The keys and projection of an existing global secondary index cannot change either. Such a difference is
    refused; add a new index under a new name instead (and drop the old one from O(global_secondary_indexes)).
  - Global secondary indexes are added and removed in place, one per table update as AWS requires, waiting for
    the table and its indexes to become active in between.
  - A table with deletion protection on is deleted only when O(deletion_protection=false) is set in the same
    task with O(state=absent); the protection is then lifted first. Otherwise O(state=absent) fails and
    deletes nothing.
author:
  - payments.infra maintainers (@payments-infra)
options:
  name:
    description:
      - The name of the table.
    type: str
    required: true
  state:
    description:
      - Whether the table should exist.
    type: str
    default: present
    choices: ['present', 'absent']
  hash_key:
    description:
      - The partition key of the table. Required to create a table.
      - When set for an existing table, it is compared together with O(range_key) (not setting O(range_key)
        then means "no sort key"); a difference is refused.
    type: dict
    suboptions:
      name:
        description: The attribute name.
        type: str
        required: true
      type:
        description: The attribute type - V(S) string, V(N) number or V(B) binary.
        type: str
        default: S
        choices: ['S', 'N', 'B']
  range_key:
    description:
      - The sort key of the table, if it has one. Only compared when O(hash_key) is set.
    type: dict
    suboptions:
      name:
        description: The attribute name.
        type: str
        required: true
      type:
        description: The attribute type - V(S) string, V(N) number or V(B) binary.
        type: str
        default: S
        choices: ['S', 'N', 'B']
  billing_mode:
    description:
      - How reads and writes are billed.
      - A table created without it uses V(PAY_PER_REQUEST).
      - AWS allows one switch of billing mode per table every 24 hours.
    type: str
    choices: ['PAY_PER_REQUEST', 'PROVISIONED']
  read_capacity:
    description:
      - Provisioned read capacity units of the table. Only with V(PROVISIONED) billing.
    type: int
  write_capacity:
    description:
      - Provisioned write capacity units of the table. Only with V(PROVISIONED) billing.
    type: int
  global_secondary_indexes:
    description:
      - The complete list of global secondary indexes of the table. Indexes of the table that are not in the
        list are deleted; V([]) deletes them all. Not setting it leaves the indexes alone.
      - Attribute definitions are derived from the keys of the table and its indexes.
    type: list
    elements: dict
    suboptions:
      name:
        description: The name of the index.
        type: str
        required: true
      hash_key:
        description: The partition key of the index.
        type: dict
        required: true
        suboptions:
          name:
            description: The attribute name.
            type: str
            required: true
          type:
            description: The attribute type.
            type: str
            default: S
            choices: ['S', 'N', 'B']
      range_key:
        description: The sort key of the index, if it has one.
        type: dict
        suboptions:
          name:
            description: The attribute name.
            type: str
            required: true
          type:
            description: The attribute type.
            type: str
            default: S
            choices: ['S', 'N', 'B']
      projection_type:
        description:
          - The attributes copied into the index. A new index without it uses V(ALL).
          - Not compared for an existing index when not set.
        type: str
        choices: ['ALL', 'KEYS_ONLY', 'INCLUDE']
      non_key_attributes:
        description: The attributes copied into the index with O(global_secondary_indexes[].projection_type=INCLUDE).
        type: list
        elements: str
      read_capacity:
        description: Provisioned read capacity units of the index (V(PROVISIONED) billing; defaults to the table's).
        type: int
      write_capacity:
        description: Provisioned write capacity units of the index (V(PROVISIONED) billing; defaults to the table's).
        type: int
  sse:
    description:
      - Server-side encryption at rest.
      - With O(sse.enabled=false) the table uses a key owned by DynamoDB (the AWS default).
    type: dict
    suboptions:
      enabled:
        description: Whether the table is encrypted with a KMS key (V(true)) or a key owned by DynamoDB (V(false)).
        type: bool
        required: true
      kms_key_id:
        description:
          - The KMS key - key ID, key ARN, alias name (V(alias/NAME)) or alias ARN.
          - It is resolved to its key ARN (KMS DescribeKey) and compared with the key ARN AWS reports.
          - Without it, an encrypted table keeps its key, and a table being encrypted gets the AWS managed key
            C(alias/aws/dynamodb).
        type: str
  point_in_time_recovery:
    description:
      - Whether point-in-time recovery (continuous backups) is enabled.
    type: bool
  stream:
    description:
      - The DynamoDB stream of the table.
      - Changing the view type of an enabled stream disables it and enables a new one, which gets a new ARN.
    type: dict
    suboptions:
      enabled:
        description: Whether the stream is enabled.
        type: bool
        required: true
      view_type:
        description: What the stream records of a modified item. Required when O(stream.enabled=true).
        type: str
        choices: ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES']
  ttl_attribute:
    description:
      - The attribute holding the expiry time (epoch seconds) of items, which enables time to live.
      - V("") (empty string) disables time to live. Not setting it (or V(null)) leaves time to live alone
        (Ansible cannot tell V(null) from an option that is not set).
      - Changing the attribute disables time to live and enables it again on the new attribute; AWS may refuse
        the second step for up to an hour after the first.
    type: str
  deletion_protection:
    description:
      - Whether the table is protected from deletion.
      - With O(state=absent), V(false) lifts the protection before deleting the table.
    type: bool
  table_class:
    description:
      - The table class.
    type: str
    choices: ['STANDARD', 'STANDARD_INFREQUENT_ACCESS']
  wait:
    description:
      - Wait for the table and its indexes to be active (or, with O(state=absent), for the table to be gone)
        before returning.
      - Between the steps of an update (one index at a time, a stream replaced) the module always waits, since
        AWS refuses the next step until the previous one is done.
    type: bool
    default: true
  wait_timeout:
    description:
      - How long to wait, in seconds, for each wait.
    type: int
    default: 600
notes:
  - Supports check mode and diff mode. Check mode reports the same RV(ignore:changed) as a real run and
    changes nothing; values that only AWS can tell (ARNs of a table to be created) are V(null).
  - Local secondary indexes are reported but not managed.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.

- name: Create the transactions table
  payments.infra.dynamodb_table:
    name: transactions-prod
    hash_key:
      name: transaction_id
      type: S
    billing_mode: PAY_PER_REQUEST
    global_secondary_indexes:
      - name: customer-id-timestamp-index
        hash_key: {name: customer_id, type: S}
        range_key: {name: timestamp, type: N}
        projection_type: ALL
    sse:
      enabled: true
      kms_key_id: alias/payment-dynamodb-prod
    point_in_time_recovery: true
    stream:
      enabled: true
      view_type: NEW_AND_OLD_IMAGES
    ttl_attribute: expires_at
    deletion_protection: true
    tags:
      Name: transactions-prod
  register: transactions

- name: Turn time to live off, leaving everything else alone
  payments.infra.dynamodb_table:
    name: transactions-prod
    ttl_attribute: ""

- name: Delete a protected table (the protection is lifted first)
  payments.infra.dynamodb_table:
    name: transactions-dev
    state: absent
    deletion_protection: false
"""

RETURN = r"""
table:
  description:
    - The table, as AWS describes it once the module is done.
    - In check mode, the table as it would be; values that only AWS can tell are V(null).
  returned: when O(state=present)
  type: dict
  contains:
    table_name:
      description: The name of the table.
      returned: always
      type: str
      sample: transactions-prod
    table_arn:
      description: The ARN of the table. V(null) in check mode when the table would be created.
      returned: always
      type: str
      sample: arn:aws:dynamodb:us-east-1:123456789012:table/transactions-prod
    table_id:
      description: The unique ID of the table, or V(null) where it is not reported.
      returned: always
      type: str
      sample: 4a2c1a7e-0e3f-4f0f-9a4e-1b2c3d4e5f60
    table_status:
      description: The status of the table.
      returned: always
      type: str
      sample: ACTIVE
    creation_date_time:
      description: When the table was created (ISO 8601).
      returned: always
      type: str
      sample: "2025-01-31T12:00:00+00:00"
    item_count:
      description: The approximate number of items (AWS updates it about every six hours).
      returned: always
      type: int
      sample: 0
    table_size_bytes:
      description: The approximate size of the table in bytes.
      returned: always
      type: int
      sample: 0
    hash_key:
      description: The partition key.
      returned: always
      type: dict
      sample: {"name": "transaction_id", "type": "S"}
    range_key:
      description: The sort key, or V(null).
      returned: always
      type: dict
      sample: null
    attribute_definitions:
      description: The key attributes of the table and its indexes.
      returned: always
      type: list
      elements: dict
      sample: [{"attribute_name": "transaction_id", "attribute_type": "S"}]
    billing_mode:
      description: V(PAY_PER_REQUEST) or V(PROVISIONED).
      returned: always
      type: str
      sample: PAY_PER_REQUEST
    read_capacity:
      description: Provisioned read capacity units; V(null) with V(PAY_PER_REQUEST) billing.
      returned: always
      type: int
      sample: null
    write_capacity:
      description: Provisioned write capacity units; V(null) with V(PAY_PER_REQUEST) billing.
      returned: always
      type: int
      sample: null
    global_secondary_indexes:
      description: The global secondary indexes, sorted by name.
      returned: always
      type: list
      elements: dict
      contains:
        name:
          description: The name of the index.
          type: str
          returned: always
          sample: customer-id-timestamp-index
        hash_key:
          description: The partition key of the index.
          type: dict
          returned: always
          sample: {"name": "customer_id", "type": "S"}
        range_key:
          description: The sort key of the index, or V(null).
          type: dict
          returned: always
          sample: {"name": "timestamp", "type": "N"}
        projection_type:
          description: The projection of the index.
          type: str
          returned: always
          sample: ALL
        non_key_attributes:
          description: The attributes projected with V(INCLUDE).
          type: list
          elements: str
          returned: always
          sample: []
        read_capacity:
          description: Provisioned read capacity units; V(null) with V(PAY_PER_REQUEST) billing.
          type: int
          returned: always
          sample: null
        write_capacity:
          description: Provisioned write capacity units; V(null) with V(PAY_PER_REQUEST) billing.
          type: int
          returned: always
          sample: null
        index_status:
          description: The status of the index; V(null) in check mode for a new index.
          type: str
          returned: always
          sample: ACTIVE
        index_arn:
          description: The ARN of the index, or V(null) where it is not known.
          type: str
          returned: always
          sample: arn:aws:dynamodb:us-east-1:123456789012:table/transactions-prod/index/customer-id-timestamp-index
      sample: []
    local_secondary_indexes:
      description: The local secondary indexes (same keys as RV(table.global_secondary_indexes)), sorted by name.
      returned: always
      type: list
      elements: dict
      sample: []
    sse:
      description: Server-side encryption.
      returned: always
      type: dict
      contains:
        enabled:
          description: Whether the table is encrypted with a KMS key (V(false) - a key owned by DynamoDB).
          type: bool
          returned: always
          sample: true
        sse_type:
          description: V(KMS), or V(null).
          type: str
          returned: always
          sample: KMS
        kms_key_arn:
          description: The ARN of the KMS key, or V(null).
          type: str
          returned: always
          sample: arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d
        status:
          description: The encryption status AWS reports, or V(null).
          type: str
          returned: always
          sample: ENABLED
      sample: {"enabled": true, "sse_type": "KMS", "kms_key_arn": "arn:aws:kms:us-east-1:123456789012:key/0a1b",
               "status": "ENABLED"}
    point_in_time_recovery:
      description: Whether point-in-time recovery is enabled.
      returned: always
      type: bool
      sample: true
    stream:
      description: The stream of the table.
      returned: always
      type: dict
      contains:
        enabled:
          description: Whether the stream is enabled.
          type: bool
          returned: always
          sample: true
        view_type:
          description: What the stream records, or V(null).
          type: str
          returned: always
          sample: NEW_AND_OLD_IMAGES
        arn:
          description: The ARN of the enabled stream, or V(null).
          type: str
          returned: always
          sample: arn:aws:dynamodb:us-east-1:123456789012:table/transactions-prod/stream/2025-01-31T12:00:00.000
        label:
          description: The label of the enabled stream, or V(null).
          type: str
          returned: always
          sample: "2025-01-31T12:00:00.000"
      sample: {"enabled": true, "view_type": "NEW_AND_OLD_IMAGES", "arn": "arn:aws:dynamodb:...", "label": "2025"}
    ttl:
      description: Time to live.
      returned: always
      type: dict
      contains:
        enabled:
          description: Whether time to live is enabled (or being enabled).
          type: bool
          returned: always
          sample: true
        attribute_name:
          description: The expiry attribute while time to live is enabled, else V(null).
          type: str
          returned: always
          sample: expires_at
        status:
          description: The status AWS reports, or V(null) in check mode.
          type: str
          returned: always
          sample: ENABLED
      sample: {"enabled": true, "attribute_name": "expires_at", "status": "ENABLED"}
    deletion_protection:
      description: Whether deletion protection is on.
      returned: always
      type: bool
      sample: true
    table_class:
      description: The table class.
      returned: always
      type: str
      sample: STANDARD
    tags:
      description: The tags of the table.
      returned: always
      type: dict
      sample: {"Name": "transactions-prod"}
"""

import copy
import time
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.payments.infra.plugins.module_utils.diff import build_diff
from ansible_collections.payments.infra.plugins.module_utils.dynamodb import KEY_ARN
from ansible_collections.payments.infra.plugins.module_utils.dynamodb import PAY_PER_REQUEST
from ansible_collections.payments.infra.plugins.module_utils.dynamodb import PROVISIONED
from ansible_collections.payments.infra.plugins.module_utils.dynamodb import KeyResolver
from ansible_collections.payments.infra.plugins.module_utils.dynamodb import PaymentsDynamoDBError
from ansible_collections.payments.infra.plugins.module_utils.dynamodb import create_table
from ansible_collections.payments.infra.plugins.module_utils.dynamodb import delete_table
from ansible_collections.payments.infra.plugins.module_utils.dynamodb import describe_table
from ansible_collections.payments.infra.plugins.module_utils.dynamodb import key_dict
from ansible_collections.payments.infra.plugins.module_utils.dynamodb import key_resolver
from ansible_collections.payments.infra.plugins.module_utils.dynamodb import read_table
from ansible_collections.payments.infra.plugins.module_utils.dynamodb import tag_resource
from ansible_collections.payments.infra.plugins.module_utils.dynamodb import untag_resource
from ansible_collections.payments.infra.plugins.module_utils.dynamodb import update_continuous_backups
from ansible_collections.payments.infra.plugins.module_utils.dynamodb import update_table
from ansible_collections.payments.infra.plugins.module_utils.dynamodb import update_time_to_live
from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule
from ansible_collections.payments.infra.plugins.module_utils.tag_compare import merge_tags
from ansible_collections.payments.infra.plugins.module_utils.tag_compare import tag_changes

KEY_TYPES = ["S", "N", "B"]
WAIT_DELAY = 5


class TableDefinitionError(PaymentsDynamoDBError):
    """What the user asked for cannot be done (key schema change, protected table, missing key)."""


# ---------------------------------------------------------------- desired state


def _param_key(key: Optional[Dict[str, Any]]) -> Optional[Dict[str, str]]:
    return key_dict(key["name"], key.get("type") or "S") if key else None


def desired_index(index: Dict[str, Any]) -> Dict[str, Any]:
    non_key = index.get("non_key_attributes")
    return {
        "name": index["name"],
        "hash_key": _param_key(index["hash_key"]),
        "range_key": _param_key(index.get("range_key")),
        "projection_type": index.get("projection_type"),
        "non_key_attributes": sorted(non_key) if non_key is not None else None,
        "read_capacity": index.get("read_capacity"),
        "write_capacity": index.get("write_capacity"),
    }


def resolve_kms_key(resolve_key: KeyResolver, key_id: str) -> str:
    if KEY_ARN.match(key_id):
        return key_id
    arn = resolve_key(key_id)
    if not arn:
        raise TableDefinitionError(message=f"KMS key {key_id} not found")
    return arn


def build_desired(params: Dict[str, Any], resolve_key: KeyResolver) -> Dict[str, Any]:
    """What the user SET, normalised like normalize_table: an option that is not set has no key here."""
    desired = {}
    if params.get("hash_key"):
        desired["hash_key"] = _param_key(params["hash_key"])
        desired["range_key"] = _param_key(params.get("range_key"))
    for key in ("billing_mode", "read_capacity", "write_capacity", "point_in_time_recovery"):
        if params.get(key) is not None:
            desired[key] = params[key]
    for key in ("deletion_protection", "table_class", "ttl_attribute"):
        if params.get(key) is not None:
            desired[key] = params[key]
    if params.get("global_secondary_indexes") is not None:
        desired["global_secondary_indexes"] = [desired_index(index) for index in params["global_secondary_indexes"]]
    if params.get("sse") is not None:
        sse = params["sse"]
        kms_key_id = sse.get("kms_key_id") if sse["enabled"] else None
        desired["sse"] = {
            "enabled": sse["enabled"],
            "kms_key_arn": resolve_kms_key(resolve_key, kms_key_id) if kms_key_id else None,
        }
    if params.get("stream") is not None:
        stream = params["stream"]
        desired["stream"] = {
            "enabled": stream["enabled"],
            "view_type": stream.get("view_type") if stream["enabled"] else None,
        }
    return desired


def validate_desired(name: str, desired: Dict[str, Any]) -> None:
    """Rules argument_spec cannot express; raises TableDefinitionError."""
    problems = []
    types = {}
    keys = [("table", desired.get("hash_key")), ("table", desired.get("range_key"))]
    for index in desired.get("global_secondary_indexes") or []:
        keys += [(f"index {index['name']}", index["hash_key"]), (f"index {index['name']}", index["range_key"])]
    for owner, key in keys:
        if key is None:
            continue
        if types.setdefault(key["name"], key["type"]) != key["type"]:
            problems.append(f"attribute {key['name']} is of type {types[key['name']]} and {key['type']} ({owner})")
    names = [index["name"] for index in desired.get("global_secondary_indexes") or []]
    duplicates = sorted({index_name for index_name in names if names.count(index_name) > 1})
    if duplicates:
        problems.append(f"global_secondary_indexes names {', '.join(duplicates)} more than once")
    for index in desired.get("global_secondary_indexes") or []:
        if index["non_key_attributes"] and index["projection_type"] != "INCLUDE":
            problems.append(f"index {index['name']}: non_key_attributes need projection_type=INCLUDE")
        if index["projection_type"] == "INCLUDE" and not index["non_key_attributes"]:
            problems.append(f"index {index['name']}: projection_type=INCLUDE needs non_key_attributes")
    if desired.get("billing_mode") == PAY_PER_REQUEST and (
        desired.get("read_capacity") is not None or desired.get("write_capacity") is not None
    ):
        problems.append("read_capacity and write_capacity are only for billing_mode=PROVISIONED")
    if problems:
        raise TableDefinitionError(message=f"Invalid definition of table {name}: {'; '.join(problems)}")


# ---------------------------------------------------------------- comparison


def _describe_key(key: Optional[Dict[str, str]]) -> str:
    return f"{key['name']} ({key['type']})" if key else "none"


def key_schema_problems(current: Dict[str, Any], desired: Dict[str, Any]) -> List[str]:
    """Differences AWS cannot apply in place: table keys, keys or projection of an existing index."""
    problems = []
    name = current["table_name"]
    if "hash_key" in desired:
        for key in ("hash_key", "range_key"):
            if desired[key] != current[key]:
                problems.append(
                    f"table {name}: {key} is {_describe_key(current[key])}, requested {_describe_key(desired[key])}"
                    " - the key schema of a table cannot change (it would mean replacing the table and its data),"
                    " refusing"
                )
    existing = {index["name"]: index for index in current["global_secondary_indexes"]}
    for index in desired.get("global_secondary_indexes") or []:
        current_index = existing.get(index["name"])
        if current_index is None:
            continue
        differences = [
            f"{key} is {_describe_key(current_index[key])}, requested {_describe_key(index[key])}"
            for key in ("hash_key", "range_key")
            if index[key] != current_index[key]
        ]
        for key in ("projection_type", "non_key_attributes"):
            if index[key] is not None and index[key] != current_index[key]:
                differences.append(f"{key} is {current_index[key]}, requested {index[key]}")
        if differences:
            problems.append(
                f"table {name}, index {index['name']}: {'; '.join(differences)} - the keys and projection of an index"
                " cannot change; add a new index under a new name instead"
            )
    return problems


def _boto_key_schema(hash_key: Dict[str, str], range_key: Optional[Dict[str, str]]) -> List[Dict[str, str]]:
    schema = [{"AttributeName": hash_key["name"], "KeyType": "HASH"}]
    if range_key:
        schema.append({"AttributeName": range_key["name"], "KeyType": "RANGE"})
    return schema


def _attribute_definitions(keys: List[Optional[Dict[str, str]]]) -> List[Dict[str, str]]:
    definitions = {}
    for key in keys:
        if key:
            definitions.setdefault(key["name"], key["type"])
    return [{"AttributeName": name, "AttributeType": definitions[name]} for name in sorted(definitions)]


def _index_keys(indexes: List[Dict[str, Any]]) -> List[Optional[Dict[str, str]]]:
    keys = []
    for index in indexes:
        keys += [index["hash_key"], index["range_key"]]
    return keys


def _boto_index(index: Dict[str, Any], throughput: Optional[Dict[str, int]]) -> Dict[str, Any]:
    projection = {"ProjectionType": index["projection_type"] or "ALL"}
    if index["non_key_attributes"]:
        projection["NonKeyAttributes"] = index["non_key_attributes"]
    boto_index = {
        "IndexName": index["name"],
        "KeySchema": _boto_key_schema(index["hash_key"], index["range_key"]),
        "Projection": projection,
    }
    if throughput:
        boto_index["ProvisionedThroughput"] = throughput
    return boto_index


def _throughput(read: Optional[int], write: Optional[int]) -> Dict[str, int]:
    return {"ReadCapacityUnits": read, "WriteCapacityUnits": write}


def _step(action: str, description: str, **kwargs: Any) -> Dict[str, Any]:
    return {"action": action, "description": description, "kwargs": kwargs}


def _throughput_steps(current: Dict[str, Any], desired: Dict[str, Any]) -> List[Dict[str, Any]]:
    billing_mode = desired.get("billing_mode", current["billing_mode"])
    switching = billing_mode != current["billing_mode"]
    update = {}
    if billing_mode == PAY_PER_REQUEST and ("read_capacity" in desired or "write_capacity" in desired):
        raise TableDefinitionError(
            message=f"table {current['table_name']}: read_capacity and write_capacity are only for"
            " billing_mode=PROVISIONED"
        )
    if switching:
        update["BillingMode"] = billing_mode
    if billing_mode == PROVISIONED:
        read = desired.get("read_capacity", current["read_capacity"])
        write = desired.get("write_capacity", current["write_capacity"])
        if switching or (read, write) != (current["read_capacity"], current["write_capacity"]):
            if read is None or write is None:
                raise TableDefinitionError(
                    message=f"table {current['table_name']}: read_capacity and write_capacity are required"
                    " for billing_mode=PROVISIONED"
                )
            update["ProvisionedThroughput"] = _throughput(read, write)
        wanted = {index["name"]: index for index in desired.get("global_secondary_indexes") or []}
        index_updates = []
        for index in current["global_secondary_indexes"]:
            if "global_secondary_indexes" in desired and index["name"] not in wanted:
                continue  # deleted by its own step
            want = wanted.get(index["name"], {})
            index_read = want.get("read_capacity") or (read if switching else index["read_capacity"])
            index_write = want.get("write_capacity") or (write if switching else index["write_capacity"])
            if switching or (index_read, index_write) != (index["read_capacity"], index["write_capacity"]):
                index_updates.append(
                    {
                        "Update": {
                            "IndexName": index["name"],
                            "ProvisionedThroughput": _throughput(index_read, index_write),
                        }
                    }
                )
        if index_updates:
            update["GlobalSecondaryIndexUpdates"] = index_updates
    if not update:
        return []
    return [_step("update_table", "update billing and capacity", **update)]


def _index_steps(current: Dict[str, Any], desired: Dict[str, Any]) -> List[Dict[str, Any]]:
    if "global_secondary_indexes" not in desired:
        return []
    steps = []
    wanted = desired["global_secondary_indexes"]
    wanted_names = {index["name"] for index in wanted}
    existing = [index for index in current["global_secondary_indexes"] if index["name"] in wanted_names]
    for index in current["global_secondary_indexes"]:
        if index["name"] not in wanted_names:
            steps.append(
                _step(
                    "update_table",
                    f"delete index {index['name']}",
                    GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": index["name"]}}],
                )
            )
    billing_mode = desired.get("billing_mode", current["billing_mode"])
    present = list(existing) + list(current["local_secondary_indexes"])
    existing_names = {index["name"] for index in existing}
    for index in wanted:
        if index["name"] in existing_names:
            continue
        throughput = None
        if billing_mode == PROVISIONED:
            throughput = _throughput(
                index["read_capacity"] or desired.get("read_capacity", current["read_capacity"]),
                index["write_capacity"] or desired.get("write_capacity", current["write_capacity"]),
            )
        present.append(index)
        # Every key attribute of the table and of its indexes once this one exists: AWS merges them with the
        # ones it has, an emulator may replace them.
        definitions = _attribute_definitions([current["hash_key"], current["range_key"]] + _index_keys(present))
        steps.append(
            _step(
                "update_table",
                f"create index {index['name']}",
                AttributeDefinitions=definitions,
                GlobalSecondaryIndexUpdates=[{"Create": _boto_index(index, throughput)}],
            )
        )
    return steps


def _stream_steps(current: Dict[str, Any], desired: Dict[str, Any]) -> List[Dict[str, Any]]:
    if "stream" not in desired:
        return []
    want, have = desired["stream"], current["stream"]
    steps = []
    if have["enabled"] and (not want["enabled"] or want["view_type"] != have["view_type"]):
        steps.append(_step("update_table", "disable the stream", StreamSpecification={"StreamEnabled": False}))
    if want["enabled"] and (not have["enabled"] or want["view_type"] != have["view_type"]):
        steps.append(
            _step(
                "update_table",
                f"enable a {want['view_type']} stream",
                StreamSpecification={"StreamEnabled": True, "StreamViewType": want["view_type"]},
            )
        )
    return steps


def _sse_specification(sse: Dict[str, Any]) -> Dict[str, Any]:
    if not sse["enabled"]:
        return {"Enabled": False}
    specification = {"Enabled": True, "SSEType": "KMS"}
    if sse.get("kms_key_arn"):
        specification["KMSMasterKeyId"] = sse["kms_key_arn"]
    return specification


def _sse_steps(current: Dict[str, Any], desired: Dict[str, Any]) -> List[Dict[str, Any]]:
    if "sse" not in desired:
        return []
    want, have = desired["sse"], current["sse"]
    same_key = want["kms_key_arn"] in (None, have["kms_key_arn"])
    if want["enabled"] == have["enabled"] and (not want["enabled"] or same_key):
        return []
    return [_step("update_table", "update encryption", SSESpecification=_sse_specification(want))]


def _ttl_steps(current: Dict[str, Any], desired: Dict[str, Any]) -> List[Dict[str, Any]]:
    if "ttl_attribute" not in desired:
        return []
    want, have = desired["ttl_attribute"], current["ttl"]
    steps = []
    if have["enabled"] and want != have["attribute_name"]:
        steps.append(
            _step(
                "update_time_to_live",
                f"disable time to live on {have['attribute_name']}",
                attribute_name=have["attribute_name"],
                enabled=False,
            )
        )
    if want and (not have["enabled"] or want != have["attribute_name"]):
        steps.append(_step("update_time_to_live", f"enable time to live on {want}", attribute_name=want, enabled=True))
    return steps


def plan_changes(current: Dict[str, Any], desired: Dict[str, Any], to_set: Dict[str, str], to_unset: List[str]):
    """The API calls that make an existing table what desired says, in order; [] when it already is.

    UpdateTable does one kind of change at a time (AWS: throughput, one index created or deleted, stream
    enabled or disabled), so each is a step of its own, and the module waits for the table to be active
    between them.
    """
    problems = key_schema_problems(current, desired)
    if problems:
        raise TableDefinitionError(message="; ".join(problems))
    steps = []
    steps += _throughput_steps(current, desired)
    steps += _index_steps(current, desired)
    steps += _stream_steps(current, desired)
    steps += _sse_steps(current, desired)
    if "table_class" in desired and desired["table_class"] != current["table_class"]:
        steps.append(_step("update_table", "change the table class", TableClass=desired["table_class"]))
    if "deletion_protection" in desired and desired["deletion_protection"] != current["deletion_protection"]:
        steps.append(
            _step(
                "update_table",
                "turn deletion protection " + ("on" if desired["deletion_protection"] else "off"),
                DeletionProtectionEnabled=desired["deletion_protection"],
            )
        )
    if "point_in_time_recovery" in desired and desired["point_in_time_recovery"] != current["point_in_time_recovery"]:
        steps.append(
            _step(
                "update_continuous_backups",
                "turn point-in-time recovery " + ("on" if desired["point_in_time_recovery"] else "off"),
                enabled=desired["point_in_time_recovery"],
            )
        )
    steps += _ttl_steps(current, desired)
    if to_unset:
        steps.append(_step("untag_resource", "remove tags", tag_keys=to_unset))
    if to_set:
        steps.append(_step("tag_resource", "set tags", tags=to_set))
    return steps


def create_params(name: str, desired: Dict[str, Any], tags: Dict[str, str]) -> Dict[str, Any]:
    """CreateTable arguments. Point-in-time recovery and time to live take calls of their own afterwards."""
    if "hash_key" not in desired:
        raise TableDefinitionError(message=f"hash_key is required to create table {name}")
    billing_mode = desired.get("billing_mode", PAY_PER_REQUEST)
    indexes = desired.get("global_secondary_indexes") or []
    params = {
        "TableName": name,
        "KeySchema": _boto_key_schema(desired["hash_key"], desired["range_key"]),
        "AttributeDefinitions": _attribute_definitions(
            [desired["hash_key"], desired["range_key"]] + _index_keys(indexes)
        ),
        "BillingMode": billing_mode,
    }
    if billing_mode == PROVISIONED:
        read, write = desired.get("read_capacity"), desired.get("write_capacity")
        if read is None or write is None:
            raise TableDefinitionError(
                message=f"table {name}: read_capacity and write_capacity are required for billing_mode=PROVISIONED"
            )
        params["ProvisionedThroughput"] = _throughput(read, write)
    if indexes:
        params["GlobalSecondaryIndexes"] = [
            _boto_index(
                index,
                _throughput(index["read_capacity"] or read, index["write_capacity"] or write)
                if billing_mode == PROVISIONED
                else None,
            )
            for index in indexes
        ]
    if desired.get("sse", {}).get("enabled"):
        params["SSESpecification"] = _sse_specification(desired["sse"])
    if desired.get("stream", {}).get("enabled"):
        params["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": desired["stream"]["view_type"]}
    if "table_class" in desired:
        params["TableClass"] = desired["table_class"]
    if "deletion_protection" in desired:
        params["DeletionProtectionEnabled"] = desired["deletion_protection"]
    tags = {key: value for key, value in tags.items() if not key.startswith("aws:")}
    if tags:
        params["Tags"] = [{"Key": key, "Value": tags[key]} for key in sorted(tags)]
    return params


# ---------------------------------------------------------------- planned result (check mode)


def _empty_table(name: str) -> Dict[str, Any]:
    return {
        "table_name": name,
        "table_arn": None,
        "table_id": None,
        "table_status": None,
        "creation_date_time": None,
        "item_count": 0,
        "table_size_bytes": 0,
        "hash_key": None,
        "range_key": None,
        "attribute_definitions": [],
        "billing_mode": PAY_PER_REQUEST,
        "read_capacity": None,
        "write_capacity": None,
        "global_secondary_indexes": [],
        "local_secondary_indexes": [],
        "sse": {"enabled": False, "sse_type": None, "kms_key_arn": None, "status": None},
        "point_in_time_recovery": False,
        "stream": {"enabled": False, "view_type": None, "arn": None, "label": None},
        "ttl": {"enabled": False, "attribute_name": None, "status": "DISABLED"},
        "deletion_protection": False,
        "table_class": "STANDARD",
        "tags": {},
    }


def planned_table(current: Optional[Dict[str, Any]], desired: Dict[str, Any], name: str, tags: Dict[str, str]):
    """The table as it will be once desired is applied, as far as it is known without AWS."""
    planned = copy.deepcopy(current) if current else _empty_table(name)
    planned["tags"] = dict(tags)
    for key in ("hash_key", "range_key", "billing_mode", "deletion_protection", "table_class"):
        if key in desired:
            planned[key] = desired[key]
    if "point_in_time_recovery" in desired:
        planned["point_in_time_recovery"] = desired["point_in_time_recovery"]
    if planned["billing_mode"] == PROVISIONED:
        for key in ("read_capacity", "write_capacity"):
            planned[key] = desired.get(key, planned[key])
    else:
        planned["read_capacity"] = planned["write_capacity"] = None
    if "global_secondary_indexes" in desired:
        existing = {index["name"]: index for index in planned["global_secondary_indexes"]}
        indexes = []
        for index in desired["global_secondary_indexes"]:
            if index["name"] in existing:
                indexes.append(existing[index["name"]])
                continue
            new = dict(index, index_status=None, index_arn=None)
            new["projection_type"] = new["projection_type"] or "ALL"
            new["non_key_attributes"] = new["non_key_attributes"] or []
            indexes.append(new)
        for index in indexes:
            if planned["billing_mode"] != PROVISIONED:
                index["read_capacity"] = index["write_capacity"] = None
        planned["global_secondary_indexes"] = sorted(indexes, key=lambda index: index["name"])
    keys = [planned["hash_key"], planned["range_key"]] + _index_keys(
        planned["global_secondary_indexes"] + planned["local_secondary_indexes"]
    )
    planned["attribute_definitions"] = [camel_dict_to_snake_dict(item) for item in _attribute_definitions(keys)]
    if "sse" in desired:
        want = desired["sse"]
        if not want["enabled"]:
            planned["sse"] = {"enabled": False, "sse_type": None, "kms_key_arn": None, "status": None}
        elif not planned["sse"]["enabled"] or want["kms_key_arn"] not in (None, planned["sse"]["kms_key_arn"]):
            planned["sse"] = {"enabled": True, "sse_type": "KMS", "kms_key_arn": want["kms_key_arn"], "status": None}
    if "stream" in desired:
        want = desired["stream"]
        if want != {key: planned["stream"][key] for key in ("enabled", "view_type")}:
            planned["stream"] = dict(want, arn=None, label=None)
    if "ttl_attribute" in desired:
        want = desired["ttl_attribute"]
        if want != (planned["ttl"]["attribute_name"] or ""):
            planned["ttl"] = {"enabled": bool(want), "attribute_name": want or None, "status": None}
    return planned


# ---------------------------------------------------------------- actions


def _index_ready(index: Dict[str, Any]) -> bool:
    return index.get("IndexStatus") == "ACTIVE" and index.get("Backfilling") is not True


def wait_for_table(client, name: str, timeout: int, gone: bool = False) -> None:
    """Wait until the table and all its indexes are ACTIVE (or, gone=True, until the table no longer exists)."""
    deadline = time.monotonic() + timeout
    while True:
        table = describe_table(client, name)
        if gone and table is None:
            return
        if not gone:
            if table is None:
                raise PaymentsDynamoDBError(message=f"Table {name} disappeared while waiting for it to be active")
            indexes = table.get("GlobalSecondaryIndexes") or []
            if table.get("TableStatus") == "ACTIVE" and all(_index_ready(index) for index in indexes):
                return
        if time.monotonic() >= deadline:
            state = "deleted" if gone else "active"
            raise PaymentsDynamoDBError(message=f"Timed out after {timeout}s waiting for table {name} to be {state}")
        time.sleep(WAIT_DELAY)


def apply_step(client, name: str, table_arn: str, step: Dict[str, Any], timeout: int) -> None:
    action, kwargs = step["action"], step["kwargs"]
    if action == "update_table":
        wait_for_table(client, name, timeout)
        update_table(client, TableName=name, **kwargs)
    elif action == "update_continuous_backups":
        update_continuous_backups(client, name, kwargs["enabled"])
    elif action == "update_time_to_live":
        update_time_to_live(client, name, kwargs["attribute_name"], kwargs["enabled"])
    elif action == "tag_resource":
        tag_resource(client, table_arn, kwargs["tags"])
    elif action == "untag_resource":
        untag_resource(client, table_arn, kwargs["tag_keys"])
    else:  # pragma: no cover - plan_changes makes only the actions above
        raise PaymentsDynamoDBError(message=f"Unknown step {action}")


def ensure_present(client, params: Dict[str, Any], check_mode: bool, resolve_key: KeyResolver) -> Dict[str, Any]:
    name, timeout = params["name"], params["wait_timeout"]
    current = read_table(client, name, resolve_key)
    desired = build_desired(params, resolve_key)
    validate_desired(name, desired)

    if current is None:
        tags = tag_changes({}, params.get("tags"), True)[0]
        api_params = create_params(name, desired, tags)
        planned = planned_table(None, desired, name, tags)
        if check_mode:
            return {"changed": True, "table": planned, "diff": build_diff(None, planned)}
        create_table(client, **api_params)
        follow_up = after_create_steps(desired)
        if follow_up or params["wait"]:
            wait_for_table(client, name, timeout)
        table_arn = describe_table(client, name)["TableArn"]
        for step in follow_up:
            apply_step(client, name, table_arn, step, timeout)
        after = read_table(client, name, resolve_key)
        return {"changed": True, "table": after, "diff": build_diff(None, after)}

    to_set, to_unset = tag_changes(current["tags"], params.get("tags"), params["purge_tags"])
    steps = plan_changes(current, desired, to_set, to_unset)
    if not steps:
        return {"changed": False, "table": current, "diff": build_diff(current, current)}
    if check_mode:
        planned = planned_table(current, desired, name, merge_tags(current["tags"], to_set, to_unset))
        return {"changed": True, "table": planned, "diff": build_diff(current, planned)}
    for step in steps:
        apply_step(client, name, current["table_arn"], step, timeout)
    if params["wait"]:
        wait_for_table(client, name, timeout)
    after = read_table(client, name, resolve_key)
    return {"changed": True, "table": after, "diff": build_diff(current, after)}


def after_create_steps(desired: Dict[str, Any]) -> List[Dict[str, Any]]:
    """What CreateTable cannot set: point-in-time recovery and time to live, turned on once the table is active."""
    steps = []
    if desired.get("point_in_time_recovery"):
        steps.append(_step("update_continuous_backups", "turn point-in-time recovery on", enabled=True))
    if desired.get("ttl_attribute"):
        attribute_name = desired["ttl_attribute"]
        steps.append(
            _step(
                "update_time_to_live",
                f"enable time to live on {attribute_name}",
                attribute_name=attribute_name,
                enabled=True,
            )
        )
    return steps


def ensure_absent(client, params: Dict[str, Any], check_mode: bool, resolve_key: KeyResolver) -> Dict[str, Any]:
    name, timeout = params["name"], params["wait_timeout"]
    current = read_table(client, name, resolve_key)
    if current is None:
        return {"changed": False, "diff": build_diff(None, None)}
    lift = current["deletion_protection"]
    if lift and params.get("deletion_protection") is not False:
        raise TableDefinitionError(
            message=f"Table {name} has deletion protection on: set deletion_protection=false together with"
            " state=absent to lift it and delete the table"
        )
    if not check_mode:
        if lift:
            apply_step(
                client,
                name,
                current["table_arn"],
                _step("update_table", "turn deletion protection off", DeletionProtectionEnabled=False),
                timeout,
            )
        wait_for_table(client, name, timeout)
        delete_table(client, name)
        if params["wait"]:
            wait_for_table(client, name, timeout, gone=True)
    return {"changed": True, "diff": build_diff(current, None)}


def main():
    key_options = dict(
        name=dict(type="str", required=True),
        type=dict(type="str", default="S", choices=KEY_TYPES),
    )
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        hash_key=dict(type="dict", options=key_options, no_log=False),
        range_key=dict(type="dict", options=key_options, no_log=False),
        billing_mode=dict(type="str", choices=[PAY_PER_REQUEST, PROVISIONED]),
        read_capacity=dict(type="int"),
        write_capacity=dict(type="int"),
        global_secondary_indexes=dict(
            type="list",
            elements="dict",
            options=dict(
                name=dict(type="str", required=True),
                hash_key=dict(type="dict", required=True, options=key_options, no_log=False),
                range_key=dict(type="dict", options=key_options, no_log=False),
                projection_type=dict(type="str", choices=["ALL", "KEYS_ONLY", "INCLUDE"]),
                non_key_attributes=dict(type="list", elements="str", no_log=False),
                read_capacity=dict(type="int"),
                write_capacity=dict(type="int"),
            ),
        ),
        sse=dict(
            type="dict",
            options=dict(
                enabled=dict(type="bool", required=True),
                kms_key_id=dict(type="str"),
            ),
        ),
        point_in_time_recovery=dict(type="bool"),
        stream=dict(
            type="dict",
            options=dict(
                enabled=dict(type="bool", required=True),
                view_type=dict(type="str", choices=["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]),
            ),
            required_if=[["enabled", True, ["view_type"]]],
        ),
        ttl_attribute=dict(type="str"),
        deletion_protection=dict(type="bool"),
        table_class=dict(type="str", choices=["STANDARD", "STANDARD_INFREQUENT_ACCESS"]),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
    )
    module = PaymentsAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = module.client("dynamodb")
    resolve_key = key_resolver(module)

    try:
        if module.params["state"] == "present":
            result = ensure_present(client, module.params, module.check_mode, resolve_key)
        else:
            result = ensure_absent(client, module.params, module.check_mode, resolve_key)
    except PaymentsDynamoDBError as e:
        module.fail_json_aws_error(e)

    module.exit_with_diff(result)


if __name__ == "__main__":
    main()
