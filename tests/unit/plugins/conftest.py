"""Fixtures for module and module_utils unit tests: no network, boto3 clients replaced by fakes."""

import copy
import datetime
import itertools
import json

import pytest
from aws_fakes import Paginator, client_error
from moto import mock_aws

DEFAULT_LOG_FORMAT = (
    "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} "
    "${packets} ${bytes} ${start} ${end} ${action} ${log-status}"
)
MUTATING = ("create_flow_logs", "delete_flow_logs", "create_tags", "delete_tags")


class FakeEC2:
    """An in-memory EC2 client for flow logs and tags, shaped like the AWS API answers.

    reject_same_destination: refuse a second flow log for a resource and destination, whatever its traffic
    type or attributes (what moto does, and what AWS may do), with FlowLogAlreadyExists.
    missing_delete_raises: answer DeleteFlowLogs of an unknown ID with InvalidFlowLogId.NotFound (moto)
    instead of an Unsuccessful item (AWS).
    """

    def __init__(self, reject_same_destination=False, missing_delete_raises=False):
        self.flow_logs = {}
        self.calls = []
        self.reject_same_destination = reject_same_destination
        self.missing_delete_raises = missing_delete_raises
        self._ids = itertools.count(1)

    # helpers for tests
    def add_flow_log(self, **attributes):
        flow_log_id = attributes.pop("FlowLogId", None) or self._next_id()
        flow_log = {
            "FlowLogId": flow_log_id,
            "CreationTime": datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
            + datetime.timedelta(minutes=len(self.flow_logs)),
            "DeliverLogsStatus": "SUCCESS",
            "FlowLogStatus": "ACTIVE",
            "TrafficType": "ALL",
            "LogDestinationType": "cloud-watch-logs",
            "LogFormat": DEFAULT_LOG_FORMAT,
            "MaxAggregationInterval": 600,
            "Tags": [],
        }
        flow_log.update(attributes)
        self.flow_logs[flow_log_id] = flow_log
        return flow_log_id

    def mutating_calls(self):
        return [(name, params) for name, params in self.calls if name in MUTATING]

    def _next_id(self):
        return f"fl-{next(self._ids):017x}"

    # boto3 client surface
    def get_paginator(self, name):
        assert name == "describe_flow_logs"
        return Paginator(self.describe_flow_logs, "FlowLogs")

    def describe_flow_logs(self, FlowLogIds=None, Filters=None):
        self.calls.append(("describe_flow_logs", {"FlowLogIds": FlowLogIds, "Filters": Filters}))
        found = list(self.flow_logs.values())
        if FlowLogIds is not None:
            found = [flow_log for flow_log in found if flow_log["FlowLogId"] in FlowLogIds]
        for flow_filter in Filters or []:
            assert flow_filter["Name"] == "resource-id", flow_filter
            found = [flow_log for flow_log in found if flow_log["ResourceId"] in flow_filter["Values"]]
        return {"FlowLogs": copy.deepcopy(found)}

    def create_flow_logs(self, **params):
        self.calls.append(("create_flow_logs", copy.deepcopy(params)))
        flow_log_ids = []
        for resource_id in params["ResourceIds"]:
            if self.reject_same_destination and any(
                (flow_log["ResourceId"], flow_log.get("LogGroupName"), flow_log.get("LogDestination"))
                == (resource_id, params.get("LogGroupName"), params.get("LogDestination"))
                for flow_log in self.flow_logs.values()
            ):
                raise client_error("FlowLogAlreadyExists", "CreateFlowLogs")
            attributes = {"ResourceId": resource_id, "LogDestinationType": params["LogDestinationType"]}
            for key in ("TrafficType", "LogGroupName", "LogDestination", "DeliverLogsPermissionArn", "LogFormat"):
                if key in params:
                    attributes[key] = params[key]
            if "TrafficType" not in params:
                attributes["TrafficType"] = None
            attributes["MaxAggregationInterval"] = params.get("MaxAggregationInterval", 600)
            for spec in params.get("TagSpecifications", []):
                assert spec["ResourceType"] == "vpc-flow-log"
                attributes["Tags"] = copy.deepcopy(spec["Tags"])
            flow_log_ids.append(self.add_flow_log(**attributes))
            if attributes["TrafficType"] is None:
                del self.flow_logs[flow_log_ids[-1]]["TrafficType"]
        return {"FlowLogIds": flow_log_ids, "Unsuccessful": []}

    def delete_flow_logs(self, FlowLogIds):
        self.calls.append(("delete_flow_logs", {"FlowLogIds": list(FlowLogIds)}))
        unsuccessful = []
        for flow_log_id in FlowLogIds:
            if flow_log_id in self.flow_logs:
                del self.flow_logs[flow_log_id]
                continue
            if self.missing_delete_raises:
                raise client_error("InvalidFlowLogId.NotFound", "DeleteFlowLogs")
            unsuccessful.append(
                {"ResourceId": flow_log_id, "Error": {"Code": "InvalidFlowLogId.NotFound", "Message": "not found"}}
            )
        return {"Unsuccessful": unsuccessful}

    def create_tags(self, Resources, Tags):
        self.calls.append(("create_tags", {"Resources": list(Resources), "Tags": copy.deepcopy(Tags)}))
        for resource in Resources:
            current = {tag["Key"]: tag["Value"] for tag in self.flow_logs[resource]["Tags"]}
            current.update({tag["Key"]: tag["Value"] for tag in Tags})
            self.flow_logs[resource]["Tags"] = [{"Key": key, "Value": value} for key, value in current.items()]
        return {}

    def delete_tags(self, Resources, Tags):
        self.calls.append(("delete_tags", {"Resources": list(Resources), "Tags": copy.deepcopy(Tags)}))
        keys = {tag["Key"] for tag in Tags}
        for resource in Resources:
            self.flow_logs[resource]["Tags"] = [
                tag for tag in self.flow_logs[resource]["Tags"] if tag["Key"] not in keys
            ]
        return {}


@pytest.fixture
def fake_ec2():
    return FakeEC2()


@pytest.fixture
def fake_ec2_factory():
    return FakeEC2


class AnsibleExitJson(Exception):
    """exit_json was called: args[0] is the result."""


class AnsibleFailJson(Exception):
    """fail_json was called: args[0] is the result."""


@pytest.fixture
def run_module(monkeypatch):
    """run_module(module, args, client) -> (exited_ok, result): main() of a module, exit/fail captured.

    module.client() answers with `client`; the result went through JSON like a real module's output.
    """
    from ansible.module_utils import basic
    from ansible.module_utils.testing import patch_module_args

    def exit_json(self, **kwargs):
        raise AnsibleExitJson(json.loads(json.dumps(kwargs, default=str)))

    def fail_json(self, **kwargs):
        raise AnsibleFailJson(json.loads(json.dumps(kwargs, default=str)))

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)

    def _run(module, args, client=None):
        from ansible_collections.payments.infra.plugins.module_utils.modules import PaymentsAWSModule

        monkeypatch.setattr(PaymentsAWSModule, "client", lambda self, service, **kwargs: client)
        with patch_module_args(args):
            try:
                module.main()
            except AnsibleExitJson as e:
                return True, e.args[0]
            except AnsibleFailJson as e:
                return False, e.args[0]
        raise AssertionError("main() returned without exit_json or fail_json")

    return _run


@pytest.fixture
def moto_aws(monkeypatch):
    """moto's in-process AWS for one test: no endpoint or profile from the environment, dummy credentials."""
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield
