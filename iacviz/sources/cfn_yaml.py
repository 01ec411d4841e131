"""CloudFormation YAML -> the template's JSON form, read the way CloudFormation reads it.

Scalars. CloudFormation "supports the YAML Version 1.1 specification with a few exceptions":
no binary, omap, pairs, set or timestamp tags, no aliases, no hash merges (AWS CloudFormation
User Guide, "CloudFormation template format", template-formats.html). So plain scalars resolve
by YAML 1.1, as PyYAML's SafeLoader (and so cfn-lint and ``aws cloudformation package``) does:

* booleans: ``yes no on off true false`` in lower, Title or UPPER case. The AWS CLI quotes
  these on output because "CloudFormation treats unquoted values that are YAML 1.1 native
  booleans as booleans, rather than strings" (aws/aws-cli PR #5257); an unquoted tag value
  ``YES`` is deployed as ``"true"`` (ASFHyP3/hyp3 PR #2061). ``y``/``n`` stay strings.
* ints: decimal, ``0x``, ``0b``, leading-zero octal (``0755`` -> 493), sexagesimal
  (``1:30`` -> 90), ``_`` separators. floats need a ``.`` (``1e3`` stays a string), ``.inf``.
* null: ``~ null Null NULL`` and empty.
* timestamps: never. ``2010-09-09`` stays the string as written (CloudFormation has no
  timestamp type; its docs write ``AWSTemplateFormatVersion: 2010-09-09`` unquoted). cfn-lint
  differs here: it returns ``datetime.date``.
* keys are always the string as written (``80:`` -> ``"80"``, ``true:`` -> ``"true"``): JSON
  keys are strings and FindInMap looks keys up by their text (cfn-lint keeps int/bool keys).
  That includes ``Null:``, IAM's condition operator, which cfn-lint refuses as a null key; only
  an empty key is refused. A tagged scalar is its raw text (``!Ref 80`` -> ``{"Ref": "80"}``),
  as in cfn-lint and cfn-flip.

Tags. The intrinsic short forms in :data:`SHORT_FORMS` become their long form (``!GetAtt A.B.C``
splits at the first dot). cfn-lint and cfn-flip turn any ``!X`` into ``Fn::X``; here any other
tag (``!Rain::Embed``, ``!!python/object``, ``!!binary``) is a TemplateError naming it, since
CloudFormation would reject the template. Nothing is ever constructed from a tag.

Anchors, aliases, ``<<`` merges: CloudFormation rejects them, but ``aws cloudformation
package``, the SAM CLI and cfn-lint resolve them client-side, so real templates use them. They
are resolved the same way (each alias becomes a copy), but only while the copies add up to at
most :data:`ALIAS_NODE_BUDGET` nodes: sizes are counted on the composed graph before anything
is expanded, so a "billion laughs" document is refused in microseconds.

Speed. A small C extension (``_cfn_yaml_fast``, built at install when libyaml's headers and a
compiler are there) reads libyaml's events and builds dicts, lists and strings directly; it
takes only the common case (no anchors, merges, other tags, odd keys or errors) and hands
anything else back to the Python path below, which is the definition and decides every value
the C side does not: YAML 1.1 numbers and words go through :func:`_plain` from both. The Python
path lets libyaml (PyYAML's C parser) compose a node graph, with a resolver that only notes
"plain" or "quoted", and builds from the nodes; composing is ~80% of its time. On the corpus
a YAML template takes ~80 us on the fast path against ~450 us on the Python path, and libyaml's
events alone ~60 us: the fast path is close to the floor of any libyaml-based reader. Every
readable corpus template stays on it; the tests compare both paths on the corpus, generated
estates and random YAML. The fast path links the system's libyaml, PyYAML's wheels their own
copy (0.2.5 and 0.2.6 here): a 400,000-input random fuzz found no text the two read differently.
With ``IACVIZ_PURE_YAML=1`` in the environment (read at import) the Python path reads everything.
A ryaml-based path (serde-yaml, ~35% faster to parse than libyaml composing) was measured and
dropped: making its YAML 1.2 scalars, tags and anchors provably equal to this path, plus a text
scan for the lines it cannot give, cost all of the gain (see the benchmark notes in
``benchmarks/bench_reader_quick.py``).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any, Callable

import yaml
from yaml import MappingNode, ScalarNode, SequenceNode
from yaml._yaml import CParser  # libyaml's parser; a PyYAML built without it cannot run this

from iacviz.errors import TemplateError
from iacviz.gc_pause import paused_gc
from iacviz.limits import MAX_DEPTH
from iacviz.native import fast_module
from iacviz.sources.template_text import SECTIONS, not_a_mapping

ALIAS_NODE_BUDGET = 10_000  # nodes that alias copies may add; real templates need a few dozen

_INTRINSICS = (
    "Base64 Cidr FindInMap GetAtt GetAZs ImportValue Join Select Split Sub Transform "
    "And Equals If Not Or Contains EachMemberEquals EachMemberIn RefAll ValueOf "
    "ValueOfAll Length ToJsonString ForEach GetStackOutput"
)
SHORT_FORMS = {"!Ref": "Ref", "!Condition": "Condition", **{f"!{n}": f"Fn::{n}" for n in _INTRINSICS.split()}}


def load_yaml(text: str, source: str) -> tuple[dict, dict[str, int]]:
    """``(body, lines)`` of a YAML template, or TemplateError.

    >>> body, lines = load_yaml("Conditions:\\n  Prod: !Equals [!Ref Env, prod]\\n", "c.yaml")
    >>> body, lines
    ({'Conditions': {'Prod': {'Fn::Equals': [{'Ref': 'Env'}, 'prod']}}}, {'Conditions/Prod': 2})
    """
    body, lines, _ = load_yaml_bounded(text, source)
    return body, lines


def load_yaml_bounded(text: str, source: str) -> tuple[dict, dict[str, int], bool]:
    """:func:`load_yaml`, and whether the body is known to nest no deeper than ``MAX_DEPTH``.

    True when the fast path built it: it hands anything deeper to the Python path, so the
    depth walk every template read gets (``limits.too_deep``) can be skipped for it.

    >>> load_yaml_bounded("A: [[1]]\\n", "a.yaml")[0]
    {'A': [[1]]}
    """
    if _FAST is not None:
        done = _FAST.load(text, _plain, SHORT_FORMS, SECTIONS, MAX_DEPTH)
        if done is not None:
            if done[0] is None:  # (None, tag, line): its only fault, refused as _tagged refuses it
                raise _unknown_tag(source, done[2], done[1])
            return (*done, True)
    # Composing makes ~5 container objects per YAML node (node, marks, pairs), all garbage a
    # moment later and none in a reference cycle (a recursive alias aside: collected once
    # collection resumes). Each of them counts towards the collector's thresholds, so in a
    # process holding an estate, every few templates set off a full collection of the whole
    # heap: reading 2,000 templates took 3x longer with collection running than without.
    # (The fast path makes only the body's dicts and lists, which stay: pausing around it made
    # no difference, 99 us a corpus template either way with a million live objects.)
    with paused_gc():
        return (*_load_composed(text, source), False)


def _load_composed(text: str, source: str) -> tuple[dict, dict[str, int]]:
    """The Python path, and the definition the fast path is tested against."""
    root = _compose(text, source)
    if type(root) is not MappingNode:
        kind = {ScalarNode: "scalar", SequenceNode: "list"}.get(type(root))
        if kind == "scalar" and root.tag is _PLAIN and root.value in _NULLS:
            kind = None  # "---" alone, or "~": nothing there
        raise not_a_mapping(source, kind, root.start_mark.line + 1 if root is not None else 0)
    try:
        if _may_alias(text):
            _check_aliases(root, source)
        body = _build(root, source)
    except RecursionError:
        raise TemplateError(source, 0, f"template nested deeper than {MAX_DEPTH} levels") from None
    if not isinstance(body, dict):  # e.g. a whole template under one tag
        raise not_a_mapping(source, type(body).__name__, root.start_mark.line + 1)
    return body, _node_lines(root)


# --- libyaml composes; we resolve and build --------------------------------------------------

_PLAIN, _QUOTED, _COLLECTION = "iacviz:plain", "iacviz:quoted", "iacviz:collection"
_CORE = "tag:yaml.org,2002:"


class _Composer(CParser):
    """libyaml's composer with a resolver that only says plain or quoted: resolving is ours."""

    def resolve(self, kind, value, implicit):
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else _QUOTED
        return _COLLECTION

    def descend_resolver(self, *args):  # CParser calls these; our resolver has no paths
        pass

    def ascend_resolver(self, *args):
        pass


def _compose(text: str, source: str):
    """The root node, or None for an empty document; TemplateError for invalid YAML."""
    try:
        return _Composer(text).get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise TemplateError(
            source, mark.line + 1 if mark else 0, f"YAML syntax error: {exc.problem or exc.context}"
        ) from None
    except yaml.YAMLError as exc:  # ReaderError: a character YAML does not allow
        offset = getattr(exc, "position", 0) or 0
        line = text.encode("utf-8", "replace")[:offset].count(b"\n") + 1
        raise TemplateError(source, line, f"YAML syntax error: {str(exc).splitlines()[0]}") from None


def _build(node, source: str):
    tag = node.tag
    if tag is _QUOTED:
        return node.value
    if tag is _PLAIN:
        return _plain(node.value)
    if tag is _COLLECTION:
        if type(node) is MappingNode:
            return _mapping(node, source)
        return [_build(n, source) for n in node.value]
    return _tagged(node, source)


def _mapping(node, source: str) -> dict:
    out: dict = {}
    merged: dict | None = None
    for key_node, value_node in node.value:
        key_tag = key_node.tag
        key = key_node.value
        if key_tag is _PLAIN:
            if key == "<<":
                merged = _merge(value_node, source)
                continue
            if not key:
                raise TemplateError(source, key_node.start_mark.line + 1, "empty mapping key")
            # else the key as written, even "Null" (IAM's condition operator) or "80"
        elif key_tag is not _QUOTED:
            key = _tagged_key(key_node, source)
        if key in out:
            raise TemplateError(
                source, key_node.start_mark.line + 1, f"duplicate key {key!r} (CloudFormation rejects duplicate keys)"
            )
        # scalars inline: most nodes are scalars, and a call per node is a fifth of the build time
        tag = value_node.tag
        if tag is _QUOTED:
            out[key] = value_node.value
        elif tag is _PLAIN:
            text = value_node.value
            out[key] = text if text and text[0] not in _NUMBER_START and text not in _WORDS else _plain(text)
        else:
            out[key] = _build(value_node, source)
    return {**merged, **out} if merged else out  # explicit keys win over merged ones


def _merge(node, source: str) -> dict:
    """A ``<<`` value: one mapping, or a list whose earlier mappings win (as PyYAML does)."""
    parts = node.value if type(node) is SequenceNode else [node]
    merged: dict = {}
    for part in reversed(parts):
        value = _build(part, source)
        if not isinstance(value, dict):
            raise TemplateError(source, part.start_mark.line + 1, "a << merge needs mappings")
        merged.update(value)
    return merged


def _tagged_key(node, source: str) -> str:
    if type(node) is ScalarNode and node.tag == _CORE + "str":
        return node.value
    raise TemplateError(source, node.start_mark.line + 1, f"mapping key must be a string, not {node.tag}")


def _tagged(node, source: str):
    tag, kind, line = node.tag, type(node), node.start_mark.line + 1
    name = SHORT_FORMS.get(tag)
    if name is not None:
        if kind is ScalarNode:
            value = node.value.split(".", 1) if name == "Fn::GetAtt" else node.value
        elif kind is SequenceNode:
            value = [_build(n, source) for n in node.value]
        else:
            value = _mapping(node, source)
        return {name: value}
    core = tag[len(_CORE) :] if tag.startswith(_CORE) else None
    if kind is ScalarNode and core in _CORE_SCALARS:
        try:
            return _CORE_SCALARS[core](node.value)
        except (KeyError, ValueError):
            raise TemplateError(source, line, f"{node.value!r} is not a valid !!{core}") from None
    if (core, kind) in (("map", MappingNode), ("seq", SequenceNode)):
        return _mapping(node, source) if kind is MappingNode else [_build(n, source) for n in node.value]
    shown = f"!!{core}" if core is not None else tag
    if core is not None:
        raise TemplateError(source, line, f"unsupported tag {shown}: CloudFormation does not accept it")
    raise _unknown_tag(source, line, shown)


def _unknown_tag(source: str, line: int, tag: str) -> TemplateError:
    """The refusal of a tag that is neither a short form nor a YAML core tag (rain's !Rain::Embed)."""
    return TemplateError(source, line, f"unknown tag {tag}: not a CloudFormation intrinsic function")


def _node_lines(root) -> dict[str, int]:
    lines = {}
    for key_node, value_node in root.value:
        if key_node.value in SECTIONS and type(value_node) is MappingNode:
            for key, _ in value_node.value:
                if type(key) is ScalarNode and key.value != "<<":
                    lines[f"{key_node.value}/{key.value}"] = key.start_mark.line + 1
    return lines


# An anchor (&a) or alias (*a) starts a node: it follows whitespace, "[", "{", "," or a quoted
# flow key's ":" and is followed by a name. Both must be present for a copy to exist; the
# patterns start with their literal character so the search skips from "&" to "&".
_ANCHOR = re.compile(r"&(?:(?<=[\s\[{,]&)|(?<=['\"]:&))[^\s,\[\]{}]")
_ALIAS = re.compile(r"\*(?:(?<=[\s\[{,]\*)|(?<=['\"]:\*))[^\s,\[\]{}]")


def _may_alias(text: str) -> bool:
    return (
        "&" in text
        and "*" in text
        and (text[:1] == "&" or _ANCHOR.search(text) is not None)
        and _ALIAS.search(text) is not None
    )


def _check_aliases(root, source: str) -> None:
    """Refuse before building if alias copies would add more than ALIAS_NODE_BUDGET nodes.

    libyaml hands an alias back as the very node object it names, so a collection met twice is
    an alias (aliased scalars add one node each and cannot explode); expanded sizes are
    memoised, so this costs O(distinct nodes) however large the expansion would be."""
    sizes: dict[int, int] = {}

    def size(node) -> int:
        n = sizes.get(id(node))
        if n is None:
            children = node.value if type(node) is SequenceNode else [c for pair in node.value for c in pair]
            n = 1 + sum(1 if type(c) is ScalarNode else size(c) for c in children)
            sizes[id(node)] = n
        return n

    seen: set[int] = set()
    extra = 0
    todo = [root]
    while todo:
        node = todo.pop()
        children = node.value if type(node) is SequenceNode else [c for pair in node.value for c in pair]
        for child in children:
            if type(child) is ScalarNode:
                continue
            if id(child) not in seen:
                seen.add(id(child))
                todo.append(child)
                continue
            extra += size(child)
            if extra > ALIAS_NODE_BUDGET:
                raise TemplateError(
                    source,
                    node.start_mark.line + 1,
                    f"YAML aliases expand to more than {ALIAS_NODE_BUDGET} nodes "
                    "(alias bomb?); CloudFormation does not support aliases",
                )


# --- YAML 1.1 plain scalars (PyYAML's resolver, timestamps excepted) --------------------------

_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_WORDS = {
    **{w: True for w in "yes Yes YES on On ON true True TRUE".split()},
    **{w: False for w in "no No NO off Off OFF false False FALSE".split()},
    **{w: None for w in _NULLS},
}
_INT = re.compile(
    r"[-+]?(?:0b[0-1_]+|0[0-7_]+|(?:0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+"
    r"|[1-9][0-9_]*(?::[0-5]?[0-9])+)\Z"
)
_FLOAT = re.compile(
    r"(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\Z"
)
_NUMBER_START = frozenset("0123456789+-.")


@lru_cache(maxsize=4096)
def _plain(text: str):
    """A plain scalar's YAML 1.1 value; timestamps and anything unresolved stay strings."""
    # Remembered: templates repeat the same numbers and words (ports, sizes, true), and every
    # value this gives is immutable. A hit costs a tenth of resolving a number again.
    if text and text[0] in _NUMBER_START:
        try:
            if _INT.match(text):
                return _to_int(text)
            if _FLOAT.match(text):
                return _to_float(text)
        except ValueError:  # e.g. "0x_": matches the pattern, has no digits; PyYAML fails too
            pass
        return text
    return _WORDS.get(text, text)


def _sexagesimal(text: str, cast):
    total = cast(0)
    for part in text.split(":"):
        total = total * 60 + cast(part)
    return total


def _to_int(text: str) -> int:
    digits = text.replace("_", "")
    sign = -1 if digits[0] == "-" else 1
    digits = digits.lstrip("+-")
    if digits == "0":
        return 0
    if digits.startswith("0b"):
        return sign * int(digits[2:], 2)
    if digits.startswith("0x"):
        return sign * int(digits[2:], 16)
    if ":" in digits:
        return sign * _sexagesimal(digits, int)
    return sign * int(digits, 8 if digits[0] == "0" else 10)


def _to_float(text: str) -> float:
    digits = text.replace("_", "").lower()
    sign = -1.0 if digits[0] == "-" else 1.0
    digits = digits.lstrip("+-")
    if digits == ".inf":
        return sign * math.inf
    if digits == ".nan":
        return math.nan
    return sign * (_sexagesimal(digits, float) if ":" in digits else float(digits))


def _core_int(text: str) -> int:
    if not _INT.match(text):
        raise ValueError(text)
    return _to_int(text)


def _core_float(text: str) -> float:
    if not (_FLOAT.match(text) or _INT.match(text)):
        raise ValueError(text)
    return _to_float(text)


_BOOLS = {"yes": True, "on": True, "true": True, "no": False, "off": False, "false": False}
# explicit !!str, !!int ... on a scalar, constructed as PyYAML's SafeLoader does
_CORE_SCALARS: dict[str, Callable[[str], Any]] = {
    "str": str,
    "int": _core_int,
    "float": _core_float,
    "bool": lambda text: _BOOLS[text.lower()],
    "null": lambda text: None,
}


# The C module's INTERFACE this code is written for (load_yaml_bounded trusts it to bound the
# body's depth): a module built from older or newer source is not used.
_FAST_INTERFACE = 3


def _fast_reader():
    """The C fast path's module, or None: not built here, built from other source (a stale
    build in a checkout), or IACVIZ_PURE_YAML=1."""
    return fast_module("iacviz.sources._cfn_yaml_fast", _FAST_INTERFACE, "IACVIZ_PURE_YAML")


_FAST = _fast_reader()
