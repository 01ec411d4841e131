"""Importers under a condition: one of unknown value makes them ``conditional`` in the blast
radius and the plan (a value of their own, not only words in ``blocked``); a false one is ignored."""

from __future__ import annotations

import iacviz
from iacviz.views._palette import CHANGE_FILLS
from iacviz.views.figures_changes import change_set_table
from iacviz.views.plan_table import fail_reasons, summary_line
from iacviz.views.terminal import blast_summary

from estate_files import write

NET = """\
    Resources: {Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}}
    Outputs:
      VpcId: {Value: !Ref Vpc, Export: {Name: net-VpcId}}
    """
# Free has no default: IsProd is unknown. Off defaults to "no": IsOn is false.
APP = """\
    Parameters:
      Free: {Type: String}
      Off: {Type: String, Default: 'no'}
    Conditions:
      IsProd: !Equals [!Ref Free, prod]
      IsOn: !Equals [!Ref Off, 'yes']
    Resources:
      Sg:
        Type: AWS::EC2::SecurityGroup
        Condition: IsProd
        Properties: {GroupDescription: x, VpcId: !ImportValue net-VpcId}
      Tag:
        Type: AWS::SSM::Parameter
        Condition: IsProd
        Properties: {Type: String, Value: !ImportValue net-VpcId}
      Never:
        Type: AWS::EC2::SecurityGroup
        Condition: IsOn
        Properties: {GroupDescription: x, VpcId: !ImportValue net-VpcId}
    """
WEB = """\
    Resources:
      Sg: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: x, VpcId: !ImportValue net-VpcId}}
    """


def test_blast_radius_marks_importers_under_an_unknown_condition_conditional(tmp_path):
    write(tmp_path, "net.yaml", NET)
    write(tmp_path, "app.yaml", APP)
    estate = iacviz.load(tmp_path)
    active = estate.imports.set_index("source").active
    assert active["Never"] == False and active.isna()[["Sg", "Tag"]].all()  # noqa: E712
    br = iacviz.blast_radius(estate, "net/Vpc").set_index(["stack", "logical_id"])
    # Sg's VpcId is create-only (replaced), Tag's Value in-place (updated): both only if IsProd holds.
    assert br.loc[("app", "Sg"), "impact"] == "conditional"
    assert br.loc[("app", "Tag"), "impact"] == "conditional"
    assert ("app", "Never") not in br.index  # never evaluated: nothing reaches it
    # The export is in use only if IsProd holds, and the refusal says so.
    assert br.loc[("net", "Outputs.VpcId"), "blocked"].endswith("in use by app (if its condition holds)")
    assert blast_summary(br.reset_index()) == "4 affected in 2 stacks: 1 replaced, 2 conditional, 1 updated; 3 blocked"
    # With the parameter given, the same importers are certain.
    br = iacviz.blast_radius(iacviz.load(tmp_path, parameters={"Free": "prod"}), "net/Vpc")
    got = dict(zip(br.logical_id, br.impact))
    assert (got["Sg"], got["Tag"]) == ("replaced", "updated")
    assert br.blocked[br.logical_id == "Outputs.VpcId"].iloc[0].endswith("in use by app")


def test_plan_gives_a_refusal_by_conditional_importers_its_own_status(tmp_path):
    for side in ("a", "b"):
        write(tmp_path / side, "app.yaml", APP)
    write(tmp_path / "a", "net.yaml", NET)
    write(tmp_path / "b", "net.yaml", NET.replace("net-VpcId", "net-VpcId-2"))  # the old export goes
    plan = iacviz.plan_changes(tmp_path / "a", tmp_path / "b")
    out = plan[(plan["stack"] == "net") & (plan.kind == "output")].iloc[0]
    assert out.blocked_status == "conditional"
    assert out.blocked == "Export net-VpcId cannot be deleted as it is in use by app (if its condition holds)"
    assert "1 blocked (1 only if a condition holds)" in summary_line(plan)
    assert fail_reasons(plan, "blocked") == [
        f"blocked (only if a condition of unknown value holds): net/VpcId: {out.blocked}"
    ]
    table = change_set_table(plan).data[0]
    row = list(table.cells.values[1]).index("VpcId")
    assert table.cells.fill.color[-1][row] == CHANGE_FILLS["blocked_conditional"]
    # One stack importing it with no condition makes the refusal certain.
    write(tmp_path / "b", "web.yaml", WEB)
    plan = iacviz.plan_changes(tmp_path / "a", tmp_path / "b")
    out = plan[(plan["stack"] == "net") & (plan.kind == "output")].iloc[0]
    assert out.blocked_status == "certain"
    assert out.blocked.endswith("in use by app (if its condition holds), web")
    assert "only if" not in summary_line(plan)
    table = change_set_table(plan).data[0]
    row = list(table.cells.values[1]).index("VpcId")
    assert table.cells.fill.color[-1][row] == CHANGE_FILLS["blocked"]
    # Not blocked at all: no status.
    assert plan.blocked_status[plan.blocked.isna()].isna().all()


def test_a_replacement_that_changes_an_export_inherits_its_status(tmp_path):
    for side in ("a", "b"):
        write(tmp_path / side, "app.yaml", APP)
    write(tmp_path / "a", "net.yaml", NET)
    write(tmp_path / "b", "net.yaml", NET.replace("10.0.0.0/16", "10.1.0.0/16"))  # the VPC is replaced
    plan = iacviz.plan_changes(tmp_path / "a", tmp_path / "b").set_index("logical_id")
    assert plan.loc["Vpc", "will_replace"] == True  # noqa: E712
    assert plan.loc["Vpc", "blocked_status"] == plan.loc["VpcId", "blocked_status"] == "conditional"
    # With IsOn true, Never imports it for certain.
    plan = iacviz.plan_changes(
        tmp_path / "a", tmp_path / "b", before_parameters={"Off": "yes"}, after_parameters={"Off": "yes"}
    ).set_index("logical_id")
    assert plan.loc["Vpc", "blocked_status"] == "certain"
    assert plan.loc["Vpc", "blocked"].endswith("in use by app")
