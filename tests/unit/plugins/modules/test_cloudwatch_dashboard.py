"""payments.infra.cloudwatch_dashboard(_info): body comparison and the create/no-op/update/delete decisions."""

import copy
import json

import pytest
from ansible_collections.amazon.aws.plugins.module_utils import cloud
from ansible_collections.payments.infra.plugins.module_utils.cloudwatch import PaymentsCloudWatchError, serialize_body
from ansible_collections.payments.infra.plugins.modules import cloudwatch_dashboard, cloudwatch_dashboard_info
from aws_fakes import Paginator, client_error

ACCOUNT = "123456789012"
REGION = "us-east-1"
NAME = "payment-processing-test"
ARN = f"arn:aws:cloudwatch::{ACCOUNT}:dashboard/{NAME}"
MUTATING = ("put_dashboard", "delete_dashboards")
BODY = {
    "start": "-PT3H",
    "widgets": [
        {
            "type": "metric",
            "x": 0,
            "y": 0,
            "width": 12,
            "height": 6,
            "properties": {
                "title": "API p99 latency",
                "region": REGION,
                "stat": "p99",
                "period": 60,
                "stacked": False,
                "metrics": [["AWS/ApiGateway", "Latency", "ApiId", "a1b2c3"]],
            },
        },
        {"type": "text", "x": 12, "y": 0, "width": 12, "height": 6, "properties": {"markdown": "Managed by Ansible"}},
    ],
}
YAML_BODY = """
widgets:
  - type: metric
    x: 0
    y: 0
    width: 12.0
    height: 6
    properties:
      title: API p99 latency
      region: us-east-1
      stat: p99
      period: 60
      stacked: false
      metrics:
        - [AWS/ApiGateway, Latency, ApiId, a1b2c3]
  - {type: text, x: 12, y: 0, width: 12, height: 6, properties: {markdown: Managed by Ansible}}
start: -PT3H
"""


class FakeCloudWatch:
    """An in-memory CloudWatch dashboard API shaped like the AWS answers.

    It stores a body re-formatted (indented, keys reversed) so that only a parsed comparison sees it unchanged.
    refuse: PutDashboard answers InvalidParameterInput with these validation messages (AWS on an invalid body).
    warn: PutDashboard stores the body and answers these DashboardValidationMessages.
    drop: PutDashboard answers `warn` without storing the body.
    """

    def __init__(self):
        self.dashboards = {}
        self.calls = []
        self.refuse = None
        self.warn = []
        self.drop = False

    def mutating_calls(self):
        return [name for name, _params in self.calls if name in MUTATING]

    def store(self, name, body):
        reformatted = json.dumps(dict(reversed(list(json.loads(body).items()))), indent=2)
        self.dashboards[name] = {"DashboardName": name, "DashboardArn": ARN.replace(NAME, name), "Body": reformatted}

    def get_paginator(self, name):
        return Paginator(getattr(self, name))

    def get_dashboard(self, DashboardName):
        self.calls.append(("get_dashboard", {"DashboardName": DashboardName}))
        if DashboardName not in self.dashboards:
            raise client_error("ResourceNotFound", "GetDashboard", "Dashboard does not exist")
        stored = self.dashboards[DashboardName]
        return {
            "DashboardName": DashboardName,
            "DashboardArn": stored["DashboardArn"],
            "DashboardBody": stored["Body"],
            "ResponseMetadata": {},
        }

    def put_dashboard(self, DashboardName, DashboardBody):
        self.calls.append(("put_dashboard", {"DashboardName": DashboardName, "DashboardBody": DashboardBody}))
        if self.refuse is not None:
            raise client_error(
                "InvalidParameterInput",
                "PutDashboard",
                "The input for the dashboard is invalid",
                dashboardValidationMessages=self.refuse,
            )
        if not self.drop:
            self.store(DashboardName, DashboardBody)
        return {"DashboardValidationMessages": copy.deepcopy(self.warn)}

    def delete_dashboards(self, DashboardNames):
        self.calls.append(("delete_dashboards", {"DashboardNames": list(DashboardNames)}))
        missing = [name for name in DashboardNames if name not in self.dashboards]
        if missing:
            raise client_error("ResourceNotFound", "DeleteDashboards", f"The dashboard does not exist. {missing}")
        for name in DashboardNames:
            del self.dashboards[name]
        return {}

    def list_dashboards(self, DashboardNamePrefix=""):
        self.calls.append(("list_dashboards", {"DashboardNamePrefix": DashboardNamePrefix}))
        return {
            "DashboardEntries": [
                {
                    "DashboardName": name,
                    "DashboardArn": stored["DashboardArn"],
                    "Size": len(stored["Body"]),
                    "LastModified": "2025-01-31T12:00:00+00:00",
                }
                for name, stored in self.dashboards.items()
                if name.startswith(DashboardNamePrefix)
            ]
        }


@pytest.fixture
def fake():
    return FakeCloudWatch()


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(cloud.time, "sleep", lambda seconds: None)


def present(fake, body=None, check_mode=False):
    body = BODY if body is None else body
    return cloudwatch_dashboard.ensure_present(fake, NAME, cloudwatch_dashboard.parse_body(body), check_mode)


def absent(fake, check_mode=False):
    return cloudwatch_dashboard.ensure_absent(fake, NAME, check_mode)


def test_check_mode_plans_the_creation_and_calls_nothing(fake):
    changed, dashboard, diff, warnings = present(fake, check_mode=True)
    assert changed and warnings == []
    assert fake.mutating_calls() == []
    assert dashboard == {"name": NAME, "arn": None, "body": BODY, "size": len(serialize_body(BODY))}
    assert diff == {"before": {}, "after": BODY}


def test_create_then_rerun_changes_nothing(fake):
    changed, dashboard, diff, _warnings = present(fake)
    assert changed
    assert dashboard["name"] == NAME and dashboard["arn"] == ARN
    assert dashboard["body"] == BODY
    assert dashboard["size"] == len(fake.dashboards[NAME]["Body"].encode())
    assert set(dashboard) == {"name", "arn", "body", "size"}
    assert diff == {"before": {}, "after": BODY}
    assert fake.mutating_calls() == ["put_dashboard"]
    assert fake.calls[-2][1]["DashboardBody"] == serialize_body(BODY)
    fake.calls.clear()
    assert not present(fake, check_mode=True)[0]
    changed, again, diff, _warnings = present(fake)
    assert not changed and again == dashboard
    assert diff == {"before": BODY, "after": BODY}
    assert fake.mutating_calls() == []


@pytest.mark.parametrize(
    "same_body",
    [
        pytest.param(json.dumps(BODY), id="json-string"),
        pytest.param(json.dumps(BODY, indent=4, sort_keys=True), id="json-string-sorted-indented"),
        pytest.param(YAML_BODY, id="yaml-string"),
        pytest.param(json.loads(json.dumps(BODY).replace('"width": 12', '"width": 12.0')), id="float-width"),
    ],
)
def test_same_body_in_another_form_is_no_change(fake, same_body):
    present(fake)
    fake.calls.clear()
    assert not present(fake, same_body, check_mode=True)[0]
    assert not present(fake, same_body)[0]
    assert fake.mutating_calls() == []


@pytest.mark.parametrize(
    "path, value",
    [
        pytest.param(("width",), "12", id="string-is-not-number"),
        pytest.param(("properties", "stacked"), 0, id="false-is-not-0"),
        pytest.param(("width",), 12.5, id="fraction"),
        pytest.param(("properties", "title"), "API p99", id="title"),
    ],
)
def test_a_real_difference_is_a_change_in_check_mode_and_real(fake, path, value):
    present(fake)
    changed_body = copy.deepcopy(BODY)
    target = changed_body["widgets"][0]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    fake.calls.clear()
    changed, planned, diff, _warnings = present(fake, changed_body, check_mode=True)
    assert changed and fake.mutating_calls() == []
    # compared as serialised JSON: in Python, False == 0 and the dicts would compare equal
    assert planned["arn"] == ARN and serialize_body(planned["body"]) == serialize_body(changed_body)
    assert serialize_body(diff["after"]) == serialize_body(changed_body) and diff["before"] == BODY
    changed, dashboard, diff, _warnings = present(fake, changed_body)
    assert changed and serialize_body(dashboard["body"]) == serialize_body(changed_body)
    assert serialize_body(dashboard["body"]) != serialize_body(BODY)
    assert serialize_body(diff["before"]) == serialize_body(BODY)
    assert not present(fake, changed_body)[0]


def test_widget_order_matters(fake):
    present(fake)
    swapped = dict(BODY, widgets=list(reversed(BODY["widgets"])))
    assert present(fake, swapped)[0]


def test_absent_deletes_once_and_check_mode_deletes_nothing(fake):
    present(fake)
    changed, dashboard, diff, _warnings = absent(fake, check_mode=True)
    assert changed and dashboard == {} and diff == {"before": BODY, "after": {}}
    assert NAME in fake.dashboards
    changed, dashboard, diff, _warnings = absent(fake)
    assert changed and dashboard == {} and diff == {"before": BODY, "after": {}}
    assert NAME not in fake.dashboards
    assert absent(fake, check_mode=True)[0] is False
    assert absent(fake)[0] is False
    assert fake.mutating_calls() == ["put_dashboard", "delete_dashboards"]


def test_dashboard_deleted_between_read_and_delete_is_not_an_error(fake, monkeypatch):
    present(fake)
    real_delete = fake.delete_dashboards

    def delete_twice(DashboardNames):
        real_delete(DashboardNames)
        return real_delete(DashboardNames)

    monkeypatch.setattr(fake, "delete_dashboards", delete_twice)
    assert absent(fake)[0]


def test_refused_body_fails_with_every_validation_message(fake):
    fake.refuse = [
        {"DataPath": "/widgets/0/properties/metrics/0", "Message": "Should NOT have more than 4 items"},
        {"Message": "The dashboard body is invalid"},
    ]
    with pytest.raises(PaymentsCloudWatchError) as raised:
        present(fake)
    message = raised.value.message
    assert f"refused the body of dashboard {NAME}" in message
    assert "/widgets/0/properties/metrics/0: Should NOT have more than 4 items" in message
    assert "The dashboard body is invalid" in message
    assert NAME not in fake.dashboards


def test_accepted_body_with_validation_messages_warns(fake):
    fake.warn = [{"DataPath": "/widgets/0/properties/region", "Message": "Region is not enabled"}]
    changed, dashboard, _diff, warnings = present(fake)
    assert changed and dashboard["body"] == BODY
    assert warnings == [f"dashboard {NAME}: /widgets/0/properties/region: Region is not enabled"]


def test_messages_of_a_put_that_stored_nothing_are_an_error(fake):
    fake.warn = [{"DataPath": "/widgets", "Message": "Should be array"}]
    fake.drop = True
    with pytest.raises(PaymentsCloudWatchError, match="did not store the body.*/widgets: Should be array"):
        present(fake)


def test_throttling_is_retried(fake, monkeypatch):
    real_get = fake.get_dashboard
    answers = iter([client_error("Throttling", "GetDashboard", "Rate exceeded")])

    def flaky_get(DashboardName):
        for error in answers:
            raise error
        return real_get(DashboardName)

    monkeypatch.setattr(fake, "get_dashboard", flaky_get)
    assert present(fake)[0]


def test_errors_become_the_one_error_class(fake, monkeypatch):
    def denied(**_kwargs):
        raise client_error("AccessDenied", "GetDashboard")

    monkeypatch.setattr(fake, "get_dashboard", denied)
    with pytest.raises(PaymentsCloudWatchError, match="get dashboard"):
        present(fake)
    with pytest.raises(PaymentsCloudWatchError, match="get dashboard"):
        absent(fake)


# ---------------------------------------------------------------- main()


@pytest.mark.parametrize(
    "args, message",
    [
        ({"name": "bad name", "body": BODY}, "not a valid dashboard name"),
        ({"name": "x" * 256, "body": BODY}, "not a valid dashboard name"),
        ({"name": NAME}, "state is present but all of the following are missing: body"),
        ({"name": NAME, "body": "[1, 2]"}, "must be a JSON object, not a list"),
        ({"name": NAME, "body": "widgets: [a: b"}, "neither valid JSON nor YAML"),
        ({"name": NAME, "body": {"start": "-PT3H"}}, "body.widgets must be a list"),
        ({"name": NAME, "body": {"widgets": ["text"]}}, "body.widgets[0] must be an object"),
        ({"name": NAME, "body": {"widgets": [{"x": float("nan")}]}}, "body.widgets[0].x: nan is not a JSON number"),
        ({"name": NAME, "body": "widgets: []\nstart: 2025-01-31\n"}, "body.start: a date"),
    ],
)
def test_main_refuses_invalid_arguments(run_module, fake, args, message):
    ok, result = run_module(cloudwatch_dashboard, dict(args, region=REGION), fake)
    assert not ok
    assert message in result["msg"]
    assert fake.calls == []


def test_main_returns_dashboard_and_diff(run_module, fake):
    args = {"name": NAME, "body": json.dumps(BODY), "region": REGION, "_ansible_diff": True}
    ok, result = run_module(cloudwatch_dashboard, dict(args, _ansible_check_mode=True), fake)
    assert ok and result["changed"] and fake.mutating_calls() == []
    assert result["diff"] == {"before": {}, "after": BODY}
    ok, result = run_module(cloudwatch_dashboard, args, fake)
    assert ok and result["changed"]
    assert result["dashboard"]["arn"] == ARN and result["dashboard"]["body"] == BODY
    ok, result = run_module(cloudwatch_dashboard, {"name": NAME, "body": YAML_BODY, "region": REGION}, fake)
    assert ok and not result["changed"] and "diff" not in result
    ok, result = run_module(cloudwatch_dashboard, {"name": NAME, "state": "absent", "region": REGION}, fake)
    assert ok and result["changed"] and result["dashboard"] == {}


def test_main_fails_with_validation_messages_and_warns(run_module, fake):
    fake.refuse = [{"DataPath": "/widgets/0/type", "Message": "Should be equal to one of the allowed values"}]
    ok, result = run_module(cloudwatch_dashboard, {"name": NAME, "body": BODY, "region": REGION}, fake)
    assert not ok
    assert "/widgets/0/type: Should be equal to one of the allowed values" in result["msg"]
    assert result["error"]["code"] == "InvalidParameterInput"
    fake.refuse = None
    fake.warn = [{"Message": "Some widgets might not render"}]
    ok, result = run_module(cloudwatch_dashboard, {"name": NAME, "body": BODY, "region": REGION}, fake)
    assert ok and result["changed"]
    assert result["warnings"] == [f"dashboard {NAME}: Some widgets might not render"]


# ---------------------------------------------------------------- cloudwatch_dashboard_info


def test_info_reads_one_dashboard_by_name(run_module, fake):
    ok, result = run_module(cloudwatch_dashboard_info, {"name": NAME, "region": REGION}, fake)
    assert ok and not result["changed"]
    assert result["exists"] is False and result["dashboard"] == {} and "dashboards" not in result
    present(fake)
    ok, result = run_module(cloudwatch_dashboard_info, {"name": NAME, "region": REGION}, fake)
    assert ok and result["exists"] is True
    assert result["dashboard"] == present(fake)[1]


def test_info_lists_dashboards_by_prefix_without_bodies(run_module, fake):
    present(fake)
    fake.store("other-dashboard", json.dumps({"widgets": []}))
    fake.store("payment-a", json.dumps({"widgets": []}))
    ok, result = run_module(cloudwatch_dashboard_info, {"name_prefix": "payment-", "region": REGION}, fake)
    assert ok and "exists" not in result
    assert [item["name"] for item in result["dashboards"]] == ["payment-a", NAME]
    assert set(result["dashboards"][0]) == {"name", "arn", "size", "last_modified"}
    ok, result = run_module(cloudwatch_dashboard_info, {"region": REGION}, fake)
    assert [item["name"] for item in result["dashboards"]] == ["other-dashboard", "payment-a", NAME]


def test_info_name_and_prefix_are_exclusive(run_module, fake):
    ok, result = run_module(cloudwatch_dashboard_info, {"name": NAME, "name_prefix": "p", "region": REGION}, fake)
    assert not ok and "mutually exclusive" in result["msg"]
