"""Real estates from catalogs: wiring parent-stack parameters, imports under conditions, and
nested stacks by S3 URL, on estates built the way public catalogs are built (tests/catalogs.py)."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest

import iacviz
from iacviz.analysis.wiring import wire_snippet, wire_suggestions
from iacviz.cli import main

from catalogs import parent_stack_catalog, url_nested_catalog
from estate_files import CORPUS, write


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    return parent_stack_catalog(tmp_path_factory.mktemp("catalog"))


@pytest.fixture(scope="module")
def catalog_estate(catalog):
    return iacviz.load(catalog)


def _active(imp: pd.DataFrame) -> pd.DataFrame:
    return imp[~imp.active.eq(False).fillna(False).astype(bool)]


def _exact_share(estate) -> float:
    active = _active(estate.imports)
    return float((active.link == "exact").mean())


# -- conditions ---------------------------------------------------------------------------------


def test_imports_know_whether_they_are_active(catalog_estate):
    imp = catalog_estate.imports.set_index(["stack", "source", "path"])
    # HasS3VirusScan is false with the default '': CloudFormation never evaluates the import.
    scan = imp.loc[("s3", "Bucket", "/properties/NotificationConfiguration/Fn::If/1/TopicConfigurations/0/Topic")]
    assert scan.active == False and scan.link == "inactive"  # noqa: E712 - a nullable boolean
    # Under a resource Condition that is false (HasAlert) and a Fn::If false branch alike.
    assert imp.loc[("cluster", "AutoScaling"), "active"].tolist().count(False) == 1
    assert imp.loc[("vpc-ssh-bastion", "CPUAlarm"), "active"].tolist() == [False]
    # IsPublic depends on Access, which has no value: unknown.
    assert pd.isna(imp.loc[("s3", "PublicPolicy"), "active"].iloc[0])
    # No condition at all: active.
    assert set(imp.loc[("rds-aurora", "SubnetGroup"), "active"]) == {True}


def test_an_inactive_import_is_no_problem(catalog_estate):
    problems = iacviz.export_problems(catalog_estate)
    assert not problems.message.str.contains("ScanTopicArn").any()
    findings = iacviz.review(catalog_estate)
    assert not ((findings.rule_id == "E2002") & findings.message.str.contains("ScanTopicArn")).any()
    # The unknown one is reported, but says its condition is unknown.
    dangling = findings[findings.rule_id == "E2002"]
    assert dangling.message.str.contains("unknown").all()


def test_true_false_and_unknown_conditions_in_one_template(tmp_path):
    write(
        tmp_path,
        "net.yaml",
        """\
        Resources: {V: {Type: AWS::EC2::VPC}}
        Outputs:
          V: {Value: !Ref V, Export: {Name: net-VPC}}
        """,
    )
    write(
        tmp_path,
        "app.yaml",
        """\
        Parameters:
          Mode: {Type: String, Default: enabled}
          Free: {Type: String}
        Conditions:
          IsOn: !Equals [!Ref Mode, enabled]
          IsOff: !Not [!Condition IsOn]
          IsMaybe: !Equals [!Ref Free, x]
        Resources:
          A:
            Type: AWS::EC2::SecurityGroup
            Condition: IsOn
            Properties: {GroupDescription: a, VpcId: !ImportValue net-VPC}
          B:
            Type: AWS::EC2::SecurityGroup
            Condition: IsOff
            Properties: {GroupDescription: b, VpcId: !ImportValue gone-VPC}
          C:
            Type: AWS::EC2::SecurityGroup
            Properties:
              GroupDescription: c
              VpcId: !If [IsMaybe, !ImportValue net-VPC, !ImportValue other-VPC]
        """,
    )
    estate = iacviz.load(tmp_path)
    got = {
        (r.source, r.export_name): (None if r.active is pd.NA else bool(r.active), r.link)
        for r in estate.imports.itertuples()
    }
    assert got[("A", "net-VPC")] == (True, "exact")
    assert got[("B", "gone-VPC")] == (False, "inactive")
    assert got[("C", "net-VPC")] == (None, "exact") and got[("C", "other-VPC")] == (None, "dangling")
    refs = estate.references
    b = refs[refs.source == "B"].set_index("kind").active
    assert b["ImportValue"] == False and b["Condition"] == True  # noqa: E712 - the condition itself is evaluated
    # The blast radius ignores B (inactive) and marks C's maybe-edge conditional.
    br = iacviz.blast_radius(estate, "net/V").set_index(["stack", "logical_id"])
    assert ("app", "B") not in br.index
    assert br.loc[("app", "A"), "impact"] == "replaced"
    assert br.loc[("app", "C"), "impact"] == "conditional"
    # With Mode=disabled the picture flips.
    estate = iacviz.load(tmp_path, parameters={"Mode": "disabled", "Free": "x"})
    got = {
        (r.source, r.export_name): (None if r.active is pd.NA else bool(r.active), r.link)
        for r in estate.imports.itertuples()
    }
    assert got[("A", "net-VPC")] == (False, "exact") and got[("B", "gone-VPC")] == (True, "dangling")
    assert got[("C", "net-VPC")][0] is True and got[("C", "other-VPC")] == (False, "inactive")


# -- wiring ---------------------------------------------------------------------------------


def test_without_wiring_most_imports_are_ambiguous_or_inferred(catalog_estate):
    active = _active(catalog_estate.imports)
    assert len(active) >= 50
    assert (active.link == "exact").sum() == 0
    assert (active.link == "ambiguous").sum() >= 25


def test_wire_suggests_the_stack_that_exports_everything_the_imports_need(catalog_estate):
    s = wire_suggestions(catalog_estate)
    best = s[s.suggested.astype(bool)].set_index("parameter")
    # Both VPCs export -VPC and the A/B subnets; only the 3-AZ one exports the C subnets too.
    assert best.loc["ParentVPCStack", "value"] == "vpc-3azs"
    vpc = s[s.parameter == "ParentVPCStack"].set_index("value")
    assert vpc.loc["vpc-2azs", "missing"] == ["${ParentVPCStack}-SubnetCPrivate", "${ParentVPCStack}-SubnetCPublic"]
    assert not vpc.loc["vpc-2azs", "suggested"]
    assert "exports all" in best.loc["ParentVPCStack", "reason"]
    # Two KMS key stacks export the same names: the description (security/kms-key.yaml) decides.
    assert best.loc["ParentKmsKeyStack", "value"] == "kms-key"
    assert best.loc["ParentKmsKeyStack", "description_match"]
    assert "description" in best.loc["ParentKmsKeyStack", "reason"]
    # Two hosted zones fit equally (the description says vpc/zone-*.yaml): listed, never picked.
    zone = s[s.parameter == "ParentZoneStack"]
    assert zone.tie.astype(bool).sum() == 2 and not zone.suggested.astype(bool).any()
    assert "ParentZoneStack" not in best.index


def test_applying_the_wire_snippet_links_95_percent_exactly(catalog, tmp_path, capsys):
    assert main(["wire", str(catalog)]) == 0
    snippet = capsys.readouterr().out
    assert snippet.count("\nparameters:\n") == 1
    assert "  # ParentZoneStack:" in snippet and "\n  ParentZoneStack:" not in snippet  # a tie stays a choice
    write(catalog, "iacviz-estate.yaml", snippet)
    try:
        wired = iacviz.load(catalog)
        share = _exact_share(wired)
        assert share >= 0.95, (share, _active(wired.imports).query("link != 'exact'")[["stack", "export_name", "link"]])
        # What is left is the tie the user has to settle.
        left = _active(wired.imports).query("link != 'exact'")
        assert set(left.export_name.str.extract(r"\$\{(\w+)\}")[0].dropna()) <= {"ParentZoneStack"}
        # The same through the command line, without the estate file.
        (catalog / "iacviz-estate.yaml").unlink()
        values = [
            line.strip().replace(": ", "=", 1)
            for line in snippet.splitlines()
            if line.startswith("  ") and not line.strip().startswith("#")
        ]
        assert main(["exports", str(catalog), "--show", "imports", "--format", "csv", "--parameters", *values]) == 0
        df = pd.read_csv(__import__("io").StringIO(capsys.readouterr().out))
        assert (df.link == "exact").sum() >= 0.95 * len(_active(wired.imports)) - 1
    finally:
        (catalog / "iacviz-estate.yaml").unlink(missing_ok=True)


def test_wire_frame_through_the_command_line(catalog, capsys):
    assert main(["wire", str(catalog), "--format", "csv"]) == 0
    df = pd.read_csv(__import__("io").StringIO(capsys.readouterr().out))
    assert {"parameter", "value", "suggested", "tie", "reason"} <= set(df.columns)
    assert wire_snippet(wire_suggestions(iacviz.load(catalog))).startswith("# Estate-wide")


# -- nested stacks by URL -------------------------------------------------------------------------


def test_nested_stacks_by_s3_url_link_to_templates_in_the_folder(tmp_path):
    estate = iacviz.load(url_nested_catalog(tmp_path))
    st = estate.stacks.set_index("stack")
    children = st[st.parent_stack.notna()]
    got = {r.parent_resource: r.source for r in children.itertuples()}
    assert got == {
        "BucketsStack": "templates/buckets.template.yaml",
        "QueueStack": "templates/queue.template.yaml",
        "LiteralStack": "submodules/vpc/templates/vpc.template.yaml",
    }
    child = children.index[children.parent_resource == "BucketsStack"][0]
    p = estate.parameters
    assert p[(p["stack"] == child) & (p.name == "Env")][["value", "value_source"]].values.tolist() == [
        ["prod", "parent"]
    ]
    errors = estate.errors
    twin = errors[errors.message.str.contains("TwinStack")]
    assert (
        len(twin) == 1
        and "a/twin.template.yaml" in twin.message.iloc[0]
        and "b/twin.template.yaml" in twin.message.iloc[0]
        and twin.severity.iloc[0] == "warning"
    )
    remote = errors[errors.message.str.contains("RemoteStack")]
    assert len(remote) == 1 and "matches no template" in remote.message.iloc[0]
    assert remote.severity.iloc[0] == "warning"
    # A blast radius now crosses the stack boundary into the child.
    br = iacviz.blast_radius(
        estate,
        f"{st.index[st.parent_stack.isna() & (st.source == 'templates/main.template.yaml')][0]}/BucketsStack",
        "delete",
    )
    assert child in set(br["stack"])


# -- the shared corpus: multi-stack catalogs nobody here wrote ---------------------------------------

ECS = CORPUS / "aws-cloudformation+aws-cloudformation-templates" / "ECS"


@pytest.mark.skipif(not ECS.is_dir(), reason="shared corpus not present")
@pytest.mark.parametrize("group", ["EC2LaunchType", "FargateLaunchType"])
def test_corpus_ecs_services_wired_by_the_wire_snippet_link_exactly(group, tmp_path, capsys):
    # The services import '${StackName}:VPCId' etc.; StackName defaults to 'production', a stack
    # not in the catalog. The catalog holds each template as YAML and JSON: read one of them.
    root = tmp_path / group
    shutil.copytree(ECS / group, root)
    write(root, "iacviz-estate.yaml", "ignore: ['*.json']\n")
    before = _active(iacviz.load(root).imports)
    assert len(before) >= 6 and (before.link == "exact").sum() == 0
    assert main(["wire", str(root)]) == 0
    snippet = capsys.readouterr().out
    # The private-VPC cluster exports every name the services import; the public one does not.
    assert "\n  StackName: private-vpc\n" in snippet and "less likely: public-vpc" in snippet
    write(root, "iacviz-estate.yaml", "ignore: ['*.json']\n" + snippet)
    wired = iacviz.load(root)
    assert _exact_share(wired) >= 0.95
    assert "E2002" not in set(iacviz.review(wired).rule_id)


@pytest.mark.skipif(not ECS.is_dir(), reason="shared corpus not present")
def test_corpus_twin_formats_are_a_tie_the_user_settles(tmp_path, capsys):
    # Both formats read: two clusters export the same names, so wire lists both and picks neither.
    root = tmp_path / "FargateLaunchType"
    shutil.copytree(ECS / "FargateLaunchType", root)
    assert main(["wire", str(root)]) == 0
    snippet = capsys.readouterr().out
    assert "2 stacks fit equally well" in snippet and "\n  StackName:" not in snippet
    chosen = re.search(r"  # StackName: (\S+)", snippet).group(1)
    write(root, "iacviz-estate.yaml", f"parameters:\n  StackName: {chosen}\n")
    assert _exact_share(iacviz.load(root)) >= 0.95
