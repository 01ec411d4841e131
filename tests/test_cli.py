"""The command line: every subcommand through iacviz.cli.main, its formats and its exit codes."""

from __future__ import annotations

import io
import json
import re
import textwrap
from pathlib import Path

import pandas as pd
import pytest

import iacviz
from iacviz import cli
from iacviz.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = str(ROOT / "data" / "sample-estate")
RELEASE_2 = str(ROOT / "data" / "scenarios" / "release-2")
COMMANDS = ("review", "plan", "exports", "blast", "wire", "snapshot", "demo-account")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def net(tmp_path):
    """A tiny estate: a VPC whose CIDR is a parameter, exported to one importer."""
    (tmp_path / "net.yaml").write_text(
        textwrap.dedent("""\
        Parameters: {Cidr: {Type: String, Default: 10.0.0.0/16}}
        Resources:
          Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: !Ref Cidr}}
        Outputs:
          VpcId: {Value: !Ref Vpc, Export: {Name: net-VpcId}}
        """)
    )
    (tmp_path / "app.yaml").write_text(
        textwrap.dedent("""\
        Resources:
          Sg:
            Type: AWS::EC2::SecurityGroup
            Properties: {GroupDescription: app, VpcId: !ImportValue net-VpcId}
        """)
    )
    return tmp_path


# -- help, docs, usage -------------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(capsys, command):
    code, out, _ = run(capsys, command, "--help")
    assert code == 0 and out.startswith(f"usage: iacviz {command}")


def test_every_command_and_option_is_documented():
    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) == set(COMMANDS)
    for name, p in sub.choices.items():
        assert f"iacviz {name}" in doc, f"docs/cli.md does not show `iacviz {name}`"
        for action in p._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help":
                    assert flag in doc, f"docs/cli.md does not document {name} {flag}"
    for code in ("0", "1", "2", "3"):
        assert re.search(rf"\|\s*`?{code}`?\s*\|", doc), f"exit code {code} missing from docs/cli.md"
    assert "Exit codes" in cli.__doc__


def test_usage_errors_exit_2(capsys, net):
    assert run(capsys)[0] == 2  # no command
    assert run(capsys, "review", str(net), "--format", "yaml")[0] == 2
    assert run(capsys, "review")[0] == 2  # no PATH, no --live
    code, _, err = run(capsys, "plan", str(net), str(net), "--parameters", "Cidr")
    assert code == 2 and "Key=value" in err
    assert run(capsys, "snapshot", str(net))[0] == 2  # -o is required


def test_input_errors_exit_3(capsys, net, tmp_path):
    code, _, err = run(capsys, "review", str(tmp_path / "missing"))
    assert code == 3 and "no such file or folder" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run(capsys, "exports", str(empty))[0] == 3  # no stacks
    code, _, err = run(capsys, "review", str(net), "--disable", "W9999")
    assert code == 3 and "unknown rule id W9999" in err
    code, _, err = run(capsys, "blast", str(net), "net/Nope")
    assert code == 3 and "unknown target" in err
    (net / "broken.yaml").write_text("Resources:\n  Q: {Type: AWS::SQS::Queue\n")
    assert run(capsys, "review", str(net))[0] == 0  # a read error is a warning...
    assert run(capsys, "review", str(net), "--strict")[0] == 3  # ...unless --strict


# -- review ------------------------------------------------------------------------------------


def test_review_table_on_the_sample(capsys):
    code, out, _ = run(capsys, "review", SAMPLE)
    assert code == 0  # the sample has warnings, no errors
    assert "Findings" in out and "W3001" in out and "OrdersTable" in out
    assert "W3001: Set both `DeletionPolicy`" in out  # how to fix, once per rule
    assert re.search(r"\d+ findings: 0 errors, \d+ warnings, \d+ info", out)


def test_review_fail_level(capsys, net):
    assert run(capsys, "review", str(net))[0] == 0  # infos only: replacements one line per stack (I4003)
    assert run(capsys, "review", str(net), "--fail-level", "warning")[0] == 0
    assert run(capsys, "review", str(net), "--fail-level", "info")[0] == 1
    assert run(capsys, "review", str(net), "--fail-level", "never", "--disable", "I4003")[0] == 0
    (net / "app.yaml").write_text((net / "app.yaml").read_text().replace("net-VpcId", "other-VpcId"))
    code, out, _ = run(capsys, "review", str(net))
    assert code == 1 and "E2002" in out  # a dangling import is an error


def test_review_machine_formats(capsys, net):
    code, out, _ = run(capsys, "review", str(net), "--format", "json")
    records = json.loads(out)
    assert code == 0 and {r["rule_id"] for r in records} == {"I4003"}
    assert set(records[0]) == set(iacviz.schema.columns("findings"))
    code, out, _ = run(capsys, "review", str(net), "--format", "csv")
    df = pd.read_csv(io.StringIO(out))
    assert list(df.columns) == iacviz.schema.columns("findings") and len(df) == len(records)
    code, out, _ = run(capsys, "review", str(net), "--format", "markdown", "--disable", "I4003")
    assert out.startswith("| rule_id | severity |") and out.count("\n") == 2  # header only


def test_review_writes_the_html_report(capsys, net, tmp_path):
    target = tmp_path / "out" / "report.html"
    target.parent.mkdir()
    code, out, err = run(capsys, "review", str(net), "-o", str(target), "--title", "Net <review>")
    assert code == 0 and "findings" in err and out == ""
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<title>Net &lt;review&gt;</title>" in page
    md = tmp_path / "findings.md"
    assert run(capsys, "review", str(net), "-o", str(md))[0] == 0
    assert md.read_text().startswith("| rule_id |")  # the suffix picks the format


def test_review_reads_a_snapshot(capsys, net, tmp_path):
    snap = tmp_path / "snap"
    assert run(capsys, "snapshot", str(net), "-o", str(snap))[0] == 0
    code, out, _ = run(capsys, "review", str(snap), "--format", "json")
    assert code == 0 and any(r["stack"] == "net" and "Vpc" in r["message"] for r in json.loads(out))


# -- plan --------------------------------------------------------------------------------------


def test_plan_release_2_fails_on_listed_conditions(capsys):
    code, out, err = run(capsys, "plan", SAMPLE, RELEASE_2, "--fail-on", "replacement,data-loss,blocked")
    assert code == 1 and "Planned changes" in out and "Db" in out
    assert "fail-on data-loss: data/Db" in err and "fail-on blocked: network/AppSecurityGroup" in err
    code, out, _ = run(capsys, "plan", SAMPLE, RELEASE_2, "--format", "json")
    assert code == 0  # no --fail-on: the plan is only reported
    rows = {(r["stack"], r["logical_id"]): r for r in json.loads(out)}
    assert rows[("data", "Db")]["will_replace"] is True
    assert rows[("orders-api", "CreateOrderFunction")]["replacement"] == "False"


def test_plan_parameters_and_formats(capsys, net):
    code, out, _ = run(capsys, "plan", str(net), str(net))
    assert code == 0 and "No changes." in out
    code, out, err = run(
        capsys,
        "plan",
        str(net),
        str(net),
        "--after-parameters",
        "Cidr=10.1.0.0/16",
        "--format",
        "csv",
        "--fail-on",
        "replacement",
    )
    df = pd.read_csv(io.StringIO(out))
    assert code == 1 and "replacement: net/Vpc (AWS::EC2::VPC) will be replaced" in err
    assert ("net", "Vpc", "Modify") in set(zip(df["stack"], df.logical_id, df.action))
    code, out, _ = run(
        capsys,
        "plan",
        str(net),
        str(net),
        "--parameters",
        "net/Cidr=10.2.0.0/16",
        "--format",
        "markdown",
        "--fail-on",
        "replacement",
    )
    assert code == 0 and out.startswith("| stack |")  # same value on both sides: nothing changes
    # The two shapes mix: the stack's own value wins over the estate-wide one, on its side only.
    code, _, err = run(
        capsys,
        "plan",
        str(net),
        str(net),
        "--parameters",
        "Cidr=10.4.0.0/16",
        "--before-parameters",
        "net/Cidr=10.3.0.0/16",
        "--fail-on",
        "replacement",
    )
    assert code == 1 and "net/Vpc" in err
    code, _, err = run(
        capsys,
        "plan",
        str(net),
        str(net),
        "--parameters",
        "Cidr=10.4.0.0/16",
        "--after-parameters",
        "Cidr=10.4.0.0/16",
        "--fail-on",
        "replacement",
    )
    assert code == 0
    code, _, err = run(capsys, "plan", str(net), str(net), "--parameters", "/Cidr=x")
    assert code == 2 and "stack/Key=value" in err


# -- exports, blast ----------------------------------------------------------------------------


def test_exports_formats(capsys):
    code, out, _ = run(capsys, "exports", SAMPLE, "--format", "json")
    exports = {r["export_name"]: r for r in json.loads(out)}
    assert code == 0 and len(exports) == 29  # 25 of the shop, 4 of the Amplify project's root
    assert exports["shop-network-PrivateSubnetIds"]["n_importers"] == 4
    code, out, _ = run(capsys, "exports", SAMPLE, "--format", "csv", "--show", "imports")
    df = pd.read_csv(io.StringIO(out))
    # the Amplify project's stacks are placed (account and region from team-provider-info), the
    # shop's are not: two places, so the table says where each importing stack is
    assert list(df.columns) == ["stack", "account_region", "source", "export_name", "export_stack", "link"]
    assert set(df.link) <= {"exact", "inferred"}
    code, out, _ = run(capsys, "exports", SAMPLE, "--show", "problems", "--format", "json")
    assert [p["kind"] for p in json.loads(out)] == ["unused export"] * 5
    code, out, _ = run(capsys, "exports", SAMPLE)
    assert "Exports" in out and "shop-network-VpcId" in out


def test_blast(capsys, net):
    code, out, _ = run(capsys, "blast", str(net), "net/Vpc", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and [(r["stack"], r["logical_id"], r["impact"]) for r in rows][:2] == [
        ("net", "Vpc", "replaced"),
        ("net", "Outputs.VpcId", "updated"),
    ]
    assert any(r["stack"] == "app" and r["logical_id"] == "Sg" for r in rows)
    code, out, _ = run(capsys, "blast", str(net), "net/Vpc", "--change", "delete")
    assert code == 0 and "Blast radius of delete net/Vpc" in out and "deleted" in out


# -- snapshot and live, demo account -----------------------------------------------------------


def test_snapshot_from_paths_round_trips(capsys, net, tmp_path):
    snap = tmp_path / "snap"
    code, out, _ = run(capsys, "snapshot", str(net), "-o", str(snap))
    assert code == 0 and "2 stacks" in out
    from iacviz.model.load import read_snapshot

    assert sorted(read_snapshot(snap).stacks["stack"]) == ["app", "net"]


def test_snapshot_and_review_of_a_live_account_call_load_live(capsys, monkeypatch, net, tmp_path):
    import iacviz.model.live as live

    calls = []

    def fake_load_live(**kwargs):
        calls.append(kwargs)
        return iacviz.load(net)

    monkeypatch.setattr(live, "load_live", fake_load_live)
    code, _, _ = run(
        capsys,
        "snapshot",
        "--profile",
        "ro",
        "--region",
        "eu-west-1",
        "--endpoint-url",
        "http://127.0.0.1:5000",
        "-o",
        str(tmp_path / "live-snap"),
    )
    assert code == 0
    assert {k: calls[0][k] for k in ("profile", "regions", "endpoint_url")} == {
        "profile": "ro",
        "regions": ["eu-west-1"],
        "endpoint_url": "http://127.0.0.1:5000",
    }
    code, out, _ = run(capsys, "review", "--live", "/us-east-1", "--format", "json")
    assert code == 0 and calls[1]["profile"] is None and calls[1]["regions"] == ["us-east-1"]
    assert run(capsys, "review", "--live", "eu-west-1")[0] == 2  # PROFILE/REGION
    assert run(capsys, "snapshot", str(net), "--region", "eu-west-1", "-o", str(tmp_path / "x"))[0] == 2


def test_demo_account_passes_its_options(capsys, monkeypatch):
    from iacviz.lab import demo_account

    seen = []
    monkeypatch.setattr(demo_account, "main", lambda argv: seen.append(argv) or 0)
    assert run(capsys, "demo-account", "--port", "5123")[0] == 0
    assert seen[0][0].endswith("sample-estate") and seen[0][1:] == ["--region", "us-east-1", "--port", "5123"]


def test_python_dash_m_iacviz(tmp_path):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "iacviz", "exports", "--help"], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0 and done.stdout.startswith("usage: iacviz exports")
