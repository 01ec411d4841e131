"""A NoEcho parameter's value appears nowhere (issue 14): not in a frame, the HTML report, a
snapshot file or ``review --format json``, whether it came from the estate file, from
``parameters=`` or from a parent stack, nor any value derived from it (``!Sub "conn-${Secret}"``)."""

from __future__ import annotations

import contextlib
import gzip
import io
from pathlib import Path

import pytest

import iacviz
from estate_files import write

SECRET = "s3cr3t-Planted-9f27"

PARENT = """\
Parameters:
  DbPassword: {Type: String, NoEcho: true}
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties: {Engine: postgres, MasterUserPassword: !Ref DbPassword}
  Child:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: child.yaml
      Parameters:
        Password: !Ref DbPassword
        Conn: !Sub "conn-${DbPassword}"
Outputs:
  Conn:
    Value: !Sub "conn-${DbPassword}"
    Export: {Name: !Sub "${DbPassword}-export"}
  Joined:
    Value: !Join ["/", [a, !Ref DbPassword]]
"""

CHILD = """\
Parameters:
  Password: {Type: String}
  Conn: {Type: String}
Resources:
  Q:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "${Conn}-q"
      Tags: [{Key: k, Value: !ImportValue {"Fn::Sub": "${Password}-export"}}]
Outputs:
  Leak:
    Value: !Ref Password
    Export: {Name: !Sub "leak-${Conn}"}
"""


def _estate_folder(tmp_path: Path, how: str) -> Path:
    root = tmp_path / "estate"
    write(root, "parent.yaml", PARENT)
    write(root, "child.yaml", CHILD)
    if how == "estate-file":
        write(
            root,
            "iacviz-estate.yaml",
            f"stacks:\n  parent: {{template: parent.yaml, parameters: {{DbPassword: {SECRET}}}}}\n",
        )
    return root


def _frames_text(estate) -> str:
    parts = []
    for df in estate.frames().values():
        parts.append(df.to_json(orient="records", default_handler=str))
    for name in ("exports", "imports", "export_problems"):
        parts.append(getattr(estate, name).to_json(orient="records", default_handler=str))
    parts.append(repr([r.__dict__ for r in estate.raw_stacks]))
    return "\n".join(parts)


def _files_text(folder: Path) -> str:
    out = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        out.append(data.decode("utf-8", "replace"))
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            out.append(pq.read_table(path).to_pandas().to_json(default_handler=str))
    return "\n".join(out)


@pytest.mark.parametrize("how", ["estate-file", "parameters"])
def test_a_planted_secret_appears_nowhere(tmp_path, how):
    from iacviz.cli import main
    from iacviz.model.snapshot import to_parquet

    root = _estate_folder(tmp_path, how)
    params = {"parent": {"DbPassword": SECRET}} if how == "parameters" else None
    estate = iacviz.load(root, parameters=params)
    assert set(estate.stacks["stack"]) == {"parent", "parent-Child"}

    # the secret was really used: the masked values stand where it would be
    out = estate.outputs.set_index(["stack", "name"])
    assert out.loc[("parent", "Conn"), "resolved_value"] == "****"
    assert out.loc[("parent", "Conn"), "export_name"] == "****"
    assert out.loc[("parent", "Joined"), "resolved_value"] == "****"
    child = estate.parameters[estate.parameters["stack"] == "parent-Child"].set_index("name").value
    assert child["Password"] == "****" and child["Conn"] == "****"
    parent = estate.parameters[estate.parameters["stack"] == "parent"].set_index("name").value
    assert parent["DbPassword"] == "****"

    # frames, derived frames and raw stacks
    assert SECRET not in _frames_text(estate)
    # the report
    report = tmp_path / "report.html"
    iacviz.write_report(estate, report)
    assert SECRET not in report.read_text("utf-8")
    # a snapshot, every file of it (Parquet decoded, gzip inflated)
    snap = tmp_path / "snap"
    to_parquet(estate, snap)
    assert SECRET not in _files_text(snap)
    back = iacviz.read_snapshot(snap)
    assert SECRET not in _frames_text(back)
    # review --format json, and the other commands' JSON
    if how == "estate-file":
        for argv in (
            ["review", str(root), "--format", "json", "--fail-level", "never"],
            ["exports", str(root), "--format", "json"],
            ["exports", str(root), "--show", "problems", "--format", "json"],
            ["exports", str(root), "--show", "imports", "--format", "json"],
        ):
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                main(argv)
            assert SECRET not in buf.getvalue(), argv
    if how == "parameters":  # the same value given on the command line
        for argv in (
            [
                "review",
                str(root),
                "--parameters",
                f"parent/DbPassword={SECRET}",
                "--format",
                "json",
                "--fail-level",
                "never",
            ],
            ["exports", str(root), "--parameters", f"DbPassword={SECRET}", "--format", "json"],
        ):
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                assert main(argv) == 0
            assert SECRET not in buf.getvalue() and "****" in buf.getvalue(), argv


def test_load_template_masks_a_no_echo_value():
    body = {
        "Parameters": {"Pw": {"Type": "String", "NoEcho": "true"}},
        "Resources": {"Q": {"Type": "AWS::SQS::Queue"}},
        "Outputs": {"O": {"Value": {"Fn::Sub": "x-${Pw}"}}},
    }
    estate = iacviz.load_template(body, "t", parameters={"Pw": SECRET})
    assert SECRET not in _frames_text(estate)
    assert estate.outputs.resolved_value.tolist() == ["****"]


def test_values_not_derived_from_a_secret_stay_visible(tmp_path):
    root = _estate_folder(tmp_path, "estate-file")
    estate = iacviz.load(root)
    # the child got the mask from its parent: what it builds from it shows the mask, nothing more
    names = estate.references[estate.references.kind == "ImportValue"].target.tolist()
    assert names == ["****-export"]
    # a value that does not use the secret is not masked
    visible = estate.outputs.set_index(["stack", "name"]).export_name
    assert visible[("parent-Child", "Leak")] == "leak-****"
    assert estate.properties.set_index("path").value["/properties/Engine"] == "postgres"
