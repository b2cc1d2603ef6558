//! Resource type names in each flavor, and attribute names that are not a
//! plain change of case. Fixers speak Terraform; this table is the only place
//! that knows what the SDKs call things.

/// One Terraform resource type and its class names.
#[derive(Debug)]
pub struct TypeRow {
    /// Terraform type, e.g. `aws_instance`.
    pub tf_type: &'static str,
    /// Pulumi module, e.g. `ec2` in `aws.ec2.Instance`.
    pub pulumi_module: &'static str,
    /// Pulumi class in @pulumi/aws 6.
    pub pulumi6: &'static str,
    /// Pulumi class in @pulumi/aws 7.
    pub pulumi7: &'static str,
    /// CDKTF class (the CDKTF module is the Terraform type without `aws_`).
    pub cdktf: &'static str,
}

const fn row(
    tf_type: &'static str,
    pulumi_module: &'static str,
    pulumi6: &'static str,
    pulumi7: &'static str,
    cdktf: &'static str,
) -> TypeRow {
    TypeRow {
        tf_type,
        pulumi_module,
        pulumi6,
        pulumi7,
        cdktf,
    }
}

/// The service namespace of each type's CDKTF class in the bindings of
/// cdktf 0.12 and older (prebuilt `@cdktf/provider-aws` 9 and older, and
/// local bindings generated in service groups), checked against the
/// published 9.0.52 package; "" for a class at the root. A type missing
/// here has no class in those bindings.
static CDKTF_SERVICES: &[(&str, &str)] = &[
    ("aws_instance", "ec2"),
    ("aws_launch_template", "ec2"),
    ("aws_launch_configuration", "datasources"),
    ("aws_ebs_volume", "ec2"),
    ("aws_key_pair", "ec2"),
    ("aws_iam_role", "iam"),
    ("aws_iam_role_policy", "iam"),
    ("aws_iam_role_policy_attachment", "iam"),
    ("aws_iam_instance_profile", "iam"),
    ("aws_security_group", "vpc"),
    ("aws_security_group_rule", "vpc"),
    ("aws_default_security_group", "vpc"),
    ("aws_vpc", "vpc"),
    ("aws_subnet", "vpc"),
    ("aws_internet_gateway", "vpc"),
    ("aws_route_table", "vpc"),
    ("aws_route", "vpc"),
    ("aws_route_table_association", "vpc"),
    ("aws_main_route_table_association", "vpc"),
    ("aws_default_route_table", "vpc"),
    ("aws_vpc_endpoint", "vpc"),
    ("aws_eip", "ec2"),
    ("aws_nat_gateway", "vpc"),
    ("aws_flow_log", "vpc"),
    ("aws_cloudwatch_log_group", "cloudwatch"),
    ("aws_cloudtrail", "cloudtrail"),
    ("aws_guardduty_detector", "guardduty"),
    ("aws_config_configuration_recorder", "config"),
    ("aws_config_configuration_recorder_status", "config"),
    ("aws_config_delivery_channel", "config"),
    ("aws_s3_bucket", "s3"),
    ("aws_s3_bucket_public_access_block", "s3"),
    ("aws_s3_bucket_server_side_encryption_configuration", "s3"),
    ("aws_s3_bucket_versioning", "s3"),
    ("aws_s3_bucket_policy", "s3"),
    ("aws_s3_bucket_acl", "s3"),
    ("aws_s3_bucket_website_configuration", "s3"),
    ("aws_lambda_function", "lambdafunction"),
    ("aws_lambda_permission", "lambdafunction"),
    ("aws_kms_key", "kms"),
    ("aws_lb", "elb"),
    ("aws_alb", "elb"),
    ("aws_lb_target_group", "elb"),
    ("aws_alb_target_group", "elb"),
    ("aws_lb_listener", "elb"),
    ("aws_alb_listener", "elb"),
    ("aws_lb_listener_rule", "elb"),
    ("aws_alb_listener_rule", "elb"),
    ("aws_lb_target_group_attachment", "elb"),
    ("aws_db_instance", "rds"),
    ("aws_rds_cluster", "rds"),
    ("aws_elasticache_cluster", "elasticache"),
    ("aws_elasticache_replication_group", "elasticache"),
    ("aws_efs_mount_target", "efs"),
    ("aws_network_interface", "vpc"),
    ("aws_s3_object", "s3"),
    ("aws_s3_bucket_object", "s3"),
    ("aws_autoscaling_group", "autoscaling"),
    ("aws_eks_cluster", "eks"),
    ("aws_eks_node_group", "eks"),
    ("aws_ecs_capacity_provider", "ecs"),
    ("aws_vpc_peering_connection", "vpc"),
    ("aws_ec2_transit_gateway_vpc_attachment", "ec2"),
    ("aws_vpn_connection", "vpc"),
    ("aws_ecs_service", "ecs"),
    ("aws_ecs_task_definition", "ecs"),
    ("aws_provider", ""),
    ("data.aws_ami", "ec2"),
    ("data.aws_ssm_parameter", "ssm"),
    ("data.aws_iam_policy_document", "iam"),
];

/// Every service namespace of those bindings (the root's `export * as`).
pub static CDKTF_SERVICE_NAMES: &[&str] = &[
    "accessanalyzer",
    "acm",
    "amplify",
    "apigateway",
    "apigatewayv2",
    "appautoscaling",
    "appconfig",
    "appmesh",
    "apprunner",
    "appstream",
    "appsync",
    "athena",
    "autoscaling",
    "autoscalingplans",
    "backup",
    "batch",
    "budgets",
    "chime",
    "cloud9",
    "cloudformation",
    "cloudfront",
    "cloudhsm",
    "cloudtrail",
    "cloudwatch",
    "codeartifact",
    "codebuild",
    "codecommit",
    "codedeploy",
    "codepipeline",
    "codestar",
    "cognito",
    "config",
    "connect",
    "cur",
    "datapipeline",
    "datasources",
    "datasync",
    "dax",
    "devicefarm",
    "directconnect",
    "directoryservice",
    "dlm",
    "dms",
    "documentdb",
    "dynamodb",
    "ec2",
    "ecr",
    "ecs",
    "efs",
    "eks",
    "elasticache",
    "elasticbeanstalk",
    "elasticsearch",
    "elastictranscoder",
    "elb",
    "emr",
    "eventbridge",
    "eventbridgeschemas",
    "fms",
    "fsx",
    "gamelift",
    "glacier",
    "globalaccelerator",
    "glue",
    "guardduty",
    "iam",
    "imagebuilder",
    "inspector",
    "iot",
    "kinesis",
    "kms",
    "lakeformation",
    "lambdafunction",
    "lex",
    "licensemanager",
    "lightsail",
    "macie",
    "macie2",
    "mediaconvert",
    "mediapackage",
    "mediastore",
    "mq",
    "msk",
    "mwaa",
    "neptune",
    "networkfirewall",
    "opsworks",
    "organizations",
    "outposts",
    "pinpoint",
    "pricing",
    "prometheus",
    "qldb",
    "quicksight",
    "ram",
    "rds",
    "redshift",
    "resourcegroups",
    "route53",
    "s3",
    "sagemaker",
    "secretsmanager",
    "securityhub",
    "serverlessapplicationrepository",
    "servicecatalog",
    "servicediscovery",
    "servicequotas",
    "ses",
    "sfn",
    "shield",
    "signer",
    "simpledb",
    "sns",
    "sqs",
    "ssm",
    "ssoadmin",
    "storagegateway",
    "swf",
    "synthetics",
    "timestreamwrite",
    "transfer",
    "vpc",
    "waf",
    "wafregional",
    "wafv2",
    "worklink",
    "workspaces",
    "xray",
];

/// The service namespaces of bindings 2 (published 2.0.13), written in
/// capitals (`EC2`, `CloudTrail`).
pub static CDKTF_CAPITAL_SERVICES: &[&str] = &[
    "ACM",
    "APIGateway",
    "APIGatewayV2",
    "AccessAnalyzer",
    "Amplify",
    "AppAutoScaling",
    "AppConfig",
    "AppMesh",
    "AppRunner",
    "AppStream",
    "AppSync",
    "Athena",
    "AutoScaling",
    "AutoScalingPlans",
    "Backup",
    "Batch",
    "Budgets",
    "Chime",
    "Cloud9",
    "CloudFormation",
    "CloudFront",
    "CloudHSM",
    "CloudTrail",
    "CloudWatch",
    "CloudWatchEventBridge",
    "CodeArtifact",
    "CodeBuild",
    "CodeCommit",
    "CodeDeploy",
    "CodePipeline",
    "CodeStar",
    "Cognito",
    "Config",
    "Connect",
    "Cur",
    "DAX",
    "DLM",
    "DMS",
    "DataPipeline",
    "DataSources",
    "DataSync",
    "DeviceFarm",
    "DirectConnect",
    "DirectoryService",
    "DocumentDB",
    "DynamoDB",
    "EC2",
    "ECR",
    "ECS",
    "EFS",
    "EKS",
    "ELB",
    "EMR",
    "ElastiCache",
    "ElasticBeanstalk",
    "ElasticSearch",
    "ElasticTranscoder",
    "EventBridgeSchemas",
    "FMS",
    "FSx",
    "GameLift",
    "Glacier",
    "GlobalAccelerator",
    "Glue",
    "GuardDuty",
    "IAM",
    "ImageBuilder",
    "Inspector",
    "IoT",
    "KMS",
    "Kinesis",
    "LakeFormation",
    "LambdaFunction",
    "Lex",
    "LicenseManager",
    "Lightsail",
    "MQ",
    "MSK",
    "MWAA",
    "Macie",
    "Macie2",
    "MediaConvert",
    "MediaPackage",
    "MediaStore",
    "Neptune",
    "NetworkFirewall",
    "OpsWorks",
    "Organizations",
    "Outposts",
    "Pinpoint",
    "Pricing",
    "Prometheus",
    "QLDB",
    "QuickSight",
    "RAM",
    "RDS",
    "Redshift",
    "ResourceGroups",
    "Route53",
    "S3",
    "SES",
    "SFN",
    "SNS",
    "SQS",
    "SSM",
    "SSOAdmin",
    "SWF",
    "SageMaker",
    "SecretsManager",
    "SecurityHub",
    "ServerlessApplicationRepository",
    "ServiceCatalog",
    "ServiceDiscovery",
    "ServiceQuotas",
    "Shield",
    "Signer",
    "SimpleDB",
    "StorageGateway",
    "Synthetics",
    "TimestreamWrite",
    "Transfer",
    "VPC",
    "WAF",
    "WAFRegional",
    "WAFV2",
    "WorkLink",
    "Workspaces",
    "XRay",
];

/// The service namespace of a type's class in service-grouped CDKTF
/// bindings ("" for the root); None when they have no class for it.
pub fn cdktf_service(tf_type: &str) -> Option<&'static str> {
    CDKTF_SERVICES
        .iter()
        .find(|(t, _)| *t == tf_type)
        .map(|(_, ns)| *ns)
}

/// Types the Terraform AWS provider added in a later major than the
/// others iacfix writes (which every major since 2 has), with the first
/// major that has them for certain: the S3 bucket's separate configurations
/// came with 4, the VPC security group rules late in 4 (missing from the
/// 4.x that prebuilt CDKTF bindings 9 were built on).
const TERRAFORM_SINCE: &[(&str, u32)] = &[
    ("aws_s3_bucket_server_side_encryption_configuration", 4),
    ("aws_s3_bucket_versioning", 4),
    ("aws_s3_bucket_acl", 4),
    ("aws_s3_bucket_website_configuration", 4),
    ("aws_vpc_security_group_egress_rule", 5),
];

/// Whether the Terraform AWS provider of major version `major` has the
/// type (and so CDKTF bindings generated from it have its class).
pub fn terraform_has(tf_type: &str, major: u32) -> bool {
    let since = TERRAFORM_SINCE
        .iter()
        .find(|(t, _)| *t == tf_type)
        .map_or(0, |(_, m)| *m);
    major >= since
}

/// The Pulumi class of a type in @pulumi/aws `major`; None when that
/// version has none (or is older than 4, which iacfix does not know).
/// @pulumi/aws N is built on the Terraform provider N-1, and its new
/// bucket class (`BucketV2`, beside the legacy `Bucket`) came with 5:
/// checked against the published 4.38 and 5.43 packages.
pub fn pulumi_class(row: &TypeRow, major: u32) -> Option<&'static str> {
    let has = match row.tf_type {
        "aws_s3_bucket" => major >= 5,
        tf => major >= 4 && terraform_has(tf, major - 1),
    };
    if !has {
        return None;
    }
    Some(if major <= 6 { row.pulumi6 } else { row.pulumi7 })
}

/// Every resource type iacfix knows, as checked against the published SDKs.
pub static TYPES: &[TypeRow] = &[
    row("aws_instance", "ec2", "Instance", "Instance", "Instance"),
    row(
        "aws_launch_template",
        "ec2",
        "LaunchTemplate",
        "LaunchTemplate",
        "LaunchTemplate",
    ),
    row(
        "aws_launch_configuration",
        "ec2",
        "LaunchConfiguration",
        "LaunchConfiguration",
        "LaunchConfiguration",
    ),
    row("aws_ebs_volume", "ebs", "Volume", "Volume", "EbsVolume"),
    row("aws_key_pair", "ec2", "KeyPair", "KeyPair", "KeyPair"),
    row("aws_iam_role", "iam", "Role", "Role", "IamRole"),
    row(
        "aws_iam_role_policy",
        "iam",
        "RolePolicy",
        "RolePolicy",
        "IamRolePolicy",
    ),
    row(
        "aws_iam_role_policy_attachment",
        "iam",
        "RolePolicyAttachment",
        "RolePolicyAttachment",
        "IamRolePolicyAttachment",
    ),
    row(
        "aws_iam_instance_profile",
        "iam",
        "InstanceProfile",
        "InstanceProfile",
        "IamInstanceProfile",
    ),
    row(
        "aws_security_group",
        "ec2",
        "SecurityGroup",
        "SecurityGroup",
        "SecurityGroup",
    ),
    row(
        "aws_security_group_rule",
        "ec2",
        "SecurityGroupRule",
        "SecurityGroupRule",
        "SecurityGroupRule",
    ),
    row(
        "aws_vpc_security_group_egress_rule",
        "vpc",
        "SecurityGroupEgressRule",
        "SecurityGroupEgressRule",
        "VpcSecurityGroupEgressRule",
    ),
    row(
        "aws_vpc_security_group_ingress_rule",
        "vpc",
        "SecurityGroupIngressRule",
        "SecurityGroupIngressRule",
        "VpcSecurityGroupIngressRule",
    ),
    row(
        "aws_network_interface",
        "ec2",
        "NetworkInterface",
        "NetworkInterface",
        "NetworkInterface",
    ),
    row("aws_lb", "lb", "LoadBalancer", "LoadBalancer", "Lb"),
    row("aws_alb", "alb", "LoadBalancer", "LoadBalancer", "Alb"),
    row(
        "aws_lb_target_group",
        "lb",
        "TargetGroup",
        "TargetGroup",
        "LbTargetGroup",
    ),
    row(
        "aws_alb_target_group",
        "alb",
        "TargetGroup",
        "TargetGroup",
        "AlbTargetGroup",
    ),
    row(
        "aws_lb_listener",
        "lb",
        "Listener",
        "Listener",
        "LbListener",
    ),
    row(
        "aws_alb_listener",
        "alb",
        "Listener",
        "Listener",
        "AlbListener",
    ),
    row(
        "aws_lb_listener_rule",
        "lb",
        "ListenerRule",
        "ListenerRule",
        "LbListenerRule",
    ),
    row(
        "aws_alb_listener_rule",
        "alb",
        "ListenerRule",
        "ListenerRule",
        "AlbListenerRule",
    ),
    row(
        "aws_lb_target_group_attachment",
        "lb",
        "TargetGroupAttachment",
        "TargetGroupAttachment",
        "LbTargetGroupAttachment",
    ),
    row("aws_ecs_service", "ecs", "Service", "Service", "EcsService"),
    row(
        "aws_ecs_task_definition",
        "ecs",
        "TaskDefinition",
        "TaskDefinition",
        "EcsTaskDefinition",
    ),
    row(
        "aws_vpc_peering_connection",
        "ec2",
        "VpcPeeringConnection",
        "VpcPeeringConnection",
        "VpcPeeringConnection",
    ),
    row(
        "aws_ec2_transit_gateway_vpc_attachment",
        "ec2transitgateway",
        "VpcAttachment",
        "VpcAttachment",
        "Ec2TransitGatewayVpcAttachment",
    ),
    row(
        "aws_vpn_connection",
        "ec2",
        "VpnConnection",
        "VpnConnection",
        "VpnConnection",
    ),
    row(
        "aws_db_instance",
        "rds",
        "Instance",
        "Instance",
        "DbInstance",
    ),
    row("aws_rds_cluster", "rds", "Cluster", "Cluster", "RdsCluster"),
    row(
        "aws_elasticache_cluster",
        "elasticache",
        "Cluster",
        "Cluster",
        "ElasticacheCluster",
    ),
    row(
        "aws_elasticache_replication_group",
        "elasticache",
        "ReplicationGroup",
        "ReplicationGroup",
        "ElasticacheReplicationGroup",
    ),
    row(
        "aws_efs_mount_target",
        "efs",
        "MountTarget",
        "MountTarget",
        "EfsMountTarget",
    ),
    row(
        "aws_default_security_group",
        "ec2",
        "DefaultSecurityGroup",
        "DefaultSecurityGroup",
        "DefaultSecurityGroup",
    ),
    row("aws_vpc", "ec2", "Vpc", "Vpc", "Vpc"),
    row("aws_subnet", "ec2", "Subnet", "Subnet", "Subnet"),
    row(
        "aws_internet_gateway",
        "ec2",
        "InternetGateway",
        "InternetGateway",
        "InternetGateway",
    ),
    row(
        "aws_route_table",
        "ec2",
        "RouteTable",
        "RouteTable",
        "RouteTable",
    ),
    row("aws_route", "ec2", "Route", "Route", "Route"),
    row(
        "aws_route_table_association",
        "ec2",
        "RouteTableAssociation",
        "RouteTableAssociation",
        "RouteTableAssociation",
    ),
    row(
        "aws_main_route_table_association",
        "ec2",
        "MainRouteTableAssociation",
        "MainRouteTableAssociation",
        "MainRouteTableAssociation",
    ),
    row(
        "aws_default_route_table",
        "ec2",
        "DefaultRouteTable",
        "DefaultRouteTable",
        "DefaultRouteTable",
    ),
    row(
        "aws_vpc_endpoint",
        "ec2",
        "VpcEndpoint",
        "VpcEndpoint",
        "VpcEndpoint",
    ),
    row("aws_eip", "ec2", "Eip", "Eip", "Eip"),
    row(
        "aws_nat_gateway",
        "ec2",
        "NatGateway",
        "NatGateway",
        "NatGateway",
    ),
    row("aws_flow_log", "ec2", "FlowLog", "FlowLog", "FlowLog"),
    row(
        "aws_cloudwatch_log_group",
        "cloudwatch",
        "LogGroup",
        "LogGroup",
        "CloudwatchLogGroup",
    ),
    row(
        "aws_cloudtrail",
        "cloudtrail",
        "Trail",
        "Trail",
        "Cloudtrail",
    ),
    row(
        "aws_guardduty_detector",
        "guardduty",
        "Detector",
        "Detector",
        "GuarddutyDetector",
    ),
    row(
        "aws_config_configuration_recorder",
        "cfg",
        "Recorder",
        "Recorder",
        "ConfigConfigurationRecorder",
    ),
    row(
        "aws_config_configuration_recorder_status",
        "cfg",
        "RecorderStatus",
        "RecorderStatus",
        "ConfigConfigurationRecorderStatus",
    ),
    row(
        "aws_config_delivery_channel",
        "cfg",
        "DeliveryChannel",
        "DeliveryChannel",
        "ConfigDeliveryChannel",
    ),
    row("aws_s3_bucket", "s3", "BucketV2", "Bucket", "S3Bucket"),
    row(
        "aws_s3_bucket_public_access_block",
        "s3",
        "BucketPublicAccessBlock",
        "BucketPublicAccessBlock",
        "S3BucketPublicAccessBlock",
    ),
    row(
        "aws_s3_bucket_server_side_encryption_configuration",
        "s3",
        "BucketServerSideEncryptionConfigurationV2",
        "BucketServerSideEncryptionConfiguration",
        "S3BucketServerSideEncryptionConfigurationA",
    ),
    row(
        "aws_s3_bucket_versioning",
        "s3",
        "BucketVersioningV2",
        "BucketVersioning",
        "S3BucketVersioningA",
    ),
    row(
        "aws_s3_bucket_policy",
        "s3",
        "BucketPolicy",
        "BucketPolicy",
        "S3BucketPolicy",
    ),
    row(
        "aws_s3_bucket_acl",
        "s3",
        "BucketAclV2",
        "BucketAcl",
        "S3BucketAcl",
    ),
    row(
        "aws_s3_bucket_website_configuration",
        "s3",
        "BucketWebsiteConfigurationV2",
        "BucketWebsiteConfiguration",
        "S3BucketWebsiteConfiguration",
    ),
    row(
        "aws_s3_object",
        "s3",
        "BucketObjectv2",
        "BucketObjectv2",
        "S3Object",
    ),
    row(
        "aws_s3_bucket_object",
        "s3",
        "BucketObject",
        "BucketObject",
        "S3BucketObject",
    ),
    row(
        "aws_lambda_function",
        "lambda",
        "Function",
        "Function",
        "LambdaFunction",
    ),
    row(
        "aws_lambda_permission",
        "lambda",
        "Permission",
        "Permission",
        "LambdaPermission",
    ),
    row("aws_kms_key", "kms", "Key", "Key", "KmsKey"),
    // Read by EC2001 (container hosts: the launch templates of EKS node
    // groups and of the autoscaling groups ECS capacity providers use).
    row(
        "aws_autoscaling_group",
        "autoscaling",
        "Group",
        "Group",
        "AutoscalingGroup",
    ),
    row("aws_eks_cluster", "eks", "Cluster", "Cluster", "EksCluster"),
    row(
        "aws_eks_node_group",
        "eks",
        "NodeGroup",
        "NodeGroup",
        "EksNodeGroup",
    ),
    row(
        "aws_ecs_capacity_provider",
        "ecs",
        "CapacityProvider",
        "CapacityProvider",
        "EcsCapacityProvider",
    ),
    row("aws_provider", "", "Provider", "Provider", "AwsProvider"),
    // Data sources: Pulumi invokes (`aws.ec2.getAmi`, `get_ami`, and their
    // `...Output` forms) and CDKTF `DataAws...` classes.
    row("data.aws_ami", "ec2", "getAmi", "getAmi", "DataAwsAmi"),
    row(
        "data.aws_ssm_parameter",
        "ssm",
        "getParameter",
        "getParameter",
        "DataAwsSsmParameter",
    ),
    row(
        "data.aws_iam_policy_document",
        "iam",
        "getPolicyDocument",
        "getPolicyDocument",
        "DataAwsIamPolicyDocument",
    ),
];

/// In @pulumi/aws 6 `aws.s3.Bucket` is the legacy bucket; it is still an
/// `aws_s3_bucket`, so both names resolve to that type.
static PULUMI_EXTRA: &[(&str, &str, &str)] = &[("s3", "Bucket", "aws_s3_bucket")];

/// The Terraform type of a Pulumi class `aws.<module>.<class>`.
pub fn pulumi_type(module: &str, class: &str) -> Option<&'static str> {
    // Python spells a module named like a keyword with `_`: `aws.lambda_`
    let module = module.strip_suffix('_').unwrap_or(module);
    // invokes: `get_ami` / `getAmiOutput` / `get_ami_output` -> `getAmi`
    let invoke;
    let class = if class.starts_with("get") {
        let base = class
            .strip_suffix("_output")
            .or_else(|| class.strip_suffix("Output"))
            .unwrap_or(class);
        invoke = camel_case(base);
        invoke.as_str()
    } else {
        class
    };
    TYPES
        .iter()
        .find(|r| r.pulumi_module == module && (r.pulumi6 == class || r.pulumi7 == class))
        .map(|r| r.tf_type)
        .or_else(|| {
            PULUMI_EXTRA
                .iter()
                .find(|(m, c, _)| *m == module && *c == class)
                .map(|(_, _, t)| *t)
        })
}

/// The Terraform type of a CDKTF class. `module` is the module it was imported
/// from (any case or separator style), when the import names one.
pub fn cdktf_type(module: Option<&str>, class: &str) -> Option<&'static str> {
    let row = TYPES.iter().find(|r| r.cdktf == class)?;
    match module {
        // its own module, or its service's in bindings of cdktf 0.12 and older
        Some(m)
            if snake_case(m) != cdktf_module(row.tf_type)
                && cdktf_service(row.tf_type) != Some(m.to_ascii_lowercase().as_str()) =>
        {
            None
        }
        _ => Some(row.tf_type),
    }
}

/// The AWS CDK constructs iacfix reads: the module as Python names it
/// (`aws_s3`: TypeScript's `aws-cdk-lib/aws-s3`), the class, and the type
/// name findings give (its jsii name).
pub static AWSCDK_CONSTRUCTS: &[(&str, &str, &str)] = &[
    ("aws_s3", "Bucket", "aws-cdk-lib.aws_s3.Bucket"),
    ("aws_ec2", "Instance", "aws-cdk-lib.aws_ec2.Instance"),
    ("aws_ec2", "Vpc", "aws-cdk-lib.aws_ec2.Vpc"),
    (
        "aws_ec2",
        "SecurityGroup",
        "aws-cdk-lib.aws_ec2.SecurityGroup",
    ),
    ("aws_ec2", "KeyPair", "aws-cdk-lib.aws_ec2.KeyPair"),
    (
        "aws_autoscaling",
        "AutoScalingGroup",
        "aws-cdk-lib.aws_autoscaling.AutoScalingGroup",
    ),
    ("aws_logs", "LogGroup", "aws-cdk-lib.aws_logs.LogGroup"),
    ("aws_iam", "Role", "aws-cdk-lib.aws_iam.Role"),
    (
        "aws_ec2",
        "LaunchTemplate",
        "aws-cdk-lib.aws_ec2.LaunchTemplate",
    ),
    ("aws_lambda", "Function", "aws-cdk-lib.aws_lambda.Function"),
    (
        "aws_lambda",
        "SingletonFunction",
        "aws-cdk-lib.aws_lambda.SingletonFunction",
    ),
    (
        "aws_lambda",
        "CfnFunction",
        "aws-cdk-lib.aws_lambda.CfnFunction",
    ),
    (
        "aws_lambda",
        "LayerVersion",
        "aws-cdk-lib.aws_lambda.LayerVersion",
    ),
    (
        "aws_lambda_nodejs",
        "NodejsFunction",
        "aws-cdk-lib.aws_lambda_nodejs.NodejsFunction",
    ),
    // @aws-cdk/aws-lambda-python-alpha, aws_cdk.aws_lambda_python_alpha
    (
        "aws_lambda_python_alpha",
        "PythonFunction",
        "aws-cdk-lib.aws_lambda_python_alpha.PythonFunction",
    ),
    (
        "aws_lambda_python_alpha",
        "PythonLayerVersion",
        "aws-cdk-lib.aws_lambda_python_alpha.PythonLayerVersion",
    ),
    // the account-wide services of MON001-MON003: a program that has one
    // needs no other
    (
        "aws_cloudtrail",
        "Trail",
        "aws-cdk-lib.aws_cloudtrail.Trail",
    ),
    (
        "aws_cloudtrail",
        "CfnTrail",
        "aws-cdk-lib.aws_cloudtrail.CfnTrail",
    ),
    (
        "aws_guardduty",
        "CfnDetector",
        "aws-cdk-lib.aws_guardduty.CfnDetector",
    ),
    (
        "aws_config",
        "CfnConfigurationRecorder",
        "aws-cdk-lib.aws_config.CfnConfigurationRecorder",
    ),
];

/// The type of an AWS CDK construct class, `module` as an import names it
/// (`aws_s3`, `aws-s3`).
pub fn awscdk_type(module: &str, class: &str) -> Option<&'static str> {
    let module = module.replace('-', "_");
    AWSCDK_CONSTRUCTS
        .iter()
        .find(|(m, c, _)| *m == module && *c == class)
        .map(|(_, _, t)| *t)
}

/// The key of an AWS CDK construct property (given snake_case) as the
/// source writes it: Python's keyword is the snake_case name; TypeScript's
/// is camelCase, with the acronyms jsii keeps whole (`enforceSSL`).
pub fn awscdk_key(attr: &str, python: bool) -> String {
    const TS_KEYS: &[(&str, &str)] = &[("enforce_ssl", "enforceSSL")];
    if python {
        return attr.to_string();
    }
    TS_KEYS
        .iter()
        .find(|(snake, _)| *snake == attr)
        .map_or_else(|| camel_case(attr), |(_, ts)| ts.to_string())
}

/// A Pulumi module as Python names it: `lambda` is a keyword, so `lambda_`.
pub fn pulumi_py_module(module: &str) -> String {
    if module == "lambda" {
        "lambda_".to_string()
    } else {
        module.to_string()
    }
}

/// The CDKTF module of a Terraform type, snake_case: `aws_iam_role` ->
/// `iam_role`, `data.aws_ami` -> `data_aws_ami`, the provider -> `provider`.
pub fn cdktf_module(tf_type: &str) -> String {
    if let Some(data) = tf_type.strip_prefix("data.") {
        return format!("data_{data}");
    }
    if tf_type == "aws_provider" {
        return "provider".into();
    }
    tf_type.trim_start_matches("aws_").to_string()
}

/// The row of a Terraform type.
pub fn row_of(tf_type: &str) -> Option<&'static TypeRow> {
    TYPES.iter().find(|r| r.tf_type == tf_type)
}

/// Whether a type is a data source (a Pulumi invoke, a CDKTF `DataAws...`).
pub fn is_data(tf_type: &str) -> bool {
    tf_type.starts_with("data.")
}

/// Attributes that Pulumi renames beyond a change of case (it pluralizes most
/// repeated blocks); CDKTF keeps Terraform's name. Keyed by resource type and
/// the Terraform path of the block's parent ("" for top level).
static PULUMI_RENAMES: &[(&str, &str, &str, &str)] = &[
    ("aws_instance", "", "ebs_block_device", "ebs_block_devices"),
    (
        "aws_instance",
        "",
        "ephemeral_block_device",
        "ephemeral_block_devices",
    ),
    (
        "aws_instance",
        "",
        "network_interface",
        "network_interfaces",
    ),
    (
        "aws_launch_configuration",
        "",
        "ebs_block_device",
        "ebs_block_devices",
    ),
    (
        "aws_launch_configuration",
        "",
        "ephemeral_block_device",
        "ephemeral_block_devices",
    ),
    (
        "aws_launch_template",
        "",
        "block_device_mapping",
        "block_device_mappings",
    ),
    (
        "aws_launch_template",
        "",
        "network_interface",
        "network_interfaces",
    ),
    (
        "aws_s3_bucket_server_side_encryption_configuration",
        "",
        "rule",
        "rules",
    ),
    ("aws_route_table", "", "route", "routes"),
    ("aws_autoscaling_group", "", "tag", "tags"),
    ("aws_cloudtrail", "", "event_selector", "event_selectors"),
    ("data.aws_ami", "", "filter", "filters"),
    (
        "data.aws_iam_policy_document",
        "",
        "statement",
        "statements",
    ),
    (
        "data.aws_iam_policy_document",
        "statement",
        "condition",
        "conditions",
    ),
];

/// The snake_case name Pulumi gives to the Terraform attribute `attr` found
/// under `parent` (a dotted Terraform path, "" at the top) of `tf_type`.
pub fn pulumi_attr<'a>(tf_type: &str, parent: &str, attr: &'a str) -> &'a str {
    PULUMI_RENAMES
        .iter()
        .find(|(t, p, a, _)| *t == tf_type && *p == parent && *a == attr)
        .map(|(_, _, _, renamed)| *renamed)
        .unwrap_or(attr)
}

/// `http_put_response_hop_limit` -> `httpPutResponseHopLimit`.
pub fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `launchTemplate`, `launch-template`, `LaunchTemplate` -> `launch_template`.
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c == '-' {
            out.push('_');
        } else if c.is_ascii_uppercase() {
            if i > 0 && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `root_block_device` -> `RootBlockDevice`.
pub fn pascal_case(snake: &str) -> String {
    let camel = camel_case(snake);
    let mut chars = camel.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_conversions() {
        assert_eq!(
            camel_case("http_put_response_hop_limit"),
            "httpPutResponseHopLimit"
        );
        assert_eq!(snake_case("launchTemplate"), "launch_template");
        assert_eq!(snake_case("launch-template"), "launch_template");
        assert_eq!(pascal_case("root_block_device"), "RootBlockDevice");
    }

    #[test]
    fn type_lookups() {
        assert_eq!(pulumi_type("ec2", "Instance"), Some("aws_instance"));
        assert_eq!(pulumi_type("s3", "BucketV2"), Some("aws_s3_bucket"));
        assert_eq!(pulumi_type("s3", "Bucket"), Some("aws_s3_bucket"));
        assert_eq!(pulumi_type("ec2", "Nope"), None);
        assert_eq!(
            cdktf_type(Some("launchTemplate"), "LaunchTemplate"),
            Some("aws_launch_template")
        );
        assert_eq!(
            cdktf_type(Some("launch-template"), "LaunchTemplate"),
            Some("aws_launch_template")
        );
        assert_eq!(cdktf_type(None, "EbsVolume"), Some("aws_ebs_volume"));
        assert_eq!(cdktf_type(Some("vpc"), "Instance"), None);
    }

    #[test]
    fn pulumi_renames() {
        assert_eq!(
            pulumi_attr("aws_instance", "", "ebs_block_device"),
            "ebs_block_devices"
        );
        assert_eq!(
            pulumi_attr("aws_instance", "", "root_block_device"),
            "root_block_device"
        );
        assert_eq!(pulumi_attr("aws_security_group", "", "egress"), "egress");
    }
}
