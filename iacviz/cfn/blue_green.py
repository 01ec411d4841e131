"""ECS blue/green deployments that CloudFormation runs through CodeDeploy: the
``AWS::CodeDeployBlueGreen`` transform and its ``AWS::CodeDeploy::BlueGreen`` hook.

A template declares the transform and a top-level ``Hooks`` section; the hook names, by logical
id, the ECS service it deploys (``Applications[].Target``), the blue and green task definitions
and task sets (``ECSAttributes.TaskDefinitions`` / ``TaskSets``, blue first), the listeners that
carry production and test traffic and the two target groups (``TrafficRouting``). Only the blue
resources exist in the template; CloudFormation creates the green ones during an update, shifts
the traffic, then deletes the blue ones.

What CloudFormation does (sources: CloudFormation user guide, "Perform ECS blue/green
deployments through CodeDeploy using CloudFormation", its pages "About blue/green
deployments" (section "Resource updates that initiate green deployments") and "Considerations
when managing ECS blue/green deployments using CloudFormation", and "AWS::CodeDeploy::BlueGreen
hook syntax"; CodeDeploy user guide, "Create an Amazon ECS blue/green deployment through
AWS CloudFormation"):

- an update of the task definition or task set resources the hook names starts a green
  deployment instead of the usual update: the ECS service is not replaced;
- only those updates start one; a stack update that changes them *and* any other resource is
  refused (make two updates, or drop the transform and hook for one update);
- one ECS service per hook (one target);
- a template with the hook cannot declare Outputs nor use ``Fn::ImportValue``, cannot import
  resources, cannot hold nested stacks and cannot itself be a nested stack;
- parameters CloudFormation masks (``NoEcho``, dynamic references) cannot be updated by
  CodeDeploy during a green deployment: the update fails.

Each fact is one function below; everything else calls them.

>>> hook = {"Type": HOOK_TYPE, "Properties": {"ServiceRole": "CodeDeployRole", "Applications": [
...     {"Target": {"Type": "AWS::ECS::Service", "LogicalID": "Service"},
...      "ECSAttributes": {"TaskDefinitions": ["BlueTd", "GreenTd"], "TaskSets": ["BlueTs", "GreenTs"]}}]}}
>>> [(c.role, c.logical_id, c.color) for c in covered({"Hooks": {"BlueGreen": hook}})][:3]
[('service', 'Service', None), ('task_definition', 'BlueTd', 'blue'), ('task_definition', 'GreenTd', 'green')]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

__all__ = [
    "TRANSFORM",
    "HOOK_TYPE",
    "Covered",
    "uses_blue_green",
    "covered",
    "green_deployment",
    "unsupported",
]

TRANSFORM = "AWS::CodeDeployBlueGreen"
HOOK_TYPE = "AWS::CodeDeploy::BlueGreen"
# The resource types whose update starts a green deployment ("About blue/green deployments").
_STARTS_GREEN = ("AWS::ECS::TaskDefinition", "AWS::ECS::TaskSet")


@dataclass(frozen=True)
class Covered:
    """One resource a blue/green hook covers: its role in the deployment and, for task
    definitions and task sets, blue (exists in the template) or green (made at update time)."""

    hook: str
    role: str  # service, task_definition, task_set, prod_route, test_route, target_group
    logical_id: str
    color: str | None
    service_role: str | None
    traffic_routing: str | None


def uses_blue_green(template: dict[str, Any]) -> bool:
    """True when the template declares the transform or a blue/green hook.

    >>> uses_blue_green({"Transform": ["AWS::CodeDeployBlueGreen"], "Resources": {}})
    True
    >>> uses_blue_green({"Resources": {}})
    False
    """
    transform = template.get("Transform")
    names = transform if isinstance(transform, list) else [transform]
    if TRANSFORM in names:
        return True
    hooks = template.get("Hooks")
    return isinstance(hooks, dict) and any(isinstance(h, dict) and h.get("Type") == HOOK_TYPE for h in hooks.values())


def covered(template: dict[str, Any]) -> list[Covered]:
    """The resources each ``AWS::CodeDeploy::BlueGreen`` hook of a template covers.

    Parameters
    ----------
    template : dict
        The template as written (the ``Hooks`` section is read; nothing is expanded).

    Returns
    -------
    list of Covered
        Service, task definitions and task sets (blue, green), production and test listeners,
        target groups; hooks or entries of another shape are left out.

    Examples
    --------
    >>> covered({"Resources": {}})
    []
    """
    hooks = template.get("Hooks")
    out: list[Covered] = []
    if not isinstance(hooks, dict):
        return out
    for name, hook in hooks.items():
        if not isinstance(hook, dict) or hook.get("Type") != HOOK_TYPE:
            continue
        props = hook.get("Properties") if isinstance(hook.get("Properties"), dict) else {}
        role = props.get("ServiceRole") if isinstance(props.get("ServiceRole"), str) else None
        routing = props.get("TrafficRoutingConfig")
        routing_type = (
            routing.get("Type") if isinstance(routing, dict) and isinstance(routing.get("Type"), str) else None
        )

        found: list[tuple[str, Any, str | None]] = []  # (role, logical id, color)

        apps = props.get("Applications") if isinstance(props.get("Applications"), list) else []
        for app in apps:
            if not isinstance(app, dict):
                continue
            target = app.get("Target") if isinstance(app.get("Target"), dict) else {}
            found.append(("service", target.get("LogicalID"), None))
            ecs = app.get("ECSAttributes") if isinstance(app.get("ECSAttributes"), dict) else {}
            for key, what in (("TaskDefinitions", "task_definition"), ("TaskSets", "task_set")):
                ids = ecs.get(key) if isinstance(ecs.get(key), list) else []
                for i, lid in enumerate(ids[:2]):
                    found.append((what, lid, "blue" if i == 0 else "green"))
            routing_ids = ecs.get("TrafficRouting") if isinstance(ecs.get("TrafficRouting"), dict) else {}
            for key, what in (("ProdTrafficRoute", "prod_route"), ("TestTrafficRoute", "test_route")):
                route = routing_ids.get(key)
                found.append((what, route.get("LogicalID") if isinstance(route, dict) else None, None))
            groups = routing_ids.get("TargetGroups") if isinstance(routing_ids.get("TargetGroups"), list) else []
            found.extend(("target_group", lid, None) for lid in groups)
        out.extend(
            Covered(str(name), what, lid, color, role, routing_type)
            for what, lid, color in found
            if isinstance(lid, str) and lid
        )
    return out


def green_deployment(changed: dict[str, str], under_hook: Iterable[str]) -> tuple[list[str], str | None]:
    """Which changes of a stack update start a green deployment, and CloudFormation's refusal
    when they come with changes to other resources.

    Parameters
    ----------
    changed : dict
        Logical id -> resource type of every resource the update adds, modifies or removes.
    under_hook : iterable of str
        The logical ids a blue/green hook of the stack covers (:func:`covered`).

    Returns
    -------
    (list of str, str or None)
        The changed task definitions and task sets under the hook (sorted; empty: no green
        deployment), and the refusal when other resources change in the same update.

    Examples
    --------
    >>> green_deployment({"BlueTd": "AWS::ECS::TaskDefinition"}, ["Service", "BlueTd"])
    (['BlueTd'], None)
    >>> green_deployment({"BlueTd": "AWS::ECS::TaskDefinition", "Logs": "AWS::Logs::LogGroup"},
    ...                  ["BlueTd"])[1][:60]
    'A blue/green deployment cannot be combined with updates to o'
    """
    hooked = set(under_hook)
    green = sorted(lid for lid, rtype in changed.items() if lid in hooked and rtype in _STARTS_GREEN)
    if not green:
        return [], None
    others = sorted(lid for lid in changed if lid not in green)
    if not others:
        return green, None
    shown = ", ".join(others[:10]) + (f" and {len(others) - 10} more" if len(others) > 10 else "")
    return green, (
        f"A blue/green deployment cannot be combined with updates to other resources in one stack "
        f"update: changes to {', '.join(green)} start a green deployment, {shown} change too; "
        f"update them separately"
    )


def unsupported(template: dict[str, Any]) -> list[str]:
    """What a template with the blue/green hook holds that CloudFormation does not support
    beside it (one sentence each; empty when nothing).

    >>> unsupported({"Transform": "AWS::CodeDeployBlueGreen", "Resources": {},
    ...              "Outputs": {"Url": {"Value": "x"}}})
    ['a template with the AWS::CodeDeployBlueGreen transform cannot declare Outputs (Url)']
    """
    if not uses_blue_green(template):
        return []
    out = []
    outputs = template.get("Outputs")
    if isinstance(outputs, dict) and outputs:
        out.append(f"a template with the {TRANSFORM} transform cannot declare Outputs ({', '.join(list(outputs)[:5])})")
    resources = template.get("Resources") if isinstance(template.get("Resources"), dict) else {}
    if '"Fn::ImportValue"' in _text(resources):
        out.append(f"a template with the {TRANSFORM} transform cannot use Fn::ImportValue")
    nested = [k for k, r in resources.items() if isinstance(r, dict) and r.get("Type") == "AWS::CloudFormation::Stack"]
    if nested:
        out.append(f"a template with the {TRANSFORM} transform cannot hold nested stacks ({', '.join(nested[:5])})")
    hooked = covered(template)
    services: dict[str, set[str]] = {c.hook: set() for c in hooked}
    for c in hooked:
        if c.role == "service":
            services[c.hook].add(c.logical_id)
    for hook, ids in services.items():
        if len(ids) > 1:
            out.append(f"blue/green hook {hook} names {len(ids)} ECS services; CloudFormation deploys one per hook")
    return out


def _text(value: Any) -> str:
    import json

    return json.dumps(value, default=str)
