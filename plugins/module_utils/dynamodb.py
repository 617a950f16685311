# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One thin wrapper per DynamoDB (and KMS key lookup) API call our modules make.

Every wrapper retries throttling with AWSRetry.jittered_backoff() and turns botocore errors into
PaymentsDynamoDBError, which a module's main() hands to module.fail_json_aws_error() in one place.
Reads of a table that does not exist return None instead of raising.
"""

import re
from typing import Any
from typing import Callable
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.payments.infra.plugins.module_utils.retries import AWSRetry

# DescribeTable, DescribeTimeToLive and ListTagsOfResource answer ResourceNotFoundException for a table
# that does not exist, DescribeContinuousBackups answers TableNotFoundException. (moto answers
# DescribeTimeToLive with ResourceNotFound.)
TABLE_NOT_FOUND = ["ResourceNotFoundException", "TableNotFoundException", "ResourceNotFound"]
PAY_PER_REQUEST = "PAY_PER_REQUEST"
PROVISIONED = "PROVISIONED"
KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[^:]*:[0-9]*:key/")
SSE_ON = ("ENABLED", "ENABLING", "UPDATING")
TTL_ON = ("ENABLED", "ENABLING")

KeyResolver = Callable[[str], Optional[str]]


class PaymentsDynamoDBError(AnsibleAWSError):
    """Any failure of a DynamoDB (or KMS key lookup) call made by payments.infra."""


class DynamoDBErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsDynamoDBError


class DynamoDBTableErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsDynamoDBError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(TABLE_NOT_FOUND)


class KMSKeyErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsDynamoDBError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("NotFoundException")


# Tables


@DynamoDBTableErrorHandler.list_error_handler("describe table", None)
@AWSRetry.jittered_backoff()
def describe_table(client, table_name: str) -> Optional[Dict[str, Any]]:
    """The table as DescribeTable reports it, or None when it does not exist."""
    return client.describe_table(TableName=table_name)["Table"]


@DynamoDBErrorHandler.common_error_handler("create table")
@AWSRetry.jittered_backoff()
def create_table(client, **params: Any) -> Dict[str, Any]:
    return client.create_table(**params)["TableDescription"]


@DynamoDBErrorHandler.common_error_handler("update table")
@AWSRetry.jittered_backoff(catch_extra_error_codes=["ResourceInUseException"])
def update_table(client, **params: Any) -> Dict[str, Any]:
    # ResourceInUseException: the table or an index is still being updated; retrying lets it settle.
    return client.update_table(**params)["TableDescription"]


@DynamoDBTableErrorHandler.deletion_error_handler("delete table")
@AWSRetry.jittered_backoff()
def delete_table(client, table_name: str) -> bool:
    """True once the deletion is under way; False when the table did not exist."""
    client.delete_table(TableName=table_name)
    return True


# Backups, time to live


@DynamoDBTableErrorHandler.list_error_handler("describe continuous backups", None)
@AWSRetry.jittered_backoff()
def describe_continuous_backups(client, table_name: str) -> Optional[Dict[str, Any]]:
    return client.describe_continuous_backups(TableName=table_name)["ContinuousBackupsDescription"]


@DynamoDBErrorHandler.common_error_handler("update continuous backups")
@AWSRetry.jittered_backoff(catch_extra_error_codes=["ContinuousBackupsUnavailableException"])
def update_continuous_backups(client, table_name: str, enabled: bool) -> Dict[str, Any]:
    # ContinuousBackupsUnavailableException: backups are being enabled on a new table; it clears itself.
    response = client.update_continuous_backups(
        TableName=table_name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": enabled}
    )
    return response["ContinuousBackupsDescription"]


@DynamoDBTableErrorHandler.list_error_handler("describe time to live", None)
@AWSRetry.jittered_backoff()
def describe_time_to_live(client, table_name: str) -> Optional[Dict[str, Any]]:
    return client.describe_time_to_live(TableName=table_name)["TimeToLiveDescription"]


@DynamoDBErrorHandler.common_error_handler("update time to live")
@AWSRetry.jittered_backoff()
def update_time_to_live(client, table_name: str, attribute_name: str, enabled: bool) -> Dict[str, Any]:
    response = client.update_time_to_live(
        TableName=table_name, TimeToLiveSpecification={"AttributeName": attribute_name, "Enabled": enabled}
    )
    return response["TimeToLiveSpecification"]


# Tags


@DynamoDBTableErrorHandler.list_error_handler("list tags of resource", None)
@AWSRetry.jittered_backoff()
def list_tags_of_resource(client, resource_arn: str) -> Optional[Dict[str, str]]:
    paginator = client.get_paginator("list_tags_of_resource")
    tags = paginator.paginate(ResourceArn=resource_arn).build_full_result().get("Tags") or []
    return boto3_tag_list_to_ansible_dict(tags)


@DynamoDBErrorHandler.common_error_handler("tag resource")
@AWSRetry.jittered_backoff()
def tag_resource(client, resource_arn: str, tags: Dict[str, str]) -> bool:
    client.tag_resource(ResourceArn=resource_arn, Tags=ansible_dict_to_boto3_tag_list(tags))
    return True


@DynamoDBErrorHandler.common_error_handler("untag resource")
@AWSRetry.jittered_backoff()
def untag_resource(client, resource_arn: str, tag_keys: List[str]) -> bool:
    client.untag_resource(ResourceArn=resource_arn, TagKeys=tag_keys)
    return True


# KMS (to compare a key given as an alias or key ID with the key ARN DynamoDB reports)


@KMSKeyErrorHandler.list_error_handler("describe KMS key", None)
@AWSRetry.jittered_backoff()
def describe_key(kms_client, key_id: str) -> Optional[Dict[str, Any]]:
    """KeyMetadata of a key given by ID, ARN, alias name or alias ARN; None when it does not exist."""
    return kms_client.describe_key(KeyId=key_id)["KeyMetadata"]


# The table as our modules return it (dynamodb_table, dynamodb_table_info)


def key_dict(name: Optional[str], attribute_type: Optional[str]) -> Optional[Dict[str, Optional[str]]]:
    return {"name": name, "type": attribute_type} if name else None


def _keys_from_schema(key_schema: List[Dict[str, str]], types: Dict[str, str]) -> Tuple[Optional[dict], Optional[dict]]:
    """(hash_key, range_key) of a KeySchema, types looked up in the attribute definitions."""
    keys = {item["KeyType"]: item["AttributeName"] for item in key_schema or []}
    hash_name, range_name = keys.get("HASH"), keys.get("RANGE")
    return key_dict(hash_name, types.get(hash_name)), key_dict(range_name, types.get(range_name))


def _capacity(throughput: Optional[Dict[str, Any]], billing_mode: str, key: str) -> Optional[int]:
    if billing_mode != PROVISIONED or not throughput:
        return None
    return throughput.get(key)


def normalize_index(index: Dict[str, Any], types: Dict[str, str], billing_mode: str) -> Dict[str, Any]:
    hash_key, range_key = _keys_from_schema(index.get("KeySchema"), types)
    projection = index.get("Projection") or {}
    return {
        "name": index["IndexName"],
        "hash_key": hash_key,
        "range_key": range_key,
        "projection_type": projection.get("ProjectionType"),
        "non_key_attributes": sorted(projection.get("NonKeyAttributes") or []),
        "read_capacity": _capacity(index.get("ProvisionedThroughput"), billing_mode, "ReadCapacityUnits"),
        "write_capacity": _capacity(index.get("ProvisionedThroughput"), billing_mode, "WriteCapacityUnits"),
        "index_status": index.get("IndexStatus"),
        "index_arn": index.get("IndexArn"),
    }


def normalize_table(
    table: Optional[Dict[str, Any]],
    backups: Optional[Dict[str, Any]] = None,
    ttl: Optional[Dict[str, Any]] = None,
    tags: Optional[Dict[str, str]] = None,
    resolve_key: Optional[KeyResolver] = None,
) -> Optional[Dict[str, Any]]:
    """DescribeTable (+ DescribeContinuousBackups, DescribeTimeToLive, ListTagsOfResource) as the module returns it.

    Absent blocks mean what AWS means by them: no SSEDescription is a key owned by DynamoDB, no
    StreamSpecification is no stream, no BillingModeSummary is PROVISIONED (tables older than on-demand
    billing), no TableClassSummary is STANDARD. A KMS key that is not reported as a key ARN (AWS always
    reports one; some emulators echo the alias or key ID given) is resolved with resolve_key.
    """
    if table is None:
        return None
    types = {item["AttributeName"]: item["AttributeType"] for item in table.get("AttributeDefinitions") or []}
    billing_mode = (table.get("BillingModeSummary") or {}).get("BillingMode") or PROVISIONED
    hash_key, range_key = _keys_from_schema(table.get("KeySchema"), types)
    indexes = [
        normalize_index(index, types, billing_mode)
        for index in table.get("GlobalSecondaryIndexes") or []
        if index.get("IndexStatus") != "DELETING"
    ]
    local_indexes = [normalize_index(index, types, billing_mode) for index in table.get("LocalSecondaryIndexes") or []]

    sse = table.get("SSEDescription") or {}
    sse_enabled = sse.get("Status") in SSE_ON
    kms_key_arn = sse.get("KMSMasterKeyArn") if sse_enabled else None
    if kms_key_arn and not KEY_ARN.match(kms_key_arn) and resolve_key is not None:
        kms_key_arn = resolve_key(kms_key_arn) or kms_key_arn

    stream = table.get("StreamSpecification") or {}
    stream_enabled = bool(stream.get("StreamEnabled"))
    pitr = ((backups or {}).get("PointInTimeRecoveryDescription") or {}).get("PointInTimeRecoveryStatus")
    ttl_status = (ttl or {}).get("TimeToLiveStatus")
    ttl_enabled = ttl_status in TTL_ON
    created = table.get("CreationDateTime")

    return {
        "table_name": table.get("TableName"),
        "table_arn": table.get("TableArn"),
        "table_id": table.get("TableId"),
        "table_status": table.get("TableStatus"),
        "creation_date_time": created.isoformat() if hasattr(created, "isoformat") else created,
        "item_count": table.get("ItemCount"),
        "table_size_bytes": table.get("TableSizeBytes"),
        "hash_key": hash_key,
        "range_key": range_key,
        "attribute_definitions": [camel_dict_to_snake_dict(item) for item in table.get("AttributeDefinitions") or []],
        "billing_mode": billing_mode,
        "read_capacity": _capacity(table.get("ProvisionedThroughput"), billing_mode, "ReadCapacityUnits"),
        "write_capacity": _capacity(table.get("ProvisionedThroughput"), billing_mode, "WriteCapacityUnits"),
        "global_secondary_indexes": sorted(indexes, key=lambda index: index["name"]),
        "local_secondary_indexes": sorted(local_indexes, key=lambda index: index["name"]),
        "sse": {
            "enabled": sse_enabled,
            "sse_type": sse.get("SSEType") if sse_enabled else None,
            "kms_key_arn": kms_key_arn,
            "status": sse.get("Status"),
        },
        "point_in_time_recovery": pitr in ("ENABLED", "ENABLING"),
        "stream": {
            "enabled": stream_enabled,
            "view_type": stream.get("StreamViewType") if stream_enabled else None,
            "arn": table.get("LatestStreamArn") if stream_enabled else None,
            "label": table.get("LatestStreamLabel") if stream_enabled else None,
        },
        "ttl": {
            "enabled": ttl_enabled,
            "attribute_name": (ttl or {}).get("AttributeName") if ttl_enabled else None,
            "status": ttl_status,
        },
        "deletion_protection": bool(table.get("DeletionProtectionEnabled")),
        "table_class": (table.get("TableClassSummary") or {}).get("TableClass") or "STANDARD",
        "tags": dict(tags or {}),
    }


def read_table(client, name: str, resolve_key: Optional[KeyResolver] = None) -> Optional[Dict[str, Any]]:
    """The normalised table, or None when it does not exist (or disappears while it is read)."""
    table = describe_table(client, name)
    if table is None:
        return None
    backups = describe_continuous_backups(client, name)
    ttl = describe_time_to_live(client, name)
    tags = list_tags_of_resource(client, table["TableArn"])
    if backups is None or ttl is None or tags is None:
        return None
    return normalize_table(table, backups, ttl, tags, resolve_key)


def key_resolver(module) -> KeyResolver:
    """KMS key (ID, alias, ARN) -> key ARN, or None when there is no such key; the KMS client opens on first use."""
    clients = {}
    cache = {}

    def resolve(key_id: str) -> Optional[str]:
        if key_id not in cache:
            if "kms" not in clients:
                clients["kms"] = module.client("kms")
            metadata = describe_key(clients["kms"], key_id)
            cache[key_id] = metadata["Arn"] if metadata else None
        return cache[key_id]

    return resolve
