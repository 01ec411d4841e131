"""What AWS services create on their own, outside every stack, and for whom.

A stack declares an Auto Scaling group; the instances it launches are nobody's click-ops, but
they are not stack resources either: the service made them for the stack's group. The live
scan (:mod:`iacviz.sources.live_unmanaged`) lists resources no stack reports; each function
below is one documented way an AWS service marks what it made, and answers with the
:class:`Owner`: the service, and the type and physical id of the resource it made it for
(looked up among the stacks' resources by the scan), or None when the rule does not apply.

Rules take a row of the scan: ``type`` (CloudFormation type, or ``<arn service>:<kind>``),
``id``, ``tags`` (dict) and, for network interfaces, ``eni`` (the fields of
``DescribeNetworkInterfaces`` that say who made it: ``Description``, ``InterfaceType``,
``RequesterId``, ``RequesterManaged``).

Two more kinds of stacks' neighbours are told apart here: AWS-owned defaults
(:func:`aws_default`), which no stack could own, and stacks that a tool or service
created for itself (:func:`stack_created_by`).

>>> log_group_owner({"type": "AWS::Logs::LogGroup", "id": "/aws/lambda/shop-orders-fn", "tags": {}})
Owner(service='Lambda', type='AWS::Lambda::Function', id='shop-orders-fn')
>>> owner_of({"type": "AWS::EC2::Instance", "id": "i-0abc", "tags": {"aws:autoscaling:groupName": "web"}})
[Owner(service='AutoScaling', type='AWS::AutoScaling::AutoScalingGroup', id='web')]
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping, NamedTuple

__all__ = [
    "CFN_TAGGED_LAUNCHERS",
    "LOG_GROUP_PREFIXES",
    "RULES",
    "Owner",
    "auto_scaling_member",
    "aws_default",
    "beanstalk_environment_resource",
    "cloudformation_tag_owner",
    "codedeploy_replacement",
    "ecs_managed",
    "eks_managed",
    "log_group_owner",
    "owner_of",
    "requester_managed_interface",
    "service_log_group",
    "stack_created_by",
]


class Owner(NamedTuple):
    """Who made a resource outside every stack: the service, and the resource it made it for."""

    service: str  # the service part of a CloudFormation type: Lambda, AutoScaling, EKS...
    type: str | None  # CloudFormation type of the resource it was made for (None: not known)
    id: str | None  # that resource's physical id, or its name (the last piece of an ARN)


# resource type -> (owning service, prefix of the log group it creates, before the physical id)
LOG_GROUP_PREFIXES = {
    "AWS::Lambda::Function": ("Lambda", "/aws/lambda/"),
    "AWS::CodeBuild::Project": ("CodeBuild", "/aws/codebuild/"),
}


def service_log_group(resource_type: str, physical_id: str | None) -> str | None:
    """The log group a service creates by default for a resource, or None when it creates none.

    Parameters
    ----------
    resource_type : str
        CloudFormation type of the resource, e.g. ``AWS::Lambda::Function``.
    physical_id : str or None
        Its physical id as the stack reports it (a function's or project's name).

    Returns
    -------
    str or None
        The log group's name.

    Examples
    --------
    >>> service_log_group("AWS::CodeBuild::Project", "build-web")
    '/aws/codebuild/build-web'
    >>> service_log_group("AWS::SQS::Queue", "q") is None
    True
    """
    known = LOG_GROUP_PREFIXES.get(resource_type)
    if known is None or not physical_id:
        return None
    return known[1] + physical_id


def _tags(row: Mapping[str, Any]) -> Mapping[str, str]:
    tags = row.get("tags")
    return tags if isinstance(tags, Mapping) else {}


def log_group_owner(row: Mapping[str, Any]) -> Owner | None:
    """The function, build project or cluster whose logs a service writes to a log group it created.

    Lambda creates ``/aws/lambda/<function name>`` on a function's first invocation unless the
    template declares it; CodeBuild creates ``/aws/codebuild/<project name>``; EKS creates
    ``/aws/eks/<cluster name>/cluster`` when control-plane logging is on.

    Sources: Lambda developer guide, "Working with Lambda function logs"; CodeBuild user guide,
    "View build logs"; EKS user guide, "Send control plane logs to CloudWatch Logs".

    Examples
    --------
    >>> log_group_owner({"type": "AWS::Logs::LogGroup", "id": "/aws/eks/prod/cluster"})
    Owner(service='EKS', type='AWS::EKS::Cluster', id='prod')
    >>> log_group_owner({"type": "AWS::Logs::LogGroup", "id": "/app/orders"}) is None
    True
    """
    if row.get("type") != "AWS::Logs::LogGroup":
        return None
    name = str(row.get("id") or "")
    for rtype, (service, prefix) in LOG_GROUP_PREFIXES.items():
        if name.startswith(prefix) and len(name) > len(prefix):
            return Owner(service, rtype, name[len(prefix) :])
    eks = re.fullmatch(r"/aws/eks/([^/]+)/cluster", name)
    if eks:
        return Owner("EKS", "AWS::EKS::Cluster", eks.group(1))
    return None


# CodeDeploy names the Auto Scaling group it copies for a blue/green deployment
# CodeDeploy_<deployment group name>_<deployment id>; deployment ids are d-<9 characters>.
_CODEDEPLOY_GROUP = re.compile(r"CodeDeploy_(?P<group>.+)_(?P<deployment>d-[A-Z0-9]{9})")


def codedeploy_replacement(row: Mapping[str, Any]) -> Owner | None:
    """The deployment group whose blue/green deployment copied an Auto Scaling group (or launched
    an instance into the copy).

    With ``GreenFleetProvisioningOption`` ``COPY_AUTO_SCALING_GROUP``, CodeDeploy creates the
    replacement (green) fleet as a new Auto Scaling group named
    ``CodeDeploy_<deployment group>_<deployment id>``; its instances carry that name in
    ``aws:autoscaling:groupName``.

    Sources: CodeDeploy API reference, "GreenFleetProvisioningOption"; CodeDeploy user guide,
    "Create a deployment group for an EC2/On-Premises blue/green deployment" (automatically copy
    Amazon EC2 Auto Scaling group).

    Examples
    --------
    >>> codedeploy_replacement({"type": "AWS::AutoScaling::AutoScalingGroup",
    ...                         "id": "CodeDeploy_web-dg_d-A1B2C3D4E"})
    Owner(service='CodeDeploy', type='AWS::CodeDeploy::DeploymentGroup', id='web-dg')
    >>> codedeploy_replacement({"type": "AWS::EC2::Instance", "id": "i-1",
    ...                         "tags": {"aws:autoscaling:groupName": "web-asg"}}) is None
    True
    """
    name = row.get("id") if row.get("type") == "AWS::AutoScaling::AutoScalingGroup" else None
    name = name or _tags(row).get("aws:autoscaling:groupName")
    hit = _CODEDEPLOY_GROUP.fullmatch(str(name or ""))
    return Owner("CodeDeploy", "AWS::CodeDeploy::DeploymentGroup", hit.group("group")) if hit else None


def eks_managed(row: Mapping[str, Any]) -> Owner | None:
    """The node group or cluster that EKS made a resource for.

    Managed node groups run on an Auto Scaling group that EKS creates and tags, with its
    instances, ``eks:cluster-name`` and ``eks:nodegroup-name``; what the cluster's controllers
    create for it (load balancers, volumes, security groups) carries
    ``kubernetes.io/cluster/<cluster name>`` = ``owned``; the network interfaces EKS places in
    the cluster's subnets are described ``Amazon EKS <cluster name>``.

    Sources: EKS user guide, "Simplify node lifecycle with managed node groups" (the node
    group's Auto Scaling group is managed by EKS) and "Managed node group tags"; EKS user guide,
    "View Amazon EKS networking requirements for VPC and subnets" (cluster network interfaces).

    Examples
    --------
    >>> eks_managed({"type": "AWS::EC2::Instance", "id": "i-1",
    ...              "tags": {"eks:cluster-name": "prod", "eks:nodegroup-name": "general"}})
    Owner(service='EKS', type='AWS::EKS::Nodegroup', id='general')
    >>> eks_managed({"type": "ec2:volume", "id": "vol-1", "tags": {"kubernetes.io/cluster/prod": "owned"}})
    Owner(service='EKS', type='AWS::EKS::Cluster', id='prod')
    """
    tags = _tags(row)
    if tags.get("eks:nodegroup-name"):
        return Owner("EKS", "AWS::EKS::Nodegroup", tags["eks:nodegroup-name"])
    if tags.get("eks:cluster-name"):
        return Owner("EKS", "AWS::EKS::Cluster", tags["eks:cluster-name"])
    for key, value in tags.items():
        if key.startswith("kubernetes.io/cluster/") and value == "owned":
            return Owner("EKS", "AWS::EKS::Cluster", key.removeprefix("kubernetes.io/cluster/"))
    described = re.fullmatch(r"Amazon EKS (\S+)", str((row.get("eni") or {}).get("Description") or ""))
    if described:
        return Owner("EKS", "AWS::EKS::Cluster", described.group(1))
    return None


_ECS_ATTACHMENT = re.compile(r"arn:aws[-a-z]*:ecs:[^:]*:[0-9]*:attachment/\S+")


def ecs_managed(row: Mapping[str, Any]) -> Owner | None:
    """The service or cluster that ECS made a resource for: a task's network interface, or a
    resource with ECS managed tags.

    A task in ``awsvpc`` network mode gets an elastic network interface that ECS creates and
    deletes with the task; its description is the task's attachment ARN
    (``arn:aws:ecs:<region>:<account>:attachment/<id>``). With ``EnableECSManagedTags``, ECS
    tags what it launches with ``aws:ecs:clusterName`` and ``aws:ecs:serviceName``.

    Sources: ECS developer guide, "Amazon ECS task networking options for EC2" (awsvpc: the
    task's elastic network interface) and "Tagging Amazon ECS resources" (Amazon ECS managed
    tags); EC2 user guide, "Requester-managed network interfaces".

    Examples
    --------
    >>> ecs_managed({"type": "AWS::EC2::NetworkInterface", "id": "eni-1", "tags": {},
    ...              "eni": {"Description": "arn:aws:ecs:us-east-1:123456789012:attachment/4f1e-7a",
    ...                      "InterfaceType": "interface", "RequesterManaged": True}})
    Owner(service='ECS', type=None, id=None)
    >>> ecs_managed({"type": "AWS::EC2::NetworkInterface", "id": "eni-2",
    ...              "tags": {"aws:ecs:clusterName": "shop", "aws:ecs:serviceName": "web"}})
    Owner(service='ECS', type='AWS::ECS::Service', id='web')
    """
    tags = _tags(row)
    if tags.get("aws:ecs:serviceName"):
        return Owner("ECS", "AWS::ECS::Service", tags["aws:ecs:serviceName"])
    if tags.get("aws:ecs:clusterName"):
        return Owner("ECS", "AWS::ECS::Cluster", tags["aws:ecs:clusterName"])
    if _ECS_ATTACHMENT.fullmatch(str((row.get("eni") or {}).get("Description") or "")):
        return Owner("ECS", None, None)  # the attachment names the task, not its service
    return None


def beanstalk_environment_resource(row: Mapping[str, Any]) -> Owner | None:
    """The Elastic Beanstalk environment a resource belongs to.

    Elastic Beanstalk tags every resource of an environment with
    ``elasticbeanstalk:environment-name`` and ``elasticbeanstalk:environment-id`` (and ``Name``);
    users cannot set tags with the ``elasticbeanstalk:`` prefix.

    Source: Elastic Beanstalk developer guide, "Tagging resources in your Elastic Beanstalk
    environments" (the three default tags).

    Examples
    --------
    >>> beanstalk_environment_resource({"type": "AWS::EC2::Instance", "id": "i-1",
    ...     "tags": {"elasticbeanstalk:environment-name": "shop-prod", "elasticbeanstalk:environment-id": "e-x"}})
    Owner(service='ElasticBeanstalk', type='AWS::ElasticBeanstalk::Environment', id='shop-prod')
    """
    name = _tags(row).get("elasticbeanstalk:environment-name")
    return Owner("ElasticBeanstalk", "AWS::ElasticBeanstalk::Environment", name) if name else None


def auto_scaling_member(row: Mapping[str, Any]) -> Owner | None:
    """The Auto Scaling group that launched an instance (or a volume or interface tagged with it).

    EC2 Auto Scaling adds ``aws:autoscaling:groupName`` (the group's name) to every instance it
    launches; it does not propagate tags to volumes, which carry it only when the launch
    template tags them.

    Source: EC2 Auto Scaling user guide, "Tag Auto Scaling groups and instances".

    Examples
    --------
    >>> auto_scaling_member({"type": "AWS::EC2::Instance", "id": "i-1", "tags": {"aws:autoscaling:groupName": "web"}})
    Owner(service='AutoScaling', type='AWS::AutoScaling::AutoScalingGroup', id='web')
    >>> auto_scaling_member({"type": "AWS::EC2::Instance", "id": "i-2", "tags": {}}) is None
    True
    """
    name = _tags(row).get("aws:autoscaling:groupName")
    return Owner("AutoScaling", "AWS::AutoScaling::AutoScalingGroup", name) if name else None


# InterfaceType of network interfaces that a service creates, by the service part of the
# CloudFormation type of what it creates them for (EC2 API reference, NetworkInterface).
_INTERFACE_TYPES = {
    "lambda": "Lambda",
    "natGateway": "EC2",
    "load_balancer": "ElasticLoadBalancingV2",
    "network_load_balancer": "ElasticLoadBalancingV2",
    "gateway_load_balancer": "ElasticLoadBalancingV2",
    "gateway_load_balancer_endpoint": "EC2",
    "vpc_endpoint": "EC2",
    "transit_gateway": "EC2",
    "quicksight": "QuickSight",
    "global_accelerator_managed": "GlobalAccelerator",
    "api_gateway_managed": "ApiGateway",
    "iot_rules_managed": "IoT",
    "aws_codestar_connections_managed": "CodeStarConnections",
    "trunk": "ECS",  # ECS ENI trunking on container instances
    "branch": "ECS",
}
# What a service writes in the description of an interface it makes, and for which resource:
# a load balancer's ("ELB app/<name>/<id>", its ARN ends in the same <id>), a NAT gateway's,
# an interface endpoint's (EC2 user guide, "Requester-managed network interfaces").
_DESCRIPTIONS = (
    (re.compile(r"ELB (?:app|net|gwy)/[^/]+/(?P<id>[0-9a-f]+)"), "AWS::ElasticLoadBalancingV2::LoadBalancer"),
    (re.compile(r"Interface for NAT Gateway (?P<id>nat-[0-9a-f]+)"), "AWS::EC2::NatGateway"),
    (re.compile(r"VPC Endpoint Interface:? (?P<id>vpce-[0-9a-f]+)"), "AWS::EC2::VPCEndpoint"),
)


def requester_managed_interface(row: Mapping[str, Any]) -> Owner | None:
    """The service that created a network interface on your behalf (requester-managed).

    An interface that an AWS service creates in your VPC (Lambda, a NAT gateway, a load balancer,
    an interface endpoint, RDS...) is requester-managed: ``RequesterManaged`` is true and
    ``InterfaceType`` or ``Description`` names the service; you cannot detach or modify it,
    and it goes when the service's resource goes. The description of a load balancer's, a
    NAT gateway's or an interface endpoint's interface names that resource: it is the owner.

    Source: EC2 user guide, "Requester-managed network interfaces"; EC2 API reference,
    "NetworkInterface" (InterfaceType values).

    Examples
    --------
    >>> requester_managed_interface({"type": "AWS::EC2::NetworkInterface", "id": "eni-1",
    ...     "eni": {"InterfaceType": "natGateway", "RequesterManaged": True}})
    Owner(service='EC2', type=None, id=None)
    >>> requester_managed_interface({"type": "AWS::EC2::NetworkInterface", "id": "eni-3",
    ...     "eni": {"Description": "VPC Endpoint Interface vpce-0d8ddce4be80e4474", "InterfaceType": "vpc_endpoint"}})
    Owner(service='EC2', type='AWS::EC2::VPCEndpoint', id='vpce-0d8ddce4be80e4474')
    >>> requester_managed_interface({"type": "AWS::EC2::NetworkInterface", "id": "eni-2",
    ...     "eni": {"InterfaceType": "interface", "RequesterManaged": False}}) is None
    True
    """
    eni = row.get("eni") or {}
    description = str(eni.get("Description") or "")
    for pattern, rtype in _DESCRIPTIONS:
        hit = pattern.fullmatch(description)
        if hit:
            return Owner(rtype.split("::")[1], rtype, hit.group("id"))
    service = _INTERFACE_TYPES.get(str(eni.get("InterfaceType") or ""))
    if service:
        return Owner(service, None, None)
    if eni.get("RequesterManaged"):
        return Owner("EC2", None, None)  # some service of AWS: the description says which, in words
    return None


# Most specific first: an instance of an EKS node group also carries aws:autoscaling:groupName.
RULES: tuple[Callable[[Mapping[str, Any]], Owner | None], ...] = (
    log_group_owner,
    codedeploy_replacement,
    eks_managed,
    ecs_managed,
    beanstalk_environment_resource,
    auto_scaling_member,
    requester_managed_interface,
)


def owner_of(row: Mapping[str, Any]) -> list[Owner]:
    """Every owner the rules find for a row of the scan, most specific first ([]: click-ops).

    The scan takes the first whose resource is in the estate, else the first.

    Examples
    --------
    >>> [o.service for o in owner_of({"type": "AWS::EC2::Instance", "id": "i-1",
    ...     "tags": {"aws:autoscaling:groupName": "eks-general-1a2b", "eks:nodegroup-name": "general"}})]
    ['EKS', 'AutoScaling']
    >>> owner_of({"type": "AWS::SQS::Queue", "id": "q", "tags": {"owner": "me"}})
    []
    """
    return [owner for rule in RULES if (owner := rule(row)) is not None]


# Stack resources whose launches CloudFormation tags with the resource's own logical id.
CFN_TAGGED_LAUNCHERS = frozenset({"AWS::AutoScaling::AutoScalingGroup"})


def cloudformation_tag_owner(tags: Mapping[str, str] | None) -> tuple[str, str] | None:
    """(stack name, logical id) that CloudFormation's own tags name on a resource, or None.

    CloudFormation tags what it creates with ``aws:cloudformation:stack-name``,
    ``aws:cloudformation:stack-id`` and ``aws:cloudformation:logical-id``, and adds them to an
    Auto Scaling group's instances: such an instance names its group's logical id, not its own.

    Source: CloudFormation template reference, "AWS::AutoScaling::AutoScalingGroup TagProperty";
    CloudFormation user guide, "Tag your CloudFormation stacks".

    Examples
    --------
    >>> cloudformation_tag_owner({"aws:cloudformation:stack-name": "web",
    ...                           "aws:cloudformation:logical-id": "Fleet"})
    ('web', 'Fleet')
    >>> cloudformation_tag_owner({"owner": "me"}) is None
    True
    """
    tags = tags or {}
    stack, logical_id = tags.get("aws:cloudformation:stack-name"), tags.get("aws:cloudformation:logical-id")
    return (stack, logical_id) if stack and logical_id else None


def aws_default(row: Mapping[str, Any]) -> bool:
    """Whether a resource is one AWS creates and owns in every account: no stack could own it.

    The default VPC and its default subnets (``IsDefault``, ``DefaultForAz``), the security
    group named ``default`` that every VPC gets, service-linked roles (path
    ``/aws-service-role/``) and roles AWS reserves (``/aws-reserved/``, ``/service-role/aws...``),
    and AWS managed KMS keys (``KeyManager`` ``AWS``, aliases ``alias/aws/...``). The scan
    passes the fields as ``default`` (``True`` for what the listing marks as a default).

    Sources: VPC user guide, "Default VPCs" and "Default security groups for your VPCs"; IAM
    user guide, "Using service-linked roles"; KMS developer guide, "AWS managed keys".

    Examples
    --------
    >>> aws_default({"type": "AWS::IAM::Role", "id": "AWSServiceRoleForAutoScaling",
    ...              "arn": "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/x"})
    True
    >>> aws_default({"type": "AWS::EC2::VPC", "id": "vpc-1", "default": True})
    True
    >>> aws_default({"type": "AWS::SQS::Queue", "id": "q"})
    False
    """
    if row.get("default"):
        return True
    if row.get("type") == "AWS::IAM::Role":
        path = str(row.get("arn") or "").partition(":role")[2]
        return path.startswith(("/aws-service-role/", "/aws-reserved/", "/service-role/aws"))
    return False


# Stacks that a tool or service creates for itself, by name (and, for Beanstalk, description).
# Sources: CDK guide, "Bootstrapping your environment" (stack CDKToolkit); SAM developer guide,
# "sam deploy" (--resolve-s3 creates the stack aws-sam-cli-managed-default); CloudFormation
# user guide, "StackSets concepts" (stack instances are named StackSet-<name>-<id>); Elastic
# Beanstalk developer guide, "Elastic Beanstalk environment" (awseb-e-<id>-stack); Amplify CLI
# docs, "Amplify CLI project structure" (root stack amplify-<project>-<env>-<number>);
# eksctl docs, "Cluster and nodegroup stacks" (eksctl-<cluster>-cluster / -nodegroup-<name>).
_CREATED_BY = (
    (re.compile(r"CDKToolkit"), "cdk"),
    (re.compile(r"aws-sam-cli-managed-default"), "sam-cli"),
    (re.compile(r"StackSet-.+-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "stackset"),
    (re.compile(r"awseb-e-[a-z0-9]+-stack"), "elasticbeanstalk"),
    (re.compile(r"amplify-.+-[0-9]{6}"), "amplify"),
    (re.compile(r"eksctl-.+-(cluster|nodegroup-.+|addon-.+)"), "eksctl"),
)


def stack_created_by(stack_name: str | None, parent_stack: str | None = None) -> str | None:
    """The tool or service that created a stack for itself, or None (a stack of the user's own).

    ``cdk`` (the bootstrap stack CDKToolkit), ``sam-cli`` (the managed stack holding the
    deployment bucket), ``stackset`` (a StackSet's stack instance), ``elasticbeanstalk`` (an
    environment's ``awseb-e-*`` stack), ``amplify`` (a Gen 1 project's root stack) or
    ``eksctl``. Nested stacks are their root's: only a stack without a parent is named.

    Examples
    --------
    >>> stack_created_by("CDKToolkit"), stack_created_by("awseb-e-mjzpm3k2ab-stack")
    ('cdk', 'elasticbeanstalk')
    >>> stack_created_by("StackSet-baseline-6b7a5d2e-1c3f-4e0a-9a8b-2f4d6c8e0a1b")
    'stackset'
    >>> stack_created_by("network") is None
    True
    """
    if not stack_name or parent_stack:
        return None
    for pattern, tool in _CREATED_BY:
        if pattern.fullmatch(stack_name):
            return tool
    return None
