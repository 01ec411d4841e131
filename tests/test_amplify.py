"""Amplify projects: a Gen 1 project laid out as the Amplify CLI writes one (tests/amplify/notes:
auth, storage, function and a REST API, environments dev and prod in two accounts) loads as
CloudFormation deploys it, a root stack per environment nesting one stack per category
resource, wired by backend-config's ``dependsOn``; Gen 2 projects read their cloud assembly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import iacviz
from iacviz.sources.amplify import live_identity
from estate_files import write

NOTES = Path(__file__).parent / "amplify" / "notes"
DEV, PROD = "amplify-notes-dev-120045", "amplify-notes-prod-131512"
CATEGORIES = ["apinotesapi", "authnotesauth", "functionnotesreader", "storagenotestable"]


@pytest.fixture(scope="module")
def notes():
    return iacviz.load(NOTES, cache=False)


@pytest.fixture
def project(tmp_path):
    """A copy of the notes project to break."""
    return Path(shutil.copytree(NOTES, tmp_path / "notes"))


def _config(project: Path) -> dict:
    return json.loads((project / "amplify/backend/backend-config.json").read_text())


def _save_config(project: Path, config: dict) -> None:
    (project / "amplify/backend/backend-config.json").write_text(json.dumps(config, indent=2))


def test_one_root_stack_per_environment_nesting_each_category_resource(notes):
    st = notes.stacks.set_index("stack")
    for root, account, region, env in (
        (DEV, "111111111111", "eu-west-1", "dev"),
        (PROD, "222222222222", "eu-central-1", "prod"),
    ):
        kids = st[st.parent_stack == root]
        assert sorted(kids.parent_resource) == CATEGORIES
        assert sorted(kids.index) == [f"{root}-{c}" for c in CATEGORIES]
        # account from the StackId ARN, region from Region, environment and app for every stack
        rows = st.loc[[root, *kids.index]]
        assert set(rows.account) == {account} and set(rows.region) == {region}
        assert set(rows.environment) == {env} and set(rows.app) == {"notes"}
    assert len(st) == 10 and pd.isna(st.loc[DEV, "parent_stack"])


def test_category_templates_come_from_build_when_there_and_copies_are_not_stacks(notes):
    sources = dict(zip(notes.stacks["stack"], notes.stacks.source))
    assert sources[f"{DEV}-storagenotestable"].endswith(
        "storage/notestable/build/notestable-cloudformation-template.json"
    )
    assert sources[f"{DEV}-functionnotesreader"].endswith(
        "function/notesreader/notesreader-cloudformation-template.json"
    )
    # the last deployed copy and the CLI's build area hold the same templates: no stack of them
    assert not [s for s in notes.stacks.source if "#current-cloud-backend" in s or "awscloudformation" in s]
    assert notes.errors[notes.errors.severity != "info"].empty, notes.errors.message.tolist()


def test_depends_on_becomes_the_parameters_the_root_passes(notes):
    p = notes.parameters
    fn = p[p["stack"] == f"{DEV}-functionnotesreader"].set_index("name")
    assert fn.loc["storagenotestableArn", "value"] == {"Fn::GetAtt": ["storagenotestable", "Outputs.Arn"]}
    assert fn.loc["storagenotestableName", "value_source"] == "parent"
    # env-specific values of team-provider-info, and the environment's name
    assert fn.loc["s3Key", "value"] == "amplify-builds/notesreader-120045-build.zip"
    assert fn.loc["env", "value"] == "dev"
    root = p[p["stack"] == PROD].set_index("name")
    assert root.loc["DeploymentBucketName", ["value", "value_source"]].tolist() == [f"{PROD}-deployment", "amplify"]
    refs = notes.references
    wired = refs[(refs.source_stack == DEV) & (refs.kind == "GetAtt") & (refs.source == "functionnotesreader")]
    assert sorted(wired.attribute) == ["Outputs.Arn", "Outputs.Name", "Outputs.StreamArn"]
    assert set(wired.target) == {"storagenotestable"}


def test_replacing_the_storage_table_reaches_the_function_of_the_same_environment_only(notes):
    br = iacviz.blast_radius(notes, f"{DEV}-storagenotestable/DynamoDBTable")
    reached = set(zip(br["stack"], br.logical_id))
    assert (f"{DEV}-functionnotesreader", "LambdaFunction") in reached
    assert (f"{DEV}-functionnotesreader", "AmplifyResourcesPolicy") in reached
    assert not [s for s in br["stack"] if s.startswith(PROD)]
    # through the root's wiring, not an import
    path = br.set_index("logical_id").loc["LambdaFunction", "path"]
    assert f"-GetAtt(Outputs.Name)-> {DEV}-functionnotesreader/Parameters.storagenotestableName" in path


def test_without_the_wiring_the_table_reaches_nothing_outside_its_stack(project):
    # what the issue saw: the same templates read as unrelated stacks
    shutil.rmtree(project / "amplify" / "backend" / "awscloudformation")
    shutil.rmtree(project / "amplify" / "#current-cloud-backend")
    (project / "amplify/backend/backend-config.json").rename(project / "backend-config.json.off")
    estate = iacviz.load(project, cache=False)
    table = estate.stacks[estate.stacks.source.str.contains("notestable")]["stack"].iloc[0]
    br = iacviz.blast_radius(estate, f"{table}/DynamoDBTable")
    assert set(br["stack"]) == {table}


def test_every_resource_is_marked_generated_by_amplify(notes):
    assert set(notes.resources.generated_by) == {"amplify"}
    assert len(notes.resources) == 2 * (7 + 3 + 4 + 4 + 1)


def test_a_plan_that_replaces_the_table_modifies_the_function_stack(project, notes):
    # a new table name in parameters.json: TableName is create-only, so the table is replaced
    path = project / "amplify/backend/storage/notestable/build/parameters.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "tableName": "notes2"}))
    plan = iacviz.plan_changes(notes, iacviz.load(project, cache=False)).set_index(["stack", "logical_id"])
    assert plan.loc[(f"{DEV}-storagenotestable", "DynamoDBTable"), "will_replace"]
    # the root passes the table's new name on: the function's nested stack is updated
    assert plan.loc[(DEV, "functionnotesreader"), "action"] == "Modify"


def test_without_team_provider_info_one_root_and_an_info_row(project):
    (project / "amplify/team-provider-info.json").unlink()
    estate = iacviz.load(project, cache=False)
    roots = estate.stacks[estate.stacks.parent_stack.isna()]
    assert roots.stack_name.tolist() == ["amplify-notes"]
    assert roots.environment.isna().all() and roots.account.isna().all()
    assert estate.errors.message.str.contains("no amplify/team-provider-info.json").any()


def test_depends_on_a_resource_backend_config_lacks_is_an_error_with_its_line(project):
    config = _config(project)
    config["function"]["notesreader"]["dependsOn"].append(
        {"category": "storage", "resourceName": "gone", "attributes": ["Arn"]}
    )
    _save_config(project, config)
    estate = iacviz.load(project, cache=False)
    bad = estate.errors[estate.errors.message.str.contains("storage/gone")]
    assert len(bad) == 1  # once, not once per environment
    assert bad.source.iloc[0].endswith("amplify/backend/backend-config.json") and bad.line.iloc[0] > 0
    assert len(estate.stacks) == 10


def test_a_resource_without_template_is_a_warning_and_the_rest_loads(project):
    shutil.rmtree(project / "amplify/backend/auth/notesauth/build")
    estate = iacviz.load(project, cache=False)
    warn = estate.errors[estate.errors.severity == "warning"]
    assert warn.message.str.contains("auth/notesauth: no CloudFormation template").any()
    assert len(estate.stacks) == 8


def test_malformed_backend_config_is_one_error_row(project):
    (project / "amplify/backend/backend-config.json").write_text('{"function": {"notesreader": {,}}}')
    estate = iacviz.load(project, cache=False)
    errs = estate.errors[estate.errors.severity == "error"]
    assert len(errs) == 1 and errs.source.iloc[0].endswith("backend-config.json") and errs.line.iloc[0] == 1
    assert len(estate.stacks) == 2  # the two roots, with their own resources


def test_an_amplify_project_beside_other_stacks_leaves_them_alone(tmp_path):
    shutil.copytree(NOTES, tmp_path / "notes")
    write(
        tmp_path, "net.yaml", "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: {CidrBlock: 10.0.0.0/16}\n"
    )
    estate = iacviz.load(tmp_path, cache=False)
    assert "net" in set(estate.stacks["stack"]) and len(estate.stacks) == 11
    assert estate.stacks.set_index("stack").app.isna()["net"]


# -- Gen 2 ---------------------------------------------------------------------------------

GEN2_STACK = "amplify-d1abcdef-main-branch-0123456789"


def _gen2(top: Path) -> None:
    write(top, "amplify/backend.ts", "import { defineBackend } from '@aws-amplify/backend';\ndefineBackend({});\n")
    write(top, "amplify/package.json", '{"type": "module"}')


def test_gen2_without_a_cloud_assembly_says_how_to_make_one(tmp_path):
    _gen2(tmp_path)
    estate = iacviz.load(tmp_path, cache=False)
    assert estate.stacks.empty
    row = estate.errors[estate.errors.severity == "warning"]
    assert len(row) == 1 and row.source.iloc[0] == "amplify/backend.ts"
    assert "npx ampx sandbox" in row.message.iloc[0] and "cdk synth" in row.message.iloc[0]


def test_gen2_reads_the_sandbox_cloud_assembly(tmp_path):
    _gen2(tmp_path)
    out = tmp_path / ".amplify" / "artifacts" / "cdk.out"
    template = {"Resources": {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"KeySchema": []}}}}
    write(out, f"{GEN2_STACK}.template.json", json.dumps(template))
    manifest = {
        "version": "36.0.0",
        "artifacts": {
            GEN2_STACK: {
                "type": "aws:cloudformation:stack",
                "environment": "aws://unknown-account/unknown-region",
                "properties": {"templateFile": f"{GEN2_STACK}.template.json"},
            }
        },
    }
    write(out, "manifest.json", json.dumps(manifest))
    estate = iacviz.load(tmp_path, cache=False)
    st = estate.stacks.set_index("stack")
    assert st.loc[GEN2_STACK, ["app", "environment", "format"]].tolist() == ["d1abcdef", "main", "cdk"]
    assert estate.resources.generated_by.tolist() == ["amplify"]
    assert estate.errors[estate.errors.severity != "info"].empty


# -- live names and tags -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, tags, expected",
    [
        (DEV, {"user:Application": "notes", "user:Stack": "dev"}, ("notes", "dev")),
        (f"{DEV}-functionnotesreader-1F2G3H4J5K6L", {}, ("notes", "dev")),
        ("amplify-d1abc-feature-x-branch-0a1b2c3d4e-data7D2B1A0F-1QW2E3R4", {}, ("d1abc", "feature-x")),
        (
            "whatever",
            {"amplify:app-id": "d1abc", "amplify:branch-name": "main", "amplify:deployment-type": "branch"},
            ("d1abc", "main"),
        ),
        (
            "amplify-shop-anna-sandbox-0123456789",
            {"amplify:deployment-type": "sandbox", "created-by": "amplify"},
            ("shop", "sandbox-anna"),
        ),
        ("amplify-console-role", {}, None),
        ("network", {"Project": "shop"}, None),
    ],
)
def test_live_stacks_amplify_created_are_recognised(name, tags, expected):
    assert live_identity(name, tags) == expected


def test_a_graphql_api_is_read_from_build_with_its_model_stacks(project):
    config = _config(project)
    config["api"]["notesgql"] = {
        "service": "AppSync",
        "providerPlugin": "awscloudformation",
        # the CLI leaves an AppSync API's auth dependency out of the root: parameters.json has it
        "dependsOn": [{"category": "auth", "resourceName": "notesauth", "attributes": ["UserPoolId"]}],
    }
    _save_config(project, config)
    build = "amplify/backend/api/notesgql/build"
    model_url = {
        "Fn::Join": [
            "/",
            [
                "https://s3.amazonaws.com",
                {"Ref": "S3DeploymentBucket"},
                {"Ref": "S3DeploymentRootKey"},
                "stacks",
                "Note.json",
            ],
        ]
    }
    api = {
        "Parameters": {
            p: {"Type": "String"} for p in ("env", "S3DeploymentBucket", "S3DeploymentRootKey", "AuthCognitoUserPoolId")
        },
        "Resources": {
            "GraphQLAPI": {
                "Type": "AWS::AppSync::GraphQLApi",
                "Properties": {"Name": "notesgql", "AuthenticationType": "API_KEY"},
            },
            "Note": {
                "Type": "AWS::CloudFormation::Stack",
                "Properties": {
                    "TemplateURL": model_url,
                    "Parameters": {"AppSyncApiId": {"Fn::GetAtt": ["GraphQLAPI", "ApiId"]}, "env": {"Ref": "env"}},
                },
            },
        },
        "Outputs": {"GraphQLAPIIdOutput": {"Value": {"Fn::GetAtt": ["GraphQLAPI", "ApiId"]}}},
    }
    model = {
        "Parameters": {"AppSyncApiId": {"Type": "String"}, "env": {"Type": "String"}},
        "Resources": {
            "NoteTable": {
                "Type": "AWS::DynamoDB::Table",
                "Properties": {
                    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                    "BillingMode": "PAY_PER_REQUEST",
                },
            }
        },
    }
    write(project, f"{build}/cloudformation-template.json", json.dumps(api))
    write(project, f"{build}/stacks/Note.json", json.dumps(model))
    params = {
        "S3DeploymentBucket": "amplify-notes-dev-120045-deployment",
        "S3DeploymentRootKey": "amplify-appsync-files/0a1b",
    }
    write(project, f"{build}/parameters.json", json.dumps(params))
    write(project, "amplify/backend/api/notesgql/schema.graphql", "type Note @model { id: ID! }\n")
    estate = iacviz.load(project, cache=False)
    st = estate.stacks.set_index("stack")
    assert st.loc[f"{DEV}-apinotesgql-Note", "parent_stack"] == f"{DEV}-apinotesgql"
    assert st.loc[f"{DEV}-apinotesgql-Note", ["app", "environment"]].tolist() == ["notes", "dev"]
    assert estate.errors[estate.errors.severity != "info"].empty, estate.errors.message.tolist()
    passed = estate.parameters[estate.parameters["stack"] == f"{DEV}-apinotesgql"].set_index("name")
    assert "authnotesauthUserPoolId" not in passed.index
    assert passed.loc["S3DeploymentRootKey", "value"] == "amplify-appsync-files/0a1b"


def test_the_cache_sees_a_new_gen2_assembly(tmp_path):
    from iacviz.sources.files import walk_candidates

    _gen2(tmp_path)
    write(tmp_path / ".amplify" / "artifacts" / "cdk.out", "manifest.json", "{}")
    write(tmp_path / "amplify" / ".config", "project-config.json", "{}")
    seen = {p.relative_to(tmp_path).as_posix() for p in walk_candidates(tmp_path)}
    assert {".amplify/artifacts/cdk.out/manifest.json", "amplify/.config/project-config.json"} <= seen
