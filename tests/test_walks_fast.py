"""The C walks (``iacviz/_walks.c``, picked by :mod:`iacviz.walks`) against their Python definitions.

``limits._too_deep``, ``model.build._walk`` and ``cfn.intrinsics.walk_references`` are the
definitions. The C module must give exactly what they give: the same depth answers, the same
leaves in the same order with the same pointers (escaped keys, non-str keys), the same
references (same named tuples, same order), the same values left for the shape check (the
very objects), the same properties columns (the leaves' values the very objects, the update
behaviors read from the same memo) and the same driven_by cells, memoised the same way. Checked on every corpus template, on hostile values and on random ones, and on
whole estates built with and without it.

Without the built extension these tests skip; under CI (``CI=true``) they fail instead, so a
green CI run has walked through the C module.
"""

from __future__ import annotations

import csv
import datetime
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import iacviz
from estate_files import ROOT
from iacviz import limits, walks
from iacviz.cfn import intrinsics, shapes, update_behavior
from iacviz.cfn.intrinsics import Reference, _sub_names, find_references, walk_references
from iacviz.cfn.pointer import join
from iacviz.limits import _too_deep
from iacviz.model import build
from iacviz.model.build import _leaves, _walk, _walk_deep

CORPUS = ROOT.parent / "shared" / "corpus"
FAST = walks.FAST
IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")
USERS = (limits, build, intrinsics, shapes)  # the modules that pick the C walks


def test_ci_walks_through_the_c_module():
    if FAST is None and not IN_CI:
        pytest.skip("the C walks are not built here (python hatch_build.py builds them)")
    assert FAST is not None, "CI=true but iacviz._walks is not importable: was the extension built?"
    assert all(m._FAST is FAST for m in USERS)


pytestmark = pytest.mark.skipif(FAST is None and not IN_CI, reason="the C walks are not built here")


def _typed(value: Any) -> Any:
    """The value with every type spelled out (True is not 1, a Reference is not a tuple)."""
    if type(value) is dict:
        return ("dict", [(_typed(k), _typed(v)) for k, v in value.items()])
    if type(value) in (list, tuple, Reference):
        return (type(value).__name__, [_typed(v) for v in value])
    return (type(value).__name__, value)


def _same_walk(value: Any, here: str = "/properties") -> int:
    python: tuple[list, list] = ([], [])
    c: tuple[list, list] = ([], [])
    _walk(value, here, *python)
    FAST.walk(value, here, *c, join)
    assert python[0] == c[0] and all(type(p) is str for p in c[0])
    assert len(python[1]) == len(c[1]) and all(a is b for a, b in zip(python[1], c[1]))
    return len(c[0])


def _same_references(value: Any, path: str = "/p") -> int:
    for pointers in (True, False):
        for checking in (False, True):
            left_python: list = []
            left_c: list = []
            if checking:
                python = list(walk_references(value, path, pointers, shapes._check, shapes._CHECKED, left_python))
                c = FAST.references(
                    value, path, pointers, shapes._check, shapes._CHECKED, left_c, True, _sub_names, join, Reference
                )
            else:
                python = list(walk_references(value, path, pointers))
                c = FAST.references(value, path, pointers, None, (), left_c, False, _sub_names, join, Reference)
            assert c is not NotImplemented
            assert _typed(c) == _typed(python)
            assert len(left_c) == len(left_python)
            # the very objects (a slice of a Fn::Sub list is a new list: equal is what is asked)
            assert all(a is b or (type(a) is list and a == b) for a, b in zip(left_c, left_python))
    return len(python)


def _same_sections(res: Any) -> None:
    # shapes.checked_sections in Python (its references walked in Python too) and in C
    saved = shapes._FAST, intrinsics._FAST
    shapes._FAST = intrinsics._FAST = None
    try:
        python = shapes.checked_sections(res, build._ATTRIBUTE_SECTIONS, build._SECTION_NAMES)
    finally:
        shapes._FAST, intrinsics._FAST = saved
    c = FAST.sections(
        res,
        build._ATTRIBUTE_SECTIONS,
        build._SECTION_NAMES,
        shapes._check,
        shapes._CHECKED,
        _sub_names,
        join,
        Reference,
    )
    assert c is not NotImplemented
    assert _typed(c) == _typed(python)
    assert all(a is b or (type(a) is list and a == b) for a, b in zip(c[1], python[1]))


def _same_depth(value: Any) -> None:
    for limit in (-(10**30), -1, 0, 1, 2, 3, 5, 17, 100):
        assert FAST.too_deep(value, limit) is _too_deep(value, limit), limit


def _same_driven_by(values: list) -> int:
    # build._driven_by in Python and in C, each from an empty memo and again on the memo it
    # left: the same cells (fresh lists, never shared) and the same memo
    runs = []
    saved = dict(build._LABELLED)
    try:
        for fast in (None, FAST):
            build._LABELLED.clear()
            with pytest.MonkeyPatch.context() as m:
                m.setattr(build, "_FAST", fast)
                cold = build._driven_by(values)
                warm = build._driven_by(values)
            runs.append((cold, warm, dict(build._LABELLED)))
    finally:
        build._LABELLED.clear()
        build._LABELLED.update(saved)
    (python, python_warm, python_memo), (c, c_warm, c_memo) = runs
    assert _typed(c) == _typed(python) == _typed(c_warm) == _typed(python_warm)
    assert _typed(list(c_memo.items())) == _typed(list(python_memo.items()))
    cells = [cell for cell in c + c_warm if cell is not None]
    assert len({id(cell) for cell in cells}) == len(cells)
    return len(cells) // 2


def _same_properties(resources: Any) -> int:
    # build._properties in Python and in C, each from empty memos (update behaviors, driven_by
    # labels) and again on the memos it left
    runs = []
    for fast in (None, FAST, None, FAST):
        update_behavior._ANSWERS.clear()
        build._LABELLED.clear()
        with pytest.MonkeyPatch.context() as m:
            m.setattr(build, "_FAST", fast)
            runs.append((build._properties(resources), build._properties(resources)))
    python = runs[0][0]
    for cold, warm in runs:
        for cols in (cold, warm):
            assert cols.keys() == python.keys()
            for name, column in cols.items():
                if name == "value":
                    assert len(column) == len(python[name]) and all(a is b for a, b in zip(column, python[name]))
                else:
                    assert _typed(column) == _typed(python[name]), name
    return len(python["path"])


def _corpus_bodies() -> list[dict]:
    from iacviz.sources.files import read_paths

    with open(CORPUS / "manifest.tsv", newline="") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["kind"] != "cdk-out"]
    raws, _ = read_paths([CORPUS / r["repo"].replace("/", "+") / r["path"] for r in rows])
    return [raw.template for raw in raws]


@pytest.mark.skipif(not (CORPUS / "manifest.tsv").is_file(), reason="shared corpus not present")
def test_every_corpus_template_walks_the_same_in_c():
    leaves = refs = 0
    bodies = _corpus_bodies()
    properties: tuple[list, list] = ([], [])
    resources = []
    for body in bodies:
        _same_depth(body)
        for section in body.values():
            if type(section) in (dict, list) and section:
                leaves += _same_walk(section)
                refs += _same_references(section)
        for part in ("Resources", "Outputs"):
            for res in body[part].values() if type(body.get(part)) is dict else ():
                if type(res) is dict:
                    _same_sections(res)
                if type(res) is dict and type(res.get("Type")) is str:
                    resources.append(("s", f"R{len(resources)}", res["Type"], res.get("Properties")))
                if type(res) is dict and type(res.get("Properties")) is dict and res["Properties"]:
                    _same_walk(res["Properties"])
                    _leaves(res["Properties"], "/properties", *properties)
    assert len(bodies) > 450 and leaves > 30_000 and refs > 5_000
    assert _same_driven_by(properties[1]) > 5_000
    assert _same_properties(resources) > 20_000


HOSTILE = [
    {"a/b": {"c~d": [1, None, {}, [], {"Ref": "X"}, {"Condition": "C"}, {"Fn::If": ["C", {"A": 1}, []]}]}},
    {3: {"Not": {"Intrinsic": True}}, True: [1], 2.5: {"x": 1.0}, None: {"y": None}, (1, "a/b"): [True]},
    {"~": {"/": {"~1": {"a~0/b": 1}}}, "é/ü": {"ñ": ["ß"]}, "日本": {"Ref": "日本"}},
    {"A": {"Ref": ["a", "b"]}, "B": {"Ref": "X"}, "C": {"Ref": ""}, "D": {"Ref": {"Ref": "Y"}}},
    {"A": {"Fn::GetAtt": [{"Ref": "R"}, {"Fn::Join": ["", "x"]}]}, "B": {"Fn::GetAtt": "a.b.c"}},
    {"A": {"Fn::GetAtt": [{"Fn::Sub": 5}, "Arn"]}, "B": {"Fn::GetAtt": ["Q"]}, "C": {"Fn::GetAtt": "Q"}},
    {"A": {"Fn::GetAtt": [{"Ref": "R"}, "Arn"]}, "B": {"Fn::GetAtt": ".a."}, "C": {"Fn::GetAtt": []}},
    {"A": {"Fn::GetAtt": ["Q", "Arn", "x"]}, "B": {"Fn::GetAtt": ["Q", 1]}, "C": {"Fn::GetAtt": 5}},
    {"A": {"Fn::Sub": ["${X}", {"Fn::If": ["C", {"Ref": 1}, {}]}]}},
    {"A": {"Fn::Sub": ["${X}-${Y.Z}-${!L}", {"X": {"Ref": "Y"}, "Y.Z": 1}]}, "B": {"Fn::Sub": "${AWS::Region}"}},
    {"A": {"Fn::Sub": ["${X}", {"Fn::If": ["C", {}, {}]}]}, "B": {"Fn::Sub": ["${Y}", {"Y": 1}, 3]}},
    {"A": {"Fn::Sub": {"Fn::Join": [1]}}, "B": {"Fn::Sub": []}, "C": {"Fn::Sub": [5]}, "D": {"Fn::Sub": 5}},
    {"A": {"Fn::Sub": ["${X}", {"X": {"Fn::Select": [0]}}, 3]}, "B": {"Fn::Sub": [{"Ref": "T"}, {"T": 1}]}},
    {"A": {"Fn::If": "C"}, "B": {"Condition": 5}, "C": {"Fn::If": []}, "D": {"Fn::If": ["C"]}},
    {"A": {"Fn::If": [1, {"Ref": []}, 2]}, "B": {"Fn::If": ["C", 1, 2, 3]}},
    {"A": {"Fn::FindInMap": [{"Ref": "M"}, {"Fn::Split": [","]}, "k"]}, "B": {"Fn::FindInMap": "M"}},
    {"A": {"Fn::FindInMap": ["M", 1, True, 1.0]}, "B": {"Fn::FindInMap": ["M", [], "k"]}},
    {"A": [{"Fn::ImportValue": {"Fn::Sub": ["a", "b", "c"]}}], "B": {"Fn::ImportValue": [1]}},
    {"A": {"Fn::Base64": {"Ref": {}}}, "B": {"Fn::Select": [True, [1]]}, "C": {"Fn::Select": [1.0, []]}},
    {"A": {1: {"Ref": []}}, "B": {"Fn::GetAtt": "a.b"}, "C": {True: {"Ref": "X"}}, "D": {None: [{"Ref": 1}]}},
    {"A": {"Fn::Join": ["", [{"Ref": "X"}]]}, "B": {"Fn::Join": [{"Ref": "D"}, {"Ref": "L"}]}, "C": {"Fn::Join": 1}},
    {"A": {"Fn::Split": [",", "a"]}, "B": {"Fn::Split": [1, "a"]}, "C": {"Fn::Equals": [1]}, "D": {"Fn::Not": []}},
    {"A": {"Fn::And": [1] * 11}, "B": {"Fn::Or": [1, 2]}, "C": {"Fn::ForEach::X": [1]}, "D": {"Fn::": 1}},
    {"Condition": "C"},
    {"Ref": "X"},
    {"Fn::If": ["C", {"A": {"Ref": "X"}}, {"Ref": "AWS::NoValue"}]},
    [[[{"Ref": "X"}]], [], {}, "", 0, 1, True, 1.0, None],
    {"Fn::GetAtt": ["A", "B"], "Other": 1},
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_walk_the_same_in_c(value):
    _same_depth(value)
    _same_walk(value)
    _same_walk(value, "/é")
    _same_references(value)
    _same_references(value, "")
    _same_sections({"Type": "T", "Properties": value, "Metadata": [value], "Other": value, 1: [value], "U": 1})


class _Text(str):
    """A text no parser gives: marshal refuses it, so its leaf is labelled afresh each time."""


def _hostile_leaves() -> list:
    leaves: tuple[list, list] = ([], [])
    for value in HOSTILE:
        _leaves(value, "/properties", *leaves)
    texts = [{"Ref": f"R{i}"} for i in range(9000)]  # past the memo's bound: cleared at the same leaf
    return leaves[1] + [
        *(dict(value) for value in HOSTILE if type(value) is dict),
        {},
        {"Ref": 1},
        {"Ref": True},
        {"Ref": 1.0},
        {"Ref": None},
        {"Ref": "X" * 2000},
        {"Fn::Sub": "${" + "Y" * 2000 + "}"},
        {"Fn::GetAtt": ["A", "B"]},
        {"Fn::GetAtt": ["A", 1]},
        {"Fn::GetAtt": ["A", "B", "C"]},
        {"Fn::GetAtt": ("A", "B")},
        {"Fn::ImportValue": {"Fn::Sub": "${Net}-VpcId"}},
        {"Fn::ImportValue": {"Fn::Sub": ["${Net}", {"Net": {"Ref": "N"}}]}},
        {"Fn::ImportValue": {"Fn::Sub": "a", "Other": 1}},
        {"Fn::ImportValue": {_Key("Fn::Sub"): "a"}},
        {_Key("Ref"): "X"},
        {"Ref": _Text("X")},
        {"Fn::GetAtt": [_Text("A"), "B"]},
        {"Ref": datetime.date(2020, 1, 2)},
        {1: "X"},
        {"Fn::If": ["C", {"Ref": "AWS::Region"}, {"Fn::FindInMap": ["M", {"Ref": "K"}, "V"]}]},
        *texts,
        *texts[:100],
        "text",
        1,
        None,
        [],
        [{"Ref": "X"}],
    ]


def test_hostile_leaves_are_driven_by_the_same_in_c():
    assert _same_driven_by(_hostile_leaves()) > 9000


def test_hostile_resources_give_the_same_properties_in_c():
    deep: Any = {"A": "x", "B": [1]}
    for _ in range(400):  # deeper than the C walk recurses: taken back and walked in Python
        deep = {"A": deep, "B": [{"Ref": "X"}]}
    types = ["AWS::EC2::VPC", "AWS::IAM::Role", "AWS::S3::Bucket", "Custom::Thing", "AWS::Serverless::Function"]
    types += ["AWS::No::Such", "Org::Thing::MODULE", "AWS::SQS::Queue", "AWS::EC2::Subnet", _Text("AWS::EC2::VPC")]
    props = [None, {}, [], "text", 1, {"Ref": "X"}, {"Fn::If": ["C", {"A": 1}, {}]}, [{"A": 1}], deep]
    props += [{"CidrBlock": "10.0.0.0/16", "Tags": [{"Key": "a", "Value": {"Ref": "X"}}]}] + HOSTILE
    props += [{"RoleName": "r", "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": []}}]}]
    props += [{"QueueName": {"Fn::Sub": "${AWS::StackName}-q"}, "FifoQueue": True, "Tags": []}]
    resources = [(f"s{i % 3}", f"R{i}", rtype, p) for i, rtype in enumerate(types) for p in props]
    assert _same_properties(resources) > 5_000
    assert _same_properties(resources[::-1]) > 5_000
    assert _same_properties([]) == 0


def test_resources_that_are_not_tuples_are_walked_in_python():
    resources = [("s", "A", "AWS::EC2::VPC", {"CidrBlock": "10.0.0.0/16"}), ["s", "B", "AWS::EC2::VPC", {"A": 1}]]
    memos = ({}, update_behavior.behaviors, {}, build._drivers)
    assert FAST.properties(resources, "/properties", join, _leaves, *memos) is NotImplemented
    assert _same_properties(resources) == 2
    assert _same_properties(tuple(resources)) == 2


_C_REST = (shapes._check, shapes._CHECKED, _sub_names, join, Reference)


class _Key(str):
    """A key no parser gives: a str subclass, which the C walks hand back to Python."""


def test_a_key_that_is_no_plain_data_is_walked_in_python():
    value = {"A": {_Key("Ref"): "X"}, "B": {"Ref": "Y"}}
    left: list = []
    assert FAST.references(value, "", True, None, (), left, False, _sub_names, join, Reference) is NotImplemented
    # the public walks answer as the Python walk does, and leave nothing behind
    assert list(find_references(value)) == list(walk_references(value))
    assert list(shapes.checked_references(value, "/p", left)) == list(walk_references(value, "/p")) and left == []
    res = {"Type": "T", "Properties": value}
    assert FAST.sections(res, build._ATTRIBUTE_SECTIONS, build._SECTION_NAMES, *_C_REST) is NotImplemented
    assert shapes.checked_sections(res, build._ATTRIBUTE_SECTIONS, build._SECTION_NAMES) == (
        [("Properties", "/properties", list(walk_references(value, "/properties")))],
        [],
    )
    _same_walk(value)


def test_values_deeper_than_c_recursion_are_walked_in_python():
    deep: Any = "x"
    for _ in range(5000):
        deep = {"A": deep, "B": [1]}
    assert FAST.too_deep(deep, 100) is _too_deep(deep, 100) is True
    assert FAST.too_deep(deep, FAST.MAX_LIMIT) is _too_deep(deep, FAST.MAX_LIMIT) is True
    with pytest.raises(ValueError):
        FAST.too_deep(deep, FAST.MAX_LIMIT + 1)
    assert limits.too_deep(deep, 10_000) is _too_deep(deep, 10_000) is False
    with pytest.raises(RecursionError):
        FAST.walk(deep, "/properties", [], [], join)
    paths: list = []
    values: list = []
    _leaves(deep, "/properties", paths, values)
    stacked: tuple[list, list] = ([], [])
    _walk_deep(deep, "/properties", *stacked)
    assert paths == stacked[0] and values == stacked[1] and len(paths) == 5001
    deep_refs: Any = {"Ref": "X"}
    for _ in range(5000):
        deep_refs = [deep_refs, {"Fn::If": ["C", deep_refs, 1]}][1:]
    assert _typed(list(find_references(deep_refs))) == _typed(list(walk_references(deep_refs)))


_KEYS = st.sampled_from(
    ["Ref", "Condition", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::FindInMap"]
    + ["Fn::If", "Fn::ImportValue", "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Fn::Base64", "A", "a/b~c"]
) | st.sampled_from([0, 1, True, 1.0, None, -3])
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 2),
    st.floats(allow_nan=False, width=16),
    st.sampled_from(["", "X", "a.b", ".a", "${X}-${Y.Z}", "${!L}", "${AWS::Region}", "é"]),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, min_size=1, max_size=3)),
    max_leaves=30,
)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(value=_VALUES)
def test_random_values_walk_the_same_in_c(value):
    _same_depth(value)
    if type(value) in (dict, list) and value:
        _same_walk(value)
    _same_references(value)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(res=st.dictionaries(st.sampled_from(["Type", "Properties", "Metadata", "UpdatePolicy", "Other", 1]), _VALUES))
def test_random_resources_walk_the_same_in_c(res):
    _same_sections(res)


def _frames(roots: list[Path], fast: bool, monkeypatch) -> dict[str, pd.DataFrame]:
    for module in USERS:
        monkeypatch.setattr(module, "_FAST", FAST if fast else None)
    estate = iacviz.load(*roots, cache=False)
    return {name: frame for name, frame in estate.frames().items()}


@pytest.mark.skipif(not (CORPUS / "manifest.tsv").is_file(), reason="shared corpus not present")
def test_the_corpus_estate_is_the_same_built_with_the_c_walks(monkeypatch):
    python = _frames([CORPUS], False, monkeypatch)
    c = _frames([CORPUS], True, monkeypatch)
    assert python.keys() == c.keys() and len(python["properties"]) > 20_000
    for name in python:
        pd.testing.assert_frame_equal(c[name], python[name], check_exact=True, obj=name)


def test_without_the_build_the_python_walks_run():
    # IACVIZ_PURE_WALKS=1, as a build of another INTERFACE or none at all: the Python walks
    code = (
        "import iacviz, iacviz.walks, iacviz.limits, iacviz.model.build as b, iacviz.cfn.shapes as s;"
        "assert iacviz.walks.FAST is None and iacviz.limits._FAST is None and b._FAST is None and s._FAST is None;"
        "e = iacviz.load(iacviz.data.sample_estate(), cache=False); print(len(e.properties))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "IACVIZ_PURE_WALKS": "1"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == len(iacviz.load(iacviz.data.sample_estate(), cache=False).properties) > 0


def test_a_build_of_another_interface_is_not_used(monkeypatch):
    # a module left from older source (without sections(), say) must not be trusted
    stale = type(sys)("iacviz._walks")
    stale.INTERFACE = walks._INTERFACE - 1  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "iacviz._walks", stale)
    monkeypatch.delenv("IACVIZ_PURE_WALKS", raising=False)
    assert walks._fast_walks() is None
    stale.INTERFACE = walks._INTERFACE  # type: ignore[attr-defined]
    assert walks._fast_walks() is stale


def test_a_shape_check_that_empties_the_function_walked_is_survived():
    # The shape check is Python code (here through str() of a key): it may change the one-key
    # mapping being walked. The C walk holds the function's key and value over it, as the
    # Python walk's locals do; it crashed the process before. In a child: a crash is an exit
    # code. (The answers may differ: the C walk hands this value back to the Python walk,
    # which meets the already emptied mapping; no template read from text can do this.)
    code = """
from iacviz.cfn.shapes import checked_references
holder = {}
class Evil:
    def __str__(self):
        holder["node"].clear()
        [[i] * 5 for i in range(2000)]
        return "x"
    def __hash__(self):
        return 1
node = {"Ref": {Evil(): [1, 2, 3]}}
holder["node"] = node
left = []
print(len(list(checked_references([node], "/p", left))), len(left))
"""
    for pure in ("0", "1"):
        env = {**os.environ, "PYTHONPATH": str(ROOT), "IACVIZ_PURE_WALKS": pure}
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.split()[0] == "0"  # a mapping for Ref: no reference
