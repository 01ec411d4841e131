"""The C token walk of JSON templates (``iacviz/sources/_cfn_json_fast.c``) against the Python path.

The Python path is the definition: ``json.loads`` with a hook refusing repeated keys, and
``cfn_json._scan_tokens`` for the exact line of each section key. The C walk must give exactly
``_scan_tokens``' lines and say whether any object repeats a key, or hand the text back
(``None``); ``load_json`` must then give the same body, lines or TemplateError either way.
Checked on every JSON file of the shared corpus, on random JSON and on hostile cases.

Without the built extension these tests skip; under CI (``CI=true``) they fail instead.
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estate_files import ROOT

from iacviz.errors import TemplateError
from iacviz.sources import cfn_json

CORPUS = ROOT.parent / "shared" / "corpus"
FAST = cfn_json._FAST
IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")
needs_fast = pytest.mark.skipif(FAST is None and not IN_CI, reason="the C token walk is not built here")


def test_ci_reads_json_through_the_c_token_walk():
    if FAST is None and not IN_CI:
        pytest.skip("the C token walk is not built here (python hatch_build.py builds it)")
    assert FAST is not None, "CI=true but iacviz.sources._cfn_json_fast is not importable"


def _outcome(text: str, fast) -> tuple:
    saved = cfn_json._FAST
    cfn_json._FAST = fast
    try:
        body, lines = cfn_json.load_json(text, "t.json")
        return ("read", json.dumps(body), list(lines.items()))
    except TemplateError as exc:
        return ("refused", exc.line, exc.message)
    finally:
        cfn_json._FAST = saved


def _same_both_ways(text: str) -> bool:
    """Assert the C walk agrees with _scan_tokens and load_json reads `text` the same with and
    without it; True when the C walk answered itself."""
    assert _outcome(text, FAST) == _outcome(text, None)
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False  # the C walk only sees text json.loads accepted
    found = FAST.scan(text, cfn_json.SECTIONS)
    if found is None:
        return False
    try:
        expected, duplicate = cfn_json._scan_tokens(text, "t.json"), False
    except TemplateError:
        expected, duplicate = None, True
    assert found[1] is duplicate
    if not duplicate:
        assert list(found[0].items()) == list(expected.items())
    return True


@needs_fast
@pytest.mark.skipif(not (CORPUS / "manifest.tsv").is_file(), reason="shared corpus not present")
def test_every_corpus_json_file_reads_the_same_both_ways():
    texts = []
    for path in sorted(CORPUS.rglob("*.json")):
        try:
            texts.append(path.read_text("utf-8"))
        except (UnicodeDecodeError, OSError):
            pass
    took = [_same_both_ways(t) for t in texts]
    assert len(texts) > 150 and sum(took) > 0.9 * len(texts)


HOSTILE = {
    "repeated key": '{"A": 1, "A": 2}',
    "repeated section key": '{"Resources": {\n  "Q": {},\n  "Q": {}\n}}',
    "repeated key deep down": '{"Resources": {"A": {"x": [{"y": 1,\n "y": 2}]}}}',
    "repeated key in a top-level list": '[{"a": 1, "a": 2}]',
    "repeated key, then a syntax error": '{"a": 1, "a": 2} x',
    "repeated key among many": "{" + ", ".join(f'"k{i}": {i}' for i in range(100)) + ', "k7": 0}',
    "many keys, none repeated": "{" + ", ".join(f'"k{i}": {i}' for i in range(100)) + "}",
    "same key in sibling objects": '{"Resources": {"A": {"Type": 1}, "B": {"Type": 2}}}',
    "escaped key": '{"Resources": {"Q\\u0041": {}}}',
    "escaped quote in a value": '{"Outputs": {"O": {"Value": "a\\"b"},\n "P": {}}}',
    "key on the line after its colon": '{\n"Resources"\n:\n{\n"A"\n:\n1}}',
    "windows line ends": '{\r\n  "Resources": {\r\n    "A": {}\r\n  }\r\n}',
    "minified": '{"Parameters":{"P":{"Type":"String"}},"Resources":{"A":{}}}',
    "non-ASCII keys": '{"Outputs": {"é": 1,\n "ü": {"é": 2}}}',
    "section not a mapping": '{"Resources": [{"A": 1}], "Outputs": "x"}',
    "top-level list": "[1, 2]",
    "top-level scalar": "5",
    "NaN": '{"A": NaN}',
    "trailing comma": '{"A": 1,}',
    "lone surrogate escape": '{"A": "\\ud800"}',
    "deep": '{"A": ' + "[" * 2000 + "]" * 2000 + "}",
    "empty": "",
}


@needs_fast
@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_json_reads_the_same_both_ways(text):
    _same_both_ways(text)


def test_a_key_holding_an_escape_is_handed_back():
    if FAST is None:
        pytest.skip("the C token walk is not built here")
    assert FAST.scan('{"Resources": {"Q\\u0041": {}}}', cfn_json.SECTIONS) is None


_keys = st.text(st.characters(codec="utf-8", exclude_characters='"\\\x7f', min_codepoint=32), max_size=6)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(["Resources", "Outputs", "A"]) | _keys, inner, max_size=4)
    ),
    max_leaves=30,
)


@needs_fast
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.dictionaries(st.sampled_from(list(cfn_json.SECTIONS) + ["A"]), _json, max_size=5),
    indent=st.sampled_from([None, 1, 2, 4]),
)
def test_random_json_reads_the_same_both_ways(body, indent):
    _same_both_ways(json.dumps(body, indent=indent, ensure_ascii=False))
