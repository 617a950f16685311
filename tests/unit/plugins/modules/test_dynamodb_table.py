"""payments.infra.dynamodb_table: desired state, comparison and the create/no-op/update/refuse/delete decisions."""

import copy
import datetime

import pytest
from ansible_collections.payments.infra.plugins.module_utils import dynamodb as ddb_utils
from ansible_collections.payments.infra.plugins.module_utils.dynamodb import PaymentsDynamoDBError
from ansible_collections.payments.infra.plugins.modules import dynamodb_table, dynamodb_table_info
from aws_fakes import Paginator, client_error
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
KEY_ID = "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{KEY_ID}"
OTHER_KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/ffffffff-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
ALIAS = "alias/payment-dynamodb-dev"
TABLE = "transactions-dev"
MUTATING = (
    "create_table",
    "update_table",
    "delete_table",
    "update_continuous_backups",
    "update_time_to_live",
    "tag_resource",
    "untag_resource",
)
CUSTOMER_INDEX = {
    "name": "customer-id-timestamp-index",
    "hash_key": {"name": "customer_id", "type": "S"},
    "range_key": {"name": "timestamp", "type": "N"},
    "projection_type": "ALL",
    "non_key_attributes": None,
    "read_capacity": None,
    "write_capacity": None,
}
STATUS_INDEX = dict(CUSTOMER_INDEX, name="status-timestamp-index", hash_key={"name": "status", "type": "S"})


class FakeDynamoDB:
    """An in-memory DynamoDB (and KMS DescribeKey) client shaped like the AWS answers; tables are ACTIVE at once.

    echo_key_reference: report the KMS key as it was given (alias, key ID) instead of its ARN, like moto.
    """

    def __init__(self, echo_key_reference=False):
        self.tables = {}
        self.backups = {}
        self.ttl = {}
        self.tags = {}
        self.keys = {ALIAS: KEY_ARN, KEY_ID: KEY_ARN, KEY_ARN: KEY_ARN, OTHER_KEY_ARN: OTHER_KEY_ARN}
        self.calls = []
        self.echo_key_reference = echo_key_reference

    def mutating_calls(self):
        return [(name, params) for name, params in self.calls if name in MUTATING]

    def _table(self, name, operation, code="ResourceNotFoundException"):
        if name not in self.tables:
            raise client_error(code, operation, f"Requested resource not found: Table: {name} not found")
        return self.tables[name]

    # KMS
    def describe_key(self, KeyId):
        self.calls.append(("describe_key", {"KeyId": KeyId}))
        if KeyId not in self.keys:
            raise client_error("NotFoundException", "DescribeKey")
        return {"KeyMetadata": {"KeyId": self.keys[KeyId].rsplit("/", 1)[1], "Arn": self.keys[KeyId]}}

    # DynamoDB
    def describe_table(self, TableName):
        self.calls.append(("describe_table", {"TableName": TableName}))
        return {"Table": copy.deepcopy(self._table(TableName, "DescribeTable"))}

    def create_table(self, **params):
        self.calls.append(("create_table", copy.deepcopy(params)))
        name = params["TableName"]
        table = {
            "TableName": name,
            "TableArn": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{name}",
            "TableId": "4a2c1a7e-0e3f-4f0f-9a4e-1b2c3d4e5f60",
            "TableStatus": "ACTIVE",
            "CreationDateTime": datetime.datetime(2025, 1, 31, 12, tzinfo=datetime.UTC),
            "ItemCount": 0,
            "TableSizeBytes": 0,
            "KeySchema": params["KeySchema"],
            "AttributeDefinitions": params["AttributeDefinitions"],
            "BillingModeSummary": {"BillingMode": params.get("BillingMode", "PROVISIONED")},
            "ProvisionedThroughput": dict(
                {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}, **params.get("ProvisionedThroughput", {})
            ),
            "DeletionProtectionEnabled": params.get("DeletionProtectionEnabled", False),
        }
        if params.get("GlobalSecondaryIndexes"):
            table["GlobalSecondaryIndexes"] = [
                dict(index, IndexStatus="ACTIVE", IndexArn=f"{table['TableArn']}/index/{index['IndexName']}")
                for index in params["GlobalSecondaryIndexes"]
            ]
        if "SSESpecification" in params:
            self._set_sse(table, params["SSESpecification"])
        if "StreamSpecification" in params:
            self._set_stream(table, params["StreamSpecification"])
        if "TableClass" in params:
            table["TableClassSummary"] = {"TableClass": params["TableClass"]}
        self.tables[name] = table
        self.backups[name] = "DISABLED"
        self.ttl[name] = {"TimeToLiveStatus": "DISABLED"}
        self.tags[table["TableArn"]] = {tag["Key"]: tag["Value"] for tag in params.get("Tags", [])}
        return {"TableDescription": copy.deepcopy(table)}

    def _set_sse(self, table, specification):
        if specification["Enabled"]:
            key = specification.get("KMSMasterKeyId", "alias/aws/dynamodb")
            reported = key if self.echo_key_reference else self.keys.get(key, key)
            table["SSEDescription"] = {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": reported}
        else:
            table.pop("SSEDescription", None)

    @staticmethod
    def _set_stream(table, specification):
        if specification["StreamEnabled"]:
            if table.get("StreamSpecification", {}).get("StreamEnabled"):
                raise client_error("ResourceInUseException", "UpdateTable", "Table already has an enabled stream")
            table["StreamSpecification"] = specification
            table["LatestStreamLabel"] = "2025-01-31T12:00:00.000"
            table["LatestStreamArn"] = f"{table['TableArn']}/stream/2025-01-31T12:00:00.000"
        else:
            table.pop("StreamSpecification", None)

    def update_table(self, TableName, **params):
        self.calls.append(("update_table", copy.deepcopy(dict(params, TableName=TableName))))
        table = self._table(TableName, "UpdateTable")
        if "AttributeDefinitions" in params:
            merged = {item["AttributeName"]: item for item in table["AttributeDefinitions"]}
            merged.update({item["AttributeName"]: item for item in params["AttributeDefinitions"]})
            table["AttributeDefinitions"] = list(merged.values())
        for update in params.get("GlobalSecondaryIndexUpdates", []):
            indexes = table.setdefault("GlobalSecondaryIndexes", [])
            if "Create" in update:
                indexes.append(dict(update["Create"], IndexStatus="ACTIVE"))
            elif "Delete" in update:
                table["GlobalSecondaryIndexes"] = [
                    index for index in indexes if index["IndexName"] != update["Delete"]["IndexName"]
                ]
            else:
                for index in indexes:
                    if index["IndexName"] == update["Update"]["IndexName"]:
                        index["ProvisionedThroughput"] = update["Update"]["ProvisionedThroughput"]
        if "BillingMode" in params:
            table["BillingModeSummary"] = {"BillingMode": params["BillingMode"]}
        if "ProvisionedThroughput" in params:
            table["ProvisionedThroughput"] = params["ProvisionedThroughput"]
        if "SSESpecification" in params:
            self._set_sse(table, params["SSESpecification"])
        if "StreamSpecification" in params:
            self._set_stream(table, params["StreamSpecification"])
        if "DeletionProtectionEnabled" in params:
            table["DeletionProtectionEnabled"] = params["DeletionProtectionEnabled"]
        if "TableClass" in params:
            table["TableClassSummary"] = {"TableClass": params["TableClass"]}
        return {"TableDescription": copy.deepcopy(table)}

    def delete_table(self, TableName):
        self.calls.append(("delete_table", {"TableName": TableName}))
        table = self._table(TableName, "DeleteTable")
        if table["DeletionProtectionEnabled"]:
            raise client_error("ValidationException", "DeleteTable", "DeletionProtectionEnabled is set to True")
        del self.tables[TableName]
        return {"TableDescription": table}

    def describe_continuous_backups(self, TableName):
        self.calls.append(("describe_continuous_backups", {"TableName": TableName}))
        self._table(TableName, "DescribeContinuousBackups", "TableNotFoundException")
        return {
            "ContinuousBackupsDescription": {
                "ContinuousBackupsStatus": "ENABLED",
                "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": self.backups[TableName]},
            }
        }

    def update_continuous_backups(self, TableName, PointInTimeRecoverySpecification):
        self.calls.append(("update_continuous_backups", {"TableName": TableName, **PointInTimeRecoverySpecification}))
        enabled = PointInTimeRecoverySpecification["PointInTimeRecoveryEnabled"]
        self.backups[TableName] = "ENABLED" if enabled else "DISABLED"
        return self.describe_continuous_backups(TableName)

    def describe_time_to_live(self, TableName):
        self.calls.append(("describe_time_to_live", {"TableName": TableName}))
        self._table(TableName, "DescribeTimeToLive")
        return {"TimeToLiveDescription": copy.deepcopy(self.ttl[TableName])}

    def update_time_to_live(self, TableName, TimeToLiveSpecification):
        self.calls.append(("update_time_to_live", {"TableName": TableName, **TimeToLiveSpecification}))
        status = "ENABLED" if TimeToLiveSpecification["Enabled"] else "DISABLED"
        self.ttl[TableName] = {"TimeToLiveStatus": status, "AttributeName": TimeToLiveSpecification["AttributeName"]}
        return {"TimeToLiveSpecification": TimeToLiveSpecification}

    def get_paginator(self, name):
        assert name == "list_tags_of_resource"
        return Paginator(self.list_tags_of_resource)

    def list_tags_of_resource(self, ResourceArn):
        self.calls.append(("list_tags_of_resource", {"ResourceArn": ResourceArn}))
        if ResourceArn not in self.tags:
            raise client_error("ResourceNotFoundException", "ListTagsOfResource")
        return {"Tags": [{"Key": key, "Value": value} for key, value in self.tags[ResourceArn].items()]}

    def tag_resource(self, ResourceArn, Tags):
        self.calls.append(("tag_resource", {"ResourceArn": ResourceArn, "Tags": copy.deepcopy(Tags)}))
        self.tags[ResourceArn].update({tag["Key"]: tag["Value"] for tag in Tags})

    def untag_resource(self, ResourceArn, TagKeys):
        self.calls.append(("untag_resource", {"ResourceArn": ResourceArn, "TagKeys": list(TagKeys)}))
        for key in TagKeys:
            self.tags[ResourceArn].pop(key, None)


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(dynamodb_table.time, "sleep", lambda seconds: None)


@pytest.fixture
def fake():
    return FakeDynamoDB()


def resolver(client):
    def resolve(key_id):
        try:
            return client.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
        except ClientError:
            return None

    return resolve


def params(**overrides):
    """Module parameters as AnsibleModule hands them over: every option present, unset ones None."""
    result = {
        "name": TABLE,
        "state": "present",
        "hash_key": {"name": "transaction_id", "type": "S"},
        "range_key": None,
        "billing_mode": "PAY_PER_REQUEST",
        "read_capacity": None,
        "write_capacity": None,
        "global_secondary_indexes": [dict(CUSTOMER_INDEX)],
        "sse": {"enabled": True, "kms_key_id": ALIAS},
        "point_in_time_recovery": True,
        "stream": {"enabled": True, "view_type": "NEW_AND_OLD_IMAGES"},
        "ttl_attribute": "expires_at",
        "deletion_protection": True,
        "table_class": None,
        "tags": {"Name": TABLE, "Component": "dynamodb"},
        "purge_tags": True,
        "wait": True,
        "wait_timeout": 600,
    }
    result.update(overrides)
    return result


def unset(**overrides):
    """Only name (and overrides) set."""
    result = {key: None for key in params()}
    result.update(name=TABLE, state="present", purge_tags=True, wait=True, wait_timeout=600)
    result.update(overrides)
    return result


def present(client, check_mode=False, **overrides):
    return dynamodb_table.ensure_present(client, params(**overrides), check_mode, resolver(client))


def create(client, **overrides):
    result = present(client, **overrides)
    client.calls.clear()
    return result


def current(client):
    return ddb_utils.read_table(client, TABLE, resolver(client))


# ---------------------------------------------------------------- desired state


def test_build_desired_keeps_only_what_is_set_and_resolves_the_kms_alias(fake):
    desired = dynamodb_table.build_desired(params(), resolver(fake))
    assert desired["sse"] == {"enabled": True, "kms_key_arn": KEY_ARN}
    assert desired["hash_key"] == {"name": "transaction_id", "type": "S"}
    assert desired["range_key"] is None
    assert desired["stream"] == {"enabled": True, "view_type": "NEW_AND_OLD_IMAGES"}
    assert desired["global_secondary_indexes"][0]["non_key_attributes"] is None
    assert "table_class" not in desired
    assert dynamodb_table.build_desired(unset(), resolver(fake)) == {}
    assert dynamodb_table.build_desired(unset(ttl_attribute=""), resolver(fake)) == {"ttl_attribute": ""}


def test_build_desired_key_arn_needs_no_lookup_and_unknown_key_fails(fake):
    desired = dynamodb_table.build_desired(unset(sse={"enabled": True, "kms_key_id": OTHER_KEY_ARN}), resolver(fake))
    assert desired["sse"]["kms_key_arn"] == OTHER_KEY_ARN
    assert fake.calls == []
    with pytest.raises(PaymentsDynamoDBError, match="KMS key alias/missing not found"):
        dynamodb_table.build_desired(unset(sse={"enabled": True, "kms_key_id": "alias/missing"}), resolver(fake))


def test_validate_desired_refuses_one_attribute_with_two_types(fake):
    bad_index = dict(CUSTOMER_INDEX, hash_key={"name": "transaction_id", "type": "N"})
    desired = dynamodb_table.build_desired(params(global_secondary_indexes=[bad_index]), resolver(fake))
    with pytest.raises(PaymentsDynamoDBError, match="attribute transaction_id is of type S and N"):
        dynamodb_table.validate_desired(TABLE, desired)


def test_validate_desired_refuses_capacity_with_on_demand_and_bad_projection(fake):
    with pytest.raises(PaymentsDynamoDBError, match="only for billing_mode=PROVISIONED"):
        dynamodb_table.validate_desired(TABLE, {"billing_mode": "PAY_PER_REQUEST", "read_capacity": 5})
    include = dict(CUSTOMER_INDEX, projection_type="INCLUDE")
    desired = dynamodb_table.build_desired(unset(global_secondary_indexes=[include]), resolver(fake))
    with pytest.raises(PaymentsDynamoDBError, match="INCLUDE needs non_key_attributes"):
        dynamodb_table.validate_desired(TABLE, desired)


# ---------------------------------------------------------------- create


def test_create(fake):
    result = present(fake)
    assert result["changed"] is True
    calls = fake.mutating_calls()
    assert [call[0] for call in calls] == ["create_table", "update_continuous_backups", "update_time_to_live"]
    assert calls[0][1] == {
        "TableName": TABLE,
        "KeySchema": [{"AttributeName": "transaction_id", "KeyType": "HASH"}],
        "AttributeDefinitions": [
            {"AttributeName": "customer_id", "AttributeType": "S"},
            {"AttributeName": "timestamp", "AttributeType": "N"},
            {"AttributeName": "transaction_id", "AttributeType": "S"},
        ],
        "BillingMode": "PAY_PER_REQUEST",
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "customer-id-timestamp-index",
                "KeySchema": [
                    {"AttributeName": "customer_id", "KeyType": "HASH"},
                    {"AttributeName": "timestamp", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        "SSESpecification": {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": KEY_ARN},
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        "DeletionProtectionEnabled": True,
        "Tags": [{"Key": "Component", "Value": "dynamodb"}, {"Key": "Name", "Value": TABLE}],
    }
    assert calls[1][1] == {"TableName": TABLE, "PointInTimeRecoveryEnabled": True}
    assert calls[2][1] == {"TableName": TABLE, "AttributeName": "expires_at", "Enabled": True}
    table = result["table"]
    assert table["table_arn"].endswith(f":table/{TABLE}")
    assert table["sse"]["kms_key_arn"] == KEY_ARN
    assert table["point_in_time_recovery"] is True
    assert table["ttl"] == {"enabled": True, "attribute_name": "expires_at", "status": "ENABLED"}
    assert result["diff"]["before"] == {}


def test_create_check_mode_changes_nothing_and_plans_the_table(fake):
    result = present(fake, check_mode=True)
    assert result["changed"] is True
    assert fake.mutating_calls() == []
    planned = result["table"]
    assert planned["table_arn"] is None
    assert planned["hash_key"] == {"name": "transaction_id", "type": "S"}
    assert [index["name"] for index in planned["global_secondary_indexes"]] == ["customer-id-timestamp-index"]
    assert planned["sse"]["kms_key_arn"] == KEY_ARN
    assert planned["stream"]["view_type"] == "NEW_AND_OLD_IMAGES"
    assert planned["ttl"]["attribute_name"] == "expires_at"
    assert set(planned) == set(present(fake)["table"])


def test_create_needs_the_hash_key(fake):
    with pytest.raises(PaymentsDynamoDBError, match=f"hash_key is required to create table {TABLE}"):
        present(fake, hash_key=None)


def test_create_provisioned_gives_every_index_the_table_capacity(fake):
    present(fake, billing_mode="PROVISIONED", read_capacity=5, write_capacity=2)
    api_params = fake.mutating_calls()[0][1]
    assert api_params["ProvisionedThroughput"] == {"ReadCapacityUnits": 5, "WriteCapacityUnits": 2}
    assert api_params["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"] == {
        "ReadCapacityUnits": 5,
        "WriteCapacityUnits": 2,
    }


# ---------------------------------------------------------------- no-op


def test_rerun_is_a_no_op(fake):
    first = create(fake)
    for check_mode in (True, False):
        result = present(fake, check_mode=check_mode)
        assert result["changed"] is False
        assert result["table"] == first["table"]
    assert fake.mutating_calls() == []


def test_unset_options_change_nothing(fake):
    create(fake)
    result = dynamodb_table.ensure_present(fake, unset(), False, resolver(fake))
    assert result["changed"] is False
    assert fake.mutating_calls() == []


def test_emulator_echoing_the_alias_is_still_compared_as_the_key_arn():
    fake = FakeDynamoDB(echo_key_reference=True)
    fake.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "transaction_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "transaction_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": ALIAS},
    )
    assert fake.tables[TABLE]["SSEDescription"]["KMSMasterKeyArn"] == ALIAS
    result = dynamodb_table.ensure_present(
        fake, unset(sse={"enabled": True, "kms_key_id": KEY_ID}), False, resolver(fake)
    )
    assert result["changed"] is False
    assert result["table"]["sse"]["kms_key_arn"] == KEY_ARN


# ---------------------------------------------------------------- refused changes


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"hash_key": {"name": "id", "type": "S"}}, "hash_key is transaction_id (S), requested id (S)"),
        (
            {"hash_key": {"name": "transaction_id", "type": "N"}},
            "hash_key is transaction_id (S), requested transaction_id (N)",
        ),
        ({"range_key": {"name": "timestamp", "type": "N"}}, "range_key is none, requested timestamp (N)"),
    ],
)
def test_key_schema_change_is_refused(fake, overrides, message):
    create(fake)
    with pytest.raises(PaymentsDynamoDBError) as error:
        present(fake, **overrides)
    assert f"table {TABLE}: {message}" in error.value.message
    assert "cannot change" in error.value.message
    assert fake.mutating_calls() == []


def test_index_key_or_projection_change_is_refused(fake):
    create(fake)
    changed_index = dict(CUSTOMER_INDEX, range_key={"name": "created_at", "type": "S"}, projection_type="KEYS_ONLY")
    with pytest.raises(PaymentsDynamoDBError) as error:
        present(fake, global_secondary_indexes=[changed_index])
    message = error.value.message
    assert f"table {TABLE}, index customer-id-timestamp-index" in message
    assert "range_key is timestamp (N), requested created_at (S)" in message
    assert "projection_type is ALL, requested KEYS_ONLY" in message
    assert "add a new index under a new name" in message
    assert fake.mutating_calls() == []


def test_index_without_projection_type_accepts_the_existing_projection(fake):
    create(fake)
    result = present(fake, global_secondary_indexes=[dict(CUSTOMER_INDEX, projection_type=None)])
    assert result["changed"] is False


# ---------------------------------------------------------------- indexes


def test_add_indexes_one_per_update_with_every_key_attribute(fake):
    create(fake, global_secondary_indexes=[])
    third = dict(CUSTOMER_INDEX, name="merchant-index", hash_key={"name": "merchant_id", "type": "S"}, range_key=None)
    result = present(fake, global_secondary_indexes=[dict(CUSTOMER_INDEX), dict(STATUS_INDEX), third])
    assert result["changed"] is True
    updates = [api_params for name, api_params in fake.mutating_calls() if name == "update_table"]
    assert [update["GlobalSecondaryIndexUpdates"][0]["Create"]["IndexName"] for update in updates] == [
        "customer-id-timestamp-index",
        "status-timestamp-index",
        "merchant-index",
    ]
    assert all(len(update["GlobalSecondaryIndexUpdates"]) == 1 for update in updates)
    assert [item["AttributeName"] for item in updates[1]["AttributeDefinitions"]] == [
        "customer_id",
        "status",
        "timestamp",
        "transaction_id",
    ]
    names = [index["name"] for index in result["table"]["global_secondary_indexes"]]
    assert names == ["customer-id-timestamp-index", "merchant-index", "status-timestamp-index"]


def test_add_index_check_mode(fake):
    create(fake)
    result = present(fake, check_mode=True, global_secondary_indexes=[dict(CUSTOMER_INDEX), dict(STATUS_INDEX)])
    assert result["changed"] is True
    assert fake.mutating_calls() == []
    planned = result["table"]["global_secondary_indexes"]
    assert [index["name"] for index in planned] == ["customer-id-timestamp-index", "status-timestamp-index"]
    assert planned[1]["index_status"] is None
    assert planned[1]["projection_type"] == "ALL"
    assert "status" in [item["attribute_name"] for item in result["table"]["attribute_definitions"]]


def test_remove_index(fake):
    create(fake, global_secondary_indexes=[dict(CUSTOMER_INDEX), dict(STATUS_INDEX)])
    result = present(fake, global_secondary_indexes=[dict(STATUS_INDEX)])
    assert result["changed"] is True
    assert fake.mutating_calls() == [
        (
            "update_table",
            {
                "TableName": TABLE,
                "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "customer-id-timestamp-index"}}],
            },
        )
    ]
    assert [index["name"] for index in result["table"]["global_secondary_indexes"]] == ["status-timestamp-index"]


def test_deleting_index_is_not_counted():
    table = {
        "TableName": TABLE,
        "GlobalSecondaryIndexes": [{"IndexName": "old", "IndexStatus": "DELETING", "KeySchema": []}],
    }
    assert ddb_utils.normalize_table(table)["global_secondary_indexes"] == []


# ---------------------------------------------------------------- encryption, backups, stream, time to live


def test_sse_key_change(fake):
    create(fake)
    result = present(fake, sse={"enabled": True, "kms_key_id": OTHER_KEY_ARN})
    assert result["changed"] is True
    assert fake.mutating_calls() == [
        (
            "update_table",
            {
                "TableName": TABLE,
                "SSESpecification": {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": OTHER_KEY_ARN},
            },
        )
    ]
    assert result["table"]["sse"]["kms_key_arn"] == OTHER_KEY_ARN


def test_sse_enabled_without_key_keeps_the_key(fake):
    create(fake)
    assert present(fake, sse={"enabled": True, "kms_key_id": None})["changed"] is False


def test_sse_off_uses_the_key_owned_by_dynamodb(fake):
    create(fake)
    result = present(fake, check_mode=True, sse={"enabled": False, "kms_key_id": None})
    assert result["changed"] is True
    assert result["table"]["sse"] == {"enabled": False, "sse_type": None, "kms_key_arn": None, "status": None}
    result = present(fake, sse={"enabled": False, "kms_key_id": None})
    assert fake.mutating_calls()[-1][1]["SSESpecification"] == {"Enabled": False}
    assert result["table"]["sse"]["enabled"] is False


@pytest.mark.parametrize("enabled", [False, True])
def test_pitr_toggle(fake, enabled):
    create(fake, point_in_time_recovery=not enabled)
    result = present(fake, point_in_time_recovery=enabled)
    assert result["changed"] is True
    assert fake.mutating_calls() == [
        ("update_continuous_backups", {"TableName": TABLE, "PointInTimeRecoveryEnabled": enabled})
    ]
    assert result["table"]["point_in_time_recovery"] is enabled


def test_stream_view_type_change_disables_then_enables(fake):
    create(fake)
    result = present(fake, stream={"enabled": True, "view_type": "KEYS_ONLY"})
    assert result["changed"] is True
    assert [call[1]["StreamSpecification"] for call in fake.mutating_calls()] == [
        {"StreamEnabled": False},
        {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
    ]
    assert result["table"]["stream"]["view_type"] == "KEYS_ONLY"


def test_stream_off(fake):
    create(fake)
    result = present(fake, stream={"enabled": False, "view_type": None})
    assert result["table"]["stream"] == {"enabled": False, "view_type": None, "arn": None, "label": None}
    assert present(fake, stream={"enabled": False, "view_type": None})["changed"] is False


def test_ttl_attribute_change_disables_then_enables(fake):
    create(fake)
    result = present(fake, ttl_attribute="purge_at")
    assert [call[1] for call in fake.mutating_calls()] == [
        {"TableName": TABLE, "AttributeName": "expires_at", "Enabled": False},
        {"TableName": TABLE, "AttributeName": "purge_at", "Enabled": True},
    ]
    assert result["table"]["ttl"]["attribute_name"] == "purge_at"


def test_ttl_empty_string_disables_and_unset_leaves_alone(fake):
    create(fake)
    result = present(fake, ttl_attribute="")
    assert fake.mutating_calls() == [
        ("update_time_to_live", {"TableName": TABLE, "AttributeName": "expires_at", "Enabled": False})
    ]
    assert result["table"]["ttl"]["enabled"] is False
    fake.calls.clear()
    assert present(fake, ttl_attribute="")["changed"] is False
    assert present(fake, ttl_attribute=None)["changed"] is False
    assert fake.mutating_calls() == []


# ---------------------------------------------------------------- billing, class, tags, deletion protection


def test_switch_to_provisioned_sets_table_and_index_capacity_in_one_update(fake):
    create(fake)
    result = present(fake, billing_mode="PROVISIONED", read_capacity=5, write_capacity=5)
    assert fake.mutating_calls() == [
        (
            "update_table",
            {
                "TableName": TABLE,
                "BillingMode": "PROVISIONED",
                "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
                "GlobalSecondaryIndexUpdates": [
                    {
                        "Update": {
                            "IndexName": "customer-id-timestamp-index",
                            "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
                        }
                    }
                ],
            },
        )
    ]
    assert result["table"]["read_capacity"] == 5


def test_capacity_on_an_on_demand_table_is_refused(fake):
    create(fake)
    with pytest.raises(PaymentsDynamoDBError, match="only for billing_mode=PROVISIONED"):
        present(fake, billing_mode=None, read_capacity=5)


def test_table_class_change(fake):
    create(fake)
    result = present(fake, table_class="STANDARD_INFREQUENT_ACCESS")
    assert fake.mutating_calls() == [("update_table", {"TableName": TABLE, "TableClass": "STANDARD_INFREQUENT_ACCESS"})]
    assert result["table"]["table_class"] == "STANDARD_INFREQUENT_ACCESS"


def test_tags_purged_or_merged(fake):
    create(fake)
    arn = current(fake)["table_arn"]
    result = present(fake, tags={"Name": TABLE, "Owner": "payments"})
    assert fake.mutating_calls() == [
        ("untag_resource", {"ResourceArn": arn, "TagKeys": ["Component"]}),
        ("tag_resource", {"ResourceArn": arn, "Tags": [{"Key": "Owner", "Value": "payments"}]}),
    ]
    assert result["table"]["tags"] == {"Name": TABLE, "Owner": "payments"}
    fake.calls.clear()
    result = present(fake, tags={"CostCenter": "42"}, purge_tags=False)
    assert [call[0] for call in fake.mutating_calls()] == ["tag_resource"]
    assert result["table"]["tags"] == {"Name": TABLE, "Owner": "payments", "CostCenter": "42"}


def test_update_check_mode_reports_the_same_change_and_calls_nothing(fake):
    create(fake)
    overrides = {
        "point_in_time_recovery": False,
        "ttl_attribute": "",
        "tags": {"Name": TABLE},
        "deletion_protection": False,
    }
    check = present(fake, check_mode=True, **overrides)
    assert check["changed"] is True
    assert fake.mutating_calls() == []
    real = present(fake, **overrides)
    assert real["changed"] is True
    for key in ("point_in_time_recovery", "tags", "deletion_protection"):
        assert check["table"][key] == real["table"][key]
    assert check["table"]["ttl"]["enabled"] is real["table"]["ttl"]["enabled"] is False
    assert check["diff"]["before"] == real["diff"]["before"]


def test_deletion_protection_toggle(fake):
    create(fake)
    result = present(fake, deletion_protection=False)
    assert fake.mutating_calls() == [("update_table", {"TableName": TABLE, "DeletionProtectionEnabled": False})]
    assert result["table"]["deletion_protection"] is False


# ---------------------------------------------------------------- delete


def absent(client, check_mode=False, **overrides):
    return dynamodb_table.ensure_absent(client, unset(state="absent", **overrides), check_mode, resolver(client))


def test_delete_protected_table_is_refused(fake):
    create(fake)
    for check_mode in (True, False):
        with pytest.raises(PaymentsDynamoDBError, match=f"Table {TABLE} has deletion protection on"):
            absent(fake, check_mode=check_mode)
    assert fake.mutating_calls() == []


def test_delete_lifts_the_protection_when_asked(fake):
    create(fake)
    check = absent(fake, check_mode=True, deletion_protection=False)
    assert check["changed"] is True
    assert fake.mutating_calls() == []
    result = absent(fake, deletion_protection=False)
    assert result["changed"] is True
    assert fake.mutating_calls() == [
        ("update_table", {"TableName": TABLE, "DeletionProtectionEnabled": False}),
        ("delete_table", {"TableName": TABLE}),
    ]
    assert result["diff"] == {"before": check["diff"]["before"], "after": {}}
    assert TABLE not in fake.tables


def test_delete_unprotected_and_missing(fake):
    create(fake, deletion_protection=False)
    assert absent(fake)["changed"] is True
    assert fake.mutating_calls() == [("delete_table", {"TableName": TABLE})]
    fake.calls.clear()
    assert absent(fake)["changed"] is False
    assert absent(fake, check_mode=True)["changed"] is False
    assert fake.mutating_calls() == []


# ---------------------------------------------------------------- waiting


def test_wait_times_out_with_the_table_name(fake, monkeypatch):
    create(fake)
    fake.tables[TABLE]["TableStatus"] = "UPDATING"
    clock = iter(range(0, 10000, 10))
    monkeypatch.setattr(dynamodb_table.time, "monotonic", lambda: next(clock))
    with pytest.raises(PaymentsDynamoDBError, match=f"Timed out after 30s waiting for table {TABLE} to be active"):
        dynamodb_table.wait_for_table(fake, TABLE, 30)


def test_wait_for_indexes_too(fake):
    create(fake)
    index = fake.tables[TABLE]["GlobalSecondaryIndexes"][0]
    index["IndexStatus"] = "CREATING"
    answers = iter(["CREATING", "ACTIVE"])
    original = fake.describe_table

    def describe_table(TableName):
        index["IndexStatus"] = next(answers)
        return original(TableName)

    fake.describe_table = describe_table
    dynamodb_table.wait_for_table(fake, TABLE, 600)
    assert index["IndexStatus"] == "ACTIVE"


# ---------------------------------------------------------------- main()


def module_args(**overrides):
    args = {
        "name": TABLE,
        "hash_key": {"name": "transaction_id"},
        "global_secondary_indexes": [
            {
                "name": "customer-id-timestamp-index",
                "hash_key": {"name": "customer_id"},
                "range_key": {"name": "timestamp", "type": "N"},
            }
        ],
        "sse": {"enabled": True, "kms_key_id": ALIAS},
        "point_in_time_recovery": True,
        "stream": {"enabled": True, "view_type": "NEW_AND_OLD_IMAGES"},
        "ttl_attribute": "expires_at",
        "deletion_protection": True,
        "tags": {"Name": TABLE},
        "region": "us-east-1",
    }
    args.update(overrides)
    return args


def test_main_create_then_no_op_with_diff(run_module, fake):
    ok, result = run_module(dynamodb_table, module_args(_ansible_diff=True), fake)
    assert ok, result
    assert result["changed"] is True
    assert result["table"]["global_secondary_indexes"][0]["projection_type"] == "ALL"
    assert result["diff"]["before"] == {}
    ok, again = run_module(dynamodb_table, module_args(), fake)
    assert ok and again["changed"] is False
    assert "diff" not in again
    ok, info = run_module(dynamodb_table_info, {"name": TABLE, "region": "us-east-1"}, fake)
    assert ok and info["exists"] is True and info["table"] == again["table"]


def test_main_check_mode_and_errors(run_module, fake):
    ok, result = run_module(dynamodb_table, module_args(_ansible_check_mode=True), fake)
    assert ok and result["changed"] is True
    assert fake.mutating_calls() == []
    ok, result = run_module(dynamodb_table, module_args(stream={"enabled": True}), fake)
    assert not ok and "view_type" in result["msg"]
    run_module(dynamodb_table, module_args(), fake)
    ok, result = run_module(dynamodb_table, module_args(hash_key={"name": "id"}), fake)
    assert not ok and f"table {TABLE}: hash_key" in result["msg"]
    ok, result = run_module(dynamodb_table, {"name": TABLE, "state": "absent", "region": "us-east-1"}, fake)
    assert not ok and "deletion protection" in result["msg"]
    ok, info = run_module(dynamodb_table_info, {"name": "missing", "region": "us-east-1"}, fake)
    assert ok and info == dict(info, exists=False, table={})
