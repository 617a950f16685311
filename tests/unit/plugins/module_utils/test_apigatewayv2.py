"""payments.infra apigatewayv2 (and apigatewayv2_compare) module_utils: paging, matching, normalisation."""

import pytest
from ansible_collections.payments.infra.plugins.module_utils import apigatewayv2 as utils
from ansible_collections.payments.infra.plugins.module_utils import apigatewayv2_compare as compare
from botocore.exceptions import ClientError


class PagedClient:
    """get_apis answering in pages of two, with NextToken, like AWS does."""

    def __init__(self, items):
        self.items = items
        self.tokens = []

    def get_apis(self, NextToken=None):
        self.tokens.append(NextToken)
        start = int(NextToken or 0)
        page = {"Items": self.items[start : start + 2]}
        if start + 2 < len(self.items):
            page["NextToken"] = str(start + 2)
        return page


class MissingClient:
    def get_api(self, ApiId):
        raise ClientError({"Error": {"Code": "NotFoundException", "Message": "no"}}, "GetApi")

    def delete_api(self, ApiId):
        raise ClientError({"Error": {"Code": "NotFoundException", "Message": "no"}}, "DeleteApi")

    def create_api(self, **params):
        raise ClientError({"Error": {"Code": "BadRequestException", "Message": "bad"}}, "CreateApi")


def test_list_follows_next_token_over_every_page():
    client = PagedClient([{"ApiId": str(n)} for n in range(5)])
    assert [api["ApiId"] for api in utils.list_apis(client)] == ["0", "1", "2", "3", "4"]
    assert client.tokens == [None, "2", "4"]


def test_missing_resources_read_as_none_and_deletes_as_false_other_errors_raise():
    client = MissingClient()
    assert utils.get_api(client, "x") is None
    assert utils.delete_api(client, "x") is False
    with pytest.raises(utils.PaymentsApiGatewayV2Error):
        utils.create_api(client, Name="x", ProtocolType="HTTP")


def test_find_one_refuses_several_matches():
    items = [{"Name": "a"}, {"Name": "a"}, {"Name": "b"}]
    assert utils.find_one(items, lambda item: item["Name"] == "b", "APIs", "hint") == {"Name": "b"}
    assert utils.find_one(items, lambda item: item["Name"] == "c", "APIs", "hint") is None
    with pytest.raises(utils.PaymentsApiGatewayV2Error, match="2 APIs match; hint"):
        utils.find_one(items, lambda item: item["Name"] == "a", "APIs", "hint")


def test_cors_compares_lists_as_sets_and_empty_as_none():
    from_api = compare.normalize_cors(
        {"AllowOrigins": ["https://b", "https://a"], "AllowMethods": ["POST"], "MaxAge": 5}
    )
    from_options = compare.normalize_cors(
        {"allow_origins": ["https://a", "https://b"], "allow_methods": ["POST"], "max_age": 5, "allow_headers": None}
    )
    assert from_api == from_options
    assert compare.normalize_cors({}) is None
    assert compare.normalize_cors({"allow_origins": None, "allow_methods": [], "max_age": None}) is None
    assert utils.cors_to_api(from_api) == {
        "AllowOrigins": ["https://a", "https://b"],
        "AllowMethods": ["POST"],
        "MaxAge": 5,
    }


def test_access_log_format_compares_as_parsed_json():
    assert compare.parse_log_format('{"a": "$context.requestId", "b": 1}') == compare.parse_log_format(
        '{"b":1,"a":"$context.requestId"}'
    )
    assert compare.parse_log_format("$context.requestId $context.status") == "$context.requestId $context.status"
    assert compare.parse_log_format(None) is None


def test_arns():
    assert (
        utils.execution_arn("aws", "eu-west-1", "123456789012", "abc")
        == "arn:aws:execute-api:eu-west-1:123456789012:abc"
    )
    assert utils.execution_arn("aws", "eu-west-1", "123456789012", None) is None
    assert utils.api_arn("aws-cn", "cn-north-1", "abc") == "arn:aws-cn:apigateway:cn-north-1::/apis/abc"
    assert (
        utils.stage_arn("aws", "us-east-1", "abc", "$default")
        == "arn:aws:apigateway:us-east-1::/apis/abc/stages/$default"
    )
    assert utils.vpc_link_arn("aws", "us-east-1", "vl") == "arn:aws:apigateway:us-east-1::/vpclinks/vl"


def test_differences_only_looks_at_what_was_set():
    current = {"a": 1, "b": [1, 2], "c": None}
    assert compare.differences(current, {}) == []
    assert compare.differences(current, {"a": 1, "b": [1, 2]}) == []
    assert compare.differences(current, {"a": 2, "c": "x", "d": 0}) == ["a", "c", "d"]
    assert compare.differences(None, {"a": 1}) == ["a"]


def test_normalisers_fill_aws_defaults():
    route = utils.normalize_route({"RouteId": "r", "RouteKey": "$default", "Target": "integrations/i1"})
    assert route["integration_id"] == "i1"
    assert route["authorization_type"] == "NONE"
    integration = utils.normalize_integration({"IntegrationId": "i", "IntegrationType": "AWS_PROXY"})
    assert integration["connection_type"] == "INTERNET"
    assert integration["tls_config"] is None
    stage = utils.normalize_stage({"StageName": "$default", "RouteSettings": {"GET /": {"ThrottlingBurstLimit": 1}}})
    assert stage["route_settings"]["GET /"]["throttling_burst_limit"] == 1
    assert stage["default_route_settings"] == {
        "throttling_burst_limit": None,
        "throttling_rate_limit": None,
        "detailed_metrics_enabled": None,
    }
    assert utils.normalize_vpc_link({"VpcLinkId": "v", "SubnetIds": ["b", "a"]}, "aws", "us-east-1")["subnet_ids"] == [
        "a",
        "b",
    ]
    for normalize in (utils.normalize_route, utils.normalize_integration, utils.normalize_stage):
        assert normalize(None) is None
