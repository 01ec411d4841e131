"""The figures, rendered to plotly JSON and read back: nodes, edges, colours, labels, hover texts.

Expectations come from the small estate below, read by eye: four stacks linked by imports
(one dangling, one export unused), and from hand-made analysis frames. The figures are pure,
so most tests build the frames they draw directly.
"""

from __future__ import annotations

import inspect
import textwrap

import networkx as nx
import pandas as pd
import plotly.graph_objects as go
import pytest

import iacviz
from iacviz import views, workshop
from iacviz.views import _palette as pal
from iacviz.views._vocabulary import VOCABULARY
from iacviz.views.figures_changes import BEHAVIOR_CODES

# -- the estate -------------------------------------------------------------------------------

NET = """\
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24}
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: app, VpcId: !Ref Vpc}
Outputs:
  VpcId: {Value: !Ref Vpc, Export: {Name: net-VpcId}}
  SubnetId: {Value: !Ref Subnet, Export: {Name: net-SubnetId}}
  SgId: {Value: !GetAtt Sg.GroupId, Export: {Name: net-SgId}}
  Unused: {Value: !Ref Vpc, Export: {Name: net-Unused}}
"""
DB = """\
Parameters:
  DbName: {Type: String, Default: shop}
Resources:
  SubnetGroup:
    Type: AWS::RDS::DBSubnetGroup
    Properties:
      DBSubnetGroupDescription: db
      SubnetIds: [!ImportValue net-SubnetId]
  Db:
    Type: AWS::RDS::DBInstance
    DeletionPolicy: Snapshot
    Properties:
      Engine: postgres
      DBInstanceClass: db.t4g.micro
      AllocatedStorage: "20"
      DBName: !Ref DbName
      DBSubnetGroupName: !Ref SubnetGroup
      VPCSecurityGroups: [!ImportValue net-SgId]
  DbIngress:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !ImportValue net-SgId
      IpProtocol: tcp
      FromPort: 5432
      ToPort: 5432
      CidrIp: 10.0.0.0/16
"""
APP = """\
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/fn
      Code: {ZipFile: "def handler(e, c): return e"}
      MemorySize: 256
      VpcConfig:
        SubnetIds: [!ImportValue net-SubnetId]
        SecurityGroupIds: [!ImportValue net-SgId]
      Environment:
        Variables:
          THING: !ImportValue gone-Thing
"""
WEB = """\
Resources:
  WebSg:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: web, VpcId: !ImportValue net-VpcId}
  WebFn:
    Type: AWS::Lambda::Function
    Properties: {Runtime: python3.12, Handler: index.handler, Role: arn:aws:iam::123456789012:role/fn,
                 Code: {ZipFile: x}}
"""


def _write(folder, files):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text))
    return folder


@pytest.fixture(scope="module")
def estate(tmp_path_factory):
    root = _write(tmp_path_factory.mktemp("estate"), {"net.yaml": NET, "db.yaml": DB, "app.yaml": APP, "web.yaml": WEB})
    return iacviz.load(root)


def by_role(fig, role):
    return [t for t in fig.data if (t.meta or {}).get("role") == role]


def hover_texts(traces):
    return [h for t in traces for h in (t.hovertext or ()) if h]


# -- the vocabulary ---------------------------------------------------------------------------


def test_the_catalogue_lists_every_figure():
    from iacviz.views import figures

    assert tuple(figures.__all__) == views.FIGURES
    assert all(callable(getattr(views, name)) for name in views.FIGURES)


@pytest.mark.parametrize("name", views.FIGURES)
def test_every_figure_parameter_is_in_the_vocabulary_and_documented(name):
    fn = getattr(views, name)
    params = list(inspect.signature(fn).parameters)
    assert [p for p in params if p not in VOCABULARY] == []
    doc = fn.__doc__
    assert "{parameters}" not in doc
    for p in params:
        assert f"\n{p} : " in doc, f"{name}: {p} undocumented"
    assert "Returns" in doc


@pytest.mark.parametrize("name", views.FIGURES)
def test_figures_take_frames_first_and_keywords_after(name):
    sig = inspect.signature(getattr(views, name))
    keywords = [p.name for p in sig.parameters.values() if p.kind is p.KEYWORD_ONLY]
    assert "title" in keywords or name.endswith("_table")
    assert all(p.kind is not p.VAR_KEYWORD for p in sig.parameters.values())


# -- export map -------------------------------------------------------------------------------


def test_export_map_nodes_are_layered_by_modality(estate):
    fig = views.export_map(estate.stacks, estate.imports, estate.exports)
    nodes = {n["stack"]: n for n in fig.to_dict()["layout"]["meta"]["nodes"]}
    assert set(nodes) == {"net", "db", "app", "web"}
    assert {s: n["modality"] for s, n in nodes.items()} == {
        "net": "persistent",
        "db": "persistent",
        "web": "mixed",
        "app": "ephemeral",
    }
    # persistent at the bottom (net deploys before db), mixed in the middle, ephemeral on top
    assert nodes["net"]["y"] < nodes["db"]["y"] < nodes["web"]["y"] < nodes["app"]["y"]
    stacks = by_role(fig, "stacks")
    colors = {t.name: t.marker.color for t in stacks}
    assert colors["persistent stack"] == pal.MODALITY_COLORS["persistent"]
    assert colors["ephemeral stack"] == pal.MODALITY_COLORS["ephemeral"]
    assert colors["mixed stack"] == pal.MODALITY_COLORS["mixed"]
    # names: written by the node, or by the red ring around a stack with unused exports (net)
    labels = sorted(x for t in stacks + by_role(fig, "unused exports") for x in t.text if x)
    assert labels == ["app", "db", "net", "web"]


def test_export_map_has_one_edge_per_export_and_importing_stack(estate):
    fig = views.export_map(estate.stacks, estate.imports, estate.exports)
    edges = {(e["from"], e["to"], e["export"]): e for e in fig.layout.meta["edges"] if e["link"] != "dangling"}
    assert set(edges) == {
        ("net", "db", "net-SgId"),
        ("net", "db", "net-SubnetId"),
        ("net", "app", "net-SgId"),
        ("net", "app", "net-SubnetId"),
        ("net", "web", "net-VpcId"),
    }
    assert edges[("net", "db", "net-SgId")]["n_imports"] == 2  # Db and DbIngress
    # line width grows with the number of importing resources
    widths = {}
    for t in by_role(fig, "edges"):
        for cd in t.customdata:
            if cd is not None:
                widths[tuple(cd)] = t.line.width
    assert widths[("net", "db", "net-SgId")] > widths[("net", "db", "net-SubnetId")]
    # hover names the export, the exporting output and the importing resources with their property
    hovers = hover_texts(by_role(fig, "edges"))
    sg_db = next(h for h in hovers if "net-SgId" in h and "→ db" in h)
    assert "Outputs.SgId" in sg_db and "Db (/properties/VPCSecurityGroups/0)" in sg_db and "DbIngress" in sg_db
    assert any("net-VpcId" in h and "WebSg (/properties/VpcId)" in h for h in hovers)


def test_export_map_marks_dangling_imports_and_unused_exports(estate):
    fig = views.export_map(estate.stacks, estate.imports, estate.exports)
    (dangling,) = by_role(fig, "dangling")
    assert list(dangling.text) == ["dangling: gone-Thing"]
    assert dangling.marker.color == pal.DANGLING
    assert "app" in dangling.hovertext[0]
    nodes = {n["stack"]: n for n in fig.layout.meta["nodes"]}
    assert dangling.y[0] < nodes["net"]["y"]  # the bottom row
    red_edges = [t for t in by_role(fig, "edges") if t.name == "import (dangling)"]
    assert red_edges and red_edges[0].line.color == pal.LINK_STYLES["dangling"][0]
    (unused,) = by_role(fig, "unused exports")
    assert list(unused.customdata) == [["net-Unused"]]
    assert unused.marker.symbol == "circle-open"
    assert "net-Unused (Outputs.Unused)" in unused.hovertext[0]
    assert (unused.x[0], unused.y[0]) == (nodes["net"]["x"], nodes["net"]["y"])
    assert fig.layout.meta["unused"] == {"net": ["net-Unused"]}
    assert "1 dangling, 1 unused" in fig.layout.title.text


def test_export_map_without_exports_frame_marks_nothing_unused(estate):
    fig = views.export_map(estate.stacks, estate.imports)
    assert by_role(fig, "unused exports") == []


def test_export_map_per_stack_edges_and_hollow_outside_stacks(estate):
    only_db = estate.stacks[estate.stacks["stack"] == "db"]
    imports = estate.imports[estate.imports["stack"] == "db"]
    fig = views.export_map(only_db, imports, edges="stack")
    edges = fig.layout.meta["edges"]
    assert [(e["from"], e["to"], e["n_imports"]) for e in edges] == [("net", "db", 2)]  # 2 exports
    assert "net-SgId: Db, DbIngress" in hover_texts(by_role(fig, "edges"))[0]
    outside = [t for t in by_role(fig, "stacks") if t.name == "outside stack"]
    assert list(outside[0].text) == ["net"] and outside[0].marker.color == pal.OUTSIDE


def test_export_map_collapses_stacks_into_services():
    stacks = pd.DataFrame(
        {"stack": ["pay-db", "pay-api", "net"], "modality": ["persistent", "ephemeral", "persistent"]}
    )
    imports = pd.DataFrame(
        {
            "stack": ["pay-api", "pay-db", "pay-api"],
            "source": ["Fn", "Db", "Fn"],
            "path": ["/properties/A", "/properties/B", "/properties/C"],
            "export_name": ["pay-db-Url", "net-Sg", "net-Sg"],
            "export_stack": ["pay-db", "net", "net"],
            "export_output": ["Url", "Sg", "Sg"],
            "link": ["exact"] * 3,
        }
    )
    fig = views.export_map(stacks, imports, collapse_by_service=True)
    nodes = {n["stack"]: n["modality"] for n in fig.layout.meta["nodes"]}
    assert nodes == {"pay": "mixed", "net": "persistent"}
    assert [(e["from"], e["to"], e["n_imports"]) for e in fig.layout.meta["edges"]] == [("net", "pay", 2)]
    pay_hover = next(h for t in by_role(fig, "stacks") for h in t.hovertext if h.startswith("<b>pay"))
    assert "stacks: pay-api, pay-db" in pay_hover


def test_export_map_bundles_an_ambiguous_import_into_one_edge():
    """An import whose name matches exports of two stacks: one bundled edge into the importer,
    from a diamond that the two candidates join by thin lines (never one edge per candidate)."""
    stacks = pd.DataFrame({"stack": ["a", "b", "app", "web"]})
    imports = pd.DataFrame(
        {
            "stack": ["app", "app", "web"],
            "source": ["Fn", "Fn2", "Sg"],
            "path": ["/properties/X", "/properties/Y", "/properties/Z"],
            "export_name": ["${Env}-Id"] * 3,
            "export_stack": [None] * 3,
            "export_output": [None] * 3,
            "link": ["ambiguous"] * 3,
            "candidates": [["a-Id", "b-Id"]] * 3,
            "candidate_stacks": [["a", "b"]] * 3,
        }
    )
    fig = views.export_map(stacks, imports)
    edges = fig.layout.meta["edges"]
    amb = [e for e in edges if e["link"] == "ambiguous"]
    cand = [e for e in edges if e["link"] == "candidate"]
    assert [(e["to"], e["n_imports"]) for e in amb] == [("app", 2), ("web", 1)]  # one edge per importer
    (hub,) = {e["from"] for e in amb}
    assert sorted((e["from"], e["to"]) for e in cand) == [("a", hub), ("b", hub)]
    (diamond,) = by_role(fig, "ambiguous")
    assert list(diamond.customdata) == [["a", "b"]] and "one of 2 stacks" in diamond.hovertext[0]
    (trace,) = [t for t in by_role(fig, "edges") if t.name == "import (ambiguous)" and t.line.width > 2]
    assert trace.line.dash == "dot" and "a-Id, b-Id" in [h for h in trace.hovertext if h][0]
    # the candidates are not called unused, and their hover says who may import from them
    hover = {h.split("<br>")[0]: h for t in by_role(fig, "stacks") for h in t.hovertext}
    assert "maybe by 2 more (ambiguous)" in hover["<b>a</b>"]


def test_export_map_is_deterministic(estate):
    a = views.export_map(estate.stacks, estate.imports, estate.exports).to_plotly_json()
    b = views.export_map(estate.stacks, estate.imports, estate.exports).to_plotly_json()
    assert a == b


# -- import matrix ----------------------------------------------------------------------------


def test_import_matrix_counts_imports_row_from_column(estate):
    fig = views.import_matrix(estate.imports)
    (hm,) = fig.data
    assert list(hm.x) == list(hm.y) == ["net", "app", "db", "web"]  # deployment order, then name
    z = {(r, c): v for r, row in zip(hm.y, hm.z) for c, v in zip(hm.x, row)}
    assert z[("db", "net")] == 3 and z[("app", "net")] == 2 and z[("web", "net")] == 1
    assert z[("net", "db")] is None  # nothing flows back: the lower triangle only
    text = {(r, c): v for r, row in zip(hm.y, hm.text) for c, v in zip(hm.x, row)}
    assert "net-SgId (2)" in text[("db", "net")] and "net-SubnetId" in text[("db", "net")]


# -- modality ---------------------------------------------------------------------------------


def test_modality_bars_split_stacks_and_call_out_mixed_ones(estate):
    fig = views.modality_bars(estate.resources, estate.stacks)
    bars = {t.name: dict(zip(t.customdata, t.x)) for t in fig.data if isinstance(t, go.Bar)}
    assert bars["persistent"] == {"net": 3, "db": 3, "web": 1, "app": 0}
    assert bars["ephemeral"] == {"net": 0, "db": 0, "web": 1, "app": 1}
    assert {t.name: t.marker.color for t in fig.data if isinstance(t, go.Bar)}["ephemeral"] == pal.MODALITY_COLORS[
        "ephemeral"
    ]
    assert fig.layout.meta["mixed"] == ["web"]
    (mixed,) = by_role(fig, "mixed stacks")
    assert list(mixed.y) == ["⚠ web"]
    assert "1 persistent and 1 ephemeral" in mixed.hovertext[0]
    # persistent stacks at the bottom of the axis, ephemeral on top
    axis = list(fig.layout.yaxis.categoryarray)
    assert axis.index("db") < axis.index("⚠ web") < axis.index("app")


# -- blast radius -----------------------------------------------------------------------------

BLAST = pd.DataFrame(
    {
        "stack": ["net", "net", "app", "app", "data", "data"],
        "logical_id": ["Sg", "Outputs.SgId", "Fn", "Perm", "Db", "Param"],
        "kind": ["resource", "output", "resource", "resource", "resource", "resource"],
        "type": [
            "AWS::EC2::SecurityGroup",
            None,
            "AWS::Lambda::Function",
            "AWS::Lambda::Permission",
            "AWS::RDS::DBInstance",
            "AWS::SSM::Parameter",
        ],
        "depth": [0, 1, 2, 3, 1, 2],
        "impact": ["replaced", "updated", "conditional", "broken", "deleted", "updated"],
        "path": [
            "net/Sg",
            "net/Sg -GetAtt-> net/Outputs.SgId",
            "... -ImportValue-> app/Fn",
            "... -Ref-> app/Perm",
            "net/Sg -Ref-> data/Db",
            "... -GetAtt-> data/Param",
        ],
        "stateful": [False, False, False, False, True, False],
        "protected": [False, None, None, None, True, None],
        "blocked": [
            "",
            "Export net-SgId cannot be updated as it is in use by app",
            "Export net-SgId cannot be updated",
            "",
            "",
            "",
        ],
    }
)


def test_blast_sunburst_colours_by_impact_and_outlines_blocked():
    fig = views.blast_sunburst(BLAST)
    (sb,) = fig.to_dict()["data"]
    color = dict(zip(sb["ids"], sb["marker"]["colors"]))
    assert color["net/AWS::EC2::SecurityGroup/Sg"] == pal.IMPACT_COLORS["replaced"] == "#d62728"
    assert color["app/AWS::Lambda::Function/Fn"] == pal.IMPACT_COLORS["conditional"] == "#ff7f0e"
    assert color["app/AWS::Lambda::Permission/Perm"] == pal.IMPACT_COLORS["broken"]
    assert color["data/AWS::SSM::Parameter/Param"] == pal.IMPACT_COLORS["updated"]
    assert color["data/AWS::RDS::DBInstance/Db"] == pal.IMPACT_COLORS["deleted"]
    assert color["net/Outputs/Outputs.SgId"] == pal.IMPACT_COLORS["updated"]
    # rings take their worst resource's colour
    assert color["net"] == pal.IMPACT_COLORS["replaced"] and color["app"] == pal.IMPACT_COLORS["broken"]
    assert color["data"] == pal.IMPACT_COLORS["deleted"]
    # stack -> type -> resource
    parent = dict(zip(sb["ids"], sb["parents"]))
    assert parent["app/AWS::Lambda::Function/Fn"] == "app/AWS::Lambda::Function" and parent["app"] == ""
    outline = dict(zip(sb["ids"], sb["marker"]["line"]["color"]))
    assert outline["app/AWS::Lambda::Function/Fn"] == pal.BLOCKED_OUTLINE
    assert outline["app"] == pal.BLOCKED_OUTLINE  # holds a blocked resource
    assert outline["app/AWS::Lambda::Permission/Perm"] == "white"
    labels = dict(zip(sb["ids"], sb["labels"]))
    assert labels["net/AWS::EC2::SecurityGroup/Sg"] == "▶ Sg"  # the changed resource
    hover = dict(zip(sb["ids"], sb["hovertext"]))
    assert "blocked</b>: Export net-SgId cannot be updated" in hover["app/AWS::Lambda::Function/Fn"]
    assert "stateful" in hover["data/AWS::RDS::DBInstance/Db"] and "protected" in hover["data/AWS::RDS::DBInstance/Db"]
    # the summary is a second line of the title (a plotly subtitle can render above it in a widget)
    first, second = fig.layout.title.text.split("<br>")
    assert first == "Blast radius of net/Sg: 6 affected in 3 stacks"
    assert ">1 deleted, 1 broken, 1 replaced, 1 conditional, 2 updated, 2 blocked<" in second
    assert fig.layout.meta["summary"] == "1 deleted, 1 broken, 1 replaced, 1 conditional, 2 updated, 2 blocked"
    assert not fig.layout.title.subtitle.text


def test_blast_sunburst_of_nothing_says_so():
    fig = views.blast_sunburst(BLAST.iloc[0:0])
    assert fig.layout.annotations[0].text == "nothing is affected"


def test_blast_of_the_estate_reaches_importers_and_is_blocked(estate):
    """net/Sg replaced: DbIngress.GroupId is create-only (replaced), Fn's VpcConfig updates in
    place, and every importer of net-SgId is blocked because the export is in use."""
    blast = iacviz.blast_radius(estate, "net/Sg", "replace")
    (sb,) = views.blast_sunburst(blast).data
    color = dict(zip(sb.ids, sb.marker.colors))
    outline = dict(zip(sb.ids, sb.marker.line.color))
    assert color["db/AWS::EC2::SecurityGroupIngress/DbIngress"] == pal.IMPACT_COLORS["replaced"]
    assert color["app/AWS::Lambda::Function/Fn"] == pal.IMPACT_COLORS["updated"]
    assert outline["app/AWS::Lambda::Function/Fn"] == pal.BLOCKED_OUTLINE
    assert outline["net/AWS::EC2::SecurityGroup/Sg"] == "white"


def _graph():
    g = nx.DiGraph()
    for n, kind, stack in [
        ("net/Vpc", "resource", "net"),
        ("net/Sg", "resource", "net"),
        ("net/Outputs.SgId", "output", "net"),
        ("app/Fn", "resource", "app"),
        ("app/Perm", "resource", "app"),
        ("app/Alarm", "resource", "app"),
        ("data/Db", "resource", "data"),
        ("data/Param", "resource", "data"),
        ("other/Far", "resource", "other"),
    ]:
        g.add_node(n, kind=kind, stack=stack, type="AWS::X::Y")
    # referrer -> referenced
    for a, b in [
        ("net/Sg", "net/Vpc"),
        ("net/Outputs.SgId", "net/Sg"),
        ("app/Fn", "net/Outputs.SgId"),
        ("app/Perm", "app/Fn"),
        ("app/Alarm", "app/Fn"),
        ("data/Db", "net/Sg"),
        ("data/Param", "data/Db"),
        ("other/Far", "app/Alarm"),
    ]:
        g.add_edge(a, b, kinds={"Ref"})
    return g


def test_blast_graph_colours_affected_nodes_and_greys_their_neighbours():
    fig = views.blast_graph(_graph(), BLAST)
    nodes = {t.meta["impact"]: t for t in by_role(fig, "resources")}
    assert nodes["unaffected"].marker.color == pal.UNAFFECTED
    # same-stack neighbours are context, the other stack's resource is not drawn
    assert sorted(nodes["unaffected"].customdata) == ["app/Alarm", "net/Vpc"]
    assert list(nodes["replaced"].customdata) == ["net/Sg"]
    assert nodes["replaced"].marker.color == pal.IMPACT_COLORS["replaced"]
    assert list(nodes["broken"].customdata) == ["app/Perm"]
    assert list(nodes["conditional"].marker.line.color) == [pal.BLOCKED_OUTLINE]
    drawn = {n for t in by_role(fig, "resources") for n in t.customdata}
    assert "other/Far" not in drawn
    # edges run the way the change travels: from Sg to Db (Db references Sg)
    hot = [t for t in by_role(fig, "edges") if t.name == "change travels"][0]
    assert ["net/Sg", "data/Db"] in [list(c) for c in hot.customdata if c is not None]
    assert "data/Db references net/Sg (Ref)" in hot.hovertext


def test_blast_graph_layout_is_seeded():
    a = views.blast_graph(_graph(), BLAST, seed=3).to_plotly_json()
    b = views.blast_graph(_graph(), BLAST, seed=3).to_plotly_json()
    c = views.blast_graph(_graph(), BLAST, seed=4).to_plotly_json()
    assert a == b and a != c


def test_blast_graph_takes_an_estate(estate):
    fig = views.blast_graph(estate, iacviz.blast_radius(estate, "net/Vpc"))
    drawn = {n for t in by_role(fig, "resources") for n in t.customdata}
    assert {"net/Vpc", "net/Subnet", "net/Sg"} <= drawn


# -- update behaviour, replacement, change set ------------------------------------------------


def test_update_behavior_heatmap_is_categorical(estate):
    fig = views.update_behavior_heatmap(estate.properties, estate.resources)
    (hm,) = fig.data
    cell = {(t, p): z for t, row in zip(hm.y, hm.z) for p, z in zip(hm.x, row)}
    # provider schemas: a VPC's CidrBlock and a subnet's VpcId are create-only; a function's MemorySize is not
    assert cell[("AWS::EC2::VPC", "CidrBlock")] == BEHAVIOR_CODES["replace"]
    assert cell[("AWS::EC2::Subnet", "VpcId")] == BEHAVIOR_CODES["replace"]
    assert cell[("AWS::Lambda::Function", "MemorySize")] == BEHAVIOR_CODES["in-place"]
    assert cell[("AWS::EC2::VPC", "MemorySize")] is None
    # the colour scale maps each code to its behaviour's colour
    scale = [tuple(s) for s in hm.colorscale]
    n = len(BEHAVIOR_CODES)
    at = lambda code: next(c for x, c in scale if x > (code + 0.5) / n) if code < n - 1 else scale[-1][1]  # noqa: E731
    assert at(3) == pal.BEHAVIOR_COLORS["replace"] and at(1) == pal.BEHAVIOR_COLORS["in-place"]
    assert list(hm.colorbar.ticktext) == ["unknown", "in-place", "conditional", "replace"]
    text = {(t, p): x for t, row in zip(hm.y, hm.text) for p, x in zip(hm.x, row)}
    assert (
        "replaces the resource" in text[("AWS::EC2::VPC", "CidrBlock")]
        and "Vpc" in text[("AWS::EC2::VPC", "CidrBlock")]
    )


def test_update_behavior_heatmap_keeps_the_top_types_and_folds_the_rest(estate):
    full = views.update_behavior_heatmap(estate.properties, estate.resources, max_rows=None)
    fig = views.update_behavior_heatmap(estate.properties, estate.resources, max_rows=2)
    (hm,) = fig.data
    n_types = len(full.data[0].y)
    assert list(hm.y) == [full.data[0].y[0], f"+{n_types - 1} more types"]
    assert f"{n_types - 1} types folded into one row" in fig.layout.title.text
    # the folded row shows the worst behaviour of every folded type, column by column
    folded_rows = [row for t, row in zip(full.data[0].y, full.data[0].z) if t != full.data[0].y[0]]
    for j, col in enumerate(hm.x):
        k = list(full.data[0].x).index(col)
        worst = max((r[k] for r in folded_rows if r[k] is not None), default=None)
        assert hm.z[1][j] == worst


def test_replacement_table_marks_unprotected_stateful_rows(estate):
    prone = iacviz.replacement_prone(estate)
    fig = views.replacement_table(prone)
    (table,) = fig.data
    header = [h.replace("<b>", "").replace("</b>", "") for h in table.header.values]
    cols = dict(zip(header, table.cells.values))
    fills = dict(zip(header, table.cells.fill.color))
    rows = list(zip(cols["resource"], cols["property"]))
    # DBName follows the DbName parameter: create-only on a stateful resource with no UpdateReplacePolicy
    i = rows.index(("Db", "DBName"))
    assert cols["driven by"][i] == "parameter DbName"
    assert fills["behaviour"][i] == pal.CHANGE_FILLS["replacement_true"]
    assert cols["stateful"][i] == "yes" and cols["protected"][i] == "no"
    assert fills["stateful"][i] == pal.CHANGE_FILLS["data_loss"]
    j = rows.index(("DbIngress", "GroupId"))  # an import drives it
    assert "import net-SgId" in cols["driven by"][j] and fills["stateful"][j] == pal.CHANGE_FILLS["plain"]


def test_change_set_table_colours_replacement_data_loss_and_blocked(tmp_path, estate):
    after = _write(
        tmp_path / "after",
        {
            "net.yaml": NET.replace("GroupDescription: app", "GroupDescription: app tier"),
            "db.yaml": DB.replace("Default: shop", "Default: catalogue"),
            "app.yaml": APP.replace("MemorySize: 256", "MemorySize: 512"),
            "web.yaml": WEB,
        },
    )
    plan = iacviz.plan_changes(estate, iacviz.load(after))
    fig = views.change_set_table(plan)
    (table,) = fig.data
    header = [h.replace("<b>", "").replace("</b>", "") for h in table.header.values]
    cols = dict(zip(header, table.cells.values))
    fills = dict(zip(header, table.cells.fill.color))
    row = {lid: i for i, lid in enumerate(cols["logical id"])}
    db, sg, fn = row["Db"], row["Sg"], row["Fn"]
    assert cols["replacement"][db] == "True" and fills["replacement"][db] == pal.CHANGE_FILLS["replacement_true"]
    assert cols["data loss"][db] == "DATA LOST" and fills["data loss"][db] == pal.CHANGE_FILLS["data_loss"]
    assert "DBName (Always, Static" in cols["details"][db]
    assert "net-SgId" in cols["blocked"][sg] and fills["blocked"][sg] == pal.CHANGE_FILLS["blocked"]
    assert cols["replacement"][fn] == "False" and fills["replacement"][fn] == pal.CHANGE_FILLS["plain"]
    assert cols["blocked"][fn] == ""


def test_change_set_table_colours_conditional_rows():
    plan = pd.DataFrame(
        {
            "stack": ["net", "net"],
            "logical_id": ["Sg", "Ingress"],
            "resource_type": ["AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress"],
            "action": ["Modify", "Modify"],
            "replacement": ["True", "Conditional"],
            "details": [
                [
                    {
                        "attribute": "Properties",
                        "name": "GroupDescription",
                        "requires_recreation": "Always",
                        "evaluation": "Static",
                        "change_source": "DirectModification",
                        "causing_entity": None,
                    }
                ],
                [
                    {
                        "attribute": "Properties",
                        "name": "GroupId",
                        "requires_recreation": "Always",
                        "evaluation": "Dynamic",
                        "change_source": "ResourceReference",
                        "causing_entity": "Sg",
                    }
                ],
            ],
            "data_loss": [False, None],
            "blocked": [None, None],
        }
    )
    (table,) = views.change_set_table(plan).data
    assert list(table.cells.fill.color[4]) == [
        pal.CHANGE_FILLS["replacement_true"],
        pal.CHANGE_FILLS["replacement_conditional"],
    ]
    assert table.cells.values[5][1] == "Properties/GroupId (Always, Dynamic, ResourceReference) ← Sg"
    assert list(table.cells.values[6]) == ["no", ""]


def test_tables_say_how_many_rows_were_left_out(estate):
    fig = views.replacement_table(iacviz.replacement_prone(estate), max_rows=1)
    assert len(fig.data[0].cells.values[0]) == 1 and "(first 1 of" in fig.layout.title.text


# -- selection --------------------------------------------------------------------------------


def test_filter_estate_frames_cuts_every_frame(estate):
    frames = views.filter_estate_frames(estate, types="AWS::EC2::*")
    assert set(frames["resources"].type) == {
        "AWS::EC2::VPC",
        "AWS::EC2::Subnet",
        "AWS::EC2::SecurityGroup",
        "AWS::EC2::SecurityGroupIngress",
    }
    assert sorted(frames["stacks"]["stack"]) == ["db", "net", "web"]
    assert sorted(frames["imports"].source) == ["DbIngress", "WebSg"]
    assert set(frames["properties"].logical_id) <= set(frames["resources"].logical_id)
    eph = views.filter_estate_frames(estate, modality="ephemeral", stacks=["a*", "w*"])
    assert sorted(eph["resources"].logical_id) == ["Fn", "WebFn"]
    assert estate.resources.shape[0] == 9  # untouched


def test_collapse_by_service_with_a_mapping(estate):
    out = views.collapse_by_service(
        estate.stacks, estate.imports, estate.exports, groups={"app": "apps", "web": "apps"}
    )
    assert sorted(out["stacks"]["stack"]) == ["apps", "db", "net"]
    assert sorted(set(out["imports"]["stack"])) == ["apps", "db"]
    ex = out["exports"].set_index("export_name")
    assert ex.loc["net-SgId", "importers"] == ["apps", "db"] and ex.loc["net-Unused", "n_importers"] == 0


# -- widgets ----------------------------------------------------------------------------------


def test_blast_explorer_follows_its_controls(estate):
    from iacviz.views.widgets import blast_explorer

    box = blast_explorer(estate, target="net/Sg")
    assert "export:net-SgId" in box.target.options
    assert box.figure.layout.title.text.startswith("Blast radius of net/Sg")
    box.target.value = "db/Db"
    assert box.figure.layout.title.text.startswith("Blast radius of db/Db")
    box.change.value = "delete"
    assert "deleted" in box.figure.layout.meta["summary"]
    assert box.figure.layout.title.text.index("Blast radius") < box.figure.layout.title.text.index("deleted")
    assert "affected" in box.summary.value


def test_explorers_work_without_anywidget(monkeypatch, estate):
    from iacviz.views import widgets as w

    def refuse(*args, **kwargs):
        raise ImportError("Please install anywidget to use the FigureWidget class")

    monkeypatch.setattr(w.go, "FigureWidget", refuse)
    box = w.export_explorer(estate, stack="net")
    assert "net-Unused" in box.table.value and "nobody" in box.table.value
    box.stack.value = "db"
    assert box.figure.layout.meta["nodes"] and "<b>db</b> exports nothing" in box.table.value


# -- workshop ---------------------------------------------------------------------------------


def test_open_source_reads_folders_and_snapshots(tmp_path, estate):
    estate.to_parquet(tmp_path / "snap")
    back = workshop.open_source(tmp_path / "snap")
    assert sorted(back.stacks["stack"]) == sorted(estate.stacks["stack"])
    with pytest.raises(iacviz.IacvizError):
        workshop.open_source(tmp_path / "missing")
    assert workshop.open_source(estate) is estate


def test_check_prints_hints_and_judges(capsys, estate):
    assert workshop.check("stack-resources", None, estate, stack="data") is None
    assert "Hint" in capsys.readouterr().out
    assert workshop.check("stack-resources", 0, estate, stack="data") is True  # no stack named data here
    assert workshop.check("export-importers", 3, estate, export="nothing-exported") is False
    assert "Not quite" in capsys.readouterr().out


def test_expect_asserts_only_on_the_sample():
    workshop.expect("live:x/eu-west-1", "n", 1, 2)
    with pytest.raises(AssertionError, match="expected 2"):
        workshop.expect(iacviz.data.sample_estate(), "n", 1, 2)


# -- coverage ---------------------------------------------------------------------------------


def test_coverage_bars_show_stacks_services_clickops_and_defaults_apart():
    import iacviz
    from iacviz import schema

    frames = {
        "resources": schema.frame(
            "resources",
            [
                {"stack": "web", "logical_id": f"R{i}", "service": s, "physical_id": f"p{i}"}
                for i, s in enumerate(["EC2", "EC2", "EC2", "SQS", "Logs"])
            ],
        ),
        "unmanaged": schema.frame(
            "unmanaged",
            [
                {"service": "EC2", "id": "i-1", "managed_by": "service"},
                {"service": "EC2", "id": "i-2", "managed_by": "service"},
                {"service": "EC2", "id": "vpc-default", "managed_by": "aws"},
                {"service": "SQS", "id": "by-hand", "managed_by": "none"},
                {"service": "Logs", "id": "/aws/lambda/f", "managed_by": "service"},
            ],
        ),
    }
    cov = iacviz.iac_coverage(frames)
    fig = views.coverage_bars(cov)
    bars = {t.name: dict(zip(t.customdata, t.x)) for t in fig.data}
    assert bars["in a stack"] == {"EC2": 3, "SQS": 1, "Logs": 1}
    assert bars["made by a service"] == {"EC2": 2, "SQS": 0, "Logs": 1}
    assert bars["click-ops"] == {"EC2": 0, "SQS": 1, "Logs": 0}
    assert bars["AWS default"] == {"EC2": 1, "SQS": 0, "Logs": 0}
    assert fig.layout.meta["clickops"] == ["SQS"]
    # the service with click-ops is drawn on top (plotly draws the last category on top), with its coverage
    assert fig.data[0].y[-1] == "SQS (50 %)"
    assert {t.marker.color for t in fig.data} == set(pal.COVERAGE_COLORS.values())
