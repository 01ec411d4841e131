"""Snapshots round-trip a live estate exactly, and DuckDB queries the frames."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from live_helpers import REGION, imports_stubbed_session
from pandas.testing import assert_frame_equal

from iacviz.model.live import load_live
from iacviz.model.load import read_snapshot
from iacviz.model.snapshot import sql, to_parquet
from iacviz.schema import frame
from iacviz.sources.live import read_live


@pytest.fixture(scope="module")
def live(demo_account):
    return load_live(
        imports_stubbed_session(demo_account), regions=[REGION], endpoint_url=demo_account.endpoint_url, progress=False
    )


def test_live_estate_round_trips(live, tmp_path, demo_account):
    live.to_parquet(tmp_path)  # Estate.to_parquet is snapshot.to_parquet
    back = read_snapshot(tmp_path)
    assert set(back.frames()) == set(live.frames())
    for name, df in live.frames().items():
        assert_frame_equal(getattr(back, name), df, check_exact=True, obj=name)
    assert back.raw_stacks == live.raw_stacks
    assert (tmp_path / "stacks" / f"account={demo_account.account}" / f"region={REGION}").is_dir()
    assert (tmp_path / "unmanaged" / f"account={demo_account.account}").is_dir()
    # every frame is partitioned by its stack's account and region, so scans of accounts merge
    assert list((tmp_path / "resources" / f"account={demo_account.account}" / f"region={REGION}").glob("*.parquet"))
    # a snapshot is a valid previous state for a refresh: nothing changed, no template fetched
    again = read_live(
        demo_account.session(),
        regions=[REGION],
        endpoint_url=demo_account.endpoint_url,
        include=("templates", "resources"),
        since=back,
        progress=False,
    )
    assert again.api_calls["GetTemplate"] == 0


def test_odd_object_values_and_dtypes_round_trip(tmp_path):
    frames = {
        "stacks": frame(
            "stacks",
            [
                {
                    "stack": "a",
                    "account": "1",
                    "region": "eu-west-1",
                    "n_resources": 3,
                    "stack_dependencies": ["b", "c"],
                },
                {"stack": "b", "account": None, "region": "", "stack_dependencies": []},
            ],
        ),
        "odd": pd.DataFrame(
            {
                "value": [
                    None,
                    float("nan"),
                    pd.NA,
                    (1, "x"),
                    {1: "int key"},
                    {"__iacviz__": "not a tag"},
                    dt.date(2024, 1, 2),
                    [{"Fn::Sub": "${A}"}, None, 1.5, True],
                ],
                "n": pd.array([1, None, 3, 4, 5, 6, 7, 8], dtype="Int64"),
                "s": pd.array(["a", None, "c", "d", "e", "f", "g", "h"], dtype="string"),
                "f": [0.1, None, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
            }
        ),
    }
    to_parquet(frames, tmp_path)
    back = read_snapshot(tmp_path)
    for name, df in frames.items():
        assert_frame_equal(getattr(back, name), df, check_exact=True, obj=name)


def test_sql_over_the_frames(live):
    counts = sql(live, "select stack, count(*) as n from resources group by stack order by stack")
    assert dict(zip(counts["stack"], counts.n)) == live.resources.groupby("stack").size().to_dict()
    joined = sql(
        live,
        "select count(*) as n from resources r join stacks s using (stack) "
        "where s.stack_status = 'CREATE_COMPLETE' and r.physical_id is not null",
    )
    assert joined.n[0] == live.resources.physical_id.notna().sum()
    deps = sql(live, "select stack from stacks where json_array_length(stack_dependencies) > 0")
    assert deps["stack"].tolist() == [s for s, d in zip(live.stacks["stack"], live.stacks.stack_dependencies) if d]
    assert sql(live, 'select count(*) as n from "references"').n[0] == len(live.references)
    assert live.sql("select count(*) as n from unmanaged").n[0] == len(live.unmanaged) >= 3
