"""Scripts that read exports and outputs with the AWS CLI or SDK: imports with via "script".

The estates are laid out as a repository is: templates under ``infra/``, a ``buildspec.yml``
at the root, shell scripts under ``scripts/``, a Makefile, GitHub workflows, a CodeDeploy
bundle with its ``appspec.yml`` hook scripts.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

import iacviz
from iacviz.limits import MAX_SCRIPT_BYTES
from iacviz.sources.scripts import scan_scripts
from estate_files import write

DATA = """\
Resources:
  Assets:
    Type: AWS::S3::Bucket
  Jobs:
    Type: AWS::SQS::Queue
Outputs:
  AssetsBucketName:
    Value: !Ref Assets
    Export: {Name: !Sub '${AWS::StackName}-AssetsBucketName'}
  JobsQueueArn:
    Value: !GetAtt Jobs.Arn
    Export: {Name: !Sub '${AWS::StackName}-JobsQueueArn'}
  JobsQueueUrl:
    Value: !Ref Jobs
"""
WORKER = """\
Resources:
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: worker
      EventSourceArn: !ImportValue shop-data-JobsQueueArn
"""
BUILDSPEC = """\
version: 0.2
env:
  variables:
    ENV: prod
phases:
  build:
    commands:
      - npm ci && npm run build
      - BUCKET=$(aws cloudformation list-exports --query "Exports[?Name=='shop-data-AssetsBucketName'].Value" --output text)
      - aws s3 sync dist/ "s3://$BUCKET/" --delete
"""
ESTATE_FILE = """\
stacks:
  shop-data: {template: infra/data.yaml}
  shop-worker: {template: infra/worker.yaml}
"""


def _repo(root: Path, buildspec: bool = True) -> Path:
    write(root, "infra/data.yaml", DATA)
    write(root, "infra/worker.yaml", WORKER)
    write(root, "iacviz-estate.yaml", ESTATE_FILE)
    if buildspec:
        write(root, "buildspec.yml", BUILDSPEC)
    return root


def test_a_buildspec_reading_an_export_makes_it_used(tmp_path):
    without = iacviz.load(_repo(tmp_path / "a", buildspec=False), cache=False)
    unused = without.export_problems[without.export_problems.kind == "unused export"]
    assert set(unused.name) == {"shop-data-AssetsBucketName"}

    estate = iacviz.load(_repo(tmp_path / "b"), cache=False)
    assert "shop-data-AssetsBucketName" not in set(
        estate.export_problems[estate.export_problems.kind == "unused export"].name
    )
    imp = estate.imports
    script = imp[imp.via == "script"].iloc[0]
    assert (script["file"], script["line"], script["export_name"]) == ("buildspec.yml", 9, "shop-data-AssetsBucketName")
    assert (script["export_stack"], script["export_output"], script["link"]) == (
        "shop-data",
        "AssetsBucketName",
        "exact",
    )
    assert pd.isna(script["stack"])  # a script is no stack
    ex = estate.exports.set_index("export_name")
    assert ex.loc["shop-data-AssetsBucketName", "script_readers"] == ["buildspec.yml:9"]
    assert ex.loc["shop-data-AssetsBucketName", "n_importers"] == 0  # stacks only


def test_importvalue_rows_say_via_importvalue_with_their_file_and_line(tmp_path):
    estate = iacviz.load(_repo(tmp_path), cache=False)
    row = estate.imports[estate.imports.via == "ImportValue"].iloc[0]
    assert (row["stack"], row["file"], row["line"]) == ("shop-worker", "infra/worker.yaml", 2)


def test_blast_radius_and_refusal_name_the_script(tmp_path):
    root = _repo(tmp_path)
    write(
        root,
        "scripts/jobs.sh",
        "#!/bin/sh\nARN=$(aws cloudformation list-exports \\\n"
        "  --query 'Exports[?Name==`shop-data-JobsQueueArn`].Value' --output text)\n",
    )
    estate = iacviz.load(root, cache=False)
    br = iacviz.blast_radius(estate, "shop-data/Jobs", "replace")
    script = br[br.kind == "script"]
    assert script.logical_id.tolist() == ["scripts/jobs.sh:2"]
    assert script.path.iloc[0].endswith("-Script-> script:scripts/jobs.sh:2")
    out = br[br.logical_id == "Outputs.JobsQueueArn"].iloc[0]
    # The worker stack imports it: CloudFormation refuses, and the script is named beside it.
    assert out["blocked"].startswith("Export shop-data-JobsQueueArn cannot be updated as it is in use by shop-worker")
    assert "also read by script scripts/jobs.sh:2" in out["blocked"]
    # Read by a script alone: CloudFormation refuses nothing, the row is there all the same.
    alone = iacviz.blast_radius(estate, "shop-data/Assets", "delete")
    assert alone[alone.kind == "script"].logical_id.tolist() == ["buildspec.yml:9"]
    assert (alone.blocked == "").all()


def test_plan_names_the_script_of_a_removed_output(tmp_path):
    before = _repo(tmp_path / "before")
    write(
        before,
        "deploy.sh",
        "URL=$(aws cloudformation describe-stacks --stack-name shop-data "
        "--query \"Stacks[0].Outputs[?OutputKey=='JobsQueueUrl'].OutputValue\" --output text)\n",
    )
    after = tmp_path / "after"
    shutil.copytree(before, after)
    (after / "infra/data.yaml").write_text(DATA.replace("  JobsQueueUrl:\n    Value: !Ref Jobs\n", ""))
    plan = iacviz.plan_changes(before, after)
    row = plan[(plan.kind == "output") & (plan.logical_id == "JobsQueueUrl")].iloc[0]
    assert row["action"] == "Remove"
    assert "read by script deploy.sh:1" in row["note"] and "the script breaks" in row["note"]


@pytest.mark.parametrize(
    "rel, text, line, name",
    [
        (
            "Makefile",
            "deploy:\n\tBUCKET=$$(aws cloudformation list-exports --query \"Exports[?Name=='shop-data-AssetsBucketName'].Value\" --output text)\n",
            2,
            "shop-data-AssetsBucketName",
        ),
        (
            ".github/workflows/deploy.yml",
            "jobs:\n  deploy:\n    steps:\n      - run: |\n          aws cloudformation list-exports"
            " | jq -r '.Exports[] | select(.Name==\"shop-data-AssetsBucketName\") | .Value'\n",
            5,
            "shop-data-AssetsBucketName",
        ),
        (
            "tools/sync_assets.py",
            'import boto3\n\nfor page in boto3.client("cloudformation").get_paginator("list_exports").paginate():\n'
            '    for export in page["Exports"]:\n        if export["Name"] == "shop-data-AssetsBucketName":\n'
            '            print(export["Value"])\n',
            5,
            "shop-data-AssetsBucketName",
        ),
        (
            "scripts/env.sh",
            'aws cloudformation list-exports --query "Exports[?Name==\\`shop-$STAGE-AssetsBucketName\\`].Value"\n',
            1,
            "shop-${STAGE}-AssetsBucketName",
        ),
    ],
)
def test_where_scripts_live_and_how_they_quote(tmp_path, rel, text, line, name):
    root = _repo(tmp_path, buildspec=False)
    write(root, rel, text)
    estate = iacviz.load(root, cache=False)
    reads = estate.script_reads
    assert (reads.file.tolist(), reads.line.tolist(), reads.export_name.tolist()) == ([rel], [line], [name])
    row = estate.imports[estate.imports.via == "script"].iloc[0]
    assert row["export_stack"] == "shop-data"
    assert row["link"] == ("exact" if "${" not in name else "inferred")
    assert "shop-data-AssetsBucketName" not in set(estate.export_problems.name)


def test_appspec_hook_script_without_extension_is_read(tmp_path):
    root = _repo(tmp_path, buildspec=False)
    write(
        root,
        "bundle/appspec.yml",
        "version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: hooks/after_install\n      timeout: 300\n",
    )
    write(
        root,
        "bundle/hooks/after_install",
        "#!/bin/bash\naws cloudformation list-exports --query \"Exports[?Name=='shop-data-JobsQueueArn'].Value\"\n",
    )
    reads, _ = scan_scripts(root)
    assert [(r.file, r.line, r.export_name) for r in reads] == [
        ("bundle/hooks/after_install", 2, "shop-data-JobsQueueArn")
    ]


def test_a_script_reading_an_export_nobody_has_is_a_warning(tmp_path):
    root = _repo(tmp_path, buildspec=False)
    write(root, "ci.sh", "aws cloudformation list-exports --query \"Exports[?Name=='shop-gone-Thing'].Value\"\n")
    problems = iacviz.load(root, cache=False).export_problems
    row = problems[problems.name == "shop-gone-Thing"].iloc[0]
    assert (row["kind"], row["severity"], row["source"]) == ("dangling script read", "warning", "ci.sh")
    assert "ci.sh line 1" in row["message"]


def test_the_scan_stays_bounded_and_never_blocks(tmp_path):
    root = _repo(tmp_path, buildspec=False)
    write(root, "big.sh", "#" * (MAX_SCRIPT_BYTES + 10))
    if hasattr(os, "mkfifo"):
        os.mkfifo(root / "pipe.sh")  # opening it for reading would block forever
    reads, notes = scan_scripts(root)
    assert reads == []
    assert {n.source for n in notes} >= {"big.sh"}
    assert all(n.severity == "info" for n in notes)
    estate = iacviz.load(root, cache=False)
    assert "big.sh" in set(estate.errors.source)
    assert len(estate.stacks) == 2
