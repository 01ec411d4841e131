"""review(lint=True) and `iacviz review --lint`: cfn-lint's rules beside iacviz's own."""

from __future__ import annotations

import io
import json
import socket
import textwrap

import pytest

import iacviz
from iacviz.cli import main

# A misspelt property (cfn-lint E3002) and a table protected on deletion only (cfn-lint W3011,
# iacviz W3001: UpdateReplacePolicy defaults to Delete).
TEMPLATE = textwrap.dedent("""\
    AWSTemplateFormatVersion: "2010-09-09"
    Description: lint fixture
    Resources:
      Logs:
        Type: AWS::S3::Bucket
        Properties:
          BucketNam: shop-logs
      Table:
        Type: AWS::DynamoDB::Table
        DeletionPolicy: Retain
        Properties:
          BillingMode: PAY_PER_REQUEST
          KeySchema: [{AttributeName: id, KeyType: HASH}]
          AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
    """)


def _line_of(text: str, needle: str) -> int:
    return text.splitlines().index(needle) + 1


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "data.yaml").write_text(TEMPLATE)
    return tmp_path


@pytest.fixture
def offline(monkeypatch):
    """Any attempt to open a network connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_cfn_lint_finding_appears_with_its_line(folder, offline):
    estate = iacviz.load(folder)
    found = iacviz.review(estate, lint=True)
    typo = found[found.rule_id == "cfn-lint:E3002"]
    assert len(typo) == 1
    row = typo.iloc[0]
    assert (row.stack, row.logical_id, row.severity) == ("data", "Logs", "error")
    assert "BucketNam" in row.message
    assert row.line == _line_of(TEMPLATE, "  Logs:")
    assert "E3002" in row.fix
    # Lint is opt-in: without it no cfn-lint finding and no line.
    plain = iacviz.review(estate)
    assert not plain.rule_id.str.startswith("cfn-lint:").any()
    assert plain.line.isna().all()


def test_same_thing_said_twice_is_one_finding_naming_both(folder):
    found = iacviz.review(iacviz.load(folder), lint=True)
    about_table = found[found.logical_id == "Table"]
    assert about_table.rule_id.tolist() == ["W3001"]  # cfn-lint's W3011 joined it
    assert "cfn-lint:W3011" in about_table.iloc[0].message
    assert about_table.iloc[0].line == _line_of(TEMPLATE, "  Table:")
    # With W3001 switched off, cfn-lint's finding stands on its own.
    alone = iacviz.review(iacviz.load(folder), lint=True, disable=["W3001"])
    assert alone[alone.logical_id == "Table"].rule_id.tolist() == ["cfn-lint:W3011"]


def test_lint_reads_sam_before_expansion(tmp_path):
    sam = textwrap.dedent("""\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: index.handler
              Runtime: python3.12
              InlineCode: "def handler(e, c): pass"
              MemorySize: 1
        """)
    (tmp_path / "api.yaml").write_text(sam)
    found = iacviz.review(iacviz.load(tmp_path), lint=True)
    lint = found[found.rule_id.str.startswith("cfn-lint:")]
    # MemorySize below 128 is cfn-lint's complaint about the function written in the file.
    assert (lint.logical_id == "Fn").any(), lint[["rule_id", "logical_id", "message"]]
    assert set(lint.line[lint.logical_id == "Fn"]) == {_line_of(sam, "  Fn:")}


def test_cli_review_lint(folder, capsys):
    code = main(["review", str(folder), "--lint", "--format", "json"])
    out = capsys.readouterr().out
    rows = json.loads(out) if out.strip().startswith("[") else json.load(io.StringIO(out))["findings"]
    by_rule = {r["rule_id"]: r for r in rows}
    assert by_rule["cfn-lint:E3002"]["line"] == _line_of(TEMPLATE, "  Logs:")
    assert code == 1  # an error-level finding fails the default --fail-level
    code = main(["review", str(folder), "--lint"])
    table = capsys.readouterr().out
    assert "cfn-lint:E3002" in table and "BucketNam" in table
    main(["review", str(folder)])
    assert "cfn-lint:" not in capsys.readouterr().out
