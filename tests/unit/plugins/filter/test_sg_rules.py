"""payments.infra.sg_rules: module-style rules and the permissions AWS reports give the same strings exactly when
the group holds those rules (checked against moto's EC2, shaped as amazon.aws.ec2_security_group_info returns it)."""

import boto3
import pytest
from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.payments.infra.plugins.filter.sg_rules import FilterModule, sg_rules


@pytest.fixture
def ec2(moto_aws):
    yield boto3.client("ec2", region_name="us-east-1")


def reported(ec2, group_id):
    group = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    return camel_dict_to_snake_dict(group, ignore_list=["Tags"])


def groups(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    alb = ec2.create_security_group(GroupName="alb", Description="alb", VpcId=vpc)["GroupId"]
    link = ec2.create_security_group(GroupName="link", Description="link", VpcId=vpc)["GroupId"]
    return alb, link


def desired(link):
    return {
        "ingress": [
            {"proto": "tcp", "ports": [443], "group_id": link, "rule_desc": "HTTPS from the VPC Link"},
            {"proto": "tcp", "ports": [443], "cidr_ip": ["10.0.0.0/16", "192.168.0.0/24"], "rule_desc": "HTTPS in"},
        ],
        "egress": [
            {"proto": "tcp", "ports": ["8080"], "cidr_ip": ["10.0.8.0/24", "10.0.9.0/24"], "rule_desc": "targets"},
        ],
    }


def apply(ec2, group_id, link):
    ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "UserIdGroupPairs": [{"GroupId": link, "Description": "HTTPS from the VPC Link"}],
                "IpRanges": [
                    {"CidrIp": "10.0.0.0/16", "Description": "HTTPS in"},
                    {"CidrIp": "192.168.0.0/24", "Description": "HTTPS in"},
                ],
            }
        ],
    )
    ec2.revoke_security_group_egress(
        GroupId=group_id, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
    ec2.authorize_security_group_egress(
        GroupId=group_id,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 8080,
                "ToPort": 8080,
                "IpRanges": [
                    {"CidrIp": "10.0.8.0/24", "Description": "targets"},
                    {"CidrIp": "10.0.9.0/24", "Description": "targets"},
                ],
            }
        ],
    )


def test_converged_group_matches(ec2):
    alb, link = groups(ec2)
    apply(ec2, alb, link)
    group = reported(ec2, alb)
    rules = desired(link)
    assert sg_rules(group["ip_permissions"], reported=True) == sg_rules(rules["ingress"])
    assert sg_rules(group["ip_permissions_egress"], reported=True) == sg_rules(rules["egress"])
    assert len(sg_rules(rules["ingress"])) == 3


def test_new_group_does_not_match(ec2):
    alb, link = groups(ec2)
    group = reported(ec2, alb)
    rules = desired(link)
    assert sg_rules(group["ip_permissions"], reported=True) == []
    # The default allow-all egress of a new group is a difference from rules_egress: [].
    assert sg_rules(group["ip_permissions_egress"], reported=True) == ["-1|-1|-1|cidr:0.0.0.0/0|"]
    assert sg_rules([]) != sg_rules(group["ip_permissions_egress"], reported=True)
    assert sg_rules(rules["egress"]) != sg_rules(group["ip_permissions_egress"], reported=True)


@pytest.mark.parametrize(
    "drift",
    [
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.1.0.0/16"}]},
        {"IpProtocol": "-1", "UserIdGroupPairs": []},
    ],
    ids=["extra port", "extra cidr", "all traffic"],
)
def test_an_extra_rule_is_a_difference(ec2, drift):
    alb, link = groups(ec2)
    apply(ec2, alb, link)
    if not drift.get("UserIdGroupPairs", True):
        drift = {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": alb}]}
    ec2.authorize_security_group_ingress(GroupId=alb, IpPermissions=[drift])
    group = reported(ec2, alb)
    assert sg_rules(group["ip_permissions"], reported=True) != sg_rules(desired(link)["ingress"])


def test_a_changed_description_is_a_difference(ec2):
    alb, link = groups(ec2)
    apply(ec2, alb, link)
    ec2.update_security_group_rule_descriptions_ingress(
        GroupId=alb,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "10.0.0.0/16", "Description": "x"}],
            }
        ],
    )
    group = reported(ec2, alb)
    assert sg_rules(group["ip_permissions"], reported=True) != sg_rules(desired(link)["ingress"])


def test_port_ranges_protocols_and_errors():
    assert sg_rules([{"proto": "all", "cidr_ip": "0.0.0.0/0"}]) == ["-1|-1|-1|cidr:0.0.0.0/0|"]
    assert sg_rules([{"proto": "tcp", "ports": ["1000-2000"], "cidr_ip": "10.0.0.0/8"}]) == [
        "6|1000|2000|cidr:10.0.0.0/8|"
    ]
    assert sg_rules([{"proto": "udp", "from_port": 53, "to_port": 53, "group_id": "sg-1"}]) == ["17|53|53|group:sg-1|"]
    with pytest.raises(AnsibleFilterError):
        sg_rules({"not": "a list"})
    with pytest.raises(AnsibleFilterError):
        sg_rules([{"proto": "tcp", "ports": [1], "group_name": "other"}])
    assert FilterModule().filters()["sg_rules"] is sg_rules
