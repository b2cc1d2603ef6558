import { App, Duration, Stack } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";

// A typical small AWS CDK app: a VPC, a web server, a bucket, a log
// group, a role and a function.
class WebStack extends Stack {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    const vpc = new ec2.Vpc(this, "Vpc", { maxAzs: 2, natGateways: 1 });
    const webSg = new ec2.SecurityGroup(this, "WebSg", { vpc });
    webSg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443));

    new ec2.Instance(this, "Web", {
      vpc,
      securityGroup: webSg,
      instanceType: new ec2.InstanceType("t3.small"),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      blockDevices: [{ deviceName: "/dev/xvda", volume: ec2.BlockDeviceVolume.ebs(20) }],
    });

    new s3.Bucket(this, "Assets");

    new logs.LogGroup(this, "AppLogs", { retention: logs.RetentionDays.TWO_WEEKS });

    new iam.Role(this, "Deployer", {
      assumedBy: new iam.ServicePrincipal("codebuild.amazonaws.com"),
      maxSessionDuration: Duration.hours(4),
    });

    new lambda.Function(this, "Thumbnails", {
      runtime: lambda.Runtime.PYTHON_3_9,
      handler: "index.handler",
      code: lambda.Code.fromInline("def handler(event, context):\n    return 'ok'\n"),
    });
  }
}

const app = new App();
new WebStack(app, "Example");
app.synth();
