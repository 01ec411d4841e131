"""Checks of the bundled sample data: data/sample-estate and data/scenarios/*.

Deliberately independent of ``iacviz`` (written in parallel): only PyYAML, cfn-lint and
aws-sam-translator are used, plus a tiny evaluator for the intrinsic functions that build
export and import names (``Ref`` of parameters and pseudo parameters, ``Fn::Sub``,
``Fn::Join``, ``Fn::Select``, ``Fn::Split``, ``Fn::If``, ``Fn::FindInMap`` and conditions).

Run: ``.venv/bin/python -m pytest tests/data_checks -q``
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

DATA = Path(__file__).resolve().parents[2] / "data"
SAMPLE = DATA / "sample-estate"
RELEASE_2 = DATA / "scenarios" / "release-2"
ESTATES = [SAMPLE, RELEASE_2]
PSEUDO = {
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}
# the one realistic leftover: exported, imported by nobody
EXPECTED_UNUSED_EXPORTS = {"shop-data-DbEndpointAddress"}


# --------------------------------------------------------------------------- YAML with CFN tags
class CfnLoader(yaml.SafeLoader):
    """SafeLoader that turns CloudFormation short-form tags into their long JSON form."""


def _construct_tag(loader: CfnLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "Condition":
        return {"Condition": value}
    if suffix == "GetAtt" and isinstance(value, str):
        return {"Fn::GetAtt": value.split(".", 1)}
    return {f"Fn::{suffix}": value}


CfnLoader.add_multi_constructor("!", _construct_tag)


def load_template(path: Path) -> dict[str, Any]:
    text = path.read_text()
    if path.suffix == ".json":
        return json.loads(text)
    return yaml.load(text, Loader=CfnLoader)  # SafeLoader subclass


# --------------------------------------------------------------------------- estate discovery
@dataclass
class Stack:
    name: str
    kind: str  # template | sam | nested | cdk | ebextension
    path: Path  # template file (or the .ebextensions folder)
    template: dict[str, Any]
    parameters: dict[str, Any] = field(default_factory=dict)  # given values (estate / parent)
    files: list[Path] = field(default_factory=list)


def _is_local_url(url: Any) -> bool:
    return isinstance(url, str) and not re.match(r"^(https?|s3)://", url)


def discover(root: Path) -> list[Stack]:
    estate = yaml.safe_load((root / "iacviz-estate.yaml").read_text())
    stacks: list[Stack] = []
    for name, spec in estate["stacks"].items():
        path = root / spec["template"]
        tpl = load_template(path)
        kind = "sam" if "Serverless" in str(tpl.get("Transform", "")) else "template"
        stacks.append(Stack(name, kind, path, tpl, dict(spec.get("parameters") or {}), [path]))
    # nested children with a local TemplateURL
    for parent in list(stacks):
        for lid, res in parent.template.get("Resources", {}).items():
            if res.get("Type") != "AWS::CloudFormation::Stack":
                continue
            url = res["Properties"]["TemplateURL"]
            assert _is_local_url(url), f"{parent.name}.{lid}: expected a local TemplateURL"
            child = (parent.path.parent / url).resolve()
            ctx = Ctx(parent)
            params = {k: resolve(v, ctx) for k, v in res["Properties"].get("Parameters", {}).items()}
            stacks.append(Stack(f"{parent.name}/{lid}", "nested", child, load_template(child), params, [child]))
    # CDK cloud assemblies
    for manifest in root.rglob("manifest.json"):
        m = json.loads(manifest.read_text())
        for art_id, art in m.get("artifacts", {}).items():
            if art["type"] != "aws:cloudformation:stack":
                continue
            path = manifest.parent / art["properties"]["templateFile"]
            name = art["properties"].get("stackName", art_id)
            stacks.append(Stack(name, "cdk", path, load_template(path), {}, [path]))
    # Elastic Beanstalk .ebextensions: one stack named after the folder holding it
    for ebx in root.rglob(".ebextensions"):
        merged: dict[str, Any] = {"Resources": {}, "Outputs": {}}
        files = sorted(ebx.glob("*.config"))
        for f in files:
            doc = yaml.load(f.read_text(), Loader=CfnLoader) or {}
            for section in ("Resources", "Outputs"):
                merged[section].update(doc.get(section) or {})
        stacks.append(Stack(ebx.parent.name, "ebextension", ebx, merged, {}, files))
    # Amplify Gen 1 projects: one nested stack per resource of backend-config.json, its template
    # the file named *template* in the resource's build/ folder, else in the resource's folder
    # (values: parameters.json, the first environment's name and values from team-provider-info,
    # and one <category><resource><attribute> per dependsOn attribute, known only when deployed)
    for config in root.rglob("amplify/backend/backend-config.json"):
        project = config.parents[2].name
        env, env_values = next(iter(json.loads((config.parents[1] / "team-provider-info.json").read_text()).items()))
        for category, resources in json.loads(config.read_text()).items():
            if category == "parameters":
                continue
            for resource, spec in resources.items():
                folder = config.parent / category / resource
                found = sorted((folder / "build").glob("*template*.json")) or sorted(folder.glob("*template*.json"))
                path = found[0]
                given = next(
                    p for p in (folder / "build" / "parameters.json", folder / "parameters.json") if p.is_file()
                )
                params = {**json.loads(given.read_text()), "env": env}
                params.update(env_values.get("categories", {}).get(category, {}).get(resource, {}))
                for dep in spec.get("dependsOn", []):
                    for attribute in dep["attributes"]:
                        params[f"{dep['category']}{dep['resourceName']}{attribute}"] = "<deployed>"
                stacks.append(
                    Stack(f"{project}/{category}{resource}", "amplify", path, load_template(path), params, [path])
                )
    return stacks


@pytest.fixture(scope="module", params=ESTATES, ids=lambda p: p.name)
def estate_root(request) -> Path:
    return request.param


@pytest.fixture(scope="module")
def estate(estate_root: Path) -> list[Stack]:
    return discover(estate_root)


# --------------------------------------------------------------------------- tiny evaluator
class Unresolvable(Exception):
    """The value depends on something only known at deploy time (a resource, an import)."""


NO_VALUE = object()


class Ctx:
    def __init__(self, stack: Stack):
        self.stack = stack
        params = {}
        for pname, spec in stack.template.get("Parameters", {}).items():
            if pname in stack.parameters:
                params[pname] = stack.parameters[pname]
            elif "Default" in spec:
                params[pname] = spec["Default"]
        self.params = {
            k: (str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v) for k, v in params.items()
        }
        self.conditions = stack.template.get("Conditions", {})
        self.mappings = stack.template.get("Mappings", {})

    def ref(self, name: str) -> Any:
        if name == "AWS::StackName":
            return self.stack.name
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in PSEUDO:
            return PSEUDO[name]
        if name in self.params:
            return self.params[name]
        raise Unresolvable(f"Ref {name}")

    def condition(self, name: str) -> bool:
        return bool(resolve(self.conditions[name], self))


def _sub(text: str, ctx: Ctx, variables: dict[str, Any]) -> str:
    def repl(m: re.Match) -> str:
        inner = m.group(1)
        if inner.startswith("!"):
            return "${" + inner[1:] + "}"
        if inner in variables:
            return str(resolve(variables[inner], ctx))
        if "." in inner and not inner.startswith("AWS::"):
            raise Unresolvable(f"GetAtt {inner}")
        return str(ctx.ref(inner))

    return re.sub(r"\$\{([^}]+)\}", repl, text)


def resolve(node: Any, ctx: Ctx) -> Any:
    if isinstance(node, list):
        return [resolve(x, ctx) for x in node]
    if not isinstance(node, dict):
        return node
    if len(node) != 1:
        return {k: resolve(v, ctx) for k, v in node.items()}
    ((key, arg),) = node.items()
    if key == "Ref":
        return ctx.ref(arg)
    if key == "Condition":
        return ctx.condition(arg)
    if key == "Fn::Sub":
        if isinstance(arg, str):
            return _sub(arg, ctx, {})
        return _sub(arg[0], ctx, arg[1])
    if key == "Fn::Join":
        return arg[0].join(str(x) for x in resolve(arg[1], ctx))
    if key == "Fn::Select":
        return resolve(arg[1], ctx)[int(resolve(arg[0], ctx))]
    if key == "Fn::Split":
        return str(resolve(arg[1], ctx)).split(arg[0])
    if key == "Fn::If":
        return resolve(arg[1] if ctx.condition(arg[0]) else arg[2], ctx)
    if key == "Fn::Equals":
        a, b = (str(resolve(x, ctx)) for x in arg)
        return a == b
    if key == "Fn::And":
        return all(resolve(x, ctx) for x in arg)
    if key == "Fn::Or":
        return any(resolve(x, ctx) for x in arg)
    if key == "Fn::Not":
        return not resolve(arg[0], ctx)
    if key == "Fn::FindInMap":
        m, k1, k2 = (resolve(x, ctx) for x in arg[:3])
        return ctx.mappings[m][k1][k2]
    if key in ("Fn::GetAtt", "Fn::ImportValue", "Fn::GetAZs", "Fn::Cidr", "Fn::GetOptionSetting"):
        raise Unresolvable(key)
    return {key: resolve(arg, ctx)}


def _active(entry: dict[str, Any], ctx: Ctx) -> bool:
    cond = entry.get("Condition") if isinstance(entry, dict) else None
    return cond is None or ctx.condition(cond)


def exports_of(stack: Stack) -> dict[str, str]:
    """export name -> output logical id."""
    ctx = Ctx(stack)
    out = {}
    for lid, o in (stack.template.get("Outputs") or {}).items():
        if "Export" in o and _active(o, ctx):
            out[resolve(o["Export"]["Name"], ctx)] = lid
    return out


def _find_imports(node: Any, found: list[Any]) -> None:
    if isinstance(node, dict):
        if set(node) == {"Fn::ImportValue"}:
            found.append(node["Fn::ImportValue"])
            return
        for v in node.values():
            _find_imports(v, found)
    elif isinstance(node, list):
        for v in node:
            _find_imports(v, found)


def imports_of(stack: Stack) -> list[str]:
    ctx = Ctx(stack)
    raw: list[Any] = []
    tpl = stack.template
    _find_imports(tpl.get("Globals"), raw)
    for section in ("Resources", "Outputs"):
        for entry in (tpl.get(section) or {}).values():
            if _active(entry, ctx):
                _find_imports(entry, raw)
    return [resolve(x, ctx) for x in raw]


def export_table(stacks: list[Stack]) -> dict[str, str]:
    table: dict[str, str] = {}
    for st in stacks:
        for name in exports_of(st):
            assert name not in table, f"export {name} defined by {table[name]} and {st.name}"
            table[name] = st.name
    return table


# --------------------------------------------------------------------------- SAM
class _NoPolicies:
    def load(self) -> dict[str, str]:
        return {}


def _with_placeholder_code(template: dict[str, Any]) -> dict[str, Any]:
    """Local CodeUri folders are rewritten to S3 by `sam build`/`sam package`; the translator
    accepts only S3 locations, so put a placeholder where the path is local (as cfn-lint's
    and `sam validate`'s offline translation do)."""
    tpl = copy.deepcopy(template)
    places = [tpl.get("Globals", {}).get("Function", {})]
    places += [
        r.get("Properties", {}) for r in tpl["Resources"].values() if r.get("Type") == "AWS::Serverless::Function"
    ]
    for props in places:
        uri = props.get("CodeUri")
        if isinstance(uri, str) and not uri.startswith("s3://"):
            props["CodeUri"] = {"Bucket": "bucket", "Key": "value"}
    return tpl


def sam_expand(template: dict[str, Any]) -> dict[str, Any]:
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    from samtranslator.translator.transform import transform

    return transform(_with_placeholder_code(template), {}, _NoPolicies())


# --------------------------------------------------------------------------- lint
def _cfn_templates() -> list[Path]:
    paths: list[Path] = []
    for root in ESTATES:
        for st in discover(root):
            if st.kind != "ebextension":
                paths.append(st.path)
    return sorted(set(paths))


def _outside_regions(match: Any, path: Path) -> bool:
    # lint_all checks every region; a template's own cfn-lint config (Metadata) may name the
    # regions it is deployed in, as cfn-lint's command line honours.
    meta = (load_template(path).get("Metadata") or {}).get("cfn-lint", {}).get("config", {})
    regions = meta.get("regions") or []
    found = re.search(r"does not exist in '([a-z0-9-]+)'", match.message)
    return match.rule.id == "E3006" and bool(regions) and bool(found) and found.group(1) not in regions


def _cfn_lint_lacks_hooks(match: Any, text: str) -> bool:
    # cfn-lint's schema of a template's top level has no Hooks section, which the
    # AWS::CodeDeployBlueGreen transform reads (CloudFormation user guide, "Perform ECS
    # blue/green deployments through CodeDeploy using CloudFormation"): a gap of the linter.
    return match.rule.id == "E1001" and "'Hooks'" in match.message and "AWS::CodeDeployBlueGreen" in text


@pytest.mark.parametrize("path", _cfn_templates(), ids=lambda p: str(p.relative_to(DATA)))
def test_template_passes_cfn_lint_without_errors(path: Path) -> None:
    from cfnlint.api import lint_all

    text = path.read_text()
    errors = [
        f"{m.rule.id} line {m.linenumber}: {m.message}"
        for m in lint_all(text)
        if m.rule.severity == "error" and not _cfn_lint_lacks_hooks(m, text) and not _outside_regions(m, path)
    ]
    assert not errors, "\n".join(errors)


def test_every_plain_template_is_named_in_the_estate_file(estate_root: Path, estate: list[Stack]) -> None:
    root = estate_root
    known = {st.path.resolve() for st in estate if st.kind in ("template", "sam", "nested")}
    for path in list(root.rglob("*.yaml")) + list(root.rglob("*.yml")):
        if path.name == "iacviz-estate.yaml" or ".ebextensions" in path.parts or path.name.startswith("buildspec"):
            continue
        assert path.resolve() in known, f"{path} is neither listed nor a nested child"


# Values a stack gets at deploy time from the pipeline's build, not from the estate file: the
# blue/green checkout template may not import, so pipeline/buildspec.yml reads the exports and
# writes them into the deploy action's template configuration.
_FROM_THE_BUILD = {
    "checkout": (
        "VpcId",
        "PublicSubnetIds",
        "PrivateSubnetIds",
        "LoadBalancerSecurityGroupId",
        "AppSecurityGroupId",
        "TaskRoleArn",
        "ExecutionRoleArn",
    )
}


def test_estate_parameters_exist_and_are_allowed(estate: list[Stack]) -> None:
    for st in estate:
        declared = st.template.get("Parameters", {})
        for pname, value in st.parameters.items():
            assert pname in declared, f"{st.name}: parameter {pname} not declared"
            allowed = declared[pname].get("AllowedValues")
            if allowed is not None and not isinstance(value, dict):
                assert str(value) in [str(a) for a in allowed], (st.name, pname, value)
        for pname, spec in declared.items():
            if pname in _FROM_THE_BUILD.get(st.name, ()):
                continue
            assert "Default" in spec or pname in st.parameters, (
                f"{st.name}: parameter {pname} has no default and no value"
            )


# --------------------------------------------------------------------------- SAM
def test_sam_template_translates_offline(estate: list[Stack]) -> None:
    sam = [st for st in estate if st.kind == "sam"]
    assert len(sam) == 1
    out = sam_expand(sam[0].template)
    types = {r["Type"] for r in out["Resources"].values()}
    assert not any(t.startswith("AWS::Serverless::") for t in types)
    assert {"AWS::Lambda::Function", "AWS::ApiGateway::RestApi", "AWS::Lambda::EventSourceMapping"} <= types
    # the code folder the template points at exists
    code_uri = sam[0].template["Globals"]["Function"]["CodeUri"]
    assert any((sam[0].path.parent / code_uri).glob("*.py"))


# --------------------------------------------------------------------------- exports / imports
def test_every_import_is_satisfied_by_an_export(estate: list[Stack]) -> None:
    table = export_table(estate)
    dangling = []
    for st in estate:
        for name in imports_of(st):
            if name not in table:
                dangling.append(f"{st.name} imports {name}")
            else:
                assert table[name] != st.name, f"{st.name} imports its own export {name}"
    assert not dangling, "\n".join(dangling)


def test_exactly_one_unused_export(estate: list[Stack]) -> None:
    table = export_table(estate)
    used = {name for st in estate for name in imports_of(st)}
    assert set(table) - used == EXPECTED_UNUSED_EXPORTS


def test_import_styles_are_all_present() -> None:
    """`Fn::ImportValue` of `!Sub '${Param}-X'`, of a literal, and of one `!Join`."""
    styles = {"sub": 0, "literal": 0, "join": 0}
    for st in discover(SAMPLE):
        raw: list[Any] = []
        _find_imports(st.template, raw)
        for arg in raw:
            if isinstance(arg, str):
                styles["literal"] += 1
            elif "Fn::Sub" in arg:
                styles["sub"] += 1
            elif "Fn::Join" in arg:
                styles["join"] += 1
    assert styles["sub"] > styles["literal"] > 0
    assert styles["join"] == 1


def test_stack_inventory_and_resource_count() -> None:
    stacks = discover(SAMPLE)
    kinds = {st.name: st.kind for st in stacks}
    assert kinds == {
        "network": "template",
        "edge": "template",
        "data": "template",
        "iam": "template",
        "orders-api": "sam",
        "storefront-env": "template",
        "checkout": "template",
        "pipeline": "template",
        "edge/WafStack": "nested",
        "ShopMonitoring": "cdk",
        "ShopWorkers": "cdk",
        "storefront": "ebextension",
        "reviews/storagereviewstable": "amplify",
        "reviews/functionreviewsapi": "amplify",
        "reviews/apireviewsrest": "amplify",
    }
    total = sum(len(st.template.get("Resources") or {}) for st in stacks)
    assert 60 <= total <= 120, total


# --------------------------------------------------------------------------- CDK assembly
def test_cdk_assembly_has_the_shape_cdk_emits() -> None:
    out = SAMPLE / "cdk.out"
    manifest = json.loads((out / "manifest.json").read_text())
    assert re.match(r"^\d+\.\d+\.\d+$", manifest["version"])
    arts = manifest["artifacts"]
    stacks = {k: v for k, v in arts.items() if v["type"] == "aws:cloudformation:stack"}
    assert set(stacks) == {"ShopMonitoring", "ShopWorkers"}
    assert "ShopMonitoring" in stacks["ShopWorkers"]["dependencies"]
    for art_id, art in stacks.items():
        for dep in art.get("dependencies", []):
            assert dep in arts
        tpl_path = out / art["properties"]["templateFile"]
        tpl = json.loads(tpl_path.read_text())
        # the asset manifest publishes exactly this template
        assets = json.loads((out / arts[f"{art_id}.assets"]["properties"]["file"]).read_text())
        digest = hashlib.sha256(tpl_path.read_bytes()).hexdigest()
        assert digest in assets["files"]
        assert art["properties"]["stackTemplateAssetObjectUrl"].endswith(f"/{digest}.json")
        # logical ids in the manifest metadata match aws:cdk:path in the template
        by_path = {f"/{r['Metadata']['aws:cdk:path']}": lid for lid, r in tpl["Resources"].items()}
        meta = {p: e[0]["data"] for p, e in art["metadata"].items() if e[0]["type"] == "aws:cdk:logicalId"}
        for path, lid in by_path.items():
            assert meta[path] == lid
        assert tpl["Resources"]["CDKMetadata"]["Type"] == "AWS::CDK::Metadata"
        assert tpl["Parameters"]["BootstrapVersion"]["Type"] == "AWS::SSM::Parameter::Value<String>"
        assert "CheckBootstrapVersion" in tpl["Rules"]
    # ShopWorkers reaches ShopMonitoring through CDK's generated exports
    workers = json.loads((out / "ShopWorkers.template.json").read_text())
    raw: list[Any] = []
    _find_imports(workers, raw)
    assert any(isinstance(x, str) and x.startswith("ShopMonitoring:ExportsOutput") for x in raw)


def test_ebextensions_only_use_config_file_sections() -> None:
    allowed = {
        "option_settings",
        "Resources",
        "Outputs",
        "packages",
        "sources",
        "files",
        "users",
        "groups",
        "commands",
        "container_commands",
        "services",
    }
    ebx = SAMPLE / "web" / "storefront" / ".ebextensions"
    files = sorted(ebx.glob("*.config"))
    assert len(files) == 2
    for f in files:
        doc = yaml.safe_load(f.read_text())
        assert set(doc) <= allowed, f
        for res in (doc.get("Resources") or {}).values():
            assert res["Type"].startswith("AWS::")


# --------------------------------------------------------------------------- release-2
def _by_name(root: Path) -> dict[str, Stack]:
    return {st.name: st for st in discover(root)}


def _create_only(resource_type: str) -> set[str]:
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", resource_type).schema
    return {p.split("/")[2] for p in schema.get("createOnlyProperties", [])}


def test_release_2_is_a_full_copy_with_three_edited_templates() -> None:
    def files(root: Path) -> dict[str, bytes]:
        return {
            str(p.relative_to(root)): p.read_bytes()
            for p in root.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }

    before, after = files(SAMPLE), files(RELEASE_2)
    assert set(after) == set(before) | {"CHANGES.md"}
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"data/data.yaml", "network/network.yaml", "services/orders-api/template.yaml"}


def test_release_2_replaces_the_database_through_a_mapping_edit() -> None:
    old, new = _by_name(SAMPLE)["data"], _by_name(RELEASE_2)["data"]
    # nobody touched the DB resource itself ...
    assert old.template["Resources"]["Db"] == new.template["Resources"]["Db"]
    assert "UpdateReplacePolicy" not in new.template["Resources"]["Db"]
    assert new.template["Resources"]["Db"]["DeletionPolicy"] == "Snapshot"
    assert "DBInstanceIdentifier" not in new.template["Resources"]["Db"]["Properties"]
    # ... but its create-only DBName resolves differently for Env=prod
    name = new.template["Resources"]["Db"]["Properties"]["DBName"]
    assert resolve(name, Ctx(old)) == "shop"
    assert resolve(name, Ctx(new)) == "catalogue"
    assert "DBName" in _create_only("AWS::RDS::DBInstance")
    # the only export derived from the DB is the unused one, so nothing blocks the update
    stacks = list(_by_name(RELEASE_2).values())
    used = {n for st in stacks for n in imports_of(st)}
    assert "shop-data-DbEndpointAddress" not in used


def test_release_2_replaces_the_app_security_group_whose_export_is_in_use() -> None:
    old, new = _by_name(SAMPLE)["network"], _by_name(RELEASE_2)["network"]
    o = old.template["Resources"]["AppSecurityGroup"]["Properties"]
    n = new.template["Resources"]["AppSecurityGroup"]["Properties"]
    assert {k for k in o if o[k] != n.get(k)} == {"GroupDescription"}
    assert "GroupDescription" in _create_only("AWS::EC2::SecurityGroup")
    assert "GroupName" not in n  # not custom-named, so the replacement itself is allowed
    stacks = list(_by_name(RELEASE_2).values())
    importers = {st.name for st in stacks if "shop-network-AppSecurityGroupId" in imports_of(st)}
    assert importers == {"orders-api", "storefront-env", "ShopWorkers"}


def test_release_2_orders_api_change_is_in_place() -> None:
    old = sam_expand(_by_name(SAMPLE)["orders-api"].template)["Resources"]
    new = sam_expand(_by_name(RELEASE_2)["orders-api"].template)["Resources"]
    assert set(old) == set(new)  # no hashed id (deployment, version) changed
    changed = {lid for lid in old if old[lid] != new[lid]}
    assert changed == {"CreateOrderFunction"}
    o, n = old["CreateOrderFunction"]["Properties"], new["CreateOrderFunction"]["Properties"]
    props = {k for k in set(o) | set(n) if o.get(k) != n.get(k)}
    assert props == {"MemorySize", "Timeout"}
    assert not props & _create_only("AWS::Lambda::Function")


def test_scenario_documents_exist() -> None:
    assert (DATA / "scenarios" / "README.md").is_file()
    text = (RELEASE_2 / "CHANGES.md").read_text()
    for needle in ("Replacement", "UpdateReplacePolicy", "cannot be updated as it is in use"):
        assert needle in text
