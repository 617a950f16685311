"""How many resources of each type one environment of the payment stack has, and what a converge must make.

    python tests/stack_state.py --env local [--endpoint http://127.0.0.1:5100] [--check] [--json]

`resource_counts` counts every resource type of the stack that lives in the account (VPCs, subnets, NAT
gateways, Elastic IPs, security groups, route tables, tables, clusters, instances, functions, APIs, routes,
integrations, stages, target groups, listeners, alarms, topics, keys, secrets, parameters, ...), finding them
the way tests/teardown_leftovers.py does (name token or Environment tag). `EXPECTED_COUNTS` is what a converge
of inventories/local with the default variables makes: the suites that kill, throttle or otherwise disturb a
converge compare against it, and Molecule's verify checks that an undisturbed converge makes exactly it, so
the table cannot drift from what site.yml really builds. `--check` exits 1 and names each difference.
"""

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from teardown_leftovers import Inventory  # noqa: E402

# Per kind, from the design: 3 AZs x (public, private, database) subnets, one NAT gateway and Elastic IP per
# AZ, route tables per tier and AZ, five least-privilege security groups beside the VPC's default, ...
AZS = 3
EXPECTED_COUNTS = {
    "ec2.vpcs": 1,
    "ec2.subnets": 3 * AZS,
    "ec2.nat_gateways": AZS,
    "ec2.elastic_ips": AZS,
    "ec2.internet_gateways": 1,
    # public (1 shared) + private and database (one per AZ each: private to its own AZ's NAT) + the VPC's main
    "ec2.route_tables": 1 + AZS + AZS + 1,
    # default + alb, lambda, aurora, vpc endpoints, vpc link
    "ec2.security_groups": 6,
    # S3 and DynamoDB gateway endpoints, Secrets Manager interface endpoint
    "ec2.vpc_endpoints": 3,
    "ec2.flow_logs": 1,
    "rds.db_clusters": 1,
    "rds.db_instances": 2,
    "rds.db_subnet_groups": 1,
    "rds.db_cluster_parameter_groups": 1,
    "dynamodb.tables": 1,
    # the audit archive and the ALB access logs
    "s3.buckets": 2,
    "lambda.functions": 4,
    "lambda.event_source_mappings": 1,
    # one per function, the flow logs delivery role and Aurora enhanced monitoring
    "iam.roles": 6,
    # the four functions', the API's access log, the VPC flow logs and Aurora's log exports (one per type of
    # aurora_cloudwatch_logs_exports: postgresql), which the aurora role creates encrypted before the cluster
    "logs.log_groups": 7,
    "kms.keys": 5,
    "kms.aliases": 5,
    "secretsmanager.secrets": 2,
    "sns.topics": 2,
    "sqs.queues": 1,
    "cloudwatch.alarms": 16,
    "cloudwatch.dashboards": 1,
    "elbv2.load_balancers": 1,
    "elbv2.target_groups": 2,
    "elbv2.listeners": 1,
    "wafv2.web_acls": 1,
    # the local inventory imports a self-signed certificate for the ALB's HTTPS listener
    "acm.certificates": 1,
    "apigatewayv2.apis": 1,
    "apigatewayv2.routes": 3,
    "apigatewayv2.integrations": 3,
    "apigatewayv2.stages": 1,
    "apigatewayv2.vpc_links": 1,
    "ssm.parameters": 17,
}


class StackState(Inventory):
    """The leftovers inventory plus the kinds that live inside another resource (listeners, routes, ...)."""

    def elbv2(self):
        found = super().elbv2()
        client = self.client("elbv2")
        arns = [
            lb["LoadBalancerArn"]
            for lb in self.pages("elbv2", "describe_load_balancers", "LoadBalancers")
            if self.named(lb["LoadBalancerName"])
        ]
        found["listeners"] = [
            listener["ListenerArn"]
            for arn in arns
            for listener in client.describe_listeners(LoadBalancerArn=arn).get("Listeners", [])
        ]
        return found

    def apigatewayv2(self):
        found = super().apigatewayv2()
        client = self.client("apigatewayv2")
        apis = [a for a in client.get_apis().get("Items", []) if self.named(a["Name"])]
        for kind, call in (("routes", client.get_routes), ("integrations", client.get_integrations)):
            found[kind] = [
                f"{api['Name']}:{item.get('RouteKey') or item.get('IntegrationId')}"
                for api in apis
                for item in call(ApiId=api["ApiId"]).get("Items", [])
            ]
        found["stages"] = [
            f"{api['Name']}:{stage['StageName']}"
            for api in apis
            for stage in client.get_stages(ApiId=api["ApiId"]).get("Items", [])
        ]
        return found


def resource_items(env, endpoint=None, region="us-east-1"):
    """{kind: [ids or names]} of every resource of the environment (network interfaces left out: they come and
    go with the services that own them)."""
    found = StackState(env, endpoint, region).collect()
    found.pop("ec2.network_interfaces", None)
    return found


def resource_counts(env, endpoint=None, region="us-east-1"):
    return {kind: len(items) for kind, items in resource_items(env, endpoint, region).items()}


def count_differences(actual, expected=None):
    """One line per kind whose count differs ("ec2.nat_gateways: 4, expected 3"); empty when they match."""
    expected = EXPECTED_COUNTS if expected is None else expected
    return [
        f"{kind}: {actual.get(kind, 0)}, expected {expected.get(kind, 0)}"
        for kind in sorted(set(actual) | set(expected))
        if actual.get(kind, 0) != expected.get(kind, 0)
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--env", required=True, help="environment_suffix of the stack")
    parser.add_argument("--endpoint", default=os.environ.get("AWS_ENDPOINT_URL"), help="AWS endpoint (the emulator)")
    parser.add_argument("--region", default=os.environ.get("AWS_REGION", "us-east-1"))
    parser.add_argument("--check", action="store_true", help="exit 1 unless the counts equal EXPECTED_COUNTS")
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    args = parser.parse_args(argv)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    counts = resource_counts(args.env, args.endpoint, args.region)
    total = sum(counts.values())
    if args.json:
        print(json.dumps({"total": total, "counts": counts}, indent=2, sort_keys=True))
    else:
        for kind, count in sorted(counts.items()):
            print(f"{kind}: {count}")
        print(f"{total} resource(s) in {len(counts)} kinds")
    if args.check:
        differences = count_differences(counts)
        for line in differences:
            print(f"differs: {line}")
        if differences:
            return 1
        print(f"stack state: {total} resources in {len(counts)} kinds, as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
