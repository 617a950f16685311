# -*- coding: utf-8 -*-
# Copyright: payments.infra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: audit_controls
short_description: Evaluate the stack's PCI DSS controls against what AWS reports
version_added: 0.1.0
description:
  - Takes the facts the C(payments.infra.audit) role gathers read-only (what the amazon.aws, community.aws and
    payments.infra C(*_info) modules return, snake_case) and returns one result per control, in a fixed order.
  - "Each result: C(id), C(title), C(requirement) (PCI DSS v4.0 reference), C(status) (C(pass), C(fail) or
    C(not_applicable)), C(summary), C(evidence) (one item per resource read: C(resource), C(ok) and the values
    the decision used) and C(failed) (the resources that fail it)."
  - A resource the control expects but that does not exist is evidence of failure (C(absent)), never a pass.
  - A waiver (C(control), C(resource), C(reason)) accepts one failing resource of one control; the control
    passes when every failing resource is waived, and the waived evidence says so with the reason.
  - Pure function, no AWS call, so every control is unit-tested on crafted inputs.
options:
  _input:
    description:
      - "The gathered facts: C(environment), C(protected), C(now) (ISO 8601, UTC), C(kms_keys), C(aurora_cluster),
        C(aurora_instances), C(table), C(buckets), C(secrets), C(rotated_secrets), C(log_groups), C(topics),
        C(queues), C(functions), C(vpc_id), C(database_subnets), C(route_tables), C(flow_logs), C(load_balancer),
        C(web_acl_resources), C(web_acl_name), C(alarms), C(alarm_topic_arn). See roles/audit/tasks/gather.yml."
    type: dict
    required: true
  settings:
    description:
      - "C(tls_policies) (allowed ALB TLS policies), C(min_log_retention_days), C(rotation_slack_days),
        C(waivers) (list of C(control), C(resource), C(reason))."
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Evaluate the controls
  ansible.builtin.set_fact:
    audit__results: "{{ audit__facts | payments.infra.audit_controls(audit__settings) }}"
"""

RETURN = r"""
_value:
  description: One dict per control (id, title, requirement, status, summary, evidence, failed, waived).
  type: list
  elements: dict
"""

import datetime
import json

from ansible.errors import AnsibleFilterError

PASSED = "pass"
FAILED = "fail"
NOT_APPLICABLE = "not_applicable"

# id, title, PCI DSS v4.0 requirement(s). The order is the order of the report.
CONTROLS = (
    ("aurora-storage-kms", "Aurora storage encrypted with a customer-managed KMS key", "3.5.1"),
    ("aurora-performance-insights-kms", "Performance Insights data encrypted with a customer-managed KMS key", "3.5.1"),
    ("dynamodb-sse-kms", "DynamoDB table encrypted (SSE-KMS) with the environment's customer-managed key", "3.5.1"),
    ("s3-sse-kms", "Audit archive bucket encrypted (SSE-KMS) with a customer-managed key", "3.5.1"),
    ("secrets-kms", "Secrets Manager secrets encrypted with a customer-managed key", "3.5.1, 8.3.2"),
    ("log-groups-kms", "Every log group of the environment encrypted with a customer-managed key", "3.5.1, 10.3.2"),
    ("sns-topics-kms", "SNS topics encrypted with a customer-managed key", "3.5.1"),
    ("sqs-dlq-kms", "Stream on-failure queue (SQS) encrypted with a customer-managed key", "3.5.1"),
    ("lambda-env-kms", "Lambda environment variables encrypted with a customer-managed key", "3.5.1, 3.6.1"),
    ("kms-key-rotation", "Automatic rotation on every customer-managed key of the environment", "3.6.1, 3.7.4"),
    ("s3-tls-only", "Bucket policies deny requests without TLS", "4.2.1"),
    ("s3-public-access-block", "Public access blocked on every bucket of the environment", "1.4.4, 7.2.1"),
    ("aurora-not-public", "No database instance publicly accessible", "1.3.1, 1.4.4"),
    ("db-subnets-private", "Database subnets have no route to an internet gateway", "1.3.1, 1.4.4"),
    ("secret-rotation", "Secret rotation enabled and recent", "8.3.9, 8.6.3"),
    ("log-retention", "Retention set on every log group of the environment", "10.5.1"),
    ("vpc-flow-logs", "VPC flow logs active", "10.2.1"),
    ("alb-tls-policy", "ALB HTTPS listeners use a modern TLS policy", "4.2.1"),
    ("alb-https-only", "ALB listeners are HTTPS only (HTTP only to redirect to HTTPS)", "4.2.1"),
    ("alb-waf", "WAF web ACL attached to the ALB", "6.4.2"),
    ("alarms-notify", "Every alarm notifies the operations SNS topic", "10.7.2, 12.10.5"),
    ("deletion-protection", "Deletion protection on production data stores and the ALB", "12.10.1"),
    ("dynamodb-pitr", "Point-in-time recovery on the transactions table", "12.10.1"),
)


class AuditInputError(AnsibleFilterError):
    """The gathered facts are not what the filter expects (a bug in the caller, not a failed control)."""


# ---------------------------------------------------------------------------------------------------------
# Helpers


def _tags(resource):
    tags = (resource or {}).get("tags") or {}
    if isinstance(tags, list):  # boto3 shape [{Key, Value}]
        return {t.get("Key", t.get("key")): t.get("Value", t.get("value")) for t in tags}
    return tags


def _parse_time(value):
    """A datetime (UTC, aware) from an ISO 8601 string, a datetime or an epoch number; None when unset."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        parsed = value
    elif isinstance(value, (int, float)):
        parsed = datetime.datetime.fromtimestamp(value, tz=datetime.timezone.utc)
    else:
        text = str(value).strip().replace("Z", "+00:00")
        if " " in text and "T" not in text:
            text = text.replace(" ", "T", 1)
        try:
            parsed = datetime.datetime.fromisoformat(text)
        except ValueError as exc:
            raise AuditInputError(f"not an ISO 8601 time: {value!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed


def _policy(document):
    """A policy document from a dict, a JSON string, or GetBucketPolicy's {"Policy": "<JSON>"}."""
    if not document:
        return {}
    if isinstance(document, dict) and "Statement" not in document and "Policy" in document:
        document = document["Policy"]
    if isinstance(document, str):
        try:
            return json.loads(document)
        except ValueError:
            return {}
    return document


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class KeyIndex:
    """The environment's KMS keys (amazon.aws.kms_key_info items), found by ARN, key id or alias."""

    def __init__(self, keys):
        self.keys = [k for k in keys or [] if k]
        self._by_ref = {}
        for key in self.keys:
            arn = key.get("key_arn") or ""
            refs = {arn, key.get("key_id")}
            prefix = arn.split(":key/")[0] if ":key/" in arn else None
            for alias in key.get("aliases") or []:
                name = alias if alias.startswith("alias/") else "alias/" + alias
                refs.add(name)
                if prefix:
                    refs.add(f"{prefix}:{name}")
            for ref in refs:
                if ref:
                    self._by_ref[ref] = key

    def find(self, ref):
        if not ref:
            return None
        return self._by_ref.get(ref)

    @staticmethod
    def alias(key):
        aliases = (key or {}).get("aliases") or []
        return ("alias/" + aliases[0]) if aliases and not aliases[0].startswith("alias/") else (aliases or [None])[0]

    def check(self, ref):
        """(ok, evidence) for a resource encrypted with key reference ref: an enabled customer-managed key of
        this environment."""
        if not ref:
            return False, {"kms_key": None, "reason": "no customer-managed key (AWS owned or AWS managed key)"}
        key = self.find(ref)
        if key is None:
            return False, {"kms_key": ref, "reason": "not a customer-managed key of this environment"}
        evidence = {"kms_key": key.get("key_arn"), "kms_alias": self.alias(key)}
        if key.get("key_manager", "CUSTOMER") != "CUSTOMER":
            return False, dict(evidence, reason="key is AWS managed")
        if key.get("key_state", "Enabled") != "Enabled":
            return False, dict(evidence, reason=f"key state {key.get('key_state')}")
        return True, evidence


def _item(resource, ok, **values):
    item = {"resource": resource, "ok": bool(ok)}
    item.update(values)
    return item


def _absent(resource, what):
    return _item(resource, False, absent=True, reason=f"{what} not found")


# ---------------------------------------------------------------------------------------------------------
# Controls: each takes (facts, settings, keys) and returns (evidence items, not_applicable reason or None).


def _aurora_storage_kms(facts, settings, keys):
    cluster = facts.get("aurora_cluster")
    name = facts.get("aurora_cluster_identifier") or "aurora cluster"
    if not cluster:
        return [_absent(name, "Aurora cluster")], None
    ok, evidence = keys.check(cluster.get("kms_key_id"))
    encrypted = bool(cluster.get("storage_encrypted"))
    return [
        _item(cluster.get("db_cluster_identifier", name), ok and encrypted, storage_encrypted=encrypted, **evidence)
    ], None


def _aurora_performance_insights_kms(facts, settings, keys):
    instances = facts.get("aurora_instances") or []
    if not facts.get("aurora_cluster"):
        return [_absent(facts.get("aurora_cluster_identifier") or "aurora cluster", "Aurora cluster")], None
    enabled = [i for i in instances if i.get("performance_insights_enabled")]
    if not enabled:
        names = ", ".join(sorted(i.get("db_instance_identifier", "?") for i in instances)) or "none"
        return [
            _item(i.get("db_instance_identifier"), True, performance_insights_enabled=False) for i in instances
        ], f"Performance Insights is not enabled on any instance ({names}): no data to encrypt"
    items = []
    for instance in instances:
        if not instance.get("performance_insights_enabled"):
            items.append(_item(instance.get("db_instance_identifier"), True, performance_insights_enabled=False))
            continue
        ok, evidence = keys.check(instance.get("performance_insights_kms_key_id"))
        items.append(_item(instance.get("db_instance_identifier"), ok, performance_insights_enabled=True, **evidence))
    return items, None


def _dynamodb_sse_kms(facts, settings, keys):
    table = facts.get("table")
    name = facts.get("table_name") or "table"
    if not table:
        return [_absent(name, "DynamoDB table")], None
    sse = table.get("sse") or {}
    ok, evidence = keys.check(sse.get("kms_key_arn"))
    expected = facts.get("table_kms_key_arn")
    if ok and expected and (keys.find(expected) or {}).get("key_arn") != evidence.get("kms_key"):
        ok, evidence = False, dict(evidence, reason=f"not the table's key {expected}")
    enabled = bool(sse.get("enabled")) and sse.get("sse_type") == "KMS" and sse.get("status", "ENABLED") == "ENABLED"
    return [
        _item(
            table.get("table_name", name),
            ok and enabled,
            sse_type=sse.get("sse_type"),
            sse_status=sse.get("status"),
            **evidence,
        )
    ], None


def _bucket_key(bucket):
    rules = ((bucket.get("bucket_encryption") or {}).get("ServerSideEncryptionConfiguration") or {}).get("Rules") or []
    for rule in rules:
        default = rule.get("ApplyServerSideEncryptionByDefault") or {}
        if default.get("SSEAlgorithm"):
            return default.get("SSEAlgorithm"), default.get("KMSMasterKeyID")
    return None, None


def _s3_sse_kms(facts, settings, keys):
    items = []
    for bucket in facts.get("buckets") or []:
        if not bucket.get("kms_required", True):
            continue
        if not bucket.get("exists"):
            items.append(_absent(bucket.get("name"), "bucket"))
            continue
        algorithm, key_ref = _bucket_key(bucket)
        ok, evidence = keys.check(key_ref)
        kms = algorithm in ("aws:kms", "aws:kms:dsse")
        items.append(_item(bucket.get("name"), ok and kms, sse_algorithm=algorithm, **evidence))
    return items, None


def _secrets_kms(facts, settings, keys):
    items = []
    for entry in facts.get("secrets") or []:
        secret = entry.get("secret")
        if not secret:
            items.append(_absent(entry.get("name"), "secret"))
            continue
        ok, evidence = keys.check(secret.get("kms_key_arn") or secret.get("kms_key_id"))
        items.append(_item(secret.get("name", entry.get("name")), ok, **evidence))
    return items, None


def _log_groups_kms(facts, settings, keys):
    items = []
    for group in facts.get("log_groups") or []:
        ok, evidence = keys.check(group.get("kms_key_id"))
        items.append(_item(group.get("log_group_name"), ok, **evidence))
    if not items:
        items.append(_absent("log groups of " + str(facts.get("environment")), "any log group"))
    return items, None


def _sns_topics_kms(facts, settings, keys):
    items = []
    for topic in facts.get("topics") or []:
        if not topic.get("arn"):
            items.append(_absent(topic.get("name"), "topic"))
            continue
        # community.aws.sns_topic_info's result: {sns_arn, sns_topic: {...}} (or a list of them), or the attributes.
        attributes = topic.get("attributes") or {}
        if isinstance(attributes, list):
            attributes = attributes[0] if attributes else {}
        attributes = attributes.get("sns_topic", attributes)
        ref = attributes.get("kms_master_key_id", attributes.get("KmsMasterKeyId"))
        ok, evidence = keys.check(ref)
        items.append(_item(topic.get("arn"), ok, **evidence))
    return items, None


def _sqs_dlq_kms(facts, settings, keys):
    items = []
    for queue in facts.get("queues") or []:
        if not queue.get("exists"):
            items.append(_absent(queue.get("name"), "queue"))
            continue
        ok, evidence = keys.check(queue.get("kms_master_key_id"))
        items.append(_item(queue.get("arn") or queue.get("name"), ok, **evidence))
    return items, None


def _lambda_env_kms(facts, settings, keys):
    items = []
    for function in facts.get("functions") or []:
        config = function.get("config")
        if not config:
            items.append(_absent(function.get("name"), "function"))
            continue
        ok, evidence = keys.check(config.get("kms_key_arn"))
        items.append(_item(config.get("function_name", function.get("name")), ok, **evidence))
    return items, None


def _kms_key_rotation(facts, settings, keys):
    items = []
    for key in keys.keys:
        if key.get("key_manager", "CUSTOMER") != "CUSTOMER" or key.get("key_state") == "PendingDeletion":
            continue
        rotation = bool(key.get("enable_key_rotation"))
        items.append(_item(key.get("key_arn"), rotation, kms_alias=keys.alias(key), enable_key_rotation=rotation))
    if not items:
        items.append(_absent("KMS keys of " + str(facts.get("environment")), "customer-managed key"))
    return items, None


def _denies_plain_http(statement):
    if statement.get("Effect") != "Deny":
        return False
    principal = statement.get("Principal")
    if not (principal == "*" or (isinstance(principal, dict) and "*" in _as_list(principal.get("AWS")))):
        return False
    actions = _as_list(statement.get("Action"))
    if not any(a in ("*", "s3:*") for a in actions):
        return False
    condition = statement.get("Condition") or {}
    for operator in ("Bool", "BoolIfExists"):
        value = (condition.get(operator) or {}).get("aws:SecureTransport")
        if str(_as_list(value)[0] if isinstance(value, list) and value else value).lower() == "false":
            return True
    return False


def _s3_tls_only(facts, settings, keys):
    items = []
    for bucket in facts.get("buckets") or []:
        if not bucket.get("exists"):
            items.append(_absent(bucket.get("name"), "bucket"))
            continue
        policy = _policy(bucket.get("bucket_policy"))
        statements = _as_list(policy.get("Statement"))
        deny = [s.get("Sid") or "(no Sid)" for s in statements if _denies_plain_http(s)]
        items.append(_item(bucket.get("name"), bool(deny), deny_insecure_transport_statements=deny))
    return items, None


PUBLIC_ACCESS_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def _s3_public_access_block(facts, settings, keys):
    items = []
    for bucket in facts.get("buckets") or []:
        if not bucket.get("exists"):
            items.append(_absent(bucket.get("name"), "bucket"))
            continue
        block = bucket.get("public_access_block") or {}
        block = block.get("PublicAccessBlockConfiguration", block)
        flags = {flag: bool(block.get(flag)) for flag in PUBLIC_ACCESS_FLAGS}
        items.append(_item(bucket.get("name"), all(flags.values()), **flags))
    return items, None


def _aurora_not_public(facts, settings, keys):
    if not facts.get("aurora_cluster"):
        return [_absent(facts.get("aurora_cluster_identifier") or "aurora cluster", "Aurora cluster")], None
    items = []
    for instance in facts.get("aurora_instances") or []:
        public = instance.get("publicly_accessible")
        items.append(_item(instance.get("db_instance_identifier"), public is False, publicly_accessible=public))
    if not items:
        items.append(_absent(facts.get("aurora_cluster_identifier"), "database instance"))
    return items, None


def _route_table_for(subnet_id, route_tables):
    main = None
    for table in route_tables:
        for association in table.get("associations") or []:
            if association.get("subnet_id") == subnet_id:
                return table
            if association.get("main"):
                main = table
    return main


def _db_subnets_private(facts, settings, keys):
    subnets = facts.get("database_subnets") or []
    if not facts.get("vpc_id"):
        return [_absent("VPC of " + str(facts.get("environment")), "VPC")], None
    if not subnets:
        return [_absent("database subnets of " + str(facts.get("vpc_id")), "database subnet")], None
    route_tables = facts.get("route_tables") or []
    items = []
    for subnet in subnets:
        subnet_id = subnet.get("subnet_id") or subnet.get("id")
        table = _route_table_for(subnet_id, route_tables)
        if table is None:
            items.append(_item(subnet_id, False, route_table=None, reason="no route table found"))
            continue
        igw_routes = [
            route.get("destination_cidr_block") or route.get("destination_ipv6_cidr_block")
            for route in table.get("routes") or []
            if str(route.get("gateway_id") or "").startswith("igw-") and route.get("state", "active") == "active"
        ]
        items.append(
            _item(
                subnet_id,
                not igw_routes,
                route_table=table.get("route_table_id") or table.get("id"),
                internet_gateway_routes=igw_routes,
            )
        )
    return items, None


def _secret_rotation(facts, settings, keys):
    now = _parse_time(facts.get("now"))
    if now is None:
        raise AuditInputError("facts.now is required")
    slack = int(settings.get("rotation_slack_days", 2))
    items = []
    for entry in facts.get("rotated_secrets") or []:
        secret = entry.get("secret")
        if not secret:
            items.append(_absent(entry.get("name"), "secret"))
            continue
        name = secret.get("name", entry.get("name"))
        days = secret.get("rotation_days")
        enabled = bool(secret.get("rotation_enabled"))
        last = _parse_time(secret.get("last_rotated_date"))
        created = _parse_time(secret.get("created_date"))
        values = {
            "rotation_enabled": enabled,
            "rotation_days": days,
            "last_rotated_date": secret.get("last_rotated_date"),
            "created_date": secret.get("created_date"),
        }
        if not enabled or not days:
            items.append(_item(name, False, reason="rotation is not enabled", **values))
            continue
        limit = datetime.timedelta(days=int(days) + slack)
        if last is not None and now - last <= limit:
            items.append(_item(name, True, days_since_rotation=(now - last).days, **values))
        elif created is not None and now - created <= limit:
            items.append(_item(name, True, days_since_creation=(now - created).days, **values))
        else:
            since = (now - (last or created)).days if (last or created) else None
            items.append(
                _item(
                    name,
                    False,
                    reason=f"not rotated within {int(days)} + {slack} days",
                    days_since_rotation=since,
                    **values,
                )
            )
    return items, None


def _log_retention(facts, settings, keys):
    minimum = int(settings.get("min_log_retention_days", 365))
    items = []
    for group in facts.get("log_groups") or []:
        days = group.get("retention_in_days")
        ok = days is not None and int(days) >= minimum
        items.append(_item(group.get("log_group_name"), ok, retention_in_days=days, minimum_days=minimum))
    if not items:
        items.append(_absent("log groups of " + str(facts.get("environment")), "any log group"))
    return items, None


def _vpc_flow_logs(facts, settings, keys):
    vpc_id = facts.get("vpc_id")
    if not vpc_id:
        return [_absent("VPC of " + str(facts.get("environment")), "VPC")], None
    flows = [f for f in facts.get("flow_logs") or [] if f.get("resource_id") == vpc_id]
    active = [
        f
        for f in flows
        if f.get("flow_log_status", "ACTIVE") == "ACTIVE" and f.get("deliver_logs_status", "SUCCESS") == "SUCCESS"
    ]
    all_traffic = [f for f in active if f.get("traffic_type") == "ALL"]
    return [
        _item(
            vpc_id,
            bool(all_traffic),
            flow_logs=[
                {
                    "flow_log_id": f.get("flow_log_id"),
                    "traffic_type": f.get("traffic_type"),
                    "status": f.get("flow_log_status"),
                    "destination": f.get("log_group_name") or f.get("log_destination"),
                }
                for f in flows
            ],
            reason=None if all_traffic else "no active flow log of ALL traffic",
        )
    ], None


def _alb_listeners(facts):
    alb = facts.get("load_balancer")
    if not alb:
        return None, [_absent(facts.get("load_balancer_name") or "ALB", "load balancer")]
    listeners = alb.get("listeners") or []
    if not listeners:
        return alb, [_item(alb.get("load_balancer_name"), False, reason="no listener")]
    return alb, None


def _alb_tls_policy(facts, settings, keys):
    alb, missing = _alb_listeners(facts)
    if missing:
        return missing, None
    allowed = settings.get("tls_policies") or []
    items = []
    for listener in alb.get("listeners"):
        if listener.get("protocol") not in ("HTTPS", "TLS"):
            continue
        policy = listener.get("ssl_policy")
        items.append(
            _item(listener.get("listener_arn"), policy in allowed, port=listener.get("port"), ssl_policy=policy)
        )
    if not items:
        items.append(_item(alb.get("load_balancer_name"), False, reason="no HTTPS listener"))
    return items, None


def _redirects_to_https(listener):
    actions = listener.get("default_actions") or []
    return bool(actions) and all(
        a.get("type") == "redirect" and (a.get("redirect_config") or {}).get("protocol") == "HTTPS" for a in actions
    )


def _alb_https_only(facts, settings, keys):
    alb, missing = _alb_listeners(facts)
    if missing:
        return missing, None
    items = []
    for listener in alb.get("listeners"):
        protocol = listener.get("protocol")
        ok = protocol == "HTTPS" or (protocol == "HTTP" and _redirects_to_https(listener))
        items.append(
            _item(
                listener.get("listener_arn"),
                ok,
                port=listener.get("port"),
                protocol=protocol,
                redirect_to_https=protocol == "HTTP" and _redirects_to_https(listener),
            )
        )
    return items, None


def _alb_waf(facts, settings, keys):
    alb = facts.get("load_balancer")
    if not alb:
        return [_absent(facts.get("load_balancer_name") or "ALB", "load balancer")], None
    resources = facts.get("web_acl_resources")
    arn = alb.get("load_balancer_arn")
    if resources is None:
        return [_item(arn, False, web_acl=facts.get("web_acl_name"), reason="web ACL not found")], None
    return [_item(arn, arn in resources, web_acl=facts.get("web_acl_name"))], None


def _alarms_notify(facts, settings, keys):
    topic = facts.get("alarm_topic_arn")
    alarms = facts.get("alarms") or []
    if not alarms:
        return [_absent("alarms of " + str(facts.get("environment")), "any alarm")], None
    items = []
    for alarm in alarms:
        actions = alarm.get("alarm_actions") or []
        enabled = alarm.get("actions_enabled", True) is not False
        ok = bool(topic) and topic in actions and enabled
        items.append(
            _item(alarm.get("alarm_name"), ok, alarm_actions=actions, actions_enabled=enabled, expected_topic=topic)
        )
    return items, None


def _alb_deletion_protection(alb):
    attributes = alb.get("attributes") if isinstance(alb.get("attributes"), dict) else None
    if attributes is not None:
        value = attributes.get("deletion_protection.enabled", attributes.get("deletion_protection_enabled"))
    else:
        value = alb.get("deletion_protection_enabled")
    return str(value).lower() == "true"


def _deletion_protection(facts, settings, keys):
    if not facts.get("protected"):
        return [], f"environment {facts.get('environment')} is not protected (payments_protected: false)"
    items = []
    cluster = facts.get("aurora_cluster")
    if cluster:
        value = bool(cluster.get("deletion_protection"))
        items.append(_item(cluster.get("db_cluster_identifier"), value, deletion_protection=value))
    else:
        items.append(_absent(facts.get("aurora_cluster_identifier") or "aurora cluster", "Aurora cluster"))
    table = facts.get("table")
    if table:
        value = bool(table.get("deletion_protection"))
        items.append(_item(table.get("table_name"), value, deletion_protection=value))
    else:
        items.append(_absent(facts.get("table_name") or "table", "DynamoDB table"))
    alb = facts.get("load_balancer")
    if alb:
        value = _alb_deletion_protection(alb)
        items.append(_item(alb.get("load_balancer_name"), value, deletion_protection=value))
    else:
        items.append(_absent(facts.get("load_balancer_name") or "ALB", "load balancer"))
    return items, None


def _dynamodb_pitr(facts, settings, keys):
    table = facts.get("table")
    if not table:
        return [_absent(facts.get("table_name") or "table", "DynamoDB table")], None
    value = bool(table.get("point_in_time_recovery"))
    return [_item(table.get("table_name"), value, point_in_time_recovery=value)], None


EVALUATORS = {
    "aurora-storage-kms": _aurora_storage_kms,
    "aurora-performance-insights-kms": _aurora_performance_insights_kms,
    "dynamodb-sse-kms": _dynamodb_sse_kms,
    "s3-sse-kms": _s3_sse_kms,
    "secrets-kms": _secrets_kms,
    "log-groups-kms": _log_groups_kms,
    "sns-topics-kms": _sns_topics_kms,
    "sqs-dlq-kms": _sqs_dlq_kms,
    "lambda-env-kms": _lambda_env_kms,
    "kms-key-rotation": _kms_key_rotation,
    "s3-tls-only": _s3_tls_only,
    "s3-public-access-block": _s3_public_access_block,
    "aurora-not-public": _aurora_not_public,
    "db-subnets-private": _db_subnets_private,
    "secret-rotation": _secret_rotation,
    "log-retention": _log_retention,
    "vpc-flow-logs": _vpc_flow_logs,
    "alb-tls-policy": _alb_tls_policy,
    "alb-https-only": _alb_https_only,
    "alb-waf": _alb_waf,
    "alarms-notify": _alarms_notify,
    "deletion-protection": _deletion_protection,
    "dynamodb-pitr": _dynamodb_pitr,
}

CONTROL_IDS = tuple(control[0] for control in CONTROLS)


def _waiver_index(waivers):
    index = {}
    for waiver in waivers or []:
        control, resource = waiver.get("control"), waiver.get("resource")
        if control not in EVALUATORS:
            raise AuditInputError(f"waiver for unknown control {control!r}; controls: {', '.join(CONTROL_IDS)}")
        if not resource or not waiver.get("reason"):
            raise AuditInputError(f"waiver for {control} needs a resource and a reason")
        index[(control, resource)] = waiver["reason"]
    return index


def audit_controls(facts, settings=None):
    """Evaluate every control on the gathered facts; see DOCUMENTATION."""
    if not isinstance(facts, dict):
        raise AuditInputError("audit_controls takes the gathered facts (a dict)")
    settings = settings or {}
    keys = KeyIndex(facts.get("kms_keys"))
    waivers = _waiver_index(settings.get("waivers"))
    results = []
    for control_id, title, requirement in CONTROLS:
        items, not_applicable = EVALUATORS[control_id](facts, settings, keys)
        failed, waived = [], []
        for item in items:
            if item["ok"]:
                continue
            reason = waivers.get((control_id, item["resource"]))
            if reason:
                item["waived"] = reason
                waived.append(item["resource"])
            else:
                failed.append(item["resource"])
        if not_applicable:
            status, summary = NOT_APPLICABLE, not_applicable
        elif failed:
            status = FAILED
            summary = f"{len(failed)} of {len(items)} failing: {', '.join(str(r) for r in failed)}"
        else:
            status = PASSED
            summary = f"{len(items)} checked, all compliant" + (f" ({len(waived)} waived)" if waived else "")
        results.append(
            {
                "id": control_id,
                "title": title,
                "requirement": "PCI DSS v4.0 " + requirement,
                "status": status,
                "summary": summary,
                "evidence": items,
                "failed": failed,
                "waived": waived,
            }
        )
    return results


class FilterModule:
    def filters(self):
        return {"audit_controls": audit_controls}
