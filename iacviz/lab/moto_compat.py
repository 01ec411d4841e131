"""What the demo account needs from moto beyond what moto implements (sources layer, moto only).

moto's CloudFormation engine lacks some resource types and a few intrinsic functions. The
demo account fills the gaps the way CloudFormation itself would behave, so that the sample
estate deploys whole through ``create_stack``:

* :func:`register_stand_ins`: a generic moto model per missing resource type (WAFv2,
  CloudWatch alarms, SNS subscriptions, bucket/queue policies, API Gateway stages, Elastic
  Beanstalk, CDK metadata...): real types and logical ids, synthetic physical ids and ARNs.
  It also adds ``Fn::GetAtt [NestedStack, Outputs.X]``, which moto lacks.
* :class:`Compat`: evaluates offline what moto's engine gets wrong (``Fn::Cidr``,
  ``Fn::If`` choosing ``AWS::NoValue`` inside a list, ``${Res.Attr.Part}`` in ``Fn::Sub``)
  and works out a template's export names and imports (for the deployment order).

Both change moto's process-wide state or the template sent to it, never iacviz's reading.

>>> c = Compat(RawStack("net", "net.yaml", "yaml", {"Parameters": {"Cidr": {"Type": "String",
...     "Default": "10.0.0.0/16"}}}), "us-east-1")
>>> c.fix({"Fn::Select": [1, {"Fn::Cidr": [{"Ref": "Cidr"}, 2, 8]}]})
{'Fn::Select': [1, ['10.0.0.0/24', '10.0.1.0/24']]}
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from iacviz.sources.raw import RawStack

ACCOUNT = "123456789012"  # moto's default account

# moto's own model fails for the template SAM generates: it wants methods created through the
# API Gateway API, and moto does not import the OpenAPI Body that SAM writes.
FORCED_STAND_INS = frozenset({"AWS::ApiGateway::Deployment"})
_STAND_INS: dict[str, type] = {}


def register_stand_ins(types: set[str]) -> list[str]:
    """Register a generic moto CloudFormation model for each type moto does not implement.

    moto finds its models as the direct subclasses of ``CloudFormationModel`` (cached), so
    a subclass per type plus a cache reset is its own extension point. Process-wide, like
    all moto state. Returns the types that got a stand-in.
    """
    from moto.cloudformation import parsing
    from moto.core.common_models import CloudFormationModel

    missing = sorted(
        t
        for t in types
        if t.count("::") == 2
        and not t.startswith("Custom::")
        and t not in _STAND_INS
        and (t not in parsing.get_model_map() or t in FORCED_STAND_INS)
        and t not in parsing.NULL_MODELS
    )
    for rtype in missing:
        _STAND_INS[rtype] = type("StandIn" + rtype.replace("::", ""), (CloudFormationModel,), _stand_in_methods(rtype))
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    _nested_outputs_getatt()
    return missing


def _nested_outputs_getatt() -> None:
    """``!GetAtt Child.Outputs.X`` on an AWS::CloudFormation::Stack resource (moto has no such attribute)."""
    from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
    from moto.cloudformation.models import Stack

    if hasattr(Stack, "get_cfn_attribute"):
        return

    def get_cfn_attribute(self, name: str) -> Any:
        if name.startswith("Outputs."):
            for output in self.output_map.values():
                if output and output.key == name.split(".", 1)[1]:
                    return output.value
        raise UnformattedGetAttTemplateException()

    Stack.get_cfn_attribute = get_cfn_attribute  # type: ignore[attr-defined]


def _stand_in_methods(rtype: str) -> dict[str, Any]:
    service, kind = rtype.split("::")[1].lower(), rtype.split("::")[2].lower()

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        obj = cls()
        obj.physical_resource_id = resource_name  # moto generated <stack>-<LogicalId>-<suffix>
        obj.arn = f"arn:aws:{service}:{region_name}:{account_id}:{kind}/{resource_name}"
        obj.properties = cloudformation_json.get("Properties") or {}
        return obj

    def attribute(self, name):
        return (
            self.arn
            if name.endswith("Arn")
            else self.physical_resource_id
            if name in ("Id", "Name")
            else f"{self.physical_resource_id}.{name}"
        )

    return {
        "cloudformation_type": staticmethod(lambda: rtype),
        "cloudformation_name_type": staticmethod(lambda: ""),
        "has_cfn_attr": classmethod(lambda cls, attr: True),
        "create_from_cloudformation_json": classmethod(create),
        "update_from_cloudformation_json": classmethod(
            lambda cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name: create(
                cls, new_resource_name, cloudformation_json, account_id, region_name
            )
        ),
        "delete_from_cloudformation_json": classmethod(lambda cls, *args, **kwargs: None),
        "is_created": lambda self: True,
        "get_cfn_attribute": attribute,
    }


_DROP = object()


class Compat:
    """Offline evaluation of what moto's engine gets wrong, as CloudFormation would do it:
    ``Fn::Cidr`` (missing in moto), ``Fn::If`` choosing ``AWS::NoValue`` (moto leaves a
    null in lists) and ``${Res.Attr.Part}`` in ``Fn::Sub`` (moto splits at every dot).
    Also the export names a stack declares and the imports it needs."""

    def __init__(self, raw: RawStack, region: str):
        from iacviz.cfn.conditions import evaluate_conditions
        from iacviz.cfn.intrinsics import Context

        from iacviz.cfn.parameters import values

        self.ctx = Context(
            raw.name, region, ACCOUNT, values(raw.template, raw.parameter_values), raw.template.get("Mappings")
        )
        self.conditions = evaluate_conditions(raw.template.get("Conditions") or {}, self.ctx)
        self.raw = raw

    def exports(self) -> set[str]:
        from iacviz.cfn.intrinsics import resolve_value

        outputs = (self.raw.template.get("Outputs") or {}).values()
        names = {
            resolve_value(o["Export"].get("Name"), self.ctx)
            for o in outputs
            if isinstance(o, dict) and isinstance(o.get("Export"), dict)
        }
        return {n for n in names if isinstance(n, str)}

    def imports(self, node: Any = None) -> set[str]:
        from iacviz.cfn.intrinsics import resolve_value

        node = self.raw.template if node is None else node
        if isinstance(node, list):
            return set().union(*(self.imports(v) for v in node)) if node else set()
        if not isinstance(node, dict):
            return set()
        if set(node) == {"Fn::ImportValue"}:
            name = resolve_value(node["Fn::ImportValue"], self.ctx)
            return {name} if isinstance(name, str) else set()
        return set().union(*(self.imports(v) for v in node.values())) if node else set()

    def fix(self, node: Any) -> Any:
        if isinstance(node, list):
            return [v for v in (self.fix(x) for x in node) if v is not _DROP]
        if not isinstance(node, dict):
            return node
        if set(node) == {"Fn::If"} and isinstance(node["Fn::If"], list) and len(node["Fn::If"]) == 3:
            cond, yes, no = node["Fn::If"]
            if {"Ref": "AWS::NoValue"} in (yes, no) and self.conditions.get(cond) is not None:
                chosen = yes if self.conditions[cond] else no
                return _DROP if chosen == {"Ref": "AWS::NoValue"} else self.fix(chosen)
        if set(node) == {"Fn::Cidr"} and isinstance(node["Fn::Cidr"], list) and len(node["Fn::Cidr"]) == 3:
            from iacviz.cfn.intrinsics import resolve_value

            block, count, bits = (resolve_value(x, self.ctx) for x in node["Fn::Cidr"])
            if isinstance(block, str) and count is not None and bits is not None:
                net = ipaddress.ip_network(block, strict=False)
                subnets = net.subnets(new_prefix=net.max_prefixlen - int(bits))
                return [str(n) for n, _ in zip(subnets, range(int(count)))]
        if set(node) == {"Fn::Sub"}:
            node = self._sub(node["Fn::Sub"])
        fixed = {k: self.fix(v) for k, v in node.items()}
        return {k: v for k, v in fixed.items() if v is not _DROP}

    @staticmethod
    def _sub(arg: Any) -> dict:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], dict(arg[1]))
        if not isinstance(text, str):
            return {"Fn::Sub": arg}

        def swap(match: re.Match) -> str:
            name = f"MotoGetAtt{len(variables)}"
            resource, attribute = match.group(1).split(".", 1)
            variables[name] = {"Fn::GetAtt": [resource, attribute]}
            return "${" + name + "}"

        text = re.sub(r"\$\{(\w+\.\w+\.[\w.]+)\}", swap, text)
        return {"Fn::Sub": [text, variables] if variables else text}
