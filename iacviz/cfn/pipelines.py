"""What a CodePipeline deploy action deploys: the stack or resource its configuration names.

An ``AWS::CodePipeline::Pipeline`` lists ``Stages``, each with ``Actions``; an action's
``ActionTypeId`` (``Category``, ``Owner``, ``Provider``) says what it does and its
``Configuration`` holds the provider's keys. Deploy actions name what they deploy by name,
never by reference, so a pipeline is tied to the stacks and resources it deploys only
through those names:

- ``CloudFormation``: ``StackName`` (the stack it creates, updates or deletes, by
  ``ActionMode``), ``TemplatePath`` (``ArtifactName::path/in/artifact``),
  ``ParameterOverrides`` (a JSON object as a string), ``TemplateConfiguration``;
- ``ElasticBeanstalk``: ``ApplicationName``, ``EnvironmentName``;
- ``ECS``: ``ClusterName``, ``ServiceName``;
- ``CodeDeploy`` and ``CodeDeployToECS``: ``ApplicationName``, ``DeploymentGroupName``.

Sources: CodePipeline user guide, "CodePipeline pipeline structure reference" and the action
references "AWS CloudFormation deploy action reference", "Elastic Beanstalk deploy action
reference", "Amazon ECS deploy action reference", "AWS CodeDeploy deploy action reference",
"Amazon ECS and CodeDeploy blue-green deploy action reference"; CloudFormation template
reference, ``AWS::CodePipeline::Pipeline`` ActionDeclaration.

>>> stages = [{"Name": "Deploy", "Actions": [{"Name": "Net",
...     "ActionTypeId": {"Category": "Deploy", "Owner": "AWS", "Provider": "CloudFormation", "Version": "1"},
...     "Configuration": {"ActionMode": "CREATE_UPDATE", "StackName": "network",
...                       "TemplatePath": "Source::network/network.yaml"}}]}]
>>> [(a.provider, a.keys["StackName"], a.path) for a in deploy_actions({"Stages": stages})]
[('CloudFormation', 'network', '/properties/Stages/0/Actions/0/Configuration')]
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

__all__ = ["DeployAction", "deploy_actions", "TARGET_NAMES", "template_file", "parameter_overrides"]

PIPELINE_TYPE = "AWS::CodePipeline::Pipeline"

# Provider -> (resource type the action deploys to, {configuration key: that type's name property}).
# CloudFormation deploys a stack: its target is a stack, named by StackName.
TARGET_NAMES: dict[str, tuple[str, dict[str, str]]] = {
    "CloudFormation": ("stack", {"StackName": "StackName"}),
    "ElasticBeanstalk": (
        "AWS::ElasticBeanstalk::Environment",
        {"EnvironmentName": "EnvironmentName", "ApplicationName": "ApplicationName"},
    ),
    "ECS": ("AWS::ECS::Service", {"ServiceName": "ServiceName", "ClusterName": "Cluster"}),
    "CodeDeploy": (
        "AWS::CodeDeploy::DeploymentGroup",
        {"DeploymentGroupName": "DeploymentGroupName", "ApplicationName": "ApplicationName"},
    ),
    "CodeDeployToECS": (
        "AWS::CodeDeploy::DeploymentGroup",
        {"DeploymentGroupName": "DeploymentGroupName", "ApplicationName": "ApplicationName"},
    ),
}


@dataclass
class DeployAction:
    """One deploy action of a pipeline: where it sits, its provider and the configuration keys
    that name its target (values as written: strings or intrinsic functions)."""

    stage: str
    name: str
    provider: str
    path: str  # JSON pointer of the action's Configuration inside the resource
    keys: dict[str, Any] = field(default_factory=dict)  # the naming keys of TARGET_NAMES
    action_mode: Any = None
    template_path: Any = None
    parameter_overrides: Any = None

    @property
    def target_type(self) -> str:
        """``stack`` for a CloudFormation action, else the resource type it deploys to."""
        return TARGET_NAMES[self.provider][0]

    @property
    def name_key(self) -> str:
        """The configuration key that names the target (StackName, EnvironmentName, ...)."""
        return next(iter(TARGET_NAMES[self.provider][1]))


def deploy_actions(properties: Any) -> list[DeployAction]:
    """The deploy actions of a pipeline's Properties whose provider names what it deploys.

    Actions of other categories (Source, Build, Test, Approval, Invoke) and deploy providers
    that name no stack or resource of a template (S3, AppConfig...) are left out; so are
    actions whose ``Stages``/``Actions`` are not lists (an ``Fn::If`` around a stage list).

    Parameters
    ----------
    properties : dict
        The ``Properties`` of an ``AWS::CodePipeline::Pipeline``, long form.

    Returns
    -------
    list of DeployAction

    Examples
    --------
    >>> eb = {"Name": "Web", "ActionTypeId": {"Category": "Deploy", "Provider": "ElasticBeanstalk"},
    ...       "Configuration": {"ApplicationName": "shop", "EnvironmentName": {"Ref": "EnvName"}}}
    >>> a = deploy_actions({"Stages": [{"Name": "Prod", "Actions": [eb]}]})[0]
    >>> a.target_type, a.keys
    ('AWS::ElasticBeanstalk::Environment', {'EnvironmentName': {'Ref': 'EnvName'}, 'ApplicationName': 'shop'})
    """
    out: list[DeployAction] = []
    stages = properties.get("Stages") if isinstance(properties, dict) else None
    if not isinstance(stages, list):
        return out
    for s, stage in enumerate(stages):
        actions = stage.get("Actions") if isinstance(stage, dict) else None
        if not isinstance(actions, list):
            continue
        for a, action in enumerate(actions):
            if not isinstance(action, dict):
                continue
            type_id = action.get("ActionTypeId") if isinstance(action.get("ActionTypeId"), dict) else {}
            provider = type_id.get("Provider")
            if type_id.get("Category") != "Deploy" or provider not in TARGET_NAMES:
                continue
            config = action.get("Configuration") if isinstance(action.get("Configuration"), dict) else {}
            keys = {k: config[k] for k in TARGET_NAMES[provider][1] if k in config}
            out.append(
                DeployAction(
                    stage=str(stage.get("Name")),
                    name=str(action.get("Name")),
                    provider=provider,
                    path=f"/properties/Stages/{s}/Actions/{a}/Configuration",
                    keys=keys,
                    action_mode=config.get("ActionMode"),
                    template_path=config.get("TemplatePath"),
                    parameter_overrides=config.get("ParameterOverrides"),
                )
            )
    return out


def template_file(template_path: Any) -> str | None:
    """The file part of a CloudFormation action's ``TemplatePath`` (``Artifact::path``).

    >>> template_file("BuildOutput::services/orders-api/packaged.yaml")
    'services/orders-api/packaged.yaml'
    >>> template_file({"Fn::Sub": "x"}) is None
    True
    """
    if not isinstance(template_path, str) or "::" not in template_path:
        return None
    path = template_path.split("::", 1)[1].strip().lstrip("./")
    return path or None


def parameter_overrides(value: Any) -> dict[str, Any]:
    """The parameters a CloudFormation action passes (``ParameterOverrides``, a JSON object
    written as a string or, in YAML templates, often as a mapping); {} when unreadable.

    Values may be ``Fn::GetParam``/``Fn::GetArtifactAtt`` objects: CodePipeline resolves
    those at run time, from artifacts.

    >>> parameter_overrides('{"Env": "prod"}')
    {'Env': 'prod'}
    >>> parameter_overrides("not json")
    {}
    """
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}
