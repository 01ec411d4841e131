"""Estates built the way public multi-stack catalogs are built, written for the tests.

:func:`parent_stack_catalog` follows the pattern of the big open-source template catalogs:
every template is a stand-alone stack; a stack that needs another's outputs takes the other
stack's *name* as a ``Parent*Stack`` parameter (with a Description saying which template it is
based on) and imports ``!Sub '${ParentVPCStack}-VPC'``; optional parents default to ``''`` and
their imports sit under ``!If [HasX, ...]``. Several templates export the same names (a 2-AZ
and a 3-AZ VPC, two alert topics, two hosted zones), so nothing links exactly until the user
says which stack each parameter names.

:func:`url_nested_catalog` follows the Quick Start pattern: a parent points at its children
with ``!Sub 'https://${S3Bucket}.s3.${S3Region}.${AWS::URLSuffix}/${KeyPrefix}templates/x.yaml'``
and the child templates sit in the same repository.
"""

from __future__ import annotations

from pathlib import Path

from estate_files import write

AZS = {"vpc-2azs": "AB", "vpc-3azs": "ABC"}


def _vpc(azs: str) -> str:
    subnets = "".join(
        f"""
  Subnet{z}{kind}:
    Type: AWS::EC2::Subnet
    Properties: {{VpcId: !Ref VPC, CidrBlock: !Sub '10.${{ClassB}}.{i * 2 + (kind == "Private")}.0/24'}}"""
        for i, z in enumerate(azs)
        for kind in ("Public", "Private")
    )
    outputs = "".join(
        f"""
  Subnet{z}{kind}:
    Value: !Ref Subnet{z}{kind}
    Export: {{Name: !Sub '${{AWS::StackName}}-Subnet{z}{kind}'}}"""
        for z in azs
        for kind in ("Public", "Private")
    )
    return f"""\
AWSTemplateFormatVersion: '2010-09-09'
Description: 'VPC: public and private subnets in {len(azs)} availability zones'
Parameters:
  ClassB: {{Type: Number, Default: 0, Description: 'Class B of VPC (10.XXX.0.0/16)'}}
Resources:
  VPC:
    Type: AWS::EC2::VPC
    Properties: {{CidrBlock: !Sub '10.${{ClassB}}.0.0/16'}}{subnets}
Outputs:
  VPC:
    Value: !Ref VPC
    Export: {{Name: !Sub '${{AWS::StackName}}-VPC'}}
  CidrBlock:
    Value: !GetAtt VPC.CidrBlock
    Export: {{Name: !Sub '${{AWS::StackName}}-CidrBlock'}}
  SubnetsPrivate:
    Value: !Join [',', [{", ".join(f"!Ref Subnet{z}Private" for z in azs)}]]
    Export: {{Name: !Sub '${{AWS::StackName}}-SubnetsPrivate'}}{outputs}
"""


def _parent(name: str, based_on: str, optional: bool = False) -> str:
    default = " Default: ''," if optional else ""
    return (
        f"  Parent{name}Stack: {{Type: String,{default} Description: 'Stack name of parent {name} stack "
        f"based on {based_on} template.'}}\n"
    )


def _import(prop: str, parent: str, export: str, condition: str | None = None, indent: int = 6) -> str:
    pad = " " * indent
    if condition:
        return (
            f"{pad}{prop}: !If\n{pad}  - {condition}\n{pad}  - Fn::ImportValue: !Sub '${{Parent{parent}Stack}}-"
            f"{export}'\n{pad}  - !Ref 'AWS::NoValue'\n"
        )
    return f"{pad}{prop}: {{'Fn::ImportValue': !Sub '${{Parent{parent}Stack}}-{export}'}}\n"


def _has(parent: str) -> str:
    return f"  Has{parent}: !Not [!Equals [!Ref Parent{parent}Stack, '']]\n"


def parent_stack_catalog(root: Path) -> Path:
    """Write the catalog below `root`; returns `root`: 25 stacks, 65 import sites."""
    for name, azs in AZS.items():
        write(root, f"vpc/{name}.yaml", _vpc(azs))
    write(
        root,
        "vpc/vpc-nat-gateway.yaml",
        "Parameters:\n"
        + _parent("VPC", "vpc/vpc-*azs.yaml")
        + """\
  SubnetZone: {Type: String, Default: A, AllowedValues: [A, B, C]}
Resources:
  EIP: {Type: AWS::EC2::EIP, Properties: {Domain: vpc}}
  NatGateway:
    Type: AWS::EC2::NatGateway
    Properties:
      AllocationId: !GetAtt EIP.AllocationId
      SubnetId: {'Fn::ImportValue': !Sub '${ParentVPCStack}-Subnet${SubnetZone}Public'}
  Route:
    Type: AWS::EC2::Route
    Properties:
      RouteTableId: {'Fn::ImportValue': !Sub '${ParentVPCStack}-Subnet${SubnetZone}Private'}
      DestinationCidrBlock: 0.0.0.0/0
      NatGatewayId: !Ref NatGateway
""",
    )
    for name, desc in (("alert", "email"), ("alert-chatbot", "chat")):
        write(
            root,
            f"operations/{name}.yaml",
            f"""\
Description: 'Operations: alerts by {desc}'
Resources:
  Topic: {{Type: AWS::SNS::Topic}}
Outputs:
  TopicARN:
    Value: !Ref Topic
    Export: {{Name: !Sub '${{AWS::StackName}}-TopicARN'}}
""",
        )
    for name in ("kms-key", "kms-key-legacy"):
        write(
            root,
            f"security/{name}.yaml",
            """\
Resources:
  Key:
    Type: AWS::KMS::Key
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties: {KeyPolicy: {Version: '2012-10-17', Statement: []}}
Outputs:
  KeyArn:
    Value: !GetAtt Key.Arn
    Export: {Name: !Sub '${AWS::StackName}-KeyArn'}
  KeyId:
    Value: !Ref Key
    Export: {Name: !Sub '${AWS::StackName}-KeyId'}
""",
        )
    write(
        root,
        "security/client-sg.yaml",
        "Parameters:\n"
        + _parent("VPC", "vpc/vpc-*azs.yaml")
        + """\
Resources:
  ClientSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: client
"""
        + _import("VpcId", "VPC", "VPC")
        + """\
Outputs:
  ClientSecurityGroup:
    Value: !Ref ClientSecurityGroup
    Export: {Name: !Sub '${AWS::StackName}-ClientSecurityGroup'}
""",
    )
    for zone in ("zone-public", "zone-private"):
        write(
            root,
            f"vpc/{zone}.yaml",
            f"""\
Resources:
  HostedZone: {{Type: AWS::Route53::HostedZone, Properties: {{Name: {zone}.example.com}}}}
Outputs:
  HostedZoneName:
    Value: {zone}.example.com
    Export: {{Name: !Sub '${{AWS::StackName}}-HostedZoneName'}}
  HostedZoneId:
    Value: !Ref HostedZone
    Export: {{Name: !Sub '${{AWS::StackName}}-HostedZoneId'}}
""",
        )
    write(
        root,
        "vpc/vpc-ssh-bastion.yaml",
        "Parameters:\n"
        + _parent("VPC", "vpc/vpc-*azs.yaml")
        + _parent("Alert", "operations/alert.yaml", optional=True)
        + "Conditions:\n"
        + _has("Alert")
        + """\
Resources:
  SecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: bastion
"""
        + _import("VpcId", "VPC", "VPC")
        + """\
  Instance:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-12345678
"""
        + _import("SubnetId", "VPC", "SubnetAPublic")
        + """\
  CPUAlarm:
    Type: AWS::CloudWatch::Alarm
    Condition: HasAlert
    Properties:
      AlarmActions:
      - {'Fn::ImportValue': !Sub '${ParentAlertStack}-TopicARN'}
      MetricName: CPUUtilization
      Namespace: AWS/EC2
      Statistic: Average
      Period: 60
      EvaluationPeriods: 1
      Threshold: 80
      ComparisonOperator: GreaterThanThreshold
Outputs:
  SecurityGroup:
    Value: !Ref SecurityGroup
    Export: {Name: !Sub '${AWS::StackName}-SecurityGroup'}
""",
    )
    # An Aurora cluster whose instances keep no data of their own (the cluster does).
    write(
        root,
        "state/rds-aurora.yaml",
        "Parameters:\n"
        + _parent("VPC", "vpc/vpc-*azs.yaml")
        + _parent("Client", "security/client-sg.yaml")
        + _parent("Alert", "operations/alert.yaml", True)
        + _parent("KmsKey", "security/kms-key.yaml", True)
        + _parent("SSHBastion", "vpc/vpc-ssh-bastion.yaml", True)
        + "Conditions:\n"
        + _has("Alert")
        + _has("KmsKey")
        + _has("SSHBastion")
        + """\
Resources:
  ClusterSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: db
"""
        + _import("VpcId", "VPC", "VPC")
        + """\
      SecurityGroupIngress:
      - IpProtocol: tcp
        FromPort: 5432
        ToPort: 5432
"""
        + _import("SourceSecurityGroupId", "Client", "ClientSecurityGroup", indent=8)
        + """\
  BastionIngress:
    Type: AWS::EC2::SecurityGroupIngress
    Condition: HasSSHBastion
    Properties:
      GroupId: !Ref ClusterSecurityGroup
      IpProtocol: tcp
      FromPort: 5432
      ToPort: 5432
"""
        + _import("SourceSecurityGroupId", "SSHBastion", "SecurityGroup")
        + """\
  SubnetGroup:
    Type: AWS::RDS::DBSubnetGroup
    Properties:
      DBSubnetGroupDescription: db
      SubnetIds: !Split [',', {'Fn::ImportValue': !Sub '${ParentVPCStack}-SubnetsPrivate'}]
  Cluster:
    Type: AWS::RDS::DBCluster
    DeletionPolicy: Snapshot
    UpdateReplacePolicy: Snapshot
    Properties:
      Engine: aurora-postgresql
      DBSubnetGroupName: !Ref SubnetGroup
      StorageEncrypted: true
"""
        + _import("KmsKeyId", "KmsKey", "KeyId", condition="HasKmsKey")
        + """\
  InstanceA:
    Type: AWS::RDS::DBInstance
    Properties:
      DBClusterIdentifier: !Ref Cluster
      DBInstanceClass: db.r5.large
      Engine: aurora-postgresql
  InstanceB:
    Type: AWS::RDS::DBInstance
    Properties:
      DBClusterIdentifier: !Ref Cluster
      DBInstanceClass: db.r5.large
      Engine: aurora-postgresql
  CPUAlarm:
    Type: AWS::CloudWatch::Alarm
    Condition: HasAlert
    Properties:
      AlarmActions:
      - {'Fn::ImportValue': !Sub '${ParentAlertStack}-TopicARN'}
      MetricName: CPUUtilization
      Namespace: AWS/RDS
      Statistic: Average
      Period: 60
      EvaluationPeriods: 1
      Threshold: 80
      ComparisonOperator: GreaterThanThreshold
""",
    )
    # A bucket with an optional virus scan: its import sits under a condition that is false
    # with the default value, and no stack in the catalog exports the name.
    write(
        root,
        "state/s3.yaml",
        "Parameters:\n"
        + _parent("KmsKey", "security/kms-key.yaml", True)
        + _parent("S3VirusScan", "s3-virusscan/template.yaml", True)
        + """\
  Access: {Type: String, AllowedValues: [Private, PublicRead]}
Conditions:
"""
        + _has("KmsKey")
        + _has("S3VirusScan")
        + """\
  IsPublic: !Equals [!Ref Access, PublicRead]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      NotificationConfiguration: !If
        - HasS3VirusScan
        - TopicConfigurations:
          - Event: 's3:ObjectCreated:*'
            Topic: {'Fn::ImportValue': !Sub '${ParentS3VirusScanStack}-ScanTopicArn'}
        - !Ref 'AWS::NoValue'
      BucketEncryption:
        ServerSideEncryptionConfiguration:
        - ServerSideEncryptionByDefault:
            SSEAlgorithm: aws:kms
"""
        + _import("KMSMasterKeyID", "KmsKey", "KeyArn", condition="HasKmsKey", indent=12)
        + """\
  PublicPolicy:
    Type: AWS::S3::BucketPolicy
    Condition: IsPublic
    Properties:
      Bucket: !Ref Bucket
      PolicyDocument:
        Statement:
        - Effect: Allow
          Principal: '*'
          Action: s3:GetObject
          Resource: {'Fn::ImportValue': !Sub '${ParentKmsKeyStack}-KeyArn'}
""",
    )
    # A container cluster in three zones: only the 3-AZ VPC exports everything it needs.
    write(
        root,
        "ecs/cluster.yaml",
        "Parameters:\n"
        + _parent("VPC", "vpc/vpc-*azs.yaml")
        + _parent("Client", "security/client-sg.yaml")
        + _parent("Alert", "operations/alert.yaml", True)
        + "Conditions:\n"
        + _has("Alert")
        + """\
Resources:
  Cluster: {Type: AWS::ECS::Cluster}
  LoadBalancer:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets:
      - {'Fn::ImportValue': !Sub '${ParentVPCStack}-SubnetAPublic'}
      - {'Fn::ImportValue': !Sub '${ParentVPCStack}-SubnetBPublic'}
      - {'Fn::ImportValue': !Sub '${ParentVPCStack}-SubnetCPublic'}
      SecurityGroups:
      - {'Fn::ImportValue': !Sub '${ParentClientStack}-ClientSecurityGroup'}
  AutoScaling:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: '1'
      MaxSize: '3'
      VPCZoneIdentifier:
      - {'Fn::ImportValue': !Sub '${ParentVPCStack}-SubnetAPrivate'}
      - {'Fn::ImportValue': !Sub '${ParentVPCStack}-SubnetBPrivate'}
      - {'Fn::ImportValue': !Sub '${ParentVPCStack}-SubnetCPrivate'}
      NotificationConfigurations: !If
        - HasAlert
        - - TopicARN: {'Fn::ImportValue': !Sub '${ParentAlertStack}-TopicARN'}
            NotificationTypes: ['autoscaling:EC2_INSTANCE_LAUNCH']
        - !Ref 'AWS::NoValue'
  LogGroup:
    Type: AWS::Logs::LogGroup
    Properties: {RetentionInDays: 14}
  Queue:
    Type: AWS::SQS::Queue
  LifecycleHook:
    Type: AWS::AutoScaling::LifecycleHook
    Properties:
      AutoScalingGroupName: !Ref AutoScaling
      LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING'
      NotificationTargetARN: !GetAtt Queue.Arn
      RoleARN: arn:aws:iam::123456789012:role/hook
Outputs:
  Cluster:
    Value: !Ref Cluster
    Export: {Name: !Sub '${AWS::StackName}-Cluster'}
  LoadBalancer:
    Value: !Ref LoadBalancer
    Export: {Name: !Sub '${AWS::StackName}-LoadBalancer'}
""",
    )
    write(
        root,
        "ecs/service.yaml",
        "Parameters:\n"
        + _parent("VPC", "vpc/vpc-*azs.yaml")
        + _parent("Cluster", "ecs/cluster.yaml")
        + _parent("Zone", "vpc/zone-*.yaml")
        + """\
Resources:
  Service:
    Type: AWS::ECS::Service
    Properties:
      Cluster: {'Fn::ImportValue': !Sub '${ParentClusterStack}-Cluster'}
      TaskDefinition: arn:aws:ecs:us-east-1:123456789012:task-definition/app:1
      NetworkConfiguration:
        AwsvpcConfiguration:
          Subnets:
          - {'Fn::ImportValue': !Sub '${ParentVPCStack}-SubnetAPrivate'}
          - {'Fn::ImportValue': !Sub '${ParentVPCStack}-SubnetBPrivate'}
  Record:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneId: {'Fn::ImportValue': !Sub '${ParentZoneStack}-HostedZoneId'}
      Name: !Sub
      - 'app.${Zone}'
      - Zone: {'Fn::ImportValue': !Sub '${ParentZoneStack}-HostedZoneName'}
      Type: CNAME
      TTL: '60'
      ResourceRecords:
      - {'Fn::ImportValue': !Sub '${ParentClusterStack}-LoadBalancer'}
""",
    )
    # Stand-alone templates in several regions' worth of copies: importers of the VPC only.
    for i in range(12):
        write(
            root,
            f"ec2/app-{i}.yaml",
            "Parameters:\n"
            + _parent("VPC", "vpc/vpc-*azs.yaml")
            + _parent("Client", "security/client-sg.yaml")
            + f"""\
Resources:
  SecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: app {i}
"""
            + _import("VpcId", "VPC", "VPC")
            + """\
  Instance:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-12345678
"""
            + _import("SubnetId", "VPC", "SubnetAPrivate")
            + """\
      SecurityGroupIds:
      - !Ref SecurityGroup
      - {'Fn::ImportValue': !Sub '${ParentClientStack}-ClientSecurityGroup'}
""",
        )
    return root


def url_nested_catalog(root: Path) -> Path:
    """A Quick Start: a main template nesting children by S3 URL, children in templates/."""
    write(
        root,
        "templates/main.template.yaml",
        """\
Parameters:
  QSS3BucketName: {Type: String, Default: aws-quickstart}
  QSS3BucketRegion: {Type: String, Default: us-east-1}
  QSS3KeyPrefix: {Type: String, Default: quickstart-example/}
  Env: {Type: String, Default: prod}
Conditions:
  UsingDefaultBucket: !Equals [!Ref QSS3BucketName, aws-quickstart]
Resources:
  BucketsStack:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: !Sub
        - 'https://${S3Bucket}.s3.${S3Region}.${AWS::URLSuffix}/${QSS3KeyPrefix}templates/buckets.template.yaml'
        - S3Bucket: !If [UsingDefaultBucket, !Sub '${QSS3BucketName}-${AWS::Region}', !Ref QSS3BucketName]
          S3Region: !If [UsingDefaultBucket, !Ref 'AWS::Region', !Ref QSS3BucketRegion]
      Parameters:
        Env: !Ref Env
  QueueStack:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: !Join ['', ['https://', !Ref QSS3BucketName, '.s3.amazonaws.com/', !Ref QSS3KeyPrefix,
                               'templates/queue.template.yaml']]
      Parameters:
        BucketArn: !GetAtt BucketsStack.Outputs.BucketArn
  LiteralStack:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://aws-quickstart.s3.amazonaws.com/quickstart-example/submodules/vpc/templates/vpc.template.yaml
  TwinStack:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: !Sub 'https://${QSS3BucketName}.s3.amazonaws.com/${QSS3KeyPrefix}twin.template.yaml'
  RemoteStack:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://example-bucket.s3.amazonaws.com/elsewhere/not-here.template.yaml
""",
    )
    write(
        root,
        "templates/buckets.template.yaml",
        """\
Parameters:
  Env: {Type: String}
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties: {BucketName: !Sub 'data-${Env}'}
Outputs:
  BucketArn: {Value: !GetAtt Bucket.Arn}
""",
    )
    write(
        root,
        "templates/queue.template.yaml",
        """\
Parameters:
  BucketArn: {Type: String}
Resources:
  Queue: {Type: AWS::SQS::Queue, Properties: {QueueName: !Sub '${BucketArn}-events'}}
""",
    )
    write(
        root,
        "submodules/vpc/templates/vpc.template.yaml",
        """\
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
""",
    )
    # A second buckets template elsewhere shares only the file name: the longer suffix wins.
    write(root, "submodules/other/buckets.template.yaml", "Resources: {B: {Type: AWS::S3::Bucket}}\n")
    for folder in ("a", "b"):
        write(root, f"{folder}/twin.template.yaml", "Resources: {Q: {Type: AWS::SQS::Queue}}\n")
    return root
