"""Figures and tables of an estate in several account-regions never mix them silently (issue 11):
each view facets, orders or labels by account and region through one helper
(:mod:`iacviz.views.grouping`). The estate: 2 accounts x 2 regions from an estate file's
``environments:``, the same stack names everywhere, and one stack deployed once (plain key)."""

from __future__ import annotations

import json

import pytest

import iacviz
from estate_files import write
from iacviz.cli import main as cli_main
from iacviz.views import export_map, import_matrix, modality_bars
from iacviz.views.figures_changes import change_set_table, replacement_table
from iacviz.views.grouping import account_regions, stack_labels
from iacviz.views.report import render_report

ESTATE = """\
environments:
  prod:  {account: "111111111111", regions: [eu-west-1, us-east-1]}
  dev:   {account: "222222222222", regions: [eu-west-1, us-east-1]}
  tools: {account: "222222222222", regions: [us-east-1]}
stacks:
  net: {template: net.json, environments: [prod, dev]}
  app: {template: app.json, environments: [prod, dev]}
  audit: {template: audit.json, environments: [tools]}
"""
NET = {
    "Parameters": {"Cidr": {"Type": "String", "Default": "10.0.0.0/16"}},
    "Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": {"Ref": "Cidr"}}},
        "Logs": {"Type": "AWS::S3::Bucket"},
    },
    "Outputs": {"VpcId": {"Value": {"Ref": "Vpc"}, "Export": {"Name": "net-VpcId"}}},
}
APP = {
    "Resources": {
        "Sg": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {"GroupDescription": "app", "VpcId": {"Fn::ImportValue": "net-VpcId"}},
        },
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "python3.12", "Handler": "a.b"}},
    }
}
AUDIT = {"Resources": {"Trail": {"Type": "AWS::S3::Bucket"}}}
PLACES = {
    "111111111111:eu-west-1",
    "111111111111:us-east-1",
    "222222222222:eu-west-1",
    "222222222222:us-east-1",
}


@pytest.fixture(scope="module")
def estate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("places")
    write(folder, "iacviz-estate.yaml", ESTATE)
    for name, body in (("net", NET), ("app", APP), ("audit", AUDIT)):
        write(folder, f"{name}.json", json.dumps(body))
    return iacviz.load(folder)


@pytest.fixture(scope="module")
def where(estate):
    return account_regions(estate.stacks)


def test_the_estate_has_four_places_and_one_plain_key(estate, where):
    assert estate.errors.empty, estate.errors.message.tolist()
    assert set(where.values()) == PLACES
    assert len(estate.stacks) == 4 + 4 + 1
    assert where["audit"] == "222222222222:us-east-1"  # deployed once: its key does not say where
    assert stack_labels(estate.stacks)["audit"] == "audit @ 222222222222:us-east-1"


def test_export_map_names_the_place_of_every_stack(estate, where):
    fig = export_map(estate.stacks, estate.imports, estate.exports)
    assert fig.layout.meta["places"] == where
    hovers = [h for tr in fig.data if tr.meta and tr.meta.get("role") == "stacks" for h in tr.hovertext]
    assert len(hovers) == len(estate.stacks)
    assert any(h.startswith("<b>audit @ 222222222222:us-east-1</b>") for h in hovers)
    for place in PLACES:
        assert sum(f"account:region {place}" in h for h in hovers) >= 2
    # every edge stays inside one account-region
    edges = [e for e in fig.layout.meta["edges"] if e["link"] == "exact"]
    assert len(edges) == 4 and all(where[e["from"]] == where[e["to"]] for e in edges)


def test_export_map_of_one_place_reads_as_before(estate):
    one = estate.stacks[estate.stacks.account == "111111111111"]
    one = one[one.region == "eu-west-1"]
    fig = export_map(one, estate.imports[estate.imports["stack"].isin(one["stack"])], None)
    assert fig.layout.meta["places"] is None
    hovers = [h for tr in fig.data if tr.meta and tr.meta.get("role") == "stacks" for h in tr.hovertext]
    assert not any("account:region" in h for h in hovers)


def test_import_matrix_is_one_block_per_place(estate, where):
    fig = import_matrix(estate.imports, stacks=estate.stacks)
    axis = list(fig.layout.xaxis.categoryarray)
    blocks = [where[s] for s in axis]
    # each account-region's stacks sit together: the block changes 3 times for 4 places
    assert len(set(blocks)) == 4 and sum(a != b for a, b in zip(blocks, blocks[1:])) == 3
    assert len(fig.layout.shapes) == 2 * 3  # a line between blocks, on both axes
    assert all(place in text for place, text in zip(blocks, fig.layout.xaxis.ticktext))
    assert fig.layout.meta["places"] == {s: where[s] for s in axis}
    # without the stacks (or with one place) the matrix reads as before
    plain = import_matrix(estate.imports)
    assert plain.layout.meta["places"] is None and not plain.layout.shapes


def test_modality_bars_are_in_blocks_labelled_by_place(estate, where):
    fig = modality_bars(estate.resources, estate.stacks)
    order = fig.layout.meta["order"]
    blocks = [where[s] for s in order]
    assert sum(a != b for a, b in zip(blocks, blocks[1:])) == 3
    labels = list(fig.layout.yaxis.categoryarray)
    assert "audit @ 222222222222:us-east-1" in labels
    assert all(where[s] in label for s, label in zip(order, labels))
    # the mixed app stacks (a bucket-less function next to a security group) name their place too
    for tr in fig.data:
        assert all(any(p in y for p in PLACES) for y in tr.y)


def test_change_tables_name_the_place(estate):
    prone = iacviz.replacement_prone(estate)
    assert len(prone) == 8  # each net's CidrBlock (a parameter), each app's VpcId (an import)
    fig = replacement_table(prone, stacks=estate.stacks)
    cells = fig.data[0].cells.values[0]
    assert {c.split(" @ ")[-1] for c in cells} == PLACES
    plain = replacement_table(prone)
    assert list(plain.data[0].cells.values[0]) == sorted(plain.data[0].cells.values[0], key=list(prone["stack"]).index)
    assert not any(" @ " in c for c in plain.data[0].cells.values[0])
    after = json.loads(json.dumps(NET))
    after["Resources"]["Vpc"]["Properties"]["CidrBlock"] = "10.9.0.0/16"
    plan = iacviz.plan_changes(iacviz.load_template(NET, "audit"), iacviz.load_template(after, "audit"))
    table = change_set_table(plan, stacks=estate.stacks)
    assert set(table.data[0].cells.values[0]) == {"audit @ 222222222222:us-east-1"}


def test_report_tables_have_an_account_region_column(estate):
    page = render_report(estate, figures=False)
    assert page.count("<th>account:region</th>") >= 3  # replacement-prone, resources, exports
    # the data tables' rows travel as JSON (built in the page): the column is there with its values
    from test_report import _tables

    placed = {
        name: {r[heads.index("account:region")] for r in rows}
        for name, (heads, rows) in _tables(page, heads=True).items()
        if "account:region" in heads
    }
    assert {"replacement-prone", "resources", "exports"} <= set(placed)
    assert "222222222222:us-east-1" in placed["resources"]


def test_cli_tables_say_where(estate, tmp_path, capsys):
    folder = tmp_path / "estate"
    write(folder, "iacviz-estate.yaml", ESTATE)
    for name, body in (("net", NET), ("app", APP), ("audit", AUDIT)):
        write(folder, f"{name}.json", json.dumps(body))
    assert cli_main(["exports", str(folder), "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split(",")[:3] == ["export_name", "stack", "account_region"]
    assert {line.split(",")[2] for line in lines[1:]} == PLACES
