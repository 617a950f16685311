"""Policy lint: every policy document an environment's roles render, read back from AWS (or the emulator).

    python tests/policy_lint.py --env local --endpoint http://127.0.0.1:5100 [--region us-east-1] [--json]

Documents (ours = tagged Environment=<env>): each IAM role's trust policy, inline policies and attached
customer-managed policies (AWS-managed attachments are counted, not linted), KMS key policies, S3 bucket
policies, SNS topic policies, SQS queue policies, Lambda resource policies and Secrets Manager resource
policies. Prints each finding, then one figure line; exits 1 when there is a finding.

Rules (each Allow statement; Deny statements only narrow access and are checked for structure only):

- structure         Version 2012-10-17, a Statement list, Effect Allow|Deny, Action, and in resource
                    policies a Principal.
- negation          no NotAction / NotResource / NotPrincipal in an Allow (they grant everything else).
- wildcard-action   no "*" and no "<service>:*" action. Sole exception (ROOT_ADMIN): the statement of a KMS
                    key policy whose only principal is the key's own account root with "kms:*" -- AWS's
                    default key policy, which hands the key's use to IAM; without it the key can become
                    unmanageable (AWS KMS developer guide, "Default key policy").
- wildcard-resource in identity policies (inline, managed) Resource "*" only for the actions in
                    WILDCARD_RESOURCE_ACTIONS, which support no resource type (AWS Service Authorization
                    Reference). logs:CreateLogGroup is deliberately not there: it has a log-group resource,
                    so it must be scoped to our prefix (our roles do not need it: the log groups are created
                    by the roles before the functions). In resource policies other than KMS key policies,
                    every Resource must be the resource itself (or under it, bucket/*): "*" is a finding.
- resource-breadth  an ARN with "*" as region or account, or whose resource part is "*" after its type
                    (arn:aws:logs:r:a:*, arn:aws:s3:::*, ...table/*): a "*" resource in disguise.
- wildcard-principal an Allow to Principal "*" / {"AWS": "*"} needs a condition that pins the caller's or
                    source's account (aws:SourceAccount, aws:SourceArn, aws:SourceOwner, aws:PrincipalAccount,
                    aws:PrincipalOrgID, kms:CallerAccount).
- trust             a trust policy allows only sts:AssumeRole / sts:TagSession.
- key-services      every AWS service that uses a key of ours (found from the resources encrypted with it: DynamoDB
                    tables, SQS queues, SNS topics, secrets, Lambda environments, log groups, RDS clusters and
                    Performance Insights, S3 default encryption, SSM SecureString parameters, CloudWatch alarms
                    publishing to an encrypted topic) is named in the key policy: as a service principal, or in a
                    kms:ViaService condition. CloudWatch Logs and CloudWatch (alarms) use the key themselves, so
                    they must be service principals. A key policy that names no service at all is a finding too.
"""

import argparse
import json
import re
import sys
import urllib.parse
from dataclasses import dataclass, field

# Actions that support no resource-level permission: "*" is the only Resource AWS accepts for them.
WILDCARD_RESOURCE_ACTIONS = {
    # Lambda in a VPC manages its ENIs (the same actions as AWSLambdaVPCAccessExecutionRole).
    "ec2:createnetworkinterface": "Lambda VPC networking",
    "ec2:describenetworkinterfaces": "Lambda VPC networking",
    "ec2:deletenetworkinterface": "Lambda VPC networking",
    "ec2:assignprivateipaddresses": "Lambda VPC networking",
    "ec2:unassignprivateipaddresses": "Lambda VPC networking",
    # X-Ray tracing (AWSXRayDaemonWriteAccess).
    "xray:puttracesegments": "X-Ray",
    "xray:puttelemetryrecords": "X-Ray",
    "xray:getsamplingrules": "X-Ray",
    "xray:getsamplingtargets": "X-Ray",
    "xray:getsamplingstatisticsummaries": "X-Ray",
    # The rotation function's password generator.
    "secretsmanager:getrandompassword": "Secrets Manager password generator",
}
ROOT_ADMIN_ACTION = "kms:*"
ACCOUNT_CONDITION_KEYS = {
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceowner",
    "aws:principalaccount",
    "aws:principalorgid",
    "kms:calleraccount",
}
TRUST_ACTIONS = {"sts:assumerole", "sts:tagsession"}
# Services that use a key themselves (not on behalf of a caller): they must be service principals.
SELF_USING_SERVICES = {"logs", "cloudwatch"}
IDENTITY_KINDS = ("inline", "managed")
RESOURCE_KINDS = ("key", "bucket", "topic", "queue", "function", "secret")


@dataclass
class Document:
    """One policy document. kind: trust | inline | managed | key | bucket | topic | queue | function | secret."""

    kind: str
    owner: str
    policy: object
    name: str = ""
    resource_arn: str = ""
    account: str = ""

    @property
    def label(self):
        return f"{self.kind} {self.owner}" + (f" ({self.name})" if self.name else "")


@dataclass
class Finding:
    document: str
    sid: str
    rule: str
    message: str

    def __str__(self):
        return f"{self.document} [{self.sid or '-'}] {self.rule}: {self.message}"


@dataclass
class Report:
    documents: list = field(default_factory=list)
    findings: list = field(default_factory=list)
    roles: int = 0
    aws_managed_attachments: int = 0
    statements: int = 0

    def figure(self):
        kinds = {kind: sum(1 for d in self.documents if d.kind == kind) for kind in ("trust",) + IDENTITY_KINDS}
        other = {kind: sum(1 for d in self.documents if d.kind == kind) for kind in RESOURCE_KINDS}
        nouns = {
            "key": "key policies",
            "bucket": "buckets",
            "topic": "topics",
            "queue": "queues",
            "function": "function policies",
            "secret": "secret policies",
        }
        parts = [
            f"{self.roles} roles: {kinds['trust']} trust + {kinds['inline']} inline + {kinds['managed']} managed"
            + (f", {self.aws_managed_attachments} AWS-managed not linted" if self.aws_managed_attachments else "")
        ]
        parts += [f"{other[kind]} {nouns[kind]}" for kind in RESOURCE_KINDS]
        return (
            f"policy-lint: {len(self.documents)} documents ({'; '.join(parts)}), {self.statements} statements, "
            f"{len(self.findings)} findings"
        )


# -- helpers ------------------------------------------------------------------------------------


def as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def parse_policy(value):
    """A policy as a dict, whether given as a dict, JSON, or URL-encoded JSON (IAM's wire form)."""
    if isinstance(value, dict):
        return value
    text = value.decode() if isinstance(value, bytes) else str(value)
    if text.lstrip().startswith("%7B") or text.lstrip().startswith("%7b"):
        text = urllib.parse.unquote(text)
    return json.loads(text)


def service_name(principal):
    """'logs.us-east-1.amazonaws.com' -> 'logs'; 'cloudwatch.amazonaws.com' -> 'cloudwatch'."""
    return principal.split(".", 1)[0].lower()


def _principals(statement):
    """(kind, value) pairs of a statement's Principal; ("*", "*") for the bare wildcard."""
    principal = statement.get("Principal")
    if principal is None:
        return []
    if principal == "*":
        return [("*", "*")]
    if isinstance(principal, dict):
        return [(kind, value) for kind, values in principal.items() for value in as_list(values)]
    return [("?", principal)]


def _condition_keys(statement):
    keys = set()
    for _operator, entries in (statement.get("Condition") or {}).items():
        if isinstance(entries, dict):
            keys.update(key.lower() for key in entries)
    return keys


def _condition_values(statement, wanted):
    values = []
    for _operator, entries in (statement.get("Condition") or {}).items():
        for key, value in (entries or {}).items() if isinstance(entries, dict) else ():
            if key.lower() == wanted:
                values.extend(as_list(value))
    return values


def _is_account_root(value, account):
    if account and value == account:
        return True
    return bool(re.fullmatch(r"arn:[^:]+:iam::(\d{12}):root", value or "")) and (
        not account or value.split(":")[4] == account
    )


def _is_wildcard_action(action):
    action = action.strip()
    return action == "*" or bool(re.fullmatch(r"[A-Za-z0-9-]+:\*", action))


def _resource_breadth(arn):
    """Why an ARN is "*" in disguise, or None."""
    if arn == "*" or not arn.startswith("arn:"):
        return None
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return f"{arn} is not a complete ARN"
    _arn, _partition, service, region, account, resource = parts
    if region == "*" or account == "*":
        return f"{arn} has a wildcard region or account"
    rest = re.sub(r"^[A-Za-z-]+[:/]", "", resource) if re.match(r"^[A-Za-z-]+[:/]", resource) else resource
    if resource.startswith("*") or rest.startswith("*"):
        return f"{arn} names every {service} resource"
    return None


# -- the rules ----------------------------------------------------------------------------------


def check_document(document):
    """The findings of one document (every rule but key-services); also returns its statement count."""
    findings = []

    def finding(sid, rule, message):
        findings.append(Finding(document.label, sid, rule, message))

    try:
        policy = parse_policy(document.policy)
    except (TypeError, ValueError) as exc:
        finding("", "structure", f"not a JSON policy ({exc})")
        return findings, 0
    if policy.get("Version") != "2012-10-17":
        finding("", "structure", f"Version {policy.get('Version')!r} (want 2012-10-17)")
    statements = policy.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        finding("", "structure", "no Statement list")
        return findings, 0
    for index, statement in enumerate(statements):
        sid = str(statement.get("Sid") or f"#{index}")
        effect = statement.get("Effect")
        if effect not in ("Allow", "Deny"):
            finding(sid, "structure", f"Effect {effect!r}")
            continue
        if "Action" not in statement and "NotAction" not in statement:
            finding(sid, "structure", "no Action")
        if document.kind in RESOURCE_KINDS + ("trust",) and not (
            "Principal" in statement or "NotPrincipal" in statement
        ):
            finding(sid, "structure", "a resource policy statement without Principal")
        if document.kind in IDENTITY_KINDS and "Principal" in statement:
            finding(sid, "structure", "an identity policy statement with a Principal")
        if effect == "Deny":
            continue
        for negation in ("NotAction", "NotResource", "NotPrincipal"):
            if negation in statement:
                finding(sid, "negation", f"Allow with {negation} grants everything else")
        actions = [str(a) for a in as_list(statement.get("Action"))]
        principals = _principals(statement)
        root_admin = (
            document.kind == "key"
            and [a.lower() for a in actions] == [ROOT_ADMIN_ACTION]
            and principals
            and all(kind == "AWS" and _is_account_root(value, document.account) for kind, value in principals)
        )
        wildcards = [a for a in actions if _is_wildcard_action(a)]
        if wildcards and not root_admin:
            finding(sid, "wildcard-action", f"wildcard action {', '.join(wildcards)}")
        resources = [str(r) for r in as_list(statement.get("Resource"))]
        if document.kind in IDENTITY_KINDS and "*" in resources:
            loose = sorted({a for a in actions if a.lower() not in WILDCARD_RESOURCE_ACTIONS})
            if loose:
                finding(sid, "wildcard-resource", f'Resource "*" for {", ".join(loose)} (not on the allowlist)')
        if document.kind in RESOURCE_KINDS and document.kind != "key" and document.resource_arn:
            own = document.resource_arn
            outside = [r for r in resources if not (r == own or r.startswith(own + "/"))]
            if outside:
                finding(sid, "wildcard-resource", f"Resource {', '.join(outside)} is not {own} (or under it)")
        for arn in resources:
            why = _resource_breadth(arn)
            if why:
                finding(sid, "resource-breadth", why)
        if any(kind in ("*", "AWS") and value == "*" for kind, value in principals):
            if not _condition_keys(statement) & ACCOUNT_CONDITION_KEYS:
                finding(sid, "wildcard-principal", "Principal * without a condition pinning the account")
        if document.kind == "trust":
            other = [a for a in actions if a.lower() not in TRUST_ACTIONS]
            if other:
                finding(sid, "trust", f"trust policy allows {', '.join(other)}")
    return findings, len(statements)


def named_services(policy):
    """{service: how the key policy names it ('principal' | 'via')} over its Allow statements."""
    names = {}
    for statement in as_list(parse_policy(policy).get("Statement")):
        if statement.get("Effect") != "Allow":
            continue
        for kind, value in _principals(statement):
            if kind == "Service":
                names[service_name(value)] = "principal"
        for value in _condition_values(statement, "kms:viaservice"):
            names.setdefault(service_name(str(value)), "via")
    return names


def check_key_services(document, users):
    """key-services: users = {service: [resources of that service encrypted with this key]}."""
    findings = []
    names = named_services(document.policy)
    if not names:
        findings.append(Finding(document.label, "", "key-services", "the key policy names no service principal"))
    for service in sorted(users):
        how = names.get(service)
        where = ", ".join(sorted(users[service])[:3]) + (" ..." if len(users[service]) > 3 else "")
        if how is None:
            findings.append(
                Finding(
                    document.label,
                    "",
                    "key-services",
                    f"{service} uses the key ({where}) but the policy names it nowhere",
                )
            )
        elif service in SELF_USING_SERVICES and how != "principal":
            findings.append(
                Finding(
                    document.label,
                    "",
                    "key-services",
                    f"{service} uses the key itself ({where}): it must be a service principal, not only kms:ViaService",
                )
            )
    return findings


def lint(documents, key_users=None, roles=0, aws_managed_attachments=0):
    """Report over documents; key_users = {key ARN: {service: [resources]}} for the key-services rule."""
    report = Report(documents=list(documents), roles=roles, aws_managed_attachments=aws_managed_attachments)
    for document in report.documents:
        findings, count = check_document(document)
        report.findings.extend(findings)
        report.statements += count
        if document.kind == "key" and key_users is not None:
            report.findings.extend(check_key_services(document, key_users.get(document.resource_arn, {})))
    return report


# -- reading an environment -----------------------------------------------------------------------


class Reader:
    """Reads the documents and the key usage of one environment through boto3."""

    def __init__(self, env, region="us-east-1", endpoint=None, session=None):
        import boto3

        self.env = env
        self.region = region
        self.session = session or boto3.session.Session(region_name=region)
        self.endpoint = endpoint
        self._clients = {}
        self._key_arns = {}

    def client(self, service):
        if service not in self._clients:
            kwargs = {"region_name": self.region}
            if self.endpoint:
                kwargs["endpoint_url"] = self.endpoint
            self._clients[service] = self.session.client(service, **kwargs)
        return self._clients[service]

    @staticmethod
    def _tags(pairs, key="Key", value="Value"):
        return {t[key]: t[value] for t in pairs or []}

    def _ours(self, tags):
        return tags.get("Environment") == self.env

    def _pages(self, service, operation, key, **kwargs):
        paginator = self.client(service).get_paginator(operation)
        for page in paginator.paginate(**kwargs):
            yield from page.get(key, [])

    def account(self):
        return self.client("sts").get_caller_identity()["Account"]

    # documents
    def roles(self):
        iam = self.client("iam")
        documents, count, aws_managed = [], 0, 0
        for listed in self._pages("iam", "list_roles", "Roles"):
            name = listed["RoleName"]
            if not self._ours(self._tags(iam.list_role_tags(RoleName=name).get("Tags"))):
                continue
            count += 1
            role = iam.get_role(RoleName=name)["Role"]
            documents.append(Document("trust", name, role["AssumeRolePolicyDocument"], resource_arn=role["Arn"]))
            for policy_name in self._pages("iam", "list_role_policies", "PolicyNames", RoleName=name):
                body = iam.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"]
                documents.append(Document("inline", name, body, name=policy_name))
            for attached in self._pages("iam", "list_attached_role_policies", "AttachedPolicies", RoleName=name):
                arn = attached["PolicyArn"]
                if arn.split(":")[4] == "aws":
                    aws_managed += 1
                    continue
                version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
                body = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
                documents.append(Document("managed", name, body, name=attached["PolicyName"]))
        return documents, count, aws_managed

    def our_keys(self):
        kms = self.client("kms")
        keys = []
        for entry in self._pages("kms", "list_keys", "Keys"):
            meta = kms.describe_key(KeyId=entry["KeyId"])["KeyMetadata"]
            if meta.get("KeyManager") == "AWS" or meta.get("KeyState") in ("PendingDeletion", "PendingReplicaDeletion"):
                continue
            tags = self._tags(kms.list_resource_tags(KeyId=entry["KeyId"]).get("Tags"), "TagKey", "TagValue")
            if self._ours(tags):
                keys.append(meta)
        return keys

    def key_documents(self, account):
        kms = self.client("kms")
        aliases = {}
        for alias in self._pages("kms", "list_aliases", "Aliases"):
            if alias.get("TargetKeyId"):
                aliases.setdefault(alias["TargetKeyId"], alias["AliasName"])
        documents = []
        for meta in self.our_keys():
            body = kms.get_key_policy(KeyId=meta["KeyId"], PolicyName="default")["Policy"]
            owner = aliases.get(meta["KeyId"], meta["KeyId"])
            documents.append(Document("key", owner, body, resource_arn=meta["Arn"], account=account))
        return documents

    def bucket_documents(self, account):
        s3 = self.client("s3")
        documents = []
        for bucket in s3.list_buckets().get("Buckets", []):
            name = bucket["Name"]
            try:
                tags = self._tags(s3.get_bucket_tagging(Bucket=name).get("TagSet"))
            except s3.exceptions.ClientError:
                continue
            if not self._ours(tags):
                continue
            try:
                body = s3.get_bucket_policy(Bucket=name)["Policy"]
            except s3.exceptions.ClientError:
                continue
            documents.append(Document("bucket", name, body, resource_arn=f"arn:aws:s3:::{name}", account=account))
        return documents

    def topic_documents(self, account):
        sns = self.client("sns")
        documents = []
        for topic in self._pages("sns", "list_topics", "Topics"):
            arn = topic["TopicArn"]
            if not self._ours(self._tags(sns.list_tags_for_resource(ResourceArn=arn).get("Tags"))):
                continue
            body = sns.get_topic_attributes(TopicArn=arn)["Attributes"].get("Policy")
            if body:
                documents.append(Document("topic", arn.split(":")[-1], body, resource_arn=arn, account=account))
        return documents

    def queue_documents(self, account):
        sqs = self.client("sqs")
        documents = []
        for url in sqs.list_queues().get("QueueUrls", []):
            if not self._ours(sqs.list_queue_tags(QueueUrl=url).get("Tags") or {}):
                continue
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            if attributes.get("Policy"):
                arn = attributes["QueueArn"]
                documents.append(
                    Document("queue", arn.split(":")[-1], attributes["Policy"], resource_arn=arn, account=account)
                )
        return documents

    def function_documents(self, account):
        client = self.client("lambda")
        documents = []
        for function in self._pages("lambda", "list_functions", "Functions"):
            arn = function["FunctionArn"]
            if not self._ours(client.list_tags(Resource=arn).get("Tags") or {}):
                continue
            try:
                body = client.get_policy(FunctionName=function["FunctionName"])["Policy"]
            except client.exceptions.ResourceNotFoundException:
                continue
            documents.append(Document("function", function["FunctionName"], body, resource_arn=arn, account=account))
        return documents

    def secret_documents(self, account):
        sm = self.client("secretsmanager")
        documents = []
        for secret in self._pages("secretsmanager", "list_secrets", "SecretList"):
            if not self._ours(self._tags(secret.get("Tags"))):
                continue
            body = sm.get_resource_policy(SecretId=secret["ARN"]).get("ResourcePolicy")
            if body:
                documents.append(Document("secret", secret["Name"], body, resource_arn=secret["ARN"], account=account))
        return documents

    # key usage
    def key_arn(self, key_id):
        """The ARN of a key given by ID, ARN, alias name or alias ARN (None when it does not resolve)."""
        if not key_id:
            return None
        if key_id not in self._key_arns:
            try:
                self._key_arns[key_id] = self.client("kms").describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
            except Exception:  # noqa: BLE001 (an unknown or deleted key uses nothing of ours)
                self._key_arns[key_id] = None
        return self._key_arns[key_id]

    def key_users(self):
        """{key ARN: {service: [resource]}} for every resource that names a KMS key."""
        users = {}

        def use(key_id, service, resource):
            arn = self.key_arn(key_id)
            if arn:
                users.setdefault(arn, {}).setdefault(service, []).append(resource)

        ddb = self.client("dynamodb")
        for name in self._pages("dynamodb", "list_tables", "TableNames"):
            use(
                ddb.describe_table(TableName=name)["Table"].get("SSEDescription", {}).get("KMSMasterKeyArn"),
                "dynamodb",
                name,
            )
        sqs = self.client("sqs")
        for url in sqs.list_queues().get("QueueUrls", []):
            use(
                sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"].get("KmsMasterKeyId"),
                "sqs",
                url.rsplit("/", 1)[-1],
            )
        sns = self.client("sns")
        topic_keys = {}
        for topic in self._pages("sns", "list_topics", "Topics"):
            key = sns.get_topic_attributes(TopicArn=topic["TopicArn"])["Attributes"].get("KmsMasterKeyId")
            topic_keys[topic["TopicArn"]] = key
            use(key, "sns", topic["TopicArn"].split(":")[-1])
        for secret in self._pages("secretsmanager", "list_secrets", "SecretList"):
            use(secret.get("KmsKeyId"), "secretsmanager", secret["Name"])
        for function in self._pages("lambda", "list_functions", "Functions"):
            use(function.get("KMSKeyArn"), "lambda", function["FunctionName"])
        for group in self._pages("logs", "describe_log_groups", "logGroups"):
            use(group.get("kmsKeyId"), "logs", group["logGroupName"])
        for cluster in self._pages("rds", "describe_db_clusters", "DBClusters"):
            name = cluster["DBClusterIdentifier"]
            if cluster.get("StorageEncrypted"):
                use(cluster.get("KmsKeyId"), "rds", name)
            use(cluster.get("PerformanceInsightsKMSKeyId"), "rds", name)
        for instance in self._pages("rds", "describe_db_instances", "DBInstances"):
            use(instance.get("PerformanceInsightsKMSKeyId"), "rds", instance["DBInstanceIdentifier"])
        s3 = self.client("s3")
        for bucket in s3.list_buckets().get("Buckets", []):
            try:
                rules = s3.get_bucket_encryption(Bucket=bucket["Name"])["ServerSideEncryptionConfiguration"]["Rules"]
            except s3.exceptions.ClientError:
                continue
            for rule in rules:
                default = rule.get("ApplyServerSideEncryptionByDefault", {})
                if default.get("SSEAlgorithm", "").startswith("aws:kms"):
                    use(default.get("KMSMasterKeyID"), "s3", bucket["Name"])
        for parameter in self._pages("ssm", "describe_parameters", "Parameters"):
            if parameter.get("Type") == "SecureString":
                use(parameter.get("KeyId") or "alias/aws/ssm", "ssm", parameter["Name"])
        for alarm in self._pages("cloudwatch", "describe_alarms", "MetricAlarms"):
            for action in (
                alarm.get("AlarmActions", []) + alarm.get("OKActions", []) + alarm.get("InsufficientDataActions", [])
            ):
                if action in topic_keys:
                    use(topic_keys[action], "cloudwatch", alarm["AlarmName"])
        return users

    def read(self):
        account = self.account()
        documents, roles, aws_managed = self.roles()
        documents += self.key_documents(account)
        documents += self.bucket_documents(account)
        documents += self.topic_documents(account)
        documents += self.queue_documents(account)
        documents += self.function_documents(account)
        documents += self.secret_documents(account)
        for document in documents:
            document.account = document.account or account
        return documents, self.key_users(), roles, aws_managed


def lint_environment(env, region="us-east-1", endpoint=None, session=None):
    documents, users, roles, aws_managed = Reader(env, region, endpoint, session).read()
    return lint(documents, users, roles=roles, aws_managed_attachments=aws_managed)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--env", required=True, help="environment suffix (tag Environment)")
    parser.add_argument("--endpoint", default=None, help="AWS endpoint (the emulator); default: AWS_ENDPOINT_URL / AWS")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--json", action="store_true", help="print the documents and findings as JSON")
    args = parser.parse_args(argv)
    report = lint_environment(args.env, args.region, args.endpoint)
    if args.json:
        print(
            json.dumps(
                {
                    "documents": [
                        {"kind": d.kind, "owner": d.owner, "name": d.name, "policy": parse_policy(d.policy)}
                        for d in report.documents
                    ],
                    "findings": [str(f) for f in report.findings],
                },
                indent=2,
            )
        )
    for item in report.findings:
        print(item)
    print(report.figure())
    return 1 if report.findings else 0


if __name__ == "__main__":
    sys.exit(main())
