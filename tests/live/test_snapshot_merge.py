"""Snapshots of separate scans (one per account, as separate jobs would write them) merge in
one folder; DuckDB reads the folder as a Hive-partitioned dataset with no iacviz in between."""

from __future__ import annotations

import duckdb
import pytest
from live_helpers import REGION

import iacviz
from iacviz.cli import main as cli_main
from iacviz.model.snapshot import to_parquet
from iacviz.lab.demo_account import DEMO_ROLE, SECOND_ACCOUNT, deploy_other_places


@pytest.fixture(scope="module")
def places(demo_account):
    if not demo_account.places:
        deploy_other_places(demo_account)
    return demo_account


@pytest.fixture(scope="module")
def scans(places):
    """One live estate per account, each read on its own (keys unique per scan only)."""
    other = next(p for p in places.places if p.account == SECOND_ACCOUNT)
    return [
        iacviz.load_live(
            s,
            regions=places.regions,
            endpoint_url=places.endpoint_url,
            progress=False,
            include=("templates", "resources", "exports"),
        )
        for s in (places.session(), other.session())
    ]


@pytest.fixture(scope="module")
def folder(scans, tmp_path_factory):
    out = tmp_path_factory.mktemp("merged")
    for estate in scans:
        to_parquet(estate, out)
    return out


def test_each_scan_alone_keys_by_region_only(scans):
    assert "network@123456789012:us-east-1" in set(scans[0].stacks["stack"])
    assert set(scans[1].stacks["stack"]) == {
        "network@210987654321:us-east-1",
        "network@210987654321:us-west-2",
        "data@210987654321:us-east-1",
        "data@210987654321:us-west-2",
    }


def test_merged_scans_read_as_one_estate_with_unique_keys(scans, folder):
    merged = iacviz.read_snapshot(folder)
    assert merged.stacks["stack"].is_unique
    assert len(merged.stacks) == sum(len(s.stacks) for s in scans)
    assert len(merged.resources) == sum(len(s.resources) for s in scans)
    assert set(merged.resources["stack"]) <= set(merged.stacks["stack"])
    assert set(merged.stacks.account) == {"123456789012", SECOND_ACCOUNT}
    # the second scan's keys already named their account: unchanged
    assert set(scans[1].stacks["stack"]) <= set(merged.stacks["stack"])
    # raw stacks follow the keys, so a merged snapshot is still a base for a refresh
    assert sorted(r.name for r in merged.raw_stacks) == sorted(merged.stacks["stack"])


def test_merged_imports_link_inside_their_account_region(folder):
    merged = iacviz.read_snapshot(folder)
    st = merged.stacks.set_index("stack")
    linked = merged.imports[merged.imports.link == "exact"]
    assert len(linked) >= 24  # 6 imports of data x 4 places, plus the main account's others
    for importer, exporter in zip(linked["stack"], linked.export_stack):
        assert tuple(st.loc[importer, ["account", "region"]]) == tuple(st.loc[exporter, ["account", "region"]])
    assert "duplicate export" not in set(merged.export_problems.kind)
    blast = iacviz.blast_radius(merged, f"network@{SECOND_ACCOUNT}:{REGION}/Vpc")
    assert {st.loc[s, "account"] for s in blast["stack"]} == {SECOND_ACCOUNT}


def test_duckdb_reads_the_merged_partitions_directly(scans, folder):
    # hive_types: DuckDB would read account ids as numbers (and drop an id's leading zeros)
    rows = duckdb.sql(f"""
        select account, region, count(*) as n
        from read_parquet('{folder}/resources/**/*.parquet', hive_partitioning = true, hive_types = {{'account': VARCHAR}})
        group by account, region order by account, region""").fetchall()
    expected = {}
    for estate in scans:
        st = estate.stacks.set_index("stack")
        for s in estate.resources["stack"]:
            key = (st.loc[s, "account"], st.loc[s, "region"])
            expected[key] = expected.get(key, 0) + 1
    assert {(a, r): n for a, r, n in rows} == expected
    joined = duckdb.sql(f"""
        select s.stack_name, count(*) as n
        from read_parquet('{folder}/resources/**/*.parquet', hive_partitioning = true, hive_types = {{'account': VARCHAR}}) r
        join read_parquet('{folder}/stacks/**/*.parquet', hive_partitioning = true, hive_types = {{'account': VARCHAR}}) s
          on r.account = s.account and r.region = s.region and r.stack = s.stack
        where s.stack_name = 'network' group by s.stack_name""").fetchall()
    net = sum(len(e.resources[e.resources["stack"].str.startswith("network")]) for e in scans)
    assert joined == [("network", net)]


def test_a_rescan_replaces_its_partitions_only(scans, folder, tmp_path):
    for estate in scans:
        to_parquet(estate, tmp_path)
    to_parquet(scans[1], tmp_path)  # the second account scanned again
    again = iacviz.read_snapshot(tmp_path)
    assert len(again.resources) == sum(len(s.resources) for s in scans)
    assert set(again.stacks["stack"]) == set(iacviz.read_snapshot(folder).stacks["stack"])


def test_cli_scans_one_account_per_run_into_one_folder(places, tmp_path, capsys):
    out = tmp_path / "org"
    regions = ["--region", REGION, "--region", places.regions[1]]
    for account in places.accounts:
        code = cli_main(
            [
                "snapshot",
                "--account",
                account,
                "--role-name",
                DEMO_ROLE,
                *regions,
                "--endpoint-url",
                places.endpoint_url,
                "-o",
                str(out),
            ]
        )
        assert code == 0, capsys.readouterr().err
    merged = iacviz.read_snapshot(out)
    assert set(merged.stacks.account) == set(places.accounts)
    assert merged.stacks["stack"].is_unique
    assert (out / "stacks" / f"account={SECOND_ACCOUNT}" / f"region={REGION}").is_dir()
