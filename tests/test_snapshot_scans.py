"""Several scans in one snapshot folder (issue 11): each account-region belongs to the latest
scan that covers it, rows without a place stay with their own scan, and keys are made unique
when scans merge. Offline: estates from an estate file with ``environments:``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import iacviz
from iacviz.model.snapshot import SCANS, to_parquet

NET = {
    "Parameters": {"Env": {"Type": "String"}},
    "Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}},
    "Outputs": {"VpcId": {"Value": {"Ref": "Vpc"}, "Export": {"Name": "net-VpcId"}}},
}
APP = {
    "Resources": {"Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"VpcId": {"Fn::ImportValue": "net-VpcId"}}}}
}


def _estate(tmp: Path, account: str, regions: list[str], *, broken: bool = False) -> iacviz.Estate:
    """net and app of one account (one environment) in `regions`; `broken` adds an unreadable file."""
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "net.json").write_text(json.dumps(NET))
    (tmp / "app.json").write_text(json.dumps(APP))
    stacks = {"net": {"template": "net.json"}, "app": {"template": "app.json"}}
    if broken:
        (tmp / "bad.json").write_text("{ not json")
        stacks["bad"] = {"template": "bad.json"}
    env = {"account": account, "regions": regions, "parameters": {"Env": account}}
    (tmp / "iacviz-estate.yaml").write_text(json.dumps({"environments": {f"e{account}": env}, "stacks": stacks}))
    return iacviz.load(tmp)


@pytest.fixture
def a(tmp_path):
    return _estate(tmp_path / "a", "111111111111", ["eu-west-1", "us-east-1"], broken=True)


@pytest.fixture
def b(tmp_path):
    return _estate(tmp_path / "b", "222222222222", ["eu-west-1"])


def _places(estate) -> set[tuple[str, str, str]]:
    return set(zip(estate.stacks.stack_name, estate.stacks.account, estate.stacks.region))


def test_two_scans_merge_with_unique_keys_and_scoped_imports(a, b, tmp_path):
    snap = tmp_path / "snap"
    to_parquet(a, snap)
    to_parquet(b, snap)
    merged = iacviz.read_snapshot(snap)
    assert len(list((snap / SCANS).glob("*.json"))) == 2
    assert merged.stacks["stack"].is_unique
    assert _places(merged) == _places(a) | _places(b)
    assert len(merged.resources) == len(a.resources) + len(b.resources)
    # b alone keyed its stacks by plain name; merged, they are qualified like a's
    assert "net" not in set(merged.stacks["stack"])
    assert set(merged.resources["stack"]) <= set(merged.stacks["stack"])
    st = merged.stacks.set_index("stack")
    links = merged.imports[merged.imports.link == "exact"]
    assert len(links) == 3  # one app per account-region, each to the net beside it
    for importer, exporter in zip(links["stack"], links.export_stack):
        assert tuple(st.loc[importer, ["account", "region"]]) == tuple(st.loc[exporter, ["account", "region"]])
    assert "duplicate export" not in set(merged.export_problems.kind)
    # a's read error has no account-region: it stays, as a's own, after b's scan
    assert merged.errors.source.str.contains("bad.json").any()
    assert sorted(r.name for r in merged.raw_stacks) == sorted(merged.stacks["stack"])


def test_a_rescan_replaces_its_own_places_and_nothing_else(a, b, tmp_path):
    snap = tmp_path / "snap"
    to_parquet(a, snap)
    to_parquet(b, snap)
    fixed = _estate(tmp_path / "a2", "111111111111", ["eu-west-1", "us-east-1"])  # bad.json gone
    to_parquet(fixed, snap)
    merged = iacviz.read_snapshot(snap)
    assert len(list((snap / SCANS).glob("*.json"))) == 2  # a's first scan is replaced everywhere: removed
    assert _places(merged) == _places(a) | _places(b)
    assert len(merged.resources) == len(a.resources) + len(b.resources)
    assert not merged.errors.source.str.contains("bad.json").any()


def test_scans_copied_in_from_two_machines_latest_wins(a, b, tmp_path):
    # each job writes its own folder; both folders are copied under one prefix
    first, second, shared = tmp_path / "m1", tmp_path / "m2", tmp_path / "shared"
    to_parquet(a, first)
    to_parquet(b, second)
    to_parquet(_estate(tmp_path / "b2", "222222222222", ["eu-west-1", "us-east-1"]), second)  # b grew a region
    for src in (first, second):
        shutil.copytree(src, shared, dirs_exist_ok=True)
    merged = iacviz.read_snapshot(shared)
    assert merged.stacks["stack"].is_unique
    assert set(merged.stacks.account) == {"111111111111", "222222222222"}
    assert len(merged.stacks) == 4 + 4  # net and app in 2 regions of each account, no duplicate
    # an older scan of b copied in on top (its files are still listed by its manifest): ignored
    old = tmp_path / "m3"
    to_parquet(b, old)
    for scan in (old / SCANS).glob("*.json"):
        scan.rename(scan.with_name("19990101T000000000000-00000000.json"))  # an earlier id
    shutil.copytree(old, shared, dirs_exist_ok=True)
    again = iacviz.read_snapshot(shared)
    assert len(again.stacks) == 8 and again.stacks["stack"].is_unique
    # a's read error has no place; a newer scan of a, copied in, replaces it with a's places
    assert again.errors.source.str.contains("bad.json").any()
    fixed = tmp_path / "m4"
    to_parquet(_estate(tmp_path / "a2", "111111111111", ["eu-west-1", "us-east-1"]), fixed)
    shutil.copytree(fixed, shared, dirs_exist_ok=True)
    latest = iacviz.read_snapshot(shared)
    assert not latest.errors.source.str.contains("bad.json").any()
    assert len(latest.stacks) == 8


def test_one_scan_reads_back_exactly(a, tmp_path):
    to_parquet(a, tmp_path / "snap")
    back = iacviz.read_snapshot(tmp_path / "snap")
    for name in ("stacks", "resources", "properties", "outputs", "errors"):
        assert getattr(back, name).equals(getattr(a, name)), name
