//! Programs shared by the command-line tests.

/// One instance with three findings: EC2001 (safe fix), EC2002 root volume
/// size (safe) and encryption (unsafe).
pub const BAD: &str = r#"import * as aws from "@pulumi/aws";

new aws.ec2.Instance("web", {
    ami: "ami-0123456789abcdef0",
    iamInstanceProfile: "web-ssm",
    tags: { Environment: "test", ManagedBy: "Pulumi", Backup: "Required" },
    rootBlockDevice: {
        volumeSize: 20,
    },
});
"#;
