"""payments.infra module_utils.dynamodb: API wrappers (missing table -> None, errors -> one class) and normalisation."""

import datetime
from unittest import mock

import pytest
from ansible_collections.payments.infra.plugins.module_utils import dynamodb
from aws_fakes import client_error

TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/transactions-dev"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"


@pytest.fixture
def client():
    return mock.MagicMock()


RAW_TABLE = {
    "TableName": "transactions-dev",
    "TableArn": TABLE_ARN,
    "TableStatus": "ACTIVE",
    "CreationDateTime": datetime.datetime(2025, 1, 31, 12, tzinfo=datetime.UTC),
    "ItemCount": 3,
    "TableSizeBytes": 42,
    "KeySchema": [{"AttributeName": "transaction_id", "KeyType": "HASH"}],
    "AttributeDefinitions": [
        {"AttributeName": "transaction_id", "AttributeType": "S"},
        {"AttributeName": "customer_id", "AttributeType": "S"},
        {"AttributeName": "timestamp", "AttributeType": "N"},
    ],
    "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
    "ProvisionedThroughput": {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0},
    "GlobalSecondaryIndexes": [
        {
            "IndexName": "customer-id-timestamp-index",
            "KeySchema": [
                {"AttributeName": "customer_id", "KeyType": "HASH"},
                {"AttributeName": "timestamp", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
            "IndexStatus": "ACTIVE",
            "ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0},
            "IndexArn": TABLE_ARN + "/index/customer-id-timestamp-index",
        }
    ],
    "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    "LatestStreamLabel": "2025-01-31T12:00:00.000",
    "LatestStreamArn": TABLE_ARN + "/stream/2025-01-31T12:00:00.000",
    "SSEDescription": {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": KEY_ARN},
    "DeletionProtectionEnabled": True,
}
BACKUPS = {
    "ContinuousBackupsStatus": "ENABLED",
    "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "ENABLED"},
}
TTL = {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}


# ---------------------------------------------------------------- normalisation


def test_normalize_table_in_snake_case_with_every_key():
    table = dynamodb.normalize_table(RAW_TABLE, BACKUPS, TTL, {"Name": "transactions-dev"})
    assert table == {
        "table_name": "transactions-dev",
        "table_arn": TABLE_ARN,
        "table_id": None,
        "table_status": "ACTIVE",
        "creation_date_time": "2025-01-31T12:00:00+00:00",
        "item_count": 3,
        "table_size_bytes": 42,
        "hash_key": {"name": "transaction_id", "type": "S"},
        "range_key": None,
        "attribute_definitions": [
            {"attribute_name": "transaction_id", "attribute_type": "S"},
            {"attribute_name": "customer_id", "attribute_type": "S"},
            {"attribute_name": "timestamp", "attribute_type": "N"},
        ],
        "billing_mode": "PAY_PER_REQUEST",
        "read_capacity": None,
        "write_capacity": None,
        "global_secondary_indexes": [
            {
                "name": "customer-id-timestamp-index",
                "hash_key": {"name": "customer_id", "type": "S"},
                "range_key": {"name": "timestamp", "type": "N"},
                "projection_type": "ALL",
                "non_key_attributes": [],
                "read_capacity": None,
                "write_capacity": None,
                "index_status": "ACTIVE",
                "index_arn": TABLE_ARN + "/index/customer-id-timestamp-index",
            }
        ],
        "local_secondary_indexes": [],
        "sse": {"enabled": True, "sse_type": "KMS", "kms_key_arn": KEY_ARN, "status": "ENABLED"},
        "point_in_time_recovery": True,
        "stream": {
            "enabled": True,
            "view_type": "NEW_AND_OLD_IMAGES",
            "arn": TABLE_ARN + "/stream/2025-01-31T12:00:00.000",
            "label": "2025-01-31T12:00:00.000",
        },
        "ttl": {"enabled": True, "attribute_name": "expires_at", "status": "ENABLED"},
        "deletion_protection": True,
        "table_class": "STANDARD",
        "tags": {"Name": "transactions-dev"},
    }


def test_normalize_table_absent_blocks_mean_the_aws_defaults():
    minimal = {
        "TableName": "t",
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}, {"AttributeName": "ts", "KeyType": "RANGE"}],
        "AttributeDefinitions": [
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "ts", "AttributeType": "N"},
        ],
        "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 1},
        "LatestStreamArn": TABLE_ARN + "/stream/old",
    }
    table = dynamodb.normalize_table(minimal, {}, {"TimeToLiveStatus": "DISABLED", "AttributeName": "old"}, {})
    assert table["range_key"] == {"name": "ts", "type": "N"}
    assert table["billing_mode"] == "PROVISIONED"
    assert (table["read_capacity"], table["write_capacity"]) == (5, 1)
    assert table["sse"] == {"enabled": False, "sse_type": None, "kms_key_arn": None, "status": None}
    assert table["stream"] == {"enabled": False, "view_type": None, "arn": None, "label": None}
    assert table["ttl"] == {"enabled": False, "attribute_name": None, "status": "DISABLED"}
    assert table["point_in_time_recovery"] is False
    assert table["deletion_protection"] is False
    assert table["table_class"] == "STANDARD"
    assert dynamodb.normalize_table(None) is None


def test_normalize_table_resolves_a_key_reported_as_an_alias_only():
    echoed = dict(RAW_TABLE, SSEDescription={"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": "alias/k"})
    resolve = mock.Mock(return_value=KEY_ARN)
    assert dynamodb.normalize_table(echoed, BACKUPS, TTL, {}, resolve)["sse"]["kms_key_arn"] == KEY_ARN
    resolve.assert_called_once_with("alias/k")
    resolve.reset_mock()
    assert dynamodb.normalize_table(RAW_TABLE, BACKUPS, TTL, {}, resolve)["sse"]["kms_key_arn"] == KEY_ARN
    resolve.assert_not_called()


def test_normalize_table_sse_disabled_and_ttl_enabling():
    raw = dict(
        RAW_TABLE, SSEDescription={"Status": "DISABLED"}, TableClassSummary={"TableClass": "STANDARD_INFREQUENT_ACCESS"}
    )
    table = dynamodb.normalize_table(raw, BACKUPS, {"TimeToLiveStatus": "ENABLING", "AttributeName": "x"}, {})
    assert table["sse"]["enabled"] is False
    assert table["ttl"] == {"enabled": True, "attribute_name": "x", "status": "ENABLING"}
    assert table["table_class"] == "STANDARD_INFREQUENT_ACCESS"


# ---------------------------------------------------------------- wrappers


def test_describe_table_missing_is_none(client):
    client.describe_table.side_effect = client_error("ResourceNotFoundException", "DescribeTable")
    assert dynamodb.describe_table(client, "t") is None


def test_describe_continuous_backups_missing_is_none(client):
    client.describe_continuous_backups.side_effect = client_error("TableNotFoundException")
    assert dynamodb.describe_continuous_backups(client, "t") is None


def test_other_errors_raise_the_one_error_class(client):
    client.describe_table.side_effect = client_error("AccessDeniedException", "DescribeTable")
    with pytest.raises(dynamodb.PaymentsDynamoDBError, match="Failed to describe table"):
        dynamodb.describe_table(client, "t")
    client.update_table.side_effect = client_error("ValidationException", "UpdateTable")
    with pytest.raises(dynamodb.PaymentsDynamoDBError, match="Failed to update table"):
        dynamodb.update_table(client, TableName="t", TableClass="STANDARD")


def test_delete_table_missing_is_false(client):
    client.delete_table.side_effect = client_error("ResourceNotFoundException", "DeleteTable")
    assert dynamodb.delete_table(client, "t") is False
    client.delete_table.side_effect = None
    assert dynamodb.delete_table(client, "t") is True


def test_list_tags_paginates_to_a_dict(client):
    client.get_paginator.return_value.paginate.return_value.build_full_result.return_value = {
        "Tags": [{"Key": "Name", "Value": "t"}]
    }
    assert dynamodb.list_tags_of_resource(client, TABLE_ARN) == {"Name": "t"}
    client.get_paginator.assert_called_once_with("list_tags_of_resource")
    client.get_paginator.return_value.paginate.assert_called_once_with(ResourceArn=TABLE_ARN)


def test_tag_calls(client):
    dynamodb.tag_resource(client, TABLE_ARN, {"a": "1"})
    client.tag_resource.assert_called_once_with(ResourceArn=TABLE_ARN, Tags=[{"Key": "a", "Value": "1"}])
    dynamodb.untag_resource(client, TABLE_ARN, ["b"])
    client.untag_resource.assert_called_once_with(ResourceArn=TABLE_ARN, TagKeys=["b"])


def test_update_ttl_and_backups_shape_the_request(client):
    dynamodb.update_time_to_live(client, "t", "expires_at", True)
    client.update_time_to_live.assert_called_once_with(
        TableName="t", TimeToLiveSpecification={"AttributeName": "expires_at", "Enabled": True}
    )
    dynamodb.update_continuous_backups(client, "t", False)
    client.update_continuous_backups.assert_called_once_with(
        TableName="t", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False}
    )


def test_describe_key_missing_is_none(client):
    client.describe_key.side_effect = client_error("NotFoundException", "DescribeKey")
    assert dynamodb.describe_key(client, "alias/missing") is None


def test_read_table_missing_or_vanishing(client):
    client.describe_table.side_effect = client_error("ResourceNotFoundException", "DescribeTable")
    assert dynamodb.read_table(client, "t") is None
    client.describe_table.side_effect = None
    client.describe_table.return_value = {"Table": RAW_TABLE}
    client.describe_continuous_backups.side_effect = client_error("TableNotFoundException")
    assert dynamodb.read_table(client, "t") is None


def test_key_resolver_opens_kms_once_and_caches():
    module = mock.Mock()
    kms = module.client.return_value
    kms.describe_key.return_value = {"KeyMetadata": {"Arn": KEY_ARN}}
    resolve = dynamodb.key_resolver(module)
    module.client.assert_not_called()
    assert resolve("alias/k") == KEY_ARN
    assert resolve("alias/k") == KEY_ARN
    module.client.assert_called_once_with("kms")
    kms.describe_key.assert_called_once_with(KeyId="alias/k")
