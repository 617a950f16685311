"""List every resource of one environment of the payment stack that is still alive, service by service.

    python tests/teardown_leftovers.py --env local [--endpoint http://127.0.0.1:5100] [--json]

A resource belongs to the environment when its name carries the environment as a whole token
(payment-vpc-<env>, /aws/lambda/payment-<fn>-<env>, /payment-processing/<env>/...) or it is tagged
Environment=<env>. KMS keys pending deletion and secrets scheduled for deletion count as gone (that is what the
teardown does to them). Exits 1 when anything is left, 0 when nothing is, and prints the count per service.
"""

import argparse
import json
import os
import re
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError


def tags_of(tag_list):
    return {tag["Key"]: tag["Value"] for tag in tag_list or []}


class Inventory:
    def __init__(self, env, endpoint, region):
        self.env = env
        self.token = re.compile(rf"(^|[-/_:.]){re.escape(env)}($|[-/_:.])")
        self.endpoint = endpoint
        self.region = region
        self.config = Config(retries={"max_attempts": 3, "mode": "standard"})

    def client(self, service):
        return boto3.client(service, endpoint_url=self.endpoint, region_name=self.region, config=self.config)

    def named(self, name):
        return bool(name) and bool(self.token.search(name))

    def tagged(self, tags):
        return (tags or {}).get("Environment") == self.env

    def pages(self, service, operation, key, **params):
        paginator = self.client(service).get_paginator(operation)
        for page in paginator.paginate(**params):
            yield from page.get(key, [])

    # One method per service: each returns the ids or names still there.

    def ec2(self):
        ec2 = self.client("ec2")
        found = {}
        env_filter = [{"Name": "tag:Environment", "Values": [self.env]}]
        found["vpcs"] = [v["VpcId"] for v in ec2.describe_vpcs(Filters=env_filter)["Vpcs"]]
        vpc_filter = [{"Name": "vpc-id", "Values": found["vpcs"]}] if found["vpcs"] else None

        def in_env(describe, key, id_key, state_key=None, gone=()):
            items = describe(Filters=env_filter)[key]
            if vpc_filter:
                items += describe(Filters=vpc_filter)[key]
            ids = {i[id_key] for i in items if not state_key or i.get(state_key) not in gone}
            return sorted(ids)

        found["subnets"] = in_env(ec2.describe_subnets, "Subnets", "SubnetId")
        found["nat_gateways"] = in_env(
            ec2.describe_nat_gateways, "NatGateways", "NatGatewayId", "State", ("deleted", "deleting")
        )
        found["elastic_ips"] = [a["AllocationId"] for a in ec2.describe_addresses(Filters=env_filter)["Addresses"]]
        found["internet_gateways"] = [
            i["InternetGatewayId"] for i in ec2.describe_internet_gateways(Filters=env_filter)["InternetGateways"]
        ]
        found["route_tables"] = in_env(ec2.describe_route_tables, "RouteTables", "RouteTableId")
        found["security_groups"] = in_env(ec2.describe_security_groups, "SecurityGroups", "GroupId")
        found["vpc_endpoints"] = in_env(
            ec2.describe_vpc_endpoints, "VpcEndpoints", "VpcEndpointId", "State", ("deleted", "deleting")
        )
        flow_logs = ec2.describe_flow_logs(Filters=env_filter)["FlowLogs"]
        if found["vpcs"]:
            flow_logs += ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": found["vpcs"]}])["FlowLogs"]
        found["flow_logs"] = sorted({f["FlowLogId"] for f in flow_logs})
        found["network_interfaces"] = (
            in_env(ec2.describe_network_interfaces, "NetworkInterfaces", "NetworkInterfaceId") if vpc_filter else []
        )
        return found

    def rds(self):
        return {
            "db_clusters": [
                c["DBClusterIdentifier"]
                for c in self.pages("rds", "describe_db_clusters", "DBClusters")
                if self.named(c["DBClusterIdentifier"])
            ],
            "db_instances": [
                i["DBInstanceIdentifier"]
                for i in self.pages("rds", "describe_db_instances", "DBInstances")
                if self.named(i["DBInstanceIdentifier"])
            ],
            "db_subnet_groups": [
                g["DBSubnetGroupName"]
                for g in self.pages("rds", "describe_db_subnet_groups", "DBSubnetGroups")
                if self.named(g["DBSubnetGroupName"])
            ],
            "db_cluster_parameter_groups": [
                g["DBClusterParameterGroupName"]
                for g in self.pages("rds", "describe_db_cluster_parameter_groups", "DBClusterParameterGroups")
                if self.named(g["DBClusterParameterGroupName"])
            ],
            "db_parameter_groups": [
                g["DBParameterGroupName"]
                for g in self.pages("rds", "describe_db_parameter_groups", "DBParameterGroups")
                if self.named(g["DBParameterGroupName"])
            ],
        }

    def dynamodb(self):
        return {"tables": [t for t in self.pages("dynamodb", "list_tables", "TableNames") if self.named(t)]}

    def s3(self):
        return {"buckets": [b["Name"] for b in self.client("s3").list_buckets()["Buckets"] if self.named(b["Name"])]}

    def awslambda(self):
        functions = [f["FunctionName"] for f in self.pages("lambda", "list_functions", "Functions")]
        mappings = [
            m["UUID"]
            for m in self.pages("lambda", "list_event_source_mappings", "EventSourceMappings")
            if self.named(m.get("FunctionArn", "").rsplit(":function:", 1)[-1].split(":")[0])
        ]
        return {"functions": [f for f in functions if self.named(f)], "event_source_mappings": mappings}

    def iam(self):
        return {"roles": [r["RoleName"] for r in self.pages("iam", "list_roles", "Roles") if self.named(r["RoleName"])]}

    def logs(self):
        return {
            "log_groups": [
                g["logGroupName"]
                for g in self.pages("logs", "describe_log_groups", "logGroups")
                if self.named(g["logGroupName"])
            ]
        }

    def kms(self):
        kms = self.client("kms")
        keys = []
        for key in self.pages("kms", "list_keys", "Keys"):
            meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
            if meta["KeyState"] in ("PendingDeletion", "PendingReplicaDeletion"):
                continue
            tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=key["KeyId"]).get("Tags", [])}
            if self.tagged(tags):
                keys.append(key["KeyId"])
        aliases = [a["AliasName"] for a in self.pages("kms", "list_aliases", "Aliases") if self.named(a["AliasName"])]
        return {"keys": keys, "aliases": aliases}

    def secretsmanager(self):
        return {
            "secrets": [
                s["Name"]
                for s in self.pages("secretsmanager", "list_secrets", "SecretList")
                if self.named(s["Name"]) and not s.get("DeletedDate")
            ]
        }

    def sns(self):
        topics = [t["TopicArn"] for t in self.pages("sns", "list_topics", "Topics")]
        return {"topics": [t.rsplit(":", 1)[-1] for t in topics if self.named(t.rsplit(":", 1)[-1])]}

    def sqs(self):
        urls = self.client("sqs").list_queues().get("QueueUrls", [])
        return {"queues": [u.rsplit("/", 1)[-1] for u in urls if self.named(u.rsplit("/", 1)[-1])]}

    def cloudwatch(self):
        alarms = self.pages("cloudwatch", "describe_alarms", "MetricAlarms", AlarmNamePrefix=f"payment-{self.env}-")
        dashboards = self.client("cloudwatch").list_dashboards().get("DashboardEntries", [])
        return {
            "alarms": [a["AlarmName"] for a in alarms],
            "dashboards": [d["DashboardName"] for d in dashboards if self.named(d["DashboardName"])],
        }

    def elbv2(self):
        return {
            "load_balancers": [
                lb["LoadBalancerName"]
                for lb in self.pages("elbv2", "describe_load_balancers", "LoadBalancers")
                if self.named(lb["LoadBalancerName"])
            ],
            "target_groups": [
                tg["TargetGroupName"]
                for tg in self.pages("elbv2", "describe_target_groups", "TargetGroups")
                if self.named(tg["TargetGroupName"])
            ],
        }

    def wafv2(self):
        acls = self.client("wafv2").list_web_acls(Scope="REGIONAL").get("WebACLs", [])
        return {"web_acls": [a["Name"] for a in acls if self.named(a["Name"])]}

    def acm(self):
        acm = self.client("acm")
        left = []
        for cert in self.pages("acm", "list_certificates", "CertificateSummaryList"):
            tags = tags_of(acm.list_tags_for_certificate(CertificateArn=cert["CertificateArn"]).get("Tags"))
            if self.tagged(tags):
                left.append(cert["CertificateArn"])
        return {"certificates": left}

    def apigatewayv2(self):
        client = self.client("apigatewayv2")
        return {
            "apis": [a["Name"] for a in client.get_apis().get("Items", []) if self.named(a["Name"])],
            "vpc_links": [v["Name"] for v in client.get_vpc_links().get("Items", []) if self.named(v["Name"])],
        }

    def ssm(self):
        path = f"/payment-processing/{self.env}/"
        params = self.pages("ssm", "get_parameters_by_path", "Parameters", Path=path, Recursive=True)
        return {"parameters": [p["Name"] for p in params]}

    def collect(self):
        services = {
            "ec2": self.ec2,
            "rds": self.rds,
            "dynamodb": self.dynamodb,
            "s3": self.s3,
            "lambda": self.awslambda,
            "iam": self.iam,
            "logs": self.logs,
            "kms": self.kms,
            "secretsmanager": self.secretsmanager,
            "sns": self.sns,
            "sqs": self.sqs,
            "cloudwatch": self.cloudwatch,
            "elbv2": self.elbv2,
            "wafv2": self.wafv2,
            "acm": self.acm,
            "apigatewayv2": self.apigatewayv2,
            "ssm": self.ssm,
        }
        found = {}
        for service, lister in services.items():
            try:
                kinds = lister()
            except ClientError as e:
                kinds = {"error": [f"{e.response['Error'].get('Code')}: {e.response['Error'].get('Message')}"]}
            except BotoCoreError as e:
                kinds = {"error": [str(e)]}
            for kind, items in kinds.items():
                if items:
                    found[f"{service}.{kind}"] = items
        return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--env", required=True, help="environment_suffix of the stack")
    parser.add_argument("--endpoint", default=os.environ.get("AWS_ENDPOINT_URL"), help="AWS endpoint (the emulator)")
    parser.add_argument("--region", default=os.environ.get("AWS_REGION", "us-east-1"))
    parser.add_argument("--json", action="store_true", help="print the leftovers as JSON")
    parser.add_argument("--count", action="store_true", help="print only the number of resources and exit 0")
    args = parser.parse_args(argv)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    found = Inventory(args.env, args.endpoint, args.region).collect()
    total = sum(len(items) for items in found.values())
    if args.count:
        print(total)
        return 0
    if args.json:
        print(json.dumps({"total": total, "resources": found}, indent=2, sort_keys=True))
    else:
        for kind, items in sorted(found.items()):
            print(f"{kind}: {len(items)}: {', '.join(map(str, items))}")
        print(f"{total} resource(s) of environment {args.env} left")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
