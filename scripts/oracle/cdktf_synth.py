"""Synthesizes CDKTF Python programs to Terraform JSON for checkov, many
programs in one process (starting the jsii runtime is the slow part).

    python cdktf_synth.py OUT_DIR PROGRAM.py...

Program number i is written to OUT_DIR/<i>/<stack>.tf.json with every null
value removed: CDKTF writes unset attributes as null, and checkov reads a
null `prefix_list_ids` as a restriction, passing all-traffic egress. Prints
one JSON object: {"<i>": {"program": path, "stacks": [...], "error": str|null}}.
Generated bindings (`imports.aws.<module>`) are aliased to the prebuilt
package. A program that builds an App and calls synth() is run as it is; one that
only defines TerraformStack subclasses gets each of them instantiated in an
App of its own.
"""

import importlib
import inspect
import json
import os
import re
import runpy
import sys
import tempfile
import traceback
import types

import cdktf

OUT_DIR = None
_original_init = cdktf.App.__init__
_apps = []


def _patched_init(self, *args, **kwargs):
    """Every App of the current program synthesizes into a scratch folder."""
    kwargs["outdir"] = tempfile.mkdtemp(prefix="cdktf-oracle-")
    # A stack without a provider construct still synthesizes: the checks
    # are about resources, and fixtures need not declare a provider.
    kwargs["skip_validation"] = True
    _original_init(self, *args, **kwargs)
    _apps.append((self, kwargs["outdir"]))


cdktf.App.__init__ = _patched_init


def strip_nulls(value):
    if isinstance(value, dict):
        return {k: strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strip_nulls(v) for v in value if v is not None]
    return value


def alias_generated_bindings(program):
    """Programs using `cdktf get` bindings import `imports.aws.<module>`;
    the prebuilt package has the same modules, so alias them."""
    with open(program, encoding="utf-8") as f:
        text = f.read()
    if "imports" not in sys.modules:
        sys.modules["imports"] = types.ModuleType("imports")
        sys.modules["imports.aws"] = importlib.import_module("cdktf_cdktf_provider_aws")
        sys.modules["imports"].aws = sys.modules["imports.aws"]
    for name in set(re.findall(r"\bimports\.aws\.(\w+)", text)):
        module = importlib.import_module(f"cdktf_cdktf_provider_aws.{name}")
        sys.modules[f"imports.aws.{name}"] = module
    for name in re.findall(r"from\s+imports\.aws\s+import\s+([\w, ]+)", text):
        for part in name.split(","):
            part = part.strip().split(" ")[0]
            if part:
                importlib.import_module(f"cdktf_cdktf_provider_aws.{part}")


def synth_program(program, dest):
    _apps.clear()
    alias_generated_bindings(program)
    namespace = runpy.run_path(program, run_name="__main__")
    if not _apps:
        app = cdktf.App()
        for name, value in namespace.items():
            if (
                inspect.isclass(value)
                and issubclass(value, cdktf.TerraformStack)
                and value is not cdktf.TerraformStack
            ):
                value(app, name)
    stacks = []
    for app, outdir in _apps:
        app.synth()
        root = os.path.join(outdir, "stacks")
        for stack in sorted(os.listdir(root)) if os.path.isdir(root) else []:
            with open(os.path.join(root, stack, "cdk.tf.json"), encoding="utf-8") as f:
                doc = strip_nulls(json.load(f))
            os.makedirs(dest, exist_ok=True)
            with open(os.path.join(dest, f"{stack}.tf.json"), "w", encoding="utf-8") as f:
                json.dump(doc, f, indent=1)
            stacks.append(stack)
    return stacks


def main():
    out_dir, programs = sys.argv[1], sys.argv[2:]
    report = {}
    for i, program in enumerate(programs):
        entry = {"program": program, "stacks": [], "error": None}
        try:
            entry["stacks"] = synth_program(program, os.path.join(out_dir, str(i)))
        except BaseException:  # noqa: BLE001 - reported per program
            entry["error"] = traceback.format_exc()
        report[str(i)] = entry
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
