"""Build an `Estate` from the `RawStack` records the sources produce.

One pass per stack collects plain Python lists column by column (much faster than a row
dict per leaf when an estate holds a million property values); :func:`iacviz.schema.frame_from_columns`
then fixes names and dtypes.

Each stack is built into a piece of its own (the rows every frame gets from it), keyed by
everything the pass reads; given a store of pieces, an unchanged stack's piece is re-used
and only changed stacks are built again. The passes across stacks (pipeline deploys, nested
stacks' conditions) then run on the pieces put together.

>>> from iacviz.sources.raw import RawStack
>>> t = {"Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
...      "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"VpcId": {"Ref": "Vpc"}}}}}
>>> e = build_estate([RawStack("net", "net.yaml", "yaml", t)], [])
>>> e.references[["source", "kind", "target", "target_kind"]].values.tolist()
[['Sg', 'Ref', 'Vpc', 'resource']]
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import marshal
from typing import Any, Iterable, MutableMapping

import pandas as pd

from .. import schema
from ..gc_pause import paused_gc
from ..sources.parameter_values import ParameterValues
from ..sources.raw import ErrorRow, RawStack
from ..cfn import modality as _modality
from ..cfn import blue_green as _blue_green
from ..cfn import pipelines as _pipelines
from ..cfn import parameters as _parameters
from ..cfn.conditions import active_under, all_of, branches_on_path, evaluate_conditions
from ..cfn.pointer import join
from ..cfn.service_managed import stack_created_by
from ..cfn.secrets import MASK, masked_if_derived, no_echo_names
from ..cfn.shapes import any_problem, checked_references, checked_sections, intrinsic_problems, resource_problems
from .estate import BASE_FRAMES, Estate
from ..walks import FAST as _FAST
from .identity import SEPARATOR, stack_keys
from ..cfn.intrinsics import PSEUDO_PARAMETERS, Context, Reference, find_references, is_intrinsic, resolve_string

_ATTRIBUTE_SECTIONS = (
    ("Properties", "/properties"),
    ("Metadata", "/metadata"),
    ("CreationPolicy", "/creation_policy"),
    ("UpdatePolicy", "/update_policy"),
    ("DeletionPolicy", "/deletion_policy"),
    ("UpdateReplacePolicy", "/update_replace_policy"),
)


def build_estate(
    raw_stacks: Iterable[RawStack],
    errors: Iterable[ErrorRow],
    *,
    parameters: ParameterValues | dict[str, Any] | None = None,
    region: str = "us-east-1",
    pieces: MutableMapping[str, Any] | None = None,
) -> Estate:
    """Turn raw stacks (and the read errors met on the way) into an `Estate`.

    The step after reading: :func:`iacviz.load` and :func:`iacviz.load_live` read
    :class:`~iacviz.sources.raw.RawStack` objects and call this.

    Parameters
    ----------
    raw_stacks : iterable of RawStack
        The stacks as read (template, source file, parent stack, live facts).
    errors : iterable of ErrorRow
        Read errors met on the way; they become rows of ``estate.errors``.
    parameters : mapping, optional
        ``{Key: value}`` for every stack declaring Key and/or ``{stack: {Key: value}}`` (see
        :mod:`iacviz.sources.parameter_values`); they win over values passed by a parent
        stack or an estate file, which win over defaults.
    region : str
        The region pseudo parameters resolve to.
    pieces : mutable mapping, optional
        Stacks built before, by key (:func:`piece_key`): a stack whose piece is there is not
        built again, and the pieces built are put there. The mapping must hold pieces of this
        iacviz code only (:func:`iacviz.model.cache.pieces` keeps one per code version).

    Returns
    -------
    Estate

    Examples
    --------
    >>> from iacviz.sources.raw import RawStack
    >>> raw = RawStack("jobs", "<jobs>", "mapping", {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}})
    >>> estate = build_estate([raw], [])
    >>> estate.resources[["stack", "logical_id"]].values.tolist()
    [['jobs', 'Q']]
    >>> store = {}
    >>> again = build_estate([raw], [], pieces=store), build_estate([raw], [], pieces=store)
    >>> len(store), again[1].resources.logical_id.tolist()
    (1, ['Q'])
    """
    raw_stacks = keyed(raw_stacks)
    values = ParameterValues.of(parameters)
    acc = _Columns()
    # The collector paused for the whole build, not per stack: the rows are acyclic lists and
    # tuples, and the full passes their growth sets off rescan every template read before
    # them (a generated 200x50 folder loads 1.2-1.3x faster, a full collection afterwards included).
    with paused_gc():
        for err in errors:
            acc.error(err.source, err.line, err.message, err.severity, err.stack)
        walks: dict[bytes, Any] = {}  # resources walked in this build, by content (_walk_resource)
        for raw in raw_stacks:
            if pieces is None:  # kept by no store: built straight into the estate's own columns
                _add_stack(acc, raw, _user_params(raw, values), region, walks)
                continue
            acc.extend(_piece(raw, values, region, pieces, walks))
        _add_deploys(acc, raw_stacks)  # before: a nested pipeline's condition folds into its Deploys rows
        _nested_conditions(acc)
    # Each frame is built on first access (Estate calls these once): a user who looks at
    # resources never pays for the properties frame, the largest by far.
    frames = {name: _Once(acc.frame, name) for name in acc.names()}
    return Estate(frames, raw_stacks, region)


def _piece(
    raw: RawStack,
    given: ParameterValues,
    region: str,
    pieces: MutableMapping[str, Any] | None,
    walks: dict[bytes, Any] | None = None,
) -> "_Columns":
    """The rows of one stack: from `pieces` when built before from the same facts, else built."""
    user_params = _user_params(raw, given)
    key = piece_key(raw, user_params, region) if pieces is not None else None
    piece = pieces.get(key) if pieces is not None and key is not None else None
    if piece is None:
        piece = _Columns()
        _add_stack(piece, raw, user_params, region, walks)
        if pieces is not None and key is not None:
            pieces[key] = piece
    elif (unbound := piece.unbound) is not None:  # read from a cache folder: bound to its raw stack again
        # read once into a local: another thread binding the same piece may reset the field
        named, deploys = unbound
        piece.named = {k: [(raw, lid) for lid in ids] for k, ids in named.items()}
        piece.deploys = [_Deploy(raw, lid, _pipelines.DeployAction(*action), *rest) for lid, action, *rest in deploys]
        piece.unbound = None
    return piece


def _user_params(raw: RawStack, given: ParameterValues) -> dict[str, Any]:
    # Values given per stack may name the stack by its key or by its CloudFormation name.
    if not given:  # none at all: the declared parameters need not be listed
        return {}
    return given.for_stack(raw.name, _parameters.declared(raw.template), raw.stack_name)


# Bump when what a piece holds changes shape: a piece written by another layout is not read.
_PIECE_FORMAT = 1


def dump_piece(piece: "_Columns") -> bytes | None:
    """One built stack as marshal bytes (:func:`load_piece` reads them back), or None.

    None when the piece cannot be written exactly (a value marshal cannot write). The named
    resources and pipeline deploy actions (linked across stacks later) hold the piece's own
    raw stack: written without it, it is bound again by the load that re-uses the piece (the
    key covers every field of it).

    >>> raw = RawStack("jobs", "<jobs>", "mapping", {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}})
    >>> piece = _piece(raw, ParameterValues.of(None), "us-east-1", {})
    >>> load_piece(dump_piece(piece)).data == piece.data
    True
    """
    if piece.unbound is not None:
        return None
    try:
        named = {k: [lid for _, lid in found] for k, found in piece.named.items()}
        deploys = [
            (d.logical_id, tuple(getattr(d.action, f) for f in _ACTION_FIELDS), d.name, d.same_stack)
            + (d.template_file, d.active)
            for d in piece.deploys
        ]
        rows = tuple(tuple(piece.data.get(name, {}).get(col, []) for col in _COLUMNS[name]) for name in _BUILT)
        # the resources to walk as bytes of their own: read only when no walked file is kept
        unwalked = marshal.dumps(piece.properties) if piece.properties else piece.unwalked
        return marshal.dumps((_PIECE_FORMAT, rows, unwalked, named, deploys))
    except (ValueError, TypeError, KeyError, RecursionError):
        return None


def load_piece(blob: bytes) -> "_Columns":
    """The piece :func:`dump_piece` wrote; ValueError when the bytes are not one."""
    form, rows, unwalked, named, deploys = marshal.loads(blob)
    if form != _PIECE_FORMAT or len(rows) != len(_BUILT) or not isinstance(unwalked, bytes):
        raise ValueError("not a piece of this layout")
    piece = _Columns.__new__(_Columns)
    frames = {name: _checked(name, cols) for name, cols in zip(_BUILT, rows)}
    # only frames with rows, as a built piece holds them
    piece.data = _Frames({name: cols for name, cols in frames.items() if any(cols.values())})
    piece.properties, piece.unwalked, piece.deploys, piece.named, piece.pieces = [], unwalked, [], {}, []
    piece.unbound, piece.stored = (dict(named), list(deploys)), None
    return piece


def dump_walked(cols: dict[str, list]) -> bytes | None:
    """A piece's walked properties columns as marshal bytes, or None when marshal cannot."""
    try:
        return marshal.dumps((_PIECE_FORMAT, tuple(cols[col] for col in _COLUMNS["properties"])))
    except (ValueError, TypeError, KeyError, RecursionError):
        return None


def load_walked(blob: bytes) -> dict[str, list]:
    """The columns :func:`dump_walked` wrote; ValueError when the bytes are not them."""
    form, cols = marshal.loads(blob)
    if form != _PIECE_FORMAT:
        raise ValueError("not walked properties of this layout")
    return _checked("properties", cols)


def _checked(name: str, cols: Any) -> dict[str, list]:
    # A file that passed its checksum yet holds another shape is refused, not half used.
    names = _COLUMNS[name]
    if (
        not isinstance(cols, tuple)
        or len(cols) != len(names)
        or not all(isinstance(c, list) for c in cols)
        or len({len(c) for c in cols}) > 1
    ):
        raise ValueError(f"{name}: not the columns of this layout")
    return dict(zip(names, cols))


_RAW_FIELDS = tuple(f.name for f in dataclasses.fields(RawStack))


def piece_key(raw: RawStack, user_params: dict[str, Any], region: str) -> str | None:
    """The key of one stack's piece: a hash of everything building it reads.

    That is every field of the (keyed) raw stack, template included, the parameter values the
    user gives it and the estate's region; the iacviz code is the store's to tell apart.
    None when a value cannot be serialised exactly (a live scan's date...): never cached.

    >>> raw = RawStack("net", "net.yaml", "yaml", {"Resources": {}})
    >>> piece_key(raw, {}, "us-east-1") == piece_key(raw, {"Env": "prod"}, "us-east-1")
    False
    """
    # marshal version 2 writes no back-references, so equal values give equal bytes; and
    # equal bytes load as equal values of the same types (1, 1.0 and True differ).
    try:
        blob = marshal.dumps((tuple(getattr(raw, f) for f in _RAW_FIELDS), user_params, region), 2)
    except (ValueError, TypeError, RecursionError):
        return None
    return hashlib.blake2b(blob, digest_size=20).hexdigest()


def _nested_conditions(acc: "_Columns") -> None:
    """A nested stack exists only when its parent's ``AWS::CloudFormation::Stack`` resource does.

    A ``Condition`` on that resource (or on one further up) decides whether the child's
    resources, references and imports exist at all: a false one makes them not evaluated
    (``active`` False: an import there is never dangling), an unknown one makes them unknown.
    The parent resource's value is folded into each child resource's ``condition_value`` and
    each child reference's ``active`` (Kleene AND, :func:`iacviz.cfn.conditions.all_of`), so
    a resource's ``condition_value`` says whether it exists, however deep its stack is nested.
    """
    st, res, refs = acc.data["stacks"], acc.data["resources"], acc.data["references"]
    parent = {s: (p, r) for s, p, r in zip(st["stack"], st["parent_stack"], st["parent_resource"]) if p and r}
    if not parent:
        return
    exists = {(s, lid): i for i, (s, lid) in enumerate(zip(res["stack"], res["logical_id"]))}
    cond = res["condition_value"]
    stack_value: dict[str, bool | None] = {}

    def value(stack: str, seen: frozenset = frozenset()) -> bool | None:
        if stack not in stack_value:
            p, r = parent.get(stack, (None, None))
            if p is None or stack in seen:  # a root (or a cycle the reader reported)
                stack_value[stack] = True
            else:
                i = exists.get((p, r))
                own = True if i is None else cond[i]
                # the parent resource's own condition, and whether the parent exists itself
                stack_value[stack] = all_of((own, value(p, seen | {stack})))
        return stack_value[stack]

    for stack in parent:
        value(stack)
    # Each child folded once, top-down, so a grandchild reads its parent resource's final value.
    for i, s in enumerate(res["stack"]):
        v = stack_value.get(s, True)
        if v is not True:
            cond[i] = all_of((v, cond[i]))
    active = refs["active"]
    for i, s in enumerate(refs["source_stack"]):
        v = stack_value.get(s, True)
        if v is not True:
            active[i] = all_of((v, active[i]))


class _Once:
    """``fn(name)``, called at most once and then remembered: estates made from this one by
    ``Estate.replace`` share the same pending frame, which is built once for all of them."""

    __slots__ = ("fn", "name", "df")

    def __init__(self, fn, name: str) -> None:
        self.fn, self.name, self.df = fn, name, None

    def __call__(self) -> pd.DataFrame:
        if self.df is None:
            self.df = self.fn(self.name)
            self.fn = None
        return self.df


def keyed(raw_stacks: Iterable[RawStack]) -> list[RawStack]:
    """The raw stacks renamed to their estate-unique stack keys (:mod:`iacviz.model.identity`).

    ``name`` becomes the key and ``stack_name`` keeps the CloudFormation name; a parent or a
    dependency is looked up in the same account, region and environment. Raws keyed before
    (a snapshot, a refresh) are keyed again, as the estate they join may need other keys.

    >>> [r.name for r in keyed([RawStack("net", "a", "live", {}, account="1", region="r1"),
    ...                         RawStack("net", "b", "live", {}, account="1", region="r2")])]
    ['net@1:r1', 'net@1:r2']
    """
    raws = list(raw_stacks)
    names = [r.stack_name or r.name for r in raws]
    keys = stack_keys((n, r.account, r.region, r.environment) for n, r in zip(names, raws))
    if all(k == r.name for k, r in zip(keys, raws)) and all(
        r.stack_name == r.name or r.stack_name is None for r in raws
    ):
        return [r if r.stack_name else _named(r) for r in raws]
    where = {(n, r.account, r.region, r.environment): k for n, r, k in zip(names, raws, keys)}
    by_name: dict[str, list[str]] = {}
    for n, k in zip(names, keys):
        by_name.setdefault(n, []).append(k)

    def key_of(ref: str | None, raw: RawStack) -> str | None:
        if ref is None:
            return None
        name = ref.partition(SEPARATOR)[0] if raw.stack_name else ref
        found = where.get((name, raw.account, raw.region, raw.environment))
        if found is None and len(by_name.get(name, ())) == 1:
            found = by_name[name][0]
        return found or ref

    return [
        dataclasses.replace(
            r,
            name=k,
            stack_name=n,
            parent_stack=key_of(r.parent_stack, r),
            stack_dependencies=[key_of(d, r) for d in r.stack_dependencies],
        )
        for r, n, k in zip(raws, names, keys)
    ]


def _named(raw: RawStack) -> RawStack:
    # dataclasses.replace(raw, stack_name=raw.name), at a fifth of the cost (no __init__ call
    # with every field): a shallow copy, as replace makes, with the one field set.
    named = copy.copy(raw)
    named.stack_name = raw.name
    return named


class _Frames(dict):
    """A frame's column lists, made on first use: a stack fills few of the twelve frames, and
    ~110 empty lists made and appended per stack cost ~25 us of ~0.3 ms on the corpus."""

    def __missing__(self, name: str) -> dict[str, list]:
        cols = self[name] = {col: [] for col in _COLUMNS[name]}
        return cols


class _Columns:
    """Column-wise accumulators, one per frame: of one stack (a piece) or of the estate."""

    def __init__(self) -> None:
        self.data: dict[str, dict[str, list]] = _Frames()
        # (stack, logical_id, type, Properties) per resource: the properties frame is walked
        # from these when it is first asked for, not while the estate is built.
        self.properties: list[tuple[str, str, str, Any]] = []
        # Pipeline deploy actions name their targets: linked once every stack is read.
        self.deploys: list[_Deploy] = []
        self.named: dict[tuple[str, str], list[tuple[RawStack, str]]] = {}  # (type, name) -> resources
        self.pieces: list[_Columns] = []  # the estate's: the pieces its properties come from
        # A piece read from a cache folder: its named resources' logical ids, until bound to
        # the raw stack (build_estate); and where its walked properties are kept.
        self.unbound: tuple[dict, list] | None = None
        self.stored: Any = None  # .read() -> columns or None, .write(columns)
        self.unwalked = b""  # or, read from a folder, `properties` as marshal bytes

    def names(self) -> list[str]:
        return list(_COLUMNS)

    def extend(self, piece: "_Columns") -> None:
        """Append one stack's rows. Copied into the estate's own lists: the passes across
        stacks change those, never a piece another estate may share."""
        # By name, not by iterating piece.data: a piece is shared through the store, and
        # another thread's estate may put its walked properties there meanwhile.
        data = piece.data
        for name in _APPENDED:
            theirs: dict[str, list] | None = data.get(name)
            if theirs and any(theirs.values()):  # a frame with rows
                mine = self.data[name]
                for col, values in theirs.items():
                    mine[col].extend(values)
        self.deploys.extend(piece.deploys)
        for key, found in piece.named.items():
            self.named.setdefault(key, []).extend(found)
        self.pieces.append(piece)

    def walked(self) -> dict[str, list]:
        """A piece's properties columns, walked on first need and kept with the piece."""
        # read once: an estate walking the same piece in another thread empties both fields
        properties, unwalked = self.properties, self.unwalked
        if properties or unwalked:
            stored = self.stored
            cols = stored.read() if stored is not None else None
            if cols is None:
                cols = _properties(properties or marshal.loads(unwalked))
                if stored is not None:
                    stored.write(cols)
            # whole columns swapped in at once: an estate walking the same piece meanwhile
            # walks its own copy, never appends to these
            self.data["properties"], self.properties, self.unwalked = cols, [], b""
        return self.data.get("properties", {})

    def add(self, _frame: str, /, **row: Any) -> None:
        cols = self.data[_frame]
        for col, values in cols.items():
            values.append(row.get(col))

    def error(
        self, source: str, line: int | None, message: str, severity: str = "error", stack: str | None = None
    ) -> None:
        self.add("errors", source=source, line=int(line or 0), severity=severity, message=message, stack=stack)

    def frame(self, name: str) -> pd.DataFrame:
        # Paused as the build is (build_estate): walking the properties makes a list and
        # strings per leaf, and pieces read back from a folder are millions of acyclic objects.
        with paused_gc():
            if name == "properties":
                # the estate's own resources (built with no piece store), else its pieces'
                cols = self.walked() if self.properties else self.data["properties"]
                for piece in self.pieces:
                    for col, values in piece.walked().items():
                        cols[col].extend(values)
                self.pieces = []
            # popped: once a frame is built, its column lists are garbage
            return schema.frame_from_columns(name, self.data.pop(name, None) or {})


# The frames build_estate makes are exactly the estate's base frames: one list, in estate.py.
_BUILT = BASE_FRAMES
_COLUMNS = {name: tuple(schema.columns(name)) for name in _BUILT}
_APPENDED = tuple(name for name in _BUILT if name != "properties")  # properties are walked, not copied


def _section(template: dict, key: str, acc: _Columns, raw: RawStack) -> dict:
    value = template.get(key) or {}
    if not isinstance(value, dict):
        acc.error(raw.source, 0, f"{key} must be a mapping, found {type(value).__name__}", stack=raw.name)
        return {}
    return value


def _add_stack(
    acc: _Columns, raw: RawStack, user_params: dict[str, Any], region: str, walks: dict[bytes, Any] | None = None
) -> None:
    # Reads only `raw`, the values the user gives this stack and `region`: piece_key hashes
    # exactly these, so anything else read here must join the key (or a pass across stacks).
    t = raw.template
    name, source = raw.name, raw.source
    declared = _section(t, "Parameters", acc, raw)
    resources = _section(t, "Resources", acc, raw)
    outputs = _section(t, "Outputs", acc, raw)
    conditions = _section(t, "Conditions", acc, raw)
    mappings = _section(t, "Mappings", acc, raw)
    passed_sources = {n: raw.parameter_value_sources.get(n, raw.parameter_values_source) for n in raw.parameter_values}
    values, value_sources = _parameters.resolve(declared, (user_params, "user"), (raw.parameter_values, passed_sources))
    # NoEcho values never go further than this line: the context, the frames and every value
    # derived from them see only the mask (docs/security.md).
    secret = no_echo_names(t)
    for pname in secret:
        if values.get(pname) is not None and value_sources.get(pname) != "default":
            values[pname] = MASK
    ctx = Context(raw.stack_name or name, raw.region or region, raw.account, values, mappings)
    cond_values = evaluate_conditions(conditions, ctx)
    ctx.condition = cond_values.get
    links = _Links(acc, raw, resources, declared, conditions, mappings, ctx)

    rows: list[tuple] = []  # a frame's rows as tuples of its _ROW names, put in once per stack
    for pname, spec in declared.items():
        spec = spec if isinstance(spec, dict) else {}
        no_echo = _parameters.is_no_echo(spec)
        rows.append(
            (name, pname, spec.get("Type"), spec.get("Default"), values[pname], value_sources[pname], no_echo)
            + (spec.get("Description"),)
        )
    _put_rows(acc, "parameters", _PARAMETER_ROW, rows)
    for cname, expr in conditions.items():
        acc.add("conditions", stack=name, name=cname, expression=expr, value=cond_values.get(cname))
        _add_references(links, f"Conditions.{cname}", "", expr)
    rows = []
    for mname, table in mappings.items():
        for key, inner in (table or {}).items() if isinstance(table, dict) else ():
            for iname, value in (inner or {}).items() if isinstance(inner, dict) else ():
                rows.append((name, mname, str(key), str(iname), value))
    _put_rows(acc, "mappings", _MAPPING_ROW, rows)

    modalities = []
    origins = _origin_types(raw)
    written = raw.raw_template or t
    hooked = _blue_green.covered(written)
    deployment = {c.logical_id: "blue/green" for c in hooked}
    for c in hooked:
        res = resources.get(c.logical_id)
        rtype = res.get("Type") if isinstance(res, dict) and isinstance(res.get("Type"), str) else None
        acc.add(
            "blue_green",
            stack=name,
            hook=c.hook,
            role=c.role,
            logical_id=c.logical_id,
            color=c.color,
            exists=rtype is not None,
            type=rtype,
            service_role=c.service_role,
            traffic_routing=c.traffic_routing,
        )
    for problem in _blue_green.unsupported(written) + (
        [f"a template with the {_blue_green.TRANSFORM} transform cannot be a nested stack"]
        if raw.parent_stack and _blue_green.uses_blue_green(written)
        else []
    ):
        acc.error(source, raw.lines.get("Hooks", 0), f"{problem}: CloudFormation refuses it", "warning", name)
    lines = raw.lines
    rows = []
    walked = acc.properties.append
    for logical_id, res in resources.items():
        where = f"Resources/{logical_id}"
        line = lines.get(where, 0)
        problems = resource_problems(logical_id, res)
        for problem in problems:
            acc.error(source, line, f"resource {logical_id!r}: {problem}", stack=name)
        if not isinstance(res, dict) or not isinstance(res.get("Type"), str) or not res["Type"].strip():
            if not problems:
                acc.error(source, line, f"resource {logical_id} has no Type", stack=name)
            continue
        found, bad = _walk_resource(res, walks)
        if bad:
            for pointer, problem in intrinsic_problems(res, where):
                acc.error(source, line, f"{problem} at {pointer}", stack=name)
        rtype = res["Type"]
        modality, stateful = _modality.classify(rtype)
        generated_by = raw.generated_by.get(logical_id)
        origin = origins.get(generated_by)
        if origin and modality != "neutral":
            # What SAM generates for a function (its role, permissions, event mappings) lives
            # and dies with that function: it takes the modality of the resource written.
            modality = _modality.classify(origin)[0]
        modalities.append(modality)
        condition = res.get("Condition") if isinstance(res.get("Condition"), str) else None
        depends = res.get("DependsOn") or []
        depends = (
            [depends]
            if isinstance(depends, str)
            else [d for d in depends if isinstance(d, str)]
            if (isinstance(depends, list))
            else []
        )
        metadata = res.get("Metadata") if isinstance(res.get("Metadata"), dict) else {}
        live = raw.live_resources.get(logical_id, {})
        rows.append(
            (
                name,
                logical_id,
                rtype,
                _modality.service_of(rtype),
                condition,
                cond_values.get(condition) if condition else True,
                _policy(res.get("DeletionPolicy"), ctx),
                _policy(res.get("UpdateReplacePolicy"), ctx),
                depends,
                lines.get(where),
                stateful,
                modality,
                generated_by,
                raw.cdk_paths.get(logical_id) or metadata.get("aws:cdk:path"),
                live.get("physical_id"),
                live.get("resource_status"),
                live.get("drift_status"),
                deployment.get(logical_id),
            )
        )
        walked((name, logical_id, rtype, res.get("Properties") if isinstance(res.get("Properties"), dict) else None))
        if rtype in _PIPELINE_FACT_TYPES:
            _pipeline_facts(acc, raw, logical_id, rtype, res, resources, ctx, condition)
        guard = (condition, True)
        # whether CloudFormation evaluates the resource's references (Fn::If branches aside)
        active = True if condition is None else active_under([guard], ctx.condition)
        for section, prefix, refs in found:
            _add_references(links, logical_id, prefix, res[section], guard, secret, refs, active)
        for target in depends:
            _add_ref_row(links, logical_id, "/depends_on", "DependsOn", target, None, active)
        if condition:
            _add_ref_row(links, logical_id, "/condition", "Condition", condition, None)
    _put_rows(acc, "resources", _RESOURCE_ROW, rows)

    for oname, out in outputs.items():
        if not isinstance(out, dict):
            acc.error(source, raw.lines.get(f"Outputs/{oname}", 0), f"output {oname!r} must be a mapping", stack=name)
            continue
        # The walk for references checks shapes too (_walk_resource says how); the output's
        # other keys, and the output itself when it could be a function, are left to check.
        evaluated = {k: v for k, v in out.items() if k in ("Value", "Export", "Condition")}
        left: list = [out] if len(out) == 1 else []
        out_refs = list(checked_references(evaluated, "", left))
        left.extend(v for k, v in out.items() if k not in evaluated and type(v) in (dict, list))
        if any_problem(left):
            for pointer, problem in intrinsic_problems(out, f"Outputs/{oname}"):
                acc.error(source, raw.lines.get(f"Outputs/{oname}", 0), f"{problem} at {pointer}", stack=name)
        export = out.get("Export") if isinstance(out.get("Export"), dict) else {}
        export_expr = export.get("Name")
        live_value = ((raw.live.get("outputs") or {}).get(oname) or {}).get("value")
        resolved = live_value if live_value is not None else resolve_string(out.get("Value"), ctx)
        acc.add(
            "outputs",
            stack=name,
            name=oname,
            value=out.get("Value"),
            resolved_value=masked_if_derived(resolved, out.get("Value"), secret),
            export_name=masked_if_derived(
                resolve_string(export_expr, ctx) if export_expr is not None else None, export_expr, secret
            ),
            export_expr=export_expr,
            condition=out.get("Condition"),
            description=out.get("Description"),
            line=raw.lines.get(f"Outputs/{oname}"),
        )
        out_condition = out.get("Condition") if isinstance(out.get("Condition"), str) else None
        _add_references(links, f"Outputs.{oname}", "", evaluated, (out_condition, True), secret, out_refs)

    for setting in raw.option_settings:
        acc.add(
            "option_settings",
            stack=name,
            **{k: setting.get(k) for k in ("source", "namespace", "option_name", "value", "resource_name")},
        )
    if raw.parent_stack:
        links.rows.append(
            (raw.parent_stack, raw.parent_resource, "/properties/TemplateURL", name, name, "stack", "NestedStack")
            + (None, True)
        )
    _put_rows(acc, "references", _REFERENCE_ROW, links.rows)
    live = raw.live
    transform = (raw.raw_template or t).get("Transform") or raw.transform
    if isinstance(transform, list):
        transform = ",".join(str(x) for x in transform)
    acc.add(
        "stacks",
        stack=name,
        stack_name=raw.stack_name or name,
        environment=raw.environment,
        app=raw.app,
        source=source,
        format=raw.format,
        transform=transform if isinstance(transform, str) else None,
        description=t.get("Description") if isinstance(t.get("Description"), str) else None,
        parent_stack=raw.parent_stack,
        parent_resource=raw.parent_resource,
        n_resources=len(resources),
        modality=_modality.stack_modality(modalities),
        stack_dependencies=list(raw.stack_dependencies),
        account=raw.account,
        region=raw.region,
        stack_status=live.get("stack_status"),
        last_updated=live.get("last_updated"),
        drift_status=live.get("drift_status"),
        created_by=stack_created_by(raw.stack_name or name, raw.parent_stack),
    )


def _origin_types(raw: RawStack) -> dict[str, str]:
    resources = (raw.raw_template or {}).get("Resources")
    if not isinstance(resources, dict):
        return {}
    return {k: r["Type"] for k, r in resources.items() if isinstance(r, dict) and isinstance(r.get("Type"), str)}


def _policy(value: Any, ctx: Context) -> str | None:
    if value is None or type(value) is str:  # resolve_string gives a string back as it is
        return value
    resolved = resolve_string(value, ctx)
    return resolved if resolved is not None else json.dumps(value, sort_keys=True)


def _properties(resources: list) -> dict[str, list]:
    """The properties columns of resources given as (stack, logical_id, type, Properties):
    one row per leaf (:func:`_leaves`), all of a piece's resources in one pass."""
    behaviors = _BEHAVIORS or _load_behaviors()
    found: Any = NotImplemented
    if _FAST is not None and type(resources) is list:  # the same loop in C (iacviz.walks)
        memos = (_BEHAVIOR_MEMO, behaviors, _LABELLED, _drivers)
        found = _FAST.properties(resources, "/properties", join, _leaves, *memos)
    if found is not NotImplemented:  # with _driven_by(values), made as each resource is walked
        stacks, logical_ids, paths, values, updates, driven_by = found
    else:
        stacks, logical_ids, paths, values, updates = [], [], [], [], []
        for stack, logical_id, rtype, props in resources:
            start = len(paths)
            _leaves(props, "/properties", paths, values)
            n = len(paths) - start
            if n:
                stacks += [stack] * n
                logical_ids += [logical_id] * n
                updates += behaviors(rtype, paths[start:])
        driven_by = _driven_by(values)
    return {
        "stack": stacks,
        "logical_id": logical_ids,
        "path": paths,
        "value": values,
        "update_behavior": updates,
        "driven_by": driven_by,
    }


_BEHAVIORS: Any = None  # update_behavior.behaviors, once imported
_BEHAVIOR_MEMO: Any = None  # and its memo, which the C loop reads (it is cleared, never replaced)


def _load_behaviors() -> Any:
    # Imported with the properties frame, not with the model: it loads cfn-lint's schema
    # files, which an estate re-loaded from the cache, or never asked for its properties, does
    # not need. Kept in a global: an import statement per resource cost ~2 us each.
    global _BEHAVIORS, _BEHAVIOR_MEMO
    from ..cfn.update_behavior import _ANSWERS, behaviors

    _BEHAVIORS, _BEHAVIOR_MEMO = behaviors, _ANSWERS
    return behaviors


def _driven_by(values: list) -> list[list[str] | None]:
    """The driven_by cell of each leaf value: the labels of what an intrinsic function (a
    mapping) depends on (:func:`_drivers`), None for a literal; one pass over a piece's leaves."""
    # Templates repeat the same leaves ({"Ref": "Vpc"}, {"Fn::ImportValue": {"Fn::Sub":
    # "${Net}-VpcId"}}) so often that each distinct one is labelled once per process. The key
    # tells every value and type apart. The commonest leaves, a text key to a text, to two
    # texts in a list or to a one-key mapping of text ({"Ref": "Vpc"}, {"Fn::GetAtt": ["Db",
    # "Arn"]}, {"Fn::ImportValue": {"Fn::Sub": "..."}}: 5 in 6 in the corpus and generated
    # estates), are keyed by tuples of their texts, each shape by its own tuple shape; others
    # by marshal's bytes (1, 1.0 and True differ; a str subclass is refused and labelled
    # afresh). A fresh list each time: cells never share one.
    if _FAST is not None:  # the same loop in C (iacviz.walks), the same memo
        return _FAST.driven_by(values, _LABELLED, _drivers)
    labelled, dumps = _LABELLED, marshal.dumps
    get = labelled.get
    out: list[list[str] | None] = []
    append = out.append
    for value in values:
        if type(value) is not dict:
            append(None)
            continue
        key: Any = None
        if len(value) == 1:
            for k, v in value.items():
                if type(k) is str:
                    kind = type(v)
                    if kind is str:
                        key, size = (k, v), len(v)
                    elif kind is list:
                        if len(v) == 2 and type(v[0]) is str and type(v[1]) is str:
                            key, size = (k, (v[0], v[1])), len(v[0]) + len(v[1])
                    elif kind is dict and len(v) == 1:
                        for k2, text in v.items():
                            if type(k2) is str and type(text) is str:
                                key, size = (k, k2, text), len(text)
        if key is None:
            try:
                key = dumps(value, 2)
            except (ValueError, TypeError, RecursionError):
                append(_drivers(value))
                continue
            size = len(key)
        found = get(key, _UNSEEN)
        if found is _UNSEEN:
            labels = _drivers(value)
            found = tuple(labels) if labels else None
            if size <= 1024:  # a large leaf is rarely repeated: not worth keeping
                if len(labelled) >= 8192:
                    labelled.clear()
                labelled[key] = found
        append(list(found) if found else None)
    return out


_LABELLED: dict[Any, tuple[str, ...] | None] = {}
_UNSEEN: Any = object()


def _drivers(value: Any) -> list[str] | None:
    found = []
    for ref in find_references(value, pointers=False):
        if ref.kind == "ImportValue":
            found.append("import")
        elif ref.kind == "Condition":
            found.append(f"condition:{ref.target}")
        elif ref.kind == "FindInMap":
            found.append(f"mapping:{ref.target}")
        elif ref.target in PSEUDO_PARAMETERS:
            found.append(f"pseudo:{ref.target}")
        elif ref.kind == "Ref" or ref.attribute is None:
            found.append(f"ref:{ref.target}")
        else:
            found.append(f"getatt:{ref.target}.{ref.attribute}")
    return sorted(set(found)) or None


def _leaves(value: Any, path: str, paths: list, values: list) -> None:
    # Every leaf below `value` in document order: a scalar, an empty mapping or list, or an
    # intrinsic function (a value of its own, never walked into). A bare None at the top is
    # no leaf (a resource without Properties).
    kind = type(value)
    if (kind is dict and value and (len(value) != 1 or not is_intrinsic(value))) or (kind is list and value):
        start = len(paths)
        try:
            if _FAST is None:
                _walk(value, path, paths, values)
            else:  # the same walk in C (iacviz.walks)
                _FAST.walk(value, path, paths, values, join)
        except RecursionError:  # deeper than a template is read (limits.MAX_DEPTH): built in Python
            del paths[start:], values[start:]
            _walk_deep(value, path, paths, values)
    elif value is not None:
        paths.append(path)
        values.append(value)


def _walk(node: dict | list, here: str, paths: list, values: list) -> None:
    # Recursive: a call per mapping or list costs less than a (node, path) pair per value on
    # an explicit stack (~1.4x); templates are read no deeper than limits.MAX_DEPTH (a deeper
    # value handed to build_estate is walked again by _walk_deep). A one-key mapping is
    # walked into unless it is an intrinsic function (is_intrinsic).
    for k, v in node.items() if type(node) is dict else enumerate(node):
        # pointer.join, inlined for an index or a key that needs no escaping
        at = f"{here}/{k}" if type(k) is int or (type(k) is str and "~" not in k and "/" not in k) else join(here, k)
        kind = type(v)
        if kind is dict:
            if len(v) > 1 or (v and not is_intrinsic(v)):
                _walk(v, at, paths, values)
                continue
        elif kind is list and v:
            _walk(v, at, paths, values)
            continue
        paths.append(at)
        values.append(v)


def _walk_deep(node: Any, here: str, paths: list, values: list) -> None:
    # _walk on an explicit stack, for values nested deeper than recursion allows: the same
    # leaves in the same order (tests/test_model.py compares the two).
    stack = [(node, here)]
    while stack:
        node, here = stack.pop()
        kind = type(node)
        if kind is dict and node and (len(node) != 1 or not is_intrinsic(node)):
            for k, v in reversed(list(node.items())):
                stack.append((v, f"{here}/{k}" if type(k) is str and "~" not in k and "/" not in k else join(here, k)))
        elif kind is list and node:
            for i in range(len(node) - 1, -1, -1):
                stack.append((node[i], f"{here}/{i}"))
        else:
            paths.append(here)
            values.append(node)


# The order of the values in a row tuple of the frames _add_stack fills with _put_rows.
_RESOURCE_ROW = (
    "stack",
    "logical_id",
    "type",
    "service",
    "condition",
    "condition_value",
    "deletion_policy",
    "update_replace_policy",
    "depends_on",
    "line",
    "stateful",
    "modality",
    "generated_by",
    "cdk_path",
    "physical_id",
    "resource_status",
    "drift_status",
    "deployment",
)
_REFERENCE_ROW = (
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
_PARAMETER_ROW = ("stack", "name", "type", "default", "value", "value_source", "no_echo", "description")
_MAPPING_ROW = ("stack", "mapping", "key", "name", "value")
for _frame, _row in (
    ("resources", _RESOURCE_ROW),
    ("references", _REFERENCE_ROW),
    ("parameters", _PARAMETER_ROW),
    ("mappings", _MAPPING_ROW),
):
    if sorted(_row) != sorted(_COLUMNS[_frame]):
        raise ImportError(f"build.py's {_frame} row no longer holds the columns schema.py names")
_SECTION_NAMES = frozenset(section for section, _ in _ATTRIBUTE_SECTIONS)


def _walk_resource(
    res: dict, walks: dict[bytes, Any] | None = None
) -> tuple[list[tuple[str, str, list[Reference]]], bool]:
    """``(section, prefix, references)`` per attribute section of a resource that can hold any,
    and whether :func:`~iacviz.cfn.shapes.intrinsic_problems` finds a problem in the resource.

    One walk of each section finds its references and checks its functions' shapes; only
    what that walk leaves (other keys, parts it does not enter) is walked again for shapes.
    Given `walks`, a resource equal to one walked before (the same template deployed twice,
    a construct repeated) takes its answer from there, and a new one's answer is put there:
    in Python only, as the C walk (:mod:`iacviz.walks`) costs about what the key does.

    >>> found, bad = _walk_resource({"Type": "T", "Properties": {"A": {"Ref": "B"}}, "Metadata": {"X": {"Ref": 1}}})
    >>> [(section, [r.target for r in refs]) for section, _, refs in found], bad
    ([('Properties', ['B']), ('Metadata', [])], True)
    """
    key = None
    if walks is not None and _FAST is None:
        # marshal's bytes tell every value and type apart (1, 1.0 and True; key order), and
        # version 2 writes equal values as equal bytes; a value it refuses is walked afresh.
        try:
            key = marshal.dumps(res, 2)
        except (ValueError, TypeError, RecursionError):
            pass
        else:
            if len(key) > 2048:  # kept only while small: a large resource is rarely repeated
                key = None
            elif (known := walks.get(key)) is not None:
                return known
    found, left = checked_sections(res, _ATTRIBUTE_SECTIONS, _SECTION_NAMES)
    walked = found, bool(left) and any_problem(left)
    if key is not None and walks is not None:
        if len(walks) >= 8192:
            walks.clear()
        walks[key] = walked
    return walked


def _put_rows(acc: _Columns, frame: str, names: tuple[str, ...], rows: list[tuple]) -> None:
    # Rows gathered as tuples (one per row, not an append per cell) go in column by column.
    if rows:
        cols = acc.data[frame]
        for col, values in zip(names, zip(*rows)):
            cols[col].extend(values)


class _Links:
    """What the references of one stack are resolved against, and their rows (tuples of
    _REFERENCE_ROW), put in the references frame once the stack is built."""

    __slots__ = ("acc", "raw", "stack", "resources", "declared", "conditions", "mappings", "ctx", "rows")

    def __init__(self, acc, raw, resources, declared, conditions, mappings, ctx) -> None:
        self.acc, self.raw, self.stack, self.ctx = acc, raw, raw.name, ctx
        self.resources, self.declared, self.conditions, self.mappings = resources, declared, conditions, mappings
        self.rows: list[tuple] = []


def _add_references(links, source, prefix, value, guard=(None, True), secret=(), found=None, base=None):
    """The reference rows of `value` (found by find_references, or given as `found`)."""
    if type(value) is not dict and type(value) is not list:
        return  # a plain value (a DeletionPolicy, a Condition name): nothing to walk
    # Whether CloudFormation evaluates the reference at all: the resource's or output's
    # Condition, and every Fn::If branch on the way to it (three-valued: None is unknown).
    ctx = links.ctx
    if base is None:
        base = active_under([guard], ctx.condition)
    rows, stack = links.rows, links.stack
    for kind, target, attribute, path, expr in find_references(value, prefix) if found is None else found:
        active = base
        if base is not False and "Fn::If" in path:
            active = active_under([guard, *branches_on_path(value, path[len(prefix) :])], ctx.condition)
        if kind == "ImportValue":
            # Resolved with the values the stack really gets (user, estate file, parent), so
            # `!Sub '${NetworkStack}-VpcId'` names the export it will import.
            name = masked_if_derived(resolve_string(expr, ctx), expr, secret)
            target = name if name is not None else json.dumps(expr, sort_keys=True)
            rows.append((stack, source, path, None, target, "export", "ImportValue", None, active))
            continue
        _add_ref_row(links, source, path, kind, target, attribute, active)


def _add_ref_row(links, source, path, kind, target, attribute, active=True):
    if kind == "Condition":
        target_kind = "condition" if target in links.conditions else "unknown"
    elif kind == "FindInMap":
        target_kind = "mapping" if target in links.mappings else "unknown"
    elif target in links.resources:
        target_kind = "resource"
    elif kind in ("Ref", "Sub") and target in links.declared:
        target_kind = "parameter"
    elif kind in ("Ref", "Sub") and target in PSEUDO_PARAMETERS:
        target_kind = "pseudo"
    else:
        target_kind = "unknown"
    stack = links.stack
    if target_kind == "unknown":
        raw = links.raw
        where = source if "." in source else f"Resources/{source}"
        line = raw.lines.get(where.replace(".", "/", 1), 0) if "." in source else raw.lines.get(where, 0)
        what = {"Condition": "condition", "FindInMap": "mapping"}.get(kind, "resource or parameter")
        links.acc.error(
            raw.source, line, f"{kind} to undefined {what} '{target}' in {where} at {path or '/'}", stack=stack
        )
    target_stack = stack if target_kind != "pseudo" else None
    links.rows.append((stack, source, path or "/", target_stack, target, target_kind, kind, attribute, active))


@dataclasses.dataclass
class _Deploy:
    raw: RawStack
    logical_id: str
    action: _pipelines.DeployAction
    name: str | None  # the target's name, resolved with the pipeline stack's parameters
    same_stack: str | None  # a resource of the pipeline's own stack the action references
    template_file: str | None
    active: bool | None


_ACTION_FIELDS = tuple(f.name for f in dataclasses.fields(_pipelines.DeployAction))

# Properties that hold the name a deploy action uses, per target type (a name set in the
# template; a generated name cannot be matched offline).
_NAME_PROPERTIES = {t: keys[n] for t, keys, n in ((t, k, next(iter(k))) for t, k in _pipelines.TARGET_NAMES.values())}


# The types _pipeline_facts reads anything of: any other resource is not passed to it.
_PIPELINE_FACT_TYPES = frozenset(_NAME_PROPERTIES) | {_pipelines.PIPELINE_TYPE}


def _pipeline_facts(acc, raw, logical_id, rtype, res, resources, ctx, condition) -> None:
    props = res.get("Properties") if isinstance(res.get("Properties"), dict) else {}
    prop = _NAME_PROPERTIES.get(rtype)
    if prop and prop in props:
        name = resolve_string(props[prop], ctx)
        if name and "${" not in name:
            acc.named.setdefault((rtype, name), []).append((raw, logical_id))
    if rtype != _pipelines.PIPELINE_TYPE:
        return
    active = active_under([(condition, True)], ctx.condition)
    for action in _pipelines.deploy_actions(props):
        expr = action.keys.get(action.name_key)
        same = None
        if isinstance(expr, dict) and ("Ref" in expr or "Fn::GetAtt" in expr):
            target = expr.get("Ref") or (expr.get("Fn::GetAtt") or [None])[0]
            same = target if isinstance(target, str) and target in resources else None
        acc.deploys.append(
            _Deploy(
                raw,
                logical_id,
                action,
                resolve_string(expr, ctx) if expr is not None else None,
                same,
                _pipelines.template_file(resolve_string(action.template_path, ctx)),
                active,
            )
        )


def _closest(found: list, raw: RawStack, of=lambda c: c) -> list:
    """Of several candidates, those in the pipeline's own account, region and environment."""
    if len(found) < 2:
        return found
    here = [
        c
        for c in found
        if (of(c).account, of(c).region, of(c).environment) == (raw.account, raw.region, raw.environment)
    ]
    return here or found


def _add_deploys(acc: _Columns, raw_stacks: list[RawStack]) -> None:
    """References ``Deploys`` from each pipeline to the stacks and resources it deploys.

    A CloudFormation action names a stack: by StackName, else by the template file its
    TemplatePath names (matched on the path's end). Other providers name a resource by the
    name property the template sets (EnvironmentName, ServiceName, DeploymentGroupName).
    What matches nothing in the estate keeps its name, with no target stack.
    """
    if not acc.deploys:
        return
    by_name: dict[str, list[RawStack]] = {}
    for r in raw_stacks:
        by_name.setdefault(r.stack_name or r.name, []).append(r)
    for d in acc.deploys:
        a = d.action
        path = f"{a.path}/{a.name_key}"
        target_stack = target = None
        kind = "stack" if a.target_type == "stack" else "resource"
        if kind == "stack":
            found = _closest(by_name.get(d.name or "", []), d.raw)
            if len(found) != 1 and d.template_file:
                suffix = "/" + d.template_file
                found = _closest(
                    [r for r in raw_stacks if r.source == d.template_file or r.source.endswith(suffix)], d.raw
                )
                path = f"{a.path}/TemplatePath" if len(found) == 1 else path
            if len(found) == 1:
                target_stack = target = found[0].name
        elif d.same_stack:
            target_stack, target = d.raw.name, d.same_stack
        else:
            hits = _closest(acc.named.get((a.target_type, d.name or ""), []), d.raw, lambda c: c[0])
            if len(hits) == 1:
                target_stack, target = hits[0][0].name, hits[0][1]
        acc.add(
            "references",
            source_stack=d.raw.name,
            source=d.logical_id,
            source_path=path,
            target_stack=target_stack,
            target=target or d.name or f"{a.stage}/{a.name}",
            target_kind=kind,
            kind="Deploys",
            attribute=None,
            active=d.active,
        )
