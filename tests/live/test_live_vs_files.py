"""The deployed sample estate, read live, matches the sample estate read from files.

Differences that are not iacviz's: the ``.ebextensions`` stack is Elastic Beanstalk
configuration (not deployed), and CloudFormation names a nested stack
``<parent>-<logical id>-<suffix>`` where the files reader says ``<parent>-<logical id>``:
nested stacks are compared through (parent, parent resource). Imports come from
ListImports, answered for moto by an OperationStubber from what the demo deployed; the
files side computes them independently (iacviz.analysis.exports).
"""

from __future__ import annotations

import pytest
from live_helpers import REGION, imports_stubbed_session

import iacviz
import iacviz.analysis.exports  # registers the exports/imports frames
from iacviz.lab.demo_account import SERVICE_STACK
from iacviz.model.live import load_live

SAMPLE = iacviz.data.sample_estate()


@pytest.fixture(scope="module")
def both(demo_account):
    files = iacviz.load(SAMPLE)
    live = load_live(
        imports_stubbed_session(demo_account), regions=[REGION], endpoint_url=demo_account.endpoint_url, progress=False
    )
    assert SERVICE_STACK in set(live.stacks["stack"])
    repo = {
        name: frame[frame["stack"] != SERVICE_STACK]
        for name, frame in (("stacks", live.stacks), ("resources", live.resources))
    }
    return files, live.replace(**repo)


def _keys(estate) -> dict[str, str]:
    """stack name -> name to compare by (nested stacks: <parent>-<parent resource>)."""
    st = estate.stacks
    return {
        s: (f"{p}-{r}" if isinstance(p, str) else s)
        for s, p, r in zip(st["stack"], st.parent_stack.astype(object), st.parent_resource.astype(object))
    }


def test_same_stacks(both):
    files, live = both
    # a stack with a parameter no file fills (checkout: the pipeline's build supplies them) is not
    # deployable from the repository alone, nor is an .ebextensions folder
    unfilled = set(files.parameters[files.parameters.value_source == "missing"]["stack"])
    deployable = files.stacks[(files.stacks.format != "ebextension") & ~files.stacks["stack"].isin(unfilled)]
    assert "checkout" in unfilled
    assert sorted(_keys(live).values()) == sorted(deployable["stack"])
    nested = live.stacks[live.stacks.parent_stack.notna()]
    # edge's WAF stack and the Amplify project's three category stacks, under the same parents
    in_files = files.stacks[files.stacks.parent_stack.notna()][["parent_stack", "parent_resource"]]
    assert sorted(nested[["parent_stack", "parent_resource"]].values.tolist()) == sorted(in_files.values.tolist())
    assert ["edge", "WafStack"] in in_files.values.tolist() and len(in_files) == 4


def test_same_resources_per_stack(both):
    files, live = both
    key = _keys(live)
    live_res = {
        (key[s], lid, t) for s, lid, t in zip(live.resources["stack"], live.resources.logical_id, live.resources.type)
    }
    fr = files.resources[files.resources.condition_value.fillna(True).astype(bool)]
    fr = fr[fr["stack"].isin(set(key.values()))]
    assert live_res == set(zip(fr["stack"], fr.logical_id, fr.type))
    assert live.resources.physical_id.notna().mean() > 0.9
    assert set(live.resources.resource_status) == {"CREATE_COMPLETE"}


def test_same_exports(both):
    files, live = both
    exported = files.outputs[files.outputs.export_name.notna() & files.outputs["stack"].isin(_keys(live).values())]
    assert set(live.live_exports.export_name) == set(exported.export_name)
    by_stack = set(zip(live.live_exports["stack"].map(_keys(live)), live.live_exports.export_name))
    assert by_stack == set(zip(exported["stack"], exported.export_name))


def test_same_imports(both):
    files, live = both
    key = _keys(live)
    got = set(zip(live.live_imports.importing_stack.map(key), live.live_imports.export_name))
    imports = files.imports[files.imports["stack"].isin(set(key.values())) & (files.imports.link == "exact")]
    assert got == set(zip(imports["stack"], imports.export_name))
    assert len(got) > 20
