"""Every template of the shared corpus, read by iacviz and by cfn-lint (the oracle), compared.

Per template: the resource logical ids, and the resource-to-resource edges cfn-lint's graph
draws (Ref, GetAtt, DependsOn; its Sub edges are labelled Ref or GetAtt by whether the
variable has a dot), against iacviz's ``references``. Known, deliberate differences:

* SAM: cfn-lint (1.58) no longer expands SAM, iacviz does (with aws-sam-translator). So for
  SAM templates every resource cfn-lint sees must be in iacviz's estate either as itself or as
  the ``generated_by`` origin of expanded resources; edges are compared for non-SAM only.
* Templates cfn-lint cannot decode (other tools' tags such as ``!Rain::Embed``, syntax
  errors) must give iacviz an error row naming the file, and no crash.
* cfn-lint's Sub pattern (``[a-zA-Z0-9.]*``) ignores variables with spaces such as
  ``${ Name }``; CloudFormation trims them, so iacviz reports them. Edges cfn-lint misses
  for that reason are accepted when the Sub text holds such a variable.
"""

from __future__ import annotations

import csv
import logging
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest

import iacviz

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
pytestmark = pytest.mark.skipif(not (CORPUS / "manifest.tsv").is_file(), reason="shared corpus not present")

TEMPLATE_KINDS = {"cfn-yaml", "cfn-json", "sam", "multi-stack-group", "nested-parent"}


def _manifest() -> list[dict]:
    if not (CORPUS / "manifest.tsv").is_file():
        return []
    with open(CORPUS / "manifest.tsv", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _path(row: dict) -> Path:
    return CORPUS / (row["repo"].replace("/", "+")) / row["path"]


TEMPLATES = [r for r in _manifest() if r["kind"] in TEMPLATE_KINDS]
CDK_TEMPLATES = [r for r in _manifest() if r["kind"] == "cdk-out" and r["path"].endswith(".template.json")]


@lru_cache(maxsize=None)
def _oracle(path: Path):
    """(resource ids, {(source, target, label)}, decoded ok) as cfn-lint sees the file."""
    from cfnlint.decode import decode
    from cfnlint.graph import Graph
    from cfnlint.template import Template

    logging.getLogger("cfnlint").setLevel(logging.CRITICAL)
    template, matches = decode(str(path))
    if matches or not isinstance(template, dict):
        return None
    resources = template.get("Resources") or {}
    ids = {k for k, v in resources.items() if isinstance(v, dict) and isinstance(v.get("Type"), str)}
    graph = Graph(Template(str(path), template, ["us-east-1"])).graph
    edges = {(s, t, d["label"]) for s, t, d in graph.edges(data=True) if s in ids and t in ids}
    return ids, edges, template


def _ours(estate):
    refs = estate.references
    refs = refs[(refs.target_kind == "resource") & refs.source.isin(set(estate.resources.logical_id))]
    edges = set()
    for source, target, kind, attribute in refs[["source", "target", "kind", "attribute"]].itertuples(index=False):
        if kind == "Sub":
            kind = "Ref" if pd.isna(attribute) else "GetAtt"
        if kind in ("Ref", "GetAtt", "DependsOn"):
            edges.add((source, target, kind))
    return edges


_CFN_TAGS = {
    "Ref",
    "GetAtt",
    "Sub",
    "Join",
    "If",
    "ImportValue",
    "FindInMap",
    "Select",
    "Split",
    "Base64",
    "Cidr",
    "GetAZs",
    "Equals",
    "And",
    "Or",
    "Not",
    "Condition",
    "Transform",
    "ToJsonString",
    "Length",
    "ForEach",
}
_SPACED_SUB = re.compile(r"\$\{\s+[^}]*\}|\$\{[^}]*\s+\}")


@pytest.mark.parametrize("row", TEMPLATES + CDK_TEMPLATES, ids=lambda r: r["path"])
def test_template_matches_cfn_lint(row):
    path = _path(row)
    estate = iacviz.load(path)
    oracle = _oracle(path)
    if oracle is None:
        # cfn-lint refuses the file: iacviz must say why, with the file named, and not crash.
        if estate.stacks.empty:
            assert not estate.errors.empty, "a file cfn-lint rejects must give an error row"
            assert estate.errors.source.str.endswith(path.name).all()
        return
    ids, edges, template = oracle
    if estate.stacks.empty:
        # cfn-lint's decoder accepts any tag; CloudFormation does not, and neither does iacviz:
        # other tools' preprocessor tags (!Rain::Embed) must give a row naming the tag.
        tags = set(estate.errors.message.str.extract(r"unknown tag (!\S+?):", expand=False).dropna())
        assert tags and all(t in path.read_text() for t in tags), estate.errors.to_dict("records")
        assert not any(t[1:] in _CFN_TAGS for t in tags)
        return
    assert len(estate.stacks) == 1, estate.errors.to_dict("records")
    ours_ids = set(estate.resources.logical_id)
    if estate.raw_stacks[0].raw_template is not None:  # SAM: expanded by iacviz only
        origins = set(estate.resources.generated_by.dropna())
        missing = {i for i in ids if i not in ours_ids and i not in origins}
        # The translator drops a few SAM types it turns into other shapes entirely
        # (e.g. a Connector becomes policies on other resources).
        dropped = {i for i in missing if str(template["Resources"][i].get("Type", "")).startswith("AWS::Serverless::")}
        assert missing == dropped, f"resources lost in expansion: {sorted(missing - dropped)}"
        return
    assert ours_ids == ids
    ours = _ours(estate)
    only_lint = edges - ours
    only_ours = ours - edges
    assert not only_lint, f"edges cfn-lint draws that iacviz misses: {sorted(only_lint)[:10]}"
    if only_ours:
        text = path.read_text(errors="replace")
        assert _SPACED_SUB.search(text), f"edges only iacviz draws: {sorted(only_ours)[:10]}"


def test_every_ebextension_reads_without_crash():
    rows = [r for r in _manifest() if r["kind"] == "ebextension"]
    assert rows
    folders = sorted({_path(r).parent for r in rows})
    for folder in folders:
        estate = iacviz.load(folder.parent) if folder.name == ".ebextensions" else iacviz.load(folder)
        assert {"stacks", "errors"} <= set(estate.frames())


def test_cdk_assemblies_give_one_stack_per_stack_artifact():
    import json

    manifests = sorted((CORPUS / "aws+aws-cdk-cli").rglob("manifest.json"))
    assert manifests
    for manifest in manifests:
        if any(m.parent in manifest.parents for m in manifests if m != manifest):
            continue  # a nested assembly: read through its parent
        body = json.loads(manifest.read_text())
        expected = set()

        def walk(folder, body, expected=expected):
            for aid, art in (body.get("artifacts") or {}).items():
                if art.get("type") == "aws:cloudformation:stack":
                    if (folder / art["properties"]["templateFile"]).is_file():
                        expected.add(art["properties"].get("stackName") or aid)
                elif art.get("type") == "cdk:cloud-assembly":
                    sub = folder / art["properties"]["directoryName"]
                    if (sub / "manifest.json").is_file():
                        walk(sub, json.loads((sub / "manifest.json").read_text()), expected)

        walk(manifest.parent, body)
        estate = iacviz.load(manifest.parent)
        assert set(estate.stacks["stack"]) == expected, manifest
