#!/usr/bin/env python
from constructs import Construct
from cdktf import App, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.instance import Instance


class WebStack(TerraformStack):
    def __init__(self, scope: Construct, id: str):
        super().__init__(scope, id)
        AwsProvider(self, "aws", region="us-east-1")

        Instance(
            self,
            "web",
            ami="ami-0123456789abcdef0",
            instance_type="t3.micro",
            root_block_device={"volume_type": "gp3", "volume_size": 20},
        )


app = App()
WebStack(app, "web")
app.synth()
