"""Runs Pulumi Python programs under pulumi.runtime.set_mocks (no Pulumi CLI,
no cloud) and writes, per program, every resource's type, name and inputs
and every provider function call as JSON, in the same shape as
pulumi-mock.cjs.

    python pulumi_mock.py PROGRAM.py OUT.json

Configuration comes from PULUMI_CONFIG, as for a real run.
"""

import json
import os
import runpy
import sys
import traceback

import pulumi
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

resources = []
invokes = []
errors = []


def asset(value):
    """Assets and archives as pulumi-mock.cjs records them."""
    if isinstance(value, (pulumi.Asset, pulumi.Archive)):
        out = {"kind": "asset" if isinstance(value, pulumi.Asset) else "archive"}
        for key in ("text", "path", "uri", "assets"):
            if getattr(value, key, None) is not None:
                out[key] = getattr(value, key)
        return out
    return str(value)


def plain(value):
    """Inputs as JSON values (mocks hand over protobuf-decoded values)."""
    return json.loads(json.dumps(value, default=asset))


class Recorder(pulumi.runtime.Mocks):
    def new_resource(self, args):
        inputs = plain(args.inputs)
        resources.append({"type": args.typ, "name": args.name, "inputs": inputs})
        # a physical name as auto-naming gives one, unless the program sets it
        # assets and archives go back as they came (outputs must keep their types)
        state = dict({"name": args.name, "bucket": args.name}, **inputs, arn=f"arn:aws:mock::123456789012:{args.name}")
        for key, value in args.inputs.items():
            if isinstance(value, (pulumi.Asset, pulumi.Archive)):
                state[key] = value
        return [f"{args.name}-id", state]

    def call(self, args):
        inputs = plain(args.args)
        invokes.append({"token": args.token, "inputs": inputs})
        return dict(
            inputs,
            id="mock-id",
            imageId="ami-0mock",
            arn="arn:aws:mock::123456789012:invoke",
            name="mock",
            accountId="123456789012",
            # a policy document's rendered JSON (getPolicyDocument)
            json=json.dumps(inputs),
        )


def main():
    program, out = sys.argv[1], sys.argv[2]
    pulumi.runtime.set_mocks(Recorder(), project="oracle", stack="test", preview=False)

    # As Pulumi runs a program: its folder is on the path, so the modules
    # beside `__main__.py` import.
    sys.path.insert(0, os.path.dirname(os.path.abspath(program)))

    def run():
        runpy.run_path(program, run_name="__main__")

    try:
        _sync_await(run_pulumi_func(run))
    except BaseException:  # noqa: BLE001 - any failure is the program's, and is reported
        errors.append(traceback.format_exc())
    user = [r for r in resources if not r["type"].startswith("pulumi:")]
    with open(out, "w", encoding="utf-8") as f:
        config = json.loads(os.environ.get("PULUMI_CONFIG") or "{}")
        json.dump({"resources": user, "config": config, "invokes": invokes, "errors": errors}, f)


if __name__ == "__main__":
    main()
