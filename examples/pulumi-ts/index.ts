import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

const config = new pulumi.Config();
const environment = config.get("environment") ?? "dev";

const ami = aws.ec2.getAmiOutput({
    mostRecent: true,
    owners: ["amazon"],
    filters: [{ name: "name", values: ["al2023-ami-*-x86_64"] }],
});

// A web server: IMDSv1 still allowed, and a 20 GB root volume that is too
// small for the image and not encrypted.
export const web = new aws.ec2.Instance(`web-${environment}`, {
    ami: ami.id,
    instanceType: "t3.micro",
    rootBlockDevice: {
        volumeType: "gp3",
        volumeSize: 20,
    },
    tags: {
        Name: `web-${environment}`,
        Environment: environment,
    },
});
