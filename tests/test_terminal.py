"""Terminal output: identifiers never cut, the width respected, summaries at the end, progress on stderr."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from iacviz import cli
from iacviz.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = str(ROOT / "data" / "sample-estate")
RELEASE_2 = str(ROOT / "data" / "scenarios" / "release-2")
CDK_NAMES = [
    f"StorefrontNetworkStack:ExportsOutputFnGetAttStorefrontVPC{i}A2B3C4DCidrBlock5AC2C2D9{i}" for i in range(4)
]


@pytest.fixture()
def cdk_like(tmp_path):
    """Export names as CDK writes them: long, no spaces, nothing to break them at."""
    outputs = "\n".join(f"  O{i}: {{Value: !Ref Vpc, Export: {{Name: '{n}'}}}}" for i, n in enumerate(CDK_NAMES))
    (tmp_path / "StorefrontNetworkStack.yaml").write_text(
        "Resources:\n  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}\nOutputs:\n" + outputs + "\n"
    )
    imports = "\n".join(
        f"  Sg{i}: {{Type: AWS::EC2::SecurityGroup, Properties: {{GroupDescription: x, VpcId: !ImportValue '{n}'}}}}"
        for i, n in enumerate(CDK_NAMES)
    )
    (tmp_path / "StorefrontAppStack.yaml").write_text("Resources:\n" + imports + "\n")
    return tmp_path


def run(capsys, monkeypatch, columns: int | None, *argv: str) -> tuple[int, str, str]:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", str(columns))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def column(text: str, name: str) -> str:
    """The cells of one column of a rich table, folded lines joined back, in order."""
    heads = [line.split("┃") for line in text.splitlines() if line.startswith("┃")]
    names = [" ".join(h[j].strip() for h in heads if h[j].strip()) for j in range(len(heads[0]))]
    i = names.index(name)
    return "".join(line.split("│")[i].strip() for line in text.splitlines() if line.startswith("│"))


def first_column(text: str) -> str:
    return column(text, "export_name")


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_exports_never_cut_identifiers_and_fit_columns_when_piped(capsys, monkeypatch, cdk_like, columns):
    code, out, _ = run(capsys, monkeypatch, columns, "exports", str(cdk_like))
    assert code == 0
    assert "…" not in out
    assert max(len(line) for line in out.splitlines()) <= columns
    assert first_column(out) == "".join(sorted(CDK_NAMES))


def test_narrow_terminal_drops_low_value_columns_and_says_so(capsys, monkeypatch, cdk_like):
    _, wide, _ = run(capsys, monkeypatch, 200, "exports", str(cdk_like))
    _, narrow, _ = run(capsys, monkeypatch, 50, "exports", str(cdk_like))
    assert "output" in wide.splitlines()[2] and "left out" not in wide
    assert "output" not in narrow.splitlines()[2] and "left out for width: output" in " ".join(narrow.split())
    # a wider terminal gives a wider table: the width is not fixed
    assert max(map(len, wide.splitlines())) > 120


def test_imports_table_keeps_whole_names(capsys, monkeypatch, cdk_like):
    _, out, _ = run(capsys, monkeypatch, 70, "exports", str(cdk_like), "--show", "imports")
    assert "…" not in out and max(len(line) for line in out.splitlines()) <= 70
    names = column(out, "export_name")
    assert all(name in names for name in CDK_NAMES)


def test_blast_ends_with_a_summary_line(capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, 120, "blast", SAMPLE, "network/AppSecurityGroup")
    last = out.strip().splitlines()[-1]
    assert code == 0
    assert re.fullmatch(
        r"Blast radius of replace network/AppSecurityGroup: \d+ affected in \d+ stacks: "
        r"(\d+ \w+, )*\d+ \w+; \d+ blocked",
        last,
    ), last
    assert int(re.search(r"; (\d+) blocked", last).group(1)) > 0  # the export is in use
    code, out, err = run(capsys, monkeypatch, 120, "blast", SAMPLE, "network/AppSecurityGroup", "--format", "json")
    assert out.lstrip().startswith("[") and "affected in" in err  # the summary stays out of the JSON


def test_plan_names_the_causing_property_and_ends_with_a_summary(capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, 220, "plan", SAMPLE, RELEASE_2)
    assert code == 0
    because = column(out, "because").replace(" ", "")
    assert "DBName(create-only:replaces;changedinthetemplate)" in because
    assert "GroupId(create-only:replaces;changedbyAppSecurityGroup)" in because
    last = out.strip().splitlines()[-1]
    assert re.fullmatch(
        r"\d+ changes \(.*\): \d+ replaced, \d+ may be replaced, \d+ losing data, "
        r"\d+ blocked, \d+ unknowable",
        last,
    ), last
    assert not last.startswith("0 changes")
    # narrow: still the whole logical ids, and the summary
    _, out, _ = run(capsys, monkeypatch, 90, "plan", SAMPLE, RELEASE_2)
    table = out.strip().splitlines()[:-1]  # the summary is one line, whatever its length (for grep)
    assert "…" not in out and max(len(line) for line in table) <= 90
    assert "AppIngressFromLoadBalancer" in column(out, "logical id")


def test_unknowable_dynamic_reference_reads_as_a_sentence(tmp_path, capsys, monkeypatch):
    before = tmp_path / "a"
    after = tmp_path / "b"
    for folder, size in ((before, 20), (after, 30)):
        folder.mkdir()
        (folder / "db.yaml").write_text(
            textwrap.dedent(f"""\
            Resources:
              Db:
                Type: AWS::RDS::DBInstance
                DeletionPolicy: Snapshot
                Properties:
                  Engine: postgres
                  DBInstanceClass: db.t4g.micro
                  AllocatedStorage: "{size}"
                  MasterUsername: admin
                  MasterUserPassword: !Join ["", ["{{{{resolve:secretsmanager:", !ImportValue secret-name,
                                                 ":SecretString:password}}}}"]]
            """)
        )
    code, out, _ = run(capsys, monkeypatch, 250, "plan", str(before), str(after), "--format", "json")
    import json

    (row,) = [r for r in json.loads(out) if r["logical_id"] == "Db"]
    assert (
        row["unknowable"] == "a dynamic reference to Secrets Manager, assembled with Fn::Join, is read at deploy time"
    )


def test_progress_goes_to_stderr_only_when_slow(capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, 120, "exports", SAMPLE, "--format", "json")
    assert code == 0 and "reading templates" not in err  # fast: nothing
    monkeypatch.setattr(cli._Progress, "DELAY", 0.0)
    code, out, err = run(capsys, monkeypatch, 120, "exports", SAMPLE, "--format", "json")
    assert code == 0 and out.lstrip().startswith("[")
    assert f"iacviz: reading templates in {SAMPLE}" in err and "done in" in err
