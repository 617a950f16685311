"""Run moto_server on 127.0.0.1 with a request log and the few patches payments.infra needs.

Each patch restores a documented AWS behaviour that moto 5.2.x lacks and that correct client code
(amazon.aws modules, ours) relies on. None of them hides a defect in our own code: each is small,
named, and covered by a test in tests/unit/scripts/.
"""

import io
import json
import re
import threading
import time
from urllib.parse import parse_qs

_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")
_LOG_LOCK = threading.Lock()


def _operation(environ, body):
    """Service and operation of one AWS API request, from its signature and protocol."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    match = _CREDENTIAL_SCOPE.search(auth)
    service = match.group(1) if match else "unsigned"
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return service, target.rsplit(".", 1)[-1]
    query = parse_qs(environ.get("QUERY_STRING", ""))
    if "Action" in query:
        return service, query["Action"][0]
    content_type = environ.get("CONTENT_TYPE", "")
    if body and "x-www-form-urlencoded" in content_type:
        form = parse_qs(body.decode("utf-8", errors="replace"))
        if "Action" in form:
            return service, form["Action"][0]
    path = re.sub(r"/[0-9a-zA-Z_.:%-]{12,}", "/{id}", environ.get("PATH_INFO", "/"))
    return service, f"{environ.get('REQUEST_METHOD', 'GET')} {path}"


class RequestLog:
    """WSGI middleware appending one JSON line per AWS request (not moto's own /moto-api calls)."""

    def __init__(self, app, path):
        self.app = app
        self.path = path

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith("/moto-api"):
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        service, operation = _operation(environ, body)
        status_holder = {}

        def _start_response(status, headers, exc_info=None):
            status_holder["status"] = int(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info)

        result = self.app(environ, _start_response)
        entry = {
            "ts": round(time.time(), 3),
            "service": service,
            "operation": operation,
            "status": status_holder.get("status"),
        }
        with _LOG_LOCK, open(self.path, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")
        return result


def patch_nat_gateway_tag_resource_type():
    """DescribeTags reports NAT gateways with resource type ``natgateway`` in AWS (moto: ``nat-gateway``).

    AWS documents the resource-type filter value ``natgateway`` (EC2 API reference, DescribeTags).
    amazon.aws.ec2_vpc_nat_gateway filters on it, so under moto it sees no tags and re-tags every run.
    """
    from moto.ec2 import utils  # pylint: disable=import-outside-toplevel

    utils.EC2_PREFIX_TO_RESOURCE[utils.EC2_RESOURCE_TO_PREFIX["nat-gateway"]] = "natgateway"
    return "nat-gateway-tag-resource-type"


def patch_kms_schedule_key_deletion_by_arn():
    """ScheduleKeyDeletion accepts a key ARN as well as a key ID in AWS (moto: KeyError, HTTP 500).

    AWS KMS API reference, ScheduleKeyDeletion, KeyId: "Specify the key ID or key ARN of the KMS key".
    amazon.aws.kms_key state=absent passes the ARN.
    """
    from moto.kms.models import KmsBackend  # pylint: disable=import-outside-toplevel

    original = KmsBackend.schedule_key_deletion

    def schedule_key_deletion(self, key_id, pending_window_in_days):
        return original(self, self.any_id_to_key_id(key_id), pending_window_in_days)

    KmsBackend.schedule_key_deletion = schedule_key_deletion
    return "kms-schedule-key-deletion-by-arn"


# Engine defaults of the aurora-postgresql families for the parameters payments.infra sets (value, apply type).
AURORA_POSTGRESQL_DEFAULTS = {
    "rds.force_ssl": ("0", "dynamic"),
    "log_connections": ("0", "dynamic"),
    "log_disconnections": ("0", "dynamic"),
    "log_min_duration_statement": (None, "dynamic"),
    "shared_preload_libraries": ("pg_stat_statements", "static"),
    "pgaudit.log": (None, "dynamic"),
}


def patch_cluster_parameter_group_family_defaults():
    """A new DB cluster parameter group lists its family's parameters in AWS (moto: none).

    AWS DescribeDBClusterParameters returns every parameter of the group's family, with its engine-default
    value and apply type; amazon.aws.rds_cluster_param_group refuses to set a parameter the group does not
    list. moto lists none, so this restores the aurora-postgresql defaults of the parameters our stack sets.
    """
    from moto.rds import models  # pylint: disable=import-outside-toplevel

    original = models.DBClusterParameterGroup.__init__

    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if not str(self.db_parameter_group_family).startswith("aurora-postgresql"):
            return
        for name, (value, apply_type) in AURORA_POSTGRESQL_DEFAULTS.items():
            entry = {"IsModifiable": True, "ApplyType": apply_type, "Source": "engine-default"}
            entry["ApplyMethod"] = "pending-reboot" if apply_type == "static" else "immediate"
            if value is not None:
                entry["ParameterValue"] = value
            self.parameters.setdefault(name, entry)

    models.DBClusterParameterGroup.__init__ = __init__
    return "cluster-parameter-group-family-defaults"


def patch_wafv2_list_resources_for_web_acl():
    """ListResourcesForWebACL lists the resources a web ACL is associated with in AWS (moto: not implemented).

    AWS WAFV2 API reference, ListResourcesForWebACL: "Retrieves an array of the Amazon Resource Names (ARNs)
    for the regional resources that are associated with the specified web ACL". community.aws.wafv2_resources
    reads the associations with it; moto answers NotImplementedError (HTTP 500) although it keeps them.
    """
    from moto.wafv2.responses import WAFV2Response  # pylint: disable=import-outside-toplevel

    def list_resources_for_web_acl(self):
        arn = json.loads(self.body)["WebACLArn"]
        web_acl = self.wafv2_backend.wacls.get(arn)
        resources = list(web_acl.associated_resources) if web_acl else []
        return 200, {"Content-Type": "application/json"}, json.dumps({"ResourceArns": resources})

    WAFV2Response.list_resources_for_web_acl = list_resources_for_web_acl
    return "wafv2-list-resources-for-web-acl"


# Lambda account quotas AWS applies by default (GetAccountSettings AccountLimit, Lambda quotas page).
LAMBDA_ACCOUNT_LIMIT = {
    "TotalCodeSize": 80530636800,
    "CodeSizeUnzipped": 262144000,
    "CodeSizeZipped": 52428800,
    "ConcurrentExecutions": 1000,
}


def patch_lambda_get_account_settings():
    """GetAccountSettings reports the account's Lambda limits and usage in AWS (moto: 404 "Not yet implemented").

    AWS Lambda API reference, GetAccountSettings: AccountLimit.ConcurrentExecutions (1000 by default) and
    UnreservedConcurrentExecutions (that minus the reserved concurrency of every function), AccountUsage.
    The lambda role checks the unreserved concurrency before it reserves any.
    """
    from moto.awslambda import responses, urls  # pylint: disable=import-outside-toplevel

    def get_account_settings(self):
        functions = list(self.backend.list_functions())
        reserved = sum(int(function.reserved_concurrency or 0) for function in functions)
        limit = dict(LAMBDA_ACCOUNT_LIMIT)
        limit["UnreservedConcurrentExecutions"] = limit["ConcurrentExecutions"] - reserved
        usage = {"TotalCodeSize": sum(int(f.code_size or 0) for f in functions), "FunctionCount": len(functions)}
        return 200, {}, json.dumps({"AccountLimit": limit, "AccountUsage": usage})

    responses.LambdaResponse.get_account_settings = get_account_settings
    urls.url_paths[r"{0}/(?P<api_version>[^/]+)/account-settings/?$"] = responses.LambdaResponse.dispatch
    return "lambda-get-account-settings"


def patch_alb_attribute_defaults():
    """DescribeLoadBalancerAttributes of a new ALB reports every attribute with its default in AWS (moto: some omitted).

    AWS ELBv2 API reference, LoadBalancerAttribute: access_logs.s3.enabled (default false),
    idle_timeout.timeout_seconds (60), routing.http.drop_invalid_header_fields.enabled (false).
    amazon.aws.elb_application_lb reads them when those options are set and fails with a KeyError on moto.
    """
    from moto.elbv2.models import FakeLoadBalancer  # pylint: disable=import-outside-toplevel

    original = FakeLoadBalancer.__init__
    defaults = {
        "access_logs.s3.enabled": "false",
        "idle_timeout.timeout_seconds": "60",
        "routing.http.drop_invalid_header_fields.enabled": "false",
    }

    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if self.type == "application":
            for key, value in defaults.items():
                self.attrs.setdefault(key, value)

    FakeLoadBalancer.__init__ = __init__
    return "alb-attribute-defaults"


# Slow-emulator mode (PAYMENTS_EMULATOR_DELAYS): typical real-AWS creation times, in seconds, of the resources
# whose waits dominate a converge. Sources: AWS docs and observed Terraform/CloudFormation create times (Aurora
# cluster without instances 1-2 min, Aurora instance 8-12 min, NAT gateway 1-2 min, ALB 2-3 min, HTTP API VPC
# link 2-5 min). amazon.aws waits at most: NatGatewayAvailable 5 s x 40, LoadBalancerAvailable 15 s x 40,
# DBClusterAvailable 20 s x 60, RDS instance waiter 60 s x 60 (module_utils/waiters.py, rds.py).
REAL_AWS_CREATE_SECONDS = {
    "nat_gateway": 120,
    "db_cluster": 120,
    "db_instance": 600,
    "load_balancer": 180,
    "vpc_link": 180,
}
DEFAULT_DELAY_SCALE = 10
_CREATE_DELAYS = {}


def creation_delays(spec):
    """Seconds each resource type stays in its in-progress state, from a PAYMENTS_EMULATOR_DELAYS JSON object.

    ``{}`` gives the real-AWS figures divided by DEFAULT_DELAY_SCALE; ``"scale"`` sets the divisor; a resource type
    given in seconds is used as it is.
    """
    spec = json.loads(spec) if isinstance(spec, str) else dict(spec)
    unknown = set(spec) - set(REAL_AWS_CREATE_SECONDS) - {"scale"}
    if unknown:
        raise ValueError(f"PAYMENTS_EMULATOR_DELAYS: unknown resource types {sorted(unknown)}")
    scale = float(spec.pop("scale", DEFAULT_DELAY_SCALE))
    delays = {kind: seconds / scale for kind, seconds in REAL_AWS_CREATE_SECONDS.items()}
    delays.update({kind: float(seconds) for kind, seconds in spec.items()})
    return delays


def _ready(resource):
    return time.time() >= resource.__dict__.get("_payments_ready_at", 0)


def _start_clock(cls, kind):
    original = cls.__init__

    def __init__(self, *args, **kwargs):
        self.__dict__["_payments_ready_at"] = time.time() + _CREATE_DELAYS.get(kind, 0)
        original(self, *args, **kwargs)

    cls.__init__ = __init__


def _delayed_attribute(cls, name, final, pending, kind):
    """Turn the plain attribute ``name`` into one that reads ``pending`` instead of ``final`` until ready."""
    slot = f"_payments_{name}"

    def getter(self):
        value = self.__dict__.get(slot)
        return pending if value == final and not _ready(self) else value

    def setter(self, value):
        self.__dict__[slot] = value

    setattr(cls, name, property(getter, setter))
    _start_clock(cls, kind)


def patch_creation_delays():
    """Slow-emulator mode: new resources report their in-progress state for a while, as in AWS (moto: at once).

    With PAYMENTS_EMULATOR_DELAYS set (see creation_delays), NAT gateways stay ``pending``, Aurora clusters and
    instances ``creating``, ALBs ``provisioning`` and API Gateway v2 VPC links ``PENDING`` for their delay after
    creation, so waits in the playbooks really wait and converge times can be modelled. Unset: no delay.
    """
    import os  # pylint: disable=import-outside-toplevel

    from moto.apigatewayv2.models import VpcLink  # pylint: disable=import-outside-toplevel
    from moto.ec2.models.nat_gateways import NatGateway  # pylint: disable=import-outside-toplevel
    from moto.elbv2.models import FakeLoadBalancer  # pylint: disable=import-outside-toplevel
    from moto.rds.models import DBCluster, DBInstance  # pylint: disable=import-outside-toplevel

    _CREATE_DELAYS.clear()
    if os.environ.get("PAYMENTS_EMULATOR_DELAYS"):
        _CREATE_DELAYS.update(creation_delays(os.environ["PAYMENTS_EMULATOR_DELAYS"]))
    if getattr(patch_creation_delays, "installed", False):
        return "creation-delays"
    patch_creation_delays.installed = True

    _delayed_attribute(NatGateway, "state", "available", "pending", "nat_gateway")
    _delayed_attribute(DBInstance, "status", "available", "creating", "db_instance")

    cluster_status = DBCluster.status

    def status(self):
        value = cluster_status.fget(self)
        return "creating" if value == "available" and not _ready(self) else value

    DBCluster.status = property(status, cluster_status.fset)
    _start_clock(DBCluster, "db_cluster")

    activate = FakeLoadBalancer.activate

    def activate_when_ready(self):
        if _ready(self):
            activate(self)

    FakeLoadBalancer.activate = activate_when_ready
    _start_clock(FakeLoadBalancer, "load_balancer")

    to_json = VpcLink.to_json

    def vpc_link_to_json(self):
        link = to_json(self)
        if link.get("vpcLinkStatus") == "AVAILABLE" and not _ready(self):
            link["vpcLinkStatus"] = "PENDING"
        return link

    VpcLink.to_json = vpc_link_to_json
    _start_clock(VpcLink, "vpc_link")
    return "creation-delays"


def patch_logs_associate_kms_key():
    """AssociateKmsKey and DisassociateKmsKey set and remove a log group's KMS key in AWS (moto: not implemented).

    AWS CloudWatch Logs API reference, AssociateKmsKey ("Associates the specified KMS key with ... the specified
    log group", logGroupName, kmsKeyId as a key ARN) and DisassociateKmsKey; both answer ResourceNotFoundException
    for a log group that does not exist. payments.infra.cloudwatchlogs_log_group_kms calls them; moto answers
    HTTP 500 although DescribeLogGroups already reports kmsKeyId.
    """
    from moto.logs.exceptions import ResourceNotFoundException  # pylint: disable=import-outside-toplevel
    from moto.logs.responses import LogsResponse  # pylint: disable=import-outside-toplevel

    def _group(self):
        group = self.logs_backend.groups.get(self._get_param("logGroupName"))
        if group is None:
            raise ResourceNotFoundException()
        return group

    def associate_kms_key(self):
        _group(self).kms_key_id = self._get_param("kmsKeyId")
        return ""

    def disassociate_kms_key(self):
        _group(self).kms_key_id = None
        return ""

    LogsResponse.associate_kms_key = associate_kms_key
    LogsResponse.disassociate_kms_key = disassociate_kms_key
    return "logs-associate-kms-key"


def patch_tagging_get_resources_arn_list_in_one_page():
    """GetResources with ResourceARNList answers every listed resource in one response in AWS (moto: pages).

    AWS Resource Groups Tagging API reference, GetResources, ResourceARNList (1-100 ARNs): "You can't specify both
    this parameter and any of the pagination parameters (ResourcesPerPage, TagsPerPage, PaginationToken)". moto
    pages such an answer like a listing (50 resources, fewer than 100 tags a page), so the tags of 16 alarms with 7
    tags each took two requests instead of one (payments.infra.cloudwatch_metric_alarms, ssm_parameter_info).
    """
    from moto.resourcegroupstaggingapi.models import (  # pylint: disable=import-outside-toplevel
        ResourceGroupsTaggingAPIBackend,
    )

    original = ResourceGroupsTaggingAPIBackend.get_resources

    def get_resources(self, pagination_token=None, *args, resource_arn_list=None, **kwargs):
        if resource_arn_list and not pagination_token:
            resources = self._get_resources_generator(
                tag_filters=kwargs.get("tag_filters"),
                resource_type_filters=kwargs.get("resource_type_filters"),
                resource_arn_list=resource_arn_list,
            )
            return None, list(resources)
        return original(self, pagination_token, *args, resource_arn_list=resource_arn_list, **kwargs)

    ResourceGroupsTaggingAPIBackend.get_resources = get_resources
    return "tagging-get-resources-arn-list-in-one-page"


def patch_apigatewayv2_update_stage_and_stage_tags():
    """UpdateStage changes a stage, and TagResource/UntagResource of a stage ARN change the tags GetStage(s) report, in
    AWS (moto: UpdateStage "not implemented"; a stage reports only the tags CreateStage gave it).

    AWS API Gateway v2 API reference, UpdateStage (PATCH /v2/apis/{apiId}/stages/{stageName}: accessLogSettings,
    autoDeploy, defaultRouteSettings, description, routeSettings, stageVariables) and TagResource (a stage's ARN is
    arn:<partition>:apigateway:<region>::/apis/<apiId>/stages/<stageName>).
    """
    from urllib.parse import unquote  # pylint: disable=import-outside-toplevel

    from moto.apigatewayv2 import models, responses, urls  # pylint: disable=import-outside-toplevel

    fields = {
        "accessLogSettings": "access_log_settings",
        "autoDeploy": "auto_deploy",
        "defaultRouteSettings": "default_route_settings",
        "description": "description",
        "routeSettings": "route_settings",
        "stageVariables": "stage_variables",
    }

    def update_stage(self):
        parts = self.path.split("/")
        stage = self.apigatewayv2_backend.get_stage(parts[-3], unquote(parts[-1]))
        params = json.loads(self.body or "{}")
        for key, attribute in fields.items():
            if key in params:
                setattr(stage, attribute, params[key])
        return 200, {}, json.dumps(stage.to_json())

    def stage_of(backend, resource_arn):
        found = re.search(r"::/apis/([^/]+)/stages/(.+)$", resource_arn)
        api = backend.apis.get(found.group(1)) if found else None
        return api.stages.get(found.group(2)) if api else None

    tag_resource, untag_resource = models.ApiGatewayV2Backend.tag_resource, models.ApiGatewayV2Backend.untag_resource

    def tag_stage(self, resource_arn, tags):
        tag_resource(self, resource_arn, tags)
        stage = stage_of(self, resource_arn)
        if stage is not None:
            stage.tags = dict(stage.tags or {}, **tags)

    def untag_stage(self, resource_arn, tag_keys):
        untag_resource(self, resource_arn, tag_keys)
        stage = stage_of(self, resource_arn)
        if stage is not None:
            stage.tags = {key: value for key, value in (stage.tags or {}).items() if key not in tag_keys}

    responses.ApiGatewayV2Response.update_stage = update_stage
    # moto routes /v2/tags/<arn> only for API and VPC link ARNs (the server decodes the ARN's slashes).
    stage_tags = r"{0}/v2/tags/(?P<resource_arn_pt1>[^/]+)/apis/(?P<resource_arn_pt2>[^/]+)/stages/(?P<stage>[^/]+)$"
    urls.url_paths[stage_tags] = responses.ApiGatewayV2Response.dispatch
    models.ApiGatewayV2Backend.tag_resource = tag_stage
    models.ApiGatewayV2Backend.untag_resource = untag_stage
    return "apigatewayv2-update-stage-and-stage-tags"


PATCHES = [
    patch_nat_gateway_tag_resource_type,
    patch_kms_schedule_key_deletion_by_arn,
    patch_cluster_parameter_group_family_defaults,
    patch_wafv2_list_resources_for_web_acl,
    patch_lambda_get_account_settings,
    patch_alb_attribute_defaults,
    patch_creation_delays,
    patch_logs_associate_kms_key,
    patch_tagging_get_resources_arn_list_in_one_page,
    patch_apigatewayv2_update_stage_and_stage_tags,
]


def apply_patches():
    """Apply the behaviour fixes listed in this module. Returns their names."""
    return [patch() for patch in PATCHES]


def serve(host, port, request_log_path):
    from moto.moto_server.werkzeug_app import (  # pylint: disable=import-outside-toplevel
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import run_simple  # pylint: disable=import-outside-toplevel

    patches = apply_patches()
    # No Docker on the emulator host: moto's Lambda answers invocations (RotateSecret's testSecret step among
    # them) with a stub instead of failing with HTTP 500. Lambda code is tested by tests/lambdas, not here.
    from moto.core.config import default_user_config  # pylint: disable=import-outside-toplevel

    default_user_config["lambda"]["use_docker"] = False
    print(f"emulator patches: {', '.join(patches) or 'none'}", flush=True)
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(
        host,
        port,
        RequestLog(app, request_log_path),
        threaded=True,
        request_handler=MotoRequestHandler,
    )
