"""Read an Elastic Beanstalk ``.ebextensions`` folder as one stack.

Beanstalk merges every ``*.config`` file (in name order) into the environment's own
CloudFormation stack. Their ``Resources`` become resources of that stack; ``option_settings``
(list form or ``namespace: {option: value}`` form) become rows of their own. Resources may
reference the ones Beanstalk itself creates (``AWSEBAutoScalingGroup``...); those are added
as resources marked ``generated_by="ElasticBeanstalk"`` when something references them.

>>> settings = option_settings({"option_settings": {"aws:elasticbeanstalk:application:environment":
...                                                 {"STAGE": "prod"}}}, "01.config")
>>> settings[0]["option_name"], settings[0]["value"]
('STAGE', 'prod')
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from ..cfn.intrinsics import find_references
from ..cfn.stack_names import as_stack_name
from .raw import ErrorRow, RawStack

# Resources Beanstalk defines in every environment stack (its documentation lists them).
BEANSTALK_RESOURCES = {
    "AWSEBAutoScalingGroup": "AWS::AutoScaling::AutoScalingGroup",
    "AWSEBAutoScalingLaunchConfiguration": "AWS::AutoScaling::LaunchConfiguration",
    "AWSEBEC2LaunchTemplate": "AWS::EC2::LaunchTemplate",
    "AWSEBEnvironmentName": "AWS::ElasticBeanstalk::Environment",
    "AWSEBLoadBalancer": "AWS::ElasticLoadBalancing::LoadBalancer",
    "AWSEBV2LoadBalancer": "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWSEBV2LoadBalancerListener": "AWS::ElasticLoadBalancingV2::Listener",
    "AWSEBV2LoadBalancerTargetGroup": "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWSEBLoadBalancerSecurityGroup": "AWS::EC2::SecurityGroup",
    "AWSEBSecurityGroup": "AWS::EC2::SecurityGroup",
    "AWSEBRDSDatabase": "AWS::RDS::DBInstance",
    "AWSEBWorkerQueue": "AWS::SQS::Queue",
    "AWSEBWorkerDeadLetterQueue": "AWS::SQS::Queue",
    "AWSEBCloudwatchAlarmHigh": "AWS::CloudWatch::Alarm",
    "AWSEBCloudwatchAlarmLow": "AWS::CloudWatch::Alarm",
    "AWSEBAutoScalingScaleUpPolicy": "AWS::AutoScaling::ScalingPolicy",
    "AWSEBAutoScalingScaleDownPolicy": "AWS::AutoScaling::ScalingPolicy",
    "AWSEBInstanceLaunchWaitHandle": "AWS::CloudFormation::WaitConditionHandle",
}


def option_settings(body: dict[str, Any], source: str) -> list[dict[str, Any]]:
    """The option settings of one config file as rows (namespace, option_name, value...)."""
    raw = body.get("option_settings")
    rows: list[dict[str, Any]] = []
    if isinstance(raw, dict):
        for namespace, options in raw.items():
            for name, value in (options or {}).items() if isinstance(options, dict) else ():
                rows.append(
                    {
                        "source": source,
                        "namespace": str(namespace),
                        "option_name": str(name),
                        "value": value,
                        "resource_name": None,
                    }
                )
    elif isinstance(raw, list):
        for item in raw:
            if isinstance(item, dict):
                rows.append(
                    {
                        "source": source,
                        "namespace": item.get("namespace"),
                        "option_name": item.get("option_name"),
                        "value": item.get("value"),
                        "resource_name": item.get("resource_name"),
                    }
                )
    return rows


def read_ebextensions(folder: Path, display: Callable[[Path], str], parse) -> tuple[RawStack | None, list[ErrorRow]]:
    """One stack for the ``.ebextensions`` `folder`, named after the application folder holding it."""
    errors: list[ErrorRow] = []
    resources: dict[str, Any] = {}
    lines: dict[str, int] = {}
    settings: list[dict[str, Any]] = []
    stack_name = as_stack_name(folder.parent.name or "ebextensions")  # as CloudFormation allows
    for path in sorted(folder.glob("*.config")):
        source = display(path)
        try:
            body, file_lines = parse(path)
        except Exception as exc:
            errors.append(
                ErrorRow(
                    getattr(exc, "source", source),
                    getattr(exc, "line", 0),
                    "error",
                    getattr(exc, "message", str(exc)),
                    stack_name,
                )
            )
            continue
        settings.extend(option_settings(body, source))
        for logical_id, res in (body.get("Resources") or {}).items() if isinstance(body.get("Resources"), dict) else ():
            if logical_id in resources:
                errors.append(
                    ErrorRow(
                        source,
                        file_lines.get(f"Resources/{logical_id}", 0),
                        "warning",
                        f"resource {logical_id} is defined again; Beanstalk keeps the last",
                        stack_name,
                    )
                )
            resources[logical_id] = res
            lines[f"Resources/{logical_id}"] = file_lines.get(f"Resources/{logical_id}", 0)
    if not resources and not settings and not errors:
        return None, errors
    generated = _beanstalk_resources(resources)
    template = {
        "Description": f"Elastic Beanstalk environment resources from {display(folder)}",
        "Resources": {**generated, **resources},
    }
    return RawStack(
        name=stack_name,
        source=display(folder),
        format="ebextension",
        template=template,
        lines=lines,
        generated_by={k: "ElasticBeanstalk" for k in generated},
        option_settings=settings,
    ), errors


def _beanstalk_resources(resources: dict[str, Any]) -> dict[str, Any]:
    used = {ref.target for ref in find_references(resources)} | {
        d
        for r in resources.values()
        if isinstance(r, dict)
        for d in (
            [r["DependsOn"]]
            if isinstance(r.get("DependsOn"), str)
            else r["DependsOn"]
            if isinstance(r.get("DependsOn"), list)
            else []
        )
        if isinstance(d, str)
    }
    return {
        name: {"Type": rtype} for name, rtype in BEANSTALK_RESOURCES.items() if name in used and name not in resources
    }
