"""Dependency graphs of an estate: stacks, and resources across stacks, as ``networkx.DiGraph``.

**Edge direction.** Every edge runs from the thing that depends to the thing it depends on
(referrer -> referenced), as ``references`` rows and cfn-lint's graph do: ``app/Sg -> net/Vpc``.
So ``graph.successors(n)`` are what `n` needs and ``graph.predecessors(n)`` what breaks when `n`
changes (:func:`dependencies`, :func:`dependents`); deployment runs successors first.

**Node ids** (resource graph): ``stack/LogicalId`` for resources, ``stack/Parameters.Name``,
``stack/Outputs.Name`` and ``stack/Conditions.Name``; the stack graph's nodes are stack names.
Exports are not nodes: an import is an edge ``app/Sg -ImportValue-> net/Outputs.VpcId`` with the
export name in ``export`` (an export name given to :func:`iacviz.blast_radius` means its output).
Node attributes: kind (resource, parameter, output, condition, import, stack), stack, logical_id, type,
stateful, modality; resources also deletion_policy, update_replace_policy; outputs export.

**Edge attributes**: ``kinds`` (set of Ref, GetAtt, Sub, DependsOn, ImportValue, NestedStack,
Condition), ``attribute`` and ``path`` of the first reference, ``refs`` (every (kind, attribute,
path, active) behind the edge; active is True, or None when the reference sits under a
condition of unknown value), for imports ``link`` and ``export``. References that
CloudFormation never evaluates (``active`` False: a false Condition or Fn::If branch) make no edge. Nested stacks: a parent's
``!GetAtt Child.Outputs.X`` points at ``child/Outputs.X``; the value the parent passes in
``Parameters/P`` becomes edges from ``child/Parameters.P`` to what the parent references there;
each child resource and output depends on the parent's stack resource (kind NestedStack).
A script of the estate folder that reads an export or output (``estate.script_reads``) is a
node ``script:<file>:<line>`` (kind ``script``) with an edge of kind ``Script`` to the output.
An ambiguous import points at a shared node ``import:<pattern>`` (kind ``import``) with an
edge to every candidate output (``link="ambiguous"``), so the blast radius stays conservative
without an edge per import and candidate; the stack graph, whose edges order deployment, has no
edge for ambiguous imports.

**Caching.** Each graph is built once per estate and kept in the estate's private ``_cache``
dict (where derived frames live too), so repeated queries reuse it; an ``Estate`` is immutable,
so the cache never goes stale. Treat the returned graphs as read-only.

>>> import iacviz
>>> t = {"Resources": {"Vpc": {"Type": "AWS::EC2::VPC"},
...      "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"VpcId": {"Ref": "Vpc"}}}}}
>>> g = resource_graph(iacviz.load_template(t, stack="net"))
>>> list(g.edges(data="kinds")), g.nodes["net/Vpc"]["type"]
([('net/Sg', 'net/Vpc', {'Ref'})], 'AWS::EC2::VPC')
"""

from __future__ import annotations

from typing import Any, Iterable

import networkx as nx
import pandas as pd

from ..model.estate import Estate
from .exports import ambiguous_candidates, import_links, script_outputs
from ..gc_pause import paused_gc

__all__ = [
    "stack_graph",
    "resource_graph",
    "deployment_order",
    "deletion_order",
    "stack_cycles",
    "dependents",
    "dependencies",
    "deployment_ranks",
    "ORDERING_LINKS",
]

# Imports that order deployment: those whose exporter is known. An ambiguous import (several
# candidates) orders nothing, or every candidate would wait on a guess.
ORDERING_LINKS = ("exact", "inferred")
_SKIP_TARGETS = frozenset({"pseudo", "mapping", "unknown", "stack", "export"})


def dependents(graph: nx.DiGraph, node: str) -> list[str]:
    """What depends on `node` directly (its predecessors), sorted."""
    return sorted(graph.predecessors(node))


def dependencies(graph: nx.DiGraph, node: str) -> list[str]:
    """What `node` depends on directly (its successors), sorted."""
    return sorted(graph.successors(node))


def _values(series: pd.Series) -> list[Any]:
    # NA -> None: pd.NA in node attributes would make `if attrs["x"]` raise. Plain lists also
    # iterate several times faster than Arrow-backed string columns.
    return series.astype(object).where(series.notna(), None).tolist()


def _cached(estate: Estate, key: str, build) -> Any:
    cache = estate._cache
    if key not in cache:
        with paused_gc():
            cache[key] = build(estate)
    return cache[key]


def stack_graph(estate: Estate) -> nx.DiGraph:
    """Stacks and what each must deploy after: imports, nesting and declared dependencies.

    Parameters
    ----------
    estate : Estate
        The estate; the graph is built once and cached on it.

    Returns
    -------
    networkx.DiGraph
        Nodes: stack names (attributes kind="stack", stack, modality, n_resources, format,
        parent_stack). Edges dependent -> dependency with ``kinds`` (ImportValue: importer ->
        exporter, exact or inferred links only; NestedStack: child -> parent; DependsOn: a
        CDK ``stack_dependencies`` entry; Deploys: a stack -> the stack of the CodePipeline
        that deploys it or a resource of it, which must exist first), ``exports`` (sorted
        names) and ``links``.

    Examples
    --------
    >>> import iacviz
    >>> sorted(stack_graph(iacviz.load_template({"Resources": {}}, stack="solo")).nodes)
    ['solo']
    """
    return _cached(estate, "graph:stacks", _build_stack_graph)


def _build_stack_graph(estate: Estate) -> nx.DiGraph:
    g = nx.DiGraph()
    st = estate.stacks
    for name, modality, n, fmt, parent in zip(
        st["stack"], _values(st.modality), _values(st.n_resources), _values(st.format), _values(st.parent_stack)
    ):
        g.add_node(name, kind="stack", stack=name, modality=modality, n_resources=n, format=fmt, parent_stack=parent)
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    for src, dst, kind, export, link in _stack_edges(estate):
        data = edges.setdefault((src, dst), {"kinds": set(), "exports": set(), "links": set()})
        data["kinds"].add(kind)
        if export:
            data["exports"].add(export)
        if link:
            data["links"].add(link)
    g.add_edges_from((u, v, {**d, "exports": sorted(d["exports"])}) for (u, v), d in edges.items())
    return g


def _stack_edges(estate: Estate) -> Iterable[tuple[str, str, str, str | None, str | None]]:
    links = import_links(estate)
    sure = links[links.link.isin(ORDERING_LINKS)].drop_duplicates(["stack", "export_stack", "export_name"])
    yield from zip(
        sure["stack"].tolist(),
        sure.export_stack.tolist(),
        ["ImportValue"] * len(sure),
        sure.export_name.tolist(),
        sure.link.tolist(),
    )
    st = estate.stacks
    names = set(st["stack"])
    for stack, parent, deps in zip(st["stack"].tolist(), _values(st.parent_stack), st.stack_dependencies):
        if parent:
            yield stack, parent, "NestedStack", None, None
        for dep in deps or ():
            if dep != parent and dep in names:
                yield stack, dep, "DependsOn", None, None
    # A pipeline deploys a stack (or a resource of one): the pipeline's stack exists first.
    refs = estate.references
    deploys = refs[(refs.kind == "Deploys") & refs.target_stack.notna() & refs.active.ne(False).fillna(True)]
    for pipeline, deployed in set(zip(deploys.source_stack.tolist(), deploys.target_stack.tolist())):
        if pipeline != deployed and deployed in names:
            yield deployed, pipeline, "Deploys", None, None


def _waves(g: nx.DiGraph) -> dict[Any, int]:
    """Node -> deployment wave for edges dependency -> dependent: how many waves must come before it.

    A node deploys one wave after the latest of its dependencies; nodes in a cycle (which no
    order satisfies) share one wave, so the answer is always complete.
    """
    dag = nx.condensation(g)  # strongly connected components collapse to one node each
    wave = {c: i for i, gen in enumerate(nx.topological_generations(dag)) for c in gen}
    mapping = dag.graph["mapping"]
    return {n: wave[mapping[n]] for n in g}


def deployment_ranks(
    names: Iterable[str], imports: pd.DataFrame, parents: dict[str, str] | None = None, order: list[str] | None = None
) -> dict[str, int]:
    """Stack -> how many deployment waves come before it (0: depends on nothing given), from frames.

    The frame-level form of :func:`deployment_order`, for figures that draw a selection or
    service groups rather than an estate: an import (exact or inferred link) makes the importer
    wait for the exporter, also through stacks not in `names`; nesting makes the child wait for
    its parent; stacks in a cycle share one rank. With `order`, the rank is the position in it.

    Parameters
    ----------
    names : iterable of str
        The stacks to rank (others the imports mention are ignored).
    imports : DataFrame
        Rows with ``stack``, ``export_stack`` and ``link`` (as ``estate.imports``).
    parents : dict, optional
        Child stack -> parent stack.
    order : list of str, optional
        An order to use instead (unlisted stacks come last).

    Returns
    -------
    dict of str to int

    Examples
    --------
    >>> imp = pd.DataFrame({"stack": ["app", "app", "db"], "export_stack": ["net", "db", "net"],
    ...                     "link": ["exact"] * 3})
    >>> deployment_ranks(["app", "db", "net"], imp)
    {'app': 2, 'db': 1, 'net': 0}
    """
    names = list(dict.fromkeys(names))
    if order:
        pos = {s: i for i, s in enumerate(dict.fromkeys(order))}
        return {n: pos.get(n, len(pos)) for n in names}
    g = nx.DiGraph()
    g.add_nodes_from(names)
    # a build script's read (via "script") has no importing stack: it orders no deployment
    sure = imports[imports.link.isin(ORDERING_LINKS) & imports.export_stack.notna() & imports["stack"].notna()]
    g.add_edges_from((a, b) for a, b in zip(sure.export_stack, sure["stack"]) if a != b)
    g.add_edges_from((p, c) for c, p in (parents or {}).items() if p in g and c in g)
    waves = _waves(g)
    return {n: waves[n] for n in names}


def stack_cycles(estate: Estate) -> list[tuple[list[str], str]]:
    """Groups of stacks that depend on each other, each with one cycle described in words.

    >>> import iacviz
    >>> stack_cycles(iacviz.load_template({"Resources": {}}))
    []
    """
    g = stack_graph(estate)
    out = []
    for component in nx.strongly_connected_components(g):
        if len(component) == 1 and not any(g.has_edge(n, n) for n in component):
            continue
        cycle = nx.find_cycle(g.subgraph(component))
        steps = []
        for a, b in cycle:
            data = g.edges[a, b]
            if "ImportValue" in data["kinds"]:
                steps.append(f"{a} imports {', '.join(repr(x) for x in data['exports'])} from {b}")
            elif "NestedStack" in data["kinds"]:
                steps.append(f"{a} is nested in {b}")
            elif "Deploys" in data["kinds"]:
                steps.append(f"{a} is deployed by a pipeline of {b}")
            else:
                steps.append(f"{a} depends on {b}")
        out.append(([a for a, _ in cycle], "; ".join(steps)))
    return sorted(out)


def deployment_order(estate: Estate) -> list[list[str]]:
    """Stacks in generations that can deploy together, dependencies first.

    Stacks in a cycle (see :func:`iacviz.export_problems`) share one generation instead of
    raising, so the answer is always complete.

    Parameters
    ----------
    estate : Estate

    Returns
    -------
    list of list of str
        Generations in deployment order, each sorted by name.

    Examples
    --------
    >>> import iacviz
    >>> deployment_order(iacviz.load_template({"Resources": {}}, stack="solo"))
    [['solo']]
    """
    waves = _waves(stack_graph(estate).reverse(copy=False))
    out: list[list[str]] = [[] for _ in range(max(waves.values(), default=-1) + 1)]
    for stack, wave in waves.items():
        out[wave].append(stack)
    return [sorted(gen) for gen in out]


def deletion_order(estate: Estate) -> list[list[str]]:
    """Stacks in generations that can be deleted together: importers before exporters.

    CloudFormation refuses to delete a stack while another imports its exports, so this is
    :func:`deployment_order` reversed.

    >>> import iacviz
    >>> deletion_order(iacviz.load_template({"Resources": {}}, stack="solo"))
    [['solo']]
    """
    return deployment_order(estate)[::-1]


def resource_graph(estate: Estate) -> nx.DiGraph:
    """Resources, parameters, outputs and conditions of every stack, linked across stacks.

    Parameters
    ----------
    estate : Estate
        The estate; the graph is built once and cached on it.

    Returns
    -------
    networkx.DiGraph
        Node ids and attributes and edge attributes as in the module docstring; edges run
        referrer -> referenced. ``graph.graph`` holds ``by_stack`` and ``outputs`` (stack ->
        resource or output node ids), ``exports`` (export name -> output node ids) and
        ``importers`` (output node -> (stacks importing it, stacks whose ambiguous imports may mean it,
        stacks importing it only under a condition of unknown value)) and ``script_readers``
        (output node -> file:line of the scripts reading it).
        The graph is cached on the estate and edges with equal ``kinds`` or ``refs`` share
        one set or list: read it, and ``copy.deepcopy`` it before changing anything.

    Examples
    --------
    >>> import iacviz
    >>> g = resource_graph(iacviz.load_template({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}, stack="s"))
    >>> g.nodes["s/Q"]["kind"], g.nodes["s/Q"]["stateful"]
    ('resource', True)
    """
    return _cached(estate, "graph:resources", _build_resource_graph)


def _share_equal_values(edges: Iterable[dict[str, Any]]) -> None:
    """Edges whose ``kinds`` or ``refs`` are equal (same items in the same order) share one object.

    An estate repeats a few reference shapes thousands of times (a generated 500-stack estate:
    69,000 edges, 35 distinct ``refs``), and every set and list is an object the cyclic
    collector tracks: each full collection rescans them all, so sharing them takes a third of
    the objects out of a large estate's heap. Same values, same iteration order; the graphs
    are read-only.

    >>> a = {"kinds": {"Ref"}, "refs": [("Ref", None, "/properties/VpcId", True)]}
    >>> b = {"kinds": {"Ref"}, "refs": [("Ref", None, "/properties/VpcId", True)]}
    >>> _share_equal_values([a, b])
    >>> a["kinds"] is b["kinds"] and a["refs"] is b["refs"]
    True
    """
    kinds: dict[tuple, set[str]] = {}
    refs: dict[tuple, list[tuple]] = {}
    for d in edges:
        d["kinds"] = kinds.setdefault(tuple(d["kinds"]), d["kinds"])
        d["refs"] = refs.setdefault(tuple(d["refs"]), d["refs"])


def _add_nodes(g: nx.DiGraph, nodes: Iterable[tuple[str, dict[str, Any]]]) -> None:
    """``g.add_nodes_from`` of ``(node, attributes)`` pairs for a new graph, keeping each dict.

    ``add_nodes_from`` fails to hash each pair before unpacking it, and copies each node's
    attributes into a dict of its own: ~100,000 resources of a large estate paid both. Nodes
    and attributes come out as it makes them; a node given twice gets both dicts' attributes.

    >>> g = nx.DiGraph()
    >>> _add_nodes(g, [("a", {"kind": "resource"}), ("a", {"stack": "s"})])
    >>> dict(g.nodes["a"]), list(g.successors("a"))
    ({'kind': 'resource', 'stack': 's'}, [])
    """
    succ, pred, node = g._succ, g._pred, g._node
    for n, attrs in nodes:
        if n in node:
            node[n].update(attrs)
        else:
            succ[n], pred[n], node[n] = {}, {}, attrs


def _add_edges(g: nx.DiGraph, edges: dict[tuple[str, str], dict[str, Any]]) -> None:
    """``g.add_edges_from`` for a new graph, keeping the given attribute dicts.

    ``add_edges_from`` copies each edge's attributes into a dict of its own, and a large
    estate has ~280,000 edges: the dicts built here become the edges' dicts instead. Nodes
    and attributes come out as ``add_edges_from`` makes them: an end not yet in the graph
    is added with no attributes. (A graph being built has no algorithm cache to clear.)

    >>> g = nx.DiGraph()
    >>> g.add_node("a", kind="resource")
    >>> _add_edges(g, {("a", "b"): {"kinds": {"Ref"}}})
    >>> list(g.edges(data=True)), dict(g.nodes["b"])
    ([('a', 'b', {'kinds': {'Ref'}})], {})
    """
    succ, pred, node = g._succ, g._pred, g._node
    for (u, v), data in edges.items():
        if u not in succ:
            succ[u], pred[u], node[u] = {}, {}, {}
        if v not in succ:
            succ[v], pred[v], node[v] = {}, {}, {}
        succ[u][v] = data
        pred[v][u] = data


def _build_resource_graph(estate: Estate) -> nx.DiGraph:  # one pass per frame
    g = nx.DiGraph()
    res, par, out, cond = estate.resources, estate.parameters, estate.outputs, estate.conditions
    ids = (res["stack"] + "/" + res.logical_id).tolist()
    _add_nodes(
        g,
        (
            (
                n,
                {
                    "kind": "resource",
                    "stack": s,
                    "logical_id": lid,
                    "type": t,
                    "stateful": sf,
                    "modality": m,
                    "deletion_policy": dp,
                    "update_replace_policy": urp,
                },
            )
            for n, s, lid, t, sf, m, dp, urp in zip(
                ids,
                *(
                    _values(res[c])
                    for c in (
                        "stack",
                        "logical_id",
                        "type",
                        "stateful",
                        "modality",
                        "deletion_policy",
                        "update_replace_policy",
                    )
                ),
            )
        ),
    )
    by_stack: dict[str, list[str]] = {}
    for n, s in zip(ids, res["stack"].tolist()):
        by_stack.setdefault(s, []).append(n)
    for frame, prefix, kind in ((par, "Parameters.", "parameter"), (cond, "Conditions.", "condition")):
        _add_nodes(
            g,
            (
                (
                    f"{s}/{prefix}{n}",
                    {
                        "kind": kind,
                        "stack": s,
                        "logical_id": prefix + n,
                        "type": None,
                        "stateful": False,
                        "modality": None,
                    },
                )
                for s, n in zip(frame["stack"], frame.name)
            ),
        )
    exports: dict[str, list[str]] = {}
    outputs: dict[str, list[str]] = {}
    for s, n, x in zip(out["stack"].tolist(), out.name.tolist(), _values(out.export_name)):
        g.add_node(
            f"{s}/Outputs.{n}",
            kind="output",
            stack=s,
            logical_id=f"Outputs.{n}",
            type=None,
            stateful=False,
            modality=None,
            export=x,
        )
        outputs.setdefault(s, []).append(f"{s}/Outputs.{n}")
        if x:
            exports.setdefault(x, []).append(f"{s}/Outputs.{n}")

    st = estate.stacks
    child_of = {(p, r): c for c, p, r in zip(st["stack"], _values(st.parent_stack), _values(st.parent_resource)) if p}
    adj: dict[tuple[str, str], dict[str, Any]] = {}

    def add(
        u: str, v: str, kind: str, attribute: str | None, path: str, active: bool | None = True, **extra: Any
    ) -> None:
        data = adj.get((u, v))
        if data is None:
            data = adj[(u, v)] = {"kinds": set(), "refs": [], "attribute": attribute, "path": path, **extra}
        data["kinds"].add(kind)
        data["refs"].append((kind, attribute, path, active))

    def passed_to_child(stack: str, source: str, path: str) -> str | None:
        # A parent's reference inside AWS::CloudFormation::Stack Parameters/P feeds child/Parameters.P.
        child = child_of.get((stack, source))
        if child and path.startswith("/properties/Parameters/"):
            return f"{child}/Parameters.{path.split('/')[3]}"
        return None

    refs = estate.references
    for s, src, path, ts, t, tk, kind, attr, active in zip(
        *(
            _values(refs[c])
            for c in (
                "source_stack",
                "source",
                "source_path",
                "target_stack",
                "target",
                "target_kind",
                "kind",
                "attribute",
                "active",
            )
        )
    ):
        if tk in _SKIP_TARGETS or active is False or ts is None:
            continue
        if tk == "resource":
            v = f"{ts}/{t}"
            child = child_of.get((ts, t)) if attr and attr.startswith("Outputs.") else None
            if child:
                v = f"{child}/{attr}"
        elif tk == "parameter":
            v = f"{ts}/Parameters.{t}"
        else:
            v = f"{ts}/Conditions.{t}"
        add(f"{s}/{src}", v, kind, attr, path or "/", active)
        # only a nested stack's resource passes values to a child: most references skip the call
        child = child_of.get((s, src)) if child_of else None
        param = passed_to_child(s, src, path or "") if child else None
        if param:
            add(param, v, kind, attr, path, active, via=f"{s}/{src}")
    links = import_links(estate)
    sure: dict[str, set[str]] = {}  # output node -> stacks importing it with no condition of unknown value
    for s, es, eo, link, active in zip(
        *(links[c].tolist() for c in ("stack", "export_stack", "export_output", "link", "active"))
    ):
        if link != "ambiguous" and active is True:
            sure.setdefault(f"{es}/Outputs.{eo}", set()).add(s)
    for s, src, path, es, eo, name, link, active in zip(
        *(
            links[c].tolist()
            for c in ("stack", "source", "path", "export_stack", "export_output", "export_name", "link", "active")
        )
    ):
        v = f"import:{name}" if link == "ambiguous" else f"{es}/Outputs.{eo}"
        add(f"{s}/{src}", v, "ImportValue", None, path, active, link=link, export=name)
        param = passed_to_child(s, src, path)
        if param:
            add(param, v, "ImportValue", None, path, active, link=link, export=name, via=f"{s}/{src}")
    groups = ambiguous_candidates(estate)
    _add_nodes(
        g,
        (
            (
                f"import:{k}",
                {"kind": "import", "stack": None, "logical_id": k, "type": None, "stateful": False, "modality": None},
            )
            for k in set(groups.group)
        ),
    )
    for key, es, eo, name in zip(groups.group, groups.export_stack, groups.export_output, groups.export_name):
        add(f"import:{key}", f"{es}/Outputs.{eo}", "ImportValue", None, "/", link="ambiguous", export=name)
    # A script reading an output (an export by list-exports, an output by describe-stacks) is
    # a node of its own: its blast radius row names the file and line.
    readers: dict[str, list[str]] = {}
    scripts = script_outputs(estate)
    for s, o, file, line in zip(scripts["stack"], scripts.output, scripts.file, scripts.line):
        node, where = f"script:{file}:{line}", f"{file}:{line}"
        if node not in g:
            g.add_node(node, kind="script", stack=None, logical_id=where, type=None, stateful=False, modality=None)
        add(node, f"{s}/Outputs.{o}", "Script", None, "/")
        readers.setdefault(f"{s}/Outputs.{o}", []).append(where)
    for (parent, resource), child in child_of.items():
        holder = f"{parent}/{resource}"
        for n in by_stack.get(child, []) + outputs.get(child, []):
            add(n, holder, "NestedStack", None, "/")
    _share_equal_values(adj.values())
    _add_edges(g, adj)

    ex = estate.exports
    importers = {}
    for s, o, imps, maybe in zip(ex["stack"], ex.output, ex.importers, ex.possible_importers):
        node = f"{s}/Outputs.{o}"
        certain = sure.get(node, set())
        importers[node] = ([i for i in imps if i in certain], list(maybe), [i for i in imps if i not in certain])
    g.graph.update(by_stack=by_stack, outputs=outputs, exports=exports, importers=importers, script_readers=readers)
    return g
