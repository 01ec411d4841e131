"""Expanding SAM imports jsonschema without the optional IRI grammars (iacviz.sources.sam).

Each case runs in a fresh interpreter: what a process imported first decides the outcome."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

EXPAND = """
import sys
from iacviz.sources.sam import expand
t = {"Resources": {"Fn": {"Type": "AWS::Serverless::Function",
     "Properties": {"Runtime": "python3.12", "Handler": "a.h", "CodeUri": "src/"}}}}
body, generated_by = expand(t, {}, "us-east-1")
print(sorted(body["Resources"]))
print("rfc3987_syntax" in sys.modules)  # imported?
print(sys.modules.get("rfc3987_syntax", 0) is None)  # a blocking placeholder left behind?
"""

needs_rfc3987_syntax = pytest.mark.skipif(
    importlib.util.find_spec("rfc3987_syntax") is None, reason="rfc3987-syntax not installed here"
)


def run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@needs_rfc3987_syntax
def test_expanding_sam_first_leaves_the_iri_grammars_unbuilt_and_importable():
    out = run(EXPAND + "import rfc3987_syntax; print(rfc3987_syntax.is_valid_syntax('iri', 'http://x/'))")
    resources, imported, placeholder, usable = out.splitlines()
    assert resources == "['Fn', 'FnRole']"
    assert (imported, placeholder) == ("False", "False")
    assert usable == "True"  # the user can still import it afterwards


@needs_rfc3987_syntax
def test_a_process_that_imported_jsonschema_first_keeps_its_iri_checker():
    out = run("import jsonschema\n" + EXPAND + "print('iri' in jsonschema.FormatChecker.checkers)")
    resources, imported, placeholder, checker = out.splitlines()
    assert (resources, imported, placeholder, checker) == ("['Fn', 'FnRole']", "True", "False", "True")
