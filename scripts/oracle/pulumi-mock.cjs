// Runs one compiled Pulumi program under `pulumi.runtime.setMocks` (no
// Pulumi CLI, no cloud) and writes every resource's type, name and inputs,
// and every provider function call, as JSON.
//
//   NODE_PATH=<env>/node_modules node pulumi-mock.cjs PROGRAM.js OUT.json
"use strict";
const fs = require("fs");
const path = require("path");

const [program, out] = process.argv.slice(2);
const pulumi = require("@pulumi/pulumi");

const resources = [];
const invokes = [];
const errors = [];

pulumi.runtime.setMocks(
  {
    newResource(args) {
      resources.push({ type: args.type, name: args.name, inputs: args.inputs });
      return {
        id: `${args.name}-id`,
        // a physical name as auto-naming gives one, unless the program sets it
        // (`bucket` for S3 buckets)
        state: { name: args.name, bucket: args.name, ...args.inputs, arn: `arn:aws:mock::123456789012:${args.name}` },
      };
    },
    call(args) {
      invokes.push({ token: args.token, inputs: args.inputs });
      return {
        ...args.inputs,
        id: "mock-id",
        imageId: "ami-0mock",
        arn: "arn:aws:mock::123456789012:invoke",
        name: "mock",
        accountId: "123456789012",
      };
    },
  },
  "oracle",
  "test",
  false,
);

const record = (e) => errors.push(String((e && e.stack) || e));
process.on("uncaughtException", record);
process.on("unhandledRejection", record);
process.on("beforeExit", () => {
  const user = resources.filter((r) => !r.type.startsWith("pulumi:"));
  fs.writeFileSync(out, JSON.stringify({ resources: user, invokes, errors }));
  process.exit(0);
});

try {
  require(path.resolve(program));
} catch (e) {
  record(e);
}
