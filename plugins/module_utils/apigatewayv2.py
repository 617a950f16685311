# -*- coding: utf-8 -*-

# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One thin wrapper per API Gateway v2 (HTTP API) call our modules make, and the shared normalisation.

Every wrapper retries throttling with AWSRetry.jittered_backoff() and turns botocore errors into
PaymentsApiGatewayV2Error, which a module's main() hands to module.fail_json_aws_error() in one place.
Reads of something that does not exist return None. The Get* list calls page with NextToken (boto3 has no
paginator for several of them), so the wrappers loop themselves.

The normalise_* functions turn an API answer into the snake_case dict the modules return and compare:
lists that AWS treats as sets are sorted, an absent block is None, tags are a dict. What the modules compare (and
the normalisation it needs) is in module_utils/apigatewayv2_compare.py, free of botocore for the
apigatewayv2_differences filter.
"""

from typing import Any
from typing import Callable
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import integration_id_of_target
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import normalize_cors
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import normalize_route_settings
from ansible_collections.payments.infra.plugins.module_utils.apigatewayv2_compare import sorted_list
from ansible_collections.payments.infra.plugins.module_utils.retries import AWSRetry

DEFAULT_STAGE = "$default"


class PaymentsApiGatewayV2Error(AnsibleAWSError):
    """Any failure of an API Gateway v2 call made by payments.infra (or a request it refuses)."""


class ApiGatewayV2ErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = PaymentsApiGatewayV2Error

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("NotFoundException")


def _all_items(call: Callable[..., Dict[str, Any]], **params: Any) -> List[Dict[str, Any]]:
    """Every Items entry of a Get* list call, following NextToken."""
    items = []
    while True:
        response = call(**params)
        items.extend(response.get("Items") or [])
        token = response.get("NextToken")
        if not token:
            return items
        params["NextToken"] = token


def _strip(response: Dict[str, Any]) -> Dict[str, Any]:
    return {key: value for key, value in response.items() if key != "ResponseMetadata"}


# ---------------------------------------------------------------- APIs


@ApiGatewayV2ErrorHandler.list_error_handler("list APIs", [])
@AWSRetry.jittered_backoff()
def list_apis(client) -> List[Dict[str, Any]]:
    return _all_items(client.get_apis)


@ApiGatewayV2ErrorHandler.list_error_handler("get API", None)
@AWSRetry.jittered_backoff()
def get_api(client, api_id: str) -> Optional[Dict[str, Any]]:
    return _strip(client.get_api(ApiId=api_id))


@ApiGatewayV2ErrorHandler.common_error_handler("create API")
@AWSRetry.jittered_backoff()
def create_api(client, **params: Any) -> Dict[str, Any]:
    return _strip(client.create_api(**params))


@ApiGatewayV2ErrorHandler.common_error_handler("update API")
@AWSRetry.jittered_backoff()
def update_api(client, api_id: str, **params: Any) -> Dict[str, Any]:
    return _strip(client.update_api(ApiId=api_id, **params))


@ApiGatewayV2ErrorHandler.deletion_error_handler("delete CORS configuration")
@AWSRetry.jittered_backoff()
def delete_cors_configuration(client, api_id: str) -> bool:
    client.delete_cors_configuration(ApiId=api_id)
    return True


@ApiGatewayV2ErrorHandler.deletion_error_handler("delete API")
@AWSRetry.jittered_backoff()
def delete_api(client, api_id: str) -> bool:
    client.delete_api(ApiId=api_id)
    return True


# ---------------------------------------------------------------- integrations


@ApiGatewayV2ErrorHandler.list_error_handler("list integrations", None)
@AWSRetry.jittered_backoff()
def list_integrations(client, api_id: str) -> Optional[List[Dict[str, Any]]]:
    return _all_items(client.get_integrations, ApiId=api_id)


@ApiGatewayV2ErrorHandler.list_error_handler("get integration", None)
@AWSRetry.jittered_backoff()
def get_integration(client, api_id: str, integration_id: str) -> Optional[Dict[str, Any]]:
    return _strip(client.get_integration(ApiId=api_id, IntegrationId=integration_id))


@ApiGatewayV2ErrorHandler.common_error_handler("create integration")
@AWSRetry.jittered_backoff()
def create_integration(client, api_id: str, **params: Any) -> Dict[str, Any]:
    return _strip(client.create_integration(ApiId=api_id, **params))


@ApiGatewayV2ErrorHandler.common_error_handler("update integration")
@AWSRetry.jittered_backoff()
def update_integration(client, api_id: str, integration_id: str, **params: Any) -> Dict[str, Any]:
    return _strip(client.update_integration(ApiId=api_id, IntegrationId=integration_id, **params))


@ApiGatewayV2ErrorHandler.deletion_error_handler("delete integration")
@AWSRetry.jittered_backoff()
def delete_integration(client, api_id: str, integration_id: str) -> bool:
    client.delete_integration(ApiId=api_id, IntegrationId=integration_id)
    return True


# ---------------------------------------------------------------- routes


@ApiGatewayV2ErrorHandler.list_error_handler("list routes", None)
@AWSRetry.jittered_backoff()
def list_routes(client, api_id: str) -> Optional[List[Dict[str, Any]]]:
    return _all_items(client.get_routes, ApiId=api_id)


@ApiGatewayV2ErrorHandler.common_error_handler("create route")
@AWSRetry.jittered_backoff()
def create_route(client, api_id: str, **params: Any) -> Dict[str, Any]:
    return _strip(client.create_route(ApiId=api_id, **params))


@ApiGatewayV2ErrorHandler.common_error_handler("update route")
@AWSRetry.jittered_backoff()
def update_route(client, api_id: str, route_id: str, **params: Any) -> Dict[str, Any]:
    return _strip(client.update_route(ApiId=api_id, RouteId=route_id, **params))


@ApiGatewayV2ErrorHandler.deletion_error_handler("delete route")
@AWSRetry.jittered_backoff()
def delete_route(client, api_id: str, route_id: str) -> bool:
    client.delete_route(ApiId=api_id, RouteId=route_id)
    return True


# ---------------------------------------------------------------- stages


@ApiGatewayV2ErrorHandler.list_error_handler("list stages", None)
@AWSRetry.jittered_backoff()
def list_stages(client, api_id: str) -> Optional[List[Dict[str, Any]]]:
    return _all_items(client.get_stages, ApiId=api_id)


@ApiGatewayV2ErrorHandler.list_error_handler("get stage", None)
@AWSRetry.jittered_backoff()
def get_stage(client, api_id: str, stage_name: str) -> Optional[Dict[str, Any]]:
    return _strip(client.get_stage(ApiId=api_id, StageName=stage_name))


@ApiGatewayV2ErrorHandler.common_error_handler("create stage")
@AWSRetry.jittered_backoff()
def create_stage(client, api_id: str, **params: Any) -> Dict[str, Any]:
    return _strip(client.create_stage(ApiId=api_id, **params))


@ApiGatewayV2ErrorHandler.common_error_handler("update stage")
@AWSRetry.jittered_backoff()
def update_stage(client, api_id: str, stage_name: str, **params: Any) -> Dict[str, Any]:
    return _strip(client.update_stage(ApiId=api_id, StageName=stage_name, **params))


@ApiGatewayV2ErrorHandler.deletion_error_handler("delete stage")
@AWSRetry.jittered_backoff()
def delete_stage(client, api_id: str, stage_name: str) -> bool:
    client.delete_stage(ApiId=api_id, StageName=stage_name)
    return True


# ---------------------------------------------------------------- VPC links


@ApiGatewayV2ErrorHandler.list_error_handler("list VPC links", [])
@AWSRetry.jittered_backoff()
def list_vpc_links(client) -> List[Dict[str, Any]]:
    return _all_items(client.get_vpc_links)


@ApiGatewayV2ErrorHandler.list_error_handler("get VPC link", None)
@AWSRetry.jittered_backoff()
def get_vpc_link(client, vpc_link_id: str) -> Optional[Dict[str, Any]]:
    return _strip(client.get_vpc_link(VpcLinkId=vpc_link_id))


@ApiGatewayV2ErrorHandler.common_error_handler("create VPC link")
@AWSRetry.jittered_backoff()
def create_vpc_link(client, **params: Any) -> Dict[str, Any]:
    return _strip(client.create_vpc_link(**params))


@ApiGatewayV2ErrorHandler.common_error_handler("update VPC link")
@AWSRetry.jittered_backoff()
def update_vpc_link(client, vpc_link_id: str, **params: Any) -> Dict[str, Any]:
    return _strip(client.update_vpc_link(VpcLinkId=vpc_link_id, **params))


@ApiGatewayV2ErrorHandler.deletion_error_handler("delete VPC link")
@AWSRetry.jittered_backoff()
def delete_vpc_link(client, vpc_link_id: str) -> bool:
    client.delete_vpc_link(VpcLinkId=vpc_link_id)
    return True


# ---------------------------------------------------------------- tags (APIs, stages, VPC links)


@ApiGatewayV2ErrorHandler.common_error_handler("tag resource")
@AWSRetry.jittered_backoff()
def tag_resource(client, resource_arn: str, tags: Dict[str, str]) -> bool:
    client.tag_resource(ResourceArn=resource_arn, Tags=tags)
    return True


@ApiGatewayV2ErrorHandler.common_error_handler("untag resource")
@AWSRetry.jittered_backoff()
def untag_resource(client, resource_arn: str, tag_keys: List[str]) -> bool:
    client.untag_resource(ResourceArn=resource_arn, TagKeys=tag_keys)
    return True


def apply_tags(client, resource_arn: str, to_set: Dict[str, str], to_unset: List[str]) -> None:
    if to_unset:
        untag_resource(client, resource_arn, to_unset)
    if to_set:
        tag_resource(client, resource_arn, to_set)


# ---------------------------------------------------------------- ARNs


def api_arn(partition: str, region: str, api_id: str) -> str:
    """ARN of an API as a resource of API Gateway (what TagResource takes)."""
    return f"arn:{partition}:apigateway:{region}::/apis/{api_id}"


def stage_arn(partition: str, region: str, api_id: str, stage_name: str) -> str:
    return f"{api_arn(partition, region, api_id)}/stages/{stage_name}"


def vpc_link_arn(partition: str, region: str, vpc_link_id: str) -> str:
    return f"arn:{partition}:apigateway:{region}::/vpclinks/{vpc_link_id}"


def execution_arn(partition: str, region: str, account_id: Optional[str], api_id: Optional[str]) -> Optional[str]:
    """The execute-api ARN prefix of an API, as Lambda permissions and IAM policies name it."""
    if not api_id or not account_id:
        return None
    return f"arn:{partition}:execute-api:{region}:{account_id}:{api_id}"


# ---------------------------------------------------------------- normalisation


def iso(value: Any) -> Optional[str]:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def cors_to_api(cors: Dict[str, Any]) -> Dict[str, Any]:
    """A normalised CORS configuration as UpdateApi/CreateApi take it."""
    mapping = {
        "allow_credentials": "AllowCredentials",
        "allow_headers": "AllowHeaders",
        "allow_methods": "AllowMethods",
        "allow_origins": "AllowOrigins",
        "expose_headers": "ExposeHeaders",
        "max_age": "MaxAge",
    }
    return {mapping[key]: value for key, value in cors.items() if value not in (None, [])}


def normalize_api(
    api: Optional[Dict[str, Any]], partition: str, region: str, account_id: Optional[str]
) -> Optional[Dict[str, Any]]:
    if not api:
        return None
    api_id = api.get("ApiId")
    return {
        "api_id": api_id,
        "name": api.get("Name"),
        "arn": api_arn(partition, region, api_id) if api_id else None,
        "execution_arn": execution_arn(partition, region, account_id, api_id),
        "api_endpoint": api.get("ApiEndpoint"),
        "protocol_type": api.get("ProtocolType"),
        "description": api.get("Description"),
        "cors_configuration": normalize_cors(api.get("CorsConfiguration")),
        "disable_execute_api_endpoint": bool(api.get("DisableExecuteApiEndpoint", False)),
        "route_selection_expression": api.get("RouteSelectionExpression"),
        "api_key_selection_expression": api.get("ApiKeySelectionExpression"),
        "created_date": iso(api.get("CreatedDate")),
        "tags": dict(api.get("Tags") or {}),
    }


def normalize_integration(integration: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    if not integration:
        return None
    tls = integration.get("TlsConfig") or {}
    return {
        "integration_id": integration.get("IntegrationId"),
        "integration_type": integration.get("IntegrationType"),
        "integration_uri": integration.get("IntegrationUri"),
        "integration_method": integration.get("IntegrationMethod"),
        "connection_type": integration.get("ConnectionType") or "INTERNET",
        "connection_id": integration.get("ConnectionId"),
        "payload_format_version": integration.get("PayloadFormatVersion"),
        "timeout_in_millis": integration.get("TimeoutInMillis"),
        "description": integration.get("Description"),
        "tls_config": {"server_name_to_verify": tls["ServerNameToVerify"]} if tls.get("ServerNameToVerify") else None,
        "request_parameters": dict(integration.get("RequestParameters") or {}),
    }


def normalize_route(route: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    if not route:
        return None
    return {
        "route_id": route.get("RouteId"),
        "route_key": route.get("RouteKey"),
        "target": route.get("Target"),
        "integration_id": integration_id_of_target(route.get("Target")),
        "authorization_type": route.get("AuthorizationType") or "NONE",
        "authorizer_id": route.get("AuthorizerId"),
        "authorization_scopes": sorted_list(route.get("AuthorizationScopes")),
        "api_key_required": bool(route.get("ApiKeyRequired", False)),
        "operation_name": route.get("OperationName"),
    }


def route_settings_to_api(settings: Dict[str, Any]) -> Dict[str, Any]:
    mapping = {
        "throttling_burst_limit": "ThrottlingBurstLimit",
        "throttling_rate_limit": "ThrottlingRateLimit",
        "detailed_metrics_enabled": "DetailedMetricsEnabled",
    }
    return {mapping[key]: value for key, value in settings.items() if key in mapping and value is not None}


def normalize_stage(stage: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    if not stage:
        return None
    logs = stage.get("AccessLogSettings") or {}
    return {
        "stage_name": stage.get("StageName"),
        "description": stage.get("Description"),
        "auto_deploy": bool(stage.get("AutoDeploy", False)),
        "deployment_id": stage.get("DeploymentId"),
        "access_log_settings": (
            {"destination_arn": logs.get("DestinationArn"), "format": logs.get("Format")}
            if logs.get("DestinationArn")
            else None
        ),
        "default_route_settings": normalize_route_settings(stage.get("DefaultRouteSettings")),
        "route_settings": {
            key: normalize_route_settings(value) for key, value in (stage.get("RouteSettings") or {}).items()
        },
        "stage_variables": dict(stage.get("StageVariables") or {}),
        "created_date": iso(stage.get("CreatedDate")),
        "last_updated_date": iso(stage.get("LastUpdatedDate")),
        "tags": dict(stage.get("Tags") or {}),
    }


def normalize_vpc_link(link: Optional[Dict[str, Any]], partition: str, region: str) -> Optional[Dict[str, Any]]:
    if not link:
        return None
    link_id = link.get("VpcLinkId")
    return {
        "vpc_link_id": link_id,
        "name": link.get("Name"),
        "arn": vpc_link_arn(partition, region, link_id) if link_id else None,
        "subnet_ids": sorted_list(link.get("SubnetIds")),
        "security_group_ids": sorted_list(link.get("SecurityGroupIds")),
        "vpc_link_status": link.get("VpcLinkStatus"),
        "vpc_link_status_message": link.get("VpcLinkStatusMessage"),
        "vpc_link_version": link.get("VpcLinkVersion"),
        "created_date": iso(link.get("CreatedDate")),
        "tags": dict(link.get("Tags") or {}),
    }


# ---------------------------------------------------------------- matching and comparison


def find_one(items: List[Dict[str, Any]], matches: Callable[[Dict[str, Any]], bool], what: str, hint: str):
    """The one item that matches, None when none does; several are refused (a rerun must never guess)."""
    found = [item for item in items if matches(item)]
    if len(found) > 1:
        raise PaymentsApiGatewayV2Error(message=f"{len(found)} {what} match; {hint}")
    return found[0] if found else None


def drop_none(values: Dict[str, Any]) -> Dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def exit_with_result(module, result: Dict[str, Any], resource_key: Optional[str] = None, id_key: Optional[str] = None):
    """End an apigatewayv2_* module: the resource's id at the top level, diff only in diff mode."""
    if resource_key:
        result[id_key] = (result[resource_key] or {}).get(id_key)
    module.exit_with_diff(result)
