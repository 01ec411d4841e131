"""The C fast path of the YAML reader (``iacviz/sources/_cfn_yaml_fast.c``) against the Python path.

The Python path (``cfn_yaml._load_composed``: libyaml composes nodes, Python builds) is the
definition. The fast path must give exactly its ``(body, lines)``, scalar types included
(``True`` is not ``1``, ``1`` is not ``1.0``), or hand the text back (``None``) so that the Python
path gives its value or TemplateError. Checked on every YAML file of the shared corpus, the
sample data and a generated estate, on random YAML, and on each case it must hand back.

Without the built extension these tests skip; under CI (``CI=true``) they fail instead, so a
green CI run has read YAML through the fast path.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estate_files import ROOT

from iacviz import native
from iacviz.errors import TemplateError
from iacviz.limits import too_deep
from iacviz.sources import cfn_yaml

CORPUS = ROOT.parent / "shared" / "corpus"
FAST = cfn_yaml._FAST
IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def test_ci_reads_yaml_through_the_fast_path():
    if FAST is None and not IN_CI:
        pytest.skip("the C fast path is not built here (python hatch_build.py builds it)")
    assert FAST is not None, "CI=true but iacviz.sources._cfn_yaml_fast is not importable: is libyaml-dev installed?"


needs_fast = pytest.mark.skipif(FAST is None and not IN_CI, reason="the C fast path is not built here")


def _fast(text: str):
    return FAST.load(text, cfn_yaml._plain, cfn_yaml.SHORT_FORMS, cfn_yaml.SECTIONS, cfn_yaml.MAX_DEPTH)


def _outcome(read, text: str):
    try:
        return ("read", read(text, "t.yaml"))
    except TemplateError as exc:
        return ("refused", exc.line, exc.message)
    except Exception as exc:  # e.g. a lone surrogate: PyYAML's own UnicodeEncodeError, unchanged
        return ("raised", type(exc).__name__, str(exc))


def _typed(value):
    """The value with every scalar's type beside it and every dict's key order spelled out."""
    if isinstance(value, dict):
        return ("dict", [(k, _typed(v)) for k, v in value.items()])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_typed(v) for v in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


def _same_both_ways(text: str) -> bool:
    """Assert both paths agree on `text`; True when the fast path read it itself.

    What the fast path reads skips the depth check (``load_yaml_bounded``): so it must never
    read a body nested deeper than the limit."""
    fast = _fast(text)
    assert _typed(_outcome(cfn_yaml.load_yaml, text)) == _typed(_outcome(cfn_yaml._load_composed, text))
    assert fast is None or not too_deep(fast[0])
    return fast is not None


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml", ".template") and p.is_file())


def _texts(paths: list[Path]) -> list[str]:
    out = []
    for path in paths:
        try:
            out.append(path.read_text("utf-8"))
        except (UnicodeDecodeError, OSError):  # refused before any YAML reader sees it
            pass
    return out


@needs_fast
@pytest.mark.skipif(not (CORPUS / "manifest.tsv").is_file(), reason="shared corpus not present")
def test_every_corpus_yaml_file_reads_the_same_both_ways():
    texts = _texts(_yaml_files(CORPUS))
    took = [_same_both_ways(t) for t in texts]
    assert len(texts) > 250
    assert sum(took) > 0.9 * len(texts)  # most real templates never leave the fast path


@needs_fast
def test_sample_data_and_a_generated_estate_read_the_same_both_ways(tmp_path):
    from benchmarks.generate import write_estate

    write_estate(tmp_path, 30, 20, seed=3)
    texts = _texts(_yaml_files(ROOT / "data")) + _texts(_yaml_files(tmp_path))
    took = [_same_both_ways(t) for t in texts]
    assert len(texts) > 50 and sum(took) > 0.9 * len(texts)


@needs_fast
def test_fast_path_values_as_cloudformation_reads_them():
    text = (
        "AWSTemplateFormatVersion: 2010-09-09\n"
        "Parameters:\n"
        "  Env: {Type: String, Default: '1'}\n"
        "Resources:\n"
        "  Bucket:\n"
        "    Type: AWS::S3::Bucket\n"
        "    Properties:\n"
        "      A: [yes, No, 'yes', 1, 1.0, 0755, 1e3, 0x1F, 1:30, ~, '', null, .inf, y, Null]\n"
        "      Arn: !GetAtt Vpc.Outputs.Id\n"
        "      Name: !Sub ['${A}-x', {A: !Ref Env}]\n"
        "      Tags: !If\n"
        "        - Prod\n"
        '        - [{Key: k, Value: "v"}]\n'
        "        - !Ref AWS::NoValue\n"
        "      Text: |\n"
        "        yes\n"
        "  'Quoted':\n"
        "    Type: X\n"
        "Outputs:\n"
        "  Out: {Value: !Ref Bucket}\n"
    )
    body, lines = _fast(text)
    assert body["AWSTemplateFormatVersion"] == "2010-09-09"
    props = body["Resources"]["Bucket"]["Properties"]
    assert _typed(props["A"]) == _typed(
        [True, False, "yes", 1, 1.0, 493, "1e3", 31, 90, None, "", None, math.inf, "y", None]
    )
    assert props["Arn"] == {"Fn::GetAtt": ["Vpc", "Outputs.Id"]}
    assert props["Name"] == {"Fn::Sub": ["${A}-x", {"A": {"Ref": "Env"}}]}
    assert props["Tags"] == {"Fn::If": ["Prod", [{"Key": "k", "Value": "v"}], {"Ref": "AWS::NoValue"}]}
    assert props["Text"] == "yes\n"
    assert list(body["Resources"]) == ["Bucket", "Quoted"]
    assert lines == {"Parameters/Env": 3, "Resources/Bucket": 5, "Resources/Quoted": 17, "Outputs/Out": 20}
    assert list(lines) == ["Parameters/Env", "Resources/Bucket", "Resources/Quoted", "Outputs/Out"]
    assert (body, lines) == cfn_yaml._load_composed(text, "t.yaml")


@needs_fast
def test_a_section_under_a_short_form_still_gets_lines():
    # _node_lines takes any mapping under a section, tagged or not
    text = "Resources: !Transform\n  A: {Type: X}\n"
    assert (
        _fast(text)
        == cfn_yaml._load_composed(text, "t.yaml")
        == ({"Resources": {"Fn::Transform": {"A": {"Type": "X"}}}}, {"Resources/A": 2})
    )


@needs_fast
def test_only_top_level_sections_give_lines():
    text = "Resources:\n  Outputs:\n    Type: X\n    Properties: {Parameters: {A: 1}}\n"
    assert _fast(text)[1] == cfn_yaml._load_composed(text, "t.yaml")[1] == {"Resources/Outputs": 2}


HANDED_BACK = {
    "anchor and alias": "A: &a {x: 1}\nB: *a\n",
    "anchor alone": "A: &a 1\n",
    "merge key": "A: &a {x: 1}\nB:\n  <<: *a\n  y: 2\n",
    "quoted merge key": "Resources:\n  '<<': 1\n",
    "core tag": "A: !!str 1\n",
    "core int tag": "A: !!int '7'\n",
    "non-specific tag": "A: ! 1\n",
    "non-specific tag on a mapping": "A: ! {x: 1}\n",
    "unknown tag, then a syntax error": "A: !Foo 1\nB: [1\n",
    "unknown tag, then a duplicate key": "A: !Foo 1\nA: 2\n",
    "unknown tag, then an alias": "A: !Foo &a 1\nB: *a\n",
    "unknown tag, then a core tag": "A: !Foo 1\nB: !!int x\n",
    "unknown tag, then a second document": "A: !Foo 1\n---\nB: 2\n",
    "unknown tag on a tagged key": "!Foo A: 1\n",
    "unknown tag on the root": "!Foo {A: 1}\n",
    "tagged key": "!Ref A: 1\n",
    "core tagged key": "!!str 80: x\n",
    "sequence key": "? [a]\n: 1\n",
    "mapping key": "? {a: 1}\n: 1\n",
    "empty key": ": 1\n",
    "empty quoted key": "'': 1\n",
    "duplicate key": "A: 1\nA: 2\n",
    "duplicate key in a section": "Resources:\n  A: 1\n  'A': 2\n",
    "syntax error": "A: [1\n",
    "syntax error after the document": "A: 1\nB: 'x\n",
    "two documents": "A: 1\n---\nB: 2\n",
    "empty stream": "",
    "comment only": "# nothing\n",
    "empty document": "---\n",
    "root scalar": "hello\n",
    "root null": "~\n",
    "root list": "- a\n",
    "tagged root": "!Ref {A: 1}\n",
    "root under a core tag": "!!map {A: 1}\n",
    "too deep": "A: " + "[" * 150 + "]" * 150 + "\n",
    "lone surrogate": "A: \ud800\n",
    "control character": "A: \x07\n",
}


@needs_fast
@pytest.mark.parametrize("text", HANDED_BACK.values(), ids=HANDED_BACK.keys())
def test_what_the_fast_path_hands_back_reads_as_the_python_path_reads_it(text):
    assert _fast(text) is None
    assert _typed(_outcome(cfn_yaml.load_yaml, text)) == _typed(_outcome(cfn_yaml._load_composed, text))


# Templates whose only fault is a tag CloudFormation does not know: the fast path refuses them
# itself, with the tag and line of the first one in document order, as the Python path does.
UNKNOWN_TAGS = {
    "unknown tag": ("A: !Rain::Embed x.yaml\n", "!Rain::Embed", 1),
    "unknown tag on a mapping": ("A: !Foo {x: 1}\n", "!Foo", 1),
    "unknown tag on a list": ("A:\n  - 1\n  - !Foo\n    - 2\n", "!Foo", 3),
    "two unknown tags": ("A: 1\nB: !Second 1\nC: !Third {x: !Ref D}\n", "!Second", 2),
    "unknown tag inside a short form": ("A: !If [C, !Foo x, !Ref B]\n", "!Foo", 1),
    "unknown tag in a section": ("Resources:\n  Q:\n    Type: !Rain::Module m.yaml\n", "!Rain::Module", 3),
    "tag directive": ("%TAG !x! tag:x,2000:\n---\nA: !x!Ref B\n", "tag:x,2000:Ref", 3),
    "verbatim tag": ("A: !<tag:example.com,2000:x> 1\n", "tag:example.com,2000:x", 1),
}


@needs_fast
@pytest.mark.parametrize("text, tag, line", UNKNOWN_TAGS.values(), ids=UNKNOWN_TAGS.keys())
def test_an_unknown_tag_is_refused_by_the_fast_path_as_by_the_python_path(text, tag, line):
    assert _fast(text) == (None, tag, line)
    python = _outcome(cfn_yaml._load_composed, text)
    assert python == ("refused", line, f"unknown tag {tag}: not a CloudFormation intrinsic function")
    assert _outcome(cfn_yaml.load_yaml, text) == python


@needs_fast
def test_only_an_exact_str_stays_on_the_fast_path():
    class Text(str):
        pass

    text = Text("A: 1\n")
    assert _fast(text) is None and _fast(str(text)) is not None
    assert _outcome(cfn_yaml.load_yaml, text) == _outcome(cfn_yaml._load_composed, text)


@needs_fast
def test_nesting_up_to_the_limit_stays_on_the_fast_path():
    deep = "A: " + "[" * (cfn_yaml.MAX_DEPTH - 1) + "]" * (cfn_yaml.MAX_DEPTH - 1) + "\n"
    assert _fast(deep) is not None and _same_both_ways(deep)
    deeper = "A: " + "[" * cfn_yaml.MAX_DEPTH + "]" * cfn_yaml.MAX_DEPTH + "\n"
    assert _fast(deeper) is None and not _same_both_ways(deeper)


@needs_fast
@pytest.mark.parametrize("leaf", ["!Ref X", "!GetAtt A.B", "!Sub x", "[1]", "!Join [',', [a]]", "{k: v}", "v"])
@pytest.mark.parametrize("extra", [-2, -1, 0, 1, 2])
def test_short_forms_count_as_levels_of_the_body(leaf, extra):
    # `!Not [...]` is one YAML level but two levels of the body ({"Fn::Not": [...]}): the fast
    # path counts the body's, so whatever it reads is within the limit, and a template the
    # limit refuses is refused whichever path reads it.
    from iacviz.sources.template_text import parse_template

    n = (cfn_yaml.MAX_DEPTH - 1) // 2 + extra
    text = "A: " + "!Not [" * n + leaf + "]" * n + "\n"
    _same_both_ways(text)
    deep = too_deep(cfn_yaml._load_composed(text, "t.yaml")[0])
    assert (_outcome(parse_template, text)[0] == "refused") == deep


# --- random YAML: both paths agree, values and refusals alike --------------------------------------

SCALARS = (
    [
        "x", "yes", "No", "ON", "off", "true", "False", "null", "Null", "~", "", "y", "n", "0", "-0", "+1",
        "1", "1.0", "1.", ".5", "1e3", "1.0e+3", "0755", "0o7", "0x1F", "0b101", "0x_", "1_000", "1:30",
        "-1:30.5", ".inf", "-.Inf", ".nan", ".NaN", "2010-09-09", "12:00:00", "a.b.c", "A.B", "'q'",
        '"d"', "'yes'", '"1"', "'0755'", "a #c", "é", "{}", "[]", "x y", "${A}-b",
    ]
)  # fmt: skip
SCALARS = st.sampled_from(
    SCALARS * 4 + ["!", "&a", "*a", "<<", "a: b", "-", "- x", "? x", "|", ">", "\t", "%", "@x", "`x", "Null:"]
)
# Mostly what the fast path takes, with now and then something it must hand back.
# (sampled_from with repeats: one_of would merge equal branches and lose the weights)
TAGS = st.sampled_from(
    ["", "", "", "", "!Ref ", "!GetAtt ", "!Sub ", "!If ", "!Join "] * 6
    + ["!!str ", "!!int ", "!Foo ", "! ", "&a ", "*a "]
)
KEYS = st.sampled_from(
    ["A", "B", "C", "D", "E", "Resources", "Outputs", "Parameters", "'Q k'", "80", "true", "Null"] * 4
    + ["<<", "", "? a", "'A'", "A", "!Ref A", "!!str A"]
)


@st.composite
def yaml_values(draw, depth: int = 0):
    kind = draw(st.sampled_from(["scalar", "scalar", "flow_seq", "flow_map", "block_map"] if depth < 3 else ["scalar"]))
    tag = draw(TAGS)
    if kind == "scalar":
        return tag + draw(SCALARS)
    if kind == "flow_seq":
        return tag + "[" + ", ".join(draw(st.lists(yaml_values(depth + 1), max_size=3))) + "]"
    if kind == "flow_map":
        pairs = draw(st.lists(st.tuples(KEYS, yaml_values(depth + 1)), max_size=3))
        return tag + "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
    pairs = draw(st.lists(st.tuples(KEYS, yaml_values(depth + 1)), min_size=1, max_size=3))
    indent = "  " * (depth + 1)
    return tag + "".join(f"\n{indent}{k}: {v}" for k, v in pairs)


@st.composite
def yaml_documents(draw):
    pairs = draw(st.lists(st.tuples(KEYS, yaml_values()), min_size=0, max_size=4))
    text = "".join(f"{k}: {v}\n" for k, v in pairs)
    return (
        draw(st.sampled_from(["", "---\n", "%YAML 1.1\n---\n"]))
        + text
        + draw(st.sampled_from(["", "", "", "...\n", "---\nA: 1\n"]))
    )


@needs_fast
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=yaml_documents())
def test_random_yaml_reads_the_same_both_ways(text):
    _same_both_ways(text)


@needs_fast
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_damaged_yaml_reads_the_same_both_ways(data):
    texts = sorted(_texts(_yaml_files(ROOT / "data" / "sample-estate")), key=len)[:20]
    text = data.draw(st.sampled_from(texts))
    at = data.draw(st.integers(0, len(text)))
    op = data.draw(st.sampled_from(["cut", "insert", "delete"]))
    if op == "cut":
        text = text[:at]
    elif op == "insert":
        text = (
            text[:at]
            + data.draw(st.sampled_from([" ", "\n", "-", ":", "'", "&a ", "*a", "!Foo ", "<<: ", "\t", "{"]))
            + text[at:]
        )
    else:
        text = text[:at] + text[at + data.draw(st.integers(1, 10)) :]
    _same_both_ways(text)


# Scanner-level noise: YAML's indicator characters and a few tokens in any order. The fast path
# links the system's libyaml and PyYAML its own copy; this is where two versions would differ.
PIECES = list(" \n\n  -:,[]{}!&*?|>'\"#%@`aAb1.~\t\\_/=+<") + [
    "!Ref ", "!GetAtt ", "!Sub", "Resources:", "\n  ", "\n- ", ": ", "yes", "0x1", "1:3", "---", "...",
    "%YAML 1.1", "%TAG ! tag:x:", "!<tag:x>", "!!str", "é", "\u2028", "\x85", "\ufeff", "\r\n", "\r",
]  # fmt: skip


@needs_fast
@settings(max_examples=500, deadline=None)
@given(prefix=st.sampled_from(["", "A: "]), pieces=st.lists(st.sampled_from(PIECES), min_size=1, max_size=40))
def test_yaml_noise_reads_the_same_both_ways(prefix, pieces):
    _same_both_ways(prefix + "".join(pieces))


def test_pure_yaml_setting_turns_the_fast_path_off():
    code = "from iacviz.sources import cfn_yaml; print(cfn_yaml._FAST is None)"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "IACVIZ_PURE_YAML": "1"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.strip() == "True", done.stderr


@needs_fast
@pytest.mark.parametrize("word", sorted(w for w in cfn_yaml._WORDS if w))
def test_every_yaml_1_1_word_is_resolved_by_the_python_rule(word):
    # The C reader keeps its own list of the words to hand to cfn_yaml._plain (a pre-filter
    # that keeps the call off the common path); a word missing there would stay a string.
    for text in (f"K: {word}\n", f"K: [{word}, x{word}]\n", f"K: !Ref {word}\n"):
        assert _same_both_ways(text)
    assert _fast(f"K: {word}\n")[0]["K"] is cfn_yaml._WORDS[word]


@needs_fast
@pytest.mark.parametrize("first", sorted(cfn_yaml._NUMBER_START))
def test_plain_scalars_starting_like_a_number_are_resolved_by_the_python_rule(first):
    for text in (f"K: {first}1\n", f"K: {first}0x1F\n", f"K: {first}1_0\n", f"K: '{first}'\n"):
        assert _same_both_ways(text)


def test_a_build_from_other_source_is_not_used(monkeypatch):
    # A module left from older source (no INTERFACE: it did not bound the body's depth) or
    # newer source is not trusted: the Python path reads instead.
    import types

    for interface in (None, cfn_yaml._FAST_INTERFACE - 1, cfn_yaml._FAST_INTERFACE + 1):
        stale = types.ModuleType("iacviz.sources._cfn_yaml_fast")
        if interface is not None:
            stale.INTERFACE = interface
        monkeypatch.setattr(native.importlib, "import_module", lambda name, m=stale: m)
        assert cfn_yaml._fast_reader() is None
    current = types.ModuleType("iacviz.sources._cfn_yaml_fast")
    current.INTERFACE = cfn_yaml._FAST_INTERFACE
    monkeypatch.setattr(native.importlib, "import_module", lambda name: current)
    assert cfn_yaml._fast_reader() is current
