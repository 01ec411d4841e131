"""CodePipeline deploy actions: Deploys references from a pipeline's stack to what it deploys.

The estates are laid out as a repository holding its pipeline is: ``infra/`` templates, a
``pipeline/`` folder with the pipeline stack, an estate file naming the stacks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import iacviz
from iacviz.analysis.graph import deployment_order, stack_cycles, stack_graph
from iacviz.cfn.pipelines import deploy_actions
from estate_files import CORPUS, write

NETWORK = """\
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
Outputs:
  VpcId:
    Value: !Ref Vpc
    Export: {Name: !Sub '${AWS::StackName}-VpcId'}
"""
API = """\
Parameters:
  NetworkStack: {Type: String, Default: shop-network}
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: api
      VpcId: {'Fn::ImportValue': !Sub '${NetworkStack}-VpcId'}
"""
WEB = """\
Parameters:
  Env: {Type: String}
Resources:
  App:
    Type: AWS::ElasticBeanstalk::Application
    Properties: {ApplicationName: shop-web}
  Environment:
    Type: AWS::ElasticBeanstalk::Environment
    Properties:
      ApplicationName: !Ref App
      EnvironmentName: !Sub 'shop-web-${Env}'
      SolutionStackName: 64bit Amazon Linux 2023 v4.0.0 running Python 3.11
  Cluster:
    Type: AWS::ECS::Cluster
  Workers:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !Ref Cluster
      ServiceName: shop-workers
      TaskDefinition: arn:aws:ecs:us-east-1:123456789012:task-definition/workers:1
  DeployApp:
    Type: AWS::CodeDeploy::Application
    Properties: {ApplicationName: shop-batch, ComputePlatform: Server}
  DeployGroup:
    Type: AWS::CodeDeploy::DeploymentGroup
    Properties:
      ApplicationName: !Ref DeployApp
      DeploymentGroupName: batch-prod
      ServiceRoleArn: arn:aws:iam::123456789012:role/codedeploy
"""
PIPELINE = """\
Parameters:
  Env: {Type: String, Default: prod}
  ApiStackName: {Type: String}
Resources:
  ArtifactBucket:
    Type: AWS::S3::Bucket
  Pipeline:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      RoleArn: arn:aws:iam::123456789012:role/pipeline
      ArtifactStore: {Type: S3, Location: !Ref ArtifactBucket}
      Stages:
        - Name: Source
          Actions:
            - Name: Source
              ActionTypeId: {Category: Source, Owner: AWS, Provider: CodeStarSourceConnection, Version: '1'}
              Configuration: {ConnectionArn: arn:aws:codeconnections:us-east-1:123456789012:connection/x,
                              FullRepositoryId: shop/infra, BranchName: main}
              OutputArtifacts: [{Name: SourceOutput}]
        - Name: Deploy
          Actions:
            - Name: Network
              ActionTypeId: {Category: Deploy, Owner: AWS, Provider: CloudFormation, Version: '1'}
              InputArtifacts: [{Name: SourceOutput}]
              Configuration:
                ActionMode: CREATE_UPDATE
                StackName: !Sub 'shop-network'
                TemplatePath: SourceOutput::infra/network.yaml
                RoleArn: arn:aws:iam::123456789012:role/cfn
            - Name: Api
              ActionTypeId: {Category: Deploy, Owner: AWS, Provider: CloudFormation, Version: '1'}
              InputArtifacts: [{Name: SourceOutput}]
              RunOrder: 2
              Configuration:
                ActionMode: CHANGE_SET_REPLACE
                ChangeSetName: api-changes
                StackName: !Ref ApiStackName
                TemplatePath: SourceOutput::services/api/template.yaml
                ParameterOverrides: '{"NetworkStack": "shop-network"}'
            - Name: Web
              ActionTypeId: {Category: Deploy, Owner: AWS, Provider: ElasticBeanstalk, Version: '1'}
              Configuration: {ApplicationName: shop-web, EnvironmentName: !Sub 'shop-web-${Env}'}
            - Name: Workers
              ActionTypeId: {Category: Deploy, Owner: AWS, Provider: ECS, Version: '1'}
              Configuration: {ClusterName: shop, ServiceName: shop-workers, FileName: imagedefinitions.json}
            - Name: Batch
              ActionTypeId: {Category: Deploy, Owner: AWS, Provider: CodeDeploy, Version: '1'}
              Configuration: {ApplicationName: shop-batch, DeploymentGroupName: batch-prod}
            - Name: Reports
              ActionTypeId: {Category: Deploy, Owner: AWS, Provider: CloudFormation, Version: '1'}
              Configuration:
                ActionMode: CREATE_UPDATE
                StackName: shop-reports
                TemplatePath: SourceOutput::reports/reports.yaml
"""
ESTATE_FILE = """\
stacks:
  shop-network: {template: infra/network.yaml}
  shop-web: {template: web/web.yaml, parameters: {Env: prod}}
  shop-pipeline: {template: pipeline/pipeline.yaml}
"""


@pytest.fixture(scope="module")
def estate(tmp_path_factory) -> iacviz.Estate:
    root = tmp_path_factory.mktemp("repo")
    write(root, "infra/network.yaml", NETWORK)
    write(root, "services/api/template.yaml", API)
    write(root, "web/web.yaml", WEB)
    write(root, "pipeline/pipeline.yaml", PIPELINE)
    write(root, "iacviz-estate.yaml", ESTATE_FILE)
    return iacviz.load(root, cache=False)


def _deploys(estate: iacviz.Estate) -> dict[str, tuple]:
    refs = estate.references
    rows = refs[refs.kind == "Deploys"]
    return {
        path.split("/")[5]: (src, source, ts if isinstance(ts, str) else None, t, tk)
        for src, source, path, ts, t, tk in zip(
            rows.source_stack, rows.source, rows.source_path, rows.target_stack, rows.target, rows.target_kind
        )
    }


def test_cloudformation_actions_deploy_stacks(estate):
    got = _deploys(estate)
    # StackName resolved with the pipeline's parameters names the estate stack.
    assert got["0"] == ("shop-pipeline", "Pipeline", "shop-network", "shop-network", "stack")
    # StackName is a parameter with no value: the TemplatePath's file finds the stack.
    assert got["1"][2] == "services-api-template"  # not in the estate file: named after its path
    # A stack the estate does not hold keeps its name and has no target stack.
    assert got["5"] == ("shop-pipeline", "Pipeline", None, "shop-reports", "stack")


def test_other_deploy_providers_link_to_their_resources(estate):
    got = _deploys(estate)
    assert got["2"][2:] == ("shop-web", "Environment", "resource")  # EnvironmentName after ${Env}
    assert got["3"][2:] == ("shop-web", "Workers", "resource")  # ServiceName
    assert got["4"][2:] == ("shop-web", "DeployGroup", "resource")  # DeploymentGroupName


def test_stack_graph_and_deployment_order_put_the_pipeline_first(estate):
    g = stack_graph(estate)
    for deployed in ("shop-network", "services-api-template", "shop-web"):
        assert g.has_edge(deployed, "shop-pipeline")
        assert "Deploys" in g.edges[deployed, "shop-pipeline"]["kinds"]
    order = deployment_order(estate)
    wave = {s: i for i, gen in enumerate(order) for s in gen}
    assert wave["shop-pipeline"] < wave["shop-network"] < wave["services-api-template"]
    assert stack_cycles(estate) == []


def test_deleting_the_deployed_service_breaks_the_pipeline(estate):
    br = iacviz.blast_radius(estate, "shop-web/Workers", "delete")
    row = br[br.logical_id == "Pipeline"].iloc[0]
    assert (row["stack"], row["impact"]) == ("shop-pipeline", "broken")
    assert "-Deploys->" in row["path"]
    # A replacement keeps the service's name: the pipeline still finds it.
    assert "Pipeline" not in set(iacviz.blast_radius(estate, "shop-web/Workers", "replace").logical_id)


def test_a_pipeline_deploying_its_own_importer_is_a_cycle(tmp_path):
    write(tmp_path, "infra/network.yaml", NETWORK)
    write(
        tmp_path,
        "pipeline/pipeline.yaml",
        PIPELINE.replace(
            "ArtifactBucket:\n    Type: AWS::S3::Bucket",
            "ArtifactBucket:\n    Type: AWS::S3::Bucket\n"
            "    Properties: {Tags: [{Key: vpc, Value: !ImportValue shop-network-VpcId}]}",
        ),
    )
    write(
        tmp_path,
        "iacviz-estate.yaml",
        "stacks:\n  shop-network: {template: infra/network.yaml}\n"
        "  shop-pipeline: {template: pipeline/pipeline.yaml}\n",
    )
    estate = iacviz.load(tmp_path, cache=False)
    ((cycle, how),) = stack_cycles(estate)
    assert set(cycle) == {"shop-network", "shop-pipeline"}
    assert "deployed by a pipeline of shop-pipeline" in how


def test_build_only_pipeline_of_the_corpus_deploys_nothing():
    path = CORPUS / "aws-cloudformation+aws-cloudformation-templates/Solutions/CodeBuildAndCodePipeline"
    template = path / "cloudformation-codepipeline-template.yaml"
    if not template.is_file():
        pytest.skip("shared corpus not present")
    estate = iacviz.load(template, cache=False)
    assert "AWS::CodePipeline::Pipeline" in set(estate.resources.type)
    assert not (estate.references.kind == "Deploys").any()


def test_actions_outside_lists_are_ignored():
    assert deploy_actions({"Stages": {"Fn::If": ["C", [], []]}}) == []
    assert deploy_actions({"Stages": [{"Name": "x", "Actions": [None, {"ActionTypeId": "bad"}]}]}) == []


def test_pipeline_template_path_is_relative(tmp_path: Path):
    # TemplatePath "Artifact::./infra/network.yaml" still finds the file.
    write(tmp_path, "infra/network.yaml", NETWORK)
    write(
        tmp_path,
        "ci/pipeline.yaml",
        PIPELINE.replace("StackName: !Sub 'shop-network'", "StackName: !Ref Env").replace(
            "SourceOutput::infra/network.yaml", "SourceOutput::./infra/network.yaml"
        ),
    )
    estate = iacviz.load(tmp_path, cache=False)
    got = _deploys(estate)
    assert got["0"][2] == "network"
