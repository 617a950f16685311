"""payments.infra module_utils.cloudwatch: API wrappers (missing dashboard -> None, errors -> one class), bodies."""

import datetime
import json
from unittest import mock

import pytest
from ansible_collections.payments.infra.plugins.module_utils import cloudwatch
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch import PaymentsCloudWatchError
from aws_fakes import client_error
from botocore.exceptions import ClientError

ARN = "arn:aws:cloudwatch::123456789012:dashboard/payment-processing-dev"


@pytest.fixture
def client():
    return mock.MagicMock()


# ---------------------------------------------------------------- bodies


def test_parse_body_reads_dicts_json_and_yaml_alike():
    expected = {"widgets": [{"type": "text", "width": 24, "properties": {"markdown": "hi"}}], "start": "-PT3H"}
    as_json = json.dumps(expected, indent=3)
    as_yaml = "start: -PT3H\nwidgets:\n  - {type: text, width: 24.0, properties: {markdown: hi}}\n"
    for value in (expected, as_json, as_yaml):
        assert cloudwatch.parse_body(value) == expected
        assert cloudwatch.serialize_body(cloudwatch.parse_body(value)) == cloudwatch.serialize_body(expected)


def test_canonical_body_normalises_integral_floats_only():
    body = cloudwatch.canonical_body({"a": 1.0, "b": 1.5, "c": -0.0, "d": 1e3, "e": "1.0", "f": True, "g": [2.0, None]})
    assert body == {"a": 1, "b": 1.5, "c": 0, "d": 1000, "e": "1.0", "f": True, "g": [2, None]}
    # serialised, the types show: 1 not 1.0, true not 1
    assert json.dumps(body, sort_keys=True) == (
        '{"a": 1, "b": 1.5, "c": 0, "d": 1000, "e": "1.0", "f": true, "g": [2, null]}'
    )


def test_bodies_equal_is_type_exact():
    assert cloudwatch.bodies_equal({"a": 1, "b": "x"}, {"b": "x", "a": 1})
    assert not cloudwatch.bodies_equal({"a": True}, {"a": 1})
    assert not cloudwatch.bodies_equal({"a": False}, {"a": 0})
    assert not cloudwatch.bodies_equal({"a": "1"}, {"a": 1})
    assert not cloudwatch.bodies_equal({"a": [1, 2]}, {"a": [2, 1]})
    assert cloudwatch.bodies_equal(None, {})


@pytest.mark.parametrize(
    "value, message",
    [
        ("[]", "must be a JSON object, not a list"),
        ('"text"', "must be a JSON object, not a str"),
        ("{widgets: [", "neither valid JSON nor YAML"),
        ({"widgets": [{"x": float("inf")}]}, "body.widgets[0].x: inf is not a JSON number"),
        ({"widgets": [], "when": datetime.date(2025, 1, 31)}, "body.when: a date"),
        ({"widgets": [], 1: "x"}, "the key 1 is not a string"),
    ],
)
def test_parse_body_refuses_what_json_cannot_hold(value, message):
    with pytest.raises(ValueError) as raised:
        cloudwatch.parse_body(value)
    assert message in str(raised.value)


def test_body_size_counts_utf8_bytes():
    assert cloudwatch.body_size('{"t":"é"}') == 10


def test_format_validation_messages():
    assert cloudwatch.format_validation_messages(None) == ""
    assert (
        cloudwatch.format_validation_messages(
            [{"DataPath": "/widgets/0", "Message": "Should have property type"}, {"Message": "Invalid"}]
        )
        == "/widgets/0: Should have property type; Invalid"
    )


def test_normalize_dashboard():
    raw = {"DashboardName": "d", "DashboardArn": ARN, "DashboardBody": '{"widgets": [], "period": 60.0}'}
    assert cloudwatch.normalize_dashboard(raw) == {
        "name": "d",
        "arn": ARN,
        "body": {"widgets": [], "period": 60},
        "size": len(raw["DashboardBody"]),
    }
    assert cloudwatch.normalize_dashboard(None) is None
    # a body that is not a JSON object is reported as stored (and never equals a desired body)
    assert cloudwatch.normalize_dashboard(dict(raw, DashboardBody="oops"))["body"] == "oops"


def test_normalize_dashboard_entry():
    entry = {
        "DashboardName": "d",
        "DashboardArn": ARN,
        "Size": 42,
        "LastModified": datetime.datetime(2025, 1, 31, 12, tzinfo=datetime.UTC),
    }
    assert cloudwatch.normalize_dashboard_entry(entry) == {
        "name": "d",
        "arn": ARN,
        "size": 42,
        "last_modified": "2025-01-31T12:00:00+00:00",
    }


# ---------------------------------------------------------------- wrappers


def test_get_dashboard_missing_is_none(client):
    client.get_dashboard.side_effect = client_error("ResourceNotFound", "GetDashboard")
    assert cloudwatch.get_dashboard(client, "d") is None


def test_get_dashboard_keeps_only_the_dashboard(client):
    client.get_dashboard.return_value = {
        "DashboardName": "d",
        "DashboardArn": ARN,
        "DashboardBody": "{}",
        "ResponseMetadata": {"RequestId": "x"},
    }
    assert cloudwatch.get_dashboard(client, "d") == {"DashboardName": "d", "DashboardArn": ARN, "DashboardBody": "{}"}
    client.get_dashboard.assert_called_once_with(DashboardName="d")


def test_list_dashboards_paginates_with_the_prefix(client):
    client.get_paginator.return_value.paginate.return_value.build_full_result.return_value = {
        "DashboardEntries": [{"DashboardName": "payment-a"}]
    }
    assert cloudwatch.list_dashboards(client, "payment-") == [{"DashboardName": "payment-a"}]
    client.get_paginator.assert_called_with("list_dashboards")
    client.get_paginator.return_value.paginate.assert_called_with(DashboardNamePrefix="payment-")
    cloudwatch.list_dashboards(client)
    client.get_paginator.return_value.paginate.assert_called_with()


def test_put_dashboard_returns_validation_messages(client):
    client.put_dashboard.return_value = {"DashboardValidationMessages": [{"Message": "warn"}]}
    assert cloudwatch.put_dashboard(client, "d", "{}") == [{"Message": "warn"}]
    client.put_dashboard.return_value = {}
    assert cloudwatch.put_dashboard(client, "d", "{}") == []
    client.put_dashboard.assert_called_with(DashboardName="d", DashboardBody="{}")


def test_put_dashboard_refused_names_the_messages_or_the_error(client):
    client.put_dashboard.side_effect = client_error(
        "InvalidParameterInput", "PutDashboard", dashboardValidationMessages=[{"DataPath": "/x", "Message": "bad"}]
    )
    with pytest.raises(PaymentsCloudWatchError, match="refused the body of dashboard d: /x: bad") as raised:
        cloudwatch.put_dashboard(client, "d", "{}")
    assert isinstance(raised.value.exception, ClientError)
    client.put_dashboard.side_effect = client_error("InvalidParameterInput", "PutDashboard", "Body is invalid JSON")
    with pytest.raises(PaymentsCloudWatchError, match="refused the body of dashboard d: Body is invalid JSON"):
        cloudwatch.put_dashboard(client, "d", "{}")


def test_delete_dashboard_missing_is_false(client):
    assert cloudwatch.delete_dashboard(client, "d") is True
    client.delete_dashboards.assert_called_once_with(DashboardNames=["d"])
    client.delete_dashboards.side_effect = client_error("ResourceNotFound", "DeleteDashboards")
    assert cloudwatch.delete_dashboard(client, "d") is False


@pytest.mark.parametrize(
    "call, method",
    [
        (lambda c: cloudwatch.get_dashboard(c, "d"), "get_dashboard"),
        (lambda c: cloudwatch.put_dashboard(c, "d", "{}"), "put_dashboard"),
        (lambda c: cloudwatch.delete_dashboard(c, "d"), "delete_dashboards"),
    ],
)
def test_other_errors_raise_the_one_error_class(client, call, method):
    getattr(client, method).side_effect = client_error("AccessDenied")
    with pytest.raises(PaymentsCloudWatchError, match="Failed to"):
        call(client)


def test_dashboard_name_pattern():
    assert cloudwatch.DASHBOARD_NAME.match("payment-processing-prod_1")
    assert not cloudwatch.DASHBOARD_NAME.match("payment processing")
    assert not cloudwatch.DASHBOARD_NAME.match("a.b")
    assert not cloudwatch.DASHBOARD_NAME.match("x" * 256)
