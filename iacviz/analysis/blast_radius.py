"""Blast radius: everything a change to one resource, parameter, export or stack reaches, across stacks.

The walk follows :func:`iacviz.resource_graph` edges backwards (from a thing to what depends on
it). The rules follow CloudFormation's update semantics as collected in
``shared/reference/cloudformation-update-semantics.md`` (the team's notes) (change-set Replacement, provider
schema ``createOnlyProperties``, policies, refusals).

**What a change does to a value** that a dependent reads:

- a *replaced* resource gets a new physical id: every ``Ref``, ``GetAtt`` and ``${X}`` of it
  changes; one that *may* be replaced (impact ``conditional``) may change them;
- a resource *updated* in place keeps its physical id, so ``Ref`` does not change; a
  ``GetAtt`` may, unless the attribute is an identity
  (:func:`iacviz.cfn.stability.stable_attribute`: those change only with a replacement);
- a parameter or output whose value changes changes every reference to it; a condition whose
  value may flip may add or remove the resources it guards;
- ``DependsOn`` carries no value: it matters only when its target is deleted; neither does
  ``Deploys`` (a pipeline naming the service or environment it deploys);
- a reference CloudFormation never evaluates (under a false ``Condition`` or ``Fn::If``
  branch, ``references.active`` False; an import under one, ``imports.active`` False)
  carries nothing; one under a condition of unknown value (``active`` NA) carries
  ``conditional`` whatever it would carry otherwise: the dependent is affected only if the
  condition holds;
- a *deleted* resource, parameter or export leaves its referrers ``broken``; a broken output
  breaks its importers, but a broken resource is not followed further (how the user repairs
  it is unknown);
- replacing or deleting a nested stack's ``AWS::CloudFormation::Stack`` resource replaces or
  deletes everything in the child stack.

**Impact of a changed value on a resource**, by the update behaviour of the property that reads
it (``iacviz.cfn.update_behavior.behavior(type, JSON pointer)``): create-only -> ``replaced``;
conditional create-only, a type without schema, a create-only property whose input only *may*
change, or a flipped ``Condition`` -> ``conditional`` (may be replaced, added or removed);
otherwise ``updated``. Outputs and parameters are ``updated`` (their value changes). The most
severe impact wins: deleted > broken > replaced > conditional > updated.

**blocked** says why CloudFormation would refuse the change on a row's path: an export in use
whose value would change ("Export X cannot be updated as it is in use by a, b") or vanish
("... cannot be deleted ..."), or a custom-named resource (its name property set in the
template, ``custom_name_property``) that would need replacing. Rows below a refusal inherit it.

**protected** applies to the row's own impact: for ``replaced``/``conditional`` the
UpdateReplacePolicy, for ``deleted`` the DeletionPolicy (or CloudFormation's default), read by
:func:`iacviz.cfn.policies.keeps_old_resource`. NA otherwise, or when a policy is an unresolved
expression. The refusal texts come from :mod:`iacviz.cfn.refusals`.

Rows are resources, outputs and the scripts of the estate folder that read an output or export
(kind and type ``script``, logical_id ``file:line``, stack ``(scripts)``), plus the target itself; parameters and
conditions are steps of ``path`` only. A refusal over an export names the scripts reading it
too; CloudFormation refuses nothing for a script alone. ``depth`` counts the edges of that path. The graph is cached on the estate,
so a query costs only the walk over what it reaches.

>>> import iacviz
>>> t = {"Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
...      "Subnet": {"Type": "AWS::EC2::Subnet",
...                 "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24"}}}}
>>> br = blast_radius(iacviz.load_template(t, stack="net"), "net/Vpc")
>>> br[["logical_id", "impact", "path"]].values.tolist()
[['Vpc', 'replaced', 'net/Vpc'], ['Subnet', 'replaced', 'net/Vpc -Ref-> net/Subnet']]
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

import pandas as pd

from .. import schema
from ..cfn.policies import default_deletion_policy, keeps_old_resource
from ..cfn.refusals import custom_name_replacement, export_in_use
from ..cfn.stability import stable_attribute
from ..cfn.update_behavior import behavior, custom_name_property
from ..errors import IacvizError
from ..model.estate import Estate
from ..model.identity import StackIndex
from ..gc_pause import paused_gc
from .exports import read_by_scripts
from .graph import resource_graph
from .targets import construct_resources, did_you_mean

__all__ = ["blast_radius", "CHANGES", "IMPACTS"]


CHANGES = ("replace", "update", "delete")
SCRIPTS = "(scripts)"  # the stack column of script rows: parentheses are not allowed in stack names
IMPACTS = ("updated", "conditional", "replaced", "broken", "deleted")
_RANK = {name: i for i, name in enumerate(IMPACTS)}


def _score(impact: str, certain: bool) -> int:
    """How bad a node's (impact, certain) is, as one number: a worse impact first, then a
    certain one over a possible one. Both the walk and each node's step compare by it.

    >>> _score("replaced", True) > _score("replaced", False) > _score(IMPACTS[0], True)
    True
    """
    return _RANK[impact] * 2 + certain


_SEED = {"replace": "replaced", "update": "updated", "delete": "deleted"}
_ON_VALUE = {"replace": "replaced", "conditional": "conditional", "unknown": "conditional", "in-place": "updated"}
_ON_MAYBE = {"replace": "conditional", "conditional": "conditional", "unknown": "conditional", "in-place": "updated"}


def _signal(n: dict, impact: str, certain: bool, kind: str, attribute: str | None) -> str | None:
    """What a dependent sees through one reference: yes, maybe, gone, contained-* or None."""
    if kind == "NestedStack":
        return {"replaced": "contained-replace", "deleted": "contained-delete"}.get(impact)
    if impact in ("deleted", "broken"):
        return "gone"
    if kind in ("DependsOn", "Deploys"):  # no value flows: only a deleted target matters
        return None
    if n.get("kind") != "resource":
        return "yes" if certain else "maybe"
    if impact == "replaced":
        return "yes"
    if impact == "conditional":
        return "maybe"
    if attribute and kind in ("GetAtt", "Sub") and not stable_attribute(n.get("type") or "", attribute):
        return "maybe"
    return None


def _impact(d: dict, signal: str, kind: str, path: str, region: str) -> tuple[str, bool]:
    resource = d.get("kind") == "resource"
    if signal == "contained-replace":
        return ("replaced" if resource else "updated"), True
    if signal == "contained-delete":
        return ("deleted" if resource else "broken"), True
    if signal == "gone":
        return "broken", True
    if d.get("kind") == "import":
        return "updated", False  # an ambiguous import: the value changes only if it is the one meant
    if not resource:
        return "updated", signal == "yes"
    if kind == "Condition":
        if path in ("/condition", "/Condition"):
            return "conditional", False
        signal = "maybe"  # Fn::If inside a property: its value may switch branch
    b = behavior(d.get("type") or "", path, region) if d.get("type") else "unknown"
    return (_ON_VALUE if signal == "yes" else _ON_MAYBE)[b], signal == "yes"


def _seeds(estate: Estate, g, target: str, typed: str | None = None) -> list[str]:
    if target in g and g.nodes[target].get("kind"):
        return [target]
    name = target[7:] if target.startswith("export:") else target
    if name in g.graph["exports"]:
        return list(g.graph["exports"][name])
    if target in g.graph["by_stack"] or target in g.graph["outputs"] or target in set(estate.stacks["stack"]):
        return g.graph["by_stack"].get(target, []) + g.graph["outputs"].get(target, [])
    construct = construct_resources(estate, typed or target)
    if construct:
        return construct
    raise IacvizError(
        f"blast_radius: unknown target {typed or target!r}.{did_you_mean(estate, typed or target)} Give "
        f"'stack/LogicalId', 'stack/Parameters.Name', 'stack/Outputs.Name', a stack name, an export "
        f"name or a CDK construct path ('Stack/Construct')"
    )


def blast_radius(estate: Estate, target: str, change: str = "replace") -> pd.DataFrame:
    """Every resource and output that a change to `target` reaches, across stacks.

    Parameters
    ----------
    estate : Estate
        The estate (its resource graph is built on first use and cached).
    target : str
        ``"stack/LogicalId"``, ``"stack/Parameters.Name"``, ``"stack/Outputs.Name"``, an export
        name (``"export:Name"`` also works), a stack name (every resource and output of it) or
        a CDK construct path (``"StorefrontNetworkStack/StorefrontVPC"``: its resource, or every
        resource below it), tried in this order. An unknown target raises IacvizError with
        "did you mean" suggestions (other case, close spellings).
    change : {"replace", "update", "delete"}
        What happens to the target. For a parameter or output, replace and update both mean
        "its value changes".

    Returns
    -------
    DataFrame
        Frame ``blast_radius`` (see ``iacviz.schema.describe("blast_radius")``): stack,
        logical_id, kind, type, depth, impact, path, stateful, protected, blocked; sorted by
        depth, stack, logical_id. The rules are in this module's docstring.

    Examples
    --------
    >>> import iacviz
    >>> t = {"Resources": {"Db": {"Type": "AWS::RDS::DBInstance", "Properties": {"Engine": "mysql"}}}}
    >>> blast_radius(iacviz.load_template(t, stack="data"), "data/Db", "delete")[
    ...     ["impact", "stateful", "protected"]].values.tolist()
    [['deleted', True, True]]
    """
    if change not in CHANGES:
        raise IacvizError(f"blast_radius: change must be one of {', '.join(CHANGES)}, not {change!r}")
    typed = target
    cache = estate._cache  # the stacks read once per estate, not once per query
    if "blast:stacks" not in cache:
        cache["blast:stacks"] = StackIndex(estate.stacks)
    try:
        target = cache["blast:stacks"].canonical_target(target)  # net@prod/Vpc, or a unique plain name
    except IacvizError as exc:
        raise IacvizError(f"blast_radius: {exc}.{did_you_mean(estate, typed)}") from None
    g = resource_graph(estate)
    with paused_gc():  # see gc_pause.paused_gc: a query allocates per reached node
        return schema.frame_from_columns("blast_radius", _columns(estate, g, _walk(estate, g, target, change)))


def _walk(estate: Estate, g, target: str, change: str) -> dict[str, list[Any]]:
    nodes, pred, region = g._node, g._pred, estate.region
    # What one node passes to its dependents depends only on its own (impact, certain) and
    # the graph, so it is worked out once per estate and reused by every query that reaches
    # the node that way (a query over every export reaches each ~5 times). Kept with the
    # graph it was read from: a new graph starts afresh. See _Memo for its shape.
    memo = _Memo.of(estate, g, "blast:reach")
    # node -> [impact, certain, depth, parent, label, score of (impact, certain)]
    state: dict[str, list[Any]] = {}
    queue: deque[str] = deque()
    for n in _seeds(estate, g, target):
        kind = nodes[n].get("kind")
        impact = _SEED[change] if kind == "resource" or change == "delete" else "updated"
        state[n] = [impact, True, 0, None, None, _score(impact, True)]
        queue.append(n)
    flat = memo.flat
    while queue:
        n = queue.popleft()
        st = state[n]
        depth = st[2]
        at = memo.at[st[5]].get(n)
        if at is None:
            at = memo.put(st[5], n, _reached(nodes, pred, n, st[0], st[1], region))
        for i in range(at + 1, at + 1 + 5 * flat[at], 5):
            d, score, got, sure, label = flat[i : i + 5]
            old = state.get(d)
            if old is None or score > old[5]:
                state[d] = [got, sure, depth + 1, n, label, score]
                queue.append(d)
    return state


class _Memo:
    """What the queries on one estate and graph work out once per node (and per node's
    (impact, certain), by its score), kept as plain values in one growing list.

    Tuples per node would be ~100 new objects the cyclic collector tracks per query, kept for
    the estate's life: over a query per export of a large estate (~3,000 queries, ~300,000
    objects) they set off the collections that promote the estate's frames and graph, and so
    a full collection of its heap (1.2 s on a 2,000x50 estate). Text, numbers, flags and None
    are not tracked, nor are the list and the dicts of text to numbers holding them.

    >>> memo = _Memo(None)
    >>> at = memo.put(3, "net/Vpc", [1, "net/Subnet", 5, "replaced", True, "Ref"])
    >>> memo.flat[memo.at[3]["net/Vpc"]:][:6]
    [1, 'net/Subnet', 5, 'replaced', True, 'Ref']
    """

    def __init__(self, g: Any):
        self.g = g
        self.at: list[dict[str, int]] = [{} for _ in range(2 * len(IMPACTS))]  # score -> node -> offset
        self.flat: list[Any] = []
        self.lock = threading.Lock()

    @classmethod
    def of(cls, estate: Estate, g: Any, key: str) -> "_Memo":
        memo = estate._cache.get(key)
        if memo is None or memo.g is not g:
            memo = estate._cache[key] = cls(g)
        return memo

    def put(self, score: int, n: str, values: list[Any]) -> int:
        """Append `values` for node `n` under `score`; returns where they start in ``flat``."""
        # One at a time, and the offset published once its values are there: queries on the
        # same estate in other threads read the memo meanwhile.
        with self.lock:
            at = len(self.flat)
            self.flat.extend(values)
            self.at[score][n] = at
        return at


def _reached(nodes, pred, n: str, impact: str, certain: bool, region: str) -> list[Any]:
    """What `n`, changed this way, does to each dependent it affects: the number of them,
    then (dependent, score, impact, certain, edge label) of each, one after the other (as
    _Memo keeps them); score ranks (impact, certain) as the walk compares them."""
    attrs = nodes[n]
    if impact == "broken" and attrs.get("kind") == "resource":
        return [0]
    out: list[Any] = [0]
    for d, edge in pred[n].items():
        dattrs = nodes[d]
        best = None
        for kind, attribute, path, active in edge["refs"]:
            signal = _signal(attrs, impact, certain, kind, attribute)
            if signal is None:
                continue
            got = _impact(dattrs, signal, kind, path, region)
            if active is None:  # under a condition of unknown value: it may or may not apply
                got = ("conditional", False)
            if best is None or _score(*got) > _score(best[0], best[1]):
                best = (got[0], got[1], f"{kind}({attribute})" if attribute else kind)
        if best is not None:
            out += (d, _score(best[0], best[1]), best[0], best[1], best[2])
    out[0] = (len(out) - 1) // 5
    return out


_COLUMNS = ("stack", "logical_id", "kind", "type", "depth", "impact", "path", "stateful", "protected", "blocked")


def _columns(estate: Estate, g, state: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """The frame's columns, rows sorted by depth, stack, logical_id (then in walk order)."""
    nodes, importers, scripts = g._node, g.graph["importers"], g.graph.get("script_readers", {})
    # What a row shows of its node (stack, logical_id, kind, type, stateful), and its own
    # refusal and protection, depend only on the node and its (impact, certain): worked out
    # once per estate and graph, as the walk's steps are, not once per query and row. Facts
    # are kept under score 0 (whatever the node's), verdicts under the node's score.
    facts, verdicts = _Memo.of(estate, g, "blast:facts"), _Memo.of(estate, g, "blast:verdicts")
    fact_at, fact_flat, verdict_flat = facts.at[0], facts.flat, verdicts.flat
    # one per query, not cached with the rest: it holds the estate, and the estate's own cache
    # holding it would be a reference cycle keeping a dropped estate until a full collection
    props = _Properties(estate)

    def verdict(n: str) -> tuple[str | None, bool | None]:
        st = state[n]
        at = verdicts.at[st[5]].get(n)
        if at is None:
            attrs = nodes[n]
            block = _block(n, attrs, st, importers, props, scripts)
            at = verdicts.put(st[5], n, [block, _protected(attrs, st[0], props)])
        return verdict_flat[at], verdict_flat[at + 1]

    def own_block(n: str) -> str | None:
        return verdict(n)[0]

    # A row's path runs from the target through its parents; its refusal is the first one
    # found going up. Rows share their parents' paths, so each node's (path, refusal) is
    # worked out once from its parent's.
    chains: dict[str, tuple[str, str | None]] = {}

    def chain(n: str) -> tuple[str, str | None]:
        up, on, here = [], set(), n
        while here not in chains:
            if here in on:  # parents that loop (a node upgraded through its dependent)
                return _looped_chain(n, state, own_block)
            on.add(here)
            up.append(here)
            here = state[here][3]
            if here is None:
                break
        for node in reversed(up):
            parent = state[node][3]
            if parent is None:
                chains[node] = (node, own_block(node))
            else:
                path, blocked = chains[parent]
                chains[node] = (f"{path} -{state[node][4]}-> {node}", own_block(node) or blocked)
        return chains[n]

    rows: list[tuple] = []
    verdict_at = verdicts.at
    for n, st in state.items():
        impact, depth, parent = st[0], st[2], st[3]
        at = fact_at.get(n)
        if at is None:
            attrs = nodes[n]
            kind = attrs.get("kind")
            script = kind == "script"
            # A script is no stack: its rows share one group, a name no stack can have.
            stack = SCRIPTS if script else attrs.get("stack")
            logical_id = attrs.get("logical_id")
            at = facts.put(
                0,
                n,
                [
                    kind not in ("resource", "output", "script"),  # a row only as the target
                    stack or "",
                    logical_id or "",
                    stack,
                    logical_id,
                    kind,
                    "script" if script else attrs.get("type"),
                    attrs.get("stateful"),
                ],
            )
        skip, by_stack, by_id, stack, logical_id, kind, rtype, stateful = fact_flat[at : at + 8]
        if skip and depth:
            continue
        at = verdict_at[st[5]].get(n)
        if at is None:
            verdict(n)
            at = verdict_at[st[5]][n]
        block, protected = verdict_flat[at : at + 2]
        # chain(n) inlined for the usual node: the target, or one whose parent's path is known
        # (rows come in walk order, parents mostly first)
        found = chains.get(n)
        if found is None:
            if parent is None:
                found = chains[n] = (n, block)
            else:
                up = chains.get(parent)
                if up is None:
                    found = chain(n)
                else:
                    found = chains[n] = (f"{up[0]} -{st[4]}-> {n}", block or up[1])
        path, blocked = found
        rows.append(
            (
                (depth, by_stack, by_id),
                stack,
                logical_id,
                kind,
                rtype,
                depth,
                impact,
                path,
                stateful,
                protected,
                blocked or "",
            )
        )
    rows.sort(key=lambda r: r[0])  # stable: equal keys keep the walk's order
    columns = list(zip(*rows)) or [()] * (len(_COLUMNS) + 1)
    return {name: list(columns[i]) for i, name in enumerate(_COLUMNS, start=1)}


def _looped_chain(n: str, state: dict[str, list[Any]], own_block) -> tuple[str, str | None]:
    """Path and refusal of `n` up its parents, stopping before a node seen twice."""
    steps, blocked, seen, here = [n], own_block(n), {n}, n
    while state[here][3] is not None and state[here][3] not in seen:
        label, here = state[here][4], state[here][3]
        seen.add(here)
        steps += [f"-{label}->", here]
        blocked = blocked or own_block(here)
    return " ".join(steps[::-1]), blocked


def _block(n: str, attrs: dict, st: list[Any], importers: dict, props: "_Properties", scripts: dict) -> str | None:
    impact, certain = st[0], st[1]
    if attrs.get("kind") == "output" and attrs.get("export"):
        users, maybe, conditional = importers.get(n, ([], [], []))
        verb = "deleted" if impact in ("broken", "deleted") else "updated"
        refusal = export_in_use(attrs["export"], users, verb, maybe=maybe, conditional=conditional)
        refusal = read_by_scripts(refusal, attrs["export"], scripts.get(n, []), verb)
        if refusal and not certain and verb == "updated":
            refusal += " (if its value changes)"
        return refusal
    if attrs.get("kind") == "resource" and impact in ("replaced", "conditional"):
        prop = custom_name_property(attrs.get("type") or "")
        given = props.get(attrs["stack"], attrs["logical_id"])
        if prop and prop in given:
            prefix = "" if impact == "replaced" else "if replaced: "
            return prefix + custom_name_replacement(attrs["logical_id"], prop, given[prop])
    return None


def _protected(attrs: dict, impact: str, props: "_Properties") -> bool | None:
    if attrs.get("kind") != "resource" or impact not in ("replaced", "conditional", "deleted"):
        return None
    rtype = attrs.get("type") or ""
    if impact == "deleted":
        policy = attrs.get("deletion_policy") or default_deletion_policy(
            rtype, props.get(attrs["stack"], attrs["logical_id"])
        )
        return keeps_old_resource(policy, rtype, "delete")
    return keeps_old_resource(attrs.get("update_replace_policy"), rtype, "replace")


class _Properties:
    """Top-level properties of a resource, from the raw template (or the properties frame)."""

    def __init__(self, estate: Estate):
        self.estate = estate
        cache = estate._cache  # shared by every query on this estate
        if "blast:templates" not in cache:
            cache["blast:templates"] = {r.name: r.template for r in estate.raw_stacks}
        self.templates = cache["blast:templates"]
        self.frame_index: dict[tuple[str, str], dict[str, Any]] | None = None

    def get(self, stack: str, logical_id: str) -> dict[str, Any]:
        template = self.templates.get(stack)
        if template is not None:
            res = (template.get("Resources") or {}).get(logical_id)
            props = res.get("Properties") if isinstance(res, dict) else None
            return props if isinstance(props, dict) else {}
        if self.frame_index is None:  # snapshots and live estates carry no raw template
            cache = self.estate._cache
            index = cache.get("blast:frame_index")
            if index is None:
                p = self.estate.properties
                index = {}
                for s, lid, path in zip(p["stack"], p.logical_id, p.path):
                    index.setdefault((s, lid), {})[path.split("/")[2]] = True
                cache["blast:frame_index"] = index
            self.frame_index = index
        return self.frame_index.get((stack, logical_id), {})
