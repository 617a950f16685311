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


PATCHES = [
    patch_nat_gateway_tag_resource_type,
    patch_kms_schedule_key_deletion_by_arn,
    patch_cluster_parameter_group_family_defaults,
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
    print(f"emulator patches: {', '.join(patches) or 'none'}", flush=True)
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(
        host,
        port,
        RequestLog(app, request_log_path),
        threaded=True,
        request_handler=MotoRequestHandler,
    )
